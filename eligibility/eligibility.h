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
//   if (e.status != hla::eligibility::Status::kEligible) ... e.to_check ...
//
// Three outcomes (rules.h): eligible when every fact the protocol needs is
// known and passes; not-eligible when a known fact excludes; needs-review
// when a fact is unknown or could not be checked (an untyped locus under an
// antibody, no antibody list, an unknown age, a gate on a blank). Without a
// protocol nothing is decided ("not-assessed"): the findings are reported.
// docs/eligibility.md has every rule with its source; the defaults:
//   - age: whole years at `as_of` (default today), under 70 for NCT04835883
//     (ClinicalTrials.gov NCT04835883: "HLA-haplo-matched donor under 70
//     years old"); unknown or a minor: needs review;
//   - HLA: an identical or haploidentical relative; a relative who could
//     share a haplotype (phase unconfirmed) or an unrelated donor sharing one
//     by state: needs review;
//   - donor-specific antibodies: MFI >= 1000 (kDefaultDsaMfi,
//     antibodies.h) excludes; a possible DSA, an untyped locus under an
//     antibody or no antibody test: needs review;
//   - ABO/RhD, CMV and sex are reported (they rank donors: EBMT
//     donor-selection consensus, Ciurea et al. BMT 2020;55:12-24) and gate
//     only when asked.
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
  // The verdict (rules.h StatusOf); `eligible` is status == kEligible.
  Status status = Status::kNotAssessed;
  bool eligible = false;
  // One sentence each, in plain words, by what they do to the verdict:
  //   excludes   "age 72 at 2026-11-26: not under 70 (NCT04835883)"
  //   to_check   "age unknown: no birth date or age given; check the
  //               donor's date of birth"
  //   passes     "no DSA: none of the recipient's 3 antibodies at MFI ≥ 1000
  //               is against this donor"
  //   notes      "ABO minor incompatibility: recipient A+, donor O+"
  std::vector<std::string> excludes, to_check, passes, notes;
  // All of them in that order.
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
