// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// BuildGenotype: a resolved GL String tree -> two positions per locus with
// every lookup Match() needs done once (CompilePosition).
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "hla/gl.h"
#include "hla/status_macros.h"
#include "matcher/match.h"
#include "matcher/internal/grade.h"

namespace hla::matcher {
namespace {

using data::AlleleId;
using data::kNone;
using data::LeafKind;
using data::ResolvedLeaf;
using data::ResolvedNode;

// Keys of alleles that belong to no P / small-g group (loci without group
// files): the allele itself. P group ids are far below this bit.
constexpr uint32_t kAlleleKeyBit = 0x40000000u;

// A null allele's key: its small-g group (the nulls that share an
// expressed allele's ARD sequence are in its group), else the allele.
uint32_t NullKey(const data::AlleleGroups& a, AlleleId id) {
  return a.small_g != kNone ? (a.small_g | kNullKeyBit) : (id | kAlleleKeyBit);
}

template <typename T>
void PushNew(std::vector<T>* v, T x) {
  if (v->empty() || v->back() != x) v->push_back(x);
}

template <typename T>
void SortUnique(std::vector<T>* v) {
  // Keys pushed in allele order (P and G groups follow IMGT's name order)
  // are often sorted already, or a few sorted runs (one per protein read
  // from its summary, the implicit groups numbered after the named ones):
  // those are merged, not sorted.
  constexpr int kMaxMerges = 4;
  auto sorted = std::is_sorted_until(v->begin(), v->end());
  for (int merges = 0; sorted != v->end(); ++merges) {
    if (merges == kMaxMerges) {
      std::sort(v->begin(), v->end());
      break;
    }
    auto next = std::is_sorted_until(sorted, v->end());
    std::inplace_merge(v->begin(), sorted, next);
    sorted = next;
  }
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

const ResolvedLeaf& FirstLeaf(const ResolvedNode& node) {
  const ResolvedNode* n = &node;
  while (!n->is_leaf()) n = &n->children.front();
  return n->leaf;
}

std::string Where(const ResolvedNode& node) {
  const Token& t = FirstLeaf(node).token;
  return absl::StrCat("'", ToString(t), "' at offset ", t.offset);
}

// The matching locus of a leaf; nullopt for loci outside the eleven (MICA)
// and for a bare placeholder ("NEW").
std::optional<Locus> LeafLocus(const data::Reference& ref,
                               const ResolvedLeaf& leaf) {
  const Token& t = leaf.token;
  if (t.kind == TokenKind::kSerology) {
    if (t.locus == "A") return Locus::kA;
    if (t.locus == "B" || t.locus == "Bw") return Locus::kB;
    if (t.locus == "Cw" || t.locus == "C") return Locus::kC;
    if (t.locus == "DQ") return Locus::kDQB1;
    if (t.locus == "DPw" || t.locus == "DP") return Locus::kDPB1;
    if (t.locus == "DR") {
      // DR51/52/53 are the products of DRB5/DRB3/DRB4 (rel_dna_ser.txt).
      if (t.code == "51") return Locus::kDRB5;
      if (t.code == "52") return Locus::kDRB3;
      if (t.code == "53") return Locus::kDRB4;
      return Locus::kDRB1;
    }
    return std::nullopt;
  }
  if (!leaf.alleles.empty()) {
    return ref.loci()[ref.allele(leaf.alleles.front()).locus].locus;
  }
  return LocusFromName(t.locus);
}

// Atlas's ConsolidatedMolecularScoringInfo: "only to be used with molecular
// types, such as NMDP codes & XX codes, where consolidated data is
// sufficient"; we add the group names. A truncated name (A*01:01) is, as in
// Atlas, a name variant standing for its alleles, graded allele by allele.
bool IsConsolidated(LeafKind kind) {
  switch (kind) {
    case LeafKind::kMac:
    case LeafKind::kXX:
    case LeafKind::kGGroup:
    case LeafKind::kPGroup:
    case LeafKind::kSmallG:
      return true;
    default:
      return false;
  }
}

struct Staged {
  PositionTyping pos;
  int block = 0;  // index of the '^' block that wrote it
};

struct Builder {
  const data::Reference& ref;
  Genotype* out;
  std::array<std::vector<Staged>, kLocusCount> staged;
  // Genotype-list alternatives per locus, beyond the first (see
  // AddGenotypeList).
  std::array<std::vector<std::array<PositionTyping, 2>>, kLocusCount>
      pending_alternatives;

  // One position: a leaf or a '/' list of leaves. Sets `*locus`.
  absl::Status MakePosition(const ResolvedNode& node, PositionTyping* pos,
                            std::optional<Locus>* locus, bool* skip) {
    *skip = false;
    std::vector<const ResolvedLeaf*> leaves;
    if (node.is_leaf()) {
      leaves.push_back(&node.leaf);
    } else {
      for (const ResolvedNode& c : node.children) {
        if (!c.is_leaf()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "unexpected '", std::string(1, GlOpChar(c.op)), "' inside an allele list at ",
              Where(c)));
        }
        leaves.push_back(&c.leaf);
      }
    }
    std::optional<Locus> first;
    bool have_first = false;
    bool any_placeholder = false, any_unnamed = false, any_real = false;
    // One allocation for a list's alleles (a MAC is dozens of names of
    // hundreds of alleles each), not one per doubling.
    size_t allele_count = 0;
    for (const ResolvedLeaf* leaf : leaves) allele_count += leaf->alleles.size();
    pos->alleles.reserve(pos->alleles.size() + allele_count);
    for (const ResolvedLeaf* leaf : leaves) {
      std::optional<Locus> l = LeafLocus(ref, *leaf);
      if (!l) {
        out->warnings.push_back(absl::StrCat(
            "'", ToString(leaf->token), "' at offset ", leaf->token.offset,
            ": not one of the matching loci; ignored"));
        continue;
      }
      if (have_first && *l != *first) {
        return absl::InvalidArgumentError(absl::StrCat(
            "one position mixes loci ", LocusName(*first), " and ",
            LocusName(*l), ": '", ToString(leaf->token), "' at offset ",
            leaf->token.offset));
      }
      first = l;
      have_first = true;
      if (!pos->text.empty()) pos->text.push_back('/');
      AppendToken(leaf->token, &pos->text);
      if (leaf->kind == LeafKind::kPlaceholder) {
        // NNNN: the gene is absent on this copy; NEW, UUUU, XXXX: an
        // allele is there but not named yet (WMDA placeholder codes).
        (leaf->token.code == "NNNN" ? any_placeholder : any_unnamed) = true;
        continue;
      }
      any_real = true;
      pos->alleles.insert(pos->alleles.end(), leaf->alleles.begin(),
                          leaf->alleles.end());
      pos->antigens.insert(pos->antigens.end(), leaf->antigens.begin(),
                           leaf->antigens.end());
      if (IsConsolidated(leaf->kind)) pos->consolidated = true;
    }
    if (!have_first) {
      *skip = true;
      return absl::OkStatus();
    }
    // A placeholder in a list with real typings ("DRB4*01:01/DRB4*NNNN")
    // means "maybe absent": keep the real ones (potential) and say so.
    pos->placeholder = any_placeholder && !any_real && !any_unnamed;
    pos->unnamed = any_unnamed && !any_real;
    if ((any_placeholder || any_unnamed) && any_real) {
      out->warnings.push_back(absl::StrCat(
          Where(node), ": a gene-absent placeholder in an allele list is "
                       "ignored; the position is read as its alleles"));
    }
    SortUnique(&pos->alleles);
    SortUnique(&pos->antigens);
    *locus = first;
    return absl::OkStatus();
  }

  absl::Status Add(const ResolvedNode& node, int block, int haplotype,
                   std::optional<Locus>* added) {
    PositionTyping pos;
    std::optional<Locus> locus;
    bool skip = false;
    HLA_RETURN_IF_ERROR(MakePosition(node, &pos, &locus, &skip));
    if (skip) return absl::OkStatus();
    pos.haplotype = static_cast<int8_t>(haplotype);
    std::vector<Staged>& at = staged[static_cast<int>(*locus)];
    for (const Staged& s : at) {
      if (s.block != block) {
        return absl::InvalidArgumentError(
            absl::StrCat("locus ", LocusName(*locus),
                         " appears twice: again at ", Where(node)));
      }
      if (haplotype >= 0 && s.pos.haplotype == haplotype) {
        return absl::InvalidArgumentError(
            absl::StrCat("locus ", LocusName(*locus),
                         " appears twice in one haplotype: at ", Where(node)));
      }
    }
    if (at.size() >= 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("more than two typings at locus ", LocusName(*locus),
                       ": the third is ", Where(node)));
    }
    at.push_back({std::move(pos), block});
    *added = locus;
    return absl::OkStatus();
  }

  // A '~' haplotype: one position per locus, all at haplotype `h`.
  absl::Status AddHaplotype(const ResolvedNode& node, int block, int h) {
    for (const ResolvedNode& c : node.children) {
      if (!c.is_leaf() && c.op != GlOp::kAlleleList) {
        return absl::InvalidArgumentError(absl::StrCat(
            "unexpected '", std::string(1, GlOpChar(c.op)),
            "' inside a haplotype at ", Where(c)));
      }
      std::optional<Locus> l;
      HLA_RETURN_IF_ERROR(Add(c, block, h, &l));
    }
    return absl::OkStatus();
  }

  // A locus block or a multilocus genotype of haplotypes: leaf, '/', '~',
  // '+', '|'.
  absl::Status AddBlock(const ResolvedNode& node, int block) {
    if (node.is_leaf() || node.op == GlOp::kAlleleList) {
      std::optional<Locus> l;
      return Add(node, block, -1, &l);
    }
    switch (node.op) {
      case GlOp::kHaplotype:
        // One haplotype alone: each locus written once (homozygous by the
        // one-typing convention); not a phased genotype.
        for (const ResolvedNode& c : node.children) {
          std::optional<Locus> l;
          HLA_RETURN_IF_ERROR(Add(c, block, -1, &l));
        }
        return absl::OkStatus();
      case GlOp::kGenotype: {
        if (node.children.size() > 2) {
          return absl::InvalidArgumentError(absl::StrCat(
              "more than two typings in one genotype: the third is ",
              Where(node.children[2])));
        }
        bool haplotypes = false;
        std::optional<Locus> locus;
        for (size_t i = 0; i < node.children.size(); ++i) {
          const ResolvedNode& c = node.children[i];
          if (!c.is_leaf() && c.op == GlOp::kHaplotype) {
            haplotypes = true;
            HLA_RETURN_IF_ERROR(
                AddHaplotype(c, block, static_cast<int>(i)));
            continue;
          }
          // A '+' of a haplotype and a single typing: the single one is
          // position i of its locus, phased at haplotype i.
          std::optional<Locus> l;
          HLA_RETURN_IF_ERROR(
              Add(c, block, haplotypes ? static_cast<int>(i) : -1, &l));
          if (!haplotypes && l && locus && *l != *locus) {
            return absl::InvalidArgumentError(absl::StrCat(
                "'+' joins typings of different loci (", LocusName(*locus),
                " and ", LocusName(*l), ") at ", Where(c)));
          }
          if (l) locus = l;
        }
        if (haplotypes) out->phased = true;
        return absl::OkStatus();
      }
      case GlOp::kGenotypeList:
        return AddGenotypeList(node, block);
      case GlOp::kParalog:
        return absl::InvalidArgumentError(absl::StrCat(
            "'?' (possible gene locations) cannot be matched: at ",
            Where(node)));
      case GlOp::kMultilocus:
      case GlOp::kAlleleList:
        break;
    }
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected '", std::string(1, GlOpChar(node.op)),
                     "' at ", Where(node)));
  }

  // '|': each alternative is built alone; per locus the first alternative
  // is kept in `pos` and the others, when different, in `alternatives`.
  // (Cross-locus correlation of the alternatives is not kept: documented.)
  absl::Status AddGenotypeList(const ResolvedNode& node, int block) {
    // Matching weighs every alternative of one side against every one of
    // the other, so their number is bounded (and repeats dropped below).
    if (node.children.size() > kMaxGenotypeListAlternatives) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a genotype list of ", node.children.size(),
          " alternatives ('|'): more than ", kMaxGenotypeListAlternatives,
          " (the limit) at ", Where(node)));
    }
    std::vector<Genotype> alts;
    for (const ResolvedNode& c : node.children) {
      Genotype g;
      Builder sub{ref, &g, {}, {}};
      HLA_RETURN_IF_ERROR(sub.AddBlock(c, 0));
      sub.Finish();
      out->warnings.insert(out->warnings.end(), g.warnings.begin(),
                           g.warnings.end());
      alts.push_back(std::move(g));
    }
    for (int li = 0; li < kLocusCount; ++li) {
      const LocusTyping* first = nullptr;
      std::vector<std::array<PositionTyping, 2>> others;
      // An alternative already listed at this locus (the same two texts,
      // in either order) adds nothing to the best-of evaluation.
      absl::flat_hash_set<std::pair<std::string, std::string>> seen;
      auto key = [](const LocusTyping& lt) {
        return lt.pos[0].text < lt.pos[1].text
                   ? std::make_pair(lt.pos[0].text, lt.pos[1].text)
                   : std::make_pair(lt.pos[1].text, lt.pos[0].text);
      };
      for (const Genotype& g : alts) {
        const LocusTyping& lt = g.loci[li];
        if (lt.typed_positions == 0) continue;
        if (!seen.insert(key(lt)).second) continue;
        if (first == nullptr) {
          first = &lt;
        } else {
          others.push_back(lt.pos);
        }
      }
      if (first == nullptr) continue;
      std::vector<Staged>& at = staged[li];
      if (!at.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "locus ", LocusName(static_cast<Locus>(li)),
            " appears twice: again in the genotype list at ", Where(node)));
      }
      at.push_back({first->pos[0], block});
      if (first->typed_positions == 2) at.push_back({first->pos[1], block});
      for (auto& o : others) {
        // Positions carry no phase across alternatives.
        o[0].haplotype = o[1].haplotype = -1;
        pending_alternatives[li].push_back(std::move(o));
      }
    }
    return absl::OkStatus();
  }

  void Finish() {
    for (int li = 0; li < kLocusCount; ++li) {
      LocusTyping& lt = out->loci[li];
      std::vector<Staged>& at = staged[li];
      lt.typed_positions = static_cast<int>(at.size());
      if (at.empty()) continue;
      const Locus locus = static_cast<Locus>(li);
      lt.pos[0] = std::move(at[0].pos);
      CompilePosition(ref, locus, &lt.pos[0]);
      if (at.size() == 2) {
        lt.pos[1] = std::move(at[1].pos);
        CompilePosition(ref, locus, &lt.pos[1]);
        // Written as haplotype 1 then 0: keep position = haplotype.
        if (lt.pos[0].haplotype == 1 && lt.pos[1].haplotype == 0) {
          std::swap(lt.pos[0], lt.pos[1]);
        }
      } else {
        // Written once: the second copy is the first, compiled once (what
        // CompilePosition derives does not depend on the haplotype).
        lt.pos[1] = lt.pos[0];
        if (lt.pos[1].haplotype >= 0) lt.pos[1].haplotype = -1;
      }
      lt.phased = lt.pos[0].haplotype >= 0 && lt.pos[1].haplotype >= 0;
      lt.alternatives = std::move(pending_alternatives[li]);
      for (auto& alt : lt.alternatives) {
        CompilePosition(ref, locus, &alt[0]);
        CompilePosition(ref, locus, &alt[1]);
      }
      if (!lt.alternatives.empty()) lt.phased = false;
    }
    bool any_alternatives = false;
    for (const LocusTyping& lt : out->loci) {
      any_alternatives |= !lt.alternatives.empty();
    }
    if (any_alternatives) out->phased = false;
  }
};

}  // namespace

void CompilePosition(const data::Reference& ref, Locus locus,
                     PositionTyping* pos) {
  pos->match_keys_.clear();
  pos->null_alternative_keys_.clear();
  pos->g_groups_.clear();
  pos->serology_.clear();
  pos->tce_groups_.clear();
  pos->any_null_ = false;
  pos->tce_unknown_ = false;
  pos->admits_variant_ = false;
  bool any_variant = false;
  pos->admits_null_ = false;
  bool all_null = !pos->alleles.empty() && pos->antigens.empty();
  // A null allele's key (its small-g group) matches only when the whole
  // copy expresses nothing: a typing that may be expressed (A*01:01 covers
  // A*01:01:01:02N; C*04:KBG is C*04:01 or C*04:09N) is matched by what it
  // may express, never by its null alternative, so that an expressed copy
  // and a silent one are never counted as a match.
  std::vector<uint32_t> null_keys;
  uint32_t last_serology = kNone;
  // Each allele through its packed groups (data::AlleleGroups); one equal
  // to the allele before it adds nothing, unless its keys are its own id
  // (no P group or small-g) or its TCE group is read (DPB1).
  const data::AlleleGroups* last = nullptr;
  // Room for the keys of a few P groups at once: most typings stay within
  // it, and the others grow from there rather than from one element.
  const size_t room = std::min<size_t>(pos->alleles.size(), 16);
  pos->match_keys_.reserve(room);
  pos->g_groups_.reserve(room);
  if (pos->antigens.empty()) pos->serology_.reserve(room);
  auto allele = [&](AlleleId id) {
    const data::AlleleGroups& a = ref.groups(id);
    if (last != nullptr && locus != Locus::kDPB1 && a.p_group == last->p_group &&
        a.g_group == last->g_group && a.small_g == last->small_g &&
        a.serology == last->serology && a.suffix == last->suffix &&
        (a.is_null() ? a.small_g : a.p_group) != kNone) {
      return;
    }
    last = &a;
    if (a.is_null()) {
      pos->any_null_ = true;
      null_keys.push_back(NullKey(a, id));
    } else {
      all_null = false;
      if (a.suffix != 0) any_variant = true;
      // Consecutive alleles mostly share their groups and serology (a
      // name such as A*02:01 is hundreds of alleles of one P group):
      // repeats of the last value are skipped before SortUnique, which
      // gives the same sets from far shorter vectors.
      PushNew(&pos->match_keys_,
              a.p_group != kNone ? a.p_group : (id | kAlleleKeyBit));
      // The expressed allele's G group (matcher_internal::ExpressedGGroup).
      if (a.g_group != kNone) PushNew(&pos->g_groups_, a.g_group);
      if (pos->antigens.empty()) {
        // The release keeps one record for a run of alleles with equal
        // rel_dna_ser rows: a record met just before adds nothing.
        if (a.serology != kNone && a.serology != last_serology) {
          last_serology = a.serology;
          const data::DnaSerology& s = ref.serology(a.serology);
          for (const data::SerologyList* l :
               {&s.unambiguous, &s.possible, &s.assumed, &s.expert}) {
            for (data::AntigenId x : l->antigens) PushNew(&pos->serology_, x);
          }
        }
      }
      if (locus == Locus::kDPB1) {
        const data::TceAssignment* t = ref.TceOf(id);
        absl::string_view g = t != nullptr ? t->v2.group : absl::string_view();
        // V2 groups are "1", "2", "2a", "3" ("0" is a null); "2a" is a
        // subgroup of 2 and compared as 2 (Crocchiolo 2009 defines groups
        // 1-3 only).
        if (!g.empty() && g[0] >= '1' && g[0] <= '9') {
          pos->tce_groups_.push_back(static_cast<uint8_t>(g[0] - '0'));
        } else {
          pos->tce_unknown_ = true;
        }
      }
    }
  };
  // A whole protein from its summary, as the walk above would gather it
  // allele by allele; DPB1 reads each allele's TCE group, so is walked.
  auto protein = [&](uint32_t, const data::ProteinAlleles& p) {
    if (locus == Locus::kDPB1) {
      for (AlleleId id = p.begin; id < p.end; ++id) allele(id);
      return;
    }
    last = nullptr;
    for (AlleleId id : p.suffixed) {
      const data::AlleleGroups& a = ref.groups(id);
      if (a.is_null()) {
        pos->any_null_ = true;
        null_keys.push_back(NullKey(a, id));
      } else {
        any_variant = true;
      }
    }
    if (!p.expressed) return;
    all_null = false;
    for (data::GroupId k : p.p_groups) PushNew(&pos->match_keys_, k);
    for (AlleleId id : p.without_p_group) PushNew(&pos->match_keys_, id | kAlleleKeyBit);
    for (data::GroupId g : p.g_groups) PushNew(&pos->g_groups_, g);
    if (pos->antigens.empty()) {
      for (data::AntigenId x : p.antigens) PushNew(&pos->serology_, x);
    }
  };
  matcher_internal::ForEachProtein(ref, pos->alleles, allele, protein);
  pos->all_null_ = pos->placeholder || all_null;
  if ((pos->any_null_ && !all_null) || any_variant) {
    bool null = false, variant = false;
    matcher_internal::AdmittedKinds(ref, *pos, &null, &variant);
    pos->admits_null_ = null && pos->any_null_ && !all_null;
    pos->admits_variant_ = variant;
  }
  if (all_null) {
    pos->match_keys_ = std::move(null_keys);
  } else if (pos->admits_null_) {
    pos->null_alternative_keys_ = std::move(null_keys);
    SortUnique(&pos->null_alternative_keys_);
  }
  if (!pos->antigens.empty()) pos->serology_ = pos->antigens;
  SortUnique(&pos->match_keys_);
  SortUnique(&pos->g_groups_);
  SortUnique(&pos->serology_);
  SortUnique(&pos->tce_groups_);
  // Confidence counts the P groups of the expressed members (Atlas: a null
  // in an allele list or a truncated name such as A*01:01, which covers
  // A*01:01:01:02N, does not make the typing span two P groups); an
  // all-null position counts its small-g groups.
  size_t expressed_keys = 0;
  for (uint32_t k : pos->match_keys_) expressed_keys += (k & kNullKeyBit) == 0;
  pos->p_group_count_ = static_cast<uint8_t>(std::min<size_t>(
      expressed_keys > 0 ? expressed_keys : pos->match_keys_.size(), 255));
}

absl::StatusOr<Genotype> BuildGenotype(const data::Reference& reference,
                                       const data::ResolvedTyping& typing) {
  Genotype g;
  Builder b{reference, &g, {}, {}};
  const ResolvedNode& root = typing.root;
  if (!root.is_leaf() && root.op == GlOp::kMultilocus) {
    for (size_t i = 0; i < root.children.size(); ++i) {
      HLA_RETURN_IF_ERROR(
          b.AddBlock(root.children[i], static_cast<int>(i)));
    }
  } else {
    HLA_RETURN_IF_ERROR(b.AddBlock(root, 0));
  }
  b.Finish();
  return g;
}

}  // namespace hla::matcher
