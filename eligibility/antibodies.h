// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The recipient's anti-HLA antibodies and the donor-specific antibody (DSA)
// rule: which antibodies, at which MFI, are against which donor allele.
//
//   HLA_ASSIGN_OR_RETURN(std::vector<Antibody> abs,
//                        hla::eligibility::ParseAntibodies("A2:3500,B44:800"));
//   HLA_RETURN_IF_ERROR(hla::eligibility::CheckAntibodies(abs, *reference));
//   for (const DsaFinding& f : hla::eligibility::FindDsa(abs, recipient, donor,
//                                                       *reference, 1000)) ...
//
// Pure functions of their arguments; thread-safe.
#ifndef HLA_ELIGIBILITY_ANTIBODIES_H_
#define HLA_ELIGIBILITY_ANTIBODIES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/reference.h"
#include "eligibility/facts.h"
#include "matcher/match.h"

namespace hla::eligibility {

// The DSA positivity threshold, in MFI: 1000. The EBMT consensus on DSA in
// haploidentical HCT (Ciurea et al., Bone Marrow Transplant 2018;53:521-534)
// takes MFI > 1000 as positive and advises testing for and, when no other
// donor exists, desensitising against DSA above that level (higher MFI, and
// complement-binding C1q-positive DSA, carry more risk). We compare "at or
// above" the threshold. Laboratories set their own cut-off: --dsa-mfi.
inline constexpr double kDefaultDsaMfi = 1000;

// Parses "A2:3500,B44:1200": items separated by ',', ';' or newlines; in
// each, the MFI follows the last ':' or an '=' ("A*02:01:3500",
// "A*02:01=3500", "DQ7 = 800"). Syntax only: CheckAntibodies() asks the
// release whether each specificity exists. InvalidArgumentError naming the
// item for an empty specificity or a missing, negative or non-numeric MFI.
absl::StatusOr<std::vector<Antibody>> ParseAntibodies(absl::string_view text);

// OK when every specificity is an allele name of the release or a prefix of
// one ("A*02:01", "HLA-DQB1*03:01") or a serologic antigen of it ("A2",
// "Cw7", "DQ7"; "DQw7" and "DRw52" are read as DQ7 and DR52), on one of the
// eleven matching loci. NotFoundError naming the first that is not.
absl::Status CheckAntibodies(const std::vector<Antibody>& antibodies,
                             const data::Reference& reference);

// "3500", "812.5": an MFI as reports write it.
std::string FormatMfi(double mfi);

struct DsaFinding {
  std::string specificity;   // as the recipient's list wrote it
  double mfi = 0;
  std::string donor_allele;  // the donor allele it is against ("A*02:01:01:01")
  std::string via;           // "allele" or the antigen matched ("A2")
  bool at_or_above_threshold = false;
};

// The donor-specific antibodies among `antibodies`: each antibody whose
// specificity the donor carries and the recipient does not, on any locus
// typed on both sides (not only the scored ones: DPB1, DQA1 and DRB3/4/5
// antibodies count too). A specificity is carried by a position
//   - at allele level when its fields are a prefix of one of the position's
//     alleles ("A*02:01" is carried by A*02:01:01:01);
//   - at antigen level when one of the position's serological equivalents
//     (PositionTyping::serology) is the antigen, its broad, one of its
//     splits, its associated antigen or an antigen associated with it
//     (rel_ser_ser.txt): anti-A9 is against an A*24:02 donor, anti-A24
//     against a donor typed A9 (conservative: the broad may be A24).
// The donor carries it if any allele of a position does (an ambiguous
// typing may); the recipient carries it only if every allele of one of its
// positions does, so that an ambiguous recipient typing never hides a DSA.
// We work from the genotypes rather than the report's mismatched-allele
// lists because the antibody and the mismatch can be on different loci than
// the scored ones. Every finding is returned, also below the threshold
// (at_or_above_threshold says which). Specificities unknown to the release
// match nothing (CheckAntibodies reports them). Findings are per donor gene
// copy, so that the registry scan gets the same answer one copy at a time.
std::vector<DsaFinding> FindDsa(const std::vector<Antibody>& antibodies,
                                const matcher::Genotype& recipient,
                                const matcher::Genotype& donor,
                                const data::Reference& reference,
                                double threshold);

// The antibodies at or above `threshold` that no typing can be checked
// against: antigen-level specificities the release assigns no allele to
// (the public epitopes Bw4 and Bw6: IPD-IMGT/HLA rel_dna_ser.txt names
// none). Pointers into `antibodies`, in its order.
std::vector<const Antibody*> UncheckableAntibodies(
    const std::vector<Antibody>& antibodies, const data::Reference& reference,
    double threshold);

// The release's name of an antibody's antigen ("DQ7" for "DQw7"), or the
// specificity as written for allele-level antibodies.
std::string AntigenNameOf(const Antibody& antibody,
                          const data::Reference& reference);

}  // namespace hla::eligibility

#endif  // HLA_ELIGIBILITY_ANTIBODIES_H_
