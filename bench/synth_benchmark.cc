// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The synthetic registry generator (synth/synth.h): rows per second and bytes
// per second of CSV text for unrelated donors and for families, and the
// one-off cost of loading the haplotype table and preparing the typing
// tables. Items = rows; bytes = CSV bytes produced (no I/O: text is built in
// memory and discarded, so these are upper bounds for a file on disk).
#include <memory>
#include <sstream>
#include <string>

#include "benchmark/benchmark.h"
#include "data/haplotype_freq.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "synth/synth.h"

namespace {

using hla::data::HaplotypeFrequencies;
using hla::data::MacTable;
using hla::data::Reference;
using hla::synth::Synthesizer;
using hla::synth::SynthOptions;
using hla::synth::SynthStats;

const std::string kData = HLA_SHIPPED_DATA_DIR;

struct Shipped {
  std::shared_ptr<const Reference> ref;
  std::shared_ptr<const MacTable> macs;
  std::shared_ptr<const HaplotypeFrequencies> freqs;
  std::string error;
};

const Shipped& LoadShipped() {
  static const Shipped* const kShipped = [] {
    auto* s = new Shipped;
    auto ref = Reference::Load({kData + "/imgt/3.58.0"});
    auto macs = MacTable::Load(kData + "/" + MacTable::kShippedRelativePath);
    if (!ref.ok() || !macs.ok()) {
      s->error = "cannot load the shipped release or MAC table";
      return s;
    }
    s->ref = *ref;
    s->macs = *macs;
    auto freqs = HaplotypeFrequencies::Load(
        kData + "/" + HaplotypeFrequencies::kShippedRelativePath, *s->ref);
    if (!freqs.ok()) {
      s->error = std::string(freqs.status().message());
      return s;
    }
    s->freqs = *freqs;
    return s;
  }();
  return *kShipped;
}

std::unique_ptr<const Synthesizer> Make(benchmark::State& state,
                                        const SynthOptions& options) {
  const Shipped& s = LoadShipped();
  if (!s.error.empty()) {
    state.SkipWithError(s.error.c_str());
    return nullptr;
  }
  auto synth = Synthesizer::Create(s.ref, s.macs, s.freqs, options);
  if (!synth.ok()) {
    state.SkipWithError(std::string(synth.status().message()).c_str());
    return nullptr;
  }
  return *std::move(synth);
}

void BM_Synth_LoadFrequencies(benchmark::State& state) {
  const Shipped& s = LoadShipped();
  if (!s.error.empty()) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  for (auto _ : state) {
    auto freqs = HaplotypeFrequencies::Load(
        kData + "/" + HaplotypeFrequencies::kShippedRelativePath, *s.ref);
    benchmark::DoNotOptimize(freqs);
  }
}
BENCHMARK(BM_Synth_LoadFrequencies)->Unit(benchmark::kMillisecond);

void BM_Synth_Create(benchmark::State& state) {
  const Shipped& s = LoadShipped();
  if (!s.error.empty()) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  for (auto _ : state) {
    auto synth = Synthesizer::Create(s.ref, s.macs, s.freqs, SynthOptions());
    benchmark::DoNotOptimize(synth);
  }
}
BENCHMARK(BM_Synth_Create)->Unit(benchmark::kMillisecond);

// `state.range(0)` donors per iteration, appended to one reused buffer.
void BM_Synth_Donors(benchmark::State& state) {
  auto synth = Make(state, SynthOptions());
  if (synth == nullptr) return;
  std::string buf;
  uint64_t next = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    buf.clear();
    for (int64_t i = 0; i < state.range(0); ++i) {
      synth->AppendDonor(next++, &buf, nullptr);
    }
    bytes += static_cast<int64_t>(buf.size());
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Synth_Donors)->Arg(1000)->Arg(100000);

// Families: items = rows (persons written).
void BM_Synth_Families(benchmark::State& state) {
  auto synth = Make(state, SynthOptions());
  if (synth == nullptr) return;
  std::string buf;
  uint64_t next = 0;
  int64_t bytes = 0;
  SynthStats stats;
  for (auto _ : state) {
    buf.clear();
    for (int64_t i = 0; i < state.range(0); ++i) {
      synth->AppendFamily(next++, &buf, &stats);
    }
    bytes += static_cast<int64_t>(buf.size());
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(stats.rows));
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Synth_Families)->Arg(1000);

// The whole Write path into an in-memory stream (buffering and flushes).
void BM_Synth_WriteStream(benchmark::State& state) {
  SynthOptions options;
  options.donors = static_cast<uint64_t>(state.range(0));
  auto synth = Make(state, options);
  if (synth == nullptr) return;
  int64_t bytes = 0;
  for (auto _ : state) {
    std::ostringstream out;
    SynthStats stats;
    if (!synth->Write(&out, &stats, nullptr).ok()) {
      state.SkipWithError("write failed");
      return;
    }
    bytes += static_cast<int64_t>(stats.bytes);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Synth_WriteStream)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
