// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The facade: checks size and bytes, trims, runs the compiled X3 rules and
// turns their outcome into absl::Status. X3 reports errors by throwing
// expectation_failure; the top rules' on_error handler records it in the
// ParseState, and the catch below is a backstop so that no exception escapes.
#include "parser/parse.h"

#include <algorithm>
#include <new>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "parser/internal/config.h"
#include "parser/internal/grammar.h"

namespace hla::parser {
namespace {

namespace internal = ::hla::parser_internal;
namespace x3 = ::boost::spirit::x3;

// Payload of every parser error: "<offset>\n<expected>".
constexpr char kPayloadUrl[] = "type.haplomatch/hla.parser.ParseError";

// Inputs up to this size are quoted whole in messages; longer ones as a
// window around the error, so that a 1 MiB typing does not make a 1 MiB
// message.
constexpr size_t kQuoteWhole = 160;
constexpr size_t kQuoteContext = 40;

std::string Quote(absl::string_view text, size_t offset) {
  if (text.size() <= kQuoteWhole) return absl::CHexEscape(text);
  const size_t begin = offset > kQuoteContext ? offset - kQuoteContext : 0;
  const size_t end = std::min(text.size(), offset + kQuoteContext);
  return absl::StrCat(begin > 0 ? "..." : "",
                      absl::CHexEscape(text.substr(begin, end - begin)),
                      end < text.size() ? "..." : "");
}

absl::Status MakeError(absl::StatusCode code, absl::string_view message,
                       size_t offset, absl::string_view expected) {
  absl::Status status(code, message);
  status.SetPayload(kPayloadUrl,
                    absl::Cord(absl::StrCat(offset, "\n", expected)));
  return status;
}

absl::Status SyntaxError(absl::string_view text, size_t offset,
                         absl::string_view expected) {
  return MakeError(absl::StatusCode::kInvalidArgument,
                   absl::StrCat("expected ", expected, " at offset ", offset,
                                " in '", Quote(text, offset), "'"),
                   offset, expected);
}

// Size limit and ASCII check, shared by both entry points.
absl::Status CheckInput(absl::string_view text, size_t limit) {
  if (text.size() > limit) {
    return MakeError(
        absl::StatusCode::kOutOfRange,
        absl::StrCat("input of ", text.size(), " bytes is over the limit of ",
                     limit, " bytes (it is rejected, not truncated)"),
        limit, absl::StrCat("at most ", limit, " bytes"));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) {
      return SyntaxError(text, i, "ASCII character");
    }
  }
  return absl::OkStatus();
}

bool CanLeadShorthand(const Token& t) {
  switch (t.kind) {
    case TokenKind::kAllele:
    case TokenKind::kGGroup:
    case TokenKind::kPGroup:
    case TokenKind::kSmallG:
      return !t.fields.empty() && !t.locus.empty();
    default:
      return false;
  }
}

// Expands "A*01:01/02" into "A*01:01/A*01:02": an element written as trailing
// fields takes the locus, the "HLA-" prefix and the leading fields of the
// element before it (already expanded). With as many fields as the element
// before it, or more, it takes only the locus and prefix ("B*18:01/18:17N").
absl::Status ExpandShorthand(absl::string_view text, GlNode& node) {
  if (node.is_leaf()) return absl::OkStatus();
  if (node.op != GlOp::kAlleleList) {
    for (GlNode& child : node.children) {
      absl::Status s = ExpandShorthand(text, child);
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }
  for (size_t i = 1; i < node.children.size(); ++i) {
    Token& t = node.children[i].token;
    if (!t.shorthand) continue;
    const Token& prev = node.children[i - 1].token;
    if (!CanLeadShorthand(prev)) {
      return SyntaxError(text, t.offset, "allele name with locus");
    }
    t.locus = prev.locus;
    t.hla_prefix = prev.hla_prefix;
    if (t.fields.size() < prev.fields.size()) {
      Fields fields(prev.fields.begin(),
                    prev.fields.end() - static_cast<ptrdiff_t>(t.fields.size()));
      fields.insert(fields.end(), t.fields.begin(), t.fields.end());
      t.fields = std::move(fields);
    }
    // The result must be a name the grammar accepts when written out: a
    // one-field name has 2 or 3 digits and no suffix or group letter
    // ("A*02/0102P" would be "A*0102P", which is not a name).
    if (t.fields.size() == 1 &&
        (t.kind != TokenKind::kAllele || t.suffix != 0 || t.fields[0].width > 3)) {
      return SyntaxError(text, t.offset, "allele field");
    }
  }
  return absl::OkStatus();
}

// Runs `rule` on the trimmed text; returns the Status for a failure.
template <typename Rule>
absl::Status RunRule(absl::string_view text, absl::string_view trimmed,
                     const Rule& rule, internal::ParseState& state) {
  state.begin = text.data();
  internal::iterator_type first = trimmed.data();
  const internal::iterator_type last = trimmed.data() + trimmed.size();
  bool ok = false;
  try {
    // `state` as an lvalue: the context then matches internal::context_type.
    ok = x3::parse(first, last, x3::with<internal::state_tag>(state)[rule]);
  } catch (const x3::expectation_failure<internal::iterator_type>& e) {
    // Backstop: the top rules handle expectation failures themselves.
    return SyntaxError(text, static_cast<size_t>(e.where() - text.data()),
                       e.which());
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while parsing");
  }
  if (state.failed) {
    return SyntaxError(text, state.error_offset, state.expected);
  }
  if (!ok || first != last) {
    return SyntaxError(text, static_cast<size_t>(first - text.data()),
                       "HLA name");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GlString> ParseGlString(absl::string_view text) {
  if (absl::Status s = CheckInput(text, kMaxGlStringBytes); !s.ok()) return s;
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  internal::ParseState state;
  if (absl::Status s = RunRule(text, trimmed, internal::GlTopRule(), state);
      !s.ok()) {
    return s;
  }
  if (state.nodes.size() != 1) {  // cannot happen: the grammar reduces to one
    return absl::InternalError("parser left no single root");
  }
  GlString gl;
  gl.root = std::move(state.nodes.front());
  if (absl::Status s = ExpandShorthand(text, gl.root); !s.ok()) return s;
  gl.glsc_namespace = std::move(state.glsc_namespace);
  gl.glsc_version = std::move(state.glsc_version);
  return gl;
}

absl::StatusOr<Token> ParseToken(absl::string_view text) {
  if (absl::Status s = CheckInput(text, kMaxTokenBytes); !s.ok()) return s;
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  internal::ParseState state;
  if (absl::Status s = RunRule(text, trimmed, internal::TokenTopRule(), state);
      !s.ok()) {
    return s;
  }
  Token token = std::move(state.scratch);
  token.offset = static_cast<uint32_t>(trimmed.data() - text.data());
  token.length = static_cast<uint32_t>(trimmed.size());
  return token;
}

std::optional<size_t> ParseErrorOffset(const absl::Status& status) {
  const auto payload = status.GetPayload(kPayloadUrl);
  if (!payload) return std::nullopt;
  const std::string flat(*payload);
  const size_t nl = flat.find('\n');
  size_t offset = 0;
  if (!absl::SimpleAtoi(absl::string_view(flat).substr(0, nl), &offset)) {
    return std::nullopt;
  }
  return offset;
}

std::optional<std::string> ParseErrorExpected(const absl::Status& status) {
  const auto payload = status.GetPayload(kPayloadUrl);
  if (!payload) return std::nullopt;
  const std::string flat(*payload);
  const size_t nl = flat.find('\n');
  if (nl == std::string::npos) return std::nullopt;
  return flat.substr(nl + 1);
}

}  // namespace hla::parser
