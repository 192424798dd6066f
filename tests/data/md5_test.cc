// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "data/internal/md5.h"

#include <string>

#include "gtest/gtest.h"

namespace hla::data_internal {
namespace {

// RFC 1321 §A.5 test suite.
TEST(Md5, Rfc1321TestSuite) {
  const struct {
    const char* input;
    const char* digest;
  } kCases[] = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"1234567890123456789012345678901234567890123456789012345678901234567890"
       "1234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(Md5Hex(c.input), c.digest) << "'" << c.input << "'";
  }
}

TEST(Md5, PiecewiseUpdateEqualsOneShot) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += static_cast<char>('a' + i % 26);
  Md5 md5;
  // Odd-sized pieces cross the 64-byte block boundary in every way.
  for (size_t pos = 0; pos < text.size(); pos += 37) {
    md5.Update(absl::string_view(text).substr(pos, 37));
  }
  EXPECT_EQ(md5.HexDigest(), Md5Hex(text));
}

TEST(Md5, PaddingBoundaries) {
  // 55, 56 and 64 bytes: the length fits, just misses, and a full block.
  EXPECT_EQ(Md5Hex(std::string(55, 'a')), "ef1772b6dff9a122358552954ad0df65");
  EXPECT_EQ(Md5Hex(std::string(56, 'a')), "3b0c8ac703f828b04c6c197006d17218");
  EXPECT_EQ(Md5Hex(std::string(64, 'a')), "014842d480b571495a4a0363793f7367");
}

}  // namespace
}  // namespace hla::data_internal
