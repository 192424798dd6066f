// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// NMDP multiple allele codes (MAC): "A*02:AB" means A*02:01/A*02:02.
//
//   HLA_ASSIGN_OR_RETURN(auto macs, hla::data::MacTable::Load(path));
//   if (const hla::data::MacCode* c = macs->Find("AB")) { ... c->Items() ... }
//
// A *generic* code lists second fields only ("AB" -> 01/02) and applies to any
// first field; an *allele-specific* code lists first:second fields ("GD" ->
// 03:01/52:01) and applies only with a first field it names. NMDP's live table
// has over a million codes and grows daily, and the shipped one is a 2020
// subset: a code missing here is "not in the loaded table (dated ...)", not
// "invalid" -- say so to users. Immutable after Load; share it across
// threads freely.
#ifndef HLA_DATA_MAC_TABLE_H_
#define HLA_DATA_MAC_TABLE_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace hla::data {

struct MacCode {
  absl::string_view code;       // "AB"
  absl::string_view expansion;  // "01/02" or "03:01/52:01", as in the file
  bool allele_specific = false;

  // The '/'-separated items of the expansion ("01", "02").
  std::vector<absl::string_view> Items() const;
};

class MacTable {
 public:
  // Reads NMDP's alpha.v3.txt layout (see mac_table.cc for the format).
  // NotFoundError names the path; DataLossError "path:line: why" for a
  // malformed or duplicate line.
  static absl::StatusOr<std::shared_ptr<const MacTable>> Load(
      const std::string& path);
  // The same from text already in memory; `file` names it in errors.
  static absl::StatusOr<std::shared_ptr<const MacTable>> Parse(
      std::string text, absl::string_view file);

  // The shipped table: <data root>/mac/mac-2020-07-subset.alpha.v3.txt.
  static constexpr char kShippedRelativePath[] =
      "mac/mac-2020-07-subset.alpha.v3.txt";

  MacTable(const MacTable&) = delete;
  MacTable& operator=(const MacTable&) = delete;

  // O(1). `code` is case-sensitive ("AB", not "ab"); nullptr if absent.
  const MacCode* Find(absl::string_view code) const;

  // The "LAST UPDATED:" text of line 1 ("2020-07-11 (subset of ...)"),
  // or empty when the file has no such line.
  absl::string_view date() const { return date_; }
  const std::string& path() const { return path_; }
  size_t size() const { return codes_.size(); }
  size_t generic_count() const { return generic_; }
  size_t allele_specific_count() const { return codes_.size() - generic_; }
  const std::vector<MacCode>& codes() const { return codes_; }

 private:
  MacTable() = default;

  std::string text_;
  std::string path_;
  absl::string_view date_;
  std::vector<MacCode> codes_;
  absl::flat_hash_map<absl::string_view, uint32_t> by_code_;
  size_t generic_ = 0;
};

}  // namespace hla::data

#endif  // HLA_DATA_MAC_TABLE_H_
