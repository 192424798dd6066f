// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The names of matcher/match.h's enums, both ways: ToString and
// ParseRelationship. No release is needed.
#include <string>

#include "gtest/gtest.h"
#include "matcher/match.h"

namespace hla::matcher {
namespace {

TEST(MatchNames, VerdictStrings) {
  EXPECT_EQ(ToString(HaploVerdict::kHaploCompatible), "haplo-compatible");
  EXPECT_EQ(ToString(HaploVerdict::kNotHaploidentical), "not-haploidentical");
  EXPECT_EQ(ToString(HaploVerdict::kInsufficientTyping), "insufficient-typing");
  EXPECT_EQ(ToString(MatchGrade::kGdna), "gDNA");
  EXPECT_EQ(ToString(MatchGrade::kPGroup), "P");
  EXPECT_EQ(ToString(MatchConfidence::kPotential), "potential");
  EXPECT_EQ(ToString(TceCategory::kNonPermissiveGvH), "non_permissive_gvh");
}

TEST(MatchNames, ParseRelationship) {
  EXPECT_EQ(*ParseRelationship("Mother"), Relationship::kParent);
  EXPECT_EQ(*ParseRelationship("son"), Relationship::kChild);
  EXPECT_EQ(*ParseRelationship("half-brother"), Relationship::kHalfSibling);
  EXPECT_EQ(*ParseRelationship(" Sister "), Relationship::kSibling);
  EXPECT_EQ(*ParseRelationship(""), Relationship::kUnknown);
  EXPECT_EQ(*ParseRelationship("cousin"), Relationship::kOtherRelated);
  EXPECT_EQ(ParseRelationship("neighbour").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hla::matcher
