// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The five-locus haplotype frequency loader: tiny tables against the
// synthetic 9.99.0 release (data_test_util.h, with a few C/DRB1/DQB1
// alleles added). The shipped NMDP 2007 table against 3.58.0 is in
// haplotype_freq_shipped_test.cc.
#include "data/haplotype_freq.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "data/reference.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/data/data_test_util.h"

namespace hla::data {
namespace {

using ::hla::data_testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The mini release plus one allele per missing haplotype locus, and a
// withdrawn C*01:99 whose successor is C*01:02:01:01.
std::shared_ptr<const data::Reference> LoadMini(std::string* error) {
  auto files = data_testing::MiniRelease();
  files["Allelelist.txt"] +=
      "\nHLA00014,C*01:02:01:01\nHLA00015,DRB1*03:01:01:01\n"
      "HLA00016,DQB1*02:01:01:01\n";
  files["wmda/hla_nom.txt"] +=
      "\nC*;01:99;20000101;20100101;01:02:01:01;Sequence identical";
  const std::string dir = data_testing::WriteRelease(files, "hapfreq");
  absl::StatusOr<std::shared_ptr<const data::Reference>> ref = data::Reference::Load({dir});
  if (!ref.ok()) {
    *error = std::string(ref.status().message());
    return nullptr;
  }
  return *ref;
}

class TinyTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ref_ = LoadMini(&error_);
    ASSERT_NE(ref_, nullptr) << error_;
  }
  absl::StatusOr<std::shared_ptr<const HaplotypeFrequencies>> Parse(
      const std::string& text) {
    return HaplotypeFrequencies::Parse(text, "f.csv", *ref_);
  }
  std::shared_ptr<const data::Reference> ref_;
  std::string error_;
};

constexpr char kTail[] = "~HLA-B*07:02~HLA-DRB1*03:01~HLA-DQB1*02:01";

std::string Row(const std::string& pop, const std::string& a,
                const std::string& c, const std::string& freq) {
  return absl::StrCat(pop, ",HLA-", a, "~HLA-", c, kTail, ",", freq, ",1.0\n");
}

TEST_F(TinyTableTest, MapsGroupsExactNamesAndRenamedNames) {
  auto t = Parse(Row("EUR", "A*01:01g", "C*01:02", "0.6") +
                 Row("EUR", "A*02:01", "C*01:99", "3.0E-1") +
                 Row("AFA", "A*01:29", "C*01:02", "1.0E-1"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->size(Population::kEur), 2u);
  EXPECT_EQ((*t)->size(Population::kAfa), 1u);
  EXPECT_EQ((*t)->size(Population::kApi), 0u);
  EXPECT_DOUBLE_EQ((*t)->total(Population::kEur), 0.9);
  EXPECT_THAT((*t)->renamed_names(), ElementsAre("C*01:99 -> C*01:02"));
  EXPECT_THAT((*t)->unmapped_names(), IsEmpty());
  EXPECT_EQ((*t)->release(), "9.99.0");

  const Haplotype& h0 = (*t)->haplotype(0);
  const HaplotypeAllele& a = (*t)->allele(h0.alleles[0]);
  EXPECT_EQ(a.name, "A*01:01");  // the 'g' group's 2-field lead allele
  EXPECT_EQ(a.file_name, "A*01:01g");
  EXPECT_EQ(a.slot, 0);
  EXPECT_EQ(ref_->allele(a.representative).name, "A*01:01:01:01");
  EXPECT_EQ(a.end - a.begin, 3u);  // 01:01:01:01, 01:01:01:02N, 01:01:02
  EXPECT_EQ(h0.line, 1);

  const HaplotypeAllele& renamed = (*t)->allele((*t)->haplotype(1).alleles[1]);
  EXPECT_EQ(renamed.name, "C*01:02");
  EXPECT_EQ(renamed.file_name, "C*01:99");
  EXPECT_TRUE(renamed.renamed);

  const HaplotypeAllele& exact = (*t)->allele((*t)->haplotype(2).alleles[0]);
  EXPECT_EQ(exact.name, "A*01:29");
  EXPECT_EQ(exact.end - exact.begin, 1u);
}

TEST_F(TinyTableTest, DropsRowsWithNamesTheReleaseLacks) {
  auto t = Parse(Row("EUR", "A*01:01", "C*01:02", "0.5") +
                 Row("EUR", "A*77:01", "C*01:02", "0.5") +
                 Row("HIS", "A*77:01", "C*01:02", "0.5"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT((*t)->unmapped_names(), ElementsAre("A*77:01"));
  EXPECT_EQ((*t)->dropped_rows(), 2u);
  EXPECT_EQ((*t)->size(Population::kEur), 1u);
  EXPECT_EQ((*t)->size(Population::kHis), 0u);
  EXPECT_DOUBLE_EQ((*t)->total(Population::kEur), 0.5);
}

TEST_F(TinyTableTest, NoRowInTheReleaseIsDataLoss) {
  EXPECT_THAT(Parse(Row("EUR", "A*77:01", "C*01:02", "0.5")),
              StatusIs(absl::StatusCode::kDataLoss,
                       "no haplotype rows whose alleles are all in the "
                       "release"));
  EXPECT_THAT(Parse("\n\n"),
              StatusIs(absl::StatusCode::kDataLoss, "f.csv: no haplotype"));
}

TEST_F(TinyTableTest, SamplesByCumulativeFrequency) {
  auto t = Parse(Row("EUR", "A*01:01", "C*01:02", "0.6") +
                 Row("EUR", "A*02:01", "C*01:02", "0.3"));
  ASSERT_TRUE(t.ok()) << t.status();
  // Intervals [0, 0.6) and [0.6, 0.9) of the total 0.9.
  EXPECT_EQ((*t)->Sample(Population::kEur, 0.0), 0u);
  EXPECT_EQ((*t)->Sample(Population::kEur, 0.66), 0u);  // 0.594
  EXPECT_EQ((*t)->Sample(Population::kEur, 0.67), 1u);  // 0.603
  EXPECT_EQ((*t)->Sample(Population::kEur, 0.999999), 1u);
  EXPECT_EQ((*t)->Sample(Population::kEur, 1.5), 1u);  // clamped
  EXPECT_EQ((*t)->Sample(Population::kEur, -1), 0u);
}

TEST_F(TinyTableTest, AcceptsMissingFinalNewlineAndBlankLines) {
  std::string text = "\n" + Row("EUR", "A*01:01", "C*01:02", "1.2E-4");
  text.pop_back();
  auto t = Parse(text);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->haplotype(0).line, 2);
  EXPECT_DOUBLE_EQ((*t)->haplotype(0).frequency, 1.2e-4);
}

struct BadLine {
  std::string line;
  std::string message;
};

TEST_F(TinyTableTest, BadLinesNameFileAndLine) {
  const std::string good = Row("EUR", "A*01:01", "C*01:02", "0.5");
  const std::vector<BadLine> cases = {
      {"EUR,HLA-A*01:01~HLA-C*01:02,0.5", "expected 4 comma-separated"},
      {Row("XYZ", "A*01:01", "C*01:02", "0.5"), "unknown population 'XYZ'"},
      {Row("EUR", "A*01:01", "C*01:02", "abc"), "frequency 'abc'"},
      {Row("EUR", "A*01:01", "C*01:02", "-0.5"), "not a positive number"},
      {Row("EUR", "A*01:01", "C*01:02", "0"), "not a positive number"},
      {"EUR,HLA-A*01:01~HLA-C*01:02" + std::string(kTail) + ",0.5,x\n",
       "rank 'x'"},
      {"EUR,HLA-A*01:01~HLA-C*01:02~HLA-B*07:02~HLA-DRB1*03:01,0.5,1.0\n",
       "has 4 alleles; expected 5"},
      {Row("EUR", "C*01:02", "A*01:01", "0.5"), "must be of locus A"},
      {Row("EUR", "A*01", "C*01:02", "0.5"), "not a 2-field allele name"},
      {Row("EUR", "A*01:01:01", "C*01:02", "0.5"), "not a 2-field"},
  };
  for (const BadLine& c : cases) {
    EXPECT_THAT(Parse(good + c.line), StatusIs(absl::StatusCode::kDataLoss,
                                               absl::StrCat("f.csv:2: ")))
        << c.line;
    EXPECT_THAT(Parse(good + c.line),
                StatusIs(absl::StatusCode::kDataLoss, c.message))
        << c.line;
  }
}

TEST_F(TinyTableTest, MissingFileIsNotFound) {
  EXPECT_THAT(HaplotypeFrequencies::Load("/nonexistent/freqs.csv", *ref_),
              StatusIs(absl::StatusCode::kNotFound, "/nonexistent/freqs.csv"));
}

TEST(Population, NamesRoundTrip) {
  for (const char* name : {"AFA", "API", "EUR", "HIS"}) {
    std::optional<Population> p = ParsePopulation(name);
    ASSERT_TRUE(p.has_value()) << name;
    EXPECT_EQ(PopulationName(*p), name);
  }
  EXPECT_FALSE(ParsePopulation("eur").has_value());
  EXPECT_FALSE(ParsePopulation("CAU").has_value());
}

}  // namespace
}  // namespace hla::data
