// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Donor files: CSV/TSV splitting (quotes, CRLF, BOM, blank lines), header
// spellings, per-locus cells, and one error per bad row naming file:line and
// the column, against the shipped IPD-IMGT/HLA 3.58.0.
#include "matcher/donor_file.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::matcher {
namespace {

using ::testing::ElementsAre;
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
    header_warnings_ = (*reader)->header_warnings();
    Row row;
    while ((*reader)->Next(&row.record, &row.status)) rows.push_back(row);
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
  EXPECT_EQ(m.facts.relationship, Relationship::kParent);
  EXPECT_EQ(m.facts.birth_date, absl::CivilDay(1954, 3, 2));
  EXPECT_FALSE(m.facts.age.has_value());
  EXPECT_EQ(m.facts.sex, Sex::kFemale);
  ASSERT_TRUE(m.facts.blood_group.has_value());
  EXPECT_EQ(m.facts.blood_group->abo, Abo::kO);
  EXPECT_EQ(m.facts.cmv, Cmv::kPositive);
  EXPECT_EQ(m.typing, "A*01:01+A*02:01^B*08:01+B*44:02");
  EXPECT_EQ(m.genotype.at(Locus::kA).typed_positions, 2);
  EXPECT_EQ(m.genotype.at(Locus::kB).pos[1].text, "B*44:02");
  ASSERT_TRUE(rows[1].status.ok()) << rows[1].status;
  EXPECT_EQ(rows[1].record.line, 3u);
  EXPECT_EQ(rows[1].record.facts.age, 68);
  EXPECT_EQ(rows[1].record.facts.blood_group->rh, Rh::kNegative);
}

// Family files (matcher/family.h) need family_id and role; the reader keeps
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
      "open,\"sibling,,40,F,,,01:01,02:01,08:01,44:02\n");         // 15
  ASSERT_EQ(rows.size(), 14u);
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
  EXPECT_EQ(msg(13),
            "donors.csv:15: a quoted field is not closed before the end of "
            "the file");
  for (const Row& r : rows) {
    if (!r.status.ok()) {
      EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument) << r.status;
    }
  }
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

TEST_F(DonorFile, ArbitraryBytesNeverCrashOrHang) {
  // A fixed-seed generator over the bytes that matter to the splitter and
  // the typing parser; every row must come back as a record or an error.
  const std::string alphabet = ",\"\n\r\t A*0123:+^/~|?NxG-\xEF\xBB\xBF";
  uint32_t state = 12345;
  auto next = [&] {
    state = state * 1103515245u + 12345u;
    return (state >> 16) & 0x7fff;
  };
  for (int round = 0; round < 300; ++round) {
    std::string text = round % 2 ? "id,glstring\n" : "id,A_1,A_2,dob,abo\n";
    const int n = static_cast<int>(next() % 200);
    for (int i = 0; i < n; ++i) text.push_back(alphabet[next() % alphabet.size()]);
    DonorFileOptions options;
    options.max_row_bytes = 64;
    std::istringstream in(text);
    auto reader = DonorFileReader::FromStream(&in, "fuzz.csv", resolver_, options);
    ASSERT_TRUE(reader.ok()) << reader.status();
    DonorRecord r;
    absl::Status s;
    size_t rows = 0, last_line = 1;
    while ((*reader)->Next(&r, &s)) {
      ASSERT_LT(++rows, 1000u);
      EXPECT_GT(r.line, last_line);
      last_line = r.line;
    }
  }
}

}  // namespace
}  // namespace hla::matcher
