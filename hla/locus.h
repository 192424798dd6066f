// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The HLA loci that matching is defined on.
//
// An IPD-IMGT/HLA release names some forty genes and pseudogenes (A, B, ...,
// MICA, TAP1, ...); the data layer keeps all of them by name. Matching,
// eligibility and ranking are defined on the eleven expressed, transplant-relevant
// loci below, so they get a compact enum that indexes per-locus arrays.
#ifndef HLA_LOCUS_H_
#define HLA_LOCUS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hla {

enum class Locus : uint8_t {
  kA = 0,
  kB,
  kC,
  kDRB1,
  kDRB3,
  kDRB4,
  kDRB5,
  kDQA1,
  kDQB1,
  kDPA1,
  kDPB1,
};

inline constexpr int kLocusCount = 11;

// All loci in canonical (WMDA report) order: A, B, C, DRB1, DRB3, DRB4, DRB5,
// DQA1, DQB1, DPA1, DPB1.
inline constexpr Locus kAllLoci[kLocusCount] = {
    Locus::kA,    Locus::kB,    Locus::kC,    Locus::kDRB1,
    Locus::kDRB3, Locus::kDRB4, Locus::kDRB5, Locus::kDQA1,
    Locus::kDQB1, Locus::kDPA1, Locus::kDPB1};

// The molecular name as IMGT writes it before the '*': "A", "DRB1", ...
absl::string_view LocusName(Locus locus);

// Parses a molecular locus name ("A", "DRB1"; case-sensitive, no "HLA-" prefix).
// Returns nullopt for names outside the eleven matching loci (e.g. "MICA").
std::optional<Locus> LocusFromName(absl::string_view name);

// A comma list of matching loci, as a --loci flag or a request's
// options.loci gives it: "A,B,C,DRB1,DQB1", any case, spaces and an "HLA-"
// prefix allowed. InvalidArgumentError "'X' is not a matching locus (A, B,
// ...)" or "X is listed twice"; callers prefix the flag's name.
absl::StatusOr<std::vector<Locus>> ParseLocusList(absl::string_view text);

// The serological locus prefix WHO uses for antigens of this gene, as in
// rel_ser_ser.txt: "A", "B", "Cw", "DR", "DQ", "DPw". DRB3/4/5 antigens are
// DR52/DR53/DR51, so their prefix is "DR" as well. DQA1 and DPA1 have no
// serology and return an empty view.
absl::string_view SerologyPrefix(Locus locus);

}  // namespace hla

#endif  // HLA_LOCUS_H_
