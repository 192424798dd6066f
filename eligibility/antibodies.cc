// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "eligibility/antibodies.h"

#include <cmath>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "hla/allele_name.h"

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

// True when some allele of the release carries the antigen, directly or
// through one of its splits or associated antigens (what a donor typing
// can be found to carry).
bool AntigenHasAlleles(const data::Reference& ref, data::AntigenId id) {
  const data::Antigen& a = ref.antigen(id);
  if (!a.alleles.empty()) return true;
  for (data::AntigenId s : a.splits) {
    if (!ref.antigen(s).alleles.empty()) return true;
  }
  for (data::AntigenId s : a.associated) {
    if (!ref.antigen(s).alleles.empty()) return true;
  }
  return false;
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

// The donor may carry it: some allele (or written antigen) does. Returns
// the antigen that made the match for antigen level (kNone otherwise).
bool DonorPositionCarries(const data::Reference& ref,
                          const matcher::PositionTyping& pos, const Specificity& spec,
                          data::AntigenId* via) {
  *via = data::kNone;
  if (spec.allele_level) {
    for (data::AlleleId id : pos.alleles) {
      if (AlleleCarries(ref, id, spec)) return true;
    }
    return false;
  }
  for (data::AntigenId a : pos.serology()) {
    if (Related(ref, a, spec.antigen)) {
      *via = a;
      return true;
    }
  }
  return false;
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

absl::StatusOr<std::vector<Antibody>> ParseAntibodies(absl::string_view text) {
  std::vector<Antibody> out;
  for (absl::string_view item : absl::StrSplit(text, absl::ByAnyChar(",;\n"))) {
    item = absl::StripAsciiWhitespace(item);
    if (item.empty()) continue;
    size_t sep = item.rfind('=');
    if (sep == absl::string_view::npos) sep = item.rfind(':');
    if (sep == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "antibody '", item,
          "' has no MFI: write SPECIFICITY:MFI, e.g. A2:3500 or "
          "A*02:01=3500"));
    }
    Antibody ab;
    ab.specificity =
        std::string(absl::StripAsciiWhitespace(item.substr(0, sep)));
    const absl::string_view mfi =
        absl::StripAsciiWhitespace(item.substr(sep + 1));
    if (ab.specificity.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("antibody '", item, "' has no specificity"));
    }
    if (!absl::SimpleAtod(mfi, &ab.mfi) || !std::isfinite(ab.mfi) ||
        ab.mfi < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("antibody '", item, "': MFI '", mfi,
                       "' is not a non-negative number"));
    }
    out.push_back(std::move(ab));
  }
  return out;
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

std::vector<DsaFinding> FindDsa(const std::vector<Antibody>& antibodies,
                                const matcher::Genotype& recipient,
                                const matcher::Genotype& donor,
                                const data::Reference& reference,
                                double threshold) {
  std::vector<DsaFinding> out;
  for (const Antibody& ab : antibodies) {
    absl::StatusOr<Specificity> spec =
        ResolveSpecificity(ab.specificity, reference);
    if (!spec.ok()) continue;
    for (Locus locus : kAllLoci) {
      if (spec->allele_level && spec->locus != locus) continue;
      const matcher::LocusTyping& d = donor.at(locus);
      if (d.typed_positions == 0) continue;
      const matcher::LocusTyping& r = recipient.at(locus);
      bool recipient_has = false;
      for (int i = 0; i < r.typed_positions && !recipient_has; ++i) {
        recipient_has = RecipientPositionCarries(reference, r.pos[i], *spec);
      }
      if (recipient_has) continue;  // not donor-specific
      for (int i = 0; i < d.typed_positions; ++i) {
        data::AntigenId via = data::kNone;
        if (!DonorPositionCarries(reference, d.pos[i], *spec, &via)) continue;
        // A homozygous donor written twice is one finding.
        if (i == 1 && d.pos[1].text == d.pos[0].text) continue;
        DsaFinding f;
        f.specificity = ab.specificity;
        f.mfi = ab.mfi;
        f.donor_allele = d.pos[i].text;
        f.via = via == data::kNone ? "allele"
                                   : std::string(reference.antigen(via).name);
        f.at_or_above_threshold = ab.mfi >= threshold;
        out.push_back(std::move(f));
      }
    }
  }
  return out;
}

std::vector<const Antibody*> UncheckableAntibodies(
    const std::vector<Antibody>& antibodies, const data::Reference& reference,
    double threshold) {
  std::vector<const Antibody*> out;
  for (const Antibody& ab : antibodies) {
    if (ab.mfi < threshold) continue;
    absl::StatusOr<Specificity> spec =
        ResolveSpecificity(ab.specificity, reference);
    if (!spec.ok() || spec->allele_level ||
        AntigenHasAlleles(reference, spec->antigen)) {
      continue;
    }
    out.push_back(&ab);
  }
  return out;
}

std::string AntigenNameOf(const Antibody& antibody,
                          const data::Reference& reference) {
  absl::StatusOr<Specificity> spec =
      ResolveSpecificity(antibody.specificity, reference);
  if (!spec.ok() || spec->allele_level) return antibody.specificity;
  return std::string(reference.antigen(spec->antigen).name);
}

}  // namespace hla::eligibility
