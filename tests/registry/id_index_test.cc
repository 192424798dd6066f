// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The builder's id table (registry/internal/id_index.h) with hashes chosen
// to collide: the text decides, whatever the hash bits say.
#include "registry/internal/id_index.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace hla::registry::internal {
namespace {

struct Table {
  IdIndex index;
  std::vector<std::string> texts;  // by number
  auto TextOf() const {
    return [this](uint32_t i) { return absl::string_view(texts[i]); };
  }
  void Add(const std::string& id, size_t hash) {
    texts.push_back(id);
    index.Insert(id, hash, static_cast<uint32_t>(texts.size() - 1), TextOf());
  }
  std::optional<uint32_t> Find(const std::string& id, size_t hash) const {
    return index.Find(id, hash, TextOf());
  }
};

using HashFn = size_t (*)(const std::string&);

size_t RealHash(const std::string& s) { return absl::Hash<std::string>()(s); }
// Every id on one slot and one tag: only the text tells them apart.
size_t SameHash(const std::string&) { return 0x123456789ABCDEFull; }
// Equal top halves (the tag and the home slot), different low halves.
size_t SameTag(const std::string& s) {
  return (size_t{0xDEADBEEF} << 32) | (RealHash(s) & 0xFFFFFFFFu);
}
// Few distinct tags: long runs of equal tags among different ids.
size_t FewTags(const std::string& s) {
  return (RealHash(s) % 7) << 32;
}

struct Case {
  const char* name;
  HashFn hash;
  int ids;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class IdIndexTest : public ::testing::TestWithParam<Case> {};

// Ids added twice keep their first number; every id is found by its text
// and no other; absent ids are not found; through many growths.
TEST_P(IdIndexTest, FindsTheFirstNumberOfEveryIdAndNothingElse) {
  const Case& c = GetParam();
  Table t;
  const int n = c.ids;
  for (int i = 0; i < n; ++i) t.Add(absl::StrCat("donor-", i), c.hash(absl::StrCat("donor-", i)));
  // Every third id again: the first stays.
  for (int i = 0; i < n; i += 3) {
    const std::string id = absl::StrCat("donor-", i);
    t.Add(id, c.hash(id));
  }
  EXPECT_EQ(t.index.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const std::string id = absl::StrCat("donor-", i);
    ASSERT_EQ(t.Find(id, c.hash(id)), std::optional<uint32_t>(i)) << id;
  }
  for (int i = n; i < n + 100; ++i) {
    const std::string id = absl::StrCat("donor-", i);
    EXPECT_EQ(t.Find(id, c.hash(id)), std::nullopt) << id;
  }
  // The empty id is an id like any other.
  EXPECT_EQ(t.Find("", c.hash("")), std::nullopt);
  t.Add("", c.hash(""));
  EXPECT_EQ(t.Find("", c.hash("")),
            std::optional<uint32_t>(static_cast<uint32_t>(t.texts.size() - 1)));
}

INSTANTIATE_TEST_SUITE_P(
    Hashes, IdIndexTest,
    ::testing::Values(Case{"real", &RealHash, 200000},
                      Case{"same_hash", &SameHash, 1500},
                      Case{"same_tag", &SameTag, 1500},
                      Case{"few_tags", &FewTags, 3000}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

// Reserve makes room at once: the ids it was told of go in without a
// growth, whether it was called empty or with ids in, and every id is still
// found; a smaller reserve changes nothing.
TEST(IdIndexReserveTest, RoomAtOnceAndEveryIdKept) {
  Table t;
  for (int i = 0; i < 1000; ++i) t.Add(absl::StrCat("early-", i), RealHash(absl::StrCat("early-", i)));
  t.index.Reserve(50000);
  const size_t room = t.index.capacity();
  EXPECT_GE(room, 50000u);
  for (int i = 0; i < 49000; ++i) t.Add(absl::StrCat("late-", i), RealHash(absl::StrCat("late-", i)));
  EXPECT_EQ(t.index.capacity(), room);
  t.index.Reserve(10);
  EXPECT_EQ(t.index.capacity(), room);
  EXPECT_EQ(t.index.size(), 50000u);
  for (int i = 0; i < 1000; ++i) {
    const std::string id = absl::StrCat("early-", i);
    ASSERT_EQ(t.Find(id, RealHash(id)), std::optional<uint32_t>(i)) << id;
  }
  for (int i = 0; i < 49000; ++i) {
    const std::string id = absl::StrCat("late-", i);
    ASSERT_EQ(t.Find(id, RealHash(id)), std::optional<uint32_t>(1000 + i)) << id;
  }
  IdIndex empty;
  empty.Reserve(3);
  EXPECT_GE(empty.capacity(), 3u);
  EXPECT_EQ(empty.size(), 0u);
}

TEST(IdIndexEmptyTest, FindsNothingAndPrefetchIsHarmless) {
  IdIndex index;
  index.Prefetch(42);
  const auto text_of = [](uint32_t) { return absl::string_view("x"); };
  EXPECT_EQ(index.Find("x", 42, text_of), std::nullopt);
  EXPECT_EQ(index.size(), 0u);
}

}  // namespace
}  // namespace hla::registry::internal
