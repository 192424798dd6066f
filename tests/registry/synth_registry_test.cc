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
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "registry/ingest.h"
#include "registry/internal/scan.h"
#include "registry/rank.h"
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
  // Antibodies take the scan's other path: every entry put back whole for
  // FindDsaForCopy.
  RankOptions dsa = nct;
  dsa.recipient.antibodies = {{"A2", 3000}, {"B44", 2500}, {"DR4", 1500},
                              {"A*24:02", 2000}, {"Bw4", 6000}, {"DQ7", 1200},
                              {"Cw7", 900}};
  v.push_back(dsa);
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

  size_t pairs = 0, shared_key = 0;
  for (RankOptions o : Variants()) {
    for (size_t r = 0; r < recipients.size(); ++r) {
      const matcher::Genotype& rec = recipients[r];
      // Odd recipients: the cells built on three threads, one locus each.
      o.threads = r % 2 == 1 ? 3 : 1;
      absl::StatusOr<std::unique_ptr<CompiledQuery>> q =
          CompiledQuery::Compile(*reg.store, ref, rec, o, /*parallel_from=*/0);
      ASSERT_TRUE(q.ok()) << q.status();
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
      }
    }
  }
  EXPECT_EQ(pairs, kDonors * recipients.size() * Variants().size());
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
        const matcher::PositionTyping& x = got.at(l).pos[p];
        const matcher::PositionTyping& y = want->at(l).pos[p];
        ASSERT_EQ(x.text, y.text);
        ASSERT_EQ(x.alleles, y.alleles);
        ASSERT_EQ(x.antigens, y.antigens);
        ASSERT_EQ(x.match_keys(), y.match_keys());
        ASSERT_EQ(x.g_groups(), y.g_groups());
        ASSERT_EQ(x.serology(), y.serology());
        ASSERT_EQ(x.tce_groups(), y.tce_groups());
        ASSERT_EQ(x.possible_null(), y.possible_null());
        ASSERT_EQ(x.admits_variant(), y.admits_variant());
        ASSERT_EQ(x.p_group_count(), y.p_group_count());
      }
    }
  }
}

}  // namespace
}  // namespace hla::registry
