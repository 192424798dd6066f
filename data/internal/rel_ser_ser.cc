// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// wmda/rel_ser_ser.txt: broad antigens, their splits, associated antigens.
//
//   six `# key: value` header lines, then one antigen a line, ';'-separated:
//   Locus;Antigen;Splits;Associated
//   A;9;23/24;            A9 is a broad; A23 and A24 are its splits
//   A;2;;203/210          A203 and A210 are associated with A2
//   B;21;49/50;4005       both at once
//   Dw;6;18/19;           cellular (Dw) specificities appear too
//
// Loci are serological prefixes (A, B, Cw, DR, DQ, DPw, Dw), numbers have no
// prefix. Quirks: the file ends without a final newline; 3.44.0 and 3.58.0
// are identical apart from the header.
#include "absl/strings/str_cat.h"
#include "data/internal/records.h"

namespace hla::data_internal {
namespace {

bool ValidNumberList(absl::string_view list) {
  if (list.empty()) return true;
  while (true) {
    const size_t slash = list.find('/');
    if (!IsDigits(list.substr(0, slash))) return false;
    if (slash == absl::string_view::npos) return true;
    list.remove_prefix(slash + 1);
  }
}

}  // namespace

absl::StatusOr<RelSerSerFile> ParseRelSerSer(absl::string_view text,
                                             absl::string_view file) {
  RelSerSerFile out;
  LineCursor cursor(text);
  out.header = ReadHeader(&cursor);
  absl::string_view line;
  while (cursor.Next(&line)) {
    if (line.empty() || line[0] == '#') continue;
    const int n = cursor.line_number();
    absl::string_view f[5];
    if (SplitN(line, ';', f, 5) != 4) {
      return LineError(file, n,
                       absl::StrCat("expected 4 ';'-separated fields "
                                    "(Locus;Antigen;Splits;Associated), found '",
                                    line, "'"));
    }
    RelSerSerRow row{f[0], f[1], f[2], f[3], n};
    if (row.locus.empty() || !IsDigits(row.antigen)) {
      return LineError(file, n, absl::StrCat("expected a locus and an antigen "
                                              "number, found '", line, "'"));
    }
    if (!ValidNumberList(row.splits) || !ValidNumberList(row.associated)) {
      return LineError(file, n, absl::StrCat("splits and associated antigens "
                                              "must be numbers separated by '/',"
                                              " found '", line, "'"));
    }
    out.rows.push_back(row);
  }
  return out;
}

}  // namespace hla::data_internal
