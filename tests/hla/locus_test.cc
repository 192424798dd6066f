// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "hla/locus.h"

#include <vector>

#include "absl/status/status.h"
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
TEST(ParseLocusList, ReadsCommaListsAsWritten) {
  EXPECT_EQ(ParseLocusList("A,B,C,DRB1,DQB1").value(),
            (std::vector<Locus>{Locus::kA, Locus::kB, Locus::kC, Locus::kDRB1,
                                Locus::kDQB1}));
  EXPECT_EQ(ParseLocusList(" hla-a , drb1,DPB1").value(),
            (std::vector<Locus>{Locus::kA, Locus::kDRB1, Locus::kDPB1}));
  struct Bad {
    const char* text;
    const char* message;
  };
  for (const Bad& b : {Bad{"A,MICA", "'MICA' is not a matching locus (A, B"},
                       Bad{"A,,B", "'' is not a matching locus"},
                       Bad{"A,B,a", "a is listed twice"}}) {
    absl::StatusOr<std::vector<Locus>> l = ParseLocusList(b.text);
    ASSERT_FALSE(l.ok()) << b.text;
    EXPECT_EQ(l.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(l.status().message().find(b.message), absl::string_view::npos)
        << l.status().message();
  }
}

}  // namespace hla
