// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "eligibility/eligibility.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hla::eligibility {
namespace {

// Puts each sentence in the list its finding's effect says: excluding
// findings first (so that the first reason of an ineligible donor says
// why), then what to check, then the gates passed, then notes.
class Explainer {
 public:
  Explainer(const EligibilityOptions& options, Eligibility* e)
      : o_(options), e_(*e) {}

  void Add(Reason reason, std::string text) {
    switch (EffectOf(reason, o_)) {
      case Effect::kExclude:
        e_.excludes.push_back(std::move(text));
        break;
      case Effect::kReview:
        e_.to_check.push_back(std::move(text));
        break;
      case Effect::kNote:
        e_.notes.push_back(std::move(text));
        break;
    }
  }
  // A gate the donor passes (a note when the protocol has no such gate).
  void Pass(bool gate, std::string text) {
    (gate && o_.assessed() ? e_.passes : e_.notes).push_back(std::move(text));
  }
  void Note(std::string text) { e_.notes.push_back(std::move(text)); }
  // Whether a finding decides anything under the options (an unknown fact
  // nobody asked about need not be said).
  bool Matters(Reason reason) const {
    return EffectOf(reason, o_) != Effect::kNote;
  }
  std::string Tag() const {
    return o_.assessed() ? absl::StrCat(" (", o_.protocol, ")") : "";
  }

 private:
  const EligibilityOptions& o_;
  Eligibility& e_;
};

void ExplainAge(const DonorFacts& facts, const Eligibility& e,
                const EligibilityOptions& o, Explainer* x) {
  if (!e.age) {
    std::string why = "no birth date or age given";
    if (facts.birth_date) {
      why = std::string(
          AgeInYears(*facts.birth_date, o.as_of).status().message());
    }
    x->Add(Reason::kAgeUnknown,
           absl::StrCat("age unknown: ", why,
                        x->Matters(Reason::kAgeUnknown)
                            ? "; check the donor's date of birth"
                            : ""));
    return;
  }
  const std::string age_text =
      facts.birth_date
          ? absl::StrCat("age ", *e.age, " at ", FormatDate(o.as_of))
          : absl::StrCat("age ", *e.age, " (as given)");
  if (Has(e.findings, Reason::kTooOld)) {
    x->Add(Reason::kTooOld, absl::StrCat(age_text, ": not under ",
                                         *o.max_age_exclusive, x->Tag()));
    return;
  }
  if (Has(e.findings, Reason::kMinor)) {
    x->Add(Reason::kMinor,
           absl::StrCat(age_text, ": a minor (under ", kAdultAge,
                        "): donation needs a minor's consent and advocacy "
                        "process",
                        o.allow_minors ? " (minors allowed)" : ""));
    if (o.max_age_exclusive) {  // the age limit itself is met
      x->Pass(true, absl::StrCat(age_text, ": under ", *o.max_age_exclusive));
    }
    return;
  }
  if (o.max_age_exclusive) {
    x->Pass(true, absl::StrCat(age_text, ": under ", *o.max_age_exclusive));
  } else {
    x->Note(age_text);
  }
}

void ExplainHaplo(const matcher::HaploResult& haplo, const Eligibility& e,
                  const EligibilityOptions& o, Explainer* x) {
  const std::string verdict(matcher::ToString(haplo.verdict));
  const std::string basis =
      haplo.basis.empty() ? "" : absl::StrCat(": ", haplo.basis);
  for (const std::string& why : haplo.inconsistencies) {
    x->Add(Reason::kRelationshipInconsistent,
           absl::StrCat(why, x->Matters(Reason::kRelationshipInconsistent)
                                 ? "; confirm the relationship and repeat "
                                   "the typing"
                                 : ""));
  }
  switch (haplo.verdict) {
    case matcher::HaploVerdict::kIdentical:
    case matcher::HaploVerdict::kHaploidentical:
      x->Pass(o.require_haplo, absl::StrCat(verdict, basis));
      return;
    case matcher::HaploVerdict::kHaplotypeMatched:
    case matcher::HaploVerdict::kHaploCompatible:
      if (Has(e.findings, Reason::kPhaseUnconfirmed)) {
        x->Add(Reason::kPhaseUnconfirmed,
               absl::StrCat(verdict, ": phase unconfirmed", basis,
                            x->Matters(Reason::kPhaseUnconfirmed)
                                ? "; confirm the shared haplotype by family "
                                  "typing (--family)"
                                : ""));
      } else {
        // The basis says "shared by state" and why (matcher's words).
        x->Add(Reason::kMatchedByState,
               absl::StrCat(verdict, basis,
                            x->Matters(Reason::kMatchedByState)
                                ? absl::StrCat(
                                      "; ", o.protocol,
                                      " asks for an HLA-haplo-matched donor, "
                                      "read as a haploidentical relative: "
                                      "the protocol team decides "
                                      "(--unrelated-haplo ",
                                      ByStatePolicyName(o.by_state), ")")
                                : ""));
      }
      return;
    case matcher::HaploVerdict::kNotHaploidentical:
      if (Has(e.findings, Reason::kNotHaploidentical)) {
        x->Add(Reason::kNotHaploidentical,
               absl::StrCat("not haploidentical", basis,
                            o.require_haplo ? x->Tag() : ""));
      } else {
        // The inconsistency above decides; the verdict is still said.
        x->Note(absl::StrCat("not haploidentical", basis));
      }
      return;
    case matcher::HaploVerdict::kInsufficientTyping:
      x->Add(Reason::kInsufficientTyping,
             absl::StrCat("insufficient typing for a haplo verdict", basis,
                          x->Matters(Reason::kInsufficientTyping)
                              ? "; type the missing loci"
                              : ""));
      return;
  }
}

std::string DsaTarget(const DsaFinding& f) {
  if (f.via == "allele") return absl::StrCat("donor allele ", f.donor_allele);
  if (f.via.empty()) return absl::StrCat("donor ", f.donor_allele);
  const bool epitope = f.via == "Bw4" || f.via == "Bw6";
  return absl::StrCat("donor ", f.donor_allele, epitope ? " (epitope " : " (antigen ",
                      f.via, ")");
}

// Donor-specific antibodies (Ciurea et al. 2018, see kDefaultDsaMfi).
void ExplainDsa(const RecipientFacts& recipient, const Eligibility& e,
                const EligibilityOptions& o, Explainer* x) {
  const std::string threshold = FormatMfi(o.dsa_mfi_threshold);
  if (!recipient.tested()) {
    x->Add(Reason::kDsaNotTested,
           x->Matters(Reason::kDsaNotTested)
               ? "DSA not tested: no recipient antibody list given; test "
                 "the recipient for anti-HLA antibodies (single-antigen "
                 "beads) before a haploidentical transplant, or give "
                 "--antibodies none if tested without any"
               : "DSA not checked: no recipient antibodies given");
    return;
  }
  // One line per fact: a finding can repeat when both donor copies carry
  // its target (an antibody against the recipient's own Bw6, say).
  absl::flat_hash_set<std::string> said;
  auto add = [&](Reason r, std::string text) {
    if (said.insert(text).second) x->Add(r, std::move(text));
  };
  for (const DsaFinding& f : e.dsa) {
    const std::string ab = absl::StrCat("anti-", f.specificity, " MFI ",
                                        FormatMfi(f.mfi));
    if (!f.at_or_above_threshold) {
      std::string text = absl::StrCat("antibody ", ab, " < ", threshold,
                                      " against ", DsaTarget(f),
                                      ": below the DSA threshold");
      if (said.insert(text).second) x->Note(std::move(text));
      continue;
    }
    const std::string at = absl::StrCat(ab, " \u2265 ", threshold);
    switch (f.kind) {
      case DsaKind::kDsa:
        add(Reason::kDsa, absl::StrCat("DSA: ", at, " against ", DsaTarget(f)));
        break;
      case DsaKind::kPossible:
        add(Reason::kDsaPossible, absl::StrCat("possible DSA: ", at,
                                               " against ", DsaTarget(f),
                                               ": ", f.why));
        break;
      case DsaKind::kUntypedLocus:
        add(Reason::kDsaUntypedLocus,
            absl::StrCat("DSA unknown: ", at, ": ", f.why));
        break;
      case DsaKind::kUncheckable:
        add(Reason::kDsaUncheckable,
            absl::StrCat("DSA unknown: ", at, " cannot be checked: ", f.why));
        break;
      case DsaKind::kSelf:
        add(Reason::kSelfAntibody,
            absl::StrCat("antibody ", at, " is not counted as a DSA: ", f.why));
        break;
    }
  }
  const Findings dsa_kinds = Bit(Reason::kDsa) | Bit(Reason::kDsaPossible) |
                             Bit(Reason::kDsaUntypedLocus) |
                             Bit(Reason::kDsaUncheckable);
  if ((e.findings & dsa_kinds) == 0) {
    size_t at = 0;  // antibodies at or above the threshold: those checked
    for (const Antibody& ab : recipient.antibodies) {
      at += ab.mfi >= o.dsa_mfi_threshold;
    }
    const size_t n = recipient.antibodies.size();
    std::string why;
    if (n == 0) {
      why = "the recipient was tested and has no anti-HLA antibodies";
    } else if (at == 0) {
      why = absl::StrCat("the recipient's ", n,
                         n == 1 ? " antibody is" : " antibodies are all",
                         " below MFI ", threshold);
    } else if (at == 1) {
      why = absl::StrCat("the recipient's one antibody at MFI \u2265 ",
                         threshold, " is not against this donor");
    } else {
      why = absl::StrCat("none of the recipient's ", at,
                         " antibodies at MFI \u2265 ", threshold,
                         " is against this donor");
    }
    x->Pass(true, absl::StrCat("no DSA: ", why));
  }
}

void ExplainAbo(const DonorFacts& donor, const RecipientFacts& recipient,
                const Eligibility& e, Explainer* x) {
  const auto& rbg = recipient.blood_group;
  const auto& dbg = donor.blood_group;
  if (!e.abo) {
    if (!rbg && !dbg && !x->Matters(Reason::kAboUnknown)) return;
    const std::string who = !rbg && !dbg ? "recipient and donor"
                            : rbg       ? "donor"
                                        : "recipient";
    x->Add(Reason::kAboUnknown,
           absl::StrCat("ABO not checked: ", who, " blood group unknown",
                        x->Matters(Reason::kAboUnknown)
                            ? absl::StrCat("; give the ", who,
                                           " blood group")
                            : ""));
    return;
  }
  const std::string pair = absl::StrCat(
      "recipient ", BloodGroupName(*rbg), ", donor ", BloodGroupName(*dbg));
  switch (*e.abo) {
    case AboMatch::kCompatible:
      x->Pass(x->Matters(Reason::kAboMajor),
              absl::StrCat("ABO compatible: ", pair));
      break;
    case AboMatch::kMinor:
      x->Add(Reason::kAboMinor,
             absl::StrCat("ABO minor incompatibility: ", pair));
      break;
    case AboMatch::kMajor:
    case AboMatch::kBidirectional:
      x->Add(*e.abo == AboMatch::kMajor ? Reason::kAboMajor
                                        : Reason::kAboBidirectional,
             absl::StrCat("ABO ", AboMatchName(*e.abo),
                          " incompatibility: ", pair));
      break;
  }
  if (Has(e.findings, Reason::kRhMismatch)) {
    x->Add(Reason::kRhMismatch,
           absl::StrCat("RhD mismatch: RhD-negative recipient, "
                        "RhD-positive donor (",
                        pair, ")"));
  }
}

void ExplainCmvSex(const DonorFacts& donor, const RecipientFacts& recipient,
                   const Eligibility& e, Explainer* x) {
  const Cmv rc = recipient.cmv, dc = donor.cmv;
  const std::string pair =
      absl::StrCat("recipient ", CmvName(rc), ", donor ", CmvName(dc));
  if (Has(e.findings, Reason::kCmvUnknown)) {
    if (rc != Cmv::kUnknown || dc != Cmv::kUnknown ||
        x->Matters(Reason::kCmvUnknown)) {
      x->Add(Reason::kCmvUnknown,
             absl::StrCat("CMV not compared: ", pair,
                          x->Matters(Reason::kCmvUnknown)
                              ? "; give both CMV serostatuses"
                              : ""));
    }
  } else if (Has(e.findings, Reason::kCmvMismatch)) {
    x->Add(Reason::kCmvMismatch,
           absl::StrCat("CMV mismatch (R+/D-): ", pair));
  } else if (Has(e.findings, Reason::kCmvMismatchRecipientNegative)) {
    x->Add(Reason::kCmvMismatchRecipientNegative,
           absl::StrCat("CMV mismatch (R-/D+): ", pair));
  } else {
    x->Pass(x->Matters(Reason::kCmvMismatch),
            absl::StrCat("CMV: ", pair));
  }
  if (Has(e.findings, Reason::kFemaleToMale)) {
    x->Add(Reason::kFemaleToMale, "female donor for a male recipient");
  } else if (Has(e.findings, Reason::kSexUnknown) &&
             x->Matters(Reason::kSexUnknown)) {
    x->Add(Reason::kSexUnknown,
           absl::StrCat("sex not compared: recipient ",
                        SexName(recipient.sex), ", donor ", SexName(donor.sex),
                        "; give both"));
  }
}

}  // namespace

Eligibility Evaluate(const DonorFacts& donor_facts,
                     const matcher::Genotype& donor,
                     const RecipientFacts& recipient_facts,
                     const matcher::Genotype& recipient,
                     const matcher::MatchReport& report,
                     const data::Reference& reference,
                     const EligibilityOptions& options) {
  Eligibility e;
  // The findings, from the same rule functions the registry scan calls.
  e.age = AgeAt(donor_facts, options.as_of);
  e.findings |= AgeFindings(e.age, options);
  e.findings |= HaploFindings(report.haplo.verdict, donor_facts.relationship,
                              !report.haplo.inconsistencies.empty());
  if (recipient_facts.tested()) {
    e.dsa = FindDsa(recipient_facts.antibodies, recipient, donor, reference,
                    options.dsa_mfi_threshold);
  }
  e.findings |= DsaFindings(recipient_facts.tested(), e.dsa);
  e.findings |= AboFindings(recipient_facts.blood_group,
                            donor_facts.blood_group, &e.abo);
  e.findings |= CmvFindings(recipient_facts.cmv, donor_facts.cmv);
  e.findings |= SexFindings(recipient_facts.sex, donor_facts.sex);
  e.status = StatusOf(e.findings, options);
  e.eligible = e.status == Status::kEligible;

  // The words.
  Explainer x(options, &e);
  ExplainAge(donor_facts, e, options, &x);
  ExplainHaplo(report.haplo, e, options, &x);
  ExplainDsa(recipient_facts, e, options, &x);
  ExplainAbo(donor_facts, recipient_facts, e, &x);
  ExplainCmvSex(donor_facts, recipient_facts, e, &x);
  for (const auto* list : {&e.excludes, &e.to_check, &e.passes, &e.notes}) {
    e.reasons.insert(e.reasons.end(), list->begin(), list->end());
  }
  return e;
}

}  // namespace hla::eligibility
