// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Family segregation (family.h): two exact searches (internal/segregation.h)
// -- the patient's parents with the patient and the full siblings, then the
// patient (phased by the first where it can be) with the patient's children
// and an untyped other parent -- and the words around them.
#include "family/family.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "family/internal/segregation.h"

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
  }
  return "other";
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
  return absl::InvalidArgumentError(absl::StrCat(
      "role '", text,
      "' is not one of patient, father, mother, sibling, child, other"));
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

Typings TypingsOf(const matcher::Genotype& g, const std::vector<Locus>& loci) {
  Typings t;
  t.seg.resize(loci.size());
  t.text.resize(loci.size());
  for (size_t i = 0; i < loci.size(); ++i) {
    const matcher::LocusTyping& lt = g.at(loci[i]);
    // A genotype list has no single pair of typings to place.
    if (lt.typed_positions == 0 || !lt.alternatives.empty()) continue;
    const matcher::PositionTyping& p0 = lt.pos[0];
    const matcher::PositionTyping& p1 = lt.typed_positions == 1 ? lt.pos[0] : lt.pos[1];
    if (p0.match_keys().empty() || p1.match_keys().empty()) continue;
    SegLocus& s = t.seg[i];
    s.typed = true;
    s.keys = {p0.match_keys(), p1.match_keys()};
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
// slot, recombinant ones by start slot with the crossover interval merged.
struct SideLabels {
  std::set<int> constant;                 // slots
  std::map<int, std::pair<int, int>> rec;  // start slot -> [min, max] switch
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
  bool Determined() const { return constant.size() + rec.size() == 1; }
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
absl::Status SolveWithDiagnosis(
    Solved* s, const std::vector<Typings>& typings,
    const std::vector<std::string>& ids,
    const std::array<const Typings*, 2>& parents,
    const std::array<std::string, 2>& parent_names,
    const std::vector<Locus>& loci, const SegLimits& limits,
    bool patient_is_child0) {
  absl::StatusOr<SegResult> r = internal::Solve(s->problem, limits);
  if (!r.ok()) return r.status();
  if (r->recombinations < 0 && s->problem.children.size() > 1) {
    std::vector<size_t> candidates;
    std::vector<SegResult> results;
    for (size_t drop = 0; drop < s->problem.children.size(); ++drop) {
      SegProblem p = s->problem;
      p.children.erase(p.children.begin() + drop);
      if (drop == 0) p.fix_first_child = {false, false};
      absl::StatusOr<SegResult> rr = internal::Solve(p, limits);
      if (!rr.ok()) return rr.status();
      if (rr->recombinations >= 0) {
        candidates.push_back(drop);
        results.push_back(*std::move(rr));
      }
    }
    if (candidates.size() == 1 && !(patient_is_child0 && candidates[0] == 0)) {
      const size_t drop = candidates[0];
      const size_t member = s->child_member[drop];
      s->unexplained.emplace_back(
          member, WhyUnexplained(ids[member], typings[member], parents,
                                 parent_names, loci,
                                 limits.max_recombinations));
      s->problem.children.erase(s->problem.children.begin() + drop);
      s->child_member.erase(s->child_member.begin() + drop);
      r = std::move(results[0]);
    } else {
      s->failed = true;
      std::vector<std::string> names;
      for (size_t c : candidates) names.push_back(ids[s->child_member[c]]);
      for (size_t c : candidates) {
        const size_t member = s->child_member[c];
        s->unexplained.emplace_back(
            member, WhyUnexplained(ids[member], typings[member], parents,
                                   parent_names, loci,
                                   limits.max_recombinations));
      }
      const bool patient_only = patient_is_child0 && candidates.size() == 1;
      s->failure =
          patient_only
              ? std::string("the patient is not explained by the stated "
                            "parents together with the siblings")
          : candidates.empty()
              ? absl::StrCat("no assignment of haplotypes explains this "
                             "family with up to ",
                             limits.max_recombinations,
                             " crossovers, nor with any one child left out")
              : absl::StrCat(
                    "the family is explained only with one of ",
                    absl::StrJoin(names, ", "),
                    " left out, and the typings cannot tell which one");
    }
  } else if (r->recombinations < 0) {
    s->failed = true;
    const size_t member = s->child_member.empty() ? 0 : s->child_member[0];
    if (!s->child_member.empty()) {
      s->unexplained.emplace_back(
          member, WhyUnexplained(ids[member], typings[member], parents,
                                 parent_names, loci,
                                 limits.max_recombinations));
    }
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
// homozygous at ARD level or untyped (nothing to decide).
template <typename SlotsOf>
int Orientation(const Solved& s, const SegLocus& t, size_t l, SlotsOf slots) {
  if (!t.typed) return -2;
  int bits = 0;
  for (size_t k = 0; k < s.states.size(); ++k) {
    const auto [s1, s2] = slots(s.result.solutions[k]);
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

}  // namespace

absl::StatusOr<FamilyResult> Segregate(const std::string& family_id,
                                       const std::vector<FamilyMember>& members,
                                       const FamilyOptions& options) {
  const std::string where =
      family_id.empty() ? std::string("family") : absl::StrCat("family ", family_id);
  if (members.size() > options.max_members) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": ", members.size(), " members; segregation handles at most ",
        options.max_members));
  }
  int patient = -1, father = -1, mother = -1;
  std::set<std::string> seen;
  for (size_t i = 0; i < members.size(); ++i) {
    const FamilyMember& m = members[i];
    if (!seen.insert(m.id).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": member id '", m.id, "' is given twice"));
    }
    int* slot = m.role == FamilyRole::kPatient  ? &patient
                : m.role == FamilyRole::kFather ? &father
                : m.role == FamilyRole::kMother ? &mother
                                                : nullptr;
    if (slot == nullptr) continue;
    if (*slot >= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": two members have role ", ToString(m.role), " ('",
          members[*slot].id, "' and '", m.id, "')"));
    }
    *slot = static_cast<int>(i);
  }
  if (patient < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": no member has role patient"));
  }

  // Used loci: those some member has typed.
  std::vector<Locus> loci;
  for (Locus l : options.loci) {
    for (const FamilyMember& m : members) {
      if (TypingsOf(m.genotype, {l}).any) {
        loci.push_back(l);
        break;
      }
    }
  }
  std::vector<Typings> typings;
  std::vector<std::string> ids;
  for (const FamilyMember& m : members) {
    typings.push_back(TypingsOf(m.genotype, loci));
    ids.push_back(m.id);
  }

  FamilyResult out;
  out.family_id = family_id;
  out.members.resize(members.size());
  for (size_t i = 0; i < members.size(); ++i) {
    out.members[i].id = members[i].id;
    out.members[i].role = members[i].role;
  }
  const std::string used = LocusList(loci);
  auto untyped_basis = [&](size_t i) {
    return absl::StrCat(members[i].id, " is not typed at any of ",
                        used.empty() ? std::string("the loci") : used);
  };
  SegLimits limits;
  limits.max_recombinations = options.max_recombinations;
  limits.max_nodes = options.max_search_steps;

  if (!typings[patient].any) {
    out.notes.push_back(absl::StrCat(
        "the patient is not typed at any of ",
        LocusList(options.loci), ": nothing can be segregated"));
    for (size_t i = 0; i < members.size(); ++i) {
      if (static_cast<int>(i) != patient) out.members[i].basis = untyped_basis(i);
    }
    return out;
  }

  // ---- Search 1: parents, patient, full siblings.
  Solved one;
  one.problem.loci = static_cast<int>(loci.size());
  std::array<const Typings*, 2> parent_typings = {nullptr, nullptr};
  for (int s = 0; s < 2; ++s) {
    const int p = s == 0 ? father : mother;
    if (p >= 0 && typings[p].any) {
      one.problem.parents[s] = typings[p].seg;
      parent_typings[s] = &typings[p];
    }
  }
  one.problem.children.push_back(typings[patient].seg);
  one.child_member.push_back(patient);
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].role != FamilyRole::kSibling) continue;
    if (!typings[i].any) {
      out.members[i].basis = untyped_basis(i);
      continue;
    }
    one.problem.children.push_back(typings[i].seg);
    one.child_member.push_back(i);
  }
  absl::Status st = SolveWithDiagnosis(
      &one, typings, ids, parent_typings, {"father", "mother"}, loci, limits,
      /*patient_is_child0=*/true);
  if (!st.ok()) {
    return absl::Status(st.code(), absl::StrCat(where, ": ", st.message()));
  }
  for (const auto& [member, why] : one.unexplained) {
    out.members[member].inconsistent = true;
    out.members[member].flags.push_back(why);
    out.members[member].basis = absl::StrCat("undetermined: ", why);
  }
  const std::array<std::array<std::string, 2>, 2> kParentLetters = {
      {{"a", "b"}, {"c", "d"}}};
  std::array<std::string, 2> patient_letter = {"", ""};
  // Orientation of the patient's typing per locus (0: keys[0] paternal).
  std::vector<int> patient_orient(loci.size(), -1);

  if (one.failed) {
    out.notes.push_back(absl::StrCat("segregation failed: ", one.failure));
    for (size_t c = 0; c < one.child_member.size(); ++c) {
      MemberResult& m = out.members[one.child_member[c]];
      if (m.basis.empty()) {
        m.basis = absl::StrCat("undetermined: ", one.failure);
      }
    }
    for (int p : {father, mother}) {
      if (p >= 0 && out.members[p].basis.empty()) {
        out.members[p].basis = absl::StrCat("undetermined: ", one.failure);
      }
    }
  } else {
    out.recombinations = one.result.recombinations;
    out.explanations = one.result.solutions.size();
    out.truncated = one.result.truncated;
    const size_t nc = one.problem.children.size();
    std::vector<std::array<SideLabels, 2>> labels(nc);
    for (const SegSolution& sol : one.result.solutions) {
      for (size_t c = 0; c < nc; ++c) {
        for (int s = 0; s < 2; ++s) {
          labels[c][s].Add(sol.children[c].from[s],
                           sol.children[c].SwitchAt(s));
        }
      }
    }
    const char* kSide[2] = {"paternal", "maternal"};
    const char* kParent[2] = {"father", "mother"};
    for (int s = 0; s < 2; ++s) {
      patient_letter[s] = LabelOf(labels[0][s], kParentLetters[s], loci);
    }
    for (size_t c = 0; c < nc; ++c) {
      MemberResult& m = out.members[one.child_member[c]];
      m.letters = absl::StrCat(LabelOf(labels[c][0], kParentLetters[0], loci),
                               "|",
                               LabelOf(labels[c][1], kParentLetters[1], loci));
      for (int s = 0; s < 2; ++s) {
        const SideLabels& sl = labels[c][s];
        if (sl.NeverRecombinant()) continue;
        std::string label = LabelOf(sl, kParentLetters[s], loci);
        const auto& iv = sl.rec.begin()->second;
        std::string between = absl::StrCat(
            "between ", LocusName(loci[iv.first - 1]), " and ",
            LocusName(loci[iv.second]));
        if (sl.AlwaysRecombinant() && sl.rec.size() == 1) {
          m.recombinant = true;
          m.flags.push_back(absl::StrCat(
              "recombinant ", kSide[s], " haplotype ", label,
              ": a crossover ", between, " in the ", kParent[s],
              "'s meiosis"));
        } else {
          m.flags.push_back(absl::StrCat(
              "possibly a recombinant ", kSide[s], " haplotype (", between,
              "): some equally good explanations put the crossover here"));
        }
      }
    }
    // Sharing of each sibling with the patient.
    for (size_t c = 1; c < nc; ++c) {
      MemberResult& m = out.members[one.child_member[c]];
      std::set<int> counts;
      std::array<std::set<bool>, 2> side;
      for (const SegSolution& sol : one.result.solutions) {
        int n = 0;
        for (int s = 0; s < 2; ++s) {
          const bool same =
              sol.children[c].from[s] == sol.children[0].from[s];
          side[s].insert(same);
          n += same;
        }
        counts.insert(n);
      }
      if (counts.size() == 1) {
        m.shared = *counts.begin();
        std::vector<std::string> shared_words;
        bool sides_known = side[0].size() == 1 && side[1].size() == 1;
        for (int s = 0; s < 2 && sides_known; ++s) {
          if (*side[s].begin()) {
            m.shared_haplotypes.push_back(
                absl::StrCat(patient_letter[s], " (", kSide[s], ")"));
          }
        }
        if (*m.shared == 0) {
          m.basis = absl::StrCat(
              "family segregation: shares no whole haplotype with the "
              "patient (", m.letters, " against the patient's ",
              patient_letter[0], "|", patient_letter[1], ")");
        } else if (sides_known) {
          m.basis = absl::StrCat(
              "family segregation: shares haplotype",
              m.shared_haplotypes.size() > 1 ? "s " : " ",
              absl::StrJoin(m.shared_haplotypes, " and "),
              " with the patient");
        } else {
          m.basis = absl::StrCat(
              "family segregation: shares ", *m.shared,
              " haplotype with the patient; without typed parents, which "
              "parent it came from cannot be told");
        }
      } else {
        std::vector<std::string> why;
        for (int s = 0; s < 2; ++s) {
          if (side[s].size() < 2) continue;
          const bool typed = one.problem.parents[s].has_value();
          why.push_back(absl::StrCat(
              "which of the ", kParent[s], "'s haplotypes ", m.id,
              " inherited cannot be told: ",
              typed ? absl::StrCat("the ", kParent[s],
                                   "'s two haplotypes are alike at every "
                                   "locus typed in the children, or a "
                                   "crossover could lie in several places")
                    : absl::StrCat("the ", kParent[s],
                                   " is not typed and the children do not "
                                   "determine the haplotypes (type the ",
                                   kParent[s], " or more children)")));
        }
        std::vector<std::string> options_n;
        for (int n : counts) options_n.push_back(absl::StrCat(n));
        m.basis = absl::StrCat(
            "undetermined: ", absl::StrJoin(options_n, " or "),
            " shared haplotypes fit the typings equally well; ",
            absl::StrJoin(why, "; "));
        // The count if the untyped parents' haplotypes all differ from each
        // other and from the typed parent's somewhere (the usual case; only
        // a haplotype present twice among the parents, at ARD level, would
        // give another count).
        std::set<int> likely;
        for (size_t k = 0; k < one.result.solutions.size(); ++k) {
          bool plausible = true;
          for (int i = 0; i < 4 && plausible; ++i) {
            for (int j = i + 1; j < 4 && plausible; ++j) {
              if (one.problem.parents[i / 2] && one.problem.parents[j / 2]) {
                continue;
              }
              bool alike = true;
              for (size_t l = 0; l < loci.size() && alike; ++l) {
                for (const SlotState& st : one.states[k][l]) {
                  const auto& x = st[i];
                  const auto& y = st[j];
                  alike = alike && x && y && internal::Intersects(*x, *y);
                }
              }
              plausible = !alike;
            }
          }
          if (!plausible) continue;
          const SegSolution& sol = one.result.solutions[k];
          int n = 0;
          for (int s = 0; s < 2; ++s) {
            n += sol.children[c].from[s] == sol.children[0].from[s];
          }
          likely.insert(n);
        }
        if (likely.size() == 1) {
          m.likely_shared = *likely.begin();
          absl::StrAppend(&m.basis, "; ", *likely.begin(),
                          " unless the same haplotype (at ARD level) is "
                          "present twice among the parents");
        }
      }
    }
    // The parents (typed or inferred).
    for (int s = 0; s < 2; ++s) {
      const SideLabels& pl = labels[0][s];
      const int p = s == 0 ? father : mother;
      std::optional<int> shared;
      std::string basis;
      if (pl.NeverRecombinant()) {
        shared = 1;
        basis = absl::StrCat("family segregation: the patient's ", kSide[s],
                             " haplotype ", patient_letter[s], " is the ",
                             kParent[s], "'s by descent");
      } else if (pl.AlwaysRecombinant()) {
        shared = 0;
        basis = absl::StrCat(
            "family segregation: the patient's ", kSide[s], " haplotype ",
            patient_letter[s], " is recombinant: the ", kParent[s],
            " shares part of it, not a whole haplotype");
      } else {
        basis = absl::StrCat(
            "undetermined: the patient's ", kSide[s],
            " haplotype may be recombinant (equally good explanations "
            "differ)");
      }
      MemberResult* m = nullptr;
      if (p >= 0) {
        m = &out.members[p];
        if (!typings[p].any) {
          m->basis = untyped_basis(p);
          continue;
        }
      } else if (nc >= 2) {
        out.members.emplace_back();
        m = &out.members.back();
        m->id = absl::StrCat(kParent[s], " (inferred)");
        m->role = s == 0 ? FamilyRole::kFather : FamilyRole::kMother;
        m->in_input = false;
      } else {
        continue;
      }
      m->letters = absl::StrCat(kParentLetters[s][0], "|",
                                kParentLetters[s][1]);
      m->shared = shared;
      m->basis = basis;
      if (shared == 1) {
        m->shared_haplotypes.push_back(
            absl::StrCat(patient_letter[s], " (", kSide[s], ")"));
      }
    }

    // Explanations left unenumerated could disagree with every count above:
    // conclude nothing.
    if (one.result.truncated) {
      const std::string why = absl::StrCat(
          "undetermined: more than ", one.result.solutions.size(),
          " equally good explanations (the typings say too little; type more "
          "loci or members)");
      for (MemberResult& m : out.members) {
        if (m.role == FamilyRole::kPatient || m.role == FamilyRole::kChild ||
            m.role == FamilyRole::kOther || m.inconsistent ||
            m.letters.empty()) {
          continue;
        }
        m.shared.reset();
        m.likely_shared.reset();
        m.shared_haplotypes.clear();
        m.basis = why;
      }
    }
    // Phased GL Strings. Children: sides are paternal/maternal.
    for (size_t c = 0; c < nc; ++c) {
      const size_t member = one.child_member[c];
      const Typings& t = typings[member];
      std::vector<std::array<std::string, 2>> hap(loci.size()), unphased;
      MemberResult& m = out.members[member];
      for (size_t l = 0; l < loci.size(); ++l) {
        const int o = Orientation(one, t.seg[l], l, [&](const SegSolution& sol) {
          return std::make_pair(int{sol.children[c].from[0][l]},
                                2 + int{sol.children[c].from[1][l]});
        });
        if (o == -2) continue;
        if (o < 0) {
          unphased.push_back(t.text[l]);
          m.unphased_loci.push_back(loci[l]);
          continue;
        }
        hap[l] = {t.text[l][o], t.text[l][1 - o]};
        if (c == 0) patient_orient[l] = o;
      }
      m.phased_gl = PhasedGl(hap, unphased);
    }
    // Parents: typed ones by their own typings, inferred ones from the
    // children of the first explanation.
    for (int s = 0; s < 2; ++s) {
      const int p = s == 0 ? father : mother;
      MemberResult* m = nullptr;
      if (p >= 0) {
        m = &out.members[p];
      } else {
        for (MemberResult& r : out.members) {
          if (!r.in_input && r.role == (s == 0 ? FamilyRole::kFather
                                               : FamilyRole::kMother)) {
            m = &r;
          }
        }
      }
      if (m == nullptr) continue;
      std::vector<std::array<std::string, 2>> hap(loci.size()), unphased;
      for (size_t l = 0; l < loci.size(); ++l) {
        if (p >= 0 && typings[p].any) {
          const Typings& t = typings[p];
          const int o = Orientation(one, t.seg[l], l, [&](const SegSolution&) {
            return std::make_pair(2 * s, 2 * s + 1);
          });
          if (o == -2) continue;
          if (o < 0) {
            unphased.push_back(t.text[l]);
            m->unphased_loci.push_back(loci[l]);
            continue;
          }
          hap[l] = {t.text[l][o], t.text[l][1 - o]};
          continue;
        }
        if (p >= 0) continue;
        // Inferred: from the children of explanation 0.
        const SegSolution& sol = one.result.solutions[0];
        std::array<size_t, 2> best = {0, 0};
        for (size_t c = 0; c < nc; ++c) {
          const Typings& t = typings[one.child_member[c]];
          if (!t.seg[l].typed) continue;
          const int bits = internal::Orientations(
              one.states[0][l], t.seg[l], sol.children[c].from[0][l],
              2 + sol.children[c].from[1][l]);
          if (bits != 1 && bits != 2 && t.seg[l].keys[0] != t.seg[l].keys[1]) {
            continue;
          }
          const int o = bits == 2 ? 1 : 0;
          // keys[o] is paternal; this parent's side gets the other for s=1.
          // The most specific typing shown by a child names the allele.
          const int which = s == 0 ? o : 1 - o;
          const int slot = sol.children[c].from[s][l];
          const size_t n = t.seg[l].keys[which].size();
          if (hap[l][slot].empty() || n < best[slot]) {
            hap[l][slot] = t.text[l][which];
            best[slot] = n;
          }
        }
      }
      m->phased_gl = PhasedGl(hap, unphased);
    }
    if (one.result.solutions.size() > 1) {
      out.notes.push_back(absl::StrCat(
          one.result.solutions.size(), one.result.truncated ? "+" : "",
          " equally good explanations of the parents' haplotypes",
          one.result.recombinations > 0
              ? absl::StrCat(" with ", one.result.recombinations,
                             " crossover(s)")
              : std::string(),
          "; sharing is reported only where they all agree"));
    }
  }

  // Patient's own row.
  {
    MemberResult& m = out.members[patient];
    if (m.letters.empty()) m.letters = "a|c";
    m.basis = "the patient";
  }

  // ---- Search 2: the patient, phased where search 1 placed the typing,
  // with the patient's children and their untyped other parent (e, f).
  Solved two;
  two.problem.loci = static_cast<int>(loci.size());
  {
    SegPerson p = typings[patient].seg;
    bool any_phased_het = false;
    for (size_t l = 0; l < loci.size(); ++l) {
      if (!p[l].typed || patient_orient[l] < 0) continue;
      if (patient_orient[l] == 1) std::swap(p[l].keys[0], p[l].keys[1]);
      p[l].phased = true;
      any_phased_het = any_phased_het || p[l].keys[0] != p[l].keys[1];
    }
    two.problem.parents[0] = std::move(p);
    two.problem.fix_first_child = {!any_phased_het, true};
    const std::array<std::string, 2> patient_names =
        any_phased_het ? patient_letter
                       : std::array<std::string, 2>{
                             absl::StrCat("(", patient_letter[0], " or ",
                                          patient_letter[1], ")"),
                             absl::StrCat("(", patient_letter[0], " or ",
                                          patient_letter[1], ")")};
    for (size_t i = 0; i < members.size(); ++i) {
      if (members[i].role != FamilyRole::kChild) continue;
      if (!typings[i].any) {
        out.members[i].basis = untyped_basis(i);
        continue;
      }
      two.problem.children.push_back(typings[i].seg);
      two.child_member.push_back(i);
    }
    if (!two.problem.children.empty()) {
      std::array<const Typings*, 2> parents2 = {&typings[patient], nullptr};
      st = SolveWithDiagnosis(&two, typings, ids, parents2,
                              {"patient", "other parent"}, loci, limits,
                              /*patient_is_child0=*/false);
      if (!st.ok()) {
        return absl::Status(st.code(),
                            absl::StrCat(where, ": ", st.message()));
      }
      for (const auto& [member, why] : two.unexplained) {
        out.members[member].inconsistent = true;
        out.members[member].flags.push_back(why);
        out.members[member].basis = absl::StrCat("undetermined: ", why);
      }
      if (two.failed) {
        out.notes.push_back(
            absl::StrCat("the patient's children: ", two.failure));
        for (size_t member : two.child_member) {
          if (out.members[member].basis.empty()) {
            out.members[member].basis =
                absl::StrCat("undetermined: ", two.failure);
          }
        }
      } else {
        const size_t nc = two.problem.children.size();
        const std::array<std::string, 2> partner = {"e", "f"};
        for (size_t c = 0; c < nc; ++c) {
          std::array<SideLabels, 2> sl;
          for (const SegSolution& sol : two.result.solutions) {
            for (int s = 0; s < 2; ++s) {
              sl[s].Add(sol.children[c].from[s], sol.children[c].SwitchAt(s));
            }
          }
          MemberResult& m = out.members[two.child_member[c]];
          const std::string from_patient = LabelOf(sl[0], patient_names, loci);
          m.letters = absl::StrCat(from_patient, "|",
                                   LabelOf(sl[1], partner, loci));
          if (sl[0].NeverRecombinant()) {
            m.shared = 1;
            m.shared_haplotypes.push_back(
                absl::StrCat(from_patient, " (from the patient)"));
            m.basis = absl::StrCat(
                "family segregation: a child of the patient; carries the "
                "patient's haplotype ",
                from_patient, " whole");
          } else if (sl[0].AlwaysRecombinant()) {
            m.shared = 0;
            m.recombinant = true;
            const auto& iv = sl[0].rec.begin()->second;
            m.flags.push_back(absl::StrCat(
                "recombinant haplotype from the patient ", from_patient,
                ": a crossover between ", LocusName(loci[iv.first - 1]),
                " and ", LocusName(loci[iv.second]),
                " in the patient's meiosis"));
            m.basis = absl::StrCat(
                "family segregation: the haplotype from the patient is "
                "recombinant (",
                from_patient, "): no whole haplotype shared");
          } else {
            m.basis =
                "undetermined: the haplotype from the patient may be "
                "recombinant (equally good explanations differ)";
          }
          // Phased GL: side 0 from the patient.
          const Typings& t = typings[two.child_member[c]];
          std::vector<std::array<std::string, 2>> hap(loci.size()), unphased;
          for (size_t l = 0; l < loci.size(); ++l) {
            const int o =
                Orientation(two, t.seg[l], l, [&](const SegSolution& sol) {
                  return std::make_pair(int{sol.children[c].from[0][l]},
                                        2 + int{sol.children[c].from[1][l]});
                });
            if (o == -2) continue;
            if (o < 0) {
              unphased.push_back(t.text[l]);
              m.unphased_loci.push_back(loci[l]);
              continue;
            }
            hap[l] = {t.text[l][o], t.text[l][1 - o]};
          }
          m.phased_gl = PhasedGl(hap, unphased);
        }
      }
    }
  }

  for (size_t i = 0; i < members.size(); ++i) {
    MemberResult& m = out.members[i];
    if (m.role == FamilyRole::kOther && m.basis.empty()) {
      m.basis =
          "undetermined: role 'other' is not segregated (only parents, full "
          "siblings and the patient's children are)";
    }
  }
  return out;
}

bool ApplySegregation(const FamilyResult& family, absl::string_view id,
                      matcher::MatchReport* report) {
  const MemberResult* m = family.Find(id);
  if (m == nullptr || m->role == FamilyRole::kPatient) return false;
  matcher::HaploResult& h = report->haplo;
  if (!m->shared) {
    if (!m->basis.empty()) absl::StrAppend(&h.basis, "; family segregation ", m->basis);
    return false;
  }
  if (h.verdict == matcher::HaploVerdict::kInsufficientTyping) {
    absl::StrAppend(&h.basis, "; ", m->basis);
    return false;
  }
  std::vector<Locus> none;
  for (const matcher::LocusMatch& lm : report->loci) {
    if (lm.scored && lm.matches == 0) none.push_back(lm.locus);
  }
  if (*m->shared > 0 && !none.empty()) {
    h.inconsistencies.push_back(absl::StrCat(
        "family segregation says ", *m->shared,
        " haplotype(s) shared, but no allele is shared at ", LocusList(none),
        ": a typing error?"));
    return false;
  }
  h.verdict = *m->shared == 2   ? matcher::HaploVerdict::kIdentical
              : *m->shared == 1 ? matcher::HaploVerdict::kHaploidentical
                                : matcher::HaploVerdict::kNotHaploidentical;
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
