// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Table-driven tests of parser/parse.h: good names and GL strings with their
// canonical spelling and structure, bad inputs with code, offset and what was
// expected, round trips, limits.
#include "parser/parse.h"

// The public header must not drag Boost in: X3 stays inside parser/, and
// users of the installed library need no Boost headers.
#ifdef BOOST_VERSION
#error "parser/parse.h includes a Boost header"
#endif

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hla/gl.h"

namespace hla::parser {
namespace {

using ::testing::HasSubstr;

struct NameCase {
  const char* input;
  const char* canonical;
  TokenKind kind;
};

// Single names: canonical spelling and kind. Each is also checked through
// ParseGlString (a lone name is a GL String).
const NameCase kNames[] = {
    // WHO names since 2010, 1 to 4 fields, suffixes, HLA- prefix kept.
    {"A*02", "A*02", TokenKind::kAllele},
    {"A*02:01", "A*02:01", TokenKind::kAllele},
    {"A*02:01:01", "A*02:01:01", TokenKind::kAllele},
    {"A*02:01:01:01", "A*02:01:01:01", TokenKind::kAllele},
    {"HLA-A*01:01:01:02N", "HLA-A*01:01:01:02N", TokenKind::kAllele},
    {"B*39:01:01:02L", "B*39:01:01:02L", TokenKind::kAllele},
    {"B*56:01:01:05S", "B*56:01:01:05S", TokenKind::kAllele},
    {"A*24:329Q", "A*24:329Q", TokenKind::kAllele},
    {"A*01:01:38L", "A*01:01:38L", TokenKind::kAllele},
    {"C*04:09N", "C*04:09N", TokenKind::kAllele},
    {"A*24:02:01:02C", "A*24:02:01:02C", TokenKind::kAllele},
    {"B*44:02:01:02A", "B*44:02:01:02A", TokenKind::kAllele},
    {"DRB1*14:54:01:01", "DRB1*14:54:01:01", TokenKind::kAllele},
    {"DRB3*01:01:02:01", "DRB3*01:01:02:01", TokenKind::kAllele},
    {"DQA1*05:05:01:01", "DQA1*05:05:01:01", TokenKind::kAllele},
    {"DPB1*104:01", "DPB1*104:01", TokenKind::kAllele},
    {"DPB1*1001:01", "DPB1*1001:01", TokenKind::kAllele},
    {"A*02:1001", "A*02:1001", TokenKind::kAllele},
    {"MICA*001", "MICA*001", TokenKind::kAllele},
    {"MICA*040", "MICA*040", TokenKind::kAllele},
    {"MICB*001", "MICB*001", TokenKind::kAllele},
    {"HFE*002", "HFE*002", TokenKind::kAllele},
    {"TAP1*01:01:01:01", "TAP1*01:01:01:01", TokenKind::kAllele},
    {"HLA-Z*01:01:01:01", "HLA-Z*01:01:01:01", TokenKind::kAllele},
    {"HLA-B*51", "HLA-B*51", TokenKind::kAllele},
    {"A*99:99", "A*99:99", TokenKind::kAllele},  // syntax only
    // Pre-2010 names: digits kept, split left to the resolver.
    {"A*0201", "A*0201", TokenKind::kLegacy},
    {"A*010101", "A*010101", TokenKind::kLegacy},
    {"A*02010101", "A*02010101", TokenKind::kLegacy},
    {"A*01011", "A*01011", TokenKind::kLegacy},
    {"DPA1*01011", "DPA1*01011", TokenKind::kLegacy},
    {"A*0105N", "A*0105N", TokenKind::kLegacy},
    {"A*01N", "A*01N", TokenKind::kLegacy},
    {"DQB1*0804", "DQB1*0804", TokenKind::kLegacy},
    {"DRB5*02ZB", "DRB5*02ZB", TokenKind::kLegacyMac},
    {"A*01XX", "A*01XX", TokenKind::kLegacyMac},
    // Groups.
    {"A*01:01:01G", "A*01:01:01G", TokenKind::kGGroup},
    {"DPB1*28:01:01G", "DPB1*28:01:01G", TokenKind::kGGroup},
    {"B*07:02P", "B*07:02P", TokenKind::kPGroup},
    {"HLA-DRB1*02:03P", "HLA-DRB1*02:03P", TokenKind::kPGroup},
    {"A*01:01g", "A*01:01g", TokenKind::kSmallG},
    {"HLA-A*01:04Ng", "HLA-A*01:04Ng", TokenKind::kSmallG},
    // MAC and XX codes.
    {"A*02:AB", "A*02:AB", TokenKind::kMac},
    {"HLA-A*25:BYHR", "HLA-A*25:BYHR", TokenKind::kMac},
    {"DRB1*07:DFJR", "DRB1*07:DFJR", TokenKind::kMac},
    {"A*68:AJEBX", "A*68:AJEBX", TokenKind::kMac},
    {"A*01:MN", "A*01:MN", TokenKind::kMac},  // a MAC, not a null
    {"A*01:AN", "A*01:AN", TokenKind::kMac},
    {"A*02:XX", "A*02:XX", TokenKind::kXX},
    {"HLA-B*40:XX", "HLA-B*40:XX", TokenKind::kXX},
    {"DPB1*548:XX", "DPB1*548:XX", TokenKind::kXX},
    // WMDA placeholders.
    {"NEW", "NEW", TokenKind::kPlaceholder},
    {"NNNN", "NNNN", TokenKind::kPlaceholder},
    {"DRBX*NNNN", "DRBX*NNNN", TokenKind::kPlaceholder},
    {"HLA-DRB4*NNNN", "HLA-DRB4*NNNN", TokenKind::kPlaceholder},
    {"A*XXXX", "A*XXXX", TokenKind::kPlaceholder},
    {"A*UUUU", "A*UUUU", TokenKind::kPlaceholder},
    {"A*NEW", "A*NEW", TokenKind::kPlaceholder},
    // Serology.
    {"A2", "A2", TokenKind::kSerology},
    {"A203", "A203", TokenKind::kSerology},
    {"A2403", "A2403", TokenKind::kSerology},
    {"B44", "B44", TokenKind::kSerology},
    {"B3901", "B3901", TokenKind::kSerology},
    {"Bw4", "Bw4", TokenKind::kSerology},
    {"Bw6", "Bw6", TokenKind::kSerology},
    {"Cw7", "Cw7", TokenKind::kSerology},
    {"Cw10", "Cw10", TokenKind::kSerology},
    {"DR4", "DR4", TokenKind::kSerology},
    {"DR52", "DR52", TokenKind::kSerology},
    {"DR1403", "DR1403", TokenKind::kSerology},
    {"DQ8", "DQ8", TokenKind::kSerology},
    {"DPw6", "DPw6", TokenKind::kSerology},
    {"DRw52", "DR52", TokenKind::kSerology},  // older spelling, normalised
    {"DQw7", "DQ7", TokenKind::kSerology},
    {"HLA-A2", "HLA-A2", TokenKind::kSerology},
    {"HLA-DR4", "HLA-DR4", TokenKind::kSerology},
    {"A100", "A100", TokenKind::kSerology},  // syntax only: no such antigen
    // Whitespace around the whole typing.
    {"  A*01:01\t", "A*01:01", TokenKind::kAllele},
    {"A*01:01\r\n", "A*01:01", TokenKind::kAllele},
};

TEST(ParseToken, NamesTable) {
  for (const NameCase& c : kNames) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<Token> token = ParseToken(c.input);
    ASSERT_TRUE(token.ok()) << token.status();
    EXPECT_EQ(ToString(*token), c.canonical);
    EXPECT_EQ(token->kind, c.kind) << TokenKindName(token->kind);
  }
}

TEST(ParseGlString, NamesTableAsLoneLeaves) {
  for (const NameCase& c : kNames) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<GlString> gl = ParseGlString(c.input);
    ASSERT_TRUE(gl.ok()) << gl.status();
    ASSERT_TRUE(gl->root.is_leaf());
    EXPECT_EQ(ToString(*gl), c.canonical);
    EXPECT_EQ(gl->root.token.kind, c.kind);
  }
}

TEST(ParseToken, FillsTokenFields) {
  absl::StatusOr<Token> t = ParseToken("HLA-A*01:01:01:02N");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->hla_prefix);
  EXPECT_EQ(t->locus, "A");
  ASSERT_EQ(t->fields.size(), 4u);
  EXPECT_EQ(t->fields[3].value, 2u);
  EXPECT_EQ(t->fields[3].width, 2u);
  EXPECT_EQ(t->suffix, 'N');
  EXPECT_EQ(t->code, "");
  EXPECT_EQ(t->offset, 0u);
  EXPECT_EQ(t->length, 18u);

  t = ParseToken("DRB1*07:DFJR");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->locus, "DRB1");
  ASSERT_EQ(t->fields.size(), 1u);
  EXPECT_EQ(t->fields[0].value, 7u);
  EXPECT_EQ(t->code, "DFJR");

  t = ParseToken("A*0105N");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->fields.empty());
  EXPECT_EQ(t->code, "0105");
  EXPECT_EQ(t->suffix, 'N');

  t = ParseToken("A*01N");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->fields.empty());
  EXPECT_EQ(t->code, "01");
  EXPECT_EQ(t->suffix, 'N');

  t = ParseToken("DRB5*02ZB");
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->fields.size(), 1u);
  EXPECT_EQ(t->fields[0].width, 2u);
  EXPECT_EQ(t->code, "ZB");

  t = ParseToken("A*0201AB");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->kind, TokenKind::kLegacyMac);
  ASSERT_EQ(t->fields.size(), 1u);
  EXPECT_EQ(t->fields[0].value, 201u);
  EXPECT_EQ(t->fields[0].width, 4u);
  EXPECT_EQ(ToString(*t), "A*0201AB");

  t = ParseToken("Cw7");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->locus, "Cw");
  EXPECT_EQ(t->code, "7");

  t = ParseToken("NEW");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->locus, "");
  EXPECT_EQ(t->code, "NEW");

  t = ParseToken("  B*07:02  ");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->offset, 2u);
  EXPECT_EQ(t->length, 7u);
}

struct GlCase {
  const char* input;
  const char* canonical;
  const char* debug;
};

const GlCase kGlStrings[] = {
    {"A*01:01/A*01:02", "A*01:01/A*01:02", "(/ A*01:01 A*01:02)"},
    {"A*01:01+A*02:01", "A*01:01+A*02:01", "(+ A*01:01 A*02:01)"},
    {"A*01:01~B*08:01", "A*01:01~B*08:01", "(~ A*01:01 B*08:01)"},
    {"A*01:01+A*02:01|A*01:02+A*02:05", "A*01:01+A*02:01|A*01:02+A*02:05",
     "(| (+ A*01:01 A*02:01) (+ A*01:02 A*02:05))"},
    {"A*01:01+A*02:01^B*08:01+B*44:02", "A*01:01+A*02:01^B*08:01+B*44:02",
     "(^ (+ A*01:01 A*02:01) (+ B*08:01 B*44:02))"},
    // Precedence: '/' binds tightest, then '~', '+', '|', '^', '?' loosest.
    {"A*01:01/A*01:02~B*08:01", "A*01:01/A*01:02~B*08:01",
     "(~ (/ A*01:01 A*01:02) B*08:01)"},
    {"A*01:01~B*08:01+A*02:01~B*44:02", "A*01:01~B*08:01+A*02:01~B*44:02",
     "(+ (~ A*01:01 B*08:01) (~ A*02:01 B*44:02))"},
    {"A*01:01|A*02:01+A*03:01", "A*01:01|A*02:01+A*03:01",
     "(| A*01:01 (+ A*02:01 A*03:01))"},
    {"A*01:01^B*08:01|B*08:02", "A*01:01^B*08:01|B*08:02",
     "(^ A*01:01 (| B*08:01 B*08:02))"},
    {"A*01:01/A*01:02+A*24:02^B*08:01~C*07:01",
     "A*01:01/A*01:02+A*24:02^B*08:01~C*07:01",
     "(^ (+ (/ A*01:01 A*01:02) A*24:02) (~ B*08:01 C*07:01))"},
    // GL String 1.1: '?' is looser than '^'.
    {"KIR2DL5A*0010101+KIR2DL5A*0010201?KIR2DL5B*0010201+KIR2DL5B*0010301",
     "KIR2DL5A*0010101+KIR2DL5A*0010201?KIR2DL5B*0010201+KIR2DL5B*0010301",
     "(? (+ KIR2DL5A*0010101 KIR2DL5A*0010201) "
     "(+ KIR2DL5B*0010201 KIR2DL5B*0010301))"},
    {"A*01:01^B*08:01?A*01:01^C*07:01", "A*01:01^B*08:01?A*01:01^C*07:01",
     "(? (^ A*01:01 B*08:01) (^ A*01:01 C*07:01))"},
    {"A*01:01/A*01:02/A*01:03", "A*01:01/A*01:02/A*01:03",
     "(/ A*01:01 A*01:02 A*01:03)"},
    {"A*01:01+A*01:01", "A*01:01+A*01:01", "(+ A*01:01 A*01:01)"},
    // Allele-list shorthand: trailing fields only.
    {"A*01:01/02", "A*01:01/A*01:02", "(/ A*01:01 A*01:02)"},
    {"HLA-A*01:01/02/03", "HLA-A*01:01/HLA-A*01:02/HLA-A*01:03",
     "(/ HLA-A*01:01 HLA-A*01:02 HLA-A*01:03)"},
    {"B*07:02:01:01/02", "B*07:02:01:01/B*07:02:01:02",
     "(/ B*07:02:01:01 B*07:02:01:02)"},
    {"B*18:01/18:17N", "B*18:01/B*18:17N", "(/ B*18:01 B*18:17N)"},
    {"B*27:05/37", "B*27:05/B*27:37", "(/ B*27:05 B*27:37)"},
    {"DRB1*01:01:01G/02:01G", "DRB1*01:01:01G/DRB1*01:02:01G",
     "(/ DRB1*01:01:01G DRB1*01:02:01G)"},
    {"A*01:01/02+A*24:02/03", "A*01:01/A*01:02+A*24:02/A*24:03",
     "(+ (/ A*01:01 A*01:02) (/ A*24:02 A*24:03))"},
    {"A*01/01:01:01", "A*01/A*01:01:01", "(/ A*01 A*01:01:01)"},
    // GL String Code.
    {"hla#3.58.0#HLA-A*01:01+HLA-A*02:01", "hla#3.58.0#HLA-A*01:01+HLA-A*02:01",
     "hla#3.58.0# (+ HLA-A*01:01 HLA-A*02:01)"},
    {"hla#3.25.0#HLA-A*01:01:01:01/HLA-A*01:02",
     "hla#3.25.0#HLA-A*01:01:01:01/HLA-A*01:02",
     "hla#3.25.0# (/ HLA-A*01:01:01:01 HLA-A*01:02)"},
    {"kir#2.7.0#KIR2DL4*001", "kir#2.7.0#KIR2DL4*001", "kir#2.7.0# KIR2DL4*001"},
    {"hla#2023-06-01#A*01:01", "hla#2023-06-01#A*01:01", "hla#2023-06-01# A*01:01"},
    // Mixed kinds in one typing.
    {"DRB3*03:ECXMH+DRBX*NNNN", "DRB3*03:ECXMH+DRBX*NNNN",
     "(+ DRB3*03:ECXMH DRBX*NNNN)"},
    {"A2+A24^B44+Bw6^DR4+DR52", "A2+A24^B44+Bw6^DR4+DR52",
     "(^ (+ A2 A24) (+ B44 Bw6) (+ DR4 DR52))"},
    {"A*02:XX+A*01:01:01G", "A*02:XX+A*01:01:01G", "(+ A*02:XX A*01:01:01G)"},
    {" A*01:01+A*02:01 \n", "A*01:01+A*02:01", "(+ A*01:01 A*02:01)"},
};

TEST(ParseGlString, GlTable) {
  for (const GlCase& c : kGlStrings) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<GlString> gl = ParseGlString(c.input);
    ASSERT_TRUE(gl.ok()) << gl.status();
    EXPECT_EQ(ToString(*gl), c.canonical);
    EXPECT_EQ(DebugString(*gl), c.debug);
  }
}

TEST(ParseGlString, ShorthandIsMarkedAndKeepsItsSpan) {
  absl::StatusOr<GlString> gl = ParseGlString("A*01:01/02");
  ASSERT_TRUE(gl.ok());
  ASSERT_EQ(gl->root.children.size(), 2u);
  const Token& first = gl->root.children[0].token;
  const Token& second = gl->root.children[1].token;
  EXPECT_FALSE(first.shorthand);
  EXPECT_TRUE(second.shorthand);
  EXPECT_EQ(second.locus, "A");
  EXPECT_EQ(second.offset, 8u);
  EXPECT_EQ(second.length, 2u);
}

TEST(ParseGlString, LeafOffsetsAreInTheUntrimmedInput) {
  absl::StatusOr<GlString> gl = ParseGlString("  A*01:01+HLA-B*08:01");
  ASSERT_TRUE(gl.ok());
  ASSERT_EQ(gl->root.children.size(), 2u);
  EXPECT_EQ(gl->root.children[0].token.offset, 2u);
  EXPECT_EQ(gl->root.children[0].token.length, 7u);
  EXPECT_EQ(gl->root.children[1].token.offset, 10u);
  EXPECT_EQ(gl->root.children[1].token.length, 11u);
}

TEST(ParseGlString, GlscFieldsAreKept) {
  absl::StatusOr<GlString> gl = ParseGlString("hla#3.58.0#A*01:01");
  ASSERT_TRUE(gl.ok());
  EXPECT_EQ(gl->glsc_namespace, "hla");
  EXPECT_EQ(gl->glsc_version, "3.58.0");
  gl = ParseGlString("A*01:01");
  ASSERT_TRUE(gl.ok());
  EXPECT_EQ(gl->glsc_namespace, "");
  EXPECT_EQ(gl->glsc_version, "");
}

struct BadCase {
  const char* input;
  size_t offset;
  const char* expected;
};

const BadCase kBad[] = {
    {"", 0, "HLA name"},
    {"   ", 3, "HLA name"},
    {"DRB1*14:", 8, "allele field"},
    {"A*", 2, "allele field"},
    {"A*0.123", 2, "allele field"},
    {"A*1", 2, "allele field"},          // WHO fields have 2+ digits
    {"A*ABC", 2, "allele field"},
    {"A*01:", 5, "allele field"},
    {"A*01:1", 5, "allele field"},
    {"A*01:01234", 5, "allele field"},
    {"A*01:01:", 8, "allele field"},
    {"DQA1*01:01:01:G", 14, "allele field"},  // empty field before G
    {"A*01:02:XX", 8, "allele field"},        // XX only after the 1st field
    {"A*01:xx", 5, "allele field"},           // XX is case-sensitive
    {"A*01:N", 5, "allele field"},
    {"A*01:01:01:01:01", 13, "end of name"},  // at most 4 fields
    {"A*01:01x", 7, "end of name"},
    {"A*01:01NG", 8, "end of name"},
    {"A*01:01Gg", 8, "end of name"},
    {"A*01:AB1", 7, "end of name"},
    {"A*0201X", 6, "end of name"},
    {"A*020101011", 2, "allele field"},       // 9 digits: no legacy name
    {"A*01:01 +A*02:01", 7, "end of name"},   // inner whitespace
    {"A*01:01 A*02:01", 7, "end of name"},
    {"A*01:01+", 8, "HLA name"},
    {"A*01:01/", 8, "HLA name"},
    {"A*01:01^^B*08:01", 8, "HLA name"},
    {"+A*01:01", 0, "HLA name"},
    {"A*01:01+02:01", 8, "HLA name"},         // shorthand only after '/'
    {"02:01", 0, "HLA name"},
    {"a*01:01", 0, "HLA name"},
    {"C7", 0, "HLA name"},                    // C antigens are Cw
    {"DP6", 0, "HLA name"},                   // DP antigens are DPw
    {"DRB1", 0, "HLA name"},
    {"HLA-", 0, "HLA name"},
    {"HLA-NEW", 0, "HLA name"},
    {"NEWX", 0, "HLA name"},
    {"A0", 1, "serology number"},             // no leading zero
    {"A24031", 1, "serology number"},         // at most 4 digits
    {"hla#", 4, "GLSC version"},
    {"hla#3.58.0", 10, "'#'"},
    {"hla#3.58.0#", 11, "HLA name"},
    {"A*01:01#", 7, "end of name"},
    {"(A*01:01)", 0, "HLA name"},
    {"A*0201/02", 7, "allele name with locus"},  // no shorthand after legacy
    {"A2/3", 3, "HLA name"},               // shorthand fields have 2+ digits
    {"A2/03", 3, "allele name with locus"},  // no shorthand after serology
    {"A*02:AB/01", 8, "allele name with locus"},
    // Shorthand that would spell no name (found by the fuzzer).
    {"DPB*02/0102P", 7, "allele field"},
    {"A*02/0102", 5, "allele field"},
    {"A*02/03N", 5, "allele field"},
    {"A*01:01\xC3\xA9", 7, "ASCII character"},
    {"A*01:01\x01", 7, "end of name"},
};

TEST(ParseGlString, BadInputsReportOffsetAndExpectation) {
  for (const BadCase& c : kBad) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<GlString> gl = ParseGlString(c.input);
    ASSERT_FALSE(gl.ok()) << ToString(*gl);
    EXPECT_EQ(gl.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ParseErrorOffset(gl.status()), c.offset) << gl.status();
    EXPECT_EQ(ParseErrorExpected(gl.status()), c.expected) << gl.status();
    EXPECT_THAT(gl.status().message(),
                HasSubstr(absl::StrCat("expected ", c.expected, " at offset ",
                                       c.offset, " in '")));
  }
}

TEST(ParseGlString, NulByteInsideIsAnError) {
  const std::string text("A*01:01\0+A*02:01", 16);
  absl::StatusOr<GlString> gl = ParseGlString(text);
  ASSERT_FALSE(gl.ok());
  EXPECT_EQ(ParseErrorOffset(gl.status()), 7u);
  EXPECT_THAT(gl.status().message(), HasSubstr("\\x00"));  // escaped in quote
}

TEST(ParseGlString, MessageMatchesTheIssueExample) {
  absl::StatusOr<GlString> gl = ParseGlString("DRB1*14:");
  ASSERT_FALSE(gl.ok());
  EXPECT_EQ(gl.status().message(),
            "expected allele field at offset 8 in 'DRB1*14:'");
}

TEST(ParseGlString, OffsetsCountLeadingWhitespace) {
  absl::StatusOr<GlString> gl = ParseGlString("  DRB1*14:");
  ASSERT_FALSE(gl.ok());
  EXPECT_EQ(ParseErrorOffset(gl.status()), 10u);
  EXPECT_EQ(gl.status().message(),
            "expected allele field at offset 10 in '  DRB1*14:'");
}

TEST(ParseToken, RejectsOperatorsAndShorthand) {
  for (const char* text : {"A*01:01+A*02:01", "A*01:01/02", "hla#3.58.0#A*01:01"}) {
    SCOPED_TRACE(text);
    absl::StatusOr<Token> t = ParseToken(text);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<Token> t = ParseToken("A*01:01+A*02:01");
  EXPECT_EQ(ParseErrorOffset(t.status()), 7u);
  EXPECT_EQ(ParseErrorExpected(t.status()), "end of input");
  t = ParseToken("DRB1*14:");
  EXPECT_EQ(t.status().message(),
            "expected allele field at offset 8 in 'DRB1*14:'");
}

TEST(Limits, OverLongGlStringIsOutOfRangeNotTruncated) {
  std::string text = "A*01:01";
  while (text.size() <= kMaxGlStringBytes) text += "/A*01:01";
  absl::StatusOr<GlString> gl = ParseGlString(text);
  ASSERT_FALSE(gl.ok());
  EXPECT_EQ(gl.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ParseErrorOffset(gl.status()), kMaxGlStringBytes);
  EXPECT_THAT(gl.status().message(), HasSubstr("over the limit of 1048576 bytes"));
}

TEST(Limits, GlStringAtTheLimitParses) {
  // "A*01:01" + n * "/A*01:01", padded with whitespace to exactly the limit.
  std::string text = "A*01:01";
  while (text.size() + 8 <= kMaxGlStringBytes) text += "/A*01:01";
  text.append(kMaxGlStringBytes - text.size(), ' ');
  ASSERT_EQ(text.size(), kMaxGlStringBytes);
  absl::StatusOr<GlString> gl = ParseGlString(text);
  ASSERT_TRUE(gl.ok()) << gl.status().code();
  EXPECT_EQ(gl->root.children.size(), (kMaxGlStringBytes - 7) / 8 + 1);
}

TEST(Limits, OverLongTokenIsOutOfRange) {
  const std::string text(kMaxTokenBytes + 1, 'A');
  absl::StatusOr<Token> t = ParseToken(text);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(ParseErrorOffset(t.status()), kMaxTokenBytes);
}

TEST(Limits, LongInputsAreQuotedAsAWindow) {
  std::string text = "A*01:01";
  for (int i = 0; i < 100; ++i) text += "/A*01:01";
  text += "/A*01:";
  absl::StatusOr<GlString> gl = ParseGlString(text);
  ASSERT_FALSE(gl.ok());
  EXPECT_EQ(ParseErrorOffset(gl.status()), text.size());
  const std::string message(gl.status().message());
  EXPECT_THAT(message, HasSubstr("in '..."));
  EXPECT_THAT(message, HasSubstr("/A*01:01/A*01:'"));
  EXPECT_LT(gl.status().message().size(), 200u);
}

TEST(Limits, LongLocusAndCodesAreRejected) {
  EXPECT_TRUE(ParseToken("ABCDEFGHIJKLMNO*01:01").ok());  // 15 characters
  EXPECT_FALSE(ParseToken("ABCDEFGHIJKLMNOP*01:01").ok());
  EXPECT_TRUE(ParseToken("A*01:ABCDEFGH").ok());  // 8 letters
  EXPECT_FALSE(ParseToken("A*01:ABCDEFGHI").ok());
}

TEST(ParseErrorPayload, AbsentForOtherStatuses) {
  EXPECT_EQ(ParseErrorOffset(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(ParseErrorOffset(absl::InvalidArgumentError("x")), std::nullopt);
  EXPECT_EQ(ParseErrorExpected(absl::InvalidArgumentError("x")), std::nullopt);
}

// print(parse(x)) is canonical: parsing the canonical form gives the same tree
// spelling again, for every good input above.
TEST(RoundTrip, CanonicalFormIsAFixedPoint) {
  std::vector<std::string> inputs;
  for (const NameCase& c : kNames) inputs.push_back(c.input);
  for (const GlCase& c : kGlStrings) inputs.push_back(c.input);
  for (const std::string& input : inputs) {
    SCOPED_TRACE(input);
    absl::StatusOr<GlString> first = ParseGlString(input);
    ASSERT_TRUE(first.ok());
    const std::string canonical = ToString(*first);
    absl::StatusOr<GlString> second = ParseGlString(canonical);
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(ToString(*second), canonical);
    EXPECT_EQ(DebugString(*second), DebugString(*first));
  }
}

TEST(Json, ParseTreeDump) {
  absl::StatusOr<GlString> gl = ParseGlString("A*01:01/02+DRB1*07:DFJR");
  ASSERT_TRUE(gl.ok());
  EXPECT_EQ(
      ToJson(*gl),
      "{\"canonical\":\"A*01:01/A*01:02+DRB1*07:DFJR\",\"glsc\":null,"
      "\"tree\":{\"op\":\"genotype\",\"operator\":\"+\",\"children\":["
      "{\"op\":\"allele_list\",\"operator\":\"/\",\"children\":["
      "{\"kind\":\"allele\",\"text\":\"A*01:01\",\"hla_prefix\":false,"
      "\"locus\":\"A\",\"fields\":[\"01\",\"01\"],\"suffix\":null,\"code\":null,"
      "\"shorthand\":false,\"offset\":0,\"length\":7},"
      "{\"kind\":\"allele\",\"text\":\"A*01:02\",\"hla_prefix\":false,"
      "\"locus\":\"A\",\"fields\":[\"01\",\"02\"],\"suffix\":null,\"code\":null,"
      "\"shorthand\":true,\"offset\":8,\"length\":2}]},"
      "{\"kind\":\"mac\",\"text\":\"DRB1*07:DFJR\",\"hla_prefix\":false,"
      "\"locus\":\"DRB1\",\"fields\":[\"07\"],\"suffix\":null,\"code\":\"DFJR\","
      "\"shorthand\":false,\"offset\":11,\"length\":12}]}}");
}

}  // namespace
}  // namespace hla::parser
