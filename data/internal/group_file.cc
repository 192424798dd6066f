// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// wmda/hla_nom_g.txt (G groups) and wmda/hla_nom_p.txt (P groups).
//
//   six `# key: value` header lines, then one group a line, ';'-separated:
//   Locus*;allele1/allele2/...;GroupName
//   A*;01:01:01:01/01:01:01:02N/.../01:468;01:01:01G    a G group
//   A*;01:02:01:01/01:02:01:02/01:02:01:03/01:02:02/01:412;01:02P
//   A*;01:01:02;                                         no group
//
// G groups: alleles with identical nucleotide sequence in the exons of the
// antigen-recognition domain (exons 2+3 for class I, exon 2 for class II);
// P groups: identical protein sequence there. Members are written without
// the locus. GroupName empty means the row's single allele forms no group
// with any other. Quirks: P files never list null alleles; alleles of some
// loci (e.g. DPA2) are in neither file; a G group may hold null alleles.
#include "absl/strings/str_cat.h"
#include "data/internal/records.h"

namespace hla::data_internal {

absl::StatusOr<GroupFile> ParseGroupFile(absl::string_view text,
                                         absl::string_view file, char kind) {
  GroupFile out;
  LineCursor cursor(text);
  out.header = ReadHeader(&cursor);
  absl::string_view line;
  out.rows.reserve(text.size() / 16);
  while (cursor.Next(&line)) {
    if (line.empty() || line[0] == '#') continue;
    const int n = cursor.line_number();
    absl::string_view f[4];
    if (SplitN(line, ';', f, 4) != 3) {
      return LineError(file, n,
                       absl::StrCat("expected 3 ';'-separated fields "
                                    "(Locus*;alleles;Group), found '", line,
                                    "'"));
    }
    GroupRow row{f[0], f[1], f[2], n};
    if (row.locus.size() < 2 || row.locus.back() != '*') {
      return LineError(file, n, absl::StrCat("locus must end with '*', found '",
                                              row.locus, "'"));
    }
    if (row.members.empty()) {
      return LineError(file, n, "empty allele list");
    }
    if (!row.group.empty()) {
      hla::Fields fields;
      if (row.group.back() != kind ||
          !hla::ParseFields(row.group.substr(0, row.group.size() - 1),
                            &fields)) {
        return LineError(file, n,
                         absl::StrCat("group name must be fields followed by '",
                                      absl::string_view(&kind, 1), "', found '",
                                      row.group, "'"));
      }
    } else if (row.members.find('/') != absl::string_view::npos) {
      return LineError(file, n, "several alleles but no group name");
    }
    out.rows.push_back(row);
  }
  return out;
}

}  // namespace hla::data_internal
