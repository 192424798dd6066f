// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// tce/dpb_tce.csv: HLA-DPB1 T-cell-epitope (TCE) group assignments.
//
//   six `# key: value` header lines, then an optional column header line:
//   Allele,Protein,V1_Assignment,V2_Assignment,Comments                3.58.0
//   Allele,Protein,V1_Assignment,V2_Assignment,V3_Assignment,Comments  2026
//   (none at all in 3.44.0: data starts right after the '#' lines)
//   DPB1*01:01:01:01,DPB1*01:01,3,3,
//   DPB1*08:01,DPB1*08:01,3$,2a$,V1 Assignment based on sequence motifs ...
//
// Values are TCE groups 0, 1, 2, 2a, 3, or empty (not assigned); a trailing
// '$' marks an inferred assignment (V1 "based on sequence motifs", V2 "based
// on functional distance scores"). V3 values carry a qualifier in
// parentheses, e.g. "3 (non-core)", and V1 is often empty there. Comments is
// free text and the last column, so it keeps any commas. Without a column
// header the 5-column layout is assumed.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "data/internal/records.h"

namespace hla::data_internal {
namespace {

// "3", "2a$", "3 (non-core)", "" -> TceCell; false if malformed.
bool ParseTceCell(absl::string_view text, TceCell* cell) {
  text = absl::StripAsciiWhitespace(text);
  *cell = TceCell();
  if (text.empty()) return true;
  if (absl::ConsumeSuffix(&text, "$")) cell->inferred = true;
  const size_t paren = text.find('(');
  if (paren != absl::string_view::npos) {
    absl::string_view q = text.substr(paren + 1);
    if (!absl::ConsumeSuffix(&q, ")")) return false;
    cell->qualifier = absl::StripAsciiWhitespace(q);
    text = absl::StripAsciiWhitespace(text.substr(0, paren));
    // "3$ (non-core)" puts the '$' before the qualifier.
    if (absl::ConsumeSuffix(&text, "$")) cell->inferred = true;
  }
  // A group is digits optionally followed by one lowercase letter ("2a").
  absl::string_view digits = text;
  if (!digits.empty() && absl::ascii_islower(static_cast<unsigned char>(digits.back()))) {
    digits.remove_suffix(1);
  }
  if (!IsDigits(digits)) return false;
  cell->group = text;
  return true;
}

}  // namespace

absl::StatusOr<DpbTceFile> ParseDpbTce(absl::string_view text,
                                       absl::string_view file) {
  DpbTceFile out;
  LineCursor cursor(text);
  out.header = ReadHeader(&cursor);
  absl::string_view line;
  bool first = true;
  while (cursor.Next(&line)) {
    if (line.empty() || line[0] == '#') continue;
    const int n = cursor.line_number();
    if (first) {
      first = false;
      if (absl::StartsWith(line, "Allele,")) {
        out.has_column_header = true;
        if (line == "Allele,Protein,V1_Assignment,V2_Assignment,V3_Assignment,"
                    "Comments") {
          out.has_v3 = true;
        } else if (line !=
                   "Allele,Protein,V1_Assignment,V2_Assignment,Comments") {
          return LineError(file, n, absl::StrCat("unknown column header '",
                                                  line, "'"));
        }
        continue;
      }
    }
    const int columns = out.has_v3 ? 6 : 5;
    absl::string_view f[6];
    if (SplitN(line, ',', f, columns) != columns) {
      return LineError(file, n, absl::StrCat("expected ", columns,
                                              " comma-separated fields, found '",
                                              line, "'"));
    }
    DpbTceRow row;
    row.allele = f[0];
    row.protein = f[1];
    row.line = n;
    row.comments = f[columns - 1];
    if (row.allele.find('*') == absl::string_view::npos) {
      return LineError(file, n, absl::StrCat("not an allele name: '",
                                              row.allele, "'"));
    }
    const bool ok = ParseTceCell(f[2], &row.v1) && ParseTceCell(f[3], &row.v2) &&
                    (!out.has_v3 || ParseTceCell(f[4], &row.v3));
    if (!ok) {
      return LineError(file, n, absl::StrCat("a TCE assignment must be a group "
                                              "(0, 1, 2, 2a, 3), optionally "
                                              "with '$' and '(qualifier)', in '",
                                              line, "'"));
    }
    out.rows.push_back(row);
  }
  return out;
}

}  // namespace hla::data_internal
