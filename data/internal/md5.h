// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: use data/verify.h instead.
//
// MD5 (RFC 1321), only to compare shipped files with the checksums their
// publishers list (IPD-IMGT/HLA md5checksum.txt, our MANIFEST.md5). Not for
// anything security-related: MD5 is broken for that.
#ifndef HLA_DATA_INTERNAL_MD5_H_
#define HLA_DATA_INTERNAL_MD5_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace hla::data_internal {

class Md5 {
 public:
  Md5();
  void Update(absl::string_view data);
  // Returns the 32-character lowercase hex digest. Call once.
  std::string HexDigest();

 private:
  void Transform(const unsigned char block[64]);

  uint32_t state_[4];
  uint64_t length_ = 0;  // bytes hashed so far
  unsigned char buffer_[64];
  size_t buffered_ = 0;
};

// The hex MD5 of `data`.
std::string Md5Hex(absl::string_view data);

}  // namespace hla::data_internal

#endif  // HLA_DATA_INTERNAL_MD5_H_
