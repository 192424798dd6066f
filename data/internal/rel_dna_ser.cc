// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// wmda/rel_dna_ser.txt: the serological equivalents of each allele.
//
//   six `# key: value` header lines, then one allele a line, ';'-separated:
//   Locus*;Allele;Unambiguous;Possible;Assumed;ExpertExceptions[;HATS]
//   A*;01:01:01:01;1;;;           unambiguous antigen A1
//   A*;01:01:01:02N;0;;;          null allele: no antigen
//   B*;83:01;?;;;                 no serological equivalent known
//   A*;02:55;;;2;28               assumed A2, expert exception A28
//   DRB1*;11:16:01:01;;11/13;;    possibly DR11 or DR13
//   A*;01:48;;;0/?;               assumed: null or unknown
//
// Each serology column is '/'-separated antigen numbers (the number only:
// "1" means A1 for A*, Cw1 for C*, DR52 for DRB3*), "0" (null), "?" (none
// known), or empty. Releases from 2026 add a 7th field, the "assigned
// specificity as calculated by HATS", in the same notation. Quirks: the
// 3.58.0 header's date line ends in a tab; the file may end without a newline.
#include "absl/strings/str_cat.h"
#include "data/internal/records.h"

namespace hla::data_internal {
namespace {

// Checks that `column` is empty or '/'-separated tokens of digits, "0", "?".
bool ValidSerologyColumn(absl::string_view column) {
  if (column.empty()) return true;
  while (true) {
    const size_t slash = column.find('/');
    const absl::string_view token = column.substr(0, slash);
    if (token != "?" && !IsDigits(token)) return false;
    if (slash == absl::string_view::npos) return true;
    column.remove_prefix(slash + 1);
  }
}

constexpr absl::string_view kColumnNames[kSerologyColumns] = {
    "Unambiguous", "Possible", "Assumed", "ExpertExceptions", "HATS"};

}  // namespace

absl::StatusOr<RelDnaSerFile> ParseRelDnaSer(absl::string_view text,
                                             absl::string_view file) {
  RelDnaSerFile out;
  LineCursor cursor(text);
  out.header = ReadHeader(&cursor);
  absl::string_view line;
  out.rows.reserve(text.size() / 17);
  while (cursor.Next(&line)) {
    if (line.empty() || line[0] == '#') continue;
    const int n = cursor.line_number();
    absl::string_view f[8];
    const int count = SplitN(line, ';', f, 8);
    if (count != 6 && count != 7) {
      return LineError(file, n,
                       absl::StrCat("expected 6 (or, from 2026, 7) ';'-separated "
                                    "fields, found ", count, " in '", line, "'"));
    }
    RelDnaSerRow row;
    row.locus = f[0];
    row.allele = f[1];
    row.line = n;
    if (row.locus.size() < 2 || row.locus.back() != '*' || row.allele.empty()) {
      return LineError(file, n, absl::StrCat("expected 'Locus*;Allele;...', "
                                              "found '", line, "'"));
    }
    for (int c = 0; c + 2 < count; ++c) {
      row.columns[c] = f[c + 2];
      if (!ValidSerologyColumn(row.columns[c])) {
        return LineError(file, n,
                         absl::StrCat(kColumnNames[c], " must be antigen numbers"
                                      ", 0 or ? separated by '/', found '",
                                      row.columns[c], "'"));
      }
    }
    if (count == 7) out.has_hats_column = true;
    out.rows.push_back(row);
  }
  return out;
}

}  // namespace hla::data_internal
