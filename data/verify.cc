// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Checksum lists read here:
//   MANIFEST.md5 (md5sum output): "<32 hex>  <path>" or "<32 hex> *<path>"
//   md5checksum.txt (BSD md5 output): "MD5 (<name>) = <32 hex>"
// Quirk: in 3.44.0, wmda/md5checksum.txt names its files "wmda/README.md"
// (relative to the release), in 3.58.0 "README.md" (relative to wmda/); a name
// is tried relative to the list's directory, then to the release directory.
#include "data/verify.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "data/internal/md5.h"
#include "data/internal/text.h"
#include "hla/status_macros.h"

namespace hla::data {
namespace {

using data_internal::LineCursor;
using data_internal::LineError;

bool IsFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool IsHex32(absl::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

class Verifier {
 public:
  explicit Verifier(std::string root) : root_(std::move(root)) {}

  void Check(const std::string& rel, const std::string& list,
             absl::string_view expected) {
    FileCheck c;
    c.path = rel;
    c.checksum_file = list;
    c.expected = absl::AsciiStrToLower(expected);
    const std::string full = absl::StrCat(root_, "/", rel);
    auto it = cache_.find(full);
    if (it == cache_.end()) {
      absl::StatusOr<std::string> text = data_internal::ReadFile(full, "a data file");
      it = cache_.emplace(full, text.ok() ? data_internal::Md5Hex(*text) : "")
               .first;
    }
    c.actual = it->second;
    if (c.actual.empty()) {
      c.result = FileCheck::Result::kMissing;
      ++report_.missing;
    } else if (c.actual != c.expected) {
      c.result = FileCheck::Result::kMismatch;
      ++report_.mismatched;
    } else {
      ++report_.ok;
    }
    report_.checks.push_back(std::move(c));
  }

  absl::Status Manifest() {
    const std::string path = absl::StrCat(root_, "/MANIFEST.md5");
    HLA_ASSIGN_OR_RETURN(
        std::string text,
        data_internal::ReadFile(path, "md5sum-format checksums of the shipped "
                                      "data files"));
    LineCursor cursor(text);
    absl::string_view line;
    while (cursor.Next(&line)) {
      if (absl::StripAsciiWhitespace(line).empty() || line[0] == '#') continue;
      // "<hash>  <path>" (text mode) or "<hash> *<path>" (binary mode).
      if (line.size() < 35 || !IsHex32(line.substr(0, 32)) || line[32] != ' ' ||
          (line[33] != ' ' && line[33] != '*')) {
        return LineError(path, cursor.line_number(),
                         absl::StrCat("expected '<md5>  <path>', found '", line,
                                      "'"));
      }
      Check(std::string(line.substr(34)), "MANIFEST.md5", line.substr(0, 32));
    }
    return absl::OkStatus();
  }

  // One IMGT md5checksum.txt; `list_rel` relative to the root, `release_rel`
  // the release directory relative to the root.
  absl::Status ImgtList(const std::string& list_rel,
                        const std::string& release_rel) {
    const std::string path = absl::StrCat(root_, "/", list_rel);
    absl::StatusOr<std::string> text = data_internal::ReadFile(path, "");
    if (!text.ok()) return absl::OkStatus();  // 3.44.0 has no top-level list
    const std::string list_dir = list_rel.substr(0, list_rel.rfind('/'));
    LineCursor cursor(*text);
    absl::string_view line;
    while (cursor.Next(&line)) {
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      absl::string_view rest = line;
      const size_t close = rest.rfind(") = ");
      if (!absl::ConsumePrefix(&rest, "MD5 (") || close == absl::string_view::npos ||
          !IsHex32(line.substr(close + 4))) {
        return LineError(path, cursor.line_number(),
                         absl::StrCat("expected 'MD5 (<name>) = <md5>', found '",
                                      line, "'"));
      }
      const absl::string_view name = line.substr(5, close - 5);
      const absl::string_view hash = line.substr(close + 4);
      for (const std::string& base : {list_dir, release_rel}) {
        const std::string rel = absl::StrCat(base, "/", name);
        if (IsFile(absl::StrCat(root_, "/", rel))) {
          Check(rel, list_rel, hash);
          break;
        }
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<VerifyReport> Run() {
    HLA_RETURN_IF_ERROR(Manifest());
    std::vector<std::string> releases;
    if (DIR* d = ::opendir(absl::StrCat(root_, "/imgt").c_str())) {
      while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") releases.push_back(name);
      }
      ::closedir(d);
    }
    std::sort(releases.begin(), releases.end());
    for (const std::string& v : releases) {
      const std::string rel = absl::StrCat("imgt/", v);
      HLA_RETURN_IF_ERROR(ImgtList(absl::StrCat(rel, "/md5checksum.txt"), rel));
      HLA_RETURN_IF_ERROR(
          ImgtList(absl::StrCat(rel, "/wmda/md5checksum.txt"), rel));
    }
    return std::move(report_);
  }

 private:
  std::string root_;
  VerifyReport report_;
  absl::flat_hash_map<std::string, std::string> cache_;  // path -> md5
};

}  // namespace

absl::StatusOr<VerifyReport> VerifyData(const std::string& data_root) {
  return Verifier(data_root).Run();
}

const char* ResultName(FileCheck::Result r) {
  switch (r) {
    case FileCheck::Result::kOk:
      return "OK";
    case FileCheck::Result::kMismatch:
      return "MISMATCH";
    case FileCheck::Result::kMissing:
      return "MISSING";
  }
  return "?";
}

}  // namespace hla::data
