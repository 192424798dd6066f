// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "eligibility/facts.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

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

namespace hla::eligibility {
namespace {

// Days in a month from the civil calendar itself (CivilDay normalises the
// first of the next month), so that no second leap-year rule exists.
int DaysInMonth(int64_t y, int m) {
  return static_cast<int>(absl::CivilDay(y, m + 1, 1) -
                          absl::CivilDay(y, m, 1));
}

constexpr const char* kMonthNames[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

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
  return WholeYears(birth.year(), birth.month() * 100 + birth.day(),
                    as_of.year(), as_of.month() * 100 + as_of.day());
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

// ---- Donor KIR genotype

absl::string_view KirMotifName(KirMotif motif) {
  switch (motif) {
    case KirMotif::kAA: return "A/A";
    case KirMotif::kAB: return "A/B";
    case KirMotif::kBB: return "B/B";
    case KirMotif::kUnknown: break;
  }
  return "unknown";
}

namespace {

// The KIR genes (IPD-KIR nomenclature), pseudogenes included, so that a
// full gene-content report reads without error.
constexpr absl::string_view kKirGenes[] = {
    "2DL1", "2DL2", "2DL3", "2DL4", "2DL5", "2DL5A", "2DL5B", "2DS1",
    "2DS2", "2DS3", "2DS4", "2DS5", "3DL1", "3DL2", "3DL3", "3DS1",
    "2DP1", "3DP1"};
constexpr size_t kMaxKirText = 400;

enum Gene { k2DL1, k2DL2, k2DL3, k2DS1, k2DS2, k2DS4, k3DL1, k3DS1, kGenes };

int GeneIndex(absl::string_view g) {
  static constexpr absl::string_view kUsed[kGenes] = {
      "2DL1", "2DL2", "2DL3", "2DS1", "2DS2", "2DS4", "3DL1", "3DS1"};
  for (int i = 0; i < kGenes; ++i) {
    if (g == kUsed[i]) return i;
  }
  return -1;
}

// Cooley et al., Blood 2010;116:2411: the centromeric motif.
KirMotif CenMotif(const std::array<KirPresence, kGenes>& g) {
  const KirPresence l3 = g[k2DL3], l2 = g[k2DL2], s2 = g[k2DS2];
  if (l3 == KirPresence::kUnknown || l2 == KirPresence::kUnknown ||
      s2 == KirPresence::kUnknown) {
    return KirMotif::kUnknown;
  }
  const bool b = l2 == KirPresence::kPresent || s2 == KirPresence::kPresent;
  if (l3 == KirPresence::kPresent) return b ? KirMotif::kAB : KirMotif::kAA;
  return b ? KirMotif::kBB : KirMotif::kUnknown;
}

// The same source: the telomeric motif.
KirMotif TelMotif(const std::array<KirPresence, kGenes>& g) {
  for (int i : {k3DL1, k2DS4, k3DS1, k2DS1}) {
    if (g[i] == KirPresence::kUnknown) return KirMotif::kUnknown;
  }
  const bool b = g[k3DS1] == KirPresence::kPresent ||
                 g[k2DS1] == KirPresence::kPresent;
  if (g[k3DL1] == KirPresence::kPresent && g[k2DS4] == KirPresence::kPresent) {
    return b ? KirMotif::kAB : KirMotif::kAA;
  }
  return b ? KirMotif::kBB : KirMotif::kUnknown;
}

std::optional<KirMotif> ParseMotif(absl::string_view m) {
  if (m == "A/A") return KirMotif::kAA;
  if (m == "A/B" || m == "B/A") return KirMotif::kAB;
  if (m == "B/B") return KirMotif::kBB;
  return std::nullopt;
}

}  // namespace

absl::StatusOr<KirGenotype> ParseKirGenotype(absl::string_view text) {
  if (text.size() > kMaxKirText) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a KIR genotype of ", text.size(), " characters (at most ",
        kMaxKirText, ")"));
  }
  const std::string upper = absl::AsciiStrToUpper(text);
  KirGenotype k;
  std::array<KirPresence, kGenes> genes{};
  bool gene_form = false, motif_form = false;
  std::vector<absl::string_view> tokens = absl::StrSplit(
      upper, absl::ByAnyChar(" ,;\t"), absl::SkipEmpty());
  // "KIR2DL1+KIR2DL2-..." written without separators: split after each sign.
  std::vector<std::string> pieces;
  for (absl::string_view tok : tokens) {
    if (absl::StartsWith(tok, "CEN") || absl::StartsWith(tok, "TEL")) {
      pieces.emplace_back(tok);
      continue;
    }
    size_t start = 0;
    for (size_t i = 0; i < tok.size(); ++i) {
      if (tok[i] == '+' || tok[i] == '-') {
        pieces.emplace_back(tok.substr(start, i + 1 - start));
        start = i + 1;
      }
    }
    if (start < tok.size()) pieces.emplace_back(tok.substr(start));
  }
  for (absl::string_view p : pieces) {
    absl::string_view original = p;
    if (absl::StartsWith(p, "CEN") || absl::StartsWith(p, "TEL")) {
      const bool cen = absl::StartsWith(p, "CEN");
      p.remove_prefix(3);
      absl::ConsumePrefix(&p, "-");
      absl::ConsumePrefix(&p, ":");
      std::optional<KirMotif> m = ParseMotif(p);
      if (!m) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", original, "' is not a KIR motif (Cen-A/A, Cen-A/B, Cen-B/B, "
            "Tel-A/A, Tel-A/B, Tel-B/B)"));
      }
      KirMotif& slot = cen ? k.cen : k.tel;
      if (slot != KirMotif::kUnknown && slot != *m) {
        return absl::InvalidArgumentError(
            absl::StrCat("'", original, "' contradicts an earlier ",
                         cen ? "Cen" : "Tel", " motif"));
      }
      slot = *m;
      motif_form = true;
      continue;
    }
    const char sign = p.empty() ? 0 : p.back();
    if (sign != '+' && sign != '-') {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", original,
          "' is not a KIR gene with + (present) or - (absent), nor a "
          "Cen-/Tel- motif"));
    }
    p.remove_suffix(1);
    absl::ConsumePrefix(&p, "KIR");
    if (std::find(std::begin(kKirGenes), std::end(kKirGenes), p) ==
        std::end(kKirGenes)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", original, "' names no KIR gene"));
    }
    gene_form = true;
    const int i = GeneIndex(p);
    if (i < 0) continue;  // a gene no rule here reads
    const KirPresence v = sign == '+' ? KirPresence::kPresent : KirPresence::kAbsent;
    if (genes[i] != KirPresence::kUnknown && genes[i] != v) {
      return absl::InvalidArgumentError(absl::StrCat(
          "KIR", p, " is given both present and absent"));
    }
    genes[i] = v;
  }
  if (gene_form && motif_form) {
    return absl::InvalidArgumentError(
        "a KIR genotype is either gene content (KIR2DL1+ ...) or motifs "
        "(Cen-A/B Tel-B/B), not both");
  }
  if (gene_form) {
    k.cen = CenMotif(genes);
    k.tel = TelMotif(genes);
    k.receptor[static_cast<int>(matcher::KirLigandGroup::kC2)] = genes[k2DL1];
    const KirPresence l2 = genes[k2DL2], l3 = genes[k2DL3];
    k.receptor[static_cast<int>(matcher::KirLigandGroup::kC1)] =
        l2 == KirPresence::kPresent || l3 == KirPresence::kPresent
            ? KirPresence::kPresent
        : l2 == KirPresence::kAbsent && l3 == KirPresence::kAbsent
            ? KirPresence::kAbsent
            : KirPresence::kUnknown;
    k.receptor[static_cast<int>(matcher::KirLigandGroup::kBw4)] = genes[k3DL1];
  } else {
    // Cen-A/x carries KIR2DL3, Tel-A/x KIR3DL1 (the A haplotype's genes).
    if (k.cen == KirMotif::kAA || k.cen == KirMotif::kAB) {
      k.receptor[static_cast<int>(matcher::KirLigandGroup::kC1)] = KirPresence::kPresent;
    }
    if (k.tel == KirMotif::kAA || k.tel == KirMotif::kAB) {
      k.receptor[static_cast<int>(matcher::KirLigandGroup::kBw4)] = KirPresence::kPresent;
    }
  }
  return k;
}

absl::string_view KirReceptorName(matcher::KirLigandGroup group) {
  switch (group) {
    case matcher::KirLigandGroup::kC1: return "KIR2DL2/3";
    case matcher::KirLigandGroup::kC2: return "KIR2DL1";
    case matcher::KirLigandGroup::kBw4: return "KIR3DL1";
  }
  return "KIR";
}

std::string FormatKirGenotype(const KirGenotype& kir) {
  std::vector<std::string> parts;
  if (kir.cen != KirMotif::kUnknown) parts.push_back(absl::StrCat("Cen-", KirMotifName(kir.cen)));
  if (kir.tel != KirMotif::kUnknown) parts.push_back(absl::StrCat("Tel-", KirMotifName(kir.tel)));
  std::vector<std::string> receptors;
  for (int g = 0; g < matcher::kKirLigandGroups; ++g) {
    if (kir.receptor[g] == KirPresence::kUnknown) continue;
    receptors.push_back(absl::StrCat(
        KirReceptorName(static_cast<matcher::KirLigandGroup>(g)),
        kir.receptor[g] == KirPresence::kPresent ? "+" : "-"));
  }
  std::string out = absl::StrJoin(parts, " ");
  if (!receptors.empty()) {
    absl::StrAppend(&out, out.empty() ? "" : "; ", absl::StrJoin(receptors, " "));
  }
  return out;
}

// ---- Reading donor facts

absl::string_view DonorFactName(DonorFact fact) {
  static constexpr absl::string_view kNames[kDonorFactCount] = {
      "id", "relationship", "birth_date", "age", "sex", "abo", "cmv", "kir",
      "population"};
  return kNames[static_cast<int>(fact)];
}

absl::Status ParseDonorFact(DonorFact fact, absl::string_view text,
                            DonorFacts* facts) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  if (t.empty()) return absl::OkStatus();
  switch (fact) {
    case DonorFact::kId:
      facts->id = std::string(t);
      return absl::OkStatus();
    case DonorFact::kRelationship: {
      absl::StatusOr<matcher::Relationship> r = matcher::ParseRelationship(t);
      if (!r.ok()) return r.status();
      facts->relationship = *r;
      facts->relationship_text = absl::AsciiStrToLower(t);
      return absl::OkStatus();
    }
    case DonorFact::kBirthDate: {
      absl::StatusOr<absl::CivilDay> d = ParseDate(t);
      if (!d.ok()) return d.status();
      facts->birth_date = *d;
      return absl::OkStatus();
    }
    case DonorFact::kAge: {
      int age = 0;
      if (!absl::SimpleAtoi(t, &age) || age < 0 || age > kMaxAge) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", t, "' is not an age in whole years (0-", kMaxAge, ")"));
      }
      facts->age = age;
      return absl::OkStatus();
    }
    case DonorFact::kSex: {
      absl::StatusOr<Sex> s = ParseSex(t);
      if (!s.ok()) return s.status();
      facts->sex = *s;
      return absl::OkStatus();
    }
    case DonorFact::kAbo: {
      absl::StatusOr<BloodGroup> g = ParseBloodGroup(t);
      if (!g.ok()) return g.status();
      facts->blood_group = *g;
      return absl::OkStatus();
    }
    case DonorFact::kCmv: {
      absl::StatusOr<Cmv> c = ParseCmv(t);
      if (!c.ok()) return c.status();
      facts->cmv = *c;
      return absl::OkStatus();
    }
    case DonorFact::kKir: {
      absl::StatusOr<KirGenotype> k = ParseKirGenotype(t);
      if (!k.ok()) return k.status();
      facts->kir = *k;
      facts->kir_text = std::string(t);
      return absl::OkStatus();
    }
    case DonorFact::kPopulation: {
      // The table's population codes, in any case (a synthetic registry
      // writes them so).
      const std::optional<data::Population> pop =
          data::ParsePopulation(absl::AsciiStrToUpper(t));
      if (!pop) {
        return absl::InvalidArgumentError(absl::StrCat(
            "'", t, "' is not a population of the haplotype table (AFA, API, EUR or HIS)"));
      }
      facts->population = *pop;
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError("unknown donor fact");
}

absl::Status CheckDonorFacts(const DonorFacts& facts, absl::CivilDay today) {
  if (!facts.birth_date || !facts.age) return absl::OkStatus();
  absl::StatusOr<int> age = AgeInYears(*facts.birth_date, today);
  if (age.ok() && std::abs(*age - *facts.age) <= 1) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "birth date ", FormatDate(*facts.birth_date), " (",
      age.ok() ? absl::StrCat(*age, " on ", FormatDate(today))
               : std::string("after today"),
      ") and age ", *facts.age, " disagree"));
}

absl::Status DonorIdSet::Add(absl::string_view id) {
  if (ids_.insert(std::string(id)).second) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("donor id '", id, "' is used twice"));
}

}  // namespace hla::eligibility
