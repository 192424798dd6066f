// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The batch engine against the pairwise matcher: every donor's fast-path
// result equals matcher::Match + eligibility::Evaluate on thousands of generated
// pairs (high resolution, 2-field, MAC, XX, serology, lists, nulls,
// homozygous, missing C/DQB1/DPB1, phased and genotype-list fallbacks), and
// Rank() equals a brute-force ranking, with any number of threads.
#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "eligibility/eligibility.h"
#include "matcher/internal/leader.h"
#include "matcher/match.h"
#include "registry/rank.h"
#include "registry/internal/scan.h"
#include "tests/registry/scan_test_util.h"
#include "registry/store.h"
#include "registry/internal/store_data.h"
#include "tests/matcher/match_test_util.h"

namespace hla::registry {
namespace {

using matcher_test::Geno;
using matcher_test::LoadShipped;

// Small pools so that random pairs often share alleles (haplo verdicts of
// every kind occur).
const std::vector<std::vector<std::string>>& Pools() {
  static const auto* pools = new std::vector<std::vector<std::string>>{
      {"A*01:01:01:01", "A*01:01", "A*02:01:01:01", "A*02:01", "A*02:XX",
       "A*02:AB", "A*24:02", "A*03:01", "A2", "A9", "A24",
       "A*01:01/A*02:01", "A*01:04N", "A*24:02:01:01"},
      {"B*08:01", "B*44:02", "B*44:AB", "B*07:02", "B*35:01", "B44", "B12",
       "B*44:XX", "B*07:02:01:01", "B8"},
      {"C*07:01", "C*07:02", "C*05:01", "C*04:01", "C*07:XX", "Cw7",
       "C*04:01:01:01"},
      {"DRB1*03:01", "DRB1*04:01", "DRB1*11:01", "DRB1*15:01", "DRB1*04:AB",
       "DR4", "DR5", "DR11", "DRB1*04:XX"},
      {"DQB1*02:01", "DQB1*03:02", "DQB1*03:01", "DQB1*06:02", "DQB1*03:AB",
       "DQ7", "DQ3"},
      {"DPB1*04:01", "DPB1*04:02", "DPB1*03:01", "DPB1*02:01", "DPB1*01:01",
       "DPB1*04:AB"},
  };
  return *pools;
}

std::string RandomTyping(std::mt19937* rng, bool allow_fallback) {
  const auto& pools = Pools();
  std::uniform_int_distribution<int> pct(0, 99);
  if (allow_fallback && pct(*rng) < 3) {
    // Phased haplotypes and genotype lists: fallback donors.
    return pct(*rng) < 50
               ? "A*01:01~B*08:01~DRB1*03:01+A*02:01~B*44:02~DRB1*04:01"
               : "A*01:01+A*02:01|A*01:01+A*03:01^B*08:01+B*44:02^"
                 "DRB1*03:01+DRB1*04:01";
  }
  std::vector<std::string> blocks;
  for (size_t l = 0; l < pools.size(); ++l) {
    // A, B, DRB1 nearly always typed; C, DQB1, DPB1 often missing.
    const int missing = (l == 0 || l == 1 || l == 3) ? 3 : 30;
    if (pct(*rng) < missing) continue;
    const auto& pool = pools[l];
    std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
    if (pct(*rng) < 12) {
      blocks.push_back(pool[pick(*rng)]);  // written once: homozygous
    } else {
      blocks.push_back(absl::StrCat(pool[pick(*rng)], "+", pool[pick(*rng)]));
    }
  }
  return absl::StrJoin(blocks, "^");
}

// Two '~' haplotypes of single alleles over A, C, B, DRB1, DQB1.
std::string RandomPhased(std::mt19937* rng) {
  std::string haps[2];
  for (int l : {0, 2, 1, 3, 4}) {
    std::vector<std::string> molecular;
    for (const std::string& a : Pools()[static_cast<size_t>(l)]) {
      if (absl::StrContains(a, '*') && !absl::StrContains(a, '/') &&
          !absl::StrContains(a, "XX") && !absl::StrContains(a, "AB") &&
          !absl::StrContains(a, "N")) {
        molecular.push_back(a);
      }
    }
    std::uniform_int_distribution<size_t> pick(0, molecular.size() - 1);
    for (std::string& h : haps) {
      absl::StrAppend(&h, h.empty() ? "" : "~", molecular[pick(*rng)]);
    }
  }
  return absl::StrCat(haps[0], "+", haps[1]);
}

eligibility::DonorFacts RandomFacts(std::mt19937* rng, size_t i) {
  std::uniform_int_distribution<int> pct(0, 99);
  eligibility::DonorFacts f;
  f.id = absl::StrCat("D", i);
  f.relationship = static_cast<matcher::Relationship>(pct(*rng) % 7);
  const int a = pct(*rng);
  if (a < 70) {
    f.birth_date = absl::CivilDay(1940 + pct(*rng) % 80, 1 + pct(*rng) % 12,
                                  1 + pct(*rng) % 28);
    if (a < 3) f.birth_date = absl::CivilDay(1956, 2, 29);
    if (a == 3) f.birth_date = absl::CivilDay(2030, 1, 1);  // after as-of
  } else if (a < 90) {
    f.age = pct(*rng);
  }
  f.sex = static_cast<eligibility::Sex>(pct(*rng) % 3);
  if (pct(*rng) < 80) {
    f.blood_group = eligibility::BloodGroup{static_cast<eligibility::Abo>(pct(*rng) % 4),
                               static_cast<eligibility::Rh>(pct(*rng) % 3)};
  }
  f.cmv = static_cast<eligibility::Cmv>(pct(*rng) % 3);
  // The KIR genotype from the index alone (the generator's sequence stays
  // as it was): every motif and receptor value occurs.
  f.kir.cen = static_cast<eligibility::KirMotif>(i % 4);
  f.kir.tel = static_cast<eligibility::KirMotif>(i / 4 % 4);
  for (int g = 0; g < matcher::kKirLigandGroups; ++g) {
    f.kir.receptor[g] = static_cast<eligibility::KirPresence>((i / 16 + g) % 3);
  }
  return f;
}

struct Fixture {
  std::vector<matcher::Genotype> donors;
  std::vector<eligibility::DonorFacts> facts;
  std::vector<std::string> typings;
  std::vector<matcher::Genotype> recipients;
  std::string error;
};

const Fixture& Generated() {
  static const Fixture* fx = [] {
    auto* f = new Fixture;
    const matcher_test::Shipped& s = LoadShipped();
    if (!s.error.empty()) {
      f->error = s.error;
      return f;
    }
    std::mt19937 rng(20261126);
    size_t failed = 0;
    while (f->donors.size() < 600) {
      const std::string t = RandomTyping(&rng, true);
      absl::StatusOr<matcher::Genotype> g = Geno(t);
      if (!g.ok()) {
        if (++failed > 50) {
          f->error = absl::StrCat("generated typing failed: ", t, ": ",
                                  g.status().message());
          return f;
        }
        continue;
      }
      f->facts.push_back(RandomFacts(&rng, f->donors.size()));
      f->donors.push_back(*std::move(g));
      f->typings.push_back(t);
    }
    while (f->recipients.size() < 12) {
      absl::StatusOr<matcher::Genotype> g = Geno(RandomTyping(&rng, false));
      if (g.ok()) f->recipients.push_back(*std::move(g));
    }
    // Phased recipients ('~'): the scan asks whether an unphased donor could
    // carry one of their haplotypes whole.
    while (f->recipients.size() < 15) {
      absl::StatusOr<matcher::Genotype> g = Geno(RandomPhased(&rng));
      if (g.ok()) f->recipients.push_back(*std::move(g));
    }
    // One whose haplotype the phased fallback donors carry: unrelated ones
    // are then haplotype-matched.
    if (absl::StatusOr<matcher::Genotype> g =
            Geno("A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
                 "A*03:01~C*04:01~B*35:01~DRB1*11:01~DQB1*03:01");
        g.ok()) {
      f->recipients.push_back(*std::move(g));
    }
    // A recipient with a genotype list: every donor goes through Match.
    absl::StatusOr<matcher::Genotype> g =
        Geno("A*01:01+A*02:01|A*01:01+A*03:01^B*08:01+B*44:02^"
             "DRB1*03:01+DRB1*04:01");
    if (g.ok()) f->recipients.push_back(*std::move(g));
    return f;
  }();
  return *fx;
}

class RankTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(LoadShipped().error, "");
    ASSERT_EQ(Generated().error, "");
    DonorStoreBuilder b(LoadShipped().ref);
    const Fixture& f = Generated();
    for (size_t i = 0; i < f.donors.size(); ++i) {
      b.Add(f.facts[i], f.donors[i], f.typings[i]);
    }
    absl::StatusOr<DonorStore> s = std::move(b).Finish();
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::make_unique<DonorStore>(*std::move(s));
  }

  // Options variants exercised by every comparison.
  static std::vector<RankOptions> Variants() {
    std::vector<RankOptions> v;
    RankOptions plain;
    plain.eligibility.as_of = absl::CivilDay(2026, 11, 26);
    v.push_back(plain);
    RankOptions nct = plain;
    nct.eligibility = *eligibility::OptionsForProtocol("NCT04835883");
    nct.eligibility.as_of = absl::CivilDay(2025, 2, 28);
    nct.recipient.blood_group = eligibility::BloodGroup{eligibility::Abo::kO, eligibility::Rh::kPositive};
    nct.recipient.cmv = eligibility::Cmv::kPositive;
    nct.recipient.sex = eligibility::Sex::kMale;
    // Under the protocol without an antibody test every donor needs review.
    v.push_back(nct);
    nct.recipient.antibodies_tested = true;  // tested, none found
    v.push_back(nct);
    RankOptions dsa = nct;
    dsa.recipient.antibodies = {{"A2", 3000}, {"B44", 500}, {"DR4", 1500},
                                {"DQB1*03:01", 2000}, {"DPB1*04:01", 4000},
                                {"Bw4", 6000}, {"B12", 2500}, {"A9", 1800},
                                {"DR52", 3000}, {"DQA1*05:05", 2000}};
    v.push_back(dsa);
    dsa.eligibility.by_state = eligibility::ByStatePolicy::kAccept;
    dsa.eligibility.allow_minors = true;
    dsa.eligibility.abo_gate = true;
    dsa.eligibility.cmv_gate = true;
    dsa.eligibility.sex_gate = true;
    v.push_back(dsa);
    RankOptions x12 = plain;
    x12.match.loci.push_back(Locus::kDPB1);
    x12.match.homozygous_mismatch_count = 1;
    x12.match.haplo_required_loci = {Locus::kA, Locus::kB, Locus::kC,
                                     Locus::kDRB1};
    x12.rank_by = {RankKey::kMatches, RankKey::kTce, RankKey::kAge};
    v.push_back(x12);
    // Every key, the opt-in ones first: a 35-bit key.
    RankOptions every = dsa;
    every.rank_by = {RankKey::kLeader, RankKey::kKirB, RankKey::kDsa,
                     RankKey::kHaplo, RankKey::kAge, RankKey::kSex,
                     RankKey::kRelationship, RankKey::kAbo, RankKey::kCmv,
                     RankKey::kMatches, RankKey::kTce};
    v.push_back(every);
    RankOptions leader = plain;
    leader.rank_by = {RankKey::kLeader, RankKey::kMatches};
    v.push_back(leader);
    RankOptions few = plain;
    few.match.loci = {Locus::kA, Locus::kB, Locus::kDRB1};  // DRB1 etc.
    few.match.score_dpb1_tce = false;
    v.push_back(few);
    return v;
  }

  std::unique_ptr<DonorStore> store_;
};

TEST_F(RankTest, StoreRoundTripsGenotypesAndFacts) {
  const Fixture& f = Generated();
  ASSERT_EQ(store_->size(), f.donors.size());
  for (size_t i = 0; i < f.donors.size(); ++i) {
    const eligibility::DonorFacts d = store_->FactsOf(i);
    EXPECT_EQ(d.id, f.facts[i].id);
    EXPECT_EQ(d.birth_date, f.facts[i].birth_date);
    EXPECT_EQ(d.age, f.facts[i].age);
    EXPECT_EQ(d.sex, f.facts[i].sex);
    EXPECT_EQ(d.cmv, f.facts[i].cmv);
    EXPECT_EQ(d.relationship, f.facts[i].relationship);
    EXPECT_EQ(d.blood_group.has_value(), f.facts[i].blood_group.has_value());
    const matcher::Genotype g = store_->GenotypeOf(i);
    for (Locus l : kAllLoci) {
      EXPECT_EQ(g.at(l).typed_positions, f.donors[i].at(l).typed_positions);
      if (g.at(l).typed_positions == 0) continue;
      for (int p = 0; p < 2; ++p) {
        EXPECT_EQ(g.at(l).pos[p].text, f.donors[i].at(l).pos[p].text);
        EXPECT_EQ(g.at(l).pos[p].match_keys(), f.donors[i].at(l).pos[p].match_keys());
      }
    }
  }
  EXPECT_GT(store_->fallback_count(), 0u);
  // The fixed-size record; all in, the dictionaries and fallback
  // genotypes come on top.
  EXPECT_LT(store_->record_bytes_per_donor(), 64.0);
  EXPECT_DOUBLE_EQ(
      store_->bytes_per_donor() * static_cast<double>(store_->size()),
      static_cast<double>(store_->record_bytes() + store_->dictionary_bytes() +
                          store_->data().fallback_bytes()));
  EXPECT_GT(store_->bytes_per_donor(), store_->record_bytes_per_donor());
  EXPECT_FALSE(store_->data().wide_ids());
}

TEST_F(RankTest, FastPathEqualsMatchAndEvaluateOnEveryPair) {
  const Fixture& f = Generated();
  const data::Reference& ref = *LoadShipped().ref;
  size_t pairs = 0, fast = 0, quick_rejects = 0;
  CompiledQuery::GateCounts counts, scan_counts;
  size_t gated = 0;
  std::array<size_t, 6> verdicts{};  // by matcher::HaploVerdict
  std::array<size_t, 5> leader_keys{};  // by matcher_internal::LeaderRankKey
  for (const RankOptions& o : Variants()) {
    for (size_t r = 0; r < f.recipients.size(); ++r) {
      const matcher::Genotype& rec = f.recipients[r];
      absl::StatusOr<std::unique_ptr<CompiledQuery>> q =
          CompiledQuery::Compile(*store_, ref, rec, o);
      ASSERT_TRUE(q.ok()) << q.status();
      if (!(*q)->AllSlow()) {
        // Block edges at 1, 7 and 2048 donors (the scan's).
        for (size_t block : {1, 7, 2048}) {
          ASSERT_TRUE(QuickBlockAgrees(**q, *store_, block)) << "block " << block;
        }
        // The gate's block form, the light one where the query allows:
        // with every cell, and compiled for the scan only (cells partial).
        absl::StatusOr<std::unique_ptr<CompiledQuery>> scan =
            CompiledQuery::Compile(*store_, ref, rec, o, CompiledQuery::kParallelCompileEntries,
                                   /*scan_only=*/true);
        ASSERT_TRUE(scan.ok()) << scan.status();
        ASSERT_TRUE(QuickBlockAgrees(**scan, *store_, 2048, q->get()));
        for (size_t block : {7, 2048}) {
          ASSERT_TRUE(GateBlockAgrees(**q, **q, store_->size(), block, &counts)) << "block " << block;
          ASSERT_TRUE(GateBlockAgrees(**scan, **q, store_->size(), block, &scan_counts))
              << "block " << block;
        }
        gated += 2 * store_->size();
      }
      for (size_t i = 0; i < store_->size(); ++i) {
        SCOPED_TRACE(absl::StrCat("recipient ", r, " donor ", i, " '",
                                  f.typings[i], "'"));
        const FastResult got = (*q)->Evaluate(i);
        absl::StatusOr<matcher::MatchReport> want =
            Match(ref, rec, f.donors[i], f.facts[i].relationship, o.match);
        ASSERT_TRUE(want.ok());
        const eligibility::Eligibility e = eligibility::Evaluate(
            f.facts[i], f.donors[i], o.recipient, rec, *want, ref,
            o.eligibility);
        ++pairs;
        fast += !got.fallback;
        ++verdicts[static_cast<size_t>(want->haplo.verdict)];
        for (const matcher::LocusMatch& lm : want->loci) {
          const FastLocus& fl = got.loci[static_cast<int>(lm.locus)];
          SCOPED_TRACE(LocusName(lm.locus));
          ASSERT_EQ(fl.scored, lm.scored);
          if (!lm.scored) continue;
          ASSERT_EQ(fl.matches, lm.matches);
          ASSERT_EQ(fl.gvh, lm.gvh_mismatches);
          ASSERT_EQ(fl.hvg, lm.hvg_mismatches);
          ASSERT_EQ(fl.antigen_matches, lm.antigen_matches);
          ASSERT_EQ(fl.grade, lm.grade);
          ASSERT_EQ(fl.confidence, lm.confidence);
          if (!lm.genotype_list) {
          ASSERT_EQ(fl.crossed, lm.crossed);
        }
        }
        ASSERT_EQ(got.totals.matches, want->totals.matches);
        ASSERT_EQ(got.totals.out_of, want->totals.out_of);
        ASSERT_EQ(got.totals.mismatches, want->totals.mismatches);
        ASSERT_EQ(got.totals.gvh_mismatches, want->totals.gvh_mismatches);
        ASSERT_EQ(got.totals.hvg_mismatches, want->totals.hvg_mismatches);
        ASSERT_EQ(got.totals.antigen_matches, want->totals.antigen_matches);
        ASSERT_EQ(got.totals.untyped_loci, want->totals.untyped_loci);
        ASSERT_EQ(got.verdict, want->haplo.verdict) << want->haplo.basis;
        ASSERT_EQ(got.has_tce, want->tce.has_value());
        if (want->tce) {
          ASSERT_EQ(got.tce, want->tce->category);
        }
        ASSERT_EQ(got.findings, e.findings);
        ASSERT_EQ(got.status, e.status);
        ASSERT_EQ(got.age, e.age ? *e.age : -1);
        ASSERT_EQ(got.key, KeyFromReport(o.rank_by, f.facts[i], *want, e,
                                         o.recipient));
        if (want->b_leader) {
          const matcher::BLeaderResult& b = *want->b_leader;
          ++leader_keys[static_cast<size_t>(matcher_internal::LeaderRankKey(
              b.recipient.genotype, b.match, b.status))];
        }
        bool quick;
        ASSERT_TRUE(ScanPathAgrees(**q, i, e, o.eligibility, got.key, &quick));
        quick_rejects += quick;
      }
    }
  }
  EXPECT_GT(pairs, 30000u);
  EXPECT_GT(quick_rejects, pairs / 10);  // the quick filter was exercised
  // The light gate decided donors, and not every one (queries ranked by
  // the leader key, recipients typed by serology, fallback donors: most of
  // this fixture; the synthetic registry's test holds it to the realistic
  // mix).
  EXPECT_GT(counts.light, 0u);
  EXPECT_LT(counts.light, gated);
  // Compiled for the scan, the light form decides as many, and Match the
  // donors whose pairing turns on grades (the cells' RunIds otherwise).
  EXPECT_EQ(scan_counts.light, counts.light);
  EXPECT_EQ(scan_counts.grades, counts.grades);
  EXPECT_EQ(scan_counts.match, scan_counts.uses_match + scan_counts.grades);
  EXPECT_GT(counts.grades, 0u) << counts.light << " " << counts.cells;
  EXPECT_GT(fast, pairs * 8 / 10);
  // The leader key compared above took every value.
  for (size_t k = 0; k < leader_keys.size(); ++k) {
    EXPECT_GT(leader_keys[k], 0u) << "leader key " << k;
  }
  // Every verdict occurs (all six), so each branch of the fast verdict was
  // compared (haplotype-matched needs phase on both sides: fallback donors).
  for (size_t v = 0; v < verdicts.size(); ++v) {
    EXPECT_GT(verdicts[v], 0u) << ToString(static_cast<matcher::HaploVerdict>(v));
  }
}

// The brute-force ranking: every donor through Match + Evaluate, the ones
// not excluded (eligible, needs review, not assessed) sorted by (key, input
// order); *needs_review counts those that need review.
std::vector<uint32_t> BruteForce(const DonorStore& store, const matcher::Genotype& rec,
                                 const RankOptions& o, size_t* excluded,
                                 size_t* needs_review) {
  const data::Reference& ref = *LoadShipped().ref;
  std::vector<std::pair<uint64_t, uint32_t>> keyed;
  *excluded = 0;
  *needs_review = 0;
  for (size_t i = 0; i < store.size(); ++i) {
    absl::StatusOr<DonorReport> d = ReportFor(store, ref, rec, o, i);
    EXPECT_TRUE(d.ok());
    if (d->eligibility.status == eligibility::Status::kNotEligible) {
      ++*excluded;
      continue;
    }
    if (d->eligibility.status == eligibility::Status::kNeedsReview) {
      ++*needs_review;
    }
    keyed.emplace_back(KeyFromReport(o.rank_by, d->facts, d->report,
                                     d->eligibility, o.recipient),
                       static_cast<uint32_t>(i));
  }
  std::stable_sort(keyed.begin(), keyed.end());
  std::vector<uint32_t> out;
  for (const auto& k : keyed) out.push_back(k.second);
  return out;
}

TEST_F(RankTest, RankEqualsBruteForceAndCountsAddUp) {
  const Fixture& f = Generated();
  const data::Reference& ref = *LoadShipped().ref;
  for (const RankOptions& base : Variants()) {
    for (size_t r = 0; r < 4; ++r) {
      size_t excluded, needs_review;
      const std::vector<uint32_t> want = BruteForce(
          *store_, f.recipients[r], base, &excluded, &needs_review);
      absl::StatusOr<RankResult> got = Rank(*store_, ref, f.recipients[r], base);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(got->ranked, want);
      EXPECT_EQ(got->read, store_->size());
      EXPECT_EQ(got->excluded, excluded);
      EXPECT_EQ(got->needs_review, needs_review);
      EXPECT_EQ(got->read, got->ranked_count + got->excluded);
      size_t by_reason = 0;
      for (size_t k : got->excluded_by) by_reason += k;
      EXPECT_EQ(by_reason, got->excluded);
      RankOptions top = base;
      top.top = 7;
      absl::StatusOr<RankResult> t = Rank(*store_, ref, f.recipients[r], top);
      ASSERT_TRUE(t.ok());
      EXPECT_EQ(t->ranked, std::vector<uint32_t>(
                               want.begin(),
                               want.begin() + std::min<size_t>(7, want.size())));
      EXPECT_EQ(t->ranked_count, got->ranked_count);
    }
  }
}

TEST_F(RankTest, TiesKeepInputOrder) {
  // Identical donors: one key, so the order is the input order.
  DonorStoreBuilder b(LoadShipped().ref);
  absl::StatusOr<matcher::Genotype> g = Geno("A*01:01+A*02:01^B*08:01+B*44:02^"
                                    "DRB1*03:01+DRB1*04:01");
  ASSERT_TRUE(g.ok());
  for (int i = 0; i < 9000; ++i) {
    eligibility::DonorFacts f;
    f.id = absl::StrCat("twin", i);
    f.age = 30;
    b.Add(f, *g, "");
  }
  absl::StatusOr<DonorStore> s = std::move(b).Finish();
  ASSERT_TRUE(s.ok());
  RankOptions o;
  o.eligibility.as_of = absl::CivilDay(2026, 1, 1);
  o.top = 5000;
  for (int threads : {1, 2, 3}) {
    o.threads = threads;
    absl::StatusOr<RankResult> r = Rank(*s, *LoadShipped().ref, *g, o);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->ranked.size(), 5000u);
    for (uint32_t k = 0; k < 5000; ++k) ASSERT_EQ(r->ranked[k], k);
  }
}

// A deadline that has passed stops the ranking (the service's per-request
// deadline), on one thread or several; a later one changes nothing.
TEST_F(RankTest, DeadlineStopsTheRanking) {
  const Fixture& f = Generated();
  const data::Reference& ref = *LoadShipped().ref;
  for (int threads : {1, 2}) {
    RankOptions o;
    o.threads = threads;
    o.deadline = absl::InfinitePast();
    absl::StatusOr<RankResult> r = Rank(*store_, ref, f.recipients[0], o);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_THAT(std::string(r.status().message()),
                ::testing::HasSubstr("passed its deadline"));
    o.deadline = absl::Now() + absl::Hours(1);
    r = Rank(*store_, ref, f.recipients[0], o);
    ASSERT_TRUE(r.ok()) << r.status();
    o.deadline = absl::InfiniteFuture();
    absl::StatusOr<RankResult> plain = Rank(*store_, ref, f.recipients[0], o);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(r->ranked, plain->ranked);
  }
}

// DPB1 TCE through the light gate, case by case: one donor copy shares a
// key with the recipient (its light code then carries the written-copy
// bits beside its TCE group) and the groups of the pair differ in either
// order, both copies share, none does, a null copy. Each donor's key and
// TCE category equal the cells' (Gate) and matcher::Match's.
TEST(LightGateTce, EveryPairingOfGroupsEqualsTheCellsAndMatch) {
  const data::Reference& ref = *LoadShipped().ref;
  ASSERT_TRUE(ref.has_tce());
  // V2 groups: DPB1*09:01 1, *03:01 2, *04:01 and *02:01 3.
  const std::string r = "A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^DPB1*09:01+DPB1*03:01";
  const std::string base = "A*01:01+A*24:02^B*08:01+B*07:02^DRB1*03:01+DRB1*15:01^";
  const std::vector<std::string> dpb1 = {
      "DPB1*09:01+DPB1*04:01",  // shares the group-1 copy; the other group 3
      "DPB1*03:01+DPB1*04:01",  // shares the group-2 copy; the other group 3
      "DPB1*04:01+DPB1*03:01",  // the same, copies in the other order
      "DPB1*03:01+DPB1*09:01",  // both share: a match
      "DPB1*04:01+DPB1*02:01",  // none shares
      "DPB1*09:01+DPB1*01:01",  // shares group 1, the other group 3
      "DPB1*03:01",             // written once
  };
  DonorStoreBuilder b(LoadShipped().ref);
  std::vector<matcher::Genotype> donors;
  for (size_t i = 0; i < dpb1.size(); ++i) {
    eligibility::DonorFacts f;
    f.id = absl::StrCat("D", i);
    f.relationship = matcher::Relationship::kUnrelated;
    f.age = 40;
    absl::StatusOr<matcher::Genotype> g = Geno(base + dpb1[i]);
    ASSERT_TRUE(g.ok()) << dpb1[i];
    b.Add(f, *g, base + dpb1[i]);
    donors.push_back(*std::move(g));
  }
  absl::StatusOr<DonorStore> store = std::move(b).Finish();
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<matcher::Genotype> rec = Geno(r);
  ASSERT_TRUE(rec.ok());
  RankOptions o;
  o.eligibility.as_of = absl::CivilDay(2026, 11, 26);
  o.rank_by = {RankKey::kTce, RankKey::kMatches};
  absl::StatusOr<std::unique_ptr<CompiledQuery>> full = CompiledQuery::Compile(*store, ref, *rec, o);
  absl::StatusOr<std::unique_ptr<CompiledQuery>> scan = CompiledQuery::Compile(
      *store, ref, *rec, o, CompiledQuery::kParallelCompileEntries, /*scan_only=*/true);
  ASSERT_TRUE(full.ok() && scan.ok());
  CompiledQuery::GateCounts counts;
  ASSERT_TRUE(GateBlockAgrees(**scan, **full, store->size(), 7, &counts));
  EXPECT_EQ(counts.light, store->size());  // every donor by the light form
  std::set<matcher::TceCategory> seen;
  for (size_t i = 0; i < donors.size(); ++i) {
    SCOPED_TRACE(dpb1[i]);
    absl::StatusOr<matcher::MatchReport> want =
        matcher::Match(ref, *rec, donors[i], matcher::Relationship::kUnrelated, o.match);
    ASSERT_TRUE(want.ok());
    ASSERT_TRUE(want->tce.has_value());
    const FastResult got = (*full)->Evaluate(i);
    EXPECT_EQ(got.tce, want->tce->category);
    seen.insert(want->tce->category);
  }
  // The recipient's lowest group is 1: a match, permissive (the donor's
  // lowest 1 too), non-permissive in the GvH direction (2 or 3).
  EXPECT_EQ(seen, (std::set<matcher::TceCategory>{matcher::TceCategory::kMatch,
                                                  matcher::TceCategory::kPermissive,
                                                  matcher::TceCategory::kNonPermissiveGvH}));
}

TEST_F(RankTest, ThreadsGiveIdenticalResults) {
  // A store big enough to be split: the generated donors repeated.
  const Fixture& f = Generated();
  DonorStoreBuilder b(LoadShipped().ref);
  for (int rep = 0; rep < 20; ++rep) {
    for (size_t i = 0; i < f.donors.size(); ++i) {
      b.Add(f.facts[i], f.donors[i], f.typings[i]);
    }
  }
  absl::StatusOr<DonorStore> s = std::move(b).Finish();
  ASSERT_TRUE(s.ok());
  for (const RankOptions& base : Variants()) {
    RankOptions o = base;
    o.threads = 1;
    absl::StatusOr<RankResult> one = Rank(*s, *LoadShipped().ref, f.recipients[0], o);
    o.threads = 2;
    absl::StatusOr<RankResult> two = Rank(*s, *LoadShipped().ref, f.recipients[0], o);
    ASSERT_TRUE(one.ok() && two.ok());
    EXPECT_EQ(two->threads, 2);
    EXPECT_EQ(one->ranked, two->ranked);
    EXPECT_EQ(one->excluded_by, two->excluded_by);
    o.top = 10;
    absl::StatusOr<RankResult> top = Rank(*s, *LoadShipped().ref, f.recipients[0], o);
    ASSERT_TRUE(top.ok());
    EXPECT_EQ(top->ranked, std::vector<uint32_t>(
                               one->ranked.begin(),
                               one->ranked.begin() +
                                   std::min<size_t>(10, one->ranked.size())));
  }
}

}  // namespace
}  // namespace hla::registry
