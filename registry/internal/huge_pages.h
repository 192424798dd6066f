// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: an allocator for the registry's large tables (the id and
// spelling tables of ingest, the store's columns, the imputation's memory
// of keys) that asks the kernel to back them with transparent huge pages.
//
// Why: a 10M registry's tables are hundreds of megabytes read at random,
// so nearly every lookup misses the TLB, and under a hypervisor each miss
// is a two-level page walk; the tables are also grown and written once,
// a page fault every 4 KiB. Debian's default THP mode is "madvise": only
// memory so advised gets 2 MiB pages. Measured on the 2-core VM, `index`
// of the 10M synthetic registry used 10-15 % less CPU with its large
// blocks advised (docs/ranking.md). The advice is only a hint: where THP
// is off, or the advice fails, the memory is the same ordinary memory.
#ifndef HLA_REGISTRY_INTERNAL_HUGE_PAGES_H_
#define HLA_REGISTRY_INTERNAL_HUGE_PAGES_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

namespace hla::registry::internal {

// Blocks from this size up are advised (smaller ones are left to
// operator new: a huge page would be mostly empty).
inline constexpr size_t kHugePageBlock = size_t{4} << 20;
inline constexpr size_t kHugePage = size_t{2} << 20;

// Standard allocator semantics (stateless, all instances equal).
template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding

  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_array_new_length();
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePageBlock || alignof(T) > kHugePage) {
      return static_cast<T*>(::operator new(bytes));
    }
    // Whole huge pages, aligned to one, so that all of the block can be.
    const size_t rounded = (bytes + kHugePage - 1) & ~(kHugePage - 1);
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (p == nullptr) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    ::madvise(p, rounded, MADV_HUGEPAGE);  // a hint; failing changes nothing
#endif
    return static_cast<T*>(p);
  }

  void deallocate(T* p, size_t n) noexcept {
    if (n * sizeof(T) < kHugePageBlock || alignof(T) > kHugePage) {
      ::operator delete(p);
    } else {
      std::free(p);
    }
  }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
  template <typename U>
  bool operator!=(const HugePageAllocator<U>&) const { return false; }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_HUGE_PAGES_H_
