// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// py-ard's "smart" name order (data/internal/names.h).
#include "data/internal/names.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::data_internal {
namespace {

using ::testing::ElementsAre;

TEST(SmartCompare, OrdersFieldsNumerically) {
  EXPECT_TRUE(SmartLess("A*01:11", "A*01:103"));
  EXPECT_TRUE(SmartLess("A*01:29", "A*01:100"));
  EXPECT_TRUE(SmartLess("A9", "A24"));
  EXPECT_TRUE(SmartLess("A24", "A2403"));
  EXPECT_EQ(SmartCompare("B*07:02", "B*07:02"), 0);
}

// The names a GL String reduction sorts: alleles of several loci and field
// counts, suffixes, groups, serology, and strings holding operators.
std::vector<std::string> Corpus() {
  return {"A*01:11",     "A*01:103",   "A*01:01:01G", "A*01:01",    "A*01:01N",
          "A*01:04N",    "A*02:01",    "A*02:01:01",  "A*02:01P",   "B*07:02",
          "C*07:01",     "DRB1*15:01", "DPB1*1001:01", "DPB1*04:01", "A*24:329Q",
          "A9",          "A24",        "A2403",       "B44",        "Cw7",
          "DR52",        "A*01:01+A*02:01", "A*01:01/A*01:02", "A*01:01~B*08:01",
          "HLA-A*01:01", "HLA-A*02:01", "MICA*040",   "A*01:29",    "A*01:100",
          "A*01:01:01:01", "A*01:01:01:02N", "A*01:01:01:10", "DRB4*NNNN", "NEW"};
}

TEST(SmartSort, EqualsSortingWithSmartLess) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> names = Corpus();
    std::shuffle(names.begin(), names.end(), rng);
    names.resize(1 + rng() % names.size());
    std::vector<std::string> expected = names;
    std::stable_sort(expected.begin(), expected.end(),
                     [](const std::string& a, const std::string& b) {
                       return SmartLess(a, b);
                     });
    std::vector<std::string> stable = names;
    SmartSort(&stable, /*stable=*/true);
    EXPECT_EQ(stable, expected) << "round " << round;
    // py-ard's comparator is not a strict weak order across kinds (names
    // with operators compare by bytes, serology by number), so std::sort and
    // std::stable_sort may disagree on such mixtures: compare like with like.
    std::vector<std::string> expected_unstable = names;
    std::sort(expected_unstable.begin(), expected_unstable.end(),
              [](const std::string& a, const std::string& b) {
                return SmartLess(a, b);
              });
    std::vector<std::string> unstable = names;
    SmartSort(&unstable, /*stable=*/false);
    EXPECT_EQ(unstable, expected_unstable) << "round " << round;
  }
}

TEST(SmartCompare, PlaceholdersSortLast) {
  EXPECT_TRUE(SmartLess("DRB3*03:01", "DRBX*NNNN"));
  EXPECT_FALSE(SmartLess("DRBX*NNNN", "DRB3*03:01"));
  std::vector<std::string> v = {"DRBX*NNNN", "DRB4*01:01", "DRB3*03:01"};
  SmartSort(&v, /*stable=*/true);
  // The locus is never compared (py-ard): DRB4*01:01 before DRB3*03:01.
  EXPECT_THAT(v, ElementsAre("DRB4*01:01", "DRB3*03:01", "DRBX*NNNN"));
}

TEST(SmartSort, KeepsDuplicatesAndHandlesTinyInputs) {
  std::vector<std::string> v = {"A*02:01", "A*01:01", "A*02:01"};
  SmartSort(&v, /*stable=*/true);
  EXPECT_THAT(v, ElementsAre("A*01:01", "A*02:01", "A*02:01"));
  std::vector<std::string> one = {"B44"};
  SmartSort(&one, /*stable=*/false);
  EXPECT_THAT(one, ElementsAre("B44"));
  std::vector<std::string> none;
  SmartSort(&none, /*stable=*/false);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace hla::data_internal
