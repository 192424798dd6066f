// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Family segregation (family/family.h): families per second on synthetic
// families (synth/synth.h, default family typing and recombination), read
// once through the family-file reader outside the timed loop. Items =
// families segregated.
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "data/haplotype_freq.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "synth/synth.h"
#include "registry/donor_file.h"
#include "family/family.h"
#include "registry/family_file.h"

namespace {

const std::string kData = HLA_SHIPPED_DATA_DIR;

// 1000 families of synth seed 1, or the reason they could not be made.
struct Families {
  std::vector<hla::registry::FamilyRows> rows;
  std::string error;
};

const Families& LoadFamilies() {
  static const Families* const kFamilies = [] {
    auto* f = new Families;
    auto ref = hla::data::Reference::Load({kData + "/imgt/3.58.0"});
    auto macs = hla::data::MacTable::Load(
        kData + "/" + hla::data::MacTable::kShippedRelativePath);
    if (!ref.ok() || !macs.ok()) {
      f->error = "cannot load the shipped release or MAC table";
      return f;
    }
    auto freqs = hla::data::HaplotypeFrequencies::Load(
        kData + "/" + hla::data::HaplotypeFrequencies::kShippedRelativePath,
        **ref);
    if (!freqs.ok()) {
      f->error = std::string(freqs.status().message());
      return f;
    }
    hla::synth::SynthOptions options;
    options.families = 1000;
    auto synth = hla::synth::Synthesizer::Create(*ref, *macs, *freqs, options);
    if (!synth.ok()) {
      f->error = std::string(synth.status().message());
      return f;
    }
    std::string text;
    (*synth)->AppendHeader(&text);
    for (uint64_t i = 0; i < options.families; ++i) {
      (*synth)->AppendFamily(i, &text, nullptr);
    }
    const hla::data::Resolver resolver(*ref, *macs);
    std::istringstream in(text);
    auto reader =
        hla::registry::DonorFileReader::FromStream(&in, "synth", &resolver);
    if (!reader.ok()) {
      f->error = std::string(reader.status().message());
      return f;
    }
    auto file = hla::registry::ReadFamilyFile(reader->get(), "synth");
    if (!file.ok()) {
      f->error = std::string(file.status().message());
      return f;
    }
    f->rows = std::move(file->families);
    return f;
  }();
  return *kFamilies;
}

void BM_Segregate_Synth(benchmark::State& state) {
  const Families& f = LoadFamilies();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  size_t i = 0;
  for (auto _ : state) {
    const hla::registry::FamilyRows& rows = f.rows[i++ % f.rows.size()];
    auto r = hla::family::Segregate(rows.family_id, rows.members, {});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Segregate_Synth);

}  // namespace

BENCHMARK_MAIN();
