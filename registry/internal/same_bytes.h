// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: equality of two short byte strings, inline. Ingest's spelling
// tables compare a gene-copy spelling (a few to a few dozen bytes) with the
// one remembered under the same 64-bit hash, tens of millions of times at
// 10M rows, nearly always equal; a call to memcmp there was 8 % of the
// accepting thread (docs/ranking.md, session 18).
#ifndef HLA_REGISTRY_INTERNAL_SAME_BYTES_H_
#define HLA_REGISTRY_INTERNAL_SAME_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace hla::registry::internal {

// a[0, n) == b[0, n). Eight bytes at a time (a memcpy of 8 is one load),
// then byte by byte; reads nothing past a + n or b + n.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  for (; n >= 8; a += 8, b += 8, n -= 8) {
    uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
  }
  for (; n > 0; ++a, ++b, --n) {
    if (*a != *b) return false;
  }
  return true;
}

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_SAME_BYTES_H_
