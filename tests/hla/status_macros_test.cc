// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "hla/status_macros.h"

#include <memory>

#include "gtest/gtest.h"

namespace hla {
namespace {

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::StatusOr<std::unique_ptr<int>> Boxed(int x) {
  if (x < 0) return absl::OutOfRangeError("negative");
  return std::make_unique<int>(x);
}

absl::Status Check(int x) {
  if (x > 100) return absl::OutOfRangeError("big");
  return absl::OkStatus();
}

absl::StatusOr<int> Quarter(int x) {
  HLA_RETURN_IF_ERROR(Check(x));
  HLA_ASSIGN_OR_RETURN(int half, Half(x));
  HLA_ASSIGN_OR_RETURN(const int quarter, Half(half));
  return quarter;
}

absl::StatusOr<int> Unbox(int x) {
  HLA_ASSIGN_OR_RETURN(std::unique_ptr<int> p, Boxed(x));  // move-only value
  return *p;
}

TEST(StatusMacros, PassValuesThrough) {
  EXPECT_EQ(Quarter(8).value(), 2);
  EXPECT_EQ(Unbox(7).value(), 7);
}

TEST(StatusMacros, ReturnFirstError) {
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Quarter(200).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Unbox(-1).status().code(), absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace hla
