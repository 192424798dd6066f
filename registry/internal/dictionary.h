// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: one locus dictionary of a DonorStore, stored flat. Use
// registry/store.h instead.
//
// A registry holds millions of distinct gene-copy spellings ("A*02:01/
// A*02:1040/A*02:1103", "B*08:AB", "DQB1*03:XX"). Kept as PositionTyping
// objects they cost about a kilobyte each (six heap vectors; a truncated
// name such as A*02:01 stands for hundreds of allele ids), which made the
// dictionaries, not the donor records, most of a store's memory and of its
// index file. Here an entry is a run of 32-bit words in one arena:
//
//   word 0   flags (bit 0 consolidated, 1 placeholder, 2 all null, 3 any
//            null, 4 TCE unknown, 5 unnamed, 6 admits a variant, 7 admits
//            a null) | P group count << 8
//   word 1   keyset (equal ids <=> equal match keys)
//   word 2-6 counts: allele ranges, antigens, match keys, serology, TCE
//            groups
//   then     the allele ranges as [begin, end) pairs, the antigens, the
//            match keys, the serology, the TCE groups (one word each), in
//            that order.
//
// The G groups are not stored: they are the G groups of the expressed
// alleles (CompilePosition), a hundred words for a name such as A*02:01 and
// most of the bytes when stored; Materialize derives them from the
// release, and only a grade that has found a shared P group reads them.
//
// Allele ids number the alleles in name order (data/reference.h), so the
// alleles of a name, a list of names, a MAC or an XX code are a few runs of
// consecutive ids: "A*02:01" is one range however many alleles extend it.
// The text of each entry lives in a separate character arena. The arrays
// are the index file's own bytes (registry/index_file.cc): a loaded
// dictionary points into the file buffer and nothing is decoded.
//
// Entry 0 is the untyped position: all words zero, empty text.
#ifndef HLA_REGISTRY_INTERNAL_DICTIONARY_H_
#define HLA_REGISTRY_INTERNAL_DICTIONARY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "data/reference.h"
#include "matcher/match.h"

namespace hla::registry::internal {

class Dictionary {
 public:
  static constexpr int kHeaderWords = 7;
  static constexpr uint32_t kConsolidated = 1, kPlaceholder = 2,
                            kAllNull = 4, kAnyNull = 8, kTceUnknown = 16,
                            kUnnamed = 32, kAdmitsVariant = 64,
                            kAdmitsNull = 128;

  Dictionary() = default;
  // Views of arrays another object owns (the store's backing).
  // `entry_offsets` and `text_offsets` have size() + 1 entries.
  Dictionary(size_t entries, const uint32_t* words, size_t word_count,
             const uint32_t* entry_offsets, const uint32_t* text_offsets,
             const char* text)
      : n_(entries),
        words_(words),
        word_count_(word_count),
        entry_offsets_(entry_offsets),
        text_offsets_(text_offsets),
        text_(text) {}

  size_t size() const { return n_; }

  uint32_t flags(uint32_t t) const { return At(t)[0] & 0xFF; }
  uint8_t p_group_count(uint32_t t) const { return (At(t)[0] >> 8) & 0xFF; }
  uint32_t keyset(uint32_t t) const { return At(t)[1]; }
  bool all_null(uint32_t t) const { return flags(t) & kAllNull; }
  // Written as serology (antigens written).
  bool serology_only(uint32_t t) const { return At(t)[3] > 0; }
  absl::Span<const uint32_t> allele_ranges(uint32_t t) const {
    return Field(t, 0);
  }
  absl::Span<const uint32_t> antigens(uint32_t t) const { return Field(t, 1); }
  absl::Span<const uint32_t> match_keys(uint32_t t) const { return Field(t, 2); }
  absl::Span<const uint32_t> serology(uint32_t t) const { return Field(t, 3); }
  absl::Span<const uint32_t> tce_groups(uint32_t t) const { return Field(t, 4); }
  // Alleles of the entry (the ranges summed).
  size_t allele_count(uint32_t t) const;
  absl::string_view text(uint32_t t) const {
    return absl::string_view(text_ + text_offsets_[t],
                             text_offsets_[t + 1] - text_offsets_[t]);
  }

  // The entry as a PositionTyping, reusing `out`'s storage (haplotype -1;
  // null_alternative_keys() empty, as the scan does not read them).
  // `reference` is the release the store was built against.
  void Materialize(const data::Reference& reference, uint32_t t,
                   matcher::PositionTyping* out) const;
  // The same without the text and the G groups, and with at most the first
  // two alleles: for the rule functions that do not read the alleles one
  // by one, the scan giving the allele-level parts from allele_ranges()
  // (GradePositionsWith, CopyDsaFinder::FindInRanges). typed(),
  // single_allele(), serology_only(), possible_null() and the other derived
  // sets are as Materialize gives them.
  void MaterializeShallow(uint32_t t, matcher::PositionTyping* out) const;

  // Checks an untrusted dictionary (an index file's): offsets in order and
  // in bounds, each entry's counts filling exactly its words, ranges
  // non-empty, ascending and below `allele_count`, antigens below
  // `antigen_count`, entry 0 empty. DataLossError saying what is wrong.
  absl::Status Validate(size_t allele_count, size_t antigen_count) const;

  // The arrays, for the index file.
  const uint32_t* words() const { return words_; }
  size_t word_count() const { return word_count_; }
  const uint32_t* entry_offsets() const { return entry_offsets_; }
  const uint32_t* text_offsets() const { return text_offsets_; }
  const char* text_data() const { return text_; }
  size_t text_size() const { return n_ == 0 ? 0 : text_offsets_[n_]; }
  // Bytes of the arrays.
  size_t bytes() const;

 private:
  const uint32_t* At(uint32_t t) const { return words_ + entry_offsets_[t]; }
  absl::Span<const uint32_t> Field(uint32_t t, int field) const;

  size_t n_ = 0;
  const uint32_t* words_ = nullptr;
  size_t word_count_ = 0;
  const uint32_t* entry_offsets_ = nullptr;
  const uint32_t* text_offsets_ = nullptr;
  const char* text_ = nullptr;
};

// Appends entries; owns the arrays a Dictionary views.
class DictionaryBuilder {
 public:
  DictionaryBuilder();  // with entry 0
  // Appends `p` (derived sets filled by CompilePosition) and returns its id.
  uint32_t Add(const matcher::PositionTyping& p, uint32_t keyset);
  size_t size() const { return entry_offsets_.size() - 1; }
  // False once the words or the text passed 2^32 - 1 (then Add stops
  // adding and returns 0; Finish reports it).
  bool ok() const { return ok_; }
  // A view of the arrays; valid while the builder lives, unmoved.
  Dictionary View() const;

  std::vector<uint32_t> words_;
  std::vector<uint32_t> entry_offsets_;
  std::vector<uint32_t> text_offsets_;
  std::string text_;

 private:
  bool ok_ = true;
};

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_DICTIONARY_H_
