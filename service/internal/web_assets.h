// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL to service/: the coordinator's page (service/web/) and the
// example family it loads, compiled into the binary (cmake/HlaEmbed.cmake
// generates the table from the files, unmodified), so that `serve` needs
// no files beside it and the page fetches nothing from the network.
#ifndef HLA_SERVICE_INTERNAL_WEB_ASSETS_H_
#define HLA_SERVICE_INTERNAL_WEB_ASSETS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace hla::service::internal {

struct EmbeddedFile {
  const char* url;           // "/", "/app.js", "/example/family.csv"
  const char* content_type;  // "text/html; charset=utf-8"
  const unsigned char* data;
  size_t size;
};
extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

// The file served at `url` (the exact path, no query), or null.
inline const EmbeddedFile* FindEmbeddedFile(absl::string_view url) {
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
    if (url == kEmbeddedFiles[i].url) return &kEmbeddedFiles[i];
  }
  return nullptr;
}

}  // namespace hla::service::internal

#endif  // HLA_SERVICE_INTERNAL_WEB_ASSETS_H_
