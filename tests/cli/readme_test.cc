// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The README's examples are the tool's real output: every ```console block
// the README marks with <!-- example: tested --> is run, command by
// command, in-process from the source tree, and each line it shows must be
// what the command prints, in the same order; a line "..." stands for
// lines left out. So the README cannot drift from the tool.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/cli_test_util.h"

namespace hla::cli {
namespace {

using cli_testing::Invoke;
using cli_testing::RunResult;

struct Example {
  int line = 0;                       // of the README, for messages
  std::vector<std::string> argv;      // after "haplomatch"
  std::string stdin_path;             // "< FILE", or empty
  std::vector<std::string> expected;  // "..." marks a gap
};

// Words of a shell command line: spaces separate, '...' and "..." quote.
std::vector<std::string> ShellWords(absl::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (char c : s) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        cur.push_back(c);
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur.push_back(c);
      in_word = true;
    }
  }
  if (in_word) words.push_back(cur);
  return words;
}

std::vector<Example> TestedExamples(const std::string& readme) {
  std::vector<std::string> lines = absl::StrSplit(readme, '\n');
  std::vector<Example> out;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (lines[i] != "<!-- example: tested -->") continue;
    EXPECT_EQ(lines[i + 1], "```console") << "README line " << i + 2;
    Example* ex = nullptr;
    for (size_t j = i + 2; j < lines.size() && lines[j] != "```"; ++j) {
      absl::string_view l = lines[j];
      if (absl::ConsumePrefix(&l, "$ haplomatch ")) {
        out.emplace_back();
        ex = &out.back();
        ex->line = static_cast<int>(j + 1);
        std::string command(absl::StripTrailingAsciiWhitespace(l));
        // Continuation lines end with a backslash.
        while (absl::EndsWith(command, "\\") && j + 1 < lines.size()) {
          command.pop_back();
          command += " ";
          command += std::string(absl::StripAsciiWhitespace(lines[++j]));
        }
        // A trailing comment ("   # ...") is not part of the command.
        if (size_t hash = command.find("  #"); hash != std::string::npos) {
          command.resize(hash);
        }
        std::vector<std::string> words = ShellWords(command);
        for (size_t w = 0; w < words.size(); ++w) {
          if (words[w] == "<" && w + 1 < words.size()) {
            ex->stdin_path = words[++w];
          } else {
            ex->argv.push_back(words[w]);
          }
        }
        continue;
      }
      if (ex != nullptr) ex->expected.push_back(std::string(l));
    }
  }
  return out;
}

RunResult RunExample(const Example& ex) {
  static const std::map<std::string, int (*)(Command&)> kCommands = {
      {"parse", RunParse},       {"data", RunData},
      {"reduce", RunReduce},     {"validate", RunValidate},
      {"expand", RunExpand},     {"match", RunMatch},
      {"synth", RunSynth},       {"rank", RunRank},
      {"index", RunIndex},       {"family", RunFamily}};
  auto it = kCommands.find(ex.argv.empty() ? "" : ex.argv[0]);
  if (it == kCommands.end()) return {-1, "", "unknown command"};
  std::string input;
  if (!ex.stdin_path.empty()) {
    std::ifstream in(ex.stdin_path);
    std::stringstream s;
    s << in.rdbuf();
    input = s.str();
  }
  return Invoke(it->second,
                std::vector<std::string>(ex.argv.begin() + 1, ex.argv.end()),
                input);
}

// Whether `want` (with "..." gaps) is what `got` shows, in order; else the
// first line that is not.
std::string FirstMismatch(const std::vector<std::string>& want,
                          const std::vector<std::string>& got) {
  size_t g = 0;
  bool gap = true;  // the first shown line may follow anything
  for (const std::string& w : want) {
    if (w == "...") {
      gap = true;
      continue;
    }
    if (gap) {
      while (g < got.size() && got[g] != w) ++g;
    }
    if (g >= got.size() || got[g] != w) return w;
    ++g;
    gap = false;
  }
  return "";
}

std::vector<std::string> Lines(const std::string& text) {
  if (text.empty()) return {};
  std::vector<std::string> out = absl::StrSplit(text, '\n');
  if (absl::EndsWith(text, "\n")) out.pop_back();
  for (std::string& l : out) {
    absl::StripTrailingAsciiWhitespace(&l);
  }
  return out;
}

TEST(Readme, EveryTestedExampleIsTheToolsOutput) {
  std::ifstream in(HLA_SHIPPED_DATA_DIR "/../README.md");
  ASSERT_TRUE(in.good());
  std::stringstream s;
  s << in.rdbuf();
  const std::vector<Example> examples = TestedExamples(s.str());
  // The coordinator's two matches, the family, the laboratory's four.
  ASSERT_GE(examples.size(), 7u);
  for (const Example& ex : examples) {
    SCOPED_TRACE(absl::StrCat("README line ", ex.line, ": haplomatch ",
                              absl::StrJoin(ex.argv, " ")));
    const RunResult r = RunExample(ex);
    ASSERT_GE(r.rc, 0) << r.err;
    // Standard output, then standard error, as a terminal shows them when
    // the command writes its output first.
    std::vector<std::string> got = Lines(r.out);
    std::vector<std::string> err = Lines(r.err);
    got.insert(got.end(), err.begin(), err.end());
    EXPECT_EQ(FirstMismatch(ex.expected, got), "")
        << "the README shows a line the command does not print here:\n"
        << r.out << r.err;
  }
}

TEST(Readme, GapsAndOrderAreChecked) {
  const std::vector<std::string> got = {"a", "b", "c", "d"};
  EXPECT_EQ(FirstMismatch({"a", "b"}, got), "");
  EXPECT_EQ(FirstMismatch({"b", "c"}, got), "");  // leading gap
  EXPECT_EQ(FirstMismatch({"a", "...", "d"}, got), "");
  EXPECT_EQ(FirstMismatch({"a", "c"}, got), "c");  // not adjacent
  EXPECT_EQ(FirstMismatch({"c", "...", "a"}, got), "a");  // order
  EXPECT_EQ(FirstMismatch({"x"}, got), "x");
}

}  // namespace
}  // namespace hla::cli
