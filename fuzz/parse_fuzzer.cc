// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target for parser/parse.h. Besides "no crash, hang, leak or UB"
// (the sanitizers' job) it checks the parser's own contracts:
//   - every error carries an offset within the input (or the size limit);
//   - print(parse(x)) parses again, to the same canonical form and tree;
//   - ParseToken agrees with a lone-leaf ParseGlString.
// A broken contract aborts, which libFuzzer reports as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "hla/gl.h"
#include "parser/parse.h"

namespace {

using hla::fuzz::Check;

void CheckError(const absl::Status& status, absl::string_view input,
                size_t limit) {
  const std::optional<size_t> offset = hla::parser::ParseErrorOffset(status);
  Check(offset.has_value(), "error without offset", input);
  if (status.code() == absl::StatusCode::kOutOfRange) {
    Check(*offset == limit && input.size() > limit, "bad limit error", input);
  } else {
    Check(status.code() == absl::StatusCode::kInvalidArgument,
          "unexpected status code", input);
    Check(*offset <= input.size(), "offset past the input", input);
    Check(hla::parser::ParseErrorExpected(status).has_value(),
          "error without expectation", input);
  }
}

// Same shape and, leaf by leaf, the same kind of name.
bool SameKinds(const hla::GlNode& a, const hla::GlNode& b) {
  if (a.is_leaf() != b.is_leaf()) return false;
  if (a.is_leaf()) return a.token.kind == b.token.kind;
  if (a.op != b.op || a.children.size() != b.children.size()) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameKinds(a.children[i], b.children[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<hla::GlString> gl = hla::parser::ParseGlString(input);
  if (gl.ok()) {
    const std::string canonical = hla::ToString(*gl);
    absl::StatusOr<hla::GlString> again = hla::parser::ParseGlString(canonical);
    Check(again.ok(), "canonical form does not parse", input);
    Check(hla::ToString(*again) == canonical, "canonical form not stable",
          input);
    Check(hla::DebugString(*again) == hla::DebugString(*gl),
          "canonical form changes the tree", input);
    Check(SameKinds(again->root, gl->root), "canonical form changes a kind",
          input);
    Check(!hla::ToJson(*gl).empty(), "empty JSON", input);
  } else {
    CheckError(gl.status(), input, hla::parser::kMaxGlStringBytes);
  }

  absl::StatusOr<hla::Token> token = hla::parser::ParseToken(input);
  if (token.ok()) {
    const std::string canonical = hla::ToString(*token);
    absl::StatusOr<hla::Token> again = hla::parser::ParseToken(canonical);
    Check(again.ok(), "canonical token does not parse", input);
    Check(hla::ToString(*again) == canonical, "canonical token not stable",
          input);
    Check(again->kind == token->kind, "canonical token changes kind", input);
    Check(gl.ok() && gl->root.is_leaf() &&
              hla::ToString(gl->root.token) == canonical,
          "ParseToken and ParseGlString disagree", input);
  } else {
    CheckError(token.status(), input, hla::parser::kMaxTokenBytes);
  }
  return 0;
}
