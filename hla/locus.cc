// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "hla/locus.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace hla {
namespace {

struct LocusRow {
  absl::string_view name;
  absl::string_view serology_prefix;
};

// Index = static_cast<int>(Locus). Serology prefixes per WMDA rel_ser_ser.txt.
constexpr LocusRow kLoci[kLocusCount] = {
    {"A", "A"},    {"B", "B"},    {"C", "Cw"},  {"DRB1", "DR"},
    {"DRB3", "DR"}, {"DRB4", "DR"}, {"DRB5", "DR"}, {"DQA1", ""},
    {"DQB1", "DQ"}, {"DPA1", ""},  {"DPB1", "DPw"},
};

}  // namespace

absl::string_view LocusName(Locus locus) {
  return kLoci[static_cast<int>(locus)].name;
}

std::optional<Locus> LocusFromName(absl::string_view name) {
  for (int i = 0; i < kLocusCount; ++i) {
    if (kLoci[i].name == name) return static_cast<Locus>(i);
  }
  return std::nullopt;
}

absl::string_view SerologyPrefix(Locus locus) {
  return kLoci[static_cast<int>(locus)].serology_prefix;
}

absl::StatusOr<std::vector<Locus>> ParseLocusList(absl::string_view text) {
  std::vector<Locus> loci;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (absl::StartsWithIgnoreCase(item, "HLA-")) item.remove_prefix(4);
    std::optional<Locus> l = LocusFromName(absl::AsciiStrToUpper(item));
    if (!l) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", item, "' is not a matching locus (A, B, C, DRB1, "
                       "DRB3, DRB4, DRB5, DQA1, DQB1, DPA1, DPB1)"));
    }
    if (std::find(loci.begin(), loci.end(), *l) != loci.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(item, " is listed twice"));
    }
    loci.push_back(*l);
  }
  return loci;
}

}  // namespace hla
