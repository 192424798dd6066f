// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Pairwise HLA matching: a recipient's and a donor's typings -> per-locus
// grades, allele and antigen match counts, GvH/HvG direction, totals (X/8,
// X/10, X/12), DPB1 TCE permissiveness and a haplo verdict.
//
//   HLA_ASSIGN_OR_RETURN(hla::GlString gl, hla::parser::ParseGlString(text));
//   HLA_ASSIGN_OR_RETURN(hla::data::ResolvedTyping t, resolver.Resolve(gl));
//   HLA_ASSIGN_OR_RETURN(hla::matcher::Genotype r,
//                        hla::matcher::BuildGenotype(*reference, t));
//   ... the same for the donor ...
//   HLA_ASSIGN_OR_RETURN(hla::matcher::MatchReport report,
//                        hla::matcher::Match(*reference, r, d,
//                                            Relationship::kParent, {}));
//
// Stages: BuildGenotype does every lookup once per typing (P groups, small-g,
// G groups, serological equivalents, TCE groups, all as small sorted
// vectors), so that Match() on a pair is set intersections only. Build the
// recipient once and reuse it against every donor.
//
// Semantics (docs/matching.md has them all with their sources):
//   - Allele match: the two typings share a P group; a null allele shares
//     its small-g group (same antigen-recognition-domain sequence).
//   - Antigen match: the serological equivalents overlap, counting a broad
//     with its splits and an associated antigen with its parent
//     (rel_ser_ser.txt).
//   - Pairing: of the direct (r1-d1, r2-d2) and crossed (r1-d2, r2-d1)
//     pairings, the one with more allele matches, then better grades.
//   - A position whose every allele is null is not expressed: the locus
//     counts as homozygous for the other position's typing.
//   - A locus untyped on either side is reported as untyped and never counts
//     as a match.
//
// Thread safety: Genotype and MatchReport are plain values. Match() and
// BuildGenotype() only read the Reference, so any number of threads may call
// them concurrently.
#ifndef HLA_MATCHER_MATCH_H_
#define HLA_MATCHER_MATCH_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "hla/locus.h"

namespace hla::matcher {

// ---------------------------------------------------------------------------
// Enumerations

// Match grade of one recipient position against one donor position, worst to
// best (a larger value is a better grade). The order and the definitions are
// Anthony Nolan Atlas's MatchGrade (Atlas.MatchingAlgorithm
// .../Scoring/Grading), which follows the WMDA matching framework
// (Bochtler et al., Bone Marrow Transplant 2011;46:1148, "WMDA framework for
// the definition of HLA matching"):
enum class MatchGrade : uint8_t {
  // Either side untyped (not graded). Atlas grades an untyped non-DPB1 locus
  // PGroup ("could match"); we never report an untyped locus as a match.
  kUnknown = 0,
  kMismatch,          // no shared P group and no serological relation
  kExpressingVsNull,  // one side null, the other expressed (Atlas)
  kBroad,             // serology: broad, or broad<->split / broad<->associated
  kSplit,             // serology: same split or not-split antigen, or
                      // split<->associated
  kAssociated,        // serology: same associated antigen
  kNullMismatch,      // both null, different alleles
  kNullPartial,       // both the same null allele, partial sequence
  kNullCdna,          // both the same null allele, full cDNA sequence
  kNullGdna,          // both the same null allele, full genomic sequence
  kPGroup,            // shared P group (same ARD protein): an allele match
  kGGroup,            // shared G group (same ARD exon nucleotides)
  kProtein,           // same first two fields, full sequences
  kCdna,              // same first three fields (or same name with cDNA
                      // only), full sequences
  kGdna,              // same allele, both full genomic sequences
};

// "unknown", "mismatch", "expressing_vs_null", "broad", "split",
// "associated", "null_mismatch", "null_partial", "null_cDNA", "null_gDNA",
// "P", "G", "protein", "cDNA", "gDNA".
absl::string_view ToString(MatchGrade grade);

// How sure a match is when a typing is ambiguous (Atlas MatchConfidence):
//   kDefinite  both sides one allele (or the same single null allele) and
//              they match;
//   kExact     both sides molecular, each one P group, and they match;
//   kPotential they can match, but a side spans several P groups, is
//              serology, or is a genotype list ('|');
//   kMismatch  they cannot match (also: null vs expressed, untyped).
enum class MatchConfidence : uint8_t { kMismatch, kPotential, kExact, kDefinite };
// "mismatch", "potential", "exact", "definite".
absl::string_view ToString(MatchConfidence confidence);

// The stated relation of the donor to the recipient ("the donor is the
// recipient's parent").
enum class Relationship : uint8_t {
  kUnknown,
  kParent,
  kChild,
  kSibling,
  kHalfSibling,
  kOtherRelated,  // cousin, aunt, uncle, niece, nephew, grandparent, ...
  kUnrelated,
};
// "unknown", "parent", "child", "sibling", "half_sibling", "other_related",
// "unrelated".
absl::string_view ToString(Relationship relationship);
// Case-insensitive; spaces, '-' and '_' are equivalent:
//   parent mother father                     -> kParent
//   child son daughter                       -> kChild
//   sibling brother sister twin              -> kSibling
//   half_sibling half-brother half-sister    -> kHalfSibling
//   related other_related cousin aunt uncle niece nephew grandparent
//     grandmother grandfather grandchild grandson granddaughter -> kOtherRelated
//   unrelated                                -> kUnrelated
//   "" unknown                               -> kUnknown
// InvalidArgumentError naming the text otherwise.
absl::StatusOr<Relationship> ParseRelationship(absl::string_view text);

enum class HaploVerdict : uint8_t {
  // Best first (the order rank uses).
  kIdentical,          // a relative matching both alleles at every scored
                       // locus
  kHaploidentical,     // a relative sharing one haplotype by descent: a
                       // parent or child with a consistent typing, a phased
                       // relative, or family segregation
  kHaplotypeMatched,   // an unrelated donor (or one of unknown relationship)
                       // who carries a recipient haplotype whole, phase
                       // known on both sides: sharing by state
  kHaploCompatible,    // could carry a recipient haplotype (>= 1 shared
                       // allele at every scored locus), phase not known on
                       // a side
  kNotHaploidentical,  // some scored locus shares no allele, or the phase
                       // shows no recipient haplotype carried whole
  kInsufficientTyping, // a locus the verdict needs is untyped on a side
};
// "identical", "haploidentical", "haplotype-matched", "haplo-compatible",
// "not-haploidentical", "insufficient-typing".
absl::string_view ToString(HaploVerdict verdict);

// DPB1 T-cell-epitope permissiveness (Crocchiolo et al., Blood 2009;114:1437;
// Fleischhauer et al., Lancet Oncol 2012;13:366), with the TCE groups of the
// V2 column of IMGT tce/dpb_tce.csv (groups 1-3, 1 the most immunogenic;
// Atlas uses the same column).
enum class TceCategory : uint8_t {
  kNotScored,        // DPB1 untyped on a side, or TCE scoring switched off
  kMatch,            // no DPB1 allele mismatch: nothing to judge
  kPermissive,       // mismatched, same (lowest) TCE group on both sides
  kNonPermissiveGvH, // recipient's lowest group < donor's (GvH direction)
  kNonPermissiveHvG, // donor's lowest group < recipient's (HvG direction)
  kUnknown,          // an expressed allele with no TCE assignment
};
// "not_scored", "match", "permissive", "non_permissive_gvh",
// "non_permissive_hvg", "unknown".
absl::string_view ToString(TceCategory category);

// ---------------------------------------------------------------------------
// The matcher's view of a typing

class PositionTyping;
void CompilePosition(const data::Reference& reference, Locus locus,
                     PositionTyping* position);

}  // namespace hla::matcher

namespace hla::matcher_internal {
struct PositionAccess;  // matcher/internal/position_access.h
}  // namespace hla::matcher_internal

namespace hla::matcher {

// One gene copy (position) of one locus: what one side of a '+' says. The
// inputs are set by BuildGenotype (or a caller assembling a position); the
// derived sets are computed from them by CompilePosition and only read.
class PositionTyping {
 public:
  // Input, from the resolved typing.
  std::vector<data::AlleleId> alleles;    // ascending, unique; may be empty
                                          // for a serology-only typing
  std::vector<data::AntigenId> antigens;  // serology written (A2, DR4), if any
  std::string text;  // the typing as written, canonical ("A*01:01/A*01:02")
  int8_t haplotype = -1;  // 0 or 1: the '~' haplotype it was written in
  // Written as a MAC, XX code or G/P/small-g group name: Atlas's
  // "consolidated molecular" typing, graded at most kGGroup. A truncated
  // name (A*01:01) and an allele list are graded allele by allele.
  bool consolidated = false;
  // A WMDA placeholder such as DRB4*NNNN (gene absent on that copy): typed,
  // expresses nothing, like a null allele.
  bool placeholder = false;
  // A new or unknown allele (A*NEW, A*UUUU, A*XXXX): typed and expressed,
  // but not named yet, so it can match nothing: a mismatch until it is
  // typed (the Atlas grading rules do the same).
  bool unnamed = false;

  // Derived by CompilePosition (sorted, unique).
  //
  // One key per ARD identity an allele may have: an expressed allele's P
  // group id, a null allele's small-g id | kNullKeyBit. Two positions
  // allele-match iff their match keys intersect.
  const std::vector<uint32_t>& match_keys() const { return match_keys_; }
  // The null alternatives of a typing that admits one beside expressed
  // alleles (possible_null(): A*01:10/A*01:16N, C*05:XX): each null
  // member's key as match_keys() would give it were the typing all null
  // (small-g id | kNullKeyBit). Empty otherwise. Matching ignores them (an
  // expressed copy never matches a silent one); family segregation, which
  // asks which allele a child may have received, must not. Not stored in
  // a registry index (a scan does not read it): empty in a position loaded
  // from one.
  const std::vector<uint32_t>& null_alternative_keys() const {
    return null_alternative_keys_;
  }
  // G group ids of the expressed alleles.
  const std::vector<uint32_t>& g_groups() const { return g_groups_; }
  // Serological equivalents: the antigens written, else those rel_dna_ser
  // assigns the expressed alleles (unambiguous, possible, assumed, expert).
  const std::vector<data::AntigenId>& serology() const { return serology_; }
  // DPB1: V2 group numbers of the expressed alleles (1, 2, 3); else empty.
  const std::vector<uint8_t>& tce_groups() const { return tce_groups_; }
  bool all_null() const { return all_null_; }  // every allele null, or a
                                               // placeholder
  bool any_null() const { return any_null_; }  // some allele is null
  // Some expressed DPB1 allele has no V2 group.
  bool tce_unknown() const { return tce_unknown_; }
  // An expressed allele with a WHO expression suffix (L, S, Q, C, A) is
  // one of the typing's alternatives, by the rule of possible_null.
  bool admits_variant() const { return admits_variant_; }
  // Distinct P groups of the expressed alleles (small-g keys when all are
  // null), saturating at 255: 1 means "exact" (Atlas confidence).
  uint8_t p_group_count() const { return p_group_count_; }

  bool typed() const {
    return !alleles.empty() || !antigens.empty() || placeholder || unnamed;
  }
  // The typing admits a null allele beside expressed ones as one of its
  // alternatives: a G/P/small-g group with a null member, or a list, MAC or
  // XX code with a member that is a null protein of its own (C*04:KBG =
  // C*04:01/C*04:09N; A*01:XX holds A*01:04N). A match to it holds only if
  // the null is excluded. A name such as A*01:01, alone or in a list or a
  // MAC, denotes expressed alleles: its null relatives (A*01:01:01:02N)
  // carry the N in their own name (WHO nomenclature), so they are not
  // admitted (AdmittedNull).
  bool possible_null() const { return admits_null_ && !all_null_; }
  bool single_allele() const { return alleles.size() == 1 && antigens.empty(); }
  // Written as serology (A2, DR4). `alleles` then holds the alleles carrying
  // the antigen (as the resolver expands it), used for allele matching; the
  // grade is a serology grade.
  bool serology_only() const { return !antigens.empty(); }

 private:
  friend void CompilePosition(const data::Reference& reference, Locus locus,
                              PositionTyping* position);
  // The index file restores them; grading tests build them on synthetic
  // metadata.
  friend struct matcher_internal::PositionAccess;

  std::vector<uint32_t> match_keys_;
  std::vector<uint32_t> null_alternative_keys_;
  std::vector<uint32_t> g_groups_;
  std::vector<data::AntigenId> serology_;
  std::vector<uint8_t> tce_groups_;
  bool all_null_ = false;
  bool any_null_ = false;
  bool tce_unknown_ = false;
  bool admits_variant_ = false;
  bool admits_null_ = false;
  uint8_t p_group_count_ = 0;
};

inline constexpr uint32_t kNullKeyBit = 0x80000000u;

// One locus of one side.
struct LocusTyping {
  // 0 (untyped), 1 (written with one typing: homozygous by convention, as
  // immunogenetr and WMDA reports read it; pos[1] is then a copy of pos[0]),
  // or 2.
  int typed_positions = 0;
  std::array<PositionTyping, 2> pos;
  // Both positions carry a haplotype (0/1) from '~'.
  bool phased = false;
  // A genotype list ('A*01:01+A*02:01|A*01:02+A*02:02'): the first
  // alternative is in `pos`, the others here. Match() evaluates each and
  // keeps the best, with confidence at most kPotential.
  std::vector<std::array<PositionTyping, 2>> alternatives;
};

struct Genotype {
  std::array<LocusTyping, kLocusCount> loci;  // indexed by hla::Locus
  // Written as two '~' haplotypes joined by '+' ("A*01:01~B*08:01+A*02:01~
  // B*07:02"): every locus in them has phased == true.
  bool phased = false;
  std::vector<std::string> warnings;  // facts BuildGenotype noticed

  const LocusTyping& at(Locus locus) const {
    return loci[static_cast<int>(locus)];
  }
  LocusTyping& at(Locus locus) { return loci[static_cast<int>(locus)]; }
};

// Builds a Genotype from a resolved GL String: '^' joins locus blocks, '+'
// the two gene copies of a locus, '/' an allele list (one position), '~'
// phased haplotypes (sets haplotype / phased), '|' a genotype list
// (alternatives, see LocusTyping). A locus written with a single typing is
// homozygous by convention (typed_positions == 1). Leaves of loci outside the
// eleven matching loci (MICA, ...) are ignored with a warning; a placeholder
// (DRB4*NNNN) leaves its position untyped. '?' (paralog ambiguity) is
// rejected.
//
// InvalidArgumentError, naming the offending text and its byte offset in the
// typing ("... at offset 24"), for: more than two typings at a locus; a locus
// appearing in two '^' blocks (or twice in one haplotype); one position whose
// '/' list mixes loci; a '+' of typings of different loci; '?'; a genotype
// list of more than kMaxGenotypeListAlternatives alternatives.
absl::StatusOr<Genotype> BuildGenotype(const data::Reference& reference,
                                       const data::ResolvedTyping& typing);
// The most alternatives one genotype list ('|') may have; more is an
// InvalidArgumentError from BuildGenotype. Repeats at a locus are kept
// once, so matching costs at most this many evaluations a locus and side.
inline constexpr size_t kMaxGenotypeListAlternatives = 1000;

// Fills the derived fields of `position` from its alleles and antigens.
// For callers that assemble a PositionTyping themselves (donor files with
// one column per position). `locus` selects TCE lookup (DPB1 only).
void CompilePosition(const data::Reference& reference, Locus locus,
                     PositionTyping* position);

// ---------------------------------------------------------------------------
// Options

struct MatchOptions {
  // Loci to score, in report order. Default A, B, C, DRB1, DQB1 (X/10, the
  // NMDP/WMDA HCT standard). DPB1 (X/12), DRB3/4/5, DQA1, DPA1 are scored
  // only when listed here AND typed on both sides; otherwise they are
  // reported untyped and left out of the totals.
  std::vector<Locus> loci = {Locus::kA, Locus::kB, Locus::kC, Locus::kDRB1,
                             Locus::kDQB1};
  // A homozygous position pair that is mismatched (recipient AA, donor BB)
  // counts 2 mismatches per direction: the WMDA 2016 consensus
  // (immunogenetr mismatch_table_2016). 1 is the 2010 convention
  // (Bone Marrow Transplant 2010;45:1371, bmt2010132; mismatch_table_2010).
  int homozygous_mismatch_count = 2;
  // Classify a DPB1 mismatch by TCE group (V2) when DPB1 is typed on both
  // sides, whether or not DPB1 is in `loci`.
  bool score_dpb1_tce = true;
  // Loci that must be typed on both sides for a haplo verdict; without them
  // the verdict is kInsufficientTyping. Default A, B, DRB1: the minimum of
  // haploidentical donor typing (e.g. NMDP/CIBMTR haplo typing guidance;
  // Fuchs, Blood 2017). Every other locus of `loci` typed on both sides is
  // used too.
  std::vector<Locus> haplo_required_loci = {Locus::kA, Locus::kB,
                                            Locus::kDRB1};
  // Fill LocusMatch::*_mismatched_* (for donor-specific antibody checks).
  // Ranking scans can turn it off to avoid allocations.
  bool collect_mismatched = true;
  // Report the HLA-B leader match and the KIR ligands (issue 21). Costs the
  // protein table's first load (about 0.1 s, once per process).
  bool score_leader_and_kir = true;
  // HLA-A Bw4 alleles (A*23, A*24, A*25, A*32 ...) count as KIR3DL1
  // ligands. Contested: Foley et al., Blood 2008;112:435 found A*24:02 and
  // A*32:01 protective and A*23:01, A*25:01 weak; some centres count HLA-B
  // Bw4 only. Default: counted.
  bool hla_a_bw4 = true;
};

// ---------------------------------------------------------------------------
// The report

// One recipient position and the donor position it was paired with.
struct PositionMatch {
  std::string recipient_text, donor_text;
  int recipient_position = 0;  // 0 or 1
  int donor_position = 0;      // 0 or 1 (crossed pairing: 1 - recipient)
  MatchGrade grade = MatchGrade::kUnknown;
  MatchConfidence confidence = MatchConfidence::kMismatch;
  bool allele_match = false;   // a shared P group (nulls: small-g)
  bool antigen_match = false;  // allele match, or serology overlaps
};

struct LocusMatch {
  Locus locus = Locus::kA;
  bool recipient_typed = false, donor_typed = false;
  bool scored = false;             // typed on both sides
  bool counted_in_totals = false;  // scored, or a core locus (A B C DRB1 DQB1)
  // Allele matches of the best pairing, 0-2 (a donor position never counts
  // twice): a shared P group between two molecular typings. Homozygous
  // convention does not change this number.
  int matches = 0;
  // Positions of the best pairing that share an antigen where a side was
  // typed by serology: antigen-level matches, not allele matches. The haplo
  // verdict counts matches + antigen_level_matches as shared.
  int antigen_level_matches = 0;
  // GvH: recipient typings the donor lacks; HvG: donor typings the recipient
  // lacks; with MatchOptions::homozygous_mismatch_count for a homozygous
  // side. mismatches = max(gvh, hvg) (bidirectional, as immunogenetr).
  int mismatches = 0, gvh_mismatches = 0, hvg_mismatches = 0;
  int antigen_matches = 0;  // positions of the best pairing that antigen-match
  MatchGrade grade = MatchGrade::kUnknown;  // the worse of the two positions
  MatchConfidence confidence = MatchConfidence::kMismatch;  // the worse one
  bool crossed = false;  // recipient 1 paired with donor 2
  bool homozygous_recipient = false, homozygous_donor = false;
  bool genotype_list = false;  // a side was a '|' list: best alternative
  // A side written with a single typing at this locus (read as homozygous
  // by convention; a report may want to say so). A single serology antigen
  // is not homozygous but "second antigen not detected" (homozygous_* is
  // then false and the confidence at most potential).
  bool recipient_one_typing = false, donor_one_typing = false;
  std::array<PositionMatch, 2> positions;  // in recipient position order
  // For DSA checks: alleles/antigens of the unmatched positions (GvH side:
  // recipient's; HvG side: donor's). Empty when collect_mismatched is off.
  std::vector<data::AlleleId> donor_mismatched_alleles,
      recipient_mismatched_alleles;
  std::vector<data::AntigenId> donor_mismatched_antigens,
      recipient_mismatched_antigens;
};

struct MatchTotals {
  int matches = 0;     // allele matches over counted loci
  int antigen_level_matches = 0;  // antigen-level (serology) matches
  int out_of = 0;      // 2 x counted loci: 8, 10, 12 ...
  int mismatches = 0;  // sum of LocusMatch::mismatches
  int gvh_mismatches = 0, hvg_mismatches = 0;
  int antigen_matches = 0;
  int untyped_loci = 0;  // counted loci untyped on a side (never matches)
};

// The totals rule, shared by Match and the registry scan. A locus counts
// in the totals when it is scored (typed on both sides) or is one of the
// five core loci (A, B, C, DRB1, DQB1), where an untyped side counts as
// untyped, never as a match: X/10 stays out of 10.
bool CountsInTotals(Locus locus, bool scored);
// Adds one counted locus: 2 to out_of; an unscored one to untyped_loci;
// a scored one's allele and antigen-level matches, mismatches (max of GvH
// and HvG, bidirectional), GvH, HvG and antigen matches.
void AddToTotals(bool scored, int matches, int antigen_level_matches,
                 int gvh_mismatches, int hvg_mismatches, int antigen_matches,
                 MatchTotals* totals);

struct HaploResult {
  HaploVerdict verdict = HaploVerdict::kInsufficientTyping;
  std::string basis;  // plain words: why this verdict
  // "the stated parent shares no allele at DRB1 (typing error or wrong
  // relationship?)"; empty when consistent.
  std::vector<std::string> inconsistencies;
  std::vector<Locus> loci_used;  // loci the verdict looked at
};

struct TceResult {
  TceCategory category = TceCategory::kNotScored;
  // Lowest (most immunogenic) V2 group per side, 0 when not known.
  int recipient_group = 0, donor_group = 0;
  std::string basis;  // plain words
};

// ---- HLA-B leader (docs/matching.md §9)
//
// The leader peptide of HLA-B carries methionine (M) or threonine (T) at
// -21; M leaders supply HLA-E with the peptide that NKG2A reads (Petersdorf
// et al., Blood 2020;136:362). Each allele's leader comes from the release's
// protein sequences (data/protein.h: read, or inferred with its basis).

// The leader of one HLA-B copy. Strict: the one leader every expressed
// allele the typing admits has; 'X' (unknown) when they differ, when one is
// not known, or the copy expresses no HLA-B. A typing such as B*07:XX or B7
// is 'X' because B*07 holds rare T-leader alleles (B*07:65 ...): `likely`
// then says what most of its alleles have, as b-leader's "common leader"
// does, and the counts say how many disagree.
struct CopyLeader {
  std::string typing;   // as written, canonical
  char leader = 'X';    // 'M', 'T' or 'X'
  char likely = 'X';    // the most common known leader; 'X' when none
  int m = 0, t = 0, unknown = 0;  // expressed alleles by leader
  bool inferred = false;   // known only by inference: no allele of the
                           // typing has exon 1 in the release
  bool null_copy = false;  // expresses no HLA-B (null or placeholder)
};

struct LeaderGenotype {
  bool typed = false;  // HLA-B typed on this side
  std::array<CopyLeader, 2> copies;  // in written position order
  // Unordered, M before T before X: "MM", "MT", "TT", "MX", "TX", "XX";
  // empty when untyped.
  std::string genotype;
};

enum class LeaderMatch : uint8_t {
  kNotAssessed,     // HLA-B untyped on a side, a '|' genotype list, or
                    // the release has no protein data
  kHlaBMatched,     // both HLA-B copies allele-match: no leader question
  kMatched,         // one HLA-B mismatch; its two allotypes share a leader
  kMismatched,      // one HLA-B mismatch; their leaders differ
  kUnknown,         // one HLA-B mismatch; a leader it needs is unknown
  kDoubleMismatch,  // both HLA-B copies mismatched: outside the
                    // classification (Petersdorf's is of single mismatches)
};
// "not_assessed", "hla_b_matched", "leader_matched", "leader_mismatched",
// "unknown", "hla_b_double_mismatch".
absl::string_view ToString(LeaderMatch match);

struct BLeaderResult {
  LeaderGenotype recipient, donor;
  LeaderMatch match = LeaderMatch::kNotAssessed;
  // Petersdorf's three letters for a single HLA-B mismatch: the recipient's
  // leader on the mismatched allotype, the donor's on the mismatched
  // allotype, the leader of the shared allotype ('X' when the two shared
  // copies differ or one is unknown): "MMT", "TTM", "MTT", "TMM", "TTT",
  // "TMT", "MMM", "MTM". Empty otherwise.
  std::string status;
  // The same three letters from the `likely` leaders, when `status` holds
  // an 'X' that they resolve; empty otherwise.
  std::string likely_status;
  // When HLA-B matches on one pair for certain and on the other only
  // potentially (an ambiguous typing: B*07:XX vs B*07:65), `match` is
  // kHlaBMatched with `potential`, and `status` is what it would be were
  // the potential pair the mismatch (b-leader reads such a pair so).
  //
  // The mismatched positions (0 or 1) of a single mismatch, else -1.
  int recipient_position = -1, donor_position = -1;
  // The HLA-B match it rests on is potential (an ambiguous typing).
  bool potential = false;
  std::string basis;  // plain words
};

// ---- KIR ligands (docs/matching.md §9)

// The three KIR-ligand groups of HLA class I: C1 (KIR2DL2/2DL3), C2
// (KIR2DL1), Bw4 (KIR3DL1).
enum class KirLigandGroup : uint8_t { kC1, kC2, kBw4 };
inline constexpr int kKirLigandGroups = 3;
// "C1", "C2", "Bw4".
absl::string_view ToString(KirLigandGroup group);

// Whether a person carries a ligand group:
//   kDefinite  some copy carries it whatever allele its typing is;
//   kPossible  some ambiguous copy may carry it;
//   kAbsent    no copy can (the loci that could are typed);
//   kUnknown   not carried by the typed loci, and a locus that could carry
//              it (HLA-C for C1/C2, HLA-B or HLA-A for Bw4) is untyped.
enum class LigandPresence : uint8_t { kAbsent, kPossible, kDefinite, kUnknown };
// "absent", "possible", "definite", "unknown".
absl::string_view ToString(LigandPresence presence);

struct LigandSet {
  std::array<LigandPresence, kKirLigandGroups> presence{};  // by group
  // The Bw epitope of each HLA-B copy ("Bw4-80I", "Bw4-80T", "Bw6", "none",
  // "unclassified", "unknown" when the copy's alleles differ or untyped).
  std::array<std::string, 2> b_bw;
};

struct KirLigandResult {
  LigandSet recipient, donor;
  // Ligand groups the donor carries and the recipient lacks: the
  // KIR-ligand mismatch in the graft-versus-host direction (Ruggeri et al.,
  // Science 2002;295:2097, "ligand-ligand" model). Definite: the donor
  // certainly carries it, the recipient certainly not; possible: either
  // side's typing leaves it open.
  std::vector<KirLigandGroup> missing_definite, missing_possible;
  std::string basis;  // plain words
};

struct MatchReport {
  std::vector<LocusMatch> loci;  // MatchOptions::loci order
  MatchTotals totals;
  HaploResult haplo;
  std::optional<TceResult> tce;  // set when DPB1 TCE scoring applied
  // Set when MatchOptions::score_leader_and_kir (the default); their
  // `match`/presence say when a fact could not be assessed.
  std::optional<BLeaderResult> b_leader;
  std::optional<KirLigandResult> kir_ligands;
  Relationship relationship = Relationship::kUnknown;
  std::vector<std::string> warnings;  // e.g. genotype lists collapsed

  // The locus, or nullptr if it was not requested.
  const LocusMatch* Find(Locus locus) const;
};

// Matches `donor` against `recipient`. InvalidArgumentError for options out
// of range (homozygous_mismatch_count not 1 or 2; a locus listed twice).
// Typing problems are not errors here: they were caught by BuildGenotype.
// REQUIRES: both genotypes were built against `reference` (or its ids).
absl::StatusOr<MatchReport> Match(const data::Reference& reference,
                                  const Genotype& recipient,
                                  const Genotype& donor,
                                  Relationship relationship,
                                  const MatchOptions& options);

}  // namespace hla::matcher

#endif  // HLA_MATCHER_MATCH_H_
