// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// `haplomatch data info|verify`, run in-process on string streams against
// the shipped data (HLA_SHIPPED_DATA_DIR).
#include <cstdlib>
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

using cli_testing::RunResult;

RunResult RunDataWith(std::vector<std::string> args) {
  return cli_testing::Invoke(RunData, std::move(args));
}

TEST(DataInfo, PrintsCountsOfTheRelease) {
  const RunResult r = RunDataWith({"info", "--imgt", "3440"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  EXPECT_THAT(r.out, HasSubstr("IPD-IMGT/HLA release 3.44.0 (2021-04-20)"));
  // awk -F, 'NR>7 && $2 ~ /^A\*/' data/imgt/3.44.0/Allelelist.txt | wc -l
  EXPECT_THAT(r.out, HasSubstr("  A        6766\n"));
  EXPECT_THAT(r.out, HasSubstr("  total   30523  (44 loci)"));
  EXPECT_THAT(r.out, HasSubstr("G groups: 538 named"));
  EXPECT_THAT(r.out, HasSubstr("P groups: 1166 named"));
  EXPECT_THAT(r.out, HasSubstr("DPB1 TCE assignments: 1749 (V1, V2)"));
  EXPECT_THAT(r.out, HasSubstr("allele sequence status: unknown"));
  EXPECT_THAT(r.out, HasSubstr("codes: 12520 (4681 generic, 7839 allele-specific)"));
  EXPECT_THAT(r.out, HasSubstr("last updated: 2020-07-11"));
  EXPECT_THAT(r.out, HasSubstr("load time: "));
}

TEST(DataInfo, DefaultReleaseIs3580AndEnvironmentSelects) {
  RunResult r = RunDataWith({"info"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("release 3.58.0 (2024-10-09)"));
  ::setenv("HAPLOMATCH_IMGT", "3.44.0", 1);
  std::istringstream in;
  std::ostringstream out, err;
  Command cmd{{"info"}, &in, &out, &err};
  EXPECT_EQ(RunData(cmd), kExitOk) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("release 3.44.0"));
  ::unsetenv("HAPLOMATCH_IMGT");
}

TEST(DataInfo, DirectoryAndMacFileFlags) {
  const std::string data = HLA_SHIPPED_DATA_DIR;
  const RunResult r = RunDataWith(
      {"info", "--imgt", data + "/imgt/3.58.0", "--mac",
       data + "/mac/nmdp-multiple-allele-code/ex-allele-codes.txt"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("codes: 5 (3 generic, 2 allele-specific)"));
  EXPECT_THAT(r.out, HasSubstr("last updated: (no date line)"));
}

TEST(DataInfo, UnknownReleaseIsRejectedWithWhatWasTried) {
  const RunResult r = RunDataWith({"info", "--imgt", "3.63.1"});
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(r.err, HasSubstr("3.63.1 is not shipped: tried"));
  EXPECT_THAT(r.out, IsEmpty());
}

TEST(DataInfo, MissingMacFileIsRejected) {
  const RunResult r = RunDataWith({"info", "--mac", "/nonexistent/alpha.v3.txt"});
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(r.err, HasSubstr("missing file /nonexistent/alpha.v3.txt"));
}

TEST(DataVerify, ShippedFilesAreUnmodified) {
  const RunResult r = RunDataWith({"verify"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("OK       imgt/3.58.0/wmda/hla_nom.txt"));
  EXPECT_THAT(r.out, HasSubstr("50 OK, 0 MISMATCH, 0 MISSING"));
}

}  // namespace
}  // namespace hla::cli
