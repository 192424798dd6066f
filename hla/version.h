// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The library's own version (semantic versioning).
#ifndef HLA_VERSION_H_
#define HLA_VERSION_H_

namespace hla {

inline constexpr int kVersionMajor = 0;
inline constexpr int kVersionMinor = 1;
inline constexpr int kVersionPatch = 0;
inline constexpr const char kVersionString[] = "0.1.0";

}  // namespace hla

#endif  // HLA_VERSION_H_
