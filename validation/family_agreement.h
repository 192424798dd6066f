// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Agreement of family segregation (family/family.h) with the ground truth
// of synthetic families (synth/synth.h, docs/synth.md §3): each family is
// generated in-process, read through the family-file reader as a user's
// file would be, segregated, and every relative's proven count compared
// with `truth_shared_with_patient`. validation/family_validation.cc prints
// the figures; tests/family/family_test.cc checks a few families of them.
//
// What must hold (docs/family.md, "What undetermined means"): in a family
// without recombination no proven count is wrong, no child is flagged as
// unexplained, and every undetermined count has one of the documented
// reasons. A violation of any of these is listed in
// FamilyAgreement::violations. In families with recombination the figures
// are measured, not required: a crossover the typings cannot show can
// change a count.
#ifndef HLA_VALIDATION_FAMILY_AGREEMENT_H_
#define HLA_VALIDATION_FAMILY_AGREEMENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "data/haplotype_freq.h"

namespace hla::validation {

struct AgreementOptions {
  uint64_t families = 5000;
  uint64_t seed = 20261126;
  // Per meiosis, between HLA-A and HLA-DQB1 (synth's default).
  double recombination_rate = 0.0145;
  // synth's other_partner_rate: children of the patient by several
  // partners (each child's other_parent names its partner).
  double other_partner_rate = 0.0;
  // synth's half_sibling_rate: maternal and paternal half-siblings.
  double half_sibling_rate = 0.0;
  // Blank every other_parent before segregating, so that the children are
  // grouped with no names (the "each alone when needed" path).
  bool unnamed_partners = false;
};

struct FamilyAgreement {
  int families = 0;  // generated, read and segregated

  // Relatives (every member but the patient) of families without
  // recombination: agree + wrong + as_typed + undetermined == relatives.
  int relatives = 0, agree = 0, wrong = 0, undetermined = 0;
  // Of the relatives, the half-siblings, and of them those that agree and
  // those undetermined.
  int half_siblings = 0, half_siblings_agree = 0,
      half_siblings_undetermined = 0;
  // Given at the typed resolution (shared_as_typed, shared null): compared
  // with what the truth's haplotypes share with the patient's, side by
  // side, at ARD level. as_typed == as_typed_right + as_typed_low_resolution
  // + as_typed_wrong; a difference is a violation unless some typing in the
  // family is an allele list or XX (which can make different alleles alike
  // as typed).
  int as_typed = 0, as_typed_right = 0, as_typed_low_resolution = 0,
      as_typed_wrong = 0;
  // Each undetermined relative under the first reason that applies; the
  // reasons add up to `undetermined`. Documented (1-3): both parents
  // untyped and fewer than three children of theirs typed; one parent
  // untyped; a parent's two haplotypes alike at every typed locus. Then a
  // low-resolution typing in the family; a half-sibling whose other parent
  // gave it a haplotype alike to one of the shared parent's (it carries
  // both, and which one is the shared parent's cannot be told); a child
  // flagged as unexplained (a violation), and none of these (a violation).
  int und_both_parents_missing_few_children = 0, und_one_parent_missing = 0,
      und_parent_haplotypes_alike = 0, und_low_resolution = 0,
      und_half_sibling_carries_both = 0, und_unexplained = 0,
      und_no_reason = 0;
  // Of the undetermined: likely_shared given, and of those equal to the
  // truth.
  int und_likely_given = 0, und_likely_right = 0;

  // Families with a recombinant meiosis, and of them those in which
  // segregation flagged something (a recombinant or possibly recombinant
  // member, or an unexplained child).
  int recombinant_families = 0, recombinant_flagged = 0;
  // Their relatives: agree + differ + undetermined == recombinant_relatives.
  // A crossover the typings cannot show can change the count, so `differ`
  // is measured, not a violation.
  int recombinant_relatives = 0, recombinant_relatives_agree = 0,
      recombinant_relatives_differ = 0, recombinant_relatives_undetermined = 0;
  // Recombinant persons. Visible: both of the patient's parents typed, the
  // recombinant haplotype from one of them (for the patient's children,
  // from the patient) and unlike, at ARD level, each of that parent's
  // haplotypes (for a child of the patient: neither of the patient's
  // haplotypes carried whole), with the person and that parent typed at
  // high resolution. Low resolution: the same, but the person or the parent
  // typed as an allele list or XX, which may hide the crossover. Invisible:
  // the others, which no method can see. "Visible" reads the parents'
  // phase from the truth, but their typings are unphased: with few
  // children an explanation without the crossover can fit just as well
  // (a parent phased otherwise), so not every visible crossover is
  // flagged, and unflagged_crossovers lists those that are not.
  int visible_recombinants = 0, low_resolution_recombinants = 0,
      invisible_recombinants = 0;
  int visible_flagged_family = 0, visible_flagged_person = 0,
      low_resolution_flagged_family = 0;

  // Where an invariant above does not hold, one line each, in words.
  std::vector<std::string> violations;
  // Visible crossovers not flagged in their family, one line each.
  std::vector<std::string> unflagged_crossovers;
  // Families that could not be read or segregated (the harness's own
  // failures; a valid synth family never is one).
  std::vector<std::string> errors;
};

// What synth needs to generate families: the release, the MAC table and
// the shipped haplotype frequencies.
struct AgreementData {
  data::ReferenceData reference;
  std::shared_ptr<const data::HaplotypeFrequencies> freqs;
};

// Loads the default release, the MAC table and the haplotype frequencies
// found through `paths`; the errors of loading them, naming the file.
absl::StatusOr<AgreementData> LoadAgreementData(const data::DataPaths& paths);

// Generates, segregates and compares options.families families.
// InvalidArgumentError for options synth refuses.
absl::StatusOr<FamilyAgreement> MeasureFamilyAgreement(
    const AgreementData& data, const AgreementOptions& options);

}  // namespace hla::validation

#endif  // HLA_VALIDATION_FAMILY_AGREEMENT_H_
