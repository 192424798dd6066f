// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/command_line.h"

#include <cerrno>
#include <cstring>
#include <ostream>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace hla::cli {

int RunChecked(int (*run)(Command&), Command& cmd) {
  errno = 0;
  const int rc = run(cmd);
  cmd.out->flush();
  if (!cmd.out->fail()) return rc;
  const int error = errno;
  *cmd.err << "haplomatch: cannot write standard output: "
           << (error != 0 ? std::strerror(error) : "write failed")
           << "; the output is incomplete\n";
  return rc == kExitUsage ? rc : kExitRejected;
}

CommandLine::CommandLine(Command& cmd, std::string name, std::string usage,
                         FlagSpec spec)
    : cmd_(cmd),
      name_(std::move(name)),
      usage_(std::move(usage)),
      spec_(std::move(spec)) {
  spec_.bool_flags.insert("help");
}

std::optional<int> CommandLine::Parse() { return Parse(cmd_.args); }

std::optional<int> CommandLine::Parse(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args = Args::Parse(argv, spec_);
  if (!args.ok()) return Usage(args.status().message());
  args_ = *std::move(args);
  if (args_.Has("help")) {
    *cmd_.out << usage_;
    return kExitOk;
  }
  return std::nullopt;
}

int CommandLine::Usage(absl::string_view why) const {
  *cmd_.err << name_ << ": " << why << "\n\n" << usage_;
  return kExitUsage;
}

int CommandLine::UsageWithoutHelp(absl::string_view why) const {
  Tell(why);
  return kExitUsage;
}

int CommandLine::Reject(absl::string_view why) const {
  Tell(why);
  return kExitRejected;
}

int CommandLine::Fail(const absl::Status& status) const {
  return status.code() == absl::StatusCode::kInvalidArgument
             ? Usage(status.message())
             : Reject(status.message());
}

void CommandLine::Tell(absl::string_view message) const {
  *cmd_.err << name_ << ": " << message << "\n";
}

absl::Status RejectedInput(const absl::Status& status,
                           absl::string_view prefix) {
  const absl::StatusCode code =
      status.code() == absl::StatusCode::kInvalidArgument
          ? absl::StatusCode::kFailedPrecondition
          : status.code();
  return absl::Status(code, absl::StrCat(prefix, status.message()));
}

absl::Status UsageError(const absl::Status& status, absl::string_view prefix) {
  return absl::InvalidArgumentError(absl::StrCat(prefix, status.message()));
}

}  // namespace hla::cli
