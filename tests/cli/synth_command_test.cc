// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// `haplomatch synth`, run in-process on string streams against the shipped
// 3.58.0 release, MAC subset and NMDP 2007 table.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
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

RunResult Invoke(std::vector<std::string> args) {
  return cli_testing::Invoke(RunSynth, std::move(args));
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> lines = absl::StrSplit(s, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

TEST(Synth, WritesHeaderFamiliesThenDonors) {
  const RunResult r = Invoke({"--donors", "5", "--families", "2"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.err, IsEmpty());
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 1u + 2 * 2 + 5);
  EXPECT_THAT(lines[0], StartsWith("id,family_id,role,other_parent,relationship,"
                                   "birth_date,sex,abo,cmv,population,"
                                   "glstring,glstring_phased,"));
  EXPECT_THAT(lines[1], StartsWith("F0000001-"));
  EXPECT_THAT(lines.back(), StartsWith("D000000005,,unrelated,,unrelated,"));
}

TEST(Synth, SameSeedSameOutputOtherSeedOther) {
  const RunResult a =
      Invoke({"--donors", "50", "--families", "3", "--seed", "9"});
  const RunResult b =
      Invoke({"--donors", "50", "--families", "3", "--seed", "9"});
  const RunResult c =
      Invoke({"--donors", "50", "--families", "3", "--seed", "10"});
  ASSERT_EQ(a.rc, kExitOk) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
}

TEST(Synth, OutFileHoldsWhatStdoutWould) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/hm_synth_", ::getpid(), ".tsv");
  const RunResult to_file = Invoke(
      {"--donors", "20", "--families", "2", "--format", "tsv", "--out", path});
  ASSERT_EQ(to_file.rc, kExitOk) << to_file.err;
  EXPECT_THAT(to_file.out, IsEmpty());
  std::ifstream f(path, std::ios::binary);
  std::stringstream text;
  text << f.rdbuf();
  std::remove(path.c_str());
  const RunResult to_stdout =
      Invoke({"--donors", "20", "--families", "2", "--format", "tsv"});
  EXPECT_EQ(text.str(), to_stdout.out);
  EXPECT_THAT(text.str(), StartsWith("id\tfamily_id\trole\t"));
}

// --truth: each unrelated donor's true genotype, drawn as its row was: the
// population is the row's, and a high-resolution row's alleles are the
// truth's at two fields.
TEST(Synth, TruthFileIsTheRowsGenotype) {
  const std::string truth =
      absl::StrCat(::testing::TempDir(), "/hm_truth_", ::getpid(), ".csv");
  const RunResult r = Invoke({"--donors", "300", "--families", "1", "--seed", "5",
                              "--truth", truth});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  std::ifstream f(truth);
  std::stringstream text;
  text << f.rdbuf();
  std::remove(truth.c_str());
  const std::vector<std::string> t = Lines(text.str());
  ASSERT_EQ(t.size(), 301u);
  EXPECT_EQ(t[0], "id,population,haplotype_1,haplotype_2");
  std::vector<std::string> donors;
  for (const std::string& line : Lines(r.out)) {
    if (absl::StartsWith(line, "D")) donors.push_back(line);
  }
  ASSERT_EQ(donors.size(), 300u);
  int high = 0;
  for (size_t i = 0; i < donors.size(); ++i) {
    const std::vector<std::string> row = absl::StrSplit(donors[i], ',');
    const std::vector<std::string> tr = absl::StrSplit(t[i + 1], ',');
    ASSERT_EQ(tr.size(), 4u) << t[i + 1];
    EXPECT_EQ(tr[0], row[0]);
    EXPECT_EQ(tr[1], row[9]) << "population of " << row[0];
    const std::string& gl = row[10];
    if (absl::StrContains(gl, "/") || absl::StrContains(gl, "XX") ||
        !absl::StrContains(gl, "*")) {
      continue;  // not high resolution
    }
    bool mac = false;
    // Every copy at two fields must be one of the truth's alleles.
    std::vector<std::string> truth_alleles = absl::StrSplit(tr[2], '~');
    for (absl::string_view a : absl::StrSplit(tr[3], '~')) truth_alleles.emplace_back(a);
    for (absl::string_view copy : absl::StrSplit(gl, absl::ByAnyChar("^+"))) {
      const std::vector<std::string> fields = absl::StrSplit(copy, ':');
      if (fields.size() < 2 || !absl::ascii_isdigit(fields[1][0])) {
        mac = true;  // a MAC code
        break;
      }
      const std::string two = absl::StrCat(fields[0], ":", fields[1]);
      EXPECT_NE(std::find(truth_alleles.begin(), truth_alleles.end(), two),
                truth_alleles.end())
          << two << " of " << row[0] << " not in its truth " << t[i + 1];
    }
    high += !mac;
  }
  EXPECT_GT(high, 100);
  // The same seed, the same truth; --truth and --out must differ.
  const RunResult same = Invoke({"--donors", "3", "--out", truth, "--truth", truth});
  EXPECT_EQ(same.rc, kExitUsage);
  EXPECT_THAT(same.err, HasSubstr("--truth and --out name the same file"));
}

TEST(Synth, OnePopulation) {
  const RunResult r = Invoke({"--donors", "200", "--population", "AFA"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 201u);
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> cols = absl::StrSplit(lines[i], ',');
    ASSERT_EQ(cols.size(), 15u);
    EXPECT_EQ(cols[9], "AFA");
  }
}

TEST(Synth, AsOfMovesBirthDates) {
  const RunResult a = Invoke({"--donors", "1", "--as-of", "2026-01-01"});
  const RunResult b = Invoke({"--donors", "1", "--as-of", "2036-01-01"});
  ASSERT_EQ(a.rc, kExitOk) << a.err;
  ASSERT_EQ(b.rc, kExitOk) << b.err;
  const std::vector<std::string> ca = absl::StrSplit(Lines(a.out)[1], ',');
  const std::vector<std::string> cb = absl::StrSplit(Lines(b.out)[1], ',');
  EXPECT_EQ(std::stoi(cb[5].substr(0, 4)) - std::stoi(ca[5].substr(0, 4)), 10);
}

TEST(Synth, StatsGoToStderr) {
  const RunResult r = Invoke({"--donors", "10", "--stats"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.err, HasSubstr("haplomatch synth: 10 rows (10 donors"));
  EXPECT_THAT(r.err, HasSubstr("C*15:20 -> C*15:27"));
}

TEST(Synth, CountsAreBounded) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--donors", "10000000001"},
        std::vector<std::string>{"--families", "1000000001"},
        std::vector<std::string>{"--donors", "18446744073709551615"}}) {
    const RunResult r = Invoke(args);
    EXPECT_EQ(r.rc, kExitUsage) << args[1];
    EXPECT_THAT(r.err, HasSubstr("--donors: at most 10000000000, --families: "
                                 "at most 1000000000"))
        << args[1];
  }
}

TEST(Synth, DataErrorsExitOne) {
  EXPECT_EQ(Invoke({"--donors", "1", "--imgt", "/nonexistent/imgt"}).rc,
            kExitRejected);
  EXPECT_EQ(Invoke({"--donors", "1", "--freq", "/nonexistent/f.csv"}).rc,
            kExitRejected);
  EXPECT_EQ(Invoke({"--donors", "1", "--out", "/nonexistent/dir/x.csv"}).rc,
            kExitRejected);
}

}  // namespace
}  // namespace hla::cli
