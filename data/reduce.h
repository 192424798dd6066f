// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Reduction, validation and expansion of typings, with NMDP py-ard's
// semantics (docs/research/pyard-semantics.md; our deliberate differences are
// in docs/conventions.md).
//
//   hla::data::Reducer reducer(reference, macs, {.strict = true});
//   HLA_ASSIGN_OR_RETURN(std::string s,
//                        reducer.Reduce(gl, hla::data::ReductionLevel::kLgx));
//
// Every token is first resolved (data/resolve.h): a name that the release
// does not have is an error naming the token and its offset, before any
// reduction, as py-ard's strict mode validates first. The reduction itself
// follows py-ard's tables, derived from the same release: G/P/lgx/exon
// lookups keyed by 2-field, 3-field and full names, "ping" for lg/lgx/U2,
// MAC/XX/serology/short-null expansion before reducing each member, and its
// GL String ordering (allele lists de-duplicated and sorted field-
// numerically, '+' sorted, '~' kept in order).
//
// Thread safety: immutable after construction; share freely.
#ifndef HLA_DATA_REDUCE_H_
#define HLA_DATA_REDUCE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/resolve.h"
#include "hla/gl.h"

namespace hla::data {

namespace data_internal_fwd {
struct PyArdTables;
}

// py-ard's reduction levels.
enum class ReductionLevel : uint8_t {
  kG,     // "G": the G group (official IMGT name; see conventions)
  kP,     // "P": the P group
  kLg,    // "lg": lgx + 'g'
  kLgx,   // "lgx": the 2-field name of the ARD group (py-ard's default)
  kExon,  // "exon": 3 fields
  kW,     // "W": every WHO allele name the typing stands for
  kU2,    // "U2": 2 fields when unambiguous, else lgx
  kS,     // "S": serologic antigens
  k1F,    // "1F": first field
};

// "G", "P", "lg", "lgx", "exon", "W", "U2", "S" or "1F" (exact, as py-ard).
std::optional<ReductionLevel> ParseReductionLevel(absl::string_view name);
absl::string_view ReductionLevelName(ReductionLevel level);

struct ReduceOptions {
  ResolveOptions resolve;  // strict / non-strict, placeholders
  // Apply py-ard's "ping" rules (default in py-ard >= 1.2.0).
  bool ping = true;
  // The suffix of level lg: "g", or "ARS" (py-ard's ARS_as_lg).
  std::string lg_suffix = "g";
  // Level G as py-ard 2.3.1 gives it for names of several alleles: only
  // the named G groups its lookup tables hold (A*01:09 and A*01:09P ->
  // A*01:09:01G). By default every allele the name stands for is kept, an
  // allele in no named G group by its own name (A*01:09:01G/A*01:09:02):
  // docs/conventions.md §13.
  bool g_named_groups_only = false;
};

struct ReduceResult {
  std::string text;                   // "" when every part reduced to nothing
  std::vector<std::string> warnings;  // from resolution (legacy, renamed)
};

class Reducer;

// Memoises leaf reductions across calls to Reducer::Reduce. Registries repeat
// names: a few thousand distinct names cover millions of typings, so a
// registry-sized batch reduces most names with one hash lookup (py-ard keeps
// an LRU cache for the same reason). Only results that are the same wherever
// the name stands are kept: a name whose resolution warns (pre-2010, renamed)
// or fails is recomputed each time, because its message quotes its offset.
//
// Not thread-safe: use one per thread. Bounded: when it holds `max_entries`
// names it is emptied and starts again (cheap, and a batch's working set is
// far smaller). A cache belongs to the first Reducer that uses it; using it
// with another Reducer empties it first.
class ReduceCache {
 public:
  explicit ReduceCache(size_t max_entries = size_t{1} << 16)
      : max_entries_(max_entries) {}
  ReduceCache(const ReduceCache&) = delete;
  ReduceCache& operator=(const ReduceCache&) = delete;

  size_t size() const { return entries_.size(); }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  friend class Reducer;
  const Reducer* owner_ = nullptr;
  size_t max_entries_;
  uint64_t hits_ = 0, misses_ = 0;
  std::string key_;  // reused buffer: level, prefix flag, canonical token
  absl::flat_hash_map<std::string, std::string> entries_;
};

class Reducer {
 public:
  // Builds py-ard's lookup tables from `reference` (tens of milliseconds for
  // a full release). REQUIRES: reference != nullptr. `macs` may be null.
  Reducer(std::shared_ptr<const Reference> reference,
          std::shared_ptr<const MacTable> macs, ReduceOptions options = {});
  ~Reducer();
  Reducer(const Reducer&) = delete;
  Reducer& operator=(const Reducer&) = delete;

  // Reduces a whole GL String. Errors: those of Resolver::Resolve (the token
  // and its offset), and InvalidArgumentError "'X' at offset N: X is an
  // invalid allele." where py-ard's DEFAULT reducer rejects a name at a
  // level (a group name at a level that cannot take it).
  absl::StatusOr<ReduceResult> Reduce(const GlString& gl,
                                      ReductionLevel level) const;
  // The same, with leaf results memoised in `cache` (see ReduceCache); the
  // result is identical to Reduce(gl, level). REQUIRES: cache != nullptr.
  absl::StatusOr<ReduceResult> Reduce(const GlString& gl, ReductionLevel level,
                                      ReduceCache* cache) const;

  // One token, the hot path: the result is written to `out` (cleared first),
  // so that a caller reducing many names reuses one buffer.
  absl::Status ReduceToken(const Token& token, ReductionLevel level,
                           std::string* out,
                           std::vector<std::string>* warnings) const;

  const Resolver& resolver() const { return resolver_; }
  // Bytes held by the py-ard tables (not counting the Reference).
  size_t MemoryUsage() const;

 private:
  absl::StatusOr<ReduceResult> ReduceImpl(const GlString& gl,
                                          ReductionLevel level,
                                          ReduceCache* cache) const;

  Resolver resolver_;
  ReduceOptions options_;
  std::unique_ptr<data_internal_fwd::PyArdTables> tables_;
};

// "valid", or the reason the typing does not resolve (the resolver's
// message). Validation is resolution: see data/resolve.h.
absl::Status Validate(const Resolver& resolver, const GlString& gl);

// py-ard's lookup_mac: the MAC whose expansion is exactly the '/'-list of
// 2-field names `allele_list` ("A*01:01/A*01:02" -> "A*01:AB"). One first
// field: the sorted second fields are looked up as a generic code; otherwise
// (or failing that) the first:second items, as given and then in field order,
// as an allele-specific code. The result carries the lowest first field (as
// py-ard) and the "HLA-" prefix if the first name had it.
// NotFoundError "<list> does not have a MAC (table dated ...)" otherwise.
absl::StatusOr<std::string> LookupMac(const Reference& ref,
                                      const MacTable& macs,
                                      absl::string_view allele_list);

// `haplomatch mac decode`: the 2-field names one MAC stands for in NMDP's
// table, each with its locus, in the table's order ("A*01:AB" ->
// "A*01:01/A*01:02"; an allele-specific code keeps its items' own first
// fields: "DRB1*52:GD"... -> "DRB1*03:01/DRB1*52:01"), "HLA-" kept. What the
// code means to NMDP, not to the release: `expand` gives the alleles.
// Errors: InvalidArgumentError when `gl` is not one MAC; those of resolving
// it (NotFoundError for a code not in the loaded table, InvalidArgumentError
// for an allele-specific code written with another first field than py-ard's
// rule gives), so that a code `decode` reads is one every command reads.
absl::StatusOr<std::string> DecodeMac(const Resolver& resolver,
                                      const GlString& gl);

// `haplomatch mac encode`: LookupMac on the resolver's MAC table, the
// answer checked by decoding it: the code found stands for exactly the
// names given (in any order), and resolves. For an allele-specific code the
// first field written is the one the resolver accepts (py-ard's rule, the
// most frequent first field of its items). NotFoundError when no code of the
// loaded table fits (the table is a subset: say so); InvalidArgumentError
// for a list that is not 2-field names of one locus.
absl::StatusOr<std::string> EncodeMac(const Resolver& resolver,
                                      absl::string_view allele_list);

}  // namespace hla::data

#endif  // HLA_DATA_REDUCE_H_
