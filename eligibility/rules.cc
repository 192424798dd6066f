// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "eligibility/rules.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hla::eligibility {
namespace {

struct ProtocolPreset {
  const char* name;
  std::optional<int> max_age_exclusive;
  bool require_haplo;
  bool dsa_test_required;
};

// NCT04835883 (ClinicalTrials.gov record, eligibility criteria): the
// recipient needs an "HLA-haplo-matched donor under 70 years old". A haplo
// protocol needs the recipient's antibodies tested: the EBMT consensus
// (Ciurea et al., Bone Marrow Transplant 2018;53:521-534) makes DSA testing
// mandatory before haploidentical HCT. Add a protocol here with its source.
constexpr ProtocolPreset kPresets[] = {
    {"NCT04835883", 70, true, true},
    {"none", std::nullopt, false, false},
};

}  // namespace

absl::string_view ByStatePolicyName(ByStatePolicy policy) {
  switch (policy) {
    case ByStatePolicy::kReview:
      return "review";
    case ByStatePolicy::kAccept:
      return "accept";
    case ByStatePolicy::kExclude:
      return "exclude";
  }
  return "review";
}

absl::StatusOr<ByStatePolicy> ParseByStatePolicy(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  for (ByStatePolicy p : {ByStatePolicy::kReview, ByStatePolicy::kAccept,
                          ByStatePolicy::kExclude}) {
    if (t == ByStatePolicyName(p)) return p;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "'", text, "' is not review, accept or exclude"));
}

absl::StatusOr<EligibilityOptions> OptionsForProtocol(absl::string_view name) {
  std::vector<std::string> known;
  for (const ProtocolPreset& p : kPresets) {
    known.push_back(p.name);
    if (!absl::EqualsIgnoreCase(name, p.name)) continue;
    EligibilityOptions o;
    o.protocol = p.name;
    o.max_age_exclusive = p.max_age_exclusive;
    o.require_haplo = p.require_haplo;
    o.dsa_test_required = p.dsa_test_required;
    return o;
  }
  return absl::NotFoundError(absl::StrCat("unknown protocol '", name,
                                          "' (known: ",
                                          absl::StrJoin(known, ", "), ")"));
}

absl::string_view ReasonName(Reason reason) {
  static constexpr absl::string_view kNames[kReasonCount] = {
      "too old",
      "age unknown",
      "minor",
      "not haploidentical",
      "insufficient typing",
      "relationship inconsistent",
      "phase unconfirmed",
      "matched by state",
      "DSA",
      "possible DSA",
      "untyped locus under an antibody",
      "DSA uncheckable",
      "DSA not tested",
      "antibody against self",
      "antibody below threshold",
      "ABO major",
      "ABO bidirectional",
      "ABO unknown",
      "ABO minor",
      "RhD mismatch",
      "CMV mismatch (R+/D-)",
      "CMV mismatch (R-/D+)",
      "CMV unknown",
      "female to male",
      "sex unknown",
  };
  return kNames[static_cast<int>(reason)];
}

absl::string_view StatusName(Status status) {
  switch (status) {
    case Status::kEligible:
      return "eligible";
    case Status::kNeedsReview:
      return "needs-review";
    case Status::kNotEligible:
      return "not-eligible";
    case Status::kNotAssessed:
      return "not-assessed";
  }
  return "not-assessed";
}

// The one table of what each finding does under a protocol's options. A
// gate excludes on a known failing fact and asks for review on an unknown
// one; without the gate both are notes.
Effect EffectOf(Reason reason, const EligibilityOptions& o) {
  if (!o.assessed()) return Effect::kNote;
  auto exclude_if = [](bool gate) {
    return gate ? Effect::kExclude : Effect::kNote;
  };
  auto review_if = [](bool gate) {
    return gate ? Effect::kReview : Effect::kNote;
  };
  const bool age_gate = o.max_age_exclusive.has_value();
  switch (reason) {
    case Reason::kTooOld:
      return exclude_if(age_gate);
    case Reason::kAgeUnknown:
      return review_if(age_gate);
    case Reason::kMinor:
      return review_if(age_gate && !o.allow_minors);
    case Reason::kNotHaploidentical:
      return exclude_if(o.require_haplo);
    case Reason::kInsufficientTyping:
    case Reason::kRelationshipInconsistent:
    case Reason::kPhaseUnconfirmed:
      return review_if(o.require_haplo);
    case Reason::kMatchedByState:
      if (!o.require_haplo) return Effect::kNote;
      switch (o.by_state) {
        case ByStatePolicy::kReview:
          return Effect::kReview;
        case ByStatePolicy::kAccept:
          return Effect::kNote;
        case ByStatePolicy::kExclude:
          return Effect::kExclude;
      }
      return Effect::kReview;
    // A DSA at or above the threshold excludes under every protocol: it is
    // the main cause of primary graft failure in haplo-HCT (Ciurea 2018).
    case Reason::kDsa:
      return Effect::kExclude;
    case Reason::kDsaPossible:
    case Reason::kDsaUntypedLocus:
    case Reason::kDsaUncheckable:
      return Effect::kReview;
    case Reason::kDsaNotTested:
      return review_if(o.dsa_test_required);
    case Reason::kSelfAntibody:
    case Reason::kAntibodyBelowThreshold:
      return Effect::kNote;
    case Reason::kAboMajor:
    case Reason::kAboBidirectional:
      return exclude_if(o.abo_gate);
    case Reason::kAboUnknown:
      return review_if(o.abo_gate);
    case Reason::kAboMinor:
    case Reason::kRhMismatch:
      return Effect::kNote;
    case Reason::kCmvMismatch:
    case Reason::kCmvMismatchRecipientNegative:
      return exclude_if(o.cmv_gate);
    case Reason::kCmvUnknown:
      return review_if(o.cmv_gate);
    case Reason::kFemaleToMale:
      return exclude_if(o.sex_gate);
    case Reason::kSexUnknown:
      return review_if(o.sex_gate);
  }
  return Effect::kNote;
}

std::optional<Reason> FirstWithEffect(Findings findings, Effect effect,
                                      const EligibilityOptions& options) {
  for (int i = 0; findings != 0 && i < kReasonCount; ++i) {
    const Reason r = static_cast<Reason>(i);
    if (Has(findings, r) && EffectOf(r, options) == effect) return r;
  }
  return std::nullopt;
}

EffectMasks MasksOf(const EligibilityOptions& options) {
  EffectMasks m;
  m.assessed = options.assessed();
  for (int i = 0; i < kReasonCount; ++i) {
    const Reason r = static_cast<Reason>(i);
    switch (EffectOf(r, options)) {
      case Effect::kExclude:
        m.exclude |= Bit(r);
        break;
      case Effect::kReview:
        m.review |= Bit(r);
        break;
      case Effect::kNote:
        break;
    }
  }
  return m;
}

Status StatusOf(Findings findings, const EligibilityOptions& options) {
  if (!options.assessed()) return Status::kNotAssessed;
  if (FirstWithEffect(findings, Effect::kExclude, options)) {
    return Status::kNotEligible;
  }
  if (FirstWithEffect(findings, Effect::kReview, options)) {
    return Status::kNeedsReview;
  }
  return Status::kEligible;
}

std::optional<int> AgeAt(const DonorFacts& facts, absl::CivilDay as_of) {
  if (facts.birth_date) {
    absl::StatusOr<int> age = AgeInYears(*facts.birth_date, as_of);
    if (!age.ok()) return std::nullopt;
    return *age;
  }
  return facts.age;
}

// A donor under 18 is a minor: a related minor may donate, but only
// through a consent and advocacy process of its own (American Academy of
// Pediatrics, Committee on Bioethics: Children as hematopoietic stem cell
// donors, Pediatrics 2010;125:392-404), and unrelated registries take
// adults only (WMDA International Standards). Under an age gate it needs
// review unless the protocol allows minors (--allow-minors).
Findings AgeFindings(std::optional<int> age, const EligibilityOptions& o) {
  if (!age) return Bit(Reason::kAgeUnknown);
  Findings f = 0;
  if (*age < kAdultAge) f |= Bit(Reason::kMinor);
  if (o.max_age_exclusive && *age >= *o.max_age_exclusive) {
    f |= Bit(Reason::kTooOld);
  }
  return f;
}

// "HLA-haplo-matched" (NCT04835883) is read, as the haploidentical-
// transplant literature uses "haploidentical donor" (e.g. the EBMT
// consensus on donor selection for haploidentical HCT, Ciurea et al., Bone
// Marrow Transplant 2020;55:12-24, which chooses among relatives), as a
// relative sharing a haplotype by descent. An unrelated donor sharing one
// by state is a different donor type, so the protocol team decides: by
// default needs review (EligibilityOptions::by_state).
Findings HaploFindings(matcher::HaploVerdict verdict,
                       matcher::Relationship relationship, bool inconsistent) {
  using matcher::HaploVerdict;
  using matcher::Relationship;
  const bool related = relationship != Relationship::kUnrelated &&
                       relationship != Relationship::kUnknown;
  Findings f = inconsistent ? Bit(Reason::kRelationshipInconsistent) : 0;
  switch (verdict) {
    case HaploVerdict::kIdentical:
    case HaploVerdict::kHaploidentical:
      return f;
    case HaploVerdict::kHaplotypeMatched:
      return f | Bit(Reason::kMatchedByState);
    case HaploVerdict::kHaploCompatible:
      return f | Bit(related ? Reason::kPhaseUnconfirmed
                             : Reason::kMatchedByState);
    case HaploVerdict::kNotHaploidentical:
      // A stated parent or child who shares nothing puts the typing or the
      // relationship in doubt: that is for review, not a verdict.
      return inconsistent ? f : f | Bit(Reason::kNotHaploidentical);
    case HaploVerdict::kInsufficientTyping:
      return f | Bit(Reason::kInsufficientTyping);
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

// RhD: a D-positive graft for a D-negative recipient is reported (the
// recipient may make anti-D against the donor's red cells; EBMT Handbook
// 2019), never gated.
Findings AboFindings(const std::optional<BloodGroup>& recipient,
                     const std::optional<BloodGroup>& donor,
                     std::optional<AboMatch>* match) {
  *match = std::nullopt;
  if (!recipient || !donor) return Bit(Reason::kAboUnknown);
  Findings f = 0;
  if (recipient->rh == Rh::kNegative && donor->rh == Rh::kPositive) {
    f |= Bit(Reason::kRhMismatch);
  }
  *match = ClassifyAbo(recipient->abo, donor->abo);
  switch (**match) {
    case AboMatch::kCompatible:
      return f;
    case AboMatch::kMinor:
      return f | Bit(Reason::kAboMinor);
    case AboMatch::kMajor:
      return f | Bit(Reason::kAboMajor);
    case AboMatch::kBidirectional:
      return f | Bit(Reason::kAboBidirectional);
  }
  return f;
}

Findings CmvFindings(Cmv recipient, Cmv donor) {
  if (recipient == Cmv::kUnknown || donor == Cmv::kUnknown) {
    return Bit(Reason::kCmvUnknown);
  }
  if (recipient == Cmv::kPositive && donor == Cmv::kNegative) {
    return Bit(Reason::kCmvMismatch);
  }
  if (recipient == Cmv::kNegative && donor == Cmv::kPositive) {
    return Bit(Reason::kCmvMismatchRecipientNegative);
  }
  return 0;
}

Findings SexFindings(Sex recipient, Sex donor) {
  if (recipient == Sex::kFemale) return 0;  // female-to-male cannot apply
  if (recipient == Sex::kUnknown) {
    return donor == Sex::kMale ? 0 : Bit(Reason::kSexUnknown);
  }
  // A male recipient.
  if (donor == Sex::kFemale) return Bit(Reason::kFemaleToMale);
  return donor == Sex::kUnknown ? Bit(Reason::kSexUnknown) : 0;
}

Findings DsaFindings(const std::vector<DsaFinding>& findings) {
  Findings f = 0;
  for (const DsaFinding& d : findings) {
    if (!d.at_or_above_threshold) {
      if (d.kind == DsaKind::kDsa || d.kind == DsaKind::kPossible) {
        f |= Bit(Reason::kAntibodyBelowThreshold);
      }
      continue;
    }
    switch (d.kind) {
      case DsaKind::kDsa:
        f |= Bit(Reason::kDsa);
        break;
      case DsaKind::kPossible:
        f |= Bit(Reason::kDsaPossible);
        break;
      case DsaKind::kUntypedLocus:
        f |= Bit(Reason::kDsaUntypedLocus);
        break;
      case DsaKind::kUncheckable:
        f |= Bit(Reason::kDsaUncheckable);
        break;
      case DsaKind::kSelf:
        f |= Bit(Reason::kSelfAntibody);
        break;
    }
  }
  return f;
}

Findings DsaFindings(bool antibodies_tested,
                     const std::vector<DsaFinding>& findings) {
  return antibodies_tested ? DsaFindings(findings) : Bit(Reason::kDsaNotTested);
}

// ---- Donor KIR

absl::string_view KirBCategoryName(KirBCategory category) {
  switch (category) {
    case KirBCategory::kBest: return "best";
    case KirBCategory::kBetter: return "better";
    case KirBCategory::kNeutral: return "neutral";
    case KirBCategory::kNotTyped: break;
  }
  return "not_typed";
}

// Cooley et al., Blood 2010;116:2411: the B-content score counts the B
// motifs of the centromeric and telomeric halves; Cen-B homozygosity had
// the strongest effect ("best"), two or more B motifs otherwise "better".
KirBContent KirBContentOf(const KirGenotype& kir) {
  KirBContent b;
  if (kir.cen == KirMotif::kUnknown || kir.tel == KirMotif::kUnknown) {
    // Cen-B/B alone decides "best"; the score needs both halves.
    if (kir.cen == KirMotif::kBB) b.category = KirBCategory::kBest;
    return b;
  }
  auto count = [](KirMotif m) {
    return m == KirMotif::kBB ? 2 : m == KirMotif::kAB ? 1 : 0;
  };
  b.score = count(kir.cen) + count(kir.tel);
  b.category = kir.cen == KirMotif::kBB ? KirBCategory::kBest
               : b.score >= 2           ? KirBCategory::kBetter
                                        : KirBCategory::kNeutral;
  return b;
}

DonorKirResult DonorKirOf(const KirGenotype& kir,
                          const matcher::LigandSet* recipient) {
  DonorKirResult r;
  r.genotype = kir;
  r.b_content = KirBContentOf(kir);
  std::vector<std::string> parts;
  parts.push_back(absl::StrCat(
      "KIR B content ",
      r.b_content.score >= 0 ? absl::StrCat(r.b_content.score, " of 4, ")
                             : std::string(),
      KirBCategoryName(r.b_content.category),
      r.b_content.category == KirBCategory::kNotTyped
          ? " (a Cen or Tel motif is unknown)"
          : "",
      " (Cooley et al., Blood 2010: unrelated donors, AML)"));
  if (recipient != nullptr) {
    std::vector<std::string> missing;
    for (int g = 0; g < matcher::kKirLigandGroups; ++g) {
      const KirPresence receptor = kir.receptor[g];
      const matcher::LigandPresence ligand = recipient->presence[g];
      const auto group = static_cast<matcher::KirLigandGroup>(g);
      if (receptor == KirPresence::kAbsent ||
          ligand == matcher::LigandPresence::kDefinite) {
        continue;
      }
      if (receptor == KirPresence::kPresent &&
          ligand == matcher::LigandPresence::kAbsent) {
        r.missing_definite.push_back(group);
        missing.push_back(absl::StrCat(KirReceptorName(group), " (",
                                       matcher::ToString(group), " missing)"));
      } else {
        r.missing_possible.push_back(group);
        missing.push_back(absl::StrCat(KirReceptorName(group), " (",
                                       matcher::ToString(group), " possibly missing)"));
      }
    }
    parts.push_back(
        missing.empty()
            ? std::string("no donor inhibitory KIR without its ligand in the recipient")
            : absl::StrCat("donor inhibitory KIR whose ligand the recipient lacks: ",
                           absl::StrJoin(missing, ", "),
                           " (missing-ligand model, Leung et al., J Immunol 2004)"));
  }
  r.basis = absl::StrJoin(parts, "; ");
  return r;
}

}  // namespace hla::eligibility
