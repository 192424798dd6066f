// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: use parser/parse.h instead. Boost.Spirit X3 lives only under
// parser/internal/.
//
// The iterator, the per-parse state and the one context type that both the
// rule instantiations (grammar.cc) and the facade (parse.cc) use.
#ifndef HLA_PARSER_INTERNAL_CONFIG_H_
#define HLA_PARSER_INTERNAL_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/spirit/home/x3.hpp>

#include "absl/container/inlined_vector.h"
#include "hla/gl.h"

namespace hla::parser_internal {

namespace x3 = boost::spirit::x3;

// Input arrives as absl::string_view, so the iterator is a plain pointer and
// offsets are pointer differences.
using iterator_type = const char*;

// Everything one parse writes besides the rule attributes. Reached from
// semantic actions and from the on_error handler through the context.
struct ParseState {
  const char* begin = nullptr;  // start of the caller's untrimmed text

  // The first expectation failure (set by ErrorHandler::on_error).
  bool failed = false;
  size_t error_offset = 0;
  std::string expected;  // rule name: "allele field", "end of name", ...

  // The name being parsed. Reset at the start of every name and moved into
  // the tree when the name is complete, so one buffer serves all names.
  hla::Token scratch;

  // The tree under construction (see grammar_def.h): finished subtrees, and
  // for each open GL String level the stack height when it began. After a
  // successful parse `nodes` holds exactly the root.
  absl::InlinedVector<hla::GlNode, 2> nodes;
  absl::InlinedVector<uint32_t, 8> marks;

  // "hla#3.58.0#..." prefix, when present.
  std::string glsc_namespace;
  std::string glsc_version;
};

struct state_tag;

// The context every top rule is compiled for. The facade must install the
// state as an lvalue, x3::with<state_tag>(state)[rule], which stores a
// reference (x3/directive/with.hpp in 1.74): the context then holds
// ParseState, not std::reference_wrapper<ParseState>. Passing std::ref(state)
// instead compiles but fails to link with "undefined reference to ...
// parse_rule<char const*, x3::context<state_tag, std::reference_wrapper<...".
using context_type = x3::context<state_tag, ParseState>;

}  // namespace hla::parser_internal

#endif  // HLA_PARSER_INTERNAL_CONFIG_H_
