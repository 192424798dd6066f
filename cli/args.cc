// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/args.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace hla::cli {

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& argv,
                                 const FlagSpec& spec) {
  Args args;
  bool flags_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (flags_done || a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (a == "--") {
        flags_done = true;
        continue;
      }
      args.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (spec.bool_flags.count(name)) {
      if (value) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", name, " takes no value"));
      }
      args.values_[name].push_back("true");
      continue;
    }
    if (!spec.value_flags.count(name) && !spec.repeated_flags.count(name)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (!value) {
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", name, " needs a value"));
      }
      value = argv[++i];
    }
    auto& slot = args.values_[name];
    if (!slot.empty() && !spec.repeated_flags.count(name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", name, " given more than once"));
    }
    slot.push_back(*value);
  }
  return args;
}

std::optional<std::string> Args::Get(const std::string& flag) const {
  auto it = values_.find(flag);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string Args::GetOr(const std::string& flag,
                        const std::string& fallback) const {
  auto v = Get(flag);
  return v ? *v : fallback;
}

std::vector<std::string> Args::GetAll(const std::string& flag) const {
  auto it = values_.find(flag);
  if (it == values_.end()) return {};
  return it->second;
}

absl::Status Args::NoPositional(absl::string_view hint) const {
  if (positional_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("unexpected argument '", positional_.front(), "'", hint));
}

std::string NotAChoice(const std::string& flag,
                       const std::vector<const char*>& names,
                       const std::string& value) {
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) list += i + 1 == names.size() ? " or " : ", ";
    list += names[i];
  }
  return absl::StrCat("--", flag, " must be ", list, ", not '", value, "'");
}

}  // namespace hla::cli
