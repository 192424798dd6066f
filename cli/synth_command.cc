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
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/args.h"
#include "cli/common.h"
#include "cli/command.h"
#include "synth/haplotype_freq.h"
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
    "  --imgt V|DIR          IPD-IMGT/HLA release (default 3.58.0)\n"
    "  --mac FILE            NMDP alpha.v3.txt (default the shipped subset)\n"
    "  --freq FILE           haplotype table in the NMDP 2007 layout\n"
    "                        (default the shipped one)\n"
    "  --stats               print what was written on standard error\n"
    "  --help                show this help\n";

int Usage(Command& cmd, absl::string_view why) {
  *cmd.err << kName << ": " << why << "\n\n" << kUsage;
  return kExitUsage;
}

bool ParseCount(const std::string& text, uint64_t* out) {
  return !text.empty() && text[0] != '-' && text[0] != '+' &&
         absl::SimpleAtoi(text, out);
}

bool ParseRate(const std::string& text, double* out) {
  return absl::SimpleAtod(text, out) && *out >= 0 && *out <= 1;
}

}  // namespace

int RunSynth(Command& cmd) {
  FlagSpec spec;
  spec.value_flags = {"donors",
                      "families",
                      "seed",
                      "population",
                      "format",
                      "out",
                      "as-of",
                      "nonpaternity-rate",
                      "recombination-rate",
                      "imgt",
                      "mac",
                      "freq"};
  spec.bool_flags = {"stats", "help"};
  absl::StatusOr<Args> args = Args::Parse(cmd.args, spec);
  if (!args.ok()) return Usage(cmd, args.status().message());
  if (args->Has("help")) {
    *cmd.out << kUsage;
    return kExitOk;
  }
  if (!args->positional().empty()) {
    return Usage(cmd, absl::StrCat("unexpected argument '",
                                   args->positional().front(), "'"));
  }

  synth::SynthOptions options;
  if (!args->Has("donors") && !args->Has("families")) {
    return Usage(cmd, "give --donors N and/or --families M");
  }
  for (const char* flag : {"donors", "families", "seed"}) {
    if (!args->Has(flag)) continue;
    uint64_t v = 0;
    if (!ParseCount(*args->Get(flag), &v)) {
      return Usage(cmd, absl::StrCat("--", flag,
                                     " must be an unsigned "
                                     "integer, not '",
                                     *args->Get(flag), "'"));
    }
    if (std::string(flag) == "donors") options.donors = v;
    if (std::string(flag) == "families") options.families = v;
    if (std::string(flag) == "seed") options.seed = v;
  }
  const std::string population = args->GetOr("population", "mix");
  if (population != "mix") {
    std::optional<synth::Population> p = synth::ParsePopulation(population);
    if (!p) {
      return Usage(cmd, absl::StrCat("--population must be EUR, AFA, API, "
                                     "HIS or mix, not '",
                                     population, "'"));
    }
    options.population_mix = {0, 0, 0, 0};
    options.population_mix[static_cast<int>(*p)] = 1;
  }
  const std::string format = args->GetOr("format", "csv");
  if (format != "csv" && format != "tsv") {
    return Usage(
        cmd, absl::StrCat("--format must be csv or tsv, not '", format, "'"));
  }
  options.delimiter = format == "tsv" ? '\t' : ',';
  if (args->Has("as-of")) {
    absl::StatusOr<absl::CivilDay> d =
        eligibility::ParseDate(*args->Get("as-of"));
    if (!d.ok()) {
      return Usage(cmd, absl::StrCat("--as-of: ", d.status().message()));
    }
    options.as_of = *d;
  }
  for (const char* flag : {"nonpaternity-rate", "recombination-rate"}) {
    if (!args->Has(flag)) continue;
    double v = 0;
    if (!ParseRate(*args->Get(flag), &v)) {
      return Usage(cmd, absl::StrCat("--", flag,
                                     " must be a number in "
                                     "[0, 1], not '",
                                     *args->Get(flag), "'"));
    }
    (std::string(flag) == "nonpaternity-rate" ? options.nonpaternity_rate
                                              : options.recombination_rate) = v;
  }

  // The data: release, MAC table, haplotype frequencies.
  const data::DataPaths paths = data::DataPaths::FromEnvironment();
  auto fail = [&](const absl::Status& s) {
    *cmd.err << kName << ": " << s.message() << "\n";
    return kExitRejected;
  };
  absl::StatusOr<data::ReferenceData> rd = LoadReferenceData(*args);
  if (!rd.ok()) return fail(rd.status());
  const std::shared_ptr<const data::Reference>& ref = rd->reference;
  const std::shared_ptr<const data::MacTable>& macs = rd->macs;
  std::string freq_path = args->GetOr("freq", "");
  if (freq_path.empty()) {
    absl::StatusOr<std::string> root = data::FindDataRoot(paths);
    if (!root.ok()) return fail(root.status());
    freq_path = absl::StrCat(
        *root, "/", synth::HaplotypeFrequencies::kShippedRelativePath);
  }
  absl::StatusOr<std::shared_ptr<const synth::HaplotypeFrequencies>> freqs =
      synth::HaplotypeFrequencies::Load(freq_path, *ref);
  if (!freqs.ok()) return fail(freqs.status());
  absl::StatusOr<std::unique_ptr<const synth::Synthesizer>> synth =
      synth::Synthesizer::Create(ref, macs, *freqs, options);
  if (!synth.ok()) {
    // Options are checked above, so what is left is a data problem (a
    // population without rows in a --freq table).
    return fail(synth.status());
  }

  std::ofstream file;
  std::ostream* out = cmd.out;
  const std::string out_path = args->GetOr("out", "");
  if (!out_path.empty()) {
    file.open(out_path, std::ios::binary | std::ios::trunc);
    if (!file) {
      return fail(absl::NotFoundError(
          absl::StrCat("cannot open '", out_path, "' for writing")));
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
  synth::SynthStats stats;
  absl::Status written = (*synth)->Write(out, &stats, progress);
  if (!written.ok()) {
    return fail(absl::DataLossError(
        absl::StrCat(written.message(), out_path.empty() ? "" : " to '",
                     out_path, out_path.empty() ? "" : "'")));
  }
  if (args->Has("stats")) {
    std::ostream& e = *cmd.err;
    e << kName << ": " << stats.rows << " rows (" << stats.donors << " donors, "
      << stats.families << " families of " << stats.family_members
      << " persons), " << stats.bytes << " bytes\n";
    e << kName << ": persons by typing kind:";
    for (int k = 0; k < synth::kTypingKindCount; ++k) {
      e << " " << synth::TypingKindName(static_cast<synth::TypingKind>(k)) << "="
        << stats.persons_by_kind[k];
    }
    e << "; MAC fallbacks to lists " << stats.mac_fallbacks
      << "; recombinant meioses " << stats.recombinant_meioses
      << "; non-paternal children " << stats.nonpaternal << "\n";
    for (const std::string& r : (*freqs)->renamed_names()) {
      e << kName << ": haplotype table: " << r << " (renamed in "
        << ref->version() << ")\n";
    }
    for (const std::string& r : (*freqs)->unmapped_names()) {
      e << kName << ": haplotype table: " << r << " not in "
        << ref->version() << "; its rows dropped\n";
    }
  }
  return kExitOk;
}

}  // namespace hla::cli
