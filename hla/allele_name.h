// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// WHO allele names (nomenclature since April 2010): LOCUS*F1[:F2[:F3[:F4]]][suffix].
//
//   A*01:01:01:02N   locus "A", fields 01 01 01 02, expression suffix 'N'
//   MICA*001         locus "MICA", one 3-digit field
//
// Fields are compared numerically, field by field (A*01:11 < A*01:103 and
// 01:29 < 01:100, as WHO and py-ard sort), but their zero-padded width is kept
// so that names print exactly as IMGT spells them ("MICA*001", not "MICA*01").
#ifndef HLA_ALLELE_NAME_H_
#define HLA_ALLELE_NAME_H_

#include <cstdint>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace hla {

// One numeric field of an allele name.
struct Field {
  uint32_t value = 0;
  uint8_t width = 0;  // digits as written, zero padding included ("01" -> 2)

  friend bool operator==(const Field& a, const Field& b) {
    return a.value == b.value && a.width == b.width;
  }
  friend bool operator!=(const Field& a, const Field& b) { return !(a == b); }
};

using Fields = absl::InlinedVector<Field, 4>;

// Numeric field-wise comparison; when one list is a prefix of the other, the
// shorter sorts first. Returns <0, 0 or >0. Widths break ties only when values
// are equal ("1" vs "01"), so the order is total and deterministic.
int CompareFields(absl::Span<const Field> a, absl::Span<const Field> b);

// True when `prefix` equals the first prefix.size() fields of `fields`: field
// boundaries are respected, so 02:14 is a prefix of 02:14:01 but not of 02:149.
bool FieldsHavePrefix(absl::Span<const Field> fields,
                      absl::Span<const Field> prefix);

// Appends "01:01:02" (colon-separated, zero-padded to each field's width).
void AppendFields(absl::Span<const Field> fields, std::string* out);

// WHO expression suffixes: Null, Low, Secreted, Cytoplasm, Aberrant,
// Questionable (IMGT/HLA nomenclature; hla.alleles.org/nomenclature/naming).
bool IsExpressionSuffix(char c);

// A fully spelled WHO allele name.
struct AlleleName {
  std::string locus;  // "A", "DRB1", "MICA": no "HLA-" prefix, no '*'
  Fields fields;      // 1 to 4 fields
  char suffix = 0;    // 'N', 'L', 'S', 'C', 'A', 'Q', or 0 for none

  // "A*01:01:01:02N". No "HLA-" prefix.
  std::string ToString() const;
  // True for the null suffix 'N' (not expressed).
  bool is_null() const { return suffix == 'N'; }

  friend bool operator==(const AlleleName& a, const AlleleName& b) {
    return a.locus == b.locus && a.suffix == b.suffix &&
           CompareFields(a.fields, b.fields) == 0;
  }
};

// Parses a name exactly as IPD-IMGT/HLA files write it: "A*01:01:01:02N",
// optionally prefixed with "HLA-". Intended for the data loaders' trusted,
// strictly formatted input, where it is a hand-written fast path; user text goes
// through parser/parse.h, which accepts every notation and reports offsets.
//
// Returns InvalidArgumentError naming the text if it is not a 1- to 4-field
// name with numeric fields of 1 to 9 digits and at most one suffix letter.
absl::StatusOr<AlleleName> ParseWhoName(absl::string_view text);

// Parses "01:01:02" (fields only, no locus, no suffix) into `out`.
// Returns false on any other text.
bool ParseFields(absl::string_view text, Fields* out);

}  // namespace hla

#endif  // HLA_ALLELE_NAME_H_
