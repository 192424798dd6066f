// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "eligibility/eligibility.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "hla/allele_name.h"

namespace hla::eligibility {
namespace {

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

constexpr const char* kMonthNames[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

// "3500", "812.5".
std::string FormatMfi(double mfi) {
  if (mfi == std::floor(mfi) && mfi < 1e15) {
    return absl::StrFormat("%.0f", mfi);
  }
  return absl::StrFormat("%g", mfi);
}

// ---- Antibody specificities against the release

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
  for (data::AntigenId a : pos.serology) {
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

// ---- Protocol presets

struct ProtocolPreset {
  const char* name;
  std::optional<int> max_age_exclusive;
  bool require_haplo;
};

// NCT04835883 (ClinicalTrials.gov record, eligibility criteria): the
// recipient needs an "HLA-haplo-matched donor under 70 years old". Add a
// protocol here with its source.
constexpr ProtocolPreset kPresets[] = {
    {"NCT04835883", 70, true},
    {"none", std::nullopt, false},
};

}  // namespace

// ---- Dates and ages

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a date: ", why));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return bad("write YYYY-MM-DD (ISO 8601), e.g. 1956-03-14");
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(text[i])) {
      return bad("write YYYY-MM-DD (ISO 8601), e.g. 1956-03-14");
    }
  }
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1000) return bad("year before 1000");
  if (m < 1 || m > 12) return bad(absl::StrCat("there is no month ", m));
  if (d < 1 || d > DaysInMonth(y, m)) {
    return bad(absl::StrCat(kMonthNames[m - 1], " ", y, " has ",
                            DaysInMonth(y, m), " days"));
  }
  return absl::CivilDay(y, m, d);
}

std::string FormatDate(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::CivilDay Today() {
  return absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
}

absl::StatusOr<int> AgeInYears(absl::CivilDay birth, absl::CivilDay as_of) {
  if (as_of < birth) {
    return absl::InvalidArgumentError(
        absl::StrCat("birth date ", FormatDate(birth),
                     " is after the as-of date ", FormatDate(as_of)));
  }
  // Birthdays passed: a 29 February birthday is not reached on 28 February
  // of a common year, and is passed on 1 March (see the header).
  const bool before_birthday =
      std::make_pair(as_of.month(), as_of.day()) <
      std::make_pair(birth.month(), birth.day());
  return static_cast<int>(as_of.year() - birth.year()) -
         (before_birthday ? 1 : 0);
}

// ---- Blood group, CMV, sex

absl::StatusOr<BloodGroup> ParseBloodGroup(absl::string_view text) {
  const std::string t = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  absl::string_view rest = t;
  BloodGroup g;
  if (absl::ConsumePrefix(&rest, "AB")) {
    g.abo = Abo::kAB;
  } else if (absl::ConsumePrefix(&rest, "A")) {
    g.abo = Abo::kA;
  } else if (absl::ConsumePrefix(&rest, "B")) {
    g.abo = Abo::kB;
  } else if (absl::ConsumePrefix(&rest, "O") ||
             absl::ConsumePrefix(&rest, "0")) {
    g.abo = Abo::kO;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a blood group (O, A, B or AB, with + or -)"));
  }
  rest = absl::StripAsciiWhitespace(rest);
  if (!absl::ConsumePrefix(&rest, "RHD")) absl::ConsumePrefix(&rest, "RH");
  rest = absl::StripAsciiWhitespace(rest);
  if (rest.empty()) {
    g.rh = Rh::kUnknown;
  } else if (rest == "+" || rest == "POS" || rest == "POSITIVE") {
    g.rh = Rh::kPositive;
  } else if (rest == "-" || rest == "NEG" || rest == "NEGATIVE") {
    g.rh = Rh::kNegative;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a blood group (O, A, B or AB, with + or -)"));
  }
  return g;
}

absl::string_view AboName(Abo abo) {
  switch (abo) {
    case Abo::kO:
      return "O";
    case Abo::kA:
      return "A";
    case Abo::kB:
      return "B";
    case Abo::kAB:
      return "AB";
  }
  return "?";
}

std::string BloodGroupName(BloodGroup group) {
  return absl::StrCat(AboName(group.abo), group.rh == Rh::kPositive   ? "+"
                                          : group.rh == Rh::kNegative ? "-"
                                                                      : "");
}

AboMatch ClassifyAbo(Abo recipient, Abo donor) {
  // The red-cell antigens of each group as bits (A = 1, B = 2).
  auto antigens = [](Abo g) {
    switch (g) {
      case Abo::kO:
        return 0;
      case Abo::kA:
        return 1;
      case Abo::kB:
        return 2;
      case Abo::kAB:
        return 3;
    }
    return 0;
  };
  const int r = antigens(recipient), d = antigens(donor);
  // Major: the donor's cells carry an antigen the recipient lacks, so the
  // recipient's isoagglutinins attack them. Minor: the reverse, the donor's
  // plasma against the recipient's cells (EBMT Handbook 2019; AABB).
  const bool major = (d & ~r) != 0;
  const bool minor = (r & ~d) != 0;
  if (major && minor) return AboMatch::kBidirectional;
  if (major) return AboMatch::kMajor;
  if (minor) return AboMatch::kMinor;
  return AboMatch::kCompatible;
}

absl::string_view AboMatchName(AboMatch m) {
  switch (m) {
    case AboMatch::kCompatible:
      return "compatible";
    case AboMatch::kMinor:
      return "minor";
    case AboMatch::kMajor:
      return "major";
    case AboMatch::kBidirectional:
      return "bidirectional";
  }
  return "?";
}

absl::StatusOr<Cmv> ParseCmv(absl::string_view text) {
  const std::string t = Lower(absl::StripAsciiWhitespace(text));
  if (t == "pos" || t == "positive" || t == "+" || t == "1" || t == "yes" ||
      t == "reactive" || t == "p") {
    return Cmv::kPositive;
  }
  if (t == "neg" || t == "negative" || t == "-" || t == "0" || t == "no" ||
      t == "non-reactive" || t == "nonreactive" || t == "n") {
    return Cmv::kNegative;
  }
  if (t == "unknown" || t == "u" || t == "?" || t.empty()) return Cmv::kUnknown;
  return absl::InvalidArgumentError(absl::StrCat(
      "'", text, "' is not a CMV status (positive, negative or unknown)"));
}

absl::string_view CmvName(Cmv cmv) {
  switch (cmv) {
    case Cmv::kPositive:
      return "positive";
    case Cmv::kNegative:
      return "negative";
    case Cmv::kUnknown:
      return "unknown";
  }
  return "unknown";
}

absl::StatusOr<Sex> ParseSex(absl::string_view text) {
  const std::string t = Lower(absl::StripAsciiWhitespace(text));
  if (t == "f" || t == "female" || t == "w" || t == "woman") {
    return Sex::kFemale;
  }
  if (t == "m" || t == "male" || t == "man") return Sex::kMale;
  if (t == "u" || t == "unknown" || t.empty()) return Sex::kUnknown;
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not a sex (F, M or unknown)"));
}

absl::string_view SexName(Sex sex) {
  switch (sex) {
    case Sex::kFemale:
      return "female";
    case Sex::kMale:
      return "male";
    case Sex::kUnknown:
      return "unknown";
  }
  return "unknown";
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

// ---- Options

absl::StatusOr<EligibilityOptions> OptionsForProtocol(absl::string_view name) {
  std::vector<std::string> known;
  for (const ProtocolPreset& p : kPresets) {
    known.push_back(p.name);
    if (!absl::EqualsIgnoreCase(name, p.name)) continue;
    EligibilityOptions o;
    o.protocol = p.name;
    o.max_age_exclusive = p.max_age_exclusive;
    o.require_haplo = p.require_haplo;
    return o;
  }
  return absl::NotFoundError(absl::StrCat("unknown protocol '", name,
                                          "' (known: ",
                                          absl::StrJoin(known, ", "), ")"));
}

// ---- Evaluate

Eligibility Evaluate(const DonorFacts& donor_facts, const matcher::Genotype& donor,
                     const RecipientFacts& recipient_facts,
                     const matcher::Genotype& recipient, const matcher::MatchReport& report,
                     const data::Reference& reference,
                     const EligibilityOptions& options) {
  Eligibility e;
  // Failing gates first, then gates passed, then notes (ABO, CMV, sex),
  // so that the first reason of an ineligible donor says why.
  std::vector<std::string> fails, passes, notes;
  const std::string protocol_tag =
      options.protocol.empty() || options.protocol == "none"
          ? std::string()
          : absl::StrCat(" (", options.protocol, ")");
  const std::string as_of = FormatDate(options.as_of);

  // Age.
  std::string age_unknown_why = "no birth date or age given";
  if (donor_facts.birth_date) {
    absl::StatusOr<int> age = AgeInYears(*donor_facts.birth_date, options.as_of);
    if (age.ok()) {
      e.age = *age;
    } else {
      age_unknown_why = std::string(age.status().message());
    }
  } else if (donor_facts.age) {
    e.age = donor_facts.age;
  }
  const std::string age_text =
      e.age ? (donor_facts.birth_date
                   ? absl::StrCat("age ", *e.age, " at ", as_of)
                   : absl::StrCat("age ", *e.age, " (as given)"))
            : std::string();
  if (options.max_age_exclusive) {
    const int max = *options.max_age_exclusive;
    if (!e.age) {
      e.flags |= kFlagAgeUnknown;
      fails.push_back(absl::StrCat("age unknown: ", age_unknown_why));
    } else if (*e.age >= max) {
      e.flags |= kFlagTooOld;
      fails.push_back(
          absl::StrCat(age_text, ": not under ", max, protocol_tag));
    } else {
      passes.push_back(absl::StrCat(age_text, ": under ", max));
    }
  } else if (e.age) {
    notes.push_back(age_text);
  } else {
    e.flags |= kFlagAgeUnknown;
    notes.push_back(absl::StrCat("age unknown: ", age_unknown_why));
  }

  // HLA.
  const matcher::HaploResult& haplo = report.haplo;
  const std::string verdict(ToString(haplo.verdict));
  // "<verdict>: <basis>", the words of issue 5 ("haplo-compatible: phase
  // unconfirmed").
  const std::string basis = haplo.basis.empty() ? "" : absl::StrCat(": ", haplo.basis);
  switch (haplo.verdict) {
    case matcher::HaploVerdict::kIdentical:
    case matcher::HaploVerdict::kHaploidentical:
      (options.require_haplo ? passes : notes)
          .push_back(absl::StrCat(verdict, basis));
      break;
    case matcher::HaploVerdict::kHaploCompatible:
      e.flags |= kFlagPhaseUnconfirmed;
      (options.require_haplo ? passes : notes)
          .push_back(absl::StrCat(
              verdict, ": phase unconfirmed",
              haplo.basis.empty() ? "" : absl::StrCat(" (", haplo.basis, ")")));
      break;
    case matcher::HaploVerdict::kNotHaploidentical:
      e.flags |= kFlagNotHaplo;
      (options.require_haplo ? fails : notes)
          .push_back(absl::StrCat("not haploidentical", basis,
                                  options.require_haplo ? protocol_tag : ""));
      break;
    case matcher::HaploVerdict::kInsufficientTyping:
      e.flags |= kFlagInsufficientTyping;
      (options.require_haplo ? fails : notes)
          .push_back(absl::StrCat("insufficient typing for a haplo verdict",
                                  basis,
                                  options.require_haplo ? protocol_tag : ""));
      break;
  }
  for (const std::string& why : haplo.inconsistencies) {
    e.flags |= kFlagRelationshipInconsistent;
    notes.push_back(why);
  }

  // Donor-specific antibodies (Ciurea et al. 2018, see kDefaultDsaMfi).
  const std::string threshold = FormatMfi(options.dsa_mfi_threshold);
  if (recipient_facts.antibodies.empty()) {
    notes.push_back("DSA not checked: no recipient antibodies given");
  } else {
    e.dsa = FindDsa(recipient_facts.antibodies, recipient, donor, reference,
                    options.dsa_mfi_threshold);
    bool any_above = false;
    for (const DsaFinding& f : e.dsa) {
      const std::string target =
          f.via == "allele"
              ? absl::StrCat("donor allele ", f.donor_allele)
              : absl::StrCat("donor ", f.donor_allele, " (antigen ", f.via,
                             ")");
      if (f.at_or_above_threshold) {
        any_above = true;
        e.flags |= kFlagDsa;
        (options.dsa_excludes ? fails : notes)
            .push_back(absl::StrCat("DSA: anti-", f.specificity, " MFI ",
                                    FormatMfi(f.mfi), " \u2265 ", threshold,
                                    " against ", target));
      } else {
        e.flags |= kFlagAntibodyBelowThreshold;
        notes.push_back(absl::StrCat("antibody anti-", f.specificity, " MFI ",
                                     FormatMfi(f.mfi), " < ", threshold,
                                     " against ", target,
                                     ": below the DSA threshold"));
      }
    }
    // An antibody to an antigen the release assigns no allele to (the
    // public epitopes Bw4 and Bw6; IPD-IMGT/HLA rel_dna_ser.txt names none)
    // can match no donor here: say so rather than count it as "no DSA".
    size_t unassessable = 0;
    for (const Antibody& ab : recipient_facts.antibodies) {
      if (ab.mfi < options.dsa_mfi_threshold) continue;
      absl::StatusOr<Specificity> spec =
          ResolveSpecificity(ab.specificity, reference);
      if (!spec.ok() || spec->allele_level ||
          AntigenHasAlleles(reference, spec->antigen)) {
        continue;
      }
      ++unassessable;
      notes.push_back(absl::StrCat(
          "DSA unknown: anti-", ab.specificity, " MFI ", FormatMfi(ab.mfi),
          " \u2265 ", threshold, " cannot be checked: IPD-IMGT/HLA ",
          reference.version(), " assigns no allele to ",
          reference.antigen(spec->antigen).name,
          " (a public epitope); check the donor by hand"));
    }
    if (!any_above) {
      const size_t checked = recipient_facts.antibodies.size() - unassessable;
      passes.push_back(absl::StrCat(
          "no DSA: none of the recipient's ", checked,
          unassessable > 0 ? " checkable" : "", " antibodies at MFI \u2265 ",
          threshold, " is against this donor"));
    }
  }

  // ABO (EBMT Handbook 2019; AABB): reported when either side is known.
  const auto& rbg = recipient_facts.blood_group;
  const auto& dbg = donor_facts.blood_group;
  if (rbg && dbg) {
    const AboMatch m = ClassifyAbo(rbg->abo, dbg->abo);
    e.abo = m;
    const std::string pair =
        absl::StrCat("recipient ", BloodGroupName(*rbg), ", donor ",
                     BloodGroupName(*dbg));
    switch (m) {
      case AboMatch::kCompatible:
        notes.push_back(absl::StrCat("ABO compatible: ", pair));
        break;
      case AboMatch::kMinor:
        e.flags |= kFlagAboMinor;
        notes.push_back(absl::StrCat("ABO minor incompatibility: ", pair));
        break;
      case AboMatch::kMajor:
      case AboMatch::kBidirectional:
        e.flags |= m == AboMatch::kMajor ? kFlagAboMajor
                                         : kFlagAboBidirectional;
        (options.abo_major_excludes ? fails : notes)
            .push_back(absl::StrCat("ABO ", AboMatchName(m),
                                    " incompatibility: ", pair));
        break;
    }
  } else if (rbg || dbg) {
    e.flags |= kFlagAboUnknown;
    notes.push_back(absl::StrCat("ABO not checked: ",
                                 rbg ? "donor" : "recipient",
                                 " blood group unknown"));
  }

  // CMV: a CMV-positive recipient is better served by a CMV-positive donor
  // (EBMT donor-selection consensus, Ciurea et al. BMT 2020;55:12-24).
  const Cmv rc = recipient_facts.cmv, dc = donor_facts.cmv;
  if (rc != Cmv::kUnknown || dc != Cmv::kUnknown) {
    const std::string pair = absl::StrCat("recipient ", CmvName(rc),
                                          ", donor ", CmvName(dc));
    if (rc == Cmv::kUnknown || dc == Cmv::kUnknown) {
      e.flags |= kFlagCmvUnknown;
      notes.push_back(absl::StrCat("CMV not compared: ", pair));
    } else if (rc == Cmv::kPositive && dc == Cmv::kNegative) {
      e.flags |= kFlagCmvMismatch;
      (options.cmv_mismatch_excludes ? fails : notes)
          .push_back(absl::StrCat("CMV mismatch: ", pair));
    } else {
      notes.push_back(absl::StrCat("CMV: ", pair));
    }
  }

  // Sex: a female donor for a male recipient raises the risk of chronic
  // GvHD (same consensus).
  if (recipient_facts.sex == Sex::kMale && donor_facts.sex == Sex::kFemale) {
    e.flags |= kFlagFemaleToMale;
    (options.female_to_male_excludes ? fails : notes)
        .push_back("female donor for a male recipient");
  }

  e.eligible = fails.empty();
  e.reasons = std::move(fails);
  e.reasons.insert(e.reasons.end(), passes.begin(), passes.end());
  e.reasons.insert(e.reasons.end(), notes.begin(), notes.end());
  return e;
}

}  // namespace hla::eligibility
