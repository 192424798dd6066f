// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// A small flag parser for subcommands: `--name value`, `--name=value`,
// boolean `--name`, `--` ends flags, everything else is positional.
// (absl::flags is process-global and not per-subcommand, hence this.)
#ifndef HLA_CLI_ARGS_H_
#define HLA_CLI_ARGS_H_

#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

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

  // The value of a flag that names one of a few choices, e.g.
  //   Choice<Format>("format", {{"text", kText}, {"json", kJson}}, kText)
  // `fallback` when the flag is not given; InvalidArgumentError
  // "--format must be text or json, not 'x'" for any other value.
  template <typename T>
  absl::StatusOr<T> Choice(
      const std::string& flag,
      std::initializer_list<std::pair<const char*, T>> choices,
      T fallback) const;

  // InvalidArgumentError "unexpected argument 'X'" (then `hint`) naming the
  // first positional argument, for a command that takes none.
  absl::Status NoPositional(absl::string_view hint = "") const;

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// "--FLAG must be A, B or C, not 'VALUE'".
std::string NotAChoice(const std::string& flag,
                       const std::vector<const char*>& names,
                       const std::string& value);

template <typename T>
absl::StatusOr<T> Args::Choice(
    const std::string& flag,
    std::initializer_list<std::pair<const char*, T>> choices,
    T fallback) const {
  const std::optional<std::string> value = Get(flag);
  if (!value) return fallback;
  std::vector<const char*> names;
  for (const auto& [name, choice] : choices) {
    if (*value == name) return choice;
    names.push_back(name);
  }
  return absl::InvalidArgumentError(NotAChoice(flag, names, *value));
}

}  // namespace hla::cli

#endif  // HLA_CLI_ARGS_H_
