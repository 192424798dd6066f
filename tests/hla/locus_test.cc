// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "hla/locus.h"

#include "gtest/gtest.h"

namespace hla {
namespace {

TEST(Locus, NamesRoundTrip) {
  for (Locus locus : kAllLoci) {
    auto back = LocusFromName(LocusName(locus));
    ASSERT_TRUE(back.has_value()) << LocusName(locus);
    EXPECT_EQ(*back, locus);
  }
}

TEST(Locus, UnknownAndPrefixedNamesAreNotMatchingLoci) {
  EXPECT_FALSE(LocusFromName("MICA").has_value());
  EXPECT_FALSE(LocusFromName("HLA-A").has_value());
  EXPECT_FALSE(LocusFromName("drb1").has_value());
  EXPECT_FALSE(LocusFromName("").has_value());
}

TEST(Locus, SerologyPrefixesFollowRelSerSer) {
  EXPECT_EQ(SerologyPrefix(Locus::kA), "A");
  EXPECT_EQ(SerologyPrefix(Locus::kC), "Cw");
  EXPECT_EQ(SerologyPrefix(Locus::kDRB1), "DR");
  EXPECT_EQ(SerologyPrefix(Locus::kDRB5), "DR");
  EXPECT_EQ(SerologyPrefix(Locus::kDQB1), "DQ");
  EXPECT_EQ(SerologyPrefix(Locus::kDPB1), "DPw");
  EXPECT_EQ(SerologyPrefix(Locus::kDQA1), "");
}

}  // namespace
}  // namespace hla
