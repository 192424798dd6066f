// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "data/verify.h"

#include <sys/stat.h>

#include <string>

#include "data_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::data {
namespace {

using ::hla::data_testing::StatusIs;
using ::hla::data_testing::WriteFileOrDie;

// md5("abc") and md5("") (RFC 1321 test suite).
constexpr char kMd5Abc[] = "900150983cd24fb0d6963f7d28e17f72";
constexpr char kMd5Empty[] = "d41d8cd98f00b204e9800998ecf8427e";

std::string MakeRoot(const std::string& name) {
  const std::string root = ::testing::TempDir() + "/hm_verify_" + name + "_" + std::to_string(::getpid());
  for (const char* d : {"", "/imgt", "/imgt/1.0.0", "/imgt/1.0.0/wmda"}) {
    ::mkdir((root + d).c_str(), 0755);
  }
  WriteFileOrDie(root + "/imgt/1.0.0/a.txt", "abc");
  WriteFileOrDie(root + "/imgt/1.0.0/wmda/b.txt", "");
  return root;
}

TEST(VerifyData, AllGood) {
  const std::string root = MakeRoot("good");
  WriteFileOrDie(root + "/MANIFEST.md5",
                 std::string(kMd5Abc) + "  imgt/1.0.0/a.txt\n" + kMd5Empty +
                     " *imgt/1.0.0/wmda/b.txt\n");
  // IMGT's own lists: one entry for a file we do not ship (skipped), and the
  // 3.44.0 quirk of naming wmda files relative to the release.
  WriteFileOrDie(root + "/imgt/1.0.0/md5checksum.txt",
                 std::string("MD5 (a.txt) = ") + kMd5Abc +
                     "\nMD5 (hla.dat.zip) = " + kMd5Abc + "\n");
  WriteFileOrDie(root + "/imgt/1.0.0/wmda/md5checksum.txt",
                 std::string("MD5 (wmda/b.txt) = ") + kMd5Empty);
  auto r = VerifyData(root);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->all_ok());
  EXPECT_EQ(r->ok, 4);
  ASSERT_EQ(r->checks.size(), 4u);
  EXPECT_EQ(r->checks[2].path, "imgt/1.0.0/a.txt");
  EXPECT_EQ(r->checks[2].checksum_file, "imgt/1.0.0/md5checksum.txt");
  EXPECT_EQ(r->checks[3].path, "imgt/1.0.0/wmda/b.txt");
}

TEST(VerifyData, ReportsMismatchAndMissing) {
  const std::string root = MakeRoot("bad");
  WriteFileOrDie(root + "/MANIFEST.md5",
                 std::string(kMd5Empty) + "  imgt/1.0.0/a.txt\n" + kMd5Abc +
                     "  imgt/1.0.0/gone.txt\n");
  auto r = VerifyData(root);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->all_ok());
  EXPECT_EQ(r->mismatched, 1);
  EXPECT_EQ(r->missing, 1);
  EXPECT_EQ(r->checks[0].result, FileCheck::Result::kMismatch);
  EXPECT_EQ(r->checks[0].actual, kMd5Abc);
  EXPECT_EQ(r->checks[1].result, FileCheck::Result::kMissing);
  EXPECT_STREQ(ResultName(r->checks[1].result), "MISSING");
}

TEST(VerifyData, MalformedChecksumLinesNameFileAndLine) {
  const std::string root = MakeRoot("malformed");
  WriteFileOrDie(root + "/MANIFEST.md5", "not-a-hash  imgt/1.0.0/a.txt\n");
  EXPECT_THAT(VerifyData(root),
              StatusIs(absl::StatusCode::kDataLoss,
                       "MANIFEST.md5:1: expected '<md5>  <path>'"));
  WriteFileOrDie(root + "/MANIFEST.md5", "");
  WriteFileOrDie(root + "/imgt/1.0.0/md5checksum.txt", "MD5 a.txt = x\n");
  EXPECT_THAT(VerifyData(root),
              StatusIs(absl::StatusCode::kDataLoss,
                       "md5checksum.txt:1: expected 'MD5 (<name>) = <md5>'"));
}

TEST(VerifyData, MissingManifestIsNotFound) {
  EXPECT_THAT(VerifyData(::testing::TempDir() + "/hm_verify_none"),
              StatusIs(absl::StatusCode::kNotFound, "MANIFEST.md5"));
}

}  // namespace
}  // namespace hla::data
