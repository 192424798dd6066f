// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Matcher throughput on the shipped IMGT 3.58.0 and MAC subset: pairs/s for
// one recipient against donors cycled from a pool (so lookups miss the caches
// as a registry scan would), and BuildGenotype (typings/s) from resolved
// typings.
//
//   BM_Match_HighRes       5 loci, every position one 4-field allele
//   BM_Match_HighRes_Lean  the same without collecting mismatched alleles
//                          (MatchOptions::collect_mismatched = false)
//   BM_Match_Ambiguous     5 loci, positions alternating a generic MAC
//                          (A*01:AC) and a 3-name allele list
//   BM_BuildGenotype_*     resolved typing -> Genotype (the per-donor compile)
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "benchmark/benchmark.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "matcher/match.h"
#include "parser/parse.h"

namespace {

using hla::matcher::Genotype;

constexpr const char* kLoci[] = {"A", "B", "C", "DRB1", "DQB1"};
constexpr int kPool = 1024;

struct Fixture {
  std::shared_ptr<const hla::data::Reference> ref;
  std::shared_ptr<const hla::data::MacTable> macs;
  std::vector<hla::data::ResolvedTyping> high_res_typings, ambiguous_typings;
  std::vector<Genotype> high_res, ambiguous;
};

// Deterministic pseudo-random choice (no <random> state across runs).
uint32_t Mix(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

const Fixture& GetFixture() {
  static const Fixture* f = [] {
    auto* fx = new Fixture;
    const std::string data = HLA_SHIPPED_DATA_DIR;
    fx->ref = *hla::data::Reference::Load({data + "/imgt/3.58.0"});
    fx->macs = *hla::data::MacTable::Load(
        data + "/" + hla::data::MacTable::kShippedRelativePath);
    const auto& ref = *fx->ref;
    hla::data::Resolver resolver(fx->ref, fx->macs);

    // Per locus: expressed 4-field alleles (one per 2-field protein), and
    // 1-field families with :01 :02 :03 (for lists) and AB/AC codes.
    std::vector<std::vector<std::string>> alleles(5), lists(5), macs(5);
    for (int li = 0; li < 5; ++li) {
      for (const auto& t : ref.truncations(2)) {
        if (ref.loci()[t.locus].name != kLoci[li]) continue;
        const auto& a = ref.allele(t.begin);
        if (a.is_null() || a.fields.size() < 4) continue;
        alleles[li].push_back(std::string(a.name));
      }
      for (const auto& t : ref.truncations(1)) {
        if (ref.loci()[t.locus].name != kLoci[li]) continue;
        const std::string fam(t.name);
        auto ok = [&](const std::string& text) {
          auto gl = hla::parser::ParseGlString(text);
          return gl.ok() && resolver.Resolve(*gl).ok();
        };
        const std::string list =
            absl::StrCat(fam, ":01/", fam, ":02/", fam, ":03");
        if (ok(list)) lists[li].push_back(list);
        for (const char* code : {":AB", ":AC"}) {
          if (ok(fam + code)) macs[li].push_back(fam + code);
        }
      }
    }
    auto pick = [](const std::vector<std::string>& v, uint32_t seed) {
      return v[Mix(seed) % v.size()];
    };
    for (int i = 0; i < kPool; ++i) {
      std::vector<std::string> hi, amb;
      for (int li = 0; li < 5; ++li) {
        const uint32_t s = static_cast<uint32_t>(i * 10 + li * 2);
        hi.push_back(pick(alleles[li], s) + "+" + pick(alleles[li], s + 1));
        const auto& m = macs[li].empty() ? lists[li] : macs[li];
        amb.push_back(pick(m, s) + "+" + pick(lists[li], s + 1));
      }
      for (int k = 0; k < 2; ++k) {
        const std::string text = absl::StrJoin(k == 0 ? hi : amb, "^");
        auto gl = hla::parser::ParseGlString(text);
        auto t = resolver.Resolve(*gl);
        auto g = hla::matcher::BuildGenotype(ref, *t);
        (k == 0 ? fx->high_res_typings : fx->ambiguous_typings).push_back(*t);
        (k == 0 ? fx->high_res : fx->ambiguous).push_back(*std::move(g));
      }
    }
    return fx;
  }();
  return *f;
}

void RunMatch(benchmark::State& state, const std::vector<Genotype>& donors,
              bool collect, bool leader_and_kir = true) {
  const Fixture& f = GetFixture();
  // The protein table's one load (Reference::proteins) out of the timing.
  (void)f.ref->proteins();
  hla::matcher::MatchOptions options;
  options.collect_mismatched = collect;
  options.score_leader_and_kir = leader_and_kir;
  const Genotype& recipient = donors[0];
  size_t i = 1;
  for (auto _ : state) {
    auto report = hla::matcher::Match(*f.ref, recipient, donors[i],
                                      hla::matcher::Relationship::kUnknown,
                                      options);
    benchmark::DoNotOptimize(report);
    if (++i == donors.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("pairs");
}

void BM_Match_HighRes(benchmark::State& state) {
  RunMatch(state, GetFixture().high_res, true);
}
BENCHMARK(BM_Match_HighRes);

void BM_Match_HighRes_Lean(benchmark::State& state) {
  RunMatch(state, GetFixture().high_res, false);
}
BENCHMARK(BM_Match_HighRes_Lean);

void BM_Match_Ambiguous(benchmark::State& state) {
  RunMatch(state, GetFixture().ambiguous, true);
}
BENCHMARK(BM_Match_Ambiguous);

// The same without the HLA-B leader and KIR ligands (issue 21): what they
// cost a pair, measured in the same process.
void BM_Match_HighRes_NoLeaderKir(benchmark::State& state) {
  RunMatch(state, GetFixture().high_res, true, false);
}
BENCHMARK(BM_Match_HighRes_NoLeaderKir);

void BM_Match_Ambiguous_NoLeaderKir(benchmark::State& state) {
  RunMatch(state, GetFixture().ambiguous, true, false);
}
BENCHMARK(BM_Match_Ambiguous_NoLeaderKir);

void RunBuild(benchmark::State& state,
              const std::vector<hla::data::ResolvedTyping>& typings) {
  const Fixture& f = GetFixture();
  size_t i = 0;
  for (auto _ : state) {
    auto g = hla::matcher::BuildGenotype(*f.ref, typings[i]);
    benchmark::DoNotOptimize(g);
    if (++i == typings.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("typings (5 loci)");
}

void BM_BuildGenotype_HighRes(benchmark::State& state) {
  RunBuild(state, GetFixture().high_res_typings);
}
BENCHMARK(BM_BuildGenotype_HighRes);

void BM_BuildGenotype_Ambiguous(benchmark::State& state) {
  RunBuild(state, GetFixture().ambiguous_typings);
}
BENCHMARK(BM_BuildGenotype_Ambiguous);

}  // namespace

BENCHMARK_MAIN();
