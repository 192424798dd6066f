// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Donor eligibility: a match report plus the donor's and the recipient's
// facts, read through a protocol's rules (eligibility/rules.h), give
// "eligible or not, and why", each reason in plain words.
//
//   HLA_ASSIGN_OR_RETURN(absl::CivilDay as_of,
//                        hla::eligibility::ParseDate(text));
//   hla::eligibility::EligibilityOptions options =
//       *hla::eligibility::OptionsForProtocol("NCT04835883");
//   options.as_of = as_of;
//   hla::eligibility::Eligibility e = hla::eligibility::Evaluate(
//       donor_facts, donor, recipient_facts, recipient, report, *reference,
//       options);
//   if (!e.eligible) for (const std::string& r : e.reasons) ...
//
// The defaults, each with its source next to its rule (rules.h):
//   - age: whole years at `as_of` (default today), under 70 for NCT04835883
//     (ClinicalTrials.gov NCT04835883: "HLA-haplo-matched donor under 70
//     years old"); an unknown age is not eligible under an age limit: a
//     guess is never presented as a fact;
//   - HLA: haplo verdict identical, haploidentical or haplo-compatible (the
//     last with the reason "phase unconfirmed");
//   - donor-specific antibodies: MFI >= 1000 (kDefaultDsaMfi,
//     antibodies.h);
//   - ABO, CMV and sex are reported (they rank donors: EBMT donor-selection
//     consensus, Ciurea et al. BMT 2020;55:12-24) but exclude no one unless
//     the options say so.
//
// This header also brings the facts (facts.h), the antibodies
// (antibodies.h) and the rules (rules.h). Everything is a pure function of
// its arguments except Today() and the default EligibilityOptions::as_of;
// all of it is thread-safe.
#ifndef HLA_ELIGIBILITY_ELIGIBILITY_H_
#define HLA_ELIGIBILITY_ELIGIBILITY_H_

#include <optional>
#include <string>
#include <vector>

#include "data/reference.h"
#include "eligibility/antibodies.h"
#include "eligibility/facts.h"
#include "eligibility/rules.h"
#include "matcher/match.h"

namespace hla::eligibility {

struct Eligibility {
  bool eligible = false;
  // One sentence each, in plain words, excluding reasons first:
  //   "age 72 at 2026-11-26: not under 70 (NCT04835883)"
  //   "age unknown: no birth date or age given"
  //   "haplo-compatible: phase unconfirmed"
  //   "DSA: anti-A*02:01 MFI 3500 >= 1000 against donor allele A*02:01"
  std::vector<std::string> reasons;
  Findings findings = 0;  // every finding, whatever its effect
  std::optional<int> age;
  std::optional<AboMatch> abo;
  std::vector<DsaFinding> dsa;
};

// Applies `options` to one donor. Pure; never fails: an unknown fact is a
// reason, not an error. REQUIRES: `report` is Match(reference, recipient,
// donor, ...).
Eligibility Evaluate(const DonorFacts& donor_facts,
                     const matcher::Genotype& donor,
                     const RecipientFacts& recipient_facts,
                     const matcher::Genotype& recipient,
                     const matcher::MatchReport& report,
                     const data::Reference& reference,
                     const EligibilityOptions& options);

}  // namespace hla::eligibility

#endif  // HLA_ELIGIBILITY_ELIGIBILITY_H_
