// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: use data/resolve.h and data/reduce.h instead.
//
// String helpers on bare allele names ("A*01:01:01:02N", no "HLA-") that
// py-ard's reduction semantics are defined in (docs/research/
// pyard-semantics.md, "Conventions"), and its "smart" sort order.
#ifndef HLA_DATA_INTERNAL_NAMES_H_
#define HLA_DATA_INTERNAL_NAMES_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "hla/gl.h"

namespace hla::data_internal {

// AppendToken without the "HLA-" prefix.
void AppendBareName(const Token& token, std::string* out);

// The first `n` ':'-separated parts, as written: a suffix inside a kept part
// stays (FirstN("A*43:02N", 2) == "A*43:02N"), one in a dropped part goes
// (FirstN("A*01:04:01:01N", 2) == "A*01:04"). Fewer parts: unchanged.
absl::string_view FirstN(absl::string_view name, int n);

// FirstN, re-adding an N/Q/L/S suffix lost with the dropped parts
// ("A*01:52:01N" -> "A*01:52N").
std::string FirstNKeep(absl::string_view name, int n);

// Drops one trailing 'G' or 'P', then FirstN(., n) (py-ard d2/d3).
absl::string_view DropGpFirstN(absl::string_view name, int n);

// Number of ':'-separated parts after the '*' (0 if there is no '*').
int FieldCount(absl::string_view name);

// py-ard's expression letters: N Q L S (not C or A).
inline bool IsPyArdExpressionChar(char c) {
  return c == 'N' || c == 'Q' || c == 'L' || c == 'S';
}

// py-ard's smart order (§2.2): operator-bearing strings in byte order,
// serology by number, molecular names by fields 1-4 numerically, the locus
// never compared, suffix letters ignored. Ties (suffix-only differences) are
// broken by byte order so that output is deterministic (py-ard leaves them
// unspecified). Returns <0, 0, >0.
int SmartCompare(absl::string_view a, absl::string_view b);
inline bool SmartLess(absl::string_view a, absl::string_view b) {
  return SmartCompare(a, b) < 0;
}

// Sorts `v` in SmartCompare order (stable when `stable`), computing each
// element's comparison key once instead of once per comparison: the same
// order as sorting with SmartLess, several times faster on GL Strings.
void SmartSort(std::vector<std::string>* v, bool stable);

}  // namespace hla::data_internal

#endif  // HLA_DATA_INTERNAL_NAMES_H_
