// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "matcher/internal/grade.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/string_view.h"

namespace hla::matcher_internal {
namespace {

using data::Allele;
using data::AlleleId;
using data::Antigen;
using data::GroupId;
using data::AntigenId;
using data::kNone;
using data::SequenceCoverage;
using data::SequenceType;
using matcher::kNullKeyBit;

bool SameFirstFields(const Allele& a, const Allele& b, size_t n) {
  if (a.fields.size() < n || b.fields.size() < n) return false;
  for (size_t i = 0; i < n; ++i) {
    if (a.fields[i] != b.fields[i]) return false;
  }
  return true;
}

bool Full(const Allele& a) { return a.coverage == SequenceCoverage::kFull; }

MatchGrade Better(MatchGrade a, MatchGrade b) { return a < b ? b : a; }

// Above this many allele pairs, a list is graded by its group sets instead of
// pair by pair (an XX code against a MAC is millions of pairs; such typings
// are consolidated and capped at kGGroup anyway).
constexpr size_t kMaxPairwise = 4096;

bool ExpressedKeysIntersect(const std::vector<uint32_t>& a,
                            const std::vector<uint32_t>& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      if ((a[i] & kNullKeyBit) == 0) return true;
      ++i;
      ++j;
    }
  }
  return false;
}

// The first `k` fields of an allele (fewer if it has fewer).
absl::Span<const Field> Prefix(const Allele& a, size_t k) {
  return absl::MakeConstSpan(a.fields.data(), std::min(k, a.fields.size()));
}

// Whether `text` (canonical, '/'-separated alternatives) names a G, P or
// small-g group: a group may hold any null allele of its exon sequence.
bool NamesGroup(absl::string_view text) {
  for (absl::string_view member : absl::StrSplit(text, '/')) {
    if (!member.empty() && absl::string_view("GPg").find(member.back()) !=
                               absl::string_view::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

MatchGrade BestAlleleListGrade(absl::Span<const Allele> alleles,
                               absl::Span<const AlleleId> a,
                               absl::Span<const AlleleId> b) {
  MatchGrade best = BestSequenceGrade(alleles, a, b);
  if (best >= MatchGrade::kGGroup) return best;
  // Shared G or P group among the expressed alleles.
  auto groups = [&](absl::Span<const AlleleId> ids, bool g) {
    std::vector<uint32_t> out;
    for (AlleleId id : ids) {
      const Allele& e = alleles[id];
      const GroupId grp = g ? e.g_group : e.p_group;
      if (!e.is_null() && grp != kNone) out.push_back(grp);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  if (Intersect(groups(a, true), groups(b, true))) return MatchGrade::kGGroup;
  if (Intersect(groups(a, false), groups(b, false))) return MatchGrade::kPGroup;
  return best;
}

MatchGrade BestSequenceGrade(absl::Span<const Allele> alleles,
                             absl::Span<const AlleleId> a,
                             absl::Span<const AlleleId> b) {
  if (a.size() * b.size() <= 16) {
    // Small lists: pair by pair (the definition), keeping only the
    // sequence-level grades.
    MatchGrade best = MatchGrade::kMismatch;
    for (AlleleId x : a) {
      if (alleles[x].is_null()) continue;
      for (AlleleId y : b) {
        if (alleles[y].is_null()) continue;
        const MatchGrade g = GradeAllelePair(x, alleles[x], y, alleles[y]);
        if (g >= MatchGrade::kGGroup && (g > MatchGrade::kGGroup || x == y)) {
          best = Better(best, g);
        }
      }
    }
    return best;
  }
  // Large lists (a truncated name, a long allele list): the same maximum by
  // merges, O(n + m). Ids ascend with the fields (data/reference.h), so
  // alleles sharing their first k fields are contiguous on both sides.
  MatchGrade best = MatchGrade::kMismatch;
  // Shared alleles: gDNA / cDNA / (G when no group data).
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      if (!alleles[a[i]].is_null()) {
        best = Better(best, GradeAllelePair(a[i], alleles[a[i]], b[j],
                                            alleles[b[j]]));
      }
      ++i;
      ++j;
    }
  }
  // Same first three (cDNA) or two (protein) fields, both full sequences.
  for (size_t k : {size_t{3}, size_t{2}}) {
    const MatchGrade level = k == 3 ? MatchGrade::kCdna : MatchGrade::kProtein;
    if (best >= level) break;
    size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
      const Allele& x = alleles[a[i]];
      const Allele& y = alleles[b[j]];
      const int c = CompareFields(Prefix(x, k), Prefix(y, k));
      if (c < 0) {
        ++i;
        continue;
      }
      if (c > 0) {
        ++j;
        continue;
      }
      // One prefix group on each side.
      const absl::Span<const Field> key = Prefix(x, k);
      bool full_a = false, full_b = false;
      for (; i < a.size() &&
             CompareFields(Prefix(alleles[a[i]], k), key) == 0;
           ++i) {
        const Allele& e = alleles[a[i]];
        full_a |= !e.is_null() && Full(e) && e.fields.size() >= k;
      }
      for (; j < b.size() &&
             CompareFields(Prefix(alleles[b[j]], k), key) == 0;
           ++j) {
        const Allele& e = alleles[b[j]];
        full_b |= !e.is_null() && Full(e) && e.fields.size() >= k;
      }
      if (full_a && full_b) {
        best = Better(best, level);
        break;
      }
    }
  }
  return best;
}

MatchGrade GradeAllelePair(AlleleId id_a, const Allele& a, AlleleId id_b,
                           const Allele& b) {
  const bool same = id_a == id_b;
  if (a.is_null() != b.is_null()) return MatchGrade::kExpressingVsNull;
  if (a.is_null()) {
    if (!same) return MatchGrade::kNullMismatch;
    if (Full(a) && Full(b)) {
      return a.sequence_type == SequenceType::kGenomic &&
                     b.sequence_type == SequenceType::kGenomic
                 ? MatchGrade::kNullGdna
                 : MatchGrade::kNullCdna;
    }
    return MatchGrade::kNullPartial;
  }
  const bool full = Full(a) && Full(b);
  if (full && same && a.sequence_type == SequenceType::kGenomic &&
      b.sequence_type == SequenceType::kGenomic) {
    return MatchGrade::kGdna;
  }
  if (full && (same || SameFirstFields(a, b, 3))) return MatchGrade::kCdna;
  if (full && SameFirstFields(a, b, 2)) return MatchGrade::kProtein;
  if (a.g_group != kNone && a.g_group == b.g_group) return MatchGrade::kGGroup;
  if (same) return MatchGrade::kGGroup;  // same allele without group data
  if (a.p_group != kNone && a.p_group == b.p_group) return MatchGrade::kPGroup;
  return MatchGrade::kMismatch;
}

SerologySubtype SubtypeOf(const Antigen& antigen) {
  if (antigen.associated_with != kNone) return SerologySubtype::kAssociated;
  if (!antigen.splits.empty()) return SerologySubtype::kBroad;
  if (antigen.broad != kNone) return SerologySubtype::kSplit;
  return SerologySubtype::kNotSplit;
}

MatchGrade GradeAntigenPair(absl::Span<const Antigen> antigens, AntigenId x,
                            AntigenId y) {
  if (x >= antigens.size() || y >= antigens.size()) {
    return x == y ? MatchGrade::kSplit : MatchGrade::kMismatch;
  }
  if (x == y) {
    switch (SubtypeOf(antigens[x])) {
      case SerologySubtype::kAssociated:
        return MatchGrade::kAssociated;
      case SerologySubtype::kBroad:
        return MatchGrade::kBroad;
      case SerologySubtype::kSplit:
      case SerologySubtype::kNotSplit:
        return MatchGrade::kSplit;
    }
  }
  // Walk each antigen up to its parent (associated -> parent) and its broad
  // (split -> broad); the grade is Split if they meet at a split / not-split
  // parent, Broad if they meet only at a broad.
  auto parent_of = [&](AntigenId a) {
    return antigens[a].associated_with;  // kNone unless associated
  };
  auto broad_of = [&](AntigenId a) {
    AntigenId b = antigens[a].broad;
    return b < antigens.size() ? b : kNone;
  };
  for (int pass = 0; pass < 2; ++pass) {
    const AntigenId a = pass == 0 ? x : y;
    const AntigenId b = pass == 0 ? y : x;
    const AntigenId pa = parent_of(a);
    if (pa != kNone && pa == b) {
      // Associated <-> its parent: Split, unless the parent is a broad.
      return SubtypeOf(antigens[b]) == SerologySubtype::kBroad
                 ? MatchGrade::kBroad
                 : MatchGrade::kSplit;
    }
    const AntigenId base = pa != kNone && pa < antigens.size() ? pa : a;
    const AntigenId broad = broad_of(base);
    if (broad != kNone && broad == b) return MatchGrade::kBroad;
  }
  return MatchGrade::kMismatch;
}

MatchGrade GradeSerology(absl::Span<const Antigen> antigens,
                         absl::Span<const AntigenId> a,
                         absl::Span<const AntigenId> b) {
  MatchGrade best = MatchGrade::kMismatch;
  for (AntigenId x : a) {
    for (AntigenId y : b) {
      best = Better(best, GradeAntigenPair(antigens, x, y));
      if (best == MatchGrade::kAssociated) return best;
    }
  }
  return best;
}

MatchGrade GradePositions(const data::Reference& ref, const PositionTyping& r,
                          const PositionTyping& d) {
  return GradePositions(ref.alleles(), ref.antigens(), r, d);
}

MatchGrade GradePositions(absl::Span<const Allele> alleles,
                          absl::Span<const Antigen> antigens,
                          const PositionTyping& r, const PositionTyping& d) {
  return GradePositionsWith(
      alleles, antigens, r, d, [&](bool need_sequence) {
        AlleleLevel level;
        if (need_sequence) {
          level.sequence = BestSequenceGrade(alleles, r.alleles, d.alleles);
        }
        level.g_shared = Intersect(r.g_groups(), d.g_groups());
        return level;
      });
}

MatchGrade GradePositionsWith(
    absl::Span<const Allele> alleles, absl::Span<const Antigen> antigens,
    const PositionTyping& r, const PositionTyping& d,
    absl::FunctionRef<AlleleLevel(bool need_sequence)> allele_level) {
  if (!r.typed() || !d.typed()) return MatchGrade::kUnknown;
  // An allele not named yet matches nothing until it is typed.
  if (r.unnamed || d.unnamed) return MatchGrade::kMismatch;
  if (r.all_null() != d.all_null()) {
    // Atlas: a single allele or allele list against a null is
    // ExpressingVsNull; a consolidated or serology typing against a null is
    // a plain Mismatch (grading_rules atlas-rule-104/105).
    const PositionTyping& e = r.all_null() ? d : r;
    return e.consolidated || e.serology_only() ? MatchGrade::kMismatch
                                               : MatchGrade::kExpressingVsNull;
  }
  if (r.all_null()) {
    // Placeholders (gene absent) carry no alleles: absent vs absent is the
    // same "null"; absent vs a null allele is a different one.
    if (r.alleles.empty() || d.alleles.empty()) {
      return r.alleles.empty() && d.alleles.empty() ? MatchGrade::kNullPartial
                                                    : MatchGrade::kNullMismatch;
    }
    MatchGrade best = MatchGrade::kNullMismatch;
    if (r.alleles.size() * d.alleles.size() <= kMaxPairwise) {
      for (AlleleId a : r.alleles) {
        for (AlleleId b : d.alleles) {
          best = Better(best, GradeAllelePair(a, alleles[a], b, alleles[b]));
        }
      }
    }
    return best;
  }
  if (r.serology_only() || d.serology_only()) {
    return GradeSerology(antigens, r.serology(), d.serology());
  }
  MatchGrade best = MatchGrade::kMismatch;
  const bool consolidated = r.consolidated || d.consolidated;
  // Every molecular grade from P up implies a shared P group (the same 2
  // fields, G group or allele all mean the same ARD protein), so a pair
  // without one (most pairs of a registry scan) goes straight to serology.
  if (ExpressedKeysIntersect(r.match_keys(), d.match_keys())) {
    const AlleleLevel level = allele_level(!consolidated);
    if (!consolidated) best = level.sequence;
    if (best < MatchGrade::kGGroup) {
      best = level.g_shared ? MatchGrade::kGGroup : MatchGrade::kPGroup;
    }
  }
  if (consolidated && best > MatchGrade::kGGroup) best = MatchGrade::kGGroup;
  // Between two molecular typings a different antigen-recognition domain is
  // a mismatch whatever their serology says (C*01:02 vs C*01:10 are both
  // Cw1): serology grades belong where a side was typed by serology. The
  // antigen relation is reported beside the grade (AntigenMatch).
  return best;
}

bool AntigenMatch(absl::Span<const Antigen> antigens, const PositionTyping& r,
                  const PositionTyping& d, bool allele_match) {
  if (!r.typed() || !d.typed() || r.all_null() || d.all_null()) return false;
  if (allele_match) return true;
  return GradeSerology(antigens, r.serology(), d.serology()) > MatchGrade::kMismatch;
}

MatchConfidence ConfidenceOf(const PositionTyping& r, const PositionTyping& d,
                             bool genotype_list) {
  if (!r.typed() || !d.typed()) return MatchConfidence::kMismatch;
  if (r.all_null() != d.all_null()) return MatchConfidence::kMismatch;
  if (r.all_null() && r.alleles.empty() && d.alleles.empty()) {
    return genotype_list ? MatchConfidence::kPotential
                         : MatchConfidence::kDefinite;  // both gene absent
  }
  if (!Intersect(r.match_keys(), d.match_keys())) return MatchConfidence::kMismatch;
  // A side that may be a null allele matches only if it is not one.
  if (r.serology_only() || d.serology_only() || genotype_list ||
      r.possible_null() || d.possible_null()) {
    return MatchConfidence::kPotential;
  }
  if (r.single_allele() && d.single_allele()) {
    // Atlas: Definite when both are single alleles that match; two different
    // alleles of one P group are a definite P-group match.
    return MatchConfidence::kDefinite;
  }
  if (r.p_group_count() == 1 && d.p_group_count() == 1) {
    return MatchConfidence::kExact;
  }
  return MatchConfidence::kPotential;
}

int CountMatches(const std::array<const std::vector<uint32_t>*, 2>& r,
                 const std::array<const std::vector<uint32_t>*, 2>& d,
                 bool* crossed) {
  const bool m00 = Intersect(*r[0], *d[0]), m11 = Intersect(*r[1], *d[1]);
  const bool m01 = Intersect(*r[0], *d[1]), m10 = Intersect(*r[1], *d[0]);
  const int direct = int{m00} + int{m11};
  const int cross = int{m01} + int{m10};
  if (crossed != nullptr) *crossed = cross > direct;
  return std::max(direct, cross);
}

int CountDirectional(const std::array<const std::vector<uint32_t>*, 2>& from,
                     int from_count,
                     const std::array<const std::vector<uint32_t>*, 2>& to,
                     int to_count, int homozygous_count) {
  if (from_count == 0) return 0;
  bool unmatched[2];
  for (int i = 0; i < 2; ++i) {
    unmatched[i] = to_count == 0 ||
                   !(Intersect(*from[i], *to[0]) || Intersect(*from[i], *to[1]));
  }
  const bool homozygous = *from[0] == *from[1];
  if (homozygous) return unmatched[0] ? homozygous_count : 0;
  return int{unmatched[0]} + int{unmatched[1]};
}


// A group admits every member. A name, list, MAC or XX code admits a
// null or expression variant when a member names it as written, or when it
// is a protein of its own (C*04:09N, A*01:04N): one that shares an
// unsuffixed expressed allele's protein (first two fields), such as
// A*01:01:01:02N or A*01:01:38L under A*01:01, carries its suffix in its
// own name and is not denoted by the shorter one (WHO nomenclature for
// factors of the HLA system).
namespace {

// The admitted alleles of `kinds` (a bit per Alternative), at most `limit`;
// both kinds share one protein table.
std::vector<data::AlleleId> Admitted(const data::Reference& ref,
                                     const matcher::PositionTyping& pos,
                                     unsigned kinds, size_t limit) {
  std::vector<data::AlleleId> out;
  // Each allele through its packed record (data::AlleleGroups: suffix and
  // protein), not the whole Allele: compiling A*02:XX walks thousands.
  auto wanted = [kinds](const data::AlleleGroups& a) {
    const unsigned k =
        a.is_null() ? 1u << static_cast<int>(Alternative::kNull)
        : a.suffix != 0 ? 1u << static_cast<int>(Alternative::kVariant)
                        : 0u;
    return (k & kinds) != 0;
  };
  // Genotypes are compiled per distinct typing in bulk: the group case
  // needs no protein table, and the members are split only when asked.
  const bool group = NamesGroup(pos.text);
  std::vector<uint32_t> proteins;  // of the unsuffixed alleles
  // The wanted alleles (a few among the typing's hundreds), for the second
  // pass.
  std::vector<AlleleId> candidates;
  // A suffixed allele is a candidate; a protein counts once an unsuffixed
  // allele has it. Consecutive alleles mostly share their protein: kept
  // once.
  auto candidate = [&](AlleleId id) {
    if (out.size() >= limit) return;
    if (group) {
      out.push_back(id);
    } else {
      candidates.push_back(id);
    }
  };
  auto protein_of_unsuffixed = [&](uint32_t protein) {
    if (!group && (proteins.empty() || proteins.back() != protein)) {
      proteins.push_back(protein);
    }
  };
  ForEachProtein(
      ref, pos.alleles,
      [&](AlleleId id) {
        const data::AlleleGroups& a = ref.groups(id);
        if (wanted(a)) {
          candidate(id);
        } else if (a.suffix == 0 && a.protein != data::kNone) {
          protein_of_unsuffixed(a.protein);
        }
      },
      [&](uint32_t protein, const data::ProteinAlleles& p) {
        for (AlleleId id : p.suffixed) {
          if (wanted(ref.groups(id))) candidate(id);
        }
        if (p.unsuffixed) protein_of_unsuffixed(protein);
      });
  if (candidates.empty()) return out;
  // Allele ids follow IMGT's name order, so this is usually sorted already.
  if (!std::is_sorted(proteins.begin(), proteins.end())) {
    std::sort(proteins.begin(), proteins.end());
  }
  std::vector<absl::string_view> members;
  for (AlleleId id : candidates) {
    const data::AlleleGroups& a = ref.groups(id);
    bool admitted =
        a.protein == data::kNone ||
        !std::binary_search(proteins.begin(), proteins.end(), a.protein);
    if (!admitted) {
      if (members.empty()) {
        members = absl::StrSplit(pos.text, '/');
        for (absl::string_view& m : members) absl::ConsumePrefix(&m, "HLA-");
      }
      admitted = std::find(members.begin(), members.end(),
                           ref.allele(id).name) != members.end();
    }
    if (admitted) {
      out.push_back(id);
      if (out.size() >= limit) return out;
    }
  }
  return out;
}

}  // namespace

std::vector<data::AlleleId> AdmittedAlternatives(
    const data::Reference& ref, const matcher::PositionTyping& pos,
    Alternative kind, size_t limit) {
  return Admitted(ref, pos, 1u << static_cast<int>(kind), limit);
}

void AdmittedKinds(const data::Reference& ref,
                   const matcher::PositionTyping& pos, bool* null,
                   bool* variant) {
  *null = *variant = false;
  // All of them when needed to tell the kinds apart: rare (a typing that
  // admits an alternative), and bounded by the typing's alleles.
  for (AlleleId id : Admitted(ref, pos, 3u, SIZE_MAX)) {
    (ref.groups(id).is_null() ? *null : *variant) = true;
    if (*null && *variant) return;
  }
}

}  // namespace hla::matcher_internal
