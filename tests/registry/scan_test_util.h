// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared by the registry tests that hold the scan to the pairwise path.
#ifndef HLA_TESTS_REGISTRY_SCAN_TEST_UTIL_H_
#define HLA_TESTS_REGISTRY_SCAN_TEST_UTIL_H_

#include <cstddef>
#include <cstdint>

#include "eligibility/rules.h"
#include "gtest/gtest.h"
#include "registry/internal/scan.h"

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

}  // namespace hla::registry

#endif  // HLA_TESTS_REGISTRY_SCAN_TEST_UTIL_H_
