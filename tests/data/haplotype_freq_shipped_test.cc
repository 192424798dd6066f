// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The five-locus haplotype frequency loader on the shipped NMDP 2007 table
// and the shipped IPD-IMGT/HLA 3.58.0 (tiny tables on a synthetic release
// are in haplotype_freq_test.cc).
#include "data/haplotype_freq.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "data/reference.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::data {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ShippedTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string data = HLA_SHIPPED_DATA_DIR;
    auto ref = data::Reference::Load({data + "/imgt/3.58.0"});
    ASSERT_TRUE(ref.ok()) << ref.status();
    ref_ = *ref;
    auto t = HaplotypeFrequencies::Load(
        data + "/" + HaplotypeFrequencies::kShippedRelativePath, *ref_);
    ASSERT_TRUE(t.ok()) << t.status();
    table_ = *t;
  }
  std::shared_ptr<const data::Reference> ref_;
  std::shared_ptr<const HaplotypeFrequencies> table_;
};

TEST_F(ShippedTableTest, RowsAndTotalsPerPopulation) {
  // awk -F, '{c[$1]++; s[$1]+=$3} END {for (k in c) print k, c[k], s[k]}'
  //     data/freq/nmdp-2007/NMDP_2007_FiveLocus_Freqs.csv
  // AFA 2012 1.00389 / API 1629 0.9963 / EUR 3380 0.99669 / HIS 1821 1.00394
  EXPECT_EQ(table_->size(Population::kAfa), 2012u);
  EXPECT_EQ(table_->size(Population::kApi), 1629u);
  EXPECT_EQ(table_->size(Population::kEur), 3380u);
  EXPECT_EQ(table_->size(Population::kHis), 1821u);
  EXPECT_EQ(table_->haplotypes().size(), 8842u);
  EXPECT_NEAR(table_->total(Population::kAfa), 1.00389, 1e-9);
  EXPECT_NEAR(table_->total(Population::kApi), 0.9963, 1e-9);
  EXPECT_NEAR(table_->total(Population::kEur), 0.99669, 1e-9);
  EXPECT_NEAR(table_->total(Population::kHis), 1.00394, 1e-9);
}

TEST_F(ShippedTableTest, EveryAlleleMapsToThe3580Release) {
  // cut -d, -f2 ... | tr '~' '\n' | sort -u | wc -l  -> 434 spellings.
  EXPECT_EQ(table_->alleles().size(), 434u);
  // C*15:20 was withdrawn (identical to C*15:27, June 2012); nothing is
  // dropped.
  EXPECT_THAT(table_->renamed_names(), ElementsAre("C*15:20 -> C*15:27"));
  EXPECT_THAT(table_->unmapped_names(), IsEmpty());
  EXPECT_EQ(table_->dropped_rows(), 0u);
  for (const HaplotypeAllele& a : table_->alleles()) {
    ASSERT_NE(a.representative, data::kNone) << a.name;
    const data::LocusInfo* locus = ref_->FindLocus(kHaplotypeLocusOrder[a.slot]);
    ASSERT_NE(locus, nullptr);
    EXPECT_GE(a.representative, locus->begin) << a.name;
    EXPECT_LT(a.representative, locus->end) << a.name;
  }
}

TEST_F(ShippedTableTest, MostFrequentEuropeanHaplotypeIsTheAncestral81) {
  // A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01 (8.1 ancestral haplotype)
  // is the most frequent EUR haplotype (FREQ 0.07408, RANK 1.0): a
  // stratified sweep of u lands on it about 74 times in 1000.
  int hits = 0;
  for (int i = 0; i < 1000; ++i) {
    const Haplotype& h =
        table_->haplotype(table_->Sample(Population::kEur, (i + 0.5) / 1000));
    std::string s;
    for (uint16_t a : h.alleles)
      absl::StrAppend(&s, table_->allele(a).name, "~");
    if (s == "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01~") ++hits;
  }
  EXPECT_GE(hits, 72);
  EXPECT_LE(hits, 76);
}

}  // namespace
}  // namespace hla::data
