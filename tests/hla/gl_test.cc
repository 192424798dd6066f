// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "hla/gl.h"

#include <initializer_list>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla {
namespace {

using ::testing::HasSubstr;

Field F(uint32_t value, uint8_t width) {
  Field f;
  f.value = value;
  f.width = width;
  return f;
}

Token Allele(absl::string_view locus, std::initializer_list<Field> fields,
             char suffix = 0) {
  Token t;
  t.locus = std::string(locus);
  for (const Field& f : fields) t.fields.push_back(f);
  t.suffix = suffix;
  return t;
}

GlNode Leaf(Token t) {
  GlNode n;
  n.token = std::move(t);
  return n;
}

GlNode Op(GlOp op, std::vector<GlNode> children) {
  GlNode n;
  n.op = op;
  n.children = std::move(children);
  return n;
}

TEST(TokenToString, PrintsEveryKind) {
  Token t = Allele("A", {F(1, 2), F(1, 2), F(1, 2), F(2, 2)}, 'N');
  t.hla_prefix = true;
  EXPECT_EQ(ToString(t), "HLA-A*01:01:01:02N");

  t = Allele("MICA", {F(1, 3)});
  EXPECT_EQ(ToString(t), "MICA*001");

  t = Allele("A", {F(1, 2), F(1, 2), F(1, 2)});
  t.kind = TokenKind::kGGroup;
  EXPECT_EQ(ToString(t), "A*01:01:01G");
  t.kind = TokenKind::kPGroup;
  EXPECT_EQ(ToString(t), "A*01:01:01P");
  t = Allele("A", {F(1, 2), F(4, 2)}, 'N');
  t.kind = TokenKind::kSmallG;
  EXPECT_EQ(ToString(t), "A*01:04Ng");

  t = Allele("A", {});
  t.kind = TokenKind::kLegacy;
  t.code = "0105";
  t.suffix = 'N';
  EXPECT_EQ(ToString(t), "A*0105N");

  t = Allele("DRB5", {F(2, 2)});
  t.kind = TokenKind::kLegacyMac;
  t.code = "ZB";
  EXPECT_EQ(ToString(t), "DRB5*02ZB");

  t = Allele("DRB1", {F(7, 2)});
  t.kind = TokenKind::kMac;
  t.code = "DFJR";
  EXPECT_EQ(ToString(t), "DRB1*07:DFJR");
  t.kind = TokenKind::kXX;
  t.code = "XX";
  EXPECT_EQ(ToString(t), "DRB1*07:XX");

  t = Allele("Cw", {});
  t.kind = TokenKind::kSerology;
  t.code = "7";
  EXPECT_EQ(ToString(t), "Cw7");

  t = Allele("DRB4", {});
  t.kind = TokenKind::kPlaceholder;
  t.code = "NNNN";
  EXPECT_EQ(ToString(t), "DRB4*NNNN");
  t.locus.clear();
  t.code = "NEW";
  EXPECT_EQ(ToString(t), "NEW");
}

TEST(GlNodeToString, JoinsChildrenWithTheirOperator) {
  GlNode tree = Op(GlOp::kMultilocus,
                   {Op(GlOp::kGenotype,
                       {Op(GlOp::kAlleleList,
                           {Leaf(Allele("A", {F(1, 2), F(1, 2)})),
                            Leaf(Allele("A", {F(1, 2), F(2, 2)}))}),
                        Leaf(Allele("A", {F(24, 2), F(2, 2)}))}),
                    Op(GlOp::kHaplotype, {Leaf(Allele("B", {F(8, 2), F(1, 2)})),
                                          Leaf(Allele("C", {F(7, 2), F(1, 2)}))})});
  EXPECT_EQ(ToString(tree), "A*01:01/A*01:02+A*24:02^B*08:01~C*07:01");
  EXPECT_EQ(DebugString(tree),
            "(^ (+ (/ A*01:01 A*01:02) A*24:02) (~ B*08:01 C*07:01))");
}

TEST(GlStringToString, PrintsGlscPrefix) {
  GlString gl;
  gl.glsc_namespace = "hla";
  gl.glsc_version = "3.58.0";
  gl.root = Leaf(Allele("A", {F(1, 2), F(1, 2)}));
  EXPECT_EQ(ToString(gl), "hla#3.58.0#A*01:01");
  EXPECT_EQ(DebugString(gl), "hla#3.58.0# A*01:01");
}

TEST(GlOp, CharsAndNames) {
  EXPECT_EQ(GlOpChar(GlOp::kParalog), '?');
  EXPECT_EQ(GlOpChar(GlOp::kMultilocus), '^');
  EXPECT_EQ(GlOpChar(GlOp::kGenotypeList), '|');
  EXPECT_EQ(GlOpChar(GlOp::kGenotype), '+');
  EXPECT_EQ(GlOpChar(GlOp::kHaplotype), '~');
  EXPECT_EQ(GlOpChar(GlOp::kAlleleList), '/');
  EXPECT_EQ(GlOpName(GlOp::kGenotypeList), "genotype_list");
  EXPECT_EQ(GlOpName(GlOp::kParalog), "paralog");
  EXPECT_EQ(TokenKindName(TokenKind::kLegacyMac), "legacy_mac");
  EXPECT_EQ(TokenKindName(TokenKind::kSmallG), "small_g");
}

TEST(ToJson, LeafHasEveryField) {
  Token t = Allele("A", {F(1, 2), F(1, 2)}, 'N');
  t.offset = 3;
  t.length = 8;
  EXPECT_EQ(ToJson(t),
            "{\"kind\":\"allele\",\"text\":\"A*01:01N\",\"hla_prefix\":false,"
            "\"locus\":\"A\",\"fields\":[\"01\",\"01\"],\"suffix\":\"N\","
            "\"code\":null,\"shorthand\":false,\"offset\":3,\"length\":8}");
}

TEST(ToJson, TreeAndGlsc) {
  GlString gl;
  gl.glsc_namespace = "hla";
  gl.glsc_version = "3.58.0";
  gl.root = Op(GlOp::kGenotype, {Leaf(Allele("A", {F(1, 2)})),
                                 Leaf(Allele("A", {F(2, 2)}))});
  const std::string json = ToJson(gl);
  EXPECT_THAT(json, HasSubstr("\"canonical\":\"hla#3.58.0#A*01+A*02\""));
  EXPECT_THAT(json, HasSubstr("\"glsc\":{\"namespace\":\"hla\",\"version\":\"3.58.0\"}"));
  EXPECT_THAT(json, HasSubstr("\"tree\":{\"op\":\"genotype\",\"operator\":\"+\",\"children\":[{"));
}

TEST(ToJson, EscapesStrings) {
  Token t = Allele("A\"\\\x01", {});
  t.kind = TokenKind::kPlaceholder;
  t.code = "NEW";
  EXPECT_THAT(ToJson(t), HasSubstr("\"locus\":\"A\\\"\\\\\\u0001\""));
}

TEST(GlNodeEquality, ComparesStructureAndTokens) {
  GlNode a = Op(GlOp::kGenotype, {Leaf(Allele("A", {F(1, 2)})),
                                  Leaf(Allele("A", {F(2, 2)}))});
  GlNode b = a;
  EXPECT_EQ(a, b);
  b.op = GlOp::kHaplotype;
  EXPECT_NE(a, b);
  b = a;
  b.children[1].token.suffix = 'N';
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace hla
