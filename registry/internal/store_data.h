// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: the layout of a DonorStore, for the registry's scan
// (registry/rank.cc), the store builder and the index file. Use
// registry/store.h instead.
//
// Registries repeat typings, so each distinct typing of one gene copy
// ("A*02:01", "A*02:AB", "B44") is interned once per locus, flat
// (registry/internal/dictionary.h), and a donor is a fixed-size record:
//   - per stored locus, two typing ids (uint16 when every locus dictionary
//     has fewer than 65536 entries, else uint32); id 0 = locus untyped;
//   - one uint64 of packed facts (birth date or age, sex, ABO/Rh, CMV,
//     relationship, flags);
//   - the donor id as an offset into one character arena.
// The input ordinal is the record's index. Only loci that some donor has
// typed are stored. Donors the fast scan cannot score from interned
// positions (a genotype list '|', a phased '~' typing) are "fallback"
// donors: their whole Genotype is kept beside the records.
#ifndef HLA_REGISTRY_INTERNAL_STORE_DATA_H_
#define HLA_REGISTRY_INTERNAL_STORE_DATA_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "eligibility/facts.h"
#include "hla/locus.h"
#include "matcher/match.h"
#include "registry/internal/dictionary.h"

namespace hla::registry::internal {

// The packed facts word of a donor. Bit layout (docs/ranking.md):
//   0-26  birth date as YYYYMMDD (kFactBirth) or a given age (kFactAge)
//   27    kFactBirth   28 kFactAge
//   29-30 sex (Sex)    31-33 ABO (0 unknown, 1 + Abo)   34-35 Rh (Rh)
//   36-37 CMV (Cmv)    38-40 Relationship               41 kFactFallback
//   42-52 "written once" per Locus (LocusTyping::typed_positions == 1)
//   53-54 KIR Cen motif (KirMotif)   55-56 KIR Tel motif
//   57-62 the KIR receptors of C1, C2, Bw4, 2 bits each (KirPresence)
struct PackedFacts {
  static constexpr uint64_t kValueMask = (uint64_t{1} << 27) - 1;
  static constexpr uint64_t kFactBirth = uint64_t{1} << 27;
  static constexpr uint64_t kFactAge = uint64_t{1} << 28;
  static constexpr int kSexShift = 29, kAboShift = 31, kRhShift = 34,
                       kCmvShift = 36, kRelShift = 38, kOnceShift = 42;
  static constexpr uint64_t kFactFallback = uint64_t{1} << 41;
  static constexpr int kKirCenShift = 53, kKirTelShift = 55,
                       kKirReceptorShift = 57, kUsedBits = 63;
  static_assert(kOnceShift + kLocusCount <= kKirCenShift,
                "the KIR bits follow the written-once bits");

  static uint64_t Pack(const eligibility::DonorFacts& facts);
  // The facts back (id left empty).
  static eligibility::DonorFacts Unpack(uint64_t word);
  // Whether `word` is one Pack can write (every field in range, a real
  // date, no stray bit), given the store's loci: what an index file must
  // hold before the scan decodes it.
  static bool Valid(uint64_t word);

  static eligibility::Sex SexOf(uint64_t w) { return static_cast<eligibility::Sex>((w >> kSexShift) & 3); }
  static int AboCode(uint64_t w) { return static_cast<int>((w >> kAboShift) & 7); }
  static std::optional<eligibility::BloodGroup> BloodGroupOf(uint64_t w) {
    const int abo = AboCode(w);
    if (abo == 0) return std::nullopt;
    return eligibility::BloodGroup{
        static_cast<eligibility::Abo>(abo - 1),
        static_cast<eligibility::Rh>((w >> kRhShift) & 3)};
  }
  static eligibility::Cmv CmvOf(uint64_t w) { return static_cast<eligibility::Cmv>((w >> kCmvShift) & 3); }
  static matcher::Relationship RelationshipOf(uint64_t w) {
    return static_cast<matcher::Relationship>((w >> kRelShift) & 7);
  }
  static eligibility::KirGenotype KirOf(uint64_t w) {
    eligibility::KirGenotype k;
    k.cen = static_cast<eligibility::KirMotif>((w >> kKirCenShift) & 3);
    k.tel = static_cast<eligibility::KirMotif>((w >> kKirTelShift) & 3);
    for (int g = 0; g < matcher::kKirLigandGroups; ++g) {
      k.receptor[g] = static_cast<eligibility::KirPresence>(
          (w >> (kKirReceptorShift + 2 * g)) & 3);
    }
    return k;
  }
};

class StoreData {
 public:
  StoreData() = default;
  // Non-copyable: the arrays can be gigabytes.
  StoreData(const StoreData&) = delete;
  StoreData& operator=(const StoreData&) = delete;

  size_t size() const { return size_; }
  // The IPD-IMGT/HLA release the typing ids refer to ("3.58.0").
  const std::string& release() const { return release_; }

  // Stored loci, in hla::Locus order; a record has 2 ids per stored locus.
  const std::vector<Locus>& loci() const { return loci_; }
  // Slot of `locus` in loci(), or -1 when no donor has it typed.
  int SlotOf(Locus locus) const { return slot_of_[static_cast<int>(locus)]; }
  // Dictionary of a slot; entry 0 is the empty (untyped) position.
  const Dictionary& dictionary(int slot) const { return dictionaries_[slot]; }

  bool wide_ids() const { return ids32_ != nullptr; }
  size_t stride() const { return 2 * loci_.size(); }  // ids per record
  // Typing ids of donor i at slot s, position p. REQUIRES: i < size().
  uint32_t TypingId(size_t i, int slot, int p) const {
    const size_t k = i * stride() + 2 * slot + p;
    return ids32_ != nullptr ? ids32_[k] : ids16_[k];
  }
  const uint16_t* ids16() const { return ids16_; }
  const uint32_t* ids32() const { return ids32_; }
  const uint64_t* facts_words() const { return facts_; }
  uint64_t facts_word(size_t i) const { return facts_[i]; }
  absl::string_view id(size_t i) const {
    return absl::string_view(id_arena_ + id_offsets_[i],
                             id_offsets_[i + 1] - id_offsets_[i]);
  }
  bool is_fallback(size_t i) const {
    return (facts_[i] & PackedFacts::kFactFallback) != 0;
  }
  // The full genotype of a fallback donor. REQUIRES: is_fallback(i).
  const matcher::Genotype& fallback_genotype(size_t i) const;
  size_t fallback_count() const { return fallback_.size(); }
  // (index, typing text) of each fallback donor, for the index file.
  const std::vector<std::pair<uint32_t, std::string>>& fallback_texts() const {
    return fallback_text_;
  }

  // Donor i's population code: 0 unknown, 1 + data::Population.
  uint8_t population_code(size_t i) const {
    return populations_ != nullptr ? populations_[i] : 0;
  }

  // The imputations of ImputeDonors (registry/store.h), when made: per
  // donor a run of 16-bit words (registry/internal/imputations.h). Donors
  // with the same run share it (a registry repeats its common typings: at
  // 10M synthetic donors, 4.4M distinct runs): each run is stored once,
  // after a word holding its length, and each donor has the offset of
  // its run's length word. (An offset, not a run number into a table of
  // offsets: the scan then waits for one cache miss a donor, not two in a
  // row, and can prefetch it.)
  bool has_imputations() const { return imputation_starts_ != nullptr; }
  uint64_t imputation_fingerprint() const { return imputation_fingerprint_; }
  uint64_t imputation_haplotypes() const { return imputation_haplotypes_; }
  // Where donor i's run starts: its length word (also the scan's
  // prefetch hint).
  const uint16_t* imputation_run_start(size_t i) const {
    return imputation_words_ + imputation_starts_[i];
  }
  const uint16_t* imputation_words(size_t i, size_t* count) const {
    const uint16_t* p = imputation_run_start(i);
    *count = p[0];
    return p + 1;
  }
  size_t imputation_run_count() const { return imputation_run_count_; }
  size_t imputation_word_count() const { return imputation_word_count_; }
  size_t imputation_bytes() const {
    return has_imputations() ? size_ * 4 + 2 * imputation_word_count_ : 0;
  }
  // The index's imputation section when LoadIndex left it unread
  // (LoadOptions), else 0.
  size_t unread_imputation_bytes() const { return unread_imputation_bytes_; }

  // The donor as matcher::Match takes it: the interned positions put back
  // together (or the fallback genotype), and its facts.
  matcher::Genotype GenotypeOf(size_t i) const;
  eligibility::DonorFacts FactsOf(size_t i) const;

  // Bytes of the per-donor arrays (ids, facts, id offsets, id text), of the
  // dictionaries (approximate), and per donor.
  size_t record_bytes() const;
  size_t dictionary_bytes() const;
  size_t fallback_bytes() const;  // fallback genotypes and their texts
  // All in: records, dictionaries, fallback genotypes, populations and
  // imputations, per donor.
  double bytes_per_donor() const;
  // The fixed-size record alone (what the scan reads, plus the id).
  double record_bytes_per_donor() const;
  size_t dictionary_entries() const;

  // The fields, filled by DonorStoreBuilder::Finish or the index loader.

  std::string release_;
  // The release itself: the dictionaries derive G groups from it.
  std::shared_ptr<const data::Reference> reference_;
  std::vector<Locus> loci_;
  std::array<int, kLocusCount> slot_of_{};
  std::vector<Dictionary> dictionaries_;  // views into backing_
  size_t size_ = 0;
  const uint16_t* ids16_ = nullptr;
  const uint32_t* ids32_ = nullptr;
  const uint64_t* facts_ = nullptr;
  const uint32_t* id_offsets_ = nullptr;  // size_ + 1 entries
  const char* id_arena_ = nullptr;
  std::shared_ptr<const void> backing_;  // owns the arrays above
  absl::flat_hash_map<uint32_t, matcher::Genotype> fallback_;
  std::vector<std::pair<uint32_t, std::string>> fallback_text_;
  // size_ population codes, or null when every donor's is unknown.
  const uint8_t* populations_ = nullptr;
  std::shared_ptr<const void> populations_backing_;
  // The imputations: size_ offsets into the words (each a run's length
  // word), or null; the words hold imputation_run_count_ runs.
  uint64_t imputation_fingerprint_ = 0;
  uint64_t imputation_haplotypes_ = 0;  // the imputer's haplotype count
  size_t imputation_run_count_ = 0;
  size_t imputation_word_count_ = 0;
  size_t unread_imputation_bytes_ = 0;
  const uint32_t* imputation_starts_ = nullptr;
  const uint16_t* imputation_words_ = nullptr;
  std::shared_ptr<const void> imputation_backing_;
};

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_STORE_DATA_H_
