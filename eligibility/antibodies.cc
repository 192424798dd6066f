// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "eligibility/antibodies.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "data/protein.h"
#include "hla/allele_name.h"
#include "hla/locus.h"

namespace hla::eligibility {
namespace {


struct Specificity {
  bool allele_level = false;
  std::optional<Locus> locus;         // allele level
  Fields fields;                      // allele level
  char suffix = 0;                    // allele level
  data::AntigenId antigen = data::kNone;  // antigen level
};

// "dqw7" -> "DQ7", "cw7" / "C7" -> "Cw7", "dpw3" -> "DPw3", "bw4" -> "Bw4".
std::optional<std::string> NormalizeSerology(absl::string_view text) {
  size_t i = 0;
  while (i < text.size() && absl::ascii_isalpha(text[i])) ++i;
  absl::string_view letters = text.substr(0, i), digits = text.substr(i);
  if (letters.empty() || digits.empty()) return std::nullopt;
  for (char c : digits) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
  }
  const std::string up = absl::AsciiStrToUpper(letters);
  std::string prefix;
  if (up == "A" || up == "B") {
    prefix = up;
  } else if (up == "BW") {
    prefix = "Bw";
  } else if (up == "C" || up == "CW") {
    prefix = "Cw";
  } else if (up == "DR" || up == "DRW") {
    prefix = "DR";
  } else if (up == "DQ" || up == "DQW") {
    prefix = "DQ";
  } else if (up == "DP" || up == "DPW") {
    prefix = "DPw";
  } else {
    return std::nullopt;
  }
  return absl::StrCat(prefix, digits);
}

absl::StatusOr<Specificity> ResolveSpecificity(absl::string_view text,
                                               const data::Reference& ref) {
  absl::string_view t = absl::StripAsciiWhitespace(text);
  if (absl::StartsWithIgnoreCase(t, "HLA-")) t.remove_prefix(4);
  Specificity spec;
  if (absl::StrContains(t, '*')) {
    absl::StatusOr<AlleleName> name = ParseWhoName(t);
    if (!name.ok()) {
      return absl::NotFoundError(absl::StrCat(
          "antibody specificity '", text, "' is not an allele name"));
    }
    spec.allele_level = true;
    spec.locus = LocusFromName(name->locus);
    spec.fields = name->fields;
    spec.suffix = name->suffix;
    if (!spec.locus ||
        ref.AllelesWithPrefix(name->locus, spec.fields).empty()) {
      return absl::NotFoundError(
          absl::StrCat("antibody specificity '", text,
                       "' names no allele of IPD-IMGT/HLA ", ref.version()));
    }
    return spec;
  }
  std::optional<std::string> name = NormalizeSerology(t);
  std::optional<data::AntigenId> id;
  if (name) id = ref.FindAntigen(*name);
  if (!id) {
    return absl::NotFoundError(absl::StrCat(
        "antibody specificity '", text,
        "' is neither an allele name (A*02:01) nor an antigen of "
        "IPD-IMGT/HLA ",
        ref.version(), " (A2, B44, Cw7, DR52, DQ7)"));
  }
  spec.antigen = *id;
  return spec;
}

// Serological relation of rel_ser_ser.txt: same antigen, broad <-> split,
// associated <-> parent. Siblings (A23 vs A24) are not related: a bead of
// one split does not stand for the other.
bool Related(const data::Reference& ref, data::AntigenId x,
             data::AntigenId s) {
  if (x == s) return true;
  const data::Antigen& ax = ref.antigen(x);
  const data::Antigen& as = ref.antigen(s);
  return ax.broad == s || as.broad == x || ax.associated_with == s ||
         as.associated_with == x;
}

bool SerologyListCarries(const data::Reference& ref,
                         const data::SerologyList& list, data::AntigenId s) {
  for (data::AntigenId a : list.antigens) {
    if (Related(ref, a, s)) return true;
  }
  return false;
}

// Does allele `id` carry `spec`? For antigen level: one of its rel_dna_ser
// equivalents (the same columns CompilePosition uses) is related.
bool AlleleCarries(const data::Reference& ref, data::AlleleId id,
                   const Specificity& spec) {
  const data::Allele& a = ref.allele(id);
  if (spec.allele_level) {
    return FieldsHavePrefix(a.fields, spec.fields) &&
           (spec.suffix == 0 || spec.suffix == a.suffix);
  }
  if (a.is_null()) return false;
  const data::DnaSerology* ser = ref.SerologyOf(id);
  if (ser == nullptr) return false;
  return SerologyListCarries(ref, ser->unambiguous, spec.antigen) ||
         SerologyListCarries(ref, ser->possible, spec.antigen) ||
         SerologyListCarries(ref, ser->assumed, spec.antigen) ||
         SerologyListCarries(ref, ser->expert, spec.antigen);
}

bool HasSerology(const data::Reference& ref, data::AlleleId id) {
  const data::DnaSerology* ser = ref.SerologyOf(id);
  return ser != nullptr &&
         (!ser->unambiguous.antigens.empty() ||
          !ser->possible.antigens.empty() || !ser->assumed.antigens.empty() ||
          !ser->expert.antigens.empty());
}

// The recipient surely carries it: every expressed allele of the position
// does (for antigen level, every one that has a serological equivalent at
// all: a truncated name such as A*01:01 also stands for alleles that
// rel_dna_ser leaves blank or '?'), or, serology-only, every written
// antigen does. Null alleles carry nothing.
bool RecipientPositionCarries(const data::Reference& ref,
                              const matcher::PositionTyping& pos,
                              const Specificity& spec) {
  if (pos.serology_only()) {
    if (spec.allele_level) return false;
    for (data::AntigenId a : pos.antigens) {
      if (!Related(ref, a, spec.antigen)) return false;
    }
    return true;
  }
  int judged = 0;
  for (data::AlleleId id : pos.alleles) {
    if (ref.allele(id).is_null()) continue;
    if (!spec.allele_level && !HasSerology(ref, id)) continue;
    if (!AlleleCarries(ref, id, spec)) return false;
    ++judged;
  }
  return judged > 0;
}
}  // namespace

std::string FormatMfi(double mfi) {
  if (mfi == std::floor(mfi) && mfi < 1e15) {
    return absl::StrFormat("%.0f", mfi);
  }
  return absl::StrFormat("%g", mfi);
}

// ---- Antibodies

namespace {

// One item of an antibody list into its specificity and MFI text, in the
// ways they are written: "A2=3500" (the last '='); "A24 3500" or
// "A*02:01\t3500" (a single-antigen-bead export: the last word, when it is
// a number; a ':' just before it is dropped, "A24: 3500"); "A*02:01:3500"
// (the last ':'). False when the item has none of them.
bool SplitAntibodyItem(absl::string_view item, absl::string_view* spec,
                       absl::string_view* mfi) {
  size_t sep = item.rfind('=');
  if (sep == absl::string_view::npos) {
    const size_t space = item.find_last_of(" \t");
    double number;
    if (space != absl::string_view::npos &&
        absl::SimpleAtod(item.substr(space + 1), &number)) {
      absl::string_view head = absl::StripAsciiWhitespace(item.substr(0, space));
      absl::ConsumeSuffix(&head, ":");
      *spec = absl::StripAsciiWhitespace(head);
      *mfi = item.substr(space + 1);
      return true;
    }
    sep = item.rfind(':');
  }
  if (sep == absl::string_view::npos) return false;
  *spec = absl::StripAsciiWhitespace(item.substr(0, sep));
  *mfi = absl::StripAsciiWhitespace(item.substr(sep + 1));
  return true;
}

}  // namespace

absl::StatusOr<std::vector<Antibody>> ParseAntibodies(absl::string_view text) {
  std::vector<Antibody> out;
  // Specificity (upper case) -> its index in `out`: a second bead with the
  // same specificity raises its MFI, not the number of antibodies.
  absl::flat_hash_map<std::string, size_t> seen;
  for (absl::string_view item : absl::StrSplit(text, absl::ByAnyChar(",;\n\r"))) {
    item = absl::StripAsciiWhitespace(item);
    if (item.empty()) continue;
    absl::string_view spec, mfi;
    if (!SplitAntibodyItem(item, &spec, &mfi)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "antibody '", item,
          "' has no MFI: write SPECIFICITY:MFI or SPECIFICITY MFI, e.g. "
          "A2:3500, A2 3500 or A*02:01=3500"));
    }
    Antibody ab;
    ab.specificity = std::string(spec);
    if (ab.specificity.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("antibody '", item, "' has no specificity"));
    }
    if (!absl::SimpleAtod(mfi, &ab.mfi) || !std::isfinite(ab.mfi) ||
        ab.mfi < 0 || ab.mfi > kMaxDsaMfi) {
      return absl::InvalidArgumentError(
          absl::StrCat("antibody '", item, "': MFI '", mfi,
                       "' is not a number from 0 to ", kMaxDsaMfi));
    }
    const auto [it, added] =
        seen.emplace(absl::AsciiStrToUpper(ab.specificity), out.size());
    if (!added) {
      out[it->second].mfi = std::max(out[it->second].mfi, ab.mfi);
      continue;
    }
    if (out.size() == kMaxAntibodies) {
      return absl::InvalidArgumentError(absl::StrCat(
          "more than ", kMaxAntibodies,
          " distinct antibody specificities (the limit; a single-antigen "
          "bead panel has about 200)"));
    }
    out.push_back(std::move(ab));
  }
  return out;
}

absl::StatusOr<std::vector<Antibody>> ParseAntibodyTest(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (absl::EqualsIgnoreCase(text, "none")) return std::vector<Antibody>();
  absl::StatusOr<std::vector<Antibody>> abs = ParseAntibodies(text);
  if (abs.ok() && abs->empty()) {
    return absl::InvalidArgumentError(
        "the antibody list is empty; write 'none' for a recipient tested "
        "without anti-HLA antibodies, or leave it out when the recipient "
        "was not tested");
  }
  return abs;
}

absl::Status CheckAntibodies(const std::vector<Antibody>& antibodies,
                             const data::Reference& reference) {
  for (const Antibody& ab : antibodies) {
    absl::StatusOr<Specificity> s =
        ResolveSpecificity(ab.specificity, reference);
    if (!s.ok()) return s.status();
  }
  return absl::OkStatus();
}

// ---- The DSA rule

namespace {

// The public epitopes Bw4 and Bw6 as specificities (no allele carries them
// in the release; BwEpitopeOf reads them from the antigens).
enum class Epitope : uint8_t { kNone, kBw4, kBw6 };

Epitope EpitopeOfSpec(const Specificity& spec, const data::Reference& ref) {
  if (spec.allele_level) return Epitope::kNone;
  const absl::string_view name = ref.antigen(spec.antigen).name;
  if (name == "Bw4") return Epitope::kBw4;
  if (name == "Bw6") return Epitope::kBw6;
  return Epitope::kNone;
}

uint32_t LocusBit(Locus l) { return uint32_t{1} << static_cast<int>(l); }

// The loci a specificity can be on: its own locus (allele level); the loci
// of the alleles carrying the antigen, its splits or associated antigens;
// HLA-A and -B for Bw4, HLA-B for Bw6. 0 when none (an antigen no allele
// carries).
uint32_t LociOf(const Specificity& spec, const data::Reference& ref) {
  if (spec.allele_level) return spec.locus ? LocusBit(*spec.locus) : 0;
  switch (EpitopeOfSpec(spec, ref)) {
    case Epitope::kBw4:
      return LocusBit(Locus::kA) | LocusBit(Locus::kB);
    case Epitope::kBw6:
      return LocusBit(Locus::kB);
    case Epitope::kNone:
      break;
  }
  uint32_t mask = 0;
  auto add = [&](data::AntigenId id) {
    for (data::AlleleId a : ref.antigen(id).alleles) {
      const std::optional<Locus> l = ref.loci()[ref.allele(a).locus].locus;
      if (l) mask |= LocusBit(*l);
    }
  };
  const data::Antigen& a = ref.antigen(spec.antigen);
  add(spec.antigen);
  for (data::AntigenId s : a.splits) add(s);
  for (data::AntigenId s : a.associated) add(s);
  return mask;
}

std::string LociNames(uint32_t mask) {
  std::vector<std::string> names;
  for (Locus l : kAllLoci) {
    if (mask & LocusBit(l)) names.emplace_back(LocusName(l));
  }
  return absl::StrJoin(names, ", ");
}

// The serological antigens of one expressed allele (every rel_dna_ser
// column CompilePosition reads), or the written antigens of a serology
// typing.
std::vector<data::AntigenId> AntigensOf(const data::Reference& ref,
                                        data::AlleleId id) {
  std::vector<data::AntigenId> out;
  if (const data::DnaSerology* ser = ref.SerologyOf(id)) {
    for (const data::SerologyList* l :
         {&ser->unambiguous, &ser->possible, &ser->assumed, &ser->expert}) {
      out.insert(out.end(), l->antigens.begin(), l->antigens.end());
    }
  }
  return out;
}

// How one gene copy relates to a specificity.
struct Carriage {
  int carrying = 0;  // judged alleles (or written antigens) that carry it
  int judged = 0;    // alleles (antigens) the rule could read
  int unjudged = 0;  // expressed alleles it could not (no serology)
  data::AntigenId via = data::kNone;  // an antigen that carries it
  bool all() const { return judged > 0 && carrying == judged && unjudged == 0; }
  bool some() const { return carrying > 0; }
};

// Whether an antigen carries the Bw epitope `e`: yes, no, or unknown.
enum class Tri : uint8_t { kNo, kYes, kUnknown };
Tri AntigenCarriesEpitope(const data::Reference& ref, data::AntigenId id,
                          Epitope e) {
  const BwEpitope b = BwEpitopeOf(ref.antigen(id).name);
  switch (b) {
    case BwEpitope::kNone:
      return Tri::kNo;
    case BwEpitope::kBw4:
      return e == Epitope::kBw4 ? Tri::kYes : Tri::kNo;
    case BwEpitope::kBw6:
      return e == Epitope::kBw6 ? Tri::kYes : Tri::kNo;
    case BwEpitope::kMixed:
    case BwEpitope::kUnknown:
      return Tri::kUnknown;
  }
  return Tri::kUnknown;
}

// Whether an allele carries the Bw epitope `e` by its own sequence: the
// residues 77-83 the protein table reads (data/protein.h: Bw4 = 80 I or T
// with L82 R83, after Gumperz et al., J Immunol 1997;158:5237; Bw6 = HLA-B
// N80 R82 G83). This settles the alleles whose antigen's association the
// allele does not share (B*13:09 is Bw6 though B13 is Bw4; B*46:01 and
// B*73:01 carry the HLA-C-type helix, no Bw4). kUnknown when the release
// has no protein sequences or the motif is unclassified: the antigen rule
// (BwEpitopeOf) then answers.
Tri AlleleCarriesEpitope(const data::Reference& ref, data::AlleleId id,
                         Epitope e) {
  const data::ProteinTable* proteins = ref.proteins();
  if (proteins == nullptr) return Tri::kUnknown;
  switch (proteins->Of(id).bw) {
    case data::BwEpitope::kBw4_80I:
    case data::BwEpitope::kBw4_80T:
      return e == Epitope::kBw4 ? Tri::kYes : Tri::kNo;
    case data::BwEpitope::kBw6:
      return e == Epitope::kBw6 ? Tri::kYes : Tri::kNo;
    case data::BwEpitope::kNone:  // HLA-A without Bw4, HLA-C
    case data::BwEpitope::kNull:
      return Tri::kNo;
    case data::BwEpitope::kUnclassified:
    case data::BwEpitope::kUnknown:
      break;
  }
  return Tri::kUnknown;
}

// One allele's (or written antigen list's) answer for a specificity.
Tri AntigensCarry(const data::Reference& ref,
                  const std::vector<data::AntigenId>& antigens,
                  const Specificity& spec, data::AntigenId* via) {
  const Epitope e = EpitopeOfSpec(spec, ref);
  if (antigens.empty()) return Tri::kUnknown;
  if (e == Epitope::kNone) {
    for (data::AntigenId a : antigens) {
      if (Related(ref, a, spec.antigen)) {
        *via = a;
        return Tri::kYes;
      }
    }
    return Tri::kNo;
  }
  // An epitope: every equivalent must agree for a definite answer.
  bool yes = false, no = false;
  for (data::AntigenId a : antigens) {
    switch (AntigenCarriesEpitope(ref, a, e)) {
      case Tri::kYes:
        yes = true;
        *via = a;
        break;
      case Tri::kNo:
        no = true;
        break;
      case Tri::kUnknown:
        return Tri::kUnknown;
    }
  }
  return yes && no ? Tri::kUnknown : (yes ? Tri::kYes : Tri::kNo);
}

Carriage CopyCarries(const data::Reference& ref,
                     const matcher::PositionTyping& pos,
                     const Specificity& spec) {
  Carriage c;
  auto tally = [&](Tri t, data::AntigenId via) {
    switch (t) {
      case Tri::kYes:
        ++c.judged;
        ++c.carrying;
        if (c.via == data::kNone) c.via = via;
        break;
      case Tri::kNo:
        ++c.judged;
        break;
      case Tri::kUnknown:
        ++c.unjudged;
        break;
    }
  };
  if (pos.serology_only()) {
    if (spec.allele_level) return c;
    data::AntigenId via = data::kNone;
    const Tri t = AntigensCarry(ref, pos.antigens, spec, &via);
    tally(t, via);
    return c;
  }
  for (data::AlleleId id : pos.alleles) {
    if (ref.allele(id).is_null()) continue;  // expresses nothing
    if (spec.allele_level) {
      tally(AlleleCarries(ref, id, spec) ? Tri::kYes : Tri::kNo, data::kNone);
      continue;
    }
    if (EpitopeOfSpec(spec, ref) != Epitope::kNone) {
      const Tri by_sequence = AlleleCarriesEpitope(ref, id, EpitopeOfSpec(spec, ref));
      if (by_sequence != Tri::kUnknown) {
        tally(by_sequence, by_sequence == Tri::kYes ? spec.antigen : data::kNone);
        continue;
      }
    }
    data::AntigenId via = data::kNone;
    const Tri t = AntigensCarry(ref, AntigensOf(ref, id), spec, &via);
    tally(t, via);
  }
  return c;
}

// The recipient carries the specificity: every readable expressed allele
// of one of its copies does (RecipientPositionCarries; for an epitope,
// every allele definitely carries it).
bool RecipientCarries(const data::Reference& ref,
                      const matcher::Genotype& recipient, uint32_t loci,
                      const Specificity& spec) {
  for (Locus l : kAllLoci) {
    if (!(loci & LocusBit(l))) continue;
    const matcher::LocusTyping& lt = recipient.at(l);
    for (int i = 0; i < lt.typed_positions; ++i) {
      if (EpitopeOfSpec(spec, ref) != Epitope::kNone) {
        if (CopyCarries(ref, lt.pos[i], spec).all()) return true;
      } else if (RecipientPositionCarries(ref, lt.pos[i], spec)) {
        return true;
      }
    }
  }
  return false;
}

struct ResolvedAntibody {
  const Antibody* antibody = nullptr;
  Specificity spec;
  uint32_t loci = 0;
  bool recipient_carries = false;
};

std::vector<ResolvedAntibody> ResolveAll(const std::vector<Antibody>& abs,
                                         const matcher::Genotype& recipient,
                                         const data::Reference& ref) {
  std::vector<ResolvedAntibody> out;
  for (const Antibody& ab : abs) {
    absl::StatusOr<Specificity> spec = ResolveSpecificity(ab.specificity, ref);
    if (!spec.ok()) continue;
    ResolvedAntibody r;
    r.antibody = &ab;
    r.spec = *spec;
    r.loci = LociOf(*spec, ref);
    r.recipient_carries = RecipientCarries(ref, recipient, r.loci, *spec);
    out.push_back(std::move(r));
  }
  return out;
}

DsaFinding NewFinding(const Antibody& ab, DsaKind kind, double threshold) {
  DsaFinding f;
  f.specificity = ab.specificity;
  f.mfi = ab.mfi;
  f.kind = kind;
  f.at_or_above_threshold = ab.mfi >= threshold;
  return f;
}

std::string ViaName(const data::Reference& ref, const ResolvedAntibody& r,
                    data::AntigenId via) {
  if (r.spec.allele_level) return "allele";
  const Epitope e = EpitopeOfSpec(r.spec, ref);
  if (e != Epitope::kNone) return e == Epitope::kBw4 ? "Bw4" : "Bw6";
  return via == data::kNone ? std::string()
                            : std::string(ref.antigen(via).name);
}

// The findings of one antibody against one donor copy.
void CopyFindingsFrom(const data::Reference& ref, const ResolvedAntibody& r,
                      const matcher::Genotype& recipient, Locus locus,
                      const matcher::PositionTyping& copy, double threshold,
                      const Carriage& c, std::vector<DsaFinding>* out);

void CopyFindings(const data::Reference& ref, const ResolvedAntibody& r,
                  const matcher::Genotype& recipient, Locus locus,
                  const matcher::PositionTyping& copy, double threshold,
                  std::vector<DsaFinding>* out) {
  CopyFindingsFrom(ref, r, recipient, locus, copy, threshold,
                   CopyCarries(ref, copy, r.spec), out);
}

// CopyFindings with the copy's carriage given (CopyDsaFinder::FindInRanges
// adds it up from its tables).
void CopyFindingsFrom(const data::Reference& ref, const ResolvedAntibody& r,
                      const matcher::Genotype& recipient, Locus locus,
                      const matcher::PositionTyping& copy, double threshold,
                      const Carriage& c, std::vector<DsaFinding>* out) {
  const Antibody& ab = *r.antibody;
  const bool above = ab.mfi >= threshold;
  // What the antibody is called in messages: the release's antigen name
  // ("DQ7" for "DQw7"), or the allele name as written.
  const std::string antigen_name =
      r.spec.allele_level ? ab.specificity
                          : std::string(ref.antigen(r.spec.antigen).name);
  if (!c.some()) {
    // Nothing read carries it; when nothing could be read, say so.
    if (above && !r.recipient_carries && c.unjudged > 0 && c.judged == 0) {
      DsaFinding f = NewFinding(ab, DsaKind::kUncheckable, threshold);
      f.donor_allele = copy.text;
      f.why = absl::StrCat("IPD-IMGT/HLA ", ref.version(),
                           " gives no serological equivalent from which to "
                           "read ",
                           r.spec.allele_level ? ab.specificity : antigen_name,
                           " for donor ", copy.text);
      out->push_back(std::move(f));
    }
    return;
  }
  DsaFinding f = NewFinding(ab, c.all() ? DsaKind::kDsa : DsaKind::kPossible,
                            threshold);
  f.donor_allele = copy.text;
  f.via = ViaName(ref, r, c.via);
  if (r.recipient_carries) {
    // Not donor-specific, unless a broad antibody meets two splits.
    const bool other_split =
        !r.spec.allele_level && EpitopeOfSpec(r.spec, ref) == Epitope::kNone &&
        c.via != data::kNone && c.via != r.spec.antigen &&
        !RecipientCarries(ref, recipient, LocusBit(locus),
                          Specificity{false, std::nullopt, {}, 0, c.via});
    if (!other_split) {
      if (!above) return;
      f.kind = DsaKind::kSelf;
      f.why = absl::StrCat("the recipient carries ",
                           r.spec.allele_level ? ab.specificity : antigen_name,
                           " too: not donor-specific (an autoantibody or a "
                           "false positive; ask the laboratory)");
      out->push_back(std::move(f));
      return;
    }
    f.kind = DsaKind::kPossible;
    f.why = absl::StrCat("the recipient carries ", antigen_name,
                         " through another antigen than the donor's ",
                         f.via, ": the antibody may be against ", f.via,
                         "; check the single-antigen bead for ", f.via);
    out->push_back(std::move(f));
    return;
  }
  if (f.kind == DsaKind::kPossible) {
    f.why = absl::StrCat("some alleles of donor ", copy.text, " carry ",
                         r.spec.allele_level ? ab.specificity
                                             : (f.via.empty() ? antigen_name
                                                              : f.via),
                         ", others do not: a higher-resolution typing "
                         "decides");
  }
  out->push_back(std::move(f));
}

}  // namespace

absl::string_view DsaKindName(DsaKind kind) {
  switch (kind) {
    case DsaKind::kDsa:
      return "dsa";
    case DsaKind::kPossible:
      return "possible";
    case DsaKind::kUntypedLocus:
      return "untyped_locus";
    case DsaKind::kUncheckable:
      return "uncheckable";
    case DsaKind::kSelf:
      return "self";
  }
  return "dsa";
}

std::vector<DsaFinding> FindDsaForCopy(const std::vector<Antibody>& antibodies,
                                       const matcher::Genotype& recipient,
                                       Locus locus,
                                       const matcher::PositionTyping& copy,
                                       const data::Reference& reference,
                                       double threshold) {
  std::vector<DsaFinding> out;
  for (const ResolvedAntibody& r :
       ResolveAll(antibodies, recipient, reference)) {
    if (!(r.loci & LocusBit(locus))) continue;
    CopyFindings(reference, r, recipient, locus, copy, threshold, &out);
  }
  return out;
}

struct CopyDsaFinder::Impl {
  const matcher::Genotype* recipient;
  const data::Reference* reference;
  double threshold;
  std::vector<ResolvedAntibody> resolved;
  uint32_t loci = 0;  // every resolved antibody's loci
  // Per resolved antibody, CopyCarries' tally allele by allele as prefix
  // sums over allele ids (entry i: alleles below i; null alleles count
  // nothing, as CopyCarries skips them), and the first carrying allele at
  // or after each id with the antigen it carries through: the tally of a
  // run of ids is then two subtractions (FindInRanges).
  struct Table {
    std::vector<int32_t> carrying, judged, unjudged;  // size alleles + 1
    std::vector<uint32_t> next;                      // size alleles + 1
    std::vector<data::AntigenId> via;                // by allele id
  };
  std::vector<Table> tables;  // parallel to resolved; empty without ranges
};

CopyDsaFinder::CopyDsaFinder(const std::vector<Antibody>& antibodies,
                             const matcher::Genotype& recipient,
                             const data::Reference& reference,
                             double threshold, bool ranges)
    : impl_(std::make_unique<Impl>()) {
  impl_->recipient = &recipient;
  impl_->reference = &reference;
  impl_->threshold = threshold;
  impl_->resolved = ResolveAll(antibodies, recipient, reference);
  for (const ResolvedAntibody& r : impl_->resolved) impl_->loci |= r.loci;
  if (!ranges) return;
  const size_t n = reference.alleles().size();
  for (const ResolvedAntibody& r : impl_->resolved) {
    Impl::Table t;
    t.carrying.assign(n + 1, 0);
    t.judged.assign(n + 1, 0);
    t.unjudged.assign(n + 1, 0);
    t.next.assign(n + 1, static_cast<uint32_t>(n));
    t.via.assign(n, data::kNone);
    for (data::AlleleId id = 0; id < n; ++id) {
      int carrying = 0, judged = 0, unjudged = 0;
      const data::Allele& a = reference.allele(id);
      const std::optional<Locus> l = reference.loci()[a.locus].locus;
      // Only the antibody's loci: a copy at another locus is never asked.
      if (!a.is_null() && l && (r.loci & LocusBit(*l)) != 0) {
        // One allele, as CopyCarries tallies it.
        matcher::PositionTyping one;
        one.alleles = {id};
        const Carriage c = CopyCarries(reference, one, r.spec);
        carrying = c.carrying;
        judged = c.judged;
        unjudged = c.unjudged;
        t.via[id] = c.via;
      }
      t.carrying[id + 1] = t.carrying[id] + carrying;
      t.judged[id + 1] = t.judged[id] + judged;
      t.unjudged[id + 1] = t.unjudged[id] + unjudged;
      if (carrying > 0) t.next[id] = id;
    }
    for (size_t id = n; id-- > 0;) {
      if (t.next[id] == n) t.next[id] = t.next[id + 1];
    }
    impl_->tables.push_back(std::move(t));
  }
}

std::vector<DsaFinding> CopyDsaFinder::FindInRanges(
    Locus locus, const matcher::PositionTyping& copy,
    absl::Span<const uint32_t> ranges) const {
  std::vector<DsaFinding> out;
  const Impl& m = *impl_;
  for (size_t k = 0; k < m.resolved.size(); ++k) {
    const ResolvedAntibody& r = m.resolved[k];
    if (!(r.loci & LocusBit(locus))) continue;
    if (copy.serology_only() || m.tables.empty()) {
      // Written antigens are read as written (the alleles are not).
      CopyFindings(*m.reference, r, *m.recipient, locus, copy, m.threshold,
                   &out);
      continue;
    }
    const Impl::Table& t = m.tables[k];
    Carriage c;
    for (size_t i = 0; i + 1 < ranges.size(); i += 2) {
      const uint32_t b = ranges[i], e = ranges[i + 1];
      c.carrying += t.carrying[e] - t.carrying[b];
      c.judged += t.judged[e] - t.judged[b];
      c.unjudged += t.unjudged[e] - t.unjudged[b];
      if (c.via == data::kNone && t.next[b] < e) c.via = t.via[t.next[b]];
    }
    CopyFindingsFrom(*m.reference, r, *m.recipient, locus, copy, m.threshold,
                     c, &out);
  }
  return out;
}

CopyDsaFinder::~CopyDsaFinder() = default;

bool CopyDsaFinder::AnyAt(Locus locus) const {
  return (impl_->loci & LocusBit(locus)) != 0;
}

std::vector<DsaFinding> CopyDsaFinder::Find(
    Locus locus, const matcher::PositionTyping& copy) const {
  std::vector<DsaFinding> out;
  for (const ResolvedAntibody& r : impl_->resolved) {
    if (!(r.loci & LocusBit(locus))) continue;
    CopyFindings(*impl_->reference, r, *impl_->recipient, locus, copy,
                 impl_->threshold, &out);
  }
  return out;
}

uint32_t TypedLociMask(const matcher::Genotype& genotype) {
  uint32_t mask = 0;
  for (Locus l : kAllLoci) {
    if (genotype.at(l).typed_positions > 0) mask |= LocusBit(l);
  }
  return mask;
}

std::vector<uint32_t> AntibodyLociMasks(const std::vector<Antibody>& antibodies,
                                        const matcher::Genotype& recipient,
                                        const data::Reference& reference,
                                        double threshold) {
  std::vector<uint32_t> out;
  for (const ResolvedAntibody& r :
       ResolveAll(antibodies, recipient, reference)) {
    if (r.antibody->mfi < threshold || r.recipient_carries || r.loci == 0) {
      continue;
    }
    out.push_back(r.loci);
  }
  return out;
}

std::vector<DsaFinding> FindDsaForAntibodies(
    const std::vector<Antibody>& antibodies, const matcher::Genotype& recipient,
    uint32_t donor_typed_loci, const data::Reference& reference,
    double threshold) {
  std::vector<DsaFinding> out;
  for (const ResolvedAntibody& r :
       ResolveAll(antibodies, recipient, reference)) {
    const Antibody& ab = *r.antibody;
    if (ab.mfi < threshold || r.recipient_carries) continue;
    if (r.loci == 0) {
      DsaFinding f = NewFinding(ab, DsaKind::kUncheckable, threshold);
      f.why = absl::StrCat("IPD-IMGT/HLA ", reference.version(),
                           " assigns no allele to ",
                           reference.antigen(r.spec.antigen).name,
                           ": no typing shows it; check the donor by hand");
      out.push_back(std::move(f));
      continue;
    }
    const uint32_t untyped = r.loci & ~donor_typed_loci;
    if (untyped == 0) continue;
    DsaFinding f = NewFinding(ab, DsaKind::kUntypedLocus, threshold);
    f.donor_allele = LociNames(untyped);
    f.why = absl::StrCat("the donor is not typed at ", f.donor_allele,
                         ": a DSA cannot be excluded; type the donor at ",
                         f.donor_allele);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<DsaFinding> FindDsa(const std::vector<Antibody>& antibodies,
                                const matcher::Genotype& recipient,
                                const matcher::Genotype& donor,
                                const data::Reference& reference,
                                double threshold) {
  std::vector<DsaFinding> out;
  const std::vector<ResolvedAntibody> resolved =
      ResolveAll(antibodies, recipient, reference);
  for (Locus locus : kAllLoci) {
    const matcher::LocusTyping& d = donor.at(locus);
    for (int i = 0; i < d.typed_positions; ++i) {
      // A homozygous donor written twice is one copy's findings.
      if (i == 1 && d.pos[1].text == d.pos[0].text) continue;
      for (const ResolvedAntibody& r : resolved) {
        if (!(r.loci & LocusBit(locus))) continue;
        CopyFindings(reference, r, recipient, locus, d.pos[i], threshold,
                     &out);
      }
    }
  }
  std::vector<DsaFinding> per_antibody = FindDsaForAntibodies(
      antibodies, recipient, TypedLociMask(donor), reference, threshold);
  out.insert(out.end(), per_antibody.begin(), per_antibody.end());
  return out;
}

BwEpitope BwEpitopeOf(absl::string_view name) {
  // Marsh et al. 2010 (see the header): the Bw4- and Bw6-associated
  // serological specificities.
  static constexpr absl::string_view kBw4[] = {
      "A9",   "A23",  "A24",  "A2403", "A25",  "A32",  "B5",   "B5102",
      "B5103", "B13", "B17",  "B27",   "B37",  "B38",  "B44",  "B47",
      "B49",  "B51",  "B52",  "B53",   "B57",  "B58",  "B59",  "B63",
      "B77"};
  static constexpr absl::string_view kBw6[] = {
      "B7",   "B703", "B8",   "B14",  "B18",  "B22",  "B2708", "B35",
      "B39",  "B3901", "B3902", "B40", "B4005", "B41", "B42",   "B45",
      "B46",  "B48",  "B50",  "B54",  "B55",  "B56",  "B60",   "B61",
      "B62",  "B64",  "B65",  "B67",  "B70",  "B71",  "B72",   "B73",
      "B75",  "B76",  "B78",  "B81",  "B82"};
  // Broads whose splits differ.
  static constexpr absl::string_view kMixed[] = {"A10", "A19", "B12",
                                                 "B15", "B16", "B21"};
  for (absl::string_view n : kBw4) {
    if (n == name) return BwEpitope::kBw4;
  }
  for (absl::string_view n : kBw6) {
    if (n == name) return BwEpitope::kBw6;
  }
  for (absl::string_view n : kMixed) {
    if (n == name) return BwEpitope::kMixed;
  }
  // Other HLA-A antigens carry neither epitope; any other HLA-B antigen is
  // not in the lists.
  if (absl::StartsWith(name, "A")) return BwEpitope::kNone;
  return BwEpitope::kUnknown;
}

std::string AntigenNameOf(const Antibody& antibody,
                          const data::Reference& reference) {
  absl::StatusOr<Specificity> spec =
      ResolveSpecificity(antibody.specificity, reference);
  if (!spec.ok() || spec->allele_level) return antibody.specificity;
  return std::string(reference.antigen(spec->antigen).name);
}

}  // namespace hla::eligibility
