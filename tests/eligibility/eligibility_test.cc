// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Eligibility: the gates of Evaluate, and donor-specific antibodies against
// the shipped IPD-IMGT/HLA 3.58.0. The parsers and rules that need no
// release (dates and ages, blood groups, CMV/sex, antibodies, protocol
// presets) are in rules_test.cc.
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
