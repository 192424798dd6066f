// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The donor pipeline, written once: match a donor against the recipient,
// let family segregation replace the haplo verdict where it proves it, and
// apply the eligibility rules. `haplomatch match`, the HTTP service and the
// registry's fallback donors all call ScoreDonor, so that a donor gets the
// same report whichever surface asks.
//
//   hla::eligibility::ScoringContext ctx;
//   ctx.reference = reference.get();
//   ctx.recipient = &recipient_genotype;
//   ctx.eligibility = *hla::eligibility::OptionsForProtocol("NCT04835883");
//   HLA_ASSIGN_OR_RETURN(hla::eligibility::DonorReport r,
//                        hla::eligibility::ScoreDonor(ctx, facts, genotype));
//
// Thread-safe: ScoreDonor only reads the context.
#ifndef HLA_ELIGIBILITY_SCORE_H_
#define HLA_ELIGIBILITY_SCORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/reference.h"
#include "eligibility/eligibility.h"
#include "family/family.h"
#include "impute/impute.h"
#include "matcher/match.h"

namespace hla::eligibility {

// Everything about the recipient and the run that scoring a donor needs.
// The pointed-to objects are not owned and must outlive the calls.
struct ScoringContext {
  const data::Reference* reference = nullptr;  // required
  const matcher::Genotype* recipient = nullptr;  // required
  RecipientFacts recipient_facts;
  matcher::MatchOptions match;
  EligibilityOptions eligibility;
  // Segregated families, or null: a donor the evidence recognises (its id a
  // relative, it and the recipient typed as in the family file) gets the
  // verdict segregation proves.
  const family::FamilyEvidence* families = nullptr;
  // Match probabilities (impute/impute.h): with both set, every donor is
  // imputed and DonorReport::probability filled. Not owned.
  const impute::Imputer* imputer = nullptr;
  const impute::Imputation* recipient_imputation = nullptr;
};

// One donor's full pairwise result.
struct DonorReport {
  DonorFacts facts;
  matcher::Genotype genotype;
  matcher::MatchReport report;
  Eligibility eligibility;
  // The donor's KIR genes against the recipient's ligands, when the donor's
  // KIR genotype is given (facts.kir.given()).
  std::optional<DonorKirResult> kir;
  // The match probabilities when the context has an imputer (available
  // false, with the reason, when the donor could not be imputed).
  std::optional<impute::MatchProbability> probability;
  // The caller's warnings (e.g. the typing's), then why a family proof was
  // not used, then the match report's.
  std::vector<std::string> warnings;
};

// matcher::Match, then family::ApplySegregation when ctx.families
// recognises the donor, then Evaluate. Errors: those of matcher::Match
// (InvalidArgumentError for bad match options). REQUIRES: ctx.reference and
// ctx.recipient set; `genotype` built against ctx.reference.
//
// With ctx.imputer, the donor is imputed with its facts' population (the
// mixture when unknown), unless `donor_imputation` gives the imputation to
// use (a registry index keeps one per donor, so that its reports and its
// ranking key say the same).
absl::StatusOr<DonorReport> ScoreDonor(const ScoringContext& ctx,
                                       DonorFacts facts,
                                       matcher::Genotype genotype,
                                       std::vector<std::string> warnings = {},
                                       const impute::Imputation* donor_imputation = nullptr);

}  // namespace hla::eligibility

#endif  // HLA_ELIGIBILITY_SCORE_H_
