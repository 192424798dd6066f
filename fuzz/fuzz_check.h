// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// For the fuzz targets: a broken contract aborts with the input, which
// libFuzzer reports as a crash and keeps as a reproducer.
#ifndef HLA_FUZZ_FUZZ_CHECK_H_
#define HLA_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#include "absl/strings/string_view.h"

namespace hla::fuzz {

inline void Check(bool ok, const char* what, absl::string_view input) {
  if (ok) return;
  std::fprintf(stderr, "contract broken: %s\ninput: '%.*s'\n", what,
               static_cast<int>(input.size()), input.data());
  std::abort();
}

}  // namespace hla::fuzz

#endif  // HLA_FUZZ_FUZZ_CHECK_H_
