// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Donor files: CSV/TSV splitting (quotes, CRLF, BOM, blank lines), header
// spellings, per-locus cells, and one error per bad row naming file:line and
// the column, against the shipped IPD-IMGT/HLA 3.58.0; JSON Lines (keys as
// columns, per-row key-set errors with line and column; the flat object
// reader itself is in parse_test.cc); id_column for both.
#include "registry/donor_file.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::registry {
namespace {

using ::testing::ElementsAre;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Row {
  absl::Status status;
  DonorRecord record;
};

class DonorFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = data::Reference::Load({HLA_SHIPPED_DATA_DIR "/imgt/3.58.0"});
    if (!r.ok()) {
      *error_ = std::string(r.status().message());
      return;
    }
    ref_ = *r;
    resolver_ = new data::Resolver(ref_, nullptr);
  }
  void SetUp() override { ASSERT_TRUE(error_->empty()) << *error_; }

  // Reads every row of `text`; a header error is returned as the only row
  // with line 0.
  std::vector<Row> ReadAll(const std::string& text,
                           DonorFileOptions options = {},
                           const std::string& name = "donors.csv") {
    std::istringstream in(text);
    auto reader = DonorFileReader::FromStream(&in, name, resolver_, options);
    std::vector<Row> rows;
    if (!reader.ok()) {
      rows.push_back({reader.status(), DonorRecord()});
      return rows;
    }
    Row row;
    while ((*reader)->Next(&row.record, &row.status)) rows.push_back(row);
    // After the rows: JSON Lines warns about a key when a row brings it.
    header_warnings_ = (*reader)->header_warnings();
    return rows;
  }

  static std::shared_ptr<const data::Reference> ref_;
  static data::Resolver* resolver_;
  static std::string* const error_;
  std::vector<std::string> header_warnings_;
};
std::shared_ptr<const data::Reference> DonorFile::ref_;
data::Resolver* DonorFile::resolver_ = nullptr;
std::string* const DonorFile::error_ = new std::string();

TEST_F(DonorFile, CsvWithGlStringAndFacts) {
  const std::vector<Row> rows = ReadAll(
      "id,relationship,birth_date,age,sex,abo,cmv,glstring\n"
      "M1,mother,1954-03-02,,F,O+,pos,A*01:01+A*02:01^B*08:01+B*44:02\n"
      "F1,father,,68,M,A-,neg,A*03:01+A*24:02^B*07:02+B*35:01\n");
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[0].status.ok()) << rows[0].status;
  const DonorRecord& m = rows[0].record;
  EXPECT_EQ(m.line, 2u);
  EXPECT_EQ(m.facts.id, "M1");
  EXPECT_EQ(m.facts.relationship, matcher::Relationship::kParent);
  EXPECT_EQ(m.facts.birth_date, absl::CivilDay(1954, 3, 2));
  EXPECT_FALSE(m.facts.age.has_value());
  EXPECT_EQ(m.facts.sex, eligibility::Sex::kFemale);
  ASSERT_TRUE(m.facts.blood_group.has_value());
  EXPECT_EQ(m.facts.blood_group->abo, eligibility::Abo::kO);
  EXPECT_EQ(m.facts.cmv, eligibility::Cmv::kPositive);
  EXPECT_EQ(m.typing, "A*01:01+A*02:01^B*08:01+B*44:02");
  EXPECT_EQ(m.genotype.at(Locus::kA).typed_positions, 2);
  EXPECT_EQ(m.genotype.at(Locus::kB).pos[1].text, "B*44:02");
  ASSERT_TRUE(rows[1].status.ok()) << rows[1].status;
  EXPECT_EQ(rows[1].record.line, 3u);
  EXPECT_EQ(rows[1].record.facts.age, 68);
  EXPECT_EQ(rows[1].record.facts.blood_group->rh, eligibility::Rh::kNegative);
}

// Family files (family/family.h) need family_id and role; the reader keeps
// them as written and no longer warns about them.
TEST_F(DonorFile, KeepsFamilyIdAndRole) {
  const std::vector<Row> rows = ReadAll(
      "id,Family_ID,role,glstring\n"
      "F1-P, F1 ,patient,A*01:01+A*02:01\n"
      "F1-S1,F1,sibling,A*01:01+A*03:01\n");
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[0].status.ok()) << rows[0].status;
  EXPECT_EQ(rows[0].record.family_id, "F1");
  EXPECT_EQ(rows[0].record.role, "patient");
  EXPECT_EQ(rows[1].record.role, "sibling");
  EXPECT_THAT(header_warnings_, IsEmpty());
  const std::vector<Row> plain = ReadAll("id,glstring\nD1,A*01:01\n");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].record.family_id, "");
  EXPECT_EQ(plain[0].record.role, "");
}

TEST_F(DonorFile, QuotesCrlfBomBlankLinesAndLineNumbers) {
  const std::vector<Row> rows = ReadAll(
      "\xEF\xBB\xBF\"Donor_ID\",\"GL_String\",Notes\r\n"
      "\r\n"
      "\"Smith, \"\"Jo\"\"\",\"A*01:01+A*02:01\",\"two\nlines\"\r\n"
      "\n"
      "D2,A*01:01+A*03:01,plain");
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[0].status.ok()) << rows[0].status;
  EXPECT_EQ(rows[0].record.facts.id, "Smith, \"Jo\"");
  EXPECT_EQ(rows[0].record.line, 3u);
  ASSERT_TRUE(rows[1].status.ok()) << rows[1].status;
  EXPECT_EQ(rows[1].record.facts.id, "D2");
  EXPECT_EQ(rows[1].record.line, 6u);  // the quoted newline counted
  EXPECT_THAT(header_warnings_,
              ElementsAre(HasSubstr("column 'Notes' is not one haplomatch "
                                    "reads; ignored")));
}

TEST_F(DonorFile, TsvByHeaderAndPerLocusSpellings) {
  const std::vector<Row> rows = ReadAll(
      "person_id\tDOB\tHLA-A_1\tA.2\tB1\tB2\tdrb1-1\tDRB1 2\tDQB1_1\tDQB1_2\n"
      "K1\t2001-02-28\t02:01\tA*03:01\tB*07:02\t08:01\t15:01\t\t\t\n"
      "K2\t\t01:01/01:02\t\tB7\t\t\t\t\t\n");
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[0].status.ok()) << rows[0].status;
  const DonorRecord& k = rows[0].record;
  EXPECT_EQ(k.typing, "A*02:01+A*03:01^B*07:02+B*08:01^DRB1*15:01");
  // DRB1 written once: homozygous by convention; DQB1 blank: untyped.
  EXPECT_EQ(k.genotype.at(Locus::kDRB1).typed_positions, 1);
  EXPECT_EQ(k.genotype.at(Locus::kDQB1).typed_positions, 0);
  ASSERT_TRUE(rows[1].status.ok()) << rows[1].status;
  EXPECT_EQ(rows[1].record.typing, "A*01:01/A*01:02^B7");
}

TEST_F(DonorFile, TsvByExtension) {
  char dir_template[] = "/tmp/haplomatch_donor_file_XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string path = absl::StrCat(dir_template, "/d.tsv");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  // No tab in a one-column header... so use two columns with a comma in one.
  std::fputs("id\tglstring\nx,y\tA*01:01+A*02:01\n", f);
  std::fclose(f);
  auto reader = DonorFileReader::Open(path, resolver_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->format(), TableFormat::kTsv);
  DonorRecord r;
  absl::Status s;
  ASSERT_TRUE((*reader)->Next(&r, &s));
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(r.facts.id, "x,y");
  EXPECT_FALSE((*reader)->Next(&r, &s));
  std::remove(path.c_str());
  ::rmdir(dir_template);
  EXPECT_EQ(DonorFileReader::Open("/nonexistent/d.csv", resolver_)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST_F(DonorFile, EveryBadRowKindNamesFileLineAndColumn) {
  const std::vector<Row> rows = ReadAll(
      "id,relationship,birth_date,age,sex,abo,cmv,A_1,A_2,B_1,B_2\n"
      "ok1,sibling,,40,F,A+,neg,01:01,02:01,08:01,44:02\n"        // 2
      "short,sibling,,40\n"                                        // 3
      "baddate,sibling,2023-02-30,,F,,,01:01,02:01,08:01,44:02\n"  // 4
      "badallele,sibling,,40,F,,,01:01,99:99,08:01,44:02\n"        // 5
      ",sibling,,40,F,,,01:01,02:01,08:01,44:02\n"                 // 6
      "wronglocus,sibling,,40,F,,,B*07:02,02:01,08:01,44:02\n"     // 7
      "badage,sibling,,-3,F,,,01:01,02:01,08:01,44:02\n"           // 8
      "badrel,aunt-in-law,,40,F,,,01:01,02:01,08:01,44:02\n"       // 9
      "badabo,sibling,,40,F,C,,01:01,02:01,08:01,44:02\n"          // 10
      "badsyntax,sibling,,40,F,,,01:01,02:01:,08:01,44:02\n"       // 11
      "plus,sibling,,40,F,,,01:01+A*02:01,,08:01,44:02\n"          // 12
      "untyped,sibling,,40,F,,,,,,\n"                              // 13
      "ok2,sibling,,40,F,,,01:01,02:01,08:01,44:02\n"              // 14
      "open,\"sibling,,40,F,,,01:01,02:01,08:01,44:02\n"           // 15
      "ok3,sibling,,40,F,,,01:01,02:01,08:01,44:02\n"              // 16
      "eof,\"sibling,,40,F,,,01:01,02:01,08:01,44:02");             // 17
  ASSERT_EQ(rows.size(), 16u);
  EXPECT_TRUE(rows[0].status.ok()) << rows[0].status;
  auto msg = [&](size_t i) { return std::string(rows[i].status.message()); };
  EXPECT_EQ(msg(1), "donors.csv:3: 4 fields, but the header has 11");
  EXPECT_EQ(msg(2),
            "donors.csv:4: column 'birth_date': '2023-02-30' is not a date: "
            "February 2023 has 28 days");
  EXPECT_THAT(msg(3), HasSubstr("donors.csv:5: column 'A_2': 'A*99:99'"));
  EXPECT_THAT(msg(3), HasSubstr("not an allele of IPD-IMGT/HLA 3.58.0"));
  EXPECT_EQ(msg(4), "donors.csv:6: column 'id': missing donor id");
  EXPECT_EQ(msg(5),
            "donors.csv:7: column 'A_1': 'B*07:02' in 'B*07:02' is not a "
            "typing of A");
  EXPECT_THAT(msg(6), HasSubstr("donors.csv:8: column 'age': '-3' is not an "
                                "age"));
  EXPECT_THAT(msg(7), HasSubstr("donors.csv:9: column 'relationship': "));
  EXPECT_THAT(msg(8), HasSubstr("donors.csv:10: column 'abo': 'C' is not a "
                                "blood group"));
  EXPECT_THAT(msg(9), HasSubstr("donors.csv:11: column 'A_2': expected"));
  EXPECT_THAT(msg(10), HasSubstr("donors.csv:12: column 'A_1': "
                                 "'A*01:01+A*02:01': one typing a cell"));
  EXPECT_EQ(msg(11),
            "donors.csv:13: no typing (every locus column is blank)");
  EXPECT_TRUE(rows[12].status.ok()) << rows[12].status;
  EXPECT_EQ(rows[12].record.facts.id, "ok2");
  // An unbalanced quote costs its own row only: the next line is a row.
  EXPECT_EQ(msg(13),
            "donors.csv:15: a quoted field is not closed on its line (an "
            "unbalanced quote?); the lines after it are read as rows");
  EXPECT_TRUE(rows[14].status.ok()) << rows[14].status;
  EXPECT_EQ(rows[14].record.facts.id, "ok3");
  EXPECT_EQ(msg(15),
            "donors.csv:17: a quoted field is not closed before the end of "
            "the file");
  for (const Row& r : rows) {
    if (!r.status.ok()) {
      EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument) << r.status;
    }
  }
}

// A stray quote closed by an unrelated quote lines later would swallow the
// rows between; only its own line is rejected. A note over several lines in
// an ignored column is still one row.
TEST_F(DonorFile, AnUnbalancedQuoteCostsOneRowNotTheRowsAfterIt) {
  std::string text = "id,glstring,notes\n";
  for (int i = 2; i <= 100; ++i) {
    if (i == 12) {
      absl::StrAppend(&text, "d12,\"A*01:01+A*02:01,x\n");
    } else if (i == 50) {
      absl::StrAppend(&text, "d50,A*01:01+A*02:01,\"a, quoted note\"\n");
    } else if (i == 70) {
      absl::StrAppend(&text, "d70,A*01:01+A*02:01,\"two\r\nline note\"\n");
    } else {
      absl::StrAppend(&text, "d", i, ",A*01:01+A*02:01,\n");
    }
  }
  const std::vector<Row> rows = ReadAll(text);
  ASSERT_EQ(rows.size(), 99u);
  size_t line = 2;
  int id = 2;
  for (const Row& r : rows) {
    SCOPED_TRACE(line);
    if (id == 12) {
      EXPECT_EQ(r.status.message(),
                "donors.csv:12: a quoted field is not closed on its line (an "
                "unbalanced quote?); the lines after it are read as rows");
    } else {
      ASSERT_TRUE(r.status.ok()) << r.status;
      EXPECT_EQ(r.record.facts.id, absl::StrCat("d", id));
      EXPECT_EQ(r.record.line, line);
    }
    line += id == 70 ? 2 : 1;  // the note's line break
    ++id;
  }
  // A line break inside a column haplomatch reads is never a record.
  const std::vector<Row> typed = ReadAll(
      "id,glstring\n"
      "a,\"A*01:01+\nA*02:01\"\n"
      "b,A*01:01+A*02:01\n");
  ASSERT_EQ(typed.size(), 3u);
  EXPECT_THAT(typed[0].status.message(), HasSubstr("donors.csv:2: a quoted"));
  EXPECT_FALSE(typed[1].status.ok());  // the tail 'A*02:01"' as a row
  ASSERT_TRUE(typed[2].status.ok()) << typed[2].status;
  EXPECT_EQ(typed[2].record.line, 4u);
}

// Thousands of distinct unknown keys (a hostile or broken export): every row
// read, the first 64 keys named, one line for the rest.
TEST_F(DonorFile, UnknownKeyWarningsAreBounded) {
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    absl::StrAppend(&text, "{\"id\":\"d", i,
                    "\",\"glstring\":\"A*01:01+A*02:01\",\"x", i, "\":1}\n");
  }
  const std::vector<Row> rows = ReadAll(text);
  ASSERT_EQ(rows.size(), 1000u);
  for (const Row& r : rows) EXPECT_TRUE(r.status.ok()) << r.status;
  ASSERT_EQ(header_warnings_.size(), 65u);
  EXPECT_THAT(header_warnings_[0], HasSubstr("key 'x0' is not one"));
  EXPECT_THAT(header_warnings_[64],
              HasSubstr("more keys haplomatch does not read; the first 64"));
}

// Family files read an untyped member as a placeholder (allow_untyped):
// blank glstring, every locus cell blank, a JSON object without typing keys.
// Donor files still reject such rows.
TEST_F(DonorFile, UntypedRowsArePlaceholdersOnlyWhenAllowed) {
  DonorFileOptions family;
  family.allow_untyped = true;
  struct Case {
    std::string text, name;
  };
  const Case cases[] = {
      {"id,role,glstring\nF,father,\nP,patient,A*01:01+A*02:01\n",
       "f.csv"},
      {"id,role,A_1,A_2\nF,father,,\nP,patient,01:01,02:01\n", "f.csv"},
      {"{\"id\":\"F\",\"role\":\"father\"}\n"
       "{\"id\":\"P\",\"role\":\"patient\",\"glstring\":\"A*01:01\"}\n",
       "f.jsonl"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    std::vector<Row> rows = ReadAll(c.text, family, c.name);
    ASSERT_EQ(rows.size(), 2u);
    ASSERT_TRUE(rows[0].status.ok()) << rows[0].status;
    EXPECT_EQ(rows[0].record.facts.id, "F");
    EXPECT_EQ(rows[0].record.typing, "");
    for (const matcher::LocusTyping& lt : rows[0].record.genotype.loci) {
      EXPECT_EQ(lt.typed_positions, 0);
    }
    ASSERT_TRUE(rows[1].status.ok()) << rows[1].status;
    EXPECT_NE(rows[1].record.typing, "");
    rows = ReadAll(c.text, {}, c.name);
    ASSERT_FALSE(rows.empty());
    EXPECT_FALSE(rows[0].status.ok());
  }
}

// Line ends: LF, CRLF, or a lone CR (classic Mac OS): the same rows.
TEST_F(DonorFile, CrOnlyCrLfAndLfLineEndsReadAlike) {
  const std::string lf =
      "id,relationship,age,A_1,A_2,B_1,B_2\n"
      "a,sibling,40,01:01,02:01,08:01,44:02\n"
      "b,sibling,41,01:01,02:01,08:01,44:02\n"
      "c,sibling,42,01:01,02:01,08:01,44:02\n";
  for (const char* end : {"\r", "\r\n"}) {
    SCOPED_TRACE(end[1] ? "CRLF" : "CR");
    const std::string text = absl::StrReplaceAll(lf, {{"\n", end}});
    const std::vector<Row> rows = ReadAll(text);
    ASSERT_EQ(rows.size(), 3u);
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_TRUE(rows[i].status.ok()) << rows[i].status;
      EXPECT_EQ(rows[i].record.line, i + 2);
    }
    EXPECT_EQ(rows[2].record.facts.id, "c");
    EXPECT_EQ(*rows[2].record.facts.age, 42);
    // JSON Lines alike.
    const std::string jsonl = absl::StrCat(
        R"({"id":"a","glstring":"A*01:01+A*02:01"})", end,
        R"({"id":"b","glstring":"A*01:01+A*02:01"})", end);
    const std::vector<Row> j = ReadAll(jsonl, {}, "donors.jsonl");
    ASSERT_EQ(j.size(), 2u);
    EXPECT_TRUE(j[1].status.ok()) << j[1].status;
    EXPECT_EQ(j[1].record.facts.id, "b");
    EXPECT_EQ(j[1].record.line, 2u);
  }
}

// A birth date and an age that disagree: the row is refused naming both,
// never one silently preferred.
TEST_F(DonorFile, BirthDateAndAgeThatDisagreeAreRejected) {
  const int age_now = *eligibility::AgeInYears(absl::CivilDay(1990, 1, 1),
                                                eligibility::Today());
  const std::vector<Row> rows = ReadAll(absl::StrCat(
      "id,birth_date,age,A_1,A_2\n",
      "far,1990-01-01,75,01:01,02:01\n",
      "agrees,1990-01-01,", age_now, ",01:01,02:01\n"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(rows[0].status.message()),
              HasSubstr("donors.csv:2: columns 'birth_date' and 'age': birth "
                        "date 1990-01-01 ("));
  EXPECT_THAT(std::string(rows[0].status.message()),
              HasSubstr(") and age 75 disagree"));
  EXPECT_TRUE(rows[1].status.ok()) << rows[1].status;
}

TEST_F(DonorFile, OverlongRowIsOneErrorAndReadingGoesOn) {
  DonorFileOptions options;
  options.max_row_bytes = 64;
  const std::vector<Row> rows =
      ReadAll(absl::StrCat("id,glstring\n", "big,", std::string(200, 'A'),
                           "\"\nsmall,A*01:01+A*02:01\n"),
              options);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(std::string(rows[0].status.message()),
            "donors.csv:2: row over 64 bytes (rejected, not truncated)");
  ASSERT_TRUE(rows[1].status.ok()) << rows[1].status;
  EXPECT_EQ(rows[1].record.line, 3u);
}

// A stream that hands out its bytes `chunk` at a time (0: unbuffered, one
// byte per call and no get area), as pipes, gzip and slow disks do.
class ChunkedBuf : public std::streambuf {
 public:
  ChunkedBuf(std::string text, size_t chunk)
      : text_(std::move(text)), chunk_(chunk) {}

 protected:
  int_type underflow() override {
    if (pos_ >= text_.size()) return traits_type::eof();
    if (chunk_ == 0) return traits_type::to_int_type(text_[pos_]);
    const size_t n = std::min(chunk_, text_.size() - pos_);
    char* b = &text_[pos_];
    setg(b, b, b + n);
    pos_ += n;
    return traits_type::to_int_type(*b);
  }
  int_type uflow() override {
    if (chunk_ != 0) return std::streambuf::uflow();
    if (pos_ >= text_.size()) return traits_type::eof();
    return traits_type::to_int_type(text_[pos_++]);
  }

 private:
  std::string text_;
  size_t chunk_;
  size_t pos_ = 0;
};

// The reader copies runs of field text straight from the stream's buffer;
// wherever the buffer ends (mid-field, on a quote, between CR and LF, at
// the row limit), the rows are the ones a byte-by-byte read gives.
TEST_F(DonorFile, EveryStreamBufferingReadsTheSameRows) {
  std::string text =
      "\xEF\xBB\xBFid,glstring,notes\r\n"
      "\r\n"
      "\"Smith, \"\"Jo\"\"\",\"A*01:01+A*02:01\",\"two\nlines\"\r\n"
      "d2,A*01:01+A*03:01,mid\"field\"quote\r"
      "d3,A*01:01+A*02:01,\"unclosed\n"
      "d4,A*01:01+A*02:01,\n"
      "\n";
  // Rows around the 64-byte limit (the line end counts): the limit
  // exactly, one byte over.
  const std::string head = "d5,A*01:01+A*02:01,";
  absl::StrAppend(&text, head, std::string(63 - head.size(), 'n'), "\n");
  absl::StrAppend(&text, head, std::string(64 - head.size(), 'n'), "\n");
  absl::StrAppend(&text, "d6,A*01:01+A*02:01,last");
  DonorFileOptions options;
  options.max_row_bytes = 64;
  const std::vector<Row> want = ReadAll(text, options);
  ASSERT_EQ(want.size(), 7u);
  EXPECT_EQ(want[0].record.facts.id, "Smith, \"Jo\"");
  EXPECT_EQ(want[1].record.facts.id, "d2");
  EXPECT_THAT(want[2].status.message(), HasSubstr("not closed on its line"));
  EXPECT_EQ(want[3].record.facts.id, "d4");
  EXPECT_TRUE(want[4].status.ok()) << want[4].status;
  EXPECT_THAT(want[5].status.message(), HasSubstr("row over 64 bytes"));
  EXPECT_EQ(want[6].record.facts.id, "d6");
  for (size_t chunk : {0, 1, 2, 3, 7, 16, 63, 64, 65}) {
    SCOPED_TRACE(chunk);
    ChunkedBuf buf(text, chunk);
    std::istream in(&buf);
    auto reader = DonorFileReader::FromStream(&in, "donors.csv", resolver_, options);
    ASSERT_TRUE(reader.ok()) << reader.status();
    std::vector<Row> got;
    Row row;
    while ((*reader)->Next(&row.record, &row.status)) got.push_back(row);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      SCOPED_TRACE(i);
      EXPECT_EQ(got[i].status, want[i].status);
      EXPECT_EQ(got[i].record.line, want[i].record.line);
      EXPECT_EQ(got[i].record.facts.id, want[i].record.facts.id);
      EXPECT_EQ(got[i].record.typing, want[i].record.typing);
    }
  }
}

TEST_F(DonorFile, HeaderErrors) {
  const struct {
    const char* text;
    const char* error;
  } kCases[] = {
      {"", "donors.csv: empty donor file (no header line)"},
      {"\n\n", "donors.csv: empty donor file (no header line)"},
      {"name,glstring\n", "donors.csv:1: no id column"},
      {"id,age\n", "donors.csv:1: no typing column"},
      {"id,glstring,A_1\n", "donors.csv:1: both a 'glstring' column and "
                            "per-locus columns"},
      {"\nid,dob,birth_date,glstring\n",
       "donors.csv:2: columns 'dob' and 'birth_date' say the same thing"},
      {"id,A_1,HLA-A_1\n", "donors.csv:1: columns 'A_1' and 'HLA-A_1'"},
  };
  for (const auto& c : kCases) {
    const std::vector<Row> rows = ReadAll(c.text);
    ASSERT_EQ(rows.size(), 1u) << c.text;
    EXPECT_EQ(rows[0].status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(rows[0].status.message()), HasSubstr(c.error))
        << c.text;
  }
}

TEST_F(DonorFile, WithoutResolverOnlyParses) {
  std::istringstream in("id,glstring\nx,A*99:99+A*01:01\ny,A*01:01+\n");
  auto reader = DonorFileReader::FromStream(&in, "f.csv", nullptr);
  ASSERT_TRUE(reader.ok()) << reader.status();
  DonorRecord r;
  absl::Status s;
  ASSERT_TRUE((*reader)->Next(&r, &s));
  EXPECT_TRUE(s.ok()) << s;  // syntax fine; existence is the resolver's job
  EXPECT_EQ(r.typing, "A*99:99+A*01:01");
  ASSERT_TRUE((*reader)->Next(&r, &s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("f.csv:3: column 'glstring'"));
  EXPECT_FALSE((*reader)->Next(&r, &s));
  EXPECT_EQ((*reader)->rows(), 2u);
}

// A fixed-seed generator appends bytes of `alphabet` to one of two headers
// (or first rows); every row must come back as a record or an error, with
// increasing line numbers.
void FuzzRows(const std::string& alphabet, const std::string& head0,
              const std::string& head1, const std::string& name,
              uint32_t seed, const data::Resolver* resolver) {
  uint32_t state = seed;
  auto next = [&] {
    state = state * 1103515245u + 12345u;
    return (state >> 16) & 0x7fff;
  };
  for (int round = 0; round < 300; ++round) {
    std::string text = round % 2 ? head1 : head0;
    const int n = static_cast<int>(next() % 250);
    for (int i = 0; i < n; ++i) text.push_back(alphabet[next() % alphabet.size()]);
    DonorFileOptions options;
    options.max_row_bytes = 64;
    std::istringstream in(text);
    auto reader = DonorFileReader::FromStream(&in, name, resolver, options);
    ASSERT_TRUE(reader.ok()) << reader.status();
    DonorRecord r;
    absl::Status s;
    size_t rows = 0, last_line = 0;
    while ((*reader)->Next(&r, &s)) {
      ASSERT_LT(++rows, 1000u);
      EXPECT_GT(r.line, last_line);
      last_line = r.line;
    }
  }
}

// ReadTyping: the one text -> Genotype path of --recipient, --donor and
// the service's typings.
TEST_F(DonorFile, ReadTypingParsesResolvesAndBuilds) {
  absl::StatusOr<TypingFromText> t =
      ReadTyping(*resolver_, "A*01:01+A*24:329^B*08:01");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->typing, "A*01:01+A*24:329^B*08:01");
  EXPECT_EQ(t->genotype.at(Locus::kA).typed_positions, 2);
  EXPECT_EQ(t->genotype.at(Locus::kB).typed_positions, 1);
  ASSERT_FALSE(t->warnings.empty());
  EXPECT_THAT(t->warnings[0], HasSubstr("A*24:329Q"));  // renamed
  absl::StatusOr<TypingFromText> bad = ReadTyping(*resolver_, "A*01:01+A*");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("at offset 10"));
  bad = ReadTyping(*resolver_, "A*99:99");
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("A*99:99"));
}

TEST_F(DonorFile, ArbitraryBytesNeverCrashOrHang) {
  // The bytes that matter to the splitter and the typing parser.
  FuzzRows(",\"\n\r\t A*0123:+^/~|?NxG-\xEF\xBB\xBF", "id,A_1,A_2,dob,abo\n",
           "id,glstring\n", "fuzz.csv", 12345, resolver_);
}

// ---- JSON Lines

TEST_F(DonorFile, JsonLinesGoodRows) {
  DonorFileOptions options;
  options.format = TableFormat::kJsonLines;
  const std::vector<Row> rows = ReadAll(
      // BOM, CRLF, numbers, null, an unknown key; then other key sets.
      "\xEF\xBB\xBF{\"id\":\"M1\",\"relationship\":\"mother\",\"age\":30,"
      "\"sex\":null,\"abo\":\"O+\",\"cmv\":\"pos\",\"notes\":\"x\","
      "\"glstring\":\"A*01:01+A*02:01^B*08:01+B*44:02\"}\r\n"
      "\r\n"
      "  {\"donor_id\": 7, \"DOB\": \"1990-05-01\", \"HLA-A_1\": \"02:01\","
      " \"A.2\": \"A*03:01\", \"B1\": \"B7\", \"DRB1_1\": \"03:01/04:01\","
      " \"DQB1_1\": null, \"notes\": 1}\r\n"
      "{\"person_id\":\"K3\",\"family\":\"F1\",\"role\":\"sibling\","
      "\"other\":true,\"gl\":\"A*01:01+A*03:01\"}\n"
      "{\"id\":\"K4\",\"A_1\":\"01:01\",\"A_2\":null}",
      options, "donors.jsonl");
  ASSERT_EQ(rows.size(), 4u);
  for (const Row& r : rows) ASSERT_TRUE(r.status.ok()) << r.status;
  const DonorRecord& m = rows[0].record;
  EXPECT_EQ(m.line, 1u);
  EXPECT_EQ(m.facts.id, "M1");
  EXPECT_EQ(m.facts.relationship, matcher::Relationship::kParent);
  EXPECT_EQ(m.facts.age, 30);
  EXPECT_EQ(m.facts.sex, eligibility::Sex::kUnknown);
  EXPECT_EQ(m.facts.blood_group->abo, eligibility::Abo::kO);
  EXPECT_EQ(m.facts.cmv, eligibility::Cmv::kPositive);
  EXPECT_EQ(m.typing, "A*01:01+A*02:01^B*08:01+B*44:02");
  EXPECT_EQ(m.genotype.at(Locus::kB).pos[1].text, "B*44:02");
  const DonorRecord& k = rows[1].record;
  EXPECT_EQ(k.line, 3u);
  EXPECT_EQ(k.facts.id, "7");
  EXPECT_EQ(k.facts.birth_date, absl::CivilDay(1990, 5, 1));
  EXPECT_EQ(k.typing, "A*02:01+A*03:01^B7^DRB1*03:01/DRB1*04:01");
  EXPECT_EQ(k.genotype.at(Locus::kDQB1).typed_positions, 0);
  EXPECT_EQ(rows[2].record.line, 4u);
  EXPECT_EQ(rows[2].record.facts.id, "K3");
  EXPECT_EQ(rows[2].record.family_id, "F1");
  EXPECT_EQ(rows[2].record.role, "sibling");
  EXPECT_EQ(rows[2].record.typing, "A*01:01+A*03:01");
  EXPECT_EQ(rows[3].record.line, 5u);  // a last line without '\n'
  EXPECT_EQ(rows[3].record.typing, "A*01:01");
  // One warning per distinct unknown key, on the line that brought it.
  EXPECT_THAT(header_warnings_,
              ElementsAre("donors.jsonl:1: key 'notes' is not one haplomatch "
                          "reads; ignored",
                          "donors.jsonl:4: key 'other' is not one haplomatch "
                          "reads; ignored"));
}

TEST_F(DonorFile, JsonLinesChosenByNameOrContent) {
  const std::string text =
      "\n {\"id\":\"a\",\"glstring\":\"A*01:01+A*02:01\",\"zz\":1}\n";
  {  // by content, whatever the name
    std::istringstream in(text);
    auto reader = DonorFileReader::FromStream(&in, "d.csv", resolver_);
    ASSERT_TRUE(reader.ok()) << reader.status();
    EXPECT_EQ((*reader)->format(), TableFormat::kJsonLines);
    EXPECT_THAT((*reader)->columns(), ElementsAre("id", "glstring", "zz"));
    // The first object's unknown keys are known before any row is read.
    EXPECT_THAT((*reader)->header_warnings(),
                ElementsAre(HasSubstr("d.csv:2: key 'zz'")));
    DonorRecord r;
    absl::Status s;
    ASSERT_TRUE((*reader)->Next(&r, &s));
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(r.line, 2u);
    EXPECT_FALSE((*reader)->Next(&r, &s));
    EXPECT_EQ((*reader)->header_warnings().size(), 1u);
  }
  char dir_template[] = "/tmp/haplomatch_donor_file_XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  for (const char* name : {"d.jsonl", "d.NDJSON"}) {
    // By name: even a first line that is not an object is a JSON row.
    const std::string path = absl::StrCat(dir_template, "/", name);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs(absl::StrCat("id,glstring", text).c_str(), f);
    std::fclose(f);
    auto reader = DonorFileReader::Open(path, resolver_);
    ASSERT_TRUE(reader.ok()) << reader.status();
    EXPECT_EQ((*reader)->format(), TableFormat::kJsonLines) << name;
    EXPECT_THAT((*reader)->columns(), IsEmpty());
    DonorRecord r;
    absl::Status s;
    ASSERT_TRUE((*reader)->Next(&r, &s));
    EXPECT_EQ(std::string(s.message()),
              absl::StrCat(path, ":1:1: expected '{'"));
    ASSERT_TRUE((*reader)->Next(&r, &s));
    EXPECT_TRUE(s.ok()) << s;
    EXPECT_EQ(r.line, 2u);
    std::remove(path.c_str());
  }
  ::rmdir(dir_template);
  // Empty: no rows as JSON Lines, an error when the format is not known.
  DonorFileOptions json;
  json.format = TableFormat::kJsonLines;
  EXPECT_THAT(ReadAll("", json), IsEmpty());
  EXPECT_THAT(ReadAll("\n \n", json), IsEmpty());
  const std::vector<Row> unknown = ReadAll("");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_FALSE(unknown[0].status.ok());
}

TEST_F(DonorFile, JsonLinesEveryBadRowKindNamesLineAndKey) {
  const struct {
    const char* line;
    const char* error;  // "" for a good row
  } kRows[] = {
      {R"({"id":"ok1","A_1":"01:01","A_2":"02:01","B_1":"08:01"})", ""},
      {R"({"id":"c","glstring":"A*01:01")", ":2:31: expected ',' or '}'"},
      {R"({"id":"d","birth_date":"2023-02-30","glstring":"A*01:01"})",
       ":3: key 'birth_date': '2023-02-30' is not a date: February 2023 has "
       "28 days"},
      {R"({"glstring":"A*01:01"})",
       ":4: no donor id (key id, donor_id, person_id or donor)"},
      {R"({"id":null,"glstring":"A*01:01"})", ":5: key 'id': missing donor id"},
      {R"({"id":"f","age":40})",
       ":6: no typing key: a 'glstring' key or per-locus keys A_1, A_2, B_1"},
      {R"({"id":"g","glstring":"A*01:01","A_1":"01:01"})",
       ":7: both a 'glstring' key and per-locus keys: give the typing one "
       "way"},
      {R"({"id":"h","dob":"1990-01-01","birth_date":"1990-01-01","gl":"A1"})",
       ":8: keys 'dob' and 'birth_date' say the same thing"},
      {R"({"id":"i","id":"j","glstring":"A*01:01"})",
       ":9:11: key 'id' given twice"},
      {R"({"id":"k","nested":{"x":1},"glstring":"A*01:01"})",
       ":10:20: nested value for key 'nested'"},
      {R"([1,2])", ":11:1: expected '{'"},
      {R"({"id":"l","age":30.5,"glstring":"A*01:01"})",
       ":12: key 'age': '30.5' is not an age"},
      {R"({"id":"m","A_1":"B*07:02"})",
       ":13: key 'A_1': 'B*07:02' in 'B*07:02' is not a typing of A"},
      {R"({"id":"n","A_1":null,"A_2":""})",
       ":14: no typing (every locus key is blank)"},
      {R"({"id":"o","glstring":"A*99:99+A*01:01"})",
       ":15: key 'glstring': 'A*99:99'"},
      {R"({"id":"p","glstring":""})", ":16: key 'glstring': no typing"},
      {R"({"id":"q","sex":"Q","glstring":"A*01:01"})", ":17: key 'sex': "},
      {R"({"id":"r","abo":"C","glstring":"A*01:01"})",
       ":18: key 'abo': 'C' is not a blood group"},
      {R"({"id":"s","relationship":"aunt-in-law","glstring":"A*01:01"})",
       ":19: key 'relationship': "},
      {R"({"id":"t","cmv":"maybe","glstring":"A*01:01"})", ":20: key 'cmv': "},
      {R"({"id":"u","A_1":"01:01+A*02:01"})",
       ":21: key 'A_1': 'A*01:01+A*02:01': one typing a cell"},
      {R"({"id":"v","glstring":"A*01:01"} ,)", ":22:33: text after the object"},
      {R"({"id":"ok2","glstring":"A*01:01+A*02:01"})", ""},
  };
  std::string text;
  for (const auto& r : kRows) absl::StrAppend(&text, r.line, "\n");
  const std::vector<Row> rows = ReadAll(text, {}, "d.jsonl");
  ASSERT_EQ(rows.size(), std::size(kRows));
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(kRows[i].line);
    EXPECT_EQ(rows[i].record.line, i + 1);
    if (*kRows[i].error == '\0') {
      EXPECT_TRUE(rows[i].status.ok()) << rows[i].status;
      continue;
    }
    EXPECT_EQ(rows[i].status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(rows[i].status.message()),
                HasSubstr(absl::StrCat("d.jsonl", kRows[i].error)));
  }
  // Only rows that parse lay out their keys ("nested" never did).
  EXPECT_THAT(header_warnings_, IsEmpty());
}

TEST_F(DonorFile, JsonLinesOverlongLineIsOneErrorAndReadingGoesOn) {
  DonorFileOptions options;
  options.max_row_bytes = 64;
  const std::string big =
      absl::StrCat("{\"id\":\"big\",\"glstring\":\"", std::string(200, 'A'),
                   "\"}\n");
  const std::string small = "{\"id\":\"small\",\"glstring\":\"A*01:01\"}\n";
  // The over-long line first (the reader's format sniffing) and later.
  const std::vector<Row> rows =
      ReadAll(absl::StrCat(big, small, big, small), options, "d.jsonl");
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(std::string(rows[0].status.message()),
            "d.jsonl:1: row over 64 bytes (rejected, not truncated)");
  ASSERT_TRUE(rows[1].status.ok()) << rows[1].status;
  EXPECT_EQ(rows[1].record.line, 2u);
  EXPECT_EQ(std::string(rows[2].status.message()),
            "d.jsonl:3: row over 64 bytes (rejected, not truncated)");
  ASSERT_TRUE(rows[3].status.ok()) << rows[3].status;
  EXPECT_EQ(rows[3].record.facts.id, "small");
}

// id_column: that column/key is the id; the usual id spellings are then
// ignored (no "say the same thing" error); missing, it is a header error
// (CSV) or a row error (JSON Lines).
TEST_F(DonorFile, IdColumnOption) {
  DonorFileOptions options;
  options.id_column = " Person ";
  const struct {
    const char* text;
    const char* name;
    const char* first_id;  // or the error
    bool ok;
  } kCases[] = {
      {"id,person,glstring\nx1,P1,A*01:01\n", "d.csv", "P1", true},
      {"donor_id\tPERSON\tA_1\nx1\tP1\t01:01\n", "d.tsv", "P1", true},
      {R"({"id":"x1","person":"P1","glstring":"A*01:01"})", "d.jsonl", "P1",
       true},
      {"id,glstring\nx1,A*01:01\n", "d.csv",
       "d.csv:1: no id column ' Person ' in the header", false},
      {R"({"id":"x1","glstring":"A*01:01"})", "d.jsonl",
       "d.jsonl:1: no donor id (key ' Person ')", false},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    const std::vector<Row> rows = ReadAll(c.text, options, c.name);
    ASSERT_EQ(rows.size(), 1u);
    if (c.ok) {
      ASSERT_TRUE(rows[0].status.ok()) << rows[0].status;
      EXPECT_EQ(rows[0].record.facts.id, c.first_id);
      EXPECT_THAT(header_warnings_,
                  ElementsAre(HasSubstr("ignored: the id is the")));
    } else {
      EXPECT_EQ(rows[0].status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(std::string(rows[0].status.message()), c.first_id);
    }
  }
}

// Unparsed glstrings for callers that parse them (registry/ingest.h).
TEST_F(DonorFile, ParseTypingsFalsePassesTheGlStringOn) {
  DonorFileOptions options;
  options.parse_typings = false;
  for (const char* text :
       {"id,glstring\nx, A*01:01++ \n",
        "{\"id\":\"x\",\"glstring\":\" A*01:01++ \"}\n"}) {
    std::istringstream in(text);
    auto reader = DonorFileReader::FromStream(&in, "f", nullptr, options);
    ASSERT_TRUE(reader.ok()) << reader.status();
    DonorRecord r;
    absl::Status s;
    ASSERT_TRUE((*reader)->Next(&r, &s));
    EXPECT_TRUE(s.ok()) << s;
    EXPECT_EQ(r.typing, "A*01:01++");
  }
}

TEST_F(DonorFile, JsonLinesArbitraryBytesNeverCrashOrHang) {
  FuzzRows("{}[]\":,\\u0 1.e-+nultrfa\n\r\tA*:01^/xG",
           "{\"id\":\"a\",\"A_1\":\"01:01\"}\n",
           "{\"id\":\"a\",\"glstring\":\"A*01:01\"}\n", "fuzz.jsonl", 777,
           resolver_);
}

}  // namespace
}  // namespace hla::registry
