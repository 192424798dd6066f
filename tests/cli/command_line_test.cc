// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/command_line.h: --help, usage errors and rejected input, answered
// with the same bytes and exit status by every command.
#include "cli/command_line.h"

#include <optional>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/args.h"
#include "cli/command.h"
#include "gtest/gtest.h"

namespace hla::cli {
namespace {

constexpr char kUsage[] = "usage: haplomatch demo [--level L]\n";

// A command line over string streams, as the command tests run commands.
class CommandLineTest : public ::testing::Test {
 protected:
  CommandLine Make(std::vector<std::string> args) {
    cmd_ = Command{std::move(args), &in_, &out_, &err_};
    FlagSpec spec;
    spec.value_flags = {"level"};
    spec.bool_flags = {"fast"};
    return CommandLine(cmd_, "haplomatch demo", kUsage, spec);
  }

  std::istringstream in_;
  std::ostringstream out_, err_;
  Command cmd_;
};

TEST_F(CommandLineTest, GoesOnWithTheFlagsParsed) {
  CommandLine cl = Make({"--level", "G", "--fast", "A*01:01"});
  EXPECT_EQ(cl.Parse(), std::nullopt);
  EXPECT_EQ(cl.args().GetOr("level", ""), "G");
  EXPECT_TRUE(cl.args().Has("fast"));
  EXPECT_EQ(cl.args().positional(), std::vector<std::string>{"A*01:01"});
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CommandLineTest, HelpPrintsTheUsageOnStandardOutput) {
  CommandLine cl = Make({"--level", "G", "--help"});
  EXPECT_EQ(cl.Parse(), kExitOk);
  EXPECT_EQ(out_.str(), kUsage);
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CommandLineTest, ABadFlagIsAUsageErrorWithTheUsage) {
  CommandLine cl = Make({"--help", "--colour"});
  EXPECT_EQ(cl.Parse(), kExitUsage);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(),
            std::string("haplomatch demo: unknown flag --colour\n\n") + kUsage);
}

TEST_F(CommandLineTest, ParsesTheArgumentsItIsGiven) {
  CommandLine cl = Make({"info", "--level", "G"});
  EXPECT_EQ(cl.Parse({"--level", "P"}), std::nullopt);
  EXPECT_EQ(cl.args().GetOr("level", ""), "P");
}

TEST_F(CommandLineTest, UsageRejectAndTell) {
  CommandLine cl = Make({});
  ASSERT_EQ(cl.Parse(), std::nullopt);
  EXPECT_EQ(cl.Usage("--level is required"), kExitUsage);
  EXPECT_EQ(err_.str(),
            std::string("haplomatch demo: --level is required\n\n") + kUsage);
  err_.str("");
  EXPECT_EQ(cl.UsageWithoutHelp("--level must be G or P, not 'x'"),
            kExitUsage);
  EXPECT_EQ(err_.str(), "haplomatch demo: --level must be G or P, not 'x'\n");
  err_.str("");
  EXPECT_EQ(cl.Reject("x.csv: cannot open"), kExitRejected);
  EXPECT_EQ(err_.str(), "haplomatch demo: x.csv: cannot open\n");
  err_.str("");
  cl.Tell("warning: renamed");
  EXPECT_EQ(err_.str(), "haplomatch demo: warning: renamed\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CommandLineTest, FailTellsUsageErrorsFromRejectedInputByTheCode) {
  CommandLine cl = Make({});
  ASSERT_EQ(cl.Parse(), std::nullopt);
  EXPECT_EQ(cl.Fail(absl::InvalidArgumentError("--level: bad")), kExitUsage);
  EXPECT_EQ(err_.str(),
            std::string("haplomatch demo: --level: bad\n\n") + kUsage);
  err_.str("");
  EXPECT_EQ(cl.Fail(absl::NotFoundError("x: cannot open")), kExitRejected);
  EXPECT_EQ(err_.str(), "haplomatch demo: x: cannot open\n");
}

struct DemoConfig {
  std::string level;
};

absl::StatusOr<DemoConfig> ParseDemoFlags(const Args& args) {
  if (!args.Has("level")) {
    return absl::InvalidArgumentError("--level is required");
  }
  if (args.Has("fast")) return absl::NotFoundError("fast.txt: cannot open");
  return DemoConfig{*args.Get("level")};
}

TEST_F(CommandLineTest, ParseReadsTheFlagsIntoAConfig) {
  CommandLine cl = Make({"--level", "G"});
  std::optional<DemoConfig> config;
  EXPECT_EQ(cl.Parse(ParseDemoFlags, &config), std::nullopt);
  ASSERT_TRUE(config.has_value());
  EXPECT_EQ(config->level, "G");
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CommandLineTest, ParseAnswersTheConfigsErrors) {
  std::optional<DemoConfig> config;
  EXPECT_EQ(Make({}).Parse(ParseDemoFlags, &config), kExitUsage);
  EXPECT_EQ(err_.str(),
            std::string("haplomatch demo: --level is required\n\n") + kUsage);
  err_.str("");
  EXPECT_EQ(Make({"--level", "G", "--fast"}).Parse(ParseDemoFlags, &config),
            kExitRejected);
  EXPECT_EQ(err_.str(), "haplomatch demo: fast.txt: cannot open\n");
  err_.str("");
  EXPECT_EQ(Make({"--help"}).Parse(ParseDemoFlags, &config), kExitOk);
  EXPECT_EQ(out_.str(), kUsage);
  EXPECT_EQ(err_.str(), "");
  EXPECT_FALSE(config.has_value());
}

TEST(RejectedInput, IsNeverAUsageErrorAndKeepsOtherCodes) {
  const absl::Status parse = absl::InvalidArgumentError("'A*' at offset 0");
  EXPECT_EQ(RejectedInput(parse, "--recipient: "),
            absl::FailedPreconditionError("--recipient: 'A*' at offset 0"));
  EXPECT_EQ(RejectedInput(absl::NotFoundError("f: cannot open")),
            absl::NotFoundError("f: cannot open"));
}

TEST(UsageError, IsAlwaysInvalidArgument) {
  EXPECT_EQ(UsageError(absl::NotFoundError("t: cannot open"), "--token: "),
            absl::InvalidArgumentError("--token: t: cannot open"));
}

// A stream whose every write fails, as standard output on a full disk.
class FullDisk : public std::streambuf {
 protected:
  int overflow(int) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

int PrintsALine(Command& cmd) {
  *cmd.out << "a line\n";
  return kExitOk;
}

int RefusesItsFlags(Command& cmd) {
  *cmd.out << "a line\n";
  return kExitUsage;
}

TEST(RunChecked, AFailedWriteToStandardOutputIsAnError) {
  FullDisk full;
  std::ostream out(&full);
  std::istringstream in;
  std::ostringstream err;
  Command cmd{{}, &in, &out, &err};
  EXPECT_EQ(RunChecked(PrintsALine, cmd), kExitRejected);
  EXPECT_NE(err.str().find("haplomatch: cannot write standard output"),
            std::string::npos)
      << err.str();
  EXPECT_NE(err.str().find("the output is incomplete"), std::string::npos);
  // A usage error stays one.
  std::ostream out2(&full);
  cmd.out = &out2;
  EXPECT_EQ(RunChecked(RefusesItsFlags, cmd), kExitUsage);
  // A good stream changes nothing.
  std::ostringstream good;
  cmd.out = &good;
  std::ostringstream err2;
  cmd.err = &err2;
  EXPECT_EQ(RunChecked(PrintsALine, cmd), kExitOk);
  EXPECT_EQ(good.str(), "a line\n");
  EXPECT_EQ(err2.str(), "");
}

}  // namespace
}  // namespace hla::cli
