// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "family/internal/segregation.h"

#include <algorithm>
#include <iterator>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace hla::family::internal {

int Pattern::SwitchAt(int side) const {
  const std::vector<uint8_t>& f = from[side];
  for (size_t l = 1; l < f.size(); ++l) {
    if (f[l] != f[l - 1]) return static_cast<int>(l);
  }
  return -1;
}

void SegProblem::DropChild(size_t i) {
  children.erase(children.begin() + static_cast<std::ptrdiff_t>(i));
  if (i < free_side.size()) {
    free_side.erase(free_side.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

bool Intersects(const KeySet& a, const KeySet& b) {
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return true;
    if (*i < *j) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

namespace {

// slot ∩ keys; false when empty.
bool Narrow(const Slot& slot, const KeySet& keys, Slot* out) {
  if (!slot) {
    *out = keys;
    return true;
  }
  KeySet r;
  std::set_intersection(slot->begin(), slot->end(), keys.begin(), keys.end(),
                        std::back_inserter(r));
  if (r.empty()) return false;
  *out = std::move(r);
  return true;
}

// Places typing `t` in slots (s1, s2) of every state, both orientations
// (one when phased or homozygous); keeps the states that admit it, without
// duplicates. An untyped locus admits anything.
void Place(const SegLocus& t, int s1, int s2, std::vector<SlotState>* states) {
  if (!t.typed) return;
  const bool one = t.phased || t.keys[0] == t.keys[1];
  std::vector<SlotState> next;
  next.reserve(states->size() * 2);
  for (const SlotState& s : *states) {
    for (int o = 0; o < (one ? 1 : 2); ++o) {
      SlotState n = s;
      if (Narrow(s[s1], t.keys[o], &n[s1]) &&
          Narrow(s[s2], t.keys[1 - o], &n[s2])) {
        next.push_back(std::move(n));
      }
    }
  }
  std::sort(next.begin(), next.end());
  next.erase(std::unique(next.begin(), next.end()), next.end());
  *states = std::move(next);
}

// Places one allele of typing `t` (either one) in slot s1 of every state:
// a half-sibling's allele from the shared parent; its other allele is its
// other parent's, who is not in the problem.
void PlaceOne(const SegLocus& t, int s1, std::vector<SlotState>* states) {
  if (!t.typed) return;
  const bool one = t.keys[0] == t.keys[1];
  std::vector<SlotState> next;
  next.reserve(states->size() * 2);
  for (const SlotState& s : *states) {
    for (int o = 0; o < (one ? 1 : 2); ++o) {
      SlotState n = s;
      if (Narrow(s[s1], t.keys[o], &n[s1])) next.push_back(std::move(n));
    }
  }
  std::sort(next.begin(), next.end());
  next.erase(std::unique(next.begin(), next.end()), next.end());
  *states = std::move(next);
}

// Places child typing `t` at one locus as pattern values (a, b) say, with
// side `free` (kNoFreeSide: none) left out.
void PlaceChild(const SegLocus& t, int a, int b, int8_t free,
                std::vector<SlotState>* states) {
  if (free == 0) {
    PlaceOne(t, 2 + b, states);
  } else if (free == 1) {
    PlaceOne(t, a, states);
  } else {
    Place(t, a, 2 + b, states);
  }
}

std::vector<std::vector<SlotState>> ParentStates(const SegProblem& p) {
  std::vector<std::vector<SlotState>> states(p.loci,
                                             std::vector<SlotState>(1));
  for (int s = 0; s < 2; ++s) {
    if (!p.parents[s]) continue;
    for (int l = 0; l < p.loci; ++l) {
      Place((*p.parents[s])[l], 2 * s, 2 * s + 1, &states[l]);
    }
  }
  return states;
}

// Every pattern of `loci` loci with at most `max_switches` switches (0 or
// 1), first value fixed to 0 when `fixed`.
std::vector<std::vector<uint8_t>> SidePatterns(int loci, int max_switches,
                                               bool fixed) {
  std::vector<std::vector<uint8_t>> out;
  for (int start = 0; start < (fixed ? 1 : 2); ++start) {
    out.emplace_back(loci, static_cast<uint8_t>(start));
  }
  if (max_switches >= 1) {
    for (int start = 0; start < (fixed ? 1 : 2); ++start) {
      for (int at = 1; at < loci; ++at) {
        std::vector<uint8_t> v(loci, static_cast<uint8_t>(start));
        for (int l = at; l < loci; ++l) v[l] = static_cast<uint8_t>(1 - start);
        out.push_back(std::move(v));
      }
    }
  }
  return out;
}

class Search {
 public:
  Search(const SegProblem& p, const SegLimits& lim, int budget,
         SegResult* out)
      : p_(p), lim_(lim), budget_(budget), out_(out) {}

  absl::Status Run() {
    current_.children.resize(p_.children.size());
    Dfs(0, ParentStates(p_), 0);
    if (nodes_ > lim_.max_nodes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "segregation search stopped after ", lim_.max_nodes,
          " steps (too many untyped or ambiguous members)"));
    }
    return absl::OkStatus();
  }

 private:
  void Dfs(size_t child, const std::vector<std::vector<SlotState>>& states,
           int used) {
    if (stop_) return;
    if (child == p_.children.size()) {
      // Only solutions that use exactly the level's budget: the lower
      // levels had none, so any with fewer would have been found there.
      if (used == budget_) {
        if (out_->solutions.size() >= lim_.max_solutions) {
          out_->truncated = true;
          stop_ = true;
          return;
        }
        out_->solutions.push_back(current_);
      }
      return;
    }
    const SegPerson& c = p_.children[child];
    const int left = budget_ - used;
    const int8_t declared = p_.FreeSide(child);
    for (int8_t free : {kNoFreeSide, int8_t{0}, int8_t{1}}) {
      if (free != declared &&
          !(declared == kEitherSideFree && free != kNoFreeSide)) {
        continue;
      }
      // A free side has one pattern (all 0) and no crossover to count.
      for (int ps = 0; ps <= std::min(free == 0 ? 0 : left, 1); ++ps) {
        for (int ms = 0; ms <= std::min(free == 1 ? 0 : left - ps, 1); ++ms) {
          const auto pat = SidePatterns(
              p_.loci, ps, free == 0 || (child == 0 && p_.fix_first_child[0]));
          const auto mat = SidePatterns(
              p_.loci, ms, free == 1 || (child == 0 && p_.fix_first_child[1]));
          for (const auto& a : pat) {
            if ((ps == 1) != Switches(a)) continue;
            for (const auto& b : mat) {
              if ((ms == 1) != Switches(b)) continue;
              if (++nodes_ > lim_.max_nodes) {
                stop_ = true;
                return;
              }
              std::vector<std::vector<SlotState>> next = states;
              bool ok = true;
              for (int l = 0; l < p_.loci && ok; ++l) {
                PlaceChild(c[l], a[l], b[l], free, &next[l]);
                ok = !next[l].empty();
              }
              if (!ok) continue;
              current_.children[child].from = {a, b};
              current_.children[child].free = free;
              Dfs(child + 1, next, used + ps + ms);
              if (stop_) return;
            }
          }
        }
      }
    }
  }

  static bool Switches(const std::vector<uint8_t>& v) {
    for (size_t i = 1; i < v.size(); ++i) {
      if (v[i] != v[0]) return true;
    }
    return false;
  }

  const SegProblem& p_;
  const SegLimits& lim_;
  const int budget_;
  SegResult* out_;
  SegSolution current_;
  uint64_t nodes_ = 0;
  bool stop_ = false;
};

}  // namespace

absl::StatusOr<SegResult> Solve(const SegProblem& problem,
                                const SegLimits& limits) {
  for (const auto& parent : problem.parents) {
    if (parent && static_cast<int>(parent->size()) != problem.loci) {
      return absl::InvalidArgumentError("parent typing has the wrong shape");
    }
  }
  for (const SegPerson& c : problem.children) {
    if (static_cast<int>(c.size()) != problem.loci) {
      return absl::InvalidArgumentError("child typing has the wrong shape");
    }
  }
  SegResult result;
  if (problem.loci == 0) return result;
  // The parents alone must be placeable (a typed parent always is).
  for (int k = 0; k <= limits.max_recombinations; ++k) {
    Search search(problem, limits, k, &result);
    absl::Status s = search.Run();
    if (!s.ok()) return s;
    if (!result.solutions.empty()) {
      result.recombinations = k;
      return result;
    }
  }
  return result;
}

std::vector<std::vector<SlotState>> SlotStates(const SegProblem& problem,
                                               const SegSolution& solution) {
  std::vector<std::vector<SlotState>> states = ParentStates(problem);
  for (size_t c = 0; c < problem.children.size(); ++c) {
    const Pattern& pat = solution.children[c];
    for (int l = 0; l < problem.loci; ++l) {
      PlaceChild(problem.children[c][l], pat.from[0][l], pat.from[1][l],
                 pat.free, &states[l]);
    }
  }
  return states;
}

int Orientations(const std::vector<SlotState>& states, const SegLocus& t,
                 int s1, int s2) {
  if (!t.typed) return 0;
  int bits = 0;
  for (const SlotState& s : states) {
    for (int o = 0; o < 2; ++o) {
      if (t.phased && o == 1) continue;
      const bool a = s1 < 0 || !s[s1] || Intersects(*s[s1], t.keys[o]);
      const bool b = s2 < 0 || !s[s2] || Intersects(*s[s2], t.keys[1 - o]);
      if (a && b) bits |= 1 << o;
    }
  }
  return bits;
}

}  // namespace hla::family::internal
