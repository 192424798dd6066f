// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Family segregation (family.h): two exact searches (internal/segregation.h)
// -- the patient's parents with the patient and the full siblings, then the
// patient (phased by the first where it can be) with the patient's children
// and an untyped other parent -- and the words around them.
#include "family/family.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "family/internal/segregation.h"
#include "hla/status_macros.h"

namespace hla::family {

using internal::Pattern;
using internal::SegLimits;
using internal::SegLocus;
using internal::SegPerson;
using internal::SegProblem;
using internal::SegResult;
using internal::SegSolution;
using internal::SlotState;

absl::string_view ToString(FamilyRole role) {
  switch (role) {
    case FamilyRole::kPatient:
      return "patient";
    case FamilyRole::kFather:
      return "father";
    case FamilyRole::kMother:
      return "mother";
    case FamilyRole::kSibling:
      return "sibling";
    case FamilyRole::kChild:
      return "child";
    case FamilyRole::kOther:
      return "other";
    case FamilyRole::kPartner:
      return "partner";
    case FamilyRole::kHalfSibling:
      return "half_sibling";
    case FamilyRole::kMaternalHalfSibling:
      return "maternal_half_sibling";
    case FamilyRole::kPaternalHalfSibling:
      return "paternal_half_sibling";
  }
  return "other";
}

bool IsHalfSibling(FamilyRole role) {
  return role == FamilyRole::kHalfSibling ||
         role == FamilyRole::kMaternalHalfSibling ||
         role == FamilyRole::kPaternalHalfSibling;
}

absl::StatusOr<FamilyRole> ParseFamilyRole(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (t == "patient" || t == "recipient" || t == "proband") {
    return FamilyRole::kPatient;
  }
  if (t == "father") return FamilyRole::kFather;
  if (t == "mother") return FamilyRole::kMother;
  if (t == "sibling" || t == "brother" || t == "sister") {
    return FamilyRole::kSibling;
  }
  if (t == "child" || t == "son" || t == "daughter") return FamilyRole::kChild;
  if (t == "other") return FamilyRole::kOther;
  if (t == "partner" || t == "spouse" || t == "other_parent" ||
      t == "other parent") {
    return FamilyRole::kPartner;
  }
  {
    std::string norm = t;
    for (char& ch : norm) {
      if (ch == '-' || ch == ' ') ch = '_';
    }
    absl::string_view h = norm;
    FamilyRole role = FamilyRole::kHalfSibling;
    if (absl::ConsumePrefix(&h, "maternal_")) {
      role = FamilyRole::kMaternalHalfSibling;
    } else if (absl::ConsumePrefix(&h, "paternal_")) {
      role = FamilyRole::kPaternalHalfSibling;
    }
    if (h == "half_sibling" || h == "half_brother" || h == "half_sister") {
      return role;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "role '", text,
      "' is not one of patient, father, mother, sibling, child, other, "
      "partner, half_sibling, maternal_half_sibling, paternal_half_sibling"));
}

std::string FamilyName(absl::string_view family_id) {
  return family_id.empty() ? "(no family_id)" : std::string(family_id);
}

const MemberResult* FamilyResult::Find(absl::string_view id) const {
  for (const MemberResult& m : members) {
    if (m.id == id) return &m;
  }
  return nullptr;
}

namespace {

// A person's typings at the used loci, as the search sees them, and as
// written (for the phased GL String).
struct Typings {
  SegPerson seg;
  std::vector<std::array<std::string, 2>> text;
  bool any = false;
};

// The second typing of a locus: a locus written with one typing is
// homozygous by convention.
const matcher::PositionTyping& SecondTyping(const matcher::LocusTyping& lt) {
  return lt.typed_positions == 1 ? lt.pos[0] : lt.pos[1];
}

// Whether the search can place the locus: typed, as one pair of typings (a
// genotype list has no single pair), each with match keys.
bool Placeable(const matcher::LocusTyping& lt) {
  return lt.typed_positions > 0 && lt.alternatives.empty() &&
         !lt.pos[0].match_keys().empty() && !SecondTyping(lt).match_keys().empty();
}

// What allele a typing may be, for descent: its match keys and its null
// alternatives (a sibling typed A*01:10/A*01:16N may have received the
// father's A*01:16N, which matching alone would not pair with it).
internal::KeySet SegregationKeys(const matcher::PositionTyping& p) {
  const std::vector<uint32_t>& nulls = p.null_alternative_keys();
  if (nulls.empty()) return p.match_keys();
  internal::KeySet keys;
  std::set_union(p.match_keys().begin(), p.match_keys().end(), nulls.begin(),
                 nulls.end(), std::back_inserter(keys));
  return keys;
}

Typings TypingsOf(const matcher::Genotype& g, const std::vector<Locus>& loci) {
  Typings t;
  t.seg.resize(loci.size());
  t.text.resize(loci.size());
  for (size_t i = 0; i < loci.size(); ++i) {
    const matcher::LocusTyping& lt = g.at(loci[i]);
    if (!Placeable(lt)) continue;
    const matcher::PositionTyping& p0 = lt.pos[0];
    const matcher::PositionTyping& p1 = SecondTyping(lt);
    SegLocus& s = t.seg[i];
    s.typed = true;
    s.keys = {SegregationKeys(p0), SegregationKeys(p1)};
    t.text[i] = {p0.text, p1.text};
    t.any = true;
  }
  return t;
}

std::string LocusList(const std::vector<Locus>& loci) {
  return absl::StrJoin(loci, ", ", [](std::string* out, Locus l) {
    absl::StrAppend(out, LocusName(l));
  });
}

// One side's label set over the explanations: constant patterns by their
// slot, recombinant ones by start slot with the crossover interval merged,
// and whether the side is a half-sibling's other parent's in some.
struct SideLabels {
  std::set<int> constant;                 // slots
  std::map<int, std::pair<int, int>> rec;  // start slot -> [min, max] switch
  bool free = false;                       // labelled x
  void Add(const std::vector<uint8_t>& v, int at) {
    if (at < 0) {
      constant.insert(v[0]);
      return;
    }
    auto it = rec.find(v[0]);
    if (it == rec.end()) {
      rec[v[0]] = {at, at};
    } else {
      it->second.first = std::min(it->second.first, at);
      it->second.second = std::max(it->second.second, at);
    }
  }
  bool AlwaysRecombinant() const { return constant.empty() && !rec.empty(); }
  bool NeverRecombinant() const { return rec.empty(); }
  bool Determined() const {
    return constant.size() + rec.size() + (free ? 1 : 0) == 1;
  }
};

std::string Interval(const std::vector<Locus>& loci, int lo, int hi) {
  return absl::StrCat(LocusName(loci[lo - 1]), "-", LocusName(loci[hi]));
}

std::string LabelOf(const SideLabels& s, const std::array<std::string, 2>& names,
                    const std::vector<Locus>& loci) {
  std::vector<std::string> options;
  for (int slot : s.constant) options.push_back(names[slot]);
  for (const auto& [start, iv] : s.rec) {
    options.push_back(absl::StrCat(names[start], "/", names[1 - start], ":",
                                   Interval(loci, iv.first, iv.second)));
  }
  if (s.free) options.push_back("x");  // a half-sibling's other parent's
  if (options.size() == 1) return options[0];
  return absl::StrCat("(", absl::StrJoin(options, " or "), ")");
}

// Why child `c` is not explained by the stated parents, in words.
std::string WhyUnexplained(const std::string& id, const Typings& c,
                           const std::array<const Typings*, 2>& parents,
                           const std::array<std::string, 2>& parent_names,
                           const std::vector<Locus>& loci, int max_rec) {
  std::array<std::vector<Locus>, 2> none;
  std::vector<Locus> unsplittable;
  for (size_t l = 0; l < loci.size(); ++l) {
    const SegLocus& t = c.seg[l];
    if (!t.typed) continue;
    std::array<bool, 2> any = {true, true};
    for (int s = 0; s < 2; ++s) {
      if (parents[s] == nullptr || !parents[s]->seg[l].typed) continue;
      const SegLocus& p = parents[s]->seg[l];
      any[s] = false;
      for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 2; ++j) {
          any[s] = any[s] || internal::Intersects(t.keys[i], p.keys[j]);
        }
      }
      if (!any[s]) none[s].push_back(loci[l]);
    }
    if (any[0] && any[1] && parents[0] != nullptr && parents[1] != nullptr &&
        parents[0]->seg[l].typed && parents[1]->seg[l].typed) {
      const SegLocus& f = parents[0]->seg[l];
      const SegLocus& m = parents[1]->seg[l];
      bool split = false;
      for (int o = 0; o < 2; ++o) {
        const bool from_f = internal::Intersects(t.keys[o], f.keys[0]) ||
                            internal::Intersects(t.keys[o], f.keys[1]);
        const bool from_m = internal::Intersects(t.keys[1 - o], m.keys[0]) ||
                            internal::Intersects(t.keys[1 - o], m.keys[1]);
        split = split || (from_f && from_m);
      }
      if (!split) unsplittable.push_back(loci[l]);
    }
  }
  std::vector<std::string> parts;
  for (int s = 0; s < 2; ++s) {
    if (!none[s].empty()) {
      parts.push_back(absl::StrCat("shares no allele with the ",
                                   parent_names[s], " at ",
                                   LocusList(none[s])));
    }
  }
  if (!unsplittable.empty()) {
    parts.push_back(absl::StrCat(
        "cannot have one allele from each parent at ",
        LocusList(unsplittable)));
  }
  if (parts.empty()) {
    parts.push_back(absl::StrCat(
        "cannot be explained together with the other children by the stated "
        "parents with up to ",
        max_rec, " crossovers"));
  }
  return absl::StrCat(id, " is not explained by the stated parents: ",
                      absl::StrJoin(parts, "; "),
                      " (non-paternity, a sample mix-up or a typing error)");
}

// Who is who in one family and what each member's typing says at the used
// loci: everything the two searches and the words about them read.
struct Pedigree {
  const std::vector<FamilyMember>* members = nullptr;
  std::string where;  // "family F1": the prefix of every error
  int patient = -1, father = -1, mother = -1;  // member indices; -1: absent
  std::vector<Locus> loci;       // the used loci: typed by some member
  std::vector<Typings> typings;  // per member, at `loci`
  std::string used;              // LocusList(loci), for the words
  SegLimits limits;

  int Parent(int side) const { return side == 0 ? father : mother; }
  const std::string& Id(size_t member) const { return (*members)[member].id; }
  std::string UntypedBasis(size_t member) const {
    return absl::StrCat(Id(member), " is not typed at any of ",
                        used.empty() ? std::string("the loci") : used);
  }
};

// A solved nuclear family and what the display needs from it.
struct Solved {
  SegProblem problem;
  std::vector<size_t> child_member;  // problem child -> member index
  SegResult result;
  // child -> member indices dropped as unexplained, with the reason.
  std::vector<std::pair<size_t, std::string>> unexplained;
  bool failed = false;         // no explanation even after dropping one
  std::string failure;         // why, in words
  // Per solution, per locus: the slot states (for placing typings).
  std::vector<std::vector<std::vector<SlotState>>> states;
};

// Solves; when nothing explains the family, drops each child in turn and
// keeps the one drop that makes it explainable.
absl::Status SolveWithDiagnosis(const Pedigree& ped,
                                const std::array<const Typings*, 2>& parents,
                                const std::array<std::string, 2>& parent_names,
                                bool patient_is_child0, Solved* s) {
  auto flag_unexplained = [&](size_t member) {
    // A half-sibling is checked against the parent it shares only.
    std::array<const Typings*, 2> own = parents;
    const FamilyRole role = (*ped.members)[member].role;
    if (role == FamilyRole::kMaternalHalfSibling) own[0] = nullptr;
    if (role == FamilyRole::kPaternalHalfSibling) own[1] = nullptr;
    if (role == FamilyRole::kHalfSibling) own = {nullptr, nullptr};
    s->unexplained.emplace_back(
        member, WhyUnexplained(ped.Id(member), ped.typings[member], own,
                               parent_names, ped.loci,
                               ped.limits.max_recombinations));
  };
  absl::StatusOr<SegResult> r = internal::Solve(s->problem, ped.limits);
  if (!r.ok()) return r.status();
  if (r->recombinations < 0 && s->problem.children.size() > 1) {
    std::vector<size_t> candidates;
    std::vector<SegResult> results;
    for (size_t drop = 0; drop < s->problem.children.size(); ++drop) {
      SegProblem p = s->problem;
      p.DropChild(drop);
      if (drop == 0) p.fix_first_child = {false, false};
      absl::StatusOr<SegResult> rr = internal::Solve(p, ped.limits);
      if (!rr.ok()) return rr.status();
      if (rr->recombinations >= 0) {
        candidates.push_back(drop);
        results.push_back(*std::move(rr));
      }
    }
    if (candidates.size() == 1 && !(patient_is_child0 && candidates[0] == 0)) {
      const size_t drop = candidates[0];
      flag_unexplained(s->child_member[drop]);
      s->problem.DropChild(drop);
      s->child_member.erase(s->child_member.begin() + drop);
      r = std::move(results[0]);
    } else {
      s->failed = true;
      std::vector<std::string> names;
      for (size_t c : candidates) names.push_back(ped.Id(s->child_member[c]));
      for (size_t c : candidates) flag_unexplained(s->child_member[c]);
      const bool patient_only = patient_is_child0 && candidates.size() == 1;
      s->failure =
          patient_only
              ? std::string("the patient is not explained by the stated "
                            "parents together with the siblings")
          : candidates.empty()
              ? absl::StrCat("no assignment of haplotypes explains this "
                             "family with up to ",
                             ped.limits.max_recombinations,
                             " crossovers, nor with any one child left out")
              : absl::StrCat(
                    "the family is explained only with one of ",
                    absl::StrJoin(names, ", "),
                    " left out, and the typings cannot tell which one");
    }
  } else if (r->recombinations < 0) {
    s->failed = true;
    if (!s->child_member.empty()) flag_unexplained(s->child_member[0]);
    s->failure = "the only child is not explained by the stated parents";
  }
  s->result = *std::move(r);
  if (!s->failed) {
    for (const SegSolution& sol : s->result.solutions) {
      s->states.push_back(internal::SlotStates(s->problem, sol));
    }
  }
  return absl::OkStatus();
}

// The orientation of a typing over every explanation: 0 or 1 when one
// placement puts keys[0] in s1 (resp. keys[1]), -1 when it varies, -2 when
// homozygous at ARD level or untyped (nothing to decide). slots_at(solution,
// l) names the slots (s1, s2).
template <typename SlotsAt>
int Orientation(const Solved& s, const SegLocus& t, size_t l,
                const SlotsAt& slots_at) {
  if (!t.typed) return -2;
  int bits = 0;
  for (size_t k = 0; k < s.states.size(); ++k) {
    const auto [s1, s2] = slots_at(s.result.solutions[k], l);
    bits |= internal::Orientations(s.states[k][l], t, s1, s2);
  }
  if (bits == 1) return 0;
  if (bits == 2) return 1;
  return t.keys[0] == t.keys[1] ? 0 : -1;
}

// Phased GL String from placed texts: hap[0], hap[1] per locus (empty =
// not placed), plus unphased blocks.
std::string PhasedGl(const std::vector<std::array<std::string, 2>>& hap,
                     const std::vector<std::array<std::string, 2>>& unphased) {
  std::array<std::vector<std::string>, 2> h;
  for (const auto& l : hap) {
    for (int i = 0; i < 2; ++i) {
      if (!l[i].empty()) h[i].push_back(l[i]);
    }
  }
  std::vector<std::string> blocks;
  if (!h[0].empty() || !h[1].empty()) {
    std::string b = absl::StrJoin(h[0], "~");
    if (!h[1].empty()) absl::StrAppend(&b, "+", absl::StrJoin(h[1], "~"));
    blocks.push_back(std::move(b));
  }
  for (const auto& u : unphased) {
    blocks.push_back(absl::StrCat(u[0], "+", u[1]));
  }
  return absl::StrJoin(blocks, "^");
}

// The one phasing helper, for every person either search placed: writes
// m's phased GL String from typing t, each locus on the haplotypes where
// every explanation of s puts it (slots_at(solution, l) names the two
// slots, the first haplotype's first). A locus the explanations place
// differently is not guessed: it becomes an unphased block and is listed in
// m->unphased_loci. `orient` (may be null) receives each locus's
// Orientation, which search 2 needs for the patient.
template <typename SlotsAt>
void PhaseTyping(const Solved& s, const Typings& t,
                 const std::vector<Locus>& loci, const SlotsAt& slots_at,
                 MemberResult* m, std::vector<int>* orient) {
  std::vector<std::array<std::string, 2>> hap(loci.size()), unphased;
  for (size_t l = 0; l < loci.size(); ++l) {
    const int o = Orientation(s, t.seg[l], l, slots_at);
    if (orient != nullptr) (*orient)[l] = o;
    if (o == -2) continue;
    if (o < 0) {
      unphased.push_back(t.text[l]);
      m->unphased_loci.push_back(loci[l]);
      continue;
    }
    hap[l] = {t.text[l][o], t.text[l][1 - o]};
  }
  m->phased_gl = PhasedGl(hap, unphased);
}

// Child c of search s: the haplotype from parent 0 (the father; in search
// 2, the patient) first.
void PhaseChild(const Solved& s, size_t c, const Typings& t,
                const std::vector<Locus>& loci, MemberResult* m,
                std::vector<int>* orient) {
  PhaseTyping(
      s, t, loci,
      [c](const SegSolution& sol, size_t l) {
        const Pattern& p = sol.children[c];  // a free side takes no slot
        return std::make_pair(p.free == 0 ? -1 : int{p.from[0][l]},
                              p.free == 1 ? -1 : 2 + int{p.from[1][l]});
      },
      m, orient);
}

// ---------------------------------------------------------------------------
// Segregate, phase by phase. Each phase reads what the earlier ones decided
// (the pedigree, then search 1, then search 2) and writes its own part of
// the FamilyResult; docs/family.md states the rules they follow.

// The haplotype letters of the father (a, b) and of the mother (c, d).
const std::array<std::string, 2>& ParentLetters(int side) {
  static const auto* const kLetters =
      new std::array<std::array<std::string, 2>, 2>{{{"a", "b"}, {"c", "d"}}};
  return (*kLetters)[side];
}
constexpr const char* kSide[2] = {"paternal", "maternal"};
constexpr const char* kParent[2] = {"father", "mother"};

// The pedigree. Refuses what segregation cannot read (too many members for
// the exact search, an id given twice, two patients, fathers or mothers,
// no patient) so that no later phase has to ask "which patient?"; then
// keeps each member's typings at the loci some member has typed (a locus
// nobody typed would only multiply the explanations).
absl::StatusOr<Pedigree> BuildPedigree(const std::string& family_id,
                                       const std::vector<FamilyMember>& members,
                                       const FamilyOptions& options) {
  Pedigree ped;
  ped.members = &members;
  ped.where = family_id.empty() ? std::string("family")
                                : absl::StrCat("family ", family_id);
  if (members.size() > options.max_members) {
    return absl::InvalidArgumentError(
        absl::StrCat(ped.where, ": ", members.size(),
                     " members; segregation handles at most ",
                     options.max_members));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < members.size(); ++i) {
    const FamilyMember& m = members[i];
    if (!seen.insert(m.id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(ped.where, ": member id '", m.id, "' is given twice"));
    }
    int* slot = m.role == FamilyRole::kPatient  ? &ped.patient
                : m.role == FamilyRole::kFather ? &ped.father
                : m.role == FamilyRole::kMother ? &ped.mother
                                                : nullptr;
    if (slot == nullptr) continue;
    if (*slot >= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          ped.where, ": two members have role ", ToString(m.role), " ('",
          members[*slot].id, "' and '", m.id, "')"));
    }
    *slot = static_cast<int>(i);
  }
  if (ped.patient < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(ped.where, ": no member has role patient"));
  }
  // other_parent is a child's, and when it names a member, that member is
  // a partner (the father, say, would make the child the patient's sibling).
  for (const FamilyMember& m : members) {
    if (m.other_parent.empty()) continue;
    if (m.role != FamilyRole::kChild) {
      return absl::InvalidArgumentError(absl::StrCat(
          ped.where, ": '", m.id, "' has an other_parent but role ",
          ToString(m.role), "; only the patient's children have one"));
    }
    for (const FamilyMember& o : members) {
      if (o.id == m.other_parent && o.role != FamilyRole::kPartner) {
        return absl::InvalidArgumentError(absl::StrCat(
            ped.where, ": the other_parent of '", m.id, "' is '", o.id,
            "', whose role is ", ToString(o.role), ", not partner"));
      }
    }
  }
  for (Locus l : options.loci) {
    for (const FamilyMember& m : members) {
      if (Placeable(m.genotype.at(l))) {
        ped.loci.push_back(l);
        break;
      }
    }
  }
  for (const FamilyMember& m : members) {
    ped.typings.push_back(TypingsOf(m.genotype, ped.loci));
  }
  ped.used = LocusList(ped.loci);
  ped.limits.max_recombinations = options.max_recombinations;
  ped.limits.max_nodes = options.max_search_steps;
  return ped;
}

// One row per member, in input order, with nothing concluded yet: the
// phases fill them in (and may append inferred parents).
FamilyResult EmptyResult(const std::string& family_id,
                         const std::vector<FamilyMember>& members) {
  FamilyResult out;
  out.family_id = family_id;
  out.members.resize(members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    out.members[i].id = members[i].id;
    out.members[i].role = members[i].role;
  }
  return out;
}

// An untyped patient: sharing by descent with the patient has nothing to be
// read from, so every relative is told that instead of given a count.
void ReportUntypedPatient(const Pedigree& ped, const FamilyOptions& options,
                          FamilyResult* out) {
  out->notes.push_back(absl::StrCat("the patient is not typed at any of ",
                                    LocusList(options.loci),
                                    ": nothing can be segregated"));
  for (size_t i = 0; i < ped.members->size(); ++i) {
    if (static_cast<int>(i) != ped.patient) {
      out->members[i].basis = ped.UntypedBasis(i);
    }
  }
}

// The side of search 1 whose parent a member with `role` does not share
// with the patient.
int8_t FreeSideOf(FamilyRole role) {
  switch (role) {
    case FamilyRole::kMaternalHalfSibling:
      return 0;
    case FamilyRole::kPaternalHalfSibling:
      return 1;
    case FamilyRole::kHalfSibling:
      return internal::kEitherSideFree;
    default:
      return internal::kNoFreeSide;
  }
}

// Puts every typed member with `role` into search s as a child. An untyped
// one is left out (it constrains nothing and would only multiply the
// explanations) and its row says why.
void AddChildren(const Pedigree& ped, FamilyRole role, Solved* s,
                 FamilyResult* out) {
  for (size_t i = 0; i < ped.members->size(); ++i) {
    if ((*ped.members)[i].role != role) continue;
    if (!ped.typings[i].any) {
      out->members[i].basis = ped.UntypedBasis(i);
      continue;
    }
    s->problem.children.push_back(ped.typings[i].seg);
    s->problem.free_side.resize(s->problem.children.size(),
                                internal::kNoFreeSide);
    s->problem.free_side.back() = FreeSideOf(role);
    s->child_member.push_back(i);
  }
}

// SolveWithDiagnosis with the family named in its errors.
absl::Status SolveNamed(const Pedigree& ped,
                        const std::array<const Typings*, 2>& parents,
                        const std::array<std::string, 2>& parent_names,
                        bool patient_is_child0, Solved* s) {
  absl::Status st =
      SolveWithDiagnosis(ped, parents, parent_names, patient_is_child0, s);
  if (!st.ok()) {
    return absl::Status(st.code(), absl::StrCat(ped.where, ": ", st.message()));
  }
  return absl::OkStatus();
}

// Flags each child search s had to leave out.
void FlagUnexplained(const Solved& s, FamilyResult* out) {
  for (const auto& [member, why] : s.unexplained) {
    MemberResult& m = out->members[member];
    m.inconsistent = true;
    if (m.role != FamilyRole::kPatient) m.needs_review = true;
    m.flags.push_back(why);
    m.basis = absl::StrCat("undetermined: ", why);
    out->consistent = false;
    out->problems.push_back(why);
  }
}

// Runs one search with its leave-one-out diagnosis and flags each child it
// had to leave out: such a child gets the reason, never a count, because
// the stated parents do not explain it.
absl::Status SolveAndFlag(const Pedigree& ped,
                          const std::array<const Typings*, 2>& parents,
                          const std::array<std::string, 2>& parent_names,
                          bool patient_is_child0, Solved* s,
                          FamilyResult* out) {
  HLA_RETURN_IF_ERROR(
      SolveNamed(ped, parents, parent_names, patient_is_child0, s));
  FlagUnexplained(*s, out);
  return absl::OkStatus();
}

// A search nothing explains proves nothing: the family gets a note and each
// of its children not already flagged gets the failure as its reason.
void ReportFailedSearch(const Solved& s, absl::string_view note,
                        FamilyResult* out) {
  out->notes.push_back(absl::StrCat(note, s.failure));
  out->consistent = false;
  out->problems.push_back(s.failure);
  for (size_t member : s.child_member) {
    MemberResult& m = out->members[member];
    if (m.role != FamilyRole::kPatient) m.needs_review = true;
    if (m.basis.empty()) m.basis = absl::StrCat("undetermined: ", s.failure);
  }
}

// Per child of search s, per parent: its inheritance pattern over every
// explanation, which the letters and the recombinant flags are read from.
std::vector<std::array<SideLabels, 2>> LabelChildren(const Solved& s) {
  std::vector<std::array<SideLabels, 2>> labels(s.problem.children.size());
  for (const SegSolution& sol : s.result.solutions) {
    for (size_t c = 0; c < labels.size(); ++c) {
      for (int side = 0; side < 2; ++side) {
        if (side == sol.children[c].free) {
          labels[c][side].free = true;
        } else {
          labels[c][side].Add(sol.children[c].from[side],
                              sol.children[c].SwitchAt(side));
        }
      }
    }
  }
  return labels;
}

// Search 1 and what the later phases read from it.
struct Sibship {
  Solved solved;
  // Per search child (0: the patient), per side: LabelChildren(solved).
  std::vector<std::array<SideLabels, 2>> labels;
  // The patient's paternal and maternal letters ("a", "c", or a
  // recombinant or undetermined label); empty when search 1 failed.
  std::array<std::string, 2> patient_letter;
  // Per used locus: 0 (1) when every explanation puts keys[0] (keys[1]) of
  // the patient's typing on the paternal haplotype; negative otherwise.
  std::vector<int> patient_orient;
};

// Detecting recombinants, one child's side: a crossover in every
// explanation, at one place, makes the child recombinant (its haplotype from
// that parent is whole in nobody); one in only some explanations is a
// warning, since the count may then hinge on it.
void FlagCrossover(const SideLabels& sl, int s, const std::vector<Locus>& loci,
                   MemberResult* m) {
  if (sl.NeverRecombinant()) return;
  const std::string label = LabelOf(sl, ParentLetters(s), loci);
  const auto& iv = sl.rec.begin()->second;
  const std::string between =
      absl::StrCat("between ", LocusName(loci[iv.first - 1]), " and ",
                   LocusName(loci[iv.second]));
  if (sl.AlwaysRecombinant() && sl.rec.size() == 1) {
    m->recombinant = true;
    m->flags.push_back(absl::StrCat("recombinant ", kSide[s], " haplotype ",
                                    label, ": a crossover ", between,
                                    " in the ", kParent[s], "'s meiosis"));
  } else {
    m->flags.push_back(absl::StrCat(
        "possibly a recombinant ", kSide[s], " haplotype (", between,
        "): some equally good explanations put the crossover here"));
  }
}

// Haplotype letters for the parents' children: the patient's (which name
// the letters: the patient carries a and c) and each sibling's, father's
// letter | mother's letter, with their crossovers flagged.
void LetterSibship(const Pedigree& ped, Sibship* sib, FamilyResult* out) {
  sib->labels = LabelChildren(sib->solved);
  for (int s = 0; s < 2; ++s) {
    sib->patient_letter[s] =
        LabelOf(sib->labels[0][s], ParentLetters(s), ped.loci);
  }
  for (size_t c = 0; c < sib->labels.size(); ++c) {
    const std::array<SideLabels, 2>& sl = sib->labels[c];
    MemberResult& m = out->members[sib->solved.child_member[c]];
    m.letters = absl::StrCat(LabelOf(sl[0], ParentLetters(0), ped.loci), "|",
                             LabelOf(sl[1], ParentLetters(1), ped.loci));
    for (int s = 0; s < 2; ++s) FlagCrossover(sl[s], s, ped.loci, &m);
  }
}

// The words for a sibling's count that every explanation agrees on; the
// shared haplotypes are named only when every explanation shares the same
// sides (without typed parents, which parent a shared haplotype came from
// may stay open). shared_sides: per explanation, the sides shared.
void ProvenSharing(const Sibship& sib,
                   const std::set<std::vector<int>>& shared_sides, int count,
                   MemberResult* m) {
  m->shared = count;
  const bool sides_known = shared_sides.size() == 1;
  for (int s : sides_known ? *shared_sides.begin() : std::vector<int>()) {
    m->shared_haplotypes.push_back(
        absl::StrCat(sib.patient_letter[s], " (", kSide[s], ")"));
  }
  if (count == 0) {
    m->basis = absl::StrCat(
        "family segregation: shares no whole haplotype with the patient (",
        m->letters, " against the patient's ", sib.patient_letter[0], "|",
        sib.patient_letter[1], ")");
  } else if (sides_known) {
    m->basis = absl::StrCat("family segregation: shares haplotype",
                            m->shared_haplotypes.size() > 1 ? "s " : " ",
                            absl::StrJoin(m->shared_haplotypes, " and "),
                            " with the patient");
  } else {
    m->basis = absl::StrCat(
        "family segregation: shares ", count,
        " haplotype with the patient; without typed parents, which parent it "
        "came from cannot be told");
  }
}

// The words for a sibling whose count the explanations disagree on: per
// undecided side, why that parent's haplotypes cannot be told apart, so
// the user knows whom to type.
void UndeterminedSharing(const Sibship& sib,
                         const std::array<std::set<bool>, 2>& side,
                         const std::set<int8_t>& frees,
                         const std::set<int>& counts, MemberResult* m) {
  std::vector<std::string> why;
  if (frees.size() > 1) {
    why.push_back(absl::StrCat(
        "whether ", m->id,
        " is the father's or the mother's child cannot be told (give the "
        "role maternal_half_sibling or paternal_half_sibling)"));
  }
  for (int s = 0; s < 2; ++s) {
    if (side[s].size() < 2) continue;
    const bool typed = sib.solved.problem.parents[s].has_value();
    why.push_back(absl::StrCat(
        "which of the ", kParent[s], "'s haplotypes ", m->id,
        " inherited cannot be told: ",
        typed ? absl::StrCat("the ", kParent[s],
                             "'s two haplotypes are alike at every locus "
                             "typed in the children, or a crossover could "
                             "lie in several places",
                             IsHalfSibling(m->role)
                                 ? absl::StrCat(", or ", m->id,
                                                "'s other parent gave it a "
                                                "haplotype alike to one of "
                                                "the ", kParent[s], "'s")
                                 : std::string())
              : absl::StrCat("the ", kParent[s],
                             " is not typed and the children do not "
                             "determine the haplotypes (type the ",
                             kParent[s], " or more children)")));
  }
  std::vector<std::string> options_n;
  for (int n : counts) options_n.push_back(absl::StrCat(n));
  m->basis = absl::StrCat("undetermined: ", absl::StrJoin(options_n, " or "),
                          " shared haplotypes fit the typings equally well; ",
                          absl::StrJoin(why, "; "));
}

// Whether explanation k keeps each haplotype of an untyped parent apart, at
// some locus, from every other parental haplotype: the usual case, in
// which the same haplotype is not present twice among the parents.
bool UntypedHaplotypesDistinct(const Solved& one, size_t k, size_t loci) {
  for (int i = 0; i < 4; ++i) {
    for (int j = i + 1; j < 4; ++j) {
      if (one.problem.parents[i / 2] && one.problem.parents[j / 2]) continue;
      bool alike = true;
      for (size_t l = 0; l < loci && alike; ++l) {
        for (const SlotState& st : one.states[k][l]) {
          alike = alike && st[i] && st[j] &&
                  internal::Intersects(*st[i], *st[j]);
        }
      }
      if (alike) return false;
    }
  }
  return true;
}

// likely_shared: the count that every explanation with distinct untyped
// haplotypes gives. Worth saying (it is usually right), never a proof, so
// ApplySegregation does not use it.
void LikelySharing(const Pedigree& ped, const Solved& one, size_t c,
                   MemberResult* m) {
  std::set<int> likely;
  for (size_t k = 0; k < one.result.solutions.size(); ++k) {
    if (!UntypedHaplotypesDistinct(one, k, ped.loci.size())) continue;
    const SegSolution& sol = one.result.solutions[k];
    int n = 0;
    for (int s = 0; s < 2; ++s) {
      n += s != sol.children[c].free &&
           sol.children[c].from[s] == sol.children[0].from[s];
    }
    likely.insert(n);
  }
  if (likely.size() == 1) {
    m->likely_shared = *likely.begin();
    absl::StrAppend(&m->basis, "; ", *likely.begin(),
                    " unless the same haplotype (at ARD level) is present "
                    "twice among the parents");
  }
}

// Whether, in explanation k, slots i and j hold the same alleles at locus
// l at the typed resolution (the same slot, or equal non-empty key sets in
// every state left): then which of them a child received does not change
// what it carries. A typed parent's slots hold its typing narrowed by the
// children's; an untyped parent's hold what the children placed there.
bool SlotsAlike(const Solved& one, size_t k, size_t l, int i, int j) {
  if (i == j) return true;
  for (const SlotState& st : one.states[k][l]) {
    if (!st[i] || !st[j] || *st[i] != *st[j]) return false;
  }
  return !one.states[k][l].empty();
}

// When the explanations differ in which of alike parental haplotypes a
// sibling received (a homozygous parent; an untyped parent whose children
// show the same alleles; parents who carry the same haplotype): the number
// of the patient's haplotypes the sibling carries at the typed resolution,
// given when every explanation agrees on it. In one explanation a pairing
// of the sibling's haplotypes with the patient's (paternal with paternal
// and maternal with maternal, or crossed) counts a pair when its slots are
// alike at every locus; the count is the better pairing's. True when it
// gave a count (with the words), false to leave it undetermined. Not a
// count by descent; what a transplant sees is the same.
bool SharingAtTypedResolution(const Pedigree& ped, const Sibship& sib,
                              size_t c, MemberResult* m) {
  const Solved& one = sib.solved;
  if (one.states.size() != one.result.solutions.size()) return false;
  const size_t loci = ped.loci.size();
  std::set<int> counts;
  std::set<size_t> alike_loci;
  std::vector<std::set<int>> per_locus(loci);
  for (size_t k = 0; k < one.result.solutions.size(); ++k) {
    const Pattern& mine = one.result.solutions[k].children[c];
    const Pattern& his = one.result.solutions[k].children[0];
    int best = -1;
    std::vector<int> best_at;
    std::set<size_t> best_alike;
    for (int crossed = 0; crossed < 2; ++crossed) {
      int n = 0;
      std::vector<int> at(loci, 0);
      std::set<size_t> alike;
      for (int s = 0; s < 2; ++s) {
        if (s == mine.free) continue;  // another parent's: in no slot
        const int t = crossed ? 1 - s : s;  // the patient's side paired
        bool whole = true;
        for (size_t l = 0; l < loci; ++l) {
          const int i = 2 * s + mine.from[s][l], j = 2 * t + his.from[t][l];
          if (SlotsAlike(one, k, l, i, j)) {
            ++at[l];
            if (i != j) alike.insert(l);
          } else {
            whole = false;
          }
        }
        n += whole;
      }
      if (n > best) {
        best = n;
        best_at = std::move(at);
        best_alike = std::move(alike);
      }
    }
    counts.insert(best);
    alike_loci.insert(best_alike.begin(), best_alike.end());
    for (size_t l = 0; l < loci; ++l) per_locus[l].insert(best_at[l]);
  }
  if (counts.size() != 1) return false;
  m->shared_as_typed = *counts.begin();
  std::vector<Locus> where;
  for (size_t l : alike_loci) where.push_back(ped.loci[l]);
  m->basis = absl::StrCat(
      "family segregation: carries ", *counts.begin(),
      " of the patient's haplotypes at the typed resolution; by descent it "
      "cannot be told (the explanations differ in which of alike parental "
      "haplotypes ", m->id, " received, at ", LocusList(where),
      "), which does not change what it carries");
  m->ibd.assign(loci, std::nullopt);
  for (size_t l = 0; l < loci; ++l) {
    if (per_locus[l].size() == 1) m->ibd[l] = *per_locus[l].begin();
  }
  return true;
}

// The parts of the patient's haplotypes that sibling c shares by descent
// across a crossover: per side, the loci where its pattern is the
// patient's, when every explanation gives the same loci and they are some
// but not all ("a (paternal) from A to B"; one crossover a meiosis makes
// them one run, unless both meioses recombined).
void SharedSegments(const Pedigree& ped, const Sibship& sib, size_t c,
                    MemberResult* m) {
  const std::vector<SegSolution>& sols = sib.solved.result.solutions;
  if (sols.empty()) return;
  const size_t loci = ped.loci.size();
  for (int s = 0; s < 2; ++s) {
    std::set<std::vector<bool>> runs;
    for (const SegSolution& sol : sols) {
      const Pattern& mine = sol.children[c];
      std::vector<bool> same(loci, false);
      if (s != mine.free) {
        for (size_t l = 0; l < loci; ++l) {
          same[l] = mine.from[s][l] == sol.children[0].from[s][l];
        }
      }
      runs.insert(std::move(same));
    }
    if (runs.size() != 1) continue;
    const std::vector<bool>& same = *runs.begin();
    const size_t n = static_cast<size_t>(std::count(same.begin(), same.end(), true));
    if (n == 0 || n == loci) continue;
    std::vector<std::string> parts;
    for (size_t l = 0; l < loci;) {
      if (!same[l]) {
        ++l;
        continue;
      }
      size_t e = l;
      while (e + 1 < loci && same[e + 1]) ++e;
      parts.push_back(e == l ? absl::StrCat("at ", LocusName(ped.loci[l]))
                             : absl::StrCat("from ", LocusName(ped.loci[l]),
                                            " to ", LocusName(ped.loci[e])));
      l = e + 1;
    }
    m->shared_segments.push_back(absl::StrCat(sib.patient_letter[s], " (",
                                              kSide[s], ") ",
                                              absl::StrJoin(parts, " and ")));
  }
}

// What sibling c (search child c >= 1) shares with the patient: a side is
// shared when its pattern is the patient's at every locus; a half-sibling's
// free side (its other parent's) never is. A count is proven only when
// every explanation gives the same one.
void ShareSibling(const Pedigree& ped, const Sibship& sib, size_t c,
                  MemberResult* m) {
  std::set<int> counts;
  std::array<std::set<bool>, 2> side;
  std::set<std::vector<int>> shared_sides;
  std::set<int8_t> frees;
  const size_t loci = ped.loci.size();
  std::vector<std::set<int>> per_locus(loci);
  for (const SegSolution& sol : sib.solved.result.solutions) {
    const Pattern& mine = sol.children[c];
    frees.insert(mine.free);
    std::vector<int> sides;
    for (int s = 0; s < 2; ++s) {
      if (s == mine.free) continue;
      const bool same = mine.from[s] == sol.children[0].from[s];
      side[s].insert(same);
      if (same) sides.push_back(s);
    }
    counts.insert(static_cast<int>(sides.size()));
    shared_sides.insert(std::move(sides));
    for (size_t l = 0; l < loci; ++l) {
      int k = 0;
      for (int s = 0; s < 2; ++s) {
        k += s != mine.free &&
             mine.from[s][l] == sol.children[0].from[s][l];
      }
      per_locus[l].insert(k);
    }
  }
  if (!sib.solved.result.solutions.empty()) {
    m->ibd.resize(loci);
    for (size_t l = 0; l < loci; ++l) {
      if (per_locus[l].size() == 1) m->ibd[l] = *per_locus[l].begin();
    }
  }
  SharedSegments(ped, sib, c, m);
  if (counts.size() == 1) {
    ProvenSharing(sib, shared_sides, *counts.begin(), m);
    if (!m->shared_segments.empty()) {
      absl::StrAppend(&m->basis, "; by descent, part of the patient's ",
                      absl::StrJoin(m->shared_segments, " and "));
    }
    return;
  }
  if (SharingAtTypedResolution(ped, sib, c, m)) return;
  UndeterminedSharing(sib, side, frees, counts, m);
  LikelySharing(ped, sib.solved, c, m);
}

// The row of parent s: the member's own; for a missing parent a new
// inferred row, but only when at least two children were segregated (with
// the patient alone, the parent's haplotypes are just the patient's); null
// when there is nothing to say (an untyped member's row says why).
MemberResult* ParentRow(const Pedigree& ped, const Sibship& sib, int s,
                        FamilyResult* out) {
  const int p = ped.Parent(s);
  if (p >= 0) {
    if (ped.typings[p].any) return &out->members[p];
    out->members[p].basis = ped.UntypedBasis(p);
    return nullptr;
  }
  if (sib.solved.problem.children.size() < 2) return nullptr;
  MemberResult& m = out->members.emplace_back();
  m.id = absl::StrCat(kParent[s], " (inferred)");
  m.role = s == 0 ? FamilyRole::kFather : FamilyRole::kMother;
  m.in_input = false;
  return &m;
}

// The parents, typed or inferred: each shares with the patient the
// haplotype the patient got from it, unless that haplotype is recombinant
// (then only part of it).
void ShareParents(const Pedigree& ped, const Sibship& sib, FamilyResult* out) {
  for (int s = 0; s < 2; ++s) {
    MemberResult* m = ParentRow(ped, sib, s, out);
    if (m == nullptr) continue;
    const SideLabels& pl = sib.labels[0][s];
    const std::string& letter = sib.patient_letter[s];
    m->letters = absl::StrCat(ParentLetters(s)[0], "|", ParentLetters(s)[1]);
    // The patient's allele from this parent is one of the parent's at every
    // locus, whether or not the haplotype is recombinant.
    m->ibd.assign(ped.loci.size(), 1);
    if (pl.NeverRecombinant()) {
      m->shared = 1;
      m->basis = absl::StrCat("family segregation: the patient's ", kSide[s],
                              " haplotype ", letter, " is the ", kParent[s],
                              "'s by descent");
      m->shared_haplotypes.push_back(absl::StrCat(letter, " (", kSide[s], ")"));
    } else if (pl.AlwaysRecombinant()) {
      m->shared = 0;
      m->basis = absl::StrCat(
          "family segregation: the patient's ", kSide[s], " haplotype ",
          letter, " is recombinant: the ", kParent[s],
          " shares part of it, not a whole haplotype");
    } else {
      m->basis = absl::StrCat(
          "undetermined: the patient's ", kSide[s],
          " haplotype may be recombinant (equally good explanations differ)");
    }
  }
}

// When the explanations were capped, those left unenumerated could
// disagree with every count above: no sibling or parent count is kept.
void ForgetCountsIfTruncated(const Solved& one, FamilyResult* out) {
  if (!one.result.truncated) return;
  const std::string why = absl::StrCat(
      "undetermined: more than ", one.result.solutions.size(),
      " equally good explanations (the typings say too little; type more "
      "loci or members)");
  for (MemberResult& m : out->members) {
    if (m.role == FamilyRole::kPatient || m.role == FamilyRole::kChild ||
        m.role == FamilyRole::kOther || m.role == FamilyRole::kPartner ||
        m.inconsistent || m.letters.empty()) {
      continue;
    }
    m.shared.reset();
    m.likely_shared.reset();
    m.shared_haplotypes.clear();
    m.shared_segments.clear();
    if (m.role == FamilyRole::kSibling || IsHalfSibling(m.role)) m.ibd.clear();
    m.basis = why;
  }
}

// An inferred parent's alleles: per locus and slot, the most specific
// typing that a child of explanation 0 shows from that slot (only where
// the child's phase is known). Loci no child shows are left out.
std::string InferredParentGl(const Pedigree& ped, const Solved& one, int s) {
  const SegSolution& sol = one.result.solutions[0];
  std::vector<std::array<std::string, 2>> hap(ped.loci.size());
  for (size_t l = 0; l < ped.loci.size(); ++l) {
    std::array<size_t, 2> best = {0, 0};
    for (size_t c = 0; c < one.problem.children.size(); ++c) {
      const SegLocus& t = ped.typings[one.child_member[c]].seg[l];
      const Pattern& p = sol.children[c];
      if (!t.typed || p.free != internal::kNoFreeSide) continue;
      const int bits = internal::Orientations(one.states[0][l], t,
                                              p.from[0][l], 2 + p.from[1][l]);
      if (bits != 1 && bits != 2 && t.keys[0] != t.keys[1]) continue;
      // keys[o] is paternal: the mother's side is the other one.
      const int o = bits == 2 ? 1 : 0;
      const int which = s == 0 ? o : 1 - o;
      const int slot = sol.children[c].from[s][l];
      const size_t n = t.keys[which].size();
      if (hap[l][slot].empty() || n < best[slot]) {
        hap[l][slot] = ped.typings[one.child_member[c]].text[l][which];
        best[slot] = n;
      }
    }
  }
  return PhasedGl(hap, {});
}

// Phased GL Strings for search 1: each child's typing on its paternal and
// maternal haplotype, each parent's on its own two (an inferred parent's
// from what the children show). The patient's placement is kept: search 2
// starts from it.
void PhaseSibship(const Pedigree& ped, Sibship* sib, FamilyResult* out) {
  const Solved& one = sib->solved;
  for (size_t c = 0; c < one.problem.children.size(); ++c) {
    const size_t member = one.child_member[c];
    PhaseChild(one, c, ped.typings[member], ped.loci, &out->members[member],
               c == 0 ? &sib->patient_orient : nullptr);
  }
  for (int s = 0; s < 2; ++s) {
    const int p = ped.Parent(s);
    if (p >= 0) {
      const auto own_slots = [s](const SegSolution&, size_t) {
        return std::make_pair(2 * s, 2 * s + 1);
      };
      PhaseTyping(one, ped.typings[p], ped.loci, own_slots, &out->members[p],
                  nullptr);
      continue;
    }
    const FamilyRole role = s == 0 ? FamilyRole::kFather : FamilyRole::kMother;
    for (MemberResult& m : out->members) {
      if (!m.in_input && m.role == role) {
        m.phased_gl = InferredParentGl(ped, one, s);
      }
    }
  }
}

// Search 1: the patient (child 0) and the typed full siblings with the
// parents, typed or not. Everything said about siblings and parents comes
// from its explanations, and the patient's phase found here phases search
// 2. Phases: letters and recombinants, sibling sharing, parents (inferring
// missing ones), then phased typings.
absl::StatusOr<Sibship> SegregateSibship(const Pedigree& ped,
                                         FamilyResult* out) {
  Sibship sib;
  sib.patient_orient.assign(ped.loci.size(), -1);
  Solved& one = sib.solved;
  one.problem.loci = static_cast<int>(ped.loci.size());
  std::array<const Typings*, 2> parents = {nullptr, nullptr};
  for (int s = 0; s < 2; ++s) {
    const int p = ped.Parent(s);
    if (p >= 0 && ped.typings[p].any) {
      one.problem.parents[s] = ped.typings[p].seg;
      parents[s] = &ped.typings[p];
    }
  }
  one.problem.children.push_back(ped.typings[ped.patient].seg);
  one.child_member.push_back(ped.patient);
  AddChildren(ped, FamilyRole::kSibling, &one, out);
  for (FamilyRole half :
       {FamilyRole::kMaternalHalfSibling, FamilyRole::kPaternalHalfSibling,
        FamilyRole::kHalfSibling}) {
    AddChildren(ped, half, &one, out);
  }
  HLA_RETURN_IF_ERROR(SolveAndFlag(ped, parents, {"father", "mother"},
                                   /*patient_is_child0=*/true, &one, out));
  if (one.failed) {
    ReportFailedSearch(one, "segregation failed: ", out);
    // The patient's own sibship cannot be explained: the patient's sample,
    // typing or parents are in doubt, and with them every relative's
    // relationship to the patient.
    for (MemberResult& m : out->members) {
      if (m.role != FamilyRole::kPatient) m.needs_review = true;
    }
    for (int p : {ped.father, ped.mother}) {
      if (p >= 0 && out->members[p].basis.empty()) {
        out->members[p].basis = absl::StrCat("undetermined: ", one.failure);
      }
    }
    return sib;
  }
  out->recombinations = one.result.recombinations;
  out->explanations = one.result.solutions.size();
  out->truncated = one.result.truncated;
  LetterSibship(ped, &sib, out);
  for (size_t c = 1; c < one.problem.children.size(); ++c) {
    ShareSibling(ped, sib, c, &out->members[one.child_member[c]]);
  }
  ShareParents(ped, sib, out);
  ForgetCountsIfTruncated(one, out);
  PhaseSibship(ped, &sib, out);
  if (one.result.solutions.size() > 1) {
    // Several explanations are why some counts are undetermined: say so.
    out->notes.push_back(absl::StrCat(
        one.result.solutions.size(), one.result.truncated ? "+" : "",
        " equally good explanations of the parents' haplotypes",
        one.result.recombinations > 0
            ? absl::StrCat(" with ", one.result.recombinations, " crossover(s)")
            : std::string(),
        "; sharing is reported only where they all agree"));
  }
  return sib;
}

// The patient as parent 0 of search 2, each locus phased as search 1
// placed it so that the letters a-d carry over to the patient's children;
// returns the names of the patient's two haplotypes. Without a phased
// heterozygous locus the two cannot be told apart: both are named "(a or
// c)" and child 0 is pinned to slot 0 (the symmetry is then real).
std::array<std::string, 2> PlacePatientAsParent(const Pedigree& ped,
                                                const Sibship& sib,
                                                SegProblem* problem) {
  SegPerson p = ped.typings[ped.patient].seg;
  bool any_phased_het = false;
  for (size_t l = 0; l < ped.loci.size(); ++l) {
    if (!p[l].typed || sib.patient_orient[l] < 0) continue;
    if (sib.patient_orient[l] == 1) std::swap(p[l].keys[0], p[l].keys[1]);
    p[l].phased = true;
    any_phased_het = any_phased_het || p[l].keys[0] != p[l].keys[1];
  }
  problem->parents[0] = std::move(p);
  problem->fix_first_child = {!any_phased_het, true};
  // When the parents do not explain their children (search 1 failed), the
  // patient has no letters from them and keeps its own default, a|c, as its
  // row shows: a child is then named against those.
  std::array<std::string, 2> letters = sib.patient_letter;
  for (int s = 0; s < 2; ++s) {
    if (letters[s].empty()) letters[s] = ParentLetters(s)[0];
  }
  if (any_phased_het) return letters;
  const std::string either =
      absl::StrCat("(", letters[0], " or ", letters[1], ")");
  return {either, either};
}

// A child of the patient: letters (the patient's | e or f from the other
// parent, who is not in the file) and sharing: the haplotype from the
// patient is shared whole unless a crossover in the patient's meiosis made
// it recombinant.
void ShareChildOfPatient(const std::array<SideLabels, 2>& sl,
                         const std::array<std::string, 2>& patient_names,
                         const std::array<std::string, 2>& partner,
                         const std::vector<Locus>& loci, MemberResult* m) {
  const std::string from_patient = LabelOf(sl[0], patient_names, loci);
  m->letters = absl::StrCat(from_patient, "|", LabelOf(sl[1], partner, loci));
  // One of the patient's alleles at every locus, recombinant or not.
  m->ibd.assign(loci.size(), 1);
  if (sl[0].NeverRecombinant()) {
    m->shared = 1;
    m->shared_haplotypes.push_back(
        absl::StrCat(from_patient, " (from the patient)"));
    m->basis = absl::StrCat(
        "family segregation: a child of the patient; carries the patient's "
        "haplotype ",
        from_patient, " whole");
  } else if (sl[0].AlwaysRecombinant()) {
    m->shared = 0;
    m->recombinant = true;
    const auto& iv = sl[0].rec.begin()->second;
    m->flags.push_back(absl::StrCat(
        "recombinant haplotype from the patient ", from_patient,
        ": a crossover between ", LocusName(loci[iv.first - 1]), " and ",
        LocusName(loci[iv.second]), " in the patient's meiosis"));
    m->basis = absl::StrCat(
        "family segregation: the haplotype from the patient is recombinant (",
        from_patient, "): no whole haplotype shared");
  } else {
    m->basis =
        "undetermined: the haplotype from the patient may be recombinant "
        "(equally good explanations differ)";
  }
}

// Search 2: the patient (phased by search 1) with the patient's typed
// children and their untyped other parent (letters e, f), a second nuclear
// family below the first.
// The other parent's letters of the k-th group of the patient's children:
// e|f, g|h, ... (after z: x|y).
std::array<std::string, 2> PartnerLetters(size_t k) {
  const size_t first = 4 + 2 * k;  // 'e' is the 5th letter
  if (first + 1 >= 26) return {"x", "y"};
  return {std::string(1, static_cast<char>('a' + first)),
          std::string(1, static_cast<char>('a' + first + 1))};
}

// One group of the patient's children (`children`, member indices) with
// their other parent (`partner`, a member index, or -1 when untyped or not
// in the file), searched with its leave-one-out diagnosis; nothing is
// written to the result yet (ReportChildGroup).
struct ChildGroup {
  Solved two;
  std::array<std::string, 2> patient_names;
  bool Explained() const { return !two.failed && two.unexplained.empty(); }
};
absl::StatusOr<ChildGroup> SolveChildGroup(const Pedigree& ped,
                                           const Sibship& sib,
                                           const std::vector<size_t>& children,
                                           int partner) {
  ChildGroup g;
  Solved& two = g.two;
  two.problem.loci = static_cast<int>(ped.loci.size());
  g.patient_names = PlacePatientAsParent(ped, sib, &two.problem);
  const Typings* partner_typings = nullptr;
  if (partner >= 0 && ped.typings[partner].any) {
    two.problem.parents[1] = ped.typings[partner].seg;
    partner_typings = &ped.typings[partner];
  }
  for (size_t member : children) {
    two.problem.children.push_back(ped.typings[member].seg);
    two.child_member.push_back(member);
  }
  const std::string partner_name =
      partner >= 0 ? ped.Id(static_cast<size_t>(partner)) : "other parent";
  HLA_RETURN_IF_ERROR(SolveNamed(ped, {&ped.typings[ped.patient], partner_typings},
                                 {"patient", partner_name},
                                 /*patient_is_child0=*/false, &two));
  return g;
}

// Writes group number `group` (its other parent's letters) to the result:
// unexplained children flagged, a failed search reported, the others'
// letters, sharing and phase.
void ReportChildGroup(const Pedigree& ped, const ChildGroup& g, size_t group,
                      FamilyResult* out) {
  const Solved& two = g.two;
  FlagUnexplained(two, out);
  if (two.failed) {
    ReportFailedSearch(two, "the patient's children: ", out);
    return;
  }
  const std::vector<std::array<SideLabels, 2>> labels = LabelChildren(two);
  for (size_t c = 0; c < labels.size(); ++c) {
    const size_t member = two.child_member[c];
    ShareChildOfPatient(labels[c], g.patient_names, PartnerLetters(group),
                        ped.loci, &out->members[member]);
    PhaseChild(two, c, ped.typings[member], ped.loci, &out->members[member],
               nullptr);
  }
}

// The patient's children, by their other parent: children naming the same
// other_parent are one nuclear family with that parent (typed when a
// member with role partner has that id). Children naming none are first
// tried as one family with one untyped other parent (the usual case, which
// phases them best); when that cannot explain them all (children by
// several partners), each is explained alone: a child of the patient
// carries one of the patient's haplotypes whatever the other parent, and a
// child that not even that explains is flagged.
absl::Status SegregatePatientChildren(const Pedigree& ped, const Sibship& sib,
                                      FamilyResult* out) {
  std::vector<std::string> names;  // group keys in order of first child
  std::map<std::string, std::vector<size_t>> named;
  std::vector<size_t> unnamed;
  for (size_t i = 0; i < ped.members->size(); ++i) {
    const FamilyMember& fm = (*ped.members)[i];
    if (fm.role != FamilyRole::kChild) continue;
    if (!ped.typings[i].any) {
      out->members[i].basis = ped.UntypedBasis(i);
      continue;
    }
    if (fm.other_parent.empty()) {
      unnamed.push_back(i);
      continue;
    }
    auto [it, fresh] = named.try_emplace(fm.other_parent);
    if (fresh) names.push_back(fm.other_parent);
    it->second.push_back(i);
  }
  size_t group = 0;
  for (const std::string& name : names) {
    int partner = -1;
    for (size_t i = 0; i < ped.members->size(); ++i) {
      if ((*ped.members)[i].id == name &&
          (*ped.members)[i].role == FamilyRole::kPartner) {
        partner = static_cast<int>(i);
      }
    }
    HLA_ASSIGN_OR_RETURN(const ChildGroup g,
                         SolveChildGroup(ped, sib, named[name], partner));
    ReportChildGroup(ped, g, group++, out);
  }
  if (unnamed.empty()) return absl::OkStatus();
  HLA_ASSIGN_OR_RETURN(const ChildGroup together,
                       SolveChildGroup(ped, sib, unnamed, -1));
  if (together.Explained() || unnamed.size() == 1) {
    ReportChildGroup(ped, together, group, out);
    return absl::OkStatus();
  }
  out->notes.push_back(absl::StrCat(
      "the patient's children ",
      absl::StrJoin(unnamed, ", ",
                    [&](std::string* o, size_t i) {
                      absl::StrAppend(o, ped.Id(i));
                    }),
      " cannot all have one other parent: each is explained alone (name "
      "each child's other_parent to segregate them together)"));
  for (size_t i : unnamed) {
    HLA_ASSIGN_OR_RETURN(const ChildGroup alone,
                         SolveChildGroup(ped, sib, {i}, -1));
    ReportChildGroup(ped, alone, group++, out);
  }
  return absl::OkStatus();
}

}  // namespace

// The phases, in order: the pedigree; search 1 (parents, patient,
// siblings); the patient's own row; search 2 (the patient's children);
// relatives with role "other", who are listed but never segregated.
absl::StatusOr<FamilyResult> Segregate(const std::string& family_id,
                                       const std::vector<FamilyMember>& members,
                                       const FamilyOptions& options) {
  HLA_ASSIGN_OR_RETURN(const Pedigree ped,
                       BuildPedigree(family_id, members, options));
  FamilyResult out = EmptyResult(family_id, members);
  out.loci = ped.loci;
  if (!ped.typings[ped.patient].any) {
    ReportUntypedPatient(ped, options, &out);
    return out;
  }
  HLA_ASSIGN_OR_RETURN(const Sibship sib, SegregateSibship(ped, &out));
  MemberResult& patient = out.members[ped.patient];
  if (patient.letters.empty()) patient.letters = "a|c";
  patient.basis = "the patient";
  HLA_RETURN_IF_ERROR(SegregatePatientChildren(ped, sib, &out));
  for (MemberResult& m : out.members) {
    if (m.role == FamilyRole::kOther && m.basis.empty()) {
      m.basis =
          "undetermined: role 'other' is not segregated (only parents, full "
          "siblings and the patient's children are)";
    }
    if (m.role == FamilyRole::kPartner && m.basis.empty()) {
      m.basis =
          "the other parent of some of the patient's children: not a "
          "relative of the patient (shares nothing by descent)";
    }
  }
  return out;
}

namespace {

// 2 -> identical, 1 -> haploidentical, 0 -> not-haploidentical: haplotypes
// shared, or the fewest alleles shared by descent at a scored locus.
matcher::HaploVerdict VerdictOfCount(int n) {
  return n == 2   ? matcher::HaploVerdict::kIdentical
         : n == 1 ? matcher::HaploVerdict::kHaploidentical
                  : matcher::HaploVerdict::kNotHaploidentical;
}

// The alleles `m` shares by descent with the patient at `locus`; nullopt
// when the family did not use the locus or the count is not determined.
std::optional<int> DescentAt(const FamilyResult& family, const MemberResult& m,
                             Locus locus) {
  const auto at = std::find(family.loci.begin(), family.loci.end(), locus);
  const size_t l = static_cast<size_t>(at - family.loci.begin());
  if (at == family.loci.end() || l >= m.ibd.size()) return std::nullopt;
  return m.ibd[l];
}

// The fewest alleles `m` shares by descent with the patient over the loci
// `report` scores; nullopt when a scored locus is not among the family's
// loci or its count is not determined.
std::optional<int> LeastDescentOnScoredLoci(const FamilyResult& family,
                                            const MemberResult& m,
                                            const matcher::MatchReport& report) {
  int least = 2;
  bool any = false;
  for (const matcher::LocusMatch& lm : report.loci) {
    if (!lm.scored) continue;
    const std::optional<int> n = DescentAt(family, m, lm.locus);
    if (!n) return std::nullopt;
    least = std::min(least, *n);
    any = true;
  }
  if (!any) return std::nullopt;
  return least;
}

// For a relative who is not haploidentical on the scored loci but shares
// part of them by descent (a crossover inside them): "; by descent, an
// allele shared at A, B, C, none at DRB1, DQB1" -- the shared segment.
// Empty when no scored locus shares one.
std::string SharedSegment(const FamilyResult& family, const MemberResult& m,
                          const matcher::MatchReport& report) {
  std::vector<Locus> some, none;
  for (const matcher::LocusMatch& lm : report.loci) {
    if (!lm.scored) continue;
    const std::optional<int> n = DescentAt(family, m, lm.locus);
    if (!n) return "";
    (*n > 0 ? some : none).push_back(lm.locus);
  }
  if (some.empty() || none.empty()) return "";
  return absl::StrCat("; by descent, an allele shared at ", LocusList(some),
                      ", none at ", LocusList(none));
}

}  // namespace

bool ApplySegregation(const FamilyResult& family, absl::string_view id,
                      matcher::MatchReport* report) {
  const MemberResult* m = family.Find(id);
  if (m == nullptr || m->role == FamilyRole::kPatient) return false;
  matcher::HaploResult& h = report->haplo;
  if (m->needs_review) {
    // A verdict that rests on a relationship the family typing contradicts
    // is for review (eligibility: kRelationshipInconsistent), whatever the
    // stated relationship alone would give.
    h.inconsistencies.push_back(absl::StrCat(
        "family ", FamilyName(family.family_id),
        " cannot be explained as stated (", absl::StrJoin(family.problems, "; "),
        "): the relationship to the patient and the haplotypes shared are in "
        "doubt; check the samples and the pedigree"));
    return false;
  }
  if (h.verdict == matcher::HaploVerdict::kInsufficientTyping) {
    if (!m->basis.empty()) {
      absl::StrAppend(&h.basis, m->shared ? "; " : "; family segregation ",
                      m->basis);
    }
    return false;
  }
  std::vector<Locus> none;
  for (const matcher::LocusMatch& lm : report->loci) {
    if (lm.scored && lm.matches == 0) none.push_back(lm.locus);
  }
  // The verdict on the scored loci: by descent, one of the patient's
  // alleles at every scored locus is haploidentical, both identical (a
  // crossover elsewhere, e.g. between DQB1 and DPB1 when DPB1 is not scored,
  // does not change it; docs/family.md).
  if (std::optional<int> least = LeastDescentOnScoredLoci(family, *m, *report)) {
    if (*least > 0 && !none.empty()) {
      h.inconsistencies.push_back(absl::StrCat(
          "family segregation says one allele is shared by descent at every "
          "scored locus, but no allele is shared at ", LocusList(none),
          ": a typing error?"));
      return false;
    }
    const matcher::HaploVerdict by_loci = VerdictOfCount(*least);
    const std::optional<int> whole = m->shared ? m->shared : m->shared_as_typed;
    const bool same_as_whole = whole && by_loci == VerdictOfCount(*whole);
    h.verdict = by_loci;
    if (same_as_whole) {
      h.basis = m->basis;
      if (by_loci == matcher::HaploVerdict::kNotHaploidentical) {
        absl::StrAppend(&h.basis, SharedSegment(family, *m, *report));
      }
    } else {
      std::vector<Locus> scored;
      for (const matcher::LocusMatch& lm : report->loci) {
        if (lm.scored) scored.push_back(lm.locus);
      }
      h.basis = absl::StrCat(
          "family segregation: ",
          *least == 0 ? "shares no allele by descent at some scored locus"
                      : absl::StrCat("shares ", *least == 2 ? "both alleles"
                                                           : "one allele",
                                     " by descent at every scored locus (",
                                     LocusList(scored), ")"),
          m->flags.empty() ? "" : "; ", absl::StrJoin(m->flags, "; "),
          "; ", absl::StripPrefix(m->basis, "family segregation: "),
          *least == 0 ? SharedSegment(family, *m, *report) : std::string());
    }
    // A stated parent or child whose descent segregation proves is not in
    // doubt: the matcher's "cannot carry a recipient haplotype whole" was
    // a crossover, which segregation has located.
    if (by_loci != matcher::HaploVerdict::kNotHaploidentical &&
        (m->role == FamilyRole::kFather || m->role == FamilyRole::kMother ||
         m->role == FamilyRole::kChild)) {
      h.inconsistencies.clear();
    }
    return true;
  }
  if (!m->shared) {
    if (!m->basis.empty()) absl::StrAppend(&h.basis, "; family segregation ", m->basis);
    return false;
  }
  if (*m->shared > 0 && !none.empty()) {
    h.inconsistencies.push_back(absl::StrCat(
        "family segregation says ", *m->shared,
        " haplotype(s) shared, but no allele is shared at ", LocusList(none),
        ": a typing error?"));
    return false;
  }
  h.verdict = VerdictOfCount(*m->shared);
  h.basis = m->basis;
  return true;
}

matcher::Relationship RelationshipOf(FamilyRole role) {
  switch (role) {
    case FamilyRole::kFather:
    case FamilyRole::kMother:
      return matcher::Relationship::kParent;
    case FamilyRole::kSibling:
      return matcher::Relationship::kSibling;
    case FamilyRole::kChild:
      return matcher::Relationship::kChild;
    case FamilyRole::kOther:
      return matcher::Relationship::kOtherRelated;
    case FamilyRole::kPartner:
      return matcher::Relationship::kUnrelated;
    case FamilyRole::kHalfSibling:
    case FamilyRole::kMaternalHalfSibling:
    case FamilyRole::kPaternalHalfSibling:
      return matcher::Relationship::kHalfSibling;
    case FamilyRole::kPatient:
      break;
  }
  return matcher::Relationship::kUnknown;
}

namespace {

bool SamePair(const matcher::PositionTyping& a0, const matcher::PositionTyping& a1,
              const matcher::PositionTyping& b0, const matcher::PositionTyping& b1) {
  return (a0.text == b0.text && a1.text == b1.text) ||
         (a0.text == b1.text && a1.text == b0.text);
}

}  // namespace

bool SameTyping(const matcher::Genotype& a, const matcher::Genotype& b) {
  for (size_t l = 0; l < a.loci.size(); ++l) {
    const matcher::LocusTyping& x = a.loci[l];
    const matcher::LocusTyping& y = b.loci[l];
    if (x.typed_positions != y.typed_positions) return false;
    if (x.alternatives.size() != y.alternatives.size()) return false;
    if (x.typed_positions > 0 &&
        !SamePair(x.pos[0], x.pos[1], y.pos[0], y.pos[1])) {
      return false;
    }
    for (size_t k = 0; k < x.alternatives.size(); ++k) {
      const auto& p = x.alternatives[k];
      const auto& q = y.alternatives[k];
      if (!SamePair(p[0], p[1], q[0], q[1])) return false;
    }
  }
  return true;
}

void FamilyEvidence::Add(FamilyResult result, std::vector<FamilyMember> members) {
  for (const MemberResult& m : result.members) {
    if (m.role != FamilyRole::kPatient && m.in_input) relative_ids_.insert(m.id);
  }
  families_.push_back(Entry{std::move(result), std::move(members)});
}

const FamilyMember* FamilyEvidence::patient(size_t k) const {
  for (const FamilyMember& m : families_[k].members) {
    if (m.role == FamilyRole::kPatient) return &m;
  }
  return nullptr;
}

bool FamilyEvidence::HasRelative(absl::string_view id) const {
  return relative_ids_.contains(id);
}

const FamilyResult* FamilyEvidence::For(absl::string_view id,
                                        const matcher::Genotype& donor,
                                        const matcher::Genotype& recipient,
                                        std::string* why) const {
  std::string reason;
  for (size_t k = 0; k < families_.size(); ++k) {
    const Entry& e = families_[k];
    const MemberResult* m = e.result.Find(id);
    if (m == nullptr || m->role == FamilyRole::kPatient || !m->in_input) {
      continue;
    }
    const FamilyMember* p = patient(k);
    const FamilyMember* relative = nullptr;
    for (const FamilyMember& fm : e.members) {
      if (fm.id == id) relative = &fm;
    }
    if (p == nullptr || relative == nullptr) continue;
    const std::string family_name =
        e.result.family_id.empty() ? std::string("the family")
                                   : absl::StrCat("family ", e.result.family_id);
    if (!SameTyping(p->genotype, recipient)) {
      reason = absl::StrCat("family segregation not used: the recipient is "
                            "not typed as ", family_name, "'s patient ", p->id);
      continue;
    }
    if (!SameTyping(relative->genotype, donor)) {
      reason = absl::StrCat("family segregation not used: ", id,
                            " is typed otherwise than in ", family_name);
      continue;
    }
    return &e.result;
  }
  if (why != nullptr) *why = std::move(reason);
  return nullptr;
}

}  // namespace hla::family
