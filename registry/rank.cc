// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Query compile, per-donor evaluation and the parallel scan. The per-locus
// pairing below is matcher/match.cc's (CountDirectional, HaploVerdictOf,
// ScoreTce) on precomputed cells; the clinical rules are the very functions
// of eligibility/rules.h and matcher/internal/grade.h, called on the
// unpacked values. tests/registry/rank_test.cc holds the scan equal to the
// pairwise path on generated pairs, so a change of the pairing shows up
// there.
#include "registry/rank.h"
#include "registry/internal/imputations.h"
#include "registry/internal/joiner.h"
#include "registry/internal/prefetch.h"
#include "registry/internal/scan.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "eligibility/score.h"
#include "registry/internal/store_data.h"
#include "matcher/internal/grade.h"
#include "matcher/internal/leader.h"

namespace hla::registry {

using internal::PackedFacts;

namespace {

using matcher_internal::AntigenMatch;
using matcher_internal::ConfidenceOf;
using matcher_internal::GradePositions;
using matcher_internal::Intersect;

// matcher/match.cc GradesBetter: the pairing whose worse grade is better
// wins, then the one whose better grade is better.
bool GradesBetter(matcher::MatchGrade a0, matcher::MatchGrade a1, matcher::MatchGrade b0, matcher::MatchGrade b1) {
  const auto lo_a = std::min(a0, a1), hi_a = std::max(a0, a1);
  const auto lo_b = std::min(b0, b1), hi_b = std::max(b0, b1);
  if (lo_a != lo_b) return lo_a > lo_b;
  return hi_a > hi_b;
}

using internal::PrefetchLine;

// Per interned donor typing, against one recipient locus. 8 bytes: the
// scan's misses are on these tables (one per locus, as many cells as the
// locus has distinct typings), so they are kept small; the typing's keyset
// stays in the dictionary and is read only when it decides (EvalLocus).
struct Cell {
  matcher::MatchGrade grade[2];           // vs the recipient's written positions
  matcher::MatchConfidence confidence[2]; // vs the recipient's expressed positions
  // Bits 0-1, bit i: shares a match key with expressed r_i. Bits 2-3, bit
  // 2+i: shares a match key with written r_i (the recipient's '~' phase is
  // by written copy).
  uint8_t match = 0;
  uint8_t antigen = 0;   // bit i: antigen match with expressed r_i
  uint8_t tce = 0;       // the single V2 TCE group, else 0
  uint8_t misc = 0;      // kAllNull and the DSA bits below
};
static_assert(sizeof(Cell) == 8, "the scan's tables assume 8-byte cells");
// misc: the copy expresses nothing, and what eligibility::FindDsaForCopy
// finds against it (at or above the threshold unless said).
constexpr uint8_t kAllNull = 1, kDsaDefinite = 2, kDsaBelow = 4,
                  kDsaPossible = 8, kDsaUncheckable = 16, kDsaSelf = 32,
                  kSerology = 64;  // the copy was typed by serology
constexpr uint8_t kDsaBits =
    kDsaDefinite | kDsaBelow | kDsaPossible | kDsaUncheckable | kDsaSelf;
// Cell::misc's bit of a DSA finding at or above the threshold; none for an
// untyped locus (per antibody, not per copy: UntypedUnderAntibody).
constexpr uint8_t DsaBitOf(eligibility::DsaKind kind) {
  using eligibility::DsaKind;
  return kind == DsaKind::kDsa           ? kDsaDefinite
         : kind == DsaKind::kPossible    ? kDsaPossible
         : kind == DsaKind::kUncheckable ? kDsaUncheckable
         : kind == DsaKind::kSelf        ? kDsaSelf
                                         : 0;
}

struct LocusQuery {
  Locus locus = Locus::kA;
  int slot = -1;
  bool r_typed = false;
  int r_count = 2;     // expressed copies of the recipient (0 or 2)
  bool r_hom = false;  // expressed copies have equal match keys
  bool r_sero[2] = {false, false};  // expressed r_i typed by serology
  bool r_phased = false;  // the recipient's copies carry '~' haplotypes
  int8_t r_hap[2] = {-1, -1};  // and which
  std::vector<Cell> cells;  // by typing id; empty unless r_typed && slot >= 0
  // The light codes (LiteCodeOf), by typing id, when the query is light
  // and the locus scored (CompiledQuery::Impl::LiteLocus).
  std::vector<uint8_t> lite;
  // Under the light form with antibodies at this locus: the DSA bits of
  // each typing (Cell::misc's kDsa* bits), by typing id.
  std::vector<uint8_t> dsa;
  const internal::Dictionary* dict = nullptr;  // the slot's (set with cells)
  // HLA-B under a policy with the leader key: Cell::tce holds the copy's
  // leader (kLeaderM, kLeaderT, kLeaderX) and EvalLocus the donor's key.
  bool leader = false;
  char r_leader[2] = {'X', 'X'};  // the recipient's expressed copies'
  std::string r_leader_genotype;   // matcher_internal::LeaderGenotypeOf's
};
constexpr uint8_t kLeaderM = 1, kLeaderT = 2, kLeaderX = 3;

// Key field widths, in RankKey order.
constexpr int kKeyBits[] = {1, 3, 8, 2, 3, 3, 2, 5, 2, 3, 2, 14};
constexpr int kRankKeys = sizeof(kKeyBits) / sizeof(kKeyBits[0]);

struct KeyParts {
  uint32_t status = 0;  // 0 eligible (or not assessed), 1 needs review
  uint32_t v[kRankKeys] = {};
};

// The bits a policy's key uses: the status bit, then each key's.
int KeyBits(const std::vector<RankKey>& rank_by) {
  int used = 1;
  for (RankKey k : rank_by) used += kKeyBits[static_cast<int>(k)];
  return used;
}

uint64_t Compose(const std::vector<RankKey>& rank_by, const KeyParts& p) {
  // The status first, whatever the policy: eligible donors before those
  // that need review.
  uint64_t key = p.status;
  for (RankKey k : rank_by) {
    const int i = static_cast<int>(k);
    key = (key << kKeyBits[i]) | p.v[i];
  }
  return key;
}

bool IsParentOrChild(matcher::Relationship r) {
  return r == matcher::Relationship::kParent ||
         r == matcher::Relationship::kChild;
}

uint32_t SexCode(eligibility::Sex s) {
  return s == eligibility::Sex::kMale ? 0 : s == eligibility::Sex::kFemale ? 1 : 2;
}
uint32_t RelationshipCode(matcher::Relationship r) {
  switch (r) {
    case matcher::Relationship::kChild: return 0;
    case matcher::Relationship::kSibling: return 1;
    case matcher::Relationship::kParent: return 2;
    case matcher::Relationship::kHalfSibling: return 3;
    case matcher::Relationship::kOtherRelated: return 4;
    case matcher::Relationship::kUnrelated: return 5;
    case matcher::Relationship::kUnknown: break;
  }
  return 6;
}
uint32_t CmvCode(eligibility::Cmv recipient, eligibility::Cmv donor) {
  if (recipient == eligibility::Cmv::kUnknown || donor == eligibility::Cmv::kUnknown) return 2;
  return recipient == donor ? 0 : 1;
}
uint32_t TceCode(bool has, matcher::TceCategory c) {
  if (!has) return 2;
  switch (c) {
    case matcher::TceCategory::kMatch: return 0;
    case matcher::TceCategory::kPermissive: return 1;
    case matcher::TceCategory::kNonPermissiveGvH:
    case matcher::TceCategory::kNonPermissiveHvG: return 3;
    default: return 2;
  }
}

KeyParts Parts(eligibility::Status status, eligibility::Findings findings,
               matcher::HaploVerdict verdict, int age, eligibility::Sex sex,
               matcher::Relationship rel, std::optional<eligibility::AboMatch> abo, eligibility::Cmv rcmv,
               eligibility::Cmv dcmv, int matches, bool has_tce, matcher::TceCategory tce) {
  KeyParts p;
  p.status = status == eligibility::Status::kNeedsReview ? 1 : 0;
  p.v[0] = eligibility::Has(findings, eligibility::Reason::kDsa) ? 1 : 0;
  p.v[1] = static_cast<uint32_t>(verdict);
  p.v[2] = age < 0 ? 255 : static_cast<uint32_t>(std::min(age, 254));
  p.v[3] = SexCode(sex);
  p.v[4] = RelationshipCode(rel);
  p.v[5] = abo ? static_cast<uint32_t>(*abo) : 4;
  p.v[6] = CmvCode(rcmv, dcmv);
  p.v[7] = 31 - static_cast<uint32_t>(std::clamp(matches, 0, 31));
  p.v[8] = TceCode(has_tce, tce);
  return p;
}

// The leader key of a pairwise report (matcher_internal::LeaderRankKey); 4
// when it was not assessed.
uint32_t LeaderCode(const matcher::MatchReport& report) {
  if (!report.b_leader) return 4;
  const matcher::BLeaderResult& b = *report.b_leader;
  return static_cast<uint32_t>(matcher_internal::LeaderRankKey(
      b.recipient.genotype, b.match, b.status));
}

uint32_t KirBCode(const eligibility::KirGenotype& kir) {
  return static_cast<uint32_t>(eligibility::KirBContentOf(kir).category);
}

// The probability key: 100 - P(10/10) in whole percent, then 100 - P(>=
// 9/10), 7 bits each; not available: 127, 127 (last). Rounded to the
// nearest percent: finer steps would rank on the table's noise.
uint32_t ProbabilityCode(bool available, double p10, double p9) {
  if (!available) return 127u << 7 | 127u;
  auto pct = [](double p) {
    return 100u - static_cast<uint32_t>(std::lround(std::clamp(p, 0.0, 1.0) * 100));
  };
  return pct(p10) << 7 | pct(p9);
}

// The recipient imputed with options.imputer (REQUIRES: set) and
// recipient_impute; InvalidArgumentError when it cannot be.
absl::StatusOr<std::shared_ptr<const impute::Imputation>> RecipientImputation(
    const matcher::Genotype& recipient, const RankOptions& options) {
  absl::StatusOr<impute::Imputation> ri =
      options.imputer->Impute(recipient, options.recipient_impute);
  if (!ri.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the probability key: the recipient cannot be imputed: ", ri.status().message()));
  }
  return std::make_shared<const impute::Imputation>(*std::move(ri));
}

}  // namespace

eligibility::ScoringContext ScoringContextFor(const data::Reference& reference,
                                              const matcher::Genotype& recipient,
                                              const RankOptions& options) {
  eligibility::ScoringContext c;
  c.reference = &reference;
  c.recipient = &recipient;
  c.recipient_facts = options.recipient;
  c.match = options.match;
  c.eligibility = options.eligibility;
  c.families = options.families.get();
  return c;
}

absl::string_view ToString(RankKey key) {
  static constexpr absl::string_view kNames[] = {
      "dsa", "haplo", "age", "sex", "relationship", "abo", "cmv", "matches",
      "tce", "leader", "kir_b", "probability"};
  return kNames[static_cast<int>(key)];
}

std::vector<RankKey> DefaultRankBy() {
  return {RankKey::kDsa, RankKey::kHaplo, RankKey::kAge,
          RankKey::kSex, RankKey::kRelationship, RankKey::kAbo,
          RankKey::kCmv, RankKey::kMatches, RankKey::kTce};
}

absl::StatusOr<std::vector<RankKey>> ParseRankBy(absl::string_view text) {
  std::vector<RankKey> keys;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(part));
    bool found = false;
    for (int i = 0; i < kRankKeys; ++i) {
      const RankKey k = static_cast<RankKey>(i);
      if (ToString(k) != name) continue;
      if (std::find(keys.begin(), keys.end(), k) != keys.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--rank-by: key '", name, "' given twice"));
      }
      keys.push_back(k);
      found = true;
    }
    if (!found) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--rank-by: unknown key '", name,
          "' (known: dsa, haplo, age, sex, relationship, abo, cmv, matches, "
          "tce, leader, kir_b, probability)"));
    }
  }
  return keys;
}

uint64_t KeyFromReport(const std::vector<RankKey>& rank_by,
                       const eligibility::DonorFacts& facts, const matcher::MatchReport& report,
                       const eligibility::Eligibility& e, const eligibility::RecipientFacts& recipient,
                       const impute::MatchProbability* probability) {
  KeyParts p = Parts(e.status, e.findings, report.haplo.verdict,
                     e.age ? *e.age : -1, facts.sex, facts.relationship, e.abo,
                     recipient.cmv, facts.cmv, report.totals.matches,
                     report.tce.has_value(),
                     report.tce ? report.tce->category
                                : matcher::TceCategory::kNotScored);
  p.v[9] = LeaderCode(report);
  p.v[10] = KirBCode(facts.kir);
  p.v[11] = probability != nullptr
                ? ProbabilityCode(probability->available, probability->p10,
                                  probability->p9_or_more)
                : ProbabilityCode(false, 0, 0);
  return Compose(rank_by, p);
}

// ---- CompiledQuery

namespace {

// The recipient's own DPB1 TCE group (match.cc LowestTceGroup): 0 when
// unknown or ambiguous.
int RecipientTceGroup(const matcher::Genotype& recipient) {
  const matcher::LocusTyping& lt = recipient.at(Locus::kDPB1);
  const bool n0 = lt.pos[0].all_null(), n1 = lt.pos[1].all_null();
  if (lt.typed_positions > 0 && !(n0 && n1)) {
    const matcher::PositionTyping& p0 = n0 ? lt.pos[1] : lt.pos[0];
    const matcher::PositionTyping& p1 = n1 ? lt.pos[0] : lt.pos[1];
    if (p0.tce_groups().size() == 1 && p1.tce_groups().size() == 1) {
      return std::min(p0.tce_groups()[0], p1.tce_groups()[0]);
    }
  }
  return 0;
}

// The recipient's expressed copies at a locus, as the matcher pairs them:
// a copy that expresses nothing stands for the other one.
void ExpressedCopies(const matcher::LocusTyping& rt, const matcher::PositionTyping* er[2]) {
  const bool n0 = rt.pos[0].all_null(), n1 = rt.pos[1].all_null();
  er[0] = n0 && !n1 ? &rt.pos[1] : &rt.pos[0];
  er[1] = n1 && !n0 ? &rt.pos[0] : &rt.pos[1];
}

}  // namespace

struct CompiledQuery::Impl {
  const internal::StoreData* store = nullptr;
  const data::Reference* ref = nullptr;
  const matcher::Genotype* recipient = nullptr;
  RankOptions options;
  // Set by BuildCells when options.deadline passed while it ran.
  // (Atomic: BuildCells runs on several threads, one locus each.)
  mutable std::atomic<bool> past_deadline{false};
  // What fallback donors are scored with (eligibility::ScoreDonor), without
  // the mismatched-allele lists the scan does not read.
  // (A pointer: GCC 12 misreads a second MatchOptions member here as
  // maybe-uninitialized.)
  std::unique_ptr<eligibility::ScoringContext> slow_context;
  // Loci of options.match.loci, then haplo-required loci not listed
  // (n_haplo marks the end of those), then DPB1 for TCE when needed.
  std::vector<LocusQuery> loci;
  size_t n_listed = 0, n_haplo = 0;
  int tce_index = -1;  // index into loci of DPB1, or -1
  std::vector<int> required;  // indexes into loci
  // DSA: the cells of every stored locus, those of `loci` shared (one
  // table a locus, so the scan misses once) and the others in dsa_only.
  std::vector<const LocusQuery*> dsa_loci;
  std::vector<LocusQuery> dsa_only;
  bool antibodies = false;
  // The antibodies resolved once (set with `antibodies`).
  std::unique_ptr<eligibility::CopyDsaFinder> dsa_finder;
  // Per antibody at or above the threshold, the loci a donor must be typed
  // at (eligibility::AntibodyLociMasks), and the findings every donor gets
  // whatever its typing (no antibody test; an antigen no allele carries).
  std::vector<uint32_t> antibody_loci;
  eligibility::Findings dsa_constant = 0;
  // The recipient is phased ('~'): the verdict asks whether a donor could
  // carry one of its haplotypes whole.
  bool r_phased = false;
  bool all_slow = false;
  int r_tce_group = 0;
  int as_of_year = 0, as_of_mmdd = 0;
  uint64_t as_of_ymd = 0;
  std::optional<eligibility::BloodGroup> r_abo;

  // QuickReject's view of the required loci.
  struct QuickLocus {
    bool required = false;  // haplo_required_loci (listed first)
    int slot = 0;
    // Per typing id, two bits, four typings a byte: bit 0 the copy shares
    // a match key with an expressed recipient copy (Cell::match), bit 1 it
    // expresses nothing (kAllNull). A quarter of a byte a typing keeps the
    // tables of all the verdict's loci (1.4M typings at 10M donors) within
    // L2; the gain measured was small (docs/ranking.md). Id 0 (untyped) of
    // a locus that is not required reads as sharing: no information.
    std::vector<uint8_t> bits;
    // Under the light form, the locus's light codes instead (LocusQuery::lite).
    const uint8_t* lite = nullptr;
    static uint32_t Code(const uint8_t* bits, uint32_t id) {
      return static_cast<uint32_t>(bits[id >> 2] >> (2 * (id & 3))) & 3;
    }
  };
  // Usable loci of the haplo verdict (recipient typed, some donor typed),
  // required first; quick_undecided when a required one is not usable.
  std::vector<QuickLocus> quick;
  size_t n_quick_required = 0;
  bool quick_undecided = false;

  // Store indexes of the relatives options.families recognises, and their
  // family (owned by options.families). Last: the scan's hot fields above
  // keep their places.
  absl::flat_hash_map<uint32_t, const family::FamilyResult*> family_of;
  bool any_family = false;  // !family_of.empty()
  // The opt-in keys: the index into loci of HLA-B when the policy ranks by
  // leader (else -1: the key is 4, "not assessed", as KeyFromReport says
  // without a b_leader result), and whether it ranks by KIR B content.
  int b_index = -1;
  bool want_kir = false;
  // The probability key: the recipient's imputation and the scorer over
  // it, when the policy ranks by probability (else null).
  std::shared_ptr<const impute::Imputation> r_imputation;
  std::unique_ptr<impute::TopMatchScorer> scorer;

  // The donor's age at as_of from its packed facts, by the one age rule
  // (eligibility::WholeYears); -1 when unknown or born after as_of.
  // UsesMatch but for all_slow, from the donor's facts word `w`: a
  // fallback donor, or a relative options.families recognises.
  bool ByMatch(uint64_t w, size_t donor) const;
  int AgeOf(uint64_t w) const {
    const uint64_t v = w & PackedFacts::kValueMask;
    if (w & PackedFacts::kFactBirth) {
      if (v > as_of_ymd) return -1;
      return eligibility::WholeYears(static_cast<int64_t>(v / 10000),
                                     static_cast<int>(v % 10000), as_of_year,
                                     as_of_mmdd);
    }
    if (w & PackedFacts::kFactAge) return static_cast<int>(v);
    return -1;
  }
  // The effect of each reason under options.eligibility, decided once.
  eligibility::EffectMasks masks;
  // The first excluding finding (the gate that fails), or -1.
  int FirstFail(eligibility::Findings findings) const {
    return eligibility::FirstIn(findings, masks.exclude);
  }
  // eligibility::AgeFindings of every age, computed once (Compile): index
  // age + 1, with -1 (unknown) at 0 and ages from kAgeCap on (the rule's
  // thresholds, 18 and a protocol's limit, are far below) at the last slot.
  static constexpr int kAgeCap = 254;
  std::array<eligibility::Findings, kAgeCap + 2> age_findings{};
  std::array<int, kAgeCap + 2> age_fail{};  // FirstFail of age_findings
  // FirstFail of a not-haploidentical verdict (a scored locus sharing
  // nothing) by relationship (3 bits): a stated parent or child is an
  // inconsistency to review, anyone else fails the haplo gate.
  std::array<int, 8> zero_share_fail{};
  eligibility::Findings AgeFindings(int age) const {
    return age_findings[static_cast<size_t>(std::min(age, kAgeCap) + 1)];
  }

  // The quick filter over donors [begin, end) of a row array `ids` (stride
  // ids a donor). It decides only what is certain: an exclusion that no
  // later finding can come before (the gates' order is Reason's order):
  // the age gate, then, when a haplotype match is required, a scored locus
  // of the verdict sharing nothing (not haploidentical; a stated parent or
  // child is an inconsistency to review instead, zero_share_fail). A
  // required locus untyped makes the verdict insufficient typing, which
  // needs review: Gate decides those. The required loci come first
  // (BuildQuick); the others read an untyped donor as "no information"
  // through their bits[0]. The per-locus tables and
  // offsets held in locals and the "shares nothing" rule of a pair read
  // from a 16-bit table, so the loop over 10M donors is a few loads and
  // no calls. Writes to `pass` the donors Gate must decide (those
  // matcher::Match scores included) and returns their count; counts the
  // others in excluded_by.
  template <typename Id>
  size_t QuickBlock(const Id* ids, size_t stride, const uint64_t* facts,
                    size_t begin, size_t end, uint32_t* pass,
                    size_t* excluded_by) const;
  // QuickBlock with kLoci quick loci (0: quick.size(), any count), read
  // from the light codes (kLite: one byte a typing, the bytes the light
  // gate then reads of the survivors, still in cache) or the 2-bit tables.
  template <size_t kLoci, bool kLite, typename Id>
  size_t QuickBlockN(const Id* ids, size_t stride, const uint64_t* facts,
                     size_t begin, size_t end, uint32_t* pass,
                     size_t* excluded_by) const;

  template <typename Id>
  void PrefetchIds(const Id* ids) const {
    for (const LocusQuery& q : loci) {
      if (q.cells.empty()) continue;
      PrefetchLine(q.cells.data() + ids[2 * q.slot]);
      PrefetchLine(q.cells.data() + ids[2 * q.slot + 1]);
    }
    for (const LocusQuery& q : dsa_only) {
      if (q.cells.empty()) continue;
      PrefetchLine(q.cells.data() + ids[2 * q.slot]);
      PrefetchLine(q.cells.data() + ids[2 * q.slot + 1]);
    }
  }

  // The gate's light form (LiteGate): one byte a typing id per locus of
  // `loci` (LiteCodeOf), and with antibodies one of DSA bits per locus they
  // can hit, read instead of the cells when the query needs of a locus only
  // its matches (LiteAllowed: no leader or probability key, no recipient
  // copy typed by serology). The one case the bytes cannot decide, a
  // pairing that turns on grades (kLiteGrades), is left to RunIds or
  // RunSlow.
  struct LiteLocus {
    const uint8_t* code = nullptr;  // null: the locus is never scored
    size_t slot = 0;                // ids offset of its first copy
    bool required = false;          // a required locus of the verdict
    bool haplo = false;             // k < n_haplo
    bool in_totals = false;         // counted in MatchTotals when scored
    bool tce = false;               // k == tce_index
    bool phased = false;            // LocusQuery::r_phased
    // By the written copies' shares (bit i: a donor copy shares a key with
    // written r_i), bit h: the donor may carry the recipient's '~'
    // haplotype h here (matcher_internal::LocusMayCarry).
    std::array<uint8_t, 4> carry{};
  };
  bool lite = false;
  std::vector<LiteLocus> lite_loci;  // as `loci`, in order
  // The loci with DSA bits (LocusQuery::dsa), for LiteGate.
  struct LiteDsa {
    const uint8_t* bits;
    size_t slot;  // ids offset of the locus's first copy
  };
  std::vector<LiteDsa> lite_dsa;
  // Compiled for the scan only (Compile's scan_only) under the light form:
  // no cells are built (the light codes from the dictionary's fields cost a
  // fraction), and the rare donor whose pairing turns on grades
  // (kLiteGrades) is scored by matcher::Match (RunSlow). Gate and Evaluate
  // then take those routes too.
  bool cells_partial = false;
  // Whether the light form can serve this query (before the cells).
  bool LiteAllowed() const;
  void BuildLite();
  // What the loci give the verdict and the key: RunIds's loop over the
  // cells, or LiteGate's over the light codes.
  struct LociOutcome {
    bool missing = false, any_scored = false, none_shared = false,
         one_shared = false;
    matcher_internal::PhaseEvidence phase = matcher_internal::PhaseEvidence::kNone;
    int matches = 0;  // MatchTotals::matches
    bool has_tce = false;
    matcher::TceCategory tce = matcher::TceCategory::kNotScored;
  };
  struct Decision {
    matcher::HaploVerdict verdict = matcher::HaploVerdict::kInsufficientTyping;
    eligibility::Findings findings = 0;
    eligibility::Status status = eligibility::Status::kNotAssessed;
    int fail = -1;  // the first failing gate (FirstFail)
    uint64_t key = 0;  // all but the leader and probability fields
  };
  // The verdict, the findings and the key of a donor (packed facts `w`,
  // age `age`) from its loci: `findings` holds those of its age and its
  // antibodies; the haplo, ABO, CMV and sex ones are added here by the rule
  // functions eligibility::Evaluate calls (VerdictOf, FactsOf). One
  // definition for RunIds and LiteGate; with kTables (LiteGate), VerdictOf
  // and FactsOf are read from their tables (BuildDecideTables).
  template <bool kTables>
  Decision Decide(uint64_t w, int age, eligibility::Findings findings,
                  const LociOutcome& o) const;
  // A key field alone (RankKey index i, value v: Parts's v[i]), or the
  // status bit: the key is the OR of its fields, each at its own place
  // (Compose), so Decide builds it field by field. 0 for a field the
  // policy does not rank by.
  uint64_t Field(int i, uint32_t v) const {
    return field_shift[static_cast<size_t>(i)] < 0
               ? 0
               : uint64_t{v} << field_shift[static_cast<size_t>(i)];
  }
  std::array<int, kRankKeys> field_shift{};
  uint64_t status_key = 0;  // Compose of the status bit alone
  // The verdict's part of Decide: HaploVerdictRule, its findings
  // (HaploFindings) and its key field.
  struct VerdictPart {
    matcher::HaploVerdict verdict = matcher::HaploVerdict::kInsufficientTyping;
    eligibility::Findings findings = 0;
    uint64_t key = 0;
  };
  VerdictPart VerdictOf(const LociOutcome& o, matcher::Relationship rel) const;
  // The facts word's part: the ABO, CMV and sex findings and the sex,
  // relationship, ABO and CMV fields of the key (bits kSexShift to
  // kRelShift + 2 of the word).
  struct FactsPart {
    eligibility::Findings findings = 0;
    uint64_t key = 0;
  };
  FactsPart FactsOf(uint64_t w) const;
  // The tables: VerdictOf by VerdictIndex, FactsOf by FactsIndex (every
  // code PackedFacts::Valid accepts; the others are never read: a store's
  // words are valid), and the age field by age + 1 (as age_findings).
  static size_t VerdictIndex(const LociOutcome& o, matcher::Relationship rel) {
    return size_t{o.missing} | size_t{o.any_scored} << 1 | size_t{o.none_shared} << 2 |
           size_t{o.one_shared} << 3 | static_cast<size_t>(o.phase) << 4 |
           static_cast<size_t>(rel) << 6;
  }
  static size_t FactsIndex(uint64_t w) {
    return static_cast<size_t>(w >> PackedFacts::kSexShift) & 0xFFF;
  }
  std::vector<VerdictPart> verdict_table;  // 512
  std::vector<FactsPart> facts_table;      // 4096
  // RestKey's fields: DSA (when found), by age + 1, by matches (0-31), by
  // TCE (0 not scored, else 1 + category).
  uint64_t dsa_key = 0;
  std::array<uint64_t, kAgeCap + 2> age_key{};
  std::array<uint64_t, 32> matches_key{};
  std::array<uint64_t, 8> tce_key{};
  void BuildDecideTables();
  // The key fields Decide takes from neither VerdictOf nor FactsOf: the
  // status, DSA, age, matches and TCE, as Parts sets them.
  uint64_t RestKey(eligibility::Status status, eligibility::Findings findings, int age,
                   int matches, bool has_tce, matcher::TceCategory tce) const;
  // The DPB1 TCE category of a scored donor (matcher/match.cc ScoreTce):
  // a match when both copies match, unknown without the TCE table, else
  // by the groups of the copies as they pair (AsExpressed; two null copies
  // have none).
  matcher::TceCategory TceOf(int matches, uint32_t tce0, bool n0,
                             uint32_t tce1, bool n1) const;
  // The gate of a donor from the light codes (row: its typing ids, w: its
  // packed facts): kDecided with *fail as RunIds<true> returns it and, when
  // ranked, *key; when a locus needs its grades (kLiteGrades), kCells
  // (RunIds decides) or, without cells (cells_partial), kMatch (RunSlow).
  enum class Lite { kDecided, kCells, kMatch };
  template <typename Id>
  Lite LiteGate(const Id* row, uint64_t w, uint64_t* key, int* fail) const;
  template <typename Id>
  size_t GateBlockIds(const Id* ids, size_t stride, const uint64_t* facts,
                      const uint32_t* donors, size_t m, uint64_t* keys,
                      int* fails, GateCounts* counts) const;

  void BuildCells(LocusQuery* q, bool with_match) const;
  // The per-donor work on the donor's row of typing ids (uint16_t or
  // uint32_t: one instantiation each, so the width is not tested per id).
  // Writes *f in place: a FastLocus built aside and copied in is read back
  // as whole words right after its byte stores, which stalls (the store
  // buffer cannot forward them).
  //
  // kGate: only what the scan's Gate reads (scored, matches,
  // antigen_level; the pairing, confidence and potential only where the
  // leader or probability key or a serology copy needs them); GvH, HvG,
  // grade and antigen matches are left at their defaults. Their HvG part
  // reads the dictionary's keysets, a cache miss per mismatched locus,
  // and the key does not use them.
  template <bool kGate, typename Id>
  void EvalLocus(const LocusQuery& q, const Id* ids, FastLocus* out) const;
  // Fills *out; with `gate_only`, stops at the first failing gate and
  // returns its index (else -1 when eligible or not gate_only), and fills
  // only what the key reads (out->key, findings, status, verdict, age;
  // totals.matches; per locus as EvalLocus<true>).
  int Run(size_t donor, bool gate_only, FastResult* out) const;
  template <bool kGate, typename Id>
  int RunIds(const Id* ids, uint64_t w, size_t donor, FastResult* out) const;
  // The probability key of a donor the scan scores (ProbabilityCode), from
  // its stored imputation and the loci the scan evaluated.
  uint32_t ProbabilityKey(size_t donor, const FastResult& r) const;
  void RunSlow(size_t donor, FastResult* out) const;
  // DPB1 TCE from the cells (matcher/match.cc ScoreTce): sets out->has_tce
  // and out->tce; out->loci must hold DPB1's FastLocus.
  template <typename Id>
  void ScanTce(const Id* ids, FastResult* out) const;
  // The per-donor DSA findings: the cells' DSA bits of each copy, and an
  // antibody whose loci the donor is untyped at.
  template <typename Id>
  eligibility::Findings ScanDsa(const Id* ids) const;
  // The findings of the DSA bits of a donor's copies (ORed).
  static eligibility::Findings DsaFindingsOf(uint32_t bits);
  // kDsaUntypedLocus when an antibody at or above the threshold names
  // only loci the donor is untyped at (antibody_loci), else 0.
  template <typename Id>
  eligibility::Findings UntypedUnderAntibody(const Id* ids) const;
  // Compile's steps: the loci the scan evaluates (listed, then those the
  // haplo verdict requires, then DPB1 for TCE) and the quick gate's table.
  void PlanLoci(const matcher::MatchOptions& mo);
  void BuildQuick();
};

namespace {
// Out of line: the hash lookup stays out of Gate's hot path, which only
// tests whether there are family donors at all.
[[gnu::noinline]] bool IsFamilyDonor(
    const absl::flat_hash_map<uint32_t, const family::FamilyResult*>& family_of,
    size_t donor) {
  return family_of.count(static_cast<uint32_t>(donor)) > 0;
}
}  // namespace

bool CompiledQuery::Impl::ByMatch(uint64_t w, size_t donor) const {
  return (w & PackedFacts::kFactFallback) || (any_family && IsFamilyDonor(family_of, donor));
}

// Whether a donor's two copies, as their quick codes b0 and b1 (bit 0
// shares a match key with an expressed recipient copy, bit 1 expresses
// nothing), share nothing with the recipient: a non-expressing copy pairs
// as the other copy (both expressed copies are the other one); two
// non-expressing copies pair by their own keys.
constexpr bool PairSharesNothing(uint32_t b0, uint32_t b1) {
  const uint32_t any = (b0 & b1 & 2) ? (b0 | b1) & 1
                                     : ((b0 & ~(b0 >> 1)) | (b1 & ~(b1 >> 1))) & 1;
  return any == 0;
}
// PairSharesNothing of every pair of codes, as bit (b0 << 2 | b1) of one
// word: the quick filter's lookup.
constexpr uint16_t NothingTable() {
  uint16_t t = 0;
  for (uint32_t b0 = 0; b0 < 4; ++b0) {
    for (uint32_t b1 = 0; b1 < 4; ++b1) {
      if (PairSharesNothing(b0, b1)) t = static_cast<uint16_t>(t | 1u << (b0 << 2 | b1));
    }
  }
  return t;
}
constexpr uint16_t kNothing = NothingTable();
// The same over the light codes' low three bits (LiteCodeOf: bits 0-1
// the expressed match bits, bit 2 null), bit (c0 << 3 | c1) of one word.
constexpr uint64_t NothingLiteTable() {
  uint64_t t = 0;
  for (uint32_t c0 = 0; c0 < 8; ++c0) {
    for (uint32_t c1 = 0; c1 < 8; ++c1) {
      const uint32_t b0 = ((c0 & 3) != 0 ? 1u : 0u) | (c0 >> 2 & 1) << 1;
      const uint32_t b1 = ((c1 & 3) != 0 ? 1u : 0u) | (c1 >> 2 & 1) << 1;
      if (PairSharesNothing(b0, b1)) t |= uint64_t{1} << (c0 << 3 | c1);
    }
  }
  return t;
}
constexpr uint64_t kNothingLite = NothingLiteTable();

// matcher::Match's pairing of a donor's copies at a locus: a copy that
// expresses nothing pairs as the other copy; two that express nothing pair
// as themselves. Returns what stands for the two expressed copies.
template <typename T>
constexpr std::pair<T, T> AsExpressed(bool n0, bool n1, T v0, T v1) {
  return {n0 && !n1 ? v1 : v0, n1 && !n0 ? v0 : v1};
}

// The matches of the direct pairing (recipient copy r0 with the donor's
// first expressed copy, r1 with its second) and of the crossed one, from
// the expressed copies' Cell::match bits 0-1 (bit i: shares a match key
// with expressed r_i).
struct Pairings {
  int direct, cross;
};
constexpr Pairings PairingsOf(uint32_t a0, uint32_t a1) {
  return {static_cast<int>((a0 & 1) + (a1 >> 1 & 1)),
          static_cast<int>((a1 & 1) + (a0 >> 1 & 1))};
}

// A copy's light code (CompiledQuery::Impl::LiteLocus): bits 0-1
// Cell::match's expressed bits, bit 2 it expresses nothing, bit 3 it was
// typed by serology, bits 4-5 its V2 TCE group at DPB1 (groups 1-3:
// LiteAllowed), bits 6-7 Cell::match's written bits (the recipient's '~'
// phase).
constexpr uint32_t kLiteNull = 4, kLiteSerology = 8;
uint8_t LiteCodeOf(uint32_t match, bool null, bool serology, uint32_t tce, bool with_tce) {
  return static_cast<uint8_t>((match & 3) | (null ? kLiteNull : 0) |
                              (serology ? kLiteSerology : 0) | (with_tce ? (tce & 3) << 4 : 0) |
                              (match >> 2 & 3) << 6);
}
// A light code's TCE group (bits 4-5; the written bits sit above them).
constexpr uint32_t LiteTce(uint32_t code) { return code >> 4 & 3; }
// The same from a cell (the cells and the dictionary's fields must agree).
uint8_t LiteCodeOf(const Cell& c, bool with_tce) {
  return LiteCodeOf(c.match, (c.misc & kAllNull) != 0, (c.misc & kSerology) != 0, c.tce,
                    with_tce);
}
// A locus from two light codes, with the recipient's copies not typed by
// serology: EvalLocus's pairing and antigen level. The better pairing by
// matches; a shared key where the donor's copy was typed by serology is an
// antigen-level match, not an allele match. When both pairings match as
// many but not at the same level, EvalLocus breaks the tie on the copies'
// grades, which the codes do not hold: kLiteGrades (the cells decide).
// Bits 0-1 the allele-level matches, 2-3 the antigen-level ones.
constexpr uint32_t kLiteGrades = 16;
constexpr uint32_t LitePair(uint32_t c0, uint32_t c1) {
  const std::pair<uint32_t, uint32_t> e =
      AsExpressed((c0 & kLiteNull) != 0, (c1 & kLiteNull) != 0, c0, c1);
  const Pairings p = PairingsOf(e.first & 3, e.second & 3);
  const uint32_t s0 = e.first >> 3 & 1, s1 = e.second >> 3 & 1;  // serology
  // Antigen-level matches of each pairing: direct r0-e0, r1-e1; crossed
  // r0-e1, r1-e0 (Cell::match bit i: shares a key with r_i).
  const uint32_t level_direct = (e.first & s0) + (e.second >> 1 & s1);
  const uint32_t level_cross = (e.second & s1) + (e.first >> 1 & s0);
  const uint32_t best = static_cast<uint32_t>(p.direct > p.cross ? p.direct : p.cross);
  uint32_t level = level_direct;
  if (p.cross > p.direct) {
    level = level_cross;
  } else if (p.cross == p.direct && level_cross != level_direct) {
    return kLiteGrades;
  }
  return (best - level) | level << 2;
}
// LitePair of every pair of the codes' low four bits.
constexpr std::array<uint8_t, 256> LitePairTable() {
  std::array<uint8_t, 256> t{};
  for (uint32_t c = 0; c < 256; ++c) t[c] = static_cast<uint8_t>(LitePair(c >> 4, c & 15));
  return t;
}
constexpr std::array<uint8_t, 256> kLitePairs = LitePairTable();

template <typename Id>
size_t CompiledQuery::Impl::QuickBlock(const Id* ids, size_t stride,
                                       const uint64_t* facts, size_t begin,
                                       size_t end, uint32_t* pass,
                                       size_t* excluded_by) const {
  // The count of loci a constant where it is small, so the loop over them
  // unrolls (the five of a 10/10 protocol, the three of A, B, DRB1).
  switch (quick.size() * 2 + (lite ? 1 : 0)) {
    case 2: return QuickBlockN<1, false>(ids, stride, facts, begin, end, pass, excluded_by);
    case 3: return QuickBlockN<1, true>(ids, stride, facts, begin, end, pass, excluded_by);
    case 4: return QuickBlockN<2, false>(ids, stride, facts, begin, end, pass, excluded_by);
    case 5: return QuickBlockN<2, true>(ids, stride, facts, begin, end, pass, excluded_by);
    case 6: return QuickBlockN<3, false>(ids, stride, facts, begin, end, pass, excluded_by);
    case 7: return QuickBlockN<3, true>(ids, stride, facts, begin, end, pass, excluded_by);
    case 8: return QuickBlockN<4, false>(ids, stride, facts, begin, end, pass, excluded_by);
    case 9: return QuickBlockN<4, true>(ids, stride, facts, begin, end, pass, excluded_by);
    case 10: return QuickBlockN<5, false>(ids, stride, facts, begin, end, pass, excluded_by);
    case 11: return QuickBlockN<5, true>(ids, stride, facts, begin, end, pass, excluded_by);
    case 12: return QuickBlockN<6, false>(ids, stride, facts, begin, end, pass, excluded_by);
    case 13: return QuickBlockN<6, true>(ids, stride, facts, begin, end, pass, excluded_by);
    default:
      return lite ? QuickBlockN<0, true>(ids, stride, facts, begin, end, pass, excluded_by)
                  : QuickBlockN<0, false>(ids, stride, facts, begin, end, pass, excluded_by);
  }
}

template <size_t kLoci, bool kLite, typename Id>
size_t CompiledQuery::Impl::QuickBlockN(const Id* ids, size_t stride,
                                        const uint64_t* facts, size_t begin,
                                        size_t end, uint32_t* pass,
                                        size_t* excluded_by) const {
  const eligibility::EligibilityOptions& eo = options.eligibility;
  const bool age_gate = eo.max_age_exclusive.has_value();
  const bool haplo = eo.require_haplo && !quick_undecided;
  struct Table {
    const uint8_t* bits;
    size_t slot;  // ids offset of the locus's first copy
  };
  std::array<Table, kLocusCount> t{};
  const size_t nq = kLoci > 0 ? kLoci : quick.size(), nr = n_quick_required;
  for (size_t k = 0; k < nq; ++k) {
    t[k] = {kLite ? quick[k].lite : quick[k].bits.data(), 2 * static_cast<size_t>(quick[k].slot)};
  }
  size_t n = 0;
  for (size_t i = begin; i < end; ++i) {
    const uint64_t w = facts[i];
    // Donors matcher::Match scores (UsesMatch): a fallback donor, a
    // relative options.families recognises. Gate decides them.
    if (ByMatch(w, i)) {
      pass[n++] = static_cast<uint32_t>(i);
      continue;
    }
    int fail = -1;
    if (age_gate) {
      fail = age_fail[static_cast<size_t>(std::min(AgeOf(w), kAgeCap) + 1)];
    }
    if (fail < 0 && haplo) {
      const Id* row = ids + i * stride;
      bool typed = true;
      uint32_t zero = 0;
      for (size_t k = 0; k < nq; ++k) {
        const Id* p = row + t[k].slot;
        // A required locus untyped: Gate decides (insufficient typing).
        if (k < nr) typed &= p[0] != 0;
        if constexpr (kLite) {
          // Untyped (id 0, code 0) at a locus that is not required: no
          // information (the 2-bit tables' code 1 for id 0).
          const uint32_t c0 = t[k].bits[p[0]], c1 = t[k].bits[p[1]];
          zero |= static_cast<uint32_t>(kNothingLite >> ((c0 & 7) << 3 | (c1 & 7))) &
                  static_cast<uint32_t>(k < nr || p[0] != 0);
        } else {
          const uint32_t b0 = QuickLocus::Code(t[k].bits, p[0]);
          const uint32_t b1 = QuickLocus::Code(t[k].bits, p[1]);
          zero |= kNothing >> (b0 << 2 | b1);
        }
      }
      if (typed && (zero & 1)) {
        fail = zero_share_fail[static_cast<size_t>(PackedFacts::RelationshipOf(w))];
      }
    }
    if (fail >= 0) {
      ++excluded_by[static_cast<size_t>(fail)];
    } else {
      pass[n++] = static_cast<uint32_t>(i);
    }
  }
  return n;
}

void CompiledQuery::Impl::BuildCells(LocusQuery* q, bool with_match) const {
  const matcher::LocusTyping& rt = recipient->at(q->locus);
  q->r_typed = rt.typed_positions > 0;
  q->slot = store->SlotOf(q->locus);
  if (q->slot < 0) return;
  // Matching needs the recipient typed here; DSA does not (FindDsa: an
  // antigen-level antibody is against any donor locus carrying it, and an
  // untyped recipient locus carries nothing).
  if (!q->r_typed) with_match = false;
  if (!with_match && !antibodies) return;
  const matcher::PositionTyping* er[2];
  ExpressedCopies(rt, er);
  q->r_count = rt.pos[0].all_null() && rt.pos[1].all_null() ? 0 : 2;
  q->r_hom = q->r_count > 0 && er[0]->match_keys() == er[1]->match_keys();
  q->r_phased = rt.phased;
  q->r_sero[0] = er[0]->serology_only();
  q->r_sero[1] = er[1]->serology_only();
  q->r_hap[0] = rt.pos[0].haplotype;
  q->r_hap[1] = rt.pos[1].haplotype;
  const internal::Dictionary& dict = store->dictionary(q->slot);
  q->dict = &dict;
  // The light codes (LiteLocus), where this query has them; the cells
  // unless compiled for the scan only under the light form.
  const bool with_lite = lite && with_match;
  if (!cells_partial) q->cells.resize(dict.size());
  // The rule functions take a PositionTyping: each entry is put back into
  // one reused object, shallow (registry/internal/dictionary.h: no text, no
  // G groups, at most two alleles) unless a rule reads every allele: a null
  // on either side (null grades: whole). The allele-level parts left come
  // from the entry's allele ranges: the grade of copies sharing a P group
  // (GradePositionsWith, each range graded once per recipient copy and
  // remembered: a name such as A*02:01, hundreds of alleles, recurs in
  // thousands of spellings) and the DSA findings (CopyDsaFinder::
  // FindInRanges, from per-antibody prefix sums over the alleles).
  // The leader of a copy (matcher_internal::LeaderOfAlleles on its
  // expressed alleles, nulls dropped unless nothing else): from prefix
  // counts over the locus's alleles, so a range of hundreds costs O(1).
  std::vector<uint32_t> leader_m, leader_t, leader_other;  // expressed
  data::AlleleId leader_base = 0;
  if (q->leader) {
    const data::LocusInfo* info = ref->FindLocus(Locus::kB);
    const data::ProteinTable* proteins = ref->proteins();
    if (info != nullptr && proteins != nullptr) {
      leader_base = info->begin;
      const size_t n = info->end - info->begin;
      leader_m.assign(n + 1, 0);
      leader_t.assign(n + 1, 0);
      leader_other.assign(n + 1, 0);
      for (size_t a = 0; a < n; ++a) {
        const data::AlleleId id = static_cast<data::AlleleId>(info->begin + a);
        const bool expressed = !ref->allele(id).is_null();
        const char l = matcher_internal::LeaderLetter(proteins->Of(id).leader);
        leader_m[a + 1] = leader_m[a] + (expressed && l == 'M');
        leader_t[a + 1] = leader_t[a] + (expressed && l == 'T');
        leader_other[a + 1] = leader_other[a] + (expressed && l == 'X');
      }
    }
  }
  auto LeaderCodeOf = [&](const matcher::PositionTyping& d, bool whole,
                          absl::Span<const uint32_t> ranges) -> uint8_t {
    if (leader_m.empty() || d.placeholder) return kLeaderX;
    uint32_t m = 0, t = 0, other = 0;
    auto add = [&](uint32_t begin, uint32_t end) {
      if (begin < leader_base || end < begin ||
          end - leader_base >= leader_m.size()) {
        other += end - begin;  // not HLA-B: cannot happen in a B slot
        return;
      }
      const size_t b = begin - leader_base, e = end - leader_base;
      m += leader_m[e] - leader_m[b];
      t += leader_t[e] - leader_t[b];
      other += leader_other[e] - leader_other[b];
    };
    if (whole) {
      for (data::AlleleId a : d.alleles) add(a, a + 1);
    } else {
      for (size_t k = 0; k + 1 < ranges.size(); k += 2) add(ranges[k], ranges[k + 1]);
    }
    if (other == 0 && m > 0 && t == 0) return kLeaderM;
    if (other == 0 && t > 0 && m == 0) return kLeaderT;
    return kLeaderX;
  };
  const bool r_null = rt.pos[0].all_null() || rt.pos[1].all_null();
  const bool dsa_here = dsa_finder != nullptr && dsa_finder->AnyAt(q->locus);
  matcher::PositionTyping scratch;
  std::array<absl::flat_hash_map<uint64_t, matcher_internal::AlleleLevel>, 2>
      memo;
  auto range_level = [&](int i, uint32_t begin, uint32_t end) {
    const uint64_t key = uint64_t{begin} << 32 | end;
    auto it = memo[i].find(key);
    if (it != memo[i].end()) return it->second;
    const matcher::PositionTyping& r = rt.pos[i];
    matcher_internal::AlleleLevel level;
    level.sequence = matcher_internal::BestSequenceGrade(
        ref->alleles(), r.alleles, ref->Range(begin, end));
    for (uint32_t a = begin; a < end && !level.g_shared; ++a) {
      const data::GroupId g = matcher_internal::ExpressedGGroup(ref->allele(a));
      level.g_shared = g != data::kNone &&
                       std::binary_search(r.g_groups().begin(),
                                          r.g_groups().end(), g);
    }
    memo[i].emplace(key, level);
    return level;
  };
  // Most entries of a registry share no match key with the recipient: for
  // those the rule functions' answers follow from the dictionary's fields
  // alone, without putting the entry back together (disjoint_cell). Only
  // where every rule below takes that branch: no null, no serology or
  // unnamed typing on either side, no leader key, no antibodies here.
  const bool r_plain = with_match && !r_null && !q->leader && !dsa_here &&
                       rt.pos[0].typed() && rt.pos[1].typed() &&
                       !rt.pos[0].unnamed && !rt.pos[1].unnamed &&
                       !rt.pos[0].serology_only() && !rt.pos[1].serology_only();
  // AntigenMatch of a single-antigen serology set against recipient copy
  // i, by antigen: 0 not yet known, 1 false, 2 true.
  std::array<std::vector<uint8_t>, 2> antigen_memo;
  if (r_plain) {
    for (auto& m : antigen_memo) m.assign(ref->antigens().size(), 0);
  }
  auto serology_relates = [&](int i, absl::Span<const uint32_t> d_serology) {
    const absl::Span<const data::AntigenId> r_serology = er[i]->serology();
    if (d_serology.size() != 1 || d_serology[0] >= antigen_memo[i].size()) {
      return matcher_internal::GradeSerology(ref->antigens(), r_serology, d_serology) >
             matcher::MatchGrade::kMismatch;
    }
    uint8_t& known = antigen_memo[i][d_serology[0]];
    if (known == 0) {
      known = matcher_internal::GradeSerology(ref->antigens(), r_serology, d_serology) >
                      matcher::MatchGrade::kMismatch
                  ? 2
                  : 1;
    }
    return known == 2;
  };
  // The cell of an entry that is typed, expressed, neither serology nor
  // unnamed and shares no match key with either recipient copy, against a
  // recipient as r_plain says: what the loop below computes for it, rule by
  // rule. GradePositionsWith: no expressed key in common and neither side
  // serology -> kMismatch. ConfidenceOf: no key in common -> kMismatch.
  // Both match bits 0. AntigenMatch: no allele match -> GradeSerology of
  // the serological equivalents. TCE: the single group, else 0. Returns
  // false (and leaves the cell) when the entry is not such an entry.
  auto disjoint_cell = [&](uint32_t id, Cell* c) {
    const uint32_t f = dict.flags(id);
    if (id == 0 || (f & (internal::Dictionary::kAllNull | internal::Dictionary::kUnnamed)) ||
        dict.serology_only(id) || dict.allele_ranges(id).empty()) {
      return false;
    }
    const absl::Span<const uint32_t> keys = dict.match_keys(id);
    for (int i = 0; i < 2; ++i) {
      if (matcher_internal::SortedIntersect<uint32_t>(rt.pos[i].match_keys(), keys)) {
        return false;
      }
    }
    for (int i = 0; i < 2; ++i) {
      c->grade[i] = matcher::MatchGrade::kMismatch;
      c->confidence[i] = matcher::MatchConfidence::kMismatch;
      c->antigen |= static_cast<uint8_t>(serology_relates(i, dict.serology(id)) << i);
    }
    const absl::Span<const uint32_t> tce = dict.tce_groups(id);
    c->tce = tce.size() == 1 ? static_cast<uint8_t>(tce[0]) : 0;
    return true;
  };
  // The light codes (LiteLocus) from the dictionary's fields: the match
  // bits as the loop below sets Cell::match (the entry's match keys against
  // each expressed and each written recipient copy), null, serology and
  // TCE group as it reads them from the materialised entry. Tests hold the
  // two equal on every entry.
  const bool tce_here = q->locus == Locus::kDPB1 && tce_index >= 0;
  // The per-copy part of FindDsa as Cell::misc's bits: one copy at a time
  // gives the same findings as the whole genotype. (A whole entry holds
  // its alleles; the others give their ranges.)
  auto dsa_bits = [&](const matcher::PositionTyping& d, bool whole,
                      absl::Span<const uint32_t> ranges) {
    uint8_t bits = 0;
    for (const eligibility::DsaFinding& f :
         whole ? dsa_finder->Find(q->locus, d) : dsa_finder->FindInRanges(q->locus, d, ranges)) {
      bits |= f.at_or_above_threshold ? DsaBitOf(f.kind) : kDsaBelow;
    }
    return bits;
  };
  auto lite_code = [&](uint32_t id) {
    const absl::Span<const uint32_t> keys = dict.match_keys(id);
    uint32_t match = 0;
    for (int i = 0; i < 2; ++i) {
      match |= uint32_t{matcher_internal::SortedIntersect<uint32_t>(er[i]->match_keys(), keys)} << i;
      match |= uint32_t{matcher_internal::SortedIntersect<uint32_t>(rt.pos[i].match_keys(), keys)}
               << (2 + i);
    }
    const absl::Span<const uint32_t> tce = dict.tce_groups(id);
    return LiteCodeOf(match, dict.all_null(id), dict.serology_only(id),
                      tce.size() == 1 ? tce[0] : 0, tce_here);
  };
  if (with_lite) q->lite.resize(dict.size());
  if (lite && dsa_here) q->dsa.resize(dict.size());
  if (cells_partial && !with_lite && !dsa_here) return;
  for (size_t t = 0; t < dict.size(); ++t) {
    // A dictionary entry costs microseconds (more with many antibodies):
    // the deadline is looked at every 4,096 of them.
    if (t % 4096 == 4095 && absl::Now() > options.deadline) {
      past_deadline = true;
      return;
    }
    const uint32_t id = static_cast<uint32_t>(t);
    if (with_lite) q->lite[t] = lite_code(id);
    // Scan only (cells_partial): no cells, the DSA bits alone.
    if (cells_partial ? !(dsa_here && t > 0) : r_plain && disjoint_cell(id, &q->cells[t])) {
      continue;
    }
    const bool whole = r_null || dict.all_null(id);
    if (whole) {
      dict.Materialize(*ref, id, &scratch);
    } else {
      dict.MaterializeShallow(id, &scratch);
    }
    const absl::Span<const uint32_t> ranges = dict.allele_ranges(id);
    if (cells_partial) {
      q->dsa[t] = dsa_bits(scratch, whole, ranges);
      continue;
    }
    auto grade = [&](int i) {
      if (whole) return GradePositions(*ref, rt.pos[i], scratch);
      return matcher_internal::GradePositionsWith(
          ref->alleles(), ref->antigens(), rt.pos[i], scratch,
          [&](bool need_sequence) {
            matcher_internal::AlleleLevel level;
            for (size_t k = 0; k < ranges.size(); k += 2) {
              const matcher_internal::AlleleLevel part =
                  range_level(i, ranges[k], ranges[k + 1]);
              if (need_sequence && part.sequence > level.sequence) {
                level.sequence = part.sequence;
              }
              level.g_shared |= part.g_shared;
            }
            return level;
          });
    };
    const matcher::PositionTyping& d = scratch;
    Cell& c = q->cells[t];
    c.misc = (d.all_null() ? kAllNull : 0) | (d.serology_only() ? kSerology : 0);
    if (with_match) {
      for (int i = 0; i < 2; ++i) {
        c.grade[i] = grade(i);
        const bool m = Intersect(er[i]->match_keys(), d.match_keys());
        c.match |= static_cast<uint8_t>(m << i);
        c.confidence[i] = ConfidenceOf(*er[i], d, false);
        c.antigen |= static_cast<uint8_t>(
            AntigenMatch(ref->antigens(), *er[i], d, m) << i);
        c.match |= static_cast<uint8_t>(
            Intersect(rt.pos[i].match_keys(), d.match_keys()) << (2 + i));
      }
      c.tce = q->leader ? LeaderCodeOf(d, whole, ranges)
              : d.tce_groups().size() == 1 ? d.tce_groups()[0] : 0;
    }
    if (dsa_here && t > 0) {
      c.misc |= dsa_bits(d, whole, ranges);
      if (lite) q->dsa[t] = c.misc & kDsaBits;
    }
  }
}

template <bool kGate, typename Id>
void CompiledQuery::Impl::EvalLocus(const LocusQuery& q, const Id* ids,
                                    FastLocus* out) const {
  FastLocus& f = *out;
  f = FastLocus();
  if (!q.r_typed || q.slot < 0) return;
  const uint32_t t0 = ids[2 * q.slot];
  if (t0 == 0) return;
  const uint32_t t1 = ids[2 * q.slot + 1];
  f.scored = true;
  const Cell& c0 = q.cells[t0];
  const Cell& c1 = q.cells[t1];
  const bool n0 = c0.misc & kAllNull, n1 = c1.misc & kAllNull;
  const int d_count = n0 && n1 ? 0 : 2;
  const std::pair<uint32_t, uint32_t> e_ids = AsExpressed(n0, n1, t0, t1);
  const uint32_t e0_id = e_ids.first, e1_id = e_ids.second;
  const Cell& e0 = q.cells[e0_id];
  const Cell& e1 = q.cells[e1_id];
  // m[i][j]: expressed recipient copy i vs expressed donor copy j. (As
  // 32-bit values: GCC 12 spilled the bools as bytes and reloaded one as a
  // word, a store-forwarding stall on which perf put a quarter of RunIds's
  // samples.)
  const uint32_t a0 = e0.match, a1 = e1.match;
  const uint32_t m00 = a0 & 1, m10 = a0 >> 1 & 1;
  const uint32_t m01 = a1 & 1, m11 = a1 >> 1 & 1;
  const Pairings pairings = PairingsOf(a0, a1);
  const int direct = pairings.direct, cross = pairings.cross;
  if constexpr (kGate) {
    // With no serology copy on either side the antigen level is 0 for
    // either pairing, so the pairing decides nothing the gate reads
    // unless the leader or probability key looks at it.
    if (!q.leader && scorer == nullptr && !q.r_sero[0] && !q.r_sero[1] &&
        ((e0.misc | e1.misc) & kSerology) == 0) {
      f.matches = static_cast<int8_t>(std::max(direct, cross));
      return;
    }
  }
  const matcher::MatchGrade gd0 = c0.grade[0], gd1 = c1.grade[1];
  const matcher::MatchGrade gc0 = c1.grade[0], gc1 = c0.grade[1];
  f.crossed = cross != direct ? cross > direct
                              : GradesBetter(gc0, gc1, gd0, gd1);
  const Cell& x0 = f.crossed ? e1 : e0;  // donor copy paired with r0
  const Cell& x1 = f.crossed ? e0 : e1;  // ... with r1
  // A shared key where a side was typed by serology is an antigen-level
  // match, not an allele match (matcher::Match does the same).
  const bool p0 = f.crossed ? m01 : m00, p1 = f.crossed ? m10 : m11;
  const int level =
      int{p0 && (q.r_sero[0] || (x0.misc & kSerology) != 0)} +
      int{p1 && (q.r_sero[1] || (x1.misc & kSerology) != 0)};
  f.antigen_level = static_cast<int8_t>(level);
  f.matches = static_cast<int8_t>(std::max(direct, cross) - level);
  f.confidence = std::min(x0.confidence[0], x1.confidence[1]);
  f.potential = x0.confidence[0] == matcher::MatchConfidence::kPotential ||
                x1.confidence[1] == matcher::MatchConfidence::kPotential;
  if (q.leader) {
    auto letter = [](uint8_t code) {
      return code == kLeaderM ? 'M' : code == kLeaderT ? 'T' : 'X';
    };
    const char d[2] = {letter(x0.tce), letter(x1.tce)};
    f.leader = static_cast<int8_t>(matcher_internal::LeaderRankKeyOfPairs(
        q.r_leader_genotype, q.r_leader, d, p0, p1));
  }
  if constexpr (kGate) return;
  const matcher::MatchGrade g0 = f.crossed ? gc0 : gd0, g1 = f.crossed ? gc1 : gd1;
  f.grade = std::min(g0, g1);
  f.antigen_matches =
      static_cast<int8_t>((x0.antigen & 1) + (x1.antigen >> 1 & 1));
  const int hc = options.match.homozygous_mismatch_count;
  if (q.r_count > 0) {
    const bool u0 = d_count == 0 || !(m00 || m01);
    const bool u1 = d_count == 0 || !(m10 || m11);
    f.gvh = static_cast<int8_t>(q.r_hom ? (u0 ? hc : 0) : int{u0} + int{u1});
  }
  if (d_count > 0) {
    const bool u0 = q.r_count == 0 || !(m00 || m10);
    const bool u1 = q.r_count == 0 || !(m01 || m11);
    // Equal keysets give u0 == u1, so homozygosity decides only when both
    // copies are unmatched: the keysets are read then, not carried in the
    // cells.
    const bool d_hom =
        u0 && u1 &&
        q.dict->keyset(e0_id) == q.dict->keyset(e1_id);
    f.hvg = static_cast<int8_t>(d_hom ? hc : int{u0} + int{u1});
  }
}

void CompiledQuery::Impl::RunSlow(size_t donor, FastResult* out) const {
  out->fallback = true;
  absl::StatusOr<eligibility::DonorReport> scored = eligibility::ScoreDonor(
      *slow_context, store->FactsOf(donor), store->GenotypeOf(donor));
  if (!scored.ok()) return;  // options were validated in Compile
  const matcher::MatchReport& report = scored->report;
  const eligibility::Eligibility& e = scored->eligibility;
  for (const matcher::LocusMatch& lm : report.loci) {
    FastLocus& f = out->loci[static_cast<int>(lm.locus)];
    f.scored = lm.scored;
    f.matches = static_cast<int8_t>(lm.matches);
    f.antigen_level = static_cast<int8_t>(lm.antigen_level_matches);
    f.gvh = static_cast<int8_t>(lm.gvh_mismatches);
    f.hvg = static_cast<int8_t>(lm.hvg_mismatches);
    f.antigen_matches = static_cast<int8_t>(lm.antigen_matches);
    f.grade = lm.grade;
    f.confidence = lm.confidence;
    f.crossed = lm.crossed;
    f.potential = false;
    for (const matcher::PositionMatch& pm : lm.positions) {
      f.potential = f.potential || pm.confidence == matcher::MatchConfidence::kPotential;
    }
  }
  out->totals = report.totals;
  out->verdict = report.haplo.verdict;
  out->has_tce = report.tce.has_value();
  out->tce = report.tce ? report.tce->category : matcher::TceCategory::kNotScored;
  out->findings = e.findings;
  out->status = e.status;
  out->age = e.age ? *e.age : -1;
  out->key = KeyFromReport(options.rank_by, scored->facts, report, e,
                           options.recipient,
                           scored->probability ? &*scored->probability : nullptr);
}

int CompiledQuery::Impl::Run(size_t donor, bool gate_only,
                             FastResult* out) const {
  const uint64_t w = store->facts_word(donor);
  const size_t row = donor * store->stride();
  if (gate_only) {
    return store->wide_ids() ? RunIds<true>(store->ids32() + row, w, donor, out)
                             : RunIds<true>(store->ids16() + row, w, donor, out);
  }
  return store->wide_ids() ? RunIds<false>(store->ids32() + row, w, donor, out)
                           : RunIds<false>(store->ids16() + row, w, donor, out);
}

template <bool kGate, typename Id>
int CompiledQuery::Impl::RunIds(const Id* ids, uint64_t w, size_t donor,
                                FastResult* out) const {
  // Age first: its findings come first in the gates' order, so when they
  // exclude, nothing later can change the first failing gate.
  const int age = AgeOf(w);
  out->age = age;
  eligibility::Findings findings = AgeFindings(age);
  if constexpr (kGate) {
    const int fail = FirstFail(findings);
    if (fail >= 0) return fail;
  }
  // Loci.
  LociOutcome o;
  for (int r : required) {
    const LocusQuery& q = loci[r];
    if (!q.r_typed || q.slot < 0 || ids[2 * q.slot] == 0) {
      o.missing = true;
    }
  }
  matcher::MatchTotals t;
  // The recipient's '~' phase: could the donor carry haplotype 0 or 1
  // whole over the loci the verdict uses (matcher_internal::LocusMayCarry)?
  bool phased = r_phased, carry[2] = {true, true};
  for (size_t k = 0; k < loci.size(); ++k) {
    const LocusQuery& q = loci[k];
    FastLocus& f = out->loci[static_cast<int>(q.locus)];
    EvalLocus<kGate>(q, ids, &f);
    if (k < n_haplo && f.scored) {
      o.any_scored = true;
      const int shared = f.matches + f.antigen_level;
      if (shared == 0) o.none_shared = true;
      if (shared == 1) o.one_shared = true;
      if (phased) {
        phased = q.r_phased;
        const uint8_t shares =
            (q.cells[ids[2 * q.slot]].match |
             q.cells[ids[2 * q.slot + 1]].match) >> 2;
        for (int h = 0; h < 2; ++h) {
          carry[h] = carry[h] && matcher_internal::LocusMayCarry(
                                     shares & 1, shares >> 1 & 1,
                                     q.r_hap[0], q.r_hap[1], h);
        }
      }
    }
    if (k >= n_listed || !matcher::CountsInTotals(q.locus, f.scored)) continue;
    // (The gate's loci leave GvH, HvG and antigen matches at 0, so only
    // the matches of these totals are right under kGate: the key's.)
    matcher::AddToTotals(f.scored, f.matches, f.antigen_level, f.gvh, f.hvg,
                         f.antigen_matches, &t);
  }
  out->totals = t;
  o.matches = t.matches;
  // Scanned donors are never phased (phased ones are fallback donors), so
  // phase can only be on the recipient's side.
  o.phase = !phased || !o.any_scored ? matcher_internal::PhaseEvidence::kNone
            : carry[0] || carry[1]   ? matcher_internal::PhaseEvidence::kCarried
                                     : matcher_internal::PhaseEvidence::kNotCarried;
  ScanTce(ids, out);
  o.has_tce = out->has_tce;
  o.tce = out->tce;
  // DSA: the cells hold what eligibility::FindDsaForCopy says of each
  // donor copy; the per-antibody part needs the loci the donor is typed at.
  findings |= dsa_constant;
  if (antibodies) findings |= ScanDsa(ids);
  Decision d = Decide<false>(w, age, findings, o);
  out->verdict = d.verdict;
  out->findings = d.findings;
  out->status = d.status;
  // The leader and probability fields, as Parts's v[9] and v[11].
  d.key |= Field(9, b_index >= 0
                        ? static_cast<uint32_t>(out->loci[static_cast<int>(Locus::kB)].leader)
                        : 4);
  if (scorer != nullptr && (d.fail < 0 || !kGate)) {
    d.key |= Field(11, ProbabilityKey(donor, *out));
  }
  out->key = d.key;
  return d.fail;
}

CompiledQuery::Impl::VerdictPart CompiledQuery::Impl::VerdictOf(
    const LociOutcome& o, matcher::Relationship rel) const {
  VerdictPart v;
  v.verdict = matcher_internal::HaploVerdictRule(
      o.missing, o.any_scored, o.none_shared, !o.one_shared, rel, o.phase,
      /*phase_on_both_sides=*/false);
  // Match reports a stated parent or child who is not haploidentical as
  // inconsistent with the relationship.
  v.findings = eligibility::HaploFindings(
      v.verdict, rel,
      v.verdict == matcher::HaploVerdict::kNotHaploidentical && IsParentOrChild(rel));
  v.key = Field(1, Parts(eligibility::Status::kEligible, 0, v.verdict, -1, eligibility::Sex::kUnknown,
                         rel, std::nullopt, eligibility::Cmv::kUnknown,
                         eligibility::Cmv::kUnknown, 0, false, matcher::TceCategory::kNotScored)
                       .v[1]);
  return v;
}

CompiledQuery::Impl::FactsPart CompiledQuery::Impl::FactsOf(uint64_t w) const {
  FactsPart f;
  // ABO, CMV, sex: the same rule functions as Evaluate.
  std::optional<eligibility::AboMatch> abo;
  f.findings = eligibility::AboFindings(r_abo, PackedFacts::BloodGroupOf(w), &abo);
  const eligibility::Cmv rc = options.recipient.cmv, dc = PackedFacts::CmvOf(w);
  f.findings |= eligibility::CmvFindings(rc, dc);
  const eligibility::Sex ds = PackedFacts::SexOf(w);
  f.findings |= eligibility::SexFindings(options.recipient.sex, ds);
  // The key's fields of these facts, as Parts sets them.
  const KeyParts p = Parts(eligibility::Status::kEligible, 0, matcher::HaploVerdict::kInsufficientTyping,
                           -1, ds, PackedFacts::RelationshipOf(w), abo, rc, dc, 0, false,
                           matcher::TceCategory::kNotScored);
  for (int i : {3, 4, 5, 6}) f.key |= Field(i, p.v[i]);
  return f;
}

uint64_t CompiledQuery::Impl::RestKey(eligibility::Status status,
                                      eligibility::Findings findings, int age,
                                      int matches, bool has_tce,
                                      matcher::TceCategory tce) const {
  const KeyParts p = Parts(status, findings, matcher::HaploVerdict::kInsufficientTyping, age,
                           eligibility::Sex::kUnknown, matcher::Relationship::kUnknown,
                           std::nullopt, eligibility::Cmv::kUnknown, eligibility::Cmv::kUnknown,
                           matches, has_tce, tce);
  uint64_t key = p.status != 0 ? status_key : 0;
  for (int i : {0, 2, 7, 8}) key |= Field(i, p.v[i]);
  return key;
}

template <bool kTables>
CompiledQuery::Impl::Decision CompiledQuery::Impl::Decide(
    uint64_t w, int age, eligibility::Findings findings, const LociOutcome& o) const {
  Decision d;
  const matcher::Relationship rel = PackedFacts::RelationshipOf(w);
  const VerdictPart v = kTables ? verdict_table[VerdictIndex(o, rel)] : VerdictOf(o, rel);
  const FactsPart f = kTables ? facts_table[FactsIndex(w)] : FactsOf(w);
  findings |= v.findings | f.findings;
  d.verdict = v.verdict;
  d.findings = findings;
  d.status = eligibility::StatusOf(findings, masks);
  d.fail = FirstFail(findings);
  d.key = v.key | f.key;
  if constexpr (kTables) {
    // RestKey, a field at a time from its tables.
    d.key |= (d.status == eligibility::Status::kNeedsReview ? status_key : 0) |
             (eligibility::Has(findings, eligibility::Reason::kDsa) ? dsa_key : 0) |
             age_key[static_cast<size_t>(std::min(age, kAgeCap) + 1)] |
             matches_key[static_cast<size_t>(std::clamp(o.matches, 0, 31))] |
             tce_key[o.has_tce ? 1 + static_cast<size_t>(o.tce) : 0];
  } else {
    d.key |= RestKey(d.status, findings, age, o.matches, o.has_tce, o.tce);
  }
  if (want_kir) d.key |= Field(10, KirBCode(PackedFacts::KirOf(w)));
  return d;
}

// VerdictIndex's widths: two bits of phase evidence, three of relationship
// (PackedFacts's).
static_assert(static_cast<int>(matcher_internal::PhaseEvidence::kNotCarried) < 4, "");
static_assert(static_cast<int>(matcher::Relationship::kUnrelated) < 8, "");

void CompiledQuery::Impl::BuildDecideTables() {
  verdict_table.resize(512);
  for (size_t i = 0; i < verdict_table.size(); ++i) {
    LociOutcome o;
    o.missing = i & 1;
    o.any_scored = i >> 1 & 1;
    o.none_shared = i >> 2 & 1;
    o.one_shared = i >> 3 & 1;
    const size_t phase = i >> 4 & 3, rel = i >> 6 & 7;
    // Phase evidence has three values, relationships seven.
    if (phase > static_cast<size_t>(matcher_internal::PhaseEvidence::kNotCarried) ||
        rel > static_cast<size_t>(matcher::Relationship::kUnrelated)) {
      continue;
    }
    o.phase = static_cast<matcher_internal::PhaseEvidence>(phase);
    verdict_table[i] = VerdictOf(o, static_cast<matcher::Relationship>(rel));
  }
  facts_table.resize(4096);
  for (size_t c = 0; c < facts_table.size(); ++c) {
    const uint64_t w = uint64_t{c} << PackedFacts::kSexShift;
    // (An age beside the codes: Valid wants a date or an age.)
    if (!PackedFacts::Valid(w | PackedFacts::kFactAge | 30)) continue;
    facts_table[c] = FactsOf(w);
  }
  // RestKey's fields one at a time, each cut out of the key by its mask.
  auto mask = [&](int i) {
    return field_shift[static_cast<size_t>(i)] < 0
               ? uint64_t{0}
               : ((uint64_t{1} << kKeyBits[i]) - 1) << field_shift[static_cast<size_t>(i)];
  };
  const auto ok = eligibility::Status::kEligible;
  const auto none = matcher::TceCategory::kNotScored;
  dsa_key = RestKey(ok, eligibility::Bit(eligibility::Reason::kDsa), -1, 0, false, none) & mask(0);
  for (int age = -1; age <= kAgeCap; ++age) {
    age_key[static_cast<size_t>(age + 1)] = RestKey(ok, 0, age, 0, false, none) & mask(2);
  }
  for (int m = 0; m < 32; ++m) {
    matches_key[static_cast<size_t>(m)] = RestKey(ok, 0, -1, m, false, none) & mask(7);
  }
  tce_key[0] = RestKey(ok, 0, -1, 0, false, none) & mask(8);
  for (int c = 0; c <= static_cast<int>(matcher::TceCategory::kUnknown); ++c) {
    tce_key[static_cast<size_t>(1 + c)] =
        RestKey(ok, 0, -1, 0, true, static_cast<matcher::TceCategory>(c)) & mask(8);
  }
}

template <typename Id>
CompiledQuery::Impl::Lite CompiledQuery::Impl::LiteGate(const Id* row, uint64_t w,
                                                        uint64_t* key, int* fail) const {
  // RunIds<true>'s steps on the light codes.
  const int age = AgeOf(w);
  const eligibility::Findings findings = AgeFindings(age);
  *fail = FirstFail(findings);
  if (*fail >= 0) return Lite::kDecided;
  LociOutcome o;
  uint32_t grades = 0;  // some locus needs its grades (kLiteGrades)
  bool phased = r_phased;
  uint32_t carry = 3;  // bit h: could carry the recipient's haplotype h
  for (const LiteLocus& l : lite_loci) {
    const uint32_t t0 = l.code != nullptr ? row[l.slot] : 0;
    if (t0 == 0) {  // not scored
      o.missing = o.missing || l.required;
      continue;
    }
    const uint32_t c0 = l.code[t0], c1 = l.code[row[l.slot + 1]];
    const uint32_t v = kLitePairs[(c0 & 15) << 4 | (c1 & 15)];
    grades |= v;
    const int m = static_cast<int>(v & 3), shared = m + static_cast<int>(v >> 2 & 3);
    if (l.haplo) {
      o.any_scored = true;
      o.none_shared = o.none_shared || shared == 0;
      o.one_shared = o.one_shared || shared == 1;
      phased = phased && l.phased;
      carry &= l.carry[(c0 | c1) >> 6];
    }
    if (l.in_totals) o.matches += m;
    if (l.tce) {
      o.has_tce = true;
      o.tce = TceOf(m, LiteTce(c0), (c0 & kLiteNull) != 0, LiteTce(c1), (c1 & kLiteNull) != 0);
    }
  }
  if (grades & kLiteGrades) return cells_partial ? Lite::kMatch : Lite::kCells;
  o.phase = !phased || !o.any_scored ? matcher_internal::PhaseEvidence::kNone
            : carry != 0             ? matcher_internal::PhaseEvidence::kCarried
                                     : matcher_internal::PhaseEvidence::kNotCarried;
  // DSA: ScanDsa on the DSA bytes.
  eligibility::Findings dsa = dsa_constant;
  if (antibodies) {
    uint32_t bits = 0;
    for (const LiteDsa& l : lite_dsa) {
      const uint32_t t0 = row[l.slot];
      if (t0 != 0) bits |= l.bits[t0] | l.bits[row[l.slot + 1]];
    }
    dsa |= DsaFindingsOf(bits) | UntypedUnderAntibody(row);
  }
  const Decision d = Decide<true>(w, age, findings | dsa, o);
  *fail = d.fail;
  *key = d.key | Field(9, 4);  // the leader field: not assessed (no leader key here)
  return Lite::kDecided;
}

template <typename Id>
size_t CompiledQuery::Impl::GateBlockIds(const Id* ids, size_t stride,
                                         const uint64_t* facts,
                                         const uint32_t* donors, size_t m,
                                         uint64_t* keys, int* fails,
                                         GateCounts* counts) const {
  GateCounts c;
  // Without the light form, each donor's cells are requested kAhead
  // donors before it is gated (PrefetchIds), so their cache misses overlap.
  // The order donors are gated in does not change any result.
  constexpr size_t kAhead = 16;
  auto prefetch = [&](size_t k) {
    if (lite || k >= m || (facts[donors[k]] & PackedFacts::kFactFallback)) return;
    PrefetchIds(ids + donors[k] * stride);
    // The probability key reads the donor's stored imputation: shared runs
    // sit anywhere in the words, one miss a donor that this overlaps.
    if (scorer != nullptr) PrefetchLine(store->imputation_run_start(donors[k]));
  };
  for (size_t k = 0; k < kAhead; ++k) prefetch(k);
  for (size_t k = 0; k < m; ++k) {
    prefetch(k + kAhead);
    const size_t i = donors[k];
    const uint64_t w = facts[i];
    const bool uses_match = ByMatch(w, i);  // matcher::Match scores it
    const Id* row = ids + i * stride;
    const Lite how = uses_match ? Lite::kMatch
                     : lite     ? LiteGate(row, w, &keys[k], &fails[k])
                                : Lite::kCells;
    c.grades += !uses_match && lite && how != Lite::kDecided;
    if (how == Lite::kDecided) {
      ++c.light;
    } else if (how == Lite::kCells) {
      ++c.cells;
      FastResult r;
      fails[k] = RunIds<true>(row, w, i, &r);
      keys[k] = r.key;
    } else {
      c.uses_match += uses_match;
      ++c.match;
      FastResult r;
      RunSlow(i, &r);
      fails[k] = FirstFail(r.findings);
      keys[k] = r.key;
    }
  }
  if (counts != nullptr) {
    counts->light += c.light;
    counts->grades += c.grades;
    counts->cells += c.cells;
    counts->match += c.match;
    counts->uses_match += c.uses_match;
  }
  return c.uses_match;
}

uint32_t CompiledQuery::Impl::ProbabilityKey(size_t donor, const FastResult& r) const {
  size_t count;
  const uint16_t* words = store->imputation_words(donor, &count);
  internal::StoredImputation d;
  internal::DecodeImputation(words, count, &d);
  if (!d.imputed()) return ProbabilityCode(false, 0, 0);
  // Imputer::CertainCounts from the scan's loci: scored, and no position's
  // match only potential.
  std::array<int, data::kHaplotypeLoci> certain;
  for (int l = 0; l < data::kHaplotypeLoci; ++l) {
    const FastLocus& f = r.loci[static_cast<int>(impute::kLoci[l])];
    certain[l] = f.scored && !f.potential &&
                         f.confidence != matcher::MatchConfidence::kPotential
                     ? f.matches
                     : -1;
  }
  const impute::TopMatchScorer::Result p =
      scorer->Score(d.pairs, d.n, d.explained(), d.outside(), certain);
  return ProbabilityCode(p.available, p.p10, p.p9_or_more);
}

template <typename Id>
void CompiledQuery::Impl::ScanTce(const Id* ids, FastResult* out) const {
  out->has_tce = false;
  out->tce = matcher::TceCategory::kNotScored;
  if (tce_index >= 0) {
    const LocusQuery& q = loci[tce_index];
    const FastLocus& f = out->loci[static_cast<int>(Locus::kDPB1)];
    if (q.r_typed && f.scored) {
      const Cell& c0 = q.cells[ids[2 * q.slot]];
      const Cell& c1 = q.cells[ids[2 * q.slot + 1]];
      out->has_tce = true;
      out->tce = TceOf(f.matches, c0.tce, (c0.misc & kAllNull) != 0, c1.tce,
                       (c1.misc & kAllNull) != 0);
    }
  }
}

matcher::TceCategory CompiledQuery::Impl::TceOf(int matches, uint32_t tce0, bool n0,
                                                uint32_t tce1, bool n1) const {
  if (matches == 2) return matcher::TceCategory::kMatch;
  if (!ref->has_tce()) return matcher::TceCategory::kUnknown;
  int dg = 0;
  if (!(n0 && n1)) {
    const std::pair<uint32_t, uint32_t> e = AsExpressed(n0, n1, tce0, tce1);
    dg = e.first == 0 || e.second == 0 ? 0 : static_cast<int>(std::min(e.first, e.second));
  }
  return matcher_internal::TceCategoryOf(r_tce_group, dg);
}

template <typename Id>
eligibility::Findings CompiledQuery::Impl::ScanDsa(const Id* ids) const {
  uint32_t bits = 0;
  for (const LocusQuery* dq : dsa_loci) {
    const LocusQuery& q = *dq;
    if (q.cells.empty()) continue;
    const uint32_t t0 = ids[2 * q.slot];
    if (t0 == 0) continue;
    bits |= q.cells[t0].misc | q.cells[ids[2 * q.slot + 1]].misc;
  }
  return DsaFindingsOf(bits) | UntypedUnderAntibody(ids);
}

eligibility::Findings CompiledQuery::Impl::DsaFindingsOf(uint32_t m) {
  using eligibility::Bit;
  using eligibility::Reason;
  eligibility::Findings f = 0;
  if (m & kDsaDefinite) f |= Bit(Reason::kDsa);
  if (m & kDsaPossible) f |= Bit(Reason::kDsaPossible);
  if (m & kDsaUncheckable) f |= Bit(Reason::kDsaUncheckable);
  if (m & kDsaSelf) f |= Bit(Reason::kSelfAntibody);
  if (m & kDsaBelow) f |= Bit(Reason::kAntibodyBelowThreshold);
  return f;
}

template <typename Id>
eligibility::Findings CompiledQuery::Impl::UntypedUnderAntibody(const Id* ids) const {
  if (antibody_loci.empty()) return 0;
  uint32_t typed = 0;
  for (Locus l : store->loci()) {
    const int slot = store->SlotOf(l);
    if (ids[2 * slot] != 0) {
      typed |= uint32_t{1} << static_cast<int>(l);
    }
  }
  for (uint32_t need : antibody_loci) {
    if (need & ~typed) return eligibility::Bit(eligibility::Reason::kDsaUntypedLocus);
  }
  return 0;
}

CompiledQuery::CompiledQuery(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
CompiledQuery::~CompiledQuery() = default;

bool CompiledQuery::AllSlow() const { return impl_->all_slow; }


bool CompiledQuery::UsesMatch(size_t donor) const {
  return impl_->all_slow || impl_->ByMatch(impl_->store->facts_word(donor), donor);
}

size_t CompiledQuery::family_donors() const { return impl_->family_of.size(); }

void CompiledQuery::Impl::PlanLoci(const matcher::MatchOptions& mo) {
  bool listed[kLocusCount] = {};
  for (Locus l : mo.loci) {
    LocusQuery q;
    q.locus = l;
    loci.push_back(std::move(q));
    listed[static_cast<int>(l)] = true;
  }
  n_listed = loci.size();
  for (Locus l : mo.haplo_required_loci) {
    if (listed[static_cast<int>(l)]) continue;
    LocusQuery q;
    q.locus = l;
    loci.push_back(std::move(q));
    listed[static_cast<int>(l)] = true;
  }
  n_haplo = loci.size();
  if (mo.score_dpb1_tce) {
    if (!listed[static_cast<int>(Locus::kDPB1)]) {
      LocusQuery q;
      q.locus = Locus::kDPB1;
      loci.push_back(std::move(q));
    }
    for (size_t k = 0; k < loci.size(); ++k) {
      if (loci[k].locus == Locus::kDPB1) tce_index = static_cast<int>(k);
    }
  }
  for (Locus l : mo.haplo_required_loci) {
    for (size_t k = 0; k < n_haplo; ++k) {
      if (loci[k].locus == l) required.push_back(static_cast<int>(k));
    }
  }
}

void CompiledQuery::Impl::BuildQuick() {
  for (size_t k = 0; k < n_haplo; ++k) {
    const LocusQuery& q = loci[k];
    QuickLocus ql;
    ql.required = std::find(required.begin(), required.end(),
                            static_cast<int>(k)) != required.end();
    // From the light codes when the query has them (the cells may not be
    // there), else from the cells.
    const size_t n = lite ? q.lite.size() : q.cells.size();
    if (!(q.r_typed && q.slot >= 0 && n > 0)) {
      // Unusable: a required locus leaves the verdict to Gate; another
      // one decides nothing.
      if (ql.required) quick_undecided = true;
      continue;
    }
    ql.slot = q.slot;
    if (lite) {
      ql.lite = q.lite.data();  // (QuickBlockN<kLite>)
    } else {
      ql.bits.assign((n + 3) / 4, 0);
      for (size_t t = 0; t < n; ++t) {
        const bool shares = (q.cells[t].match & 3) != 0;
        const bool null = (q.cells[t].misc & kAllNull) != 0;
        // Untyped at a locus that is not required: no information.
        const bool no_information = t == 0 && !ql.required;
        const uint32_t v = no_information ? 1 : uint32_t{shares} | uint32_t{null} << 1;
        ql.bits[t >> 2] = static_cast<uint8_t>(ql.bits[t >> 2] | v << (2 * (t & 3)));
      }
    }
    quick.push_back(std::move(ql));
  }
  // Required loci first: a missing one decides before any zero share.
  n_quick_required = static_cast<size_t>(
      std::stable_partition(quick.begin(), quick.end(),
                            [](const QuickLocus& q) { return q.required; }) -
      quick.begin());
}

bool CompiledQuery::Impl::LiteAllowed() const {
  // The light form reads only a locus's matches (and DPB1's TCE groups)
  // and each copy's DSA bits: anything else the key or the findings read
  // per locus needs the cells, and so does a recipient copy typed by
  // serology (the pairing decides an antigen-level match).
  if (all_slow || scorer != nullptr || b_index >= 0) return false;
  for (const LocusQuery& q : loci) {
    if (q.leader) return false;
    const matcher::LocusTyping& rt = recipient->at(q.locus);
    if (rt.typed_positions == 0 || store->SlotOf(q.locus) < 0) continue;
    const matcher::PositionTyping* er[2];
    ExpressedCopies(rt, er);
    if (er[0]->serology_only() || er[1]->serology_only()) return false;
  }
  // Two bits hold a TCE group: V2's are 1-3 ("2a" counts as 2, as
  // matcher/genotype.cc reads them); a table with others takes the cells.
  if (tce_index >= 0) {
    for (const data::TceAssignment& t : ref->tce()) {
      const absl::string_view g = t.v2.group;
      if (!g.empty() && g[0] >= '4' && g[0] <= '9') return false;
    }
  }
  return true;
}

void CompiledQuery::Impl::BuildLite() {
  if (!lite) return;
  BuildDecideTables();
  for (size_t k = 0; k < loci.size(); ++k) {
    const LocusQuery& q = loci[k];
    LiteLocus l;
    l.required = std::find(required.begin(), required.end(), static_cast<int>(k)) !=
                 required.end();
    l.haplo = k < n_haplo;
    l.in_totals = k < n_listed && matcher::CountsInTotals(q.locus, /*scored=*/true);
    l.tce = static_cast<int>(k) == tce_index;
    l.phased = q.r_phased;
    for (uint32_t shares = 0; shares < 4; ++shares) {
      for (int h = 0; h < 2; ++h) {
        if (matcher_internal::LocusMayCarry(shares & 1, shares >> 1 & 1, q.r_hap[0],
                                            q.r_hap[1], h)) {
          l.carry[shares] = static_cast<uint8_t>(l.carry[shares] | 1 << h);
        }
      }
    }
    // EvalLocus scores the locus only when the recipient is typed there
    // and the store has it (BuildCells then made its light codes).
    if (q.r_typed && q.slot >= 0) {
      l.code = q.lite.data();
      l.slot = 2 * static_cast<size_t>(q.slot);
    }
    lite_loci.push_back(l);
  }
  for (const LocusQuery* q : dsa_loci) {
    if (!q->dsa.empty()) lite_dsa.push_back({q->dsa.data(), 2 * static_cast<size_t>(q->slot)});
  }
}

namespace {
absl::Status PastDeadline() {
  return absl::DeadlineExceededError(
      "the ranking passed its deadline before it was complete");
}
}  // namespace

absl::StatusOr<std::unique_ptr<CompiledQuery>> CompiledQuery::Compile(
    const DonorStore& store, const data::Reference& reference,
    const matcher::Genotype& recipient, const RankOptions& options,
    size_t parallel_from, bool scan_only) {
  if (store.size() > 0 && store.release() != reference.version()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the donor store was built against IPD-IMGT/HLA ", store.release(),
        ", not the loaded ", reference.version()));
  }
  // Validates the options exactly as Match does.
  {
    matcher::Genotype empty;
    absl::StatusOr<matcher::MatchReport> r =
        Match(reference, empty, empty, matcher::Relationship::kUnknown, options.match);
    if (!r.ok()) return r.status();
  }
  auto impl = std::make_unique<Impl>();
  Impl& m = *impl;
  m.store = &store.data();
  m.ref = &reference;
  m.recipient = &recipient;
  m.options = options;
  m.masks = eligibility::MasksOf(options.eligibility);
  // Each key field's place (Impl::Field): Compose of the field alone at 1.
  for (int i = 0; i < kRankKeys; ++i) {
    KeyParts one;
    one.v[i] = 1;
    const uint64_t k = Compose(options.rank_by, one);
    m.field_shift[static_cast<size_t>(i)] = k == 0 ? -1 : __builtin_ctzll(k);
  }
  {
    KeyParts one;
    one.status = 1;
    m.status_key = Compose(options.rank_by, one);
  }
  for (size_t r = 0; r < m.zero_share_fail.size(); ++r) {
    const auto rel = static_cast<matcher::Relationship>(r);
    m.zero_share_fail[r] = m.FirstFail(eligibility::HaploFindings(
        matcher::HaploVerdict::kNotHaploidentical, rel,
        /*inconsistent=*/IsParentOrChild(rel)));
  }
  for (int age = -1; age <= Impl::kAgeCap; ++age) {
    const size_t i = static_cast<size_t>(age + 1);
    m.age_findings[i] = eligibility::AgeFindings(
        age < 0 ? std::nullopt : std::optional<int>(age), options.eligibility);
    m.age_fail[i] = m.FirstFail(m.age_findings[i]);
  }
  m.slow_context = std::make_unique<eligibility::ScoringContext>(
      ScoringContextFor(reference, recipient, options));
  m.slow_context->match.collect_mismatched = false;
  m.antibodies = !options.recipient.antibodies.empty();
  if (m.antibodies) {
    m.dsa_finder = std::make_unique<eligibility::CopyDsaFinder>(
        m.options.recipient.antibodies, recipient, reference,
        options.eligibility.dsa_mfi_threshold, /*ranges=*/true);
  }
  if (m.antibodies) {
    m.antibody_loci = eligibility::AntibodyLociMasks(
        options.recipient.antibodies, recipient, reference,
        options.eligibility.dsa_mfi_threshold);
  }
  // What every donor gets whatever its typing: FindDsaForAntibodies on a
  // donor typed everywhere leaves only the antibodies no typing can check.
  m.dsa_constant = eligibility::DsaFindings(
      options.recipient.tested(),
      eligibility::FindDsaForAntibodies(
          options.recipient.antibodies, recipient, ~uint32_t{0}, reference,
          options.eligibility.dsa_mfi_threshold));
  m.r_phased = recipient.phased;
  m.r_abo = options.recipient.blood_group;
  const absl::CivilDay a = options.eligibility.as_of;
  m.as_of_year = static_cast<int>(a.year());
  m.as_of_mmdd = a.month() * 100 + a.day();
  m.as_of_ymd = static_cast<uint64_t>(a.year()) * 10000 +
                static_cast<uint64_t>(m.as_of_mmdd);
  m.PlanLoci(options.match);
  m.r_tce_group = RecipientTceGroup(recipient);
  const auto in_policy = [&](RankKey k) {
    return std::find(options.rank_by.begin(), options.rank_by.end(), k) !=
           options.rank_by.end();
  };
  m.want_kir = in_policy(RankKey::kKirB);
  if (in_policy(RankKey::kProbability)) {
    if (options.imputer == nullptr) {
      return absl::FailedPreconditionError(
          "the probability key needs the haplotype frequency table (no imputer was given)");
    }
    const internal::StoreData& sd = store.data();
    if (store.size() > 0 &&
        (!sd.has_imputations() ||
         sd.imputation_fingerprint() != options.imputer->fingerprint() ||
         sd.imputation_haplotypes() != options.imputer->haplotypes().size())) {
      return absl::FailedPreconditionError(
          !sd.has_imputations()
              ? "the probability key needs the donors' imputations, which this "
                "store does not hold (an index built with --no-impute or by an "
                "older haplomatch): rebuild it with haplomatch index"
              : "the donors' imputations were made with another haplotype "
                "frequency table: rebuild the index with haplomatch index");
    }
    if (options.recipient_imputation != nullptr) {
      m.r_imputation = options.recipient_imputation;
    } else {
      absl::StatusOr<std::shared_ptr<const impute::Imputation>> ri =
          RecipientImputation(recipient, options);
      if (!ri.ok()) return ri.status();
      m.r_imputation = *std::move(ri);
    }
    m.scorer = std::make_unique<impute::TopMatchScorer>(*options.imputer, *m.r_imputation);
    // Fallback donors: ScoreDonor imputes them, as ReportFor does.
    m.slow_context->imputer = options.imputer.get();
    m.slow_context->recipient_imputation = m.r_imputation.get();
  }
  if (in_policy(RankKey::kLeader) && options.match.score_leader_and_kir &&
      reference.proteins() != nullptr) {
    for (size_t k = 0; k < m.loci.size(); ++k) {
      if (m.loci[k].locus != Locus::kB) continue;
      LocusQuery& q = m.loci[k];
      const matcher::LocusTyping& b = recipient.at(Locus::kB);
      const matcher::LeaderGenotype g =
          matcher_internal::LeaderGenotypeOf(reference, *reference.proteins(), b);
      q.leader = true;
      q.r_leader_genotype = g.genotype;
      // The expressed copies, as EvalLocus pairs them (a null copy beside
      // an expressed one counts as that one).
      for (int i = 0; i < 2; ++i) {
        const int j = g.copies[i].null_copy && !g.copies[1 - i].null_copy ? 1 - i : i;
        q.r_leader[i] = g.copies[j].leader;
      }
      m.b_index = static_cast<int>(k);
    }
  }
  for (const matcher::LocusTyping& lt : recipient.loci) {
    if (!lt.alternatives.empty()) m.all_slow = true;
  }
  if (options.families != nullptr && !options.families->empty()) {
    // One pass over the ids; genotypes are rebuilt only for the few donors
    // whose id names a relative.
    for (size_t i = 0; i < store.size(); ++i) {
      if (!options.families->HasRelative(store.id(i))) continue;
      const family::FamilyResult* f = options.families->For(
          store.id(i), store.GenotypeOf(i), recipient, nullptr);
      if (f != nullptr) m.family_of.emplace(static_cast<uint32_t>(i), f);
    }
    m.any_family = !m.family_of.empty();
  }
  m.lite = m.LiteAllowed();
  m.cells_partial = m.lite && scan_only;
  if (!m.all_slow) {
    // The cells of each locus are independent: built on the scan's threads,
    // one locus at a time each, largest dictionary first. DSA cells go into
    // the matching cells where the locus is one of them.
    bool in_loci[kLocusCount] = {};
    std::vector<std::pair<LocusQuery*, bool>> tasks;  // (query, with_match)
    for (LocusQuery& q : m.loci) {
      tasks.emplace_back(&q, true);
      in_loci[static_cast<int>(q.locus)] = true;
    }
    std::vector<LocusQuery>& dsa_only = m.dsa_only;
    if (m.antibodies) {
      for (Locus l : store.data().loci()) {
        if (in_loci[static_cast<int>(l)]) continue;
        dsa_only.emplace_back();
        dsa_only.back().locus = l;
      }
      for (LocusQuery& q : dsa_only) tasks.emplace_back(&q, false);
    }
    auto entries = [&](const LocusQuery* q) {
      const int slot = store.data().SlotOf(q->locus);
      return slot < 0 ? size_t{0} : store.data().dictionary(slot).size();
    };
    std::stable_sort(tasks.begin(), tasks.end(), [&](const auto& a, const auto& b) {
      return entries(a.first) > entries(b.first);
    });
    size_t total = 0;
    for (const auto& t : tasks) total += entries(t.first);
    int threads = ThreadsFor(options.threads);
    if (total < parallel_from) threads = 1;
    threads = std::min<int>(threads, static_cast<int>(tasks.size()));
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t k; (k = next.fetch_add(1)) < tasks.size();) {
        m.BuildCells(tasks[k].first, tasks[k].second);
      }
    };
    if (threads <= 1) {
      work();
    } else {
      std::vector<std::thread> pool;
      for (int t = 1; t < threads; ++t) pool.emplace_back(work);
      work();
      for (std::thread& th : pool) th.join();
    }
    if (m.antibodies) {
      size_t d = 0;
      for (Locus l : store.data().loci()) {
        if (in_loci[static_cast<int>(l)]) {
          for (const LocusQuery& have : m.loci) {
            if (have.locus == l) m.dsa_loci.push_back(&have);
          }
        } else {
          m.dsa_loci.push_back(&dsa_only[d++]);
        }
      }
    }
  }
  if (m.past_deadline) return PastDeadline();
  m.BuildQuick();
  m.BuildLite();
  return std::unique_ptr<CompiledQuery>(new CompiledQuery(std::move(impl)));
}

FastResult CompiledQuery::Evaluate(size_t donor) const {
  FastResult r;
  if (UsesMatch(donor) || impl_->cells_partial) {
    impl_->RunSlow(donor, &r);
  } else {
    impl_->Run(donor, /*gate_only=*/false, &r);
  }
  return r;
}

int CompiledQuery::QuickReject(size_t donor) const {
  // QuickBlock on one donor: its one count, if any, names the gate.
  std::array<size_t, eligibility::kReasonCount> excluded{};
  uint32_t pass;
  if (QuickBlock(donor, donor + 1, &pass, excluded.data()) == 1) return -1;
  for (size_t k = 0; k < excluded.size(); ++k) {
    if (excluded[k] > 0) return static_cast<int>(k);
  }
  return -1;
}

size_t CompiledQuery::QuickBlock(size_t begin, size_t end, uint32_t* pass,
                                 size_t* excluded_by) const {
  const internal::StoreData& s = *impl_->store;
  return s.wide_ids() ? impl_->QuickBlock(s.ids32(), s.stride(), s.facts_words(),
                                          begin, end, pass, excluded_by)
                      : impl_->QuickBlock(s.ids16(), s.stride(), s.facts_words(),
                                          begin, end, pass, excluded_by);
}

size_t CompiledQuery::GateBlock(const uint32_t* donors, size_t m, uint64_t* keys,
                                int* fails, GateCounts* counts) const {
  const internal::StoreData& s = *impl_->store;
  return s.wide_ids() ? impl_->GateBlockIds(s.ids32(), s.stride(), s.facts_words(),
                                            donors, m, keys, fails, counts)
                      : impl_->GateBlockIds(s.ids16(), s.stride(), s.facts_words(),
                                            donors, m, keys, fails, counts);
}

bool CompiledQuery::LiteCodesAgreeWithCells() const {
  const Impl& m = *impl_;
  if (m.cells_partial) return false;
  for (size_t k = 0; k < m.loci.size(); ++k) {
    const LocusQuery& q = m.loci[k];
    if (!m.lite || q.lite.empty()) continue;
    if (q.lite.size() != q.cells.size()) return false;
    for (size_t t = 0; t < q.cells.size(); ++t) {
      if (q.lite[t] != LiteCodeOf(q.cells[t], static_cast<int>(k) == m.tce_index)) return false;
    }
  }
  for (const LocusQuery* q : m.dsa_loci) {
    if (!m.lite || q->dsa.empty()) continue;
    if (q->dsa.size() != q->cells.size()) return false;
    for (size_t t = 0; t < q->cells.size(); ++t) {
      if (q->dsa[t] != (q->cells[t].misc & kDsaBits)) return false;
    }
  }
  return true;
}


bool CompiledQuery::Gate(size_t donor, uint64_t* key, int* first_fail) const {
  if (impl_->cells_partial) {  // RunIds may not have the cells
    const uint32_t d = static_cast<uint32_t>(donor);
    GateBlock(&d, 1, key, first_fail);
    return *first_fail < 0;
  }
  FastResult r;
  if (UsesMatch(donor)) {
    impl_->RunSlow(donor, &r);
    *first_fail = impl_->FirstFail(r.findings);
  } else {
    *first_fail = impl_->Run(donor, /*gate_only=*/true, &r);
  }
  *key = r.key;
  return *first_fail < 0;
}

// ---- Rank

namespace {
// A ranking key (up to 49 bits) above a 32-bit store index.
__extension__ typedef unsigned __int128 Packed;
}  // namespace

int ThreadsFor(int threads) {
  if (threads > 0) return std::min(threads, kMaxThreads);
  const unsigned hardware = std::thread::hardware_concurrency();
  return static_cast<int>(
      std::clamp<unsigned>(hardware, 1, static_cast<unsigned>(kMaxThreads)));
}

absl::StatusOr<RankResult> Rank(const DonorStore& store,
                                const data::Reference& reference,
                                const matcher::Genotype& recipient,
                                const RankOptions& options,
                                const ProgressFn& progress) {
  if (options.top > kMaxTop || options.threads < 0 ||
      options.threads > kMaxThreads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "top must be at most ", kMaxTop, " and threads from 0 to ",
        kMaxThreads));
  }
  absl::StatusOr<std::unique_ptr<CompiledQuery>> query =
      CompiledQuery::Compile(store, reference, recipient, options,
                             CompiledQuery::kParallelCompileEntries, /*scan_only=*/true);
  if (!query.ok()) return query.status();
  const CompiledQuery& q = **query;
  const size_t n = store.size();
  int threads = ThreadsFor(options.threads);
  // Below ~4k donors per thread, starting a thread costs more than it saves.
  threads = static_cast<int>(
      std::min<size_t>(static_cast<size_t>(threads), n / 4096 + 1));
  const size_t top = options.top;

  // A donor's key and store index in one 128-bit word, key above:
  // ascending = ranked. The key takes KeyBits (at most 49), the index 32
  // bits (a store holds fewer than 2^32 donors).
  const int key_bits = KeyBits(options.rank_by);
  constexpr int index_bits = 32;
  const uint64_t index_mask = (uint64_t{1} << index_bits) - 1;
  struct Local {
    std::vector<Packed> packed;  // key << index_bits | index
    std::array<size_t, eligibility::kReasonCount> excluded_by{};
    size_t fallback = 0;
    size_t needs_review = 0;
  };
  std::vector<Local> locals(static_cast<size_t>(threads));
  std::atomic<size_t> done{0};
  std::atomic<bool> past_deadline{false};
  const absl::Time deadline = options.deadline;
  const bool timed = deadline != absl::InfiniteFuture();
  const bool slow = q.AllSlow();
  auto work = [&, slow](int t) {
    Local& L = locals[static_cast<size_t>(t)];
    const size_t begin = n * static_cast<size_t>(t) / static_cast<size_t>(threads);
    const size_t end = n * static_cast<size_t>(t + 1) / static_cast<size_t>(threads);
    // Donors scored by matcher::Match cost microseconds each, not
    // nanoseconds: smaller blocks, so the deadline is looked at as often.
    const size_t kBlock = slow ? 1 << 10 : 1 << 16;
    // Donors the quick filter takes at once (QuickBlock): their rows are
    // still in L2 when Gate reads those it passes.
    constexpr size_t kQuick = 2048;
    // The donors of a block that the quick filter passes (QuickBlock).
    std::vector<uint32_t> pass(slow ? 0 : kQuick);
    std::vector<uint64_t> keys(slow ? 0 : kQuick);  // GateBlock's
    std::vector<int> fails(slow ? 0 : kQuick);
    for (size_t b = begin; b < end; b += kBlock) {
      if (timed && (past_deadline.load(std::memory_order_relaxed) ||
                    absl::Now() > deadline)) {
        past_deadline.store(true, std::memory_order_relaxed);
        return;
      }
      const size_t e = std::min(end, b + kBlock);
      // A gated donor: ranked (fail < 0) with its key, or excluded.
      auto take = [&](size_t i, uint64_t key, int fail) {
        if (fail < 0) {
          L.packed.push_back(static_cast<Packed>(key) << index_bits | i);
          L.needs_review += key >> (key_bits - 1);  // the key's status bit
        } else {
          ++L.excluded_by[static_cast<size_t>(fail)];
        }
      };
      if (!slow) {
        // The quick filter over the block, then the gate on the donors it
        // passes while their rows are in L2 (GateBlock).
        for (size_t sb = b; sb < e; sb += kQuick) {
          const size_t m = q.QuickBlock(sb, std::min(e, sb + kQuick), pass.data(),
                                        L.excluded_by.data());
          L.fallback += q.GateBlock(pass.data(), m, keys.data(), fails.data());
          for (size_t k = 0; k < m; ++k) take(pass[k], keys[k], fails[k]);
        }
      } else {
        // Every donor by matcher::Match (result.fallback is then n).
        for (size_t i = b; i < e; ++i) {
          uint64_t key;
          int fail;
          q.Gate(i, &key, &fail);
          take(i, key, fail);
        }
      }
      // Keep at most ~2N candidates per thread (amortised O(1) per donor).
      if (top > 0 && L.packed.size() > 2 * top + 4096) {
        std::nth_element(L.packed.begin(), L.packed.begin() + static_cast<long>(top),
                         L.packed.end());
        L.packed.resize(top);
      }
      const size_t now = done.fetch_add(e - b, std::memory_order_relaxed) + (e - b);
      if (t == 0 && progress) progress(now, n);
    }
  };
  internal::RunOnThreads(threads, work);
  if (past_deadline.load()) return PastDeadline();
  if (progress) progress(n, n);

  RankResult result;
  result.read = n;
  result.threads = threads;
  std::vector<Packed> all;
  size_t eligible = 0;
  for (Local& L : locals) {
    for (int k = 0; k < eligibility::kReasonCount; ++k) {
      result.excluded_by[static_cast<size_t>(k)] += L.excluded_by[static_cast<size_t>(k)];
      result.excluded += L.excluded_by[static_cast<size_t>(k)];
    }
    result.fallback += q.AllSlow() ? 0 : L.fallback;
    all.insert(all.end(), L.packed.begin(), L.packed.end());
    result.needs_review += L.needs_review;
  }
  if (q.AllSlow()) result.fallback = n;
  result.by_family = q.family_donors();
  eligible = n - result.excluded;
  result.ranked_count = eligible;
  result.status_assessed = options.eligibility.assessed();
  if (top > 0 && all.size() > top) {
    std::nth_element(all.begin(), all.begin() + static_cast<long>(top), all.end());
    all.resize(top);
  }
  std::sort(all.begin(), all.end());
  result.ranked.reserve(all.size());
  result.keys.reserve(all.size());
  for (Packed p : all) {
    result.ranked.push_back(static_cast<uint32_t>(p & index_mask));
    result.keys.push_back(static_cast<uint64_t>(p >> index_bits));
  }
  return result;
}

absl::Status ImputeRecipient(const matcher::Genotype& recipient, RankOptions* options) {
  if (options->imputer == nullptr) return absl::OkStatus();
  absl::StatusOr<std::shared_ptr<const impute::Imputation>> ri =
      RecipientImputation(recipient, *options);
  if (!ri.ok()) return ri.status();
  options->recipient_imputation = *std::move(ri);
  return absl::OkStatus();
}

absl::StatusOr<DonorReport> ReportFor(const DonorStore& store,
                                      const data::Reference& reference,
                                      const matcher::Genotype& recipient,
                                      const RankOptions& options,
                                      size_t donor) {
  eligibility::ScoringContext ctx = ScoringContextFor(reference, recipient, options);
  if (options.imputer == nullptr) {
    return eligibility::ScoreDonor(ctx, store.FactsOf(donor), store.GenotypeOf(donor));
  }
  // With probabilities: the recipient imputed as Compile imputes it (once
  // for the run when the caller did, ImputeRecipient), and the donor's
  // stored imputation when the store holds one made with this imputer (so
  // the report says what the probability key ranked by).
  std::optional<impute::Imputation> own;
  if (options.recipient_imputation == nullptr) {
    absl::StatusOr<impute::Imputation> ri =
        options.imputer->Impute(recipient, options.recipient_impute);
    own = ri.ok() ? *std::move(ri) : impute::Imputation();  // unexplained: "not computed"
  }
  ctx.imputer = options.imputer.get();
  ctx.recipient_imputation =
      options.recipient_imputation != nullptr ? options.recipient_imputation.get() : &*own;
  const internal::StoreData& sd = store.data();
  std::optional<impute::Imputation> stored;
  if (sd.has_imputations() && sd.imputation_fingerprint() == options.imputer->fingerprint()) {
    size_t count;
    const uint16_t* words = sd.imputation_words(donor, &count);
    internal::StoredImputation d;
    internal::DecodeImputation(words, count, &d);
    if (d.imputed()) stored = internal::ToImputation(d);
  }
  return eligibility::ScoreDonor(ctx, store.FactsOf(donor), store.GenotypeOf(donor), {},
                                 stored ? &*stored : nullptr);
}

}  // namespace hla::registry
