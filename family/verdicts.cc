// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// RelativeVerdicts (family.h): each relative matched against the patient,
// with what segregation proves in place of the genotype verdict.
#include <optional>
#include <vector>

#include "family/family.h"

namespace hla::family {

std::vector<std::optional<matcher::HaploResult>> RelativeVerdicts(
    const FamilyResult& result, const std::vector<FamilyMember>& members,
    const data::Reference& reference, const matcher::MatchOptions& options) {
  std::vector<std::optional<matcher::HaploResult>> out(result.members.size());
  const matcher::Genotype* patient = nullptr;
  for (const FamilyMember& m : members) {
    if (m.role == FamilyRole::kPatient) patient = &m.genotype;
  }
  if (patient == nullptr) return out;
  for (size_t i = 0; i < result.members.size(); ++i) {
    const MemberResult& r = result.members[i];
    if (!r.in_input || r.role == FamilyRole::kPatient) continue;
    const FamilyMember* member = nullptr;
    for (const FamilyMember& m : members) {
      if (m.id == r.id) member = &m;
    }
    if (member == nullptr) continue;
    // An untyped member (a placeholder for the pedigree) gets no verdict.
    bool typed = false;
    for (const matcher::LocusTyping& lt : member->genotype.loci) {
      typed |= lt.typed_positions > 0;
    }
    if (!typed) continue;
    absl::StatusOr<matcher::MatchReport> report =
        matcher::Match(reference, *patient, member->genotype,
                       RelationshipOf(r.role), options);
    if (!report.ok()) continue;
    ApplySegregation(result, r.id, &*report);
    out[i] = std::move(report->haplo);
  }
  return out;
}

}  // namespace hla::family
