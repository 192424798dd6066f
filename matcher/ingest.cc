// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Streaming ingest: CSV/TSV through matcher/donor_file.h (parsing only; we
// resolve, with a cache), JSON Lines through a small flat-object reader,
// gzip through zlib.
#include "matcher/ingest.h"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <streambuf>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "parser/parse.h"

namespace hla::matcher {
namespace {

// ---- Streams

// Reads a file through zlib: gzip data is inflated, anything else passes
// through unchanged (gzread's "transparent" mode), so one path serves both.
class GzStreamBuf : public std::streambuf {
 public:
  explicit GzStreamBuf(gzFile f) : f_(f), buf_(1 << 17) {}
  ~GzStreamBuf() override { gzclose(f_); }
  bool failed() const { return failed_; }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    const int n = gzread(f_, buf_.data(), static_cast<unsigned>(buf_.size()));
    if (n <= 0) {
      failed_ = n < 0;
      return traits_type::eof();
    }
    setg(buf_.data(), buf_.data(), buf_.data() + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  gzFile f_;
  std::vector<char> buf_;
  bool failed_ = false;
};

// Serves `prefix`, then the rest of `next` (a rewritten header line).
class PrefixStreamBuf : public std::streambuf {
 public:
  PrefixStreamBuf(std::string prefix, std::streambuf* next)
      : prefix_(std::move(prefix)), next_(next) {
    setg(prefix_.data(), prefix_.data(), prefix_.data() + prefix_.size());
  }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (!in_next_) {
      in_next_ = true;
      setg(nullptr, nullptr, nullptr);
    }
    const int_type c = next_->sbumpc();
    if (traits_type::eq_int_type(c, traits_type::eof())) return c;
    one_ = traits_type::to_char_type(c);
    setg(&one_, &one_, &one_ + 1);
    return c;
  }
  std::streamsize xsgetn(char* s, std::streamsize n) override {
    std::streamsize got = 0;
    while (got < n && gptr() < egptr()) {
      const std::streamsize k = std::min<std::streamsize>(n - got, egptr() - gptr());
      std::memcpy(s + got, gptr(), static_cast<size_t>(k));
      gbump(static_cast<int>(k));
      got += k;
    }
    if (got < n) {
      in_next_ = true;
      got += next_->sgetn(s + got, n - got);
    }
    return got;
  }

 private:
  std::string prefix_;
  std::streambuf* next_;
  bool in_next_ = false;
  char one_ = 0;
};

std::string Lower(absl::string_view s) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(s));
}

absl::string_view StripGz(absl::string_view name) {
  absl::string_view n = name;
  absl::ConsumeSuffix(&n, ".gz");
  return n;
}

bool IsIdName(absl::string_view lower) {
  return lower == "id" || lower == "donor_id" || lower == "person_id" ||
         lower == "donor";
}

// ---- Resolve cache

struct Resolved {
  std::optional<Genotype> genotype;
  std::string error;
};

class ResolveCache {
 public:
  ResolveCache(const data::Resolver& resolver, size_t limit)
      : resolver_(resolver), limit_(limit) {}

  const Resolved& Get(const std::string& typing, size_t* hits) {
    auto it = cache_.find(typing);
    if (it != cache_.end()) {
      ++*hits;
      return it->second;
    }
    if (cache_.size() >= limit_) cache_.clear();
    Resolved r;
    absl::StatusOr<GlString> gl = parser::ParseGlString(typing);
    if (!gl.ok()) {
      r.error = std::string(gl.status().message());
    } else {
      absl::StatusOr<data::ResolvedTyping> t = resolver_.Resolve(*gl);
      if (!t.ok()) {
        r.error = std::string(t.status().message());
      } else {
        absl::StatusOr<Genotype> g = BuildGenotype(resolver_.reference(), *t);
        if (!g.ok()) {
          r.error = std::string(g.status().message());
        } else {
          r.genotype = *std::move(g);
        }
      }
    }
    return cache_.emplace(typing, std::move(r)).first->second;
  }

 private:
  const data::Resolver& resolver_;
  size_t limit_;
  absl::flat_hash_map<std::string, Resolved> cache_;
};

// ---- JSON Lines

// One flat JSON object: string keys to string, number, true/false or null
// values. Errors start with the 1-based column ("31: expected ...").
absl::Status ParseFlatObject(absl::string_view line,
                             std::vector<std::pair<std::string, std::string>>* out) {
  size_t i = 0;
  auto err = [&](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat(i + 1, ": ", what));
  };
  auto ws = [&] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' ||
                               line[i] == '\r' || line[i] == '\n')) {
      ++i;
    }
  };
  auto string = [&](std::string* s) -> absl::Status {
    if (i >= line.size() || line[i] != '"') return err("expected '\"'");
    ++i;
    while (true) {
      if (i >= line.size()) return err("unterminated string");
      const char c = line[i++];
      if (c == '"') return absl::OkStatus();
      if (static_cast<unsigned char>(c) < 0x20) {
        --i;
        return err("control character in string");
      }
      if (c != '\\') {
        s->push_back(c);
        continue;
      }
      if (i >= line.size()) return err("unterminated escape");
      const char e = line[i++];
      switch (e) {
        case '"': case '\\': case '/': s->push_back(e); break;
        case 'b': s->push_back('\b'); break;
        case 'f': s->push_back('\f'); break;
        case 'n': s->push_back('\n'); break;
        case 'r': s->push_back('\r'); break;
        case 't': s->push_back('\t'); break;
        case 'u': {
          if (i + 4 > line.size()) return err("short \\u escape");
          uint32_t cp = 0;
          for (int k = 0; k < 4; ++k) {
            const char h = line[i++];
            cp <<= 4;
            if (h >= '0' && h <= '9') cp |= static_cast<uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f') cp |= static_cast<uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') cp |= static_cast<uint32_t>(h - 'A' + 10);
            else { --i; return err("bad hex digit in \\u escape"); }
          }
          // Basic multilingual plane only; surrogates become U+FFFD.
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
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
          break;
        }
        default:
          --i;
          return err("unknown escape");
      }
    }
  };
  ws();
  if (i >= line.size() || line[i] != '{') return err("expected '{'");
  ++i;
  ws();
  if (i < line.size() && line[i] == '}') {
    ++i;
  } else {
    while (true) {
      ws();
      std::string key, value;
      absl::Status s = string(&key);
      if (!s.ok()) return s;
      ws();
      if (i >= line.size() || line[i] != ':') return err("expected ':'");
      ++i;
      ws();
      if (i >= line.size()) return err("expected a value");
      const char c = line[i];
      if (c == '"') {
        s = string(&value);
        if (!s.ok()) return s;
      } else if (c == '{' || c == '[') {
        return err(absl::StrCat("nested value for key '", key,
                                "' (one flat object a line)"));
      } else {
        const size_t start = i;
        while (i < line.size() && line[i] != ',' && line[i] != '}' &&
               line[i] != ' ' && line[i] != '\t' && line[i] != '\r') {
          ++i;
        }
        const absl::string_view word = line.substr(start, i - start);
        double d;
        if (word == "null") {
          value.clear();
        } else if (word == "true" || word == "false") {
          value = std::string(word);
        } else if (!word.empty() && absl::SimpleAtod(word, &d) &&
                   (word[0] == '-' || (word[0] >= '0' && word[0] <= '9'))) {
          value = std::string(word);
        } else {
          i = start;
          return err("expected a string, number, true, false or null");
        }
      }
      for (const auto& kv : *out) {
        if (kv.first == key) return err(absl::StrCat("key '", key, "' given twice"));
      }
      out->emplace_back(std::move(key), std::move(value));
      ws();
      if (i < line.size() && line[i] == ',') {
        ++i;
        continue;
      }
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      return err("expected ',' or '}'");
    }
  }
  ws();
  if (i != line.size()) return err("text after the object");
  return absl::OkStatus();
}

// "A_1", "DRB1.2", "hla-b 1", "C2" -> (locus, position 0/1).
std::optional<std::pair<Locus, int>> LocusColumn(absl::string_view lower) {
  std::string k = absl::AsciiStrToUpper(lower);
  absl::string_view v = k;
  if (!absl::ConsumePrefix(&v, "HLA-")) absl::ConsumePrefix(&v, "HLA_");
  if (v.size() < 2) return std::nullopt;
  const char last = v.back();
  if (last != '1' && last != '2') return std::nullopt;
  v.remove_suffix(1);
  const bool sep = !v.empty() &&
                   (v.back() == '_' || v.back() == '.' || v.back() == '-' ||
                    v.back() == ' ');
  if (sep) v.remove_suffix(1);
  std::optional<Locus> l = LocusFromName(v);
  if (!l) return std::nullopt;
  if (!sep && *l != Locus::kA && *l != Locus::kB && *l != Locus::kC) {
    return std::nullopt;
  }
  return std::make_pair(*l, last - '1');
}

// A per-locus cell as a typing of that locus: bare fields get the locus
// ("02:01/03" under A_1 -> A*02:01/A*03... as donor_file.h reads it).
std::string QualifyCell(Locus l, absl::string_view cell) {
  std::vector<std::string> parts;
  for (absl::string_view p : absl::StrSplit(cell, '/')) {
    p = absl::StripAsciiWhitespace(p);
    if (!p.empty() && p[0] >= '0' && p[0] <= '9') {
      parts.push_back(absl::StrCat(LocusName(l), "*", p));
    } else {
      parts.emplace_back(p);
    }
  }
  return absl::StrJoin(parts, "/");
}

struct JsonRow {
  DonorFacts facts;
  std::string typing;
};

absl::Status JsonToRow(const std::vector<std::pair<std::string, std::string>>& kv,
                       const std::string& id_column, JsonRow* row) {
  std::array<std::array<std::string, 2>, kLocusCount> cells;
  bool have_id = false, have_gl = false, have_cells = false;
  std::optional<absl::CivilDay> birth;
  for (const auto& [raw_key, value] : kv) {
    const std::string key = Lower(raw_key);
    auto bad = [&](const absl::Status& s) {
      return absl::InvalidArgumentError(
          absl::StrCat("key '", raw_key, "': ", s.message()));
    };
    const absl::string_view v = absl::StripAsciiWhitespace(value);
    if (id_column.empty() ? IsIdName(key) : key == Lower(id_column)) {
      row->facts.id = std::string(v);
      have_id = true;
    } else if (key == "relationship" || key == "relation" || key == "rel") {
      absl::StatusOr<Relationship> r = ParseRelationship(v);
      if (!r.ok()) return bad(r.status());
      row->facts.relationship = *r;
    } else if (key == "birth_date" || key == "birthdate" || key == "dob" ||
               key == "date_of_birth") {
      if (v.empty()) continue;
      absl::StatusOr<absl::CivilDay> d = ParseDate(v);
      if (!d.ok()) return bad(d.status());
      birth = *d;
    } else if (key == "age") {
      if (v.empty()) continue;
      int age;
      if (!absl::SimpleAtoi(v, &age) || age < 0 || age > kMaxAge) {
        return absl::InvalidArgumentError(absl::StrCat(
            "key '", raw_key, "': '", v, "' is not an age (0-", kMaxAge, ")"));
      }
      row->facts.age = age;
    } else if (key == "sex" || key == "gender") {
      if (v.empty()) continue;
      absl::StatusOr<Sex> s = ParseSex(v);
      if (!s.ok()) return bad(s.status());
      row->facts.sex = *s;
    } else if (key == "abo" || key == "blood_group" || key == "bloodgroup" ||
               key == "abo_rh") {
      if (v.empty()) continue;
      absl::StatusOr<BloodGroup> b = ParseBloodGroup(v);
      if (!b.ok()) return bad(b.status());
      row->facts.blood_group = *b;
    } else if (key == "cmv" || key == "cmv_status" || key == "cmv_serostatus") {
      if (v.empty()) continue;
      absl::StatusOr<Cmv> c = ParseCmv(v);
      if (!c.ok()) return bad(c.status());
      row->facts.cmv = *c;
    } else if (key == "glstring" || key == "gl_string" || key == "gl" ||
               key == "typing" || key == "hla") {
      row->typing = std::string(v);
      have_gl = true;
    } else if (auto lc = LocusColumn(key)) {
      cells[static_cast<int>(lc->first)][lc->second] = std::string(v);
      have_cells = true;
    }
    // Other keys are ignored, as donor_file.h ignores other columns.
  }
  if (!have_id || row->facts.id.empty()) {
    return absl::InvalidArgumentError(
        id_column.empty() ? "no donor id (key id, donor_id, person_id or donor)"
                          : absl::StrCat("no donor id (key '", id_column, "')"));
  }
  if (birth) row->facts.birth_date = birth;
  if (have_gl && have_cells) {
    return absl::InvalidArgumentError(
        "both a glstring key and per-locus keys");
  }
  if (have_cells) {
    std::vector<std::string> blocks;
    for (Locus l : kAllLoci) {
      const auto& c = cells[static_cast<int>(l)];
      std::vector<std::string> typed;
      for (const std::string& cell : c) {
        if (!cell.empty()) typed.push_back(QualifyCell(l, cell));
      }
      if (!typed.empty()) blocks.push_back(absl::StrJoin(typed, "+"));
    }
    row->typing = absl::StrJoin(blocks, "^");
  }
  if (row->typing.empty()) {
    return absl::InvalidArgumentError("no typing (key glstring or per-locus keys)");
  }
  return absl::OkStatus();
}

// ---- The ingest loop

class Ingest {
 public:
  Ingest(const std::string& name, const data::Resolver& resolver,
         const IngestOptions& options, const RejectFn& on_reject,
         IngestStats* stats, const ProgressFn& progress)
      : name_(name),
        resolver_(resolver),
        options_(options),
        on_reject_(on_reject),
        stats_(stats),
        progress_(progress),
        cache_(resolver, options.cache_entries),
        builder_(resolver.reference_ptr()) {}

  void Reject(const std::string& message) {
    ++stats_->rows;
    ++stats_->rejected;
    if (on_reject_) on_reject_(message);
    Tick();
  }

  // The common case without building a Genotype: a typing of '^' blocks
  // of one or two '+' positions ("A*01:01+A*02:XX^B44^..."), each position
  // resolved once per distinct text and interned straight into the store.
  // Anything else (phase '~', genotype lists '|', '?', a GL String Code,
  // an error, a locus twice) takes the whole-typing path, which also words
  // the errors exactly as BuildGenotype does.
  bool FastIds(const std::string& typing,
               std::array<std::array<uint32_t, 2>, kLocusCount>* ids,
               uint16_t* once) {
    if (typing.find_first_of("~|?#") != std::string::npos) return false;
    *ids = {};
    *once = 0;
    for (absl::string_view block : absl::StrSplit(typing, '^')) {
      // By value: a later PositionOf may rehash the cache.
      std::array<Position, 2> parts;
      int n = 0;
      for (absl::string_view part : absl::StrSplit(block, '+')) {
        if (n == 2) return false;
        const Position p = PositionOf(part);
        if (!p.ok) return false;
        parts[static_cast<size_t>(n++)] = p;
      }
      if (n == 2 && parts[0].locus != parts[1].locus) return false;
      const int l = static_cast<int>(parts[0].locus);
      if ((*ids)[static_cast<size_t>(l)][0] != 0) return false;
      (*ids)[static_cast<size_t>(l)] = {parts[0].id, parts[n == 2 ? 1 : 0].id};
      if (n == 1) *once = static_cast<uint16_t>(*once | (1u << l));
    }
    return true;
  }

  struct Position {
    bool ok = false;
    Locus locus = Locus::kA;
    uint32_t id = 0;
  };

  Position PositionOf(absl::string_view text) {
    auto it = positions_.find(text);
    if (it != positions_.end()) {
      ++stats_->cache_hits;
      return it->second;
    }
    if (positions_.size() >= options_.cache_entries) positions_.clear();
    Position p;
    absl::StatusOr<GlString> gl = parser::ParseGlString(text);
    absl::StatusOr<data::ResolvedTyping> t =
        gl.ok() ? resolver_.Resolve(*gl)
                : absl::StatusOr<data::ResolvedTyping>(gl.status());
    absl::StatusOr<Genotype> g =
        t.ok() ? BuildGenotype(resolver_.reference(), *t)
               : absl::StatusOr<Genotype>(t.status());
    if (g.ok() && !g->phased) {
      int typed = 0;
      for (Locus l : kAllLoci) {
        const LocusTyping& lt = g->at(l);
        if (lt.typed_positions == 0) continue;
        ++typed;
        if (lt.typed_positions != 1 || !lt.alternatives.empty() ||
            lt.phased || lt.pos[0].haplotype >= 0) {
          typed = 99;
          break;
        }
        p.locus = l;
      }
      if (typed == 1) {
        p.ok = true;
        p.id = builder_.Intern(p.locus, g->at(p.locus).pos[0]);
      }
    }
    return positions_.emplace(std::string(text), p).first->second;
  }

  void Accept(size_t line, const DonorFacts& facts, const std::string& typing) {
    std::array<std::array<uint32_t, 2>, kLocusCount> ids;
    uint16_t once;
    if (FastIds(typing, &ids, &once)) {
      ++stats_->rows;
      ++stats_->accepted;
      builder_.AddIds(facts, ids, once);
      Tick();
      return;
    }
    const Resolved& r = cache_.Get(typing, &stats_->cache_hits);
    if (!r.genotype) {
      Reject(absl::StrCat(name_, ":", line, ": typing '", typing, "': ",
                          r.error));
      return;
    }
    ++stats_->rows;
    ++stats_->accepted;
    builder_.Add(facts, *r.genotype, typing);
    Tick();
  }

  void Tick() {
    if (progress_ && (stats_->rows & 0xFFFF) == 0) progress_(stats_->rows, 0);
  }

  absl::Status Csv(std::istream* in, TableFormat format) {
    DonorFileOptions fo;
    fo.format = format;
    fo.max_row_bytes = options_.max_row_bytes;
    absl::StatusOr<std::unique_ptr<DonorFileReader>> reader =
        DonorFileReader::FromStream(in, name_, nullptr, fo);
    if (!reader.ok()) return reader.status();
    DonorRecord rec;
    absl::Status row;
    while ((*reader)->Next(&rec, &row)) {
      if (!row.ok()) {
        Reject(std::string(row.message()));
        continue;
      }
      Accept(rec.line, rec.facts, rec.typing);
    }
    return absl::OkStatus();
  }

  absl::Status JsonLines(std::istream* in) {
    std::string line;
    size_t number = 0;
    std::vector<std::pair<std::string, std::string>> kv;
    while (std::getline(*in, line)) {
      ++number;
      if (absl::StripAsciiWhitespace(line).empty()) continue;
      if (line.size() > options_.max_row_bytes) {
        Reject(absl::StrCat(name_, ":", number, ": line longer than ",
                            options_.max_row_bytes, " bytes"));
        continue;
      }
      kv.clear();
      absl::Status s = ParseFlatObject(line, &kv);
      if (!s.ok()) {
        Reject(absl::StrCat(name_, ":", number, ":", s.message()));
        continue;
      }
      JsonRow row;
      s = JsonToRow(kv, options_.id_column, &row);
      if (!s.ok()) {
        Reject(absl::StrCat(name_, ":", number, ": ", s.message()));
        continue;
      }
      Accept(number, row.facts, row.typing);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<DonorStore> Finish() && { return std::move(builder_).Finish(); }

 private:
  std::string name_;
  const data::Resolver& resolver_;
  const IngestOptions& options_;
  const RejectFn& on_reject_;
  IngestStats* stats_;
  const ProgressFn& progress_;
  ResolveCache cache_;
  DonorStoreBuilder builder_;
  absl::flat_hash_map<std::string, Position> positions_;
};

// With --id-column: the header line rewritten so that the chosen column is
// "id" (and a column that donor_file.h would take as the id is renamed out
// of the way).
absl::StatusOr<std::string> RewriteHeader(const std::string& header,
                                          const std::string& id_column,
                                          const std::string& name) {
  const char delim = header.find('\t') != std::string::npos ? '\t' : ',';
  std::vector<std::string> cols = absl::StrSplit(header, delim);
  bool found = false;
  for (std::string& c : cols) {
    const std::string l = Lower(absl::StripSuffix(c, "\r"));
    if (l == Lower(id_column)) {
      c = "id";
      found = true;
    } else if (IsIdName(l)) {
      c = absl::StrCat("original_", l);
    }
  }
  if (!found) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ":1: no column '", id_column, "' (--id-column)"));
  }
  return absl::StrCat(absl::StrJoin(cols, std::string(1, delim)), "\n");
}

absl::StatusOr<DonorStore> IngestImpl(std::istream* in, const std::string& name,
                                      const data::Resolver& resolver,
                                      const IngestOptions& options,
                                      const RejectFn& on_reject,
                                      IngestStats* stats,
                                      const ProgressFn& progress) {
  IngestStats local;
  if (stats == nullptr) stats = &local;
  const auto start = std::chrono::steady_clock::now();
  DonorInputFormat format = options.format;
  const absl::string_view base = StripGz(name);
  if (format == DonorInputFormat::kAuto) {
    if (absl::EndsWithIgnoreCase(base, ".jsonl") ||
        absl::EndsWithIgnoreCase(base, ".ndjson")) {
      format = DonorInputFormat::kJsonLines;
    } else {
      // Peek at the first non-blank byte.
      int c;
      while ((c = in->peek()) != EOF && (c == ' ' || c == '\t' || c == '\r' ||
                                         c == '\n')) {
        in->get();
      }
      if (c == '{') format = DonorInputFormat::kJsonLines;
    }
  }
  Ingest ingest(name, resolver, options, on_reject, stats, progress);
  absl::Status s;
  if (format == DonorInputFormat::kJsonLines) {
    s = ingest.JsonLines(in);
  } else {
    TableFormat tf = format == DonorInputFormat::kCsv   ? TableFormat::kCsv
                     : format == DonorInputFormat::kTsv ? TableFormat::kTsv
                     : absl::EndsWithIgnoreCase(base, ".tsv") ||
                             absl::EndsWithIgnoreCase(base, ".tab")
                         ? TableFormat::kTsv
                         : TableFormat::kAuto;
    if (options.id_column.empty()) {
      s = ingest.Csv(in, tf);
    } else {
      std::string header;
      while (std::getline(*in, header) &&
             absl::StripAsciiWhitespace(header).empty()) {
      }
      absl::StatusOr<std::string> rewritten =
          RewriteHeader(header, options.id_column, name);
      if (!rewritten.ok()) return rewritten.status();
      PrefixStreamBuf buf(*rewritten, in->rdbuf());
      std::istream joined(&buf);
      s = ingest.Csv(&joined, tf);
    }
  }
  if (!s.ok()) return s;
  stats->seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  return std::move(ingest).Finish();
}

}  // namespace

absl::StatusOr<DonorStore> IngestDonorStream(std::istream* in,
                                             const std::string& name,
                                             const data::Resolver& resolver,
                                             const IngestOptions& options,
                                             const RejectFn& on_reject,
                                             IngestStats* stats,
                                             const ProgressFn& progress) {
  return IngestImpl(in, name, resolver, options, on_reject, stats, progress);
}

absl::StatusOr<DonorStore> IngestDonorFile(const std::string& path,
                                           const data::Resolver& resolver,
                                           const IngestOptions& options,
                                           const RejectFn& on_reject,
                                           IngestStats* stats,
                                           const ProgressFn& progress) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("cannot open donor file '", path, "'"));
  }
  gzbuffer(f, 1 << 17);
  GzStreamBuf buf(f);
  std::istream in(&buf);
  absl::StatusOr<DonorStore> store =
      IngestImpl(&in, path, resolver, options, on_reject, stats, progress);
  if (store.ok() && buf.failed()) {
    return absl::DataLossError(
        absl::StrCat(path, ": read error (corrupt or truncated gzip data?)"));
  }
  if (stats != nullptr) {
    std::unique_ptr<FILE, int (*)(FILE*)> fp(std::fopen(path.c_str(), "rb"),
                                             &std::fclose);
    if (fp != nullptr && std::fseek(fp.get(), 0, SEEK_END) == 0) {
      stats->input_bytes = static_cast<size_t>(std::ftell(fp.get()));
    }
  }
  return store;
}

}  // namespace hla::matcher
