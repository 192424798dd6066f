// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Allele_status.txt: how much of each allele has been sequenced.
//
//   six `# key: value` header lines, then the column header
//   Allele,Cells,Groups,Confirmed,Start,End,Partial,Type
//   A*01:01:01:01,8,10,Confirmed,1,1098,Full,gDNA
//   C*03:11:01,1,1,Unconfirmed,74,619,Partial,cDNA
//
// Confirmed is Confirmed/Unconfirmed, Partial is Full/Partial, Type is
// gDNA/cDNA; Cells, Groups, Start and End are numbers we do not keep.
// Quirks: absent from 3.44.0 (and older releases), so optional.
#include "absl/strings/str_cat.h"
#include "data/internal/records.h"

namespace hla::data_internal {

absl::StatusOr<AlleleStatusFile> ParseAlleleStatus(absl::string_view text,
                                                   absl::string_view file) {
  constexpr absl::string_view kColumns =
      "Allele,Cells,Groups,Confirmed,Start,End,Partial,Type";
  AlleleStatusFile out;
  LineCursor cursor(text);
  out.header = ReadHeader(&cursor);
  absl::string_view line;
  bool saw_columns = false;
  out.rows.reserve(text.size() / 45);
  while (cursor.Next(&line)) {
    if (line.empty() || line[0] == '#') continue;
    const int n = cursor.line_number();
    if (!saw_columns) {
      if (line != kColumns) {
        return LineError(file, n,
                         absl::StrCat("expected the column header '", kColumns,
                                      "', found '", line, "'"));
      }
      saw_columns = true;
      continue;
    }
    absl::string_view f[9];
    if (SplitN(line, ',', f, 9) != 8) {
      return LineError(file, n, absl::StrCat("expected 8 comma-separated "
                                              "fields, found '", line, "'"));
    }
    AlleleStatusRow row;
    row.name = f[0];
    row.line = n;
    if (f[3] == "Confirmed") {
      row.confirmed = true;
    } else if (f[3] != "Unconfirmed") {
      return LineError(file, n, absl::StrCat("Confirmed must be Confirmed or "
                                              "Unconfirmed, found '", f[3], "'"));
    }
    if (f[6] == "Partial") {
      row.partial = true;
    } else if (f[6] != "Full") {
      return LineError(file, n, absl::StrCat("Partial must be Full or Partial, "
                                              "found '", f[6], "'"));
    }
    if (f[7] == "gDNA") {
      row.genomic = true;
    } else if (f[7] != "cDNA") {
      return LineError(file, n, absl::StrCat("Type must be gDNA or cDNA, "
                                              "found '", f[7], "'"));
    }
    out.rows.push_back(row);
  }
  if (!saw_columns) {
    return LineError(file, cursor.line_number(),
                     absl::StrCat("no '", kColumns, "' column header"));
  }
  return out;
}

}  // namespace hla::data_internal
