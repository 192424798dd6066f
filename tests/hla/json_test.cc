// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "hla/json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla {
namespace {

struct Case {
  std::string input;
  std::string json;
};

TEST(JsonString, EscapesAsRfc8259AndKeepsValidUtf8) {
  const Case kCases[] = {
      {"", R"("")"},
      {"A*02:01", R"("A*02:01")"},
      {"a\"b\\c", R"("a\"b\\c")"},
      {"\b\f\n\r\t", R"("\b\f\n\r\t")"},
      {std::string("\x01\x1f", 2), R"("\u0001\u001f")"},
      {std::string("\0", 1), R"("\u0000")"},
      {"\x7f", "\"\x7f\""},
      {"Gen\xc3\xa8ve", "\"Gen\xc3\xa8ve\""},            // U+00E8
      {"\xe2\x89\xa5", "\"\xe2\x89\xa5\""},              // U+2265
      {"\xf0\x9f\xa9\xb8", "\"\xf0\x9f\xa9\xb8\""},      // U+1FA78
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(JsonString(c.input), c.json) << c.input;
  }
}

TEST(JsonString, InvalidUtf8BecomesReplacementCharacter) {
  const Case kCases[] = {
      {"\xff", R"("\ufffd")"},                   // never in UTF-8
      {"id\xe9", R"("id\ufffd")"},               // Latin-1 e-acute
      {"\xc3", R"("\ufffd")"},                   // truncated 2-byte
      {"\xe2\x89", R"("\ufffd\ufffd")"},         // truncated 3-byte
      {"\xc0\xaf", R"("\ufffd\ufffd")"},         // overlong '/'
      {"\xe0\x80\xaf", R"("\ufffd\ufffd\ufffd")"},  // overlong
      {"\xed\xa0\x80", R"("\ufffd\ufffd\ufffd")"},  // surrogate D800
      {"\xf4\x90\x80\x80", R"("\ufffd\ufffd\ufffd\ufffd")"},  // > U+10FFFF
      {"a\x80z", R"("a\ufffdz")"},               // lone continuation
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(JsonString(c.input), c.json);
  }
}

TEST(JsonStringList, QuotesEachItem) {
  EXPECT_EQ(JsonStringList({}), "[]");
  EXPECT_EQ(JsonStringList({"a", "b\n"}), R"(["a","b\n"])");
}

}  // namespace
}  // namespace hla
