// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The nomenclature parser: text that labs and registries write -> syntax tree
// (hla/gl.h). Syntax only: it never consults reference data, so "A*99:99"
// parses; whether it exists is the resolver's question.
//
// What is accepted, operator precedence and the canonical form are described
// in docs/parser.md and hla/gl.h. In short:
//
//   HLA-A*02:01:01:01   A*0201   A*01:01:01G   B*07:02P   A*01:01g
//   A*02:AB   A*02:XX   DRB5*02ZB   DRB4*NNNN   NEW   A2   Cw7   DR52   DPw6
//   A*01:01/02+A*24:02^B*08:01~C*07:01   hla#3.58.0#HLA-A*01:01+HLA-A*02:01
//
// Errors: every failure is an absl::Status whose message reads
//   expected allele field at offset 8 in 'DRB1*14:'
// and which carries the offset and the expected item as a payload, for
// ParseErrorOffset()/ParseErrorExpected(). Offsets are byte offsets into the
// text as passed in (before trimming). No exception escapes, and no input
// crashes, hangs or leaks (fuzzed: fuzz/parse_fuzzer.cc).
//
// Thread safety: all functions are reentrant; the grammar is immutable.
#ifndef HLA_PARSER_PARSE_H_
#define HLA_PARSER_PARSE_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "hla/gl.h"

namespace hla::parser {

// Input size limits, in bytes, counted before whitespace is trimmed. Longer
// input is rejected with OutOfRangeError (never truncated). A GL String of 1
// MiB holds some 60,000 allele names, more than any genotyping report writes.
inline constexpr size_t kMaxGlStringBytes = size_t{1} << 20;
inline constexpr size_t kMaxTokenBytes = 256;

// Parses a typing: a GL String 1.0/1.1 (a single name is a GL String too),
// optionally as a GL String Code "namespace#version#<gl string>". ASCII
// whitespace around the whole text is ignored; anywhere else it is an error.
//
// On success returns the tree; allele-list shorthand ("A*01:01/02") is already
// expanded (the expanded Token has shorthand == true).
// Errors:
//   InvalidArgumentError  the text is not ASCII, or does not follow the grammar
//                         (offset = first offending byte), or an allele-list
//                         shorthand follows an element it cannot inherit from
//                         (a legacy name, serology, MAC, ...).
//   OutOfRangeError       text.size() > kMaxGlStringBytes (offset = the limit).
absl::StatusOr<GlString> ParseGlString(absl::string_view text);

// Parses exactly one name (no operators, no GLSC prefix, no shorthand), e.g.
// "HLA-A*01:01:01:02N", "A*02:AB", "Cw7". Whitespace around it is ignored.
// Errors as ParseGlString, with kMaxTokenBytes as the limit.
absl::StatusOr<Token> ParseToken(absl::string_view text);

// For a status returned by the functions above: the byte offset of the error
// and what was expected there ("allele field", "end of name", ...). nullopt
// for OK and for statuses that did not come from this parser.
std::optional<size_t> ParseErrorOffset(const absl::Status& status);
std::optional<std::string> ParseErrorExpected(const absl::Status& status);

}  // namespace hla::parser

#endif  // HLA_PARSER_PARSE_H_
