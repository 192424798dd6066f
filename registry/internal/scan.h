// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: the compiled query and the per-donor scan behind Rank(). Use
// registry/rank.h instead. Tests and benchmarks reach in here to hold the
// scan equal to the pairwise path (eligibility::ScoreDonor) donor by donor.
#ifndef HLA_REGISTRY_INTERNAL_SCAN_H_
#define HLA_REGISTRY_INTERNAL_SCAN_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "data/reference.h"
#include "eligibility/rules.h"
#include "matcher/match.h"
#include "registry/rank.h"
#include "registry/store.h"

namespace hla::registry {

// What the scan computes for one donor (CompiledQuery::Evaluate).
struct FastLocus {
  bool scored = false;
  int8_t matches = 0, gvh = 0, hvg = 0, antigen_matches = 0;
  int8_t antigen_level = 0;  // LocusMatch::antigen_level_matches
  matcher::MatchGrade grade = matcher::MatchGrade::kUnknown;
  matcher::MatchConfidence confidence = matcher::MatchConfidence::kMismatch;
  bool crossed = false;
  // A position's match is only potential (Imputer::CertainCounts reads it).
  bool potential = false;
  // HLA-B under a policy with the leader key: the key (0-4).
  int8_t leader = 4;
};
struct FastResult {
  bool fallback = false;  // computed by matcher::Match
  std::array<FastLocus, kLocusCount> loci;  // by hla::Locus
  matcher::MatchTotals totals;
  matcher::HaploVerdict verdict = matcher::HaploVerdict::kInsufficientTyping;
  bool has_tce = false;
  matcher::TceCategory tce = matcher::TceCategory::kNotScored;
  eligibility::Findings findings = 0;  // as Evaluate finds them
  eligibility::Status status = eligibility::Status::kNotAssessed;
  int age = -1;  // -1 unknown
  uint64_t key = 0;  // ranking key, lower is better
};

class CompiledQuery {
 public:
  // Errors: InvalidArgumentError for bad match options (as matcher::Match);
  // FailedPreconditionError for a non-empty store built against another
  // IPD-IMGT/HLA release than `reference`.
  //
  // The cells of each locus are built on options.threads threads (0: the
  // hardware's) when the dictionaries hold at least `parallel_from`
  // entries in all (below, a thread costs more than it saves; tests pass 0
  // to hold the threaded path equal to the serial one).
  //
  // `scan_only`: for Rank's scan (QuickBlock, GateBlock). Where the light
  // form serves the query, no cell is built: the rare donor whose pairing
  // turns on grades is then scored by matcher::Match, Gate decides as
  // GateBlock does, and Evaluate scores every donor by matcher::Match.
  // Without it, every cell is built (tests hold the light form to the
  // full one).
  static constexpr size_t kParallelCompileEntries = size_t{1} << 16;
  static absl::StatusOr<std::unique_ptr<CompiledQuery>> Compile(
      const DonorStore& store, const data::Reference& reference,
      const matcher::Genotype& recipient, const RankOptions& options,
      size_t parallel_from = kParallelCompileEntries, bool scan_only = false);
  ~CompiledQuery();
  CompiledQuery(const CompiledQuery&) = delete;
  CompiledQuery& operator=(const CompiledQuery&) = delete;

  // Everything, for one donor (tests, reports).
  FastResult Evaluate(size_t donor) const;
  // The scan's form: ranked (eligible, needs review or not assessed) ->
  // true and *key; excluded (not eligible) -> false and *first_fail is the
  // first finding that excludes it (an eligibility::Reason).
  bool Gate(size_t donor, uint64_t* key, int* first_fail) const;
  // How GateBlock decided its donors: by the light form (no cells read: a
  // query that needs of each locus only its matches; docs/ranking.md), by
  // the cells (RunIds), or by matcher::Match (uses_match of them because
  // UsesMatch names them). `grades`: donors the light form left to the
  // cells, or to Match without cells (scan_only), as a pairing turned on
  // the copies' grades.
  struct GateCounts {
    size_t light = 0, grades = 0, cells = 0, match = 0, uses_match = 0;
  };
  // Gate on donors[0, m) at once (the scan's form, on the donors
  // QuickBlock passes): fails[k] is -1 when donors[k] is ranked, with its
  // key in keys[k], else the first failing gate, as Gate() says donor by
  // donor. Returns how many of them UsesMatch names; adds to *counts when
  // not null. REQUIRES: !AllSlow(); each array holds m.
  size_t GateBlock(const uint32_t* donors, size_t m, uint64_t* keys, int* fails,
                   GateCounts* counts = nullptr) const;
  // Tests: every light code and DSA byte equals the one made from the
  // cell (false when compiled scan_only under the light form: no cells).
  bool LiteCodesAgreeWithCells() const;
  // The scan's first filter, a few loads: the index of the first failing
  // gate when the age gate or a required locus (untyped, or sharing no
  // allele) already decides it, else -1 (Gate() then decides).
  // REQUIRES: !AllSlow() and the donor is not a fallback donor.
  int QuickReject(size_t donor) const;
  // The quick filter over donors [begin, end) at once (the scan's form,
  // equal to QuickReject donor by donor): each donor it excludes is
  // counted in excluded_by[gate] (an array of eligibility::kReasonCount);
  // the others, those Gate decides, the donors UsesMatch names included,
  // are written to `pass` in order, and their count is returned.
  // REQUIRES: !AllSlow(), begin <= end <= the store's size, `pass` has
  // room for end - begin.
  size_t QuickBlock(size_t begin, size_t end, uint32_t* pass,
                    size_t* excluded_by) const;
  // Donors that need matcher::Match (fallback) under this query.
  bool AllSlow() const;
  // True when this donor is scored by matcher::Match: AllSlow(), a
  // fallback donor of the store, or a relative options.families recognises.
  bool UsesMatch(size_t donor) const;
  // Donors options.families recognises.
  size_t family_donors() const;

 private:
  struct Impl;
  explicit CompiledQuery(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};


}  // namespace hla::registry

#endif  // HLA_REGISTRY_INTERNAL_SCAN_H_
