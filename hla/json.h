// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The one JSON string writer of the project: every JSON document
// haplomatch writes (GL String trees, match, rank and family reports, the
// HTTP service's answers and errors) quotes its strings here, so that they
// are escaped one way.
//
//   std::string out = "{\"id\":";
//   hla::AppendJsonString(donor_id, &out);
#ifndef HLA_HLA_JSON_H_
#define HLA_HLA_JSON_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace hla {

// Appends `s` as a JSON string literal (RFC 8259): '"' and '\\' escaped,
// \b \f \n \r \t by name, other control characters as \u00XX. Valid UTF-8
// is copied as it is; a byte that is not part of a valid UTF-8 sequence
// (a donor id in Latin-1, a truncated character) becomes U+FFFD, so that
// the document stays valid JSON whatever bytes the input held.
void AppendJsonString(absl::string_view s, std::string* out);
std::string JsonString(absl::string_view s);
// ["a","b"].
std::string JsonStringList(const std::vector<std::string>& items);

}  // namespace hla

#endif  // HLA_HLA_JSON_H_
