// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The eligibility rules, one function each, on plain values, so that the
// pairwise path (Evaluate, eligibility.h) and the registry scan
// (registry/rank.h) call the same code: every finding a rule can make is a
// Reason; what a Reason does to the verdict under a protocol is EffectOf,
// one table; the verdict is the set of findings read through that table:
//
//   not-eligible   some finding excludes the donor (a known fact fails);
//   needs-review   none excludes, but some fact the protocol needs is
//                  unknown or could not be checked;
//   eligible       every fact the protocol needs is known and passes;
//   not-assessed   no protocol: the findings are reported, nothing decided.
//
//   Findings f = AgeFindings(age, options) | HaploFindings(...) | ...;
//   Status s = StatusOf(f, options);
//
// Each rule names its source next to its code (eligibility/rules.cc).
// Thread-safe: everything is a pure function except the default as_of.
#ifndef HLA_ELIGIBILITY_RULES_H_
#define HLA_ELIGIBILITY_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "eligibility/antibodies.h"
#include "eligibility/facts.h"
#include "matcher/match.h"

namespace hla::eligibility {

// ---- Options and protocols

// What a protocol asking for an "HLA-haplo-matched" donor does with an
// unrelated donor who shares a recipient haplotype by state (haplotype-
// matched) or could share one (haplo-compatible).
enum class ByStatePolicy : uint8_t { kReview, kAccept, kExclude };
// "review", "accept", "exclude"; ParseByStatePolicy is case-insensitive
// and InvalidArgumentError otherwise.
absl::string_view ByStatePolicyName(ByStatePolicy policy);
absl::StatusOr<ByStatePolicy> ParseByStatePolicy(absl::string_view text);

struct EligibilityOptions {
  // Protocol name for the reasons ("NCT04835883"), or "none": no verdict,
  // the findings only (Status::kNotAssessed).
  std::string protocol = "none";
  // The reference date for ages: today unless set (a default-constructed
  // CivilDay would be 1970-01-01, which no one means).
  absl::CivilDay as_of = Today();
  // Age gate: the donor must be younger than this (whole years). nullopt:
  // no age gate (the age is still reported when known).
  std::optional<int> max_age_exclusive;
  // Under an age gate a donor under kAdultAge needs review unless minors
  // are allowed (rules.cc MinorFindings gives the source).
  bool allow_minors = false;
  // HLA gate: a haploidentical or identical relative; see HaploFindings.
  bool require_haplo = false;
  // With require_haplo: what an unrelated donor matched by state gets.
  ByStatePolicy by_state = ByStatePolicy::kReview;
  // The recipient's antibodies must have been tested (haplo protocols:
  // DSA testing is mandatory before haplo-HCT); without a list the donor
  // needs review ("DSA not tested").
  bool dsa_test_required = false;
  double dsa_mfi_threshold = kDefaultDsaMfi;
  // Optional gates (off by default: reported only). A gate on a fact that
  // is unknown gives needs-review.
  bool abo_gate = false;  // major or bidirectional ABO incompatibility
  bool cmv_gate = false;  // a CMV serostatus mismatch either way
  bool sex_gate = false;  // a female donor for a male recipient

  // True unless the protocol is "none".
  bool assessed() const { return !protocol.empty() && protocol != "none"; }
};

// The presets: "NCT04835883" (haplo + under 70 + DSA tested) and "none" (no
// verdict). Case-insensitive. NotFoundError listing the known protocols
// otherwise. `as_of` is today.
absl::StatusOr<EligibilityOptions> OptionsForProtocol(absl::string_view name);

// ---- Findings

// Every finding the rules make about a donor. The order is the order of
// the gates: a report lists findings in it, and rank counts a donor under
// the first one that excludes it (or, ranked, the first that asks for
// review).
enum class Reason : uint8_t {
  // Age.
  kTooOld,      // not under the protocol's age limit
  kAgeUnknown,  // no birth date or age, or a birth date after as_of
  kMinor,       // under kAdultAge
  // HLA.
  kNotHaploidentical,         // a scored locus shares no allele
  kInsufficientTyping,        // a locus the haplo verdict needs is untyped
  kRelationshipInconsistent,  // a stated parent/child who cannot carry a
                              // recipient haplotype whole
  kPhaseUnconfirmed,          // a relative who could share a haplotype
  kMatchedByState,            // an unrelated donor sharing one by state
  // Donor-specific antibodies (at or above the threshold).
  kDsa,                  // the donor carries the specificity
  kDsaPossible,          // may carry it (ambiguous typing, broad vs split)
  kDsaUntypedLocus,      // the donor is not typed where it could be
  kDsaUncheckable,       // no typing can tell (Bw4/Bw6 not assigned)
  kDsaNotTested,         // no antibody list given
  kSelfAntibody,         // against an antigen the recipient carries
  kAntibodyBelowThreshold,  // against the donor, below the threshold
  // ABO and RhD.
  kAboMajor,
  kAboBidirectional,
  kAboUnknown,  // a side's blood group unknown
  kAboMinor,
  kRhMismatch,  // RhD-negative recipient, RhD-positive donor
  // CMV.
  kCmvMismatch,                   // recipient positive, donor negative
  kCmvMismatchRecipientNegative,  // recipient negative, donor positive
  kCmvUnknown,
  // Sex.
  kFemaleToMale,
  kSexUnknown,  // one side unknown where female-to-male could apply
};
inline constexpr int kReasonCount = 25;
// Short names for summaries: "too old", "age unknown", "minor",
// "not haploidentical", "insufficient typing", "relationship inconsistent",
// "phase unconfirmed", "matched by state", "DSA", "possible DSA",
// "untyped locus under an antibody", "DSA uncheckable", "DSA not tested",
// "antibody against self", "antibody below threshold", "ABO major",
// "ABO bidirectional", "ABO unknown", "ABO minor", "RhD mismatch",
// "CMV mismatch (R+/D-)", "CMV mismatch (R-/D+)", "CMV unknown",
// "female to male", "sex unknown".
absl::string_view ReasonName(Reason reason);

// A set of Reasons, one bit each.
using Findings = uint32_t;
static_assert(kReasonCount <= 32, "Findings holds one bit per Reason");
constexpr Findings Bit(Reason r) { return Findings{1} << static_cast<int>(r); }
inline bool Has(Findings f, Reason r) { return (f & Bit(r)) != 0; }

// What a finding does to the verdict under `options`.
enum class Effect : uint8_t {
  kNote,     // reported, decides nothing
  kReview,   // a fact the protocol needs is unknown: needs-review
  kExclude,  // a known fact fails: not eligible
};
Effect EffectOf(Reason reason, const EligibilityOptions& options);

enum class Status : uint8_t { kEligible, kNeedsReview, kNotEligible, kNotAssessed };
// "eligible", "needs-review", "not-eligible", "not-assessed".
absl::string_view StatusName(Status status);

// The verdict: kNotAssessed without a protocol; else kNotEligible when a
// finding excludes, kNeedsReview when one needs review, kEligible.
Status StatusOf(Findings findings, const EligibilityOptions& options);
// The first finding (in Reason order) with `effect`, or nullopt.
std::optional<Reason> FirstWithEffect(Findings findings, Effect effect,
                                      const EligibilityOptions& options);

// EffectOf for every reason at once, as bitsets, for callers that decide
// millions of donors under one set of options (the registry scan): the
// same verdicts as StatusOf and FirstWithEffect, without re-deciding each
// finding's effect per donor.
struct EffectMasks {
  bool assessed = false;
  Findings exclude = 0;  // reasons whose effect is kExclude
  Findings review = 0;   // reasons whose effect is kReview
};
EffectMasks MasksOf(const EligibilityOptions& options);
inline Status StatusOf(Findings findings, const EffectMasks& m) {
  if (!m.assessed) return Status::kNotAssessed;
  if (findings & m.exclude) return Status::kNotEligible;
  if (findings & m.review) return Status::kNeedsReview;
  return Status::kEligible;
}
// The first (in Reason order) reason of `findings` in `mask` as an int,
// or -1.
inline int FirstIn(Findings findings, Findings mask) {
  const Findings f = findings & mask;
  return f == 0 ? -1 : __builtin_ctz(f);
}

// ---- The rules, on plain values

// A donor is an adult from this age (whole years).
inline constexpr int kAdultAge = 18;

// The donor's age at `as_of`: from the birth date when there is one, else
// the age given; nullopt when neither is known or the birth date is after
// `as_of` (AgeInYears).
std::optional<int> AgeAt(const DonorFacts& facts, absl::CivilDay as_of);

// kAgeUnknown when the age is unknown; kTooOld when the protocol has an age
// limit and the donor has reached it; kMinor under kAdultAge.
Findings AgeFindings(std::optional<int> age, const EligibilityOptions& options);

// The HLA rule. From the haplo verdict, the stated relationship and
// whether the report found the relationship inconsistent with the typing:
//   not-haploidentical            kNotHaploidentical, unless a stated
//                                 parent/child is inconsistent (then only
//                                 kRelationshipInconsistent: the typing
//                                 itself is in doubt);
//   insufficient-typing           kInsufficientTyping;
//   haplo-compatible, a relative  kPhaseUnconfirmed;
//   haplotype-matched or haplo-compatible, unrelated or unknown
//                                 relationship: kMatchedByState;
//   identical, haploidentical     nothing.
Findings HaploFindings(matcher::HaploVerdict verdict,
                       matcher::Relationship relationship, bool inconsistent);

// ABO incompatibility of a haematopoietic graft (the EBMT Handbook, 2019,
// chapter on ABO-incompatible transplantation; AABB Technical Manual):
//   kMajor          the recipient has isoagglutinins against the donor's red
//                   cells (donor carries an A or B antigen the recipient
//                   lacks: O <- A, O <- B, O <- AB, A <- AB, B <- AB);
//   kMinor          the donor's plasma has isoagglutinins against the
//                   recipient's red cells (A <- O, B <- O, AB <- O, AB <- A,
//                   AB <- B);
//   kBidirectional  both (A <- B, B <- A);
//   kCompatible     neither (same group).
// (recipient <- donor). RhD is reported apart (AboFindings).
enum class AboMatch : uint8_t { kCompatible, kMinor, kMajor, kBidirectional };
AboMatch ClassifyAbo(Abo recipient, Abo donor);
// "compatible", "minor", "major", "bidirectional".
absl::string_view AboMatchName(AboMatch m);

// kAboMinor, kAboMajor or kAboBidirectional when both blood groups are
// known (and *match set), kAboUnknown otherwise; kRhMismatch for an
// RhD-negative recipient and an RhD-positive donor. REQUIRES: match !=
// nullptr.
Findings AboFindings(const std::optional<BloodGroup>& recipient,
                     const std::optional<BloodGroup>& donor,
                     std::optional<AboMatch>* match);

// CMV serostatus (EBMT donor-selection consensus for haploidentical HCT,
// Ciurea et al., Bone Marrow Transplant 2020;55:12-24: a CMV-seropositive
// donor for a seropositive recipient, a seronegative donor for a
// seronegative recipient): kCmvMismatch (R+/D-),
// kCmvMismatchRecipientNegative (R-/D+), kCmvUnknown when a side is unknown.
Findings CmvFindings(Cmv recipient, Cmv donor);

// A female donor for a male recipient raises the risk of chronic GvHD (the
// same consensus): kFemaleToMale; kSexUnknown when a side is unknown and
// the pair could be female-to-male.
Findings SexFindings(Sex recipient, Sex donor);

// The DSA findings: from FindDsa's, or kDsaNotTested when the recipient's
// antibodies were not tested (RecipientFacts::antibodies_tested).
Findings DsaFindings(const std::vector<DsaFinding>& findings);
Findings DsaFindings(bool antibodies_tested,
                     const std::vector<DsaFinding>& findings);

// ---- The donor's KIR genes: reported and ranked, never a verdict

// The KIR B-content group of a donor (Cooley et al., Blood 2010;116:2411,
// unrelated donors for AML; the benefit was not seen in ALL): "best" =
// centromeric B/B; "better" = two or more B motifs (Cen and Tel counted)
// without Cen-B/B; "neutral" = zero or one. In rank order.
enum class KirBCategory : uint8_t { kBest, kBetter, kNeutral, kNotTyped };
// "best", "better", "neutral", "not_typed".
absl::string_view KirBCategoryName(KirBCategory category);
struct KirBContent {
  int score = -1;  // B motifs of Cen and Tel, 0-4; -1 when a motif is unknown
  KirBCategory category = KirBCategory::kNotTyped;
};
KirBContent KirBContentOf(const KirGenotype& kir);

struct DonorKirResult {
  KirGenotype genotype;
  KirBContent b_content;
  // The missing-ligand rule in its receptor-ligand form (Leung et al., J
  // Immunol 2004; Hsu et al., Blood 2005; Ruggeri et al., Blood
  // 2007;110:433 names both forms): an inhibitory KIR the donor carries
  // whose ligand the recipient lacks. Definite: the receptor present, the
  // ligand certainly absent; possible: either left open. Empty when the
  // recipient's ligands were not assessed.
  std::vector<matcher::KirLigandGroup> missing_definite, missing_possible;
  std::string basis;  // plain words
};
// `recipient` is the recipient's ligand set from the match report, or
// nullptr when it was not assessed.
DonorKirResult DonorKirOf(const KirGenotype& kir,
                          const matcher::LigandSet* recipient);

}  // namespace hla::eligibility

#endif  // HLA_ELIGIBILITY_RULES_H_
