// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "data/mac_table.h"

#include <string>

#include "data_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::data {
namespace {

using ::hla::data_testing::StatusIs;
using ::testing::ElementsAre;

constexpr absl::StatusCode kDataLoss = absl::StatusCode::kDataLoss;

TEST(MacTable, ReadsAlphaV3Layout) {
  auto t = MacTable::Parse(
      "LAST UPDATED: 2020-07-11 (test)\n*\tCODE\tSUBTYPE\n\n"
      "\tAB\t01/02\n*\tGD\t03:01/52:01\n*\tAHY\t03:01/03:03N",
      "mac.txt");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->date(), "2020-07-11 (test)");
  EXPECT_EQ((*t)->size(), 3u);
  EXPECT_EQ((*t)->generic_count(), 1u);
  EXPECT_EQ((*t)->allele_specific_count(), 2u);
  // An item may carry an expression suffix (AHY in the 2020 table).
  EXPECT_EQ((*t)->Find("AHY")->Items().back(), "03:03N");
  const MacCode* ab = (*t)->Find("AB");
  ASSERT_NE(ab, nullptr);
  EXPECT_FALSE(ab->allele_specific);
  EXPECT_THAT(ab->Items(), ElementsAre("01", "02"));
  const MacCode* gd = (*t)->Find("GD");
  ASSERT_NE(gd, nullptr);
  EXPECT_TRUE(gd->allele_specific);
  EXPECT_THAT(gd->Items(), ElementsAre("03:01", "52:01"));
  EXPECT_EQ((*t)->Find("ab"), nullptr);  // case-sensitive
  EXPECT_EQ((*t)->Find("ZZZZ"), nullptr);
}

TEST(MacTable, ReadsQuotedDateAndNumerLayout) {
  auto t = MacTable::Parse("\"LAST UPDATED: 09/30/20\"\nCODE\tSUBTYPE\n\nAB\t01/02\n",
                           "numer.v3.txt");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->date(), "09/30/20");
  ASSERT_NE((*t)->Find("AB"), nullptr);
}

TEST(MacTable, BadLinesNameFileAndLine) {
  const std::string head = "LAST UPDATED: x\n*\tCODE\tSUBTYPE\n\n";
  EXPECT_THAT(MacTable::Parse(head + "AB\n", "m"),
              StatusIs(kDataLoss, "m:4: expected <flag>TAB<CODE>TAB"));
  EXPECT_THAT(MacTable::Parse(head + "\tAB\n", "m"),  // read as CODE<TAB>...
              StatusIs(kDataLoss, "m:4: a code is upper-case letters"));
  EXPECT_THAT(MacTable::Parse(head + "+\tAB\t01/02\n", "m"),
              StatusIs(kDataLoss, "m:4: flag must be empty or '*'"));
  EXPECT_THAT(MacTable::Parse(head + "\tab\t01/02\n", "m"),
              StatusIs(kDataLoss, "m:4: a code is upper-case letters"));
  EXPECT_THAT(MacTable::Parse(head + "\tAB\t01/x2\n", "m"),
              StatusIs(kDataLoss, "m:4: bad item 'x2' in AB"));
  EXPECT_THAT(MacTable::Parse(head + "\tAB\t\n", "m"),
              StatusIs(kDataLoss, "m:4: empty expansion for AB"));
  EXPECT_THAT(MacTable::Parse(head + "\tAB\t01/02:01\n", "m"),
              StatusIs(kDataLoss, "m:4: AB mixes first:second items"));
  EXPECT_THAT(MacTable::Parse(head + "*\tAB\t01/02\n", "m"),
              StatusIs(kDataLoss, "m:4: AB: flag '*' but generic items"));
  EXPECT_THAT(MacTable::Parse(head + "\tAB\t01\n\tAB\t02\n", "m"),
              StatusIs(kDataLoss, "m:5: duplicate code AB"));
}

TEST(MacTable, MissingFileNamesPath) {
  EXPECT_THAT(MacTable::Load("/nonexistent/alpha.v3.txt"),
              StatusIs(absl::StatusCode::kNotFound,
                       "/nonexistent/alpha.v3.txt (expected an NMDP MAC table"));
}

}  // namespace
}  // namespace hla::data
