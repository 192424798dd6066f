// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: the grading, confidence and counting rules of the matcher, as
// pure functions of allele / antigen / position properties, so that the
// rules can be tested on synthetic metadata (Atlas's "999:999" alleles) as
// well as through Match(). Use matcher/match.h instead.
#ifndef HLA_MATCHER_INTERNAL_GRADE_H_
#define HLA_MATCHER_INTERNAL_GRADE_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "data/reference.h"
#include "matcher/match.h"

namespace hla::matcher_internal {

using matcher::MatchConfidence;
using matcher::MatchGrade;
using matcher::PositionTyping;

// True when two ascending, unique ranges share an element.
template <typename T>
bool SortedIntersect(absl::Span<const T> a, absl::Span<const T> b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      return true;
    }
  }
  return false;
}
inline bool Intersect(const std::vector<uint32_t>& a,
                      const std::vector<uint32_t>& b) {
  return SortedIntersect<uint32_t>(a, b);
}

// Grade of one allele against another (Atlas ExpressingAlleleGradingCalculator
// and NullAlleleGradingCalculator), by these rules in this order:
//   one null, other expressed            -> kExpressingVsNull
//   both null: same allele, full gDNA    -> kNullGdna; full cDNA -> kNullCdna;
//              same allele otherwise     -> kNullPartial; different ->
//              kNullMismatch
//   same allele, both full, both gDNA    -> kGdna
//   both full and (same allele, or same first three fields) -> kCdna
//   both full and same first two fields  -> kProtein
//   shared G group                       -> kGGroup
//   shared P group                       -> kPGroup
//   otherwise                            -> kMismatch (serology is graded
//                                           separately)
// "Same allele" is identity of `id_a` and `id_b`. "Full" is
// SequenceCoverage::kFull; gDNA is SequenceType::kGenomic, anything else is
// cDNA (Atlas reads Allele_status.txt the same way).
MatchGrade GradeAllelePair(data::AlleleId id_a, const data::Allele& a,
                           data::AlleleId id_b, const data::Allele& b);

// The best GradeAllelePair over every pair of expressed alleles of two
// allele lists (ascending ids), without trying every pair: shared alleles,
// then shared 3- and 2-field prefixes (both full sequences), then shared G
// and P groups, each by a merge. Returns kMismatch when nothing relates.
MatchGrade BestAlleleListGrade(absl::Span<const data::Allele> alleles,
                               absl::Span<const data::AlleleId> a,
                               absl::Span<const data::AlleleId> b);

// The sequence-level part of BestAlleleListGrade: kGdna, kCdna or kProtein
// when some pair reaches it (kGGroup for a shared allele without group
// data), else kMismatch. Group levels are left to the caller's
// precomputed sets.
MatchGrade BestSequenceGrade(absl::Span<const data::Allele> alleles,
                             absl::Span<const data::AlleleId> a,
                             absl::Span<const data::AlleleId> b);

// Serological subtype of an antigen, from rel_ser_ser.txt relations.
enum class SerologySubtype : uint8_t { kNotSplit, kSplit, kBroad, kAssociated };
SerologySubtype SubtypeOf(const data::Antigen& antigen);

// Grade of one antigen against another (Atlas SerologyGradingCalculator):
//   the same antigen: by its subtype, Associated -> kAssociated,
//     Split or NotSplit -> kSplit, Broad -> kBroad;
//   associated <-> its split or not-split parent        -> kSplit;
//   split <-> its broad, associated <-> its parent's broad (or a broad
//     parent)                                           -> kBroad;
//   anything else (two splits of one broad: B38 vs B39) -> kMismatch.
MatchGrade GradeAntigenPair(absl::Span<const data::Antigen> antigens,
                            data::AntigenId x, data::AntigenId y);

// Best serology grade over all pairs (kMismatch if none relate or a side is
// empty).
MatchGrade GradeSerology(absl::Span<const data::Antigen> antigens,
                         absl::Span<const data::AntigenId> a,
                         absl::Span<const data::AntigenId> b);

// Grade of one position against another, both typed (see docs/matching.md):
// null/placeholder handling first, then serology if either side was written
// as serology, else the best allele-pair grade capped at kGGroup when either
// side is consolidated, falling back to the serology of the alleles.
MatchGrade GradePositions(const data::Reference& ref, const PositionTyping& r,
                          const PositionTyping& d);
// The same with explicit tables (synthetic tests).
MatchGrade GradePositions(absl::Span<const data::Allele> alleles,
                          absl::Span<const data::Antigen> antigens,
                          const PositionTyping& r, const PositionTyping& d);

// Antigen match of two typed positions (PRODUCT.md; Atlas
// AntigenMatchCalculator): false when either side expresses nothing; true
// when they allele-match (`allele_match`) or any serological equivalents
// relate (GradeSerology above kMismatch). An expressed allele without an
// assigned serology that does not allele-match is therefore false.
bool AntigenMatch(absl::Span<const data::Antigen> antigens,
                  const PositionTyping& r, const PositionTyping& d,
                  bool allele_match);

// Atlas MatchConfidence for two typed positions:
//   no shared match key, or exactly one side all-null -> kMismatch;
//   either side serology, or `genotype_list`           -> kPotential;
//   both single alleles                                -> kDefinite;
//   both one P group (or one small-g of nulls)         -> kExact;
//   otherwise                                          -> kPotential.
MatchConfidence ConfidenceOf(const PositionTyping& r, const PositionTyping& d,
                             bool genotype_list);

// Allele-match count of the best assignment of two donor positions to two
// recipient positions, each position a sorted set of match keys (P groups);
// a donor position never counts twice (Atlas LocusMatchCalculator). An empty
// set never matches. Sets `crossed` when only the crossed assignment reaches
// the count.
int CountMatches(const std::array<const std::vector<uint32_t>*, 2>& r,
                 const std::array<const std::vector<uint32_t>*, 2>& d,
                 bool* crossed);

// GvH (or, swapping the arguments, HvG) mismatches: `from` copies that no
// `to` copy matches. The arrays are the expressed view of a locus (a null
// position already replaced by the other position's keys); `from_count` /
// `to_count` are 0 when the side expresses nothing at the locus, else 2.
// A homozygous `from` (its two copies have equal keys) whose copies are both
// unmatched counts `homozygous_count` (1: 2010 convention, 2: WMDA 2016).
int CountDirectional(const std::array<const std::vector<uint32_t>*, 2>& from,
                     int from_count,
                     const std::array<const std::vector<uint32_t>*, 2>& to,
                     int to_count, int homozygous_count);

// The haplo verdict from per-locus sharing, before '~' phase is looked at.
// One rule for Match (HaploVerdictOf) and rank's scan, in this order:
//   a required locus not typed on both sides, or no locus typed on both
//     sides                                    -> kInsufficientTyping
//   some scored locus shares no allele         -> kNotHaploidentical
//   both alleles shared at every scored locus  -> kIdentical
//   a parent or child sharing one somewhere    -> kHaploidentical (one
//     haplotype is shared by descent)
//   otherwise                                  -> kHaploCompatible (Match
//     then upgrades or downgrades it from phase written on both sides)
// Inline: the scan calls it once per donor.
inline matcher::HaploVerdict UnphasedHaploVerdict(bool missing_required,
                                                  bool any_scored,
                                                  bool none_shared,
                                                  bool one_shared,
                                                  bool parent_child) {
  using matcher::HaploVerdict;
  if (missing_required || !any_scored) return HaploVerdict::kInsufficientTyping;
  if (none_shared) return HaploVerdict::kNotHaploidentical;
  if (!one_shared) return HaploVerdict::kIdentical;
  return parent_child ? HaploVerdict::kHaploidentical
                      : HaploVerdict::kHaploCompatible;
}

// The DPB1 TCE category of a DPB1 pair that is not a two-allele match, from
// each side's lowest (most immunogenic) V2 group, 0 when unknown (Crivello
// et al. 2016; Atlas): either unknown -> kUnknown; equal -> kPermissive;
// recipient's lower -> kNonPermissiveGvH; donor's lower ->
// kNonPermissiveHvG. One rule for Match (ScoreTce) and rank's scan.
inline matcher::TceCategory TceCategoryOf(int recipient_group,
                                          int donor_group) {
  using matcher::TceCategory;
  if (recipient_group == 0 || donor_group == 0) return TceCategory::kUnknown;
  if (recipient_group == donor_group) return TceCategory::kPermissive;
  return recipient_group < donor_group ? TceCategory::kNonPermissiveGvH
                                       : TceCategory::kNonPermissiveHvG;
}

}  // namespace hla::matcher_internal

#endif  // HLA_MATCHER_INTERNAL_GRADE_H_
