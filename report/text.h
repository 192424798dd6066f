// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The plain-text reports a coordinator reads on a terminal: `haplomatch
// match` (a per-locus table, totals, the haplo verdict, the DPB1 TCE line
// and the eligibility verdict with every reason) and `haplomatch family`
// (haplotype letters, what each relative shares with the patient).
// Strings are returned, not printed, so that any surface can use them.
#ifndef HLA_REPORT_TEXT_H_
#define HLA_REPORT_TEXT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "eligibility/eligibility.h"
#include "family/family.h"
#include "report/json.h"

namespace hla::report {

// ANSI colour and bold, only when `colour` (a terminal).
struct TextStyle {
  bool colour = false;
  std::string Paint(absl::string_view code, absl::string_view text) const;
  std::string Bold(absl::string_view t) const { return Paint("1", t); }
  std::string Green(absl::string_view t) const { return Paint("32", t); }
  std::string Red(absl::string_view t) const { return Paint("31", t); }
  std::string Yellow(absl::string_view t) const { return Paint("33", t); }
};

// "Recipient <typing>\nIPD-IMGT/HLA <v>; as of <date>; protocol <p>\n\n".
std::string MatchTextHead(absl::string_view imgt_version,
                          const eligibility::EligibilityOptions& options,
                          absl::string_view recipient_typing,
                          const TextStyle& style);
// One donor's block, ending with a blank line.
std::string MatchDonorText(const MatchedDonor& donor,
                           const eligibility::EligibilityOptions& options,
                           const TextStyle& style);
// "6 donors matched, 1 rejected (see standard error); 2 eligible: a, b;
// 1 needs review: c; 3 not eligible\n" (without a protocol: "...; not
// assessed (no --protocol)").
std::string MatchTextSummary(size_t matched, size_t rejected,
                             const std::vector<std::string>& eligible_ids,
                             const std::vector<std::string>& review_ids,
                             bool assessed);

// One family's block: letters and phased GL String per member, what each
// relative shares with the patient (with its haplo verdict when `verdicts`
// has one), flags and notes. `verdicts` is indexed as result.members.
std::string FamilyText(
    const family::FamilyResult& result,
    const std::vector<std::optional<matcher::HaploResult>>& verdicts);

// The rank summary: "read 10000, ranked 812, excluded 9188 (too old 4000,
// ...), rejected 0".
std::string RankSummaryText(size_t read, const registry::RankResult& result,
                            size_t rejected);

}  // namespace hla::report

#endif  // HLA_REPORT_TEXT_H_
