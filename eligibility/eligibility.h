// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Donor eligibility: the facts about a donor that are not HLA (age, ABO, CMV,
// sex, relationship), the recipient's antibodies, and the rules that turn a
// match report plus those facts into "eligible or not, and why".
//
//   HLA_ASSIGN_OR_RETURN(absl::CivilDay as_of, hla::matcher::ParseDate(text));
//   hla::matcher::EligibilityOptions options =
//       *hla::matcher::OptionsForProtocol("NCT04835883");
//   options.as_of = as_of;
//   hla::matcher::Eligibility e = hla::matcher::Evaluate(
//       donor_facts, donor, recipient_facts, recipient, report, *reference,
//       options);
//   if (!e.eligible) for (const std::string& r : e.reasons) ...
//
// Every rule below names its source next to the code; the defaults are:
//   - age: whole years at `as_of` (default today), under 70 for NCT04835883
//     (ClinicalTrials.gov NCT04835883: "HLA-haplo-matched donor under 70
//     years old"); an unknown age is not eligible (PRODUCT.md, "Never: a
//     guess presented as a fact");
//   - HLA: haplo verdict identical, haploidentical or haplo-compatible (the
//     last with the reason "phase unconfirmed");
//   - donor-specific antibodies: MFI >= 1000 (kDefaultDsaMfi, below);
//   - ABO, CMV and sex are reported (they rank donors: EBMT donor-selection
//     consensus, Ciurea et al. BMT 2020;55:12-24) but exclude no one unless
//     the options say so.
//
// Everything here is a pure function of its arguments (no clock, no globals)
// except Today() and the default EligibilityOptions::as_of that uses it; all
// of it is thread-safe.
#ifndef HLA_ELIGIBILITY_ELIGIBILITY_H_
#define HLA_ELIGIBILITY_ELIGIBILITY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "data/reference.h"
#include "matcher/match.h"

namespace hla::eligibility {

// ---- Dates and ages

// Parses an ISO 8601 calendar date "YYYY-MM-DD" (exactly that form, years
// 1000-9999). InvalidArgumentError quoting the text for anything else,
// including impossible dates ("2023-02-30: February 2023 has 28 days").
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text);

// "2026-11-26".
std::string FormatDate(absl::CivilDay day);

// Today in the machine's local time zone (the coordinator's calendar day).
absl::CivilDay Today();

// Age in whole years at `as_of` of a person born on `birth`: the number of
// birthdays passed, a birthday counting on its own day. Someone born on
// 29 February has a birthday on 1 March in common years (the plain
// month-then-day comparison; the rule of, e.g., Hong Kong's Age of Majority
// (Related Provisions) Ordinance. Places that use 28 February differ by one
// day every four years, which matters only to a donor turning 70 that day).
// InvalidArgumentError when `as_of` is before `birth`.
absl::StatusOr<int> AgeInYears(absl::CivilDay birth, absl::CivilDay as_of);

// Ages given as numbers are accepted from 0 to kMaxAge inclusive.
inline constexpr int kMaxAge = 130;

// ---- Blood group, CMV, sex

enum class Abo : uint8_t { kO, kA, kB, kAB };
enum class Rh : uint8_t { kUnknown, kPositive, kNegative };

struct BloodGroup {
  Abo abo = Abo::kO;
  Rh rh = Rh::kUnknown;
};

// Accepts "O", "0" (zero, as Europe writes it), "A", "B", "AB", any case,
// optionally followed by Rh: "+", "-", " pos", " neg", "Rh+", "RhD-"
// ("O+", "ab-", "A pos", "0 RhD-"). InvalidArgumentError otherwise.
// Blank text is not a blood group: callers treat it as unknown.
absl::StatusOr<BloodGroup> ParseBloodGroup(absl::string_view text);
std::string BloodGroupName(BloodGroup group);  // "A+", "O-", "AB"
absl::string_view AboName(Abo abo);            // "O", "A", "B", "AB"

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

enum class Cmv : uint8_t { kUnknown, kNegative, kPositive };
// "pos", "positive", "+", "1", "yes", "reactive" / "neg", "negative", "-",
// "0", "no", "non-reactive", any case; "unknown", "u", "?" -> kUnknown.
// InvalidArgumentError otherwise. Blank text: callers treat it as unknown.
absl::StatusOr<Cmv> ParseCmv(absl::string_view text);
absl::string_view CmvName(Cmv cmv);  // "positive", "negative", "unknown"

enum class Sex : uint8_t { kUnknown, kFemale, kMale };
// "F", "female", "W", "woman" / "M", "male", "man" / "U", "unknown", any
// case. InvalidArgumentError otherwise.
absl::StatusOr<Sex> ParseSex(absl::string_view text);
absl::string_view SexName(Sex sex);  // "female", "male", "unknown"

// ---- The people

struct DonorFacts {
  std::string id;
  matcher::Relationship relationship = matcher::Relationship::kUnknown;
  std::optional<absl::CivilDay> birth_date;
  std::optional<int> age;  // used when there is no birth date
  Sex sex = Sex::kUnknown;
  std::optional<BloodGroup> blood_group;
  Cmv cmv = Cmv::kUnknown;
};

// One antibody specificity of the recipient, as a single-antigen bead assay
// reports it, with its mean fluorescence intensity.
struct Antibody {
  std::string specificity;  // "A*02:01", "A2", "B44", "DQ7", "Cw7", "DR52"
  double mfi = 0;
};

// Parses "A2:3500,B44:1200": items separated by ',', ';' or newlines; in
// each, the MFI follows the last ':' or an '=' ("A*02:01:3500",
// "A*02:01=3500", "DQ7 = 800"). Syntax only: CheckAntibodies() asks the
// release whether each specificity exists. InvalidArgumentError naming the
// item for an empty specificity or a missing, negative or non-numeric MFI.
absl::StatusOr<std::vector<Antibody>> ParseAntibodies(absl::string_view text);

// OK when every specificity is an allele name of the release or a prefix of
// one ("A*02:01", "HLA-DQB1*03:01") or a serologic antigen of it ("A2",
// "Cw7", "DQ7"; "DQw7" and "DRw52" are read as DQ7 and DR52), on one of the
// eleven matching loci. NotFoundError naming the first that is not.
absl::Status CheckAntibodies(const std::vector<Antibody>& antibodies,
                             const data::Reference& reference);

struct RecipientFacts {
  std::optional<BloodGroup> blood_group;
  Cmv cmv = Cmv::kUnknown;
  Sex sex = Sex::kUnknown;
  std::vector<Antibody> antibodies;
};

// ---- Options and protocols

// The DSA positivity threshold, in MFI: 1000. The EBMT consensus on DSA in
// haploidentical HCT (Ciurea et al., Bone Marrow Transplant 2018;53:521-534)
// takes MFI > 1000 as positive and advises testing for and, when no other
// donor exists, desensitising against DSA above that level (higher MFI, and
// complement-binding C1q-positive DSA, carry more risk). Like the issue, we
// compare "at or above" the threshold. Laboratories set their own cut-off:
// --dsa-mfi.
inline constexpr double kDefaultDsaMfi = 1000;

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

// ---- The verdict

// Why a donor is (not) eligible, as bits, for ranking and filtering.
enum EligibilityFlag : uint32_t {
  kFlagNone = 0,
  kFlagTooOld = 1u << 0,
  kFlagAgeUnknown = 1u << 1,
  kFlagNotHaplo = 1u << 2,           // not-haploidentical
  kFlagInsufficientTyping = 1u << 3,
  kFlagPhaseUnconfirmed = 1u << 4,   // haplo-compatible
  kFlagDsa = 1u << 5,                // at or above the threshold
  kFlagAntibodyBelowThreshold = 1u << 6,
  kFlagAboMinor = 1u << 7,
  kFlagAboMajor = 1u << 8,
  kFlagAboBidirectional = 1u << 9,
  kFlagAboUnknown = 1u << 10,
  kFlagCmvMismatch = 1u << 11,       // recipient + / donor -
  kFlagCmvUnknown = 1u << 12,
  kFlagFemaleToMale = 1u << 13,
  kFlagRelationshipInconsistent = 1u << 14,
};

struct DsaFinding {
  std::string specificity;   // as the recipient's list wrote it
  double mfi = 0;
  std::string donor_allele;  // the donor allele it is against ("A*02:01:01:01")
  std::string via;           // "allele" or the antigen matched ("A2")
  bool at_or_above_threshold = false;
};

struct Eligibility {
  bool eligible = false;
  // One sentence each, in plain words, gating reasons first:
  //   "age 72 at 2026-11-26: not under 70 (NCT04835883)"
  //   "age unknown: no birth date or age given"
  //   "haplo-compatible: phase unconfirmed"
  //   "DSA: anti-A*02:01 MFI 3500 >= 1000 against donor allele A*02:01"
  std::vector<std::string> reasons;
  uint32_t flags = kFlagNone;
  std::optional<int> age;
  std::optional<AboMatch> abo;
  std::vector<DsaFinding> dsa;
};

// The donor-specific antibodies among `antibodies`: each antibody whose
// specificity the donor carries and the recipient does not, on any locus
// typed on both sides (not only the scored ones: DPB1, DQA1 and DRB3/4/5
// antibodies count too). A specificity is carried by a position
//   - at allele level when its fields are a prefix of one of the position's
//     alleles ("A*02:01" is carried by A*02:01:01:01);
//   - at antigen level when one of the position's serological equivalents
//     (PositionTyping::serology) is the antigen, its broad, one of its
//     splits, its associated antigen or an antigen associated with it
//     (rel_ser_ser.txt): anti-A9 is against an A*24:02 donor, anti-A24
//     against a donor typed A9 (conservative: the broad may be A24).
// The donor carries it if any allele of a position does (an ambiguous
// typing may); the recipient carries it only if every allele of one of its
// positions does, so that an ambiguous recipient typing never hides a DSA.
// We work from the genotypes rather than the report's mismatched-allele
// lists because the antibody and the mismatch can be on different loci than
// the scored ones. Every finding is returned, also below the threshold
// (at_or_above_threshold says which). Specificities unknown to the release
// match nothing (CheckAntibodies reports them).
std::vector<DsaFinding> FindDsa(const std::vector<Antibody>& antibodies,
                                const matcher::Genotype& recipient,
                                const matcher::Genotype& donor,
                                const data::Reference& reference,
                                double threshold);

// Applies `options` to one donor. Pure; never fails: an unknown fact is a
// reason, not an error. REQUIRES: `report` is Match(reference, recipient,
// donor, ...).
Eligibility Evaluate(const DonorFacts& donor_facts, const matcher::Genotype& donor,
                     const RecipientFacts& recipient_facts,
                     const matcher::Genotype& recipient, const matcher::MatchReport& report,
                     const data::Reference& reference,
                     const EligibilityOptions& options);

}  // namespace hla::eligibility

#endif  // HLA_ELIGIBILITY_ELIGIBILITY_H_
