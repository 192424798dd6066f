// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The JSON writers of the match and rank reports, shared by the CLI
// (`haplomatch match|rank --format json`) and the HTTP service
// (`POST /v1/match`, `POST /v1/rank`), so that both produce the same bytes
// for the same input (tests/service checks it). One writer per report
// shape; the field names are documented in README.md and docs/openapi.yaml.
//
// The documents are written in pieces (head, one element per donor, tail)
// because the CLI streams donors as it matches them.
#ifndef HLA_REPORT_JSON_H_
#define HLA_REPORT_JSON_H_

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "eligibility/eligibility.h"
#include "eligibility/score.h"
#include "family/family.h"
#include "hla/json.h"
#include "matcher/match.h"
#include "registry/rank.h"

namespace hla::report {

// The one JSON string writer (hla/json.h), under this module's name.
using ::hla::AppendJsonString;
using ::hla::JsonString;
using ::hla::JsonStringList;

// ---- match (README "haplomatch match")

// One donor's pairwise result (eligibility::ScoreDonor), as `match`
// reports it: with the typing as written and where the donor came from.
struct MatchedDonor : eligibility::DonorReport {
  std::string typing;  // canonical GL String
  std::string source;  // "--donor 2", "family.csv:4", "donors[0]"
};

// The "eligibility" object of a donor: status (eligible, needs-review,
// not-eligible, not-assessed), eligible (status == eligible), protocol, the
// reasons by what they do (excludes, to_check, passes, notes) and all of
// them in that order (reasons), abo, and the DSA findings (specificity,
// mfi, kind, donor, via, why, at_or_above_threshold).
std::string EligibilityJson(const eligibility::Eligibility& e,
                            const eligibility::EligibilityOptions& options);

// The "b_leader" object of a match report: match (not_assessed,
// hla_b_matched, leader_matched, leader_mismatched, unknown,
// hla_b_double_mismatch), status and likely_status (three letters or null),
// potential, recipient and donor ({genotype, copies: [{typing, leader,
// likely, alleles: {M, T, unknown}, inferred, null}]} or null when HLA-B is
// untyped), recipient_position and donor_position of a single mismatch
// (1 or 2, else null), basis.
std::string BLeaderJson(const matcher::BLeaderResult& b);
// The "kir_ligands" object: recipient and donor ({"C1","C2","Bw4": absent,
// possible, definite or unknown; hla_b_bw: the Bw epitope of each HLA-B
// copy}), missing_in_recipient ({definite: [...], possible: [...]}: the
// GvH-direction ligand mismatch), basis.
std::string KirLigandsJson(const matcher::KirLigandResult& k);

// The "donor_kir" object (when the donor's KIR genotype is given):
// genotype (as read: motifs and receptors), cen, tel ("A/A", "A/B", "B/B",
// "unknown"), b_content (0-4 or null), category (best, better, neutral,
// not_typed), missing_ligand ({definite, possible}: donor inhibitory KIR
// whose ligand the recipient lacks), basis.
std::string DonorKirJson(const eligibility::DonorKirResult& k);
// The "probability" object (impute/impute.h): available, p10, p9_or_more,
// p8_or_more, p_haplotype (null when not available), loci ({"A":{"p0",
// "p1","p2","from_typing"} or null}), ambiguous, recipient_pairs,
// donor_pairs, mass, basis. Numbers with 6 significant digits.
std::string ProbabilityJson(const impute::MatchProbability& p);

// `{"imgt_version":...,"recipient":{"typing":...},"donors":[`
std::string MatchJsonHead(absl::string_view imgt_version,
                          const eligibility::EligibilityOptions& options,
                          absl::string_view recipient_typing);
// One element of "donors" (no separator, no newline).
std::string MatchDonorJson(const MatchedDonor& donor,
                           const eligibility::EligibilityOptions& options);
// Donor elements are separated as `,\n` after the first, which is preceded
// by `\n`: MatchDonorSeparator(i) gives what goes before element i.
inline const char* MatchDonorSeparator(size_t i) { return i == 0 ? "\n" : ",\n"; }
// `\n],"rejected":[{"source":...,"error":...},...]}\n`
std::string MatchJsonTail(
    const std::vector<std::pair<std::string, std::string>>& rejected);

// ---- rank (docs/ranking.md)

// `{"imgt_version":...,"read":...,"donors":[`
std::string RankJsonHead(absl::string_view imgt_version,
                         const registry::RankOptions& options, size_t read,
                         const registry::RankResult& result, size_t rejected);
// One element of "donors", `rank` counting from 1.
std::string RankDonorJson(size_t rank, const registry::DonorReport& report);
inline const char* RankDonorSeparator(size_t i) { return i == 0 ? "\n" : ",\n"; }
inline constexpr char kRankJsonTail[] = "\n]}\n";

// ---- family (README "haplomatch family")

// `{"imgt_version":...,"families":[`
std::string FamilyJsonHead(absl::string_view imgt_version);
// One element of "families", preceded by a line end (no separator): the
// family's members with
// their letters, sharing and, where `verdicts` (indexed as result.members)
// has one, the haplo verdict.
std::string FamilyJson(
    const family::FamilyResult& result,
    const std::vector<std::optional<matcher::HaploResult>>& verdicts);
// `\n],"rejected":[...]}\n`
std::string FamilyJsonTail(
    const std::vector<std::pair<std::string, std::string>>& rejected);

// `[{"source":...,"error":...},...]`: the rejected inputs of any report.
std::string RejectedJsonList(
    const std::vector<std::pair<std::string, std::string>>& rejected);

}  // namespace hla::report

#endif  // HLA_REPORT_JSON_H_
