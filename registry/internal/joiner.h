// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: a thread joined when it goes out of scope, so that every return
// path of ingest and index load waits for the helper it started (a
// joinable std::thread destroyed would terminate the program).
#ifndef HLA_REGISTRY_INTERNAL_JOINER_H_
#define HLA_REGISTRY_INTERNAL_JOINER_H_

#include <thread>
#include <vector>

namespace hla::registry::internal {

struct Joiner {
  std::thread t;
  ~Joiner() {
    if (t.joinable()) t.join();
  }
};

// Runs work(0) ... work(threads - 1), each on a thread of its own (work(0)
// on the caller's when threads is 1), and returns when all are done.
template <typename Work>
void RunOnThreads(int threads, const Work& work) {
  if (threads <= 1) {
    work(0);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (std::thread& th : pool) th.join();
}

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_JOINER_H_
