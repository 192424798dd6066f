// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The scan on realistic typings: a registry from the synth library's
// default mix (high resolution, MACs, allele lists, XX codes, serology;
// C and DQB1 sometimes missing), ingested as `haplomatch rank` ingests a
// file, must give for every donor what matcher::Match + Evaluate give on
// the donor's own typing, resolved afresh. rank_test's registry is
// hand-built; this one has the spellings a registry has (thousands of
// distinct lists and MACs sharing names such as A*02:01), which is what
// the flat dictionary and the scan's per-range grades are built for.
#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "registry/ingest.h"
#include "registry/internal/imputations.h"
#include "registry/internal/scan.h"
#include "registry/internal/store_data.h"
#include "tests/registry/scan_test_util.h"
#include "registry/rank.h"
#include "registry/store.h"
#include "impute/impute.h"
#include "data/haplotype_freq.h"
#include "synth/synth.h"
#include "tests/matcher/match_test_util.h"

namespace hla::registry {
namespace {

using matcher_test::Geno;
using matcher_test::kData;
using matcher_test::LoadShipped;

constexpr uint64_t kDonors = 1500;

struct SynthRegistry {
  std::unique_ptr<DonorStore> store;
  // The same donors with their imputations (ImputeDonors), and the
  // imputer; the rows as written, for a second ingest.
  std::unique_ptr<DonorStore> imputed;
  std::shared_ptr<const impute::Imputer> imputer;
  std::vector<std::string> typings;  // per donor, as written
  std::string error;
};

const SynthRegistry& Registry() {
  static const SynthRegistry* const kRegistry = [] {
    auto* r = new SynthRegistry;
    const matcher_test::Shipped& s = LoadShipped();
    if (!s.error.empty()) {
      r->error = s.error;
      return r;
    }
    auto freqs = data::HaplotypeFrequencies::Load(
        kData + "/" + data::HaplotypeFrequencies::kShippedRelativePath,
        *s.ref);
    if (!freqs.ok()) {
      r->error = freqs.status().ToString();
      return r;
    }
    synth::SynthOptions so;
    so.donors = kDonors;
    so.seed = 11;
    so.delimiter = '\t';
    auto synth = synth::Synthesizer::Create(s.ref, s.macs, *freqs, so);
    if (!synth.ok()) {
      r->error = synth.status().ToString();
      return r;
    }
    std::string text;
    (*synth)->AppendHeader(&text);
    for (uint64_t i = 0; i < kDonors; ++i) {
      (*synth)->AppendDonor(i, &text, nullptr);
    }
    // The typing column, by its header name.
    std::vector<std::string> lines = absl::StrSplit(text, '\n');
    const std::vector<std::string> header = absl::StrSplit(lines[0], '\t');
    size_t column = header.size();
    for (size_t c = 0; c < header.size(); ++c) {
      if (header[c] == "glstring") column = c;
    }
    for (size_t i = 1; i < lines.size(); ++i) {
      if (lines[i].empty()) continue;
      const std::vector<std::string> cells = absl::StrSplit(lines[i], '\t');
      r->typings.push_back(column < cells.size() ? cells[column] : "");
    }
    std::istringstream in(text);
    IngestStats stats;
    auto store = IngestDonorStream(&in, "synth.tsv", *s.resolver, {}, nullptr,
                                   &stats);
    if (!store.ok()) {
      r->error = store.status().ToString();
      return r;
    }
    r->store = std::make_unique<DonorStore>(*std::move(store));
    auto imputer = impute::Imputer::Create(s.ref, *freqs);
    if (!imputer.ok()) {
      r->error = imputer.status().ToString();
      return r;
    }
    r->imputer = *std::move(imputer);
    // Two more donors: a '|' genotype list and a phased typing, which the
    // scan hands to matcher::Match (fallback) and ImputeDonors leaves to
    // their reports.
    text += "FALLBACK1\t\tunrelated\t\tunrelated\t1990-01-01\tM\tO+\tneg\tEUR\t"
            "A*01:01+A*02:01^B*08:01+B*44:02|B*08:01+B*44:03^C*07:01+C*05:01^"
            "DRB1*03:01+DRB1*04:01^DQB1*02:01+DQB1*03:02\t\t\t\t\n";
    text += "FALLBACK2\t\tunrelated\t\tunrelated\t1985-06-01\tF\tA+\tpos\t\t"
            "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
            "A*03:01~C*07:02~B*07:02~DRB1*15:01~DQB1*06:02\t\t\t\t\n";
    std::istringstream again(text);
    auto imputed = IngestDonorStream(&again, "synth.tsv", *s.resolver, {}, nullptr, &stats);
    if (!imputed.ok()) {
      r->error = imputed.status().ToString();
      return r;
    }
    r->imputed = std::make_unique<DonorStore>(*std::move(imputed));
    if (absl::Status st = ImputeDonors(*r->imputer, 2, r->imputed.get()); !st.ok()) {
      r->error = st.ToString();
    }
    return r;
  }();
  return *kRegistry;
}

std::vector<RankOptions> Variants() {
  std::vector<RankOptions> v;
  RankOptions plain;
  plain.eligibility.as_of = absl::CivilDay(2026, 12, 1);
  v.push_back(plain);
  RankOptions nct = plain;
  nct.eligibility = *eligibility::OptionsForProtocol("NCT04835883");
  nct.eligibility.as_of = absl::CivilDay(2026, 12, 1);
  nct.recipient.antibodies_tested = true;
  v.push_back(nct);
  // Antibodies: every entry put back for FindDsaForCopy (its DSA bits).
  RankOptions dsa = nct;
  dsa.recipient.antibodies = {{"A2", 3000}, {"B44", 2500}, {"DR4", 1500},
                              {"A*24:02", 2000}, {"Bw4", 6000}, {"DQ7", 1200},
                              {"Cw7", 900}};
  v.push_back(dsa);
  // The leader key takes the scan's other path (the cells; the light gate
  // does not serve it).
  RankOptions leader = dsa;
  leader.rank_by = {RankKey::kLeader, RankKey::kDsa, RankKey::kHaplo, RankKey::kAge,
                    RankKey::kMatches};
  v.push_back(leader);
  return v;
}

TEST(SynthRegistryTest, ScanEqualsMatchAndEvaluateOnEveryDonor) {
  const SynthRegistry& reg = Registry();
  ASSERT_EQ(reg.error, "");
  ASSERT_EQ(reg.store->size(), kDonors);
  ASSERT_EQ(reg.typings.size(), kDonors);
  const data::Reference& ref = *LoadShipped().ref;
  // Many distinct spellings: the point of the test.
  EXPECT_GT(reg.store->dictionary_entries(), kDonors / 2);

  // The donors' own typings, resolved afresh (not through the store).
  std::vector<matcher::Genotype> donors;
  for (const std::string& t : reg.typings) {
    absl::StatusOr<matcher::Genotype> g = Geno(t);
    ASSERT_TRUE(g.ok()) << t << ": " << g.status();
    donors.push_back(*std::move(g));
  }
  // Recipients: some of the registry's own typings (they share names with
  // many donors) and the example patient, phased.
  std::vector<matcher::Genotype> recipients;
  for (size_t i : {3u, 250u, 777u, 1200u, 1499u}) recipients.push_back(donors[i]);
  absl::StatusOr<matcher::Genotype> patient = Geno(
      "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01~DPB1*04:01+"
      "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02~DPB1*04:02");
  ASSERT_TRUE(patient.ok());
  recipients.push_back(*patient);

  size_t pairs = 0, shared_key = 0, quick_rejects = 0;
  CompiledQuery::GateCounts counts, scan_counts;
  size_t gated = 0;
  for (RankOptions o : Variants()) {
    for (size_t r = 0; r < recipients.size(); ++r) {
      const matcher::Genotype& rec = recipients[r];
      // Odd recipients: the cells built on three threads, one locus each.
      o.threads = r % 2 == 1 ? 3 : 1;
      absl::StatusOr<std::unique_ptr<CompiledQuery>> q =
          CompiledQuery::Compile(*reg.store, ref, rec, o, /*parallel_from=*/0);
      ASSERT_TRUE(q.ok()) << q.status();
      EXPECT_TRUE((*q)->LiteCodesAgreeWithCells());
      if (!(*q)->AllSlow()) {
        // Block edges at 1, 7 and 2048 donors (the scan's).
        for (size_t block : {1, 7, 2048}) {
          ASSERT_TRUE(QuickBlockAgrees(**q, *reg.store, block)) << "block " << block;
        }
        // The gate's block form, the light one where the query allows:
        // with every cell, and compiled for the scan only (cells partial).
        absl::StatusOr<std::unique_ptr<CompiledQuery>> scan =
            CompiledQuery::Compile(*reg.store, ref, rec, o, /*parallel_from=*/0, /*scan_only=*/true);
        ASSERT_TRUE(scan.ok()) << scan.status();
        ASSERT_TRUE(QuickBlockAgrees(**scan, *reg.store, 2048, q->get()));
        for (size_t block : {7, 2048}) {
          ASSERT_TRUE(GateBlockAgrees(**q, **q, reg.store->size(), block, &counts)) << "block " << block;
          ASSERT_TRUE(GateBlockAgrees(**scan, **q, reg.store->size(), block, &scan_counts))
              << "block " << block;
        }
        gated += 2 * reg.store->size();
      }
      for (size_t i = 0; i < kDonors; ++i) {
        SCOPED_TRACE(absl::StrCat("recipient ", r, " donor ", i, " '",
                                  reg.typings[i], "'"));
        const eligibility::DonorFacts facts = reg.store->FactsOf(i);
        const FastResult got = (*q)->Evaluate(i);
        absl::StatusOr<matcher::MatchReport> want =
            matcher::Match(ref, rec, donors[i], facts.relationship, o.match);
        ASSERT_TRUE(want.ok());
        const eligibility::Eligibility e = eligibility::Evaluate(
            facts, donors[i], o.recipient, rec, *want, ref, o.eligibility);
        ++pairs;
        for (const matcher::LocusMatch& lm : want->loci) {
          const FastLocus& fl = got.loci[static_cast<int>(lm.locus)];
          SCOPED_TRACE(LocusName(lm.locus));
          ASSERT_EQ(fl.scored, lm.scored);
          if (!lm.scored) continue;
          shared_key += lm.matches > 0;
          ASSERT_EQ(fl.matches, lm.matches);
          ASSERT_EQ(fl.gvh, lm.gvh_mismatches);
          ASSERT_EQ(fl.hvg, lm.hvg_mismatches);
          ASSERT_EQ(fl.antigen_matches, lm.antigen_matches);
          ASSERT_EQ(fl.grade, lm.grade);
          ASSERT_EQ(fl.confidence, lm.confidence);
        }
        ASSERT_EQ(got.verdict, want->haplo.verdict) << want->haplo.basis;
        ASSERT_EQ(got.has_tce, want->tce.has_value());
        if (want->tce) {
          ASSERT_EQ(got.tce, want->tce->category);
        }
        ASSERT_EQ(got.findings, e.findings);
        ASSERT_EQ(got.status, e.status);
        ASSERT_EQ(got.key,
                  KeyFromReport(o.rank_by, facts, *want, e, o.recipient));
        bool quick;
        ASSERT_TRUE(ScanPathAgrees(**q, i, e, o.eligibility, got.key, &quick));
        quick_rejects += quick;
      }
    }
  }
  EXPECT_EQ(pairs, kDonors * recipients.size() * Variants().size());
  EXPECT_GT(quick_rejects, pairs / 10);  // the quick filter was exercised
  // The light gate decided many donors, and not every one (the queries
  // ranked by the leader key).
  EXPECT_GT(counts.light, gated / 10);
  EXPECT_LT(counts.light, gated);
  // Compiled for the scan, the light form decides as many, and Match the
  // donors whose pairing turns on grades (the cells' RunIds otherwise).
  EXPECT_EQ(scan_counts.light, counts.light);
  EXPECT_EQ(scan_counts.grades, counts.grades);
  EXPECT_EQ(scan_counts.match, scan_counts.uses_match + scan_counts.grades);
  // (No donor here has a serology and a DNA copy at one locus: the rank
  // test's fixture has those that turn on grades.)
  // The allele-level grades were exercised, not only mismatches.
  EXPECT_GT(shared_key, pairs / 4);
}

// The store hands back each donor's typing as the resolver reads it: the
// flat dictionary puts every position back whole (G groups derived).
TEST(SynthRegistryTest, StoredGenotypesEqualTheTypingsResolvedAfresh) {
  const SynthRegistry& reg = Registry();
  ASSERT_EQ(reg.error, "");
  for (size_t i = 0; i < kDonors; ++i) {
    absl::StatusOr<matcher::Genotype> want = Geno(reg.typings[i]);
    ASSERT_TRUE(want.ok());
    const matcher::Genotype got = reg.store->GenotypeOf(i);
    for (Locus l : kAllLoci) {
      SCOPED_TRACE(absl::StrCat(i, " ", reg.typings[i], " ", LocusName(l)));
      ASSERT_EQ(got.at(l).typed_positions, want->at(l).typed_positions);
      if (got.at(l).typed_positions == 0) continue;
      for (int p = 0; p < 2; ++p) {
        ASSERT_TRUE(matcher_test::SamePosition(got.at(l).pos[p], want->at(l).pos[p]));
      }
    }
  }
}

// The probability key: the scan (TopMatchScorer on the stored imputation)
// equals the pairwise key (ReportFor: Imputer::Probability on the same
// stored imputation, or a fresh one for the fallback donors) on every donor,
// under a policy that ranks by probability first, for several recipients;
// and the stored imputation (99.9 % of the posterior, at most 32 pairs)
// gives P(10/10) within half a point of a fresh, whole imputation.
TEST(SynthRegistryTest, TheProbabilityKeyOfTheScanEqualsThePairwiseOne) {
  const SynthRegistry& reg = Registry();
  ASSERT_EQ(reg.error, "");
  const DonorStore& store = *reg.imputed;
  ASSERT_EQ(store.size(), kDonors + 2);
  ASSERT_TRUE(store.has_imputations());
  EXPECT_EQ(store.fallback_count(), 2u);
  const data::Reference& ref = *LoadShipped().ref;
  // Populations were read from the synth file's column.
  size_t with_population = 0;
  for (size_t i = 0; i < store.size(); ++i) with_population += store.FactsOf(i).population.has_value();
  EXPECT_EQ(with_population, kDonors + 1);

  std::vector<matcher::Genotype> recipients;
  for (size_t i : {3u, 250u, 777u}) recipients.push_back(store.GenotypeOf(i));
  absl::StatusOr<matcher::Genotype> patient = Geno(
      "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01~DPB1*04:01+"
      "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02~DPB1*04:02");
  ASSERT_TRUE(patient.ok());
  recipients.push_back(*patient);
  absl::StatusOr<matcher::Genotype> vague = Geno(
      "A*01:XX+A*02:XX^B*08:XX+B*44:XX^DRB1*03:XX+DRB1*04:XX");
  ASSERT_TRUE(vague.ok());
  recipients.push_back(*vague);

  RankOptions o;
  o.eligibility.as_of = absl::CivilDay(2026, 12, 1);
  o.rank_by = {RankKey::kProbability, RankKey::kDsa, RankKey::kHaplo,
               RankKey::kAge, RankKey::kMatches};
  o.imputer = reg.imputer;
  size_t pairs = 0, fractional = 0, reaching = 0;
  double worst = 0;
  std::set<uint64_t> codes;
  for (size_t r = 0; r < recipients.size(); ++r) {
    const matcher::Genotype& rec = recipients[r];
    absl::StatusOr<std::unique_ptr<CompiledQuery>> q =
        CompiledQuery::Compile(store, ref, rec, o, /*parallel_from=*/0);
    ASSERT_TRUE(q.ok()) << q.status();
    absl::StatusOr<impute::Imputation> ri = reg.imputer->Impute(rec, {});
    ASSERT_TRUE(ri.ok());
    for (size_t i = 0; i < store.size(); ++i) {
      SCOPED_TRACE(absl::StrCat("recipient ", r, " donor ", i));
      const FastResult got = (*q)->Evaluate(i);
      absl::StatusOr<DonorReport> want = ReportFor(store, ref, rec, o, i);
      ASSERT_TRUE(want.ok());
      ASSERT_TRUE(want->probability.has_value());
      const impute::MatchProbability& p = *want->probability;
      ASSERT_EQ(got.key, KeyFromReport(o.rank_by, want->facts, want->report,
                                       want->eligibility, o.recipient, &p));
      uint64_t key;
      int fail;
      if ((*q)->Gate(i, &key, &fail)) {
        ASSERT_EQ(key, got.key);  // the scan's path, probability included
      }
      // The probability part: 14 bits atop dsa, haplo, age, matches (17).
      codes.insert(got.key >> 17 & 0x3FFF);
      ++pairs;
      fractional += p.available && p.p10 > 0.005 && p.p10 < 0.995;
      reaching += p.available && p.p9_or_more > 0.005;
      // The stored imputation against a fresh, whole one.
      impute::ImputeOptions io;
      io.population = want->facts.population;
      absl::StatusOr<impute::Imputation> fresh = reg.imputer->Impute(want->genotype, io);
      if (fresh.ok() && p.available) {
        const impute::MatchProbability whole =
            reg.imputer->Probability(*ri, *fresh, &want->report);
        ASSERT_TRUE(whole.available);
        worst = std::max(worst, std::abs(whole.p10 - p.p10));
        EXPECT_NEAR(whole.p10, p.p10, 0.005);
        EXPECT_NEAR(whole.p9_or_more, p.p9_or_more, 0.005);
      }
    }
  }
  EXPECT_EQ(pairs, store.size() * recipients.size());
  // The key separated donors by probability, fractions included.
  EXPECT_GT(codes.size(), 10u);
  EXPECT_GE(fractional, 5u);
  EXPECT_GE(reaching, 15u);
  RecordProperty("worst_p10_difference", std::to_string(worst));
}

// Rank with the probability key: best first, the keys those of the reports.
// ImputeDonors imputes each distinct typing once and stores each distinct
// run once: every donor's run is, word for word, what its own imputation
// encodes to; the runs are shared; and the store is the same whatever the
// thread count (here 2 against 1 and 3, after an index round trip).
TEST(SynthRegistryTest, ImputationsAreSharedExactAndIndependentOfThreads) {
  const SynthRegistry& reg = Registry();
  ASSERT_EQ(reg.error, "");
  const internal::StoreData& d = reg.imputed->data();
  ASSERT_TRUE(d.has_imputations());
  EXPECT_LT(d.imputation_run_count(), reg.imputed->size());
  EXPECT_GT(d.imputation_run_count(), reg.imputed->size() / 4);
  size_t shared = 0;
  std::set<const uint16_t*> starts;
  for (size_t i = 0; i < reg.imputed->size(); ++i) {
    SCOPED_TRACE(absl::StrCat("donor ", i));
    size_t count;
    const uint16_t* got = d.imputation_words(i, &count);
    shared += !starts.insert(got).second;
    std::vector<uint16_t> want;
    if (d.is_fallback(i)) {
      internal::EncodeImputation(nullptr, false, &want);
    } else {
      impute::ImputeOptions io;
      io.population = reg.imputed->FactsOf(i).population;
      absl::StatusOr<impute::Imputation> m =
          reg.imputer->Impute(reg.imputed->GenotypeOf(i), io);
      internal::EncodeImputation(m.ok() ? &*m : nullptr, !m.ok(), &want);
    }
    ASSERT_EQ(std::vector<uint16_t>(got, got + count), want);
  }
  EXPECT_EQ(starts.size(), d.imputation_run_count());  // every run used
  EXPECT_GT(shared, 0u);

  const std::string path = absl::StrCat(::testing::TempDir(), "/shared_runs.hmx");
  ASSERT_TRUE(WriteIndex(*reg.imputed, path).ok());
  for (int threads : {1, 3}) {
    SCOPED_TRACE(absl::StrCat(threads, " threads"));
    absl::StatusOr<DonorStore> again = LoadIndex(path, *LoadShipped().resolver);
    ASSERT_TRUE(again.ok()) << again.status();
    ASSERT_TRUE(ImputeDonors(*reg.imputer, threads, &*again).ok());
    const internal::StoreData& e = again->data();
    ASSERT_EQ(e.imputation_run_count(), d.imputation_run_count());
    ASSERT_EQ(e.imputation_word_count(), d.imputation_word_count());
    for (size_t i = 0; i < again->size(); ++i) {
      ASSERT_EQ(e.imputation_starts_[i], d.imputation_starts_[i]) << i;
    }
    ASSERT_TRUE(std::equal(e.imputation_words_, e.imputation_words_ + e.imputation_word_count(),
                           d.imputation_words_));
  }
}

// Impute reads an unphased locus's two copies as one unordered pair, to the
// last bit: each donor written with every locus's copies the other way
// round imputes to the same pairs, probabilities and mass (ImputeDonors
// then imputes the two spellings once, under one key).
TEST(SynthRegistryTest, ImputingIgnoresTheOrderTheCopiesAreWrittenIn) {
  const SynthRegistry& reg = Registry();
  ASSERT_EQ(reg.error, "");
  size_t compared = 0, reordered = 0;
  for (size_t i = 0; i < reg.imputed->size() && compared < 600; ++i) {
    if (reg.imputed->data().is_fallback(i)) continue;
    SCOPED_TRACE(absl::StrCat("donor ", i));
    const matcher::Genotype g = reg.imputed->GenotypeOf(i);
    matcher::Genotype swapped = g;
    for (matcher::LocusTyping& lt : swapped.loci) {
      if (lt.typed_positions == 2 && lt.pos[0].text != lt.pos[1].text) {
        std::swap(lt.pos[0], lt.pos[1]);
        ++reordered;
      }
    }
    impute::ImputeOptions io;
    io.population = reg.imputed->FactsOf(i).population;
    absl::StatusOr<impute::Imputation> a = reg.imputer->Impute(g, io);
    absl::StatusOr<impute::Imputation> b = reg.imputer->Impute(swapped, io);
    ASSERT_EQ(a.ok(), b.ok());
    if (!a.ok()) continue;
    ++compared;
    ASSERT_EQ(a->pairs.size(), b->pairs.size());
    for (size_t k = 0; k < a->pairs.size(); ++k) {
      EXPECT_EQ(a->pairs[k].h1, b->pairs[k].h1);
      EXPECT_EQ(a->pairs[k].h2, b->pairs[k].h2);
      EXPECT_EQ(a->pairs[k].p, b->pairs[k].p);  // bits, not a tolerance
    }
    EXPECT_EQ(a->total, b->total);
    EXPECT_EQ(a->kept_mass, b->kept_mass);
    EXPECT_EQ(a->explained, b->explained);
  }
  EXPECT_EQ(compared, 600u);
  EXPECT_GT(reordered, 1000u);
}

TEST(SynthRegistryTest, RankByProbabilityOrdersByTheReportsKeys) {
  const SynthRegistry& reg = Registry();
  ASSERT_EQ(reg.error, "");
  const data::Reference& ref = *LoadShipped().ref;
  absl::StatusOr<matcher::Genotype> rec = Geno(
      "A*01:01+A*02:01^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
      "DQB1*02:01+DQB1*03:02");
  ASSERT_TRUE(rec.ok());
  RankOptions o;
  o.eligibility.as_of = absl::CivilDay(2026, 12, 1);
  o.rank_by = {RankKey::kProbability, RankKey::kAge};
  o.imputer = reg.imputer;
  o.top = 50;
  o.threads = 2;
  absl::StatusOr<RankResult> r = Rank(*reg.imputed, ref, *rec, o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->ranked.size(), 50u);
  for (size_t k = 0; k < r->ranked.size(); ++k) {
    if (k > 0) {
      EXPECT_LE(r->keys[k - 1], r->keys[k]);
    }
    absl::StatusOr<DonorReport> d = ReportFor(*reg.imputed, ref, *rec, o, r->ranked[k]);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(r->keys[k], KeyFromReport(o.rank_by, d->facts, d->report, d->eligibility,
                                        o.recipient, &*d->probability));
  }
  // The 50 are the 50 best keys of the whole registry, computed pairwise.
  std::vector<uint64_t> all;
  for (size_t i = 0; i < reg.imputed->size(); ++i) {
    absl::StatusOr<DonorReport> d = ReportFor(*reg.imputed, ref, *rec, o, i);
    ASSERT_TRUE(d.ok());
    all.push_back(KeyFromReport(o.rank_by, d->facts, d->report, d->eligibility,
                                o.recipient, &*d->probability));
  }
  std::sort(all.begin(), all.end());
  all.resize(50);
  EXPECT_EQ(r->keys, all);
  // Some donor has a real chance of 10/10 (the key ranks on something).
  absl::StatusOr<DonorReport> best = ReportFor(*reg.imputed, ref, *rec, o, r->ranked[0]);
  ASSERT_TRUE(best.ok());
  EXPECT_GT(best->probability->p10, 0.01);

  // Without the imputations, or without an imputer, the key is refused
  // with the reason.
  absl::StatusOr<RankResult> bare = Rank(*reg.store, ref, *rec, o);
  ASSERT_FALSE(bare.ok());
  EXPECT_NE(bare.status().message().find("rebuild it with haplomatch index"), std::string::npos)
      << bare.status();
  RankOptions no_imputer = o;
  no_imputer.imputer = nullptr;
  EXPECT_EQ(Rank(*reg.imputed, ref, *rec, no_imputer).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace hla::registry
