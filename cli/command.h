// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The haplomatch command-line tool is thin: each subcommand parses its flags,
// calls the library and formats the output. Subcommands take a Command
// (arguments and streams) rather than touching std::cin/std::cout, so that
// tests run them in-process on string streams.
//
// Exit status, the same for every command so that scripts can rely on it:
// 0 success, 1 some input rejected, 2 usage error. Messages go to `err`.
#ifndef HLA_CLI_COMMAND_H_
#define HLA_CLI_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace hla::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;
inline constexpr int kExitUsage = 2;

struct Command {
  std::vector<std::string> args;  // after the subcommand name
  std::istream* in;
  std::ostream* out;
  std::ostream* err;
  bool interactive = false;  // stdout/stderr is a terminal: colour, carets, progress
};

// Runs `run` on `cmd`, then flushes cmd.out: a failed write (a full disk, a
// closed descriptor) is said on cmd.err and makes the status
// kExitRejected, so that a truncated output never exits 0. main() runs every
// subcommand through it.
int RunChecked(int (*run)(Command&), Command& cmd);

// One function per subcommand; each returns the process exit status.
int RunParse(Command& cmd);  // parser/: haplomatch parse
int RunData(Command& cmd);   // data/:   haplomatch data info|verify
// data/resolve.h, data/reduce.h: haplomatch reduce | validate | expand.
int RunReduce(Command& cmd);
int RunValidate(Command& cmd);
int RunExpand(Command& cmd);
int RunMac(Command& cmd);     // data/: haplomatch mac encode|decode
// matcher/match.h, eligibility/eligibility.h: haplomatch match.
int RunMatch(Command& cmd);
// synth/synth.h: haplomatch synth (synthetic registries and families).
int RunSynth(Command& cmd);
// registry/rank.h, registry/ingest.h: haplomatch rank | index.
int RunRank(Command& cmd);
int RunIndex(Command& cmd);
// family/family.h: haplomatch family (segregation of a typed family).
int RunFamily(Command& cmd);
// service/service.h, service/server.h: haplomatch serve (JSON over HTTP).
int RunServe(Command& cmd);

}  // namespace hla::cli

#endif  // HLA_CLI_COMMAND_H_
