// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Eligibility: dates and ages, blood groups, CMV/sex, antibodies, protocol
// presets, the gates of Evaluate, and donor-specific antibodies against the
// shipped IPD-IMGT/HLA 3.58.0.
#include "eligibility/eligibility.h"

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/match.h"
#include "parser/parse.h"

namespace hla::eligibility {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// ---- Dates

TEST(ParseDate, AcceptsIsoDatesIncludingLeapDays) {
  EXPECT_EQ(*ParseDate("1956-03-14"), Day(1956, 3, 14));
  EXPECT_EQ(*ParseDate("2024-02-29"), Day(2024, 2, 29));
  EXPECT_EQ(*ParseDate("2000-02-29"), Day(2000, 2, 29));  // /400: leap
  EXPECT_EQ(FormatDate(Day(1956, 3, 4)), "1956-03-04");
}

TEST(ParseDate, RejectsImpossibleAndMisshapenDates) {
  const struct {
    const char* text;
    const char* why;
  } kBad[] = {
      {"2023-02-30", "February 2023 has 28 days"},
      {"2023-02-29", "February 2023 has 28 days"},
      {"1900-02-29", "February 1900 has 28 days"},  // /100, not /400
      {"2023-04-31", "April 2023 has 30 days"},
      {"2023-13-01", "there is no month 13"},
      {"2023-00-10", "there is no month 0"},
      {"2023-01-00", "January 2023 has 31 days"},
      {"2023-1-01", "YYYY-MM-DD"},
      {"26/11/2026", "YYYY-MM-DD"},
      {"2026-11-26T00:00", "YYYY-MM-DD"},
      {"", "YYYY-MM-DD"},
      {"0999-01-01", "year before 1000"},
  };
  for (const auto& c : kBad) {
    absl::StatusOr<absl::CivilDay> d = ParseDate(c.text);
    ASSERT_FALSE(d.ok()) << c.text;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(d.status().message()), HasSubstr(c.why)) << c.text;
    EXPECT_THAT(std::string(d.status().message()),
                HasSubstr(absl::StrCat("'", c.text, "'")));
  }
}

TEST(AgeInYears, CountsBirthdaysPassed) {
  const struct {
    absl::CivilDay birth, as_of;
    int age;
  } kCases[] = {
      {Day(1956, 11, 26), Day(2026, 11, 26), 70},  // birthday today
      {Day(1956, 11, 27), Day(2026, 11, 26), 69},  // tomorrow
      {Day(1956, 12, 1), Day(2026, 11, 26), 69},
      {Day(1957, 1, 1), Day(2026, 12, 31), 69},
      {Day(2026, 11, 26), Day(2026, 11, 26), 0},
      // 29 February: the birthday is 1 March in common years.
      {Day(2004, 2, 29), Day(2023, 2, 28), 18},
      {Day(2004, 2, 29), Day(2023, 3, 1), 19},
      {Day(2004, 2, 29), Day(2024, 2, 28), 19},
      {Day(2004, 2, 29), Day(2024, 2, 29), 20},
      {Day(1956, 2, 29), Day(2026, 2, 28), 69},
      {Day(1956, 2, 29), Day(2026, 3, 1), 70},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<int> age = AgeInYears(c.birth, c.as_of);
    ASSERT_TRUE(age.ok()) << age.status();
    EXPECT_EQ(*age, c.age) << FormatDate(c.birth) << " at "
                           << FormatDate(c.as_of);
  }
}

TEST(AgeInYears, AsOfBeforeBirthIsAnError) {
  absl::StatusOr<int> age = AgeInYears(Day(2030, 1, 1), Day(2026, 11, 26));
  ASSERT_FALSE(age.ok());
  EXPECT_EQ(age.status().message(),
            "birth date 2030-01-01 is after the as-of date 2026-11-26");
}

// ---- Blood group, CMV, sex

TEST(ParseBloodGroup, Spellings) {
  const struct {
    const char* text;
    Abo abo;
    Rh rh;
  } kCases[] = {
      {"O", Abo::kO, Rh::kUnknown},   {"0+", Abo::kO, Rh::kPositive},
      {"o-", Abo::kO, Rh::kNegative}, {"A", Abo::kA, Rh::kUnknown},
      {"A pos", Abo::kA, Rh::kPositive}, {"B RhD-", Abo::kB, Rh::kNegative},
      {"AB+", Abo::kAB, Rh::kPositive}, {" ab neg ", Abo::kAB, Rh::kNegative},
      {"A Rh+", Abo::kA, Rh::kPositive},
  };
  for (const auto& c : kCases) {
    absl::StatusOr<BloodGroup> g = ParseBloodGroup(c.text);
    ASSERT_TRUE(g.ok()) << c.text << ": " << g.status();
    EXPECT_EQ(g->abo, c.abo) << c.text;
    EXPECT_EQ(g->rh, c.rh) << c.text;
  }
  EXPECT_EQ(BloodGroupName(*ParseBloodGroup("ab-")), "AB-");
  for (const char* bad : {"", "C", "A++", "ABO", "A maybe"}) {
    EXPECT_FALSE(ParseBloodGroup(bad).ok()) << bad;
  }
}

TEST(ClassifyAbo, AllSixteenPairs) {
  // recipient <- donor; EBMT Handbook 2019 / AABB.
  using M = AboMatch;
  const struct {
    Abo recipient, donor;
    M expected;
  } kPairs[] = {
      {Abo::kO, Abo::kO, M::kCompatible},  {Abo::kO, Abo::kA, M::kMajor},
      {Abo::kO, Abo::kB, M::kMajor},       {Abo::kO, Abo::kAB, M::kMajor},
      {Abo::kA, Abo::kO, M::kMinor},       {Abo::kA, Abo::kA, M::kCompatible},
      {Abo::kA, Abo::kB, M::kBidirectional}, {Abo::kA, Abo::kAB, M::kMajor},
      {Abo::kB, Abo::kO, M::kMinor},       {Abo::kB, Abo::kA, M::kBidirectional},
      {Abo::kB, Abo::kB, M::kCompatible},  {Abo::kB, Abo::kAB, M::kMajor},
      {Abo::kAB, Abo::kO, M::kMinor},      {Abo::kAB, Abo::kA, M::kMinor},
      {Abo::kAB, Abo::kB, M::kMinor},      {Abo::kAB, Abo::kAB, M::kCompatible},
  };
  for (const auto& p : kPairs) {
    EXPECT_EQ(ClassifyAbo(p.recipient, p.donor), p.expected)
        << AboName(p.recipient) << " <- " << AboName(p.donor);
  }
}

TEST(ParseCmvAndSex, Spellings) {
  EXPECT_EQ(*ParseCmv("POS"), Cmv::kPositive);
  EXPECT_EQ(*ParseCmv("+"), Cmv::kPositive);
  EXPECT_EQ(*ParseCmv("negative"), Cmv::kNegative);
  EXPECT_EQ(*ParseCmv("0"), Cmv::kNegative);
  EXPECT_EQ(*ParseCmv("unknown"), Cmv::kUnknown);
  EXPECT_FALSE(ParseCmv("maybe").ok());
  EXPECT_EQ(*ParseSex("F"), Sex::kFemale);
  EXPECT_EQ(*ParseSex("male"), Sex::kMale);
  EXPECT_EQ(*ParseSex("U"), Sex::kUnknown);
  EXPECT_FALSE(ParseSex("x").ok());
}

// ---- Antibodies and protocols

TEST(ParseAntibodies, ListsWithMfi) {
  absl::StatusOr<std::vector<Antibody>> abs =
      ParseAntibodies("A2:3500, B44:1200;A*02:01:800\nDQ7 = 2500.5,A*24:02=10");
  ASSERT_TRUE(abs.ok()) << abs.status();
  ASSERT_EQ(abs->size(), 5u);
  EXPECT_EQ((*abs)[0].specificity, "A2");
  EXPECT_EQ((*abs)[0].mfi, 3500);
  EXPECT_EQ((*abs)[2].specificity, "A*02:01");
  EXPECT_EQ((*abs)[2].mfi, 800);
  EXPECT_EQ((*abs)[3].specificity, "DQ7");
  EXPECT_EQ((*abs)[3].mfi, 2500.5);
  EXPECT_EQ((*abs)[4].specificity, "A*24:02");
  EXPECT_THAT(*ParseAntibodies(""), IsEmpty());
  for (const char* bad : {"A2", "A2:x", "A2:-5", ":300", "A2:3500,B44"}) {
    EXPECT_FALSE(ParseAntibodies(bad).ok()) << bad;
  }
}

TEST(OptionsForProtocol, PresetsAndUnknown) {
  absl::StatusOr<EligibilityOptions> o = OptionsForProtocol("nct04835883");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->protocol, "NCT04835883");
  EXPECT_EQ(o->max_age_exclusive, 70);
  EXPECT_TRUE(o->require_haplo);
  EXPECT_TRUE(o->dsa_excludes);
  EXPECT_EQ(o->dsa_mfi_threshold, kDefaultDsaMfi);
  o = OptionsForProtocol("none");
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->max_age_exclusive.has_value());
  EXPECT_FALSE(o->require_haplo);
  o = OptionsForProtocol("NCT0000");
  EXPECT_EQ(o.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("NCT04835883"));
}

// ---- Evaluate on plain facts (no antibodies: genotypes unused)

class EvaluateFacts : public ::testing::Test {
 protected:
  static const data::Reference* ref() { return ref_.get(); }
  static void SetUpTestSuite() {
    absl::StatusOr<std::string> dir = data::ResolveImgtDir(
        HLA_SHIPPED_DATA_DIR "/imgt/3.58.0", data::DataPaths());
    if (!dir.ok()) {
      *error_ = std::string(dir.status().message());
      return;
    }
    auto r = data::Reference::Load({*dir});
    if (!r.ok()) {
      *error_ = std::string(r.status().message());
      return;
    }
    ref_ = *r;
  }
  void SetUp() override { ASSERT_TRUE(error_->empty()) << *error_; }

  EligibilityOptions Nct() {
    EligibilityOptions o = *OptionsForProtocol("NCT04835883");
    o.as_of = Day(2026, 11, 26);
    return o;
  }
  matcher::MatchReport Report(matcher::HaploVerdict v, std::string basis = "test basis") {
    matcher::MatchReport r;
    r.haplo.verdict = v;
    r.haplo.basis = std::move(basis);
    return r;
  }
  Eligibility Run(const DonorFacts& d, const matcher::MatchReport& report,
                  const EligibilityOptions& o,
                  const RecipientFacts& rf = RecipientFacts()) {
    return Evaluate(d, matcher::Genotype(), rf, matcher::Genotype(), report, *ref_, o);
  }

  // Reference loads once per process (parallel ctest runs processes).
  static std::shared_ptr<const data::Reference> ref_;
  static std::string* const error_;
};
std::shared_ptr<const data::Reference> EvaluateFacts::ref_;
std::string* const EvaluateFacts::error_ = new std::string();

TEST_F(EvaluateFacts, UnknownAgeIsNotEligible) {
  DonorFacts d;
  d.id = "X";
  const Eligibility e = Run(d, Report(matcher::HaploVerdict::kHaploidentical), Nct());
  EXPECT_FALSE(e.eligible);
  ASSERT_FALSE(e.reasons.empty());
  EXPECT_EQ(e.reasons[0], "age unknown: no birth date or age given");
  EXPECT_TRUE(Has(e.findings, Reason::kAgeUnknown));
  EXPECT_FALSE(e.age.has_value());
}

TEST_F(EvaluateFacts, AgeGateAtSeventy) {
  DonorFacts d;
  d.birth_date = Day(1954, 3, 2);  // 72
  Eligibility e = Run(d, Report(matcher::HaploVerdict::kHaploidentical), Nct());
  EXPECT_FALSE(e.eligible);
  EXPECT_EQ(e.reasons[0], "age 72 at 2026-11-26: not under 70 (NCT04835883)");
  EXPECT_TRUE(Has(e.findings, Reason::kTooOld));
  EXPECT_EQ(e.age, 72);

  d.birth_date = Day(1956, 11, 26);  // 70 today
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical), Nct());
  EXPECT_FALSE(e.eligible);
  EXPECT_EQ(e.reasons[0], "age 70 at 2026-11-26: not under 70 (NCT04835883)");

  d.birth_date = Day(1956, 11, 27);  // 69, 70 tomorrow
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical, "parent"), Nct());
  EXPECT_TRUE(e.eligible);
  EXPECT_THAT(e.reasons, Contains("age 69 at 2026-11-26: under 70"));
  EXPECT_THAT(e.reasons, Contains("haploidentical: parent"));
}

TEST_F(EvaluateFacts, GivenAgeUsedWithoutBirthDate) {
  DonorFacts d;
  d.age = 45;
  Eligibility e = Run(d, Report(matcher::HaploVerdict::kIdentical), Nct());
  EXPECT_TRUE(e.eligible);
  EXPECT_THAT(e.reasons, Contains("age 45 (as given): under 70"));
  d.birth_date = Day(1950, 1, 1);  // the birth date wins
  e = Run(d, Report(matcher::HaploVerdict::kIdentical), Nct());
  EXPECT_FALSE(e.eligible);
  EXPECT_EQ(e.age, 76);
}

TEST_F(EvaluateFacts, BirthAfterAsOfIsAgeUnknown) {
  DonorFacts d;
  d.birth_date = Day(2027, 1, 1);
  const Eligibility e = Run(d, Report(matcher::HaploVerdict::kIdentical), Nct());
  EXPECT_FALSE(e.eligible);
  EXPECT_EQ(e.reasons[0],
            "age unknown: birth date 2027-01-01 is after the as-of date "
            "2026-11-26");
}

TEST_F(EvaluateFacts, HaploVerdicts) {
  DonorFacts d;
  d.age = 30;
  Eligibility e = Run(d, Report(matcher::HaploVerdict::kHaploCompatible, "b"), Nct());
  EXPECT_TRUE(e.eligible);
  EXPECT_THAT(e.reasons, Contains("haplo-compatible: phase unconfirmed (b)"));
  EXPECT_TRUE(Has(e.findings, Reason::kPhaseUnconfirmed));

  e = Run(d, Report(matcher::HaploVerdict::kNotHaploidentical, "no allele at B"), Nct());
  EXPECT_FALSE(e.eligible);
  EXPECT_EQ(e.reasons[0], "not haploidentical: no allele at B (NCT04835883)");

  e = Run(d, Report(matcher::HaploVerdict::kInsufficientTyping, "DRB1 untyped"), Nct());
  EXPECT_FALSE(e.eligible);
  EXPECT_THAT(e.reasons[0], HasSubstr("insufficient typing"));

  // Without a protocol nothing gates but DSA; the facts are still reported.
  EligibilityOptions none = *OptionsForProtocol("none");
  none.as_of = Day(2026, 11, 26);
  DonorFacts unknown_age;
  e = Run(unknown_age, Report(matcher::HaploVerdict::kNotHaploidentical, "x"), none);
  EXPECT_TRUE(e.eligible);
  EXPECT_THAT(e.reasons, Contains("not haploidentical: x"));
  EXPECT_THAT(e.reasons, Contains("age unknown: no birth date or age given"));
}

TEST_F(EvaluateFacts, AboCmvSexAreNotesUnlessGated) {
  DonorFacts d;
  d.age = 30;
  d.blood_group = *ParseBloodGroup("A+");
  d.cmv = Cmv::kNegative;
  d.sex = Sex::kFemale;
  RecipientFacts r;
  r.blood_group = *ParseBloodGroup("O+");
  r.cmv = Cmv::kPositive;
  r.sex = Sex::kMale;
  EligibilityOptions o = Nct();
  Eligibility e = Run(d, Report(matcher::HaploVerdict::kHaploidentical), o, r);
  EXPECT_TRUE(e.eligible);
  EXPECT_EQ(e.abo, AboMatch::kMajor);
  EXPECT_THAT(e.reasons,
              Contains("ABO major incompatibility: recipient O+, donor A+"));
  EXPECT_THAT(e.reasons,
              Contains("CMV mismatch: recipient positive, donor negative"));
  EXPECT_THAT(e.reasons, Contains("female donor for a male recipient"));
  EXPECT_TRUE(Has(e.findings, Reason::kAboMajor));
  EXPECT_TRUE(Has(e.findings, Reason::kCmvMismatch));
  EXPECT_TRUE(Has(e.findings, Reason::kFemaleToMale));

  o.abo_major_excludes = true;
  o.cmv_mismatch_excludes = true;
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical), o, r);
  EXPECT_FALSE(e.eligible);
  EXPECT_EQ(e.reasons[0], "ABO major incompatibility: recipient O+, donor A+");
  EXPECT_EQ(e.reasons[1], "CMV mismatch: recipient positive, donor negative");

  d.blood_group.reset();
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical), Nct(), r);
  EXPECT_THAT(e.reasons, Contains("ABO not checked: donor blood group unknown"));
}

// ---- Donor-specific antibodies against real alleles

class Dsa : public EvaluateFacts {
 protected:
  matcher::Genotype Build(const std::string& text) {
    data::Resolver resolver(ref_, nullptr);
    absl::StatusOr<GlString> gl = parser::ParseGlString(text);
    EXPECT_TRUE(gl.ok()) << gl.status();
    absl::StatusOr<data::ResolvedTyping> t = resolver.Resolve(*gl);
    EXPECT_TRUE(t.ok()) << t.status();
    absl::StatusOr<matcher::Genotype> g = matcher::BuildGenotype(*ref_, *t);
    EXPECT_TRUE(g.ok()) << g.status();
    return g.ok() ? *g : matcher::Genotype();
  }
  std::vector<DsaFinding> Find(const std::string& antibodies,
                               const std::string& recipient,
                               const std::string& donor) {
    absl::StatusOr<std::vector<Antibody>> abs = ParseAntibodies(antibodies);
    EXPECT_TRUE(abs.ok()) << abs.status();
    EXPECT_TRUE(CheckAntibodies(*abs, *ref_).ok());
    return FindDsa(*abs, Build(recipient), Build(donor), *ref_,
                   kDefaultDsaMfi);
  }
  static constexpr char kRecipient[] =
      "A*01:01+A*03:01^B*08:01+B*07:02^DRB1*03:01+DRB1*15:01";
};

TEST_F(Dsa, AlleleLevel) {
  const std::vector<DsaFinding> f =
      Find("A*02:01:3500", kRecipient,
           "A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].specificity, "A*02:01");
  EXPECT_EQ(f[0].donor_allele, "A*02:01");
  EXPECT_EQ(f[0].via, "allele");
  EXPECT_TRUE(f[0].at_or_above_threshold);
}

TEST_F(Dsa, AntigenLevelIncludingBroadAndSplit) {
  const std::string donor =
      "A*01:01+A*24:02^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01";
  std::vector<DsaFinding> f = Find("A24:2000", kRecipient, donor);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].via, "A24");
  // anti-A9 (the broad) reacts with A24 (its split).
  f = Find("A9:2000", kRecipient, donor);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].donor_allele, "A*24:02");
  EXPECT_EQ(f[0].via, "A24");
  // anti-B12 (broad of B44).
  f = Find("B12:1500", kRecipient, donor);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].via, "B44");
  // anti-A23 (the other split of A9) does not.
  EXPECT_THAT(Find("A23:5000", kRecipient, donor), IsEmpty());
  // A donor typed as the broad A9 may carry A24: conservative.
  f = Find("A24:2000", kRecipient, "A*01:01+A9^B*08:01+B*44:02");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].donor_allele, "A9");
}

TEST_F(Dsa, AgainstSharedAlleleOrOwnAntigenIsNotDsa) {
  const std::string donor = "A*01:01+A*02:01^B*08:01+B*44:02";
  EXPECT_THAT(Find("A*01:01:9000", kRecipient, donor), IsEmpty());
  EXPECT_THAT(Find("A1:9000", kRecipient, donor), IsEmpty());
  EXPECT_THAT(Find("B8:9000", kRecipient, donor), IsEmpty());
  // Recipient carries A2 (A*02:05): anti-A2 is not donor-specific.
  EXPECT_THAT(Find("A2:9000", "A*01:01+A*02:05^B*08:01+B*07:02", donor),
              IsEmpty());
  // ... but anti-A*02:01 is (allele level: A*02:05 is not A*02:01).
  EXPECT_THAT(Find("A*02:01:9000", "A*01:01+A*02:05^B*08:01+B*07:02", donor),
              ElementsAre(::testing::Field(&DsaFinding::donor_allele,
                                           "A*02:01")));
}

TEST_F(Dsa, BelowThresholdIsANoteAndOtherLociCount) {
  const std::string donor =
      "A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
      "DQB1*02:01+DQB1*03:01";
  std::vector<DsaFinding> f = Find("A2:500,DQ7:4000", kRecipient, donor);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_FALSE(f[0].at_or_above_threshold);
  EXPECT_TRUE(f[1].at_or_above_threshold);
  EXPECT_EQ(f[1].via, "DQ7");

  RecipientFacts rf;
  rf.antibodies = *ParseAntibodies("A2:500");
  DonorFacts d;
  d.age = 40;
  matcher::MatchReport report = Report(matcher::HaploVerdict::kHaploidentical, "p");
  Eligibility e = Evaluate(d, Build(donor), rf, Build(kRecipient), report,
                           *ref_, Nct());
  EXPECT_TRUE(e.eligible);
  EXPECT_THAT(e.reasons,
              Contains("antibody anti-A2 MFI 500 < 1000 against donor A*02:01 "
                       "(antigen A2): below the DSA threshold"));
  rf.antibodies = *ParseAntibodies("A*02:01:3500");
  e = Evaluate(d, Build(donor), rf, Build(kRecipient), report, *ref_, Nct());
  EXPECT_FALSE(e.eligible);
  EXPECT_EQ(e.reasons[0],
            "DSA: anti-A*02:01 MFI 3500 \u2265 1000 against donor allele "
            "A*02:01");
  EXPECT_TRUE(Has(e.findings, Reason::kDsa));
}

// Bw4 and Bw6 are public epitopes that IPD-IMGT/HLA assigns no allele to:
// an antibody against them at or above the threshold cannot be checked and
// must say so, never read as "no DSA".
TEST_F(Dsa, PublicEpitopeAntibodiesAreReportedAsUnchecked) {
  const std::string donor =
      "A*01:01+A*02:01^B*08:01+B*27:05^DRB1*03:01+DRB1*04:01";  // B27: Bw4
  EXPECT_THAT(Find("Bw4:5000", kRecipient, donor), IsEmpty());
  RecipientFacts rf;
  rf.antibodies = *ParseAntibodies("Bw4:5000,Bw6:800,B44:2000");
  DonorFacts d;
  d.age = 40;
  matcher::MatchReport report = Report(matcher::HaploVerdict::kHaploidentical, "p");
  Eligibility e = Evaluate(d, Build(donor), rf, Build(kRecipient), report,
                           *ref_, Nct());
  EXPECT_THAT(e.reasons,
              Contains("DSA unknown: anti-Bw4 MFI 5000 \u2265 1000 cannot be "
                       "checked: IPD-IMGT/HLA 3.58.0 assigns no allele to Bw4 "
                       "(a public epitope); check the donor by hand"));
  // Below the threshold it is not a DSA either way: no note.
  for (const std::string& r : e.reasons) {
    EXPECT_THAT(r, Not(HasSubstr("anti-Bw6"))) << r;
  }
  EXPECT_THAT(e.reasons,
              Contains("no DSA: none of the recipient's 2 checkable "
                       "antibodies at MFI \u2265 1000 is against this donor"));
  EXPECT_FALSE(Has(e.findings, Reason::kDsa));
}

TEST_F(Dsa, UnknownSpecificitiesAreReported) {
  for (const char* bad : {"A*99:99:100", "A999:100", "X2:100", "MICA*001:5"}) {
    absl::StatusOr<std::vector<Antibody>> abs = ParseAntibodies(bad);
    ASSERT_TRUE(abs.ok()) << bad;
    absl::Status s = CheckAntibodies(*abs, *ref_);
    EXPECT_EQ(s.code(), absl::StatusCode::kNotFound) << bad;
  }
  EXPECT_TRUE(CheckAntibodies(*ParseAntibodies("DQw7:1,Cw7:1,HLA-A2:1,"
                                               "DR52:1,A*02:1"),
                              *ref_)
                  .ok());
}

}  // namespace
}  // namespace hla::eligibility
