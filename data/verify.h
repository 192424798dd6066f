// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// `haplomatch data verify`: are the shipped reference files unmodified?
//
// IPD-IMGT/HLA data may only be redistributed unmodified (CC BY-ND), so we
// check every shipped file against two independent lists:
//   <root>/MANIFEST.md5                      md5sum format, paths relative to
//                                            the data root (ours)
//   <root>/imgt/<v>/md5checksum.txt          "MD5 (name) = hash" (IMGT's own,
//   <root>/imgt/<v>/wmda/md5checksum.txt      per release)
// IMGT's lists name files we did not ship (alignments, hla.dat, ...): those
// are skipped, since only what is present is ours to verify. MANIFEST.md5
// lists exactly what we ship, so a file missing there is reported MISSING.
#ifndef HLA_DATA_VERIFY_H_
#define HLA_DATA_VERIFY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace hla::data {

struct FileCheck {
  enum class Result { kOk, kMismatch, kMissing };
  std::string path;            // relative to the data root
  std::string checksum_file;   // the list that named it, relative to the root
  std::string expected;        // hex MD5 from that list
  std::string actual;          // hex MD5 of the file; empty when missing
  Result result = Result::kOk;
};

struct VerifyReport {
  std::vector<FileCheck> checks;  // in the lists' order, MANIFEST.md5 first
  int ok = 0, mismatched = 0, missing = 0;
  bool all_ok() const { return mismatched == 0 && missing == 0; }
};

// Checks `data_root`. NotFoundError if MANIFEST.md5 is absent; DataLossError
// "path:line: why" for a malformed checksum line. A differing or missing data
// file is not an error: it is in the report.
absl::StatusOr<VerifyReport> VerifyData(const std::string& data_root);

const char* ResultName(FileCheck::Result r);  // "OK", "MISMATCH", "MISSING"

}  // namespace hla::data

#endif  // HLA_DATA_VERIFY_H_
