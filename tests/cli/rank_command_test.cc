// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch rank | index in-process: the summary line with N = R + E + X,
// rejects with line numbers, exit codes, CSV/JSON output, threads, index.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/command.h"
#include "tests/cli/cli_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using cli_testing::Invoke;
using cli_testing::RunResult;

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> lines = absl::StrSplit(s, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

const char kRecipient[] =
    "A*01:01+A*02:01^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
    "DQB1*02:01+DQB1*03:02";

// The shipped family plus rows of every bad kind.
std::string DonorsCsv() {
  std::ifstream in(std::string(HLA_SHIPPED_DATA_DIR) + "/examples/family.csv");
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  absl::StrAppend(&text,
                  "bad1,sibling,1980-01-01\n",
                  "bad2,sibling,2023-02-30,,F,A+,pos,A*01:01+A*02:01,\n",
                  "bad3,sibling,1980-01-01,,F,A+,pos,A*99:99+A*02:01,\n",
                  "old,sibling,1940-01-01,,M,A+,pos,A*01:01+A*24:02^"
                  "B*08:01+B*35:01^DRB1*03:01+DRB1*11:01,\n");
  return text;
}

using Lines_t = std::vector<std::string>;

class RankCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "/hm_rank_cli_", ::getpid());
    std::filesystem::create_directories(dir_);
    donors_ = dir_ + "/donors.csv";
    std::ofstream(donors_) << DonorsCsv();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<std::string> Base() {
    return {"--recipient", kRecipient, "--donors", donors_, "--protocol",
            "NCT04835883", "--as-of", "2026-11-26", "--antibodies", "none"};
  }

  std::string dir_, donors_;
};

// "read N, ranked R (...), excluded E (...), rejected X" -> {N, R, E, X}.
std::vector<int> SummaryNumbers(const std::string& err) {
  // (No std::regex: GCC 12 warns inside <regex> under the sanitizers.)
  const size_t at = err.find("read ");
  const size_t close = err.find("), rejected ", at);
  EXPECT_NE(at, std::string::npos) << err;
  EXPECT_NE(close, std::string::npos) << err;
  if (at == std::string::npos || close == std::string::npos) return {};
  int n = 0, r = 0, e = 0, x = 0;
  const size_t excluded = err.find(", excluded ", at);
  if (excluded == std::string::npos ||
      std::sscanf(err.c_str() + at, "read %d, ranked %d", &n, &r) != 2 ||
      std::sscanf(err.c_str() + excluded, ", excluded %d (", &e) != 1 ||
      std::sscanf(err.c_str() + close, "), rejected %d", &x) != 1) {
    ADD_FAILURE() << err;
    return {};
  }
  return {n, r, e, x};
}

TEST_F(RankCommandTest, SummaryAddsUpAndRejectsCarryLines) {
  std::vector<std::string> args = Base();
  const std::string rejects = dir_ + "/rejects.txt";
  args.insert(args.end(), {"--rejects", rejects});
  const RunResult r = Invoke(RunRank, args);
  EXPECT_EQ(r.rc, kExitRejected) << r.err;
  const std::vector<int> n = SummaryNumbers(r.err);
  ASSERT_EQ(n.size(), 4u);
  EXPECT_EQ(n[0], n[1] + n[2] + n[3]);
  EXPECT_EQ(n[3], 3);
  EXPECT_THAT(r.err, HasSubstr("too old 2"));
  // Ranked donors split by status; eligible ones rank first.
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat("ranked ", n[1], " (")));
  std::ifstream in(rejects);
  std::stringstream s;
  s << in.rdbuf();
  const std::vector<std::string> lines = Lines(s.str());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], HasSubstr("donors.csv:8:"));
  EXPECT_THAT(lines[1], HasSubstr("donors.csv:9:"));
  EXPECT_THAT(lines[1], HasSubstr("2023-02-30"));
  EXPECT_THAT(lines[2], HasSubstr("donors.csv:10:"));
  EXPECT_THAT(lines[2], HasSubstr("A*99:99"));
  // CSV: a header and one row per ranked donor, rank 1 first.
  const std::vector<std::string> out = Lines(r.out);
  ASSERT_EQ(static_cast<int>(out.size()), 1 + n[1]);
  EXPECT_EQ(out[0],
            "rank,id,relationship,age,sex,abo,cmv,matches,out_of,mismatches,"
            "gvh_mismatches,hvg_mismatches,antigen_matches,"
            "antigen_level_matches,A,B,C,DRB1,DQB1,verdict,tce,b_leader,"
            "b_leader_status,kir_missing,kir_b,p10,p9_or_more,status,reasons");
  // The identical sister: 10 allele matches, 10 antigen matches, none at
  // antigen level only.
  EXPECT_THAT(out[1], StartsWith("1,sister,sibling,46,female,B+,negative,10,"
                                 "10,0,0,0,10,0,2/2,2/2,2/2,2/2,2/2,"
                                 "identical,"));
  // HLA-B matched, no ligand missing, KIR B content best (Cen-B/B).
  EXPECT_THAT(out[1], HasSubstr(",hla_b_matched,,,best,,,eligible,"));
}

TEST_F(RankCommandTest, TopJsonAndThreads) {
  std::vector<std::string> args = Base();
  args.insert(args.end(), {"--top", "2", "--format", "json", "--threads", "1"});
  const RunResult one = Invoke(RunRank, args);
  args.back() = "2";
  const RunResult two = Invoke(RunRank, args);
  EXPECT_EQ(one.out, two.out);
  EXPECT_THAT(one.out, StartsWith("{\"imgt_version\":\"3.58.0\""));
  EXPECT_THAT(one.out, HasSubstr("\"rank\":2,"));
  EXPECT_THAT(one.out, testing::Not(HasSubstr("\"rank\":3,")));
  EXPECT_THAT(one.out, HasSubstr("\"haplo\":{\"verdict\":"));
}

// Sizes a user sets are bounded: a huge --top once overflowed in the scan.
TEST_F(RankCommandTest, TopAndThreadsAreBounded) {
  for (const std::vector<std::string>& bad :
       {std::vector<std::string>{"--top", "9223372036854775807"},
        {"--top", "100000001"}, {"--top", "-1"}, {"--threads", "100000"},
        {"--threads", "0"}}) {
    std::vector<std::string> args = Base();
    args.insert(args.end(), bad.begin(), bad.end());
    const RunResult r = Invoke(RunRank, args);
    EXPECT_EQ(r.rc, kExitUsage) << bad[0] << " " << bad[1];
    EXPECT_THAT(r.err, HasSubstr(bad[0] == "--top"
                                     ? "--top: a number from 0 (all) to "
                                       "100000000"
                                     : "--threads: a number from 1 to 256"));
  }
  std::vector<std::string> args = Base();
  args.insert(args.end(), {"--top", "100000000", "--threads", "256"});
  EXPECT_EQ(Invoke(RunRank, args).rc, kExitRejected);  // the bad rows only
}

// An output that is an input is refused before anything is opened for
// writing: --rejects r.csv once truncated the registry --donors r.csv.
TEST_F(RankCommandTest, AnOutputThatIsAnInputIsRefused) {
  const std::uintmax_t size = std::filesystem::file_size(donors_);
  const std::string link = dir_ + "/link.csv";
  std::filesystem::create_hard_link(donors_, link);
  for (const char* flag : {"--rejects", "--out"}) {
    for (const std::string& path : {donors_, link}) {
      std::vector<std::string> args = Base();
      args.insert(args.end(), {flag, path});
      const RunResult r = Invoke(RunRank, args);
      EXPECT_EQ(r.rc, kExitUsage) << flag << " " << path;
      EXPECT_THAT(r.err, HasSubstr(absl::StrCat(flag, " '", path,
                                                "' is the --donors file")));
    }
  }
  const RunResult ix =
      Invoke(RunIndex, {"--donors", donors_, "--out", donors_});
  EXPECT_EQ(ix.rc, kExitUsage);
  EXPECT_THAT(ix.err, HasSubstr("--out '" + donors_ + "' is the --donors file"));
  EXPECT_EQ(std::filesystem::file_size(donors_), size);  // untouched
  // Two outputs on one file are refused too.
  const std::string out = dir_ + "/out.csv";
  std::ofstream(out) << "";
  std::vector<std::string> args = Base();
  args.insert(args.end(), {"--out", out, "--rejects", out});
  EXPECT_EQ(Invoke(RunRank, args).rc, kExitUsage);
}

// A write that fails (a full disk) is an error naming the output, never a
// truncated file that exits 0.
TEST_F(RankCommandTest, WriteErrorsAreErrors) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  for (const char* flag : {"--out", "--rejects"}) {
    std::vector<std::string> args = Base();
    args.insert(args.end(), {flag, "/dev/full"});
    const RunResult r = Invoke(RunRank, args);
    EXPECT_EQ(r.rc, kExitRejected) << flag;
    EXPECT_THAT(r.err, HasSubstr(absl::StrCat("cannot write ", flag,
                                              " '/dev/full': ")))
        << flag;
    EXPECT_THAT(r.err, HasSubstr("the output is incomplete")) << flag;
  }
  const RunResult ix = Invoke(RunIndex, {"--donors", donors_, "--out",
                                         "/dev/full/x.hmx"});
  EXPECT_EQ(ix.rc, kExitRejected);
  EXPECT_THAT(ix.err, HasSubstr("cannot write index '/dev/full/x.hmx'"));
}

// A donor id in Latin-1 (byte 0xFF) is not UTF-8: the JSON output stays
// valid, the byte written as U+FFFD.
TEST_F(RankCommandTest, InvalidUtf8InAnIdStaysValidJson) {
  const std::string path = dir_ + "/latin1.csv";
  std::ofstream(path) << "id,glstring\nd\xff" "1," << kRecipient << "\n";
  const RunResult r = Invoke(RunRank, {"--recipient", kRecipient, "--donors",
                                       path, "--format", "json"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("id":"d\ufffd1")"));
  EXPECT_EQ(r.out.find('\xff'), std::string::npos);
}

TEST_F(RankCommandTest, IndexThenRankGivesTheSameOutput) {
  const std::string index = dir_ + "/donors.hmx";
  const RunResult ix = Invoke(RunIndex, {"--donors", donors_, "--out", index});
  EXPECT_EQ(ix.rc, kExitRejected) << ix.err;  // the bad rows
  EXPECT_THAT(ix.err, HasSubstr("bytes/donor"));
  const RunResult from_file = Invoke(RunRank, Base());
  std::vector<std::string> args = Base();
  args[3] = index;
  const RunResult from_index = Invoke(RunRank, args);
  EXPECT_EQ(from_index.rc, kExitOk) << from_index.err;
  EXPECT_EQ(from_index.out, from_file.out);
  // The index's imputations are not read for this policy, and the "all
  // in" figure says so rather than leave them out.
  EXPECT_THAT(ix.err, HasSubstr(" in imputations, "));
  EXPECT_THAT(from_index.err, HasSubstr(" in imputations not read (this ranking does not use them)"));
  // The index holds the accepted donors: read = ranked + excluded.
  const std::vector<int> n = SummaryNumbers(from_index.err);
  ASSERT_EQ(n.size(), 4u);
  EXPECT_EQ(n[3], 0);
  EXPECT_EQ(n[0], n[1] + n[2]);
  // A stale index is refused with a clear message.
  args.insert(args.end(), {"--imgt", "3.44.0"});
  const RunResult stale = Invoke(RunRank, args);
  EXPECT_EQ(stale.rc, kExitRejected);
  EXPECT_THAT(stale.err, HasSubstr("stale"));
}

// rank --rank-by probability: from the donor file (imputed in the run)
// and from its index (imputed by `index`) the same output, with P(10/10)
// and P(>=9/10) filled; an index made with --no-impute is refused with the
// reason; --recipient-population is checked.
TEST_F(RankCommandTest, RankByProbabilityFromAFileAndFromItsIndex) {
  const std::string index = dir_ + "/donors.hmx";
  const RunResult ix = Invoke(RunIndex, {"--donors", donors_, "--out", index});
  EXPECT_EQ(ix.rc, kExitRejected) << ix.err;  // the bad rows
  EXPECT_THAT(ix.err, HasSubstr("imputed in"));
  EXPECT_THAT(ix.err, HasSubstr("explained by the haplotype table, 0 not explained"));
  std::vector<std::string> args = Base();
  args.insert(args.end(), {"--rank-by", "probability,haplo,age",
                           "--recipient-population", "EUR"});
  const RunResult from_file = Invoke(RunRank, args);
  EXPECT_EQ(from_file.rc, kExitRejected) << from_file.err;  // the bad rows
  args[3] = index;
  const RunResult from_index = Invoke(RunRank, args);
  EXPECT_EQ(from_index.rc, kExitOk) << from_index.err;
  EXPECT_EQ(from_index.out, from_file.out);
  // Read for this policy.
  EXPECT_THAT(from_index.err, HasSubstr(" in imputations, the rest"));
  const std::vector<std::string> lines = Lines(from_index.out);
  ASSERT_GE(lines.size(), 3u);
  // The identical sister first: P(10/10) = 1; the others 0 (haploidentical).
  EXPECT_THAT(lines[1], HasSubstr(",sister,"));
  EXPECT_THAT(lines[1], HasSubstr(",1.000,1.000,"));
  EXPECT_THAT(lines[2], HasSubstr(",0.000,0.000,"));
  // JSON carries the whole probability object.
  std::vector<std::string> json = args;
  json.insert(json.end(), {"--format", "json"});
  const RunResult j = Invoke(RunRank, json);
  EXPECT_EQ(j.rc, kExitOk) << j.err;
  EXPECT_THAT(j.out, HasSubstr("\"probability\":{"));
  EXPECT_THAT(j.out, HasSubstr("\"p10\":1"));

  // --no-impute: a smaller index, and the key refused with the reason.
  const std::string bare = dir_ + "/bare.hmx";
  const RunResult nb = Invoke(RunIndex, {"--donors", donors_, "--out", bare, "--no-impute"});
  EXPECT_EQ(nb.rc, kExitRejected) << nb.err;
  EXPECT_THAT(nb.err, Not(HasSubstr("imputed in")));
  EXPECT_LT(std::filesystem::file_size(bare), std::filesystem::file_size(index));
  args[3] = bare;
  const RunResult refused = Invoke(RunRank, args);
  EXPECT_EQ(refused.rc, kExitRejected);
  EXPECT_THAT(refused.err, HasSubstr("rebuild it with haplomatch index"));
  // Without the key the bare index ranks as before, with no probabilities.
  const RunResult plain = Invoke(RunRank, [&] {
    std::vector<std::string> a = Base();
    a[3] = bare;
    return a;
  }());
  EXPECT_EQ(plain.rc, kExitOk) << plain.err;
  EXPECT_THAT(Lines(plain.out)[1], HasSubstr(",best,,,eligible,"));

  std::vector<std::string> bad = Base();
  bad.insert(bad.end(), {"--recipient-population", "Caucasian"});
  const RunResult usage = Invoke(RunRank, bad);
  EXPECT_EQ(usage.rc, kExitUsage);
  EXPECT_THAT(usage.err, HasSubstr("--recipient-population must be EUR, AFA, API or HIS"));
}

// index --shard K/N: the shards hold every accepted donor once, in file
// order, and each says which rows it took (docs/distributed.md).
TEST_F(RankCommandTest, ShardsHoldEveryDonorOnceInOrder) {
  const std::string whole = dir_ + "/whole.hmx";
  ASSERT_NE(Invoke(RunIndex, {"--donors", donors_, "--out", whole}).rc, kExitUsage);
  int read = 0;  // donors over the three shards
  for (int k = 0; k < 3; ++k) {
    const std::string shard = absl::StrCat(dir_, "/shard", k, ".hmx");
    const RunResult r = Invoke(RunIndex, {"--donors", donors_, "--out", shard,
                                          "--shard", absl::StrCat(k, "/3")});
    EXPECT_NE(r.rc, kExitUsage) << r.err;
    EXPECT_THAT(r.err, HasSubstr(absl::StrCat("shard ", k, "/3: data rows ")));
    const RunResult ranked = Invoke(
        RunRank, {"--recipient", "A*01:01+A*02:01", "--donors", shard, "--top", "0"});
    ASSERT_EQ(ranked.rc, kExitOk) << ranked.err;
    const std::vector<int> n = SummaryNumbers(ranked.err);
    ASSERT_EQ(n.size(), 4u);
    read += n[0];
  }
  const RunResult all = Invoke(
      RunRank, {"--recipient", "A*01:01+A*02:01", "--donors", whole, "--top", "0"});
  const std::vector<int> n = SummaryNumbers(all.err);
  ASSERT_EQ(n.size(), 4u);
  EXPECT_EQ(read, n[0]);
  for (const char* bad : {"3/3", "1/0", "x/2", "-1/2", "1", "1/5000"}) {
    const RunResult r = Invoke(RunIndex, {"--donors", donors_, "--out",
                                          dir_ + "/bad.hmx", "--shard", bad});
    EXPECT_EQ(r.rc, kExitUsage) << bad;
    EXPECT_THAT(r.err, HasSubstr("--shard")) << bad;
  }
  EXPECT_EQ(Invoke(RunIndex, {"--donors", "-", "--out", dir_ + "/s.hmx",
                              "--shard", "0/2"}, DonorsCsv()).rc,
            kExitUsage);
}

TEST_F(RankCommandTest, DonorsFromStandardInput) {
  const RunResult from_file = Invoke(RunRank, Base());
  std::vector<std::string> args = Base();
  args[3] = "-";  // --donors -
  const RunResult from_stdin = Invoke(RunRank, args, DonorsCsv());
  EXPECT_EQ(from_stdin.rc, from_file.rc) << from_stdin.err;
  EXPECT_EQ(from_stdin.out, from_file.out);
  EXPECT_THAT(from_stdin.err, HasSubstr("read 10, ranked"));
  // index reads standard input too; rank from that index says the same.
  const std::string index = dir_ + "/stdin.hmx";
  const RunResult ix =
      Invoke(RunIndex, {"--donors", "-", "--out", index}, DonorsCsv());
  EXPECT_THAT(ix.err, HasSubstr("indexed 7"));
  // Each step's time: imputing, reading, writing (the file named).
  EXPECT_THAT(ix.err, ::testing::ContainsRegex("imputed in [0-9]+\\.[0-9] s "));
  EXPECT_THAT(ix.err, ::testing::ContainsRegex(
                          "rows/s \\([0-9]+\\.[0-9] s reading\\); wrote .*stdin\\.hmx in "
                          "[0-9]+\\.[0-9] s\n"));
  args[3] = index;
  EXPECT_EQ(Invoke(RunRank, args).out, from_file.out);
}

TEST_F(RankCommandTest, UsageErrors) {
  EXPECT_EQ(Invoke(RunRank, {"--donors", donors_}).rc, kExitUsage);
  std::vector<std::string> args = Base();
  args.insert(args.end(), {"--rank-by", "age,height"});
  const RunResult r = Invoke(RunRank, args);
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown key 'height'"));
  EXPECT_EQ(Invoke(RunIndex, {"--donors", donors_}).rc, kExitUsage);
  // An unwritable --rejects is refused before anything is read.
  for (auto run : {RunRank, RunIndex}) {
    std::vector<std::string> a = run == RunRank ? Base() : Lines_t{"--donors", donors_, "--out", dir_ + "/x.hmx"};
    a.insert(a.end(), {"--rejects", "/nonexistent/dir/rejects.txt"});
    const RunResult bad = Invoke(run, a);
    EXPECT_EQ(bad.rc, kExitRejected);
    EXPECT_THAT(bad.err, HasSubstr("cannot write --rejects '/nonexistent/dir/rejects.txt'"));
  }
}

// The eligibility and recipient flags are read by the code `match` uses
// (cli/common.h): --gate is honoured, bad values are usage errors, an
// unreadable @FILE is rejected input.
TEST_F(RankCommandTest, SharesMatchsEligibilityAndRecipientFlags) {
  std::vector<std::string> args = Base();
  args.insert(args.end(), {"--recipient-sex", "M", "--gate", "sex"});
  const RunResult gated = Invoke(RunRank, args);
  EXPECT_THAT(gated.err, HasSubstr("female to male 1"));  // the sister
  for (const Lines_t& l : {Lines_t{"--gate", "height"},
                           Lines_t{"--dsa-mfi", "-5"},
                           Lines_t{"--recipient-abo", "Q+"},
                           Lines_t{"--recipient-cmv", "maybe"}}) {
    std::vector<std::string> bad = Base();
    bad.insert(bad.end(), l.begin(), l.end());
    const RunResult r = Invoke(RunRank, bad);
    EXPECT_EQ(r.rc, kExitUsage) << l[0];
    EXPECT_THAT(r.err, HasSubstr(l[0] + ": ")) << r.err;
  }
  std::vector<std::string> missing = Base();
  missing[1] = "@" + dir_ + "/no-such-recipient.txt";
  const RunResult r = Invoke(RunRank, missing);
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(r.err, HasSubstr("--recipient: "));
  EXPECT_THAT(r.err, HasSubstr("no-such-recipient.txt: cannot open"));
}

}  // namespace
}  // namespace hla::cli
