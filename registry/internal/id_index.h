// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: the donors by id while a store is built (DonorStoreBuilder's
// IndexOf and AddId), for the duplicate check every ingested row makes.
//
// Open addressing over 8-byte slots: 32 bits of the id's hash and the
// donor's number. The text stays in the builder's arena and is compared
// only when those 32 bits match (a duplicate, or one lookup in about 4
// billion), so a lookup is one cache line that a caller who knows the hash
// ahead asks for (Prefetch), and growing never reads the text. At 10M
// donors it is 128 MB; an absl::flat_hash_set of donor numbers was 80 MB
// but looked every id up in the arena on each probe and on each rehash
// (a fifth of ingest's serial time at 10M rows).
#ifndef HLA_REGISTRY_INTERNAL_ID_INDEX_H_
#define HLA_REGISTRY_INTERNAL_ID_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "registry/internal/huge_pages.h"
#include "registry/internal/prefetch.h"

namespace hla::registry::internal {

class IdIndex {
 public:
  // Asks for the cache line a Find or Insert of `hash` starts at.
  void Prefetch(size_t hash) const {
    if (!slots_.empty()) PrefetchLine(&slots_[Home(Tag(hash))]);
  }

  // The number of the first id equal to `id` that was inserted, or nullopt.
  // `text_of(n)` is id n's text. REQUIRES: `hash` is the id's hash, the
  // same function for every call.
  template <typename TextOf>
  std::optional<uint32_t> Find(absl::string_view id, size_t hash,
                               const TextOf& text_of) const {
    if (slots_.empty()) return std::nullopt;
    const uint32_t tag = Tag(hash);
    for (size_t i = Home(tag);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.number_plus_one == 0) return std::nullopt;
      if (s.tag == tag && text_of(s.number_plus_one - 1) == id) {
        return s.number_plus_one - 1;
      }
    }
  }

  // Remembers `id` as number `number` unless an equal id is there (the
  // first one stays). Past 2^32 - 1 ids (more than a store holds; the
  // builder's Finish refuses them) ids are no longer remembered.
  template <typename TextOf>
  void Insert(absl::string_view id, size_t hash, uint32_t number,
              const TextOf& text_of) {
    if (number == UINT32_MAX) return;
    if ((count_ + 1) * 4 > slots_.size() * 3) {
      if (!Grow() && count_ + 1 >= slots_.size()) return;
    }
    const uint32_t tag = Tag(hash);
    size_t i = Home(tag);
    for (; slots_[i].number_plus_one != 0; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.tag == tag && text_of(s.number_plus_one - 1) == id) return;
    }
    slots_[i] = Slot{tag, number + 1};
    ++count_;
  }

  size_t size() const { return count_; }

  // Makes room for `n` ids in all, so that inserting them does not grow the
  // table (each growth moves every id there, at random).
  void Reserve(size_t n) {
    while (n * 4 > slots_.size() * 3 && Grow()) {
    }
  }
  // The ids it holds before it grows.
  size_t capacity() const { return slots_.size() * 3 / 4; }

 private:
  struct Slot {
    uint32_t tag = 0;
    uint32_t number_plus_one = 0;  // 0: a free slot
  };
  static constexpr int kMaxBits = 32;

  // The hash's top half: absl's hash mixes every bit into it.
  static uint32_t Tag(size_t hash) {
    return static_cast<uint32_t>(static_cast<uint64_t>(hash) >> 32);
  }
  // Fibonacci hashing of the tag: the top `bits_` bits of the product, so
  // that growing needs only the tag.
  size_t Home(uint32_t tag) const {
    return static_cast<size_t>((uint64_t{tag} * 0x9E3779B97F4A7C15ull) >>
                               (64 - bits_)) & mask_;
  }
  // Doubles the slots (at most 2^32); false when it cannot.
  bool Grow() {
    if (bits_ >= kMaxBits) return false;
    bits_ = slots_.empty() ? 10 : bits_ + 1;
    HugeVector<Slot> old(size_t{1} << bits_);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.number_plus_one == 0) continue;
      size_t i = Home(s.tag);
      while (slots_[i].number_plus_one != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
    return true;
  }

  HugeVector<Slot> slots_;  // hundreds of MB read at random: huge pages
  size_t mask_ = 0;
  int bits_ = 0;
  size_t count_ = 0;
};

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_ID_INDEX_H_
