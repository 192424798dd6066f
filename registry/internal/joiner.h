// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: a thread joined when it goes out of scope, so that every return
// path of ingest and index load waits for the helper it started (a
// joinable std::thread destroyed would terminate the program).
#ifndef HLA_REGISTRY_INTERNAL_JOINER_H_
#define HLA_REGISTRY_INTERNAL_JOINER_H_

#include <thread>

namespace hla::registry::internal {

struct Joiner {
  std::thread t;
  ~Joiner() {
    if (t.joinable()) t.join();
  }
};

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_JOINER_H_
