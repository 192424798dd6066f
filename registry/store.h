// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// A compact, immutable store of donors for batch ranking (registry/rank.h).
//
//   hla::registry::DonorStoreBuilder builder(reference);
//   builder.Add(facts, genotype, typing_text);      // per donor, input order
//   hla::registry::DonorStore store = *std::move(builder).Finish();
//   ... store.bytes_per_donor() ...
//
// Registries repeat typings, so a donor is a small fixed-size record of
// ids into per-locus dictionaries of the distinct typings, its facts packed
// in one word, and its id in a shared arena (docs/ranking.md; the layout is
// internal, registry/internal/store_data.h).
//
// Thread safety: a DonorStore is immutable after Finish() (or index load) and
// may be read by any number of threads. The arrays may live in the buffer
// of an index file (registry/ingest.h LoadIndex), which the store keeps.
#ifndef HLA_REGISTRY_STORE_H_
#define HLA_REGISTRY_STORE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "data/reference.h"
#include "hla/locus.h"
#include "eligibility/eligibility.h"
#include "impute/impute.h"
#include "matcher/match.h"

namespace hla::registry {

namespace internal {
class StoreData;
}  // namespace internal

class DonorStore {
 public:
  DonorStore();
  ~DonorStore();
  DonorStore(DonorStore&&) noexcept;
  DonorStore& operator=(DonorStore&&) noexcept;
  // Non-copyable: the arrays can be gigabytes.
  DonorStore(const DonorStore&) = delete;
  DonorStore& operator=(const DonorStore&) = delete;

  // Donors in the store, in input order: index i is the i-th donor read.
  size_t size() const;
  // The IPD-IMGT/HLA release the typings refer to ("3.58.0").
  const std::string& release() const;
  // Donor i's id. REQUIRES: i < size().
  absl::string_view id(size_t i) const;
  // The donor as matcher::Match takes it, and its facts. REQUIRES: i <
  // size().
  matcher::Genotype GenotypeOf(size_t i) const;
  eligibility::DonorFacts FactsOf(size_t i) const;
  // Donors kept whole because the scan cannot score them from interned
  // typings (phased '~' typings, genotype lists '|'): matcher::Match
  // scores them.
  size_t fallback_count() const;

  // Bytes of the per-donor arrays (ids, facts, id offsets, id text), of the
  // dictionaries of distinct typings (approximate), and per donor: all in
  // (records, dictionaries, fallback genotypes, populations and
  // imputations, read or not), and the record alone.
  size_t record_bytes() const;
  size_t dictionary_bytes() const;
  double bytes_per_donor() const;
  double record_bytes_per_donor() const;
  size_t dictionary_entries() const;
  // ImputeDonors has run on this store (or the index kept its result), and
  // the bytes its result takes.
  bool has_imputations() const;
  size_t imputation_bytes() const;
  // The index's imputation section when LoadIndex was told not to read it
  // (LoadOptions): counted in bytes_per_donor, not in memory.
  size_t unread_imputation_bytes() const;
  // How the donors were imputed: explained by the table, not explained by
  // any pair of its haplotypes, refused as too vaguely typed, and left to
  // their reports (fallback donors). All 0 without imputations.
  struct ImputationCounts {
    size_t explained = 0, unexplained = 0, refused = 0, fallback = 0;
  };
  ImputationCounts imputation_counts() const;

  // The layout, for the registry's own scan and index file
  // (registry/internal/store_data.h).
  const internal::StoreData& data() const { return *data_; }

 private:
  friend class DonorStoreBuilder;
  friend struct StoreAccess;  // registry/index_file.cc
  friend absl::Status ImputeDonors(const impute::Imputer&, int, DonorStore*,
                                   const std::function<void(size_t, size_t)>&,
                                   absl::Time);
  std::unique_ptr<internal::StoreData> data_;
};

class DonorStoreBuilder {
 public:
  // REQUIRES: reference != nullptr; every genotype added was built against it.
  explicit DonorStoreBuilder(std::shared_ptr<const data::Reference> reference);
  ~DonorStoreBuilder();
  DonorStoreBuilder(const DonorStoreBuilder&) = delete;
  DonorStoreBuilder& operator=(const DonorStoreBuilder&) = delete;

  // Interns one position of `locus` (by its canonical text) and returns its
  // id (>= 1) in that locus's dictionary.
  uint32_t Intern(Locus locus, const matcher::PositionTyping& position);

  // Appends a donor in input order. `typing` (the GL String) is kept only
  // for fallback donors (phased or genotype-list typings). Donor ids longer
  // than the arena allows (4 GiB in total) are an error at Finish().
  void Add(const eligibility::DonorFacts& facts, const matcher::Genotype& genotype,
           absl::string_view typing);

  // Appends a donor from interned ids: ids[locus] = {pos 1, pos 2}, {0, 0}
  // for an untyped locus; `once_mask` bit l = locus l written once. For
  // generators that skip text (benchmarks).
  void AddIds(const eligibility::DonorFacts& facts,
              const std::array<std::array<uint32_t, 2>, kLocusCount>& ids,
              uint16_t once_mask);
  // The same with the id's hash made by the caller (HashId), who reads rows
  // on other threads and so takes the hashing off this one.
  // REQUIRES: id_hash == HashId(facts.id).
  void AddIds(const eligibility::DonorFacts& facts,
              const std::array<std::array<uint32_t, 2>, kLocusCount>& ids,
              uint16_t once_mask, size_t id_hash);

  size_t size() const;
  // A hint, no effect on the store: room for `donors` donors in all (their
  // records, the id index, the typing columns), so that adding them grows
  // and copies no array. Ignored where the memory cannot be had.
  void Reserve(size_t donors);
  // The index of the donor added with `id`, the first one if several were;
  // nullopt when none. Ingest refuses a second donor with an id (an id
  // names one donor, as in `match`).
  std::optional<size_t> IndexOf(absl::string_view id) const;
  // REQUIRES: hash == HashId(id).
  std::optional<size_t> IndexOf(absl::string_view id, size_t hash) const;
  // The hash IndexOf and AddIds use for a donor id: a pure function of it.
  static size_t HashId(absl::string_view id);
  // A hint, no effect on results: asks for the memory an IndexOf or AddIds
  // with this hash will read (ingest calls it some rows ahead, whose ids it
  // hashed on its reading threads).
  void PrefetchId(size_t hash) const;

  // The store. InvalidArgumentError if the id text exceeds 4 GiB or there
  // are more than 2^32 - 1 donors.
  absl::StatusOr<DonorStore> Finish() &&;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Imputes every donor of `store` (impute/impute.h: the donor's population,
// the mixture when unknown) on `threads` threads (0: the hardware's) and
// keeps a compact form in the store (registry/internal/imputations.h: the
// pairs holding 99.9 % of the posterior, at most 32; donors with equal
// imputations share one run: about 15 bytes a donor on the synthetic
// default mix), for the `probability` rank key and the ranked donors'
// reports. A typing is imputed once (Imputer::AdmittedAlleles: typings
// whose copies admit the same table alleles, of the same population, are
// imputed once together), whatever the thread count.
// Fallback donors (phased or '|' typings) are imputed by their reports
// instead. A donor too vaguely typed to impute (Impute's
// ResourceExhaustedError) is kept as refused: its probability is not
// available. `progress` (may be empty) is called from one thread with
// (donors done, total). Call before the store is shared. Errors:
// FailedPreconditionError for an imputer bound to another release;
// InvalidArgumentError past 2^32 - 1 words of imputations;
// DeadlineExceededError past `deadline` (looked at every 256 typings and
// donors; the store is then left without imputations).
absl::Status ImputeDonors(const impute::Imputer& imputer, int threads,
                          DonorStore* store,
                          const std::function<void(size_t, size_t)>& progress = nullptr,
                          absl::Time deadline = absl::InfiniteFuture());

}  // namespace hla::registry

#endif  // HLA_REGISTRY_STORE_H_
