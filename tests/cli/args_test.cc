// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/args.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const FlagSpec kSpec = {
    /*value_flags=*/{"level", "imgt"},
    /*bool_flags=*/{"non-strict"},
    /*repeated_flags=*/{"donor"},
};

TEST(Args, ParsesValueBoolRepeatedAndPositional) {
  auto args = Args::Parse({"--level", "lgx", "A*01:01", "--non-strict",
                           "--imgt=3.44.0", "--donor", "x", "--donor=y", "B*08:01"},
                          kSpec);
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->Get("level").value(), "lgx");
  EXPECT_EQ(args->Get("imgt").value(), "3.44.0");
  EXPECT_TRUE(args->Has("non-strict"));
  EXPECT_THAT(args->GetAll("donor"), ElementsAre("x", "y"));
  EXPECT_THAT(args->positional(), ElementsAre("A*01:01", "B*08:01"));
  EXPECT_EQ(args->GetOr("missing", "fallback"), "fallback");
  EXPECT_FALSE(args->Get("missing").has_value());
}

TEST(Args, DoubleDashEndsFlags) {
  auto args = Args::Parse({"--", "--level", "-x"}, kSpec);
  ASSERT_TRUE(args.ok());
  EXPECT_THAT(args->positional(), ElementsAre("--level", "-x"));
  EXPECT_FALSE(args->Has("level"));
}

TEST(Args, SingleDashAndShortWordsArePositional) {
  auto args = Args::Parse({"-", "--"}, kSpec);
  ASSERT_TRUE(args.ok());
  EXPECT_THAT(args->positional(), ElementsAre("-"));
}

struct BadCase {
  std::vector<std::string> argv;
  const char* message;
};

TEST(Args, RejectsBadFlagsNamingThem) {
  const BadCase cases[] = {
      {{"--colour"}, "unknown flag --colour"},
      {{"--level"}, "flag --level needs a value"},
      {{"--non-strict=yes"}, "flag --non-strict takes no value"},
      {{"--level", "G", "--level", "P"}, "flag --level given more than once"},
  };
  for (const BadCase& c : cases) {
    auto args = Args::Parse(c.argv, kSpec);
    ASSERT_FALSE(args.ok()) << c.message;
    EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(args.status().message()), HasSubstr(c.message));
  }
}

enum class Colour { kRed, kGreen, kBlue };

TEST(Args, ChoiceMapsNamesToValuesWithAFallback) {
  auto args = Args::Parse({"--level", "G"}, kSpec);
  ASSERT_TRUE(args.ok());
  const auto colour = [&](const char* flag) {
    return args->Choice<Colour>(
        flag, {{"red", Colour::kRed}, {"G", Colour::kGreen}}, Colour::kBlue);
  };
  EXPECT_EQ(colour("level").value(), Colour::kGreen);
  EXPECT_EQ(colour("imgt").value(), Colour::kBlue);  // not given
}

TEST(Args, ChoiceRefusesOtherValuesListingTheChoices) {
  auto args = Args::Parse({"--level=x"}, kSpec);
  ASSERT_TRUE(args.ok());
  absl::StatusOr<int> two =
      args->Choice<int>("level", {{"text", 0}, {"json", 1}}, 0);
  EXPECT_EQ(two.status(), absl::InvalidArgumentError(
                              "--level must be text or json, not 'x'"));
  absl::StatusOr<char> three = args->Choice<char>(
      "level", {{"csv", ','}, {"tsv", '\t'}, {"json", 'j'}}, ',');
  EXPECT_EQ(three.status(), absl::InvalidArgumentError(
                                "--level must be csv, tsv or json, not 'x'"));
}

TEST(Args, NoPositionalNamesTheFirstOne) {
  auto none = Args::Parse({"--level", "G"}, kSpec);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->NoPositional().ok());
  auto two = Args::Parse({"a", "--level", "G", "b"}, kSpec);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->NoPositional(),
            absl::InvalidArgumentError("unexpected argument 'a'"));
  EXPECT_EQ(two->NoPositional(" (a hint)"),
            absl::InvalidArgumentError("unexpected argument 'a' (a hint)"));
}

}  // namespace
}  // namespace hla::cli
