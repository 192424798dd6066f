// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "eligibility/score.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace hla::eligibility {

absl::StatusOr<DonorReport> ScoreDonor(const ScoringContext& ctx,
                                       DonorFacts facts,
                                       matcher::Genotype genotype,
                                       std::vector<std::string> warnings,
                                       const impute::Imputation* donor_imputation) {
  DonorReport d;
  d.facts = std::move(facts);
  d.genotype = std::move(genotype);
  d.warnings = std::move(warnings);
  absl::StatusOr<matcher::MatchReport> report =
      matcher::Match(*ctx.reference, *ctx.recipient, d.genotype,
                     d.facts.relationship, ctx.match);
  if (!report.ok()) return report.status();
  d.report = *std::move(report);
  // The cheap id test first: most donors of a registry are no relative.
  if (ctx.families != nullptr && ctx.families->HasRelative(d.facts.id)) {
    std::string why;
    if (const family::FamilyResult* f = ctx.families->For(
            d.facts.id, d.genotype, *ctx.recipient, &why)) {
      family::ApplySegregation(*f, d.facts.id, &d.report);
    } else if (!why.empty()) {
      d.warnings.push_back(std::move(why));
    }
  }
  d.eligibility =
      Evaluate(d.facts, d.genotype, ctx.recipient_facts, *ctx.recipient,
               d.report, *ctx.reference, ctx.eligibility);
  if (ctx.imputer != nullptr && ctx.recipient_imputation != nullptr) {
    impute::ImputeOptions io;
    io.population = d.facts.population;
    absl::StatusOr<impute::Imputation> di =
        donor_imputation != nullptr ? *donor_imputation
                                    : ctx.imputer->Impute(d.genotype, io);
    if (di.ok()) {
      d.probability = ctx.imputer->Probability(*ctx.recipient_imputation, *di,
                                               &d.report);
    } else {
      impute::MatchProbability none;
      none.basis = absl::StrCat("not computed: ", di.status().message());
      d.probability = std::move(none);
    }
  }
  if (d.facts.kir.given()) {
    d.kir = DonorKirOf(d.facts.kir, d.report.kir_ligands
                                        ? &d.report.kir_ligands->recipient
                                        : nullptr);
  }
  d.warnings.insert(d.warnings.end(), d.report.warnings.begin(),
                    d.report.warnings.end());
  return d;
}

}  // namespace hla::eligibility
