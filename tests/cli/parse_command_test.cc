// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// `haplomatch parse`, run in-process on string streams.
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "tests/cli/cli_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

using cli_testing::RunResult;

RunResult RunWith(std::vector<std::string> args, const std::string& input = "",
                  bool interactive = false) {
  return cli_testing::Invoke(RunParse, std::move(args), input, interactive);
}

TEST(ParseCommand, PrintsCanonicalFormOfArguments) {
  RunResult r = RunWith({"A*01:01/02+A*24:02", " DRw52 "});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out, "A*01:01/A*01:02+A*24:02\nDR52\n");
  EXPECT_THAT(r.err, IsEmpty());
}

TEST(ParseCommand, ReadsStdinOneOutputLinePerInputLine) {
  RunResult r = RunWith({}, "A*01:01\nDRB1*14:\n\nhla#3.58.0#B*08:01+B*44:02\r\n");
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_EQ(r.out,
            "A*01:01\n"
            "error: expected allele field at offset 8 in 'DRB1*14:'\n"
            "error: expected HLA name at offset 0 in ''\n"
            "hla#3.58.0#B*08:01+B*44:02\n");
  EXPECT_THAT(r.err, IsEmpty());  // not interactive: no carets
}

TEST(ParseCommand, LastLineWithoutNewlineCounts) {
  RunResult r = RunWith({}, "A*01:01\nB*08:01");
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out, "A*01:01\nB*08:01\n");
}

TEST(ParseCommand, EmptyStdinPrintsNothing) {
  RunResult r = RunWith({}, "");
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_THAT(r.out, IsEmpty());
}

TEST(ParseCommand, InteractiveErrorsShowACaret) {
  RunResult r = RunWith({"DRB1*14:"}, "", /*interactive=*/true);
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_EQ(r.out, "error: expected allele field at offset 8 in 'DRB1*14:'\n");
  EXPECT_EQ(r.err, "  DRB1*14:\n          ^\n");
}

TEST(ParseCommand, CaretUnderTheOffendingByte) {
  RunResult r = RunWith({"A*01:01 x"}, "", /*interactive=*/true);
  EXPECT_EQ(r.err, "  A*01:01 x\n         ^\n");
}

TEST(ParseCommand, JsonPrintsTheTree) {
  RunResult r = RunWith({"--format", "json", "A*01:01+A*02:01"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_THAT(r.out, StartsWith("{\"canonical\":\"A*01:01+A*02:01\",\"glsc\":null,"
                                "\"tree\":{\"op\":\"genotype\""));
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1);  // one line
}

TEST(ParseCommand, JsonErrorsKeepTheErrorLineContract) {
  RunResult r = RunWith({"--format=json"}, "A*\n");
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_EQ(r.out, "error: expected allele field at offset 2 in 'A*'\n");
}

TEST(ParseCommand, UsageErrors) {
  RunResult r = RunWith({"--format", "xml", "A*01:01"});
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--format must be text or json"));
  EXPECT_THAT(r.out, IsEmpty());

  r = RunWith({"--bogus"});
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown flag --bogus"));

  r = RunWith({"--format"});
  EXPECT_EQ(r.rc, kExitUsage);
}

TEST(ParseCommand, Help) {
  RunResult r = RunWith({"--help"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("usage: haplomatch parse"));
}

TEST(ParseCommand, DoubleDashEndsFlags) {
  RunResult r = RunWith({"--", "A*01:01"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out, "A*01:01\n");
}

TEST(ParseCommand, OverLongStdinLineIsRejectedWithItsLength) {
  std::string line = "A*01:01";
  while (line.size() <= (size_t{1} << 20)) line += "/A*01:01";
  RunResult r = RunWith({}, line + "\nB*08:01\n");
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_EQ(r.out, "error: input of " + std::to_string(line.size()) +
                       " bytes is over the limit of 1048576 bytes (it is "
                       "rejected, not truncated)\nB*08:01\n");
}

}  // namespace
}  // namespace hla::cli
