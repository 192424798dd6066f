// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Test pedigrees: A~C~B~DRB1~DQB1 haplotypes of real IPD-IMGT/HLA 3.58.0
// alleles, and the unphased GL String of two of them. Shared by the family
// segregation tests of the matcher and the CLI.
#ifndef HLA_TESTS_TESTING_FAMILY_HAPLOTYPES_H_
#define HLA_TESTS_TESTING_FAMILY_HAPLOTYPES_H_

#include <array>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hla::testing_family {

using Hap = std::array<const char*, 5>;
inline constexpr Hap kA = {"A*01:01", "C*07:01", "B*08:01", "DRB1*03:01", "DQB1*02:01"};
inline constexpr Hap kB = {"A*03:01", "C*07:02", "B*07:02", "DRB1*15:01", "DQB1*06:02"};
inline constexpr Hap kC = {"A*02:01", "C*05:01", "B*44:02", "DRB1*04:01", "DQB1*03:02"};
inline constexpr Hap kD = {"A*24:02", "C*04:01", "B*35:01", "DRB1*11:01", "DQB1*03:01"};
inline constexpr Hap kE = {"A*11:01", "C*03:04", "B*40:01", "DRB1*13:01", "DQB1*06:03"};
inline constexpr Hap kF = {"A*68:01", "C*12:03", "B*51:01", "DRB1*07:01", "DQB1*02:02"};
// a at A, C, B; b from DRB1 on (a crossover between B and DRB1).
inline constexpr Hap kAB = {"A*01:01", "C*07:01", "B*08:01", "DRB1*15:01", "DQB1*06:02"};

// "A*01:01+A*02:01^C*07:01+C*05:01^..."; loci with a null pointer in the
// first haplotype are left untyped.
inline std::string Gl(const Hap& h1, const Hap& h2) {
  std::vector<std::string> blocks;
  for (size_t i = 0; i < h1.size(); ++i) {
    if (h1[i] == nullptr) continue;
    blocks.push_back(absl::StrCat(h1[i], "+", h2[i]));
  }
  return absl::StrJoin(blocks, "^");
}

}  // namespace hla::testing_family

#endif  // HLA_TESTS_TESTING_FAMILY_HAPLOTYPES_H_
