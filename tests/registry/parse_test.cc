// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The registry's readers that need no release: the flat JSON object reader
// of JSON Lines donor files (values, and errors with their column), and
// --rank-by. (Donor files and ranking on the shipped 3.58.0 are in
// donor_file_test.cc and rank_test.cc.)
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/internal/flat_json.h"
#include "registry/rank.h"

namespace hla::registry {
namespace {

TEST(FlatJson, ValuesAndErrorsWithColumns) {
  const struct {
    const char* line;
    std::vector<std::string> keys, values;
    const char* error;  // "" for success
  } kCases[] = {
      {R"({"id":"a","age":30,"x":-1.5e3,"t":true,"f":false,"n":null})",
       {"id", "age", "x", "t", "f", "n"},
       {"a", "30", "-1.5e3", "true", "false", ""},
       ""},
      {"  {}  \r\n", {}, {}, ""},
      {R"({ "k" : "a\"b\\c\/d\n\u00e9\u20ac" })", {"k"},
       {"a\"b\\c/d\n\xC3\xA9\xE2\x82\xAC"}, ""},
      {R"({"id":"c","glstring":"A*01:01")", {}, {}, "31: expected ',' or '}'"},
      {R"({"a":{"x":1}})", {}, {}, "6: nested value for key 'a'"},
      {R"({"a":[1]})", {}, {}, "6: nested value for key 'a'"},
      {R"([1,2])", {}, {}, "1: expected '{'"},
      {R"({"a":1,"a":2})", {}, {}, "8: key 'a' given twice"},
      {R"({"a":tru})", {}, {}, "6: expected a string, number, true, false"},
      {R"({"a":01})", {}, {}, "6: expected a string, number"},
      {R"({"a":1.})", {}, {}, "6: expected a string, number"},
      {R"({"a":-})", {}, {}, "6: expected a string, number"},
      {R"({"a":1} x)", {}, {}, "9: text after the object"},
      {R"({a:1})", {}, {}, "2: expected '\"'"},
      {R"({"a" 1})", {}, {}, "6: expected ':'"},
      {R"({"a":"x)", {}, {}, "8: unterminated string"},
      {"{\"a\":\"x\ty\"}", {}, {}, "8: control character in string"},
      {R"({"a":"\q"})", {}, {}, "8: unknown escape"},
      {R"({"a":"\u12G4"})", {}, {}, "11: bad hex digit"},
      {R"({"a":)", {}, {}, "6: expected a value"},
      {"", {}, {}, "1: expected '{'"},
  };
  internal::FlatObject o;
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.line);
    const absl::Status s = internal::ParseFlatObject(c.line, &o);
    if (*c.error == '\0') {
      ASSERT_TRUE(s.ok()) << s;
      EXPECT_EQ(o.keys, c.keys);
      EXPECT_EQ(o.values, c.values);
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(s.message()), testing::StartsWith(c.error));
    }
  }
}

// 256 keys read; the 257th is an error at its column (the bound that keeps
// the duplicate check linear in the line).
TEST(FlatJson, KeysAreBounded) {
  std::string line = "{";
  for (size_t i = 0; i < internal::kMaxFlatObjectKeys; ++i) {
    absl::StrAppend(&line, i ? "," : "", "\"k", i, "\":1");
  }
  internal::FlatObject o;
  ASSERT_TRUE(internal::ParseFlatObject(line + "}", &o).ok());
  EXPECT_EQ(o.keys.size(), internal::kMaxFlatObjectKeys);
  const size_t column = line.size() + 2;  // after the ',', 1-based
  const absl::Status s = internal::ParseFlatObject(line + ",\"x\":1}", &o);
  EXPECT_EQ(s.message(), absl::StrCat(column, ": more than 256 keys in one "
                                              "object (the limit)"));
}

TEST(RankBy, ParsesAndRejects) {
  absl::StatusOr<std::vector<RankKey>> k = ParseRankBy("age, haplo,TCE");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(*k, (std::vector<RankKey>{RankKey::kAge, RankKey::kHaplo,
                                      RankKey::kTce}));
  EXPECT_FALSE(ParseRankBy("age,age").ok());
  EXPECT_FALSE(ParseRankBy("height").ok());
  EXPECT_EQ(DefaultRankBy().size(), 9u);
}

// "0 = the hardware's", the one reading rank, ingest and reduce share.
TEST(ThreadsFor, ZeroIsTheHardwaresAndEveryValueIsBounded) {
  const int hardware = ThreadsFor(0);
  EXPECT_GE(hardware, 1);
  EXPECT_LE(hardware, kMaxThreads);
  EXPECT_EQ(ThreadsFor(-5), hardware);
  EXPECT_EQ(ThreadsFor(1), 1);
  EXPECT_EQ(ThreadsFor(3), 3);
  EXPECT_EQ(ThreadsFor(kMaxThreads), kMaxThreads);
  EXPECT_EQ(ThreadsFor(kMaxThreads + 1), kMaxThreads);
}

}  // namespace
}  // namespace hla::registry
