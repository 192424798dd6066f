// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// synth/synth.h's ISO date reader, which needs no release.
#include "synth/synth.h"

#include "gtest/gtest.h"

namespace hla::synth {
namespace {

TEST(ParseIsoDate, AcceptsRealDaysOnly) {
  ASSERT_TRUE(ParseIsoDate("2024-02-29").has_value());
  EXPECT_EQ(ParseIsoDate("2024-02-29")->day, 29);
  EXPECT_FALSE(ParseIsoDate("2023-02-29").has_value());
  EXPECT_FALSE(ParseIsoDate("2023-13-01").has_value());
  EXPECT_FALSE(ParseIsoDate("2023-1-01").has_value());
  EXPECT_FALSE(ParseIsoDate("2023-01-0a").has_value());
  EXPECT_FALSE(ParseIsoDate("").has_value());
}

}  // namespace
}  // namespace hla::synth
