// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The eligibility rules, one function each, on plain values, so that the
// pairwise path (Evaluate, eligibility.h) and the registry scan
// (registry/rank.h) call the same code: every finding a rule can make is a
// Reason; what a Reason does to the verdict under a protocol is EffectOf,
// one table; the verdict is the set of findings read through that table.
//
//   Findings f = AgeFindings(age, options) | HaploFindings(verdict, ...) |
//                AboFindings(r_abo, d_abo, &abo) | ...;
//   if (std::optional<Reason> why = FirstExclusion(f, options)) ...
//
// Each rule names its source next to its code (eligibility/rules.cc).
// Thread-safe: everything is a pure function except the default as_of.
#ifndef HLA_ELIGIBILITY_RULES_H_
#define HLA_ELIGIBILITY_RULES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "eligibility/antibodies.h"
#include "eligibility/facts.h"
#include "matcher/match.h"

namespace hla::eligibility {

// ---- Options and protocols

struct EligibilityOptions {
  // Protocol name for the reasons ("NCT04835883"), or "none".
  std::string protocol = "none";
  // The reference date for ages: today unless set (a default-constructed
  // CivilDay would be 1970-01-01, which no one means).
  absl::CivilDay as_of = Today();
  // Age gate: the donor must be younger than this (whole years). nullopt:
  // no age gate (the age is still reported when known).
  std::optional<int> max_age_exclusive;
  // HLA gate: the haplo verdict must be identical, haploidentical or
  // haplo-compatible.
  bool require_haplo = false;
  // DSA gate: an antibody at or above the threshold against the donor
  // excludes the donor. On by default: it is the main cause of primary graft
  // failure in haplo-HCT (Ciurea 2018). Below-threshold matches are noted.
  bool dsa_excludes = true;
  double dsa_mfi_threshold = kDefaultDsaMfi;
  // Optional gates (off by default: reported only).
  bool abo_major_excludes = false;  // major or bidirectional excludes
  bool cmv_mismatch_excludes = false;  // CMV+ recipient and CMV- donor
  bool female_to_male_excludes = false;
};

// The presets: "NCT04835883" (haplo + under 70 + DSA) and "none" (DSA only
// when antibodies are given; nothing else gates). Case-insensitive.
// NotFoundError listing the known protocols otherwise. `as_of` is today.
absl::StatusOr<EligibilityOptions> OptionsForProtocol(absl::string_view name);

// ---- Findings

// Every finding the rules make about a donor. The order is the order of
// the gates: a report lists excluding findings in it, and rank counts a
// donor under the first that excludes it.
enum class Reason : uint8_t {
  kAgeUnknown,          // no birth date or age, or a birth date after as_of
  kTooOld,              // not under the protocol's age limit
  kNotHaploidentical,   // haplo verdict not-haploidentical
  kInsufficientTyping,  // haplo verdict insufficient-typing
  kDsa,                 // an antibody at or above the threshold
  kAboMajor,            // ABO major incompatibility
  kAboBidirectional,    // ABO bidirectional incompatibility
  kCmvMismatch,         // CMV-positive recipient, CMV-negative donor
  kFemaleToMale,        // female donor, male recipient
  // Findings that never exclude.
  kPhaseUnconfirmed,           // haplo-compatible
  kRelationshipInconsistent,   // a stated parent/child sharing no allele
  kAntibodyBelowThreshold,     // an antibody against the donor, below it
  kAboMinor,                   // ABO minor incompatibility
  kAboUnknown,                 // one side's blood group unknown
  kCmvUnknown,                 // one side's CMV unknown
};
inline constexpr int kReasonCount = 15;
// "age unknown", "too old", "not haploidentical", "insufficient typing",
// "DSA", "ABO major", "ABO bidirectional", "CMV mismatch", "female to male",
// "phase unconfirmed", "relationship inconsistent", "antibody below
// threshold", "ABO minor", "ABO unknown", "CMV unknown".
absl::string_view ReasonName(Reason reason);

// A set of Reasons, one bit each.
using Findings = uint32_t;
constexpr Findings Bit(Reason r) { return Findings{1} << static_cast<int>(r); }
inline bool Has(Findings f, Reason r) { return (f & Bit(r)) != 0; }

// What a finding does to the verdict under `options`.
enum class Effect : uint8_t {
  kNote,     // reported, decides nothing
  kExclude,  // the donor is not eligible
};
Effect EffectOf(Reason reason, const EligibilityOptions& options);

// The first finding (in Reason order) that excludes the donor under
// `options`, or nullopt: the donor is eligible.
std::optional<Reason> FirstExclusion(Findings findings,
                                     const EligibilityOptions& options);

// ---- The rules, on plain values

// The donor's age at `as_of`: from the birth date when there is one, else
// the age given; nullopt when neither is known or the birth date is after
// `as_of` (AgeInYears).
std::optional<int> AgeAt(const DonorFacts& facts, absl::CivilDay as_of);

// kAgeUnknown when the age is unknown; kTooOld when the protocol has an age
// limit and the donor has reached it.
Findings AgeFindings(std::optional<int> age, const EligibilityOptions& options);

// kNotHaploidentical, kInsufficientTyping or kPhaseUnconfirmed from the
// haplo verdict; kRelationshipInconsistent when the stated relationship
// contradicts the typing (matcher::HaploResult::inconsistencies).
Findings HaploFindings(matcher::HaploVerdict verdict, bool inconsistent);

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
// (recipient <- donor). Rh is not part of it (reported separately).
enum class AboMatch : uint8_t { kCompatible, kMinor, kMajor, kBidirectional };
AboMatch ClassifyAbo(Abo recipient, Abo donor);
// "compatible", "minor", "major", "bidirectional".
absl::string_view AboMatchName(AboMatch m);

// kAboMinor, kAboMajor or kAboBidirectional when both blood groups are
// known (and *match set), kAboUnknown when only one is, nothing when
// neither is. REQUIRES: match != nullptr.
Findings AboFindings(const std::optional<BloodGroup>& recipient,
                     const std::optional<BloodGroup>& donor,
                     std::optional<AboMatch>* match);

// A CMV-positive recipient is better served by a CMV-positive donor (EBMT
// donor-selection consensus for haploidentical HCT, Ciurea et al., Bone
// Marrow Transplant 2020;55:12-24): kCmvMismatch for recipient positive and
// donor negative; kCmvUnknown when one side is known and the other is not.
Findings CmvFindings(Cmv recipient, Cmv donor);

// A female donor for a male recipient raises the risk of chronic GvHD (the
// same consensus): kFemaleToMale.
Findings SexFindings(Sex recipient, Sex donor);

// kDsa / kAntibodyBelowThreshold from the DSA findings (FindDsa).
Findings DsaFindings(const std::vector<DsaFinding>& findings);

}  // namespace hla::eligibility

#endif  // HLA_ELIGIBILITY_RULES_H_
