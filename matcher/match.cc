// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Match(): per-locus pairing, grades, counts and direction; totals; DPB1 TCE;
// haplo verdict. docs/matching.md states the rules and their sources.
#include <algorithm>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "matcher/internal/grade.h"
#include "matcher/internal/leader.h"
#include "matcher/match.h"

namespace hla::matcher {
namespace {

using matcher_internal::ConfidenceOf;
using matcher_internal::CountDirectional;
using matcher_internal::GradePositions;
using matcher_internal::Intersect;

using Positions = std::array<PositionTyping, 2>;
using KeySets = std::array<const std::vector<uint32_t>*, 2>;

bool IsCoreLocus(Locus l) {
  return l == Locus::kA || l == Locus::kB || l == Locus::kC ||
         l == Locus::kDRB1 || l == Locus::kDQB1;
}

// The expressed view of a locus (a locus with one null allele counts as
// homozygous for the expressed one, as Atlas and WMDA match counting do): a null position is replaced by
// the other one. When both are null the locus expresses nothing (count 0)
// and the positions stay as written (their small-g keys still pair them).
struct Expressed {
  std::array<const PositionTyping*, 2> p;
  int count = 2;
  bool substituted[2] = {false, false};
};

Expressed ExpressedView(const Positions& pos) {
  Expressed e{{&pos[0], &pos[1]}};
  const bool n0 = pos[0].all_null(), n1 = pos[1].all_null();
  if (n0 && n1) {
    e.count = 0;
  } else if (n0) {
    e.p[0] = &pos[1];
    e.substituted[0] = true;
  } else if (n1) {
    e.p[1] = &pos[0];
    e.substituted[1] = true;
  }
  return e;
}

// Orders two position grades: the pairing whose worse grade is better wins,
// then the one whose better grade is better (Atlas picks the orientation
// with the better grades; feature ScoreOrientation).
bool GradesBetter(MatchGrade a0, MatchGrade a1, MatchGrade b0, MatchGrade b1) {
  const auto lo_a = std::min(a0, a1), hi_a = std::max(a0, a1);
  const auto lo_b = std::min(b0, b1), hi_b = std::max(b0, b1);
  if (lo_a != lo_b) return lo_a > lo_b;
  return hi_a > hi_b;
}

struct Evaluation {
  int matches = 0, gvh = 0, hvg = 0;
  int antigen_level = 0;  // of `matches`, those with a side typed by serology
  bool crossed = false;
  MatchGrade grade[2] = {MatchGrade::kUnknown, MatchGrade::kUnknown};
  MatchConfidence confidence[2] = {MatchConfidence::kMismatch,
                                   MatchConfidence::kMismatch};
  bool allele_match[2] = {false, false};
  bool antigen_match[2] = {false, false};
  bool homozygous_r = false, homozygous_d = false;
  const Positions* r = nullptr;
  const Positions* d = nullptr;
  Expressed er, ed;
};

bool EvaluationBetter(const Evaluation& a, const Evaluation& b) {
  if (a.matches != b.matches) return a.matches > b.matches;
  const int ma = std::max(a.gvh, a.hvg), mb = std::max(b.gvh, b.hvg);
  if (ma != mb) return ma < mb;
  return GradesBetter(a.grade[0], a.grade[1], b.grade[0], b.grade[1]);
}

Evaluation Evaluate(const data::Reference& ref, const Positions& r,
                    const Positions& d, bool genotype_list,
                    int homozygous_count) {
  Evaluation ev;
  ev.r = &r;
  ev.d = &d;
  ev.er = ExpressedView(r);
  ev.ed = ExpressedView(d);
  const KeySets kr = {&ev.er.p[0]->match_keys(), &ev.er.p[1]->match_keys()};
  const KeySets kd = {&ev.ed.p[0]->match_keys(), &ev.ed.p[1]->match_keys()};

  // Both pairings; for each position: allele match (expressed view), grade
  // (as written), confidence (expressed view).
  bool m[2][2];
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) m[i][j] = Intersect(*kr[i], *kd[j]);
  }
  const int direct = int{m[0][0]} + int{m[1][1]};
  const int cross = int{m[0][1]} + int{m[1][0]};
  // Grades of the other pairing are needed only to break a tie.
  MatchGrade g_direct[2] = {MatchGrade::kUnknown, MatchGrade::kUnknown};
  MatchGrade g_cross[2] = {MatchGrade::kUnknown, MatchGrade::kUnknown};
  const bool need_direct = direct >= cross, need_cross = cross >= direct;
  for (int i = 0; i < 2; ++i) {
    if (need_direct) g_direct[i] = GradePositions(ref, r[i], d[i]);
    if (need_cross) g_cross[i] = GradePositions(ref, r[i], d[1 - i]);
  }
  if (cross != direct) {
    ev.crossed = cross > direct;
  } else {
    ev.crossed =
        GradesBetter(g_cross[0], g_cross[1], g_direct[0], g_direct[1]);
  }
  ev.matches = std::max(direct, cross);
  for (int i = 0; i < 2; ++i) {
    const int j = ev.crossed ? 1 - i : i;
    ev.grade[i] = ev.crossed ? g_cross[i] : g_direct[i];
    ev.allele_match[i] = m[i][j];
    const PositionTyping& xr = *ev.er.p[i];
    const PositionTyping& xd = *ev.ed.p[j];
    ev.confidence[i] = ConfidenceOf(xr, xd, genotype_list);
    ev.antigen_match[i] =
        matcher_internal::AntigenMatch(ref.antigens(), xr, xd, m[i][j]);
    // A key shared through a serology typing is an antigen, not an allele.
    if (m[i][j] && (xr.serology_only() || xd.serology_only())) {
      ev.allele_match[i] = false;
      ++ev.antigen_level;
    }
  }
  ev.gvh = CountDirectional(kr, ev.er.count, kd, ev.ed.count, homozygous_count);
  ev.hvg = CountDirectional(kd, ev.ed.count, kr, ev.er.count, homozygous_count);
  ev.homozygous_r = ev.er.count > 0 && *kr[0] == *kr[1];
  ev.homozygous_d = ev.ed.count > 0 && *kd[0] == *kd[1];
  return ev;
}

// Union of two ascending, unique vectors into `out` (cleared first).
template <typename T>
void UnionInto(const std::vector<T>& a, const std::vector<T>* b,
               std::vector<T>* out) {
  out->clear();
  if (b == nullptr || b == &a) {
    out->assign(a.begin(), a.end());
    return;
  }
  out->reserve(a.size() + b->size());
  std::set_union(a.begin(), a.end(), b->begin(), b->end(),
                 std::back_inserter(*out));
}

// Alleles and antigens of the copies of `from` that no copy of `to` matches
// (both ascending: positions are already sorted, so a merge suffices).
void CollectMismatched(const Expressed& from, const Expressed& to,
                       std::vector<data::AlleleId>* alleles,
                       std::vector<data::AntigenId>* antigens) {
  if (from.count == 0) return;
  const PositionTyping* unmatched[2] = {nullptr, nullptr};
  int n = 0;
  for (int i = 0; i < 2; ++i) {
    const PositionTyping& p = *from.p[i];
    const bool matched =
        to.count > 0 && (Intersect(p.match_keys(), to.p[0]->match_keys()) ||
                         Intersect(p.match_keys(), to.p[1]->match_keys()));
    if (!matched) unmatched[n++] = &p;
  }
  if (n == 0) return;
  const PositionTyping* second = n == 2 ? unmatched[1] : nullptr;
  UnionInto(unmatched[0]->alleles, second ? &second->alleles : nullptr,
            alleles);
  UnionInto(unmatched[0]->serology(), second ? &second->serology() : nullptr,
            antigens);
}

void MatchLocus(const data::Reference& ref, Locus locus, const Genotype& rg,
                const Genotype& dg, const MatchOptions& options,
                LocusMatch* out) {
  const LocusTyping& rt = rg.at(locus);
  const LocusTyping& dt = dg.at(locus);
  out->locus = locus;
  out->recipient_typed = rt.typed_positions > 0;
  out->donor_typed = dt.typed_positions > 0;
  out->scored = out->recipient_typed && out->donor_typed;
  out->counted_in_totals = CountsInTotals(locus, out->scored);
  out->recipient_one_typing = rt.typed_positions == 1;
  out->donor_one_typing = dt.typed_positions == 1;
  for (int i = 0; i < 2; ++i) {
    out->positions[i].recipient_position = i;
    out->positions[i].donor_position = i;
    if (out->recipient_typed) out->positions[i].recipient_text = rt.pos[i].text;
    if (out->donor_typed) out->positions[i].donor_text = dt.pos[i].text;
  }
  if (!out->scored) return;

  out->genotype_list = !rt.alternatives.empty() || !dt.alternatives.empty();
  Evaluation best = Evaluate(ref, rt.pos, dt.pos, out->genotype_list,
                             options.homozygous_mismatch_count);
  if (out->genotype_list) {
    const size_t nr = 1 + rt.alternatives.size();
    const size_t nd = 1 + dt.alternatives.size();
    for (size_t a = 0; a < nr; ++a) {
      for (size_t b = 0; b < nd; ++b) {
        if (a == 0 && b == 0) continue;
        const Positions& r = a == 0 ? rt.pos : rt.alternatives[a - 1];
        const Positions& d = b == 0 ? dt.pos : dt.alternatives[b - 1];
        Evaluation ev =
            Evaluate(ref, r, d, true, options.homozygous_mismatch_count);
        if (EvaluationBetter(ev, best)) best = ev;
      }
    }
  }
  out->matches = best.matches - best.antigen_level;
  out->antigen_level_matches = best.antigen_level;
  out->gvh_mismatches = best.gvh;
  out->hvg_mismatches = best.hvg;
  out->mismatches = std::max(best.gvh, best.hvg);
  out->crossed = best.crossed;
  // A single serology antigen is "second antigen not detected", not a
  // proven homozygote.
  out->homozygous_recipient =
      best.homozygous_r &&
      !(rt.typed_positions == 1 && rt.pos[0].serology_only());
  out->homozygous_donor =
      best.homozygous_d &&
      !(dt.typed_positions == 1 && dt.pos[0].serology_only());
  out->grade = std::min(best.grade[0], best.grade[1]);
  out->confidence = std::min(best.confidence[0], best.confidence[1]);
  out->antigen_matches = int{best.antigen_match[0]} + int{best.antigen_match[1]};
  for (int i = 0; i < 2; ++i) {
    PositionMatch& pm = out->positions[i];
    const int j = best.crossed ? 1 - i : i;
    pm.donor_position = j;
    if (best.r != &rt.pos) pm.recipient_text = (*best.r)[i].text;
    pm.donor_text = (*best.d)[j].text;
    pm.grade = best.grade[i];
    pm.confidence = best.confidence[i];
    pm.allele_match = best.allele_match[i];
    pm.antigen_match = best.antigen_match[i];
  }
  if (options.collect_mismatched) {
    CollectMismatched(best.er, best.ed, &out->recipient_mismatched_alleles,
                      &out->recipient_mismatched_antigens);
    CollectMismatched(best.ed, best.er, &out->donor_mismatched_alleles,
                      &out->donor_mismatched_antigens);
  }
}

// What a report must say about the typings of one scored locus beyond its
// grades: alleles not named yet, possible nulls, expression variants, and a
// single serology antigen.
// The WHO expression suffix's meaning (nomenclature for factors of the HLA
// system: N null, L low, S secreted, Q questionable, C cytoplasmic, A
// aberrant).
const char* SuffixMeaning(char suffix) {
  switch (suffix) {
    case 'L':
      return "low expression";
    case 'S':
      return "secreted, not on the cell surface";
    case 'Q':
      return "questionable expression";
    case 'C':
      return "cytoplasmic";
    default:
      return "aberrant expression";
  }
}

// The warnings of one typed position: an unnamed allele, a possible null,
// expression variants. Matching runs per pair in bulk, so the common case
// (nothing to say) allocates nothing.
void PositionWarnings(const data::Reference& ref, absl::string_view locus,
                      const char* who_side, const PositionTyping& p,
                      std::vector<std::string>* out) {
  if (!p.unnamed && !p.possible_null() && !p.admits_variant()) return;
  using matcher_internal::AdmittedAlternatives;
  using matcher_internal::Alternative;
  // Admitted nulls and variants, named (at most three).
  auto names = [&ref](const std::vector<data::AlleleId>& ids) {
    std::vector<absl::string_view> shown;
    for (size_t i = 0; i < ids.size() && i < 3; ++i) {
      shown.push_back(ref.allele(ids[i]).name);
    }
    return absl::StrCat(absl::StrJoin(shown, ", "),
                        ids.size() > shown.size() ? ", ..." : "");
  };
  const std::string who = absl::StrCat(locus, ": ", who_side, " ", p.text);
  if (p.unnamed) {
    out->push_back(absl::StrCat(
        who, " is an allele not named yet (a WMDA placeholder): graded a "
             "mismatch until it is typed"));
  }
  if (p.possible_null()) {
    out->push_back(absl::StrCat(
        who, ": null allele not excluded (",
        names(AdmittedAlternatives(ref, p, Alternative::kNull)),
        "): a match holds only if it is not the null"));
  }
  if (!p.admits_variant()) return;
  const std::vector<data::AlleleId> variants =
      AdmittedAlternatives(ref, p, Alternative::kVariant);
  size_t expressed = 0;
  std::string suffixes;  // distinct WHO suffixes, in order of first use
  for (data::AlleleId id : p.alleles) expressed += !ref.allele(id).is_null();
  for (data::AlleleId id : variants) {
    const char c = ref.allele(id).suffix;
    if (suffixes.find(c) == std::string::npos) suffixes.push_back(c);
  }
  std::string kind;
  if (suffixes.size() == 1) {
    kind = absl::StrCat(SuffixMeaning(suffixes[0]), " (WHO suffix ",
                        suffixes, ")");
  } else {
    std::vector<std::string> parts;
    for (char c : suffixes) {
      parts.push_back(absl::StrCat(std::string(1, c), " ", SuffixMeaning(c)));
    }
    kind = absl::StrCat("altered expression (WHO suffixes ",
                        absl::StrJoin(parts, ", "), ")");
  }
  const bool all = variants.size() == expressed;
  out->push_back(absl::StrCat(
      who, all ? " is " : " may be ",
      all && expressed == 1 ? std::string()
                            : absl::StrCat("(", names(variants), ") "),
      "an allele with ", kind, ": its expression may differ from the grade"));
}

void LocusWarnings(const data::Reference& ref, const LocusMatch& m,
                   const LocusTyping& rt, const LocusTyping& dt,
                   std::vector<std::string>* out) {
  const absl::string_view locus = LocusName(m.locus);
  struct Side {
    const char* who;
    const LocusTyping* lt;
  };
  for (const Side& side : {Side{"recipient", &rt}, Side{"donor", &dt}}) {
    const LocusTyping& lt = *side.lt;
    for (int i = 0; i < lt.typed_positions; ++i) {
      const PositionTyping& p = lt.pos[i];
      if (!p.unnamed && !p.possible_null() && !p.admits_variant()) continue;
      if (i == 1 && p.text == lt.pos[0].text) continue;
      PositionWarnings(ref, locus, side.who, p, out);
    }
    if (lt.typed_positions == 1 && lt.pos[0].serology_only()) {
      out->push_back(absl::StrCat(
          locus, ": ", side.who, " typed ", lt.pos[0].text,
          " only: the second antigen was not detected (homozygous, or an "
          "antigen the serology missed); the counts read it as homozygous"));
    }
  }
}

// The lowest (most immunogenic) V2 TCE group of a side's expressed copies;
// 0 when some copy has no single group (Atlas: an ambiguous copy takes the
// one group its assigned members share; none or several -> unknown).
int LowestTceGroup(const LocusTyping& lt) {
  Expressed e = ExpressedView(lt.pos);
  if (e.count == 0) return 0;
  int lowest = 99;
  for (const PositionTyping* p : e.p) {
    if (p->tce_groups().size() != 1) return 0;
    lowest = std::min(lowest, int{p->tce_groups()[0]});
  }
  return lowest;
}

TceResult ScoreTce(const data::Reference& ref, const Genotype& rg,
                   const Genotype& dg, const LocusMatch& dpb1) {
  TceResult t;
  if (!dpb1.scored) {
    t.basis = "DPB1 is not typed on both sides";
    return t;
  }
  if (dpb1.matches == 2) {
    t.category = TceCategory::kMatch;
    t.basis = "DPB1 alleles match: no mismatch to classify";
    return t;
  }
  if (!ref.has_tce()) {
    t.category = TceCategory::kUnknown;
    t.basis = "the loaded release has no tce/dpb_tce.csv";
    return t;
  }
  t.recipient_group = LowestTceGroup(rg.at(Locus::kDPB1));
  t.donor_group = LowestTceGroup(dg.at(Locus::kDPB1));
  if (t.recipient_group == 0 || t.donor_group == 0) {
    t.category = TceCategory::kUnknown;
    t.basis = absl::StrCat(
        "a DPB1 allele of the ", t.recipient_group == 0 ? "recipient" : "donor",
        " has no single TCE group (V2) in IPD-IMGT/HLA ", ref.version());
    return t;
  }
  t.category = matcher_internal::TceCategoryOf(t.recipient_group, t.donor_group);
  switch (t.category) {
    case TceCategory::kPermissive:
      t.basis = absl::StrCat("DPB1 mismatch within TCE group ", t.donor_group,
                             " (V2): permissive");
      break;
    case TceCategory::kNonPermissiveGvH:
      t.basis = absl::StrCat("recipient TCE group ", t.recipient_group,
                             " is more immunogenic than donor group ",
                             t.donor_group, ": non-permissive, GvH direction");
      break;
    default:
      t.basis = absl::StrCat("donor TCE group ", t.donor_group,
                             " is more immunogenic than recipient group ",
                             t.recipient_group,
                             ": non-permissive, HvG direction");
      break;
  }
  return t;
}

// A whole haplotype shared, by '~' phase on both sides: recipient haplotype
// hr and donor haplotype hd allele-match at every locus of `loci`.
bool SharedPhasedHaplotype(const Genotype& rg, const Genotype& dg,
                           const std::vector<Locus>& loci, int* hr_out,
                           int* hd_out) {
  for (int hr = 0; hr < 2; ++hr) {
    for (int hd = 0; hd < 2; ++hd) {
      bool all = true;
      for (Locus l : loci) {
        const PositionTyping& a = rg.at(l).pos[hr];
        const PositionTyping& b = dg.at(l).pos[hd];
        if (!Intersect(a.match_keys(), b.match_keys())) {
          all = false;
          break;
        }
      }
      if (all) {
        *hr_out = hr;
        *hd_out = hd;
        return true;
      }
    }
  }
  return false;
}

std::string LocusList(absl::Span<const Locus> loci) {
  return absl::StrJoin(loci, ", ", [](std::string* out, Locus l) {
    absl::StrAppend(out, LocusName(l));
  });
}

// Whether every locus of `loci` is phased ('~') on this side.
bool PhasedOver(const Genotype& g, const std::vector<Locus>& loci) {
  if (!g.phased) return false;
  for (Locus l : loci) {
    if (!g.at(l).phased) return false;
  }
  return true;
}

// With phase on one side only (`phased`): the haplotype of that side the
// other side could carry whole, by LocusMayCarry at every locus; -1 when
// neither.
int CarriableHaplotype(const Genotype& phased, const Genotype& other,
                       const std::vector<Locus>& loci) {
  for (int h = 0; h < 2; ++h) {
    bool all = true;
    for (Locus l : loci) {
      const LocusTyping& p = phased.at(l);
      const LocusTyping& o = other.at(l);
      bool shares[2] = {false, false};
      for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < 2; ++j) {
          shares[i] = shares[i] || Intersect(p.pos[i].match_keys(),
                                             o.pos[j].match_keys());
        }
      }
      if (!matcher_internal::LocusMayCarry(shares[0], shares[1],
                                           p.pos[0].haplotype,
                                           p.pos[1].haplotype, h)) {
        all = false;
        break;
      }
    }
    if (all) return h;
  }
  return -1;
}

// What phase says, and in words.
struct PhaseFinding {
  matcher_internal::PhaseEvidence evidence =
      matcher_internal::PhaseEvidence::kNone;
  bool both_sides = false;
  std::string words;  // "recipient haplotype 1 and donor haplotype 2 ..."
};

PhaseFinding PhaseOf(const Genotype& rg, const Genotype& dg,
                     const std::vector<Locus>& loci) {
  using matcher_internal::PhaseEvidence;
  PhaseFinding p;
  const bool r = PhasedOver(rg, loci), d = PhasedOver(dg, loci);
  if (!r && !d) return p;  // the common case: no words to build
  const std::string used = LocusList(loci);
  if (r && d) {
    p.both_sides = true;
    int hr = 0, hd = 0;
    if (SharedPhasedHaplotype(rg, dg, loci, &hr, &hd)) {
      p.evidence = PhaseEvidence::kCarried;
      p.words = absl::StrCat("recipient haplotype ", hr + 1,
                             " and donor haplotype ", hd + 1,
                             " (phased GL strings) match at ", used);
    } else {
      p.evidence = PhaseEvidence::kNotCarried;
      p.words = absl::StrCat(
          "an allele is shared at every locus, but the phased haplotypes "
          "show that no whole haplotype is shared over ",
          used);
    }
  } else if (r || d) {
    const int h = r ? CarriableHaplotype(rg, dg, loci)
                    : CarriableHaplotype(dg, rg, loci);
    const char* phased_side = r ? "recipient" : "donor";
    const char* other_side = r ? "donor" : "recipient";
    if (h >= 0) {
      p.evidence = PhaseEvidence::kCarried;
      p.words = absl::StrCat("the ", other_side, " could carry ",
                             phased_side, " haplotype ", h + 1, " whole at ",
                             used, " (", other_side, " phase unknown)");
    } else {
      p.evidence = PhaseEvidence::kNotCarried;
      p.words = absl::StrCat(
          "the ", other_side, " shares alleles of both ", phased_side,
          " haplotypes but cannot carry either whole at ", used);
    }
  }
  return p;
}

// Who shares only by state: an unrelated donor, or one whose relationship
// was not given (who cannot be assumed a relative).
absl::string_view WhoByState(Relationship relationship) {
  return relationship == Relationship::kUnrelated
             ? "an unrelated donor"
             : "no relationship given";
}

HaploResult HaploVerdictOf(const Genotype& rg, const Genotype& dg,
                           Relationship relationship,
                           absl::Span<const LocusMatch* const> locus_matches,
                           const MatchOptions& options) {
  HaploResult h;
  // Matching runs per pair in bulk: the locus lists stay on the stack and
  // the words are built only for the verdict reached.
  using Loci = absl::InlinedVector<Locus, kLocusCount>;
  Loci missing;
  for (Locus l : options.haplo_required_loci) {
    const LocusMatch* lm = nullptr;
    for (const LocusMatch* m : locus_matches) {
      if (m->locus == l) lm = m;
    }
    if (lm == nullptr || !lm->scored) missing.push_back(l);
  }
  Loci ignored, none_shared, one_shared;
  bool potential = false;     // a shared position is only a potential match
  bool antigen_only = false;  // a locus shares an antigen but no allele
  for (const LocusMatch* m : locus_matches) {
    if (!m->scored) {
      ignored.push_back(m->locus);
      continue;
    }
    h.loci_used.push_back(m->locus);
    // Shared at allele or antigen level.
    const int shared = m->matches + m->antigen_level_matches;
    if (shared == 0) none_shared.push_back(m->locus);
    if (shared == 1) one_shared.push_back(m->locus);
    for (const PositionMatch& p : m->positions) {
      potential |= p.confidence == MatchConfidence::kPotential;
    }
    antigen_only |= m->matches == 0 && m->antigen_level_matches > 0;
  }
  const bool parent_child = relationship == Relationship::kParent ||
                            relationship == Relationship::kChild;
  // Phase decides only between loci that all share something; reading it
  // otherwise costs a cache line of each genotype per pair.
  const PhaseFinding phase =
      missing.empty() && !h.loci_used.empty() && none_shared.empty()
          ? PhaseOf(rg, dg, h.loci_used)
          : PhaseFinding();
  // The verdict is the shared rule (also the registry scan's); the rest is
  // words.
  h.verdict = matcher_internal::HaploVerdictRule(
      !missing.empty(), !h.loci_used.empty(), !none_shared.empty(),
      one_shared.empty(), relationship, phase.evidence, phase.both_sides);
  auto caveat = [&]() {
    std::string c =
        potential ? " (some matches are only potential: ambiguous typing)" : "";
    if (!ignored.empty()) {
      absl::StrAppend(&c, "; ", LocusList(ignored),
                      ignored.size() == 1 ? " is" : " are",
                      " untyped on a side and not considered");
    }
    return c;
  };
  auto used = [&]() { return LocusList(h.loci_used); };
  const absl::string_view shared_what =
      antigen_only ? "allele or antigen" : "allele";
  const absl::string_view rel = ToString(relationship);
  switch (h.verdict) {
    case HaploVerdict::kInsufficientTyping:
      h.basis = !missing.empty()
                    ? absl::StrCat(LocusList(missing),
                                   missing.size() == 1 ? " is" : " are",
                                   " not typed on both sides; a haplo verdict "
                                   "needs ",
                                   LocusList(options.haplo_required_loci))
                    : "no locus is typed on both sides";
      return h;
    case HaploVerdict::kNotHaploidentical:
      h.basis = none_shared.empty()
                    ? phase.words
                    : absl::StrCat("no allele shared at ",
                                   LocusList(none_shared));
      if (parent_child) {
        h.inconsistencies.push_back(absl::StrCat(
            "the stated ", rel, " ",
            none_shared.empty()
                ? "cannot carry either recipient haplotype whole"
                : absl::StrCat("shares no allele at ",
                               LocusList(none_shared)),
            ", which a parent and child always do: non-parentage, "
            "recombination or a typing error"));
      }
      return h;
    case HaploVerdict::kIdentical:
      h.basis = absl::StrCat("both alleles match at ", used(), caveat());
      return h;
    case HaploVerdict::kHaploidentical:
      h.basis = parent_child
                    ? absl::StrCat("a ", rel,
                                   " shares one haplotype by descent, and at "
                                   "least one ", shared_what, " is shared at ",
                                   used(), caveat())
                    : absl::StrCat(phase.words, "; a ", rel,
                                   ": shared by descent", caveat());
      return h;
    case HaploVerdict::kHaplotypeMatched:
      h.basis = absl::StrCat(phase.words, "; ", WhoByState(relationship),
                             ": shared by state, not by descent", caveat());
      return h;
    case HaploVerdict::kHaploCompatible:
      break;
  }
  const bool related = relationship != Relationship::kUnrelated &&
                       relationship != Relationship::kUnknown;
  if (phase.evidence == matcher_internal::PhaseEvidence::kCarried) {
    h.basis = absl::StrCat(phase.words, caveat());
  } else {
    h.basis = absl::StrCat("at least one ", shared_what, " shared at ", used(),
                           "; phase unknown (no phased typing)", caveat());
  }
  if (relationship == Relationship::kSibling) {
    absl::StrAppend(&h.basis,
                    "; a sibling's shared haplotype needs family typing");
  } else if (!related) {
    absl::StrAppend(&h.basis, "; ", WhoByState(relationship),
                    ": sharing by state at best");
  }
  return h;
}

}  // namespace

bool CountsInTotals(Locus locus, bool scored) {
  return scored || IsCoreLocus(locus);
}

void AddToTotals(bool scored, int matches, int antigen_level_matches,
                 int gvh_mismatches, int hvg_mismatches, int antigen_matches,
                 MatchTotals* t) {
  t->out_of += 2;
  if (!scored) {
    ++t->untyped_loci;
    return;
  }
  t->matches += matches;
  t->antigen_level_matches += antigen_level_matches;
  t->mismatches += std::max(gvh_mismatches, hvg_mismatches);
  t->gvh_mismatches += gvh_mismatches;
  t->hvg_mismatches += hvg_mismatches;
  t->antigen_matches += antigen_matches;
}

const LocusMatch* MatchReport::Find(Locus locus) const {
  for (const LocusMatch& m : loci) {
    if (m.locus == locus) return &m;
  }
  return nullptr;
}

absl::StatusOr<MatchReport> Match(const data::Reference& reference,
                                  const Genotype& recipient,
                                  const Genotype& donor,
                                  Relationship relationship,
                                  const MatchOptions& options) {
  if (options.homozygous_mismatch_count != 1 &&
      options.homozygous_mismatch_count != 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("homozygous_mismatch_count must be 1 or 2, not ",
                     options.homozygous_mismatch_count));
  }
  bool listed[kLocusCount] = {};
  for (Locus l : options.loci) {
    if (listed[static_cast<int>(l)]) {
      return absl::InvalidArgumentError(
          absl::StrCat("locus ", LocusName(l), " is listed twice"));
    }
    listed[static_cast<int>(l)] = true;
  }
  MatchReport report;
  report.relationship = relationship;
  report.loci.resize(options.loci.size());
  absl::InlinedVector<const LocusMatch*, kLocusCount> for_haplo;
  for (size_t i = 0; i < options.loci.size(); ++i) {
    LocusMatch& m = report.loci[i];
    MatchLocus(reference, options.loci[i], recipient, donor, options, &m);
    for_haplo.push_back(&m);
    if (!m.counted_in_totals) continue;
    AddToTotals(m.scored, m.matches, m.antigen_level_matches,
                m.gvh_mismatches, m.hvg_mismatches, m.antigen_matches,
                &report.totals);
    if (m.scored) {
      LocusWarnings(reference, m, recipient.at(m.locus), donor.at(m.locus),
                    &report.warnings);
    }
    if (m.scored && m.genotype_list) {
      report.warnings.push_back(absl::StrCat(
          LocusName(m.locus),
          ": a genotype list ('|'); the best alternative was scored"));
    }
  }
  // Loci the verdict or the TCE needs but the caller did not list.
  std::vector<LocusMatch> extra;  // reserved: for_haplo points into it
  size_t unlisted = 0;
  for (Locus l : options.haplo_required_loci) unlisted += !listed[static_cast<int>(l)];
  if (unlisted > 0) extra.reserve(unlisted);
  for (Locus l : options.haplo_required_loci) {
    if (listed[static_cast<int>(l)]) continue;
    extra.emplace_back();
    MatchLocus(reference, l, recipient, donor, options, &extra.back());
  }
  for (const LocusMatch& m : extra) for_haplo.push_back(&m);
  report.haplo = HaploVerdictOf(recipient, donor, relationship, for_haplo,
                                options);

  // A locus a later rule reads: the report's, else one the verdict
  // matched, else matched here without the mismatched-allele lists.
  auto locus_match = [&](Locus l, LocusMatch* local) -> const LocusMatch* {
    if (const LocusMatch* m = report.Find(l)) return m;
    for (const LocusMatch& m : extra) {
      if (m.locus == l) return &m;
    }
    MatchOptions quiet = options;
    quiet.collect_mismatched = false;
    MatchLocus(reference, l, recipient, donor, quiet, local);
    return local;
  };
  if (options.score_dpb1_tce && recipient.at(Locus::kDPB1).typed_positions > 0 &&
      donor.at(Locus::kDPB1).typed_positions > 0) {
    LocusMatch local;
    report.tce = ScoreTce(reference, recipient, donor,
                          *locus_match(Locus::kDPB1, &local));
  }
  if (options.score_leader_and_kir) {
    LocusMatch local;
    report.b_leader = matcher_internal::ScoreBLeader(
        reference, recipient, donor, locus_match(Locus::kB, &local));
    report.kir_ligands = matcher_internal::ScoreKirLigands(
        reference, recipient, donor, options.hla_a_bw4);
  }
  return report;
}

}  // namespace hla::matcher
