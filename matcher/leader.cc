// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The HLA-B leader match and the KIR ligands of a recipient-donor pair
// (matcher/internal/leader.h has each rule with its source).
#include "matcher/internal/leader.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace hla::matcher_internal {

using matcher::BLeaderResult;
using matcher::CopyLeader;
using matcher::Genotype;
using matcher::KirLigandGroup;
using matcher::KirLigandResult;
using matcher::kKirLigandGroups;
using matcher::LeaderGenotype;
using matcher::LeaderMatch;
using matcher::LigandPresence;
using matcher::LigandSet;
using matcher::LocusMatch;
using matcher::LocusTyping;
using matcher::PositionTyping;

namespace {

constexpr int kC1 = static_cast<int>(KirLigandGroup::kC1);
constexpr int kC2 = static_cast<int>(KirLigandGroup::kC2);
constexpr int kBw4 = static_cast<int>(KirLigandGroup::kBw4);

// Calls f(id) for each expressed allele of a copy, in order, and returns
// whether the copy expresses nothing (a placeholder, or every allele null).
// No copy of the allele list: an XX or serology typing holds hundreds.
template <typename F>
bool ForEachExpressed(const data::Reference& ref, const PositionTyping& p,
                      F f) {
  bool any = false;
  for (data::AlleleId id : p.alleles) {
    if (ref.allele(id).is_null()) continue;
    any = true;
    f(id);
  }
  return p.placeholder || (!any && !p.alleles.empty());
}

CopyLeader CopyLeaderOf(const data::Reference& ref,
                        const data::ProteinTable& proteins,
                        const PositionTyping& p) {
  int m = 0, t = 0, unknown = 0;
  bool observed = false;
  const bool null_copy = ForEachExpressed(ref, p, [&](data::AlleleId id) {
    const data::ProteinFacts& f = proteins.Of(id);
    const char letter = LeaderLetter(f.leader);
    (letter == 'M' ? m : letter == 'T' ? t : unknown)++;
    observed |= f.leader_basis == data::LeaderBasis::kObserved;
  });
  CopyLeader c = LeaderOfCounts(m, t, unknown);
  c.typing = p.text;
  c.inferred = !observed && c.leader != 'X';
  c.null_copy = null_copy;
  if (null_copy) c.leader = c.likely = 'X';
  return c;
}

const char* Word(char leader) {
  return leader == 'M' ? "M" : leader == 'T' ? "T" : "unknown";
}

std::string CopyWords(const CopyLeader& c) {
  if (c.null_copy) return absl::StrCat(c.typing, " (no HLA-B expressed)");
  if (c.leader != 'X') {
    return absl::StrCat(c.typing, " (", Word(c.leader),
                        c.inferred ? ", inferred for alleles without exon 1"
                                   : "",
                        ")");
  }
  if (c.m + c.t == 0) return absl::StrCat(c.typing, " (leader unknown)");
  return absl::StrCat(c.typing, " (unknown: ", c.m, " M, ", c.t, " T",
                      c.unknown > 0 ? absl::StrCat(", ", c.unknown, " unknown")
                                    : "",
                      " among its alleles; likely ", Word(c.likely), ")");
}

// A pair of the HLA-B pairing counts as matched when the alleles share a P
// group, or when a side typed by serology shares the antigen (then only
// potentially: the alleles are not known).
bool PairMatched(const matcher::PositionMatch& p, bool* potential) {
  const bool serology = p.grade == matcher::MatchGrade::kBroad ||
                        p.grade == matcher::MatchGrade::kSplit ||
                        p.grade == matcher::MatchGrade::kAssociated;
  const bool matched = p.allele_match || (serology && p.antigen_match);
  if (matched && (serology ||
                  p.confidence == matcher::MatchConfidence::kPotential)) {
    *potential = true;
  }
  return matched;
}

// What a locus (all its '|' alternatives) says about each ligand group.
struct LocusLigands {
  bool typed = false;
  std::array<bool, kKirLigandGroups> definite{}, possible{};
};

LocusLigands LigandsOfLocus(const data::Reference& ref,
                            const data::ProteinTable& proteins, Locus locus,
                            const LocusTyping& lt, bool hla_a_bw4) {
  LocusLigands out;
  if (lt.typed_positions == 0) return out;
  out.typed = true;
  std::vector<const std::array<PositionTyping, 2>*> alternatives = {&lt.pos};
  for (const auto& alt : lt.alternatives) alternatives.push_back(&alt);
  out.definite.fill(true);
  for (const auto* alt : alternatives) {
    std::array<bool, kKirLigandGroups> definite{};
    for (const PositionTyping& p : *alt) {
      // The rule reads which ligand values occur, not how often: the
      // distinct ones (at most 7) stand for the hundreds of alleles.
      uint32_t seen = 0;
      const bool null_copy = ForEachExpressed(ref, p, [&](data::AlleleId id) {
        seen |= 1u << static_cast<int>(proteins.Of(id).ligand);
      });
      if (null_copy) continue;
      if (seen == 0) seen = 1u << static_cast<int>(data::KirLigand::kUnknown);  // A*NEW
      absl::InlinedVector<data::KirLigand, 8> ligands;
      for (int v = 0; v < 32; ++v) {
        if (seen >> v & 1) ligands.push_back(static_cast<data::KirLigand>(v));
      }
      const CopyLigands c = LigandsOfAlleles(locus, ligands, hla_a_bw4);
      for (int g = 0; g < kKirLigandGroups; ++g) {
        definite[g] = definite[g] || c.all[g];
        out.possible[g] = out.possible[g] || c.some[g];
      }
    }
    // Definite only if every alternative of a genotype list carries it.
    for (int g = 0; g < kKirLigandGroups; ++g) {
      out.definite[g] = out.definite[g] && definite[g];
    }
  }
  return out;
}

std::string BwOfCopy(const data::Reference& ref,
                     const data::ProteinTable& proteins,
                     const PositionTyping& p) {
  std::optional<data::BwEpitope> first;
  bool mixed = false;
  const bool null_copy = ForEachExpressed(ref, p, [&](data::AlleleId id) {
    const data::BwEpitope bw = proteins.Of(id).bw;
    if (!first) first = bw;
    mixed |= bw != *first;
  });
  if (null_copy) return "null";
  if (!first) return "unknown";
  return mixed ? "ambiguous" : data::ToString(*first);
}

std::string GroupList(const std::vector<KirLigandGroup>& groups) {
  std::vector<std::string> names;
  for (KirLigandGroup g : groups) names.emplace_back(matcher::ToString(g));
  return absl::StrJoin(names, ", ");
}

}  // namespace

char LeaderLetter(data::Leader leader) {
  switch (leader) {
    case data::Leader::kM: return 'M';
    case data::Leader::kT: return 'T';
    default: return 'X';
  }
}

CopyLeader LeaderOfAlleles(absl::Span<const data::Leader> leaders) {
  int m = 0, t = 0, unknown = 0;
  for (data::Leader l : leaders) {
    const char letter = LeaderLetter(l);
    (letter == 'M' ? m : letter == 'T' ? t : unknown)++;
  }
  return LeaderOfCounts(m, t, unknown);
}

CopyLeader LeaderOfCounts(int m, int t, int unknown) {
  CopyLeader c;
  c.m = m;
  c.t = t;
  c.unknown = unknown;
  if (c.unknown == 0 && c.m > 0 && c.t == 0) c.leader = 'M';
  if (c.unknown == 0 && c.t > 0 && c.m == 0) c.leader = 'T';
  c.likely = c.m > c.t ? 'M' : c.t > c.m ? 'T' : 'X';
  return c;
}

std::string LeaderGenotypeCode(char a, char b) {
  auto order = [](char c) { return c == 'M' ? 0 : c == 'T' ? 1 : 2; };
  if (order(b) < order(a)) std::swap(a, b);
  return std::string{a, b};
}

LeaderStatus LeaderMatchStatus(std::array<char, 2> r, std::array<char, 2> d,
                               std::array<bool, 2> allele_match) {
  LeaderStatus s;
  if (allele_match[0] && allele_match[1]) {
    s.match = LeaderMatch::kHlaBMatched;
    return s;
  }
  if (!allele_match[0] && !allele_match[1]) {
    s.match = LeaderMatch::kDoubleMismatch;
    return s;
  }
  const int shared = allele_match[0] ? 0 : 1;
  const int u = 1 - shared;
  const char shared_leader =
      r[shared] == d[shared] && r[shared] != 'X' ? r[shared] : 'X';
  s.code = std::string{r[u], d[u], shared_leader};
  s.unmatched = u;
  if (r[u] == 'X' || d[u] == 'X') {
    s.match = LeaderMatch::kUnknown;
  } else {
    s.match = r[u] == d[u] ? LeaderMatch::kMatched : LeaderMatch::kMismatched;
  }
  return s;
}

int LeaderRankKey(absl::string_view recipient_genotype, LeaderMatch match,
                  absl::string_view code) {
  switch (match) {
    case LeaderMatch::kHlaBMatched: return 0;
    case LeaderMatch::kMatched:
    case LeaderMatch::kMismatched: break;
    default: return 4;
  }
  if (code.find('X') != absl::string_view::npos) return 4;
  // b-leader's donor-rank preferences (Be The Match 2021, after Petersdorf
  // 2020): MT recipients MMT then TTM; TT recipients TTT then TMT.
  absl::string_view first, second;
  if (recipient_genotype == "MT") {
    first = "MMT";
    second = "TTM";
  } else if (recipient_genotype == "TT") {
    first = "TTT";
    second = "TMT";
  }
  if (!first.empty() && code == first) return 1;
  if (!second.empty() && code == second) return 2;
  return 3;
}

int LeaderRankKeyOfPairs(absl::string_view recipient_genotype, const char r[2],
                         const char d[2], bool matched0, bool matched1) {
  if (matched0 && matched1) return 0;
  if (!matched0 && !matched1) return 4;
  const int u = matched0 ? 1 : 0, s = 1 - u;
  const char shared = r[s] == d[s] && r[s] != 'X' ? r[s] : 'X';
  if (r[u] == 'X' || d[u] == 'X' || shared == 'X') return 4;
  const char code[3] = {r[u], d[u], shared};
  return LeaderRankKey(recipient_genotype,
                       r[u] == d[u] ? LeaderMatch::kMatched : LeaderMatch::kMismatched,
                       absl::string_view(code, 3));
}

CopyLigands LigandsOfAlleles(Locus locus,
                             absl::Span<const data::KirLigand> ligands,
                             bool hla_a_bw4) {
  std::array<bool, kKirLigandGroups> can{};
  if (locus == Locus::kA) can[kBw4] = hla_a_bw4;
  if (locus == Locus::kB) can[kBw4] = can[kC1] = true;
  if (locus == Locus::kC) can[kC1] = can[kC2] = true;
  CopyLigands c;
  if (ligands.empty()) return c;
  c.all = can;
  for (data::KirLigand l : ligands) {
    int group = -1;
    bool unknown = false;
    switch (l) {
      case data::KirLigand::kBw4: group = kBw4; break;
      case data::KirLigand::kC1: group = kC1; break;
      case data::KirLigand::kC2: group = kC2; break;
      case data::KirLigand::kNone:
      case data::KirLigand::kNull: break;
      case data::KirLigand::kUnknown:
      case data::KirLigand::kUnclassified: unknown = true; break;
    }
    for (int g = 0; g < kKirLigandGroups; ++g) {
      const bool carries = g == group && can[g];
      c.all[g] = c.all[g] && carries;
      c.some[g] = c.some[g] || carries || (unknown && can[g]);
    }
  }
  return c;
}

void MissingLigandsGvh(const LigandSet& recipient, const LigandSet& donor,
                       std::vector<KirLigandGroup>* definite,
                       std::vector<KirLigandGroup>* possible) {
  for (int g = 0; g < kKirLigandGroups; ++g) {
    const LigandPresence d = donor.presence[g];
    const LigandPresence r = recipient.presence[g];
    const auto group = static_cast<KirLigandGroup>(g);
    if (d == LigandPresence::kDefinite && r == LigandPresence::kAbsent) {
      definite->push_back(group);
    } else if (d != LigandPresence::kAbsent && r != LigandPresence::kDefinite) {
      possible->push_back(group);
    }
  }
}

LeaderGenotype LeaderGenotypeOf(const data::Reference& reference,
                                const data::ProteinTable& proteins,
                                const LocusTyping& b) {
  LeaderGenotype g;
  if (b.typed_positions == 0) return g;
  g.typed = true;
  for (int i = 0; i < 2; ++i) {
    g.copies[i] = CopyLeaderOf(reference, proteins, b.pos[i]);
  }
  if (!b.alternatives.empty()) {
    // A genotype list: which alternative is true is not known, so neither
    // is either copy's leader.
    for (CopyLeader& c : g.copies) c.leader = 'X';
  }
  g.genotype = LeaderGenotypeCode(g.copies[0].leader, g.copies[1].leader);
  return g;
}

LigandSet LigandSetOf(const data::Reference& reference,
                      const data::ProteinTable* proteins, const Genotype& g,
                      bool hla_a_bw4) {
  LigandSet s;
  s.presence.fill(LigandPresence::kUnknown);
  s.b_bw = {"unknown", "unknown"};
  if (proteins == nullptr) return s;
  const LocusLigands a = LigandsOfLocus(reference, *proteins, Locus::kA,
                                        g.at(Locus::kA), hla_a_bw4);
  const LocusLigands bl = LigandsOfLocus(reference, *proteins, Locus::kB,
                                         g.at(Locus::kB), hla_a_bw4);
  const LocusLigands c = LigandsOfLocus(reference, *proteins, Locus::kC,
                                        g.at(Locus::kC), hla_a_bw4);
  for (int grp = 0; grp < kKirLigandGroups; ++grp) {
    const bool definite = a.definite[grp] || bl.definite[grp] || c.definite[grp];
    const bool possible = a.possible[grp] || bl.possible[grp] || c.possible[grp];
    // The loci that could carry the group and must be typed to say absent.
    const bool all_typed = grp == kBw4
                               ? bl.typed && (a.typed || !hla_a_bw4)
                               : c.typed && bl.typed;
    s.presence[grp] = definite   ? LigandPresence::kDefinite
                      : possible ? LigandPresence::kPossible
                      : all_typed ? LigandPresence::kAbsent
                                  : LigandPresence::kUnknown;
  }
  const LocusTyping& b = g.at(Locus::kB);
  if (b.typed_positions > 0 && b.alternatives.empty()) {
    for (int i = 0; i < 2; ++i) s.b_bw[i] = BwOfCopy(reference, *proteins, b.pos[i]);
  }
  return s;
}

BLeaderResult ScoreBLeader(const data::Reference& reference,
                           const Genotype& recipient, const Genotype& donor,
                           const LocusMatch* b) {
  BLeaderResult out;
  const LocusTyping& rb = recipient.at(Locus::kB);
  const LocusTyping& db = donor.at(Locus::kB);
  if (rb.typed_positions == 0 && db.typed_positions == 0) {
    // Nothing to read the table for (and no first load to pay: the
    // registry validates its options on two empty genotypes).
    out.basis = "not assessed: HLA-B is untyped on the recipient's and the "
                "donor's side";
    return out;
  }
  const data::ProteinTable* proteins = reference.proteins();
  if (proteins == nullptr) {
    out.basis = absl::StrCat(
        "not assessed: the loaded release (", reference.version(),
        ") has no protein sequences to read the HLA-B leader from (",
        reference.proteins_status().message(), ")");
    return out;
  }
  out.recipient = LeaderGenotypeOf(reference, *proteins, rb);
  out.donor = LeaderGenotypeOf(reference, *proteins, db);
  if (!out.recipient.typed || !out.donor.typed || b == nullptr || !b->scored) {
    out.basis = absl::StrCat("not assessed: HLA-B is untyped on the ",
                             !out.recipient.typed && !out.donor.typed
                                 ? "recipient's and the donor's side"
                                 : !out.recipient.typed ? "recipient's side"
                                                        : "donor's side");
    return out;
  }
  if (!rb.alternatives.empty() || !db.alternatives.empty()) {
    out.basis =
        "not assessed: HLA-B is a genotype list ('|') on a side, so which "
        "allotype is mismatched is not known";
    return out;
  }
  std::array<char, 2> r{}, d{}, r_likely{}, d_likely{};
  std::array<bool, 2> matched{}, potential_pair{};
  // The pairs are the matcher's, on its expressed view: a null copy beside
  // an expressed one counts as that one (the locus is homozygous for it),
  // so its leader is the expressed copy's.
  auto expressed = [](const LeaderGenotype& g, int position) -> const CopyLeader& {
    const CopyLeader& c = g.copies[position];
    const CopyLeader& other = g.copies[1 - position];
    return c.null_copy && !other.null_copy ? other : c;
  };
  for (int i = 0; i < 2; ++i) {
    const matcher::PositionMatch& p = b->positions[i];
    const CopyLeader& rc = expressed(out.recipient, p.recipient_position);
    const CopyLeader& dc = expressed(out.donor, p.donor_position);
    r[i] = rc.leader;
    d[i] = dc.leader;
    r_likely[i] = rc.leader != 'X' ? rc.leader : rc.likely;
    d_likely[i] = dc.leader != 'X' ? dc.leader : dc.likely;
    matched[i] = PairMatched(p, &potential_pair[i]);
    out.potential |= potential_pair[i];
  }
  LeaderStatus s = LeaderMatchStatus(r, d, matched);
  out.match = s.match;
  // One pair matched for certain, the other only potentially: HLA-B is
  // (potentially) matched, and the status is also given as it would be if
  // the potential pair were the mismatch, which is how b-leader reads such
  // a pair (its grade P).
  int if_mismatched = -1;
  if (matched[0] && matched[1] && potential_pair[0] != potential_pair[1]) {
    if_mismatched = potential_pair[0] ? 0 : 1;
    std::array<bool, 2> m = matched;
    m[if_mismatched] = false;
    s = LeaderMatchStatus(r, d, m);
    matched = m;
  }
  out.status = s.code;
  if (s.unmatched >= 0) {
    out.recipient_position = b->positions[s.unmatched].recipient_position;
    out.donor_position = b->positions[s.unmatched].donor_position;
    if (s.code.find('X') != std::string::npos) {
      const LeaderStatus likely = LeaderMatchStatus(r_likely, d_likely, matched);
      if (likely.code.find('X') == std::string::npos) out.likely_status = likely.code;
    }
  }
  const char* potential =
      out.potential ? " (the HLA-B match is potential: an ambiguous typing)"
                    : "";
  switch (out.match) {
    case LeaderMatch::kHlaBMatched:
      if (if_mismatched >= 0) {
        const CopyLeader& rc = expressed(out.recipient, out.recipient_position);
        const CopyLeader& dc = expressed(out.donor, out.donor_position);
        out.basis = absl::StrCat(
            "HLA-B matched, one copy only potentially: recipient ",
            CopyWords(rc), " vs donor ", CopyWords(dc),
            "; were that pair a mismatch, the leader status would be ",
            out.status,
            out.likely_status.empty()
                ? std::string()
                : absl::StrCat(" (likely ", out.likely_status, ")"),
            " (Petersdorf et al., Lancet Haematol 2020)");
      } else {
        out.basis = absl::StrCat("HLA-B matched on both copies", potential,
                                 ": no leader mismatch to classify");
      }
      break;
    case LeaderMatch::kDoubleMismatch:
      out.basis =
          "HLA-B mismatched on both copies: outside the leader classification "
          "(Petersdorf et al., Lancet Haematol 2020, classifies single "
          "HLA-B mismatches)";
      break;
    case LeaderMatch::kMatched:
    case LeaderMatch::kMismatched:
    case LeaderMatch::kUnknown: {
      const CopyLeader& rc = expressed(out.recipient, out.recipient_position);
      const CopyLeader& dc = expressed(out.donor, out.donor_position);
      out.basis = absl::StrCat(
          "one HLA-B mismatch", potential, ": recipient ", CopyWords(rc),
          " vs donor ", CopyWords(dc), ": ",
          out.match == LeaderMatch::kMatched      ? "leader-matched"
          : out.match == LeaderMatch::kMismatched ? "leader-mismatched"
                                                  : "leader match unknown",
          " (status ", out.status,
          out.likely_status.empty()
              ? std::string()
              : absl::StrCat(", likely ", out.likely_status),
          "; Petersdorf et al., Lancet Haematol 2020)");
      break;
    }
    case LeaderMatch::kNotAssessed: break;
  }
  return out;
}

KirLigandResult ScoreKirLigands(const data::Reference& reference,
                                const Genotype& recipient,
                                const Genotype& donor, bool hla_a_bw4) {
  KirLigandResult out;
  bool any_typed = false;
  for (Locus l : {Locus::kA, Locus::kB, Locus::kC}) {
    any_typed |= recipient.at(l).typed_positions > 0 || donor.at(l).typed_positions > 0;
  }
  // Untyped at A, B and C on both sides: every group unknown, no table read.
  const data::ProteinTable* proteins = any_typed ? reference.proteins() : nullptr;
  out.recipient = LigandSetOf(reference, proteins, recipient, hla_a_bw4);
  out.donor = LigandSetOf(reference, proteins, donor, hla_a_bw4);
  if (!any_typed) {
    out.basis = "not assessed: HLA-A, -B and -C are untyped on both sides";
    return out;
  }
  if (proteins == nullptr) {
    out.basis = absl::StrCat(
        "not assessed: the loaded release (", reference.version(),
        ") has no protein sequences to read the KIR ligands from (",
        reference.proteins_status().message(), ")");
    return out;
  }
  MissingLigandsGvh(out.recipient, out.donor, &out.missing_definite,
                    &out.missing_possible);
  if (out.missing_definite.empty() && out.missing_possible.empty()) {
    out.basis =
        "no KIR-ligand mismatch (GvH direction): the recipient carries every "
        "ligand group the donor carries";
  } else {
    std::vector<std::string> parts;
    if (!out.missing_definite.empty()) {
      parts.push_back(absl::StrCat("the donor carries ",
                                   GroupList(out.missing_definite),
                                   ", which the recipient lacks"));
    }
    if (!out.missing_possible.empty()) {
      parts.push_back(absl::StrCat(
          GroupList(out.missing_possible),
          " may be missing in the recipient (an ambiguous or untyped locus "
          "leaves it open)"));
    }
    out.basis = absl::StrCat(
        "KIR-ligand mismatch, GvH direction: ", absl::StrJoin(parts, "; "),
        " (Ruggeri et al., Science 2002)");
  }
  if (!hla_a_bw4) out.basis += "; HLA-A Bw4 not counted (setting)";
  return out;
}

}  // namespace hla::matcher_internal
