// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Allelelist.txt: every allele name of one IPD-IMGT/HLA release.
//
//   # file: Allelelist.txt          six `# key: value` header lines (file,
//   # date: 2024-10-09              date, version, origin, repository,
//   # version: IPD-IMGT/HLA 3.58.0  author); the version and date are read
//   ...
//   AlleleID,Allele                 column header line, required
//   HLA00001,A*01:01:01:01          one allele a line: accession, WHO name
//   HLA02169,A*01:01:01:02N         names carry the locus and '*', 1-4 fields,
//                                   an optional expression suffix N/L/S/C/A/Q
//
// Quirks: the per-release copies under IMGTHLA's allelelist/ have the same
// layout. A blank line is skipped; a missing final newline is fine.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "data/internal/records.h"

namespace hla::data_internal {

bool SplitAlleleName(absl::string_view name, absl::string_view* locus,
                     hla::Fields* fields, char* suffix) {
  const size_t star = name.find('*');
  if (star == 0 || star == absl::string_view::npos) return false;
  *locus = name.substr(0, star);
  for (char c : *locus) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  absl::string_view rest = name.substr(star + 1);
  *suffix = 0;
  if (!rest.empty() && hla::IsExpressionSuffix(rest.back())) {
    *suffix = rest.back();
    rest.remove_suffix(1);
  }
  return hla::ParseFields(rest, fields);
}

absl::StatusOr<AlleleListFile> ParseAlleleList(absl::string_view text,
                                               absl::string_view file) {
  AlleleListFile out;
  LineCursor cursor(text);
  out.header = ReadHeader(&cursor);
  absl::string_view line;
  bool saw_columns = false;
  out.rows.reserve(text.size() / 21);  // ~21 bytes a line in 3.58.0
  while (cursor.Next(&line)) {
    if (line.empty() || line[0] == '#') continue;
    if (!saw_columns) {
      if (line != "AlleleID,Allele") {
        return LineError(file, cursor.line_number(),
                         absl::StrCat("expected the column header "
                                      "'AlleleID,Allele', found '", line, "'"));
      }
      saw_columns = true;
      continue;
    }
    absl::string_view f[3];
    if (SplitN(line, ',', f, 3) != 2) {
      return LineError(file, cursor.line_number(),
                       absl::StrCat("expected 2 comma-separated fields "
                                    "(AlleleID,Allele), found '", line, "'"));
    }
    AlleleListRow row;
    row.accession = f[0];
    row.name = f[1];
    row.line = cursor.line_number();
    if (row.accession.empty()) {
      return LineError(file, row.line, "empty AlleleID");
    }
    if (!SplitAlleleName(row.name, &row.locus, &row.fields, &row.suffix)) {
      return LineError(file, row.line,
                       absl::StrCat("not a WHO allele name: '", row.name, "'"));
    }
    out.rows.push_back(std::move(row));
  }
  if (!saw_columns) {
    return LineError(file, cursor.line_number(),
                     "no 'AlleleID,Allele' column header: empty allele list");
  }
  return out;
}

}  // namespace hla::data_internal
