// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target for registry/donor_file.h: arbitrary bytes read as a CSV,
// TSV or JSON Lines donor file (the first input byte picks the format and
// the id-column option; the rest is the file). Besides "no crash, hang,
// leak or UB" it checks the reader's contracts:
//   - a header error is InvalidArgumentError naming the file;
//   - every row is returned once: Next() stops, rows() counts the rows
//     returned, row lines never go backwards;
//   - a row error is InvalidArgumentError starting "name:line" of that row;
//   - a good row has a non-blank id and a typing.
// Parse-only (no resolver): resolution has its own tests, and a fuzzer that
// loads a release would spend its time in the loader.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "registry/donor_file.h"

using hla::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const absl::string_view input(reinterpret_cast<const char*>(data) + 1,
                                size - 1);
  hla::registry::DonorFileOptions options;
  switch (mode % 4) {
    case 0: options.format = hla::registry::TableFormat::kAuto; break;
    case 1: options.format = hla::registry::TableFormat::kCsv; break;
    case 2: options.format = hla::registry::TableFormat::kTsv; break;
    default: options.format = hla::registry::TableFormat::kJsonLines; break;
  }
  if (mode & 4) options.id_column = "person";
  // Small enough that the fuzzer reaches the over-long row paths.
  options.max_row_bytes = (mode & 8) ? 64 : 4096;
  const std::string name = "fuzz.txt";
  std::istringstream in{std::string(input)};
  absl::StatusOr<std::unique_ptr<hla::registry::DonorFileReader>> reader =
      hla::registry::DonorFileReader::FromStream(&in, name, nullptr, options);
  if (!reader.ok()) {
    Check(reader.status().code() == absl::StatusCode::kInvalidArgument,
          "header error is not InvalidArgument", input);
    Check(absl::StartsWith(reader.status().message(), name),
          "header error does not name the file", input);
    return 0;
  }
  hla::registry::DonorRecord record;
  absl::Status row;
  size_t rows = 0, last_line = 0;
  while ((*reader)->Next(&record, &row)) {
    ++rows;
    Check(rows <= input.size() + 1, "more rows than bytes", input);
    Check(record.line >= last_line, "row lines go backwards", input);
    last_line = record.line;
    if (!row.ok()) {
      Check(row.code() == absl::StatusCode::kInvalidArgument,
            "row error is not InvalidArgument", input);
      Check(absl::StartsWith(row.message(),
                             absl::StrCat(name, ":", record.line)),
            "row error does not start with name:line", input);
      continue;
    }
    Check(!record.facts.id.empty(), "good row without an id", input);
    Check(!record.typing.empty(), "good row without a typing", input);
  }
  Check((*reader)->rows() == rows, "rows() disagrees with Next()", input);
  return 0;
}
