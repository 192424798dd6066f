// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: how a store keeps each donor's imputation (registry/store.h
// ImputeDonors), for the scan's `probability` key and the reports of ranked
// donors. Use registry/store.h instead.
//
// Per donor, a run of 16-bit words:
//   word 0    bit 0 imputed; bit 1 explained; bit 2 ambiguous; bits 3-7 the
//             loci outside the table (bit 3 + l for impute::kLoci[l]);
//             bits 8-12 the typed loci; bit 13 refused (Impute said the
//             typing is too vague); bits 14-15 zero
//   word 1    (imputed) the posterior mass the kept pairs hold, x 65535
//   then per kept pair, most likely first: h1, h2 (indexes into
//             impute::Imputer::haplotypes()), p x 65535 (rounded)
// A fallback donor (scored by matcher::Match) has word 0 only, not imputed:
// its report imputes it when asked.
//
// Why not the whole posterior: a registry donor keeps about 5 pairs and up
// to 5,000; the pairs holding 99.9 % of it, at most kMaxStoredPairs, give
// P(10/10) within 0.1 point of the whole and cost ~25 bytes a donor
// (~14 once equal runs are stored once: registry/internal/store_data.h). The
// scan and the ranked donors' reports read the same stored pairs, so a
// report and its donor's key always agree; `match` imputes afresh and may
// differ by that 0.1 point (docs/probability.md).
#ifndef HLA_REGISTRY_INTERNAL_IMPUTATIONS_H_
#define HLA_REGISTRY_INTERNAL_IMPUTATIONS_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "impute/impute.h"

namespace hla::registry::internal {

inline constexpr size_t kMaxStoredPairs = 32;
inline constexpr double kStoredMass = 0.999;

inline constexpr uint16_t kImputed = 1, kExplained = 2, kAmbiguous = 4,
                          kRefused = 1 << 13;
inline constexpr int kOutsideShift = 3, kTypedShift = 8;
inline constexpr uint16_t kFlagBitsUsed = (1 << 14) - 1;

// Appends the words of one imputation (not imputed: `imputation` null;
// `refused` says why).
// Words: a vector of uint16_t (any allocator).
template <typename Words>
void EncodeImputation(const impute::Imputation* imputation, bool refused, Words* out) {
  if (imputation == nullptr) {
    out->push_back(refused ? kRefused : 0);
    return;
  }
  const impute::Imputation& m = *imputation;
  uint16_t flags = kImputed;
  if (m.explained) flags |= kExplained;
  if (m.ambiguous) flags |= kAmbiguous;
  for (int l = 0; l < data::kHaplotypeLoci; ++l) {
    if (m.outside_table[l]) flags |= static_cast<uint16_t>(1u << (kOutsideShift + l));
    if (m.typed[l]) flags |= static_cast<uint16_t>(1u << (kTypedShift + l));
  }
  size_t n = 0;
  double mass = 0;
  while (n < m.pairs.size() && n < kMaxStoredPairs && mass < kStoredMass) {
    mass += m.pairs[n].p;
    ++n;
  }
  out->push_back(flags);
  out->push_back(static_cast<uint16_t>(
      std::lround(std::min(1.0, m.kept_mass * std::min(1.0, mass)) * 65535)));
  for (size_t k = 0; k < n; ++k) {
    out->push_back(static_cast<uint16_t>(m.pairs[k].h1));
    out->push_back(static_cast<uint16_t>(m.pairs[k].h2));
    out->push_back(static_cast<uint16_t>(std::lround(std::min(1.0, m.pairs[k].p) * 65535)));
  }
}

// One donor's stored words, decoded without allocating (the scan's form).
struct StoredImputation {
  uint16_t flags = 0;
  double kept_mass = 0;
  size_t n = 0;
  impute::HaplotypePair pairs[kMaxStoredPairs];

  bool imputed() const { return flags & kImputed; }
  bool explained() const { return flags & kExplained; }
  uint8_t outside() const { return static_cast<uint8_t>(flags >> kOutsideShift & 31); }
};

// REQUIRES: words as the index loader checked them (EncodeImputation's
// layout, pairs within kMaxStoredPairs).
inline void DecodeImputation(const uint16_t* words, size_t count, StoredImputation* out) {
  out->flags = words[0];
  out->n = 0;
  out->kept_mass = 0;
  if (!(out->flags & kImputed) || count < 2) return;
  out->kept_mass = words[1] / 65535.0;
  out->n = (count - 2) / 3;
  for (size_t k = 0; k < out->n; ++k) {
    const uint16_t* w = words + 2 + 3 * k;
    out->pairs[k] = impute::HaplotypePair{w[0], w[1], w[2] / 65535.0};
  }
}

// The stored imputation as impute::Imputation (a report's form).
inline impute::Imputation ToImputation(const StoredImputation& s) {
  impute::Imputation m;
  m.explained = s.explained();
  m.ambiguous = (s.flags & kAmbiguous) != 0;
  for (int l = 0; l < data::kHaplotypeLoci; ++l) {
    m.outside_table[l] = (s.flags >> (kOutsideShift + l)) & 1;
    m.typed[l] = (s.flags >> (kTypedShift + l)) & 1;
  }
  m.pairs.assign(s.pairs, s.pairs + s.n);
  m.kept_mass = s.kept_mass;
  m.consistent = s.n;
  return m;
}

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_IMPUTATIONS_H_
