// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The one translation unit that compiles the grammar: each top rule is
// instantiated here, once, for (iterator_type, context_type).
#include "parser/internal/grammar.h"

#include "parser/internal/config.h"
#include "parser/internal/grammar_def.h"

namespace hla::parser_internal {

// If the link fails with "undefined reference to ... parse_rule<char const*,
// x3::context<...>>", the caller's context differs from context_type: compare
// the two types in the error (see config.h).
BOOST_SPIRIT_INSTANTIATE(gl_top_type, iterator_type, context_type)
BOOST_SPIRIT_INSTANTIATE(token_top_type, iterator_type, context_type)

const gl_top_type& GlTopRule() { return gl_top; }
const token_top_type& TokenTopRule() { return token_top; }

}  // namespace hla::parser_internal
