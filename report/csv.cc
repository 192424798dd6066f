// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "report/csv.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "hla/locus.h"

namespace hla::report {
namespace {

std::string AgeText(const eligibility::Eligibility& e) {
  return e.age ? absl::StrCat(*e.age) : "";
}

}  // namespace

std::string CsvCell(absl::string_view s, char delim) {
  if (delim == '\t') {
    std::string out(s);
    for (char& c : out) {
      if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    return out;
  }
  if (s.find_first_of(",\"\n\r") == absl::string_view::npos) {
    return std::string(s);
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string RankCsvHeader(const registry::RankOptions& o, char d) {
  std::vector<std::string> cols = {
      "rank", "id", "relationship", "age", "sex", "abo", "cmv", "matches",
      "out_of", "mismatches", "gvh_mismatches", "hvg_mismatches",
      "antigen_matches", "antigen_level_matches"};
  for (Locus l : o.match.loci) cols.push_back(std::string(LocusName(l)));
  for (const char* c : {"verdict", "tce", "b_leader", "b_leader_status",
                        "kir_missing", "kir_b", "p10", "p9_or_more", "status",
                        "reasons"}) {
    cols.push_back(c);
  }
  return absl::StrCat(absl::StrJoin(cols, std::string(1, d)), "\n");
}

std::string RankCsvRow(size_t rank, const registry::DonorReport& r,
                       const registry::RankOptions& o, char d) {
  const matcher::MatchTotals& t = r.report.totals;
  std::vector<std::string> cells = {
      absl::StrCat(rank),
      CsvCell(r.facts.id, d),
      std::string(matcher::ToString(r.facts.relationship)),
      AgeText(r.eligibility),
      std::string(eligibility::SexName(r.facts.sex)),
      r.facts.blood_group ? eligibility::BloodGroupName(*r.facts.blood_group) : "",
      std::string(eligibility::CmvName(r.facts.cmv)),
      absl::StrCat(t.matches),
      absl::StrCat(t.out_of),
      absl::StrCat(t.mismatches),
      absl::StrCat(t.gvh_mismatches),
      absl::StrCat(t.hvg_mismatches),
      absl::StrCat(t.antigen_matches),
      absl::StrCat(t.antigen_level_matches)};
  for (Locus l : o.match.loci) {
    const matcher::LocusMatch* lm = r.report.Find(l);
    cells.push_back(lm != nullptr && lm->scored ? absl::StrCat(lm->matches, "/2")
                                                : "untyped");
  }
  cells.push_back(std::string(matcher::ToString(r.report.haplo.verdict)));
  cells.push_back(r.report.tce
                      ? std::string(matcher::ToString(r.report.tce->category))
                      : "not_scored");
  // The leader match and its status; the ligand groups missing in the
  // recipient (a possible one with '?'); the donor's KIR B content.
  const std::optional<matcher::BLeaderResult>& b = r.report.b_leader;
  cells.push_back(b ? std::string(matcher::ToString(b->match)) : "not_scored");
  cells.push_back(b ? b->status : "");
  std::vector<std::string> missing;
  if (r.report.kir_ligands) {
    for (matcher::KirLigandGroup g : r.report.kir_ligands->missing_definite) {
      missing.emplace_back(matcher::ToString(g));
    }
    for (matcher::KirLigandGroup g : r.report.kir_ligands->missing_possible) {
      missing.push_back(absl::StrCat(matcher::ToString(g), "?"));
    }
  }
  cells.push_back(absl::StrJoin(missing, " "));
  cells.push_back(r.kir ? std::string(eligibility::KirBCategoryName(
                              r.kir->b_content.category))
                        : "");
  // The match probabilities (impute/impute.h), when computed and available.
  const bool p = r.probability && r.probability->available;
  cells.push_back(p ? absl::StrFormat("%.3f", r.probability->p10) : "");
  cells.push_back(p ? absl::StrFormat("%.3f", r.probability->p9_or_more) : "");
  cells.push_back(std::string(eligibility::StatusName(r.eligibility.status)));
  cells.push_back(CsvCell(absl::StrJoin(r.eligibility.reasons, "; "), d));
  return absl::StrCat(absl::StrJoin(cells, std::string(1, d)), "\n");
}

}  // namespace hla::report
