// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Parse throughput (names/s and bytes/s) of parser/parse.h, per kind of input.
// Items are names (leaves), so a GL string of ten alleles counts ten.
#include <string>

#include "benchmark/benchmark.h"
#include "hla/gl.h"
#include "parser/parse.h"

namespace {

void ParseTokenLoop(benchmark::State& state, const std::string& text) {
  for (auto _ : state) {
    auto token = hla::parser::ParseToken(text);
    benchmark::DoNotOptimize(token);
    if (!token.ok()) state.SkipWithError("parse failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}

void ParseGlLoop(benchmark::State& state, const std::string& text, int names) {
  for (auto _ : state) {
    auto gl = hla::parser::ParseGlString(text);
    benchmark::DoNotOptimize(gl);
    if (!gl.ok()) state.SkipWithError("parse failed");
  }
  state.SetItemsProcessed(state.iterations() * names);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}

void BM_Parse_TwoField(benchmark::State& state) {
  ParseTokenLoop(state, "A*02:01");
}
BENCHMARK(BM_Parse_TwoField);

void BM_Parse_FourFieldSuffix(benchmark::State& state) {
  ParseTokenLoop(state, "HLA-A*01:01:01:02N");
}
BENCHMARK(BM_Parse_FourFieldSuffix);

void BM_Parse_Mac(benchmark::State& state) {
  ParseTokenLoop(state, "DRB1*07:DFJR");
}
BENCHMARK(BM_Parse_Mac);

// A single name through the GL String entry point (what `parse` runs).
void BM_Parse_TwoFieldAsGlString(benchmark::State& state) {
  ParseGlLoop(state, "A*02:01", 1);
}
BENCHMARK(BM_Parse_TwoFieldAsGlString);

// Ten alleles over five loci, with every operator but '|' and '?'.
void BM_Parse_GlString10(benchmark::State& state) {
  ParseGlLoop(state,
              "HLA-A*01:01:01:01/HLA-A*01:02+HLA-A*24:02:01^"
              "HLA-B*08:01:01+HLA-B*44:02:01:01^HLA-C*07:01+HLA-C*05:01^"
              "HLA-DRB1*03:01:01~HLA-DQB1*02:01+HLA-DRB1*04:01",
              10);
}
BENCHMARK(BM_Parse_GlString10);

}  // namespace

BENCHMARK_MAIN();
