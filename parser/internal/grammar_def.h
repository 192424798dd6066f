// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: use parser/parse.h instead. Included by grammar.cc only.
//
// The X3 grammar of HLA typings. docs/parser.md has the same grammar in EBNF;
// keep the two in step.
//
// How it is built:
//   - Names (leaves) are recognised by attribute-less rules whose semantic
//     actions write into ParseState::scratch (one reused Token), so parsing a
//     name allocates nothing; `leaf` moves the finished Token onto the stack.
//   - The tree is built on a node stack in ParseState, not through rule
//     attributes (which would construct and move a GlNode at each of the six
//     levels for every name): a leaf pushes one node; a level marks the stack
//     height when it starts and, when it ends with two or more members,
//     replaces them by one n-ary node (a one-member level stays its member).
//     A failed level leaves stale marks, but then the whole parse fails.
//   - Every right operand of '>' is a named rule or a literal, so an
//     expectation failure names what was expected ("allele field", not a
//     mangled type name). The rule names are user-visible text.
//   - Semantic actions run even on alternatives that later backtrack; every
//     action therefore *sets* the fields it owns, and `leaf` resets the scratch
//     Token first.
#ifndef HLA_PARSER_INTERNAL_GRAMMAR_DEF_H_
#define HLA_PARSER_INTERNAL_GRAMMAR_DEF_H_

#include <cstdint>
#include <iterator>
#include <utility>

#include "hla/allele_name.h"
#include "hla/gl.h"
#include "parser/internal/config.h"
#include "parser/internal/grammar.h"

namespace hla::parser_internal {

// Records the first expectation failure (offset + expected rule name) in the
// ParseState and makes the top rule fail; the facade turns that into a Status.
// Our own handler rather than x3::error_handler: 1.74's stock handler
// mis-positions carets and wants an output stream to print into.
struct ErrorHandler {
  template <typename Iterator, typename Exception, typename Context>
  x3::error_handler_result on_error(Iterator& /*first*/,
                                    const Iterator& /*last*/,
                                    const Exception& x,
                                    const Context& context) {
    ParseState& state = x3::get<state_tag>(context);
    if (!state.failed) {
      state.failed = true;
      state.error_offset = static_cast<size_t>(x.where() - state.begin);
      state.expected = x.which();
    }
    return x3::error_handler_result::fail;
  }
};

struct gl_top_class : ErrorHandler {};
struct token_top_class : ErrorHandler {};

namespace grammar {

namespace ascii = x3::ascii;
using x3::_attr;
using x3::_pass;
using x3::eoi;
using x3::eps;
using x3::lit;
using x3::raw;

inline constexpr size_t kMaxLocusLength = 15;  // fits std::string's SSO
inline constexpr size_t kMaxCodeLetters = 8;   // MAC letters

template <typename Context>
ParseState& State(const Context& context) {
  return x3::get<state_tag>(context);
}

template <typename Context>
hla::Token& Scratch(const Context& context) {
  return x3::get<state_tag>(context).scratch;
}

// A run of decimal digits as one allele field. Consumes the whole run and
// fails (consuming nothing) unless it has MinDigits..MaxDigits digits, so
// "A*01:01234" reports the field, not a stray digit after it.
template <int MinDigits, int MaxDigits>
struct FieldParser : x3::parser<FieldParser<MinDigits, MaxDigits>> {
  static_assert(MaxDigits <= 9, "a field must fit uint32_t");
  using attribute_type = hla::Field;
  static const bool has_attribute = true;

  template <typename Iterator, typename Context, typename RContext,
            typename Attribute>
  bool parse(Iterator& first, const Iterator& last, const Context& /*ctx*/,
             RContext& /*rctx*/, Attribute& attr) const {
    Iterator it = first;
    uint32_t value = 0;
    int digits = 0;
    while (it != last && *it >= '0' && *it <= '9') {
      if (digits < MaxDigits) value = value * 10 + static_cast<uint32_t>(*it - '0');
      ++digits;
      ++it;
    }
    if (digits < MinDigits || digits > MaxDigits) return false;
    hla::Field field;
    field.value = value;
    field.width = static_cast<uint8_t>(digits);
    x3::traits::move_to(field, attr);
    first = it;
    return true;
  }
};

// WHO fields have 2 to 4 digits (IMGT 3.58: first and second field up to 4,
// "DPB1*1001:01", "A*02:1001"; third and fourth up to 3).
const FieldParser<2, 4> field_digits{};

// ---------------------------------------------------------------------------
// Semantic actions. Each takes the action context; `_attr` is the subject's
// attribute (an iterator range for raw[]).

const auto reset_token = [](const auto& ctx) {
  hla::Token& t = Scratch(ctx);
  t.kind = hla::TokenKind::kAllele;
  t.hla_prefix = false;
  t.shorthand = false;
  t.suffix = 0;
  t.locus.clear();
  t.fields.clear();
  t.code.clear();
  t.offset = 0;
  t.length = 0;
};

const auto set_prefix = [](const auto& ctx) { Scratch(ctx).hla_prefix = true; };

const auto set_locus = [](const auto& ctx) {
  const auto& r = _attr(ctx);
  if (static_cast<size_t>(r.size()) > kMaxLocusLength) {
    _pass(ctx) = false;
    return;
  }
  Scratch(ctx).locus.assign(r.begin(), r.end());
};

const auto set_placeholder = [](const auto& ctx) {
  const auto& r = _attr(ctx);
  hla::Token& t = Scratch(ctx);
  t.kind = hla::TokenKind::kPlaceholder;
  t.fields.clear();
  t.code.assign(r.begin(), r.end());
};

const auto set_bare_placeholder = [](const auto& ctx) {
  const auto& r = _attr(ctx);
  hla::Token& t = Scratch(ctx);
  t.kind = hla::TokenKind::kPlaceholder;
  t.locus.clear();
  t.fields.clear();
  t.code.assign(r.begin(), r.end());
};

const auto set_first_field = [](const auto& ctx) {
  hla::Token& t = Scratch(ctx);
  t.kind = hla::TokenKind::kAllele;
  t.suffix = 0;
  t.code.clear();
  t.fields.clear();
  t.fields.push_back(_attr(ctx));
};

const auto push_field = [](const auto& ctx) {
  Scratch(ctx).fields.push_back(_attr(ctx));
};

// "AB", "DFJR" (MAC) or "XX" after the first field.
const auto set_code_letters = [](const auto& ctx) {
  const auto& r = _attr(ctx);
  const size_t n = static_cast<size_t>(r.size());
  if (n < 2 || n > kMaxCodeLetters) {
    _pass(ctx) = false;
    return;
  }
  hla::Token& t = Scratch(ctx);
  t.code.assign(r.begin(), r.end());
  t.kind = t.code == "XX" ? hla::TokenKind::kXX : hla::TokenKind::kMac;
};

const auto set_g_group = [](const auto& ctx) {
  Scratch(ctx).kind = hla::TokenKind::kGGroup;
};
const auto set_p_group = [](const auto& ctx) {
  Scratch(ctx).kind = hla::TokenKind::kPGroup;
};
const auto set_small_g = [](const auto& ctx) {
  Scratch(ctx).kind = hla::TokenKind::kSmallG;
};
const auto set_suffix = [](const auto& ctx) { Scratch(ctx).suffix = _attr(ctx); };

// The digits of a name without colons: 2-3 digits are a one-field WHO name
// ("A*02", "MICA*001"), 4-8 digits a pre-2010 name ("A*0201").
const auto set_legacy_digits = [](const auto& ctx) {
  const auto& r = _attr(ctx);
  const size_t n = static_cast<size_t>(r.size());
  if (n < 2 || n > 8) {
    _pass(ctx) = false;
    return;
  }
  hla::Token& t = Scratch(ctx);
  t.suffix = 0;
  t.fields.clear();
  t.code.clear();
  if (n <= 3) {
    hla::Field f;
    for (char c : r) f.value = f.value * 10 + static_cast<uint32_t>(c - '0');
    f.width = static_cast<uint8_t>(n);
    t.kind = hla::TokenKind::kAllele;
    t.fields.push_back(f);
  } else {
    t.kind = hla::TokenKind::kLegacy;
    t.code.assign(r.begin(), r.end());
  }
};

// Capital letters right after those digits: one expression suffix ("A*0105N",
// "A*01N": legacy) or 2-8 letters of a pre-2010 MAC ("DRB5*02ZB").
const auto set_legacy_letters = [](const auto& ctx) {
  const auto& r = _attr(ctx);
  const size_t n = static_cast<size_t>(r.size());
  hla::Token& t = Scratch(ctx);
  if (n == 1 && hla::IsExpressionSuffix(*r.begin())) {
    if (t.kind == hla::TokenKind::kAllele) {  // "A*01N": the digits move to code
      t.code.clear();
      AppendFields(t.fields, &t.code);
      t.fields.clear();
    }
    t.kind = hla::TokenKind::kLegacy;
    t.suffix = *r.begin();
    return;
  }
  if (n < 2 || n > kMaxCodeLetters) {
    _pass(ctx) = false;
    return;
  }
  if (t.kind == hla::TokenKind::kLegacy) {  // digits in code -> one field
    hla::Field f;
    for (char c : t.code) f.value = f.value * 10 + static_cast<uint32_t>(c - '0');
    f.width = static_cast<uint8_t>(t.code.size());
    t.fields.clear();
    t.fields.push_back(f);
  }
  t.kind = hla::TokenKind::kLegacyMac;
  t.code.assign(r.begin(), r.end());
};

// Serologic locus as WHO writes it now; "DRw"/"DQw" are older spellings.
struct SetSerologyLocus {
  const char* name;
  template <typename Context>
  void operator()(const Context& ctx) const {
    hla::Token& t = Scratch(ctx);
    t.kind = hla::TokenKind::kSerology;
    t.locus.assign(name);
    t.fields.clear();
    t.suffix = 0;
  }
};

// 1 to 4 digits without a leading zero: A2, A203, A2403, DR1403.
const auto set_serology_number = [](const auto& ctx) {
  const auto& r = _attr(ctx);
  const size_t n = static_cast<size_t>(r.size());
  if (n < 1 || n > 4 || *r.begin() == '0') {
    _pass(ctx) = false;
    return;
  }
  Scratch(ctx).code.assign(r.begin(), r.end());
};

const auto set_glsc_namespace = [](const auto& ctx) {
  const auto& r = _attr(ctx);
  State(ctx).glsc_namespace.assign(r.begin(), r.end());
};

const auto set_glsc_version = [](const auto& ctx) {
  const auto& r = _attr(ctx);
  State(ctx).glsc_version.assign(r.begin(), r.end());
};

// Pushes the finished name, as a leaf, on the node stack.
template <bool kShorthand>
struct PushLeaf {
  template <typename Context>
  void operator()(const Context& ctx) const {
    ParseState& state = State(ctx);
    const auto& r = _attr(ctx);
    state.nodes.emplace_back();
    hla::Token& token = state.nodes.back().token;
    token = std::move(state.scratch);
    token.shorthand = kShorthand;
    token.offset = static_cast<uint32_t>(r.begin() - state.begin);
    token.length = static_cast<uint32_t>(r.size());
  }
};

// A level starts: remember how many nodes are already on the stack.
const auto mark_level = [](const auto& ctx) {
  ParseState& state = State(ctx);
  state.marks.push_back(static_cast<uint32_t>(state.nodes.size()));
};

// A level ends: if it has two or more members, they become the children of
// one `Op` node; a single member stays as it is.
template <hla::GlOp Op>
struct ReduceLevel {
  template <typename Context>
  void operator()(const Context& ctx) const {
    ParseState& state = State(ctx);
    const size_t start = state.marks.back();
    state.marks.pop_back();
    if (state.nodes.size() - start < 2) return;
    hla::GlNode inner;
    inner.op = Op;
    inner.children.assign(std::make_move_iterator(state.nodes.begin() + start),
                          std::make_move_iterator(state.nodes.end()));
    state.nodes.erase(state.nodes.begin() + start, state.nodes.end());
    state.nodes.push_back(std::move(inner));
  }
};

// ---------------------------------------------------------------------------
// Rules. The string is the rule's name, shown to users as "expected <name>".

struct name_end_class;
struct end_of_input_class;
struct field_class;
struct name_tail_class;
struct code_letters_class;
struct v3_fields_class;
struct v3_rest_class;
struct v3_name_class;
struct legacy_name_class;
struct placeholder_word_class;
struct locus_placeholder_class;
struct allele_body_class;
struct molecular_class;
struct serology_locus_class;
struct serology_number_class;
struct serology_class;
struct bare_placeholder_class;
struct token_body_class;
struct leaf_class;
struct shorthand_body_class;
struct shorthand_class;
struct list_element_class;
struct allele_list_class;
struct haplotype_class;
struct genotype_class;
struct genotype_list_class;
struct multilocus_class;
struct paralog_class;
struct glsc_version_class;
struct glsc_hash_class;
struct glsc_class;

const x3::rule<name_end_class> name_end = "end of name";
const x3::rule<end_of_input_class> end_of_input = "end of input";
const x3::rule<field_class> field = "allele field";
const x3::rule<name_tail_class> name_tail = "name suffix";
const x3::rule<code_letters_class> code_letters = "allele code";
const x3::rule<v3_fields_class> v3_fields = "allele field";
const x3::rule<v3_rest_class> v3_rest = "allele field";
const x3::rule<v3_name_class> v3_name = "allele name";
const x3::rule<legacy_name_class> legacy_name = "allele name";
const x3::rule<placeholder_word_class> placeholder_word = "placeholder";
const x3::rule<locus_placeholder_class> locus_placeholder = "placeholder";
const x3::rule<allele_body_class> allele_body = "allele field";
const x3::rule<molecular_class> molecular = "allele name";
const x3::rule<serology_locus_class> serology_locus = "serologic locus";
const x3::rule<serology_number_class> serology_number = "serology number";
const x3::rule<serology_class> serology = "antigen";
const x3::rule<bare_placeholder_class> bare_placeholder = "placeholder";
const x3::rule<token_body_class> token_body = "HLA name";
const x3::rule<leaf_class> leaf = "HLA name";
const x3::rule<shorthand_body_class> shorthand_body = "allele field";
const x3::rule<shorthand_class> shorthand = "HLA name";
const x3::rule<list_element_class> list_element = "HLA name";
const x3::rule<allele_list_class> allele_list = "HLA name";
const x3::rule<haplotype_class> haplotype = "HLA name";
const x3::rule<genotype_class> genotype = "HLA name";
const x3::rule<genotype_list_class> genotype_list = "HLA name";
const x3::rule<multilocus_class> multilocus = "HLA name";
const x3::rule<paralog_class> paralog = "HLA name";
const x3::rule<glsc_version_class> glsc_version = "GLSC version";
const x3::rule<glsc_hash_class> glsc_hash = "'#'";
const x3::rule<glsc_class> glsc = "GLSC prefix";

// A name ends where an operator or the input does.
const auto name_end_def =
    &(lit('/') | lit('~') | lit('+') | lit('|') | lit('^') | lit('?') | eoi);
const auto end_of_input_def = eoi;

const auto field_def = field_digits[push_field];

// After the fields: G group, P group, small g (optionally after a suffix:
// "A*01:04Ng"), or an expression suffix.
const auto name_tail_def = lit('G')[set_g_group] | lit('P')[set_p_group] |
                           lit('g')[set_small_g] |
                           (ascii::char_("NLSCAQ")[set_suffix] >>
                            -lit('g')[set_small_g]);

const auto code_letters_def = raw[+ascii::upper][set_code_letters];

// "01[:01[:02]]" then an optional tail.
const auto v3_fields_def =
    (field >> x3::repeat(0, 2)[':' > field] >> -name_tail) > name_end;
const auto v3_rest_def = (code_letters > name_end) | v3_fields;
const auto v3_name_def = (field_digits[set_first_field] >> ':') > v3_rest;

const auto legacy_name_def = (raw[+ascii::digit][set_legacy_digits] >>
                              -raw[+ascii::upper][set_legacy_letters]) >
                             name_end;

const auto placeholder_word_def =
    lit("NNNN") | lit("XXXX") | lit("UUUU") | lit("NEW");
const auto locus_placeholder_def =
    raw[placeholder_word][set_placeholder] >> name_end;

const auto allele_body_def = locus_placeholder | v3_name | legacy_name;

const auto molecular_def =
    (raw[ascii::upper >> *(ascii::upper | ascii::digit)][set_locus] >> '*') >
    allele_body;

// Longest spelling first: "DQw" before "DQ", "Bw" before "B".
const auto serology_locus_def = lit("DPw")[SetSerologyLocus{"DPw"}] |
                                lit("DQw")[SetSerologyLocus{"DQ"}] |
                                lit("DRw")[SetSerologyLocus{"DR"}] |
                                lit("DQ")[SetSerologyLocus{"DQ"}] |
                                lit("DR")[SetSerologyLocus{"DR"}] |
                                lit("Cw")[SetSerologyLocus{"Cw"}] |
                                lit("Bw")[SetSerologyLocus{"Bw"}] |
                                lit("A")[SetSerologyLocus{"A"}] |
                                lit("B")[SetSerologyLocus{"B"}];
const auto serology_number_def = raw[+ascii::digit][set_serology_number];
const auto serology_def =
    (serology_locus >> &ascii::digit) > serology_number > name_end;

const auto bare_placeholder_def =
    raw[placeholder_word][set_bare_placeholder] >> name_end;

const auto token_body_def =
    bare_placeholder | (-lit("HLA-")[set_prefix] >> (molecular | serology));

const auto leaf_def = eps[reset_token] >> raw[token_body][PushLeaf<false>{}];

// Allele-list shorthand: trailing fields only ("02" in "A*01:01/02").
const auto shorthand_body_def =
    (field >> x3::repeat(0, 3)[':' > field] >> -name_tail) > name_end;
const auto shorthand_def =
    eps[reset_token] >> raw[shorthand_body][PushLeaf<true>{}];

const auto list_element_def = leaf | shorthand;

// Precedence, tightest first: '/' '~' '+' '|' '^' '?'. Each level is
// "first member, then (operator > member)*", bracketed by mark/reduce actions
// that build the n-ary node on the stack.
const auto allele_list_def = eps[mark_level] >> leaf >>
                             *(lit('/') > list_element) >>
                             eps[ReduceLevel<hla::GlOp::kAlleleList>{}];
const auto haplotype_def = eps[mark_level] >> allele_list >>
                           *(lit('~') > allele_list) >>
                           eps[ReduceLevel<hla::GlOp::kHaplotype>{}];
const auto genotype_def = eps[mark_level] >> haplotype >>
                          *(lit('+') > haplotype) >>
                          eps[ReduceLevel<hla::GlOp::kGenotype>{}];
const auto genotype_list_def = eps[mark_level] >> genotype >>
                               *(lit('|') > genotype) >>
                               eps[ReduceLevel<hla::GlOp::kGenotypeList>{}];
const auto multilocus_def = eps[mark_level] >> genotype_list >>
                            *(lit('^') > genotype_list) >>
                            eps[ReduceLevel<hla::GlOp::kMultilocus>{}];
const auto paralog_def = eps[mark_level] >> multilocus >>
                         *(lit('?') > multilocus) >>
                         eps[ReduceLevel<hla::GlOp::kParalog>{}];

// GL String Code: "hla#3.58.0#".
const auto glsc_version_def =
    raw[+(ascii::alnum | ascii::char_('.') | ascii::char_('-'))]
       [set_glsc_version];
const auto glsc_hash_def = lit('#');
const auto glsc_def =
    (raw[ascii::lower >> *(ascii::lower | ascii::digit)][set_glsc_namespace] >>
     '#') > glsc_version > glsc_hash;

BOOST_SPIRIT_DEFINE(name_end, end_of_input, field, name_tail, code_letters,
                    v3_fields, v3_rest, v3_name, legacy_name, placeholder_word,
                    locus_placeholder, allele_body, molecular, serology_locus,
                    serology_number, serology, bare_placeholder, token_body,
                    leaf, shorthand_body, shorthand, list_element, allele_list,
                    haplotype, genotype, genotype_list, multilocus, paralog,
                    glsc_version, glsc_hash, glsc)

}  // namespace grammar

// The top rules live in this namespace, where grammar.h declared them.
const gl_top_type gl_top = "typing";
const token_top_type token_top = "HLA name";

const auto gl_top_def =
    x3::eps > -grammar::glsc > grammar::paralog > grammar::end_of_input;
const auto token_top_def = x3::eps[grammar::reset_token] > grammar::token_body >
                           grammar::end_of_input;

BOOST_SPIRIT_DEFINE(gl_top, token_top)

}  // namespace hla::parser_internal

#endif  // HLA_PARSER_INTERNAL_GRAMMAR_DEF_H_
