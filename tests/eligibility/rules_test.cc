// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Eligibility rules that need no IPD-IMGT/HLA release: dates and ages, blood
// groups and ABO compatibility, CMV/sex, antibody lists, protocol presets.
// (Evaluate and donor-specific antibodies, on the shipped 3.58.0, are in
// eligibility_test.cc.)
#include "eligibility/eligibility.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::eligibility {
namespace {

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

TEST(CheckDonorFacts, BirthDateAndAgeMustAgreeWithinAYear) {
  const absl::CivilDay today(2026, 12, 6);
  DonorFacts f;
  f.birth_date = absl::CivilDay(1990, 1, 1);  // 36
  EXPECT_TRUE(CheckDonorFacts(f, today).ok());  // no age: nothing to compare
  for (int age : {35, 36, 37}) {
    f.age = age;
    EXPECT_TRUE(CheckDonorFacts(f, today).ok()) << age;
  }
  f.age = 75;
  const absl::Status s = CheckDonorFacts(f, today);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "birth date 1990-01-01 (36 on 2026-12-06) and age 75 disagree");
  f.birth_date.reset();
  EXPECT_TRUE(CheckDonorFacts(f, today).ok());  // an age alone
}

TEST(ParseDonorFact, OneReaderForFilesAndTheService) {
  DonorFacts f;
  EXPECT_TRUE(ParseDonorFact(DonorFact::kRelationship, " Mother ", &f).ok());
  EXPECT_EQ(f.relationship, matcher::Relationship::kParent);
  EXPECT_EQ(f.relationship_text, "mother");
  EXPECT_TRUE(ParseDonorFact(DonorFact::kAge, "  ", &f).ok());  // blank
  EXPECT_FALSE(f.age.has_value());
  absl::Status s = ParseDonorFact(DonorFact::kAge, "131", &f);
  EXPECT_EQ(s.message(), "'131' is not an age in whole years (0-130)");
  s = ParseDonorFact(DonorFact::kBirthDate, "2023-02-30", &f);
  EXPECT_EQ(s.message(),
            "'2023-02-30' is not a date: February 2023 has 28 days");
  EXPECT_EQ(DonorFactName(DonorFact::kBirthDate), "birth_date");
}

TEST(DonorIdSet, SecondUseIsAnError) {
  DonorIdSet ids;
  EXPECT_TRUE(ids.Add("a").ok());
  EXPECT_TRUE(ids.Add("b").ok());
  EXPECT_EQ(ids.Add("a").message(), "donor id 'a' is used twice");
}

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

// A single-antigen-bead list pasted as the laboratory reports it: the
// specificity, then its MFI as the line's last word (issue 17: the
// coordinator's page takes it as pasted).
TEST(ParseAntibodies, SingleAntigenBeadLines) {
  struct Case {
    const char* text;
    const char* specificity;
    double mfi;
  };
  for (const Case& c : {Case{"A24 3500", "A24", 3500},
                        Case{"A*02:01\t800", "A*02:01", 800},
                        Case{"  DQ7    2500.5  ", "DQ7", 2500.5},
                        Case{"A24: 3500", "A24", 3500},
                        Case{"A24 : 3500", "A24", 3500},
                        Case{"DQB1*03:01 1200", "DQB1*03:01", 1200},
                        Case{"A*02:01:3500", "A*02:01", 3500},
                        Case{"DR 4 = 600", "DR 4", 600}}) {
    SCOPED_TRACE(c.text);
    absl::StatusOr<std::vector<Antibody>> abs = ParseAntibodies(c.text);
    ASSERT_TRUE(abs.ok()) << abs.status();
    ASSERT_EQ(abs->size(), 1u);
    EXPECT_EQ((*abs)[0].specificity, c.specificity);
    EXPECT_EQ((*abs)[0].mfi, c.mfi);
  }
  absl::StatusOr<std::vector<Antibody>> list =
      ParseAntibodies("A24 3500\nDR13 600\r\nB44 2500\n");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[2].specificity, "B44");
  // A last word that is not a number is no MFI.
  for (const char* bad : {"A24 strong", "A24 3500 positive", "3500"}) {
    absl::StatusOr<std::vector<Antibody>> r = ParseAntibodies(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("has no MFI"))
        << bad;
  }
}

// A bead written twice (an export with duplicate rows, or two panels) is one
// antibody at the higher MFI; the number of distinct ones is bounded (10,000
// once took 18 s a request).
TEST(ParseAntibodies, RepeatsMergedAtTheHigherMfiAndCountBounded) {
  absl::StatusOr<std::vector<Antibody>> abs =
      ParseAntibodies("A2:800,B44:1200,a2:3500,A2:100\r\nB44:5");
  ASSERT_TRUE(abs.ok()) << abs.status();
  ASSERT_EQ(abs->size(), 2u);
  EXPECT_EQ((*abs)[0].specificity, "A2");
  EXPECT_EQ((*abs)[0].mfi, 3500);
  EXPECT_EQ((*abs)[1].specificity, "B44");
  EXPECT_EQ((*abs)[1].mfi, 1200);
  std::string many;
  for (size_t i = 0; i < kMaxAntibodies; ++i) {
    absl::StrAppend(&many, "A*02:", i, ":1000,A*02:", i, ":900,");
  }
  abs = ParseAntibodies(many);
  ASSERT_TRUE(abs.ok()) << abs.status();
  EXPECT_EQ(abs->size(), kMaxAntibodies);
  abs = ParseAntibodies(many + "B7:1000");
  EXPECT_EQ(abs.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(abs.status().message()),
              HasSubstr("more than 1000 distinct antibody specificities"));
}

TEST(OptionsForProtocol, PresetsAndUnknown) {
  absl::StatusOr<EligibilityOptions> o = OptionsForProtocol("nct04835883");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->protocol, "NCT04835883");
  EXPECT_EQ(o->max_age_exclusive, 70);
  EXPECT_TRUE(o->require_haplo);
  EXPECT_TRUE(o->dsa_test_required);
  EXPECT_EQ(o->dsa_mfi_threshold, kDefaultDsaMfi);
  o = OptionsForProtocol("none");
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->max_age_exclusive.has_value());
  EXPECT_FALSE(o->require_haplo);
  o = OptionsForProtocol("NCT0000");
  EXPECT_EQ(o.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(o.status().message()), HasSubstr("NCT04835883"));
}

// ---- Donor KIR genotype (Cooley et al., Blood 2010)

TEST(KirGenotype, GeneContentGivesTheMotifsAndTheBContent) {
  struct Row {
    const char* text;
    const char* cen;
    const char* tel;
    int score;
    KirBCategory category;
  };
  const Row rows[] = {
      {"KIR2DL3+KIR2DL2-KIR2DS2-KIR3DL1+KIR2DS4+KIR3DS1-KIR2DS1-", "A/A", "A/A", 0,
       KirBCategory::kNeutral},
      {"KIR2DL3+KIR2DL2+KIR2DS2+KIR3DL1+KIR2DS4+KIR3DS1-KIR2DS1-", "A/B", "A/A", 1,
       KirBCategory::kNeutral},
      {"KIR2DL3+KIR2DL2+KIR2DS2+KIR3DL1+KIR2DS4+KIR3DS1+KIR2DS1+", "A/B", "A/B", 2,
       KirBCategory::kBetter},
      {"KIR2DL3-KIR2DL2+KIR2DS2+KIR3DL1+KIR2DS4+KIR3DS1-KIR2DS1-", "B/B", "A/A", 2,
       KirBCategory::kBest},
      {"KIR2DL3+KIR2DL2-KIR2DS2-KIR3DL1-KIR2DS4-KIR3DS1+KIR2DS1+", "A/A", "B/B", 2,
       KirBCategory::kBetter},
      {"KIR2DL3-KIR2DL2+KIR2DS2+KIR3DL1-KIR2DS4-KIR3DS1+KIR2DS1+", "B/B", "B/B", 4,
       KirBCategory::kBest},
      // Separators, case and the optional prefix.
      {"2dl3+, 2dl2+; 2ds2-  3dl1+ 2ds4+ 3ds1+ 2ds1-", "A/B", "A/B", 2,
       KirBCategory::kBetter},
      {"Cen-A/B;Tel-A/B", "A/B", "A/B", 2, KirBCategory::kBetter},
      {"cen-b/b", "B/B", "unknown", -1, KirBCategory::kBest},
      {"Cen-A/A Tel-B/A", "A/A", "A/B", 1, KirBCategory::kNeutral},
      // No Cen gene pattern fits (all three absent): Cen unknown.
      {"KIR2DL3-KIR2DL2-KIR2DS2-KIR3DL1+KIR2DS4+KIR3DS1-KIR2DS1-", "unknown", "A/A",
       -1, KirBCategory::kNotTyped},
      // A gene the Tel motif needs is not given.
      {"KIR2DL3+KIR2DL2-KIR2DS2-KIR3DL1+", "A/A", "unknown", -1,
       KirBCategory::kNotTyped},
  };
  for (const Row& r : rows) {
    absl::StatusOr<KirGenotype> k = ParseKirGenotype(r.text);
    ASSERT_TRUE(k.ok()) << r.text << ": " << k.status();
    EXPECT_EQ(KirMotifName(k->cen), r.cen) << r.text;
    EXPECT_EQ(KirMotifName(k->tel), r.tel) << r.text;
    const KirBContent b = KirBContentOf(*k);
    EXPECT_EQ(b.score, r.score) << r.text;
    EXPECT_EQ(b.category, r.category) << r.text;
    EXPECT_TRUE(k->given()) << r.text;
  }
}

TEST(KirGenotype, ReceptorsOfTheLigandGroups) {
  constexpr int kC1 = 0, kC2 = 1, kBw4 = 2;
  absl::StatusOr<KirGenotype> k =
      ParseKirGenotype("KIR2DL1+ KIR2DL2- KIR2DL3+ KIR3DL1- KIR2DS4+");
  ASSERT_TRUE(k.ok()) << k.status();
  EXPECT_EQ(k->receptor[kC1], KirPresence::kPresent);  // 2DL3
  EXPECT_EQ(k->receptor[kC2], KirPresence::kPresent);  // 2DL1
  EXPECT_EQ(k->receptor[kBw4], KirPresence::kAbsent);  // 3DL1
  EXPECT_EQ(FormatKirGenotype(*k), "KIR2DL2/3+ KIR2DL1+ KIR3DL1-");
  k = ParseKirGenotype("KIR2DL2- KIR2DL3-");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->receptor[kC1], KirPresence::kAbsent);
  EXPECT_EQ(k->receptor[kC2], KirPresence::kUnknown);
  // The motif form: an A half carries KIR2DL3 (Cen) or KIR3DL1 (Tel).
  k = ParseKirGenotype("Cen-A/B Tel-B/B");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->receptor[kC1], KirPresence::kPresent);
  EXPECT_EQ(k->receptor[kBw4], KirPresence::kUnknown);
  EXPECT_EQ(FormatKirGenotype(*k), "Cen-A/B Tel-B/B; KIR2DL2/3+");
}

TEST(KirGenotype, BadTextIsAnErrorNamingTheToken) {
  const struct {
    std::string text;
    const char* why;
  } kBad[] = {
      {"KIR2DX9+", "'KIR2DX9+' names no KIR gene"},
      {"KIR2DL1", "'KIR2DL1' is not a KIR gene with + (present) or - (absent)"},
      {"KIR2DL1+ KIR2DL1-", "KIR2DL1 is given both present and absent"},
      {"Cen-A/C", "'CEN-A/C' is not a KIR motif"},
      {"Cen-A/A Cen-B/B", "contradicts an earlier Cen motif"},
      {"Cen-A/A KIR2DL1+", "not both"},
      {std::string(401, '+'), "401 characters (at most 400)"},
  };
  for (const auto& b : kBad) {
    absl::StatusOr<KirGenotype> k = ParseKirGenotype(b.text);
    ASSERT_FALSE(k.ok()) << b.text;
    EXPECT_TRUE(absl::IsInvalidArgument(k.status()));
    EXPECT_THAT(k.status().message(), HasSubstr(b.why)) << b.text;
  }
  DonorFacts f;
  EXPECT_TRUE(ParseDonorFact(DonorFact::kKir, "  ", &f).ok());
  EXPECT_FALSE(f.kir.given());
  ASSERT_TRUE(ParseDonorFact(DonorFact::kKir, " Cen-B/B Tel-A/A ", &f).ok());
  EXPECT_EQ(f.kir.cen, KirMotif::kBB);
  EXPECT_EQ(f.kir_text, "Cen-B/B Tel-A/A");
  EXPECT_EQ(DonorFactName(DonorFact::kKir), "kir");
}

// The donor's population (the haplotype table's codes, any case): blank is
// unknown, anything else is refused naming the codes.
TEST(DonorFactsRead, Population) {
  const struct {
    const char* text;
    std::optional<data::Population> want;
  } kRows[] = {{"EUR", data::Population::kEur}, {" afa ", data::Population::kAfa},
               {"Api", data::Population::kApi}, {"HIS", data::Population::kHis},
               {"  ", std::nullopt}};
  for (const auto& r : kRows) {
    DonorFacts f;
    ASSERT_TRUE(ParseDonorFact(DonorFact::kPopulation, r.text, &f).ok()) << r.text;
    EXPECT_EQ(f.population, r.want) << r.text;
  }
  DonorFacts f;
  const absl::Status s = ParseDonorFact(DonorFact::kPopulation, "Caucasian", &f);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(s.message(), HasSubstr("'Caucasian' is not a population"));
  EXPECT_THAT(s.message(), HasSubstr("AFA, API, EUR or HIS"));
  EXPECT_FALSE(f.population.has_value());
  EXPECT_EQ(DonorFactName(DonorFact::kPopulation), "population");
}

TEST(DonorKir, MissingLigandReceptorForm) {
  using P = matcher::LigandPresence;
  using G = matcher::KirLigandGroup;
  // A recipient with C2 only (no C1, no Bw4).
  matcher::LigandSet recipient;
  recipient.presence = {P::kAbsent, P::kDefinite, P::kAbsent};
  struct Row {
    const char* kir;
    std::vector<G> definite, possible;
  };
  const Row rows[] = {
      {"KIR2DL1+ KIR2DL2- KIR2DL3+ KIR3DL1+", {G::kC1, G::kBw4}, {}},
      {"KIR2DL1+ KIR2DL2- KIR2DL3- KIR3DL1-", {}, {}},
      {"KIR2DL1+ KIR2DL2+ KIR2DL3- KIR3DL1-", {G::kC1}, {}},
      // KIR3DL1 not given: Bw4 only possibly missing.
      {"KIR2DL1+ KIR2DL2- KIR2DL3+", {G::kC1}, {G::kBw4}},
  };
  for (const Row& r : rows) {
    const DonorKirResult d = DonorKirOf(*ParseKirGenotype(r.kir), &recipient);
    EXPECT_EQ(d.missing_definite, r.definite) << r.kir;
    EXPECT_EQ(d.missing_possible, r.possible) << r.kir;
    EXPECT_THAT(d.basis, HasSubstr("Cooley")) << r.kir;
  }
  // The recipient's ligands unknown (not assessed): no missing-ligand call.
  const DonorKirResult none =
      DonorKirOf(*ParseKirGenotype("KIR2DL1+ KIR2DL3+ KIR3DL1+"), nullptr);
  EXPECT_TRUE(none.missing_definite.empty());
  EXPECT_TRUE(none.missing_possible.empty());
  // A recipient whose HLA-C is untyped: C1 and C2 possibly missing.
  matcher::LigandSet untyped_c;
  untyped_c.presence = {P::kUnknown, P::kUnknown, P::kDefinite};
  const DonorKirResult open =
      DonorKirOf(*ParseKirGenotype("KIR2DL1+ KIR2DL3+ KIR3DL1+"), &untyped_c);
  EXPECT_TRUE(open.missing_definite.empty());
  EXPECT_EQ(open.missing_possible, (std::vector<G>{G::kC1, G::kC2}));
}

}  // namespace
}  // namespace hla::eligibility
