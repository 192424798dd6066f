// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Loading the reference data from text: whole releases (the start-up cost of
// every CLI call; target well under 100 ms) and each file's parse alone.
// Bytes processed = bytes of text read, so the MB/s columns compare files.
#include <string>

#include "benchmark/benchmark.h"
#include "data/internal/records.h"
#include "data/internal/text.h"
#include "data/mac_table.h"
#include "data/protein.h"
#include "data/reference.h"

namespace {

using namespace hla::data_internal;  // NOLINT: benchmark of internals

const std::string kData = HLA_SHIPPED_DATA_DIR;

void LoadRelease(benchmark::State& state, const std::string& version,
                 bool parallel) {
  hla::data::LoadOptions options;
  options.imgt_dir = kData + "/imgt/" + version;
  options.parallel = parallel;
  size_t bytes = 0;
  for (auto _ : state) {
    auto ref = hla::data::Reference::Load(options);
    if (!ref.ok()) {
      state.SkipWithError(std::string(ref.status().message()).c_str());
      return;
    }
    bytes = (*ref)->bytes_read();
    state.counters["memory_MB"] = (*ref)->MemoryUsage() / 1e6;
    benchmark::DoNotOptimize(ref);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
}

void BM_Load_3580(benchmark::State& state) { LoadRelease(state, "3.58.0", true); }
void BM_Load_3440(benchmark::State& state) { LoadRelease(state, "3.44.0", true); }
void BM_Load_3580_OneThread(benchmark::State& state) {
  LoadRelease(state, "3.58.0", false);
}
void BM_Load_3440_OneThread(benchmark::State& state) {
  LoadRelease(state, "3.44.0", false);
}
BENCHMARK(BM_Load_3580)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Load_3440)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Load_3580_OneThread)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Load_3440_OneThread)->Unit(benchmark::kMillisecond);

// The HLA-B leader and KIR-ligand table of 3.58.0 from its three protein
// FASTA files (9.3 MB, 27,219 records anchored), beside the release load
// above: issue 21 decides from it whether to build it at load or lazily.
void BM_ProteinTable_3580(benchmark::State& state) {
  hla::data::LoadOptions options;
  options.imgt_dir = kData + "/imgt/3.58.0";
  auto ref = hla::data::Reference::Load(options);
  if (!ref.ok()) return state.SkipWithError(std::string(ref.status().message()).c_str());
  for (auto _ : state) {
    auto t = hla::data::ProteinTable::Load(**ref);
    if (!t.ok()) return state.SkipWithError(std::string(t.status().message()).c_str());
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_ProteinTable_3580)->Unit(benchmark::kMillisecond);

// One file: read once outside the loop, parse inside it (syntax only).
template <typename Fn>
void ParseFile(benchmark::State& state, const std::string& rel, Fn parse) {
  const std::string path = kData + "/imgt/3.58.0/" + rel;
  auto text = ReadFile(path, "benchmark input");
  if (!text.ok()) {
    state.SkipWithError(std::string(text.status().message()).c_str());
    return;
  }
  for (auto _ : state) {
    auto parsed = parse(*text, path);
    if (!parsed.ok()) {
      state.SkipWithError(std::string(parsed.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<int64_t>(text->size()) *
                          state.iterations());
}

void BM_ParseAlleleList_3580(benchmark::State& s) {
  ParseFile(s, "Allelelist.txt", ParseAlleleList);
}
void BM_ParseAlleleStatus_3580(benchmark::State& s) {
  ParseFile(s, "Allele_status.txt", ParseAlleleStatus);
}
void BM_ParseHlaNom_3580(benchmark::State& s) {
  ParseFile(s, "wmda/hla_nom.txt", ParseHlaNom);
}
void BM_ParseGGroups_3580(benchmark::State& s) {
  ParseFile(s, "wmda/hla_nom_g.txt",
            [](absl::string_view t, absl::string_view f) {
              return ParseGroupFile(t, f, 'G');
            });
}
void BM_ParsePGroups_3580(benchmark::State& s) {
  ParseFile(s, "wmda/hla_nom_p.txt",
            [](absl::string_view t, absl::string_view f) {
              return ParseGroupFile(t, f, 'P');
            });
}
void BM_ParseRelDnaSer_3580(benchmark::State& s) {
  ParseFile(s, "wmda/rel_dna_ser.txt", ParseRelDnaSer);
}
void BM_ParseRelSerSer_3580(benchmark::State& s) {
  ParseFile(s, "wmda/rel_ser_ser.txt", ParseRelSerSer);
}
void BM_ParseDpbTce_3580(benchmark::State& s) {
  ParseFile(s, "tce/dpb_tce.csv", ParseDpbTce);
}
void BM_ParseDeletedAlleles_3580(benchmark::State& s) {
  ParseFile(s, "Deleted_alleles.txt", ParseDeletedAlleles);
}
BENCHMARK(BM_ParseAlleleList_3580);
BENCHMARK(BM_ParseAlleleStatus_3580);
BENCHMARK(BM_ParseHlaNom_3580);
BENCHMARK(BM_ParseGGroups_3580);
BENCHMARK(BM_ParsePGroups_3580);
BENCHMARK(BM_ParseRelDnaSer_3580);
BENCHMARK(BM_ParseRelSerSer_3580);
BENCHMARK(BM_ParseDpbTce_3580);
BENCHMARK(BM_ParseDeletedAlleles_3580);

void BM_LoadMac_Shipped(benchmark::State& state) {
  const std::string path = kData + "/mac/mac-2020-07-subset.alpha.v3.txt";
  auto text = ReadFile(path, "benchmark input");
  if (!text.ok()) {
    state.SkipWithError(std::string(text.status().message()).c_str());
    return;
  }
  for (auto _ : state) {
    auto macs = hla::data::MacTable::Parse(*text, path);
    benchmark::DoNotOptimize(macs);
  }
  state.SetBytesProcessed(static_cast<int64_t>(text->size()) *
                          state.iterations());
}
BENCHMARK(BM_LoadMac_Shipped)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
