// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared by the registry tests that hold the scan to the pairwise path.
#ifndef HLA_TESTS_REGISTRY_SCAN_TEST_UTIL_H_
#define HLA_TESTS_REGISTRY_SCAN_TEST_UTIL_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "eligibility/rules.h"
#include "gtest/gtest.h"
#include "registry/internal/scan.h"
#include "registry/internal/store_data.h"
#include "registry/store.h"

namespace hla::registry {

// The scan's own path for donor `i` against the pairwise eligibility `e`
// under `options`: Gate (which computes only what the key reads) ranks the
// donor with `want_key` or excludes it at the first failing gate, and the
// quick filter, when it decides, excludes it at that same gate.
// *quick_rejected says whether the quick filter decided.
inline ::testing::AssertionResult ScanPathAgrees(const CompiledQuery& q, size_t i,
                                                 const eligibility::Eligibility& e,
                                                 const eligibility::EligibilityOptions& options,
                                                 uint64_t want_key, bool* quick_rejected) {
  *quick_rejected = false;
  uint64_t key;
  int fail;
  const bool ranked = e.status != eligibility::Status::kNotEligible;
  if (q.Gate(i, &key, &fail) != ranked) {
    return ::testing::AssertionFailure() << "Gate says ranked " << !ranked;
  }
  const int want_fail =
      ranked ? -1 : eligibility::FirstIn(e.findings, eligibility::MasksOf(options).exclude);
  if (ranked && key != want_key) {
    return ::testing::AssertionFailure() << "Gate's key " << key << ", want " << want_key;
  }
  if (!ranked && fail != want_fail) {
    return ::testing::AssertionFailure() << "Gate fails at " << fail << ", want " << want_fail;
  }
  if (!q.AllSlow() && !q.UsesMatch(i)) {
    const int quick = q.QuickReject(i);
    if (quick >= 0) {
      *quick_rejected = true;
      if (quick != want_fail) {
        return ::testing::AssertionFailure()
               << "the quick filter excludes at " << quick << ", want " << want_fail;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

// The scan's block form of the quick filter against the donor-by-donor
// one: QuickBlock over [0, n) in blocks of `block` donors (a block edge
// anywhere) passes, in order, exactly the donors QuickReject does not
// exclude (and the donors UsesMatch names), and counts each excluded one
// at the gate QuickReject names; QuickReject and UsesMatch of `reference`
// when given (compiled with every cell). REQUIRES: as QuickBlock.
inline ::testing::AssertionResult QuickBlockAgrees(const CompiledQuery& q,
                                                   const DonorStore& store,
                                                   size_t block,
                                                   const CompiledQuery* reference = nullptr) {
  const CompiledQuery& r = reference != nullptr ? *reference : q;
  const size_t n = store.size();
  std::vector<uint32_t> pass(block), want_pass;
  std::vector<size_t> got_pass;
  std::array<size_t, eligibility::kReasonCount> got{}, want{};
  for (size_t b = 0; b < n; b += block) {
    const size_t e = std::min(n, b + block);
    const size_t m = q.QuickBlock(b, e, pass.data(), got.data());
    if (m > e - b) return ::testing::AssertionFailure() << "passed " << m << " of " << e - b;
    got_pass.insert(got_pass.end(), pass.begin(), pass.begin() + static_cast<long>(m));
  }
  for (size_t i = 0; i < n; ++i) {
    const int fail = r.UsesMatch(i) ? -1 : r.QuickReject(i);
    if (fail >= 0) {
      ++want[static_cast<size_t>(fail)];
    } else {
      want_pass.push_back(static_cast<uint32_t>(i));
    }
  }
  if (got_pass.size() != want_pass.size() ||
      !std::equal(got_pass.begin(), got_pass.end(), want_pass.begin())) {
    return ::testing::AssertionFailure()
           << "QuickBlock passed " << got_pass.size() << " donors, QuickReject "
           << want_pass.size() << " (or others)";
  }
  for (size_t k = 0; k < got.size(); ++k) {
    if (got[k] != want[k]) {
      return ::testing::AssertionFailure() << "gate " << k << ": QuickBlock excluded "
                                           << got[k] << ", QuickReject " << want[k];
    }
  }
  return ::testing::AssertionSuccess();
}

// The scan's block form of the gate against the full one donor by donor:
// GateBlock of `q` (compiled scan_only, say) over donors [0, n) in blocks
// of `block` ranks exactly the donors `reference`'s Gate ranks (compiled
// with every cell), with its key, excludes the others at its first failing
// gate, and counts the donors UsesMatch names. Adds to *counts how GateBlock
// decided. REQUIRES: !q.AllSlow(), both compiled from the same store,
// recipient and options.
inline ::testing::AssertionResult GateBlockAgrees(const CompiledQuery& q,
                                                  const CompiledQuery& reference, size_t n,
                                                  size_t block, CompiledQuery::GateCounts* counts) {
  std::vector<uint32_t> donors(block);
  std::vector<uint64_t> keys(block);
  std::vector<int> fails(block);
  for (size_t b = 0; b < n; b += block) {
    const size_t m = std::min(n, b + block) - b;
    size_t want_by_match = 0;
    for (size_t k = 0; k < m; ++k) {
      donors[k] = static_cast<uint32_t>(b + k);
      want_by_match += reference.UsesMatch(b + k);
    }
    const size_t by_match = q.GateBlock(donors.data(), m, keys.data(), fails.data(), counts);
    if (by_match != want_by_match) {
      return ::testing::AssertionFailure() << "GateBlock counts " << by_match
                                           << " donors by Match, want " << want_by_match;
    }
    for (size_t k = 0; k < m; ++k) {
      uint64_t key;
      int fail;
      const bool ranked = reference.Gate(b + k, &key, &fail);
      if ((fails[k] < 0) != ranked || (!ranked && fails[k] != fail) ||
          (ranked && keys[k] != key)) {
        return ::testing::AssertionFailure()
               << "donor " << b + k << ": GateBlock fails at " << fails[k] << " with key "
               << keys[k] << ", Gate " << (ranked ? -1 : fail) << " with key " << key;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace hla::registry

#endif  // HLA_TESTS_REGISTRY_SCAN_TEST_UTIL_H_
