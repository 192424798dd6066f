// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "registry/family_file.h"

#include <map>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace hla::registry {

absl::StatusOr<FamilyFile> ReadFamilyFile(DonorFileReader* reader,
                                          const std::string& name) {
  bool has_role = false;
  for (const std::string& c : reader->columns()) {
    has_role = has_role ||
               absl::AsciiStrToLower(absl::StripAsciiWhitespace(c)) == "role";
  }
  const bool json = reader->format() == TableFormat::kJsonLines;
  const char* const what = json ? "key" : "column";
  // JSON Lines: columns() are the first object's keys, empty when its first
  // line is not an object (then that row's error says why).
  if (!has_role && !(json && reader->columns().empty())) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": a family file needs a 'role' ", what,
        " (patient, father, mother, sibling, child, other)"));
  }
  FamilyFile out;
  std::map<std::string, size_t> index;
  DonorRecord rec;
  absl::Status row;
  while (reader->Next(&rec, &row)) {
    if (!row.ok()) {
      out.errors.push_back(std::string(row.message()));
      continue;
    }
    absl::StatusOr<family::FamilyRole> role = family::ParseFamilyRole(rec.role);
    if (!role.ok()) {
      out.errors.push_back(absl::StrCat(name, ":", rec.line, ": ", what,
                                        " 'role': ", role.status().message()));
      continue;
    }
    for (const std::string& w : rec.warnings) out.warnings.push_back(w);
    auto [it, fresh] = index.emplace(rec.family_id, out.families.size());
    if (fresh) {
      out.families.emplace_back();
      out.families.back().family_id = rec.family_id;
    }
    FamilyRows& f = out.families[it->second];
    f.members.push_back({rec.facts.id, *role, rec.genotype, rec.other_parent});
    f.records.push_back(std::move(rec));
    rec = DonorRecord();
  }
  // Header warnings first; read at the end because JSON Lines adds one for
  // each unknown key as rows bring it.
  const std::vector<std::string>& header = reader->header_warnings();
  out.warnings.insert(out.warnings.begin(), header.begin(), header.end());
  return out;
}

absl::StatusOr<SegregatedFamilies> ReadAndSegregate(DonorFileReader* reader,
                                                    const std::string& name) {
  absl::StatusOr<FamilyFile> file = ReadFamilyFile(reader, name);
  if (!file.ok()) return file.status();
  SegregatedFamilies f;
  f.evidence = std::make_shared<family::FamilyEvidence>();
  f.rejected = std::move(file->errors);
  f.warnings = std::move(file->warnings);
  for (FamilyRows& rows : file->families) {
    for (size_t i = 0; i < rows.members.size(); ++i) {
      DonorRecord& rec = rows.records[i];
      const family::FamilyRole role = rows.members[i].role;
      if (role == family::FamilyRole::kPatient) {
        if (f.patient_id.empty()) {
          f.patient_id = rec.facts.id;
          f.patient_typing = rec.typing;
        }
        continue;
      }
      // An untyped member carries the pedigree's structure but is no
      // donor: it gets no verdict.
      if (rec.typing.empty()) continue;
      if (rec.facts.relationship == matcher::Relationship::kUnknown) {
        rec.facts.relationship = family::RelationshipOf(role);
      }
      f.relatives.push_back(rec);
    }
    absl::StatusOr<family::FamilyResult> result =
        family::Segregate(rows.family_id, rows.members, {});
    if (!result.ok()) {
      f.rejected.push_back(absl::StrCat(name, ": family ",
                                        family::FamilyName(rows.family_id),
                                        ": ", result.status().message()));
      continue;
    }
    if (!result->consistent) {
      f.inconsistent.push_back(absl::StrCat(
          name, ": family ", family::FamilyName(rows.family_id),
          " cannot be explained as stated: ",
          absl::StrJoin(result->problems, "; "),
          "; the verdicts resting on it need review"));
    }
    f.evidence->Add(*std::move(result), std::move(rows.members));
  }
  return f;
}

absl::StatusOr<DonorStore> RelativesStore(
    const SegregatedFamilies& families,
    std::shared_ptr<const data::Reference> reference) {
  DonorStoreBuilder builder(std::move(reference));
  for (const DonorRecord& r : families.relatives) {
    builder.Add(r.facts, r.genotype, r.typing);
  }
  return std::move(builder).Finish();
}

}  // namespace hla::registry
