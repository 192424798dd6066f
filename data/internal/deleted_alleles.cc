// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Deleted_alleles.txt: allele names withdrawn or renamed, with the reason.
//
//   six `# key: value` header lines, then two blocks, each opened by a '#'
//   line and its own column header:
//   # Deleted Alleles
//   AlleleID,Allele,Description
//   HLA00965,A*0105N,Sequence shown to be identical to A*01:04:01:01N (July 2001)
//   HLA06674,A*01:34N,Sequence shown to be expressed at low levels and renamed A*01:01:38L (March 2011)
//   # Alleles With Suffix Changes
//   AlleleID,Allele,Description
//   HLA12112,A*01:159,Sequence renamed A*01:159Q (October 2019)
//
// Description is free text with unquoted commas: split at most twice. The
// successor name is the first allele name after "renamed " or "identical to "
// (a later "now named X" describes a resubmitted sequence, not the old name's
// meaning). Quirks: names keep their historical form ("Cw*1616", "A*0105N");
// the file is absent from 3.44.0 (optional); hla_nom.txt does not list the
// suffix changes, so this file is their only source.
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "data/internal/records.h"

namespace hla::data_internal {
namespace {

// The allele-name-shaped token right after the first `marker` in `text`.
absl::string_view NameAfter(absl::string_view text, absl::string_view marker) {
  const size_t p = text.find(marker);
  if (p == absl::string_view::npos) return {};
  absl::string_view rest = text.substr(p + marker.size());
  size_t end = 0;
  while (end < rest.size()) {
    const char c = rest[end];
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '*' &&
        c != ':') {
      break;
    }
    ++end;
  }
  absl::string_view name = rest.substr(0, end);
  return name.find('*') == absl::string_view::npos ? absl::string_view() : name;
}

}  // namespace

absl::StatusOr<DeletedAllelesFile> ParseDeletedAlleles(absl::string_view text,
                                                       absl::string_view file) {
  DeletedAllelesFile out;
  LineCursor cursor(text);
  out.header = ReadHeader(&cursor);
  absl::string_view line;
  // The header reader swallowed "# Deleted Alleles" along with the header:
  // rows are in the deleted block until "# Alleles With Suffix Changes".
  bool suffix_block = false;
  while (cursor.Next(&line)) {
    if (line.empty()) continue;
    const int n = cursor.line_number();
    if (line[0] == '#') {
      if (absl::StrContains(line, "Suffix Change")) {
        suffix_block = true;
      } else if (absl::StrContains(line, "Deleted")) {
        suffix_block = false;
      }
      continue;
    }
    if (line == "AlleleID,Allele,Description") continue;
    absl::string_view f[3];
    if (SplitN(line, ',', f, 3) != 3) {
      return LineError(file, n,
                       absl::StrCat("expected AlleleID,Allele,Description, "
                                    "found '", line, "'"));
    }
    DeletedAlleleRow row;
    row.accession = f[0];
    row.name = f[1];
    row.description = f[2];
    row.suffix_change = suffix_block;
    row.line = n;
    if (row.name.find('*') == absl::string_view::npos) {
      return LineError(file, n, absl::StrCat("not an allele name: '", row.name,
                                              "'"));
    }
    const size_t renamed = row.description.find("renamed ");
    const size_t identical = row.description.find("identical to ");
    // Whichever phrase comes first names the successor.
    if (renamed != absl::string_view::npos &&
        (identical == absl::string_view::npos || renamed < identical)) {
      row.target = NameAfter(row.description, "renamed ");
    } else if (identical != absl::string_view::npos) {
      row.target = NameAfter(row.description, "identical to ");
    }
    out.rows.push_back(row);
  }
  return out;
}

}  // namespace hla::data_internal
