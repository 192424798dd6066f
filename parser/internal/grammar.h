// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: use parser/parse.h instead.
//
// The two top rules of the grammar, compiled once in grammar.cc for
// (iterator_type, context_type) from config.h. They are reached through
// accessor functions rather than extern objects, so that no other translation
// unit copies a rule before it is initialised (X3 >= 1.73 asserts on that).
#ifndef HLA_PARSER_INTERNAL_GRAMMAR_H_
#define HLA_PARSER_INTERNAL_GRAMMAR_H_

#include "hla/gl.h"
#include "parser/internal/config.h"

namespace hla::parser_internal {

// A whole typing: optional GLSC prefix, then a GL String, then end of input.
// On success ParseState::nodes holds the root and the GLSC fields are set.
struct gl_top_class;
using gl_top_type = x3::rule<gl_top_class>;
BOOST_SPIRIT_DECLARE(gl_top_type)

// Exactly one name, then end of input. The name is left in
// ParseState::scratch (its offset and length are not set).
struct token_top_class;
using token_top_type = x3::rule<token_top_class>;
BOOST_SPIRIT_DECLARE(token_top_type)

const gl_top_type& GlTopRule();
const token_top_type& TokenTopRule();

}  // namespace hla::parser_internal

#endif  // HLA_PARSER_INTERNAL_GRAMMAR_H_
