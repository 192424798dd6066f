// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Calibration of the match probabilities (impute/impute.h) against the
// ground truth of a synthetic registry: `haplomatch synth --donors N
// --truth T` writes the typed donors and each donor's true genotype; this
// predicts from the typed rows only and compares with the truth.
//
// Pairs: the first `recipients` rows are recipients, the rest donors. Two
// sets, each chosen from the typed data alone (so that a calibrated
// posterior stays calibrated on them):
//   random     pairs drawn uniformly (per-locus figures; P(10/10) is then
//              almost always near 0);
//   potential  every (recipient, donor) pair whose typings can match both
//              copies at A, B and DRB1 (a registry search's candidates), up
//              to `max_potential` of them: where P(10/10) spreads over [0, 1].
// Each prediction is binned by tenths; a bin's mean prediction and observed
// frequency are reported with its count, and the Brier score (mean squared
// difference between prediction and outcome) per quantity.
#ifndef HLA_VALIDATION_PROBABILITY_CALIBRATION_H_
#define HLA_VALIDATION_PROBABILITY_CALIBRATION_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hla::validation {

struct CalibrationOptions {
  std::string donors;  // the typed registry (synth output)
  std::string truth;   // synth --truth output for the same registry
  // When set, every potential-match pair is written there as CSV
  // (recipient, donor, p10, m10, then p and outcome per locus), to look
  // into a bin.
  std::string samples;
  uint64_t recipients = 1000;
  uint64_t random_pairs = 100000;
  uint64_t max_potential = 200000;
  // One candidate pair per recipient (drawn at random among its
  // candidates, which are not enumerated): independent pairs, as a
  // reliability table assumes; a registry with many recipients fills the
  // bins. Without it, every candidate pair of every recipient (a recipient
  // with a rare allele then fills a bin with its one error).
  bool one_per_recipient = false;
  // Leave out of every pair the persons typed with an allele list ('/') or
  // a MAC: the synthesiser writes them as the true allele plus random
  // partners (a code that contains it), so their likelihood is not flat
  // over their alleles as imputation assumes.
  bool skip_lists = false;
  // Impute everyone with the mixture, as if no population were known (the
  // registry's `population` column is read by default, as `index` reads it).
  bool ignore_population = false;
  uint64_t seed = 20261206;
  int threads = 2;
};

struct Reliability {
  std::string quantity;  // "P(10/10)", "P(A 2/2)", ...
  std::string pairs;     // "random" or "potential"
  uint64_t n = 0;
  double brier = 0;
  // By tenths of the prediction: count, mean prediction, observed share.
  std::array<uint64_t, 10> count{};
  std::array<double, 10> predicted{}, observed{};
};

struct Calibration {
  uint64_t persons = 0, recipients = 0, donors = 0;
  uint64_t unexplained = 0;   // persons no table pair explains
  uint64_t not_imputed = 0;   // persons too vaguely typed to impute
  uint64_t random_pairs = 0, potential_pairs = 0;
  std::vector<Reliability> tables;
  // Bins of at least 1,000 pairs whose mean prediction and observed share
  // differ by more than 5 points ("P(10/10) potential 0.3-0.4: ...").
  std::vector<std::string> out_of_tolerance;
  double seconds = 0;
};

// Reads both files, imputes every person once, and measures. Errors: a file
// that cannot be read, a truth line for a donor not in the registry or the
// other way round.
absl::StatusOr<Calibration> Calibrate(const CalibrationOptions& options);

// The tables as Markdown (docs/probability.md quotes them).
std::string CalibrationMarkdown(const Calibration& c);

}  // namespace hla::validation

#endif  // HLA_VALIDATION_PROBABILITY_CALIBRATION_H_
