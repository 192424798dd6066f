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

#include "absl/functional/function_ref.h"
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

// Walks `alleles` (ascending, unique) calling on_protein(protein, summary)
// for each protein whose whole range is there (A*02:01, or each of the
// hundreds in A*02:XX: data::ProteinAlleles) and on_allele(id) for every
// other allele, in id order. Compiling a typing of names read every allele
// of each name, most of them alike.
template <typename OnAllele, typename OnProtein>
void ForEachProtein(const data::Reference& ref,
                    absl::Span<const data::AlleleId> alleles,
                    OnAllele on_allele, OnProtein on_protein) {
  for (size_t i = 0; i < alleles.size();) {
    const data::AlleleId id = alleles[i];
    const uint32_t protein = ref.groups(id).protein;
    if (protein != data::kNone) {
      const data::ProteinAlleles& p = ref.protein_alleles(protein);
      const size_t n = p.end - p.begin;
      // Ascending and unique: the first and last there means all are.
      if (n > 1 && id == p.begin && i + n <= alleles.size() &&
          alleles[i + n - 1] == p.end - 1) {
        on_protein(protein, p);
        i += n;
        continue;
      }
    }
    on_allele(id);
    ++i;
  }
}

// The G group an allele adds to a position's g_groups(): its own when the
// allele is expressed (a G group may hold a null, A*01:01:01G has
// A*01:01:01:02N, which must not make a G match), else kNone. One rule for
// CompilePosition and the registry, which derives G groups from stored
// allele ranges.
inline data::GroupId ExpressedGGroup(const data::Allele& a) {
  return a.is_null() ? data::kNone : a.g_group;
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
// an unnamed allele (NEW, UUUU, XXXX) is a mismatch; null/placeholder
// handling next; then serology if either side was written as serology;
// else the best allele-pair grade capped at kGGroup when either side is
// consolidated, and a mismatch when no P group is shared (never a serology
// grade between two molecular typings).
MatchGrade GradePositions(const data::Reference& ref, const PositionTyping& r,
                          const PositionTyping& d);
// The same with explicit tables (synthetic tests).
MatchGrade GradePositions(absl::Span<const data::Allele> alleles,
                          absl::Span<const data::Antigen> antigens,
                          const PositionTyping& r, const PositionTyping& d);

// What GradePositions reads of the alleles themselves, for two molecular,
// expressed positions that share an expressed match key.
struct AlleleLevel {
  // BestSequenceGrade(r.alleles, d.alleles); read only when needed.
  MatchGrade sequence = MatchGrade::kMismatch;
  bool g_shared = false;  // Intersect(r.g_groups(), d.g_groups())
};
// GradePositions (the one rule) with that part supplied by
// `allele_level(need_sequence)`, for a caller that holds the donor's
// alleles in another form: the registry scan keeps them as ranges of ids
// and memoises each range's part (both parts are a best, or an any, over
// the alleles, so they combine over disjoint parts). `need_sequence` is
// false when a side is consolidated (graded at most kGGroup). Reads
// d.alleles only when both positions express nothing (null grades), and
// d.g_groups() never.
MatchGrade GradePositionsWith(
    absl::Span<const data::Allele> alleles,
    absl::Span<const data::Antigen> antigens, const PositionTyping& r,
    const PositionTyping& d,
    absl::FunctionRef<AlleleLevel(bool need_sequence)> allele_level);

// The null alleles, or the expression variants (expressed alleles with a
// WHO suffix L, S, Q, C or A), that `position` admits as alternatives
// (PositionTyping::possible_null, admits_variant), ascending; empty when
// none.
enum class Alternative : uint8_t { kNull, kVariant };
// At most `limit` of them (the first in id order).
std::vector<data::AlleleId> AdmittedAlternatives(
    const data::Reference& reference, const matcher::PositionTyping& position,
    Alternative kind, size_t limit = SIZE_MAX);
// Whether `position` admits a null, and an expression variant: both in one
// pass (CompilePosition).
void AdmittedKinds(const data::Reference& reference,
                   const matcher::PositionTyping& position, bool* null,
                   bool* variant);

// Antigen match of two typed positions (as Atlas's AntigenMatchCalculator
// defines it): false when either side expresses nothing; true
// when they allele-match (`allele_match`) or any serological equivalents
// relate (GradeSerology above kMismatch). An expressed allele without an
// assigned serology that does not allele-match is therefore false.
bool AntigenMatch(absl::Span<const data::Antigen> antigens,
                  const PositionTyping& r, const PositionTyping& d,
                  bool allele_match);

// Atlas MatchConfidence for two typed positions:
//   no shared match key, or exactly one side all-null -> kMismatch;
//   either side serology, `genotype_list`, or a side that may be a null
//     allele (PositionTyping::possible_null)            -> kPotential;
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

// What '~' phase says about a whole recipient haplotype, over the loci the
// verdict uses.
enum class PhaseEvidence : uint8_t {
  kNone,        // no phase on either side
  kCarried,     // phase on both sides: a recipient haplotype is carried
                // whole; on one side only: one could be
  kNotCarried,  // the phase shows that no recipient haplotype is (or can
                // be) carried whole
};

// Whether, at one locus, a side may carry recipient haplotype `h`: one of
// its copies shares a match key with the recipient copy written in that
// haplotype (`shares_r0/r1`: some copy of the side shares a key with
// recipient copy 0/1; `hap_r0/r1`: their '~' haplotype, 0 or 1).
inline bool LocusMayCarry(bool shares_r0, bool shares_r1, int hap_r0,
                          int hap_r1, int h) {
  return (shares_r0 && hap_r0 == h) || (shares_r1 && hap_r1 == h);
}

// The haplo verdict, one rule for Match (HaploVerdictOf) and the registry
// scan. Sharing by descent needs a relative; sharing by state is all an
// unrelated donor (or one of unknown relationship) can show. In order:
//   a required locus not typed on both sides, or no locus typed on both
//     sides                                      -> kInsufficientTyping
//   some scored locus shares no allele           -> kNotHaploidentical
//   a relative sharing both alleles everywhere   -> kIdentical
//   the phase shows no recipient haplotype carried whole
//                                                -> kNotHaploidentical
//   a parent or child                            -> kHaploidentical (one
//     haplotype is shared by descent)
//   another relative, phase on both sides showing a shared haplotype
//                                                -> kHaploidentical
//   an unrelated donor, the same                 -> kHaplotypeMatched
//   otherwise                                    -> kHaploCompatible
inline matcher::HaploVerdict HaploVerdictRule(
    bool missing_required, bool any_scored, bool none_shared,
    bool all_two_shared, matcher::Relationship relationship,
    PhaseEvidence phase, bool phase_on_both_sides) {
  using matcher::HaploVerdict;
  using matcher::Relationship;
  if (missing_required || !any_scored) return HaploVerdict::kInsufficientTyping;
  if (none_shared) return HaploVerdict::kNotHaploidentical;
  const bool related = relationship != Relationship::kUnrelated &&
                       relationship != Relationship::kUnknown;
  if (related && all_two_shared) return HaploVerdict::kIdentical;
  if (phase == PhaseEvidence::kNotCarried) {
    return HaploVerdict::kNotHaploidentical;
  }
  if (relationship == Relationship::kParent ||
      relationship == Relationship::kChild) {
    return HaploVerdict::kHaploidentical;
  }
  if (phase == PhaseEvidence::kCarried && phase_on_both_sides) {
    return related ? HaploVerdict::kHaploidentical
                   : HaploVerdict::kHaplotypeMatched;
  }
  return HaploVerdict::kHaploCompatible;
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
