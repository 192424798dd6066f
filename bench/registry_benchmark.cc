// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The registry on realistic typings: `haplomatch synth`'s default mix
// (55 % high resolution, 20 % MAC, 10 % allele lists, 10 % XX, 5 %
// serology; C and DQB1 sometimes missing), generated in-process by the synth
// library and streamed into ingest, so no file is needed. rank_benchmark
// draws donors from small per-locus dictionaries (about 2,300 distinct
// typings for 10M donors); here every other row brings a new spelling
// (1.4M distinct typings at 10M donors), which is what a registry costs.
//
// Donors: HLA_BENCH_REGISTRY_DONORS (default 10,000,000, the figure
// docs/ranking.md reports; CI's smoke run sets a smaller one). The store is
// built once, outside the timed loops, and its ingest, index write and
// index load are each timed once (manual time, one iteration) since each
// takes seconds. Recipient: data/examples/patient.txt's typing, under
// NCT04835883, tested without antibodies (the CLI's --antibodies none).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "benchmark/benchmark.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "eligibility/eligibility.h"
#include "matcher/match.h"
#include "parser/parse.h"
#include "registry/ingest.h"
#include "registry/internal/position_compiler.h"
#include "registry/internal/scan.h"
#include "registry/internal/store_data.h"
#include "registry/rank.h"
#include "registry/store.h"
#include "data/haplotype_freq.h"
#include "impute/impute.h"
#include "synth/synth.h"

namespace {

const std::string kData = HLA_SHIPPED_DATA_DIR;
constexpr char kRecipient[] =
    "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01~DPB1*04:01+"
    "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02~DPB1*04:02";

uint64_t Donors() {
  const char* env = std::getenv("HLA_BENCH_REGISTRY_DONORS");
  if (env == nullptr || *env == '\0') return 10'000'000;
  const unsigned long long n = std::strtoull(env, nullptr, 10);
  return std::clamp<unsigned long long>(n, 1000, 100'000'000);
}

// The synth rows as a stream, made 4,096 rows at a time: ingest reads
// gigabytes of text without the text ever being held whole.
class SynthBuf : public std::streambuf {
 public:
  SynthBuf(const hla::synth::Synthesizer* synth, uint64_t donors)
      : synth_(synth), donors_(donors) {
    synth_->AppendHeader(&chunk_);
    Publish();
  }
  uint64_t bytes() const { return bytes_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    chunk_.clear();
    for (int k = 0; k < 4096 && next_ < donors_; ++k) {
      synth_->AppendDonor(next_++, &chunk_, nullptr);
    }
    if (chunk_.empty()) return traits_type::eof();
    Publish();
    return traits_type::to_int_type(*gptr());
  }

 private:
  void Publish() {
    bytes_ += chunk_.size();
    setg(chunk_.data(), chunk_.data(), chunk_.data() + chunk_.size());
  }
  const hla::synth::Synthesizer* synth_;
  uint64_t donors_, next_ = 0, bytes_ = 0;
  std::string chunk_;
};

struct Registry {
  std::shared_ptr<const hla::data::Reference> ref;
  std::unique_ptr<hla::data::Resolver> resolver;
  std::unique_ptr<hla::registry::DonorStore> store;
  hla::matcher::Genotype recipient;
  hla::registry::RankOptions options;
  double ingest_seconds = 0, write_seconds = 0, load_seconds = 0;
  double bytes_per_donor = 0;  // all in, as loaded (before BM_RegistryImpute)
  uint64_t text_bytes = 0, index_bytes = 0;
  std::string error;
};

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

// The shipped release, MAC table and haplotype frequencies, and the synth
// library's default mix of `donors` over them (seed 7, TSV rows).
struct Source {
  std::shared_ptr<const hla::data::Reference> ref;
  std::shared_ptr<const hla::data::MacTable> macs;
  std::shared_ptr<const hla::data::HaplotypeFrequencies> freqs;
  std::unique_ptr<const hla::synth::Synthesizer> synth;
  hla::synth::SynthOptions options;
};

absl::StatusOr<Source> LoadSource(uint64_t donors) {
  Source s;
  auto ref = hla::data::Reference::Load({kData + "/imgt/3.58.0"});
  if (!ref.ok()) return ref.status();
  s.ref = *ref;
  auto macs = hla::data::MacTable::Load(
      kData + "/" + hla::data::MacTable::kShippedRelativePath);
  if (!macs.ok()) return macs.status();
  s.macs = *macs;
  auto freqs = hla::data::HaplotypeFrequencies::Load(
      kData + "/" + hla::data::HaplotypeFrequencies::kShippedRelativePath, *s.ref);
  if (!freqs.ok()) return freqs.status();
  s.freqs = *freqs;
  s.options.donors = donors;
  s.options.seed = 7;
  s.options.delimiter = '\t';
  auto synth = hla::synth::Synthesizer::Create(s.ref, s.macs, s.freqs, s.options);
  if (!synth.ok()) return synth.status();
  s.synth = *std::move(synth);
  return s;
}

const Registry& Get() {
  static const Registry* const kRegistry = [] {
    auto* r = new Registry;
    absl::StatusOr<Source> source = LoadSource(Donors());
    if (!source.ok()) {
      r->error = std::string(source.status().message());
      return r;
    }
    const auto& ref = source->ref;
    r->ref = ref;
    r->resolver = std::make_unique<hla::data::Resolver>(ref, source->macs);
    char dir[] = "/tmp/hla_registry_benchXXXXXX";
    if (::mkdtemp(dir) == nullptr) {
      r->error = "cannot make a temporary directory";
      return r;
    }
    const std::string path = std::string(dir) + "/registry.idx";
    {
      // The built store is freed before the index is loaded.
      SynthBuf buf(source->synth.get(), source->options.donors);
      std::istream in(&buf);
      hla::registry::IngestOptions io;
      io.threads = 0;
      hla::registry::IngestStats stats;
      auto start = std::chrono::steady_clock::now();
      auto store = hla::registry::IngestDonorStream(
          &in, "synth.tsv", *r->resolver, io, nullptr, &stats);
      r->ingest_seconds = Since(start);
      if (!store.ok()) {
        r->error = std::string(store.status().message());
        return r;
      }
      r->text_bytes = buf.bytes();
      start = std::chrono::steady_clock::now();
      absl::Status written = hla::registry::WriteIndex(*store, path);
      r->write_seconds = Since(start);
      if (!written.ok()) {
        r->error = std::string(written.message());
        return r;
      }
    }
    const auto start = std::chrono::steady_clock::now();
    auto loaded = hla::registry::LoadIndex(path, *r->resolver);
    r->load_seconds = Since(start);
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
      std::fseek(f, 0, SEEK_END);
      r->index_bytes = static_cast<uint64_t>(std::ftell(f));
      std::fclose(f);
    }
    std::remove(path.c_str());
    ::rmdir(dir);
    if (!loaded.ok()) {
      r->error = std::string(loaded.status().message());
      return r;
    }
    r->store = std::make_unique<hla::registry::DonorStore>(*std::move(loaded));
    r->bytes_per_donor = r->store->bytes_per_donor();
    auto gl = hla::parser::ParseGlString(kRecipient);
    auto typing = r->resolver->Resolve(*gl);
    auto g = hla::matcher::BuildGenotype(*ref, *typing);
    if (!g.ok()) {
      r->error = std::string(g.status().message());
      return r;
    }
    r->recipient = *std::move(g);
    r->options.eligibility =
        *hla::eligibility::OptionsForProtocol("NCT04835883");
    r->options.eligibility.as_of = absl::CivilDay(2026, 12, 1);
    r->options.recipient.antibodies_tested = true;  // --antibodies none
    r->options.top = 100;
    return r;
  }();
  return *kRegistry;
}

void StoreCounters(benchmark::State& state, const Registry& r) {
  state.counters["donors"] = static_cast<double>(r.store->size());
  state.counters["distinct_typings"] =
      static_cast<double>(r.store->dictionary_entries());
  state.counters["bytes_per_donor_all_in"] = r.bytes_per_donor;
  state.counters["index_bytes_per_donor"] =
      static_cast<double>(r.index_bytes) / static_cast<double>(r.store->size());
}

// Ingest of the streamed text (parse, resolve, intern), index write and
// index load: each once, at setup, reported as manual time.
void BM_RegistryIngest(benchmark::State& state) {
  const Registry& r = Get();
  if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
  for (auto _ : state) state.SetIterationTime(r.ingest_seconds);
  state.counters["rows_per_s"] = static_cast<double>(r.store->size()) / r.ingest_seconds;
  state.counters["MB_per_s"] = static_cast<double>(r.text_bytes) / 1e6 / r.ingest_seconds;
  StoreCounters(state, r);
}
BENCHMARK(BM_RegistryIngest)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

// The imputations `index` makes: ImputeDonors on 2 threads, once, on the
// loaded store (timed here, not at setup, so a run filtered to other
// benchmarks does not pay for it; the benchmarks after it rank a store
// that holds imputations, as an index made by `index` does).
void BM_RegistryImpute(benchmark::State& state) {
  const Registry& r = Get();
  if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
  static const absl::StatusOr<double> seconds = [&]() -> absl::StatusOr<double> {
    auto imputer = hla::impute::Imputer::LoadShipped(r.ref);
    if (!imputer.ok()) return imputer.status();
    const auto start = std::chrono::steady_clock::now();
    absl::Status imputed = hla::registry::ImputeDonors(**imputer, 2, r.store.get());
    if (!imputed.ok()) return imputed;
    return Since(start);
  }();
  if (!seconds.ok()) return state.SkipWithError(std::string(seconds.status().message()).c_str());
  for (auto _ : state) state.SetIterationTime(*seconds);
  state.counters["donors_per_s"] = static_cast<double>(r.store->size()) / *seconds;
  state.counters["runs"] = static_cast<double>(r.store->data().imputation_run_count());
}
BENCHMARK(BM_RegistryImpute)->UseManualTime()->Iterations(1)->Unit(benchmark::kSecond);

void BM_RegistryIndexWrite(benchmark::State& state) {
  const Registry& r = Get();
  if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
  for (auto _ : state) state.SetIterationTime(r.write_seconds);
  state.counters["index_MB"] = static_cast<double>(r.index_bytes) / 1e6;
}
BENCHMARK(BM_RegistryIndexWrite)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_RegistryIndexLoad(benchmark::State& state) {
  const Registry& r = Get();
  if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
  for (auto _ : state) state.SetIterationTime(r.load_seconds);
  state.counters["index_MB"] = static_cast<double>(r.index_bytes) / 1e6;
}
BENCHMARK(BM_RegistryIndexLoad)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

// The per-recipient work: a cell per distinct typing of each locus; with
// range(1) = 1 compiled for the scan only, as Rank does (the light codes,
// no cells, where the query allows: registry/internal/scan.h).
void BM_RegistryQueryCompile(benchmark::State& state) {
  const Registry& r = Get();
  if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
  hla::registry::RankOptions o = r.options;
  o.threads = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto q = hla::registry::CompiledQuery::Compile(
        *r.store, *r.ref, r.recipient, o,
        hla::registry::CompiledQuery::kParallelCompileEntries,
        /*scan_only=*/state.range(1) == 1);
    if (!q.ok()) return state.SkipWithError("compile failed");
    benchmark::DoNotOptimize(q);
  }
  state.counters["distinct_typings"] =
      static_cast<double>(r.store->dictionary_entries());
}
BENCHMARK(BM_RegistryQueryCompile)
    ->ArgNames({"threads", "scan_only"})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Rank(): compile, scan on range(0) threads, top 100; with range(1) = 1,
// the recipient's antibodies too (five specificities, one an epitope: every
// distinct typing of an antibody's locus gets its DSA findings at compile).
void BM_RegistryRank(benchmark::State& state) {
  const Registry& r = Get();
  if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
  hla::registry::RankOptions o = r.options;
  o.threads = static_cast<int>(state.range(0));
  if (state.range(1) == 1) {
    o.recipient.antibodies = {{"A2", 3000}, {"B44", 2500}, {"DR4", 1500},
                              {"A*24:02", 2000}, {"Bw4", 6000}};
  }
  size_t ranked = 0;
  for (auto _ : state) {
    auto result = hla::registry::Rank(*r.store, *r.ref, r.recipient, o);
    if (!result.ok()) return state.SkipWithError("rank failed");
    ranked = result->ranked_count;
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(r.store->size()));
  state.counters["ranked"] = static_cast<double>(ranked);
  StoreCounters(state, r);
}
BENCHMARK(BM_RegistryRank)
    ->ArgNames({"threads", "antibodies"})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The floor the scan is compared with: one pass summing the bytes it
// reads (typing ids and facts words), on `threads`.
void BM_RegistryBandwidthFloor(benchmark::State& state) {
  const Registry& r = Get();
  if (!r.error.empty()) return state.SkipWithError(r.error.c_str());
  const hla::registry::internal::StoreData& d = r.store->data();
  const int threads = static_cast<int>(state.range(0));
  const size_t n = d.size(), stride = d.stride();
  for (auto _ : state) {
    std::vector<uint64_t> sums(static_cast<size_t>(threads), 0);
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        const size_t lo = n * static_cast<size_t>(t) / static_cast<size_t>(threads);
        const size_t hi = n * static_cast<size_t>(t + 1) / static_cast<size_t>(threads);
        uint64_t s = 0;
        for (size_t i = lo; i < hi; ++i) {
          s += d.facts_word(i);
          for (size_t k = 0; k < stride; ++k) {
            s += d.wide_ids() ? d.ids32()[i * stride + k]
                              : d.ids16()[i * stride + k];
          }
        }
        sums[static_cast<size_t>(t)] = s;
      });
    }
    for (std::thread& th : pool) th.join();
    benchmark::DoNotOptimize(sums);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(n * (8 + stride * (d.wide_ids() ? 4 : 2))));
}
BENCHMARK(BM_RegistryBandwidthFloor)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Compiling new gene-copy spellings, what ingest does once per distinct
// spelling on its threads (parse, resolve, BuildGenotype): the distinct
// copies of 20,000 synthetic default-mix donors (seed 7; MACs, allele lists
// and XX codes walk hundreds of alleles each), compiled on one thread.
// A `rank` straight from a text file of a few hundred thousand donors is
// bound by this.
struct SpellingSetup {
  std::shared_ptr<const hla::data::Reference> ref;
  std::unique_ptr<hla::data::Resolver> resolver;
  std::vector<std::string> spellings;
  std::string error;
};

// The distinct gene-copy spellings of 20,000 synthetic donors (the glstring
// column, found by its header, cut at '^' and '+').
const SpellingSetup& Spellings() {
  static const SpellingSetup* const kSetup = [] {
    auto* s = new SpellingSetup;
    absl::StatusOr<Source> source = LoadSource(20000);
    if (!source.ok()) {
      s->error = std::string(source.status().message());
      return s;
    }
    s->ref = source->ref;
    s->resolver = std::make_unique<hla::data::Resolver>(source->ref, source->macs);
    std::string row;
    source->synth->AppendHeader(&row);
    const std::vector<std::string> header =
        absl::StrSplit(absl::StripTrailingAsciiWhitespace(row), '\t');
    const size_t column = static_cast<size_t>(
        std::find(header.begin(), header.end(), "glstring") - header.begin());
    if (column == header.size()) {
      s->error = "the synthetic rows have no glstring column";
      return s;
    }
    absl::flat_hash_set<std::string> seen;
    for (uint64_t i = 0; i < source->options.donors; ++i) {
      row.clear();
      source->synth->AppendDonor(i, &row, nullptr);
      const std::vector<absl::string_view> cols = absl::StrSplit(row, '\t');
      if (cols.size() <= column) continue;
      for (absl::string_view block : absl::StrSplit(cols[column], '^')) {
        for (absl::string_view copy : absl::StrSplit(block, '+')) {
          if (seen.insert(std::string(copy)).second) s->spellings.emplace_back(copy);
        }
      }
    }
    return s;
  }();
  return *kSetup;
}

// As ingest compiles them: names parsed and resolved once per compiler
// (a fresh one each iteration, so every name is new to it once).
void BM_CompileNewSpellingsAsIngest(benchmark::State& state) {
  const SpellingSetup& setup = Spellings();
  if (!setup.error.empty()) return state.SkipWithError(setup.error.c_str());
  size_t compiled = 0;
  for (auto _ : state) {
    hla::registry::internal::PositionCompiler compiler(setup.resolver.get());
    for (const std::string& text : setup.spellings) {
      hla::registry::internal::CompiledPosition c = compiler.Compile(text);
      compiled += c.ok;
      benchmark::DoNotOptimize(c);
    }
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(setup.spellings.size()));
  state.counters["spellings"] = static_cast<double>(setup.spellings.size());
  state.counters["compiled"] = benchmark::Counter(
      static_cast<double>(compiled) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_CompileNewSpellingsAsIngest)->Unit(benchmark::kMillisecond);

// The whole path, each spelling parsed, resolved and BuildGenotype'd.
void BM_CompileNewSpellings(benchmark::State& state) {
  const SpellingSetup* const kSetup = &Spellings();
  if (!kSetup->error.empty()) return state.SkipWithError(kSetup->error.c_str());
  size_t compiled = 0;
  for (auto _ : state) {
    for (const std::string& text : kSetup->spellings) {
      auto gl = hla::parser::ParseGlString(text);
      if (!gl.ok()) continue;
      auto typing = kSetup->resolver->Resolve(*gl);
      if (!typing.ok()) continue;
      auto g = hla::matcher::BuildGenotype(*kSetup->ref, *typing);
      compiled += g.ok();
      benchmark::DoNotOptimize(g);
    }
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(kSetup->spellings.size()));
  state.counters["spellings"] = static_cast<double>(kSetup->spellings.size());
  state.counters["compiled"] = benchmark::Counter(
      static_cast<double>(compiled) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_CompileNewSpellings)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
