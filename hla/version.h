// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The library's own version (semantic versioning; 0.x: a minor version may
// change the API, and the CMake package's version check says so). The
// IPD-IMGT/HLA release a program loaded is data::Reference::version(), and
// the MAC table's date data::MacTable::date(). CMakeLists.txt refuses to
// configure when project(VERSION) and kVersionString disagree.
#ifndef HLA_VERSION_H_
#define HLA_VERSION_H_

namespace hla {

inline constexpr int kVersionMajor = 0;
inline constexpr int kVersionMinor = 1;
inline constexpr int kVersionPatch = 0;
inline constexpr const char kVersionString[] = "0.1.0";

}  // namespace hla

#endif  // HLA_VERSION_H_
