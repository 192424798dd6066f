// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The resolver and reducer on the synthetic release of data_test_util.h
// (13 alleles) and a four-code MAC table.
#include "data/resolve.h"

#include <memory>
#include <string>
#include <vector>

#include "data/mac_table.h"
#include "data/reduce.h"
#include "data/reference.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "parser/parse.h"
#include "tests/data/data_test_util.h"

namespace hla::data {
namespace {

using ::hla::data_testing::MiniRelease;
using ::hla::data_testing::StatusIs;
using ::hla::data_testing::WriteRelease;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr auto kNotFound = absl::StatusCode::kNotFound;
constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

class ResolveTest : public ::testing::Test {
 protected:
  // No assertion here: a failure in SetUpTestSuite makes gtest report every
  // test as SKIPPED, which ctest counts as passing. SetUp() fails instead.
  static void SetUpTestSuite() {
    auto ref = Reference::Load({WriteRelease(MiniRelease(), "resolve")});
    if (!ref.ok()) {
      load_error_ = new std::string(ref.status().ToString());
      return;
    }
    ref_ = new std::shared_ptr<const Reference>(*ref);
    auto macs = MacTable::Parse(
        "LAST UPDATED: 2020-07-11 (test)\n*\tCODE\tSUBTYPE\n\n"
        "\tAB\t01/02\n\tAC\t02/03\n*\tXY\t01:01/01:29/24:329Q\n"
        "*\tGD\t03:01/52:01\n",
        "mac.txt");
    if (!macs.ok()) {
      load_error_ = new std::string(macs.status().ToString());
      return;
    }
    macs_ = new std::shared_ptr<const MacTable>(*macs);
  }
  void SetUp() override {
    ASSERT_EQ(load_error_, nullptr) << *load_error_;
  }
  static inline std::string* load_error_ = nullptr;

  static absl::StatusOr<ResolvedTyping> Resolve(const std::string& text,
                                                ResolveOptions o = {}) {
    absl::StatusOr<GlString> gl = parser::ParseGlString(text);
    if (!gl.ok()) return gl.status();
    return Resolver(*ref_, *macs_, o).Resolve(*gl);
  }

  // The IMGT names of a single-leaf typing, or the error message.
  static std::vector<std::string> Names(const std::string& text,
                                        ResolveOptions o = {}) {
    absl::StatusOr<ResolvedTyping> t = Resolve(text, o);
    if (!t.ok()) return {std::string(t.status().message())};
    std::vector<std::string> out;
    for (AlleleId id : t->root.leaf.alleles) {
      out.emplace_back((*ref_)->allele(id).name);
    }
    return out;
  }

  static std::string Reduce(const std::string& text, ReductionLevel level,
                            ReduceOptions o = {}) {
    absl::StatusOr<GlString> gl = parser::ParseGlString(text);
    if (!gl.ok()) return std::string(gl.status().message());
    absl::StatusOr<ReduceResult> r = Reducer(*ref_, *macs_, o).Reduce(*gl, level);
    return r.ok() ? r->text : absl::StrCat("error: ", r.status().message());
  }

  static std::shared_ptr<const Reference>* ref_;
  static std::shared_ptr<const MacTable>* macs_;
};

std::shared_ptr<const Reference>* ResolveTest::ref_ = nullptr;
std::shared_ptr<const MacTable>* ResolveTest::macs_ = nullptr;

TEST_F(ResolveTest, ExactAllele) {
  EXPECT_THAT(Names("HLA-A*01:01:01:01"), ElementsAre("A*01:01:01:01"));
  auto t = Resolve("A*01:01:01:01");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->root.leaf.kind, LeafKind::kAllele);
  EXPECT_THAT(t->warnings, IsEmpty());
}

TEST_F(ResolveTest, TruncatedNameStandsForEveryAlleleItPrefixes) {
  EXPECT_THAT(Names("A*01:01"),
              ElementsAre("A*01:01:01:01", "A*01:01:01:02N", "A*01:01:02"));
  EXPECT_THAT(Names("A*01:01:01"),
              ElementsAre("A*01:01:01:01", "A*01:01:01:02N"));
}

TEST_F(ResolveTest, TruncationRespectsFieldBoundaries) {
  // A*01:10 is not a prefix of A*01:100, and A*01:1 is not A*01:11N.
  EXPECT_THAT(Resolve("A*01:10"), StatusIs(kNotFound, "'A*01:10' at offset 0"));
  EXPECT_THAT(Names("A*01:100"), ElementsAre("A*01:100"));
}

TEST_F(ResolveTest, SuffixedTruncationKeepsMembersWithThatSuffix) {
  EXPECT_THAT(Names("A*01:01N"), ElementsAre("A*01:01:01:02N"));
  EXPECT_THAT(Resolve("A*01:01Q"), StatusIs(kNotFound, "not an allele"));
}

TEST_F(ResolveTest, StrictRejectsMisspelledSuffixNonStrictRepairsIt) {
  EXPECT_THAT(Resolve("A*01:29N"),
              StatusIs(kNotFound, "not an allele of IPD-IMGT/HLA 9.99.0"));
  ResolveOptions lax;
  lax.strict = false;
  EXPECT_THAT(Names("A*01:29N", lax), ElementsAre("A*01:29"));
}

TEST_F(ResolveTest, SmallGOnlyInNonStrictMode) {
  EXPECT_THAT(Resolve("A*01:01g"), StatusIs(kInvalid, "non-strict"));
  ResolveOptions lax;
  lax.strict = false;
  auto t = Resolve("A*01:01g", lax);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->root.leaf.kind, LeafKind::kSmallG);
  EXPECT_FALSE(t->root.leaf.alleles.empty());
}

TEST_F(ResolveTest, RenamedSuffixMapsWithWarning) {
  // Deleted_alleles.txt: A*24:329 renamed A*24:329Q.
  auto t = Resolve("A*24:329");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->root.leaf.kind, LeafKind::kHistory);
  ASSERT_EQ(t->root.leaf.alleles.size(), 1u);
  EXPECT_EQ((*ref_)->allele(t->root.leaf.alleles[0]).name, "A*24:329Q");
  ASSERT_EQ(t->warnings.size(), 1u);
  EXPECT_THAT(t->warnings[0], HasSubstr("read as A*24:329Q"));
}

TEST_F(ResolveTest, DeletedLegacyNameMapsWithWarningNamingTheDate) {
  auto t = Resolve("A*0105N");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*ref_)->allele(t->root.leaf.alleles[0]).name, "A*01:04:01:01N");
  ASSERT_EQ(t->warnings.size(), 1u);
  EXPECT_THAT(t->warnings[0], HasSubstr("'A*0105N' at offset 0: withdrawn"));
  EXPECT_THAT(t->warnings[0], HasSubstr("2001-07-17"));
  EXPECT_THAT(t->warnings[0], HasSubstr("release 9.99.0"));
}

TEST_F(ResolveTest, RenameChainsFollowToTheCurrentName) {
  // A*0101 -> A*0102 -> A*01:01:01:01.
  EXPECT_THAT(Names("A*0101"), ElementsAre("A*01:01:01:01"));
}

TEST_F(ResolveTest, LegacyNameSplitsDigitsWhenNotInHistory) {
  auto t = Resolve("A*01100");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->root.leaf.kind, LeafKind::kLegacy);
  EXPECT_EQ(t->root.leaf.normalized, "A*01:100");
  EXPECT_THAT(t->warnings, ElementsAre(HasSubstr("pre-2010 name read as A*01:100")));
  EXPECT_THAT(Resolve("A*0199"),
              StatusIs(kNotFound, "pre-2010 name (read as A*01:99)"));
}

TEST_F(ResolveTest, WithdrawnNameWithoutSuccessorIsAnError) {
  EXPECT_THAT(Resolve("A*02:100"),
              StatusIs(kNotFound, "with no current successor"));
}

TEST_F(ResolveTest, GenericMacAppliesToAnyFirstField) {
  // AB = 01/02: A*01:02 does not exist, so only A*01:01.
  EXPECT_THAT(Names("A*01:AB"),
              ElementsAre("A*01:01:01:01", "A*01:01:01:02N", "A*01:01:02"));
  // AC = 02/03 with first field 07: B*07:02.
  EXPECT_THAT(Names("B*07:AC"), ElementsAre("B*07:02:01"));
}

TEST_F(ResolveTest, AlleleSpecificMacOnlyWithItsFirstField) {
  EXPECT_THAT(Names("A*01:XY"),
              ElementsAre("A*01:01:01:01", "A*01:01:01:02N", "A*01:01:02",
                          "A*01:29", "A*24:329Q"));
  EXPECT_THAT(Resolve("A*24:XY"), StatusIs(kInvalid, "valid only as A*01:XY"));
}

TEST_F(ResolveTest, MacExpandingToNothingIsAnError) {
  EXPECT_THAT(Resolve("A*03:GD"), StatusIs(kNotFound, "stands for no allele"));
}

TEST_F(ResolveTest, UnknownMacIsNotAnInvalidAllele) {
  EXPECT_THAT(Resolve("A*01:ZZ"),
              StatusIs(kNotFound,
                       "unknown MAC code 'ZZ' (table dated 2020-07-11 (test))"));
  absl::StatusOr<GlString> gl = parser::ParseGlString("A*01:AB");
  ASSERT_TRUE(gl.ok());
  EXPECT_THAT(Resolver(*ref_, nullptr).Resolve(*gl),
              StatusIs(kNotFound, "unknown MAC code 'AB' (no MAC table loaded)"));
}

TEST_F(ResolveTest, XXIsTheWholeFirstFieldAndDnaBroads) {
  EXPECT_EQ(Names("A*01:XX").size(), 7u);
  EXPECT_THAT(Names("A*09:XX"), ElementsAre("A*24:329Q"));  // A*23 + A*24
  EXPECT_THAT(Resolve("A*03:XX"), StatusIs(kNotFound, "'A*03:XX' at offset 0"));
}

TEST_F(ResolveTest, SerologyBroadIncludesSplitsAssociatedKeptApart) {
  EXPECT_THAT(Names("A1"), ElementsAre("A*01:01:01:01", "A*01:01:02"));
  EXPECT_THAT(Names("A9"), ElementsAre("A*24:329Q"));
  EXPECT_THAT(Names("A2"), ElementsAre("A*02:01:01:01"));
  auto t = Resolve("A203");  // associated with A2; no allele names it
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->root.leaf.antigens.size(), 1u);
  const Antigen& a203 = (*ref_)->antigen(t->root.leaf.antigens[0]);
  EXPECT_EQ((*ref_)->antigen(a203.associated_with).name, "A2");
  EXPECT_THAT(t->root.leaf.alleles, IsEmpty());
  EXPECT_THAT(Resolve("A99"), StatusIs(kNotFound, "not a serologic antigen"));
}

TEST_F(ResolveTest, ErrorsQuoteTheTokenAndItsOffset) {
  EXPECT_THAT(Resolve("A*01:01+A*99:01"),
              StatusIs(kNotFound, "'A*99:01' at offset 8: not an allele"));
  EXPECT_THAT(Resolve("A*01:01/Z*01:01"),
              StatusIs(kNotFound, "'Z*01:01' at offset 8: locus 'Z'"));
}

TEST_F(ResolveTest, GroupsMustBeNamedGroups) {
  EXPECT_EQ(Names("A*01:01:01G").size(), 4u);
  EXPECT_EQ(Names("A*01:01P").size(), 3u);
  EXPECT_THAT(Resolve("A*01:01:02G"), StatusIs(kNotFound, "not a G group"));
}

TEST_F(ResolveTest, Placeholders) {
  auto t = Resolve("DRB4*NNNN");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->root.leaf.kind, LeafKind::kPlaceholder);
  ResolveOptions no;
  no.accept_placeholders = false;
  EXPECT_THAT(Resolve("DRB4*NNNN", no), StatusIs(kInvalid, "placeholder"));
}

TEST_F(ResolveTest, GlStringCodeMustNameTheLoadedRelease) {
  EXPECT_TRUE(Resolve("hla#9.99.0#A*01:01").ok());
  EXPECT_THAT(Resolve("hla#3.44.0#A*01:01"), StatusIs(kInvalid, "3.44.0"));
}

TEST_F(ResolveTest, KeepsTheTreeShape) {
  auto t = Resolve("A*01:01:01:01~B*07:02:01+A*24:329Q~B*07:02:01");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->root.op, GlOp::kGenotype);
  ASSERT_EQ(t->root.children.size(), 2u);
  EXPECT_EQ(t->root.children[0].op, GlOp::kHaplotype);
  EXPECT_EQ(t->root.children[0].children.size(), 2u);
}

TEST_F(ResolveTest, ExpandPrintsEveryAlleleKeepingOperators) {
  auto t = Resolve("HLA-A*01:01:01+B*07:02:01");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(ExpandToString(**ref_, *t),
            "HLA-A*01:01:01:01/HLA-A*01:01:01:02N+B*07:02:01");
}

TEST_F(ResolveTest, ReduceLevels) {
  EXPECT_EQ(Reduce("A*01:01:01:01", ReductionLevel::kLgx), "A*01:01");
  EXPECT_EQ(Reduce("A*01:01:01:01", ReductionLevel::kLg), "A*01:01g");
  EXPECT_EQ(Reduce("A*01:29", ReductionLevel::kG), "A*01:01:01G");
  EXPECT_EQ(Reduce("A*01:29", ReductionLevel::kP), "A*01:01P");
  EXPECT_EQ(Reduce("A*01:04:01:01N", ReductionLevel::k1F), "A*01");
  EXPECT_EQ(Reduce("A*01:01:01:02N", ReductionLevel::kExon), "A*01:01:01N");
  EXPECT_EQ(Reduce("A*01:01:01:01", ReductionLevel::kS), "A1");
  EXPECT_EQ(Reduce("A*01:01", ReductionLevel::kW),
            "A*01:01:01:01/A*01:01:01:02N/A*01:01:02");
  EXPECT_EQ(Reduce("MICA*001", ReductionLevel::kLgx), "MICA*001");
}

TEST_F(ResolveTest, ReduceGlOrdering) {
  // '/' de-duplicated and sorted; '+' sorted, not de-duplicated; '~' kept.
  EXPECT_EQ(Reduce("A*01:29/A*01:01:01:01", ReductionLevel::kLgx), "A*01:01");
  EXPECT_EQ(Reduce("B*07:02:01+A*01:01:01:01", ReductionLevel::kLgx),
            "A*01:01+B*07:02");
  EXPECT_EQ(Reduce("B*07:02:01~A*01:01:01:01", ReductionLevel::kLgx),
            "B*07:02~A*01:01");
  EXPECT_EQ(Reduce("A*01:01:01:01+A*01:01:01:01", ReductionLevel::kLgx),
            "A*01:01+A*01:01");
}

TEST_F(ResolveTest, ReduceErrorsNameTheToken) {
  EXPECT_EQ(Reduce("A*01:01+A*99:99", ReductionLevel::kLgx),
            "error: 'A*99:99' at offset 8: not an allele of IPD-IMGT/HLA 9.99.0");
}

TEST(ReductionLevel, NamesRoundTrip) {
  for (const char* n : {"G", "P", "lg", "lgx", "exon", "W", "U2", "S", "1F"}) {
    auto l = ParseReductionLevel(n);
    ASSERT_TRUE(l) << n;
    EXPECT_EQ(ReductionLevelName(*l), n);
  }
  EXPECT_FALSE(ParseReductionLevel("LGX"));
}

}  // namespace
}  // namespace hla::data
