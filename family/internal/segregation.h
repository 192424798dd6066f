// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: the exact search behind family/family.h. Use family.h.
//
// One nuclear family: two parents (each typed or not) and their typed
// children. Each parent has two haplotype slots (parent 0: slots 0, 1;
// parent 1: slots 2, 3). A child's inheritance is, per parent, one slot
// choice per locus (a "pattern"); a pattern that changes between adjacent
// loci is a recombinant meiosis (one switch = one crossover). Per locus a
// slot is a set of match keys (P group / null small-g keys), narrowed by
// intersection with every typing placed in it; an empty intersection rules
// the placement out. The search enumerates patterns child by child with the
// per-locus slot states as the pruning test, first with 0 recombinant
// meioses in total, then 1, ..., and keeps every solution at the first
// level that has one.
#ifndef HLA_FAMILY_INTERNAL_SEGREGATION_H_
#define HLA_FAMILY_INTERNAL_SEGREGATION_H_

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"

namespace hla::family::internal {

using KeySet = std::vector<uint32_t>;  // sorted, unique

// One person at one locus.
struct SegLocus {
  bool typed = false;
  std::array<KeySet, 2> keys;  // the two typings (a homozygous one twice)
  // keys[0] belongs in the person's first slot, keys[1] in the second
  // (parents only: a person whose phase is already known).
  bool phased = false;
};
using SegPerson = std::vector<SegLocus>;  // one entry per locus

// A child's side whose parent is not in the problem (a half-sibling's other
// parent): that allele goes to no slot and constrains nothing.
inline constexpr int8_t kNoFreeSide = -1;      // a full child of both
inline constexpr int8_t kEitherSideFree = 2;   // one of them; which, unknown
// (0: the father's side is free, a maternal half-sibling; 1: the mother's.)

struct SegProblem {
  int loci = 0;
  std::array<std::optional<SegPerson>, 2> parents;  // nullopt: not typed
  std::vector<SegPerson> children;
  // Per child, kNoFreeSide, 0, 1 or kEitherSideFree; empty means every child
  // is a child of both parents.
  std::vector<int8_t> free_side;
  int8_t FreeSide(size_t child) const {
    return child < free_side.size() ? free_side[child] : kNoFreeSide;
  }
  // Removes child i (and its free side).
  void DropChild(size_t i);
  // Symmetry breaking: child 0 takes slot 0 of parent s at locus 0. Valid
  // only when swapping that parent's slots changes nothing (no phased
  // locus), which the caller knows.
  std::array<bool, 2> fix_first_child = {true, true};
};

// One child's inheritance: from[s][l] = which slot (0/1) of parent s at
// locus l.
struct Pattern {
  std::array<std::vector<uint8_t>, 2> from;
  // The side that is free in this explanation (from[free] is all 0 and
  // means nothing), or kNoFreeSide.
  int8_t free = kNoFreeSide;
  // Index i of the first locus after the switch (crossover between locus
  // i-1 and i), or -1 for a constant pattern.
  int SwitchAt(int side) const;
};

struct SegSolution {
  std::vector<Pattern> children;
};

struct SegLimits {
  int max_recombinations = 2;
  uint64_t max_nodes = 20'000'000;
  size_t max_solutions = 20'000;
};

struct SegResult {
  int recombinations = -1;  // the minimum found; -1: no explanation
  std::vector<SegSolution> solutions;  // every one at that minimum
  bool truncated = false;              // stopped at max_solutions
};

// ResourceExhaustedError when the search visits more than max_nodes
// patterns; InvalidArgumentError when the shapes disagree.
absl::StatusOr<SegResult> Solve(const SegProblem& problem,
                                const SegLimits& limits);

// One slot: nullopt = unconstrained, else the keys it may hold.
using Slot = std::optional<KeySet>;
using SlotState = std::array<Slot, 4>;

// The per-locus alternative slot states left after placing the parents and
// every child of `solution` (each state admits every person).
std::vector<std::vector<SlotState>> SlotStates(const SegProblem& problem,
                                               const SegSolution& solution);

// The orientations (bit 0: keys[0] in s1; bit 1: keys[1] in s1) of typing
// `t` in slots (s1, s2) that some state of `states` admits. A negative slot
// is a free side: it admits anything.
int Orientations(const std::vector<SlotState>& states, const SegLocus& t,
                 int s1, int s2);

bool Intersects(const KeySet& a, const KeySet& b);

}  // namespace hla::family::internal

#endif  // HLA_FAMILY_INTERNAL_SEGREGATION_H_
