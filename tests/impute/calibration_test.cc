// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The calibration of the match probabilities on a small synthetic registry
// (validation/probability_calibration.h; docs/probability.md has the large
// run): the registry and its truth file written by the synthesiser as
// `haplomatch synth --truth` writes them, predicted from the typed rows.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "data/haplotype_freq.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "gtest/gtest.h"
#include "synth/synth.h"
#include "validation/probability_calibration.h"

namespace hla::validation {
namespace {

const std::string kData = HLA_SHIPPED_DATA_DIR;

TEST(Calibration, ASmallRegistryIsCalibrated) {
  auto ref = data::Reference::Load({kData + "/imgt/3.58.0"});
  ASSERT_TRUE(ref.ok());
  auto macs = data::MacTable::Load(kData + "/" + data::MacTable::kShippedRelativePath);
  ASSERT_TRUE(macs.ok());
  auto freqs = data::HaplotypeFrequencies::Load(
      kData + "/" + data::HaplotypeFrequencies::kShippedRelativePath, **ref);
  ASSERT_TRUE(freqs.ok());
  synth::SynthOptions so;
  so.donors = 4000;
  so.seed = 3;
  auto synth = synth::Synthesizer::Create(*ref, *macs, *freqs, so);
  ASSERT_TRUE(synth.ok()) << synth.status();
  const std::string dir = absl::StrCat(::testing::TempDir(), "/hm_cal_", ::getpid());
  std::filesystem::create_directories(dir);
  CalibrationOptions o;
  o.donors = dir + "/reg.csv";
  o.truth = dir + "/truth.csv";
  {
    std::ofstream reg(o.donors);
    ASSERT_TRUE((*synth)->Write(&reg, nullptr, {}).ok());
    std::ofstream truth(o.truth);
    ASSERT_TRUE((*synth)->WriteDonorTruth(&truth).ok());
  }
  o.recipients = 200;
  o.random_pairs = 20000;
  o.max_potential = 20000;
  absl::StatusOr<Calibration> c = Calibrate(o);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->persons, 4000u);
  EXPECT_EQ(c->random_pairs, 20000u);
  EXPECT_GT(c->potential_pairs, 50u);
  EXPECT_EQ(c->unexplained, 0u);
  ASSERT_EQ(c->tables.size(), 12u);
  for (const Reliability& t : c->tables) {
    EXPECT_GT(t.n, 0u) << t.quantity << " " << t.pairs;
    EXPECT_LT(t.brier, 0.05) << t.quantity << " " << t.pairs;
  }
  // Bins of 1,000 pairs or more agree within 5 points.
  EXPECT_TRUE(c->out_of_tolerance.empty()) << CalibrationMarkdown(*c);
  EXPECT_NE(CalibrationMarkdown(*c).find("| P(10/10) | potential |"), std::string::npos);
}

TEST(Calibration, AMissingTruthIsAnError) {
  CalibrationOptions o;
  o.donors = "/nonexistent/reg.csv";
  o.truth = "/nonexistent/truth.csv";
  EXPECT_FALSE(Calibrate(o).ok());
}

}  // namespace
}  // namespace hla::validation
