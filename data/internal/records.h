// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: use data/reference.h or data/mac_table.h instead.
//
// The parse layer of the reference data: one function per IPD-IMGT/HLA file,
// each turning the file's text into rows of string_views into that text (no
// per-line allocation; so the text must outlive the rows), checking syntax
// and reporting `file:line: why`. The
// meaning (ids, groups, links) is built from these rows by data/reference.cc.
// Each function's .cc file starts with the format it reads.
#ifndef HLA_DATA_INTERNAL_RECORDS_H_
#define HLA_DATA_INTERNAL_RECORDS_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/internal/text.h"
#include "hla/allele_name.h"

namespace hla::data_internal {

// Splits an IMGT allele name "A*01:01:01:02N" into locus "A", fields and
// suffix ('N' or 0). Returns false unless it is LOCUS*F[:F...][suffix] with
// 1-4 numeric fields (hla::ParseFields rules). Allocation-free.
bool SplitAlleleName(absl::string_view name, absl::string_view* locus,
                     hla::Fields* fields, char* suffix);

// ---- Allelelist.txt (allele_list.cc)
struct AlleleListRow {
  absl::string_view accession;  // "HLA00001"
  absl::string_view name;       // "A*01:01:01:01"
  absl::string_view locus;      // "A"
  hla::Fields fields;
  char suffix = 0;
  int line = 0;
};
struct AlleleListFile {
  FileHeader header;
  std::vector<AlleleListRow> rows;
};
absl::StatusOr<AlleleListFile> ParseAlleleList(absl::string_view text,
                                               absl::string_view file);

// ---- Allele_status.txt (allele_status.cc)
struct AlleleStatusRow {
  absl::string_view name;  // "A*01:01:01:01"
  bool confirmed = false;
  bool partial = false;  // "Partial" vs "Full"
  bool genomic = false;  // "gDNA" vs "cDNA"
  int line = 0;
};
struct AlleleStatusFile {
  FileHeader header;
  std::vector<AlleleStatusRow> rows;
};
absl::StatusOr<AlleleStatusFile> ParseAlleleStatus(absl::string_view text,
                                                   absl::string_view file);

// ---- wmda/hla_nom.txt (hla_nom.cc)
struct HlaNomRow {
  absl::string_view locus;  // "A*" for an allele, "A" / "Cw" for an antigen
  absl::string_view name;   // "01:01:01:01", "0105N", or "1" for an antigen
  absl::string_view date_assigned;  // YYYYMMDD
  absl::string_view date_deleted;   // YYYYMMDD or empty
  absl::string_view identical_to;   // without locus, may be empty
  absl::string_view reason;
  bool is_allele = false;           // locus ends with '*'
  int line = 0;
};
struct HlaNomFile {
  FileHeader header;
  std::vector<HlaNomRow> rows;
};
absl::StatusOr<HlaNomFile> ParseHlaNom(absl::string_view text,
                                       absl::string_view file);

// ---- wmda/hla_nom_g.txt and wmda/hla_nom_p.txt (group_file.cc)
struct GroupRow {
  absl::string_view locus;    // "A*"
  absl::string_view members;  // "01:01:01:01/01:01:01:02N/..." (no locus)
  absl::string_view group;    // "01:01:01G", "01:01P", or empty
  int line = 0;
};
struct GroupFile {
  FileHeader header;
  std::vector<GroupRow> rows;
};
// `kind` is 'G' or 'P': a non-empty group name must end with it.
absl::StatusOr<GroupFile> ParseGroupFile(absl::string_view text,
                                         absl::string_view file, char kind);

// ---- wmda/rel_dna_ser.txt (rel_dna_ser.cc)
// One serology column: '/'-separated antigen numbers, "0" (null), "?"
// (no serological equivalent), or empty. Kept raw; SerologyTokens splits it.
enum SerologyColumn {
  kUnambiguous = 0,
  kPossible,
  kAssumed,
  kExpert,
  kHats,  // 7th field, releases from 2026 on
  kSerologyColumns
};
struct RelDnaSerRow {
  absl::string_view locus;   // "A*"
  absl::string_view allele;  // "01:01:01:01"
  absl::string_view columns[kSerologyColumns];
  int line = 0;
};
struct RelDnaSerFile {
  FileHeader header;
  std::vector<RelDnaSerRow> rows;
  bool has_hats_column = false;  // some line had 7 fields
};
absl::StatusOr<RelDnaSerFile> ParseRelDnaSer(absl::string_view text,
                                             absl::string_view file);

// ---- wmda/rel_ser_ser.txt (rel_ser_ser.cc)
struct RelSerSerRow {
  absl::string_view locus;       // "A", "Cw", "DR", "Dw"
  absl::string_view antigen;     // "9"
  absl::string_view splits;      // "23/24" or empty
  absl::string_view associated;  // "203/210" or empty
  int line = 0;
};
struct RelSerSerFile {
  FileHeader header;
  std::vector<RelSerSerRow> rows;
};
absl::StatusOr<RelSerSerFile> ParseRelSerSer(absl::string_view text,
                                             absl::string_view file);

// ---- tce/dpb_tce.csv (dpb_tce.cc)
struct TceCell {
  absl::string_view group;      // "0", "1", "2", "2a", "3", or empty
  absl::string_view qualifier;  // "non-core" from "3 (non-core)", or empty
  bool inferred = false;        // trailing '$'
};
struct DpbTceRow {
  absl::string_view allele;   // "DPB1*01:01:01:01"
  absl::string_view protein;  // "DPB1*01:01"
  TceCell v1, v2, v3;
  absl::string_view comments;
  int line = 0;
};
struct DpbTceFile {
  FileHeader header;
  std::vector<DpbTceRow> rows;
  bool has_column_header = false;
  bool has_v3 = false;
};
absl::StatusOr<DpbTceFile> ParseDpbTce(absl::string_view text,
                                       absl::string_view file);

// ---- Deleted_alleles.txt (deleted_alleles.cc)
struct DeletedAlleleRow {
  absl::string_view accession;    // "HLA00965"
  absl::string_view name;         // "A*0105N", "Cw*1616", "A*01:159"
  absl::string_view description;  // free text (may contain commas)
  absl::string_view target;       // first name after "renamed"/"identical to"
  bool suffix_change = false;     // from the "# Alleles With Suffix Changes" block
  int line = 0;
};
struct DeletedAllelesFile {
  FileHeader header;
  std::vector<DeletedAlleleRow> rows;
};
absl::StatusOr<DeletedAllelesFile> ParseDeletedAlleles(absl::string_view text,
                                                       absl::string_view file);

}  // namespace hla::data_internal

#endif  // HLA_DATA_INTERNAL_RECORDS_H_
