// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "data/internal/names.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"

namespace hla::data_internal {

void AppendBareName(const Token& token, std::string* out) {
  const size_t start = out->size();
  AppendToken(token, out);
  if (token.hla_prefix) out->erase(start, 4);
}

absl::string_view FirstN(absl::string_view name, int n) {
  size_t pos = 0;
  for (int i = 0; i < n; ++i) {
    pos = name.find(':', pos);
    if (pos == absl::string_view::npos) return name;
    ++pos;
  }
  return name.substr(0, pos - 1);
}

std::string FirstNKeep(absl::string_view name, int n) {
  absl::string_view cut = FirstN(name, n);
  std::string out(cut);
  if (cut.size() != name.size() && IsPyArdExpressionChar(name.back())) {
    out.push_back(name.back());
  }
  return out;
}

absl::string_view DropGpFirstN(absl::string_view name, int n) {
  if (!name.empty() && (name.back() == 'G' || name.back() == 'P')) {
    name.remove_suffix(1);
  }
  return FirstN(name, n);
}

int FieldCount(absl::string_view name) {
  const size_t star = name.find('*');
  if (star == absl::string_view::npos) return 0;
  int n = 1;
  for (size_t i = star + 1; i < name.size(); ++i) n += name[i] == ':';
  return n;
}

namespace {

bool HasOperator(absl::string_view s) {
  return s.find_first_of("/|+^~") != absl::string_view::npos;
}

// smart_sort step 3: a name whose text after '*' is an ignored suffix sorts
// last. py-ard applies it to its ignore_allele_with_suffixes setting; we
// accept WMDA placeholders by default (docs/conventions.md §10), so they are
// the ignored suffixes: DRB3*03:01+DRBX*NNNN, not the other way round.
bool IsPlaceholderName(absl::string_view s) {
  const size_t star = s.find('*');
  if (star == absl::string_view::npos) return false;
  const absl::string_view word = s.substr(star + 1);
  return word == "NNNN" || word == "UUUU" || word == "XXXX" || word == "NEW";
}

// The normalisation of smart_sort step 4: drop a trailing "ARS", else delete
// every P N Q L S G g.
std::string Normalize(absl::string_view s) {
  if (s.size() >= 3 && s.substr(s.size() - 3) == "ARS") {
    return std::string(s.substr(0, s.size() - 3));
  }
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case 'P': case 'N': case 'Q': case 'L': case 'S': case 'G': case 'g':
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Leading digits as a number; 0 if none (py-ard: missing/non-numeric = 0).
uint64_t LeadingNumber(absl::string_view s) {
  uint64_t v = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) break;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

int ByteCompare(absl::string_view a, absl::string_view b) {
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int SmartCompareCore(absl::string_view a, absl::string_view b) {
  if (a == b) return 0;
  if (HasOperator(a) || HasOperator(b)) return ByteCompare(a, b);
  if (IsPlaceholderName(a)) return 1;
  if (IsPlaceholderName(b)) return -1;
  const std::string na = Normalize(a), nb = Normalize(b);
  if (na == nb) return 0;
  if (na.find(':') == std::string::npos || nb.find(':') == std::string::npos) {
    // Serology: compare the numbers only (A9 < A24 < A2403).
    auto number = [](absl::string_view s) {
      size_t i = 0;
      while (i < s.size() && !absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) ++i;
      return LeadingNumber(s.substr(i));
    };
    if (AllDigits(na) && AllDigits(nb)) {
      const uint64_t x = LeadingNumber(na), y = LeadingNumber(nb);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    const uint64_t x = number(na), y = number(nb);
    if (x != y) return x < y ? -1 : 1;
    return 0;
  }
  auto fields = [](absl::string_view s, uint64_t out[4]) {
    const size_t star = s.find('*');
    s = star == absl::string_view::npos ? s : s.substr(star + 1);
    for (int i = 0; i < 4; ++i) {
      out[i] = 0;
      if (s.empty()) continue;
      const size_t colon = s.find(':');
      absl::string_view f = s.substr(0, colon);
      out[i] = AllDigits(f) ? LeadingNumber(f) : 0;
      s = colon == absl::string_view::npos ? absl::string_view()
                                           : s.substr(colon + 1);
    }
  };
  uint64_t x[4], y[4];
  fields(na, x);
  fields(nb, y);
  for (int i = 0; i < 4; ++i) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

}  // namespace

int SmartCompare(absl::string_view a, absl::string_view b) {
  const int c = SmartCompareCore(a, b);
  return c != 0 ? c : ByteCompare(a, b);
}

namespace {

// SmartCompareCore's inputs, computed once per string. Two strings compare
// by bytes when either holds an operator; by `serology` numbers when either
// lacks a ':' after normalisation; else by `fields`; ties by bytes. (Equal
// normalised strings have equal numbers, so "na == nb -> 0" needs no key.)
struct SmartKey {
  bool has_operator = false;
  bool placeholder = false;
  bool has_colon = false;
  uint64_t serology = 0;
  uint64_t fields[4] = {0, 0, 0, 0};
};

SmartKey MakeSmartKey(absl::string_view s) {
  SmartKey k;
  k.has_operator = HasOperator(s);
  if (k.has_operator) return k;
  k.placeholder = IsPlaceholderName(s);
  const std::string n = Normalize(s);
  k.has_colon = n.find(':') != std::string::npos;
  size_t i = 0;
  while (i < n.size() && !absl::ascii_isdigit(static_cast<unsigned char>(n[i]))) ++i;
  k.serology = LeadingNumber(absl::string_view(n).substr(i));
  absl::string_view rest = n;
  const size_t star = rest.find('*');
  if (star != absl::string_view::npos) rest = rest.substr(star + 1);
  for (int f = 0; f < 4 && !rest.empty(); ++f) {
    const size_t colon = rest.find(':');
    const absl::string_view field = rest.substr(0, colon);
    k.fields[f] = AllDigits(field) ? LeadingNumber(field) : 0;
    rest = colon == absl::string_view::npos ? absl::string_view()
                                            : rest.substr(colon + 1);
  }
  return k;
}

int CompareKeys(const SmartKey& x, absl::string_view a, const SmartKey& y,
                absl::string_view b) {
  if (a == b) return 0;
  if (x.has_operator || y.has_operator) return ByteCompare(a, b);
  if (x.placeholder) return 1;
  if (y.placeholder) return -1;
  if (!x.has_colon || !y.has_colon) {
    if (x.serology != y.serology) return x.serology < y.serology ? -1 : 1;
    return ByteCompare(a, b);
  }
  for (int i = 0; i < 4; ++i) {
    if (x.fields[i] != y.fields[i]) return x.fields[i] < y.fields[i] ? -1 : 1;
  }
  return ByteCompare(a, b);
}

}  // namespace

void SmartSort(std::vector<std::string>* v, bool stable) {
  if (v->size() < 2) return;
  std::vector<std::pair<SmartKey, std::string*>> keyed;
  keyed.reserve(v->size());
  for (std::string& s : *v) keyed.emplace_back(MakeSmartKey(s), &s);
  auto less = [](const std::pair<SmartKey, std::string*>& x,
                 const std::pair<SmartKey, std::string*>& y) {
    return CompareKeys(x.first, *x.second, y.first, *y.second) < 0;
  };
  if (stable) {
    std::stable_sort(keyed.begin(), keyed.end(), less);
  } else {
    std::sort(keyed.begin(), keyed.end(), less);
  }
  std::vector<std::string> sorted;
  sorted.reserve(v->size());
  for (auto& [key, s] : keyed) sorted.push_back(std::move(*s));
  v->swap(sorted);
}

}  // namespace hla::data_internal
