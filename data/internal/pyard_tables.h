// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal: use data/reduce.h instead.
//
// py-ard's lookup tables (docs/research/pyard-semantics.md §1), derived from
// a loaded Reference instead of py-ard's SQLite cache. Keys are bare names
// ("A*01:01", no "HLA-"); std::string keys are looked up with
// absl::string_view (heterogeneous lookup: no temporary strings).
#ifndef HLA_DATA_INTERNAL_PYARD_TABLES_H_
#define HLA_DATA_INTERNAL_PYARD_TABLES_H_

#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "data/reference.h"

namespace hla::data::data_internal_fwd {

struct PyArdTables {
  using Map = absl::flat_hash_map<std::string, std::string>;
  using Set = absl::flat_hash_set<std::string>;

  const Reference* ref = nullptr;
  Map g_group;     // 2d, 3d, full name -> G name ("/" list for a dup 2d)
  Map lgx_group;   // 2d, 3d, full name -> 2-field ARD name
  Map p_group;     // 2d, 3d, full name -> P name
  Map exon_group;  // full name (grouped in G) -> 3 fields
  Map p_not_g;     // full name in P whose 2d is in no G group -> lgx of P
  Set g_values, p_values, p_not_g_values;
  Set valid;       // py-ard VALID: WHO names, their 2d and 3d, exp alleles
  // G / P name -> the keys that map to it (py-ard's who_group for groups).
  absl::flat_hash_map<std::string, std::vector<std::string>> g_keys, p_keys;
  // d1, d2, d3 of every WHO name -> its ids (who_group for truncations).
  absl::flat_hash_map<std::string, std::vector<AlleleId>> by_key;
  // "A*01:04N" -> the WHO names of A*01:04 ending in N (py-ard shortnulls).
  absl::flat_hash_map<std::string, std::vector<std::string>> shortnulls;
  // Serology, built on first use of level S (it reduces every allele named
  // in rel_dna_ser to lgx: most of the tables' build time, needed by S only).
  mutable std::once_flag serology_once;
  // lgx name -> antigens whose allele lists reduce to it (broads included).
  mutable absl::flat_hash_map<std::string, std::vector<AntigenId>> ser_by_lgx;
  // allele -> antigens naming it (USA/PSA/ASA), broads included.
  mutable absl::flat_hash_map<AlleleId, std::vector<AntigenId>> ser_by_allele;
  // Loci py-ard reduces (G_GROUP_LOCI); other loci pass through unchanged.
  Set g_loci;

  size_t MemoryUsage() const;
};

}  // namespace hla::data::data_internal_fwd

#endif  // HLA_DATA_INTERNAL_PYARD_TABLES_H_
