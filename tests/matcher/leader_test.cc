// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The HLA-B leader match and the KIR ligands (matcher/internal/leader.h):
// each rule as a table on plain values, then Match() on the shipped 3.58.0
// release, then the b-leader tool's vectors (tests/testdata/b-leader).
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "data/protein.h"
#include "gtest/gtest.h"
#include "match_test_util.h"
#include "matcher/internal/leader.h"

namespace hla::matcher_test {
namespace {

using data::KirLigand;
using data::Leader;
using matcher::KirLigandGroup;
using matcher::LeaderMatch;
using matcher::LigandPresence;
using matcher::LigandSet;
namespace mi = ::hla::matcher_internal;

// ---- Rules on plain values

TEST(LeaderRules, LeaderOfAlleles) {
  struct Row {
    std::vector<Leader> leaders;
    char leader, likely;
  };
  const Row rows[] = {
      {{Leader::kM}, 'M', 'M'},
      {{Leader::kT, Leader::kT}, 'T', 'T'},
      {{Leader::kM, Leader::kM, Leader::kT}, 'X', 'M'},  // B*07:XX-like
      {{Leader::kT, Leader::kUnknown}, 'X', 'T'},
      {{Leader::kOther}, 'X', 'X'},  // B*07:371 V: neither M nor T
      {{Leader::kM, Leader::kT}, 'X', 'X'},  // a tie says nothing
      {{}, 'X', 'X'},
  };
  for (const Row& r : rows) {
    const matcher::CopyLeader c = mi::LeaderOfAlleles(r.leaders);
    EXPECT_EQ(c.leader, r.leader) << r.leaders.size();
    EXPECT_EQ(c.likely, r.likely) << r.leaders.size();
    EXPECT_EQ(c.m + c.t + c.unknown, static_cast<int>(r.leaders.size()));
  }
}

TEST(LeaderRules, GenotypeCodeIsUnorderedMBeforeTBeforeX) {
  EXPECT_EQ(mi::LeaderGenotypeCode('M', 'T'), "MT");
  EXPECT_EQ(mi::LeaderGenotypeCode('T', 'M'), "MT");
  EXPECT_EQ(mi::LeaderGenotypeCode('X', 'T'), "TX");
  EXPECT_EQ(mi::LeaderGenotypeCode('X', 'M'), "MX");
  EXPECT_EQ(mi::LeaderGenotypeCode('T', 'T'), "TT");
  EXPECT_EQ(mi::LeaderGenotypeCode('X', 'X'), "XX");
}

// Petersdorf's classification on the matcher's pairing: r[i] faces d[i].
TEST(LeaderRules, MatchStatus) {
  struct Row {
    const char* r;
    const char* d;
    std::array<bool, 2> matched;
    LeaderMatch match;
    const char* code;
  };
  const Row rows[] = {
      {"TT", "TT", {true, true}, LeaderMatch::kHlaBMatched, ""},
      {"MT", "TM", {false, false}, LeaderMatch::kDoubleMismatch, ""},
      {"TT", "MT", {false, true}, LeaderMatch::kMismatched, "TMT"},
      {"TT", "TT", {false, true}, LeaderMatch::kMatched, "TTT"},
      {"MT", "MT", {false, true}, LeaderMatch::kMatched, "MMT"},
      {"TM", "TM", {false, true}, LeaderMatch::kMatched, "TTM"},
      {"MT", "TT", {false, true}, LeaderMatch::kMismatched, "MTT"},
      {"TM", "MM", {false, true}, LeaderMatch::kMismatched, "TMM"},
      {"MM", "TM", {false, true}, LeaderMatch::kMismatched, "MTM"},
      {"MM", "MM", {true, false}, LeaderMatch::kMatched, "MMM"},
      {"XT", "MT", {false, true}, LeaderMatch::kUnknown, "XMT"},
      // The shared pair's leaders differ (a P group mixing leaders): the
      // shared letter is unknown, the match itself is not.
      {"TM", "TT", {false, true}, LeaderMatch::kMatched, "TTX"},
      {"TX", "TX", {false, true}, LeaderMatch::kMatched, "TTX"},
  };
  for (const Row& row : rows) {
    const mi::LeaderStatus s = mi::LeaderMatchStatus(
        {row.r[0], row.r[1]}, {row.d[0], row.d[1]}, row.matched);
    EXPECT_EQ(s.match, row.match) << row.r << " vs " << row.d;
    EXPECT_EQ(s.code, row.code) << row.r << " vs " << row.d;
    EXPECT_EQ(s.unmatched, s.code.empty() ? -1 : row.matched[0] ? 1 : 0);
  }
}

TEST(LeaderRules, RankKey) {
  struct Row {
    const char* genotype;
    LeaderMatch match;
    const char* code;
    int key;
  };
  const Row rows[] = {
      {"MT", LeaderMatch::kMatched, "MMT", 1},
      {"MT", LeaderMatch::kMatched, "TTM", 2},
      {"MT", LeaderMatch::kMismatched, "MTT", 3},
      {"MT", LeaderMatch::kMismatched, "TMM", 3},
      {"TT", LeaderMatch::kMatched, "TTT", 1},
      {"TT", LeaderMatch::kMismatched, "TMT", 2},
      {"MM", LeaderMatch::kMatched, "MMM", 3},  // no recommendation for MM
      {"MM", LeaderMatch::kMismatched, "MTM", 3},
      {"MT", LeaderMatch::kUnknown, "XMT", 4},
      {"MT", LeaderMatch::kMatched, "TTX", 4},  // an unknown shared leader
      {"TT", LeaderMatch::kHlaBMatched, "", 0},
      {"TT", LeaderMatch::kDoubleMismatch, "", 4},
      {"TT", LeaderMatch::kNotAssessed, "", 4},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(mi::LeaderRankKey(r.genotype, r.match, r.code), r.key)
        << r.genotype << " " << r.code;
  }
}

// The scan's form equals the report's on every input.
TEST(LeaderRules, RankKeyOfPairsEqualsTheStatusForm) {
  const char letters[] = {'M', 'T', 'X'};
  int cases = 0;
  for (const char* genotype : {"MM", "MT", "TT", "MX", "TX", "XX", ""}) {
    for (char r0 : letters) for (char r1 : letters) {
      for (char d0 : letters) for (char d1 : letters) {
        for (int m = 0; m < 4; ++m) {
          const char r[2] = {r0, r1}, d[2] = {d0, d1};
          const bool m0 = m & 1, m1 = m >> 1 & 1;
          const mi::LeaderStatus s = mi::LeaderMatchStatus({r0, r1}, {d0, d1}, {m0, m1});
          EXPECT_EQ(mi::LeaderRankKeyOfPairs(genotype, r, d, m0, m1),
                    mi::LeaderRankKey(genotype, s.match, s.code))
              << genotype << " " << r0 << r1 << "/" << d0 << d1 << " " << m;
          ++cases;
        }
      }
    }
  }
  EXPECT_EQ(cases, 7 * 81 * 4);
}

TEST(KirRules, LigandsOfAlleles) {
  struct Row {
    Locus locus;
    std::vector<KirLigand> ligands;
    bool hla_a_bw4;
    std::array<bool, 3> all, some;  // C1, C2, Bw4
  };
  const Row rows[] = {
      {Locus::kC, {KirLigand::kC1}, true, {true, false, false}, {true, false, false}},
      {Locus::kC, {KirLigand::kC1, KirLigand::kC2}, true, {false, false, false}, {true, true, false}},
      {Locus::kB, {KirLigand::kBw4}, true, {false, false, true}, {false, false, true}},
      {Locus::kB, {KirLigand::kC1}, true, {true, false, false}, {true, false, false}},  // B*46
      {Locus::kB, {KirLigand::kNone, KirLigand::kBw4}, true, {false, false, false}, {false, false, true}},
      // An unclassified allele may be any group its locus carries.
      {Locus::kB, {KirLigand::kUnclassified}, true, {false, false, false}, {true, false, true}},
      {Locus::kA, {KirLigand::kBw4}, true, {false, false, true}, {false, false, true}},
      {Locus::kA, {KirLigand::kBw4}, false, {false, false, false}, {false, false, false}},
      {Locus::kC, {}, true, {false, false, false}, {false, false, false}},
  };
  for (const Row& r : rows) {
    const mi::CopyLigands c = mi::LigandsOfAlleles(r.locus, r.ligands, r.hla_a_bw4);
    for (int g = 0; g < 3; ++g) {
      EXPECT_EQ(c.all[g], r.all[g]) << LocusName(r.locus) << " group " << g;
      EXPECT_EQ(c.some[g], r.some[g]) << LocusName(r.locus) << " group " << g;
    }
  }
}

TEST(KirRules, MissingLigandsGvh) {
  using P = LigandPresence;
  struct Row {
    P r, d;
    int want;  // 0 none, 1 definite, 2 possible
  };
  const Row rows[] = {
      {P::kAbsent, P::kDefinite, 1},   {P::kAbsent, P::kPossible, 2},
      {P::kPossible, P::kDefinite, 2}, {P::kUnknown, P::kDefinite, 2},
      {P::kAbsent, P::kUnknown, 2},    {P::kDefinite, P::kDefinite, 0},
      {P::kDefinite, P::kUnknown, 0},  {P::kAbsent, P::kAbsent, 0},
      {P::kUnknown, P::kAbsent, 0},    {P::kPossible, P::kPossible, 2},
  };
  for (const Row& row : rows) {
    LigandSet r, d;
    r.presence = {P::kDefinite, P::kDefinite, row.r};
    d.presence = {P::kAbsent, P::kAbsent, row.d};
    std::vector<KirLigandGroup> definite, possible;
    mi::MissingLigandsGvh(r, d, &definite, &possible);
    const std::vector<KirLigandGroup> bw4 = {KirLigandGroup::kBw4};
    EXPECT_EQ(definite, row.want == 1 ? bw4 : std::vector<KirLigandGroup>{})
        << matcher::ToString(row.r) << " / " << matcher::ToString(row.d);
    EXPECT_EQ(possible, row.want == 2 ? bw4 : std::vector<KirLigandGroup>{})
        << matcher::ToString(row.r) << " / " << matcher::ToString(row.d);
  }
}

// ---- Match() on the shipped release

class LeaderMatchTest : public ShippedTest {};

// The leader genotype of a typing, strict (an ambiguous typing whose
// alleles differ is X) with the majority as `likely`.
TEST_F(LeaderMatchTest, LeaderGenotypeOfTypings) {
  const data::ProteinTable* proteins = ref_->proteins();
  ASSERT_NE(proteins, nullptr) << ref_->proteins_status();
  struct Row {
    const char* typing;
    const char* genotype;
  };
  const Row rows[] = {
      {"B*07:02+B*08:01", "MM"},  // B*07:02 M, B*08:01 M
      {"B*07:02+B*44:02", "MT"},
      {"B*44:02+B*07:02", "MT"},
      {"B*35:01+B*51:01", "TT"},
      {"B*07:65+B*40:02", "TT"},     // a T deviant of the M group B*07
      {"B*07:02:05+B*44:02", "MT"},  // inferred: same protein as B*07:02
      {"B*07:170+B*44:02", "MT"},    // inferred from the B*07 group
      {"B*07:XX+B*44:02", "TX"},     // B*07 holds T deviants
      {"B*07:371+B*44:02", "TX"},    // V at -21
      {"B*18:01/B*18:17N+B*07:02", "MT"},  // the null is dropped
      {"B*53:XR+B*08:01", "MT"},     // MAC XR = 01/27
      {"B42+B44", "MX"},             // B44 holds the M deviant B*44:387
      {"B8+B44", "XX"},
      {"B*08:01", "MM"},             // one typing: homozygous
  };
  for (const Row& r : rows) {
    const matcher::LeaderGenotype g =
        mi::LeaderGenotypeOf(*ref_, *proteins, G(r.typing).at(Locus::kB));
    EXPECT_TRUE(g.typed) << r.typing;
    EXPECT_EQ(g.genotype, r.genotype) << r.typing;
  }
  const matcher::LeaderGenotype xx =
      mi::LeaderGenotypeOf(*ref_, *proteins, G("B*07:XX+B*44:02").at(Locus::kB));
  EXPECT_EQ(xx.copies[0].likely, 'M');
  EXPECT_GT(xx.copies[0].m, 700);
  EXPECT_GE(xx.copies[0].t, 4);
  const matcher::LeaderGenotype inferred =
      mi::LeaderGenotypeOf(*ref_, *proteins, G("B*07:170+B*44:02").at(Locus::kB));
  EXPECT_TRUE(inferred.copies[0].inferred);
  const matcher::LeaderGenotype untyped =
      mi::LeaderGenotypeOf(*ref_, *proteins, G("A*01:01+A*02:01").at(Locus::kB));
  EXPECT_FALSE(untyped.typed);
  EXPECT_EQ(untyped.genotype, "");
  // A genotype list: neither copy's leader is known.
  const matcher::LeaderGenotype list = mi::LeaderGenotypeOf(
      *ref_, *proteins, G("B*07:02+B*08:01|B*07:02+B*44:02").at(Locus::kB));
  EXPECT_EQ(list.genotype, "XX");
}

TEST_F(LeaderMatchTest, ReportOfASingleMismatch) {
  // Recipient MT (B*07:02 M, B*44:02 T); the donor shares B*07:02 and
  // carries B*35:01 (T) where the recipient has B*44:02 (T): TTM.
  const matcher::MatchReport rep =
      M("A*01:01+A*02:01^B*07:02+B*44:02^C*07:02+C*05:01",
        "A*01:01+A*03:01^B*35:01+B*07:02^C*07:02+C*04:01");
  ASSERT_TRUE(rep.b_leader.has_value());
  const matcher::BLeaderResult& b = *rep.b_leader;
  EXPECT_EQ(b.recipient.genotype, "MT");
  EXPECT_EQ(b.donor.genotype, "MT");
  EXPECT_EQ(b.match, LeaderMatch::kMatched);
  EXPECT_EQ(b.status, "TTM");
  EXPECT_EQ(b.likely_status, "");
  EXPECT_EQ(b.recipient_position, 1);
  EXPECT_EQ(b.donor_position, 0);
  EXPECT_FALSE(b.potential);
  EXPECT_NE(b.basis.find("leader-matched"), std::string::npos) << b.basis;
  EXPECT_NE(b.basis.find("B*44:02 (T)"), std::string::npos) << b.basis;
  EXPECT_NE(b.basis.find("Petersdorf"), std::string::npos) << b.basis;
}

TEST_F(LeaderMatchTest, NotAssessedWhenHlaBIsUntypedOrAList) {
  const matcher::MatchReport untyped =
      M("A*01:01+A*02:01^B*07:02+B*44:02", "A*01:01+A*03:01^C*07:02+C*04:01");
  ASSERT_TRUE(untyped.b_leader.has_value());
  EXPECT_EQ(untyped.b_leader->match, LeaderMatch::kNotAssessed);
  EXPECT_NE(untyped.b_leader->basis.find("donor's side"), std::string::npos)
      << untyped.b_leader->basis;
  const matcher::MatchReport list =
      M("B*07:02+B*44:02", "B*07:02+B*08:01|B*07:02+B*44:03");
  EXPECT_EQ(list.b_leader->match, LeaderMatch::kNotAssessed);
  matcher::MatchOptions off;
  off.score_leader_and_kir = false;
  const matcher::MatchReport none = M("B*07:02+B*44:02", "B*07:02+B*08:01", off);
  EXPECT_FALSE(none.b_leader.has_value());
  EXPECT_FALSE(none.kir_ligands.has_value());
}

TEST_F(LeaderMatchTest, KirLigandOfTypings) {
  struct Row {
    const char* typing;
    // presence of C1, C2, Bw4 in a genotype holding only this locus
    // typed plus the other two loci typed with ligand-free alleles
    const char* c1;
    const char* c2;
    const char* bw4;
  };
  // A*01:01 and B*08:01 / B*07:02 carry no ligand; C*07:01 is C1, C*04:01 C2.
  const Row rows[] = {
      {"A*01:01+A*01:01^B*08:01+B*07:02^C*01:02+C*01:02", "definite", "absent", "absent"},
      {"A*01:01+A*01:01^B*08:01+B*07:02^C*02:02+C*04:01", "absent", "definite", "absent"},
      {"A*01:01+A*01:01^B*46:01+B*07:02^C*02:02+C*04:01", "definite", "definite", "absent"},  // B*46 C1
      {"A*01:01+A*01:01^B*73:01+B*07:02^C*02:02+C*04:01", "definite", "definite", "absent"},
      {"A*01:01+A*01:01^B*57:01+B*07:02^C*02:02+C*04:01", "absent", "definite", "definite"},
      {"A*01:01+A*01:01^B*13:09+B*07:02^C*02:02+C*04:01", "absent", "definite", "absent"},  // B13 but Bw6 motif
      {"A*24:02+A*01:01^B*08:01+B*07:02^C*02:02+C*04:01", "absent", "definite", "definite"},
      {"A*32:01+A*01:01^B*08:01+B*07:02^C*02:02+C*04:01", "absent", "definite", "definite"},
      // B*07:XX holds V76-N80 (C1) and Bw4-motif alleles (B*07:81 ...).
      {"A*01:01+A*01:01^B*07:XX+B*08:01^C*02:02+C*04:01", "possible", "definite", "possible"},
      {"A*01:01+A*01:01^B*08:01+B*07:02", "unknown", "unknown", "absent"},  // C untyped
      {"B*08:01+B*07:02^C*02:02+C*04:01", "absent", "definite", "unknown"},  // A untyped
  };
  for (const Row& r : rows) {
    const LigandSet s = mi::LigandSetOf(*ref_, ref_->proteins(), G(r.typing), true);
    EXPECT_EQ(matcher::ToString(s.presence[0]), r.c1) << r.typing;
    EXPECT_EQ(matcher::ToString(s.presence[1]), r.c2) << r.typing;
    EXPECT_EQ(matcher::ToString(s.presence[2]), r.bw4) << r.typing;
  }
  // Without HLA-A Bw4 (setting), A*24:02 carries no ligand and HLA-A need
  // not be typed to call Bw4 absent.
  EXPECT_EQ(mi::LigandSetOf(*ref_, ref_->proteins(),
                            G("A*24:02+A*01:01^B*08:01+B*07:02"), false)
                .presence[2],
            LigandPresence::kAbsent);
  EXPECT_EQ(mi::LigandSetOf(*ref_, ref_->proteins(),
                            G("B*08:01+B*07:02^C*02:02+C*04:01"), false)
                .presence[2],
            LigandPresence::kAbsent);
  const LigandSet bw = mi::LigandSetOf(*ref_, ref_->proteins(),
                                       G("B*57:01+B*07:02"), true);
  EXPECT_EQ(bw.b_bw[0], "Bw4-80I");
  EXPECT_EQ(bw.b_bw[1], "Bw6");
  EXPECT_EQ(mi::LigandSetOf(*ref_, ref_->proteins(), G("B*13:02+B*07:XX"), true).b_bw[0],
            "Bw4-80T");
  EXPECT_EQ(mi::LigandSetOf(*ref_, ref_->proteins(), G("B*13:02+B*07:XX"), true).b_bw[1],
            "ambiguous");
}

TEST_F(LeaderMatchTest, MissingLigandsInTheRecipient) {
  struct Row {
    const char* recipient;
    const char* donor;
    const char* definite;
    const char* possible;
  };
  const Row rows[] = {
      {"A*01:01+A*01:01^B*08:01+B*07:02^C*07:01+C*07:02",
       "A*01:01+A*01:01^B*35:01+B*08:01^C*04:01+C*07:01", "C2", ""},
      {"A*01:01+A*01:01^B*44:02+B*35:01^C*04:01+C*04:01",
       "A*01:01+A*01:01^B*35:01+B*08:01^C*07:01+C*04:01", "C1", ""},
      {"A*01:01+A*01:01^B*08:01+B*35:01^C*07:01+C*04:01",
       "A*01:01+A*01:01^B*57:01+B*08:01^C*07:01+C*04:01", "Bw4", ""},
      // The recipient's A*24:02 is Bw4: nothing missing.
      {"A*24:02+A*01:01^B*08:01+B*35:01^C*07:01+C*04:01",
       "A*01:01+A*01:01^B*57:01+B*08:01^C*07:01+C*04:01", "", ""},
      // B*46:01 gives the recipient C1 although both HLA-C are C2.
      {"A*01:01+A*01:01^B*08:01+B*46:01^C*04:01+C*04:01",
       "A*01:01+A*01:01^B*08:01+B*35:01^C*07:01+C*04:01", "", ""},
      // B*07:XX may be a V76-N80 (C1) allele: C1 only possibly missing.
      {"A*01:01+A*01:01^B*07:XX+B*35:01^C*04:01+C*04:01",
       "A*01:01+A*01:01^B*08:01+B*35:01^C*07:01+C*04:01", "", "C1"},
      // The recipient's HLA-C untyped: C1 and C2 of the donor may be missing.
      {"A*01:01+A*01:01^B*08:01+B*35:01",
       "A*01:01+A*01:01^B*08:01+B*35:01^C*07:01+C*04:01", "", "C1,C2"},
  };
  for (const Row& r : rows) {
    const matcher::MatchReport rep = M(r.recipient, r.donor);
    ASSERT_TRUE(rep.kir_ligands.has_value());
    auto names = [](const std::vector<KirLigandGroup>& v) {
      std::vector<std::string> out;
      for (KirLigandGroup g : v) out.emplace_back(matcher::ToString(g));
      return absl::StrJoin(out, ",");
    };
    EXPECT_EQ(names(rep.kir_ligands->missing_definite), r.definite) << r.recipient;
    EXPECT_EQ(names(rep.kir_ligands->missing_possible), r.possible) << r.recipient;
    EXPECT_NE(rep.kir_ligands->basis.find(r.definite[0] ? "lacks" : r.possible[0] ? "may be missing" : "no KIR-ligand mismatch (GvH direction)"),
              std::string::npos)
        << rep.kir_ligands->basis;
  }
}

TEST(LeaderNoProteinData, TheOlderReleaseIsNotAssessedNotGuessed) {
  auto ref = data::Reference::Load({kData + "/imgt/3.44.0"});
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ((*ref)->proteins(), nullptr);
  EXPECT_TRUE(absl::IsNotFound((*ref)->proteins_status()));
  data::Resolver resolver(*ref, nullptr);
  auto geno = [&](const char* text) {
    auto gl = parser::ParseGlString(text);
    EXPECT_TRUE(gl.ok());
    auto t = resolver.Resolve(*gl);
    EXPECT_TRUE(t.ok()) << t.status();
    auto g = matcher::BuildGenotype(**ref, *t);
    EXPECT_TRUE(g.ok());
    return *g;
  };
  auto rep = matcher::Match(**ref, geno("B*07:02+B*44:02^C*07:01+C*04:01"),
                            geno("B*07:02+B*35:01^C*07:01+C*04:01"),
                            matcher::Relationship::kUnknown, {});
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->b_leader->match, LeaderMatch::kNotAssessed);
  EXPECT_NE(rep->b_leader->basis.find("3.44.0"), std::string::npos);
  for (LigandPresence p : rep->kir_ligands->donor.presence) {
    EXPECT_EQ(p, LigandPresence::kUnknown);
  }
  EXPECT_TRUE(rep->kir_ligands->missing_definite.empty());
  EXPECT_NE(rep->kir_ligands->basis.find("not assessed"), std::string::npos);
}

// ---- The b-leader tool's vectors (tests/testdata/b-leader/README.md)

class BLeaderVectors : public ShippedTest {};

TEST_F(BLeaderVectors, LeaderMatchStatus) {
  const std::vector<Row> rows = ReadTsv("b-leader/leader_match_status.tsv");
  ASSERT_EQ(rows.size(), 9u);
  for (const Row& row : rows) {
    const std::string id = row.at("case_id");
    if (id == "bleader-leader_match_status-011") {
      // B*07:01 was deleted in 1995: not a name of 3.58.0 (skipped).
      EXPECT_TRUE(absl::IsNotFound(Geno(row.at("genotype_2")).status())) << id;
      continue;
    }
    const matcher::MatchReport rep = M(row.at("genotype_1"), row.at("genotype_2"));
    ASSERT_TRUE(rep.b_leader.has_value()) << id;
    const matcher::BLeaderResult& b = *rep.b_leader;
    const std::string& want = row.at("match_status");
    if (id == "bleader-leader_match_status-001" ||
        id == "bleader-leader_match_status-012") {
      // Convention: B*07:XX vs B*07:65 and B*15 vs B*15:01 are potential
      // matches here, so HLA-B is (potentially) matched; the status is
      // given for the case that the pair is a mismatch, which is how
      // b-leader reads it (grade P).
      EXPECT_EQ(b.match, LeaderMatch::kHlaBMatched) << id;
      EXPECT_TRUE(b.potential) << id;
    }
    if (want == "invalid") {
      EXPECT_TRUE(b.match == LeaderMatch::kHlaBMatched ||
                  b.match == LeaderMatch::kDoubleMismatch)
          << id << ": " << matcher::ToString(b.match);
      EXPECT_EQ(b.status, "") << id;
      continue;
    }
    // Convention: the strict status, or where it holds an X the majority
    // leaders' status, which is b-leader's rule.
    const std::string got = b.likely_status.empty() ? b.status : b.likely_status;
    EXPECT_EQ(got, want) << id << ": status " << b.status << ", " << b.basis;
  }
}

TEST_F(BLeaderVectors, StrictStatusOfTheAmbiguousRows) {
  EXPECT_EQ(M("B*07:XX+B*40:02", "B*07:65+B*40:02").b_leader->status, "XTT");
  EXPECT_EQ(M("B*14:01+B*07:02", "B*14:03+B*07").b_leader->status, "MMX");
  EXPECT_EQ(M("B*15+B*42:01", "B*15:01+B*42:01").b_leader->status, "XTM");
}

TEST_F(BLeaderVectors, HlaBGenotypeMatch) {
  const std::vector<Row> rows = ReadTsv("b-leader/hla_b_genotype_match.tsv");
  ASSERT_EQ(rows.size(), 5u);
  for (const Row& row : rows) {
    const std::string id = row.at("case_id");
    const std::string& grades = row.at("match_grades");
    if (id == "bleader-hla_b_genotype_match-007") {
      // B*07:01 was deleted in 1995: not a name of 3.58.0 (skipped).
      EXPECT_TRUE(absl::IsNotFound(Geno(row.at("genotype_two")).status())) << id;
      continue;
    }
    const int shared = static_cast<int>(std::count(grades.begin(), grades.end(), 'A') +
                                        std::count(grades.begin(), grades.end(), 'P'));
    const matcher::MatchReport rep = M(row.at("genotype_one"), row.at("genotype_two"));
    const matcher::LocusMatch* b = rep.Find(Locus::kB);
    ASSERT_NE(b, nullptr) << id;
    EXPECT_EQ(b->matches, shared) << id << " " << grades;
    // b-leader's P (a field missing on a side) is the matcher's potential
    // allele match.
    int potential = 0;
    for (const matcher::PositionMatch& p : b->positions) {
      potential += p.allele_match && p.confidence == matcher::MatchConfidence::kPotential;
    }
    EXPECT_EQ(potential, std::count(grades.begin(), grades.end(), 'P')) << id;
  }
}

TEST_F(BLeaderVectors, LeaderAllotypeMapping) {
  const data::ProteinTable* proteins = ref_->proteins();
  ASSERT_NE(proteins, nullptr);
  const std::vector<Row> rows = ReadTsv("b-leader/leader_allotype_mapping.tsv");
  ASSERT_EQ(rows.size(), 4u);
  for (const Row& row : rows) {
    const std::string id = row.at("case_id");
    const std::string typing = row.at("b_allotype");
    const matcher::LeaderGenotype g =
        mi::LeaderGenotypeOf(*ref_, *proteins, G(typing).at(Locus::kB));
    const char want = row.at("leader")[0];
    EXPECT_EQ(g.copies[0].likely, want) << id;
    if (row.at("exceptions") == "None") {
      EXPECT_EQ(g.copies[0].leader, want) << id;
      continue;
    }
    EXPECT_EQ(g.copies[0].leader, 'X') << id;
    for (absl::string_view name : absl::StrSplit(row.at("exceptions"), ", ")) {
      const matcher::LeaderGenotype e = mi::LeaderGenotypeOf(
          *ref_, *proteins, G(std::string(name)).at(Locus::kB));
      EXPECT_NE(e.copies[0].leader, want) << id << " " << name;
    }
  }
}

TEST_F(BLeaderVectors, DonorRank) {
  const std::vector<Row> rows = ReadTsv("b-leader/donor_rank.tsv");
  ASSERT_EQ(rows.size(), 1u);
  const Row& row = rows[0];
  const matcher::MatchReport rep = M(row.at("patient_hla_b"), row.at("donor_hla_b"));
  EXPECT_EQ(rep.b_leader->donor.genotype, row.at("donor_leader_genotype"));
  EXPECT_EQ(rep.b_leader->recipient.genotype, "TT");
  EXPECT_EQ(rep.b_leader->match, LeaderMatch::kDoubleMismatch);
  // Rank 9 of 9 there: the last key here.
  EXPECT_EQ(mi::LeaderRankKey(rep.b_leader->recipient.genotype, rep.b_leader->match,
                              rep.b_leader->status),
            4);
}

TEST_F(BLeaderVectors, HlaBAllotypeNames) {
  const std::vector<Row> rows = ReadTsv("b-leader/hla_b_allotype.tsv");
  ASSERT_EQ(rows.size(), 6u);
  for (const Row& row : rows) {
    const std::string id = row.at("case_id");
    const std::string name = row.at("allotype_name");
    if (name == "B*08:BETY") continue;  // MAC not in the shipped subset
    absl::StatusOr<matcher::Genotype> g = Geno(name);
    if (row.at("validity") == "invalid") {
      EXPECT_TRUE(!g.ok() || g->at(Locus::kB).typed_positions == 0) << id;
      continue;
    }
    ASSERT_TRUE(g.ok()) << id << " " << g.status();
    const matcher::LocusTyping& b = g->at(Locus::kB);
    EXPECT_GT(b.typed_positions, 0) << id;
    if (row.at("allele_list").empty()) continue;
    std::vector<std::string> got;
    for (data::AlleleId a : b.pos[0].alleles) got.emplace_back(ref_->allele(a).name);
    const std::vector<std::string> want = absl::StrSplit(row.at("allele_list"), ',');
    EXPECT_EQ(got, want) << id;
  }
}

}  // namespace
}  // namespace hla::matcher_test
