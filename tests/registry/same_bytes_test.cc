// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// SameBytes (registry/internal/same_bytes.h) against memcmp: every length
// from 0 to 40, a difference at every position, and strings at every
// alignment, each compared in a buffer exactly its size (ASan sees a read
// past it).
#include "registry/internal/same_bytes.h"

#include <cstring>
#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace hla::registry::internal {
namespace {

TEST(SameBytesTest, IsMemcmpEqualityAtEveryLengthPositionAndAlignment) {
  const std::string text = "HLA-A*02:01:01:01/A*02:779/A*02:1013/B*44:02";
  for (size_t n = 0; n <= 40; ++n) {
    for (size_t shift = 0; shift < 8; ++shift) {
      // Heap copies of exactly n bytes, at offsets 0 and `shift`.
      std::unique_ptr<char[]> a(new char[n + 8]), b(new char[n]);
      char* x = a.get() + shift % 8;
      std::memcpy(x, text.data(), n);
      std::memcpy(b.get(), text.data(), n);
      ASSERT_TRUE(SameBytes(x, b.get(), n)) << n << " " << shift;
      for (size_t at = 0; at < n; ++at) {
        b[at] ^= 0x20;
        ASSERT_EQ(SameBytes(x, b.get(), n), std::memcmp(x, b.get(), n) == 0);
        ASSERT_FALSE(SameBytes(x, b.get(), n)) << n << " " << at;
        b[at] ^= 0x20;
      }
    }
  }
}

}  // namespace
}  // namespace hla::registry::internal
