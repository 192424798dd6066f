// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "registry/donor_file.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <limits>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "hla/gl.h"
#include "hla/locus.h"
#include "registry/internal/flat_json.h"
#include "parser/parse.h"

namespace hla::registry {

namespace {

// std::streambuf's get area (the buffered bytes not yet read) is protected:
// a derived class may name its members, and a pointer to them applies to
// any streambuf. The reader copies runs of field text straight from it.
struct GetArea : std::streambuf {
  static const char* Next(std::streambuf* b) { return (b->*&GetArea::gptr)(); }
  static const char* End(std::streambuf* b) { return (b->*&GetArea::egptr)(); }
  static void Advance(std::streambuf* b, int n) { (b->*&GetArea::gbump)(n); }
};

// The bytes that end a run of ordinary field text with delimiter `delim`
// (',' or '\t'): made once, not per row.
const std::array<bool, 256>& RunEnds(char delim) {
  auto make = [](char d) {
    std::array<bool, 256> t{};
    for (char x : {d, '"', '\n', '\r'}) t[static_cast<unsigned char>(x)] = true;
    return t;
  };
  static const std::array<bool, 256> kTab = make('\t');
  static const std::array<bool, 256> kComma = make(',');
  return delim == '\t' ? kTab : kComma;
}

// A known column: the donor facts first, numbered as eligibility::DonorFact
// (so ColumnOf maps one to the other), then the columns only files have.
enum class Fact : uint8_t {
  kId, kRelationship, kBirthDate, kAge, kSex, kAbo, kCmv, kKir,  // DonorFact's
  kPopulation,
  kGlString = eligibility::kDonorFactCount,
  kFamilyId,
  kRole,
  kOtherParent,
  kCount,
};
constexpr Fact ColumnOf(eligibility::DonorFact f) {
  return static_cast<Fact>(static_cast<uint8_t>(f));
}
static_assert(ColumnOf(eligibility::DonorFact::kId) == Fact::kId &&
                  ColumnOf(eligibility::DonorFact::kRelationship) ==
                      Fact::kRelationship &&
                  ColumnOf(eligibility::DonorFact::kBirthDate) ==
                      Fact::kBirthDate &&
                  ColumnOf(eligibility::DonorFact::kAge) == Fact::kAge &&
                  ColumnOf(eligibility::DonorFact::kSex) == Fact::kSex &&
                  ColumnOf(eligibility::DonorFact::kAbo) == Fact::kAbo &&
                  ColumnOf(eligibility::DonorFact::kCmv) == Fact::kCmv &&
                  ColumnOf(eligibility::DonorFact::kKir) == Fact::kKir &&
                  ColumnOf(eligibility::DonorFact::kPopulation) == Fact::kPopulation,
              "the donor-fact columns follow eligibility::DonorFact");

struct FactSpelling {
  Fact fact;
  const char* names[6];
};

// The accepted header spellings (lower case); see the header comment.
constexpr FactSpelling kSpellings[] = {
    {Fact::kId, {"id", "donor_id", "person_id", "donor", nullptr}},
    {Fact::kRelationship, {"relationship", "relation", "rel", nullptr}},
    {Fact::kBirthDate,
     {"birth_date", "birthdate", "dob", "date_of_birth", nullptr}},
    {Fact::kAge, {"age", nullptr}},
    {Fact::kSex, {"sex", "gender", nullptr}},
    {Fact::kAbo, {"abo", "blood_group", "bloodgroup", "abo_rh", nullptr}},
    {Fact::kCmv, {"cmv", "cmv_status", "cmv_serostatus", nullptr}},
    {Fact::kKir, {"kir", "kir_genotype", "kir_genes", nullptr}},
    {Fact::kPopulation, {"population", nullptr}},
    {Fact::kGlString, {kGlStringColumn, "gl_string", "gl", "typing", "hla", nullptr}},
    {Fact::kFamilyId, {kFamilyIdColumn, "family", nullptr}},
    {Fact::kRole, {kRoleColumn, nullptr}},
    {Fact::kOtherParent, {kOtherParentColumn, "other parent", nullptr}},
};

std::optional<Fact> FactOf(absl::string_view lower) {
  for (const FactSpelling& s : kSpellings) {
    for (const char* const* n = s.names; *n != nullptr; ++n) {
      if (lower == *n) return s.fact;
    }
  }
  return std::nullopt;
}

// "a_1", "hla-drb1.2", "b1" -> (locus, position 0/1).
std::optional<std::pair<Locus, int>> LocusColumnOf(absl::string_view lower) {
  if (absl::StartsWith(lower, "hla-") || absl::StartsWith(lower, "hla_")) {
    lower.remove_prefix(4);
  }
  if (lower.size() < 2) return std::nullopt;
  const char last = lower.back();
  if (last != '1' && last != '2') return std::nullopt;
  absl::string_view rest = lower.substr(0, lower.size() - 1);
  const char sep = rest.back();
  const bool has_sep = sep == '_' || sep == '.' || sep == '-' || sep == ' ';
  if (has_sep) {
    rest.remove_suffix(1);
  } else if (rest != "a" && rest != "b" && rest != "c") {
    return std::nullopt;  // "drb11" is too easy to misread
  }
  std::optional<Locus> locus = LocusFromName(absl::AsciiStrToUpper(rest));
  if (!locus) return std::nullopt;
  return std::make_pair(*locus, last == '1' ? 0 : 1);
}

// Does the token belong under a column of `locus`?
bool TokenIsOfLocus(const Token& t, Locus locus) {
  if (t.kind == TokenKind::kPlaceholder && t.locus.empty()) return true;
  if (t.kind == TokenKind::kSerology) {
    if (locus == Locus::kB && t.locus == "Bw") return true;
    return t.locus == SerologyPrefix(locus);
  }
  return t.locus == LocusName(locus);
}

absl::Status FirstLeafOfOtherLocus(const GlNode& node, Locus locus,
                                   absl::string_view text) {
  if (node.is_leaf()) {
    if (TokenIsOfLocus(node.token, locus)) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(
        "'", ToString(node.token), "' in '", text, "' is not a typing of ",
        LocusName(locus)));
  }
  for (const GlNode& c : node.children) {
    absl::Status s = FirstLeafOfOtherLocus(c, locus, text);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::string_view Trim(absl::string_view s) {
  return absl::StripAsciiWhitespace(s);
}

// One per-locus cell (trimmed, non-blank) as a typing of `locus`.
absl::StatusOr<GlString> ParseCell(Locus locus, absl::string_view raw) {
  std::string text(raw);
  // "02:01" under A_1 is A*02:01 (the first list item only: the parser's
  // shorthand carries the locus to "01:01/01:02").
  if (absl::ascii_isdigit(text[0])) {
    text = absl::StrCat(LocusName(locus), "*", text);
  }
  absl::StatusOr<GlString> gl = parser::ParseGlString(text);
  if (!gl.ok()) return gl.status();
  if (!gl->root.is_leaf() && gl->root.op != GlOp::kAlleleList) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "': one typing a cell (an allele, or a '/' list); '",
        std::string(1, GlOpChar(gl->root.op)), "' belongs between columns"));
  }
  absl::Status of_locus = FirstLeafOfOtherLocus(gl->root, locus, text);
  if (!of_locus.ok()) return of_locus;
  return gl;
}

}  // namespace

// Without a resolver: per locus, each distinct cell's canonical text or
// error, so that a registry's repeated cells are parsed once.
struct DonorFileReader::CellCache {
  struct Cell {
    std::string text;
    std::string error;
  };
  static constexpr size_t kLimit = size_t{1} << 16;  // per locus
  std::array<absl::flat_hash_map<std::string, Cell>, kLocusCount> cells;

  const Cell& Get(Locus locus, absl::string_view raw) {
    auto& map = cells[static_cast<int>(locus)];
    if (auto it = map.find(raw); it != map.end()) return it->second;
    if (map.size() >= kLimit) map.clear();
    Cell cell;
    absl::StatusOr<GlString> gl = ParseCell(locus, raw);
    if (gl.ok()) {
      cell.text = ToString(*gl);
    } else {
      cell.error = std::string(gl.status().message());
    }
    return map.emplace(std::string(raw), std::move(cell)).first->second;
  }
};

// Which field holds which fact: built from a header's columns or from a JSON
// object's keys by BuildLayout.
struct DonorFileReader::Layout {
  std::vector<std::string> names;  // the columns / keys as written
  std::array<int, static_cast<int>(Fact::kCount)> fact;
  std::array<std::array<int, 2>, kLocusCount> locus;
  bool any_locus = false;
  // JSON Lines: why rows with these keys cannot be read (no id, ...).
  absl::Status error;
  Layout() {
    fact.fill(-1);
    for (auto& l : locus) l.fill(-1);
  }
  int at(Fact f) const { return fact[static_cast<int>(f)]; }
};

// JSON Lines: the line and object buffers (reused row after row) and the
// layouts of the key lists seen, by key list ("2:id8:glstring").
struct DonorFileReader::JsonState {
  static constexpr size_t kMaxLayouts = 1024;
  std::string line;
  internal::FlatObject object;
  std::string key;
  absl::flat_hash_map<std::string, std::unique_ptr<Layout>> layouts;
  const Layout* last = nullptr;  // in `layouts`
};

DonorFileReader::DonorFileReader() = default;
DonorFileReader::~DonorFileReader() = default;

absl::StatusOr<std::unique_ptr<DonorFileReader>> DonorFileReader::FromStream(
    std::istream* in, std::string name, const data::Resolver* resolver,
    DonorFileOptions options) {
  std::unique_ptr<DonorFileReader> r(new DonorFileReader());
  r->in_ = in;
  r->name_ = std::move(name);
  r->resolver_ = resolver;
  r->options_ = options;
  r->id_column_lower_ = absl::AsciiStrToLower(Trim(options.id_column));
  r->json_ = std::make_unique<JsonState>();
  if (resolver == nullptr) r->cells_ = std::make_unique<CellCache>();
  absl::Status s = r->ReadHeader();
  if (!s.ok()) return s;
  return r;
}

absl::StatusOr<std::unique_ptr<DonorFileReader>> DonorFileReader::Open(
    const std::string& path, const data::Resolver* resolver,
    DonorFileOptions options) {
  auto file = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!file->is_open()) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open the donor file"));
  }
  if (options.format == TableFormat::kAuto) {
    const std::string lower = absl::AsciiStrToLower(path);
    if (absl::EndsWith(lower, ".jsonl") || absl::EndsWith(lower, ".ndjson")) {
      options.format = TableFormat::kJsonLines;
    } else if (absl::EndsWith(lower, ".tsv") || absl::EndsWith(lower, ".tab")) {
      options.format = TableFormat::kTsv;
    }
  }
  std::istream* raw = file.get();
  absl::StatusOr<std::unique_ptr<DonorFileReader>> r =
      FromStream(raw, path, resolver, options);
  if (r.ok()) (*r)->owned_ = std::move(file);
  return r;
}

std::string DonorFileReader::Where(size_t line) const {
  return absl::StrCat(name_, ":", line);
}

const char* DonorFileReader::noun() const {
  return format_ == TableFormat::kJsonLines ? "key" : "column";
}

namespace {

constexpr absl::string_view kBom = "\xEF\xBB\xBF";

// Does the line (a UTF-8 BOM allowed) start, after blanks, with '{'?
bool LooksLikeJson(absl::string_view line) {
  absl::ConsumePrefix(&line, kBom);
  line = absl::StripLeadingAsciiWhitespace(line);
  return !line.empty() && line[0] == '{';
}

}  // namespace

absl::Status DonorFileReader::ReadHeader() {
  // Read the first non-blank physical line to choose the format, then parse
  // it as a record from `pending_` (JSON Lines: as the first row).
  std::streambuf* buf = in_->rdbuf();
  bool partial = false;  // JSON Lines: the line goes on past the limit
  for (;;) {
    pending_.clear();
    pending_pos_ = 0;
    bool any = false;
    for (;;) {
      const int c = buf->sbumpc();
      if (c == std::char_traits<char>::eof()) break;
      any = true;
      pending_.push_back(static_cast<char>(c));
      if (c == '\n') break;
      if (pending_.size() > options_.max_row_bytes) {
        if (options_.format == TableFormat::kJsonLines ||
            (options_.format == TableFormat::kAuto && LooksLikeJson(pending_))) {
          partial = true;  // an over-long first row: ReadLine rejects it
          break;
        }
        return absl::InvalidArgumentError(absl::StrCat(
            Where(line_ + 1), ": header line over ", options_.max_row_bytes,
            " bytes"));
      }
    }
    if (!any) {
      if (options_.format == TableFormat::kJsonLines) {
        format_ = TableFormat::kJsonLines;  // no rows
        return absl::OkStatus();
      }
      return absl::InvalidArgumentError(
          absl::StrCat(name_, ": empty donor file (no header line)"));
    }
    if (partial || !Trim(pending_).empty()) break;
    ++line_;
  }
  // A UTF-8 byte-order mark, as spreadsheets write it.
  if (absl::StartsWith(pending_, kBom)) pending_.erase(0, kBom.size());
  format_ = options_.format;
  if (format_ == TableFormat::kAuto) {
    format_ = LooksLikeJson(pending_)            ? TableFormat::kJsonLines
              : absl::StrContains(pending_, '\t') ? TableFormat::kTsv
                                                 : TableFormat::kCsv;
  }
  if (format_ == TableFormat::kJsonLines) {
    // No header: columns() are the first object's keys, and its layout
    // (with the warnings about its keys) is built now; NextJson reuses it.
    if (!partial &&
        internal::ParseFlatObject(pending_, &json_->object).ok()) {
      columns_ = json_->object.keys;
      JsonLayout(line_ + 1);
    }
    return absl::OkStatus();
  }
  std::vector<std::string> fields;
  size_t header_line = 0;
  std::string row_error;
  ReadRecord(&fields, &header_line, &row_error);
  if (!row_error.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(header_line), ": header: ", row_error));
  }
  columns_ = fields;
  layout_ = std::make_unique<Layout>();
  absl::Status s = BuildLayout(fields, header_line, layout_.get());
  if (!s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(header_line), ": ", s.message()));
  }
  return absl::OkStatus();
}

absl::Status DonorFileReader::BuildLayout(const std::vector<std::string>& names,
                                          size_t line, Layout* layout) {
  Layout& l = *layout;
  l.names = names;
  const bool json = format_ == TableFormat::kJsonLines;
  const char* const what = noun();
  auto warn = [&](const std::string& name, absl::string_view why) {
    if (json && !warned_keys_.insert(name).second) return;  // once a key
    // Bounded: a file (or a request) with thousands of distinct unknown
    // keys gets the first kMaxHeaderWarnings named and one line more.
    if (header_warnings_.size() > kMaxHeaderWarnings) return;
    if (header_warnings_.size() == kMaxHeaderWarnings) {
      header_warnings_.push_back(absl::StrCat(
          Where(line), ": more ", what, "s haplomatch does not read; the "
          "first ", kMaxHeaderWarnings, " are listed"));
      return;
    }
    header_warnings_.push_back(
        absl::StrCat(Where(line), ": ", what, " '", name, "' ", why));
  };
  auto same_thing = [&](int slot, size_t i) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, "s '", names[slot], "' and '", names[i], "' say the same thing"));
  };
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string lower = absl::AsciiStrToLower(Trim(names[i]));
    std::optional<Fact> f;
    if (!id_column_lower_.empty()) {
      if (lower == id_column_lower_) {
        f = Fact::kId;
      } else if ((f = FactOf(lower)) && *f == Fact::kId) {
        warn(names[i], absl::StrCat("ignored: the id is the ", what, " '",
                                    options_.id_column, "'"));
        continue;
      }
    } else {
      f = FactOf(lower);
    }
    if (f) {
      int& slot = l.fact[static_cast<int>(*f)];
      if (slot >= 0) return same_thing(slot, i);
      slot = static_cast<int>(i);
    } else if (auto lc = LocusColumnOf(lower)) {
      int& slot = l.locus[static_cast<int>(lc->first)][lc->second];
      if (slot >= 0) return same_thing(slot, i);
      slot = static_cast<int>(i);
      l.any_locus = true;
    } else {
      warn(names[i], "is not one haplomatch reads; ignored");
    }
  }
  if (l.at(Fact::kId) < 0) {
    if (json) {
      return absl::InvalidArgumentError(
          options_.id_column.empty()
              ? "no donor id (key id, donor_id, person_id or donor)"
              : absl::StrCat("no donor id (key '", options_.id_column, "')"));
    }
    return absl::InvalidArgumentError(
        options_.id_column.empty()
            ? "no id column (id, donor_id, person_id or donor) in the header"
            : absl::StrCat("no id column '", options_.id_column,
                           "' in the header"));
  }
  // A JSON Lines row of a family file may have no typing key at all (an
  // untyped member); a CSV/TSV header still needs a typing column.
  if (l.at(Fact::kGlString) < 0 && !l.any_locus &&
      !(json && options_.allow_untyped)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no typing ", what, ": a 'glstring' ", what, " or per-locus ", what,
        "s A_1, A_2, B_1, ..."));
  }
  if (l.at(Fact::kGlString) >= 0 && l.any_locus) {
    return absl::InvalidArgumentError(absl::StrCat(
        "both a '", names[l.at(Fact::kGlString)], "' ", what,
        " and per-locus ", what, "s: give the typing one way"));
  }
  return absl::OkStatus();
}

bool DonorFileReader::ReadLine(std::string* line, size_t* start_line,
                               std::string* row_error) {
  std::streambuf* buf = in_->rdbuf();
  constexpr int kEof = std::char_traits<char>::eof();
  for (;;) {  // until a non-blank line
    line->clear();
    *start_line = line_ + 1;
    bool any = false, over = false;
    for (;;) {
      const int c = pending_pos_ < pending_.size()
                        ? static_cast<unsigned char>(pending_[pending_pos_++])
                        : buf->sbumpc();
      if (c == kEof) break;
      any = true;
      if (c == '\n') break;
      // A line ends at LF, CRLF or a lone CR (classic Mac OS files): read
      // as one line, a CR-only file would lose every row.
      if (c == '\r') {
        const int next = pending_pos_ < pending_.size()
                             ? static_cast<unsigned char>(pending_[pending_pos_])
                             : buf->sgetc();
        if (next == '\n') continue;  // CRLF: the LF ends it
        break;
      }
      if (line->size() >= options_.max_row_bytes) {
        over = true;  // skip to the end of the line, keeping nothing
        continue;
      }
      line->push_back(static_cast<char>(c));
    }
    if (!any) return false;
    ++line_;
    if (over) {
      line->clear();
      *row_error = absl::StrCat("row over ", options_.max_row_bytes,
                                " bytes (rejected, not truncated)");
      return true;
    }
    if (!Trim(*line).empty()) return true;
  }
}

const DonorFileReader::Layout& DonorFileReader::JsonLayout(size_t line) {
  JsonState& j = *json_;
  const std::vector<std::string>& keys = j.object.keys;
  // Registries write the same keys line after line, or a few key sets
  // (loci left out): the last layout, else one by key list.
  if (j.last != nullptr && keys == j.last->names) return *j.last;
  j.key.clear();
  for (const std::string& k : keys) absl::StrAppend(&j.key, k.size(), ":", k);
  auto it = j.layouts.find(j.key);
  if (it == j.layouts.end()) {
    if (j.layouts.size() >= JsonState::kMaxLayouts) j.layouts.clear();
    auto layout = std::make_unique<Layout>();
    layout->error = BuildLayout(keys, line, layout.get());
    it = j.layouts.emplace(j.key, std::move(layout)).first;
  }
  j.last = it->second.get();
  return *j.last;
}

bool DonorFileReader::StartRow(size_t start_line, const std::string& row_error,
                               DonorRecord* record, absl::Status* status) {
  ++rows_;
  if (resolver_ != nullptr) {
    *record = DonorRecord();
  } else {
    // Without a resolver the genotype is never written and stays default;
    // the rest is reset field by field, keeping the strings' storage (a
    // default Genotype is kilobytes to make, and ingest reads millions of
    // rows). A field added to DonorRecord is reset here too.
    record->facts = eligibility::DonorFacts();
    record->family_id.clear();
    record->role.clear();
    record->other_parent.clear();
    record->typing.clear();
    record->warnings.clear();
  }
  record->line = start_line;
  if (row_error.empty()) return true;
  *status = absl::InvalidArgumentError(
      absl::StrCat(Where(start_line), ": ", row_error));
  return false;
}

bool DonorFileReader::NextJson(DonorRecord* record, absl::Status* status) {
  size_t start_line = 0;
  std::string row_error;
  if (!ReadLine(&json_->line, &start_line, &row_error)) return false;
  if (!StartRow(start_line, row_error, record, status)) return true;
  // "f.jsonl:4:31: expected ',' or '}'".
  if (absl::Status s = internal::ParseFlatObject(json_->line, &json_->object);
      !s.ok()) {
    *status = absl::InvalidArgumentError(
        absl::StrCat(Where(start_line), ":", s.message()));
    return true;
  }
  const Layout& layout = JsonLayout(start_line);
  if (!layout.error.ok()) {
    *status = absl::InvalidArgumentError(
        absl::StrCat(Where(start_line), ": ", layout.error.message()));
    return true;
  }
  *status = ParseRow(layout, json_->object.values, record);
  return true;
}

bool DonorFileReader::ReadRecord(std::vector<std::string>* fields,
                                 size_t* start_line, std::string* row_error) {
  std::streambuf* buf = in_->rdbuf();
  // Once a quoted field crosses a line end, the bytes read after that first
  // line end are kept in `rest`: if the record turns out not to be one
  // (see Unbalanced below), they are read again as rows of their own.
  bool keeping = false;
  std::string rest;
  auto get = [&]() -> int {
    int c;
    if (pending_pos_ < pending_.size()) {
      c = static_cast<unsigned char>(pending_[pending_pos_++]);
    } else {
      c = buf->sbumpc();
    }
    if (keeping && c != std::char_traits<char>::eof()) {
      rest.push_back(static_cast<char>(c));
    }
    return c;
  };
  auto peek = [&]() -> int {
    if (pending_pos_ < pending_.size()) {
      return static_cast<unsigned char>(pending_[pending_pos_]);
    }
    return buf->sgetc();
  };
  // A quoted field may hold line breaks (spreadsheets write them in notes),
  // but a quote that is never closed, or closed by an unrelated quote lines
  // later, would swallow every row in between. So a record that spans lines
  // is kept only when it is plausible: at most kMaxRecordLines lines, the
  // header's number of fields, and the line breaks in columns haplomatch
  // ignores. Otherwise its first line is rejected as an unbalanced quote and
  // the lines after it are read again as rows. Re-reading is bounded by
  // kMaxRecordLines lines per rejected line.
  constexpr size_t kMaxRecordLines = 16;
  auto unbalanced = [&](size_t start) {
    pending_ = rest + pending_.substr(pending_pos_);
    pending_pos_ = 0;
    line_ = start;
    fields->clear();
    *row_error =
        "a quoted field is not closed on its line (an unbalanced quote?); "
        "the lines after it are read as rows";
    return true;
  };
  auto plausible = [&]() {
    if (layout_ == nullptr || fields->size() != columns_.size()) return false;
    auto broken = [&](int i) {
      return i >= 0 &&
             (*fields)[i].find_first_of("\r\n") != std::string::npos;
    };
    for (int i : layout_->fact) {
      if (broken(i)) return false;
    }
    for (const auto& l : layout_->locus) {
      if (broken(l[0]) || broken(l[1])) return false;
    }
    return true;
  };
  const char delim = format_ == TableFormat::kTsv ? '\t' : ',';
  constexpr int kEof = std::char_traits<char>::eof();
  const std::array<bool, 256>& ends_run = RunEnds(delim);
  // The fields' strings are reused from row to row (a field is swapped
  // into its slot and the slot's old buffer becomes the next field's), so a
  // registry's millions of rows cost no allocation each once warm.
  size_t n = 0;
  std::string cur;
  auto push = [&]() {
    if (n < fields->size()) {
      (*fields)[n].swap(cur);
    } else {
      fields->push_back(std::move(cur));
    }
    ++n;
    cur.clear();
  };
  for (;;) {  // until a non-blank record
    n = 0;
    row_error->clear();
    *start_line = line_ + 1;
    cur.clear();
    bool in_quotes = false, quoted = false, any = false;
    size_t bytes = 0, lines = 1;
    keeping = false;
    rest.clear();
    for (;;) {
      // The bulk of a row, outside quotes: a run of ordinary bytes is
      // copied straight from the stream's buffer (the byte loop below costs
      // a dozen branches a byte). It stops at anything the loop must see,
      // and short of the row limit, so that the loop below meets the byte
      // over it.
      if (!in_quotes && !keeping && pending_pos_ >= pending_.size() &&
          bytes < options_.max_row_bytes) {
        const char* const g = GetArea::Next(buf);
        const char* const e = GetArea::End(buf);
        // gbump takes an int: a run is at most INT_MAX bytes (a stream
        // over a string may buffer all of it).
        const size_t room =
            std::min<size_t>(options_.max_row_bytes - bytes,
                             std::numeric_limits<int>::max());
        const char* const stop =
            static_cast<size_t>(e - g) > room ? g + room : e;
        const char* q = g;
        while (q < stop && !ends_run[static_cast<unsigned char>(*q)]) ++q;
        if (q > g) {
          cur.append(g, static_cast<size_t>(q - g));
          bytes += static_cast<size_t>(q - g);
          any = true;
          GetArea::Advance(buf, static_cast<int>(q - g));
          continue;
        }
      }
      const int c = get();
      if (c == kEof) {
        if (!any) return false;
        ++line_;  // a last line without '\n'
        break;
      }
      any = true;
      if (++bytes > options_.max_row_bytes) {
        if (keeping) return unbalanced(*start_line);
        // Over the limit: drop what we have and skip to the end of this
        // physical line, ignoring quotes (an unbalanced quote must not
        // swallow the rest of the file).
        int d = c;
        while (d != kEof && d != '\n') d = get();
        ++line_;
        fields->clear();
        *row_error = absl::StrCat("row over ", options_.max_row_bytes,
                                  " bytes (rejected, not truncated)");
        return true;
      }
      if (in_quotes) {
        if (c == '"') {
          if (peek() == '"') {
            get();
            cur.push_back('"');
          } else {
            in_quotes = false;
          }
        } else if (c == '\n' || c == '\r') {
          cur.push_back(static_cast<char>(c));
          if (c == '\r' && peek() == '\n') cur.push_back(static_cast<char>(get()));
          ++line_;
          if (++lines > kMaxRecordLines) return unbalanced(*start_line);
          keeping = true;  // from the first line end on
        } else {
          cur.push_back(static_cast<char>(c));
        }
        continue;
      }
      if (c == delim) {
        push();
        quoted = false;
      } else if (c == '"' && cur.empty() && !quoted) {
        in_quotes = true;
        quoted = true;
      } else if (c == '\n') {
        ++line_;
        break;
      } else if (c == '\r') {
        // CRLF, or a lone CR (classic Mac OS): a line end either way.
        if (peek() == '\n') get();
        ++line_;
        break;
      } else {
        cur.push_back(static_cast<char>(c));
      }
    }
    if (in_quotes) {
      if (keeping) return unbalanced(*start_line);
      fields->clear();
      *row_error = "a quoted field is not closed before the end of the file";
      return true;
    }
    push();
    fields->resize(n);
    if (keeping && !plausible()) return unbalanced(*start_line);
    if (fields->size() == 1 && Trim((*fields)[0]).empty() && !quoted) {
      continue;  // a blank line is not a row
    }
    return true;
  }
}

bool DonorFileReader::Next(DonorRecord* record, absl::Status* status) {
  if (format_ == TableFormat::kJsonLines) return NextJson(record, status);
  std::vector<std::string>& fields = fields_;
  size_t start_line = 0;
  std::string row_error;
  if (!ReadRecord(&fields, &start_line, &row_error)) return false;
  if (!StartRow(start_line, row_error, record, status)) return true;
  if (fields.size() != columns_.size()) {
    *status = absl::InvalidArgumentError(absl::StrCat(
        Where(start_line), ": ", fields.size(), " fields, but the header has ",
        columns_.size()));
    return true;
  }
  *status = ParseRow(*layout_, fields, record);
  return true;
}

absl::Status DonorFileReader::ParseRow(const Layout& l,
                                       const std::vector<std::string>& fields,
                                       DonorRecord* record) const {
  // Made only for a message: most rows have none.
  auto where = [&] { return Where(record->line); };
  const char* const what = noun();
  auto column_error = [&](int index, absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(where(), ": ", what, " '", l.names[index], "': ", why));
  };
  auto cell = [&](Fact f) -> absl::string_view {
    const int i = l.at(f);
    return i < 0 ? absl::string_view() : Trim(fields[i]);
  };
  eligibility::DonorFacts& facts = record->facts;

  facts.id = std::string(cell(Fact::kId));
  // Kept as written: only family files (family/family.h) interpret them.
  record->family_id = std::string(cell(Fact::kFamilyId));
  record->role = std::string(cell(Fact::kRole));
  record->other_parent = std::string(cell(Fact::kOtherParent));
  if (facts.id.empty()) {
    return column_error(l.at(Fact::kId), "missing donor id");
  }
  // The facts, read by the one donor-facts reader (eligibility/facts.h).
  // Every fact but the id (read above).
  for (int f = 1; f < eligibility::kDonorFactCount; ++f) {
    const auto fact = static_cast<eligibility::DonorFact>(f);
    const Fact column = ColumnOf(fact);
    absl::Status s = eligibility::ParseDonorFact(fact, cell(column), &facts);
    if (!s.ok()) return column_error(l.at(column), s.message());
  }
  // Only a row with both a birth date and an age needs today's date (a
  // clock and time-zone read, too dear for every row of a registry).
  if (absl::Status s =
          facts.birth_date && facts.age
              ? eligibility::CheckDonorFacts(facts, eligibility::Today())
              : absl::OkStatus();
      !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        where(), ": ", what, "s '", l.names[l.at(Fact::kBirthDate)], "' and '",
        l.names[l.at(Fact::kAge)], "': ", s.message()));
  }

  // The typing.
  auto add_warnings = [&](int index, std::vector<std::string>* ws) {
    for (std::string& w : *ws) {
      record->warnings.push_back(
          absl::StrCat(where(), ": ", what, " '", l.names[index], "': ", w));
    }
  };
  if (l.at(Fact::kGlString) >= 0) {
    const int index = l.at(Fact::kGlString);
    const absl::string_view text = cell(Fact::kGlString);
    if (text.empty()) {
      if (options_.allow_untyped) return absl::OkStatus();  // a placeholder
      return column_error(index, "no typing");
    }
    if (!options_.parse_typings && resolver_ == nullptr) {
      record->typing.assign(text.data(), text.size());  // the caller parses it
      return absl::OkStatus();
    }
    absl::StatusOr<GlString> gl = parser::ParseGlString(text);
    if (!gl.ok()) return column_error(index, gl.status().message());
    record->typing = ToString(*gl);
    if (resolver_ == nullptr) return absl::OkStatus();
    absl::StatusOr<data::ResolvedTyping> t = resolver_->Resolve(*gl);
    if (!t.ok()) return column_error(index, t.status().message());
    add_warnings(index, &t->warnings);
    absl::StatusOr<matcher::Genotype> g = matcher::BuildGenotype(resolver_->reference(), *t);
    if (!g.ok()) return column_error(index, g.status().message());
    record->genotype = *std::move(g);
    add_warnings(index, &record->genotype.warnings);
    return absl::OkStatus();
  }

  // Per-locus cells: each parsed and resolved alone (so that an error names
  // its column), then joined into one resolved tree, '+' within a locus and
  // '^' between loci, for BuildGenotype.
  data::ResolvedNode multilocus;
  multilocus.op = GlOp::kMultilocus;
  std::vector<std::string> locus_texts;
  for (Locus locus : kAllLoci) {
    data::ResolvedNode genotype;
    genotype.op = GlOp::kGenotype;
    std::vector<std::string> texts;
    for (int p = 0; p < 2; ++p) {
      const int index = l.locus[static_cast<int>(locus)][p];
      if (index < 0) continue;
      absl::string_view raw = Trim(fields[index]);
      if (raw.empty()) continue;
      if (resolver_ == nullptr) {
        // Without a resolver only the text is kept: registries repeat cells,
        // so each distinct one is parsed once.
        const CellCache::Cell& cell = cells_->Get(locus, raw);
        if (!cell.error.empty()) return column_error(index, cell.error);
        texts.push_back(cell.text);
        continue;
      }
      absl::StatusOr<GlString> gl = ParseCell(locus, raw);
      if (!gl.ok()) return column_error(index, gl.status().message());
      texts.push_back(ToString(*gl));
      absl::StatusOr<data::ResolvedTyping> t = resolver_->Resolve(*gl);
      if (!t.ok()) return column_error(index, t.status().message());
      add_warnings(index, &t->warnings);
      genotype.children.push_back(std::move(t->root));
    }
    if (texts.empty()) continue;
    locus_texts.push_back(absl::StrJoin(texts, "+"));
    if (resolver_ == nullptr) continue;
    if (genotype.children.size() == 1) {
      multilocus.children.push_back(std::move(genotype.children[0]));
    } else {
      multilocus.children.push_back(std::move(genotype));
    }
  }
  if (locus_texts.empty()) {
    if (options_.allow_untyped) return absl::OkStatus();  // a placeholder
    return absl::InvalidArgumentError(
        absl::StrCat(where(), ": no typing (every locus ", what, " is blank)"));
  }
  record->typing = absl::StrJoin(locus_texts, "^");
  if (resolver_ == nullptr) return absl::OkStatus();
  data::ResolvedTyping typing;
  if (multilocus.children.size() == 1) {
    typing.root = std::move(multilocus.children[0]);
  } else {
    typing.root = std::move(multilocus);
  }
  absl::StatusOr<matcher::Genotype> g = matcher::BuildGenotype(resolver_->reference(), typing);
  if (!g.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where(), ": typing '", record->typing, "': ",
                     g.status().message()));
  }
  record->genotype = *std::move(g);
  for (std::string& w : record->genotype.warnings) {
    record->warnings.push_back(absl::StrCat(where(), ": ", w));
  }
  return absl::OkStatus();
}

absl::StatusOr<TypingFromText> ReadTyping(const data::Resolver& resolver,
                                          absl::string_view text) {
  TypingFromText t;
  absl::StatusOr<GlString> gl = parser::ParseGlString(text);
  if (!gl.ok()) return gl.status();
  t.typing = ToString(*gl);
  absl::StatusOr<data::ResolvedTyping> r = resolver.Resolve(*gl);
  if (!r.ok()) return r.status();
  absl::StatusOr<matcher::Genotype> g = matcher::BuildGenotype(resolver.reference(), *r);
  if (!g.ok()) return g.status();
  t.genotype = *std::move(g);
  t.warnings = std::move(r->warnings);
  t.warnings.insert(t.warnings.end(), t.genotype.warnings.begin(),
                    t.genotype.warnings.end());
  return t;
}

}  // namespace hla::registry
