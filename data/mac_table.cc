// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// NMDP alpha.v3.txt, the multiple allele code table sorted by code.
//
//   LAST UPDATED: 2020-07-11 (subset of 12520 NMDP codes)    line 1
//   *<TAB>CODE<TAB>SUBTYPE                                   column header
//                                                            empty line
//   <TAB>AB<TAB>01/02                  generic: flag empty, second fields
//   *<TAB>GD<TAB>03:01/52:01           allele-specific: flag '*', F1:F2 items
//
// Quirks: NMDP's own download quotes line 1 ("LAST UPDATED: 09/30/20") and
// its numer.v3.txt twin has no flag column (CODE<TAB>SUBTYPE); both are read.
// NMDP's API example (ex-allele-codes.txt) has rows only, no header. A missing
// final newline is fine. Codes are upper-case letters; items are fields as in
// allele names (hla::ParseFields), possibly with an expression suffix
// ("03:03N"); allele-specific items have 2+ fields and generic items 1, and
// the flag must agree with that.
#include "data/mac_table.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "data/internal/text.h"
#include "hla/allele_name.h"

namespace hla::data {

using data_internal::LineCursor;
using data_internal::LineError;
using data_internal::SplitN;

std::vector<absl::string_view> MacCode::Items() const {
  return absl::StrSplit(expansion, '/');
}

absl::StatusOr<std::shared_ptr<const MacTable>> MacTable::Load(
    const std::string& path) {
  absl::StatusOr<std::string> text =
      data_internal::ReadFile(path, "an NMDP MAC table (alpha.v3.txt layout)");
  if (!text.ok()) return text.status();
  return Parse(*std::move(text), path);
}

absl::StatusOr<std::shared_ptr<const MacTable>> MacTable::Parse(
    std::string text, absl::string_view file) {
  std::shared_ptr<MacTable> t(new MacTable());
  t->text_ = std::move(text);
  t->path_ = std::string(file);
  t->codes_.reserve(t->text_.size() / 24);
  t->by_code_.reserve(t->text_.size() / 24);
  LineCursor cursor(t->text_);
  absl::string_view line;
  hla::Fields fields;
  while (cursor.Next(&line)) {
    const int n = cursor.line_number();
    absl::string_view stripped = absl::StripAsciiWhitespace(line);
    if (stripped.empty()) continue;
    absl::string_view unquoted = stripped;
    if (unquoted.size() >= 2 && unquoted.front() == '"' && unquoted.back() == '"') {
      unquoted = unquoted.substr(1, unquoted.size() - 2);
    }
    if (absl::ConsumePrefix(&unquoted, "LAST UPDATED:")) {
      t->date_ = absl::StripAsciiWhitespace(unquoted);
      continue;
    }
    if (line == "*\tCODE\tSUBTYPE" || line == "CODE\tSUBTYPE") continue;
    absl::string_view f[4];
    const int count = SplitN(line, '\t', f, 4);
    MacCode code;
    absl::string_view flag;
    if (count == 3) {
      flag = f[0];
      code.code = f[1];
      code.expansion = f[2];
    } else if (count == 2) {
      code.code = f[0];
      code.expansion = f[1];
    } else {
      return LineError(file, n, absl::StrCat("expected <flag>TAB<CODE>TAB"
                                             "<expansion>, found '", line, "'"));
    }
    if (flag != "" && flag != "*") {
      return LineError(file, n, absl::StrCat("flag must be empty or '*', found '",
                                             flag, "'"));
    }
    bool letters = !code.code.empty();
    for (char c : code.code) {
      if (!absl::ascii_isupper(static_cast<unsigned char>(c))) letters = false;
    }
    if (!letters) {
      return LineError(file, n, absl::StrCat("a code is upper-case letters, "
                                             "found '", code.code, "'"));
    }
    if (code.expansion.empty()) {
      return LineError(file, n, absl::StrCat("empty expansion for ", code.code));
    }
    size_t multi_field = 0, items = 0;
    for (absl::string_view item : absl::StrSplit(code.expansion, '/')) {
      ++items;
      // An item may name an expression variant ("03:03N" in AHY).
      if (!item.empty() && hla::IsExpressionSuffix(item.back())) {
        item.remove_suffix(1);
      }
      if (!hla::ParseFields(item, &fields)) {
        return LineError(file, n, absl::StrCat("bad item '", item, "' in ",
                                               code.code, " expansion"));
      }
      if (fields.size() > 1) ++multi_field;
    }
    code.allele_specific = multi_field > 0;
    if (multi_field != 0 && multi_field != items) {
      return LineError(file, n, absl::StrCat(code.code, " mixes first:second "
                                             "items with second-field items"));
    }
    if (count == 3 && (flag == "*") != code.allele_specific) {
      return LineError(file, n,
                       absl::StrCat(code.code, ": flag '", flag, "' but ",
                                    code.allele_specific ? "allele-specific"
                                                         : "generic",
                                    " items"));
    }
    const uint32_t idx = static_cast<uint32_t>(t->codes_.size());
    if (!t->by_code_.emplace(code.code, idx).second) {
      return LineError(file, n, absl::StrCat("duplicate code ", code.code));
    }
    if (!code.allele_specific) ++t->generic_;
    t->codes_.push_back(code);
  }
  return std::shared_ptr<const MacTable>(std::move(t));
}

const MacCode* MacTable::Find(absl::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &codes_[it->second];
}

}  // namespace hla::data
