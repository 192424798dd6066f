// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// probability_validation: the match probabilities (impute/impute.h)
// against the truth of a synthetic registry
// (validation/probability_calibration.h). docs/probability.md quotes it:
//
//   haplomatch synth --donors 20000 --seed 11 --out reg.csv --truth truth.csv
//   build/release/validation/probability_validation --donors=reg.csv
//       --truth=truth.csv --recipients=1000     (one command line)
//
// Exits 1 when a bin of at least 1,000 pairs is out by more than 5 points,
// 2 when it cannot run.
#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "validation/probability_calibration.h"

namespace {

constexpr char kUsage[] =
    "usage: probability_validation --donors=FILE --truth=FILE [--recipients=N]\n"
    "                              [--random-pairs=N] [--max-potential=N]\n"
    "                              [--seed=N] [--threads=N]\n"
    "                              [--one-per-recipient] [--skip-lists-and-macs]\n"
    "                              [--ignore-population] [--samples=FILE]\n";

bool Flag(absl::string_view arg, absl::string_view name, absl::string_view* value) {
  const std::string prefix = "--" + std::string(name) + "=";
  if (!absl::StartsWith(arg, prefix)) return false;
  *value = arg.substr(prefix.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  hla::validation::CalibrationOptions o;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    absl::string_view v;
    bool ok = true;
    if (Flag(arg, "donors", &v)) {
      o.donors = std::string(v);
    } else if (Flag(arg, "truth", &v)) {
      o.truth = std::string(v);
    } else if (Flag(arg, "recipients", &v)) {
      ok = absl::SimpleAtoi(v, &o.recipients) && o.recipients <= 10000000;
    } else if (Flag(arg, "random-pairs", &v)) {
      ok = absl::SimpleAtoi(v, &o.random_pairs) && o.random_pairs <= 100000000;
    } else if (Flag(arg, "max-potential", &v)) {
      ok = absl::SimpleAtoi(v, &o.max_potential) && o.max_potential <= 100000000;
    } else if (Flag(arg, "seed", &v)) {
      ok = absl::SimpleAtoi(v, &o.seed);
    } else if (arg == "--skip-lists-and-macs") {
      o.skip_lists = true;
    } else if (Flag(arg, "samples", &v)) {
      o.samples = std::string(v);
    } else if (arg == "--ignore-population") {
      o.ignore_population = true;
    } else if (arg == "--one-per-recipient") {
      o.one_per_recipient = true;
    } else if (Flag(arg, "threads", &v)) {
      ok = absl::SimpleAtoi(v, &o.threads) && o.threads >= 1 && o.threads <= 256;
    } else {
      ok = false;
    }
    if (!ok) {
      std::fprintf(stderr, "probability_validation: bad argument '%s'\n%s", argv[i], kUsage);
      return 2;
    }
  }
  if (o.donors.empty() || o.truth.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  absl::StatusOr<hla::validation::Calibration> c = hla::validation::Calibrate(o);
  if (!c.ok()) {
    std::fprintf(stderr, "probability_validation: %s\n", std::string(c.status().message()).c_str());
    return 2;
  }
  std::fputs(hla::validation::CalibrationMarkdown(*c).c_str(), stdout);
  return c->out_of_tolerance.empty() ? 0 : 1;
}
