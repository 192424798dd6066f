// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "validation/family_agreement.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "family/family.h"
#include "hla/status_macros.h"
#include "matcher/match.h"
#include "parser/parse.h"
#include "registry/donor_file.h"
#include "registry/family_file.h"
#include "synth/synth.h"

namespace hla::validation {
namespace {

using family::FamilyResult;
using family::MemberResult;
using KeySets = std::vector<std::vector<uint32_t>>;  // per locus

// The ARD-level view of the truth's typings: the match keys (P group;
// null alleles: small-g) that segregation compares, read the way the
// family-file reader reads a typing. Each 2-field name is looked up once.
class ArdKeys {
 public:
  explicit ArdKeys(const data::ReferenceData& rd)
      : ref_(rd.reference), resolver_(rd.reference, rd.macs) {}

  const data::Resolver& resolver() const { return resolver_; }

  // Per locus, the keys of one '~' haplotype of 2-field names
  // ("A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01").
  KeySets OfHaplotype(absl::string_view hap) {
    KeySets out;
    for (absl::string_view name : absl::StrSplit(hap, '~')) {
      const std::string allele(name);
      auto it = cache_.find(allele);
      if (it == cache_.end()) {
        std::vector<uint32_t> keys;
        absl::StatusOr<matcher::Genotype> g = Genotype(allele);
        if (g.ok()) {
          for (const matcher::LocusTyping& t : g->loci) {
            if (t.typed_positions > 0) keys = t.pos[0].match_keys();
          }
        }
        it = cache_.emplace(allele, std::move(keys)).first;
      }
      out.push_back(it->second);
    }
    return out;
  }

  // Whether the two '~' haplotypes of a phased typing are alike (share a
  // key) at every typed locus: then no method can tell which one a child
  // received.
  bool HaplotypesAlike(const std::string& phased) const {
    absl::StatusOr<matcher::Genotype> g = Genotype(phased);
    if (!g.ok()) return false;
    for (Locus l : {Locus::kA, Locus::kC, Locus::kB, Locus::kDRB1,
                    Locus::kDQB1}) {
      const matcher::LocusTyping& t = g->at(l);
      if (t.typed_positions < 2) continue;
      if (!Intersect(t.pos[0].match_keys(), t.pos[1].match_keys())) return false;
    }
    return true;
  }

  static bool Intersect(const std::vector<uint32_t>& x,
                        const std::vector<uint32_t>& y) {
    for (uint32_t k : x) {
      for (uint32_t j : y) {
        if (k == j) return true;
      }
    }
    return false;
  }

  // Alike at every locus.
  static bool Same(const KeySets& x, const KeySets& y) {
    if (x.size() != y.size()) return false;
    for (size_t l = 0; l < x.size(); ++l) {
      if (!Intersect(x[l], y[l])) return false;
    }
    return true;
  }

 private:
  absl::StatusOr<matcher::Genotype> Genotype(const std::string& text) const {
    HLA_ASSIGN_OR_RETURN(GlString gl, parser::ParseGlString(text));
    HLA_ASSIGN_OR_RETURN(data::ResolvedTyping t, resolver_.Resolve(gl));
    return matcher::BuildGenotype(*ref_, t);
  }

  std::shared_ptr<const data::Reference> ref_;
  data::Resolver resolver_;
  std::map<std::string, std::vector<uint32_t>> cache_;
};

// One person's ground truth (synth's truth columns), and whether the
// typing written for the person is at low resolution (an allele list or
// XX), which can hide what the truth shows.
struct Truth {
  std::string role, shared, recombinant, phased, labels;
  bool low_res = false;
};

// One generated family's truth, and what the comparisons ask of it.
struct TruthFamily {
  std::map<std::string, Truth> members;  // by id
  bool low_res = false;  // some member's typing is at low resolution
  bool recombinant = false, has_father = false, has_mother = false;
  int sibship = 0;  // the patient and the siblings
  Truth father, mother, patient;  // empty when absent
};

// Reads the truth columns of the rows synth wrote for one family.
TruthFamily ParseTruth(const std::string& text) {
  const std::vector<std::string>& cols = synth::Synthesizer::Columns();
  auto col = [&](absl::string_view name) {
    for (size_t i = 0; i < cols.size(); ++i) {
      if (cols[i] == name) return i;
    }
    return cols.size();
  };
  const size_t c_id = col("id"), c_role = col("role"),
               c_shared = col("truth_shared_with_patient"),
               c_rec = col("truth_recombinant"),
               c_phased = col("glstring_phased"), c_gl = col("glstring"),
               c_labels = col("truth_haplotypes");
  TruthFamily fam;
  const std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (size_t i = 1; i < lines.size(); ++i) {  // line 0: the header
    if (lines[i].empty()) continue;
    const std::vector<std::string> v = absl::StrSplit(lines[i], ',');
    Truth t = {v[c_role], v[c_shared], v[c_rec], v[c_phased], v[c_labels]};
    t.low_res = v[c_gl].find('/') != std::string::npos ||
                v[c_gl].find("XX") != std::string::npos;
    fam.members[v[c_id]] = t;
    fam.low_res = fam.low_res || t.low_res;
    fam.recombinant = fam.recombinant || t.recombinant == "yes";
    if (t.role == "father") {
      fam.has_father = true;
      fam.father = t;
    } else if (t.role == "mother") {
      fam.has_mother = true;
      fam.mother = t;
    } else if (t.role == "patient") {
      fam.patient = t;
    }
    if (t.role == "patient" || t.role == "sibling") ++fam.sibship;
  }
  return fam;
}

enum class Visibility { kInvisible, kLowResolution, kVisible };

// Whether the true haplotypes show the crossover that made person t's
// haplotype on `side`; if they do, whether the typings as written do too:
// the person's or the parent's typing at low resolution may not tell the
// mosaic from the parent's haplotypes (DRB1*04:XX covers 04:01 and 04:07).
Visibility CrossoverVisibility(const Truth& t,
                               const std::vector<std::string>& labels,
                               const std::vector<std::string>& haps, int side,
                               const TruthFamily& fam, ArdKeys* keys) {
  if (labels[side].find('/') == std::string::npos) {
    return Visibility::kInvisible;
  }
  // A half-sibling's other parent is not in the file: a crossover on that
  // side is just another haplotype.
  if ((t.role == "maternal_half_sibling" && side == 0) ||
      (t.role == "paternal_half_sibling" && side == 1)) {
    return Visibility::kInvisible;
  }
  const Truth* parent = nullptr;
  if (t.role != "child") {
    parent = side == 0 ? &fam.father : &fam.mother;
  } else if (labels[side].find_first_of("efghijklmnopqrstuvw") ==
             std::string::npos) {
    // Not from an untyped partner (e|f, g|h, ...: synth's partner letters).
    parent = &fam.patient;
  }
  // An untyped parent absorbs a mosaic as just another haplotype (and
  // leaves the patient's phase open): both must be typed.
  if (parent == nullptr || parent->phased.empty() || !fam.has_father ||
      !fam.has_mother) {
    return Visibility::kInvisible;
  }
  const std::vector<std::string> ph = absl::StrSplit(parent->phased, '+');
  if (ph.size() != 2) return Visibility::kInvisible;
  const KeySets mosaic = keys->OfHaplotype(haps[side]);
  bool shows = true;
  if (t.role != "child") {
    shows = !ArdKeys::Same(mosaic, keys->OfHaplotype(ph[0])) &&
            !ArdKeys::Same(mosaic, keys->OfHaplotype(ph[1]));
  } else {
    // The untyped partner can supply either allele at a locus: the
    // crossover shows only if neither of the patient's haplotypes is
    // carried whole (one allele per locus) by the child.
    const KeySets other = keys->OfHaplotype(haps[1 - side]);
    for (int h = 0; h < 2; ++h) {
      const KeySets p = keys->OfHaplotype(ph[h]);
      bool whole = true;
      for (size_t l = 0; l < p.size() && l < mosaic.size(); ++l) {
        whole = whole && (ArdKeys::Intersect(p[l], mosaic[l]) ||
                          ArdKeys::Intersect(p[l], other[l]));
      }
      shows = shows && !whole;
    }
  }
  if (!shows) return Visibility::kInvisible;
  return t.low_res || parent->low_res ? Visibility::kLowResolution
                                      : Visibility::kVisible;
}

// A family with recombination: whether segregation flagged it, and for
// each recombinant person whether the crossover was visible and flagged.
void CountRecombinants(const TruthFamily& fam, const FamilyResult& r,
                       ArdKeys* keys, FamilyAgreement* a) {
  ++a->recombinant_families;
  bool flagged = false;
  for (const MemberResult& m : r.members) {
    flagged = flagged || m.recombinant || m.inconsistent || !m.flags.empty();
  }
  a->recombinant_flagged += flagged;
  for (const auto& [id, t] : fam.members) {
    if (t.recombinant != "yes") continue;
    const std::vector<std::string> labels = absl::StrSplit(t.labels, '|');
    const std::vector<std::string> haps = absl::StrSplit(t.phased, '+');
    Visibility v = Visibility::kInvisible;
    for (int side = 0; side < 2 && labels.size() == 2 && haps.size() == 2;
         ++side) {
      v = std::max(v, CrossoverVisibility(t, labels, haps, side, fam, keys));
    }
    if (v == Visibility::kInvisible) {
      ++a->invisible_recombinants;
      continue;
    }
    if (v == Visibility::kLowResolution) {
      ++a->low_resolution_recombinants;
      a->low_resolution_flagged_family += flagged;
      continue;
    }
    ++a->visible_recombinants;
    a->visible_flagged_family += flagged;
    if (!flagged) {
      a->unflagged_crossovers.push_back(absl::StrCat(
          r.family_id, ": the crossover in ", id, " is not flagged"));
    }
    const MemberResult* m = r.Find(id);
    if (m != nullptr && (m->recombinant || !m->flags.empty())) {
      ++a->visible_flagged_person;
    }
  }
}

// Whether half-sibling t's haplotype from its other parent is alike, at ARD
// level, to one of the shared parent's: it then carries both of them.
bool HalfSiblingCarriesBoth(const TruthFamily& fam, const Truth& t,
                            ArdKeys* keys) {
  const bool maternal = t.role == "maternal_half_sibling";
  if (!maternal && t.role != "paternal_half_sibling") return false;
  const std::vector<std::string> mine = absl::StrSplit(t.phased, '+');
  const Truth& parent = maternal ? fam.mother : fam.father;
  const std::vector<std::string> ph = absl::StrSplit(parent.phased, '+');
  if (mine.size() != 2 || ph.size() != 2) return false;
  const KeySets other = keys->OfHaplotype(mine[maternal ? 0 : 1]);
  return ArdKeys::Same(other, keys->OfHaplotype(ph[0])) ||
         ArdKeys::Same(other, keys->OfHaplotype(ph[1]));
}

// Files an undetermined relative of a family without recombination under
// the first reason that applies; the last two are violations.
void CountUndetermined(const TruthFamily& fam, const MemberResult& m,
                       ArdKeys* keys, FamilyAgreement* a) {
  ++a->undetermined;
  if (m.likely_shared) {
    ++a->und_likely_given;
    a->und_likely_right +=
        absl::StrCat(*m.likely_shared) == fam.members.at(m.id).shared;
  }
  if (m.inconsistent) {
    ++a->und_unexplained;
    a->violations.push_back(absl::StrCat(
        m.id, ": unexplained without recombination: ", m.basis));
  } else if (!fam.has_father && !fam.has_mother && fam.sibship < 3) {
    ++a->und_both_parents_missing_few_children;
  } else if (!fam.has_father || !fam.has_mother) {
    ++a->und_one_parent_missing;
  } else if (keys->HaplotypesAlike(fam.father.phased) ||
             keys->HaplotypesAlike(fam.mother.phased)) {
    ++a->und_parent_haplotypes_alike;
  } else if (fam.low_res) {
    ++a->und_low_resolution;
  } else if (HalfSiblingCarriesBoth(fam, fam.members.at(m.id), keys)) {
    ++a->und_half_sibling_carries_both;
  } else {
    ++a->und_no_reason;
    a->violations.push_back(absl::StrCat(
        m.id, ": undetermined with both parents typed: ", m.basis));
  }
}

// The number of the patient's haplotypes that relative t carries alike at
// ARD level, the better of the two pairings of their haplotypes: what
// shared_as_typed claims for a sibling. -1 when the truth has no phase.
int TruthSharedAsTyped(const TruthFamily& fam, const Truth& t, ArdKeys* keys) {
  const std::vector<std::string> mine = absl::StrSplit(t.phased, '+');
  const std::vector<std::string> his = absl::StrSplit(fam.patient.phased, '+');
  if (mine.size() != 2 || his.size() != 2) return -1;
  auto alike = [&](int s, int u) {
    return ArdKeys::Same(keys->OfHaplotype(mine[s]), keys->OfHaplotype(his[u]))
               ? 1
               : 0;
  };
  return std::max(alike(0, 0) + alike(1, 1), alike(0, 1) + alike(1, 0));
}

// A relative whose count is given at the typed resolution only.
void CountAsTyped(const TruthFamily& fam, const Truth& t,
                  const MemberResult& m, ArdKeys* keys, FamilyAgreement* a) {
  ++a->as_typed;
  const int truth = TruthSharedAsTyped(fam, t, keys);
  if (truth == *m.shared_as_typed) {
    ++a->as_typed_right;
  } else if (fam.low_res) {
    ++a->as_typed_low_resolution;
  } else {
    ++a->as_typed_wrong;
    a->violations.push_back(absl::StrCat(
        m.id, ": shared as typed ", *m.shared_as_typed, ", truth as typed ",
        truth, " (", m.basis, ")"));
  }
}

// Compares each relative's proven count with the truth.
void CountRelatives(const TruthFamily& fam, const FamilyResult& r,
                    ArdKeys* keys, FamilyAgreement* a) {
  for (const auto& [id, t] : fam.members) {
    if (t.role == "patient") continue;
    const MemberResult* m = r.Find(id);
    if (m == nullptr) {
      a->errors.push_back(absl::StrCat(id, ": no result"));
      continue;
    }
    const std::string got = m->shared ? absl::StrCat(*m->shared) : "";
    if (fam.recombinant) {
      ++a->recombinant_relatives;
      if (got == t.shared) {
        ++a->recombinant_relatives_agree;
      } else if (got.empty()) {
        ++a->recombinant_relatives_undetermined;
      } else {
        ++a->recombinant_relatives_differ;
      }
      continue;
    }
    ++a->relatives;
    const bool half = absl::EndsWith(t.role, "half_sibling");
    a->half_siblings += half;
    if (got == t.shared) {
      ++a->agree;
      a->half_siblings_agree += half;
    } else if (!got.empty()) {
      ++a->wrong;
      a->violations.push_back(absl::StrCat(id, ": shared ", got, ", truth ",
                                           t.shared, " (", m->basis, ")"));
    } else if (m->shared_as_typed) {
      CountAsTyped(fam, t, *m, keys, a);
    } else {
      CountUndetermined(fam, *m, keys, a);
      a->half_siblings_undetermined += half;
    }
  }
}

// Family f: generated, read as a family file, segregated, compared.
void MeasureOne(const synth::Synthesizer& synth, uint64_t f,
                bool unnamed_partners, ArdKeys* keys, FamilyAgreement* a) {
  std::string text;
  synth.AppendHeader(&text);
  synth.AppendFamily(f, &text, nullptr);
  std::istringstream in(text);
  absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> reader =
      registry::DonorFileReader::FromStream(&in, "synth.csv", &keys->resolver());
  if (!reader.ok()) {
    a->errors.push_back(
        absl::StrCat("family ", f, ": ", reader.status().message()));
    return;
  }
  const absl::StatusOr<registry::FamilyFile> file =
      registry::ReadFamilyFile(reader->get(), "synth");
  if (!file.ok() || !file->errors.empty() || file->families.size() != 1) {
    a->errors.push_back(absl::StrCat("family ", f, ": not read"));
    return;
  }
  registry::FamilyRows rows = file->families[0];
  if (unnamed_partners) {
    for (family::FamilyMember& m : rows.members) m.other_parent.clear();
  }
  const absl::StatusOr<FamilyResult> r =
      family::Segregate(rows.family_id, rows.members, {});
  if (!r.ok()) {
    a->errors.push_back(std::string(r.status().message()));
    return;
  }
  ++a->families;
  const TruthFamily fam = ParseTruth(text);
  if (fam.recombinant) CountRecombinants(fam, *r, keys, a);
  CountRelatives(fam, *r, keys, a);
}

}  // namespace

absl::StatusOr<AgreementData> LoadAgreementData(const data::DataPaths& paths) {
  AgreementData d;
  HLA_ASSIGN_OR_RETURN(d.reference, data::LoadReferenceData("", "", paths));
  HLA_ASSIGN_OR_RETURN(const std::string root, data::FindDataRoot(paths));
  HLA_ASSIGN_OR_RETURN(
      d.freqs, data::HaplotypeFrequencies::Load(
                   absl::StrCat(root, "/",
                                data::HaplotypeFrequencies::kShippedRelativePath),
                   *d.reference.reference));
  return d;
}

absl::StatusOr<FamilyAgreement> MeasureFamilyAgreement(
    const AgreementData& data, const AgreementOptions& options) {
  synth::SynthOptions o;
  o.families = options.families;
  o.seed = options.seed;
  o.recombination_rate = options.recombination_rate;
  o.other_partner_rate = options.other_partner_rate;
  o.half_sibling_rate = options.half_sibling_rate;
  HLA_ASSIGN_OR_RETURN(std::unique_ptr<const synth::Synthesizer> synth,
                       synth::Synthesizer::Create(data.reference.reference,
                                                  data.reference.macs,
                                                  data.freqs, o));
  ArdKeys keys(data.reference);
  FamilyAgreement a;
  for (uint64_t f = 0; f < options.families; ++f) {
    MeasureOne(*synth, f, options.unnamed_partners, &keys, &a);
  }
  return a;
}

}  // namespace hla::validation
