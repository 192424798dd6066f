// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// One subcommand's command line: its name, usage text and flags, parsed
// once, and the ways a subcommand answers, written here once so that every
// command answers with the same bytes and exit status (cli/command.h):
//
//   --help        the usage on standard output; exit 0
//   Usage(why)    "haplomatch NAME: why", a blank line and the usage on
//                 standard error; exit 2
//   Reject(why)   "haplomatch NAME: why" on standard error; exit 1
//
// A subcommand then reads as: parse the command line and read its flags into
// a config (Parse<X>Flags, on Args alone, so that every check is made before
// anything is loaded), then do the work.
#ifndef HLA_CLI_COMMAND_LINE_H_
#define HLA_CLI_COMMAND_LINE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/args.h"
#include "cli/command.h"

namespace hla::cli {

class CommandLine {
 public:
  // `name` as messages start ("haplomatch match"); `usage` the --help text.
  // `spec` gains the --help flag.
  CommandLine(Command& cmd, std::string name, std::string usage,
              FlagSpec spec);

  // Parses `argv` (by default the command's arguments). Returns the exit
  // status when the command is done already: kExitUsage after a flag the
  // spec refuses, kExitOk after --help. nullopt: go on.
  std::optional<int> Parse();
  std::optional<int> Parse(const std::vector<std::string>& argv);
  // Parse(), then the flags read into *config by `read` (the command's
  // Parse<X>Flags), an error of which is answered by Fail. *config is set
  // only when the command goes on.
  template <typename Config>
  std::optional<int> Parse(absl::StatusOr<Config> (*read)(const Args&),
                           std::optional<Config>* config);

  // The parsed flags (after Parse).
  const Args& args() const { return args_; }
  Command& cmd() const { return cmd_; }
  const std::string& name() const { return name_; }

  // A usage error: the message and the usage text; returns kExitUsage.
  int Usage(absl::string_view why) const;
  // A usage error that has always been answered without the usage text
  // (parse --format, reduce --level); returns kExitUsage.
  int UsageWithoutHelp(absl::string_view why) const;
  // Input the command rejects: the message; returns kExitRejected.
  int Reject(absl::string_view why) const;
  // Usage(message) for InvalidArgumentError, Reject(message) otherwise.
  int Fail(const absl::Status& status) const;
  // "haplomatch NAME: message" on standard error: warnings, notes and
  // rejected rows of a command that goes on.
  void Tell(absl::string_view message) const;

 private:
  Command& cmd_;
  std::string name_;
  std::string usage_;
  FlagSpec spec_;
  Args args_;
};

template <typename Config>
std::optional<int> CommandLine::Parse(
    absl::StatusOr<Config> (*read)(const Args&),
    std::optional<Config>* config) {
  if (std::optional<int> done = Parse()) return done;
  absl::StatusOr<Config> c = read(args_);
  if (!c.ok()) return Fail(c.status());
  config->emplace(*std::move(c));
  return std::nullopt;
}

// `status` as input the command rejects (exit 1) whatever its code, its
// message after `prefix`: a typing or a file that the library calls invalid
// is rejected input, not a usage error, so InvalidArgumentError becomes
// FailedPreconditionError (CommandLine::Fail tells them apart by the code).
absl::Status RejectedInput(const absl::Status& status,
                           absl::string_view prefix = "");

// `status` as a usage error (InvalidArgumentError), its message after
// `prefix`: a flag's value that the library refuses, whatever its code.
absl::Status UsageError(const absl::Status& status,
                        absl::string_view prefix = "");

}  // namespace hla::cli

#endif  // HLA_CLI_COMMAND_LINE_H_
