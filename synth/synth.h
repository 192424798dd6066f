// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Synthetic donor registries and families with ground truth, drawn from the
// shipped haplotype frequencies (data/haplotype_freq.h). The model, every
// default and its source, and the output columns: docs/synth.md.
//
//   hla::synth::SynthOptions options;
//   options.donors = 1000000;
//   options.families = 100;
//   HLA_ASSIGN_OR_RETURN(auto synth, hla::synth::Synthesizer::Create(
//                                        ref, macs, freqs, options));
//   HLA_RETURN_IF_ERROR(synth->Write(&std::cout, nullptr, nullptr));
//
// Determinism: the output is a pure function of (options, release, MAC
// table, frequency table), byte for byte on every platform. The generator
// is our own (SplitMix64 seeding xoshiro256**) and so is every distribution
// (std::*_distribution output is implementation-defined). Each row group
// has its own random stream keyed by (seed, kind, index): family j and
// donor i come out the same whatever the other counts are, and could be
// generated in parallel.
//
// Memory: O(1) in the number of rows; Write streams through a small buffer.
//
// Thread safety: a Synthesizer is immutable after Create; the Append*
// functions may run concurrently on distinct outputs.
#ifndef HLA_SYNTH_SYNTH_H_
#define HLA_SYNTH_SYNTH_H_

#include <array>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/strings/string_view.h"
#include "data/haplotype_freq.h"
#include "data/mac_table.h"
#include "data/reference.h"

namespace hla::synth {

// The frequency table lives in data/ (imputation reads it too); synth's
// own names for it.
using data::HaplotypeAllele;
using data::Haplotype;
using data::HaplotypeFrequencies;
using data::kHaplotypeLocusOrder;
using data::kHaplotypeLoci;
using data::kPopulationCount;
using data::ParsePopulation;
using data::Population;
using data::PopulationName;


// How a typing is written. Chosen once per person (a registry record comes
// from one typing event), applied to every locus and both positions.
enum class TypingKind : uint8_t {
  kHigh,        // 2-field name, or the full name of the allele (A*02:01:01:01)
  kMac,         // NMDP MAC over the allele + 1-3 of its first field
                // (A*02:AB); an allele list when the table has no such code
  kAlleleList,  // the allele + 1-3 of its P group or first field
                // (A*02:01/A*02:05)
  kXX,          // first field only (A*02:XX)
  kSerology,    // the serological antigen (A2); A, B, DRB1 only
};
inline constexpr int kTypingKindCount = 5;
// "high", "mac", "list", "xx", "serology".
absl::string_view TypingKindName(TypingKind kind);

// Shares of each TypingKind, in enum order; they need not sum to 1 (they
// are weights). Defaults are our assumption of a mixed-age registry (most
// donors recruited since NGS, typed at high resolution; older records at
// intermediate resolution (MAC, lists, XX) or serology); docs/synth.md.
struct ResolutionMix {
  std::array<double, kTypingKindCount> weights = {0.55, 0.20, 0.10, 0.10, 0.05};
  // Of the kHigh typings, the share written at full length (the release's
  // first expressed allele of the 2-field name) instead of 2 fields.
  double full_length_share = 0.25;
  // Untyped C and DQB1 (independently) for molecular kinds; serology
  // records never carry C or DQB1. Assumption between modern recruitment
  // (every locus typed) and the whole 2013 US registry (C typed in 25.8%,
  // DQB1 in 5.2%: Gragert et al., Hum Immunol 2013;74:1313-1320).
  double missing_c = 0.10;
  double missing_dqb1 = 0.20;
};

struct SynthOptions {
  uint64_t donors = 0;    // unrelated donor rows
  uint64_t families = 0;  // families (patient + relatives)
  uint64_t seed = 1;

  // Population weights in Population order (AFA, API, EUR, HIS). Default:
  // our approximation of the US (NMDP) registry's composition by broad race
  // in the 2000s -- mostly European. Not checked against a published count;
  // set it explicitly when it matters.
  std::array<double, kPopulationCount> population_mix = {0.09, 0.08, 0.72,
                                                         0.11};

  ResolutionMix donor_resolution;  // unrelated donors
  // Families are typed by the transplant centre's laboratory for a search:
  // mostly high resolution, every locus. Assumption.
  ResolutionMix family_resolution = {
      {0.85, 0.0, 0.10, 0.05, 0.0}, 0.25, 0.0, 0.0};

  // Share of female persons among donors, siblings and children (parents
  // are M/F by role). 0.5: an assumption; registries differ.
  double female_share = 0.5;

  // Probability that a meiosis recombines between HLA-A and HLA-DQB1, and
  // the relative genetic distances of the four intervals A-C, C-B, B-DRB1,
  // DRB1-DQB1 (cM) that place the crossover. About 1.5 cM sex-averaged over
  // A-DQB1, concentrated in A-C and B-DRB1; C-B (~80 kb) and DRB1-DQB1 (~85
  // kb) rarely recombine. Approximate figures from family studies; they
  // vary by sex and study.
  double recombination_rate = 0.0145;
  std::array<double, kHaplotypeLoci - 1> crossover_weights = {0.75, 0.05, 0.60,
                                                              0.05};

  // Per child of the parents (the patient and each sibling): the
  // probability that its biological father is not the family's father
  // (haplotype letters x0|y0 for the patient, x<n>|y<n> for sibling n).
  // 0 unless asked.
  double nonpaternity_rate = 0.0;
  // Per parent: the probability that the parent is not in the file
  // (deceased, not typed). Assumption. Parents over 90 are never written.
  double parent_missing = 0.2;
  // Per child of the patient after the first: the probability that its
  // other parent is a new partner (haplotype letters g|h, then i|j, ...;
  // the first partner is e|f). Each child's other_parent column names its
  // partner ("F0000001-Q1", not a row of the file). 0 unless asked; drawn
  // from a stream of its own, so that families are otherwise the same
  // whatever the rate.
  double other_partner_rate = 0.0;
  // Per family: the probability that the patient has half-siblings, one or
  // two (even odds), children of the mother (maternal_half_sibling) or of
  // the father (paternal_half_sibling; even odds) with one other partner
  // outside the file (haplotype letters u|v). Written after the rest of the
  // family, rows H1, H2; 0 unless asked; drawn from a stream of their own,
  // so that the rest of each family is the same whatever the rate.
  double half_sibling_rate = 0.0;

  // Ages and birth dates are relative to this date, so that output does not
  // depend on the day it is produced.
  absl::CivilDay as_of = absl::CivilDay(2026, 1, 1);
  char delimiter = ',';  // ',' (CSV) or '\t' (TSV)
};

// What was written.
struct SynthStats {
  uint64_t rows = 0, donors = 0, families = 0, family_members = 0;
  uint64_t bytes = 0;
  // Persons per kind chosen, and locus typings per kind written (a MAC that
  // fell back to a list counts as kAlleleList here).
  std::array<uint64_t, kTypingKindCount> persons_by_kind{};
  std::array<uint64_t, kTypingKindCount> typings_by_kind{};
  uint64_t mac_fallbacks = 0;
  uint64_t recombinant_meioses = 0;
  uint64_t nonpaternal = 0;  // patients and siblings
  uint64_t other_partners = 0;  // partners beyond each patient's first
  uint64_t half_siblings = 0;
};

class Synthesizer {
 public:
  // Prepares the per-allele typing tables (full names, serology, P-group and
  // first-field partners, MAC codes found in `macs`). Errors:
  //   InvalidArgumentError for options out of range (a negative or NaN
  //     share, all-zero weights, a delimiter other than ',' or '\t');
  //   FailedPreconditionError when a population with weight > 0 has no
  //     haplotypes, or `freqs` was bound to another release than `ref`.
  // REQUIRES: ref, freqs non-null. `macs` may be null (MAC typings then
  // fall back to allele lists).
  static absl::StatusOr<std::unique_ptr<const Synthesizer>> Create(
      std::shared_ptr<const data::Reference> ref,
      std::shared_ptr<const data::MacTable> macs,
      std::shared_ptr<const HaplotypeFrequencies> freqs, SynthOptions options);

  Synthesizer(const Synthesizer&) = delete;
  Synthesizer& operator=(const Synthesizer&) = delete;
  ~Synthesizer();

  // The column names, in order (docs/synth.md).
  static const std::vector<std::string>& Columns();

  // Appends the header line, family `index`'s rows (0-based, < families)
  // or donor `index`'s row (0-based, < donors) to `out`. `stats` may be
  // null.
  void AppendHeader(std::string* out) const;
  void AppendFamily(uint64_t index, std::string* out, SynthStats* stats) const;
  void AppendDonor(uint64_t index, std::string* out, SynthStats* stats) const;

  // The true genotype of unrelated donor `index`, as the row AppendDonor
  // writes was drawn (the same random stream): one line
  // "id,population,haplotype_1,haplotype_2" with each haplotype's 2-field
  // alleles A~C~B~DRB1~DQB1 (the table's order), and the header line.
  // What a validation compares predictions from the typed row with.
  static const char* TruthHeader();
  void AppendDonorTruth(uint64_t index, std::string* out) const;
  // Writes TruthHeader and every donor's truth line to `out`.
  // DataLossError when the stream fails.
  absl::Status WriteDonorTruth(std::ostream* out) const;

  // Writes the header, every family, then every donor to `out`, flushing
  // about every 1 MiB. `progress` (may be empty) is called about every
  // 65536 rows with the rows written so far and the rows expected
  // (family rows estimated at 5 each). `stats` may be null.
  // DataLossError when the stream fails (disk full, closed pipe).
  absl::Status Write(
      std::ostream* out, SynthStats* stats,
      const std::function<void(uint64_t, uint64_t)>& progress) const;

  const SynthOptions& options() const { return options_; }

  struct Tables;  // per-allele typing tables (synth.cc)

 private:
  Synthesizer() = default;

  std::shared_ptr<const data::Reference> ref_;
  std::shared_ptr<const data::MacTable> macs_;
  std::shared_ptr<const HaplotypeFrequencies> freqs_;
  SynthOptions options_;
  std::unique_ptr<Tables> tables_;
};

}  // namespace hla::synth

#endif  // HLA_SYNTH_SYNTH_H_
