// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch synth --donors N [--families M] [--seed S] [flags]
//
// Writes a synthetic registry (synth/synth.h, docs/synth.md): families with
// ground-truth columns first, then unrelated donors, as CSV or TSV in the
// columns the donor-file reader takes (registry/donor_file.h). Output is a
// pure function of the flags and the data, so a seed names a test registry.
// Exit: 0 written, 1 the data could not be loaded or the output written,
// 2 usage error.
#include <cstdint>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/args.h"
#include "cli/common.h"
#include "cli/command.h"
#include "cli/command_line.h"
#include "data/haplotype_freq.h"
#include "eligibility/facts.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "synth/synth.h"

namespace hla::cli {
namespace {

constexpr char kName[] = "haplomatch synth";

constexpr char kUsage[] =
    "usage: haplomatch synth (--donors N | --families M) [flags]\n"
    "\n"
    "Writes a synthetic donor registry drawn from the NMDP 2007 five-locus\n"
    "haplotype frequencies: unrelated donors with a realistic mix of typing\n"
    "resolutions, and families (patient, parents, siblings, children) built\n"
    "by Mendelian inheritance with ground-truth columns. docs/synth.md has\n"
    "the model, its defaults and their sources, and the columns.\n"
    "\n"
    "flags:\n"
    "  --donors N            unrelated donor rows (default 0)\n"
    "  --families M          families (default 0); written before donors\n"
    "  --seed S              random seed, an unsigned integer (default 1)\n"
    "  --population P        EUR, AFA, API, HIS, or mix (default: mix by\n"
    "                        approximate US registry shares)\n"
    "  --format csv|tsv      output format (default csv)\n"
    "  --out FILE            write to FILE instead of standard output\n"
    "  --as-of YYYY-MM-DD    date ages refer to (default 2026-01-01)\n"
    "  --nonpaternity-rate R per patient and sibling, another biological\n"
    "                        father (default 0)\n"
    "  --recombination-rate R  per meiosis across A-DQB1 (default 0.0145)\n"
    "  --other-partner-rate R  per child of the patient after the first, the\n"
    "                        probability of another other parent (default 0)\n"
    "  --half-sibling-rate R  per family, the probability of one or two\n"
    "                        half-siblings of the patient, the mother's or\n"
    "                        the father's with another partner (default 0)\n"
    "  --imgt V|DIR          IPD-IMGT/HLA release (default 3.58.0)\n"
    "  --mac FILE            NMDP alpha.v3.txt (default the shipped subset)\n"
    "  --freq FILE           haplotype table in the NMDP 2007 layout\n"
    "                        (default the shipped one)\n"
    "  --truth FILE          also write each unrelated donor's true genotype\n"
    "                        (id,population,haplotype_1,haplotype_2) to FILE\n"
    "  --stats               print what was written on standard error\n"
    "  --help                show this help\n";

bool ParseCount(const std::string& text, uint64_t* out) {
  return !text.empty() && text[0] != '-' && text[0] != '+' &&
         absl::SimpleAtoi(text, out);
}

bool ParseRate(const std::string& text, double* out) {
  return absl::SimpleAtod(text, out) && *out >= 0 && *out <= 1;
}

FlagSpec SynthFlagSpec() {
  FlagSpec spec;
  spec.value_flags = {"donors",
                      "families",
                      "seed",
                      "population",
                      "format",
                      "out",
                      "truth",
                      "as-of",
                      "nonpaternity-rate",
                      "recombination-rate",
                      "other-partner-rate",
                      "half-sibling-rate",
                      "imgt",
                      "mac",
                      "freq"};
  spec.bool_flags = {"stats"};
  return spec;
}

// Each of `flags` that is given, read with `parse` into its target, in
// order; "--FLAG must be WHAT, not 'VALUE'" for the first it refuses.
template <typename T>
absl::Status ParseEach(
    const Args& args, std::initializer_list<std::pair<const char*, T*>> flags,
    bool (*parse)(const std::string&, T*), const char* what) {
  for (const auto& [flag, target] : flags) {
    const std::optional<std::string> v = args.Get(flag);
    if (v && !parse(*v, target)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, " must be ", what, ", not '", *v, "'"));
    }
  }
  return absl::OkStatus();
}

// --population: one population, or the mix.
absl::Status ParsePopulationFlag(const Args& args, synth::SynthOptions* o) {
  const std::string population = args.GetOr("population", "mix");
  if (population != "mix") {
    std::optional<data::Population> p = data::ParsePopulation(population);
    if (!p) {
      return absl::InvalidArgumentError(
          absl::StrCat("--population must be EUR, AFA, API, HIS or mix, not '",
                       population, "'"));
    }
    o->population_mix = {0, 0, 0, 0};
    o->population_mix[static_cast<int>(*p)] = 1;
  }
  return absl::OkStatus();
}

struct SynthConfig {
  synth::SynthOptions options;
  std::string freq;  // --freq, or empty: the shipped table
  std::string out;   // --out, or empty: standard output
  std::string truth;  // --truth, or empty
  bool stats = false;
};

// Every flag, in the order its errors are reported; all are usage errors.
absl::StatusOr<SynthConfig> ParseSynthFlags(const Args& args) {
  if (absl::Status s = args.NoPositional(); !s.ok()) return s;
  if (!args.Has("donors") && !args.Has("families")) {
    return absl::InvalidArgumentError("give --donors N and/or --families M");
  }
  SynthConfig c;
  synth::SynthOptions& o = c.options;
  if (absl::Status s = ParseEach<uint64_t>(
          args,
          {{"donors", &o.donors}, {"families", &o.families}, {"seed", &o.seed}},
          ParseCount, "an unsigned integer");
      !s.ok()) {
    return s;
  }
  // Bounded, so that no count a user types runs for years: ten billion
  // donor rows is about 1 TB of CSV.
  constexpr uint64_t kMaxSynthRows = 10000000000;
  if (o.donors > kMaxSynthRows || o.families > kMaxSynthRows / 10) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--donors: at most ", kMaxSynthRows, ", --families: at most ",
        kMaxSynthRows / 10));
  }
  if (absl::Status s = ParsePopulationFlag(args, &o); !s.ok()) return s;
  absl::StatusOr<char> delimiter =
      args.Choice<char>("format", {{"csv", ','}, {"tsv", '\t'}}, ',');
  if (!delimiter.ok()) return delimiter.status();
  o.delimiter = *delimiter;
  if (auto v = args.Get("as-of")) {
    absl::StatusOr<absl::CivilDay> d = eligibility::ParseDate(*v);
    if (!d.ok()) return UsageError(d.status(), "--as-of: ");
    o.as_of = *d;
  }
  if (absl::Status s = ParseEach<double>(
          args,
          {{"nonpaternity-rate", &o.nonpaternity_rate},
           {"other-partner-rate", &o.other_partner_rate},
           {"half-sibling-rate", &o.half_sibling_rate},
           {"recombination-rate", &o.recombination_rate}},
          ParseRate, "a number in [0, 1]");
      !s.ok()) {
    return s;
  }
  c.freq = args.GetOr("freq", "");
  c.out = args.GetOr("out", "");
  c.truth = args.GetOr("truth", "");
  if (!c.truth.empty() && c.truth == c.out) {
    return absl::InvalidArgumentError("--truth and --out name the same file");
  }
  c.stats = args.Has("stats");
  return c;
}

// The release, the MAC table and the haplotype frequencies the draws use.
struct SynthData {
  std::shared_ptr<const data::Reference> ref;
  std::shared_ptr<const data::HaplotypeFrequencies> freqs;
  std::unique_ptr<const synth::Synthesizer> synth;
};

// Every error is a data problem (rejected input): the options are checked
// by ParseSynthFlags, so what Create refuses is a population without rows
// in a --freq table.
absl::StatusOr<SynthData> LoadSynthesizer(const Args& args,
                                          const SynthConfig& config) {
  absl::StatusOr<data::ReferenceData> rd = LoadReferenceData(args);
  if (!rd.ok()) return rd.status();
  SynthData d;
  d.ref = rd->reference;
  std::string freq_path = config.freq;
  if (freq_path.empty()) {
    absl::StatusOr<std::string> root =
        data::FindDataRoot(data::DataPaths::FromEnvironment());
    if (!root.ok()) return root.status();
    freq_path = absl::StrCat(
        *root, "/", data::HaplotypeFrequencies::kShippedRelativePath);
  }
  absl::StatusOr<std::shared_ptr<const data::HaplotypeFrequencies>> freqs =
      data::HaplotypeFrequencies::Load(freq_path, *d.ref);
  if (!freqs.ok()) return freqs.status();
  d.freqs = *freqs;
  absl::StatusOr<std::unique_ptr<const synth::Synthesizer>> synth =
      synth::Synthesizer::Create(d.ref, rd->macs, d.freqs, config.options);
  if (!synth.ok()) return synth.status();
  d.synth = *std::move(synth);
  return d;
}

// Writes the registry to --out or standard output, with a row count on an
// interactive stderr.
absl::Status WriteRegistry(const CommandLine& cl, const SynthConfig& config,
                           const synth::Synthesizer& synth,
                           synth::SynthStats* stats) {
  Command& cmd = cl.cmd();
  std::ofstream file;
  std::ostream* out = cmd.out;
  if (!config.out.empty()) {
    file.open(config.out, std::ios::binary | std::ios::trunc);
    if (!file) {
      return absl::NotFoundError(
          absl::StrCat("cannot open '", config.out, "' for writing"));
    }
    out = &file;
  }
  std::function<void(uint64_t, uint64_t)> progress;
  if (cmd.interactive) {
    progress = [&cmd](uint64_t done, uint64_t total) {
      *cmd.err << "\r" << kName << ": " << done << " / " << total << " rows"
               << (done >= total ? "\n" : "") << std::flush;
    };
  }
  absl::Status written = synth.Write(out, stats, progress);
  if (written.ok() && !config.out.empty()) {
    written = FinishOutput(file, absl::StrCat("'", config.out, "'"));
    if (!written.ok()) return written;
  }
  if (!written.ok()) {
    const bool named = !config.out.empty();
    return absl::DataLossError(absl::StrCat(written.message(),
                                            named ? " to '" : "", config.out,
                                            named ? "'" : ""));
  }
  return absl::OkStatus();
}

// --stats: what was written, on standard error.
void TellSynthStats(const CommandLine& cl, const synth::SynthStats& stats,
                    const SynthData& data) {
  cl.Tell(absl::StrCat(stats.rows, " rows (", stats.donors, " donors, ",
                       stats.families, " families of ", stats.family_members,
                       " persons), ", stats.bytes, " bytes"));
  std::string kinds = "persons by typing kind:";
  for (int k = 0; k < synth::kTypingKindCount; ++k) {
    absl::StrAppend(&kinds, " ",
                    synth::TypingKindName(static_cast<synth::TypingKind>(k)),
                    "=", stats.persons_by_kind[k]);
  }
  cl.Tell(absl::StrCat(kinds, "; MAC fallbacks to lists ",
                       stats.mac_fallbacks, "; recombinant meioses ",
                       stats.recombinant_meioses, "; non-paternal children ",
                       stats.nonpaternal, "; other partners ",
                       stats.other_partners, "; half-siblings ",
                       stats.half_siblings));
  const auto& version = data.ref->version();
  for (const std::string& r : data.freqs->renamed_names()) {
    cl.Tell(absl::StrCat("haplotype table: ", r, " (renamed in ", version,
                         ")"));
  }
  for (const std::string& r : data.freqs->unmapped_names()) {
    cl.Tell(absl::StrCat("haplotype table: ", r, " not in ", version,
                         "; its rows dropped"));
  }
}

}  // namespace

int RunSynth(Command& cmd) {
  CommandLine cl(cmd, kName, kUsage, SynthFlagSpec());
  std::optional<SynthConfig> config;
  if (std::optional<int> done = cl.Parse(ParseSynthFlags, &config)) {
    return *done;
  }
  absl::StatusOr<SynthData> data = LoadSynthesizer(cl.args(), *config);
  if (!data.ok()) return cl.Reject(data.status().message());
  synth::SynthStats stats;
  if (absl::Status s = WriteRegistry(cl, *config, *data->synth, &stats);
      !s.ok()) {
    return cl.Reject(s.message());
  }
  if (!config->truth.empty()) {
    std::ofstream truth(config->truth, std::ios::binary | std::ios::trunc);
    if (!truth) {
      return cl.Reject(absl::StrCat("cannot open '", config->truth, "' for writing"));
    }
    absl::Status s = data->synth->WriteDonorTruth(&truth);
    if (s.ok()) s = FinishOutput(truth, absl::StrCat("'", config->truth, "'"));
    if (!s.ok()) return cl.Reject(absl::StrCat(s.message(), " ('", config->truth, "')"));
  }
  if (config->stats) TellSynthStats(cl, stats, *data);
  return kExitOk;
}

}  // namespace hla::cli
