// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "eligibility/facts.h"

#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

// ---- Reading donor facts

absl::string_view DonorFactName(DonorFact fact) {
  static constexpr absl::string_view kNames[kDonorFactCount] = {
      "id", "relationship", "birth_date", "age", "sex", "abo", "cmv"};
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
