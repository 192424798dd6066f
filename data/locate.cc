// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Finding the data: the data root and the release directory behind --imgt.
#include <sys/stat.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "data/internal/text.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"

#ifndef HLA_DATA_DIR_BUILD
#define HLA_DATA_DIR_BUILD ""
#endif
#ifndef HLA_DATA_DIR_INSTALL
#define HLA_DATA_DIR_INSTALL ""
#endif

namespace hla::data {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

}  // namespace

DataPaths DataPaths::FromEnvironment() {
  DataPaths p;
  p.env_data_dir = Getenv("HAPLOMATCH_DATA_DIR");
  p.env_imgt = Getenv("HAPLOMATCH_IMGT");
  p.build_data_dir = HLA_DATA_DIR_BUILD;
  p.install_data_dir = HLA_DATA_DIR_INSTALL;
  return p;
}

absl::StatusOr<std::string> FindDataRoot(const DataPaths& paths) {
  std::vector<std::string> tried;
  // An explicit $HAPLOMATCH_DATA_DIR is the user's word: no fallback if it
  // is wrong, or a typo would silently load other data.
  if (!paths.env_data_dir.empty()) {
    if (IsDirectory(paths.env_data_dir)) return paths.env_data_dir;
    return absl::NotFoundError(absl::StrCat(
        "HAPLOMATCH_DATA_DIR=", paths.env_data_dir, " is not a directory"));
  }
  for (const std::string* dir : {&paths.build_data_dir, &paths.install_data_dir}) {
    if (dir->empty()) continue;
    if (IsDirectory(*dir)) return *dir;
    tried.push_back(*dir);
  }
  return absl::NotFoundError(absl::StrCat(
      "no haplomatch data directory found (set HAPLOMATCH_DATA_DIR); tried: ",
      tried.empty() ? "nothing configured" : absl::StrJoin(tried, ", ")));
}

std::optional<std::string> NormalizeImgtVersion(absl::string_view v) {
  // "3.58.0": digits separated by exactly two dots.
  int dots = 0;
  bool ok = !v.empty();
  for (char c : v) {
    if (c == '.') {
      ++dots;
    } else if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      ok = false;
    }
  }
  if (ok && dots == 2 && v.front() != '.' && v.back() != '.' &&
      v.find("..") == absl::string_view::npos) {
    return std::string(v);
  }
  // py-ard's "3580": major digit, two minor digits, patch digit.
  if (v.size() == 4 && data_internal::IsDigits(v)) {
    const int minor = (v[1] - '0') * 10 + (v[2] - '0');
    return absl::StrCat(v.substr(0, 1), ".", minor, ".", v.substr(3, 1));
  }
  return std::nullopt;
}

absl::StatusOr<std::string> ResolveImgtDir(absl::string_view selector,
                                           const DataPaths& paths) {
  std::string value(selector);
  if (value.empty()) value = paths.env_imgt;
  if (value.empty()) value = kDefaultImgtVersion;
  const std::optional<std::string> version = NormalizeImgtVersion(value);
  if (!version || value.find('/') != std::string::npos) {
    if (IsDirectory(value)) return value;
    if (value.find('/') != std::string::npos || version) {
      return absl::NotFoundError(absl::StrCat(
          "IPD-IMGT/HLA release directory not found: ", value));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "--imgt wants a release version (3.58.0, 3580) or a directory, got '",
        value, "'"));
  }
  // A version: a shipped release under the data root.
  absl::StatusOr<std::string> root = FindDataRoot(paths);
  if (!root.ok()) {
    return absl::NotFoundError(absl::StrCat("IPD-IMGT/HLA release ", *version,
                                            ": ", root.status().message()));
  }
  const std::string dir = absl::StrCat(*root, "/imgt/", *version);
  if (IsDirectory(dir)) return dir;
  // A relative directory that happens to look like a version ("3.44.0").
  if (IsDirectory(value)) return value;
  return absl::NotFoundError(absl::StrCat(
      "IPD-IMGT/HLA release ", *version, " is not shipped: tried ", dir,
      " and ./", value));
}

absl::StatusOr<std::string> ResolveImgtDir(absl::string_view selector) {
  return ResolveImgtDir(selector, DataPaths::FromEnvironment());
}

absl::StatusOr<ReferenceData> LoadReferenceData(absl::string_view imgt,
                                                absl::string_view mac_path,
                                                const DataPaths& paths) {
  ReferenceData d;
  absl::StatusOr<std::string> dir = ResolveImgtDir(imgt, paths);
  if (!dir.ok()) return dir.status();
  d.imgt_dir = *std::move(dir);
  absl::StatusOr<std::shared_ptr<const Reference>> ref =
      Reference::Load({d.imgt_dir});
  if (!ref.ok()) return ref.status();
  d.reference = *std::move(ref);
  d.mac_path = std::string(mac_path);
  if (d.mac_path.empty()) {
    absl::StatusOr<std::string> root = FindDataRoot(paths);
    if (!root.ok()) {
      return absl::Status(root.status().code(),
                          absl::StrCat("MAC table: ", root.status().message()));
    }
    d.mac_path = absl::StrCat(*root, "/", MacTable::kShippedRelativePath);
  }
  absl::StatusOr<std::shared_ptr<const MacTable>> macs =
      MacTable::Load(d.mac_path);
  if (!macs.ok()) return macs.status();
  d.macs = *std::move(macs);
  return d;
}

absl::StatusOr<ReferenceData> LoadReferenceData(absl::string_view imgt,
                                                absl::string_view mac_path) {
  return LoadReferenceData(imgt, mac_path, DataPaths::FromEnvironment());
}

}  // namespace hla::data
