// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Resolve and reduce throughput (typings/s) on the shipped IMGT 3.58.0 and
// MAC subset, and the memory the loaded indexes hold.
//
// Inputs are real names of the release, cycled so that lookups miss the
// caches as a registry file would: 2-field names (every 2-field truncation of
// A, B, C, DRB1, DQB1), 4-field names, MACs valid for the release, allele
// lists, and 10-locus genotypes. BM_Resolve_* and BM_Reduce_* start from
// parsed tokens (the parser has its own benchmark); BM_Mixed_FromText runs
// text -> parse -> resolve -> reduce, what `haplomatch reduce` does per line.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "data/mac_table.h"
#include "data/reduce.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "hla/gl.h"
#include "parser/parse.h"

namespace {

using hla::data::AlleleId;
using hla::data::ReductionLevel;

struct Fixture {
  std::shared_ptr<const hla::data::Reference> ref;
  std::shared_ptr<const hla::data::MacTable> macs;
  std::unique_ptr<hla::data::Reducer> reducer;
  std::vector<hla::Token> two_field, four_field, mac;
  std::vector<hla::GlString> allele_lists, genotypes10;
  std::vector<std::string> mixed_text;
};

bool IsMatchingLocus(absl::string_view l) {
  return l == "A" || l == "B" || l == "C" || l == "DRB1" || l == "DQB1";
}

const Fixture& GetFixture() {
  static const Fixture* f = [] {
    auto* fx = new Fixture;
    const std::string data = HLA_SHIPPED_DATA_DIR;
    fx->ref = *hla::data::Reference::Load({data + "/imgt/3.58.0"});
    fx->macs = *hla::data::MacTable::Load(
        data + "/" + hla::data::MacTable::kShippedRelativePath);
    fx->reducer = std::make_unique<hla::data::Reducer>(fx->ref, fx->macs);
    const auto& ref = *fx->ref;
    std::vector<std::string> two, four;
    hla::data::Resolver resolver(fx->ref, fx->macs);
    auto resolves = [&](absl::string_view name) {
      auto tok = hla::parser::ParseToken(name);
      return tok.ok() && resolver.ResolveToken(*tok, nullptr).ok();
    };
    // (A 2-field truncation whose only allele is its suffixed form, such as
    // A*01:11 of A*01:11N, is not a name: skip those.)
    for (const auto& t : ref.truncations(2)) {
      if (IsMatchingLocus(ref.loci()[t.locus].name) && resolves(t.name)) {
        two.emplace_back(t.name);
      }
    }
    for (const auto& a : ref.alleles()) {
      if (a.fields.size() == 4 && IsMatchingLocus(ref.loci()[a.locus].name)) {
        four.emplace_back(a.name);
      }
    }
    for (const auto& s : two) fx->two_field.push_back(*hla::parser::ParseToken(s));
    for (const auto& s : four) fx->four_field.push_back(*hla::parser::ParseToken(s));
    // MACs that resolve: generic codes on common first fields, and
    // allele-specific codes with their valid first field.
    std::vector<std::string> macs;
    const char* firsts[] = {"A*01", "A*02", "A*24", "B*07", "B*44", "C*07",
                            "DRB1*04", "DQB1*03"};
    size_t n = 0;
    for (const auto& code : fx->macs->codes()) {
      std::string text;
      if (code.allele_specific) {
        const std::string first(code.expansion.substr(0, code.expansion.find(':')));
        text = absl::StrCat("DRB1*", first, ":", code.code);
      } else {
        text = absl::StrCat(firsts[n++ % 8], ":", code.code);
      }
      auto tok = hla::parser::ParseToken(text);
      if (!tok.ok() || !resolver.ResolveToken(*tok, nullptr).ok()) continue;
      fx->mac.push_back(*tok);
      macs.push_back(text);
      if (fx->mac.size() >= 2000) break;
    }
    // Allele lists of 2-5 names, and 10-locus genotypes (2 names per locus).
    const char* loci[] = {"A",    "B",    "C",    "DRB1", "DRB3",
                          "DRB4", "DRB5", "DQA1", "DQB1", "DPB1"};
    std::vector<std::vector<std::string>> per_locus(10);
    for (const auto& t : ref.truncations(2)) {
      for (int i = 0; i < 10; ++i) {
        if (ref.loci()[t.locus].name == loci[i] && resolves(t.name)) {
          per_locus[i].emplace_back(t.name);
        }
      }
    }
    std::vector<std::string> lists, gls;
    for (size_t i = 0; i < 500; ++i) {
      std::string list;
      for (size_t k = 0; k < 2 + i % 4; ++k) {
        if (k) list += '/';
        list += two[(i * 7 + k * 13) % two.size()];
      }
      lists.push_back(list);
      std::string gl;
      for (int l = 0; l < 10; ++l) {
        const auto& names = per_locus[l];
        if (l) gl += '^';
        gl += names[(i * 31) % names.size()] + "+" +
              names[(i * 17 + 5) % names.size()];
      }
      gls.push_back(gl);
    }
    for (const auto& s : lists) fx->allele_lists.push_back(*hla::parser::ParseGlString(s));
    for (const auto& s : gls) fx->genotypes10.push_back(*hla::parser::ParseGlString(s));
    // Mixed text: 40% 2-field, 20% 4-field, 15% MAC, 10% lists, 15% GL.
    for (size_t i = 0; i < 2000; ++i) {
      const size_t r = i % 20;
      if (r < 8) {
        fx->mixed_text.push_back(two[(i * 7) % two.size()]);
      } else if (r < 12) {
        fx->mixed_text.push_back(four[(i * 11) % four.size()]);
      } else if (r < 15) {
        fx->mixed_text.push_back(macs[(i * 3) % macs.size()]);
      } else if (r < 17) {
        fx->mixed_text.push_back(lists[i % lists.size()]);
      } else {
        fx->mixed_text.push_back(gls[i % gls.size()]);
      }
    }
    return fx;
  }();
  return *f;
}

void ResolveLoop(benchmark::State& state, const std::vector<hla::Token>& tokens) {
  const Fixture& f = GetFixture();
  const hla::data::Resolver& resolver = f.reducer->resolver();
  hla::data::ResolvedLeaf leaf;
  size_t i = 0;
  for (auto _ : state) {
    absl::Status s = resolver.ResolveTokenInto(tokens[i], true, &leaf, nullptr);
    benchmark::DoNotOptimize(leaf.alleles.data());
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
    if (++i == tokens.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void ReduceLoop(benchmark::State& state, const std::vector<hla::Token>& tokens,
                ReductionLevel level) {
  const Fixture& f = GetFixture();
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    absl::Status s = f.reducer->ReduceToken(tokens[i], level, &out, nullptr);
    benchmark::DoNotOptimize(out.data());
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
    if (++i == tokens.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Resolve_TwoField(benchmark::State& state) {
  ResolveLoop(state, GetFixture().two_field);
}
BENCHMARK(BM_Resolve_TwoField);

void BM_Resolve_FourField(benchmark::State& state) {
  ResolveLoop(state, GetFixture().four_field);
}
BENCHMARK(BM_Resolve_FourField);

void BM_Resolve_Mac(benchmark::State& state) {
  ResolveLoop(state, GetFixture().mac);
}
BENCHMARK(BM_Resolve_Mac);

// The target: >= 1M single-allele reductions per second per core.
void BM_Reduce_Lgx_TwoField(benchmark::State& state) {
  ReduceLoop(state, GetFixture().two_field, ReductionLevel::kLgx);
}
BENCHMARK(BM_Reduce_Lgx_TwoField);

void BM_Reduce_Lgx_FourField(benchmark::State& state) {
  ReduceLoop(state, GetFixture().four_field, ReductionLevel::kLgx);
}
BENCHMARK(BM_Reduce_Lgx_FourField);

void BM_Reduce_G_FourField(benchmark::State& state) {
  ReduceLoop(state, GetFixture().four_field, ReductionLevel::kG);
}
BENCHMARK(BM_Reduce_G_FourField);

void BM_Reduce_Lgx_Mac(benchmark::State& state) {
  ReduceLoop(state, GetFixture().mac, ReductionLevel::kLgx);
}
BENCHMARK(BM_Reduce_Lgx_Mac);

void GlLoop(benchmark::State& state, const std::vector<hla::GlString>& gls) {
  const Fixture& f = GetFixture();
  size_t i = 0;
  for (auto _ : state) {
    auto r = f.reducer->Reduce(gls[i], ReductionLevel::kLgx);
    benchmark::DoNotOptimize(r);
    if (!r.ok()) state.SkipWithError(std::string(r.status().message()).c_str());
    if (++i == gls.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}

// The same through a ReduceCache, as a batch over a registry runs: names
// repeat, so most leaves cost one hash lookup.
void GlLoopCached(benchmark::State& state,
                  const std::vector<hla::GlString>& gls) {
  const Fixture& f = GetFixture();
  hla::data::ReduceCache cache;
  size_t i = 0;
  for (auto _ : state) {
    auto r = f.reducer->Reduce(gls[i], ReductionLevel::kLgx, &cache);
    benchmark::DoNotOptimize(r);
    if (!r.ok()) state.SkipWithError(std::string(r.status().message()).c_str());
    if (++i == gls.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["hit_rate"] =
      static_cast<double>(cache.hits()) /
      static_cast<double>(cache.hits() + cache.misses() + 1);
}

void BM_Reduce_AlleleList(benchmark::State& state) {
  GlLoop(state, GetFixture().allele_lists);
}
BENCHMARK(BM_Reduce_AlleleList);

// Items are typings (one genotype of 20 names each).
void BM_Reduce_GlString10Locus(benchmark::State& state) {
  GlLoop(state, GetFixture().genotypes10);
}
BENCHMARK(BM_Reduce_GlString10Locus);

void BM_Reduce_GlString10Locus_Cached(benchmark::State& state) {
  GlLoopCached(state, GetFixture().genotypes10);
}
BENCHMARK(BM_Reduce_GlString10Locus_Cached);

// Text -> parse -> resolve -> reduce (lgx), the realistic mix of a registry
// file: 40% 2-field, 20% 4-field, 15% MAC, 10% allele lists, 15% 10-locus.
void BM_Mixed_FromText(benchmark::State& state) {
  const Fixture& f = GetFixture();
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& text = f.mixed_text[i];
    auto gl = hla::parser::ParseGlString(text);
    if (!gl.ok()) state.SkipWithError("parse failed");
    auto r = f.reducer->Reduce(*gl, ReductionLevel::kLgx);
    benchmark::DoNotOptimize(r);
    if (!r.ok()) state.SkipWithError(std::string(r.status().message()).c_str());
    bytes += text.size();
    if (++i == f.mixed_text.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Mixed_FromText);

// The realistic mix again, through a ReduceCache as `haplomatch reduce` runs.
void BM_Mixed_FromText_Cached(benchmark::State& state) {
  const Fixture& f = GetFixture();
  hla::data::ReduceCache cache;
  size_t i = 0, bytes = 0;
  for (auto _ : state) {
    const std::string& text = f.mixed_text[i];
    auto gl = hla::parser::ParseGlString(text);
    if (!gl.ok()) state.SkipWithError("parse failed");
    auto r = f.reducer->Reduce(*gl, ReductionLevel::kLgx, &cache);
    benchmark::DoNotOptimize(r);
    if (!r.ok()) state.SkipWithError(std::string(r.status().message()).c_str());
    bytes += text.size();
    if (++i == f.mixed_text.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Mixed_FromText_Cached);

// Memory held: the Reference's indexes and the reducer's py-ard tables, and
// the time to build the tables (paid once per process by `reduce`).
void BM_Memory_ReducerTables(benchmark::State& state) {
  const Fixture& f = GetFixture();
  for (auto _ : state) {
    hla::data::Reducer r(f.ref, f.macs);
    benchmark::DoNotOptimize(&r);
  }
  state.counters["reference_MB"] = static_cast<double>(f.ref->MemoryUsage()) / 1e6;
  state.counters["reducer_tables_MB"] =
      static_cast<double>(f.reducer->MemoryUsage()) / 1e6;
}
BENCHMARK(BM_Memory_ReducerTables)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
