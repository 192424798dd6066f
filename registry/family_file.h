// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Family files: a donor file (registry/donor_file.h, CSV/TSV/JSON Lines)
// whose rows also carry `family_id` (optional: without it the whole file is
// one family) and `role` (required: patient, father, mother, sibling, child,
// other; family/family.h ParseFamilyRole). In JSON Lines these are keys of
// each object ({"id":"F1-P","family_id":"F1","role":"patient",...}).
// `haplomatch synth --families` writes exactly this (as CSV or TSV).
// Families are returned in order of first appearance, members in row order.
//
//   HLA_ASSIGN_OR_RETURN(auto reader, DonorFileReader::Open(path, &resolver));
//   HLA_ASSIGN_OR_RETURN(FamilyFile file, ReadFamilyFile(reader.get()));
//   for (const FamilyRows& f : file.families) Segregate(f.family_id, ...);
#ifndef HLA_REGISTRY_FAMILY_FILE_H_
#define HLA_REGISTRY_FAMILY_FILE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "registry/donor_file.h"
#include "registry/store.h"
#include "family/family.h"

namespace hla::registry {

struct FamilyRows {
  std::string family_id;
  std::vector<family::FamilyMember> members;
  std::vector<DonorRecord> records;  // parallel to members (facts, typing)
};

struct FamilyFile {
  std::vector<FamilyRows> families;
  // Rejected rows ("file:line: ..."): a bad typing, a missing or unknown
  // role. The rest of the file is still read.
  std::vector<std::string> errors;
  std::vector<std::string> warnings;  // header and row warnings
};

// Reads every row of `reader` (REQUIRES: built with a resolver).
// InvalidArgumentError when the header has no role column (JSON Lines: when
// the first object has no role key; a later object without one is a
// rejected row).
absl::StatusOr<FamilyFile> ReadFamilyFile(DonorFileReader* reader,
                                          const std::string& name);

// A family file read and segregated: what match and rank (CLI and service)
// need of it.
struct SegregatedFamilies {
  // The families that segregated, with the typings they came from.
  std::shared_ptr<family::FamilyEvidence> evidence;
  // Every row but the patients', in file order, as donors: a blank
  // relationship is filled from the role (RelationshipOf).
  std::vector<DonorRecord> relatives;
  // The first family's patient (empty when there is none).
  std::string patient_id, patient_typing;
  // Rows not read ("name:line: ...") and families that did not segregate
  // ("name: family F: ..."); the rest is still used.
  std::vector<std::string> rejected;
  // Families that segregated but cannot be explained as stated ("name:
  // family F cannot be explained as stated: ..."): their relatives whose
  // verdict rests on it need review (family::MemberResult::needs_review).
  // The commands exit 1 on them, as on a rejected row.
  std::vector<std::string> inconsistent;
  std::vector<std::string> warnings;
};
// ReadFamilyFile, then Segregate on each family. Errors: ReadFamilyFile's.
absl::StatusOr<SegregatedFamilies> ReadAndSegregate(DonorFileReader* reader,
                                                    const std::string& name);

// The relatives as a donor store, in file order: what `rank --family`
// ranks without --donors. REQUIRES: `reference` is the one the family was
// read against. Errors: DonorStoreBuilder::Finish's.
absl::StatusOr<DonorStore> RelativesStore(
    const SegregatedFamilies& families,
    std::shared_ptr<const data::Reference> reference);

}  // namespace hla::registry

#endif  // HLA_REGISTRY_FAMILY_FILE_H_
