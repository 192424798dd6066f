// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// What the subcommands answer before they read any reference data: help,
// usage errors (exit 2), and a data directory that does not exist. Run
// in-process on string streams like the other CLI tests; none of these reads
// the shipped data, so they are unit tests (the rest of each subcommand's
// tests, on the shipped releases, are in <subcommand>_command_test.cc).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "tests/cli/cli_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

using cli_testing::Invoke;
using cli_testing::RunResult;

RunResult RunDataWith(std::vector<std::string> args) {
  return Invoke(RunData, std::move(args));
}
RunResult MatchWith(std::vector<std::string> args) {
  return Invoke(RunMatch, std::move(args));
}
RunResult SynthWith(std::vector<std::string> args) {
  return Invoke(RunSynth, std::move(args));
}

// ---- data

TEST(DataVerify, MissingDataDirIsRejected) {
  const RunResult r = RunDataWith({"verify", "--data-dir", "/nonexistent/data"});
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/data/MANIFEST.md5"));
}

TEST(Data, UsageErrors) {
  EXPECT_EQ(RunDataWith({}).rc, kExitUsage);
  const RunResult bad = RunDataWith({"frobnicate"});
  EXPECT_EQ(bad.rc, kExitUsage);
  EXPECT_THAT(bad.err, HasSubstr("unknown subcommand 'frobnicate'"));
  const RunResult flag = RunDataWith({"info", "--data-dir", "x"});
  EXPECT_EQ(flag.rc, kExitUsage);
  EXPECT_THAT(flag.err, HasSubstr("unknown flag --data-dir"));
  EXPECT_EQ(RunDataWith({"verify", "extra"}).rc, kExitUsage);
}

TEST(Data, HelpGoesToStdout) {
  for (const char* h : {"--help", "help"}) {
    const RunResult r = RunDataWith({h});
    EXPECT_EQ(r.rc, kExitOk);
    EXPECT_THAT(r.out, HasSubstr("usage: haplomatch data info"));
  }
  const RunResult r = RunDataWith({"info", "--help"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("--imgt"));
}

// ---- match

TEST(MatchCli, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> kBad = {
      {"--donor", "A*01:01"},
      {"--recipient", "A*01:01"},
      {"--recipient", "A*01:01", "--donor", "A*01:01", "--format", "xml"},
      {"--recipient", "A*01:01", "--donor", "A*01:01", "--as-of",
       "2023-02-30"},
      {"--recipient", "A*01:01", "--donor", "A*01:01", "--protocol", "NCT1"},
      {"--recipient", "A*01:01", "--donor", "A*01:01", "--loci", "A,MICA"},
      {"--recipient", "A*01:01", "--donor", "A*01:01",
       "--homozygous-mismatch", "3"},
      {"--recipient", "A*01:01", "--donor", "A*01:01", "--antibodies", "A2"},
      {"--recipient", "A*01:01", "--donor", "A*01:01", "--recipient-abo",
       "Q"},
      {"--recipient", "A*01:01", "--donor", "A*01:01", "--bogus"},
      {"--recipient", "A*01:01", "A*02:01"},
  };
  for (const auto& args : kBad) {
    const RunResult r = MatchWith(args);
    EXPECT_EQ(r.rc, kExitUsage) << absl::StrJoin(args, " ") << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr("usage: haplomatch match"));
    EXPECT_EQ(r.out, "");
  }
  const RunResult d = MatchWith({"--recipient", "A*01:01", "--donor", "A*01:01",
                              "--as-of", "2023-02-30"});
  EXPECT_THAT(d.err, HasSubstr("--as-of: '2023-02-30' is not a date: "
                               "February 2023 has 28 days"));
  const RunResult h = MatchWith({"--help"});
  EXPECT_EQ(h.rc, kExitOk);
  EXPECT_THAT(h.out, HasSubstr("--protocol P"));
}

// ---- reduce, validate

TEST(Reduce, UsageErrorsExitTwo) {
  RunResult r = Invoke(RunReduce, {"--level", "XYZ", "A*01:01"});
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("--level must be one of"));
  r = Invoke(RunReduce, {"--bogus"});
  EXPECT_EQ(r.rc, kExitUsage);
  r = Invoke(RunValidate, {"--level", "G"});  // validate has no --level
  EXPECT_EQ(r.rc, kExitUsage);
}

TEST(Reduce, Help) {
  const RunResult r = Invoke(RunReduce, {"--help"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("usage: haplomatch reduce"));
}

// ---- mac

TEST(Mac, UsageErrorsExitTwoAndHelpExitsZero) {
  RunResult r = Invoke(RunMac, {});
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("usage: haplomatch mac encode"));
  r = Invoke(RunMac, {"shrink", "A*01:AB"});
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_THAT(r.err, HasSubstr("unknown subcommand 'shrink' (encode or decode)"));
  r = Invoke(RunMac, {"encode", "--level", "G", "A*01:01/A*01:02"});  // no --level
  EXPECT_EQ(r.rc, kExitUsage);
  r = Invoke(RunMac, {"--help"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("haplomatch mac decode"));
  r = Invoke(RunMac, {"decode", "--help"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_THAT(r.out, HasSubstr("expand' gives the alleles"));
}

// ---- synth

TEST(Synth, HelpExitsZero) {
  const RunResult r = SynthWith({"--help"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_THAT(r.out, StartsWith("usage: haplomatch synth"));
}

TEST(Synth, UsageErrorsExitTwo) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"--seed", "3"},
      {"--donors", "abc"},
      {"--donors", "-5"},
      {"--donors", "1.5"},
      {"--families", "x"},
      {"--donors", "1", "--seed", "-1"},
      {"--donors", "1", "--format", "json"},
      {"--donors", "1", "--population", "CAU"},
      {"--donors", "1", "--as-of", "2026-02-30"},
      {"--donors", "1", "--nonpaternity-rate", "2"},
      {"--donors", "1", "--recombination-rate", "x"},
      {"--donors", "1", "--bogus"},
      {"--donors", "1", "extra"},
      {"--donors"},
  };
  for (const auto& args : cases) {
    const RunResult r = SynthWith(args);
    EXPECT_EQ(r.rc, kExitUsage) << absl::StrJoin(args, " ");
    EXPECT_THAT(r.err, StartsWith("haplomatch synth: "))
        << absl::StrJoin(args, " ");
    EXPECT_THAT(r.out, IsEmpty());
  }
}

// ---- serve

// Every size and time serve takes is bounded, so that no setting overflows
// a sum or a buffer: one past each ceiling (and 0) is a usage error naming
// the range, before anything is loaded or bound.
TEST(ServeUsage, EveryLimitIsBounded) {
  struct Case {
    const char* flag;
    const char* too_big;
    const char* max;
  };
  const Case cases[] = {
      {"--threads", "1025", "1024"},
      {"--max-queue", "1000001", "1000000"},
      {"--max-body-bytes", "1073741825", "1073741824"},
      {"--timeout-ms", "86400001", "86400000"},
      {"--io-timeout-ms", "86400001", "86400000"},
      {"--read-timeout-ms", "86400001", "86400000"},
      {"--max-connections", "65537", "65536"},
      {"--rank-threads", "257", "256"},
      {"--max-rank-donors", "1000001", "1000000"},
  };
  for (const Case& c : cases) {
    for (const char* value : {c.too_big, "0", "9223372036854775808"}) {
      const RunResult r = Invoke(RunServe, {c.flag, value});
      EXPECT_EQ(r.rc, kExitUsage) << c.flag << " " << value;
      EXPECT_THAT(r.err, HasSubstr(absl::StrCat(c.flag, ": a number from 1 to ",
                                                c.max)))
          << c.flag << " " << value;
    }
  }
}

}  // namespace
}  // namespace hla::cli
