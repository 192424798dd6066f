// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: a cache-line load hint for loops that know an address before
// they need it (the scan's cells, ingest's spelling table and rows).
#ifndef HLA_REGISTRY_INTERNAL_PREFETCH_H_
#define HLA_REGISTRY_INTERNAL_PREFETCH_H_

namespace hla::registry::internal {

// GCC deletes a loop made only of __builtin_prefetch (it has no side
// effects), hence the empty asm that uses the address.
inline void PrefetchLine(const void* p) {
  __builtin_prefetch(p);
  asm volatile("" : : "r"(p));
}

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_PREFETCH_H_
