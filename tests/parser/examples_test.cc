// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Cases from other tools' test suites (tests/testdata/parser/, copied from the
// shared examples). Each row is either checked, or listed with the reason it
// is skipped: it needs reference data (the resolver's job), or it tests an API
// we do not have, or the tool follows a different convention (said so).
// Every row of each file must be accounted for, so a new row fails loudly,
// and each test asserts how many rows it read and how many were checked as
// the tool says (passed), checked as our convention says (documented
// difference) or skipped (not applicable), against the numbers of the
// copied table written next to it: an emptied or truncated table fails too.
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "hla/allele_name.h"
#include "hla/gl.h"
#include "parser/parse.h"

namespace hla::parser {
namespace {

using Row = std::map<std::string, std::string>;

// Reads a TSV with a header row into column-name -> value maps.
std::vector<Row> ReadTsv(const std::string& name) {
  const std::string path = std::string(HLA_TESTDATA_DIR) + "/parser/" + name;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::vector<Row> rows;
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    if (header.empty()) {
      header = cols;
      continue;
    }
    Row row;
    for (size_t i = 0; i < header.size(); ++i) {
      row[header[i]] = i < cols.size() ? cols[i] : "";
    }
    rows.push_back(std::move(row));
  }
  EXPECT_FALSE(rows.empty()) << path;
  return rows;
}

struct Counts {
  int rows = 0, passed = 0, differences = 0, not_applicable = 0;

  // Counts a checked row by what its check asserts: our convention where
  // `id` is in `difference_ids`, nothing to check where it is in
  // `not_applicable_ids`, the tool's answer otherwise.
  void Add(const std::string& id, const std::set<std::string>& difference_ids,
           const std::set<std::string>& not_applicable_ids = {}) {
    if (difference_ids.count(id)) {
      ++differences;
    } else if (not_applicable_ids.count(id)) {
      ++not_applicable;
    } else {
      ++passed;
    }
  }
};

GlString MustParse(const std::string& text) {
  absl::StatusOr<GlString> gl = ParseGlString(text);
  EXPECT_TRUE(gl.ok()) << text << ": " << gl.status();
  return gl.ok() ? *std::move(gl) : GlString{};
}

// Canonical spellings of every node with operator `op`, in pre-order.
void Collect(const GlNode& node, GlOp op, std::vector<std::string>* out) {
  if (node.is_leaf()) return;
  if (node.op == op) out->push_back(ToString(node));
  for (const GlNode& child : node.children) Collect(child, op, out);
}

std::vector<std::string> NodesWith(const GlString& gl, GlOp op) {
  std::vector<std::string> out;
  Collect(gl.root, op, &out);
  return out;
}

// Members of every `op` node (a lone member counts as one block), pre-order.
void CollectBlocks(const GlNode& node, GlOp op, std::vector<std::string>* out) {
  if (!node.is_leaf() && node.op == op) {
    for (const GlNode& child : node.children) out->push_back(ToString(child));
  } else if (!node.is_leaf() && node.op < op) {
    for (const GlNode& child : node.children) CollectBlocks(child, op, out);
  } else {
    out->push_back(ToString(node));
  }
}

std::vector<std::string> BlocksOf(const GlString& gl, GlOp op) {
  std::vector<std::string> out;
  CollectBlocks(gl.root, op, &out);
  return out;
}

void Leaves(const GlNode& node, std::vector<const Token*>* out) {
  if (node.is_leaf()) {
    out->push_back(&node.token);
    return;
  }
  for (const GlNode& child : node.children) Leaves(child, out);
}

// "[a, b]" or "{a,b}" -> {"a", "b"}.
std::vector<std::string> ListOf(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  text.remove_prefix(1);
  text.remove_suffix(1);
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

// ---------------------------------------------------------------------------
// glstring/genotype_list_reader.tsv (NMDP genotype-list GlstringGlReader).

TEST(GenotypeListReader, Cases) {
  // case_id -> expected DebugString, "error", or "skip: why".
  const std::map<std::string, std::string> expected = {
      {"gl-reader-001", "skip: readLocus reads a bare locus; we parse names"},
      {"gl-reader-003", "error"},
      {"gl-reader-004", "HLA-Z*01:01:01:01"},
      {"gl-reader-005", "error"},
      {"gl-reader-007", "(/ HLA-Z*01:01:01:01 HLA-Z*02:01:01:01)"},
      {"gl-reader-008", "HLA-Z*01:01:01:01"},
      {"gl-reader-009", "error"},
      {"gl-reader-010",
       "(~ HLA-Y*01:01:01:01 (/ HLA-Z*01:01:01:01 HLA-Z*02:01:01:01))"},
      {"gl-reader-012", "error"},
      {"gl-reader-014",
       "(+ HLA-Z*01:01:01:01 (~ HLA-Y*01:01:01:01 HLA-Z*02:01:01:01))"},
      {"gl-reader-015", "(~ HLA-Y*01:01:01:01 HLA-Z*01:01:01:01)"},
      {"gl-reader-018", "(+ HLA-Z*01:01:01:01 HLA-Z*02:01:01:01)"},
      {"gl-reader-021", "(+ HLA-Z*01:01:01:01 HLA-Z*02:01:01:01)"},
  };
  Counts counts;
  for (const Row& row : ReadTsv("glstring_genotype_list_reader.tsv")) {
    const std::string& id = row.at("case_id");
    SCOPED_TRACE(id);
    ++counts.rows;
    auto it = expected.find(id);
    ASSERT_NE(it, expected.end()) << "new row: add an expectation";
    if (it->second.rfind("skip:", 0) == 0) {
      ++counts.not_applicable;
      continue;
    }
    const std::string& text = row.at("gl_string");
    if (it->second == "error") {
      EXPECT_EQ(row.at("expected_verdict"), "IOException");
      EXPECT_FALSE(ParseGlString(text).ok()) << text;
    } else {
      EXPECT_EQ(row.at("expected_verdict"), "valid");
      EXPECT_EQ(DebugString(MustParse(text)), it->second);
    }
    ++counts.passed;
  }
  // tests/testdata/parser/glstring_genotype_list_reader.tsv: 13 rows, one
  // skipped (gl-reader-001).
  EXPECT_EQ(counts.rows, 13);
  EXPECT_EQ(counts.passed, 12);
  EXPECT_EQ(counts.differences, 0);
  EXPECT_EQ(counts.not_applicable, 1);
}

// ---------------------------------------------------------------------------
// glstring/gl_smartsort.tsv: sorting is not the parser's job; both the input
// and the sorted form must parse with the same shape.

TEST(GlSmartSort, InputAndSortedFormParseAlike) {
  Counts counts;
  for (const Row& row : ReadTsv("glstring_gl_smartsort.tsv")) {
    SCOPED_TRACE(row.at("case_id"));
    ++counts.rows;
    const GlString in = MustParse(row.at("input"));
    const GlString sorted = MustParse(row.at("expected_smart_sorted"));
    EXPECT_EQ(DebugString(in), "(^ (+ A*02:01 A*01:01) (+ B*08:01 B*07:02))");
    EXPECT_EQ(DebugString(sorted), "(^ (+ A*01:01 A*02:01) (+ B*07:02 B*08:01))");
    ++counts.passed;
  }
  // tests/testdata/parser/glstring_gl_smartsort.tsv: 1 row.
  EXPECT_EQ(counts.rows, 1);
  EXPECT_EQ(counts.passed, 1);
  EXPECT_EQ(counts.differences, 0);
  EXPECT_EQ(counts.not_applicable, 0);
}

// ---------------------------------------------------------------------------
// glstring/pyglstring_checks.tsv: pyglstring's WARNINGs (loci mixed across
// '+', '|' or '^') are semantic checks, never parse errors; its block
// splitting must agree with our tree.

TEST(PyGlString, Cases) {
  using Check = std::function<void(const GlString&, const std::string&)>;
  const Check parses = [](const GlString&, const std::string&) {};
  const Check locus_blocks = [](const GlString& gl, const std::string& exp) {
    // "[a] [b] ...; note" -> blocks split on '^'.
    std::vector<std::string> want;
    absl::string_view list = absl::string_view(exp).substr(0, exp.find(';'));
    for (absl::string_view part : absl::StrSplit(list, "] [")) {
      part = absl::StripPrefix(absl::StripAsciiWhitespace(part), "[");
      part = absl::StripSuffix(part, "]");
      want.emplace_back(part);
    }
    EXPECT_EQ(BlocksOf(gl, GlOp::kMultilocus), want);
  };
  const auto list_with = [](GlOp op) {
    return Check([op](const GlString& gl, const std::string& exp) {
      EXPECT_EQ(NodesWith(gl, op), ListOf(exp));
    });
  };
  const auto first_in_parens_with = [](GlOp op) {
    // "(x, {...}, OK) (y, ...)" -> the first member of each group.
    return Check([op](const GlString& gl, const std::string& exp) {
      std::vector<std::string> want;
      for (absl::string_view group : absl::StrSplit(exp, '(', absl::SkipEmpty())) {
        want.emplace_back(absl::StripAsciiWhitespace(
            group.substr(0, group.find(','))));
      }
      EXPECT_EQ(NodesWith(gl, op), want);
    });
  };
  const Check loci = [](const GlString& gl, const std::string& exp) {
    std::vector<const Token*> leaves;
    Leaves(gl.root, &leaves);
    std::set<std::string> got;
    for (const Token* t : leaves) got.insert(std::string("HLA-") + t->locus);
    const std::vector<std::string> want = ListOf(exp);
    EXPECT_EQ(got, std::set<std::string>(want.begin(), want.end()));
  };
  const Check alleles = [](const GlString& gl, const std::string& exp) {
    std::vector<const Token*> leaves;
    Leaves(gl.root, &leaves);
    std::set<std::string> got;
    for (const Token* t : leaves) got.insert(ToString(*t));
    const std::vector<std::string> want = ListOf(exp);
    EXPECT_EQ(got, std::set<std::string>(want.begin(), want.end()));
  };
  const Check genotype_blocks = [](const GlString& gl, const std::string& exp) {
    std::vector<std::string> got;
    for (const std::string& g : NodesWith(gl, GlOp::kGenotype)) {
      const GlString one = MustParse(g);
      for (const GlNode& child : one.root.children) got.push_back(ToString(child));
    }
    EXPECT_EQ(got, ListOf(exp));
  };
  const std::map<std::string, Check> checks = {
      {"pyglstring-002", parses},
      {"pyglstring-003", parses},
      {"pyglstring-004", parses},
      {"pyglstring-006", parses},
      {"pyglstring-009", locus_blocks},
      {"pyglstring-010", first_in_parens_with(GlOp::kGenotypeList)},
      {"pyglstring-011", first_in_parens_with(GlOp::kGenotype)},
      {"pyglstring-016", first_in_parens_with(GlOp::kAlleleList)},
      {"pyglstring-018", loci},
      {"pyglstring-020",
       [](const GlString& gl, const std::string& exp) {
         EXPECT_EQ(BlocksOf(gl, GlOp::kGenotypeList).size(), 3u);  // + B block
         std::vector<std::string> got;
         for (const std::string& gls : NodesWith(gl, GlOp::kGenotypeList)) {
           const GlString one = MustParse(gls);
           for (const GlNode& c : one.root.children) got.push_back(ToString(c));
         }
         EXPECT_EQ(got, ListOf(exp));
       }},
      {"pyglstring-021", genotype_blocks},
      {"pyglstring-022", list_with(GlOp::kGenotypeList)},
      {"pyglstring-023", list_with(GlOp::kGenotype)},
      {"pyglstring-026", alleles},
      {"pyglstring-027", list_with(GlOp::kAlleleList)},
      {"pyglstring-029", list_with(GlOp::kHaplotype)},
      {"pyglstring-030",
       [](const GlString& gl, const std::string& exp) {
         EXPECT_EQ(BlocksOf(gl, GlOp::kMultilocus), ListOf(exp));
       }},
      {"pyglstring-032", genotype_blocks},
  };
  Counts counts;
  for (const Row& row : ReadTsv("glstring_pyglstring_checks.tsv")) {
    const std::string& id = row.at("case_id");
    SCOPED_TRACE(id);
    ++counts.rows;
    auto it = checks.find(id);
    ASSERT_NE(it, checks.end()) << "new row: add an expectation";
    const GlString gl = MustParse(row.at("gl_string"));
    EXPECT_EQ(ToString(gl), row.at("gl_string"));  // already canonical
    it->second(gl, row.at("expected"));
    ++counts.passed;
  }
  // tests/testdata/parser/glstring_pyglstring_checks.tsv: 18 rows, all
  // checked as pyglstring says.
  EXPECT_EQ(counts.rows, 18);
  EXPECT_EQ(counts.passed, 18);
  EXPECT_EQ(counts.differences, 0);
  EXPECT_EQ(counts.not_applicable, 0);
}

// ---------------------------------------------------------------------------
// py-ard/unit.tsv: the syntax part of py-ard's unit tests.

TEST(PyArdUnit, Cases) {
  using Check = std::function<void(const Row&)>;
  const auto kind_of = [](const std::string& text) {
    absl::StatusOr<Token> t = ParseToken(text);
    EXPECT_TRUE(t.ok()) << text << ": " << t.status();
    return t.ok() ? t->kind : TokenKind::kPlaceholder;
  };
  const auto skip = [](const char*) { return Check([](const Row&) {}); };
  const std::map<std::string, Check> checks = {
      // py-ard's expected G expansion needs hla_nom_g; the syntax is an XX
      // code with the HLA- prefix kept.
      {"pyard-unit-002",
       [&](const Row& r) {
         EXPECT_EQ(kind_of(r.at("input")), TokenKind::kXX);
         EXPECT_EQ(ToString(MustParse(r.at("input"))), "HLA-B*40:XX");
         // Every element of the expected expansion is a valid name too.
         const GlString out = MustParse(r.at("expected"));
         EXPECT_EQ(out.root.op, GlOp::kAlleleList);
       }},
      {"pyard-unit-008", skip("validate_reduction_type is not a parser API")},
      {"pyard-unit-015",
       [&](const Row& r) { EXPECT_EQ(kind_of(r.at("input")), TokenKind::kSerology); }},
      // A100 is not an antigen in rel_ser_ser: the resolver rejects it. It is
      // well-formed serology syntax, so the parser accepts it.
      {"pyard-unit-016",
       [&](const Row& r) { EXPECT_EQ(kind_of(r.at("input")), TokenKind::kSerology); }},
      {"pyard-unit-019",
       [&](const Row& r) { EXPECT_EQ(kind_of(r.at("input")), TokenKind::kXX); }},
      // is_null: purely the suffix.
      {"pyard-unit-020",
       [&](const Row& r) {
         absl::StatusOr<Token> t = ParseToken(r.at("input"));
         ASSERT_TRUE(t.ok());
         EXPECT_EQ(t->suffix == 'N', r.at("expected") == "true");
       }},
      {"pyard-unit-021",
       [&](const Row& r) {
         absl::StatusOr<Token> t = ParseToken(r.at("input"));
         ASSERT_TRUE(t.ok());
         EXPECT_EQ(t->suffix == 'N', r.at("expected") == "true");
       }},
      {"pyard-unit-024",
       [&](const Row& r) {
         EXPECT_EQ(DebugString(MustParse(r.at("input"))),
                   "(^ (+ A*24:BKKPV A*26:03) (+ B*15:BKNTS B*15:07))");
       }},
      {"pyard-unit-025",
       [&](const Row& r) {
         EXPECT_EQ(kind_of(r.at("input")), TokenKind::kMac);
         EXPECT_EQ(ToString(MustParse(r.at("input"))), r.at("expected"));
       }},
      // Convention difference: py-ard's internal single-allele path rejects a
      // MAC (only its GL-string entry expands MACs). Our ParseToken is
      // syntax only and accepts a MAC as one name.
      {"pyard-unit-026",
       [&](const Row& r) { EXPECT_EQ(kind_of(r.at("input")), TokenKind::kMac); }},
      // v2_predict_v3: the digit split needs the release's history (py-ard
      // looks up a table first); the parser keeps the digits as a legacy name.
      {"pyard-unit-032",
       [&](const Row& r) {
         absl::StatusOr<Token> t = ParseToken(r.at("input"));
         ASSERT_TRUE(t.ok());
         EXPECT_EQ(t->kind, TokenKind::kLegacy);
         EXPECT_EQ(t->code, "01011");
         EXPECT_EQ(kind_of(r.at("expected")), TokenKind::kAllele);
       }},
      {"pyard-unit-033",
       [&](const Row& r) {
         absl::StatusOr<Token> t = ParseToken(r.at("input"));
         ASSERT_TRUE(t.ok());
         EXPECT_EQ(t->kind, TokenKind::kLegacy);
         EXPECT_EQ(t->locus, "DPA1");
         EXPECT_EQ(kind_of(r.at("expected")), TokenKind::kAllele);
       }},
      // Convention difference: py-ard passes "A*1" and "A*ABC" through as
      // "not v2"; WHO fields have at least two digits, so both are syntax
      // errors here.
      {"pyard-unit-034",
       [&](const Row& r) {
         absl::StatusOr<Token> t = ParseToken(r.at("input"));
         ASSERT_FALSE(t.ok());
         EXPECT_EQ(ParseErrorOffset(t.status()), 2u);
       }},
      {"pyard-unit-036",
       [&](const Row& r) {
         absl::StatusOr<Token> t = ParseToken(r.at("input"));
         ASSERT_FALSE(t.ok());
         EXPECT_EQ(ParseErrorOffset(t.status()), 2u);
       }},
      // is_v2 false for MICA/MICB: 3-digit one-field WHO names.
      {"pyard-unit-039",
       [&](const Row& r) { EXPECT_EQ(kind_of(r.at("input")), TokenKind::kAllele); }},
      {"pyard-unit-040",
       [&](const Row& r) { EXPECT_EQ(kind_of(r.at("input")), TokenKind::kAllele); }},
      // add_lg_suffix: the result is a list of small-g names.
      {"pyard-unit-045",
       [&](const Row& r) {
         const GlString out = MustParse(r.at("expected"));
         std::vector<const Token*> leaves;
         Leaves(out.root, &leaves);
         ASSERT_EQ(leaves.size(), 2u);
         for (const Token* t : leaves) EXPECT_EQ(t->kind, TokenKind::kSmallG);
       }},
      // is_xx false: not an XX code. "A*01:02:XX" is not a name at all;
      // "A*01XX" is a pre-2010 code, not the v3 XX form.
      {"pyard-unit-049",
       [&](const Row& r) {
         absl::StatusOr<Token> t = ParseToken(r.at("input"));
         ASSERT_FALSE(t.ok());
         EXPECT_EQ(ParseErrorOffset(t.status()), 8u);
       }},
      {"pyard-unit-051",
       [&](const Row& r) {
         EXPECT_EQ(kind_of(r.at("input")), TokenKind::kLegacyMac);
       }},
  };
  // smart_sort_comparator rows: numeric field-wise order (hla::CompareFields).
  const Check compare = [](const Row& r) {
    absl::StatusOr<Token> a = ParseToken(r.at("input"));
    absl::StatusOr<Token> b = ParseToken(r.at("argument"));
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    const int c = CompareFields(a->fields, b->fields);
    EXPECT_EQ((c > 0) - (c < 0), std::stoi(r.at("expected")));
  };
  // The rows above whose check asserts our convention, not py-ard's answer,
  // and the row with no parser API to check.
  const std::set<std::string> kDifferences = {"pyard-unit-026", "pyard-unit-034",
                                              "pyard-unit-036"};
  const std::set<std::string> kNotApplicable = {"pyard-unit-008"};
  Counts counts;
  for (const Row& row : ReadTsv("pyard_unit.tsv")) {
    const std::string& id = row.at("case_id");
    SCOPED_TRACE(id);
    ++counts.rows;
    if (row.at("operation").rfind("smart_sort_comparator", 0) == 0) {
      compare(row);
    } else {
      auto it = checks.find(id);
      ASSERT_NE(it, checks.end()) << "new row: add an expectation";
      it->second(row);
    }
    counts.Add(id, kDifferences, kNotApplicable);
  }
  // tests/testdata/parser/pyard_unit.tsv: 23 rows.
  EXPECT_EQ(counts.rows, 23);
  EXPECT_EQ(counts.passed, 19);
  EXPECT_EQ(counts.differences, 3);
  EXPECT_EQ(counts.not_applicable, 1);
}

// py-ard feature files: every input py-ard reduces or validates is
// well-formed syntax, whatever the release then says about it.
TEST(PyArdFeatures, EveryInputParses) {
  Counts counts;
  for (const char* file : {"pyard_redux.tsv", "pyard_validate.tsv"}) {
    for (const Row& row : ReadTsv(file)) {
      ++counts.rows;
      const std::string& input = row.at("input");
      if (input.empty()) {  // nothing to parse
        ++counts.not_applicable;
        continue;
      }
      SCOPED_TRACE(row.at("case_id") + " " + input);
      const GlString gl = MustParse(input);
      const GlString again = MustParse(ToString(gl));
      EXPECT_EQ(ToString(again), ToString(gl));
      ++counts.passed;
    }
  }
  // tests/testdata/parser/pyard_redux.tsv (68 rows) and pyard_validate.tsv
  // (21 rows).
  EXPECT_EQ(counts.rows, 89);
  EXPECT_EQ(counts.passed, 89);
  EXPECT_EQ(counts.differences, 0);
  EXPECT_EQ(counts.not_applicable, 0);
}

// ---------------------------------------------------------------------------
// immunogenetr/nomenclature_utils.tsv: string utilities of an R package that
// works on names only. Where the operation is purely syntactic we redo it on
// our tree and compare.

// HLA_truncate: keep `fields` fields (and the suffix), dropping duplicates
// within an allele list.
std::string Truncate(const GlString& gl, size_t fields, bool keep_suffix) {
  std::function<std::string(const GlNode&)> print = [&](const GlNode& n) {
    if (n.is_leaf()) {
      Token t = n.token;
      if (t.fields.size() > fields) t.fields.resize(fields);
      if (!keep_suffix) t.suffix = 0;
      return ToString(t);
    }
    std::vector<std::string> parts;
    for (const GlNode& c : n.children) {
      std::string p = print(c);
      if (n.op == GlOp::kAlleleList &&
          std::find(parts.begin(), parts.end(), p) != parts.end()) {
        continue;
      }
      parts.push_back(p);
    }
    return absl::StrJoin(parts, std::string(1, GlOpChar(n.op)));
  };
  return print(gl.root);
}

// HLA_prefix_remove: leaves printed without prefix and locus.
std::string WithoutLocus(const GlNode& n) {
  if (n.is_leaf()) {
    if (n.token.kind == TokenKind::kSerology) return n.token.code;
    std::string out;
    AppendFields(n.token.fields, &out);
    if (n.token.suffix != 0) out.push_back(n.token.suffix);
    return out;
  }
  std::vector<std::string> parts;
  for (const GlNode& c : n.children) parts.push_back(WithoutLocus(c));
  return absl::StrJoin(parts, std::string(1, GlOpChar(n.op)));
}

// GLstring_regex: is `allele` in the GL string, respecting field boundaries?
bool Contains(const GlString& gl, const Token& allele) {
  std::vector<const Token*> leaves;
  Leaves(gl.root, &leaves);
  for (const Token* t : leaves) {
    if (t->locus == allele.locus && FieldsHavePrefix(t->fields, allele.fields)) {
      return true;
    }
  }
  return false;
}

TEST(ImmunogenetrNomenclature, Cases) {
  using Check = std::function<void(const Row&)>;
  const auto truncate = [](size_t fields, bool keep_suffix) {
    return Check([=](const Row& r) {
      EXPECT_EQ(Truncate(MustParse(r.at("input")), fields, keep_suffix),
                r.at("expected"));
    });
  };
  const Check unchanged = [](const Row& r) {
    EXPECT_EQ(ToString(MustParse(r.at("input"))), r.at("expected"));
  };
  // Convention difference: immunogenetr cleans free text (a bare number,
  // "blank", "**01:01") into R values; a name without a locus is not an HLA
  // name here and is an error.
  const Check not_a_name = [](const Row& r) {
    std::string input = r.at("input");
    input = input.substr(0, input.find(' '));
    EXPECT_FALSE(ParseGlString(input).ok()) << input;
  };
  const Check add_prefix_to_expected = [](const Row& r) {
    // The inputs lack a locus ("01:01", "2"); the results are names.
    EXPECT_EQ(ToString(MustParse(r.at("expected"))), r.at("expected"));
  };
  const Check add_prefix = [](const Row& r) {
    GlString gl = MustParse(r.at("input"));
    std::function<void(GlNode&)> add = [&](GlNode& n) {
      n.token.hla_prefix = true;
      for (GlNode& c : n.children) add(c);
    };
    add(gl.root);
    EXPECT_EQ(ToString(gl), r.at("expected"));
  };
  const Check remove_prefix = [](const Row& r) {
    EXPECT_EQ(WithoutLocus(MustParse(r.at("input")).root), r.at("expected"));
  };
  const Check contains = [](const Row& r) {
    const std::string gl_text = r.at("options").substr(3);  // "gl=..."
    absl::StatusOr<Token> allele = ParseToken(r.at("input"));
    ASSERT_TRUE(allele.ok());
    EXPECT_EQ(Contains(MustParse(gl_text), *allele), r.at("expected") == "match");
  };
  const std::map<std::string, Check> checks = {
      {"ig-nom-001", truncate(2, true)},
      {"ig-nom-002", truncate(3, true)},
      {"ig-nom-005", truncate(2, false)},
      {"ig-nom-009", truncate(2, true)},
      {"ig-nom-011", unchanged},
      {"ig-nom-015", unchanged},
      {"ig-nom-018", not_a_name},
      {"ig-nom-019", unchanged},
      {"ig-nom-022", not_a_name},
      {"ig-nom-023", add_prefix_to_expected},
      {"ig-nom-024", add_prefix_to_expected},
      // "HLA-**01:01" is what the R function produces from junk; not a name.
      {"ig-nom-029", [](const Row& r) {
         EXPECT_FALSE(ParseGlString(r.at("expected")).ok());
       }},
      {"ig-nom-030", add_prefix},
      {"ig-nom-033", remove_prefix},
      {"ig-nom-035", remove_prefix},
      {"ig-nom-037", remove_prefix},
      {"ig-nom-047", remove_prefix},
      {"ig-nom-058", contains},
      {"ig-nom-060", contains},
      // An empty allele is an error.
      {"ig-nom-063", [](const Row& r) {
         absl::StatusOr<Token> t = ParseToken(r.at("input"));
         ASSERT_FALSE(t.ok());
         EXPECT_EQ(ParseErrorOffset(t.status()), 0u);
       }},
  };
  // The rows above whose check asserts our convention (not a name) where
  // immunogenetr returns a value.
  const std::set<std::string> kDifferences = {"ig-nom-018", "ig-nom-022",
                                              "ig-nom-029"};
  Counts counts;
  for (const Row& row : ReadTsv("immunogenetr_nomenclature_utils.tsv")) {
    const std::string& id = row.at("case_id");
    SCOPED_TRACE(id);
    ++counts.rows;
    auto it = checks.find(id);
    ASSERT_NE(it, checks.end()) << "new row: add an expectation";
    it->second(row);
    counts.Add(id, kDifferences);
  }
  // tests/testdata/parser/immunogenetr_nomenclature_utils.tsv: 20 rows.
  EXPECT_EQ(counts.rows, 20);
  EXPECT_EQ(counts.passed, 17);
  EXPECT_EQ(counts.differences, 3);
  EXPECT_EQ(counts.not_applicable, 0);
}

// The README's field-boundary rule (edge case 5), with our own cases.
TEST(ImmunogenetrNomenclature, FieldBoundaries) {
  const GlString gl = MustParse("HLA-A*02:149:01+HLA-A*02:01:01");
  absl::StatusOr<Token> a0214 = ParseToken("HLA-A*02:14");
  absl::StatusOr<Token> a0201 = ParseToken("HLA-A*02:01");
  ASSERT_TRUE(a0214.ok());
  ASSERT_TRUE(a0201.ok());
  EXPECT_FALSE(Contains(gl, *a0214));
  EXPECT_TRUE(Contains(gl, *a0201));
}

}  // namespace
}  // namespace hla::parser
