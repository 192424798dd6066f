// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "hla/locus.h"

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

}  // namespace hla
