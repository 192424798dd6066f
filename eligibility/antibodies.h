// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The recipient's anti-HLA antibodies and the donor-specific antibody (DSA)
// rule: which antibodies, at which MFI, are against which donor allele.
//
//   HLA_ASSIGN_OR_RETURN(std::vector<Antibody> abs,
//                        hla::eligibility::ParseAntibodies("A2:3500,B44:800"));
//   HLA_RETURN_IF_ERROR(hla::eligibility::CheckAntibodies(abs, *reference));
//   for (const DsaFinding& f : hla::eligibility::FindDsa(abs, recipient, donor,
//                                                       *reference, 1000)) ...
//
// Pure functions of their arguments; thread-safe.
#ifndef HLA_ELIGIBILITY_ANTIBODIES_H_
#define HLA_ELIGIBILITY_ANTIBODIES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "data/reference.h"
#include "eligibility/facts.h"
#include "matcher/match.h"

namespace hla::eligibility {

// The DSA positivity threshold, in MFI: 1000. The EBMT consensus on DSA in
// haploidentical HCT (Ciurea et al., Bone Marrow Transplant 2018;53:521-534)
// takes MFI > 1000 as positive and advises testing for and, when no other
// donor exists, desensitising against DSA above that level (higher MFI, and
// complement-binding C1q-positive DSA, carry more risk). We compare "at or
// above" the threshold. Laboratories set their own cut-off: --dsa-mfi.
inline constexpr double kDefaultDsaMfi = 1000;
// Single-antigen bead MFIs stay well below this (the assays saturate near
// 30,000); a larger number is a typo, refused where thresholds and MFIs
// are read.
inline constexpr double kMaxDsaMfi = 1e6;

// Parses "A2:3500,B44:1200": items separated by ',', ';' or newlines; in
// each, the MFI follows an '=' ("A*02:01=3500", "DQ7 = 800"), or is the
// last word when that is a number (a single-antigen-bead list pasted as
// "A24 3500" or "A*02:01<TAB>3500" a line), or follows the last ':'
// ("A*02:01:3500"). Syntax only: CheckAntibodies() asks the
// release whether each specificity exists. A specificity written twice
// (any case) is one antibody at the higher MFI, in the place of its first
// mention. InvalidArgumentError naming the item for an empty specificity
// or a missing, negative or non-numeric MFI, and for more than
// kMaxAntibodies distinct specificities.
inline constexpr size_t kMaxAntibodies = 1000;
absl::StatusOr<std::vector<Antibody>> ParseAntibodies(absl::string_view text);

// The recipient's antibody test as written by a user: "none" (any case) is
// a recipient tested without anti-HLA antibodies (an empty list); else a
// list for ParseAntibodies. An empty text or list is an
// InvalidArgumentError: it may as well be a file or a field left blank by
// mistake, and reading it as "tested, none" would clear every donor of DSA
// (Ciurea et al., Bone Marrow Transplant 2018;53:521-534: testing is
// mandatory before haploidentical HCT, so an untested recipient is never
// assumed negative).
absl::StatusOr<std::vector<Antibody>> ParseAntibodyTest(absl::string_view text);

// OK when every specificity is an allele name of the release or a prefix of
// one ("A*02:01", "HLA-DQB1*03:01") or a serologic antigen of it ("A2",
// "Cw7", "DQ7"; "DQw7" and "DRw52" are read as DQ7 and DR52), on one of the
// eleven matching loci. NotFoundError naming the first that is not.
absl::Status CheckAntibodies(const std::vector<Antibody>& antibodies,
                             const data::Reference& reference);

// "3500", "812.5": an MFI as reports write it.
std::string FormatMfi(double mfi);

// What an antibody at or above the threshold is, for one donor.
enum class DsaKind : uint8_t {
  kDsa,           // a donor gene copy carries the specificity: every allele
                  // of its typing does
  kPossible,      // it may: some alleles of the copy carry it, or the
                  // antibody is to a broad antigen the recipient carries
                  // through another split than the donor's
  kUntypedLocus,  // the donor is not typed at a locus the specificity is on
  kUncheckable,   // the typing cannot tell: no serology assigned to the
                  // donor's alleles, or an antigen no allele carries
  kSelf,          // the recipient carries it too: not donor-specific
};
// "dsa", "possible", "untyped_locus", "uncheckable", "self".
absl::string_view DsaKindName(DsaKind kind);

struct DsaFinding {
  std::string specificity;   // as the recipient's list wrote it
  double mfi = 0;
  DsaKind kind = DsaKind::kDsa;
  // The donor typing it concerns ("A*24:02"), or for kUntypedLocus the
  // untyped loci ("DQB1").
  std::string donor_allele;
  // "allele" (an allele-level antibody), the antigen matched ("A24"), the
  // epitope ("Bw4"), or empty.
  std::string via;
  std::string why;  // plain words, for the kinds other than kDsa
  bool at_or_above_threshold = false;
};

// The donor-specific antibodies of a recipient against one donor.
//
// Each antibody is read at allele level ("A*02:01" is carried by an allele
// whose fields start with those) or at antigen level: a donor allele
// carries an antigen when one of its rel_dna_ser equivalents is the
// antigen, its broad, one of its splits, its associated antigen or an
// antigen associated with it (rel_ser_ser.txt): anti-A9 is against an
// A*24:02 donor. The public epitopes Bw4 and Bw6, which the release assigns
// to no allele, are read from the serological HLA-B (and, for Bw4, HLA-A)
// antigens of the donor's alleles (BwEpitopeOf gives the table and its
// source).
//
// Per donor gene copy, on every locus the donor is typed at (not only the
// scored ones): every allele of the copy carries it -> kDsa; some do ->
// kPossible; the copy's alleles have no serology the rule can read ->
// kUncheckable. When the recipient carries the specificity too (every
// allele of one of the recipient's copies does) the finding is kSelf, not
// a DSA, unless the antibody is to a broad antigen and the donor's antigen
// is a split the recipient lacks (anti-A9, recipient A24, donor A23):
// kPossible. Per antibody at or above the threshold that the recipient does
// not carry: a locus it can be on where the donor is untyped ->
// kUntypedLocus (a missing typing is not "no DSA"); an antigen no allele of
// the release carries -> kUncheckable. Below the threshold only kDsa and
// kPossible are reported. Specificities unknown to the release match
// nothing (CheckAntibodies reports them).
std::vector<DsaFinding> FindDsa(const std::vector<Antibody>& antibodies,
                                const matcher::Genotype& recipient,
                                const matcher::Genotype& donor,
                                const data::Reference& reference,
                                double threshold);

// The per-copy part of FindDsa for one donor gene copy at `locus`: what the
// registry scan computes once per distinct typing.
std::vector<DsaFinding> FindDsaForCopy(const std::vector<Antibody>& antibodies,
                                       const matcher::Genotype& recipient,
                                       Locus locus,
                                       const matcher::PositionTyping& copy,
                                       const data::Reference& reference,
                                       double threshold);

// FindDsaForCopy for many copies against one recipient: the antibodies
// are resolved (and the recipient's own carriage decided) once, at
// construction, instead of at every call; Find gives what FindDsaForCopy
// gives. For the registry scan, which asks it of every distinct typing.
// The arguments must outlive the finder.
class CopyDsaFinder {
 public:
  // With `ranges`, also builds per antibody a table over the release's
  // alleles (prefix sums, 13 bytes an allele) for FindInRanges.
  CopyDsaFinder(const std::vector<Antibody>& antibodies,
                const matcher::Genotype& recipient,
                const data::Reference& reference, double threshold,
                bool ranges = false);
  ~CopyDsaFinder();
  CopyDsaFinder(const CopyDsaFinder&) = delete;
  CopyDsaFinder& operator=(const CopyDsaFinder&) = delete;
  // Whether some antibody can be on `locus` (else Find finds nothing).
  bool AnyAt(Locus locus) const;
  std::vector<DsaFinding> Find(Locus locus,
                               const matcher::PositionTyping& copy) const;
  // Find for a copy whose alleles are given as `ranges`, [begin, end)
  // pairs of allele ids, ascending and disjoint, instead of copy.alleles
  // (not read; the rest of `copy` is): a few subtractions an antibody
  // whatever the number of alleles. REQUIRES: built with `ranges`.
  std::vector<DsaFinding> FindInRanges(Locus locus,
                                       const matcher::PositionTyping& copy,
                                       absl::Span<const uint32_t> ranges) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The per-antibody part of FindDsa, from which loci the donor is typed at
// (bit l for hla::Locus l): kUntypedLocus and kUncheckable findings.
std::vector<DsaFinding> FindDsaForAntibodies(
    const std::vector<Antibody>& antibodies, const matcher::Genotype& recipient,
    uint32_t donor_typed_loci, const data::Reference& reference,
    double threshold);

// The typed-loci mask FindDsaForAntibodies takes.
uint32_t TypedLociMask(const matcher::Genotype& genotype);

// The loci masks at which a donor must be typed for each antibody at or
// above the threshold that the recipient does not carry: the registry scan
// checks a donor against them without building findings. An antibody with
// no locus (an antigen no allele carries) is left out: it is uncheckable
// for every donor.
std::vector<uint32_t> AntibodyLociMasks(const std::vector<Antibody>& antibodies,
                                        const matcher::Genotype& recipient,
                                        const data::Reference& reference,
                                        double threshold);

// The Bw4/Bw6 epitope of a serological antigen, by name ("B44", "A24"):
// the antigens the WHO Nomenclature Committee lists as Bw4- or
// Bw6-associated (Marsh SGE et al., Nomenclature for factors of the HLA
// system, 2010, Tissue Antigens 2010;75:291-455; the same lists are in the
// HLA FactsBook, Marsh, Parham and Barber, Academic Press 2000). HLA-A23,
// A24, A25 and A32 carry Bw4 (and the broad A9, both of whose splits do);
// other HLA-A antigens carry neither. A broad whose splits differ (B12:
// B44 is Bw4, B45 Bw6) is kMixed; an HLA-B, -C or class II antigen not
// listed is kUnknown. Antigen-level: a few alleles differ from their
// antigen's association (B*13:09 is Bw6 though B13 is Bw4; B*46:01 has
// neither), which reading the release's protein sequence at residues 77-83
// would settle.
enum class BwEpitope : uint8_t { kNone, kBw4, kBw6, kMixed, kUnknown };
BwEpitope BwEpitopeOf(absl::string_view antigen_name);

// The release's name of an antibody's antigen ("DQ7" for "DQw7"), or the
// specificity as written for allele-level antibodies.
std::string AntigenNameOf(const Antibody& antibody,
                          const data::Reference& reference);

}  // namespace hla::eligibility

#endif  // HLA_ELIGIBILITY_ANTIBODIES_H_
