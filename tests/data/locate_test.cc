// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include <sys/stat.h>

#include <string>

#include "data/reference.h"
#include "data/resolve.h"
#include "data_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::data {
namespace {

using ::hla::data_testing::StatusIs;

// A data root with imgt/3.44.0 and imgt/3.58.0 (empty directories suffice).
std::string FakeRoot(const std::string& name) {
  const std::string root = ::testing::TempDir() + "/hm_root_" + name + "_" + std::to_string(::getpid());
  ::mkdir(root.c_str(), 0755);
  ::mkdir((root + "/imgt").c_str(), 0755);
  ::mkdir((root + "/imgt/3.44.0").c_str(), 0755);
  ::mkdir((root + "/imgt/3.58.0").c_str(), 0755);
  return root;
}

TEST(NormalizeImgtVersion, AcceptsDottedAndPyArdForms) {
  EXPECT_EQ(NormalizeImgtVersion("3.58.0"), "3.58.0");
  EXPECT_EQ(NormalizeImgtVersion("3580"), "3.58.0");
  EXPECT_EQ(NormalizeImgtVersion("3440"), "3.44.0");
  EXPECT_EQ(NormalizeImgtVersion("3091"), "3.9.1");
  EXPECT_EQ(NormalizeImgtVersion("3.58"), std::nullopt);
  EXPECT_EQ(NormalizeImgtVersion("3..0"), std::nullopt);
  EXPECT_EQ(NormalizeImgtVersion("latest"), std::nullopt);
  EXPECT_EQ(NormalizeImgtVersion("35800"), std::nullopt);
}

TEST(ResolveImgtDir, VersionUnderBuildTreeRoot) {
  DataPaths p;
  p.build_data_dir = FakeRoot("build");
  EXPECT_EQ(ResolveImgtDir("3440", p).value(), p.build_data_dir + "/imgt/3.44.0");
  EXPECT_EQ(ResolveImgtDir("3.58.0", p).value(),
            p.build_data_dir + "/imgt/3.58.0");
}

TEST(ResolveImgtDir, DefaultIsEnvironmentThenShippedDefault) {
  DataPaths p;
  p.build_data_dir = FakeRoot("default");
  EXPECT_EQ(ResolveImgtDir("", p).value(),
            p.build_data_dir + "/imgt/" + kDefaultImgtVersion);
  p.env_imgt = "3.44.0";
  EXPECT_EQ(ResolveImgtDir("", p).value(), p.build_data_dir + "/imgt/3.44.0");
  EXPECT_EQ(ResolveImgtDir("3580", p).value(),  // the flag wins
            p.build_data_dir + "/imgt/3.58.0");
}

TEST(ResolveImgtDir, EnvironmentDataDirWinsAndIsNotSecondGuessed) {
  DataPaths p;
  p.build_data_dir = FakeRoot("build2");
  p.env_data_dir = FakeRoot("env");
  EXPECT_EQ(ResolveImgtDir("3.44.0", p).value(), p.env_data_dir + "/imgt/3.44.0");
  p.env_data_dir = "/nonexistent/hm";
  EXPECT_THAT(ResolveImgtDir("3.44.0", p),
              StatusIs(absl::StatusCode::kNotFound,
                       "HAPLOMATCH_DATA_DIR=/nonexistent/hm is not a directory"));
}

TEST(ResolveImgtDir, InstallDirIsTheFallback) {
  DataPaths p;
  p.build_data_dir = "/nonexistent/build";
  p.install_data_dir = FakeRoot("install");
  EXPECT_EQ(ResolveImgtDir("3.44.0", p).value(),
            p.install_data_dir + "/imgt/3.44.0");
}

TEST(ResolveImgtDir, DirectoryPathIsTakenAsIs) {
  DataPaths p;
  const std::string dir = FakeRoot("dir") + "/imgt/3.44.0";
  EXPECT_EQ(ResolveImgtDir(dir, p).value(), dir);
  EXPECT_THAT(ResolveImgtDir("/nonexistent/release", p),
              StatusIs(absl::StatusCode::kNotFound,
                       "release directory not found: /nonexistent/release"));
}

TEST(ResolveImgtDir, UnshippedVersionListsWhatWasTried) {
  DataPaths p;
  p.build_data_dir = FakeRoot("unshipped");
  EXPECT_THAT(ResolveImgtDir("3.63.1", p),
              StatusIs(absl::StatusCode::kNotFound,
                       "3.63.1 is not shipped: tried " + p.build_data_dir +
                           "/imgt/3.63.1"));
}

TEST(ResolveImgtDir, NoDataRootListsWhatWasTried) {
  DataPaths p;
  p.build_data_dir = "/nonexistent/a";
  p.install_data_dir = "/nonexistent/b";
  EXPECT_THAT(ResolveImgtDir("3.58.0", p),
              StatusIs(absl::StatusCode::kNotFound,
                       "tried: /nonexistent/a, /nonexistent/b"));
}

TEST(ResolveImgtDir, GarbageIsInvalidArgument) {
  DataPaths p;
  EXPECT_THAT(ResolveImgtDir("latest", p),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--imgt wants a release version"));
}

}  // namespace
}  // namespace hla::data
