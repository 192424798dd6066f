// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The smallest useful haplomatch client: load the default IPD-IMGT/HLA
// release, parse and resolve each typing given, print it reduced to py-ard's
// lgx. Exit 1 if any typing fails.
#include <iostream>

#include "data/reduce.h"
#include "data/reference.h"
#include "hla/version.h"
#include "parser/parse.h"

int main(int argc, char** argv) {
  auto dir = hla::data::ResolveImgtDir("");
  if (!dir.ok()) {
    std::cerr << dir.status() << "\n";
    return 1;
  }
  auto ref = hla::data::Reference::Load({*dir});
  if (!ref.ok()) {
    std::cerr << ref.status() << "\n";
    return 1;
  }
  std::cout << "haplomatch " << hla::kVersionString << ", IPD-IMGT/HLA "
            << (*ref)->version() << "\n";
  hla::data::Reducer reducer(*ref, /*macs=*/nullptr);
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    auto gl = hla::parser::ParseGlString(argv[i]);
    if (!gl.ok()) {
      std::cout << "error: " << gl.status().message() << "\n";
      rc = 1;
      continue;
    }
    auto reduced = reducer.Reduce(*gl, hla::data::ReductionLevel::kLgx);
    if (reduced.ok()) {
      std::cout << reduced->text << "\n";
    } else {
      std::cout << "error: " << reduced.status().message() << "\n";
      rc = 1;
    }
  }
  return rc;
}
