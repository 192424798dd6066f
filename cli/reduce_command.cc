// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch reduce   --level L [--imgt V|DIR] [--mac FILE] [--non-strict] [TYPING...]
// haplomatch validate           [--imgt V|DIR] [--mac FILE] [--non-strict] [TYPING...]
// haplomatch expand             [--imgt V|DIR] [--mac FILE] [--non-strict] [TYPING...]
//
// Each parses a typing (parser/), resolves it against one IPD-IMGT/HLA
// release (data/resolve.h) and prints one line: the reduction, "valid" /
// "invalid: <reason>", or every allele the typing stands for. With no TYPING
// arguments each reads standard input, one typing a line, and writes exactly
// one line per input line ("error: <message>" for a line that fails), so
// that scripts can pair inputs and outputs. Warnings (renamed alleles,
// pre-2010 names) go to stderr. Exit: 0 all lines succeeded, 1 some failed
// (or the data could not be loaded), 2 usage error.
#include <ios>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cli/args.h"
#include "cli/common.h"
#include "cli/command.h"
#include "cli/command_line.h"
#include "data/mac_table.h"
#include "data/reduce.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "hla/gl.h"
#include "parser/parse.h"

namespace hla::cli {
namespace {

enum class Mode { kReduce, kValidate, kExpand };

constexpr char kCommonFlags[] =
    "  --imgt V|DIR    a shipped release (3.58.0, 3.44.0, or py-ard's 3440)\n"
    "                  or a release directory; default $HAPLOMATCH_IMGT,\n"
    "                  else 3.58.0\n"
    "  --mac FILE      NMDP's alpha.v3.txt; default the shipped 2020 subset\n"
    "  --non-strict    also accept names that exist with an expression\n"
    "                  suffix (A*24:329 -> A*24:329Q) and small-g names\n"
    "  --no-placeholders  reject WMDA placeholders (DRB4*NNNN, NEW)\n"
    "  --help          show this help\n"
    "\n"
    "Without TYPING arguments, reads one typing per line from standard input\n"
    "and writes exactly one line per input line ('error: <message>' for a\n"
    "line that fails). Exit 0 if every typing succeeded, 1 if any failed.\n";

std::string Usage(Mode mode) {
  switch (mode) {
    case Mode::kReduce:
      return absl::StrCat(
          "usage: haplomatch reduce [--level L] [flags] [TYPING...]\n\n"
          "Reduces each typing with NMDP py-ard's semantics (docs/"
          "conventions.md\nlists where we differ and why).\n\nflags:\n"
          "  --level L       G, P, lg, lgx (default), exon, W, U2, S or 1F\n"
          "  --no-ping       do not apply py-ard's ping rules (lg/lgx/U2)\n"
          "  --ars-as-lg     level lg appends 'ARS' instead of 'g'\n",
          kCommonFlags);
    case Mode::kValidate:
      return absl::StrCat(
          "usage: haplomatch validate [flags] [TYPING...]\n\n"
          "Prints 'valid' or 'invalid: <reason>' for each typing: whether\n"
          "every name in it stands for alleles of the release.\n\nflags:\n",
          kCommonFlags);
    case Mode::kExpand:
      return absl::StrCat(
          "usage: haplomatch expand [flags] [TYPING...]\n\n"
          "Prints every allele each typing stands for, keeping its GL\n"
          "operators (each name becomes a '/' list of IMGT allele names).\n\n"
          "flags:\n",
          kCommonFlags);
  }
  return "";
}

absl::string_view CommandName(Mode mode) {
  switch (mode) {
    case Mode::kReduce:
      return "reduce";
    case Mode::kValidate:
      return "validate";
    case Mode::kExpand:
      return "expand";
  }
  return "";
}

struct Engine {
  Mode mode;
  data::ReductionLevel level = data::ReductionLevel::kLgx;
  std::unique_ptr<data::Resolver> resolver;
  std::unique_ptr<data::Reducer> reducer;
  // Names repeat across the lines of a batch: memoise their reductions.
  std::unique_ptr<data::ReduceCache> cache =
      std::make_unique<data::ReduceCache>();
};

// Handles one typing; returns false if its line is an error (or "invalid").
bool RunOne(const Engine& e, const std::string& typing, Command& cmd) {
  absl::StatusOr<GlString> gl = parser::ParseGlString(typing);
  std::ostream& out = *cmd.out;
  if (!gl.ok()) {
    out << (e.mode == Mode::kValidate ? "invalid: " : "error: ")
        << gl.status().message() << "\n";
    return false;
  }
  std::vector<std::string> warnings;
  bool ok = true;
  switch (e.mode) {
    case Mode::kReduce: {
      absl::StatusOr<data::ReduceResult> r =
          e.reducer->Reduce(*gl, e.level, e.cache.get());
      if (r.ok()) {
        out << r->text << "\n";
        warnings = std::move(r->warnings);
      } else {
        out << "error: " << r.status().message() << "\n";
        ok = false;
      }
      break;
    }
    case Mode::kValidate:
    case Mode::kExpand: {
      absl::StatusOr<data::ResolvedTyping> t = e.resolver->Resolve(*gl);
      if (!t.ok()) {
        out << (e.mode == Mode::kValidate ? "invalid: " : "error: ")
            << t.status().message() << "\n";
        ok = false;
        break;
      }
      out << (e.mode == Mode::kValidate
                  ? std::string("valid")
                  : data::ExpandToString(e.resolver->reference(), *t))
          << "\n";
      warnings = std::move(t->warnings);
      break;
    }
  }
  for (const std::string& w : warnings) {
    *cmd.err << "haplomatch " << CommandName(e.mode) << ": warning: " << w
             << "\n";
  }
  return ok;
}


FlagSpec ReduceFlagSpec(Mode mode) {
  FlagSpec spec;
  spec.value_flags = {"imgt", "mac"};
  spec.bool_flags = {"non-strict", "no-placeholders"};
  if (mode == Mode::kReduce) {
    spec.value_flags.insert("level");
    spec.bool_flags.insert("no-ping");
    spec.bool_flags.insert("ars-as-lg");
  }
  return spec;
}

struct ReduceConfig {
  data::ReductionLevel level = data::ReductionLevel::kLgx;
  data::ReduceOptions options;  // options.resolve for every mode
};

// The one error is a bad --level (InvalidArgumentError).
absl::StatusOr<ReduceConfig> ParseReduceFlags(Mode mode, const Args& args) {
  ReduceConfig c;
  if (mode == Mode::kReduce) {
    const std::string level = args.GetOr("level", "lgx");
    std::optional<data::ReductionLevel> l = data::ParseReductionLevel(level);
    if (!l) {
      return absl::InvalidArgumentError(
          absl::StrCat("--level must be one of G, P, lg, lgx, exon, W, U2, "
                       "S, 1F, not '",
                       level, "'"));
    }
    c.level = *l;
  }
  c.options.resolve.strict = !args.Has("non-strict");
  c.options.resolve.accept_placeholders = !args.Has("no-placeholders");
  c.options.ping = !args.Has("no-ping");
  if (args.Has("ars-as-lg")) c.options.lg_suffix = "ARS";
  return c;
}

int Run(Mode mode, Command& cmd) {
  CommandLine cl(cmd, absl::StrCat("haplomatch ", CommandName(mode)),
                 Usage(mode), ReduceFlagSpec(mode));
  if (std::optional<int> done = cl.Parse()) return *done;
  absl::StatusOr<ReduceConfig> config = ParseReduceFlags(mode, cl.args());
  // A bad --level has always been answered without the usage text.
  if (!config.ok()) return cl.UsageWithoutHelp(config.status().message());

  absl::StatusOr<data::ReferenceData> rd = LoadReferenceData(cl.args());
  if (!rd.ok()) return cl.Reject(rd.status().message());
  Engine e;
  e.mode = mode;
  e.level = config->level;
  e.resolver = std::make_unique<data::Resolver>(rd->reference, rd->macs,
                                                config->options.resolve);
  if (mode == Mode::kReduce) {
    e.reducer = std::make_unique<data::Reducer>(rd->reference, rd->macs,
                                                config->options);
  }

  const bool all_ok = ForEachTyping(cl.args(), cmd, [&](const std::string& t) {
    return RunOne(e, t, cmd);
  });
  cmd.out->flush();
  return all_ok ? kExitOk : kExitRejected;
}

}  // namespace

int RunReduce(Command& cmd) { return Run(Mode::kReduce, cmd); }
int RunValidate(Command& cmd) { return Run(Mode::kValidate, cmd); }
int RunExpand(Command& cmd) { return Run(Mode::kExpand, cmd); }

}  // namespace hla::cli
