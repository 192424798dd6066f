// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// FamilyEvidence (family/family.h) and rank's use of it
// (RankOptions::families): segregation is applied only where it proves
// something (the recipient typed as the family's patient, the relative as
// in the family), and the scan's verdicts equal Match + ApplySegregation +
// Evaluate for every donor.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/family_haplotypes.h"
#include "eligibility/eligibility.h"
#include "family/family.h"
#include "matcher/match.h"
#include "registry/rank.h"
#include "registry/internal/scan.h"
#include "registry/store.h"
#include "tests/matcher/match_test_util.h"
#include "tests/registry/scan_test_util.h"

namespace hla::registry {
namespace {

using ::testing::HasSubstr;
using matcher_test::Geno;
using matcher_test::LoadShipped;

using testing_family::Gl;
using testing_family::kA;
using testing_family::kAB;
using testing_family::kB;
using testing_family::kC;
using testing_family::kD;

class Evidence : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(LoadShipped().error.empty()) << LoadShipped().error;
    // Father a|b, mother c|d, patient a|c; S1 a|d (1 shared), S2 a/b
    // recombinant | d (0 whole), S3 a|c (2).
    Add("F", family::FamilyRole::kFather, Gl(kA, kB));
    Add("M", family::FamilyRole::kMother, Gl(kC, kD));
    Add("P", family::FamilyRole::kPatient, Gl(kA, kC));
    Add("S1", family::FamilyRole::kSibling, Gl(kD, kA));
    Add("S2", family::FamilyRole::kSibling, Gl(kAB, kD));
    Add("S3", family::FamilyRole::kSibling, Gl(kA, kC));
    absl::StatusOr<family::FamilyResult> r = family::Segregate("F1", members_, {});
    ASSERT_TRUE(r.ok()) << r.status();
    auto e = std::make_shared<family::FamilyEvidence>();
    e->Add(*std::move(r), members_);
    evidence_ = e;
  }
  void Add(const std::string& id, family::FamilyRole role, const std::string& gl) {
    absl::StatusOr<matcher::Genotype> g = Geno(gl);
    ASSERT_TRUE(g.ok()) << id << ": " << g.status();
    members_.push_back({id, role, *std::move(g), ""});
  }
  const matcher::Genotype& G(const std::string& id) const {
    for (const family::FamilyMember& m : members_) {
      if (m.id == id) return m.genotype;
    }
    static const matcher::Genotype kNone;
    ADD_FAILURE() << id;
    return kNone;
  }
  std::vector<family::FamilyMember> members_;
  std::shared_ptr<const family::FamilyEvidence> evidence_;
};

TEST_F(Evidence, SameTypingIgnoresPositionOrderOnly) {
  EXPECT_TRUE(family::SameTyping(G("S1"), *Geno(Gl(kA, kD))));
  EXPECT_TRUE(family::SameTyping(G("P"), G("S3")));
  EXPECT_FALSE(family::SameTyping(G("S1"), G("S3")));
  // Another resolution is another typing (no ARD comparison).
  absl::StatusOr<matcher::Genotype> low = Geno("A*24+A*01^C*04:01+C*07:01^B*35:01+B*08:01^"
                                      "DRB1*11:01+DRB1*03:01^DQB1*03:01+DQB1*02:01");
  ASSERT_TRUE(low.ok()) << low.status();
  EXPECT_FALSE(family::SameTyping(G("S1"), *low));
  // An untyped locus differs from a typed one.
  absl::StatusOr<matcher::Genotype> four = Geno("A*24:02+A*01:01^C*04:01+C*07:01^B*35:01+B*08:01^"
                                       "DRB1*11:01+DRB1*03:01");
  ASSERT_TRUE(four.ok());
  EXPECT_FALSE(family::SameTyping(G("S1"), *four));
}

TEST_F(Evidence, ForNeedsTheRecipientAndTheRelativeTypedAsInTheFamily) {
  EXPECT_TRUE(evidence_->HasRelative("S1"));
  EXPECT_TRUE(evidence_->HasRelative("F"));
  EXPECT_FALSE(evidence_->HasRelative("P"));  // the patient is not a relative
  EXPECT_FALSE(evidence_->HasRelative("nobody"));
  std::string why;
  EXPECT_NE(evidence_->For("S1", G("S1"), G("P"), &why), nullptr);
  EXPECT_EQ(why, "");
  // Another recipient: segregation proves nothing about it.
  EXPECT_EQ(evidence_->For("S1", G("S1"), G("M"), &why), nullptr);
  EXPECT_THAT(why, HasSubstr("the recipient is not typed as family F1's "
                             "patient P"));
  // A donor called S1 but typed otherwise is not the S1 segregated.
  EXPECT_EQ(evidence_->For("S1", G("S3"), G("P"), &why), nullptr);
  EXPECT_THAT(why, HasSubstr("S1 is typed otherwise than in family F1"));
  EXPECT_EQ(evidence_->For("nobody", G("S1"), G("P"), &why), nullptr);
  EXPECT_EQ(why, "");
  EXPECT_EQ(evidence_->For("P", G("P"), G("P"), &why), nullptr);
}

TEST_F(Evidence, RelationshipOfRole) {
  EXPECT_EQ(family::RelationshipOf(family::FamilyRole::kFather), matcher::Relationship::kParent);
  EXPECT_EQ(family::RelationshipOf(family::FamilyRole::kMother), matcher::Relationship::kParent);
  EXPECT_EQ(family::RelationshipOf(family::FamilyRole::kSibling), matcher::Relationship::kSibling);
  EXPECT_EQ(family::RelationshipOf(family::FamilyRole::kChild), matcher::Relationship::kChild);
  EXPECT_EQ(family::RelationshipOf(family::FamilyRole::kOther), matcher::Relationship::kOtherRelated);
  EXPECT_EQ(family::RelationshipOf(family::FamilyRole::kPatient), matcher::Relationship::kUnknown);
}

// A store of the relatives, one decoy with a relative's id but another
// typing, and an unrelated donor: Rank with the evidence gives each
// relative the proven verdict, leaves the decoy and the stranger alone, and
// every FastResult equals Match + ApplySegregation + Evaluate.
TEST_F(Evidence, RankAppliesSegregationExactlyAsMatchDoes) {
  const data::Reference& ref = *LoadShipped().ref;
  DonorStoreBuilder builder(LoadShipped().ref);
  struct Donor {
    std::string id;
    std::string gl;
  };
  const std::vector<Donor> donors = {
      {"F", Gl(kA, kB)},   {"M", Gl(kC, kD)},  {"S1", Gl(kD, kA)},
      {"S2", Gl(kAB, kD)}, {"S3", Gl(kA, kC)}, {"S1", Gl(kA, kB)},  // decoy
      {"X", Gl(kA, kD)}};
  for (size_t i = 0; i < donors.size(); ++i) {
    eligibility::DonorFacts f;
    f.id = donors[i].id;
    f.relationship = i == 6 ? matcher::Relationship::kUnrelated : matcher::Relationship::kSibling;
    f.age = 40;
    absl::StatusOr<matcher::Genotype> g = Geno(donors[i].gl);
    ASSERT_TRUE(g.ok());
    builder.Add(f, *g, donors[i].gl);
  }
  absl::StatusOr<DonorStore> store = std::move(builder).Finish();
  ASSERT_TRUE(store.ok()) << store.status();
  RankOptions options;
  absl::StatusOr<eligibility::EligibilityOptions> eo = eligibility::OptionsForProtocol("NCT04835883");
  ASSERT_TRUE(eo.ok());
  options.eligibility = *eo;
  options.eligibility.as_of = absl::CivilDay(2026, 11, 26);
  options.families = evidence_;
  absl::StatusOr<std::unique_ptr<CompiledQuery>> q =
      CompiledQuery::Compile(*store, ref, G("P"), options);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ((*q)->family_donors(), 5u);  // not the decoy, not X
  // The scan's quick filter passes the recognised relatives to Gate
  // (matcher::Match with the family's evidence) and decides the others as
  // QuickReject does.
  CompiledQuery::GateCounts counts;
  for (size_t block : {1, 7}) {
    EXPECT_TRUE(QuickBlockAgrees(**q, *store, block)) << "block " << block;
    // The gate's block form counts the five relatives as matcher::Match's.
    EXPECT_TRUE(GateBlockAgrees(**q, **q, store->size(), block, &counts)) << "block " << block;
  }
  const matcher::HaploVerdict kWant[] = {
      matcher::HaploVerdict::kHaploidentical,     // F: parent, a
      matcher::HaploVerdict::kHaploidentical,     // M: parent, c
      matcher::HaploVerdict::kHaploidentical,     // S1: a
      matcher::HaploVerdict::kNotHaploidentical,  // S2: recombinant a/b, d
      matcher::HaploVerdict::kIdentical,          // S3: a and c
      matcher::HaploVerdict::kHaploCompatible,    // decoy: sharing a, unproven
      matcher::HaploVerdict::kHaploCompatible};   // X: unproven
  for (size_t i = 0; i < donors.size(); ++i) {
    const FastResult fast = (*q)->Evaluate(i);
    EXPECT_EQ(fast.verdict, kWant[i]) << i << " " << donors[i].id;
    absl::StatusOr<DonorReport> slow = ReportFor(*store, ref, G("P"), options, i);
    ASSERT_TRUE(slow.ok());
    EXPECT_EQ(slow->report.haplo.verdict, fast.verdict) << i;
    EXPECT_EQ(slow->eligibility.status, fast.status) << i;
    EXPECT_EQ(slow->eligibility.findings, fast.findings) << i;
    EXPECT_EQ(KeyFromReport(options.rank_by, slow->facts, slow->report,
                            slow->eligibility, options.recipient),
              fast.key)
        << i;
    if (i < 5) {
      EXPECT_THAT(slow->report.haplo.basis, HasSubstr("family segregation"));
    }
  }
  absl::StatusOr<RankResult> r = Rank(*store, ref, G("P"), options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->by_family, 5u);
  EXPECT_EQ(r->fallback, 5u);  // the relatives, scored by matcher::Match
  EXPECT_EQ(r->excluded_by[static_cast<size_t>(
                eligibility::Reason::kNotHaploidentical)],
            1u);  // S2
  ASSERT_FALSE(r->ranked.empty());
  EXPECT_EQ(store->id(r->ranked[0]), "S3");  // identical first
  // Without the evidence nothing is proven: the father and S1 are only
  // haplo-compatible (S2 shares no DRB1 allele, so it is out either way).
  options.families = nullptr;
  absl::StatusOr<RankResult> plain = Rank(*store, ref, G("P"), options);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->by_family, 0u);
  absl::StatusOr<std::unique_ptr<CompiledQuery>> pq =
      CompiledQuery::Compile(*store, ref, G("P"), options);
  ASSERT_TRUE(pq.ok());
  EXPECT_EQ((*pq)->Evaluate(0).verdict, matcher::HaploVerdict::kHaploCompatible);
  EXPECT_EQ((*pq)->Evaluate(2).verdict, matcher::HaploVerdict::kHaploCompatible);
}

}  // namespace
}  // namespace hla::registry
