// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// cli/common.h on the shipped data: LoadReferenceData with --imgt and --mac
// (the rest of cli/common.h, on no data, is in common_test.cc).
#include "cli/common.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::cli {
namespace {

using ::testing::HasSubstr;

Args Parsed(std::vector<std::string> argv) {
  FlagSpec spec;
  spec.value_flags = {"imgt", "mac"};
  absl::StatusOr<Args> a = Args::Parse(argv, spec);
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? *std::move(a) : Args();
}

TEST(LoadReferenceData, NamesWhatIsMissing) {
  absl::StatusOr<data::ReferenceData> d =
      LoadReferenceData(Parsed({"--imgt", "3.44.0", "--mac", "/nonexistent/alpha.v3.txt"}));
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("/nonexistent/alpha.v3.txt"));
  d = LoadReferenceData(Parsed({"--imgt", "3.44.0"}));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->reference->version(), "3.44.0");
  EXPECT_GT(d->macs->size(), 0u);
  EXPECT_THAT(d->imgt_dir, HasSubstr("imgt/3.44.0"));
}

}  // namespace
}  // namespace hla::cli
