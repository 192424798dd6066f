// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "hla/allele_name.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla {
namespace {

using ::testing::Eq;

Fields F(absl::string_view text) {
  Fields f;
  EXPECT_TRUE(ParseFields(text, &f)) << text;
  return f;
}

TEST(ParseWhoName, RoundTripsImgtSpellings) {
  for (const char* text : {"A*01:01:01:01", "A*01:01:01:02N", "DRB1*14:54:01:01",
                           "MICA*001", "HFE*002", "C*03:11:01", "DPB1*1001:01",
                           "B*07:02:01:01", "A*24:329Q", "A*01:01:38L"}) {
    auto name = ParseWhoName(text);
    ASSERT_TRUE(name.ok()) << text << ": " << name.status();
    EXPECT_THAT(name->ToString(), Eq(text));
  }
}

TEST(ParseWhoName, StripsHlaPrefix) {
  auto name = ParseWhoName("HLA-DQB1*06:02:01");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->locus, "DQB1");
  EXPECT_EQ(name->fields.size(), 3u);
  EXPECT_EQ(name->ToString(), "DQB1*06:02:01");
}

TEST(ParseWhoName, KeepsSuffixAndNullFlag) {
  auto name = ParseWhoName("A*01:04:01:01N");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(name->suffix, 'N');
  EXPECT_TRUE(name->is_null());
  EXPECT_FALSE(ParseWhoName("A*01:01")->is_null());
}

TEST(ParseWhoName, RejectsMalformedNames) {
  for (const char* text : {"", "A", "*01:01", "A*", "A*01:", "A*:01", "A*01::01",
                           "A*01:01:01:01:01", "A*01:01NN", "A*01:AB",
                           "A*1234567890", "A*01:01 "}) {
    auto name = ParseWhoName(text);
    EXPECT_FALSE(name.ok()) << "accepted '" << text << "'";
    if (!name.ok()) {
      EXPECT_EQ(name.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(name.status().message()),
                  ::testing::HasSubstr(std::string("'") + text + "'"));
    }
  }
}

struct CompareCase {
  const char* a;
  const char* b;
  int expected;
};

TEST(CompareFields, IsNumericFieldWise) {
  const CompareCase cases[] = {
      {"01:11", "01:103", -1},  // WHO / py-ard smart sort
      {"01:29", "01:100", -1},
      {"02:01", "02:01", 0},
      {"02:01", "02:01:01", -1},  // prefix sorts first
      {"10:01", "9:01", 1},
      {"01", "001", -1},  // equal value, narrower first: deterministic
      {"03:01", "02:99", 1},
  };
  for (const auto& c : cases) {
    const int got = CompareFields(F(c.a), F(c.b));
    EXPECT_EQ((got > 0) - (got < 0), c.expected) << c.a << " vs " << c.b;
  }
}

TEST(FieldsHavePrefix, RespectsFieldBoundaries) {
  EXPECT_TRUE(FieldsHavePrefix(F("02:14:01"), F("02:14")));
  EXPECT_FALSE(FieldsHavePrefix(F("02:149:01"), F("02:14")));  // immunogenetr
  EXPECT_TRUE(FieldsHavePrefix(F("02:01:01"), F("02:01")));
  EXPECT_FALSE(FieldsHavePrefix(F("02"), F("02:01")));
  EXPECT_TRUE(FieldsHavePrefix(F("02"), F("02")));
}

TEST(AppendFields, PadsToStoredWidth) {
  std::string out;
  AppendFields(F("001:02:100"), &out);
  EXPECT_EQ(out, "001:02:100");
}

TEST(IsExpressionSuffix, AcceptsExactlyWhoSuffixes) {
  for (char c : std::string("NLSCAQ")) EXPECT_TRUE(IsExpressionSuffix(c)) << c;
  for (char c : std::string("GPgnXZ0:")) EXPECT_FALSE(IsExpressionSuffix(c)) << c;
}

}  // namespace
}  // namespace hla
