// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: write access to the derived sets of a PositionTyping, which
// CompilePosition otherwise alone fills. For the index file, which restores
// them as it wrote them instead of recomputing, and for the grading tests,
// which build positions on synthetic metadata. Use matcher/match.h
// (BuildGenotype, CompilePosition) instead.
#ifndef HLA_MATCHER_INTERNAL_POSITION_ACCESS_H_
#define HLA_MATCHER_INTERNAL_POSITION_ACCESS_H_

#include <cstdint>
#include <vector>

#include "data/reference.h"
#include "matcher/match.h"

namespace hla::matcher_internal {

struct PositionAccess {
  using P = matcher::PositionTyping;
  static std::vector<uint32_t>& match_keys(P& p) { return p.match_keys_; }
  static std::vector<uint32_t>& null_alternative_keys(P& p) {
    return p.null_alternative_keys_;
  }
  static std::vector<uint32_t>& g_groups(P& p) { return p.g_groups_; }
  static std::vector<data::AntigenId>& serology(P& p) { return p.serology_; }
  static std::vector<uint8_t>& tce_groups(P& p) { return p.tce_groups_; }
  static bool& all_null(P& p) { return p.all_null_; }
  static bool& any_null(P& p) { return p.any_null_; }
  static bool& tce_unknown(P& p) { return p.tce_unknown_; }
  static bool& admits_variant(P& p) { return p.admits_variant_; }
  static bool& admits_null(P& p) { return p.admits_null_; }
  static bool admits_null(const P& p) { return p.admits_null_; }
  static uint8_t& p_group_count(P& p) { return p.p_group_count_; }
};

}  // namespace hla::matcher_internal

#endif  // HLA_MATCHER_INTERNAL_POSITION_ACCESS_H_
