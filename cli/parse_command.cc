// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch parse [--format text|json] [TYPING...]
//
// Prints the canonical spelling (text) or the syntax tree (json) of each
// typing. With no TYPING arguments it reads standard input, one typing a line,
// and writes exactly one line per input line; a line that fails prints
// "error: <message>" in its place. Exit status: 0 all parsed, 1 some typing
// rejected, 2 usage error. In interactive mode each error is also shown on
// stderr with a caret under the offending byte.
#include <ios>
#include <istream>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/args.h"
#include "cli/common.h"
#include "cli/command.h"
#include "cli/command_line.h"
#include "hla/gl.h"
#include "parser/parse.h"

namespace hla::cli {
namespace {

constexpr char kParseUsage[] =
    "usage: haplomatch parse [--format text|json] [TYPING...]\n"
    "\n"
    "Prints the canonical form of each HLA typing (a name, a GL String or a\n"
    "GL String Code), or its syntax tree with --format json. Without TYPING\n"
    "arguments, reads one typing per line from standard input and writes one\n"
    "line per input line ('error: <message>' for a line that fails).\n"
    "\n"
    "flags:\n"
    "  --format text|json   output format (default text)\n"
    "  --help               show this help\n";

enum class Format { kText, kJson };

// Shows the typing and a caret under byte `offset` (an offset at the end
// points just past the last byte).
void PrintCaret(const std::string& typing, size_t offset, std::ostream& err) {
  std::string shown;
  std::string caret;
  for (size_t i = 0; i <= typing.size(); ++i) {
    if (i == offset) caret.push_back('^');
    if (i == typing.size()) break;
    const unsigned char c = static_cast<unsigned char>(typing[i]);
    // Keep columns aligned: show tabs and control bytes as one space.
    shown.push_back(c < 0x20 || c == 0x7f ? ' ' : typing[i]);
    if (i < offset) caret.push_back(' ');
  }
  err << "  " << shown << "\n  " << caret << "\n";
}

// Parses one typing and writes its output line. Returns false if it failed.
bool ParseOne(const std::string& typing, Format format, Command& cmd) {
  absl::StatusOr<GlString> gl = parser::ParseGlString(typing);
  if (!gl.ok()) {
    *cmd.out << "error: " << gl.status().message() << "\n";
    if (cmd.interactive) {
      const std::optional<size_t> offset = parser::ParseErrorOffset(gl.status());
      if (offset && *offset <= typing.size() &&
          gl.status().code() == absl::StatusCode::kInvalidArgument) {
        PrintCaret(typing, *offset, *cmd.err);
      }
    }
    return false;
  }
  *cmd.out << (format == Format::kJson ? ToJson(*gl) : ToString(*gl)) << "\n";
  return true;
}

}  // namespace

int RunParse(Command& cmd) {
  CommandLine cl(cmd, "haplomatch parse", kParseUsage,
                 {/*value_flags=*/{"format"}, /*bool_flags=*/{},
                  /*repeated_flags=*/{}});
  if (std::optional<int> done = cl.Parse()) return *done;
  absl::StatusOr<Format> format = cl.args().Choice<Format>(
      "format", {{"text", Format::kText}, {"json", Format::kJson}},
      Format::kText);
  // A bad --format has always been answered without the usage text.
  if (!format.ok()) return cl.UsageWithoutHelp(format.status().message());

  const bool all_ok = ForEachTyping(cl.args(), cmd, [&](const std::string& t) {
    return ParseOne(t, *format, cmd);
  });
  cmd.out->flush();
  return all_ok ? kExitOk : kExitRejected;
}

}  // namespace hla::cli
