// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "hla/allele_name.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"

namespace hla {

int CompareFields(absl::Span<const Field> a, absl::Span<const Field> b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i) {
    if (a[i].value != b[i].value) return a[i].value < b[i].value ? -1 : 1;
    if (a[i].width != b[i].width) return a[i].width < b[i].width ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool FieldsHavePrefix(absl::Span<const Field> fields,
                      absl::Span<const Field> prefix) {
  if (prefix.size() > fields.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (fields[i] != prefix[i]) return false;
  }
  return true;
}

void AppendFields(absl::Span<const Field> fields, std::string* out) {
  char buf[16];
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(':');
    // Render right to left, then left-pad with zeros to the stored width.
    int n = 0;
    uint32_t v = fields[i].value;
    do {
      buf[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0 && n < static_cast<int>(sizeof(buf)));
    for (int pad = fields[i].width - n; pad > 0; --pad) out->push_back('0');
    while (n > 0) out->push_back(buf[--n]);
  }
}

bool IsExpressionSuffix(char c) {
  switch (c) {
    case 'N':
    case 'L':
    case 'S':
    case 'C':
    case 'A':
    case 'Q':
      return true;
    default:
      return false;
  }
}

std::string AlleleName::ToString() const {
  std::string out = locus;
  out.push_back('*');
  AppendFields(fields, &out);
  if (suffix != 0) out.push_back(suffix);
  return out;
}

bool ParseFields(absl::string_view text, Fields* out) {
  out->clear();
  size_t i = 0;
  while (true) {
    Field f;
    int digits = 0;
    while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) {
      if (digits == 9) return false;  // keeps value within uint32_t
      f.value = f.value * 10 + static_cast<uint32_t>(text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || out->size() == 4) return false;
    f.width = static_cast<uint8_t>(digits);
    out->push_back(f);
    if (i == text.size()) return true;
    if (text[i] != ':') return false;
    ++i;
  }
}

absl::StatusOr<AlleleName> ParseWhoName(absl::string_view text) {
  absl::string_view rest = text;
  absl::ConsumePrefix(&rest, "HLA-");
  const size_t star = rest.find('*');
  if (star == 0 || star == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a WHO allele name (no LOCUS*): '", text, "'"));
  }
  AlleleName name;
  name.locus = std::string(rest.substr(0, star));
  absl::string_view fields = rest.substr(star + 1);
  if (!fields.empty() && IsExpressionSuffix(fields.back())) {
    name.suffix = fields.back();
    fields.remove_suffix(1);
  }
  if (!ParseFields(fields, &name.fields)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a WHO allele name (bad fields): '", text, "'"));
  }
  return name;
}

}  // namespace hla
