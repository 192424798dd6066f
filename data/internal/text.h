// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: use data/reference.h or data/mac_table.h instead.
//
// Small text helpers shared by the reference-file loaders: whole-file reads,
// a line cursor that counts lines and tolerates a missing final newline, the
// `# key: value` header block of IPD-IMGT/HLA files, bounded field splitting
// that never allocates, and an arena for names the loaders have to build.
#ifndef HLA_DATA_INTERNAL_TEXT_H_
#define HLA_DATA_INTERNAL_TEXT_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hla::data_internal {

// Reads the whole file. NotFoundError names `path` and `what` (e.g. "the
// IPD-IMGT/HLA allele list") when it does not exist; other I/O failures are
// DataLossError with the path.
absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     absl::string_view what);

// "file:line: why" as a DataLossError: the code every loader uses for a
// malformed line, so that every error names the file and the line.
absl::Status LineError(absl::string_view file, int line, absl::string_view why);

// Iterates over the lines of a text. The returned line excludes '\n' and a
// trailing '\r'; the last line needs no newline. line_number() is 1-based and
// refers to the line most recently returned.
class LineCursor {
 public:
  explicit LineCursor(absl::string_view text) : rest_(text) {}

  bool Next(absl::string_view* line);
  // Returns the next line without consuming it; false at the end.
  bool Peek(absl::string_view* line) const;
  int line_number() const { return line_number_; }

 private:
  absl::string_view rest_;
  int line_number_ = 0;
};

// The `# key: value` lines IMGT puts at the top of each file
// (file, date, version, origin, repository, author).
struct FileHeader {
  absl::string_view date;     // "2024-10-09"
  absl::string_view version;  // "3.58.0" (from "IPD-IMGT/HLA 3.58.0")
  int lines = 0;              // how many leading '#' lines were consumed
};

// Consumes the leading run of lines that start with '#' (only those in the
// `# key: value` form are interpreted; values are whitespace-trimmed because
// rel_dna_ser.txt 3.58.0 has "# date: 2024-10-09\t").
FileHeader ReadHeader(LineCursor* cursor);

// Splits `line` at `sep` into at most `max_fields` pieces; the last piece
// keeps any further separators (so a free-text last column may contain them).
// Returns the number of pieces written to `out` (>= 1).
int SplitN(absl::string_view line, char sep, absl::string_view* out,
           int max_fields);

// Owns bytes for names that the files do not spell out whole (a G group's
// "A*" + "01:01:01G"). Views stay valid for the arena's lifetime; moving the
// arena keeps them valid (blocks are heap-allocated and never reallocated).
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) = default;
  Arena& operator=(Arena&&) = default;

  absl::string_view Copy(absl::string_view s);
  absl::string_view Concat(absl::string_view a, absl::string_view b,
                           absl::string_view c = {});
  size_t bytes_reserved() const { return reserved_; }

 private:
  char* Allocate(size_t n);

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cur_ = nullptr;
  size_t left_ = 0;
  size_t reserved_ = 0;
};

// True when `s` is non-empty and all ASCII digits.
bool IsDigits(absl::string_view s);

}  // namespace hla::data_internal

#endif  // HLA_DATA_INTERNAL_TEXT_H_
