// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Batch ranking: one recipient against every donor of a DonorStore
// (registry/store.h), with the eligibility gates of eligibility/eligibility.h and
// a ranking policy.
//
//   HLA_ASSIGN_OR_RETURN(hla::registry::RankResult r,
//                        hla::registry::Rank(store, *reference, recipient,
//                                           options));
//   for (uint32_t i : r.ranked) ... store.id(i) ...
//   HLA_ASSIGN_OR_RETURN(hla::registry::DonorReport d,
//                        hla::registry::ReportFor(store, *reference,
//                                                recipient, options, i));
//
// How (docs/ranking.md): a CompiledQuery does the per-recipient work once:
// for every interned typing of every stored locus it computes, with the
// matcher's own rules (matcher/internal/grade.h), a small cell: grade
// against each recipient position, allele match / antigen match /
// confidence against each expressed recipient position, TCE group, DSA
// bits. The per-donor work is then two cell loads per locus and the pairing
// of matcher::Match (best of direct and crossed). Every result equals
// matcher::Match + eligibility::Evaluate on the same pair
// (tests/registry/rank_test.cc checks it on thousands of generated pairs); donors the cells
// cannot express (phased '~', genotype lists '|') go through Match itself.
//
// Thread safety: Rank() splits the store across threads (no locks in the
// scan). A CompiledQuery is immutable after Compile and may be shared.
#ifndef HLA_REGISTRY_RANK_H_
#define HLA_REGISTRY_RANK_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/strings/string_view.h"
#include "data/reference.h"
#include "eligibility/eligibility.h"
#include "eligibility/score.h"
#include "family/family.h"
#include "impute/impute.h"
#include "matcher/match.h"
#include "registry/store.h"

namespace hla::registry {

// Ranking keys; each orders donors best first. docs/ranking.md gives each
// key's source.
enum class RankKey : uint8_t {
  kDsa,           // no donor-specific antibody (>= threshold) first
  kHaplo,         // identical, haploidentical, haplotype-matched,
                  // haplo-compatible, not haploidentical, insufficient
  kAge,           // younger first; unknown last
  kSex,           // male, female, unknown
  kRelationship,  // child, sibling, parent, half-sibling, other related,
                  // unrelated, unknown
  kAbo,           // compatible, minor, major, bidirectional, unknown
  kCmv,           // same serostatus as the recipient, different, unknown
  kMatches,       // more allele matches (scored loci) first
  kTce,           // DPB1 match, permissive, not scored/unknown, non-permissive
  // Opt-in keys (not in the default policy):
  kLeader,        // HLA-B matched; the recipient's preferred leader status
                  // (MT: MMT then TTM; TT: TTT then TMT); another single-
                  // mismatch status; a double mismatch or an unknown leader
                  // (matcher_internal::LeaderRankKey, after Petersdorf 2020)
  kKirB,          // KIR B content best, better, neutral, not typed (Cooley
                  // et al., Blood 2010)
  kProbability,   // higher P(10/10), then higher P(>= 9/10), in whole
                  // percent; not available last (impute/impute.h; the
                  // registry-search practice of HapLogic and Atlas)
};
// "dsa", "haplo", "age", "sex", "relationship", "abo", "cmv", "matches",
// "tce", "leader", "kir_b", "probability".
absl::string_view ToString(RankKey key);
// The default policy: dsa,haplo,age,sex,relationship,abo,cmv,matches,tce.
std::vector<RankKey> DefaultRankBy();
// A comma list of key names; InvalidArgumentError naming an unknown or
// repeated key. Every key may be listed; the composed key is at most 49
// bits (uint64_t).
absl::StatusOr<std::vector<RankKey>> ParseRankBy(absl::string_view text);

// Bounds on what a caller sets: more donors than any registry has, more
// threads than any machine runs (Rank refuses larger values, so that no
// arithmetic on them can overflow).
inline constexpr size_t kMaxTop = 100000000;
inline constexpr int kMaxThreads = 256;

// The threads a `threads` setting asks for: itself when positive (at most
// kMaxThreads), else the hardware's concurrency, at least 1 and at most
// kMaxThreads. The one reading of "0 = the hardware's" for rank, ingest
// and the CLI's reduce.
int ThreadsFor(int threads);

struct RankOptions {
  matcher::MatchOptions match;
  eligibility::EligibilityOptions eligibility;
  eligibility::RecipientFacts recipient;
  std::vector<RankKey> rank_by = DefaultRankBy();
  size_t top = 0;   // 0: every ranked donor; at most kMaxTop
  int threads = 0;  // 0: hardware concurrency; at most kMaxThreads
  // Family segregation (family/family.h), or null. A donor that
  // FamilyEvidence::For recognises (its id a segregated relative, it and
  // the recipient typed as in the family file) is scored by matcher::Match
  // with ApplySegregation, so the proven verdict drives the haplo gate and
  // key; the others are untouched.
  std::shared_ptr<const family::FamilyEvidence> families;
  // When the caller stops waiting (the service's per-request deadline):
  // Rank checks it between dictionary blocks while compiling and between
  // blocks of 65,536 donors while scanning, and returns
  // DeadlineExceededError once it has passed. Infinite by default.
  absl::Time deadline = absl::InfiniteFuture();
  // Match probabilities (impute/impute.h), or null. With an imputer the
  // ranked donors' reports (ReportFor) carry probabilities, and the
  // `probability` key may rank (it needs the store's imputations,
  // ImputeDonors); the recipient is imputed with recipient_impute (its
  // population, else the mixture).
  std::shared_ptr<const impute::Imputer> imputer;
  impute::ImputeOptions recipient_impute;
  // The recipient's imputation, made once by ImputeRecipient for a run that
  // ranks and then reports many donors; null: Compile and ReportFor impute
  // the recipient themselves (each call).
  std::shared_ptr<const impute::Imputation> recipient_imputation;
};

// Imputes `recipient` once with options->imputer and recipient_impute into
// options->recipient_imputation (nothing without an imputer).
// InvalidArgumentError when the recipient cannot be imputed (too vague).
absl::Status ImputeRecipient(const matcher::Genotype& recipient, RankOptions* options);

struct RankResult {
  std::vector<uint32_t> ranked;  // store indexes, best first (top N)
  std::vector<uint64_t> keys;    // their ranking keys (eligible donors
                                 // before those needing review)
  size_t read = 0;               // donors in the store
  // Donors ranked: eligible or needing review (or, without a protocol,
  // every donor: not assessed); may exceed ranked.size(). read =
  // ranked_count + excluded.
  size_t ranked_count = 0;
  size_t needs_review = 0;       // of the ranked, those needing review
  bool status_assessed = false;  // a protocol was applied
  size_t excluded = 0;           // not eligible
  // By the first finding that excludes the donor (eligibility::Reason).
  std::array<size_t, eligibility::kReasonCount> excluded_by{};
  size_t fallback = 0;           // donors scored by matcher::Match
  size_t by_family = 0;          // of those, relatives with proven phase
  int threads = 1;
};

// Progress: called from one thread with (donors done, total).
using ProgressFn = std::function<void(size_t, size_t)>;

// Ranks every donor of `store` for `recipient`: on success, the eligible
// donors best first (at most options.top when it is not 0) with their keys,
// and how many were excluded, by first failing gate. Errors: those of
// CompiledQuery::Compile (InvalidArgumentError for bad match options,
// FailedPreconditionError for a store of another release),
// DeadlineExceededError past options.deadline. Runs on
// options.threads threads (0: hardware concurrency); `store`, `reference`
// and `recipient` are only read, so concurrent calls may share them.
absl::StatusOr<RankResult> Rank(const DonorStore& store,
                                const data::Reference& reference,
                                const matcher::Genotype& recipient,
                                const RankOptions& options,
                                const ProgressFn& progress = nullptr);

using DonorReport = eligibility::DonorReport;

// The context eligibility::ScoreDonor needs for `recipient` under
// `options` (pointers into the arguments, which must outlive it).
eligibility::ScoringContext ScoringContextFor(const data::Reference& reference,
                                              const matcher::Genotype& recipient,
                                              const RankOptions& options);

// The full pairwise result of one stored donor, what `haplomatch match`
// says of it: eligibility::ScoreDonor (the scan's fallback donors are
// scored by the same call). Errors: those of matcher::Match
// (InvalidArgumentError for bad match options). REQUIRES: donor <
// store.size().
absl::StatusOr<DonorReport> ReportFor(const DonorStore& store,
                                      const data::Reference& reference,
                                      const matcher::Genotype& recipient,
                                      const RankOptions& options,
                                      size_t donor);

// The ranking key of a donor from its full pairwise result (used for
// fallback donors and by tests). Without `probability` the probability key
// reads "not available".
uint64_t KeyFromReport(const std::vector<RankKey>& rank_by,
                       const eligibility::DonorFacts& facts, const matcher::MatchReport& report,
                       const eligibility::Eligibility& eligibility,
                       const eligibility::RecipientFacts& recipient,
                       const impute::MatchProbability* probability = nullptr);

}  // namespace hla::registry

#endif  // HLA_REGISTRY_RANK_H_
