// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The verdict a coordinator gets, end to end (ScoreDonor: match, rules) on
// the shipped IPD-IMGT/HLA 3.58.0: one row per case a clinician checked,
// with the status and the reason expected, and the property that under a
// protocol a donor with any one required fact unknown is never eligible.
#include <string>
#include <vector>

#include "data/reference.h"
#include "data/resolve.h"
#include "eligibility/score.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "parser/parse.h"

namespace hla::eligibility {
namespace {

using ::testing::HasSubstr;

// The recipient: unphased, B44 (Bw4) and B8 (Bw6), DR3 and DR4.
constexpr char kRecipient[] =
    "A*01:01+A*02:01^C*07:01+C*05:01^B*08:01+B*44:02^"
    "DRB1*03:01+DRB1*04:01^DQB1*02:01+DQB1*03:02";
// A parent carrying the recipient's A1 C7 B8 DR3 DQ2 haplotype.
constexpr char kParent[] =
    "A*01:01+A*03:01^C*07:01+C*07:02^B*08:01+B*07:02^"
    "DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02";

class Verdict : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::string> dir = data::ResolveImgtDir(
        HLA_SHIPPED_DATA_DIR "/imgt/3.58.0", data::DataPaths());
    ASSERT_TRUE(dir.ok()) << dir.status();
    auto r = data::Reference::Load({*dir});
    ASSERT_TRUE(r.ok()) << r.status();
    ref_ = new std::shared_ptr<const data::Reference>(*r);
  }
  static matcher::Genotype G(const std::string& text) {
    data::Resolver resolver(*ref_, nullptr);
    absl::StatusOr<GlString> gl = parser::ParseGlString(text);
    EXPECT_TRUE(gl.ok()) << gl.status();
    absl::StatusOr<data::ResolvedTyping> t = resolver.Resolve(*gl);
    EXPECT_TRUE(t.ok()) << t.status();
    absl::StatusOr<matcher::Genotype> g = matcher::BuildGenotype(**ref_, *t);
    EXPECT_TRUE(g.ok()) << g.status();
    return g.ok() ? *g : matcher::Genotype();
  }

  // One case: recipient and donor typings, the donor's facts, the
  // recipient's antibodies ("" untested, "none" tested without), options.
  struct Case {
    std::string name;
    std::string recipient = kRecipient;
    std::string donor = kParent;
    matcher::Relationship relationship = matcher::Relationship::kParent;
    std::optional<int> age = 50;
    std::string antibodies = "none";
    std::string recipient_abo, donor_abo;
    Cmv recipient_cmv = Cmv::kUnknown, donor_cmv = Cmv::kUnknown;
    Sex recipient_sex = Sex::kUnknown, donor_sex = Sex::kUnknown;
    std::string protocol = "NCT04835883";
    std::string gates;  // "abo,cmv,sex"
    Status want = Status::kEligible;
    std::string reason;  // a substring of some reason ("" : none checked)

    explicit Case(std::string n) : name(std::move(n)) {}
    Case& Recipient(decltype(recipient) v) { recipient = std::move(v); return *this; }
    Case& Donor(decltype(donor) v) { donor = std::move(v); return *this; }
    Case& Rel(decltype(relationship) v) { relationship = std::move(v); return *this; }
    Case& Age(decltype(age) v) { age = std::move(v); return *this; }
    Case& Antibodies(decltype(antibodies) v) { antibodies = std::move(v); return *this; }
    Case& RecipientAbo(decltype(recipient_abo) v) { recipient_abo = std::move(v); return *this; }
    Case& DonorAbo(decltype(donor_abo) v) { donor_abo = std::move(v); return *this; }
    Case& RecipientCmv(decltype(recipient_cmv) v) { recipient_cmv = std::move(v); return *this; }
    Case& DonorCmv(decltype(donor_cmv) v) { donor_cmv = std::move(v); return *this; }
    Case& RecipientSex(decltype(recipient_sex) v) { recipient_sex = std::move(v); return *this; }
    Case& DonorSex(decltype(donor_sex) v) { donor_sex = std::move(v); return *this; }
    Case& Protocol(decltype(protocol) v) { protocol = std::move(v); return *this; }
    Case& Gates(decltype(gates) v) { gates = std::move(v); return *this; }
    Case& Want(decltype(want) v) { want = std::move(v); return *this; }
    Case& Reason(decltype(reason) v) { reason = std::move(v); return *this; }
  };

  static DonorReport Score(const Case& c) {
    ScoringContext ctx;
    ctx.reference = ref_->get();
    const matcher::Genotype recipient = G(c.recipient);
    ctx.recipient = &recipient;
    ctx.eligibility = *OptionsForProtocol(c.protocol);
    ctx.eligibility.as_of = absl::CivilDay(2026, 11, 26);
    ctx.eligibility.abo_gate = absl::StrContains(c.gates, "abo");
    ctx.eligibility.cmv_gate = absl::StrContains(c.gates, "cmv");
    ctx.eligibility.sex_gate = absl::StrContains(c.gates, "sex");
    if (!c.antibodies.empty()) {
      ctx.recipient_facts.antibodies_tested = true;
      if (c.antibodies != "none") {
        ctx.recipient_facts.antibodies = *ParseAntibodies(c.antibodies);
        EXPECT_TRUE(
            CheckAntibodies(ctx.recipient_facts.antibodies, **ref_).ok());
      }
    }
    if (!c.recipient_abo.empty()) {
      ctx.recipient_facts.blood_group = *ParseBloodGroup(c.recipient_abo);
    }
    ctx.recipient_facts.cmv = c.recipient_cmv;
    ctx.recipient_facts.sex = c.recipient_sex;
    DonorFacts d;
    d.id = c.name;
    d.relationship = c.relationship;
    d.age = c.age;
    if (!c.donor_abo.empty()) d.blood_group = *ParseBloodGroup(c.donor_abo);
    d.cmv = c.donor_cmv;
    d.sex = c.donor_sex;
    absl::StatusOr<DonorReport> r = ScoreDonor(ctx, d, G(c.donor));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : DonorReport();
  }

  static std::shared_ptr<const data::Reference>* ref_;
};
std::shared_ptr<const data::Reference>* Verdict::ref_ = nullptr;

std::string Dump(const Eligibility& e) {
  return absl::StrCat(StatusName(e.status), ":\n  ",
                      absl::StrJoin(e.reasons, "\n  "));
}

TEST_F(Verdict, EveryCaseGivesItsStatusAndReason) {
  const Case kCases[] = {
      Case("baseline: a parent, every fact known")
          .Want(Status::kEligible)
          .Reason("haploidentical: a parent shares one haplotype by descent"),

      // An antibody over a locus the donor is not typed at is not "no DSA".
      Case("anti-Cw4, donor untyped at C")
          .Donor("A*01:01+A*03:01^B*08:01+B*07:02^DRB1*03:01+DRB1*15:01")
          .Antibodies("Cw4:9000")
          .Want(Status::kNeedsReview)
          .Reason("DSA unknown: anti-Cw4 MFI 9000 \u2265 1000: the donor is "
                 "not typed at C"),
      Case("anti-DQ7, donor untyped at DQB1")
          .Donor("A*01:01+A*03:01^C*07:01+C*07:02^B*08:01+B*07:02^"
                "DRB1*03:01+DRB1*15:01")
          .Antibodies("DQ7:5000")
          .Want(Status::kNeedsReview)
          .Reason("not typed at DQB1"),
      Case("anti-DR52, donor untyped at DRB3")
          .Antibodies("DR52:12000")
          .Want(Status::kNeedsReview)
          .Reason("not typed at DRB3"),
      Case("anti-DQA1*05:05, donor untyped at DQA1")
          .Antibodies("DQA1*05:05:7000")
          .Want(Status::kNeedsReview)
          .Reason("not typed at DQA1"),
      Case("anti-DQA1*05:05, donor DQA1*05:05")
          .Donor(std::string(kParent) + "^DQA1*05:01+DQA1*05:05")
          .Antibodies("DQA1*05:05:7000")
          .Want(Status::kNotEligible)
          .Reason("DSA: anti-DQA1*05:05 MFI 7000 \u2265 1000 against donor "
                 "allele DQA1*05:05"),

      // A broad antibody when recipient and donor carry different splits.
      Case("anti-B12, recipient B44, donor B45")
          .Donor("A*01:01+A*03:01^C*07:01+C*07:02^B*08:01+B*45:01^"
                "DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02")
          .Antibodies("B12:6000")
          .Want(Status::kNeedsReview)
          .Reason("possible DSA: anti-B12 MFI 6000 \u2265 1000 against donor "
                 "B*45:01 (antigen B45): the recipient carries B12 through another "
                 "antigen than the donor's B45"),
      Case("anti-DQ3, recipient DQ8, donor DQ7")
          .Donor("A*01:01+A*03:01^C*07:01+C*07:02^B*08:01+B*07:02^"
                "DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*03:01")
          .Antibodies("DQ3:6000")
          .Want(Status::kNeedsReview)
          .Reason("possible DSA: anti-DQ3"),
      Case("anti-A9, recipient A24, donor A23")
          .Recipient("A*01:01+A*24:02^C*07:01+C*05:01^B*08:01+B*44:02^"
                    "DRB1*03:01+DRB1*04:01^DQB1*02:01+DQB1*03:02")
          .Donor("A*01:01+A*23:01^C*07:01+C*07:02^B*08:01+B*07:02^"
                "DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02")
          .Antibodies("A9:6000")
          .Want(Status::kNeedsReview)
          .Reason("possible DSA: anti-A9"),
      Case("anti-B44 against the recipient's own B44: noted")
          .Donor("A*01:01+A*03:01^C*07:01+C*07:02^B*08:01+B*44:02^"
                "DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02")
          .Antibodies("B44:6000")
          .Want(Status::kEligible)
          .Reason("anti-B44 MFI 6000 \u2265 1000 is not counted as a DSA: the "
                 "recipient carries B44 too"),

      // Bw4 read from the donor's antigens.
      Case("anti-Bw4, recipient Bw6 only, donor B*44:03")
          .Recipient("A*01:01+A*03:01^C*07:01+C*07:02^B*08:01+B*07:02^"
                    "DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02")
          .Donor("A*01:01+A*02:01^C*07:01+C*05:01^B*08:01+B*44:03^"
                "DRB1*03:01+DRB1*04:01^DQB1*02:01+DQB1*03:02")
          .Antibodies("Bw4:8000")
          .Want(Status::kNotEligible)
          .Reason("DSA: anti-Bw4 MFI 8000 \u2265 1000 against donor B*44:03 "
                 "(epitope Bw4)"),
      Case("anti-Bw4, recipient Bw6 only, donor Bw6 only")
          .Recipient("A*01:01+A*03:01^C*07:01+C*07:02^B*08:01+B*07:02^"
                    "DRB1*03:01+DRB1*15:01^DQB1*02:01+DQB1*06:02")
          .Donor("A*01:01+A*02:01^C*07:01+C*04:01^B*08:01+B*35:01^"
                "DRB1*03:01+DRB1*04:01^DQB1*02:01+DQB1*03:02")
          .Antibodies("Bw4:8000")
          .Want(Status::kEligible)
          .Reason("no DSA"),

      // By descent or by state.
      Case("unrelated sharing a haplotype's alleles by state")
          .Rel(matcher::Relationship::kUnrelated)
          .Want(Status::kNeedsReview)
          .Reason("an unrelated donor: sharing by state at best"),
      Case("unrelated sharing alleles of both recipient haplotypes but "
               "neither whole (recipient phased)")
          .Recipient("A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
                    "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02")
          .Donor("A*01:01+A*03:01^C*07:01+C*04:01^B*44:02+B*35:01^"
                "DRB1*04:01+DRB1*11:01^DQB1*02:01+DQB1*03:01")
          .Rel(matcher::Relationship::kUnrelated)
          .Want(Status::kNotEligible)
          .Reason("cannot carry either whole"),
      Case("parent whose typing cannot carry a recipient haplotype")
          .Recipient("A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
                    "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02")
          .Donor("A*01:01+A*03:01^C*07:01+C*04:01^B*44:02+B*35:01^"
                "DRB1*04:01+DRB1*11:01^DQB1*02:01+DQB1*03:01")
          .Want(Status::kNeedsReview)
          .Reason("non-parentage, recombination or a typing error"),
      Case("sibling who could share a haplotype")
          .Rel(matcher::Relationship::kSibling)
          .Want(Status::kNeedsReview)
          .Reason("phase unconfirmed"),

      // No protocol, no antibody list.
      Case("no protocol: not assessed, even 0/10 and age unknown")
          .Donor("A*03:01+A*11:01^C*04:01+C*06:02^B*35:01+B*57:01^"
                "DRB1*07:01+DRB1*15:01^DQB1*06:02+DQB1*03:03")
          .Age(std::nullopt)
          .Protocol("none")
          .Want(Status::kNotAssessed)
          .Reason("not haploidentical"),
      Case("no antibody list under a haplo protocol")
          .Antibodies("")
          .Want(Status::kNeedsReview)
          .Reason("DSA not tested"),

      // Gates on unknown values; RhD and CMV named.
      Case("ABO gate, donor blood group blank")
          .RecipientAbo("A+")
          .Gates("abo")
          .Want(Status::kNeedsReview)
          .Reason("ABO not checked: donor blood group unknown; give the donor "
                 "blood group"),
      Case("ABO gate, recipient blood group blank")
          .DonorAbo("O+")
          .Gates("abo")
          .Want(Status::kNeedsReview)
          .Reason("ABO not checked: recipient blood group unknown"),
      Case("CMV gate, donor CMV blank")
          .RecipientCmv(Cmv::kPositive)
          .Gates("cmv")
          .Want(Status::kNeedsReview)
          .Reason("CMV not compared"),
      Case("sex gate, donor sex blank, male recipient")
          .RecipientSex(Sex::kMale)
          .Gates("sex")
          .Want(Status::kNeedsReview)
          .Reason("sex not compared"),
      Case("RhD-negative recipient, RhD-positive donor: reported")
          .RecipientAbo("O-")
          .DonorAbo("O+")
          .Want(Status::kEligible)
          .Reason("RhD mismatch: RhD-negative recipient, RhD-positive donor"),
      Case("CMV-negative recipient, CMV-positive donor: a mismatch")
          .RecipientCmv(Cmv::kNegative)
          .DonorCmv(Cmv::kPositive)
          .Want(Status::kEligible)
          .Reason("CMV mismatch (R-/D+)"),
      Case("... which the CMV gate excludes")
          .RecipientCmv(Cmv::kNegative)
          .DonorCmv(Cmv::kPositive)
          .Gates("cmv")
          .Want(Status::kNotEligible)
          .Reason("CMV mismatch (R-/D+)"),

      // Facts.
      Case("a donor aged 0: a minor")
          .Rel(matcher::Relationship::kChild)
          .Age(0)
          .Want(Status::kNeedsReview)
          .Reason("a minor (under 18)"),
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    const DonorReport r = Score(c);
    EXPECT_EQ(r.eligibility.status, c.want) << Dump(r.eligibility);
    if (!c.reason.empty()) {
      EXPECT_THAT(absl::StrJoin(r.eligibility.reasons, "\n"),
                  HasSubstr(c.reason))
          << Dump(r.eligibility);
    }
  }
}

// Under a protocol, a donor missing any one fact the protocol needs is
// never eligible: starting from an eligible donor, each fact made unknown
// in turn.
TEST_F(Verdict, AnyOneRequiredFactUnknownIsNeverEligible) {
  Case base = Case("eligible")
          .Antibodies("A24:3500")
          .RecipientAbo("A+")
          .DonorAbo("O+")
          .RecipientCmv(Cmv::kPositive)
          .DonorCmv(Cmv::kPositive)
          .RecipientSex(Sex::kMale)
          .DonorSex(Sex::kMale)
          .Gates("abo,cmv,sex")
          .Want(Status::kEligible);
  ASSERT_EQ(Score(base).eligibility.status, Status::kEligible)
      << Dump(Score(base).eligibility);
  std::vector<Case> unknown;
  auto vary = [&](std::string name, auto change) {
    Case c = base;
    c.name = std::move(name);
    change(&c);
    unknown.push_back(c);
  };
  vary("age", [](Case* c) { c->age = std::nullopt; });
  vary("antibody test", [](Case* c) { c->antibodies = ""; });
  vary("the locus under an antibody (A)", [](Case* c) {
    c->donor = "C*07:01+C*07:02^B*08:01+B*07:02^DRB1*03:01+DRB1*15:01^"
               "DQB1*02:01+DQB1*06:02";
  });
  vary("a locus the haplo verdict needs (DRB1)", [](Case* c) {
    c->donor = "A*01:01+A*03:01^C*07:01+C*07:02^B*08:01+B*07:02^"
               "DQB1*02:01+DQB1*06:02";
  });
  vary("the relationship", [](Case* c) {
    c->relationship = matcher::Relationship::kUnknown;
  });
  vary("the donor's blood group (gated)", [](Case* c) { c->donor_abo = ""; });
  vary("the recipient's blood group (gated)",
       [](Case* c) { c->recipient_abo = ""; });
  vary("the donor's CMV (gated)",
       [](Case* c) { c->donor_cmv = Cmv::kUnknown; });
  vary("the recipient's CMV (gated)",
       [](Case* c) { c->recipient_cmv = Cmv::kUnknown; });
  vary("the donor's sex (gated)",
       [](Case* c) { c->donor_sex = Sex::kUnknown; });
  // The recipient's sex matters when the donor is female (female to male).
  vary("the recipient's sex (gated), a female donor", [](Case* c) {
    c->recipient_sex = Sex::kUnknown;
    c->donor_sex = Sex::kFemale;
  });
  for (const Case& c : unknown) {
    SCOPED_TRACE(c.name);
    const Eligibility e = Score(c).eligibility;
    EXPECT_NE(e.status, Status::kEligible) << Dump(e);
    EXPECT_FALSE(e.eligible);
    EXPECT_FALSE(e.to_check.empty()) << Dump(e);
  }
  EXPECT_EQ(unknown.size(), 11u);
}

}  // namespace
}  // namespace hla::eligibility
