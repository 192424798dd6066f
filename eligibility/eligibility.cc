// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "eligibility/eligibility.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace hla::eligibility {
namespace {

// The reasons of one donor in the order a reader wants them: excluding
// findings first (so that the first reason of an ineligible donor says
// why), then gates passed, then notes.
struct ReasonLists {
  std::vector<std::string> fails, passes, notes;

  // A finding's sentence goes to `fails` when it excludes under the
  // options, else to `notes` (or `passes` when it passes a gate).
  void Add(Reason reason, const EligibilityOptions& o, std::string text) {
    (EffectOf(reason, o) == Effect::kExclude ? fails : notes)
        .push_back(std::move(text));
  }
  std::vector<std::string> Take() {
    std::vector<std::string> all = std::move(fails);
    all.insert(all.end(), passes.begin(), passes.end());
    all.insert(all.end(), notes.begin(), notes.end());
    return all;
  }
};

std::string ProtocolTag(const EligibilityOptions& o) {
  return o.protocol.empty() || o.protocol == "none"
             ? std::string()
             : absl::StrCat(" (", o.protocol, ")");
}

void ExplainAge(const DonorFacts& facts, const Eligibility& e,
                const EligibilityOptions& o, ReasonLists* out) {
  const std::string as_of = FormatDate(o.as_of);
  if (!e.age) {
    std::string why = "no birth date or age given";
    if (facts.birth_date) {
      why = std::string(
          AgeInYears(*facts.birth_date, o.as_of).status().message());
    }
    out->Add(Reason::kAgeUnknown, o, absl::StrCat("age unknown: ", why));
    return;
  }
  const std::string age_text =
      facts.birth_date ? absl::StrCat("age ", *e.age, " at ", as_of)
                       : absl::StrCat("age ", *e.age, " (as given)");
  if (!o.max_age_exclusive) {
    out->notes.push_back(age_text);
  } else if (Has(e.findings, Reason::kTooOld)) {
    out->Add(Reason::kTooOld, o,
             absl::StrCat(age_text, ": not under ", *o.max_age_exclusive,
                          ProtocolTag(o)));
  } else {
    out->passes.push_back(
        absl::StrCat(age_text, ": under ", *o.max_age_exclusive));
  }
}

void ExplainHaplo(const matcher::HaploResult& haplo,
                  const EligibilityOptions& o, ReasonLists* out) {
  const std::string verdict(matcher::ToString(haplo.verdict));
  const std::string basis =
      haplo.basis.empty() ? "" : absl::StrCat(": ", haplo.basis);
  auto pass_or_note = [&](std::string text) {
    (o.require_haplo ? out->passes : out->notes).push_back(std::move(text));
  };
  const std::string tag = o.require_haplo ? ProtocolTag(o) : "";
  switch (haplo.verdict) {
    case matcher::HaploVerdict::kIdentical:
    case matcher::HaploVerdict::kHaploidentical:
      pass_or_note(absl::StrCat(verdict, basis));
      break;
    case matcher::HaploVerdict::kHaploCompatible:
      pass_or_note(absl::StrCat(
          verdict, ": phase unconfirmed",
          haplo.basis.empty() ? "" : absl::StrCat(" (", haplo.basis, ")")));
      break;
    case matcher::HaploVerdict::kNotHaploidentical:
      out->Add(Reason::kNotHaploidentical, o,
               absl::StrCat("not haploidentical", basis, tag));
      break;
    case matcher::HaploVerdict::kInsufficientTyping:
      out->Add(Reason::kInsufficientTyping, o,
               absl::StrCat("insufficient typing for a haplo verdict", basis,
                            tag));
      break;
  }
  for (const std::string& why : haplo.inconsistencies) {
    out->notes.push_back(why);
  }
}

// Donor-specific antibodies (Ciurea et al. 2018, see kDefaultDsaMfi).
void ExplainDsa(const RecipientFacts& recipient, const Eligibility& e,
                const data::Reference& reference, const EligibilityOptions& o,
                ReasonLists* out) {
  const std::string threshold = FormatMfi(o.dsa_mfi_threshold);
  if (recipient.antibodies.empty()) {
    out->notes.push_back("DSA not checked: no recipient antibodies given");
    return;
  }
  for (const DsaFinding& f : e.dsa) {
    const std::string target =
        f.via == "allele"
            ? absl::StrCat("donor allele ", f.donor_allele)
            : absl::StrCat("donor ", f.donor_allele, " (antigen ", f.via,
                           ")");
    if (f.at_or_above_threshold) {
      out->Add(Reason::kDsa, o,
               absl::StrCat("DSA: anti-", f.specificity, " MFI ",
                            FormatMfi(f.mfi), " \u2265 ", threshold,
                            " against ", target));
    } else {
      out->notes.push_back(absl::StrCat(
          "antibody anti-", f.specificity, " MFI ", FormatMfi(f.mfi), " < ",
          threshold, " against ", target, ": below the DSA threshold"));
    }
  }
  // An antibody no typing can be checked against (Bw4, Bw6): say so rather
  // than count it as "no DSA".
  const std::vector<const Antibody*> unchecked = UncheckableAntibodies(
      recipient.antibodies, reference, o.dsa_mfi_threshold);
  for (const Antibody* ab : unchecked) {
    out->notes.push_back(absl::StrCat(
        "DSA unknown: anti-", ab->specificity, " MFI ", FormatMfi(ab->mfi),
        " \u2265 ", threshold, " cannot be checked: IPD-IMGT/HLA ",
        reference.version(), " assigns no allele to ",
        AntigenNameOf(*ab, reference),
        " (a public epitope); check the donor by hand"));
  }
  if (!Has(e.findings, Reason::kDsa)) {
    const size_t checked = recipient.antibodies.size() - unchecked.size();
    out->passes.push_back(absl::StrCat(
        "no DSA: none of the recipient's ", checked,
        unchecked.empty() ? "" : " checkable", " antibodies at MFI \u2265 ",
        threshold, " is against this donor"));
  }
}

// ABO (EBMT Handbook 2019; AABB), CMV and sex (Ciurea et al. 2020).
void ExplainAboCmvSex(const DonorFacts& donor, const RecipientFacts& recipient,
                      const Eligibility& e, const EligibilityOptions& o,
                      ReasonLists* out) {
  const auto& rbg = recipient.blood_group;
  const auto& dbg = donor.blood_group;
  if (e.abo) {
    const std::string pair =
        absl::StrCat("recipient ", BloodGroupName(*rbg), ", donor ",
                     BloodGroupName(*dbg));
    switch (*e.abo) {
      case AboMatch::kCompatible:
        out->notes.push_back(absl::StrCat("ABO compatible: ", pair));
        break;
      case AboMatch::kMinor:
        out->notes.push_back(absl::StrCat("ABO minor incompatibility: ", pair));
        break;
      case AboMatch::kMajor:
      case AboMatch::kBidirectional:
        out->Add(*e.abo == AboMatch::kMajor ? Reason::kAboMajor
                                            : Reason::kAboBidirectional,
                 o,
                 absl::StrCat("ABO ", AboMatchName(*e.abo),
                              " incompatibility: ", pair));
        break;
    }
  } else if (Has(e.findings, Reason::kAboUnknown)) {
    out->notes.push_back(absl::StrCat("ABO not checked: ",
                                      rbg ? "donor" : "recipient",
                                      " blood group unknown"));
  }
  const Cmv rc = recipient.cmv, dc = donor.cmv;
  if (rc != Cmv::kUnknown || dc != Cmv::kUnknown) {
    const std::string pair =
        absl::StrCat("recipient ", CmvName(rc), ", donor ", CmvName(dc));
    if (Has(e.findings, Reason::kCmvUnknown)) {
      out->notes.push_back(absl::StrCat("CMV not compared: ", pair));
    } else if (Has(e.findings, Reason::kCmvMismatch)) {
      out->Add(Reason::kCmvMismatch, o, absl::StrCat("CMV mismatch: ", pair));
    } else {
      out->notes.push_back(absl::StrCat("CMV: ", pair));
    }
  }
  if (Has(e.findings, Reason::kFemaleToMale)) {
    out->Add(Reason::kFemaleToMale, o, "female donor for a male recipient");
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
  e.findings |= HaploFindings(report.haplo.verdict,
                              !report.haplo.inconsistencies.empty());
  if (!recipient_facts.antibodies.empty()) {
    e.dsa = FindDsa(recipient_facts.antibodies, recipient, donor, reference,
                    options.dsa_mfi_threshold);
    e.findings |= DsaFindings(e.dsa);
  }
  e.findings |= AboFindings(recipient_facts.blood_group,
                            donor_facts.blood_group, &e.abo);
  e.findings |= CmvFindings(recipient_facts.cmv, donor_facts.cmv);
  e.findings |= SexFindings(recipient_facts.sex, donor_facts.sex);
  e.eligible = !FirstExclusion(e.findings, options).has_value();

  // The words.
  ReasonLists lists;
  ExplainAge(donor_facts, e, options, &lists);
  ExplainHaplo(report.haplo, options, &lists);
  ExplainDsa(recipient_facts, e, reference, options, &lists);
  ExplainAboCmvSex(donor_facts, recipient_facts, e, options, &lists);
  e.reasons = lists.Take();
  return e;
}

}  // namespace hla::eligibility
