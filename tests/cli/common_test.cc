// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/common.h: the flags and inputs several subcommands share.
#include "cli/common.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "parser/parse.h"

namespace hla::cli {
namespace {

using ::testing::HasSubstr;

Args Parsed(std::vector<std::string> argv) {
  FlagSpec spec;
  spec.value_flags = {"protocol", "as-of",         "dsa-mfi",
                      "gate",     "recipient-abo", "recipient-cmv",
                      "recipient-sex", "antibodies", "imgt", "mac",
                      "unrelated-haplo"};
  spec.bool_flags = {"allow-minors"};
  absl::StatusOr<Args> a = Args::Parse(argv, spec);
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? *std::move(a) : Args();
}

struct BadFlag {
  std::vector<std::string> argv;
  std::string message;  // a substring of the error
};

TEST(ParseEligibilityFlags, BadValuesAreUsageErrorsNamingTheFlag) {
  const BadFlag kCases[] = {
      {{"--protocol", "NCT0"}, "--protocol: "},
      {{"--as-of", "2026-02-30"}, "--as-of: "},
      {{"--dsa-mfi", "-1"}, "--dsa-mfi: '-1' is not an MFI from 0 to 1e+06"},
      {{"--dsa-mfi", "nan"}, "--dsa-mfi: 'nan'"},
      {{"--dsa-mfi", "inf"}, "--dsa-mfi: 'inf'"},
      {{"--dsa-mfi", "1e400"}, "--dsa-mfi: '1e400'"},
      {{"--dsa-mfi", "1e3x"}, "--dsa-mfi: '1e3x'"},
      {{"--protocol", "NCT04835883", "--gate", "abo,height"},
       "--gate: 'height' is not one of abo, cmv, sex"},
      {{"--gate", "abo"}, "--gate needs a --protocol"},
      {{"--protocol", "NCT04835883", "--unrelated-haplo", "maybe"},
       "--unrelated-haplo: 'maybe' is not review, accept or exclude"},
  };
  for (const BadFlag& c : kCases) {
    absl::StatusOr<eligibility::EligibilityOptions> o =
        ParseEligibilityFlags(Parsed(c.argv));
    ASSERT_FALSE(o.ok()) << c.argv[0] << " " << c.argv[1];
    EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(o.status().message(), HasSubstr(c.message));
  }
}

TEST(ParseEligibilityFlags, ReadsEveryFlag) {
  absl::StatusOr<eligibility::EligibilityOptions> o = ParseEligibilityFlags(
      Parsed({"--protocol", "NCT04835883", "--as-of", "2026-11-26",
              "--dsa-mfi", "2500", "--gate", " abo , sex"}));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->protocol, "NCT04835883");
  EXPECT_EQ(o->as_of, absl::CivilDay(2026, 11, 26));
  EXPECT_EQ(o->dsa_mfi_threshold, 2500);
  EXPECT_TRUE(o->abo_gate);
  EXPECT_FALSE(o->cmv_gate);
  EXPECT_TRUE(o->sex_gate);
  EXPECT_EQ(o->by_state, eligibility::ByStatePolicy::kReview);
  EXPECT_FALSE(o->allow_minors);
  o = ParseEligibilityFlags(Parsed({"--protocol", "NCT04835883",
                                    "--unrelated-haplo", "Accept",
                                    "--allow-minors"}));
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->by_state, eligibility::ByStatePolicy::kAccept);
  EXPECT_TRUE(o->allow_minors);
  // Defaults: no protocol, today, the EBMT threshold, no gates.
  absl::StatusOr<eligibility::EligibilityOptions> d = ParseEligibilityFlags(Parsed({}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->as_of, eligibility::Today());
  EXPECT_EQ(d->dsa_mfi_threshold, eligibility::EligibilityOptions().dsa_mfi_threshold);
  EXPECT_FALSE(d->abo_gate || d->cmv_gate || d->sex_gate);
  EXPECT_FALSE(d->assessed());
}

TEST(ParseRecipientFlags, ReadsFactsAndAntibodiesFromAFile) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/hm_common_ab_", ::getpid(), ".txt");
  std::ofstream(path) << "  A2:3500, B44:1200\n";
  eligibility::RecipientFacts f;
  ASSERT_TRUE(ParseRecipientFlags(Parsed({"--recipient-abo", "AB-",
                                          "--recipient-cmv", "positive",
                                          "--recipient-sex", "F",
                                          "--antibodies", "@" + path}),
                                  &f)
                  .ok());
  ::unlink(path.c_str());
  ASSERT_TRUE(f.blood_group.has_value());
  EXPECT_EQ(eligibility::BloodGroupName(*f.blood_group), "AB-");
  EXPECT_EQ(f.cmv, eligibility::Cmv::kPositive);
  EXPECT_EQ(f.sex, eligibility::Sex::kFemale);
  ASSERT_EQ(f.antibodies.size(), 2u);
  EXPECT_EQ(f.antibodies[1].specificity, "B44");
  EXPECT_EQ(f.antibodies[1].mfi, 1200);
  EXPECT_TRUE(f.antibodies_tested);
}

TEST(ParseRecipientFlags, AntibodiesNoneIsATestedRecipientWithout) {
  eligibility::RecipientFacts f;
  ASSERT_TRUE(ParseRecipientFlags(Parsed({}), &f).ok());
  EXPECT_FALSE(f.antibodies_tested);  // not given: not tested
  ASSERT_TRUE(ParseRecipientFlags(Parsed({"--antibodies", " None "}), &f).ok());
  EXPECT_TRUE(f.antibodies_tested);
  EXPECT_TRUE(f.antibodies.empty());
}

TEST(ParseRecipientFlags, BadValueIsUsageUnreadableFileIsRejected) {
  eligibility::RecipientFacts f;
  absl::Status s = ParseRecipientFlags(Parsed({"--recipient-sex", "X"}), &f);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--recipient-sex: "));
  s = ParseRecipientFlags(Parsed({"--antibodies", "A2:lots"}), &f);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--antibodies: "));
  s = ParseRecipientFlags(Parsed({"--antibodies", "@/nonexistent/ab.txt"}), &f);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s.message(), HasSubstr("--antibodies: /nonexistent/ab.txt: cannot open"));
  // A directory opens but cannot be read: an error, never an empty list
  // (that would read as "tested, no antibodies").
  s = ParseRecipientFlags(Parsed({"--antibodies", "@/"}), &f);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("--antibodies: /: cannot read"));
  EXPECT_FALSE(f.antibodies_tested);
  // An empty list, on the command line or in a file, is refused: it may
  // be a blank left by mistake, and "tested, none" clears every donor.
  const std::string empty =
      absl::StrCat(::testing::TempDir(), "/hm_empty_ab_", ::getpid());
  std::ofstream(empty) << " \n";
  for (const std::string& v : {std::string(""), std::string(" , "),
                               "@" + empty}) {
    SCOPED_TRACE(v);
    s = ParseRecipientFlags(Parsed({"--antibodies", v}), &f);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("--antibodies: the antibody list is "
                                       "empty; write 'none'"));
    EXPECT_FALSE(f.antibodies_tested);
  }
  // "none" in a file is read as on the command line.
  std::ofstream(empty) << "none\n";
  ASSERT_TRUE(ParseRecipientFlags(Parsed({"--antibodies", "@" + empty}), &f)
                  .ok());
  EXPECT_TRUE(f.antibodies_tested);
  EXPECT_TRUE(f.antibodies.empty());
  ::unlink(empty.c_str());
}

TEST(TextOrFile, LiteralOrStrippedFileContents) {
  EXPECT_EQ(TextOrFile("A*01:01+A*02:01").value(), "A*01:01+A*02:01");
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/hm_common_text_", ::getpid());
  std::ofstream(path) << "\n A*01:01 \r\n";
  EXPECT_EQ(TextOrFile("@" + path).value(), "A*01:01");
  std::ofstream(path) << std::string((size_t{1} << 20) + 1, 'A');
  EXPECT_EQ(TextOrFile("@" + path).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(TextOrFile("@" + path).status().message()),
              HasSubstr(": over 1 MiB"));
  ::unlink(path.c_str());
}

TEST(ReadLine, StripsCrAndBoundsWhatItKeeps) {
  std::istringstream in("ab\r\ncdefgh\nlast");
  std::string line;
  size_t length = 0;
  ASSERT_TRUE(ReadLine(in, 4, &line, &length));
  EXPECT_EQ(line, "ab");
  EXPECT_EQ(length, 2u);
  ASSERT_TRUE(ReadLine(in, 4, &line, &length));
  EXPECT_EQ(line, "cdef");  // kept 4 of 6 bytes
  EXPECT_EQ(length, 6u);
  ASSERT_TRUE(ReadLine(in, 4, &line, &length));
  EXPECT_EQ(line, "last");
  EXPECT_FALSE(ReadLine(in, 4, &line, &length));
}

TEST(ForEachTyping, ArgumentsOrEveryLineAndOverLongLinesAreRejected) {
  std::istringstream in(absl::StrCat(
      "A*01:01\r\n", std::string(parser::kMaxGlStringBytes + 1, 'x'), "\nB*08:01"));
  std::ostringstream out, err;
  Command cmd;
  cmd.in = &in;
  cmd.out = &out;
  cmd.err = &err;
  std::vector<std::string> seen;
  auto collect = [&](const std::string& t) {
    seen.push_back(t);
    return true;
  };
  EXPECT_FALSE(ForEachTyping(Parsed({}), cmd, collect));
  EXPECT_EQ(seen, (std::vector<std::string>{"A*01:01", "B*08:01"}));
  EXPECT_THAT(out.str(), HasSubstr("is over the limit"));
  seen.clear();
  EXPECT_TRUE(ForEachTyping(Parsed({"DR4", "B27"}), cmd, collect));
  EXPECT_EQ(seen, (std::vector<std::string>{"DR4", "B27"}));
}

}  // namespace
}  // namespace hla::cli
