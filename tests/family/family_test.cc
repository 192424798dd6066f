// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Family segregation (family/family.h): hand-built pedigrees with real
// 3.58.0 alleles for each situation segregation must handle, the verdict
// upgrade, and agreement with `synth --families` ground truth on a few
// families (validation/family_agreement.h; validation/family_validation
// measures it on thousands).
#include "family/family.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/reference.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/donor_file.h"
#include "registry/family_file.h"
#include "tests/matcher/match_test_util.h"
#include "tests/testing/family_haplotypes.h"
#include "validation/family_agreement.h"

namespace hla::family {
namespace {

using ::testing::HasSubstr;
using matcher_test::Geno;
using matcher_test::LoadShipped;

using testing_family::Gl;
using testing_family::Hap;
using testing_family::kA;
using testing_family::kB;
using testing_family::kC;
using testing_family::kD;
using testing_family::kE;
using testing_family::kF;

// The first `at` loci of `x`, the rest of `y` (a crossover before locus
// `at` in A, C, B, DRB1, DQB1 order).
Hap Mosaic(const Hap& x, const Hap& y, int at) {
  Hap h = y;
  for (int i = 0; i < at; ++i) h[i] = x[i];
  return h;
}

class Family : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(LoadShipped().error.empty()) << LoadShipped().error;
  }
  void Add(const std::string& id, FamilyRole role, const std::string& gl) {
    if (gl.empty()) {  // untyped
      members_.push_back({id, role, matcher::Genotype(), ""});
      return;
    }
    absl::StatusOr<matcher::Genotype> g = Geno(gl);
    ASSERT_TRUE(g.ok()) << id << ": " << g.status();
    members_.push_back({id, role, *std::move(g), ""});
  }
  void Add(const std::string& id, FamilyRole role, const Hap& h1,
           const Hap& h2) {
    Add(id, role, Gl(h1, h2));
  }
  // A child of the patient by `other_parent`.
  void AddChild(const std::string& id, const Hap& h1, const Hap& h2,
                const std::string& other_parent) {
    Add(id, FamilyRole::kChild, h1, h2);
    members_.back().other_parent = other_parent;
  }
  // The usual start: father a|b, mother c|d, both typed, patient a|c.
  void AddTypedParentsAndPatient() {
    Add("F", FamilyRole::kFather, kA, kB);
    Add("M", FamilyRole::kMother, kC, kD);
    Add("P", FamilyRole::kPatient, kA, kC);
  }
  FamilyResult Run() {
    absl::StatusOr<FamilyResult> r = Segregate("F1", members_, {});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *std::move(r) : FamilyResult();
  }
  static const MemberResult& Get(const FamilyResult& r, const std::string& id) {
    static const MemberResult kNone;
    const MemberResult* m = r.Find(id);
    EXPECT_NE(m, nullptr) << id;
    return m == nullptr ? kNone : *m;
  }
  std::vector<FamilyMember> members_;
};

TEST_F(Family, BothParentsTyped) {
  AddTypedParentsAndPatient();
  Add("S1", FamilyRole::kSibling, kC, kA);  // written maternal first
  Add("S2", FamilyRole::kSibling, kB, kD);
  Add("S3", FamilyRole::kSibling, kA, kD);
  const FamilyResult r = Run();
  EXPECT_EQ(r.recombinations, 0);
  EXPECT_EQ(r.explanations, 1u);
  EXPECT_EQ(Get(r, "P").letters, "a|c");
  EXPECT_EQ(Get(r, "S1").letters, "a|c");
  EXPECT_EQ(Get(r, "S1").shared, 2);
  EXPECT_THAT(Get(r, "S1").basis,
              HasSubstr("shares haplotypes a (paternal) and c (maternal)"));
  EXPECT_EQ(Get(r, "S2").letters, "b|d");
  EXPECT_EQ(Get(r, "S2").shared, 0);
  EXPECT_EQ(Get(r, "S3").letters, "a|d");
  EXPECT_EQ(Get(r, "S3").shared, 1);
  EXPECT_EQ(Get(r, "F").letters, "a|b");
  EXPECT_EQ(Get(r, "F").shared, 1);
  EXPECT_EQ(Get(r, "M").shared, 1);
  EXPECT_EQ(Get(r, "S1").phased_gl,
            "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
            "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02");
  EXPECT_EQ(Get(r, "F").phased_gl,
            "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
            "A*03:01~C*07:02~B*07:02~DRB1*15:01~DQB1*06:02");
  for (const MemberResult& m : r.members) {
    EXPECT_FALSE(m.recombinant) << m.id;
    EXPECT_FALSE(m.inconsistent) << m.id;
  }
}

TEST_F(Family, FatherMissingIsInferred) {
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, kB, kC);
  Add("S2", FamilyRole::kSibling, kA, kD);
  const FamilyResult r = Run();
  EXPECT_EQ(Get(r, "S1").shared, 1);
  EXPECT_THAT(Get(r, "S1").basis, HasSubstr("c (maternal)"));
  EXPECT_EQ(Get(r, "S2").shared, 1);
  EXPECT_THAT(Get(r, "S2").basis, HasSubstr("a (paternal)"));
  const MemberResult& f = Get(r, "father (inferred)");
  EXPECT_FALSE(f.in_input);
  EXPECT_EQ(f.letters, "a|b");
  EXPECT_EQ(f.phased_gl,
            "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
            "A*03:01~C*07:02~B*07:02~DRB1*15:01~DQB1*06:02");
}

TEST_F(Family, BothParentsMissingThreeSiblings) {
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, kA, kD);
  Add("S2", FamilyRole::kSibling, kB, kC);
  Add("S3", FamilyRole::kSibling, kB, kD);
  const FamilyResult r = Run();
  EXPECT_EQ(r.recombinations, 0);
  EXPECT_EQ(Get(r, "S1").shared, 1);
  EXPECT_EQ(Get(r, "S2").shared, 1);
  EXPECT_EQ(Get(r, "S3").shared, 0);
  EXPECT_NE(r.Find("father (inferred)"), nullptr);
}

TEST_F(Family, BothParentsMissingOneSiblingIsUndetermined) {
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, kA, kD);
  const FamilyResult r = Run();
  const MemberResult& s1 = Get(r, "S1");
  EXPECT_FALSE(s1.shared.has_value());
  EXPECT_THAT(s1.basis, HasSubstr("undetermined"));
  EXPECT_THAT(s1.basis, HasSubstr("not typed"));
  // Not even a likely count: S1's alleles of a could sit on two different
  // haplotypes of the untyped parents.
  EXPECT_FALSE(s1.likely_shared.has_value());
}

TEST_F(Family, FatherMissingTwoChildrenGivesTheCountAsTyped) {
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, kA, kD);
  const FamilyResult r = Run();
  const MemberResult& s1 = Get(r, "S1");
  // By descent, only if the untyped father does not carry a twice; either
  // way S1 carries the patient's paternal alleles, so at the typed
  // resolution it carries 1 of the patient's haplotypes.
  EXPECT_FALSE(s1.shared.has_value());
  EXPECT_EQ(s1.shared_as_typed, 1);
  EXPECT_THAT(s1.basis, HasSubstr("carries 1 of the patient's haplotypes at "
                                  "the typed resolution"));
  EXPECT_EQ(s1.ibd, (std::vector<std::optional<int>>(5, 1)));
}

// The untyped mother carries b, which the father also carries (family
// F0000398 of synth seed 20261126): S1 took a from the father and b from the
// mother, or b from the father and an a-alike haplotype from the mother.
// Either way it carries the patient's a as typed, on one side or the other.
TEST_F(Family, ParentsCarryingTheSameHaplotypeGiveTheCountAsTyped) {
  Add("F", FamilyRole::kFather, kA, kB);
  Add("P", FamilyRole::kPatient, kA, kD);
  Add("S1", FamilyRole::kSibling, kA, kB);
  const FamilyResult r = Run();
  const MemberResult& s1 = Get(r, "S1");
  EXPECT_FALSE(s1.shared.has_value());
  EXPECT_EQ(s1.shared_as_typed, 1);
  EXPECT_FALSE(s1.likely_shared.has_value());
}

TEST_F(Family, FatherMissingLowResolutionSiblingGivesALikelyCount) {
  Hap a_low = kA;
  a_low[0] = "A*01:XX";  // S1's paternal A typed at one field
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, a_low, kD);
  const FamilyResult r = Run();
  const MemberResult& s1 = Get(r, "S1");
  // A*01:XX may be another A*01 allele on another paternal haplotype: not
  // even the count as typed is given, only the likely one.
  EXPECT_FALSE(s1.shared.has_value());
  EXPECT_FALSE(s1.shared_as_typed.has_value());
  EXPECT_EQ(s1.likely_shared, 1);
  EXPECT_THAT(s1.basis, HasSubstr("1 unless the same haplotype"));
}

TEST_F(Family, HomozygousFatherLeavesPaternalSideOpen) {
  Add("F", FamilyRole::kFather, kA, kA);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, kA, kC);
  Add("S2", FamilyRole::kSibling, kA, kD);
  const FamilyResult r = Run();
  // Which copy of the father's (identical) haplotype each child got cannot
  // be told, so the count by descent is not proven; at the typed resolution
  // it does not matter: S1 shares 2 as typed, S2 1 (not "0 or 1").
  EXPECT_FALSE(Get(r, "S1").shared.has_value());
  EXPECT_EQ(Get(r, "S1").shared_as_typed, 2);
  EXPECT_THAT(Get(r, "S1").basis, HasSubstr("at the typed resolution"));
  EXPECT_FALSE(Get(r, "S2").shared.has_value());
  EXPECT_EQ(Get(r, "S2").shared_as_typed, 1);
  EXPECT_EQ(Get(r, "F").shared, 1);
  // The verdict follows what the typing shows.
  absl::StatusOr<matcher::MatchReport> s2 =
      Match(*LoadShipped().ref, members_[2].genotype, members_[4].genotype,
            matcher::Relationship::kSibling, {});
  ASSERT_TRUE(s2.ok());
  EXPECT_TRUE(ApplySegregation(r, "S2", &*s2));
  EXPECT_EQ(s2->haplo.verdict, matcher::HaploVerdict::kHaploidentical);
  EXPECT_THAT(s2->haplo.basis, HasSubstr("at the typed resolution"));
  // Untyped, the father proves no descent, but the children all show a:
  // the counts as typed stand.
  members_[0] = {"F", FamilyRole::kFather, matcher::Genotype(), ""};
  const FamilyResult u = Run();
  EXPECT_FALSE(Get(u, "S2").shared.has_value());
  EXPECT_EQ(Get(u, "S2").shared_as_typed, 1);
  EXPECT_EQ(Get(u, "S1").shared_as_typed, 2);
}

TEST_F(Family, FatherHomozygousAtOneLocusOnly) {
  Hap b = kB;
  b[0] = kA[0];  // A*01:01 on both paternal haplotypes
  Add("F", FamilyRole::kFather, kA, b);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, b, kC);
  Add("S2", FamilyRole::kSibling, kA, kD);
  const FamilyResult r = Run();
  EXPECT_EQ(r.recombinations, 0);
  EXPECT_EQ(Get(r, "S1").shared, 1);
  EXPECT_EQ(Get(r, "S2").shared, 1);
  EXPECT_THAT(Get(r, "S2").basis, HasSubstr("a (paternal)"));
}

TEST_F(Family, AllelesSharedBetweenParents) {
  // The mother's d carries the father's a alleles at A and B.
  Hap d = kD;
  d[0] = kA[0];
  d[2] = kA[2];
  Add("F", FamilyRole::kFather, kA, kB);
  Add("M", FamilyRole::kMother, kC, d);
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, kB, d);
  Add("S2", FamilyRole::kSibling, kA, d);
  Add("S3", FamilyRole::kSibling, kB, kC);
  const FamilyResult r = Run();
  EXPECT_EQ(r.recombinations, 0);
  EXPECT_EQ(Get(r, "S1").shared, 0);
  EXPECT_EQ(Get(r, "S2").shared, 1);
  EXPECT_EQ(Get(r, "S3").shared, 1);
  EXPECT_EQ(Get(r, "S2").letters, "a|d");
}

TEST_F(Family, RecombinantSiblingIsFlagged) {
  AddTypedParentsAndPatient();
  // Paternal: a at A, C, B; b from DRB1 on.
  Add("S1", FamilyRole::kSibling, Mosaic(kA, kB, 3), kC);
  Add("S2", FamilyRole::kSibling, kB, kD);
  const FamilyResult r = Run();
  EXPECT_EQ(r.recombinations, 1);
  const MemberResult& s1 = Get(r, "S1");
  EXPECT_TRUE(s1.recombinant);
  EXPECT_EQ(s1.letters, "a/b:B-DRB1|c");
  ASSERT_FALSE(s1.flags.empty());
  EXPECT_THAT(s1.flags[0], HasSubstr("between B and DRB1"));
  // The recombinant haplotype is not a shared one; c is.
  EXPECT_EQ(s1.shared, 1);
  EXPECT_FALSE(Get(r, "S2").recombinant);
  EXPECT_EQ(Get(r, "S2").shared, 0);
}

TEST_F(Family, NonPaternityIsFlaggedAndTheRestStillSegregates) {
  AddTypedParentsAndPatient();
  Add("S1", FamilyRole::kSibling, kE, kD);
  Add("S2", FamilyRole::kSibling, kB, kC);
  const FamilyResult r = Run();
  const MemberResult& s1 = Get(r, "S1");
  EXPECT_TRUE(s1.inconsistent);
  EXPECT_FALSE(s1.shared.has_value());
  ASSERT_FALSE(s1.flags.empty());
  EXPECT_THAT(s1.flags[0], HasSubstr("shares no allele with the father at "
                                     "A, C, B, DRB1, DQB1"));
  EXPECT_EQ(Get(r, "S2").shared, 1);
  EXPECT_FALSE(Get(r, "S2").inconsistent);
  // The family is not consistent; only S1's relationship is in doubt.
  EXPECT_FALSE(r.consistent);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0], HasSubstr("S1 is not explained by the stated "
                                       "parents"));
  EXPECT_TRUE(s1.needs_review);
  for (const char* id : {"F", "M", "P", "S2"}) {
    EXPECT_FALSE(Get(r, id).needs_review) << id;
  }
}

// The patient not explained by the stated father (a sample mix-up): every
// relative needs review, and ApplySegregation turns the mother's
// haploidentical-by-rule verdict into an inconsistency naming the problem.
TEST_F(Family, PatientMixUpPutsEveryRelativeUnderReview) {
  Add("F", FamilyRole::kFather, kA, kB);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kE, kC);
  Add("S1", FamilyRole::kSibling, kA, kD);
  Add("S2", FamilyRole::kSibling, kB, kC);
  const FamilyResult r = Run();
  EXPECT_FALSE(r.consistent);
  ASSERT_FALSE(r.problems.empty());
  EXPECT_THAT(r.problems[0], HasSubstr("P is not explained"));
  for (const char* id : {"F", "M", "S1", "S2"}) {
    EXPECT_TRUE(Get(r, id).needs_review) << id;
    EXPECT_FALSE(Get(r, id).shared.has_value()) << id;
  }
  EXPECT_FALSE(Get(r, "P").needs_review);
  absl::StatusOr<matcher::MatchReport> m =
      Match(*LoadShipped().ref, members_[2].genotype, members_[1].genotype,
            matcher::Relationship::kParent, {});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->haplo.verdict, matcher::HaploVerdict::kHaploidentical);
  EXPECT_FALSE(ApplySegregation(r, "M", &*m));
  EXPECT_EQ(m->haplo.verdict, matcher::HaploVerdict::kHaploidentical);
  ASSERT_EQ(m->haplo.inconsistencies.size(), 1u);
  EXPECT_THAT(m->haplo.inconsistencies[0],
              HasSubstr("cannot be explained as stated (P is not explained"));
}

TEST_F(Family, PatientsChildrenAndARecombinationInThePatient) {
  AddTypedParentsAndPatient();
  Add("C1", FamilyRole::kChild, kC, kE);
  Add("C2", FamilyRole::kChild, Mosaic(kA, kC, 2), kF);
  const FamilyResult r = Run();
  EXPECT_EQ(Get(r, "C1").letters, "c|e");
  EXPECT_EQ(Get(r, "C1").shared, 1);
  const MemberResult& c2 = Get(r, "C2");
  EXPECT_TRUE(c2.recombinant);
  EXPECT_EQ(c2.shared, 0);
  EXPECT_EQ(c2.letters, "a/c:C-B|f");
}

TEST_F(Family, AmbiguousAndMissingTypings) {
  AddTypedParentsAndPatient();
  // XX code and an allele list; DQB1 and C untyped.
  Add("S1", FamilyRole::kSibling,
      "A*01:XX+A*02:01/A*02:09^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01");
  Add("S2", FamilyRole::kSibling, "A*03:01+A*24:02^B*07:02+B*35:01");
  const FamilyResult r = Run();
  EXPECT_EQ(Get(r, "S1").shared, 2);
  EXPECT_EQ(Get(r, "S2").shared, 0);
}

// Three children by three partners, none named: no single other parent
// explains them, but each carries one of the patient's haplotypes, so each
// shares one by descent; the family stays consistent.
TEST_F(Family, ChildrenByDifferentPartnersEachShareOneHaplotype) {
  AddTypedParentsAndPatient();
  Add("C1", FamilyRole::kChild, kA, kE);
  Add("C2", FamilyRole::kChild, kC, kF);
  Add("C3", FamilyRole::kChild, kA, kB);
  const FamilyResult r = Run();
  EXPECT_TRUE(r.consistent) << absl::StrJoin(r.problems, "; ");
  EXPECT_EQ(Get(r, "C1").shared, 1);
  EXPECT_EQ(Get(r, "C2").shared, 1);
  EXPECT_EQ(Get(r, "C3").shared, 1);
  EXPECT_THAT(Get(r, "C2").shared_haplotypes,
              ::testing::ElementsAre("c (from the patient)"));
  for (const char* id : {"C1", "C2", "C3"}) {
    EXPECT_FALSE(Get(r, id).inconsistent) << id;
    EXPECT_FALSE(Get(r, id).needs_review) << id;
  }
  EXPECT_THAT(absl::StrJoin(r.notes, "\n"),
              HasSubstr("cannot all have one other parent: each is explained "
                        "alone"));
}

// Children naming their other parent are segregated by partner, a typed
// partner phasing them (letters e|f, then g|h); a child the patient cannot
// have fathered (no allele shared at B) is flagged on its own.
TEST_F(Family, ChildrenAreGroupedByTheirNamedOtherParent) {
  AddTypedParentsAndPatient();
  Add("Q", FamilyRole::kPartner, kE, kF);
  AddChild("C1", kA, kE, "Q");
  AddChild("C2", kC, kF, "Q");
  AddChild("C3", kC, kB, "R");  // R: a name, not in the file
  AddChild("C4", kA, kD, "R");
  Hap off = kA;
  off[2] = "B*51:01";  // shares no allele with the patient at B
  AddChild("C5", off, kD, "S");
  const FamilyResult r = Run();
  EXPECT_EQ(Get(r, "C1").letters, "a|e");
  EXPECT_EQ(Get(r, "C2").letters, "c|f");
  EXPECT_EQ(Get(r, "C3").letters, "c|g");
  EXPECT_EQ(Get(r, "C4").letters, "a|h");
  for (const char* id : {"C1", "C2", "C3", "C4"}) {
    EXPECT_EQ(Get(r, id).shared, 1) << id;
  }
  EXPECT_TRUE(Get(r, "C5").inconsistent);
  ASSERT_FALSE(Get(r, "C5").flags.empty());
  EXPECT_THAT(Get(r, "C5").flags[0], HasSubstr("B"));
  EXPECT_FALSE(r.consistent);
  EXPECT_FALSE(Get(r, "Q").shared.has_value());
  EXPECT_THAT(Get(r, "Q").basis, HasSubstr("not a relative of the patient"));
  // other_parent naming a member who is not a partner is an error.
  members_[4].other_parent = "F";
  EXPECT_THAT(std::string(Segregate("F1", members_, {}).status().message()),
              HasSubstr("the other_parent of 'C1' is 'F', whose role is "
                        "father, not partner"));
  // Only the patient's children have one.
  members_[4].other_parent = "Q";
  members_[0].other_parent = "Q";
  EXPECT_THAT(std::string(Segregate("F1", members_, {}).status().message()),
              HasSubstr("'F' has an other_parent but role father; only the "
                        "patient's children have one"));
}

// A half-sibling entered as such is listed, not segregated: the family of
// full siblings stays consistent (entered as a full sibling, a
// half-sibling is flagged as not explained), and the role reads in its
// usual spellings.
TEST_F(Family, AMaternalHalfSiblingSharesTheMothersHaplotype) {
  AddTypedParentsAndPatient();
  Add("S1", FamilyRole::kSibling, kB, kD);
  Add("H", FamilyRole::kMaternalHalfSibling, kE, kC);  // another father's e
  const FamilyResult r = Run();
  EXPECT_TRUE(r.consistent) << absl::StrJoin(r.problems, "; ");
  const MemberResult& h = Get(r, "H");
  EXPECT_EQ(h.letters, "x|c");
  EXPECT_EQ(h.shared, 1);
  EXPECT_THAT(h.shared_haplotypes, testing::ElementsAre("c (maternal)"));
  EXPECT_EQ(h.ibd, (std::vector<std::optional<int>>(5, 1)));
  EXPECT_FALSE(h.needs_review);
  EXPECT_EQ(Get(r, "S1").shared, 0);
  // Phased with the free allele (another father's) first, as for a sibling.
  EXPECT_THAT(h.phased_gl, HasSubstr("A*02:01~C*05:01"));
}

// Each half-sibling role, alone beside the typed parents: placed on the
// shared parent's side (an unsaid side where it fits), x for the other.
TEST_F(Family, HalfSiblingsArePlacedOnTheSharedParentsSide) {
  struct Case {
    FamilyRole role;
    const Hap* paternal;
    const Hap* maternal;
    const char* letters;
    int shared;
  };
  const Case cases[] = {
      {FamilyRole::kPaternalHalfSibling, &kB, &kE, "b|x", 0},
      {FamilyRole::kPaternalHalfSibling, &kA, &kE, "a|x", 1},
      {FamilyRole::kMaternalHalfSibling, &kE, &kD, "x|d", 0},
      // Unsaid: only the mother carries any of H's haplotypes.
      {FamilyRole::kHalfSibling, &kE, &kC, "x|c", 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.letters);
    members_.clear();
    AddTypedParentsAndPatient();
    Add("H", c.role, *c.paternal, *c.maternal);
    const FamilyResult r = Run();
    EXPECT_TRUE(r.consistent) << absl::StrJoin(r.problems, "; ");
    EXPECT_EQ(Get(r, "H").letters, c.letters);
    EXPECT_EQ(Get(r, "H").shared, c.shared);
  }
}

// H carries the father's b and the mother's c: the father's child
// (sharing nothing with the patient) or the mother's (sharing c). Which
// parent is shared decides the count, and the words say so.
TEST_F(Family, AHalfSiblingOfUnsaidSideNamesTheQuestion) {
  AddTypedParentsAndPatient();
  Add("H", FamilyRole::kHalfSibling, kB, kC);
  const FamilyResult r = Run();
  const MemberResult& h = Get(r, "H");
  EXPECT_FALSE(h.shared.has_value());
  EXPECT_FALSE(h.shared_as_typed.has_value());
  EXPECT_EQ(h.letters, "(b or x)|(c or x)");
  EXPECT_THAT(h.basis, HasSubstr("0 or 1 shared"));
  EXPECT_THAT(h.basis, HasSubstr("is the father's or the mother's child "
                                 "cannot be told"));
  // Said, it is determined.
  members_.back().role = FamilyRole::kMaternalHalfSibling;
  EXPECT_EQ(Get(Run(), "H").shared, 1);
  members_.back().role = FamilyRole::kPaternalHalfSibling;
  EXPECT_EQ(Get(Run(), "H").shared, 0);
}

// The mother is not typed: P and S1 both carry c, which proves nothing by
// descent if she carried c twice. Her half-sibling child shows her other
// haplotype, d: then c and d are hers, and S1 shares c by descent.
TEST_F(Family, AHalfSiblingProvesTheUntypedMothersHaplotypes) {
  Add("F", FamilyRole::kFather, kA, kB);
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, kB, kC);
  const FamilyResult without = Run();
  EXPECT_FALSE(Get(without, "S1").shared.has_value());
  Add("H", FamilyRole::kMaternalHalfSibling, kE, kD);
  const FamilyResult r = Run();
  EXPECT_EQ(Get(r, "S1").shared, 1);
  EXPECT_EQ(Get(r, "H").shared, 0);
  EXPECT_EQ(Get(r, "H").letters, "x|d");
}

// A maternal half-sibling who carries nothing of the mother is flagged,
// with the reason against the mother only (the father is not its parent).
TEST_F(Family, AHalfSiblingNotExplainedByTheSharedParentIsFlagged) {
  AddTypedParentsAndPatient();
  Add("S1", FamilyRole::kSibling, kB, kD);
  Add("H", FamilyRole::kMaternalHalfSibling, kE, kA);
  const FamilyResult r = Run();
  EXPECT_FALSE(r.consistent);
  const MemberResult& h = Get(r, "H");
  EXPECT_TRUE(h.inconsistent);
  EXPECT_TRUE(h.needs_review);
  EXPECT_THAT(h.basis, HasSubstr("shares no allele with the mother"));
  EXPECT_THAT(h.basis, testing::Not(HasSubstr("father")));
  EXPECT_EQ(Get(r, "S1").shared, 0);  // the rest is still segregated
}

// Given as a full sibling, the same person is not explained by the stated
// father: the family is not consistent, as for any non-paternity.
TEST_F(Family, AHalfSiblingEnteredAsASiblingIsFlagged) {
  AddTypedParentsAndPatient();
  Add("H", FamilyRole::kSibling, kE, kC);
  const FamilyResult r = Run();
  EXPECT_FALSE(r.consistent);
  EXPECT_TRUE(Get(r, "H").inconsistent);
}

// The father carries the null A*01:16N; S1 is typed with an allele list
// that holds it (as a lab writes an ambiguous typing). Matching never pairs
// an expressed copy with a silent one, but descent must: S1 may have
// received the father's null. Before, S1 was "not explained" (family
// F0028936 of synth seed 7), and a count could come out wrong.
TEST_F(Family, ANullAlleleInAListCanBeTheParentsNull) {
  Hap null_a = kA;
  null_a[0] = "A*01:16N";
  Hap listed = kA;
  listed[0] = "A*01:10/A*01:16N";
  Add("F", FamilyRole::kFather, null_a, kB);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kB, kC);
  Add("S1", FamilyRole::kSibling, listed, kC);
  Add("S2", FamilyRole::kSibling, null_a, kD);
  const FamilyResult r = Run();
  EXPECT_TRUE(r.consistent) << absl::StrJoin(r.problems, "; ");
  EXPECT_FALSE(Get(r, "S1").inconsistent);
  EXPECT_EQ(Get(r, "S1").letters, "b|c");  // b: the father's null copy
  EXPECT_EQ(Get(r, "S1").shared, 1);
  EXPECT_EQ(Get(r, "S2").shared, 0);
}

TEST(FamilyRoles, HalfSiblingRolesParseWithTheirSide) {
  const std::vector<std::pair<const char*, FamilyRole>> cases = {
      {"half_sibling", FamilyRole::kHalfSibling},
      {"Half-Brother", FamilyRole::kHalfSibling},
      {"half sister", FamilyRole::kHalfSibling},
      {"maternal_half_sibling", FamilyRole::kMaternalHalfSibling},
      {"Maternal half-sister", FamilyRole::kMaternalHalfSibling},
      {"paternal half-sibling", FamilyRole::kPaternalHalfSibling},
      {"paternal_half_brother", FamilyRole::kPaternalHalfSibling},
  };
  for (const auto& [text, role] : cases) {
    EXPECT_EQ(ParseFamilyRole(text).value_or(FamilyRole::kOther), role)
        << text;
    EXPECT_EQ(ParseFamilyRole(ToString(role)).value_or(FamilyRole::kOther),
              role);
    EXPECT_TRUE(IsHalfSibling(role));
    EXPECT_EQ(RelationshipOf(role), matcher::Relationship::kHalfSibling);
  }
  EXPECT_FALSE(IsHalfSibling(FamilyRole::kSibling));
  EXPECT_FALSE(ParseFamilyRole("cousin").ok());
  EXPECT_FALSE(ParseFamilyRole("maternal_cousin").ok());
  EXPECT_FALSE(ParseFamilyRole("maternal_").ok());
}

TEST_F(Family, ApplySegregationUpgradesTheVerdict) {
  AddTypedParentsAndPatient();
  Add("S1", FamilyRole::kSibling, kA, kC);
  Add("S2", FamilyRole::kSibling, kB, kD);
  Add("S3", FamilyRole::kSibling, kA, kD);
  const FamilyResult r = Run();
  const data::Reference& ref = *LoadShipped().ref;
  auto match = [&](size_t i) {
    absl::StatusOr<matcher::MatchReport> m =
        Match(ref, members_[2].genotype, members_[i].genotype,
              matcher::Relationship::kSibling, {});
    EXPECT_TRUE(m.ok());
    return *m;
  };
  matcher::MatchReport s3 = match(5);
  EXPECT_EQ(s3.haplo.verdict, matcher::HaploVerdict::kHaploCompatible);
  EXPECT_TRUE(ApplySegregation(r, "S3", &s3));
  EXPECT_EQ(s3.haplo.verdict, matcher::HaploVerdict::kHaploidentical);
  EXPECT_EQ(s3.haplo.basis,
            "family segregation: shares haplotype a (paternal) with the "
            "patient");
  matcher::MatchReport s1 = match(3);
  EXPECT_TRUE(ApplySegregation(r, "S1", &s1));
  EXPECT_EQ(s1.haplo.verdict, matcher::HaploVerdict::kIdentical);
  matcher::MatchReport s2 = match(4);
  EXPECT_TRUE(ApplySegregation(r, "S2", &s2));
  EXPECT_EQ(s2.haplo.verdict, matcher::HaploVerdict::kNotHaploidentical);
  EXPECT_THAT(s2.haplo.basis, HasSubstr("family segregation: shares no whole"));
  EXPECT_FALSE(ApplySegregation(r, "nobody", &s2));
}

// The verdict is judged on the scored loci: a crossover between DQB1 and
// DPB1 in a sibling leaves one allele by descent at every one of A, B, C,
// DRB1, DQB1 (haploidentical, the crossover named), and makes him
// not-haploidentical only when DPB1 is scored. His whole-haplotype count
// stays 0 (synth's truth).
TEST_F(Family, ACrossoverOutsideTheScoredLociIsANote) {
  const std::string ab = "^DPB1*04:01+DPB1*02:01", cd = "^DPB1*04:02+DPB1*03:01";
  Add("F", FamilyRole::kFather, Gl(kA, kB) + ab);
  Add("M", FamilyRole::kMother, Gl(kC, kD) + cd);
  Add("P", FamilyRole::kPatient, Gl(kA, kC) + "^DPB1*04:01+DPB1*04:02");
  Add("S1", FamilyRole::kSibling, Gl(kA, kD) + "^DPB1*02:01+DPB1*03:01");
  Add("S2", FamilyRole::kSibling, Gl(kB, kC) + "^DPB1*02:01+DPB1*04:02");
  Add("S3", FamilyRole::kSibling, Gl(kA, kD) + "^DPB1*04:01+DPB1*03:01");
  const FamilyResult r = Run();
  const MemberResult& s1 = Get(r, "S1");
  EXPECT_EQ(s1.letters, "a/b:DQB1-DPB1|d");
  EXPECT_EQ(s1.shared, 0);
  ASSERT_EQ(r.loci.size(), 6u);
  ASSERT_EQ(s1.ibd.size(), 6u);
  for (size_t l = 0; l < 5; ++l) EXPECT_EQ(s1.ibd[l], 1) << l;
  EXPECT_EQ(s1.ibd[5], 0);
  // The shared segment, named by the patient's letter.
  EXPECT_THAT(s1.shared_segments, testing::ElementsAre("a (paternal) from A to DQB1"));
  EXPECT_THAT(s1.basis, HasSubstr("by descent, part of the patient's a "
                                  "(paternal) from A to DQB1"));
  EXPECT_TRUE(Get(r, "S2").shared_segments.empty());  // c whole, a none
  const data::Reference& ref = *LoadShipped().ref;
  auto match = [&](const matcher::MatchOptions& o) {
    absl::StatusOr<matcher::MatchReport> m =
        Match(ref, members_[2].genotype, members_[3].genotype,
              matcher::Relationship::kSibling, o);
    EXPECT_TRUE(m.ok());
    return *m;
  };
  matcher::MatchReport five = match({});
  EXPECT_TRUE(ApplySegregation(r, "S1", &five));
  EXPECT_EQ(five.haplo.verdict, matcher::HaploVerdict::kHaploidentical);
  EXPECT_THAT(five.haplo.basis,
              HasSubstr("shares one allele by descent at every scored locus "
                        "(A, B, C, DRB1, DQB1)"));
  EXPECT_THAT(five.haplo.basis, HasSubstr("a crossover between DQB1 and DPB1"));
  EXPECT_THAT(five.haplo.basis, HasSubstr("part of the patient's a (paternal) "
                                          "from A to DQB1"));
  matcher::MatchOptions with_dp;
  with_dp.loci = {Locus::kA, Locus::kB, Locus::kC, Locus::kDRB1, Locus::kDQB1,
                  Locus::kDPB1};
  matcher::MatchReport six = match(with_dp);
  EXPECT_TRUE(ApplySegregation(r, "S1", &six));
  EXPECT_EQ(six.haplo.verdict, matcher::HaploVerdict::kNotHaploidentical);
}

// A recombinant haplotype in the patient (a crossover between B and DRB1 in
// the father's meiosis): the father carries every allele of it, so he is
// haploidentical (one allele by descent at every locus), not
// "not-haploidentical"; a sibling who shares only its A-B part is not.
TEST_F(Family, TheFatherOfARecombinantPatientIsHaploidentical) {
  Add("F", FamilyRole::kFather, kA, kB);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, Mosaic(kA, kB, 3), kC);
  Add("S1", FamilyRole::kSibling, kA, kD);
  Add("S2", FamilyRole::kSibling, kB, kC);
  const FamilyResult r = Run();
  EXPECT_EQ(Get(r, "F").shared, 0);  // no whole haplotype: synth's truth
  const data::Reference& ref = *LoadShipped().ref;
  auto match = [&](size_t i, matcher::Relationship rel) {
    absl::StatusOr<matcher::MatchReport> m =
        Match(ref, members_[2].genotype, members_[i].genotype, rel, {});
    EXPECT_TRUE(m.ok());
    return *m;
  };
  matcher::MatchReport f = match(0, matcher::Relationship::kParent);
  EXPECT_TRUE(ApplySegregation(r, "F", &f));
  EXPECT_EQ(f.haplo.verdict, matcher::HaploVerdict::kHaploidentical);
  EXPECT_THAT(f.haplo.basis, HasSubstr("one allele by descent at every "
                                       "scored locus"));
  EXPECT_THAT(f.haplo.inconsistencies, ::testing::IsEmpty());
  matcher::MatchReport s1 = match(3, matcher::Relationship::kSibling);
  EXPECT_TRUE(ApplySegregation(r, "S1", &s1));
  EXPECT_EQ(s1.haplo.verdict, matcher::HaploVerdict::kNotHaploidentical);
  // The segment S1 shares: a's alleles up to B (the patient's haplotype is
  // b from DRB1 on).
  EXPECT_THAT(s1.haplo.basis, HasSubstr("by descent, an allele shared at A, "
                                        "B, C, none at DRB1, DQB1"));
}

TEST_F(Family, ApplySegregationCanProveNoSharedHaplotype) {
  // S1 shares an allele at every locus with the patient, but from the other
  // haplotypes: haplo-compatible by alleles, 0 shared by segregation.
  Hap b = kB, d = kD;
  b[0] = kC[0];  // A*02:01
  b[2] = kC[2];  // B*44:02
  d[1] = kA[1];  // C*07:01
  d[3] = kA[3];  // DRB1*03:01
  d[4] = kA[4];  // DQB1*02:01
  Add("F", FamilyRole::kFather, kA, b);
  Add("M", FamilyRole::kMother, kC, d);
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, b, d);
  const FamilyResult r = Run();
  EXPECT_EQ(Get(r, "S1").shared, 0);
  absl::StatusOr<matcher::MatchReport> m =
      Match(*LoadShipped().ref, members_[2].genotype, members_[3].genotype,
            matcher::Relationship::kSibling, {});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->haplo.verdict, matcher::HaploVerdict::kHaploCompatible);
  EXPECT_TRUE(ApplySegregation(r, "S1", &*m));
  EXPECT_EQ(m->haplo.verdict, matcher::HaploVerdict::kNotHaploidentical);
}

TEST_F(Family, OtherRoleAndUntypedMembers) {
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("U", FamilyRole::kOther, kA, kE);
  Add("S1", FamilyRole::kSibling, "");
  const FamilyResult r = Run();
  EXPECT_FALSE(Get(r, "U").shared.has_value());
  EXPECT_THAT(Get(r, "U").basis, HasSubstr("'other' is not segregated"));
  EXPECT_THAT(Get(r, "S1").basis, HasSubstr("not typed"));
}

// Twelve members alike at the one typed locus: a great many equally good
// explanations. The search is bounded and says so; nothing is concluded.
TEST_F(Family, ManyAmbiguousMembersAreBounded) {
  Add("P", FamilyRole::kPatient, "A*01:01+A*02:01");
  for (int i = 0; i < 11; ++i) {
    Add(absl::StrCat("S", i), FamilyRole::kSibling, "A*01:01+A*02:01");
  }
  absl::StatusOr<FamilyResult> r = Segregate("F1", members_, {});
  if (r.ok()) {
    EXPECT_TRUE(r->truncated);
    EXPECT_FALSE(Get(*r, "S0").shared.has_value());
  } else {
    EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  }
}

TEST_F(Family, Errors) {
  Add("S1", FamilyRole::kSibling, kA, kC);
  EXPECT_THAT(Segregate("F9", members_, {}).status().message(),
              HasSubstr("no member has role patient"));
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("F1", FamilyRole::kFather, kA, kB);
  Add("F2", FamilyRole::kFather, kA, kB);
  EXPECT_THAT(Segregate("F9", members_, {}).status().message(),
              HasSubstr("two members have role father"));
  members_.pop_back();
  for (int i = 0; i < 10; ++i) {
    Add(absl::StrCat("X", i), FamilyRole::kSibling, kA, kC);
  }
  EXPECT_THAT(Segregate("F9", members_, {}).status().message(),
              HasSubstr("at most 12"));
  EXPECT_EQ(ParseFamilyRole("Brother").value(), FamilyRole::kSibling);
  EXPECT_FALSE(ParseFamilyRole("cousin").ok());
}

// ---------------------------------------------------------------------------
// Family files (registry/family_file.h): JSON Lines reads as CSV does.

// "A_1":"A*01:01","A_2":...,"DQB1_2":... for two A~C~B~DRB1~DQB1 haplotypes.
std::string PerLocusKeys(const Hap& h1, const Hap& h2) {
  static constexpr const char* kLoci[] = {"A", "C", "B", "DRB1", "DQB1"};
  std::vector<std::string> kv;
  for (int i = 0; i < 5; ++i) {
    kv.push_back(absl::StrCat("\"", kLoci[i], "_1\":\"", h1[i], "\""));
    kv.push_back(absl::StrCat("\"", kLoci[i], "_2\":\"", h2[i], "\""));
  }
  return absl::StrJoin(kv, ",");
}

absl::StatusOr<registry::FamilyFile> ReadFamilyText(const std::string& text,
                                          const std::string& name) {
  std::istringstream in(text);
  auto reader = registry::DonorFileReader::FromStream(&in, name, LoadShipped().resolver.get());
  if (!reader.ok()) return reader.status();
  return registry::ReadFamilyFile(reader->get(), name);
}

TEST_F(Family, JsonLinesFamilyFileSegregatesAsCsv) {
  const Hap ab = Mosaic(kA, kB, 3);  // a at A, C, B; b from DRB1 on
  // F1: both parents, a recombinant sibling; F2: parents untyped, three
  // children. The JSON Lines rows spell the same facts in other ways.
  const std::string csv = absl::StrCat(
      "id,family_id,role,age,glstring\n",                      //
      "F,F1,father,60,", Gl(kA, kB), "\n",                     //
      "M,F1,mother,58,", Gl(kC, kD), "\n",                     //
      "P,F1,patient,30,", Gl(kA, kC), "\n",                    //
      "S1,F1,sibling,28,", Gl(kD, kA), "\n",                   //
      "S2,F1,sibling,25,", Gl(ab, kD), "\n",                   //
      "S3,F1,sibling,20,", Gl(kA, kC), "\n",                   //
      "Q,F2,patient,,", Gl(kE, kF), "\n",                      //
      "T1,F2,sibling,,", Gl(kE, kB), "\n",                     //
      "T2,F2,sibling,,", Gl(kA, kF), "\n",                     //
      "T3,F2,sibling,,", Gl(kE, kF), "\n");
  const std::string jsonl = absl::StrCat(
      "\xEF\xBB\xBF{\"id\":\"F\",\"family_id\":\"F1\",\"role\":\"father\","
      "\"age\":60,\"glstring\":\"", Gl(kA, kB), "\"}\r\n",
      "{\"role\":\"mother\",\"family_id\":\"F1\",\"id\":\"M\",\"age\":58,",
      PerLocusKeys(kC, kD), "}\n",
      "{\"id\":\"P\",\"family\":\"F1\",\"role\":\"patient\",\"age\":30,"
      "\"glstring\":\"", Gl(kA, kC), "\",\"note\":\"proband\"}\n",
      "\n",
      "{\"id\":\"S1\",\"family_id\":\"F1\",\"role\":\"sibling\",\"age\":28,",
      PerLocusKeys(kD, kA), "}\n",
      "{\"id\":\"S2\",\"family_id\":\"F1\",\"role\":\"sibling\",\"age\":25,"
      "\"glstring\":\"", Gl(ab, kD), "\"}\n",
      "{\"id\":\"S3\",\"family_id\":\"F1\",\"role\":\"sibling\",\"age\":20,"
      "\"glstring\":\"", Gl(kA, kC), "\"}\n",
      "{\"id\":\"Q\",\"family_id\":\"F2\",\"role\":\"patient\",\"age\":null,"
      "\"glstring\":\"", Gl(kE, kF), "\"}\n",
      "{\"id\":\"T1\",\"family_id\":\"F2\",\"role\":\"brother\",",
      PerLocusKeys(kE, kB), "}\n",
      "{\"id\":\"T2\",\"family_id\":\"F2\",\"role\":\"sister\",\"glstring\":\"",
      Gl(kA, kF), "\"}\n",
      "{\"id\":\"T3\",\"family_id\":\"F2\",\"role\":\"sibling\",\"glstring\":"
      "\"", Gl(kE, kF), "\"}\n");
  const absl::StatusOr<registry::FamilyFile> a = ReadFamilyText(csv, "family.csv");
  const absl::StatusOr<registry::FamilyFile> b = ReadFamilyText(jsonl, "family.jsonl");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(a->errors.empty()) << absl::StrJoin(a->errors, "\n");
  EXPECT_TRUE(b->errors.empty()) << absl::StrJoin(b->errors, "\n");
  EXPECT_THAT(b->warnings, testing::ElementsAre(HasSubstr(
                               "family.jsonl:3: key 'note' is not one")));
  ASSERT_EQ(a->families.size(), 2u);
  ASSERT_EQ(b->families.size(), 2u);
  for (size_t f = 0; f < 2; ++f) {
    const registry::FamilyRows& x = a->families[f];
    const registry::FamilyRows& y = b->families[f];
    EXPECT_EQ(x.family_id, y.family_id);
    ASSERT_EQ(x.members.size(), y.members.size());
    for (size_t i = 0; i < x.members.size(); ++i) {
      EXPECT_EQ(x.members[i].id, y.members[i].id);
      EXPECT_EQ(x.members[i].role, y.members[i].role);
      EXPECT_EQ(x.records[i].facts.age, y.records[i].facts.age);
    }
    const absl::StatusOr<FamilyResult> rx =
        Segregate(x.family_id, x.members, {});
    const absl::StatusOr<FamilyResult> ry =
        Segregate(y.family_id, y.members, {});
    ASSERT_TRUE(rx.ok()) << rx.status();
    ASSERT_TRUE(ry.ok()) << ry.status();
    EXPECT_EQ(rx->recombinations, ry->recombinations);
    EXPECT_EQ(rx->explanations, ry->explanations);
    ASSERT_EQ(rx->members.size(), ry->members.size());
    for (size_t i = 0; i < rx->members.size(); ++i) {
      const MemberResult& m = rx->members[i];
      const MemberResult& n = ry->members[i];
      SCOPED_TRACE(m.id);
      EXPECT_EQ(m.id, n.id);
      EXPECT_EQ(m.letters, n.letters);
      EXPECT_EQ(m.phased_gl, n.phased_gl);
      EXPECT_EQ(m.shared, n.shared);
      EXPECT_EQ(m.basis, n.basis);
      EXPECT_EQ(m.recombinant, n.recombinant);
      EXPECT_EQ(m.flags, n.flags);
    }
  }
  // The facts the test is about, so that equal is not equally empty.
  const FamilyResult r = *Segregate("F1", b->families[0].members, {});
  EXPECT_EQ(Get(r, "S1").shared, 1);
  EXPECT_EQ(Get(r, "S3").shared, 2);
  EXPECT_TRUE(Get(r, "S2").recombinant);
}

TEST_F(Family, JsonLinesFamilyFileErrors) {
  // No role key in the first object: the file is refused, as a CSV header
  // without a role column is.
  const absl::StatusOr<registry::FamilyFile> no_role =
      ReadFamilyText("{\"id\":\"P\",\"glstring\":\"A*01:01\"}\n", "f.jsonl");
  EXPECT_EQ(no_role.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(no_role.status().message(), HasSubstr("needs a 'role' key"));
  // Later rows: each error is its row's, with the key.
  const absl::StatusOr<registry::FamilyFile> f = ReadFamilyText(
      absl::StrCat(
          "{\"id\":\"P\",\"role\":\"patient\",\"glstring\":\"", Gl(kA, kC),
          "\"}\n",
          "{\"id\":\"X\",\"role\":\"cousin\",\"glstring\":\"", Gl(kA, kD),
          "\"}\n",
          "{\"id\":\"Y\",\"glstring\":\"", Gl(kA, kD), "\"}\n",
          "{\"id\":\"Z\",\"role\":\"sibling\",\"glstring\":\"A*01:01\"\n"),
      "f.jsonl");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_EQ(f->families.size(), 1u);
  EXPECT_EQ(f->families[0].members.size(), 1u);
  EXPECT_THAT(f->errors,
              testing::ElementsAre(
                  HasSubstr("f.jsonl:2: key 'role': role 'cousin'"),
                  HasSubstr("f.jsonl:3: key 'role': role ''"),
                  HasSubstr("f.jsonl:4:48: expected ',' or '}'")));
}

// ---------------------------------------------------------------------------
// Agreement with synth ground truth (validation/family_agreement.h): a few
// families of the measurement that validation/family_validation runs on
// thousands, so that the unit suite fails as soon as segregation breaks.

// Every relative and every undetermined count is counted exactly once.
void ExpectCountsAddUp(const validation::FamilyAgreement& a) {
  EXPECT_EQ(a.agree + a.wrong + a.as_typed + a.undetermined, a.relatives);
  EXPECT_EQ(a.as_typed_right + a.as_typed_low_resolution + a.as_typed_wrong,
            a.as_typed);
  EXPECT_EQ(a.as_typed_wrong, 0);
  EXPECT_EQ(a.und_both_parents_missing_few_children +
                a.und_one_parent_missing + a.und_parent_haplotypes_alike +
                a.und_low_resolution + a.und_half_sibling_carries_both +
                a.und_unexplained + a.und_no_reason,
            a.undetermined);
  EXPECT_LE(a.und_likely_right, a.und_likely_given);
  EXPECT_LE(a.und_likely_given, a.undetermined);
  EXPECT_EQ(a.recombinant_relatives_agree + a.recombinant_relatives_differ +
                a.recombinant_relatives_undetermined,
            a.recombinant_relatives);
  EXPECT_LE(a.recombinant_flagged, a.recombinant_families);
  EXPECT_LE(a.recombinant_families, a.families);
  EXPECT_LE(a.visible_flagged_family, a.visible_recombinants);
  EXPECT_LE(a.visible_flagged_person, a.visible_recombinants);
  EXPECT_LE(a.low_resolution_flagged_family, a.low_resolution_recombinants);
}

// The agreement of `options`' synth families, the shipped data loaded once.
validation::FamilyAgreement Measure(const validation::AgreementOptions& options) {
  static const absl::StatusOr<validation::AgreementData>* const data = [] {
    data::DataPaths paths;
    paths.env_data_dir = matcher_test::kData;
    return new absl::StatusOr<validation::AgreementData>(
        validation::LoadAgreementData(paths));
  }();
  EXPECT_TRUE(data->ok()) << data->status();
  if (!data->ok()) return {};
  const absl::StatusOr<validation::FamilyAgreement> a =
      validation::MeasureFamilyAgreement(**data, options);
  EXPECT_TRUE(a.ok()) << a.status();
  return a.ok() ? *a : validation::FamilyAgreement();
}

// What must hold in every run (validation/family_agreement.h).
void ExpectInvariants(const validation::FamilyAgreement& a) {
  EXPECT_EQ(a.wrong, 0);
  EXPECT_EQ(a.und_unexplained, 0);
  EXPECT_THAT(a.violations, ::testing::IsEmpty());
  EXPECT_THAT(a.errors, ::testing::IsEmpty());
  ExpectCountsAddUp(a);
}

TEST_F(Family, SynthGroundTruthFewFamilies) {
  for (double recombination : {0.0145, 0.10}) {
    SCOPED_TRACE(absl::StrCat("recombination ", recombination));
    validation::AgreementOptions options;
    options.families = 30;
    options.recombination_rate = recombination;
    const validation::FamilyAgreement a = Measure(options);
    EXPECT_EQ(a.families, 30);
    ExpectInvariants(a);
    // Enough of each kind that the checks above check something.
    EXPECT_GT(a.agree, 30);
    EXPECT_GT(a.undetermined, 0);
  }
}

// Children by several partners (synth's other_partner_rate), their
// partners named or not: every child's count is determined and right, and
// no child is flagged (the agreement's invariants).
TEST_F(Family, SynthChildrenBySeveralPartners) {
  for (bool unnamed : {false, true}) {
    SCOPED_TRACE(unnamed ? "unnamed" : "named");
    validation::AgreementOptions options;
    options.families = 200;
    options.other_partner_rate = 0.5;
    options.unnamed_partners = unnamed;
    ExpectInvariants(Measure(options));
  }
}

// Half-siblings (synth's half_sibling_rate): segregated with the sibship,
// none wrong, and most determined.
TEST_F(Family, SynthHalfSiblings) {
  validation::AgreementOptions options;
  options.families = 200;
  options.half_sibling_rate = 0.5;
  const validation::FamilyAgreement a = Measure(options);
  ExpectInvariants(a);
  EXPECT_GT(a.half_siblings, 50);
  EXPECT_GT(a.half_siblings_agree, a.half_siblings * 8 / 10);
  EXPECT_LE(a.half_siblings_agree + a.half_siblings_undetermined,
            a.half_siblings);
}

}  // namespace
}  // namespace hla::family
