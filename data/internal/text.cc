// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "data/internal/text.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace hla::data_internal {

absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view what) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return absl::NotFoundError(
          absl::StrCat("missing file ", path, " (expected ", what, ")"));
    }
    return absl::DataLossError(absl::StrCat("cannot open ", path, " (", what,
                                            "): ", std::strerror(errno)));
  }
  std::string out;
  // One read in the common case: size the buffer from the file length.
  if (std::fseek(f, 0, SEEK_END) == 0) {
    const long size = std::ftell(f);
    if (size > 0) out.reserve(static_cast<size_t>(size));
    std::rewind(f);
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) {
    return absl::DataLossError(
        absl::StrCat("cannot read ", path, " (", what, ")"));
  }
  return out;
}

absl::Status LineError(absl::string_view file, int line,
                       absl::string_view why) {
  return absl::DataLossError(absl::StrCat(file, ":", line, ": ", why));
}

bool LineCursor::Next(absl::string_view* line) {
  if (rest_.empty()) return false;
  const size_t nl = rest_.find('\n');
  if (nl == absl::string_view::npos) {
    *line = rest_;
    rest_ = {};
  } else {
    *line = rest_.substr(0, nl);
    rest_.remove_prefix(nl + 1);
  }
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  ++line_number_;
  return true;
}

bool LineCursor::Peek(absl::string_view* line) const {
  LineCursor copy = *this;
  return copy.Next(line);
}

FileHeader ReadHeader(LineCursor* cursor) {
  FileHeader header;
  absl::string_view line;
  while (cursor->Peek(&line) && absl::StartsWith(line, "#")) {
    cursor->Next(&line);
    ++header.lines;
    absl::string_view body = absl::StripAsciiWhitespace(line.substr(1));
    const size_t colon = body.find(':');
    if (colon == absl::string_view::npos) continue;
    const absl::string_view key = absl::StripAsciiWhitespace(body.substr(0, colon));
    absl::string_view value = absl::StripAsciiWhitespace(body.substr(colon + 1));
    if (key == "date") {
      header.date = value;
    } else if (key == "version") {
      // "IPD-IMGT/HLA 3.58.0": the release number is the last word.
      const size_t space = value.rfind(' ');
      header.version =
          space == absl::string_view::npos ? value : value.substr(space + 1);
    }
  }
  return header;
}

int SplitN(absl::string_view line, char sep, absl::string_view* out,
           int max_fields) {
  int n = 0;
  while (n + 1 < max_fields) {
    const size_t p = line.find(sep);
    if (p == absl::string_view::npos) break;
    out[n++] = line.substr(0, p);
    line.remove_prefix(p + 1);
  }
  out[n++] = line;
  return n;
}

char* Arena::Allocate(size_t n) {
  if (n > left_) {
    const size_t block = n > (1u << 16) ? n : (1u << 16);
    blocks_.emplace_back(new char[block]);
    cur_ = blocks_.back().get();
    left_ = block;
    reserved_ += block;
  }
  char* p = cur_;
  cur_ += n;
  left_ -= n;
  return p;
}

absl::string_view Arena::Copy(absl::string_view s) {
  if (s.empty()) return {};
  char* p = Allocate(s.size());
  std::memcpy(p, s.data(), s.size());
  return absl::string_view(p, s.size());
}

absl::string_view Arena::Concat(absl::string_view a, absl::string_view b,
                                absl::string_view c) {
  const size_t n = a.size() + b.size() + c.size();
  if (n == 0) return {};
  char* p = Allocate(n);
  // memcpy from an empty view's null data() is undefined, hence the guards.
  if (!a.empty()) std::memcpy(p, a.data(), a.size());
  if (!b.empty()) std::memcpy(p + a.size(), b.data(), b.size());
  if (!c.empty()) std::memcpy(p + a.size() + b.size(), c.data(), c.size());
  return absl::string_view(p, n);
}

bool IsDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace hla::data_internal
