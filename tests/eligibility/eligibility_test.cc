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
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
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
using ::testing::Not;

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

// An identical relative, haploidentical parent... with every fact known.
TEST_F(EvaluateFacts, EveryFactKnownAndPassingIsEligible) {
  DonorFacts d;
  d.birth_date = Day(1960, 5, 1);  // 66
  RecipientFacts r;
  r.antibodies_tested = true;  // tested, no antibodies
  const Eligibility e =
      Run(d, Report(matcher::HaploVerdict::kHaploidentical, "parent"), Nct(), r);
  EXPECT_EQ(e.status, Status::kEligible);
  EXPECT_TRUE(e.eligible);
  EXPECT_THAT(e.to_check, IsEmpty());
  EXPECT_THAT(e.excludes, IsEmpty());
  EXPECT_THAT(e.passes,
              ElementsAre("age 66 at 2026-11-26: under 70",
                          "haploidentical: parent",
                          "no DSA: the recipient was tested and has no "
                          "anti-HLA antibodies"));
}

TEST_F(EvaluateFacts, UnknownAgeNeedsReview) {
  DonorFacts d;
  d.id = "X";
  RecipientFacts r;
  r.antibodies_tested = true;
  const Eligibility e =
      Run(d, Report(matcher::HaploVerdict::kHaploidentical), Nct(), r);
  EXPECT_EQ(e.status, Status::kNeedsReview);
  EXPECT_FALSE(e.eligible);
  ASSERT_FALSE(e.reasons.empty());
  EXPECT_EQ(e.reasons[0],
            "age unknown: no birth date or age given; check the donor's date "
            "of birth");
  EXPECT_THAT(e.to_check, ElementsAre(e.reasons[0]));
  EXPECT_TRUE(Has(e.findings, Reason::kAgeUnknown));
  EXPECT_FALSE(e.age.has_value());
}

TEST_F(EvaluateFacts, AgeGateAtSeventy) {
  DonorFacts d;
  RecipientFacts r;
  r.antibodies_tested = true;
  d.birth_date = Day(1954, 3, 2);  // 72
  Eligibility e =
      Run(d, Report(matcher::HaploVerdict::kHaploidentical), Nct(), r);
  EXPECT_EQ(e.status, Status::kNotEligible);
  EXPECT_EQ(e.reasons[0], "age 72 at 2026-11-26: not under 70 (NCT04835883)");
  EXPECT_TRUE(Has(e.findings, Reason::kTooOld));
  EXPECT_EQ(e.age, 72);

  d.birth_date = Day(1956, 11, 26);  // 70 today
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical), Nct(), r);
  EXPECT_EQ(e.status, Status::kNotEligible);
  EXPECT_EQ(e.reasons[0], "age 70 at 2026-11-26: not under 70 (NCT04835883)");

  d.birth_date = Day(1956, 11, 27);  // 69, 70 tomorrow
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical, "parent"), Nct(), r);
  EXPECT_EQ(e.status, Status::kEligible);
  EXPECT_THAT(e.passes, Contains("age 69 at 2026-11-26: under 70"));
  EXPECT_THAT(e.passes, Contains("haploidentical: parent"));
}

TEST_F(EvaluateFacts, GivenAgeUsedWithoutBirthDate) {
  DonorFacts d;
  d.age = 45;
  d.relationship = matcher::Relationship::kSibling;
  RecipientFacts r;
  r.antibodies_tested = true;
  Eligibility e = Run(d, Report(matcher::HaploVerdict::kIdentical), Nct(), r);
  EXPECT_EQ(e.status, Status::kEligible);
  EXPECT_THAT(e.passes, Contains("age 45 (as given): under 70"));
  d.birth_date = Day(1950, 1, 1);  // the birth date wins
  e = Run(d, Report(matcher::HaploVerdict::kIdentical), Nct(), r);
  EXPECT_EQ(e.status, Status::kNotEligible);
  EXPECT_EQ(e.age, 76);
}

TEST_F(EvaluateFacts, BirthAfterAsOfIsAgeUnknown) {
  DonorFacts d;
  d.birth_date = Day(2027, 1, 1);
  const Eligibility e =
      Run(d, Report(matcher::HaploVerdict::kIdentical), Nct());
  EXPECT_EQ(e.status, Status::kNeedsReview);
  EXPECT_EQ(e.reasons[0],
            "age unknown: birth date 2027-01-01 is after the as-of date "
            "2026-11-26; check the donor's date of birth");
}

// A donor born on the as-of date is 0: a minor, who needs review unless the
// protocol allows minors.
TEST_F(EvaluateFacts, MinorsNeedReviewUnlessAllowed) {
  DonorFacts d;
  d.birth_date = Day(2026, 11, 26);
  d.relationship = matcher::Relationship::kChild;
  RecipientFacts r;
  r.antibodies_tested = true;
  EligibilityOptions o = Nct();
  Eligibility e =
      Run(d, Report(matcher::HaploVerdict::kHaploidentical, "child"), o, r);
  EXPECT_EQ(e.age, 0);
  EXPECT_EQ(e.status, Status::kNeedsReview);
  ASSERT_EQ(e.to_check.size(), 1u);
  EXPECT_THAT(e.to_check[0], HasSubstr("age 0 at 2026-11-26: a minor (under 18)"));
  // The protocol's age limit is still met, and said.
  EXPECT_THAT(e.passes, Contains("age 0 at 2026-11-26: under 70"));
  d.birth_date = Day(2008, 11, 27);  // 17, 18 tomorrow
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical, "child"), o, r);
  EXPECT_EQ(e.status, Status::kNeedsReview);
  d.birth_date = Day(2008, 11, 26);  // 18 today
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical, "child"), o, r);
  EXPECT_EQ(e.status, Status::kEligible);
  o.allow_minors = true;
  d.birth_date = Day(2016, 1, 1);  // 10
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical, "child"), o, r);
  EXPECT_EQ(e.status, Status::kEligible);
  EXPECT_THAT(e.notes, Contains(HasSubstr("a minor (under 18)")));
}

TEST_F(EvaluateFacts, HaploVerdicts) {
  DonorFacts d;
  d.age = 30;
  d.relationship = matcher::Relationship::kSibling;
  RecipientFacts r;
  r.antibodies_tested = true;
  // A relative who could share a haplotype: phase unconfirmed, review.
  Eligibility e =
      Run(d, Report(matcher::HaploVerdict::kHaploCompatible, "b"), Nct(), r);
  EXPECT_EQ(e.status, Status::kNeedsReview);
  EXPECT_THAT(e.to_check,
              ElementsAre("haplo-compatible: phase unconfirmed: b; confirm "
                          "the shared haplotype by family typing (--family)"));
  EXPECT_TRUE(Has(e.findings, Reason::kPhaseUnconfirmed));

  e = Run(d, Report(matcher::HaploVerdict::kNotHaploidentical, "no allele at B"),
          Nct(), r);
  EXPECT_EQ(e.status, Status::kNotEligible);
  EXPECT_EQ(e.reasons[0], "not haploidentical: no allele at B (NCT04835883)");

  // Insufficient typing: the HLA fact is unknown, review.
  e = Run(d, Report(matcher::HaploVerdict::kInsufficientTyping, "DRB1 untyped"),
          Nct(), r);
  EXPECT_EQ(e.status, Status::kNeedsReview);
  EXPECT_THAT(e.reasons[0], HasSubstr("insufficient typing"));
  EXPECT_THAT(e.reasons[0], HasSubstr("type the missing loci"));

  // Without a protocol nothing is decided; the findings are reported.
  EligibilityOptions none = *OptionsForProtocol("none");
  none.as_of = Day(2026, 11, 26);
  DonorFacts unknown_age;
  e = Run(unknown_age, Report(matcher::HaploVerdict::kNotHaploidentical, "x"),
          none);
  EXPECT_EQ(e.status, Status::kNotAssessed);
  EXPECT_FALSE(e.eligible);
  EXPECT_THAT(e.notes, Contains("not haploidentical: x"));
  EXPECT_THAT(e.notes, Contains("age unknown: no birth date or age given"));
  EXPECT_THAT(e.notes, Contains("DSA not checked: no recipient antibodies given"));
}

// An unrelated donor sharing a recipient haplotype by state: what the
// protocol does with it is a setting, by default review.
TEST_F(EvaluateFacts, UnrelatedMatchedByStateFollowsThePolicy) {
  DonorFacts d;
  d.age = 30;
  d.relationship = matcher::Relationship::kUnrelated;
  RecipientFacts r;
  r.antibodies_tested = true;
  EligibilityOptions o = Nct();
  for (matcher::HaploVerdict v : {matcher::HaploVerdict::kHaplotypeMatched,
                                  matcher::HaploVerdict::kHaploCompatible}) {
    o.by_state = ByStatePolicy::kReview;
    Eligibility e = Run(d, Report(v, "b"), o, r);
    EXPECT_EQ(e.status, Status::kNeedsReview) << matcher::ToString(v);
    EXPECT_TRUE(Has(e.findings, Reason::kMatchedByState));
    EXPECT_THAT(e.to_check[0],
                HasSubstr(": b; NCT04835883 asks for an HLA-haplo-matched "
                          "donor, read as a haploidentical relative"));
    o.by_state = ByStatePolicy::kAccept;
    EXPECT_EQ(Run(d, Report(v, "b"), o, r).status, Status::kEligible);
    o.by_state = ByStatePolicy::kExclude;
    EXPECT_EQ(Run(d, Report(v, "b"), o, r).status, Status::kNotEligible);
  }
}

// A stated parent whose typing cannot carry a recipient haplotype: the
// typing or the relationship is wrong, which is for review, not a verdict.
TEST_F(EvaluateFacts, InconsistentParentNeedsReview) {
  DonorFacts d;
  d.age = 50;
  d.relationship = matcher::Relationship::kParent;
  RecipientFacts r;
  r.antibodies_tested = true;
  matcher::MatchReport report =
      Report(matcher::HaploVerdict::kNotHaploidentical, "no allele at B");
  report.haplo.inconsistencies = {"the stated parent shares no allele at B"};
  const Eligibility e = Run(d, report, Nct(), r);
  EXPECT_EQ(e.status, Status::kNeedsReview);
  EXPECT_FALSE(Has(e.findings, Reason::kNotHaploidentical));
  EXPECT_THAT(e.to_check,
              ElementsAre("the stated parent shares no allele at B; confirm "
                          "the relationship and repeat the typing"));
}

TEST_F(EvaluateFacts, AboCmvSexAreNotesUnlessGated) {
  DonorFacts d;
  d.age = 30;
  d.blood_group = *ParseBloodGroup("A+");
  d.cmv = Cmv::kNegative;
  d.sex = Sex::kFemale;
  RecipientFacts r;
  r.antibodies_tested = true;
  r.blood_group = *ParseBloodGroup("O+");
  r.cmv = Cmv::kPositive;
  r.sex = Sex::kMale;
  EligibilityOptions o = Nct();
  Eligibility e = Run(d, Report(matcher::HaploVerdict::kHaploidentical), o, r);
  EXPECT_EQ(e.status, Status::kEligible);
  EXPECT_EQ(e.abo, AboMatch::kMajor);
  EXPECT_THAT(e.notes,
              Contains("ABO major incompatibility: recipient O+, donor A+"));
  EXPECT_THAT(e.notes, Contains("CMV mismatch (R+/D-): recipient positive, "
                                "donor negative"));
  EXPECT_THAT(e.notes, Contains("female donor for a male recipient"));
  EXPECT_TRUE(Has(e.findings, Reason::kAboMajor));
  EXPECT_TRUE(Has(e.findings, Reason::kCmvMismatch));
  EXPECT_TRUE(Has(e.findings, Reason::kFemaleToMale));

  o.abo_gate = true;
  o.cmv_gate = true;
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical), o, r);
  EXPECT_EQ(e.status, Status::kNotEligible);
  EXPECT_EQ(e.reasons[0], "ABO major incompatibility: recipient O+, donor A+");
  EXPECT_EQ(e.reasons[1],
            "CMV mismatch (R+/D-): recipient positive, donor negative");

  d.blood_group.reset();
  e = Run(d, Report(matcher::HaploVerdict::kHaploidentical), Nct(), r);
  EXPECT_THAT(e.notes,
              Contains("ABO not checked: donor blood group unknown"));
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
  EXPECT_EQ(f[0].kind, DsaKind::kDsa);
  EXPECT_EQ(f[0].donor_allele, "A*02:01");
  EXPECT_EQ(f[0].via, "allele");
  EXPECT_TRUE(f[0].at_or_above_threshold);
}

TEST_F(Dsa, AntigenLevelIncludingBroadAndSplit) {
  const std::string donor =
      "A*01:01+A*24:02^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01";
  std::vector<DsaFinding> f = Find("A24:2000", kRecipient, donor);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, DsaKind::kDsa);
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
  // A donor typed as the broad A9 may carry A24.
  f = Find("A24:2000", kRecipient, "A*01:01+A9^B*08:01+B*44:02");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].donor_allele, "A9");
}

// Against the recipient's own antigen an antibody is no DSA, but it is
// reported, not dropped.
TEST_F(Dsa, AgainstTheRecipientsOwnAntigenIsReportedAsSelf) {
  const std::string donor = "A*01:01+A*02:01^B*08:01+B*44:02";
  for (const char* ab : {"A*01:01:9000", "A1:9000", "B8:9000"}) {
    const std::vector<DsaFinding> f = Find(ab, kRecipient, donor);
    ASSERT_EQ(f.size(), 1u) << ab;
    EXPECT_EQ(f[0].kind, DsaKind::kSelf) << ab;
    EXPECT_THAT(f[0].why, HasSubstr("not donor-specific"));
  }
  // Recipient carries A2 (A*02:05): anti-A2 is not donor-specific.
  std::vector<DsaFinding> f =
      Find("A2:9000", "A*01:01+A*02:05^B*08:01+B*07:02", donor);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, DsaKind::kSelf);
  // ... but anti-A*02:01 is (allele level: A*02:05 is not A*02:01).
  f = Find("A*02:01:9000", "A*01:01+A*02:05^B*08:01+B*07:02", donor);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, DsaKind::kDsa);
  EXPECT_EQ(f[0].donor_allele, "A*02:01");
}

// The "no DSA" line counts the antibodies that were checked (at or above
// the threshold), and a finding is said once even when both donor copies
// carry its target.
TEST_F(Dsa, NoDsaLineCountsCheckedAntibodiesAndSaysEachFindingOnce) {
  const matcher::Genotype recipient = Build(kRecipient);  // B8 B7: Bw6
  const matcher::Genotype donor =
      Build("A*01:01+A*03:01^B*08:01+B*07:02^DRB1*03:01+DRB1*15:01");
  DonorFacts d;
  d.birth_date = Day(1980, 1, 1);
  matcher::MatchReport report = Report(matcher::HaploVerdict::kIdentical);
  struct Case {
    const char* antibodies;
    const char* pass;
  };
  const Case kCases[] = {
      {"A2:3500,B44:2000",
       "no DSA: none of the recipient's 2 antibodies at MFI \u2265 1000 is "
       "against this donor"},
      {"A2:3500,B44:600",
       "no DSA: the recipient's one antibody at MFI \u2265 1000 is not "
       "against this donor"},
      {"A2:300,B44:600",
       "no DSA: the recipient's 2 antibodies are all below MFI 1000"},
      {"A2:300", "no DSA: the recipient's 1 antibody is below MFI 1000"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.antibodies);
    RecipientFacts r;
    r.antibodies_tested = true;
    r.antibodies = *ParseAntibodies(c.antibodies);
    const Eligibility e =
        Evaluate(d, donor, r, recipient, report, *ref_, Nct());
    EXPECT_THAT(e.passes, Contains(c.pass));
  }
  // Anti-Bw6 against a donor whose two B antigens are Bw6, as are the
  // recipient's own: one note, not one per copy.
  RecipientFacts r;
  r.antibodies_tested = true;
  r.antibodies = *ParseAntibodies("Bw6:5000");
  const Eligibility e = Evaluate(d, donor, r, recipient, report, *ref_, Nct());
  size_t self = 0;
  for (const std::string& n : e.notes) self += absl::StrContains(n, "anti-Bw6");
  EXPECT_EQ(self, 1u) << absl::StrJoin(e.notes, "\n");
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
  rf.antibodies_tested = true;
  rf.antibodies = *ParseAntibodies("A2:500");
  DonorFacts d;
  d.age = 40;
  matcher::MatchReport report =
      Report(matcher::HaploVerdict::kHaploidentical, "p");
  Eligibility e = Evaluate(d, Build(donor), rf, Build(kRecipient), report,
                           *ref_, Nct());
  EXPECT_EQ(e.status, Status::kEligible);
  EXPECT_THAT(e.notes,
              Contains("antibody anti-A2 MFI 500 < 1000 against donor A*02:01 "
                       "(antigen A2): below the DSA threshold"));
  rf.antibodies = *ParseAntibodies("A*02:01:3500");
  e = Evaluate(d, Build(donor), rf, Build(kRecipient), report, *ref_, Nct());
  EXPECT_EQ(e.status, Status::kNotEligible);
  EXPECT_EQ(e.reasons[0],
            "DSA: anti-A*02:01 MFI 3500 \u2265 1000 against donor allele "
            "A*02:01");
  EXPECT_TRUE(Has(e.findings, Reason::kDsa));
}

// An ambiguous donor typing some of whose alleles carry the specificity:
// a possible DSA (needs review), not a proven one.
TEST_F(Dsa, AmbiguousDonorTypingIsAPossibleDsa) {
  const std::vector<DsaFinding> f =
      Find("A*02:01:3500", kRecipient, "A*01:01+A*02:01/A*02:05^B*08:01+B*44:02");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, DsaKind::kPossible);
  EXPECT_THAT(f[0].why, HasSubstr("some alleles of donor A*02:01/A*02:05"));
}

// Bw4 and Bw6, which the release assigns to no allele, are read from the
// serological HLA-B (and for Bw4 HLA-A) antigens of the donor's alleles.
TEST_F(Dsa, BwEpitopesAreReadFromTheDonorsAntigens) {
  // The recipient (A1 A3, B8 B7) carries Bw6 only.
  std::vector<DsaFinding> f =
      Find("Bw4:8000", kRecipient, "A*01:01+A*03:01^B*08:01+B*44:03");
  ASSERT_EQ(f.size(), 1u);  // B44 is Bw4
  EXPECT_EQ(f[0].kind, DsaKind::kDsa);
  EXPECT_EQ(f[0].donor_allele, "B*44:03");
  EXPECT_EQ(f[0].via, "Bw4");
  // A24 carries Bw4 on HLA-A.
  f = Find("Bw4:8000", kRecipient, "A*01:01+A*24:02^B*08:01+B*35:01");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].donor_allele, "A*24:02");
  // Bw6 only on both loci: no DSA.
  EXPECT_THAT(Find("Bw4:8000", kRecipient, "A*01:01+A*03:01^B*08:01+B*35:01"),
              IsEmpty());
  // Donor untyped at B: cannot be checked.
  f = Find("Bw4:8000", kRecipient, "A*01:01+A*03:01^DRB1*03:01+DRB1*04:01");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, DsaKind::kUntypedLocus);
  EXPECT_EQ(f[0].donor_allele, "B");
  // Against a Bw4 recipient, anti-Bw4 is no DSA.
  f = Find("Bw4:8000", "A*01:01+A*03:01^B*44:02+B*07:02",
           "A*01:01+A*03:01^B*08:01+B*44:03");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].kind, DsaKind::kSelf);
}

// At allele level the epitope is read from the allele's own residues
// 77-83 (data/protein.h), which settles the alleles whose antigen says
// otherwise; serology typings keep the antigen rule.
TEST_F(Dsa, BwEpitopesAtAlleleLevelFollowTheSequence) {
  struct Row {
    const char* antibody;
    const char* donor_b;
    int dsa;  // 1 a DSA, 0 none
  };
  const Row rows[] = {
      // B*13:09 is serologically B13 (Bw4) but carries the Bw6 motif ESNRG.
      {"Bw4:8000", "B*08:01+B*13:09", 0},
      {"Bw6:8000", "B*44:02+B*13:09", 1},
      // B*13:02 is Bw4 (80T) as B13 says.
      {"Bw4:8000", "B*08:01+B*13:02", 1},
      // B*46:01 (VSNRG): Bw6, no Bw4.
      {"Bw4:8000", "B*08:01+B*46:01", 0},
      {"Bw6:8000", "B*44:02+B*46:01", 1},
      // A*32:01 carries Bw4 on HLA-A (A32).
      {"Bw4:8000", "B*08:01+B*35:01^A*32:01+A*01:01", 1},
  };
  const std::string bw4_recipient = "A*01:01+A*03:01^B*08:01+B*07:02";  // Bw6
  const std::string bw6_recipient = "A*01:01+A*03:01^B*44:02+B*57:01";  // Bw4
  for (const Row& r : rows) {
    const bool anti_bw6 = absl::StartsWith(r.antibody, "Bw6");
    std::string donor = r.donor_b;
    if (!absl::StrContains(donor, "A*")) donor = std::string("A*01:01+A*03:01^") + donor;
    const std::vector<DsaFinding> f =
        Find(r.antibody, anti_bw6 ? bw6_recipient : bw4_recipient, donor);
    int dsa = 0;
    for (const DsaFinding& x : f) dsa += x.kind == DsaKind::kDsa;
    EXPECT_EQ(dsa, r.dsa) << r.antibody << " vs " << donor;
  }
  // A donor typed by serology keeps the antigen rule: B13 is Bw4.
  const std::vector<DsaFinding> sero = Find("Bw4:8000", bw4_recipient, "A1+A3^B8+B13");
  ASSERT_EQ(sero.size(), 1u);
  EXPECT_EQ(sero[0].kind, DsaKind::kDsa);
}

TEST(BwEpitopeOf, TheTableOfMarsh2010) {
  EXPECT_EQ(BwEpitopeOf("B44"), BwEpitope::kBw4);
  EXPECT_EQ(BwEpitopeOf("B27"), BwEpitope::kBw4);
  EXPECT_EQ(BwEpitopeOf("A24"), BwEpitope::kBw4);
  EXPECT_EQ(BwEpitopeOf("A32"), BwEpitope::kBw4);
  EXPECT_EQ(BwEpitopeOf("B7"), BwEpitope::kBw6);
  EXPECT_EQ(BwEpitopeOf("B35"), BwEpitope::kBw6);
  EXPECT_EQ(BwEpitopeOf("B12"), BwEpitope::kMixed);  // B44 Bw4, B45 Bw6
  EXPECT_EQ(BwEpitopeOf("A2"), BwEpitope::kNone);
  EXPECT_EQ(BwEpitopeOf("Cw7"), BwEpitope::kUnknown);
  EXPECT_EQ(BwEpitopeOf("B99"), BwEpitope::kUnknown);
}

// CopyDsaFinder, the registry scan's form of FindDsaForCopy: Find and
// FindInRanges (the alleles given as runs of ids, tallied from prefix sums)
// give FindDsaForCopy's findings, kind for kind and word for word apart
// from the copy's text, for every kind of copy and antibody.
TEST_F(Dsa, CopyDsaFinderGivesFindDsaForCopysFindings) {
  absl::StatusOr<std::vector<Antibody>> abs = ParseAntibodies(
      "A2:3000,A9:1800,A24:900,B12:2500,B44:500,Bw4:6000,Bw6:1500,"
      "Cw7:1200,DR4:1500,DR52:3000,DQ7:2000,DQB1*03:01:2000,"
      "A*02:01:4000,A*24:02:2500,DPB1*04:01:4000,A*01:01:5000");
  ASSERT_TRUE(abs.ok()) << abs.status();
  const char* const kCopies[] = {
      "A*02:01", "A*02:01:01:01", "A*02:XX", "A*02:01/A*02:06", "A2", "A9", "A24",
      "A*24:02/A*23:01", "A*01:01/A*01:04N", "A*01:04N", "B*44:02:01G",
      "B*51:XX", "B*15:01/B*15:17", "B44", "B12", "C*07:01", "C*07:XX",
      "DRB1*04:01", "DRB1*04:XX", "DR4", "DQB1*03:01", "DQB1*03:XX",
      "DPB1*04:01", "DPB1*02:XX", "B*07:02/B*08:01/B*15:01",
      // No serology at all (unjudged), alone and beside judged alleles.
      "B*83:01", "B*83:01/B*44:02", "B*83:01/B*51:01"};
  for (const char* recipient : {kRecipient, "A*02:01+A*24:02^B*44:02+B*51:01"}) {
    const matcher::Genotype r = Build(recipient);
    const CopyDsaFinder finder(*abs, r, *ref_, kDefaultDsaMfi,
                               /*ranges=*/true);
    for (const char* text : kCopies) {
      const matcher::Genotype g = Build(text);
      for (Locus l : kAllLoci) {
        if (g.at(l).typed_positions == 0) continue;
        const matcher::PositionTyping& copy = g.at(l).pos[0];
        SCOPED_TRACE(std::string(recipient) + " vs " + text);
        // The alleles as runs of consecutive ids.
        std::vector<uint32_t> ranges;
        for (size_t i = 0; i < copy.alleles.size();) {
          size_t j = i + 1;
          while (j < copy.alleles.size() &&
                 copy.alleles[j] == copy.alleles[j - 1] + 1) {
            ++j;
          }
          ranges.push_back(copy.alleles[i]);
          ranges.push_back(copy.alleles[j - 1] + 1);
          i = j;
        }
        const std::vector<DsaFinding> want = FindDsaForCopy(
            *abs, r, l, copy, *ref_, kDefaultDsaMfi);
        for (const std::vector<DsaFinding>& got :
             {finder.Find(l, copy), finder.FindInRanges(l, copy, ranges)}) {
          ASSERT_EQ(got.size(), want.size());
          for (size_t k = 0; k < got.size(); ++k) {
            EXPECT_EQ(got[k].kind, want[k].kind);
            EXPECT_EQ(got[k].specificity, want[k].specificity);
            EXPECT_EQ(got[k].at_or_above_threshold,
                      want[k].at_or_above_threshold);
            EXPECT_EQ(got[k].via, want[k].via);
            EXPECT_EQ(got[k].why, want[k].why);
          }
        }
        EXPECT_TRUE(finder.AnyAt(l) || want.empty());
      }
    }
  }
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
