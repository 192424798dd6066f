// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: the JSON Lines object reader behind registry/donor_file.h. Use
// donor_file.h.
//
// Contract. `line` is one flat JSON object (RFC 8259 syntax), optionally
// surrounded by JSON whitespace (space, tab, CR, LF): string keys to string,
// number, true, false or null values. Values come back as text: a string
// unescaped (\uXXXX as UTF-8; surrogates, which pairs would need, become
// U+FFFD), a number and true/false as written ("30", "1e3", "true"), null as
// "" (the same as a blank cell). Keys and values are kept in the order
// written. Errors (InvalidArgumentError) are a nested object or array value,
// a key given twice (exact, case-sensitive comparison), more than
// kMaxFlatObjectKeys keys, bad syntax and text
// after the object; each message starts with the 1-based byte column of the
// fault and a colon: "31: expected ',' or '}'".
//
// Speed: `out` is reused, so a caller that parses line after line into the
// same FlatObject keeps its allocations.
#ifndef HLA_REGISTRY_INTERNAL_FLAT_JSON_H_
#define HLA_REGISTRY_INTERNAL_FLAT_JSON_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace hla::registry::internal {

// A donor row has a few dozen keys (docs/donor-files.md); an object with
// more is refused ("N: more than 256 keys in one object (the limit)"), so
// that checking keys for duplicates stays linear in the line's length.
inline constexpr size_t kMaxFlatObjectKeys = 256;

struct FlatObject {
  std::vector<std::string> keys;    // as written, unescaped
  std::vector<std::string> values;  // parallel to keys
};

// Parses `line` into *out (replacing what it held). On error *out is
// unspecified.
absl::Status ParseFlatObject(absl::string_view line, FlatObject* out);

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_FLAT_JSON_H_
