// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Donor files: CSV, TSV or JSON Lines, one donor a row, read as a stream
// (one row in memory at a time, so a registry file of millions of rows is
// fine).
//
//   HLA_ASSIGN_OR_RETURN(auto reader,
//                        hla::registry::DonorFileReader::Open(path, &resolver));
//   hla::registry::DonorRecord donor;
//   absl::Status row_status;
//   while (reader->Next(&donor, &row_status)) {
//     if (!row_status.ok()) { report(row_status); continue; }  // "f.csv:7: ..."
//     ... donor.facts, donor.genotype ...
//   }
//
// Format. JSON Lines when the file name ends in .jsonl or .ndjson or the
// first non-blank byte is '{'; else TSV when the name ends in .tsv/.tab or
// the header has a tab; else CSV (options.format overrides the choice).
//
// CSV/TSV: the first non-blank line is the header. CSV is RFC 4180: fields
// in double quotes may hold commas, newlines and doubled quotes "". Blank
// lines are skipped; a trailing '\r' is dropped; a UTF-8 byte-order mark is
// ignored. Header names are case-insensitive, surrounding spaces ignored; an
// "HLA-" or "HLA_" prefix on a locus column is ignored. Accepted columns
// (others are ignored with a header warning; a column given twice is an
// error):
//
//   id            id, donor_id, person_id, donor           required, non-blank
//                 (DonorFileOptions::id_column names another)
//   relationship  relationship, relation, rel              mother, father,
//                 sibling, ... (matcher/match.h ParseRelationship); blank =
//                 unknown
//   birth_date    birth_date, birthdate, dob, date_of_birth   YYYY-MM-DD
//   age           age                                      whole years, 0-130;
//                 used only when there is no birth date
//   sex           sex, gender                              F, M, U
//   abo           abo, blood_group, bloodgroup, abo_rh     O, A, B, AB (+/-)
//   cmv           cmv, cmv_status, cmv_serostatus          pos, neg, unknown
//   kir           kir, kir_genotype, kir_genes             the donor's KIR
//                 genes ("KIR2DL1+ KIR2DL2- ...") or motifs ("Cen-A/B
//                 Tel-B/B"): eligibility/facts.h ParseKirGenotype
//   population    population                               AFA, API, EUR,
//                 HIS (the haplotype table's): imputes the donor's typing
//                 with that population's frequencies; blank = the mixture
//   glstring      glstring, gl_string, gl, typing, hla     a GL String
//   family_id     family_id, family                        kept as written
//   role          role                                     kept as written
//                 (patient, father, ...: family/family.h reads them)
//   per locus     A_1, A_2, B_1, B_2, C_1, ..., DRB1_1, DRB1_2, DQB1_1, ...,
//                 DPB1_2 (any of the eleven matching loci); the separator may
//                 be '_', '.', '-' or a space (A.1, DRB1-2, "B 1"), and A, B, C
//                 also take none (A1, A2, B1, B2, C1, C2)
//
// JSON Lines: each non-blank line is one flat JSON object (string keys to
// string, number, true/false or null values; registry/internal/flat_json.h).
// Its keys play the header's role, with the same spellings and rules as the
// columns above (built by the same code), but per row: rows may have
// different key sets, and a missing id key, no typing key or both kinds of
// typing key is an error of that row. A number is read as its text
// ("age": 30), null as a blank cell. Unknown keys are ignored with one
// header warning per distinct key (so header_warnings() grows while rows are
// read; after kMaxHeaderWarnings of them, one line says more were left
// out). An object has at most 256 keys (a row error beyond). A UTF-8
// byte-order mark, CRLF and lone-CR line ends are accepted.
//
// A row has either a glstring or per-locus cells, not both. A per-locus
// cell holds one typing of that locus: a name with or without the locus
// ("02:01" under A_1 is A*02:01; "01:01/01:02" is the list
// A*01:01/A*01:02), a MAC, an XX code, a G/P group or serology ("A2"). A
// blank cell is an untyped position; a locus with one blank position and one
// typed is read, as matcher/match.h reads a locus written once, as
// homozygous. A locus with both blank is untyped.
//
// Errors: every bad row is an error for that row, never a crash and never a
// silent drop; the message names the file, the line the row starts on and
// the column: "family.csv:7: column 'birth_date': '2023-02-30' is not a
// date: February 2023 has 28 days" (JSON Lines: "key 'birth_date'"). Kinds:
// wrong number of fields, missing id, a bad date / age / sex / ABO / CMV /
// relationship, a typing that does not parse or names no allele of the
// release, a typing under the wrong locus column, a row over the length
// limit; for JSON Lines also bad JSON, with its 1-based column
// ("f.jsonl:4:31: expected ',' or '}'"), a nested value or a repeated key,
// and the key-set errors above.
//
// Thread safety: a reader is a stream; use one per thread.
#ifndef HLA_REGISTRY_DONOR_FILE_H_
#define HLA_REGISTRY_DONOR_FILE_H_

#include <cstddef>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/resolve.h"
#include "eligibility/eligibility.h"
#include "matcher/match.h"

namespace hla::registry {

enum class TableFormat : uint8_t { kAuto, kCsv, kTsv, kJsonLines };

// The canonical names of the columns (CSV/TSV) or keys (JSON Lines) that
// are not donor facts, the first spelling the reader accepts for each;
// writers of donor files (synth) use them, and eligibility::DonorFactName
// for the facts, so that what we write is what we read.
inline constexpr char kGlStringColumn[] = "glstring";
inline constexpr char kFamilyIdColumn[] = "family_id";
inline constexpr char kRoleColumn[] = "role";
// Family files: the id (or a name) of a patient's child's other parent.
inline constexpr char kOtherParentColumn[] = "other_parent";

struct DonorFileOptions {
  TableFormat format = TableFormat::kAuto;
  // A row (all its lines) longer than this is an error for that row; the
  // reader skips to its end without keeping it in memory.
  size_t max_row_bytes = size_t{1} << 20;
  // The id column (CSV/TSV) or key (JSON Lines), matched as header names
  // are (case-insensitive, surrounding spaces ignored). When set, the usual
  // id spellings are ignored columns like any other. Empty: id, donor_id,
  // person_id, donor.
  std::string id_column;
  // false, only without a resolver: the glstring cell is passed on as
  // written (trimmed) in DonorRecord::typing and not parsed; the caller
  // parses it (registry/ingest.h does, once per distinct gene copy).
  // Per-locus cells are parsed either way (the locus checks need it).
  bool parse_typings = true;
  // Family files: a row without a typing (a blank glstring, every locus
  // cell blank, a JSON object without typing keys) is read, with an empty
  // `typing` and an untyped genotype, instead of rejected. An untyped member
  // is a placeholder that carries the pedigree's structure and gets no
  // verdict (docs/family.md).
  bool allow_untyped = false;
};

// DonorFileReader::StartRow resets each field for a reader without a
// resolver: a new field must be reset there too.
struct DonorRecord {
  size_t line = 0;  // 1-based line on which the row starts
  eligibility::DonorFacts facts;
  // The family_id and role cells, trimmed; empty without those columns.
  std::string family_id;
  std::string role;
  // The other_parent cell (family files: a child's other parent), trimmed.
  std::string other_parent;
  // The typing as one canonical GL String: the glstring cell, or the
  // per-locus cells joined with '+' and '^' ("A*01:01+A*02:01^B*08:01").
  std::string typing;
  // Built when the reader has a resolver; default (untyped) otherwise.
  matcher::Genotype genotype;
  // Resolver and genotype warnings (renamed alleles, ...), each prefixed
  // "file:line: column 'X': ".
  std::vector<std::string> warnings;
};

class DonorFileReader {
 public:
  // Reads the header from `in` (not owned; must outlive the reader). `name`
  // names the file in messages. With a `resolver` (not owned; may be null)
  // each row's typing is resolved and built into a Genotype; without one it
  // is only parsed. Errors (InvalidArgumentError, "name:line: ..."): an empty
  // input (except with format kJsonLines: no rows), no id column (or not
  // options.id_column), no typing column, both kinds of typing column, a
  // column named twice. JSON Lines has no header: its key-set errors are
  // errors of each row.
  static absl::StatusOr<std::unique_ptr<DonorFileReader>> FromStream(
      std::istream* in, std::string name, const data::Resolver* resolver,
      DonorFileOptions options = {});

  // The same on a file it opens (NotFoundError if it cannot). When
  // options.format is kAuto, a name ending in .jsonl or .ndjson selects JSON
  // Lines and one ending in .tsv or .tab TSV (case-insensitive). No gzip
  // here: registry/ingest.h reads .gz.
  static absl::StatusOr<std::unique_ptr<DonorFileReader>> Open(
      const std::string& path, const data::Resolver* resolver,
      DonorFileOptions options = {});

  ~DonorFileReader();
  DonorFileReader(const DonorFileReader&) = delete;
  DonorFileReader& operator=(const DonorFileReader&) = delete;

  // Reads the next row. Returns false at the end of the input. Otherwise
  // sets *status to OK and fills *record, or to the row's error (the reader
  // then goes on with the next row). REQUIRES: record, status non-null.
  bool Next(DonorRecord* record, absl::Status* status);

  TableFormat format() const { return format_; }
  // The header as written, and facts about it ("column 'notes' ignored").
  // JSON Lines: the keys of the first object, as written (empty when the
  // input is empty or its first line is not a flat object); the warnings
  // grow as rows with new unknown keys are read, so read them after the
  // rows.
  const std::vector<std::string>& columns() const { return columns_; }
  static constexpr size_t kMaxHeaderWarnings = 64;
  const std::vector<std::string>& header_warnings() const {
    return header_warnings_;
  }
  // Rows returned so far (good and bad).
  size_t rows() const { return rows_; }

 private:
  struct Layout;
  struct CellCache;
  struct JsonState;
  DonorFileReader();
  absl::Status ReadHeader();
  // The layout of `names` (a header's columns or an object's keys). Ignored
  // names are warned about, as found on `line`. An error (no id, no typing,
  // ...) is returned without the file:line prefix.
  absl::Status BuildLayout(const std::vector<std::string>& names, size_t line,
                           Layout* layout);
  // JSON Lines: the next non-blank physical line (without its line end);
  // false at end of input. Over the length limit: *row_error, line empty.
  bool ReadLine(std::string* line, size_t* start_line, std::string* row_error);
  bool NextJson(DonorRecord* record, absl::Status* status);
  // The layout of the current object's keys (built once per key list).
  const Layout& JsonLayout(size_t line);
  // Counts a row that starts on `start_line` and resets *record for it;
  // false, with *status set, when the row could not be read (`row_error`).
  bool StartRow(size_t start_line, const std::string& row_error,
                DonorRecord* record, absl::Status* status);
  // "column" (CSV/TSV) or "key" (JSON Lines), for messages.
  const char* noun() const;
  // One record's fields; false at end of input. A row that cannot be split
  // into fields (over the length limit, an unclosed quote) sets *row_error
  // and leaves `fields` empty.
  bool ReadRecord(std::vector<std::string>* fields, size_t* start_line,
                  std::string* row_error);
  absl::Status ParseRow(const Layout& layout,
                        const std::vector<std::string>& fields,
                        DonorRecord* record) const;
  std::string Where(size_t line) const;

  std::unique_ptr<std::istream> owned_;
  std::istream* in_ = nullptr;
  std::string name_;
  const data::Resolver* resolver_ = nullptr;
  DonorFileOptions options_;
  TableFormat format_ = TableFormat::kCsv;
  std::vector<std::string> columns_;
  std::vector<std::string> header_warnings_;
  std::unique_ptr<Layout> layout_;  // CSV/TSV: the header's
  size_t line_ = 0;  // lines consumed so far
  size_t rows_ = 0;
  // The header line, read ahead to choose the delimiter, and how much of it
  // ReadRecord has consumed.
  std::string pending_;
  size_t pending_pos_ = 0;
  // CSV/TSV: the current row's fields, kept between rows for their buffers.
  std::vector<std::string> fields_;
  // JSON Lines: buffers and layouts, and the unknown keys already warned
  // about (a set: rows may bring thousands of distinct keys).
  std::unique_ptr<JsonState> json_;
  absl::flat_hash_set<std::string> warned_keys_;
  std::string id_column_lower_;
  // Without a resolver: parsed per-locus cells by text (ParseRow is const).
  std::unique_ptr<CellCache> cells_;
};

// One typing as a command line, a request or a file gives it ("A*01:01+
// A*02:01^B*08:01+..."): parsed, resolved against `resolver`'s release and
// built into a Genotype (matcher/match.h BuildGenotype).
struct TypingFromText {
  std::string typing;  // the canonical GL String
  matcher::Genotype genotype;
  // The resolver's warnings (renamed alleles, ...), then BuildGenotype's.
  std::vector<std::string> warnings;
};
// Errors: the parser's (InvalidArgumentError with the byte offset), the
// resolver's (an allele the release does not name, ...), BuildGenotype's.
absl::StatusOr<TypingFromText> ReadTyping(const data::Resolver& resolver,
                                          absl::string_view text);

}  // namespace hla::registry

#endif  // HLA_REGISTRY_DONOR_FILE_H_
