// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Haplotype imputation and match probabilities for typings at any
// resolution, from five-locus haplotype frequencies (the NMDP 2007 table,
// data/haplotype_freq.h; Maiers, Gragert & Klitz, Hum Immunol
// 2007;68:779-788), after the method registry searches use: the posterior
// over haplotype pairs consistent with a typing (Maiers et al., GRIMM,
// Bioinformatics 2019;35:4520; the same idea as NMDP HapLogic and Anthony
// Nolan's Atlas match prediction), and from the recipient's and the donor's
// posteriors the probability of 0, 1 or 2 allele matches per locus,
// 10/10, >= 9/10, >= 8/10, and of the donor carrying a recipient haplotype
// whole.
//
//   HLA_ASSIGN_OR_RETURN(auto imputer, hla::impute::Imputer::Create(ref, freqs));
//   HLA_ASSIGN_OR_RETURN(hla::impute::Imputation r, imputer->Impute(recipient, {}));
//   HLA_ASSIGN_OR_RETURN(hla::impute::Imputation d, imputer->Impute(donor, {}));
//   hla::impute::MatchProbability p = imputer->Probability(r, d, &report);
//
// Space: the table's 2-field alleles; two of them match when their
// representative alleles share a P group (the matcher's allele match, so
// that a probability of 1 and a certain match mean the same thing).
//
// Limits, stated where they bite (docs/probability.md): the table is of
// 2007 US donors in four broad populations; a person of another population
// is imputed with the wrong frequencies; alleles named since, or too rare
// to be listed, are not in the table (the documented rule at Impute); loci
// outside the table (DPB1, DRB3/4/5, DQA1, DPA1) get no probability.
//
// Thread safety: an Imputer is immutable after Create; Impute and
// Probability may be called from any number of threads (Impute's working
// buffers are per thread, a few kilobytes kept for the thread's life).
#ifndef HLA_IMPUTE_IMPUTE_H_
#define HLA_IMPUTE_IMPUTE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "data/haplotype_freq.h"
#include "data/reference.h"
#include "matcher/match.h"

namespace hla::impute {

// The loci of the table in report order (A, B, C, DRB1, DQB1).
inline constexpr std::array<Locus, data::kHaplotypeLoci> kLoci = {
    Locus::kA, Locus::kB, Locus::kC, Locus::kDRB1, Locus::kDQB1};

struct ImputeOptions {
  // The person's population; nullopt (unknown) imputes from the mixture
  // below: each haplotype pair weighted by sum over populations of
  // weight * f(h1) * f(h2) (both haplotypes from one population).
  std::optional<data::Population> population;
  // Default weights when the population is unknown, in data::Population
  // order (AFA, API, EUR, HIS): the same approximation of the US registry's
  // composition the synthesiser uses by default (synth/synth.h). A setting.
  std::array<double, data::kPopulationCount> mix = {0.09, 0.08, 0.72, 0.11};
  // Keep the most likely pairs until this share of the posterior, and at
  // most max_pairs of them (the rest is dropped and the kept pairs
  // renormalised; Imputation::kept_mass says how much was kept).
  double keep_mass = 0.9999;
  size_t max_pairs = 5000;
};

struct HaplotypePair {
  // Indexes into Imputer::haplotypes(), h1 <= h2.
  uint32_t h1 = 0, h2 = 0;
  double p = 0;  // posterior probability (normalised over the kept pairs)
};

struct Imputation {
  // Some pair of the table's haplotypes explains the typing. When false,
  // `pairs` is empty and no probability is computed: the report says so
  // and the donor is counted (Probability::available false).
  bool explained = false;
  std::vector<HaplotypePair> pairs;  // most likely first
  double kept_mass = 0;    // share of the posterior the kept pairs hold
  size_t consistent = 0;   // pairs of the table consistent with the typing
  // Per locus (kLoci order): typed on this side, and imputed as untyped
  // because no allele of the table is any allele the typing admits (a new
  // or rare allele, Impute's rule).
  std::array<bool, data::kHaplotypeLoci> typed{}, outside_table{};
  // Some typed locus admits more than one 2-field allele in the table, or
  // a locus is untyped: the probability says more than the typing.
  bool ambiguous = false;
  // The prior probability of the consistent pairs (before normalising):
  // how well the table explains the typing.
  double total = 0;
};

// P(0, 1, 2 allele matches) at one locus.
struct LocusProbability {
  Locus locus = Locus::kA;
  std::array<double, 3> p{};
  // Not imputed: the locus is outside the table on a side and both
  // typings are certain there, so the matcher's count is the answer.
  bool from_typing = false;
  bool available = false;
};

struct MatchProbability {
  bool available = false;  // false: see `basis`
  std::array<LocusProbability, data::kHaplotypeLoci> loci;  // kLoci order
  double p10 = 0, p9_or_more = 0, p8_or_more = 0;
  // The donor carries one of the recipient's haplotypes whole (allele
  // matches at all five loci on one haplotype); nullopt when a locus is
  // outside the table on a side (the phase there is not imputed).
  std::optional<double> p_haplotype;
  double mass = 0;  // the share of both posteriors the figures rest on
  // A side's typing is ambiguous (Imputation::ambiguous): the figures say
  // more than the typings do (a report prints them then).
  bool ambiguous = false;
  size_t recipient_pairs = 0, donor_pairs = 0;
  std::string basis;  // plain words
};

// A typing as Impute reads it: per locus (kLoci order) the table alleles
// each gene copy admits (Imputer::AdmittedAlleles), as alternatives (one,
// or several for a '|' genotype list), each copy 1's set then copy 2's
// (phased: the copy of haplotype 0 first); no alternative: untyped. The
// spans point into storage the caller keeps alive during the call.
struct AdmittedTyping {
  using Copies = std::array<absl::Span<const uint16_t>, 2>;
  std::array<absl::InlinedVector<Copies, 1>, data::kHaplotypeLoci> loci;
  // The phase is known ('~' haplotypes at every typed locus, no lists).
  bool phased = false;
};

class Imputer {
 public:
  // REQUIRES: freqs bound to `reference` (HaplotypeFrequencies::Load with
  // it). FailedPreconditionError otherwise.
  static absl::StatusOr<std::unique_ptr<const Imputer>> Create(
      std::shared_ptr<const data::Reference> reference,
      std::shared_ptr<const data::HaplotypeFrequencies> freqs);

  // The shipped NMDP 2007 table (data::FindDataRoot, then
  // data::HaplotypeFrequencies::kShippedRelativePath) bound to `reference`.
  // The errors of FindDataRoot and HaplotypeFrequencies::Load.
  static absl::StatusOr<std::unique_ptr<const Imputer>> LoadShipped(
      std::shared_ptr<const data::Reference> reference);

  // The posterior over the table's haplotype pairs consistent with the
  // genotype at A, B, C, DRB1 and DQB1: a pair (h1, h2) is consistent when
  // at every typed locus one haplotype's allele is one the first copy's
  // typing admits and the other's one the second copy's admits (a table
  // allele is admitted when it shares a match key, its P group, with an
  // allele of the typing: A*02:01:01:01 and A*02:1013 admit A*02:01; a
  // serology typing admits the alleles whose reported antigen
  // (data::Reference::PrimaryAntigen) it is, or for a broad one of its
  // splits; a '|' list any of its alternatives); an untyped locus admits
  // every allele. Weight f(h1) f(h2), twice for
  // h1 != h2 (Hardy-Weinberg), from the population or the mixture.
  //
  // Rules for what the table does not list. An allele (no table allele
  // shares its P group: named after 2007, or too rare to be listed): its
  // locus is imputed as untyped (`outside_table`). A haplotype (every allele
  // is listed, but no pair of listed haplotypes carries them together):
  // each typed locus in turn is imputed as untyped and the one that
  // explains the most prior probability is kept, marked outside_table too.
  // The match probability at such a locus is taken from the typings when
  // they are certain (Probability), else it is not available. When no pair
  // explains the typing even so, `explained` is false.
  // InvalidArgumentError for options out of range (a negative weight, all
  // weights zero, keep_mass outside (0, 1], max_pairs 0 or above 1e6);
  // ResourceExhaustedError for a typing so vague (one or two loci typed)
  // that more than 2e7 haplotype pairs would be visited.
  absl::StatusOr<Imputation> Impute(const matcher::Genotype& genotype,
                                    const ImputeOptions& options) const;
  // The same for a typing given as what its copies admit: Impute(g) is
  // Impute(Admitted(g)) for every genotype g, so a caller that knows many
  // typings' sets (registry::ImputeDonors, once per distinct set of an
  // index's dictionary) imputes without reading a typing again.
  // InvalidArgumentError, besides Impute's, for a set that is not
  // ascending table alleles of its locus (as AdmittedAlleles gives them),
  // and for a phased typing with alternatives (Admitted never makes one).
  absl::StatusOr<Imputation> Impute(const AdmittedTyping& typing,
                                    const ImputeOptions& options) const;
  // Admitted(g): the typing as Impute reads it, its copies' sets stored in
  // *sets (replaced), which the result views: keep it alive and unchanged
  // while the result is used.
  AdmittedTyping Admitted(const matcher::Genotype& genotype,
                          std::vector<std::vector<uint16_t>>* sets) const;

  // The table alleles (frequencies().alleles() indexes, ascending, each
  // once) that one gene copy typed `copy` admits at locus kLoci[l], as
  // Impute reads it; empty when it admits none (an allele the table does
  // not list). An unphased position (haplotype < 0) is read by Impute only
  // through this set, so two genotypes whose copies admit equal sets at
  // every locus (A*02:01 and A*02:01:01:01; two MACs covering the same
  // table alleles) impute alike: registry::ImputeDonors imputes one of them.
  // REQUIRES: 0 <= l < data::kHaplotypeLoci.
  std::vector<uint16_t> AdmittedAlleles(int l, const matcher::PositionTyping& copy) const;

  // The match probabilities of a recipient and a donor imputation. `match`
  // (the pair's matcher report, may be null) supplies the counts of loci
  // outside the table. Per locus, P(0/1/2) comes from each side's marginal
  // at that locus over all its kept pairs (exact: the sides are
  // independent). The totals (10/10, >= 9/10, >= 8/10, a haplotype carried)
  // need the joint: at most kMaxProducts pair combinations are visited,
  // most likely first, and `mass` says how much of the joint probability
  // they hold (the totals are renormalised over it).
  MatchProbability Probability(const Imputation& recipient,
                               const Imputation& donor,
                               const matcher::MatchReport* match) const;
  // The same with the counts of loci outside the table given as
  // CertainCounts says them (the registry's scan has them without a
  // report).
  MatchProbability Probability(
      const Imputation& recipient, const Imputation& donor,
      const std::array<int, data::kHaplotypeLoci>& certain) const;
  // Per locus (kLoci order), the matcher's allele-match count where the
  // locus is scored and no position's match is only potential, else -1:
  // what a locus outside the table takes from the typings. All -1 for a
  // null report.
  static std::array<int, data::kHaplotypeLoci> CertainCounts(
      const matcher::MatchReport* match);
  static constexpr size_t kMaxProducts = 1000000;
  // How many of each side's pairs (most likely first) Probability visits:
  // halves the larger side until nr * nd <= kMaxProducts; returns nr * nd.
  static size_t BoundProducts(size_t* nr, size_t* nd);

  // The distinct haplotypes of the table (over every population), each as
  // the table allele index at each locus in kLoci order.
  struct TableHaplotype {
    std::array<uint16_t, data::kHaplotypeLoci> allele{};  // kLoci order
    std::array<double, data::kPopulationCount> frequency{};
  };
  const std::vector<TableHaplotype>& haplotypes() const { return haplotypes_; }
  const data::HaplotypeFrequencies& frequencies() const { return *freqs_; }
  // "A*01:01~B*08:01~C*07:01~DRB1*03:01~DQB1*02:01" (kLoci order).
  std::string HaplotypeName(uint32_t h) const;
  // The match key of a table allele (frequencies().alleles() index): two
  // alleles match when their keys are equal.
  uint32_t AlleleKey(uint16_t table_allele) const { return allele_key_[table_allele]; }
  // A hash (FNV-1a, stable across builds) of the haplotypes, their
  // frequencies and their alleles' match keys: a registry index records it
  // with the imputations it stores, whose haplotype numbers mean nothing
  // under another table or release.
  uint64_t fingerprint() const { return fingerprint_; }

 private:
  Imputer() = default;
  // A side's distribution over its genotypes at locus l (kLoci index) as
  // (smaller match key << 32 | larger) -> probability, over every kept
  // pair, sorted by key.
  std::vector<std::pair<uint64_t, double>> LocusMarginal(const Imputation& m, int l) const;
  // Impute's work with normalised population weights `w`; `open_locus`
  // (kLoci index, or -1) is imputed as untyped.
  absl::StatusOr<Imputation> ImputeWith(
      const AdmittedTyping& typing,
      const std::array<double, data::kPopulationCount>& w,
      const ImputeOptions& options, int open_locus) const;

  std::shared_ptr<const data::Reference> ref_;
  std::shared_ptr<const data::HaplotypeFrequencies> freqs_;
  std::vector<TableHaplotype> haplotypes_;
  // Per haplotype, its alleles and the populations (bit p) where its
  // frequency is positive: what ImputeWith reads of each haplotype it
  // considers, 12 bytes instead of TableHaplotype's 48.
  struct HaplotypeAlleles {
    std::array<uint16_t, data::kHaplotypeLoci> allele{};
    uint8_t populations = 0;
  };
  std::vector<HaplotypeAlleles> haplotype_alleles_;
  // Per table allele: its P-group match key (a null allele's small-g key
  // with matcher::kNullKeyBit), and per locus the table alleles of it.
  std::vector<uint32_t> allele_key_;
  // Per table allele, the antigen a serological typing reports for it.
  std::vector<data::AntigenId> primary_antigen_;
  uint64_t fingerprint_ = 0;
  std::array<std::vector<uint16_t>, data::kHaplotypeLoci> locus_alleles_;
  // Per table allele, its kLoci index (kHaplotypeLoci: none).
  std::vector<uint8_t> allele_locus_;
  // Per table allele, the haplotypes (ascending) that carry it: the
  // candidates of a typing are gathered from its most selective locus
  // instead of by a pass over every haplotype.
  std::vector<std::vector<uint32_t>> haplotypes_of_allele_;
  // The same as bit sets, haplotype_words_ words per table allele.
  size_t haplotype_words_ = 0;
  std::vector<uint64_t> allele_haplotype_bits_;
  // Per locus, the table alleles of each match key.
  std::array<absl::flat_hash_map<uint32_t, std::vector<uint16_t>>,
             data::kHaplotypeLoci>
      table_alleles_of_key_;
};

// P(10/10) and P(>= 9/10) of one recipient against many donors, equal bit
// for bit to Probability's p10 and p9_or_more (tests/impute checks it), for
// the registry's scan: the recipient's side is prepared once (per table
// haplotype, the loci where its allele could match a recipient allele), and
// a donor pair that cannot reach 9/10 is skipped, which leaves the two sums
// as Probability adds them. A donor none of whose pairs can reach 9/10 costs
// a few loads.
//
// Thread safety: Score may be called from any number of threads (its
// scratch space is per thread). The imputer and the recipient's
// imputation must outlive the scorer.
class TopMatchScorer {
 public:
  TopMatchScorer(const Imputer& imputer, const Imputation& recipient);

  struct Result {
    bool available = false;  // Probability's `available`
    double p10 = 0, p9_or_more = 0;
  };
  // The donor's imputation as pairs (most likely first, as Impute gives
  // them; the probabilities need not sum to 1), whether it is explained,
  // its loci outside the table (bit l: kLoci[l]), and `certain` as
  // Imputer::CertainCounts gives it for the pair.
  Result Score(const HaplotypePair* pairs, size_t n, bool explained,
               uint8_t outside_table,
               const std::array<int, data::kHaplotypeLoci>& certain) const;

 private:
  static std::vector<uint8_t>& scratch_ok();
  const Imputation* recipient_;
  std::vector<uint8_t> can_match_;  // per table haplotype, bit l
  std::vector<std::array<uint32_t, data::kHaplotypeLoci>> keys_;  // per haplotype
};

}  // namespace hla::impute

#endif  // HLA_IMPUTE_IMPUTE_H_
