// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Match() and BuildGenotype() on the shipped 3.58.0 release: grades,
// confidence, pairing, nulls, untyped loci, homozygous counting, GvH/HvG,
// haplo verdicts, DPB1 TCE and bad inputs.
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/internal/grade.h"
#include "matcher/match.h"
#include "matcher/internal/position_access.h"
#include "tests/matcher/match_test_util.h"

namespace hla::matcher {
namespace {

using ::hla::matcher_test::Geno;
using ::hla::matcher_test::ShippedTest;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Contains;

class MatchTest : public ShippedTest {};

MatchOptions OnlyA() {
  MatchOptions o;
  o.loci = {Locus::kA};
  o.haplo_required_loci = {Locus::kA};
  return o;
}

const char kFive[] =
    "A*01:01:01:01+A*02:01:01:01^B*08:01:01:01+B*07:02:01:01^"
    "C*07:01:01:01+C*07:02:01:01^DRB1*03:01:01:01+DRB1*15:01:01:01^"
    "DQB1*02:01:01:01+DQB1*06:02:01:01";

// ---- Genotype building

TEST_F(MatchTest, BuildsTwoPositionsPerLocus) {
  Genotype g = G(kFive);
  EXPECT_EQ(g.at(Locus::kA).typed_positions, 2);
  EXPECT_EQ(g.at(Locus::kDQB1).typed_positions, 2);
  EXPECT_EQ(g.at(Locus::kDPB1).typed_positions, 0);
  EXPECT_EQ(g.at(Locus::kA).pos[0].text, "A*01:01:01:01");
  EXPECT_EQ(g.at(Locus::kA).pos[0].alleles.size(), 1u);
  EXPECT_EQ(g.at(Locus::kA).pos[0].match_keys().size(), 1u);
  EXPECT_FALSE(g.phased);
}

// The null alternatives a typing admits, kept apart from the match keys:
// a list naming a null carries that null's key there, as an all-null typing
// carries it in its match keys; a truncated name (A*01:01 covers
// A*01:01:01:02N) admits none.
TEST_F(MatchTest, NullAlternativeKeysAreThoseOfAdmittedNulls) {
  const Genotype g_listed = G("A*01:10/A*01:16N+A*02:01");
  const Genotype g_null = G("A*01:16N+A*02:01");
  const PositionTyping& listed = g_listed.at(Locus::kA).pos[0];
  const PositionTyping& null = g_null.at(Locus::kA).pos[0];
  EXPECT_TRUE(listed.possible_null());
  EXPECT_EQ(listed.null_alternative_keys(), null.match_keys());
  EXPECT_THAT(listed.match_keys(), Not(Contains(null.match_keys()[0])));
  EXPECT_TRUE(null.null_alternative_keys().empty());
  const Genotype truncated = G("A*01:01+A*02:01");
  EXPECT_TRUE(truncated.at(Locus::kA).pos[0].null_alternative_keys().empty());
  const Genotype xx = G("A*01:XX+A*02:01");
  EXPECT_FALSE(xx.at(Locus::kA).pos[0].null_alternative_keys().empty());
}

TEST_F(MatchTest, OneTypingIsHomozygousByConvention) {
  Genotype g = G("HLA-A*29:02");
  EXPECT_EQ(g.at(Locus::kA).typed_positions, 1);
  EXPECT_EQ(g.at(Locus::kA).pos[1].text, "HLA-A*29:02");
  EXPECT_EQ(g.at(Locus::kA).pos[0].match_keys(), g.at(Locus::kA).pos[1].match_keys());
  MatchReport r = M("HLA-A*29:02", "A*29:02+A*02:01", OnlyA());
  EXPECT_TRUE(r.loci[0].recipient_one_typing);
  EXPECT_FALSE(r.loci[0].donor_one_typing);
  EXPECT_EQ(r.loci[0].gvh_mismatches, 0);
  EXPECT_EQ(r.loci[0].hvg_mismatches, 1);
}

// A locus written once: the second copy is the first, compiled once and
// copied, every derived set equal (an allele, an XX code, serology, a null,
// DPB1 with its TCE group).
TEST_F(MatchTest, WrittenOnceTheSecondCopyIsTheFirst) {
  for (const char* text : {"A*29:02", "A*02:XX", "B44", "A*01:01:01:02N", "DPB1*04:01",
                           "C*04:01"}) {
    SCOPED_TRACE(text);
    const Genotype g = G(text);
    const LocusTyping* lt = nullptr;
    for (const LocusTyping& l : g.loci) {
      if (l.typed_positions > 0) lt = &l;
    }
    ASSERT_NE(lt, nullptr);
    EXPECT_EQ(lt->typed_positions, 1);
    const PositionTyping& a = lt->pos[0];
    const PositionTyping& b = lt->pos[1];
    EXPECT_TRUE(a.typed());
    EXPECT_TRUE(matcher_test::SamePosition(a, b));
    EXPECT_EQ(b.null_alternative_keys(), a.null_alternative_keys());
    EXPECT_EQ(b.haplotype, -1);
  }
}

TEST_F(MatchTest, PhasedHaplotypesSetPositionsByHaplotype) {
  Genotype g = G("A*01:01~B*08:01+A*02:01~B*07:02");
  EXPECT_TRUE(g.phased);
  EXPECT_TRUE(g.at(Locus::kA).phased);
  EXPECT_TRUE(g.at(Locus::kB).phased);
  EXPECT_EQ(g.at(Locus::kB).pos[0].text, "B*08:01");
  EXPECT_EQ(g.at(Locus::kB).pos[0].haplotype, 0);
  EXPECT_EQ(g.at(Locus::kB).pos[1].haplotype, 1);
}

TEST_F(MatchTest, RejectsThreeTypingsAtALocus) {
  absl::StatusOr<Genotype> g = Geno("A*01:01+A*02:01+A*03:01");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(g.status().message(), HasSubstr("offset 16"));
}

TEST_F(MatchTest, RejectsALocusTwice) {
  absl::StatusOr<Genotype> g = Geno("A*01:01+A*02:01^B*08:01^A*03:01");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(g.status().message(), HasSubstr("appears twice"));
  EXPECT_THAT(g.status().message(), HasSubstr("offset 24"));
}

TEST_F(MatchTest, RejectsMixedLociInOnePosition) {
  absl::StatusOr<Genotype> g = Geno("A*01:01/B*08:01+A*02:01");
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), HasSubstr("mixes loci"));
  EXPECT_THAT(g.status().message(), HasSubstr("offset 8"));
}

TEST_F(MatchTest, RejectsPlusAcrossLoci) {
  absl::StatusOr<Genotype> g = Geno("A*01:01+B*08:01");
  ASSERT_FALSE(g.ok());
  EXPECT_THAT(g.status().message(), HasSubstr("different loci"));
}

TEST_F(MatchTest, RejectsParalogAmbiguity) {
  absl::StatusOr<Genotype> g = Geno("DRB1*04:01?DRB3*01:01");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(g.status().message(), HasSubstr("'?'"));
  EXPECT_THAT(g.status().message(), HasSubstr("offset 0"));
}

TEST_F(MatchTest, IgnoresNonMatchingLociWithAWarning) {
  Genotype g = G("A*01:01+A*02:01^MICA*001+MICA*002:01");
  EXPECT_EQ(g.at(Locus::kA).typed_positions, 2);
  ASSERT_FALSE(g.warnings.empty());
  EXPECT_THAT(g.warnings[0], HasSubstr("MICA"));
}

TEST_F(MatchTest, GeneAbsentPlaceholderActsAsNull) {
  MatchOptions o;
  o.loci = {Locus::kDRB4};
  o.haplo_required_loci = {};
  MatchReport r = M("DRB4*NNNN+DRB4*01:01", "DRB4*01:01+DRB4*01:01", o);
  EXPECT_TRUE(G("DRB4*NNNN+DRB4*01:01").at(Locus::kDRB4).pos[0].all_null());
  EXPECT_EQ(r.loci[0].matches, 2);
  EXPECT_EQ(r.loci[0].mismatches, 0);
}

TEST_F(MatchTest, GenotypeListKeepsAlternatives) {
  Genotype g = G("A*01:01+A*02:01|A*01:02+A*03:01");
  EXPECT_EQ(g.at(Locus::kA).typed_positions, 2);
  EXPECT_EQ(g.at(Locus::kA).alternatives.size(), 1u);
  MatchReport r = M("A*01:01+A*02:01|A*01:02+A*03:01", "A*01:02+A*03:01",
                    OnlyA());
  EXPECT_EQ(r.loci[0].matches, 2);
  EXPECT_TRUE(r.loci[0].genotype_list);
  EXPECT_EQ(r.loci[0].confidence, MatchConfidence::kPotential);
}

// Repeats at a locus (the same pair, either order) are one alternative; a
// list over kMaxGenotypeListAlternatives is an error at its offset (4,000
// alternatives once took 7 s a request).
TEST_F(MatchTest, GenotypeListRepeatsAreDroppedAndTheListIsBounded) {
  Genotype g = G("A*01:01+A*02:01|A*02:01+A*01:01^"
                 "B*08:01+B*07:02|B*08:01+B*44:02|B*07:02+B*08:01");
  EXPECT_EQ(g.at(Locus::kA).alternatives.size(), 0u);
  EXPECT_EQ(g.at(Locus::kB).alternatives.size(), 1u);
  std::string list;
  for (size_t i = 0; i < kMaxGenotypeListAlternatives; ++i) {
    absl::StrAppend(&list, i ? "|" : "", "A*01:01+A*02:01");
  }
  EXPECT_TRUE(Geno(list).ok());
  const absl::StatusOr<Genotype> over = Geno(list + "|A*01:01+A*03:01");
  EXPECT_EQ(over.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(over.status().message()),
              HasSubstr("a genotype list of 1001 alternatives ('|'): more "
                        "than 1000 (the limit) at 'A*01:01' at offset 0"));
}

// ---- Grades and confidence

TEST_F(MatchTest, SameFullAlleleIsTopGradeAndDefinite) {
  MatchReport r = M("A*01:01:01:01+A*01:01:01:01", "A*01:01:01:01+A*01:01:01:01",
                    OnlyA());
  const LocusMatch& a = r.loci[0];
  EXPECT_EQ(a.matches, 2);
  EXPECT_GE(a.grade, MatchGrade::kCdna);
  EXPECT_EQ(a.confidence, MatchConfidence::kDefinite);
  EXPECT_EQ(a.antigen_matches, 2);
}

TEST_F(MatchTest, GradeLadderOnRealAlleles) {
  // Allele_status.txt 3.58.0: all four are Full gDNA.
  auto grade = [&](const std::string& a, const std::string& b) {
    return M(a + "+" + a, b + "+" + b, OnlyA()).loci[0].grade;
  };
  EXPECT_EQ(grade("A*01:01:01:01", "A*01:01:01:01"), MatchGrade::kGdna);
  EXPECT_EQ(grade("A*01:01:01:01", "A*01:01:01:03"), MatchGrade::kCdna);
  EXPECT_EQ(grade("A*01:01:01:01", "A*01:01:02"), MatchGrade::kProtein);
  EXPECT_EQ(grade("A*01:01:01:01", "A*01:01:01:02N"),
            MatchGrade::kExpressingVsNull);
  // A list of full names is not consolidated: it can reach gDNA.
  EXPECT_EQ(grade("A*01:01:01:01/A*01:01:01:03", "A*01:01:01:01"),
            MatchGrade::kGdna);
  EXPECT_EQ(
      M("A*01:01:01:01/A*01:01:01:03+A*02:01:01:01", "A*01:01:01:01+A*02:01:01:01",
        OnlyA())
          .loci[0]
          .positions[0]
          .confidence,
      MatchConfidence::kExact);
}

TEST_F(MatchTest, TruncatedNamesAreGradedAlleleByAllele) {
  MatchReport r = M("A*01:01+A*02:01", "A*01:01:01:01+A*02:01:01:01", OnlyA());
  EXPECT_EQ(r.loci[0].matches, 2);
  EXPECT_EQ(r.loci[0].grade, MatchGrade::kGdna);  // the best member pair
  // A*01:01 spans one P group: exact, not definite.
  EXPECT_EQ(r.loci[0].positions[0].confidence, MatchConfidence::kExact);
  // Large name variants on both sides: the merge gives the same maximum.
  EXPECT_EQ(M("A*02:01+A*02:01", "A*02:01+A*02:01", OnlyA()).loci[0].grade,
            MatchGrade::kGdna);
  EXPECT_EQ(M("A*02:01:01+A*02:01:01", "A*02:01:02+A*02:01:02", OnlyA())
                .loci[0]
                .grade,
            MatchGrade::kProtein);
}

TEST_F(MatchTest, MergedListGradeEqualsPairwiseMaximum) {
  // BestAlleleListGrade on 1- and 2-field truncations of 3.58.0 (A, DPB1)
  // against the definition: the best GradeAllelePair over all pairs.
  const auto& all = ref_->alleles();
  std::vector<absl::Span<const data::AlleleId>> lists;
  for (int fields : {1, 2}) {
    for (const auto& t : ref_->truncations(fields)) {
      const auto name = ref_->loci()[t.locus].name;
      if ((name == "A" || name == "DPB1") && t.end - t.begin <= 120) {
        lists.push_back(ref_->Range(t.begin, t.end));
      }
    }
  }
  ASSERT_GT(lists.size(), 50u);
  int compared = 0;
  for (size_t i = 0; i < lists.size(); i += 7) {
    for (size_t j = i; j < lists.size() && j < i + 40; j += 3) {
      if (all[lists[i][0]].locus != all[lists[j][0]].locus) continue;
      MatchGrade brute = MatchGrade::kMismatch;
      for (data::AlleleId a : lists[i]) {
        if (all[a].is_null()) continue;
        for (data::AlleleId b : lists[j]) {
          if (all[b].is_null()) continue;
          brute = std::max(brute, matcher_internal::GradeAllelePair(
                                      a, all[a], b, all[b]));
        }
      }
      ASSERT_EQ(matcher_internal::BestAlleleListGrade(all, lists[i], lists[j]),
                brute)
          << all[lists[i][0]].name << " vs " << all[lists[j][0]].name;
      ++compared;
    }
  }
  EXPECT_GT(compared, 100);
}

TEST_F(MatchTest, MacsAreConsolidatedAndCapAtG) {
  // A*01:AC = A*01:01/A*01:03.
  MatchReport r = M("A*01:AC+A*01:AC", "A*01:01:01:01+A*01:01:01:01", OnlyA());
  EXPECT_EQ(r.loci[0].matches, 2);
  EXPECT_EQ(r.loci[0].grade, MatchGrade::kGGroup);
  EXPECT_EQ(r.loci[0].confidence, MatchConfidence::kPotential);
}

// A serology typing shares antigens, not alleles: antigen-level matches,
// counted apart, with a serology grade and potential confidence.
TEST_F(MatchTest, SerologyAgainstAllelesIsAntigenLevelSerologyGrade) {
  MatchReport r = M("A1+A2", "A*01:01+A*02:01", OnlyA());
  EXPECT_EQ(r.loci[0].matches, 0);
  EXPECT_EQ(r.loci[0].antigen_level_matches, 2);
  EXPECT_EQ(r.loci[0].antigen_matches, 2);
  EXPECT_EQ(r.loci[0].gvh_mismatches, 0);
  EXPECT_EQ(r.loci[0].confidence, MatchConfidence::kPotential);
  EXPECT_LE(r.loci[0].grade, MatchGrade::kAssociated);
  EXPECT_GE(r.loci[0].grade, MatchGrade::kBroad);
  EXPECT_FALSE(r.loci[0].positions[0].allele_match);
  EXPECT_TRUE(r.loci[0].positions[0].antigen_match);
  EXPECT_EQ(r.totals.matches, 0);
  EXPECT_EQ(r.totals.antigen_level_matches, 2);
}

// A single serology antigen means "second antigen not detected", not a
// proven homozygote.
TEST_F(MatchTest, SingleSerologyAntigenIsSecondAntigenNotDetected) {
  MatchReport r = M("C*07:01+C*05:01", "Cw7", [] {
    MatchOptions o;
    o.loci = {Locus::kC};
    return o;
  }());
  EXPECT_TRUE(r.loci[0].donor_one_typing);
  EXPECT_FALSE(r.loci[0].homozygous_donor);
  EXPECT_THAT(r.warnings, Contains(HasSubstr(
                              "C: donor typed Cw7 only: the second antigen "
                              "was not detected")));
}

// Between two molecular typings a different ARD is a mismatch whatever the
// serology: C*01:02 and C*01:10 are both Cw1, A*02:01 and A*02:05 both A2.
TEST_F(MatchTest, DifferentMolecularTypingsAreAMismatchNotASplit) {
  MatchOptions c;
  c.loci = {Locus::kC};
  MatchReport r = M("C*01:02+C*01:02", "C*01:10+C*01:10", c);
  EXPECT_EQ(r.loci[0].grade, MatchGrade::kMismatch);
  EXPECT_EQ(r.loci[0].matches, 0);
  r = M("A*02:01+A*01:01", "A*02:05+A*01:01", OnlyA());
  EXPECT_EQ(r.loci[0].grade, MatchGrade::kMismatch);
  EXPECT_EQ(r.loci[0].matches, 1);
  EXPECT_EQ(r.loci[0].mismatches, 1);
  // The antigen relation is still said, beside the grade.
  const PositionMatch& p =
      r.loci[0].positions[0].grade == MatchGrade::kMismatch
          ? r.loci[0].positions[0]
          : r.loci[0].positions[1];
  EXPECT_EQ(p.grade, MatchGrade::kMismatch);
  EXPECT_TRUE(p.antigen_match);
  EXPECT_FALSE(p.allele_match);
}

// WMDA placeholders for alleles not named yet are never a match (Atlas);
// NNNN (gene absent) stays a null-like copy.
TEST_F(MatchTest, UnnamedAllelesAreNeverAMatch) {
  for (const char* unnamed : {"A*NEW", "A*UUUU", "A*XXXX"}) {
    SCOPED_TRACE(unnamed);
    const std::string typing = absl::StrCat(unnamed, "+A*02:01");
    MatchReport r = M(typing, typing, OnlyA());
    EXPECT_EQ(r.loci[0].matches, 1);
    EXPECT_EQ(r.loci[0].grade, MatchGrade::kMismatch);
    EXPECT_NE(r.loci[0].confidence, MatchConfidence::kDefinite);
    EXPECT_THAT(r.warnings, Contains(HasSubstr("an allele not named yet")));
    r = M(typing, "A*02:01+A*02:01", OnlyA());
    EXPECT_EQ(r.loci[0].matches, 1);
    EXPECT_GT(r.loci[0].gvh_mismatches, 0);
  }
}

// A copy that expresses nothing against an expressed one: counted once, as
// a mismatch, in counts, grades and TCE alike.
TEST_F(MatchTest, ANonExpressingLocusIsCountedOnce) {
  MatchReport r = M("A*01:01+A*01:01", "A*01:01:01:02N+A*01:01:01:02N",
                    OnlyA());
  EXPECT_EQ(r.loci[0].matches, 0);
  EXPECT_EQ(r.loci[0].mismatches, 2);
  EXPECT_EQ(r.loci[0].grade, MatchGrade::kExpressingVsNull);
  MatchOptions dp = OnlyA();
  dp.loci = {Locus::kDPB1};
  r = M("DPB1*04:01+DPB1*04:01", "DPB1*04:01:01:24N+DPB1*04:01:01:24N", dp);
  EXPECT_EQ(r.loci[0].matches, 0);
  ASSERT_TRUE(r.tce.has_value());
  EXPECT_NE(r.tce->category, TceCategory::kMatch);
}

// A typing whose alternatives mix expressed and null alleles matched to an
// expressed allele: potential, with the null named.
TEST_F(MatchTest, APossibleNullIsPotentialAndNamed) {
  MatchOptions c;
  c.loci = {Locus::kC};
  for (const char* donor : {"C*04:01/C*04:09N+C*07:01", "C*04:01:01G+C*07:01"}) {
    SCOPED_TRACE(donor);
    MatchReport r = M("C*04:01+C*07:01", donor, c);
    EXPECT_EQ(r.loci[0].matches, 2);
    EXPECT_EQ(r.loci[0].confidence, MatchConfidence::kPotential);
    EXPECT_THAT(r.warnings, Contains(HasSubstr("null allele not excluded")));
    EXPECT_THAT(r.warnings, Contains(HasSubstr("C*04:09N")));
  }
  // A truncated name denotes expressed alleles, alone or in a list: its
  // null relatives (A*01:01:01:02N) carry the N in their own name.
  for (const char* donor : {"A*01:01+A*02:01", "A*01:01/A*01:02+A*02:01"}) {
    SCOPED_TRACE(donor);
    MatchReport r = M("A*01:01+A*02:01", donor, OnlyA());
    for (const std::string& w : r.warnings) {
      EXPECT_THAT(w, Not(HasSubstr("null allele not excluded")));
    }
  }
  // A null named as written, or a null protein of its own (A*01:04N under
  // the XX code), is admitted.
  MatchReport r = M("A*01:01+A*02:01",
                    "A*01:01:01:01/A*01:01:01:02N+A*02:01", OnlyA());
  EXPECT_THAT(r.warnings,
              Contains("A: donor A*01:01:01:01/A*01:01:01:02N: null allele "
                       "not excluded (A*01:01:01:02N): a match holds only if "
                       "it is not the null"));
  EXPECT_EQ(r.loci[0].confidence, MatchConfidence::kPotential);
  r = M("A*01:01+A*02:01", "A*01:XX+A*02:01", OnlyA());
  EXPECT_THAT(r.warnings,
              Contains(HasSubstr("A: donor A*01:XX: null allele not excluded "
                                 "(A*01:04:01:01N, A*01:04:01:02N, A*01:11N, "
                                 "...)")));
}

// Expression variants (L, S, Q) are flagged.
TEST_F(MatchTest, ExpressionVariantsAreFlagged) {
  MatchReport r = M("A*02:01+A*01:01", "A*02:01:01:02L+A*01:01", OnlyA());
  EXPECT_THAT(r.warnings,
              Contains(HasSubstr("A: donor A*02:01:01:02L is an allele with "
                                 "low expression (WHO suffix L)")));
  // As for nulls: a variant named as written is flagged; one that shares
  // an unsuffixed allele's protein is not denoted by the shorter name.
  r = M("A*02:01+A*01:01", "A*24:02:01:01/A*24:02:01:02L+A*01:01", OnlyA());
  EXPECT_THAT(r.warnings,
              Contains("A: donor A*24:02:01:01/A*24:02:01:02L may be "
                       "(A*24:02:01:02L) an allele with low expression (WHO "
                       "suffix L): its expression may differ from the "
                       "grade"));
  r = M("A*02:01+A*01:01", "A*24:02/A*24:03+A*01:01", OnlyA());
  EXPECT_THAT(r.warnings, Not(Contains(HasSubstr("expression"))));
  // Alternatives with different suffixes: each suffix named.
  MatchOptions only_b;
  only_b.loci = {Locus::kB};
  only_b.haplo_required_loci = {Locus::kB};
  r = M("B*44:02+B*08:01", "B*44:02:01:02S/B*07:360Q+B*08:01", only_b);
  EXPECT_THAT(r.warnings,
              Contains("B: donor B*44:02:01:02S/B*07:360Q is "
                       "(B*07:360Q, B*44:02:01:02S) an allele with altered "
                       "expression (WHO suffixes Q questionable expression, "
                       "S secreted, not on the cell surface): its expression "
                       "may differ from the grade"));
}

TEST_F(MatchTest, MismatchIsMismatchGrade) {
  MatchReport r = M("A*01:01+A*02:01", "A*03:01+A*24:02", OnlyA());
  EXPECT_EQ(r.loci[0].matches, 0);
  EXPECT_EQ(r.loci[0].grade, MatchGrade::kMismatch);
  EXPECT_EQ(r.loci[0].confidence, MatchConfidence::kMismatch);
  EXPECT_EQ(r.loci[0].gvh_mismatches, 2);
  EXPECT_EQ(r.loci[0].hvg_mismatches, 2);
}

// ---- Pairing

TEST_F(MatchTest, CrossedPairingIsFoundAndReported) {
  MatchReport r = M("A*01:01+A*02:01", "A*02:01+A*01:01", OnlyA());
  const LocusMatch& a = r.loci[0];
  EXPECT_EQ(a.matches, 2);
  EXPECT_TRUE(a.crossed);
  EXPECT_EQ(a.positions[0].donor_position, 1);
  EXPECT_EQ(a.positions[0].donor_text, "A*01:01");
}

TEST_F(MatchTest, DirectPairingWhenItMatchesMore) {
  MatchReport r = M("A*01:01+A*02:01", "A*01:01+A*03:01", OnlyA());
  EXPECT_FALSE(r.loci[0].crossed);
  EXPECT_EQ(r.loci[0].matches, 1);
  EXPECT_TRUE(r.loci[0].positions[0].allele_match);
  EXPECT_FALSE(r.loci[0].positions[1].allele_match);
}

// ---- Nulls

TEST_F(MatchTest, OneNullIsHomozygousForTheExpressedAllele) {
  MatchReport r = M("A*68:11N+A*01:01", "A*01:01+A*01:01", OnlyA());
  const LocusMatch& a = r.loci[0];
  EXPECT_EQ(a.matches, 2);
  EXPECT_EQ(a.mismatches, 0);
  EXPECT_TRUE(a.homozygous_recipient);
}

TEST_F(MatchTest, NullVsNullSameAlleleMatches) {
  MatchReport r = M("A*68:11N+A*68:11N", "A*68:11N+A*68:11N", OnlyA());
  EXPECT_EQ(r.loci[0].matches, 2);
  EXPECT_EQ(r.loci[0].mismatches, 0);
  EXPECT_GE(r.loci[0].grade, MatchGrade::kNullPartial);
  EXPECT_LE(r.loci[0].grade, MatchGrade::kNullGdna);
}

TEST_F(MatchTest, NullAgainstExpressedGradesExpressingVsNull) {
  MatchReport r = M("A*01:01:01:02N+A*02:01", "A*01:01+A*02:01", OnlyA());
  // Recipient expresses only A*02:01 (homozygous): A*01:01 of the donor is
  // an HvG mismatch.
  EXPECT_EQ(r.loci[0].gvh_mismatches, 0);
  EXPECT_EQ(r.loci[0].hvg_mismatches, 1);
}

// ---- Untyped

TEST_F(MatchTest, UntypedLocusIsReportedNeverMatched) {
  MatchReport r = M("A*01:01+A*02:01^B*08:01+B*07:02", "A*01:01+A*02:01");
  const LocusMatch* b = r.Find(Locus::kB);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->recipient_typed);
  EXPECT_FALSE(b->donor_typed);
  EXPECT_FALSE(b->scored);
  EXPECT_EQ(b->matches, 0);
  EXPECT_EQ(b->grade, MatchGrade::kUnknown);
  EXPECT_EQ(r.totals.out_of, 10);
  EXPECT_EQ(r.totals.matches, 2);
  EXPECT_EQ(r.totals.untyped_loci, 4);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kInsufficientTyping);
}

TEST_F(MatchTest, OptionalLociCountOnlyWhenTypedOnBothSides) {
  MatchOptions o;
  o.loci.push_back(Locus::kDPB1);
  MatchReport r = M(kFive, kFive, o);
  EXPECT_EQ(r.totals.out_of, 10);  // DPB1 untyped: not X/12
  MatchReport r12 = M(std::string(kFive) + "^DPB1*04:01+DPB1*02:01",
                      std::string(kFive) + "^DPB1*04:01+DPB1*02:01", o);
  EXPECT_EQ(r12.totals.out_of, 12);
  EXPECT_EQ(r12.totals.matches, 12);
}

// ---- Homozygous counting and direction

TEST_F(MatchTest, HomozygousDoubleMismatchCountsTwoOrOne) {
  MatchOptions o = OnlyA();
  MatchReport r2 = M("A*01:01+A*01:01", "A*02:05+A*02:05", o);
  EXPECT_EQ(r2.loci[0].gvh_mismatches, 2);
  EXPECT_EQ(r2.loci[0].hvg_mismatches, 2);
  o.homozygous_mismatch_count = 1;
  MatchReport r1 = M("A*01:01+A*01:01", "A*02:05+A*02:05", o);
  EXPECT_EQ(r1.loci[0].gvh_mismatches, 1);
  EXPECT_EQ(r1.loci[0].hvg_mismatches, 1);
  EXPECT_EQ(r1.loci[0].mismatches, 1);
  EXPECT_EQ(r1.loci[0].matches, 0);
}

TEST_F(MatchTest, GvhAndHvgAreDirectional) {
  MatchReport r = M("A*01:01+A*01:01", "A*01:01+A*02:05", OnlyA());
  EXPECT_EQ(r.loci[0].gvh_mismatches, 0);
  EXPECT_EQ(r.loci[0].hvg_mismatches, 1);
  ASSERT_FALSE(r.loci[0].donor_mismatched_alleles.empty());
  EXPECT_TRUE(r.loci[0].recipient_mismatched_alleles.empty());
  EXPECT_TRUE(absl::StartsWith(
      ref_->allele(r.loci[0].donor_mismatched_alleles[0]).name, "A*02:05"));
}

TEST_F(MatchTest, RejectsBadHomozygousCount) {
  MatchOptions o;
  o.homozygous_mismatch_count = 3;
  absl::StatusOr<MatchReport> r =
      Match(*ref_, G(kFive), G(kFive), Relationship::kUnknown, o);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
}

// ---- Haplo verdict

const char kRecipient[] =
    "A*01:01+A*02:01^B*08:01+B*07:02^DRB1*03:01+DRB1*15:01";
const char kHalf[] =  // shares A*01:01, B*08:01, DRB1*03:01
    "A*01:01+A*03:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01";

MatchOptions Haplo() {
  MatchOptions o;
  o.loci = {Locus::kA, Locus::kB, Locus::kDRB1};
  return o;
}

TEST_F(MatchTest, HaploIdentical) {
  MatchReport r = M(kRecipient, kRecipient, Haplo(), Relationship::kSibling);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kIdentical);
  EXPECT_EQ(ToString(r.haplo.verdict), "identical");
}

// Identical and haploidentical are sharing by descent: an unrelated 10/10
// (or a donor of unknown relationship) shares by state, and without phase
// it is only known that he could carry a recipient haplotype.
TEST_F(MatchTest, UnrelatedTenOfTenIsNotIdentical) {
  for (Relationship rel : {Relationship::kUnrelated, Relationship::kUnknown}) {
    MatchReport r = M(kRecipient, kRecipient, Haplo(), rel);
    EXPECT_EQ(r.haplo.verdict, HaploVerdict::kHaploCompatible)
        << ToString(rel);
    EXPECT_THAT(r.haplo.basis, HasSubstr("by state"));
  }
}

TEST_F(MatchTest, HaploCompatibleWithoutPhase) {
  MatchReport r = M(kRecipient, kHalf, Haplo());
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kHaploCompatible);
  EXPECT_THAT(r.haplo.basis, HasSubstr("phase unknown"));
}

TEST_F(MatchTest, HaploBasisNamesLociLeftOut) {
  // Default loci: C and DQB1 untyped are named, not silently dropped.
  MatchReport r = M(kRecipient, kHalf);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kHaploCompatible);
  EXPECT_THAT(r.haplo.basis, HasSubstr("C, DQB1 are untyped"));
}

TEST_F(MatchTest, SiblingIsOnlyHaploCompatible) {
  MatchReport r = M(kRecipient, kHalf, Haplo(), Relationship::kSibling);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kHaploCompatible);
  EXPECT_THAT(r.haplo.basis, HasSubstr("family typing"));
}

TEST_F(MatchTest, HaploidenticalByStatedParent) {
  MatchReport r = M(kRecipient, kHalf, Haplo(), Relationship::kParent);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kHaploidentical);
  EXPECT_TRUE(r.haplo.inconsistencies.empty());
}

TEST_F(MatchTest, HaploidenticalByPhaseOnBothSides) {
  MatchReport r = M("A*01:01~B*08:01~DRB1*03:01+A*02:01~B*07:02~DRB1*15:01",
                    "A*03:01~B*44:02~DRB1*04:01+A*01:01~B*08:01~DRB1*03:01",
                    Haplo(), Relationship::kSibling);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kHaploidentical);
  EXPECT_THAT(r.haplo.basis, HasSubstr("recipient haplotype 1"));
  EXPECT_THAT(r.haplo.basis, HasSubstr("donor haplotype 2"));
  EXPECT_THAT(r.haplo.basis, HasSubstr("by descent"));
}

TEST_F(MatchTest, UnrelatedCarryingARecipientHaplotypeIsHaplotypeMatched) {
  MatchReport r = M("A*01:01~B*08:01~DRB1*03:01+A*02:01~B*07:02~DRB1*15:01",
                    "A*03:01~B*44:02~DRB1*04:01+A*01:01~B*08:01~DRB1*03:01",
                    Haplo(), Relationship::kUnrelated);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kHaplotypeMatched);
  EXPECT_EQ(ToString(r.haplo.verdict), "haplotype-matched");
  EXPECT_THAT(r.haplo.basis, HasSubstr("by state"));
}

// A phased recipient against an unphased donor: the recipient's phase says
// which alleles go together, so a donor sharing A, C and DQB1 with
// haplotype 1 but B and DRB1 with haplotype 2 can carry neither whole.
TEST_F(MatchTest, RecipientPhaseIsUsedAgainstAnUnphasedDonor) {
  const char kPhased[] =
      "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
      "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02";
  const char kMixed[] =  // A C DQB1 of haplotype 1, B DRB1 of haplotype 2
      "A*01:01+A*03:01^C*07:01+C*04:01^B*44:02+B*35:01^"
      "DRB1*04:01+DRB1*11:01^DQB1*02:01+DQB1*03:01";
  MatchReport r = M(kPhased, kMixed, MatchOptions(), Relationship::kUnrelated);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kNotHaploidentical);
  EXPECT_THAT(r.haplo.basis, HasSubstr("cannot carry either whole"));
  // The same typing stated as the recipient's parent is inconsistent.
  r = M(kPhased, kMixed, MatchOptions(), Relationship::kParent);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kNotHaploidentical);
  ASSERT_EQ(r.haplo.inconsistencies.size(), 1u);
  EXPECT_THAT(r.haplo.inconsistencies[0],
              HasSubstr("cannot carry either recipient haplotype whole"));
  EXPECT_THAT(r.haplo.inconsistencies[0],
              HasSubstr("non-parentage, recombination or a typing error"));
  // A donor who could carry haplotype 2 whole: could, not does.
  const char kCarries2[] =
      "A*02:01+A*03:01^C*05:01+C*04:01^B*44:02+B*35:01^"
      "DRB1*04:01+DRB1*11:01^DQB1*03:02+DQB1*03:01";
  r = M(kPhased, kCarries2, MatchOptions(), Relationship::kUnrelated);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kHaploCompatible);
  EXPECT_THAT(r.haplo.basis, HasSubstr("could carry recipient haplotype 2"));
  r = M(kPhased, kCarries2, MatchOptions(), Relationship::kChild);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kHaploidentical);
  EXPECT_TRUE(r.haplo.inconsistencies.empty());
}

TEST_F(MatchTest, PhaseCanDisproveAHaplotype) {
  // An allele shared at each locus, but on different haplotypes.
  MatchReport r = M("A*01:01~B*08:01~DRB1*03:01+A*02:01~B*07:02~DRB1*15:01",
                    "A*01:01~B*07:02~DRB1*04:01+A*03:01~B*44:02~DRB1*03:01",
                    Haplo());
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kNotHaploidentical);
}

TEST_F(MatchTest, NotHaploidentical) {
  MatchReport r = M(kRecipient,
                    "A*01:01+A*03:01^B*44:02+B*35:01^DRB1*03:01+DRB1*04:01",
                    Haplo());
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kNotHaploidentical);
  EXPECT_THAT(r.haplo.basis, HasSubstr("B"));
  EXPECT_TRUE(r.haplo.inconsistencies.empty());
}

TEST_F(MatchTest, ParentSharingNothingIsFlagged) {
  MatchReport r = M(kRecipient,
                    "A*01:01+A*03:01^B*44:02+B*35:01^DRB1*03:01+DRB1*04:01",
                    Haplo(), Relationship::kParent);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kNotHaploidentical);
  ASSERT_EQ(r.haplo.inconsistencies.size(), 1u);
  EXPECT_THAT(r.haplo.inconsistencies[0], HasSubstr("parent"));
  EXPECT_THAT(r.haplo.inconsistencies[0], HasSubstr("B"));
}

TEST_F(MatchTest, InsufficientTyping) {
  MatchReport r = M(kRecipient, "A*01:01+A*03:01^B*08:01+B*44:02", Haplo(),
                    Relationship::kChild);
  EXPECT_EQ(r.haplo.verdict, HaploVerdict::kInsufficientTyping);
  EXPECT_THAT(r.haplo.basis, HasSubstr("DRB1"));
}

// ---- DPB1 TCE (V2 groups of the shipped dpb_tce.csv)


class TceTest : public ShippedTest {
 protected:
  TceResult T(const std::string& r, const std::string& d) {
    MatchReport rep = M(r, d, OnlyA());
    EXPECT_TRUE(rep.tce.has_value());
    return rep.tce.value_or(TceResult());
  }
};

TEST_F(TceTest, Categories) {
  // 10:01 and 09:01 are group 1; 03:01 group 2; 01:01 and 02:01 group 3.
  EXPECT_EQ(T("DPB1*10:01+DPB1*10:01", "DPB1*09:01+DPB1*09:01").category,
            TceCategory::kPermissive);
  EXPECT_EQ(T("DPB1*10:01+DPB1*10:01", "DPB1*01:01+DPB1*01:01").category,
            TceCategory::kNonPermissiveGvH);
  EXPECT_EQ(T("DPB1*01:01+DPB1*01:01", "DPB1*10:01+DPB1*10:01").category,
            TceCategory::kNonPermissiveHvG);
  EXPECT_EQ(T("DPB1*01:01+DPB1*03:01", "DPB1*01:01+DPB1*03:01").category,
            TceCategory::kMatch);
}

TEST_F(TceTest, UnknownWhenAnAlleleHasNoGroup) {
  // Every expressed DPB1 allele of 3.58.0 has a V2 group, so simulate an
  // unassigned one (as CompilePosition leaves it) on the donor side.
  Genotype r = G("DPB1*10:01+DPB1*10:01");
  Genotype d = G("DPB1*01:01+DPB1*01:01");
  for (PositionTyping& p : d.at(Locus::kDPB1).pos) {
    matcher_internal::PositionAccess::tce_groups(p).clear();
    matcher_internal::PositionAccess::tce_unknown(p) = true;
  }
  absl::StatusOr<MatchReport> rep =
      Match(*ref_, r, d, Relationship::kUnknown, OnlyA());
  ASSERT_TRUE(rep.ok());
  ASSERT_TRUE(rep->tce.has_value());
  EXPECT_EQ(rep->tce->category, TceCategory::kUnknown);
  EXPECT_THAT(rep->tce->basis, HasSubstr("donor"));
}

TEST_F(TceTest, NullIsHomozygousForTheExpressedAllele) {
  // 64:01N + 10:01 (group 1) against 09:01 (group 1): permissive.
  EXPECT_EQ(T("DPB1*10:01+DPB1*64:01N", "DPB1*09:01+DPB1*09:01").category,
            TceCategory::kPermissive);
}

TEST_F(TceTest, NotScoredWhenUntyped) {
  MatchReport rep = M("DPB1*10:01+DPB1*10:01", "A*01:01", OnlyA());
  EXPECT_FALSE(rep.tce.has_value());
}

}  // namespace
}  // namespace hla::matcher
