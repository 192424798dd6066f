// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "registry/internal/flat_json.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace hla::registry::internal {
namespace {

bool IsJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(absl::string_view w) {
  size_t i = 0;
  if (i < w.size() && w[i] == '-') ++i;
  if (i >= w.size()) return false;
  if (w[i] == '0') {
    ++i;
  } else if (IsDigit(w[i])) {
    while (i < w.size() && IsDigit(w[i])) ++i;
  } else {
    return false;
  }
  if (i < w.size() && w[i] == '.') {
    ++i;
    if (i >= w.size() || !IsDigit(w[i])) return false;
    while (i < w.size() && IsDigit(w[i])) ++i;
  }
  if (i < w.size() && (w[i] == 'e' || w[i] == 'E')) {
    ++i;
    if (i < w.size() && (w[i] == '+' || w[i] == '-')) ++i;
    if (i >= w.size() || !IsDigit(w[i])) return false;
    while (i < w.size() && IsDigit(w[i])) ++i;
  }
  return i == w.size();
}

void AppendUtf8(uint32_t cp, std::string* s) {
  if (cp < 0x80) {
    s->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  explicit Parser(absl::string_view line) : line_(line) {}

  absl::Status Object(FlatObject* out) {
    size_t n = 0;  // pairs parsed; out's strings beyond n are reused
    auto slot = [&]() {
      if (n == out->keys.size()) {
        out->keys.emplace_back();
        out->values.emplace_back();
      }
      out->keys[n].clear();
      out->values[n].clear();
    };
    Space();
    if (!Eat('{')) return Error("expected '{'");
    Space();
    if (!Eat('}')) {
      for (;;) {
        Space();
        slot();
        std::string& key = out->keys[n];
        std::string& value = out->values[n];
        const size_t key_at = i_;
        if (absl::Status s = String(&key); !s.ok()) return s;
        Space();
        if (!Eat(':')) return Error("expected ':'");
        Space();
        if (i_ >= line_.size()) return Error("expected a value");
        const char c = line_[i_];
        if (c == '"') {
          if (absl::Status s = String(&value); !s.ok()) return s;
        } else if (c == '{' || c == '[') {
          return Error(absl::StrCat("nested value for key '", key,
                                    "' (one flat object a line)"));
        } else {
          const size_t start = i_;
          while (i_ < line_.size() && line_[i_] != ',' && line_[i_] != '}' &&
                 !IsJsonSpace(line_[i_])) {
            ++i_;
          }
          const absl::string_view word = line_.substr(start, i_ - start);
          if (word == "null") {
            // null reads as a blank cell
          } else if (word == "true" || word == "false" || IsJsonNumber(word)) {
            value.assign(word.data(), word.size());
          } else {
            i_ = start;
            return Error("expected a string, number, true, false or null");
          }
        }
        if (n == kMaxFlatObjectKeys) {
          i_ = key_at;
          return Error(absl::StrCat("more than ", kMaxFlatObjectKeys,
                                    " keys in one object (the limit)"));
        }
        // Quadratic in the keys, so bounded by kMaxFlatObjectKeys: at most
        // that many comparisons a key, linear in the line's length.
        for (size_t k = 0; k < n; ++k) {
          if (out->keys[k] == key) {
            i_ = key_at;  // the column of the second one
            return Error(absl::StrCat("key '", key, "' given twice"));
          }
        }
        ++n;
        Space();
        if (Eat(',')) continue;
        if (Eat('}')) break;
        return Error("expected ',' or '}'");
      }
    }
    Space();
    if (i_ != line_.size()) return Error("text after the object");
    out->keys.resize(n);
    out->values.resize(n);
    return absl::OkStatus();
  }

 private:
  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(i_ + 1, ": ", what));
  }
  void Space() {
    while (i_ < line_.size() && IsJsonSpace(line_[i_])) ++i_;
  }
  bool Eat(char c) {
    if (i_ < line_.size() && line_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  absl::Status String(std::string* s) {
    if (!Eat('"')) return Error("expected '\"'");
    for (;;) {
      // Copy the plain run up to the next quote, backslash or control byte.
      const size_t start = i_;
      while (i_ < line_.size() && line_[i_] != '"' && line_[i_] != '\\' &&
             static_cast<unsigned char>(line_[i_]) >= 0x20) {
        ++i_;
      }
      s->append(line_.data() + start, i_ - start);
      if (i_ >= line_.size()) return Error("unterminated string");
      const char c = line_[i_];
      if (c == '"') {
        ++i_;
        return absl::OkStatus();
      }
      if (c != '\\') return Error("control character in string");
      ++i_;
      if (i_ >= line_.size()) return Error("unterminated escape");
      const char e = line_[i_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          s->push_back(e);
          break;
        case 'b': s->push_back('\b'); break;
        case 'f': s->push_back('\f'); break;
        case 'n': s->push_back('\n'); break;
        case 'r': s->push_back('\r'); break;
        case 't': s->push_back('\t'); break;
        case 'u': {
          if (i_ + 4 > line_.size()) return Error("short \\u escape");
          uint32_t cp = 0;
          for (int k = 0; k < 4; ++k) {
            const char h = line_[i_];
            cp <<= 4;
            if (IsDigit(h)) {
              cp |= static_cast<uint32_t>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
              cp |= static_cast<uint32_t>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
              cp |= static_cast<uint32_t>(h - 'A' + 10);
            } else {
              return Error("bad hex digit in \\u escape");
            }
            ++i_;
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
          AppendUtf8(cp, s);
          break;
        }
        default:
          --i_;
          return Error("unknown escape");
      }
    }
  }

  absl::string_view line_;
  size_t i_ = 0;
};

}  // namespace

absl::Status ParseFlatObject(absl::string_view line, FlatObject* out) {
  return Parser(line).Object(out);
}

}  // namespace hla::registry::internal
