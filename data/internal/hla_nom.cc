// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// wmda/hla_nom.txt: every name WHO ever assigned, alleles and antigens.
//
//   six `# key: value` header lines, then one name a line, ';'-separated:
//   Locus;Name;DateAssigned;DateDeleted;IdenticalTo;Reason
//   A;1;19680101;;;                       a serological antigen (no '*')
//   A*;01:01:01:01;19890801;;;            a current allele
//   A*;01:34N;20090131;20110325;01:01:38L;Shown to be expressed at low levels
//   A*;0105N;19990216;20010717;01:04:01:01N;Sequence identical
//
// Dates are YYYYMMDD; DateDeleted empty means the name is current.
// IdenticalTo is written without the locus and may be empty ("Never
// assigned", "Sequence error" with no successor). Quirks: pre-2010 deleted
// names keep their 4-to-8-digit form (0105N, 020116) and the old "Cw*"
// locus; antigens have Dw and Bw rows too; the Reason column is free text
// (one row in 3.58.0 holds a person's name); the file ends without a final
// newline. The 2026 nomenclature report changed this file; a 7th field, if
// any, is kept as part of Reason.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "data/internal/records.h"

namespace hla::data_internal {
namespace {

bool IsDate(absl::string_view s) { return s.size() == 8 && IsDigits(s); }

}  // namespace

absl::StatusOr<HlaNomFile> ParseHlaNom(absl::string_view text,
                                       absl::string_view file) {
  HlaNomFile out;
  LineCursor cursor(text);
  out.header = ReadHeader(&cursor);
  absl::string_view line;
  out.rows.reserve(text.size() / 24);
  while (cursor.Next(&line)) {
    if (line.empty() || line[0] == '#') continue;
    const int n = cursor.line_number();
    absl::string_view f[6];
    if (SplitN(line, ';', f, 6) != 6) {
      return LineError(file, n,
                       absl::StrCat("expected 6 ';'-separated fields "
                                    "(Locus;Name;DateAssigned;DateDeleted;"
                                    "IdenticalTo;Reason), found '", line, "'"));
    }
    HlaNomRow row;
    row.locus = f[0];
    row.name = f[1];
    row.date_assigned = f[2];
    row.date_deleted = f[3];
    row.identical_to = f[4];
    row.reason = f[5];
    row.line = n;
    row.is_allele = absl::EndsWith(row.locus, "*");
    if (row.locus.size() < (row.is_allele ? 2u : 1u) || row.name.empty()) {
      return LineError(file, n, absl::StrCat("empty locus or name in '", line,
                                              "'"));
    }
    if (!IsDate(row.date_assigned)) {
      return LineError(file, n, absl::StrCat("DateAssigned must be YYYYMMDD, "
                                              "found '", row.date_assigned, "'"));
    }
    if (!row.date_deleted.empty() && !IsDate(row.date_deleted)) {
      return LineError(file, n, absl::StrCat("DateDeleted must be YYYYMMDD or "
                                              "empty, found '", row.date_deleted,
                                              "'"));
    }
    out.rows.push_back(row);
  }
  return out;
}

}  // namespace hla::data_internal
