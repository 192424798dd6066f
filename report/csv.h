// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The CSV and TSV form of the rank report (`haplomatch rank --format
// csv|tsv`): one header, one row per ranked donor.
#ifndef HLA_REPORT_CSV_H_
#define HLA_REPORT_CSV_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "registry/rank.h"

namespace hla::report {

// A cell: with ',' (CSV, RFC 4180) quoted when it holds a comma, a quote or
// a line end, quotes doubled; with '\t' (TSV) tabs and line ends replaced
// by spaces, since TSV has no quoting.
std::string CsvCell(absl::string_view s, char delimiter);

// The header line: rank, id, facts, totals, one column per scored locus,
// verdict, tce, b_leader (the leader match), b_leader_status (Petersdorf's
// three letters or empty), kir_missing (ligand groups missing in the
// recipient, "C2" or "C1?" for a possible one), kir_b (the donor's KIR B
// content, empty when not typed), status (eligible, needs-review or
// not-assessed), reasons.
std::string RankCsvHeader(const registry::RankOptions& options, char delimiter);
// One ranked donor's line, `rank` counting from 1.
std::string RankCsvRow(size_t rank, const registry::DonorReport& report,
                       const registry::RankOptions& options, char delimiter);

}  // namespace hla::report

#endif  // HLA_REPORT_CSV_H_
