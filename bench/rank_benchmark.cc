// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Batch ranking (registry/rank.h): ingest rows/s and MB/s, the scan + rank of
// one recipient against 1M and 10M donors on 1 and 2 threads, and a
// memory-bandwidth floor (a plain pass summing the same bytes the scan
// reads) in the same binary; BM_Scan reports its time over the floor's
// (x_floor) and the store's bytes per donor.
//
// Donors are generated in-process from real IPD-IMGT/HLA 3.58.0 names
// (2-field truncations, XX codes, MACs and serology of A, B, C, DRB1, DQB1,
// DPB1, skewed so that common typings repeat as in a registry; C, DQB1 and
// DPB1 sometimes missing), straight into the store (no text) so that the
// 10M setup takes seconds. It does not depend on `haplomatch synth`.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "benchmark/benchmark.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "registry/ingest.h"
#include "registry/rank.h"
#include "registry/internal/scan.h"
#include "registry/store.h"
#include "registry/internal/store_data.h"
#include "parser/parse.h"

namespace {

using hla::Locus;
using hla::registry::DonorStore;
using hla::matcher::Genotype;

constexpr Locus kLoci[] = {Locus::kA,    Locus::kB,    Locus::kC,
                           Locus::kDRB1, Locus::kDQB1, Locus::kDPB1};

struct Env {
  std::shared_ptr<const hla::data::Reference> ref;
  std::unique_ptr<hla::data::Resolver> resolver;
  // Per locus: typing texts and their built positions.
  std::map<Locus, std::vector<std::string>> texts;
  std::map<Locus, std::vector<hla::matcher::PositionTyping>> positions;
  std::string error;
};

uint64_t Next(uint64_t* s) {  // xorshift64*
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

// A skewed pick in [0, n): common typings much more often (u^3).
size_t Skewed(uint64_t* s, size_t n) {
  const double u = static_cast<double>(Next(s) >> 11) / 9007199254740992.0;
  return std::min(n - 1, static_cast<size_t>(static_cast<double>(n) * u * u * u));
}

const Env& GetEnv() {
  static const Env* env = [] {
    auto* e = new Env;
    const std::string data = HLA_SHIPPED_DATA_DIR;
    auto ref = hla::data::Reference::Load({data + "/imgt/3.58.0"});
    auto macs = hla::data::MacTable::Load(
        data + "/" + hla::data::MacTable::kShippedRelativePath);
    if (!ref.ok() || !macs.ok()) {
      e->error = "cannot load the shipped 3.58.0 release / MAC table";
      return e;
    }
    e->ref = *ref;
    e->resolver = std::make_unique<hla::data::Resolver>(*ref, *macs);
    std::map<Locus, std::vector<std::string>> names;
    for (const auto& t : e->ref->truncations(2)) {
      const auto l = e->ref->loci()[t.locus].locus;
      if (!l || std::find(std::begin(kLoci), std::end(kLoci), *l) ==
                    std::end(kLoci)) {
        continue;
      }
      names[*l].emplace_back(t.name);
    }
    const std::map<Locus, std::vector<std::string>> extra = {
        {Locus::kA, {"A*02:XX", "A*01:XX", "A*02:AB", "A2", "A24", "A9"}},
        {Locus::kB, {"B*44:XX", "B*07:XX", "B*44:AB", "B44", "B8", "B12"}},
        {Locus::kC, {"C*07:XX", "Cw7"}},
        {Locus::kDRB1, {"DRB1*04:XX", "DRB1*04:AB", "DR4", "DR11", "DR5"}},
        {Locus::kDQB1, {"DQB1*03:XX", "DQ7", "DQ3"}},
        {Locus::kDPB1, {"DPB1*04:AB"}}};
    for (Locus l : kLoci) {
      std::vector<std::string> pool = names[l];
      // At most 400 high-resolution names per locus, spread over the list.
      std::vector<std::string> picked;
      const size_t step = std::max<size_t>(1, pool.size() / 400);
      for (size_t i = 0; i < pool.size() && picked.size() < 400; i += step) {
        picked.push_back(pool[i]);
      }
      // Interleave the ambiguous forms among the common ones.
      size_t at = 3;
      for (const std::string& x : extra.at(l)) {
        picked.insert(picked.begin() + static_cast<long>(std::min(at, picked.size())), x);
        at += 5;
      }
      for (const std::string& text : picked) {
        auto gl = hla::parser::ParseGlString(text);
        if (!gl.ok()) continue;
        auto t = e->resolver->Resolve(*gl);
        if (!t.ok()) continue;
        auto g = hla::matcher::BuildGenotype(*e->ref, *t);
        if (!g.ok() || g->at(l).typed_positions == 0) continue;
        e->texts[l].push_back(text);
        e->positions[l].push_back(g->at(l).pos[0]);
      }
    }
    return e;
  }();
  return *env;
}

struct Store {
  std::unique_ptr<DonorStore> store;
  Genotype recipient;
  double floor_seconds[3] = {0, 0, 0};  // by thread count
};

// The plain pass: the bytes the scan reads (typing ids + facts), summed as
// 64-bit words over `threads` threads.
uint64_t FloorPass(const DonorStore& s, int threads) {
  const uint64_t* a = reinterpret_cast<const uint64_t*>(
      s.data().wide_ids() ? static_cast<const void*>(s.data().ids32())
                   : static_cast<const void*>(s.data().ids16()));
  const size_t na = s.size() * s.data().stride() * (s.data().wide_ids() ? 4 : 2) / 8;
  const uint64_t* f = s.data().facts_words();
  const size_t nf = s.size();
  std::vector<uint64_t> sums(static_cast<size_t>(threads), 0);
  auto work = [&](int t) {
    uint64_t sum = 0;
    const size_t T = static_cast<size_t>(threads), k = static_cast<size_t>(t);
    for (size_t i = na * k / T; i < na * (k + 1) / T; ++i) sum += a[i];
    for (size_t i = nf * k / T; i < nf * (k + 1) / T; ++i) sum += f[i];
    sums[k] = sum;
  };
  if (threads == 1) {
    work(0);
  } else {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
    for (auto& th : pool) th.join();
  }
  uint64_t total = 0;
  for (uint64_t v : sums) total += v;
  return total;
}

double TimeFloor(const DonorStore& s, int threads) {
  double best = 1e9;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(FloorPass(s, threads));
    best = std::min(best, std::chrono::duration<double>(
                              std::chrono::steady_clock::now() - t0)
                              .count());
  }
  return best;
}

const Store& GetStore(size_t n) {
  static std::map<size_t, std::unique_ptr<Store>>* stores =
      new std::map<size_t, std::unique_ptr<Store>>;
  auto it = stores->find(n);
  if (it != stores->end()) return *it->second;
  // One big store at a time: drop the others first.
  stores->clear();
  const Env& env = GetEnv();
  auto st = std::make_unique<Store>();
  hla::registry::DonorStoreBuilder b(env.ref);
  b.Reserve(n);
  std::map<Locus, std::vector<uint32_t>> ids;
  for (Locus l : kLoci) {
    for (const auto& p : env.positions.at(l)) ids[l].push_back(b.Intern(l, p));
  }
  uint64_t rng = 0x9E3779B97F4A7C15ull;
  std::array<std::array<uint32_t, 2>, hla::kLocusCount> row{};
  hla::eligibility::DonorFacts f;
  for (size_t i = 0; i < n; ++i) {
    for (Locus l : kLoci) {
      auto& r = row[static_cast<int>(l)];
      const auto& v = ids[l];
      const uint64_t x = Next(&rng) % 100;
      const bool missing = (l == Locus::kC && x < 15) ||
                           (l == Locus::kDQB1 && x < 20) ||
                           (l == Locus::kDPB1 && x < 50);
      if (missing) {
        r = {0, 0};
        continue;
      }
      r[0] = v[Skewed(&rng, v.size())];
      r[1] = v[Skewed(&rng, v.size())];
    }
    const uint64_t x = Next(&rng);
    f.id = absl::StrCat("D", i);
    f.birth_date = absl::CivilDay(1950 + static_cast<int>(x % 56),
                                  1 + static_cast<int>((x >> 8) % 12),
                                  1 + static_cast<int>((x >> 16) % 28));
    f.sex = static_cast<hla::eligibility::Sex>(1 + (x >> 24) % 2);
    f.blood_group = hla::eligibility::BloodGroup{
        static_cast<hla::eligibility::Abo>((x >> 28) % 4),
        hla::eligibility::Rh::kPositive};
    f.cmv = static_cast<hla::eligibility::Cmv>(1 + (x >> 32) % 2);
    f.relationship = hla::matcher::Relationship::kUnrelated;
    b.AddIds(f, row, 0);
  }
  auto s = std::move(b).Finish();
  st->store = std::make_unique<DonorStore>(*std::move(s));
  st->recipient = st->store->GenotypeOf(n / 2);
  for (int t = 1; t <= 2; ++t) st->floor_seconds[t] = TimeFloor(*st->store, t);
  Store& ref = *st;
  (*stores)[n] = std::move(st);
  return ref;
}

hla::registry::RankOptions ScanOptions(int threads) {
  hla::registry::RankOptions o;
  o.eligibility = *hla::eligibility::OptionsForProtocol("NCT04835883");
  o.eligibility.as_of = absl::CivilDay(2026, 11, 26);
  o.recipient.blood_group =
      hla::eligibility::BloodGroup{hla::eligibility::Abo::kA, hla::eligibility::Rh::kPositive};
  o.recipient.cmv = hla::eligibility::Cmv::kPositive;
  o.top = 100;
  o.threads = threads;
  return o;
}

void BM_Scan(benchmark::State& state) {
  if (!GetEnv().error.empty()) {
    state.SkipWithError(GetEnv().error.c_str());
    return;
  }
  const size_t n = static_cast<size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const Store& s = GetStore(n);
  const auto o = ScanOptions(threads);
  size_t ranked = 0;
  for (auto _ : state) {
    auto r = hla::registry::Rank(*s.store, *GetEnv().ref, s.recipient, o);
    ranked = r->ranked_count;
    benchmark::DoNotOptimize(r->ranked.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["bytes_per_donor"] = s.store->bytes_per_donor();
  state.counters["record_bytes_per_donor"] = s.store->record_bytes_per_donor();
  state.counters["ranked"] = static_cast<double>(ranked);
  state.counters["floor_ms"] = s.floor_seconds[threads] * 1e3;
  // Scan time over the floor's: elapsed / (iterations x floor), via an
  // inverted rate.
  state.counters["x_floor"] = benchmark::Counter(
      static_cast<double>(state.iterations()) * s.floor_seconds[threads],
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The per-query work done once: the cell tables of every interned typing.
void BM_QueryCompile(benchmark::State& state) {
  if (!GetEnv().error.empty()) {
    state.SkipWithError(GetEnv().error.c_str());
    return;
  }
  const Store& s = GetStore(1000000);
  const auto o = ScanOptions(1);
  for (auto _ : state) {
    auto q = hla::registry::CompiledQuery::Compile(*s.store, *GetEnv().ref,
                                                  s.recipient, o);
    benchmark::DoNotOptimize(q->get());
  }
  state.counters["typings"] =
      static_cast<double>(s.store->dictionary_entries());
}

void BM_BandwidthFloor(benchmark::State& state) {
  if (!GetEnv().error.empty()) {
    state.SkipWithError(GetEnv().error.c_str());
    return;
  }
  const size_t n = static_cast<size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const Store& s = GetStore(n);
  for (auto _ : state) benchmark::DoNotOptimize(FloorPass(*s.store, threads));
  const size_t bytes =
      n * (s.store->data().stride() * (s.store->data().wide_ids() ? 4 : 2) + 8);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  state.counters["scan_bytes_per_donor"] =
      static_cast<double>(bytes) / static_cast<double>(n);
}

// Ingest: CSV or JSON Lines text of generated donors (the real names as
// text), parsed, resolved (with the cache) and stored. Both formats carry the
// same rows, so their rows/s compare the two readers.
// per_locus (JSON Lines only): A_1, A_2, ... keys instead of a glstring.
std::string IngestText(const Env& env, size_t rows, bool json,
                       bool per_locus) {
  std::string text =
      json ? "" : "id,relationship,birth_date,sex,abo,cmv,glstring\n";
  uint64_t rng = 42;
  for (size_t i = 0; i < rows; ++i) {
    std::vector<std::string> blocks, cells;
    for (Locus l : kLoci) {
      const auto& t = env.texts.at(l);
      if (l != Locus::kA && l != Locus::kB && l != Locus::kDRB1 &&
          Next(&rng) % 100 < 20) {
        continue;
      }
      const std::string& a = t[Skewed(&rng, t.size())];
      const std::string& b = t[Skewed(&rng, t.size())];
      blocks.push_back(absl::StrCat(a, "+", b));
      const std::string locus(hla::LocusName(l));
      cells.push_back(absl::StrCat("\"", locus, "_1\":\"", a, "\",\"", locus,
                                   "_2\":\"", b, "\""));
    }
    const std::string birth = absl::StrCat("19", 50 + Next(&rng) % 50, "-0",
                                           1 + Next(&rng) % 9, "-1",
                                           Next(&rng) % 9);
    const char* sex = Next(&rng) % 2 ? "F" : "M";
    const std::string gl = absl::StrJoin(blocks, "^");
    if (json) {
      absl::StrAppend(&text, "{\"id\":\"D", i,
                      "\",\"relationship\":\"unrelated\",\"birth_date\":\"",
                      birth, "\",\"sex\":\"", sex,
                      "\",\"abo\":\"A+\",\"cmv\":\"pos\",",
                      per_locus ? absl::StrJoin(cells, ",")
                                : absl::StrCat("\"glstring\":\"", gl, "\""),
                      "}\n");
    } else {
      absl::StrAppend(&text, "D", i, ",unrelated,", birth, ",", sex,
                      ",A+,pos,", gl, "\n");
    }
  }
  return text;
}

// state.range(0): rows; state.range(1): 0 CSV, 1 JSON Lines, 2 JSON Lines
// with per-locus keys.
void BM_Ingest(benchmark::State& state) {
  const Env& env = GetEnv();
  if (!env.error.empty()) {
    state.SkipWithError(env.error.c_str());
    return;
  }
  const size_t rows = static_cast<size_t>(state.range(0));
  const bool json = state.range(1) != 0;
  const bool per_locus = state.range(1) == 2;
  const std::string text = IngestText(env, rows, json, per_locus);
  const std::string name = json ? "bench.jsonl" : "bench.csv";
  size_t stored = 0;
  double per_donor = 0;
  for (auto _ : state) {
    std::istringstream in(text);
    hla::registry::IngestStats stats;
    auto s = hla::registry::IngestDonorStream(&in, name, *env.resolver, {},
                                             nullptr, &stats);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      return;
    }
    stored = s->size();
    per_donor = s->bytes_per_donor();
  }
  state.SetLabel(per_locus ? "jsonl per-locus" : json ? "jsonl" : "csv");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * text.size()));
  state.counters["stored"] = static_cast<double>(stored);
  state.counters["bytes_per_donor"] = per_donor;
}

BENCHMARK(BM_Ingest)
    ->Args({100000, 0})
    ->Args({100000, 1})
    ->Args({100000, 2})
    ->Unit(benchmark::kMillisecond)->UseRealTime();
// Grouped by size: a store is built once per size (10M takes seconds).
BENCHMARK(BM_BandwidthFloor)
    ->Args({1000000, 1})
    ->Args({1000000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_QueryCompile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Scan)
    ->Args({1000000, 1})
    ->Args({1000000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_BandwidthFloor)
    ->Args({10000000, 1})
    ->Args({10000000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_Scan)
    ->Args({10000000, 1})
    ->Args({10000000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
