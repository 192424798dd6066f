// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Donor files -> DonorStore (registry/store.h), streamed (one row in memory
// at a time), and the store's index file.
//
//   hla::registry::IngestStats stats;
//   HLA_ASSIGN_OR_RETURN(hla::registry::DonorStore store,
//       hla::registry::IngestDonorFile(path, resolver, {}, on_reject, &stats));
//   HLA_RETURN_IF_ERROR(hla::registry::WriteIndex(store, "donors.hmx"));
//   HLA_ASSIGN_OR_RETURN(store, hla::registry::LoadIndex("donors.hmx", resolver));
//
// Inputs: CSV, TSV or JSON Lines, all read by registry/donor_file.h (its
// columns/keys, format choice and per-row errors; a name ending in
// .jsonl/.ndjson, before an optional .gz, is JSON Lines). Gzip input is read
// through zlib, which also reads uncompressed files, so ".gz" and the gzip
// magic both work.
//
// Every row is read, accepted, or rejected: a rejected row (wrong number of
// fields, missing id, bad date/age/sex/ABO/CMV/relationship, a typing that
// does not parse or names no allele of the release, bad JSON, ...) goes to
// `on_reject` as "file:line: reason" and is counted; it never stops the run.
// Resolved typings are cached by their text (registries repeat typings).
#ifndef HLA_REGISTRY_INGEST_H_
#define HLA_REGISTRY_INGEST_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "data/resolve.h"
#include "registry/donor_file.h"
#include "registry/rank.h"
#include "registry/store.h"

namespace hla::registry {

enum class DonorInputFormat : uint8_t { kAuto, kCsv, kTsv, kJsonLines };

struct IngestOptions {
  DonorInputFormat format = DonorInputFormat::kAuto;
  // The id column or key (--id-column) when it is not one of id, donor_id,
  // person_id, donor (DonorFileOptions::id_column). Empty: those.
  std::string id_column;
  // Distinct typings whose resolved genotype (or error) is remembered.
  size_t cache_entries = size_t{1} << 20;
  // Distinct gene-copy spellings ("A*02:AB", "A*02:01/A*02:17") whose
  // compiled position is remembered (about 100 bytes each): a 10M-donor
  // registry writes about 1.4M; past the bound the memory is emptied and
  // spellings are compiled again when they recur.
  size_t position_entries = size_t{1} << 22;
  size_t max_row_bytes = size_t{1} << 20;
  // Past it, reading stops with DeadlineExceededError (checked every 1,024
  // rows; the service's per-request deadline). Infinite by default.
  absl::Time deadline = absl::InfiniteFuture();
  // Threads that parse, resolve and compile each chunk's new gene copies:
  // 0 = hardware concurrency; at most kMaxThreads (registry/rank.h). The
  // store is the same whatever the number.
  int threads = 0;
  // Only the data rows numbered [first_row, end_row) in file order (from
  // 0, rejected rows counted) are read into the store; the others are
  // skipped and counted nowhere, and reading stops at end_row. `index
  // --shard K/N` reads one contiguous slice of a registry (ShardRows), so
  // that the shards in order are the file in order.
  size_t first_row = 0;
  size_t end_row = SIZE_MAX;
};

// The data rows of a donor file (rejected ones included; not the header),
// read as IngestDonorFile reads it but without resolving anything. Errors:
// IngestDonorFile's (a missing file, a bad header, gzip data lost).
absl::StatusOr<size_t> CountDonorRows(const std::string& path,
                                      const IngestOptions& options);

// Shard k of n (0 <= k < n) of `rows` data rows: the contiguous slice
// [k * rows / n, (k + 1) * rows / n), so that every row is in exactly one
// shard and the shards in order are the file in order.
struct RowRange {
  size_t first = 0, end = 0;
};
RowRange ShardRows(size_t rows, size_t k, size_t n);

struct IngestStats {
  size_t rows = 0;      // rows read (accepted + rejected)
  size_t accepted = 0;
  size_t rejected = 0;
  size_t input_bytes = 0;  // bytes of the file as stored (compressed if gz)
  size_t cache_hits = 0;
  double seconds = 0;
  // The rows the store made room for at the start, estimated from the
  // file's size and its first rows (0: none; a stream or a small file).
  size_t reserved_rows = 0;
};

using RejectFn = std::function<void(const std::string& message)>;

// Reads `path` into a store. Errors (the run cannot start): NotFoundError
// when the file cannot be opened; InvalidArgumentError for a bad header
// (no id column, no typing column, ...). `on_reject` and `progress` (rows
// read, 0) may be null.
absl::StatusOr<DonorStore> IngestDonorFile(const std::string& path,
                                           const data::Resolver& resolver,
                                           const IngestOptions& options,
                                           const RejectFn& on_reject,
                                           IngestStats* stats,
                                           const ProgressFn& progress = nullptr);

// The same from a stream (not owned); `name` names it in messages and
// selects the format as a file name would.
absl::StatusOr<DonorStore> IngestDonorStream(std::istream* in,
                                             const std::string& name,
                                             const data::Resolver& resolver,
                                             const IngestOptions& options,
                                             const RejectFn& on_reject,
                                             IngestStats* stats,
                                             const ProgressFn& progress = nullptr);

// ---- Index file (docs/ranking.md, "Index file")

// 2: unnamed alleles (NEW, UUUU, XXXX) flagged apart from gene-absent
// placeholders; null keys only for copies that express nothing.
// 3: the null alleles and expression variants (WHO suffixes L, S, Q, C, A)
// a typing admits, flagged per typing.
// 4: dictionaries stored flat and used in place (allele ranges, one word
// arena per locus; registry/internal/dictionary.h).
// 5: the donor's KIR genotype (Cen/Tel motifs, inhibitory receptors) in
// bits 53-62 of the facts word.
// 6: donor populations; the donors' imputations in a section after the
// payload, with its own size and CRC in the header (release field 16 bytes).
// 7: donors with equal imputations share one run (a run number a donor).
inline constexpr uint32_t kIndexFormatVersion = 7;

// True when the file starts with the index magic (rank --donors picks index
// or donor file by content, not by name).
bool IsIndexFile(const std::string& path);

// Writes `store` to `path`: to a temporary file beside it, flushed to disk,
// then renamed over `path`, so that a reader (a running `rank` or `serve`)
// sees the old index or the new one, never a part of either. InternalError
// naming the path and the system's reason when it cannot be written.
absl::Status WriteIndex(const DonorStore& store, const std::string& path);

// Reads an index file whole into memory (a copy the store keeps: a file
// changed or truncated later cannot change or crash a running scan) and
// checks it: header, checksum, then every section bound, id offset, facts
// word and typing id (a crafted file can carry a valid checksum). Errors,
// each naming the file:
//   NotFoundError            it cannot be opened;
//   FailedPreconditionError  stale: another format version, or built against
//                            another IPD-IMGT/HLA release than the
//                            resolver's ("rebuild it with haplomatch index");
//   DataLossError            corrupt: bad magic, truncated, checksum
//                            mismatch, inconsistent sections, or changed
//                            while read;
//   ResourceExhaustedError   no memory to hold it.
//
// The donors' imputations (ImputeDonors), a third of a large index, are
// read and checked only with options.imputations; without, the store has
// none (a rank by probability then says to load them).
struct LoadOptions {
  bool imputations = true;
};
absl::StatusOr<DonorStore> LoadIndex(const std::string& path,
                                     const data::Resolver& resolver,
                                     const LoadOptions& options = {});

}  // namespace hla::registry

#endif  // HLA_REGISTRY_INGEST_H_
