// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Internal to hla::matcher: use matcher/match.h (MatchReport::b_leader,
// MatchReport::kir_ligands) instead.
//
// The HLA-B leader and KIR-ligand rules as functions of plain values, so
// that a table test can pin each one and the registry scan can call them on
// what it unpacks. Sources beside each rule; docs/matching.md §9 has the
// reasoning and the conventions that differ from b-leader.
#ifndef HLA_MATCHER_INTERNAL_LEADER_H_
#define HLA_MATCHER_INTERNAL_LEADER_H_

#include <array>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "data/protein.h"
#include "data/reference.h"
#include "matcher/match.h"

namespace hla::matcher_internal {

// 'M', 'T', or 'X' for kUnknown and kOther (a residue that is neither: not
// an M or T leader, so not comparable in the classification).
char LeaderLetter(data::Leader leader);

// The leader of one copy from the leaders of the alleles its typing admits
// (nulls already dropped by the caller). Strict: every allele the same,
// else 'X'; `likely` the majority of the known ones ('X' on a tie or none).
matcher::CopyLeader LeaderOfAlleles(absl::Span<const data::Leader> leaders);
// The same from the counts of M, T and other-or-unknown leaders.
matcher::CopyLeader LeaderOfCounts(int m, int t, int unknown);

// "MM", "MT", "TT", "MX", "TX", "XX": the two copies unordered, M before T
// before X.
std::string LeaderGenotypeCode(char a, char b);

struct LeaderStatus {
  matcher::LeaderMatch match = matcher::LeaderMatch::kNotAssessed;
  std::string code;  // three letters for a single mismatch, else empty
  int unmatched = -1;  // the index of the mismatched pair, else -1
};
// Petersdorf et al., Lancet Haematol 2020;7:e50 (as the b-leader tool,
// Be The Match 2021, encodes it): for a single HLA-B mismatch the status is
// the recipient's leader on the mismatched allotype, the donor's on the
// mismatched allotype, and the leader of the shared allotype; the pair is
// leader-matched when the first two letters are equal. `r[i]` faces `d[i]`
// in the matcher's pairing; `allele_match[i]` says whether that pair
// matches. The shared letter is 'X' when the two shared copies' leaders
// differ (possible: a P group can hold alleles with different leaders).
LeaderStatus LeaderMatchStatus(std::array<char, 2> r, std::array<char, 2> d,
                               std::array<bool, 2> allele_match);

// The rank key of a leader status, smaller first:
//   0  HLA-B matched;
//   1  the recipient's first preferred status (b-leader's donor ranking,
//      after Petersdorf 2020: a MT recipient prefers MMT, a TT recipient
//      TTT);
//   2  the second preferred (MT: TTM; TT: TMT);
//   3  any other single-mismatch status (MT: MTT, TMM; an MM recipient:
//      every status, no recommendation);
//   4  a double mismatch, an unknown letter, or not assessed.
int LeaderRankKey(absl::string_view recipient_genotype,
                  matcher::LeaderMatch match, absl::string_view code);

// The same key straight from the pairs, without building the status (the
// registry scan's per-donor form): `r[i]` faces `d[i]`, `matched[i]` says
// whether that pair matches. Equal to LeaderRankKey(genotype,
// LeaderMatchStatus(r, d, matched)) for every input (tested).
int LeaderRankKeyOfPairs(absl::string_view recipient_genotype, const char r[2],
                         const char d[2], bool matched0, bool matched1);

// ---- KIR ligands

// What one copy's alleles say about each ligand group: `all` every
// expressed allele carries it, `some` at least one may (an allele whose
// ligand is unknown or unclassified may carry any group its locus can).
struct CopyLigands {
  std::array<bool, matcher::kKirLigandGroups> all{}, some{};
};
// The groups a locus can carry: HLA-A Bw4 (when counted); HLA-B Bw4 and C1
// (the V76-N80 helix of B*46, B*73); HLA-C C1, C2.
CopyLigands LigandsOfAlleles(Locus locus,
                             absl::Span<const data::KirLigand> ligands,
                             bool hla_a_bw4);

// The missing-ligand rule, GvH direction (Ruggeri et al., Science
// 2002;295:2097; Ruggeri et al., Blood 2007;110:433: NK-alloreactive
// donors "possessed HLA class I KIR ligand(s) which were missing in the
// recipients"): definite when the donor certainly carries the group and the
// recipient certainly lacks it; possible when the donor may carry it and
// the recipient may lack it.
void MissingLigandsGvh(const matcher::LigandSet& recipient,
                       const matcher::LigandSet& donor,
                       std::vector<matcher::KirLigandGroup>* definite,
                       std::vector<matcher::KirLigandGroup>* possible);

// The pairwise results, as Match() fills MatchReport. `b` is the HLA-B
// locus match (nullptr when HLA-B was not matched).
matcher::BLeaderResult ScoreBLeader(const data::Reference& reference,
                                    const matcher::Genotype& recipient,
                                    const matcher::Genotype& donor,
                                    const matcher::LocusMatch* b);
matcher::KirLigandResult ScoreKirLigands(const data::Reference& reference,
                                         const matcher::Genotype& recipient,
                                         const matcher::Genotype& donor,
                                         bool hla_a_bw4);
// One side's leader genotype and ligands (the scan's recipient, a report).
matcher::LeaderGenotype LeaderGenotypeOf(const data::Reference& reference,
                                         const data::ProteinTable& proteins,
                                         const matcher::LocusTyping& b);
// Every group kUnknown when `proteins` is nullptr.
matcher::LigandSet LigandSetOf(const data::Reference& reference,
                               const data::ProteinTable* proteins,
                               const matcher::Genotype& g, bool hla_a_bw4);

}  // namespace hla::matcher_internal

#endif  // HLA_MATCHER_INTERNAL_LEADER_H_
