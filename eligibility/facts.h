// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The facts about a donor and a recipient that are not HLA: dates and ages,
// blood group, CMV serostatus, sex, relationship, and the one parser that
// reads them from text (donor files and the HTTP service alike).
//
//   hla::eligibility::DonorFacts facts;
//   for (each written cell of a donor row) {
//     absl::Status s = hla::eligibility::ParseDonorFact(fact, text, &facts);
//     if (!s.ok()) ... "column 'birth_date': " + s.message() ...
//   }
//
// Everything here is a pure function of its arguments except Today(); all
// of it is thread-safe.
#ifndef HLA_ELIGIBILITY_FACTS_H_
#define HLA_ELIGIBILITY_FACTS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "data/haplotype_freq.h"
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

// The age rule, on plain numbers so that the registry scan can call it on
// packed dates: whole years from a birth date (year, month * 100 + day) to
// an as-of date, i.e. the number of birthdays passed, a birthday counting
// on its own day. Someone born on 29 February has a birthday on 1 March in
// common years (the plain month-then-day comparison; the rule of, e.g.,
// Hong Kong's Age of Majority (Related Provisions) Ordinance. Places that
// use 28 February differ by one day every four years, which matters only to
// a donor turning 70 that day). REQUIRES: the as-of date is not before the
// birth date.
inline int WholeYears(int64_t birth_year, int birth_mmdd, int64_t as_of_year,
                      int as_of_mmdd) {
  return static_cast<int>(as_of_year - birth_year) -
         (as_of_mmdd < birth_mmdd ? 1 : 0);
}

// WholeYears on calendar days. InvalidArgumentError when `as_of` is before
// `birth`.
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

// ---- Donor KIR genotype
//
// What the donor's killer-cell immunoglobulin-like receptor (KIR) genes say
// for haplo donor selection: the centromeric and telomeric gene-content
// motifs that give the KIR B-content score (Cooley et al., Blood
// 2010;116:2411), and whether the donor carries each inhibitory KIR whose
// ligand the missing-ligand rule asks about (KIR2DL1: C2; KIR2DL2 or
// KIR2DL3: C1; KIR3DL1: Bw4).
enum class KirMotif : uint8_t { kUnknown, kAA, kAB, kBB };
// "unknown", "A/A", "A/B", "B/B".
absl::string_view KirMotifName(KirMotif motif);
enum class KirPresence : uint8_t { kUnknown, kPresent, kAbsent };

struct KirGenotype {
  KirMotif cen = KirMotif::kUnknown, tel = KirMotif::kUnknown;
  // The receptors of the C2, C1 and Bw4 ligand groups (matcher::
  // KirLigandGroup order: C1, C2, Bw4).
  std::array<KirPresence, matcher::kKirLigandGroups> receptor{};

  bool given() const {
    if (cen != KirMotif::kUnknown || tel != KirMotif::kUnknown) return true;
    for (KirPresence p : receptor) {
      if (p != KirPresence::kUnknown) return true;
    }
    return false;
  }
};

// The inhibitory KIR of a ligand group: "KIR2DL2/3" (C1), "KIR2DL1" (C2),
// "KIR3DL1" (Bw4).
absl::string_view KirReceptorName(matcher::KirLigandGroup group);

// Reads a donor's KIR genotype, in either of the forms KIR laboratories
// report it (case-insensitive; spaces, commas and semicolons separate):
//   gene content  "KIR2DL1+ KIR2DL2- KIR2DL3+ KIR2DS2- KIR3DL1+ KIR2DS4+
//                  KIR3DS1- KIR2DS1-" (each gene named with + present or
//                  - absent; the "KIR" prefix optional; the framework and
//                  other genes accepted and not used);
//   motifs        "Cen-A/B Tel-B/B" (either may be left out).
// Cen and Tel motifs from gene content (Cooley et al., Blood 2010):
//   Cen-A/A  KIR2DL3+ and KIR2DL2- and KIR2DS2-;
//   Cen-A/B  KIR2DL3+ and (KIR2DL2+ or KIR2DS2+);
//   Cen-B/B  KIR2DL3- and (KIR2DL2+ or KIR2DS2+);
//   Tel-A/A  KIR3DL1+ and KIR2DS4+ and KIR3DS1- and KIR2DS1-;
//   Tel-A/B  KIR3DL1+ and KIR2DS4+ and (KIR3DS1+ or KIR2DS1+);
//   Tel-B/B  (KIR3DL1- or KIR2DS4-) and (KIR3DS1+ or KIR2DS1+);
// anything else (a gene the motif needs not given, or a combination none
// of these covers) leaves the motif unknown. The motif form implies
// KIR2DL3 (Cen-A/x) and KIR3DL1 (Tel-A/x) present. InvalidArgumentError
// naming the token for an unknown gene, a gene given twice with different
// signs, a token without + or -, both forms mixed, or more than 400
// characters.
absl::StatusOr<KirGenotype> ParseKirGenotype(absl::string_view text);
// "Cen-A/B Tel-B/B", with the receptors: "...; KIR2DL1+ KIR2DL2/3+ KIR3DL1-"
// (unknown ones left out). Empty when nothing is known.
std::string FormatKirGenotype(const KirGenotype& kir);

struct DonorFacts {
  std::string id;
  matcher::Relationship relationship = matcher::Relationship::kUnknown;
  // The relationship as written ("mother", "half-brother"), lower case;
  // empty when not given. Reports print it; rules read `relationship`.
  std::string relationship_text;
  std::optional<absl::CivilDay> birth_date;
  std::optional<int> age;  // used when there is no birth date
  Sex sex = Sex::kUnknown;
  std::optional<BloodGroup> blood_group;
  Cmv cmv = Cmv::kUnknown;
  KirGenotype kir;  // optional: !kir.given() when not typed
  // The KIR genotype as written (a report quotes it); empty when not given
  // or when the facts come from a registry index, which keeps `kir` only.
  std::string kir_text;
  // The population whose haplotype frequencies impute the donor's typing
  // (impute/impute.h; the NMDP 2007 table's AFA, API, EUR, HIS); unknown:
  // the documented mixture.
  std::optional<data::Population> population;
};

// One antibody specificity of the recipient, as a single-antigen bead assay
// reports it, with its mean fluorescence intensity (eligibility/antibodies.h
// reads and checks them).
struct Antibody {
  std::string specificity;  // "A*02:01", "A2", "B44", "DQ7", "Cw7", "DR52"
  double mfi = 0;
};

struct RecipientFacts {
  std::optional<BloodGroup> blood_group;
  Cmv cmv = Cmv::kUnknown;
  Sex sex = Sex::kUnknown;
  // The single-antigen bead results. `antibodies_tested` says the recipient
  // was tested: an empty list is then "no antibodies", and without a test
  // a protocol that needs one asks for review.
  bool antibodies_tested = false;
  std::vector<Antibody> antibodies;

  // Tested: said so, or a list was given.
  bool tested() const { return antibodies_tested || !antibodies.empty(); }
};

// ---- Reading donor facts

// The donor facts a row or a request may carry, by their canonical names
// (DonorFactName): "id", "relationship", "birth_date", "age", "sex", "abo",
// "cmv", "kir", "population".
enum class DonorFact : uint8_t {
  kId,
  kRelationship,
  kBirthDate,
  kAge,
  kSex,
  kAbo,
  kCmv,
  kKir,
  kPopulation,
};
inline constexpr int kDonorFactCount = 9;
absl::string_view DonorFactName(DonorFact fact);

// Reads one fact from its written text into *facts; blank text (after
// trimming) leaves the fact unknown. The one reader of donor facts: donor
// and family files and the HTTP service call it, so that a value is
// accepted or refused, and worded, the same everywhere. On error an
// InvalidArgumentError whose message describes the value only ("'2023-02-30'
// is not a date: February 2023 has 28 days"); the caller says where (a
// column, a JSON key). REQUIRES: facts != nullptr.
absl::Status ParseDonorFact(DonorFact fact, absl::string_view text,
                            DonorFacts* facts);

// The facts read together: a birth date and an age that disagree by more
// than a year on `today` (an age is recorded some time before it is read)
// are refused, naming both, rather than one silently preferred.
// InvalidArgumentError "birth date 1990-01-01 (36 on 2026-12-06) and age 75
// disagree".
absl::Status CheckDonorFacts(const DonorFacts& facts, absl::CivilDay today);

// Donor ids must be unique in one run (a report names donors by id).
class DonorIdSet {
 public:
  // OK the first time an id is seen; InvalidArgumentError "donor id 'x' is
  // used twice" after that.
  absl::Status Add(absl::string_view id);

 private:
  absl::flat_hash_set<std::string> ids_;
};

}  // namespace hla::eligibility

#endif  // HLA_ELIGIBILITY_FACTS_H_
