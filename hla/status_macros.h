// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Early-return helpers for absl::Status / absl::StatusOr.
//
// Abseil 20220623 (Debian 12) ships no RETURN_IF_ERROR / ASSIGN_OR_RETURN, and we
// do not copy newer Abseil headers in. These two macros are all we need.
//
//   HLA_RETURN_IF_ERROR(LoadFile(path));
//   HLA_ASSIGN_OR_RETURN(auto table, ParseTable(text));
#ifndef HLA_STATUS_MACROS_H_
#define HLA_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define HLA_STATUS_CONCAT_INNER_(a, b) a##b
#define HLA_STATUS_CONCAT_(a, b) HLA_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing function
// if it is not OK.
#define HLA_RETURN_IF_ERROR(expr)                  \
  do {                                             \
    ::absl::Status hla_status_ = (expr);           \
    if (!hla_status_.ok()) return hla_status_;     \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status from the
// enclosing function, otherwise moves the value into `lhs` (which may be a
// declaration such as `auto x` or `const Foo& y`... but not a structured binding).
#define HLA_ASSIGN_OR_RETURN(lhs, rexpr) \
  HLA_ASSIGN_OR_RETURN_IMPL_(HLA_STATUS_CONCAT_(hla_statusor_, __LINE__), lhs, rexpr)

#define HLA_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // HLA_STATUS_MACROS_H_
