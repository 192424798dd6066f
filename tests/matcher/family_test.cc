// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Family segregation (matcher/family.h): hand-built pedigrees with real
// 3.58.0 alleles for each situation of issue 7, the verdict upgrade, and
// agreement with `synth --families` ground truth (data/synth.h).
#include "matcher/family.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "data/haplotype_freq.h"
#include "data/synth.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/donor_file.h"
#include "matcher/family_file.h"
#include "tests/matcher/match_test_util.h"

namespace hla::matcher {
namespace {

using ::testing::HasSubstr;
using matcher_test::Geno;
using matcher_test::LoadShipped;

// A~C~B~DRB1~DQB1 haplotypes of real 3.58.0 alleles.
using Hap = std::array<const char*, 5>;
constexpr Hap kA = {"A*01:01", "C*07:01", "B*08:01", "DRB1*03:01", "DQB1*02:01"};
constexpr Hap kB = {"A*03:01", "C*07:02", "B*07:02", "DRB1*15:01", "DQB1*06:02"};
constexpr Hap kC = {"A*02:01", "C*05:01", "B*44:02", "DRB1*04:01", "DQB1*03:02"};
constexpr Hap kD = {"A*24:02", "C*04:01", "B*35:01", "DRB1*11:01", "DQB1*03:01"};
constexpr Hap kE = {"A*11:01", "C*03:04", "B*40:01", "DRB1*13:01", "DQB1*06:03"};
constexpr Hap kF = {"A*68:01", "C*12:03", "B*51:01", "DRB1*07:01", "DQB1*02:02"};

// The first `at` loci of `x`, the rest of `y` (a crossover before locus
// `at` in A, C, B, DRB1, DQB1 order).
Hap Mosaic(const Hap& x, const Hap& y, int at) {
  Hap h = y;
  for (int i = 0; i < at; ++i) h[i] = x[i];
  return h;
}

// Unphased GL String of two haplotypes; loci with a null pointer in the
// first haplotype are left untyped.
std::string Gl(const Hap& h1, const Hap& h2) {
  std::vector<std::string> blocks;
  for (int i = 0; i < 5; ++i) {
    if (h1[i] == nullptr) continue;
    blocks.push_back(absl::StrCat(h1[i], "+", h2[i]));
  }
  return absl::StrJoin(blocks, "^");
}

class Family : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(LoadShipped().error.empty()) << LoadShipped().error;
  }
  void Add(const std::string& id, FamilyRole role, const std::string& gl) {
    if (gl.empty()) {  // untyped
      members_.push_back({id, role, Genotype()});
      return;
    }
    absl::StatusOr<Genotype> g = Geno(gl);
    ASSERT_TRUE(g.ok()) << id << ": " << g.status();
    members_.push_back({id, role, *std::move(g)});
  }
  void Add(const std::string& id, FamilyRole role, const Hap& h1,
           const Hap& h2) {
    Add(id, role, Gl(h1, h2));
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
  Add("F", FamilyRole::kFather, kA, kB);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
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
}

TEST_F(Family, HomozygousFatherLeavesPaternalSideOpen) {
  Add("F", FamilyRole::kFather, kA, kA);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, kA, kC);
  Add("S2", FamilyRole::kSibling, kA, kD);
  const FamilyResult r = Run();
  // Which copy of the father's (identical) haplotype each child got cannot
  // be told; at ARD level it does not matter, but the count by descent is
  // not proven.
  EXPECT_FALSE(Get(r, "S1").shared.has_value());
  EXPECT_THAT(Get(r, "S1").basis, HasSubstr("alike at every locus"));
  EXPECT_FALSE(Get(r, "S2").shared.has_value());
  EXPECT_EQ(Get(r, "F").shared, 1);
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
  Add("F", FamilyRole::kFather, kA, kB);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
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
  Add("F", FamilyRole::kFather, kA, kB);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
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
}

TEST_F(Family, PatientsChildrenAndARecombinationInThePatient) {
  Add("F", FamilyRole::kFather, kA, kB);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
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
  Add("F", FamilyRole::kFather, kA, kB);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
  // XX code and an allele list; DQB1 and C untyped.
  Add("S1", FamilyRole::kSibling,
      "A*01:XX+A*02:01/A*02:09^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01");
  Add("S2", FamilyRole::kSibling, "A*03:01+A*24:02^B*07:02+B*35:01");
  const FamilyResult r = Run();
  EXPECT_EQ(Get(r, "S1").shared, 2);
  EXPECT_EQ(Get(r, "S2").shared, 0);
}

TEST_F(Family, ApplySegregationUpgradesTheVerdict) {
  Add("F", FamilyRole::kFather, kA, kB);
  Add("M", FamilyRole::kMother, kC, kD);
  Add("P", FamilyRole::kPatient, kA, kC);
  Add("S1", FamilyRole::kSibling, kA, kC);
  Add("S2", FamilyRole::kSibling, kB, kD);
  Add("S3", FamilyRole::kSibling, kA, kD);
  const FamilyResult r = Run();
  const data::Reference& ref = *LoadShipped().ref;
  auto match = [&](size_t i) {
    absl::StatusOr<MatchReport> m =
        Match(ref, members_[2].genotype, members_[i].genotype,
              Relationship::kSibling, {});
    EXPECT_TRUE(m.ok());
    return *m;
  };
  MatchReport s3 = match(5);
  EXPECT_EQ(s3.haplo.verdict, HaploVerdict::kHaploCompatible);
  EXPECT_TRUE(ApplySegregation(r, "S3", &s3));
  EXPECT_EQ(s3.haplo.verdict, HaploVerdict::kHaploidentical);
  EXPECT_EQ(s3.haplo.basis,
            "family segregation: shares haplotype a (paternal) with the "
            "patient");
  MatchReport s1 = match(3);
  EXPECT_TRUE(ApplySegregation(r, "S1", &s1));
  EXPECT_EQ(s1.haplo.verdict, HaploVerdict::kIdentical);
  MatchReport s2 = match(4);
  EXPECT_TRUE(ApplySegregation(r, "S2", &s2));
  EXPECT_EQ(s2.haplo.verdict, HaploVerdict::kNotHaploidentical);
  EXPECT_THAT(s2.haplo.basis, HasSubstr("family segregation: shares no whole"));
  EXPECT_FALSE(ApplySegregation(r, "nobody", &s2));
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
  absl::StatusOr<MatchReport> m =
      Match(*LoadShipped().ref, members_[2].genotype, members_[3].genotype,
            Relationship::kSibling, {});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->haplo.verdict, HaploVerdict::kHaploCompatible);
  EXPECT_TRUE(ApplySegregation(r, "S1", &*m));
  EXPECT_EQ(m->haplo.verdict, HaploVerdict::kNotHaploidentical);
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

}  // namespace
}  // namespace hla::matcher
