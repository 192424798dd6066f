// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "eligibility/rules.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hla::eligibility {
namespace {

struct ProtocolPreset {
  const char* name;
  std::optional<int> max_age_exclusive;
  bool require_haplo;
};

// NCT04835883 (ClinicalTrials.gov record, eligibility criteria): the
// recipient needs an "HLA-haplo-matched donor under 70 years old". Add a
// protocol here with its source.
constexpr ProtocolPreset kPresets[] = {
    {"NCT04835883", 70, true},
    {"none", std::nullopt, false},
};

}  // namespace

absl::StatusOr<EligibilityOptions> OptionsForProtocol(absl::string_view name) {
  std::vector<std::string> known;
  for (const ProtocolPreset& p : kPresets) {
    known.push_back(p.name);
    if (!absl::EqualsIgnoreCase(name, p.name)) continue;
    EligibilityOptions o;
    o.protocol = p.name;
    o.max_age_exclusive = p.max_age_exclusive;
    o.require_haplo = p.require_haplo;
    return o;
  }
  return absl::NotFoundError(absl::StrCat("unknown protocol '", name,
                                          "' (known: ",
                                          absl::StrJoin(known, ", "), ")"));
}

absl::string_view ReasonName(Reason reason) {
  static constexpr absl::string_view kNames[kReasonCount] = {
      "age unknown",
      "too old",
      "not haploidentical",
      "insufficient typing",
      "DSA",
      "ABO major",
      "ABO bidirectional",
      "CMV mismatch",
      "female to male",
      "phase unconfirmed",
      "relationship inconsistent",
      "antibody below threshold",
      "ABO minor",
      "ABO unknown",
      "CMV unknown",
  };
  return kNames[static_cast<int>(reason)];
}

// The one table of what each finding does under a protocol's options.
Effect EffectOf(Reason reason, const EligibilityOptions& o) {
  auto gate = [](bool on) { return on ? Effect::kExclude : Effect::kNote; };
  switch (reason) {
    case Reason::kAgeUnknown:
    case Reason::kTooOld:
      return gate(o.max_age_exclusive.has_value());
    case Reason::kNotHaploidentical:
    case Reason::kInsufficientTyping:
      return gate(o.require_haplo);
    case Reason::kDsa:
      return gate(o.dsa_excludes);
    case Reason::kAboMajor:
    case Reason::kAboBidirectional:
      return gate(o.abo_major_excludes);
    case Reason::kCmvMismatch:
      return gate(o.cmv_mismatch_excludes);
    case Reason::kFemaleToMale:
      return gate(o.female_to_male_excludes);
    case Reason::kPhaseUnconfirmed:
    case Reason::kRelationshipInconsistent:
    case Reason::kAntibodyBelowThreshold:
    case Reason::kAboMinor:
    case Reason::kAboUnknown:
    case Reason::kCmvUnknown:
      return Effect::kNote;
  }
  return Effect::kNote;
}

std::optional<Reason> FirstExclusion(Findings findings,
                                     const EligibilityOptions& options) {
  for (int i = 0; findings != 0 && i < kReasonCount; ++i) {
    const Reason r = static_cast<Reason>(i);
    if (Has(findings, r) && EffectOf(r, options) == Effect::kExclude) {
      return r;
    }
  }
  return std::nullopt;
}

std::optional<int> AgeAt(const DonorFacts& facts, absl::CivilDay as_of) {
  if (facts.birth_date) {
    absl::StatusOr<int> age = AgeInYears(*facts.birth_date, as_of);
    if (!age.ok()) return std::nullopt;
    return *age;
  }
  return facts.age;
}

Findings AgeFindings(std::optional<int> age, const EligibilityOptions& o) {
  if (!age) return Bit(Reason::kAgeUnknown);
  if (o.max_age_exclusive && *age >= *o.max_age_exclusive) {
    return Bit(Reason::kTooOld);
  }
  return 0;
}

Findings HaploFindings(matcher::HaploVerdict verdict, bool inconsistent) {
  Findings f = inconsistent ? Bit(Reason::kRelationshipInconsistent) : 0;
  switch (verdict) {
    case matcher::HaploVerdict::kHaploCompatible:
      return f | Bit(Reason::kPhaseUnconfirmed);
    case matcher::HaploVerdict::kNotHaploidentical:
      return f | Bit(Reason::kNotHaploidentical);
    case matcher::HaploVerdict::kInsufficientTyping:
      return f | Bit(Reason::kInsufficientTyping);
    case matcher::HaploVerdict::kIdentical:
    case matcher::HaploVerdict::kHaploidentical:
      return f;
  }
  return f;
}

AboMatch ClassifyAbo(Abo recipient, Abo donor) {
  // The red-cell antigens of each group as bits (A = 1, B = 2).
  auto antigens = [](Abo g) {
    switch (g) {
      case Abo::kO:
        return 0;
      case Abo::kA:
        return 1;
      case Abo::kB:
        return 2;
      case Abo::kAB:
        return 3;
    }
    return 0;
  };
  const int r = antigens(recipient), d = antigens(donor);
  // Major: the donor's cells carry an antigen the recipient lacks, so the
  // recipient's isoagglutinins attack them. Minor: the reverse, the donor's
  // plasma against the recipient's cells (EBMT Handbook 2019; AABB).
  const bool major = (d & ~r) != 0;
  const bool minor = (r & ~d) != 0;
  if (major && minor) return AboMatch::kBidirectional;
  if (major) return AboMatch::kMajor;
  if (minor) return AboMatch::kMinor;
  return AboMatch::kCompatible;
}

absl::string_view AboMatchName(AboMatch m) {
  switch (m) {
    case AboMatch::kCompatible:
      return "compatible";
    case AboMatch::kMinor:
      return "minor";
    case AboMatch::kMajor:
      return "major";
    case AboMatch::kBidirectional:
      return "bidirectional";
  }
  return "?";
}

Findings AboFindings(const std::optional<BloodGroup>& recipient,
                     const std::optional<BloodGroup>& donor,
                     std::optional<AboMatch>* match) {
  *match = std::nullopt;
  if (recipient && donor) {
    *match = ClassifyAbo(recipient->abo, donor->abo);
    switch (**match) {
      case AboMatch::kCompatible:
        return 0;
      case AboMatch::kMinor:
        return Bit(Reason::kAboMinor);
      case AboMatch::kMajor:
        return Bit(Reason::kAboMajor);
      case AboMatch::kBidirectional:
        return Bit(Reason::kAboBidirectional);
    }
  }
  return recipient || donor ? Bit(Reason::kAboUnknown) : 0;
}

Findings CmvFindings(Cmv recipient, Cmv donor) {
  if (recipient == Cmv::kUnknown && donor == Cmv::kUnknown) return 0;
  if (recipient == Cmv::kUnknown || donor == Cmv::kUnknown) {
    return Bit(Reason::kCmvUnknown);
  }
  if (recipient == Cmv::kPositive && donor == Cmv::kNegative) {
    return Bit(Reason::kCmvMismatch);
  }
  return 0;
}

Findings SexFindings(Sex recipient, Sex donor) {
  return recipient == Sex::kMale && donor == Sex::kFemale
             ? Bit(Reason::kFemaleToMale)
             : 0;
}

Findings DsaFindings(const std::vector<DsaFinding>& findings) {
  Findings f = 0;
  for (const DsaFinding& d : findings) {
    f |= Bit(d.at_or_above_threshold ? Reason::kDsa
                                     : Reason::kAntibodyBelowThreshold);
  }
  return f;
}

}  // namespace hla::eligibility
