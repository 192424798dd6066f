// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared by the CLI tests: a subcommand run in-process on string streams,
// against the shipped data of the source tree.
#ifndef HLA_TESTS_CLI_CLI_TEST_UTIL_H_
#define HLA_TESTS_CLI_CLI_TEST_UTIL_H_

#include <cstdlib>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli/command.h"

namespace hla::cli_testing {

struct RunResult {
  int rc;
  std::string out, err;
};

// Runs `run` with `args`, `input` as standard input. The data root is the
// source tree's data/ and $HAPLOMATCH_IMGT is cleared, so that the default
// release (3.58.0) is what the tests expect whatever the environment says.
inline RunResult Invoke(int (*run)(cli::Command&), std::vector<std::string> args,
                        const std::string& input = "", bool interactive = false) {
  ::setenv("HAPLOMATCH_DATA_DIR", HLA_SHIPPED_DATA_DIR, 1);
  ::unsetenv("HAPLOMATCH_IMGT");
  std::istringstream in(input);
  std::ostringstream out, err;
  cli::Command cmd{std::move(args), &in, &out, &err};
  cmd.interactive = interactive;
  const int rc = run(cmd);
  return {rc, out.str(), err.str()};
}

}  // namespace hla::cli_testing

#endif  // HLA_TESTS_CLI_CLI_TEST_UTIL_H_
