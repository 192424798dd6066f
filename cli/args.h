// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// A small flag parser for subcommands: `--name value`, `--name=value`,
// boolean `--name`, `--` ends flags, everything else is positional.
// (absl::flags is process-global and not per-subcommand, hence this.)
#ifndef HLA_CLI_ARGS_H_
#define HLA_CLI_ARGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hla::cli {

struct FlagSpec {
  std::set<std::string> value_flags;    // take a value: "--level L"
  std::set<std::string> bool_flags;     // take none: "--non-strict"
  std::set<std::string> repeated_flags; // value flags that may repeat ("--donor")
};

class Args {
 public:
  // Parses `argv` against `spec`. Returns InvalidArgumentError naming the flag
  // for an unknown flag, a missing value, or a non-repeatable flag given twice.
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv,
                                    const FlagSpec& spec);

  bool Has(const std::string& flag) const { return values_.count(flag) > 0; }
  // The last value of a value flag, or nullopt.
  std::optional<std::string> Get(const std::string& flag) const;
  std::string GetOr(const std::string& flag, const std::string& fallback) const;
  // Every value of a repeated flag, in order.
  std::vector<std::string> GetAll(const std::string& flag) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

}  // namespace hla::cli

#endif  // HLA_CLI_ARGS_H_
