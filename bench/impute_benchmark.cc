// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Imputation (impute/impute.h) on realistic typings: the first donors of
// `haplomatch synth --seed 7`'s default mix (55 % high resolution, 20 %
// MAC, 10 % allele lists, 10 % XX, 5 % serology), generated in-process,
// each imputed with the default options (the population mix, as a donor of
// unknown population). The per-donor figure is what imputing a registry at
// index time costs per donor per core; BM_Probability is the per-pair cost
// of the probabilities from two imputations (the example patient against
// each donor).
#include <array>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "data/haplotype_freq.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "impute/impute.h"
#include "matcher/match.h"
#include "parser/parse.h"
#include "registry/donor_file.h"
#include "synth/synth.h"

namespace {

const std::string kData = HLA_SHIPPED_DATA_DIR;
constexpr int kDonors = 4000;

struct Fixture {
  std::shared_ptr<const hla::data::Reference> ref;
  std::unique_ptr<const hla::impute::Imputer> imputer;
  std::vector<hla::matcher::Genotype> donors;
  std::vector<hla::impute::Imputation> imputed;
  // The donors as what their copies admit (each donor's sets in `sets`),
  // the form registry::ImputeDonors imputes from.
  std::vector<std::vector<std::vector<uint16_t>>> sets;
  std::vector<hla::impute::AdmittedTyping> admitted;
  hla::impute::Imputation recipient;
  std::string error;
};

const Fixture& Get() {
  static const Fixture* const kFixture = [] {
    auto* f = new Fixture;
    auto ref = hla::data::Reference::Load({kData + "/imgt/3.58.0"});
    auto macs = hla::data::MacTable::Load(
        kData + "/" + hla::data::MacTable::kShippedRelativePath);
    if (!ref.ok() || !macs.ok()) {
      f->error = "cannot load the shipped release or MAC table";
      return f;
    }
    f->ref = *ref;
    auto freqs = hla::data::HaplotypeFrequencies::Load(
        kData + "/" + hla::data::HaplotypeFrequencies::kShippedRelativePath, **ref);
    if (!freqs.ok()) {
      f->error = std::string(freqs.status().message());
      return f;
    }
    auto imputer = hla::impute::Imputer::Create(*ref, *freqs);
    if (!imputer.ok()) {
      f->error = std::string(imputer.status().message());
      return f;
    }
    f->imputer = *std::move(imputer);
    hla::synth::SynthOptions so;
    so.donors = kDonors;
    so.seed = 7;
    so.delimiter = '\t';
    auto synth = hla::synth::Synthesizer::Create(*ref, *macs, *freqs, so);
    if (!synth.ok()) {
      f->error = std::string(synth.status().message());
      return f;
    }
    std::string text;
    (*synth)->AppendHeader(&text);
    for (int i = 0; i < kDonors; ++i) (*synth)->AppendDonor(i, &text, nullptr);
    std::istringstream in(text);
    hla::data::Resolver resolver(*ref, *macs);
    auto reader = hla::registry::DonorFileReader::FromStream(&in, "synth", &resolver);
    if (!reader.ok()) {
      f->error = std::string(reader.status().message());
      return f;
    }
    hla::registry::DonorRecord rec;
    absl::Status row;
    while ((*reader)->Next(&rec, &row)) {
      if (row.ok()) f->donors.push_back(std::move(rec.genotype));
    }
    for (const auto& g : f->donors) {
      f->sets.emplace_back();
      f->admitted.push_back(f->imputer->Admitted(g, &f->sets.back()));
    }
    for (const auto& g : f->donors) {
      auto r = f->imputer->Impute(g, {});
      f->imputed.push_back(r.ok() ? *std::move(r) : hla::impute::Imputation{});
    }
    auto r = hla::parser::ParseGlString(
        "A*01:01+A*02:01^C*07:01+C*05:01^B*08:01+B*44:02^"
        "DRB1*03:01+DRB1*04:01^DQB1*02:01+DQB1*03:02");
    if (!r.ok()) {
      f->error = "cannot parse the recipient";
      return f;
    }
    auto t = resolver.Resolve(*r);
    if (!t.ok()) {
      f->error = "cannot resolve the recipient";
      return f;
    }
    auto g = hla::matcher::BuildGenotype(**ref, *t);
    auto ri = g.ok() ? f->imputer->Impute(*g, {}) : absl::StatusOr<hla::impute::Imputation>(g.status());
    if (!ri.ok()) {
      f->error = "cannot impute the recipient";
      return f;
    }
    f->recipient = *std::move(ri);
    return f;
  }();
  return *kFixture;
}

// Runs one(i) once an iteration for i = 0, 1, ..., n - 1, 0, ...
template <typename One>
void RoundRobin(benchmark::State& state, size_t n, const One& one) {
  size_t i = 0;
  for (auto _ : state) {
    one(i);
    if (++i == n) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ImputeSynthDonor(benchmark::State& state) {
  const Fixture& f = Get();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  size_t i = 0, pairs = 0;
  for (auto _ : state) {
    auto r = f.imputer->Impute(f.donors[i], {});
    benchmark::DoNotOptimize(r);
    if (r.ok()) pairs += r->pairs.size();
    if (++i == f.donors.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pairs_per_donor"] =
      static_cast<double>(pairs) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ImputeSynthDonor);

// The same donors from their admitted sets, as an index imputes them (the
// sets made once per distinct gene copy of its dictionary).
void BM_ImputeAdmitted(benchmark::State& state) {
  const Fixture& f = Get();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  RoundRobin(state, f.admitted.size(), [&](size_t i) {
    auto r = f.imputer->Impute(f.admitted[i], {});
    benchmark::DoNotOptimize(r);
  });
}
BENCHMARK(BM_ImputeAdmitted);

// The same split by what the typing says: every gene copy one table allele
// (a high-resolution typing of table alleles), or some copy more than one
// (MAC, list, XX, serology): where an index's imputing time goes.
void BM_ImputeAdmittedByKind(benchmark::State& state) {
  const Fixture& f = Get();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const bool single = state.range(0) == 1;
  std::vector<size_t> picked;
  for (size_t i = 0; i < f.admitted.size(); ++i) {
    bool one = true;
    for (const auto& locus : f.admitted[i].loci) {
      for (const auto& copies : locus) one = one && copies[0].size() == 1 && copies[1].size() == 1;
    }
    if (one == single) picked.push_back(i);
  }
  state.counters["share"] =
      static_cast<double>(picked.size()) / static_cast<double>(f.admitted.size());
  RoundRobin(state, picked.size(), [&](size_t i) {
    auto r = f.imputer->Impute(f.admitted[picked[i]], {});
    benchmark::DoNotOptimize(r);
  });
}
BENCHMARK(BM_ImputeAdmittedByKind)->Arg(1)->Arg(0);

void BM_Probability(benchmark::State& state) {
  const Fixture& f = Get();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  RoundRobin(state, f.imputed.size(), [&](size_t i) {
    auto p = f.imputer->Probability(f.recipient, f.imputed[i], nullptr);
    benchmark::DoNotOptimize(p);
  });
}
BENCHMARK(BM_Probability);

// The scan's form of P(10/10) and P(>= 9/10) (TopMatchScorer) on the same
// pairs: BM_Probability is its same-process baseline.
void BM_TopMatchScorer(benchmark::State& state) {
  const Fixture& f = Get();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const hla::impute::TopMatchScorer scorer(*f.imputer, f.recipient);
  std::array<int, hla::data::kHaplotypeLoci> certain;
  certain.fill(-1);
  size_t i = 0;
  for (auto _ : state) {
    const hla::impute::Imputation& d = f.imputed[i];
    auto p = scorer.Score(d.pairs.data(), d.pairs.size(), d.explained, 0, certain);
    benchmark::DoNotOptimize(p);
    if (++i == f.imputed.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TopMatchScorer);

}  // namespace

BENCHMARK_MAIN();
