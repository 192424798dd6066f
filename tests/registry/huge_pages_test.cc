// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// HugePageAllocator (registry/internal/huge_pages.h): small blocks are
// ordinary, large ones aligned to a huge page and advised for THP, and the
// containers the registry keeps in it behave as with std::allocator.
#include "registry/internal/huge_pages.h"

#include <array>
#include <cstdint>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "gtest/gtest.h"

namespace hla::registry::internal {
namespace {

// The kernel's view of the mapping holding `p`: its "THPeligible" line of
// /proc/self/smaps (-1 when not found).
int ThpEligible(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto address = reinterpret_cast<uintptr_t>(p);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-' &&
        line.find(':') > line.find(' ')) {
      inside = begin <= address && address < end;
      continue;
    }
    if (inside && line.rfind("THPeligible:", 0) == 0) {
      return std::stoi(line.substr(12));
    }
  }
  return -1;
}

std::string ThpMode() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string mode;
  std::getline(f, mode);
  return mode;
}

TEST(HugePageAllocator, SmallBlocksAreOrdinaryLargeOnesAlignedAndAdvised) {
  HugePageAllocator<uint64_t> alloc;
  uint64_t* small = alloc.allocate(1000);
  small[0] = 1;
  small[999] = 2;
  EXPECT_EQ(small[0] + small[999], 3u);
  alloc.deallocate(small, 1000);

  const size_t n = kHugePageBlock / sizeof(uint64_t) + 3;  // not whole pages
  uint64_t* large = alloc.allocate(n);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large) % kHugePage, 0u);
  for (size_t i = 0; i < n; ++i) large[i] = i;
  EXPECT_EQ(std::accumulate(large, large + n, uint64_t{0}), uint64_t{n} * (n - 1) / 2);
  // Where THP is on for advised memory, the kernel took the advice.
  const std::string mode = ThpMode();
  if (mode.find("[madvise]") != std::string::npos ||
      mode.find("[always]") != std::string::npos) {
    EXPECT_EQ(ThpEligible(large), 1) << mode;
  }
  alloc.deallocate(large, n);
}

TEST(HugePageAllocator, ContainersBehaveAsWithTheStandardAllocator) {
  // A vector growing across the threshold keeps its contents.
  HugeVector<uint32_t> v;
  const size_t n = 3 * kHugePageBlock / sizeof(uint32_t);
  for (size_t i = 0; i < n; ++i) v.push_back(static_cast<uint32_t>(i * 7));
  ASSERT_EQ(v.size(), n);
  for (size_t i = 0; i < n; i += 4099) ASSERT_EQ(v[i], i * 7);
  HugeVector<uint32_t>().swap(v);
  EXPECT_TRUE(v.empty());

  // A map of a million keys (its table past the threshold), as ImputeDonors
  // keeps them.
  using Key = std::array<uint32_t, 3>;
  absl::flat_hash_map<Key, uint32_t, absl::Hash<Key>, std::equal_to<Key>,
                      HugePageAllocator<std::pair<const Key, uint32_t>>>
      map;
  for (uint32_t i = 0; i < 1000000; ++i) map.try_emplace(Key{i, i ^ 5, 9}, i);
  ASSERT_EQ(map.size(), 1000000u);
  for (uint32_t i = 0; i < 1000000; i += 997) {
    auto it = map.find(Key{i, i ^ 5, 9});
    ASSERT_NE(it, map.end());
    EXPECT_EQ(it->second, i);
  }
  EXPECT_EQ(map.find(Key{1, 2, 3}), map.end());
  EXPECT_TRUE(HugePageAllocator<int>() == HugePageAllocator<double>());
}

}  // namespace
}  // namespace hla::registry::internal
