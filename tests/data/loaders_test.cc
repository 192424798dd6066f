// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The parse layer, file by file: good rows, and each kind of bad line
// reported as DataLoss "file:line: why".
#include <deque>
#include <string>

#include "data/internal/records.h"
#include "data_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::data_internal {
namespace {

using ::hla::data_testing::StatusIs;
using ::testing::SizeIs;

constexpr absl::StatusCode kDataLoss = absl::StatusCode::kDataLoss;
const char kHead[] = "# file: x\n# version: IPD-IMGT/HLA 3.58.0\n";

// The parsers return views into their input, which must outlive the rows:
// Keep() holds a built test input for the rest of the program.
const std::string& Keep(std::string text) {
  static auto* kept = new std::deque<std::string>();
  kept->push_back(std::move(text));
  return kept->back();
}

// ---- Allelelist.txt

TEST(ParseAlleleList, ReadsRowsAndHeaderWithoutFinalNewline) {
  auto f = ParseAlleleList(Keep(std::string(kHead) +
                               "AlleleID,Allele\nHLA00001,A*01:01:01:01\n"
                               "HLA02169,A*01:01:01:02N"),
                           "Allelelist.txt");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->header.version, "3.58.0");
  ASSERT_THAT(f->rows, SizeIs(2));
  EXPECT_EQ(f->rows[1].accession, "HLA02169");
  EXPECT_EQ(f->rows[1].locus, "A");
  EXPECT_EQ(f->rows[1].suffix, 'N');
  EXPECT_EQ(f->rows[1].fields.size(), 4u);
  EXPECT_EQ(f->rows[1].line, 5);
}

TEST(ParseAlleleList, MissingColumnHeaderIsAnError) {
  EXPECT_THAT(ParseAlleleList("HLA00001,A*01:01\n", "al.txt"),
              StatusIs(kDataLoss, "al.txt:1: expected the column header"));
}

TEST(ParseAlleleList, BadNameNamesFileAndLine) {
  EXPECT_THAT(
      ParseAlleleList("AlleleID,Allele\nHLA1,A*01:01\nHLA2,A*01::01\n", "al"),
      StatusIs(kDataLoss, "al:3: not a WHO allele name: 'A*01::01'"));
}

TEST(ParseAlleleList, WrongFieldCountIsAnError) {
  EXPECT_THAT(ParseAlleleList("AlleleID,Allele\nHLA1,A*01:01,x\n", "al"),
              StatusIs(kDataLoss, "al:2: expected 2 comma-separated fields"));
}

TEST(ParseAlleleList, EmptyFileIsAnError) {
  EXPECT_THAT(ParseAlleleList(kHead, "al"),
              StatusIs(kDataLoss, "no 'AlleleID,Allele' column header"));
}

TEST(SplitAlleleName, SplitsLocusFieldsSuffix) {
  absl::string_view locus;
  hla::Fields fields;
  char suffix;
  ASSERT_TRUE(SplitAlleleName("DRB1*14:01:01Q", &locus, &fields, &suffix));
  EXPECT_EQ(locus, "DRB1");
  EXPECT_EQ(fields.size(), 3u);
  EXPECT_EQ(suffix, 'Q');
  EXPECT_FALSE(SplitAlleleName("*01:01", &locus, &fields, &suffix));
  EXPECT_FALSE(SplitAlleleName("A-B*01", &locus, &fields, &suffix));
  EXPECT_FALSE(SplitAlleleName("A*01:01:01:01:01", &locus, &fields, &suffix));
}

// ---- Allele_status.txt

TEST(ParseAlleleStatus, ReadsFlags) {
  auto f = ParseAlleleStatus(
      "Allele,Cells,Groups,Confirmed,Start,End,Partial,Type\n"
      "C*03:11:01,1,1,Unconfirmed,74,619,Partial,cDNA\n"
      "A*01:01:01:01,8,10,Confirmed,1,1098,Full,gDNA",
      "st");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_THAT(f->rows, SizeIs(2));
  EXPECT_FALSE(f->rows[0].confirmed);
  EXPECT_TRUE(f->rows[0].partial);
  EXPECT_FALSE(f->rows[0].genomic);
  EXPECT_TRUE(f->rows[1].confirmed);
  EXPECT_FALSE(f->rows[1].partial);
  EXPECT_TRUE(f->rows[1].genomic);
}

TEST(ParseAlleleStatus, UnknownValuesNameFileAndLine) {
  const std::string head =
      "Allele,Cells,Groups,Confirmed,Start,End,Partial,Type\n";
  EXPECT_THAT(ParseAlleleStatus(head + "A*01,1,1,Maybe,1,2,Full,gDNA\n", "st"),
              StatusIs(kDataLoss, "st:2: Confirmed must be"));
  EXPECT_THAT(ParseAlleleStatus(head + "A*01,1,1,Confirmed,1,2,Half,gDNA\n", "st"),
              StatusIs(kDataLoss, "st:2: Partial must be"));
  EXPECT_THAT(ParseAlleleStatus(head + "A*01,1,1,Confirmed,1,2,Full,RNA\n", "st"),
              StatusIs(kDataLoss, "st:2: Type must be"));
  EXPECT_THAT(ParseAlleleStatus(head + "A*01,1,1\n", "st"),
              StatusIs(kDataLoss, "st:2: expected 8 comma-separated"));
  EXPECT_THAT(ParseAlleleStatus("A*01,1\n", "st"),
              StatusIs(kDataLoss, "st:1: expected the column header"));
}

// ---- wmda/hla_nom.txt

TEST(ParseHlaNom, ReadsAntigensCurrentAndDeletedNames) {
  auto f = ParseHlaNom(Keep(std::string(kHead) +
                           "A;1;19680101;;;\n"
                           "A*;01:01:01:01;19890801;;;\n"
                           "A*;0105N;19990216;20010717;01:04:01:01N;Sequence "
                           "identical"),
                       "nom");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_THAT(f->rows, SizeIs(3));
  EXPECT_FALSE(f->rows[0].is_allele);
  EXPECT_TRUE(f->rows[1].is_allele);
  EXPECT_EQ(f->rows[2].name, "0105N");
  EXPECT_EQ(f->rows[2].date_deleted, "20010717");
  EXPECT_EQ(f->rows[2].identical_to, "01:04:01:01N");
  EXPECT_EQ(f->rows[2].reason, "Sequence identical");
}

TEST(ParseHlaNom, SeventhFieldStaysInReason) {
  auto f = ParseHlaNom("A*;01:01;19890801;;;why;extra\n", "nom");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->rows[0].reason, "why;extra");
}

TEST(ParseHlaNom, BadLinesNameFileAndLine) {
  EXPECT_THAT(ParseHlaNom("A*;01:01;19890801;;\n", "nom"),
              StatusIs(kDataLoss, "nom:1: expected 6 ';'-separated fields"));
  EXPECT_THAT(ParseHlaNom("A;1;19680101;;;\nA*;01:01;1989;;;\n", "nom"),
              StatusIs(kDataLoss, "nom:2: DateAssigned must be YYYYMMDD"));
  EXPECT_THAT(ParseHlaNom("A*;01:01;19890801;soon;;\n", "nom"),
              StatusIs(kDataLoss, "nom:1: DateDeleted must be YYYYMMDD"));
  EXPECT_THAT(ParseHlaNom("*;01:01;19890801;;;\n", "nom"),
              StatusIs(kDataLoss, "nom:1: empty locus or name"));
}

// ---- wmda/hla_nom_g.txt, wmda/hla_nom_p.txt

TEST(ParseGroupFile, ReadsNamedAndUngroupedRows) {
  auto f = ParseGroupFile(Keep(std::string(kHead) +
                              "A*;01:01:01:01/01:01:01:02N;01:01:01G\n"
                              "A*;01:01:02;"),
                          "g", 'G');
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_THAT(f->rows, SizeIs(2));
  EXPECT_EQ(f->rows[0].group, "01:01:01G");
  EXPECT_EQ(f->rows[1].group, "");
  EXPECT_EQ(f->rows[1].members, "01:01:02");
}

TEST(ParseGroupFile, BadLinesNameFileAndLine) {
  EXPECT_THAT(ParseGroupFile("A*;01:01\n", "g", 'G'),
              StatusIs(kDataLoss, "g:1: expected 3 ';'-separated fields"));
  EXPECT_THAT(ParseGroupFile("A;01:01;\n", "g", 'G'),
              StatusIs(kDataLoss, "g:1: locus must end with '*'"));
  EXPECT_THAT(ParseGroupFile("A*;;01:01G\n", "g", 'G'),
              StatusIs(kDataLoss, "g:1: empty allele list"));
  EXPECT_THAT(ParseGroupFile("A*;01:01/01:02;01:01P\n", "g", 'G'),
              StatusIs(kDataLoss, "g:1: group name must be fields followed by "
                                  "'G'"));
  EXPECT_THAT(ParseGroupFile("A*;01:01/01:02;\n", "p", 'P'),
              StatusIs(kDataLoss, "p:1: several alleles but no group name"));
}

// ---- wmda/rel_dna_ser.txt

TEST(ParseRelDnaSer, ReadsSixAndSevenFieldLayouts) {
  auto f = ParseRelDnaSer(Keep(std::string(kHead) +
                              "A*;02:55;;;2;28\n"
                              "DRB1*;11:16:01:01;;11/13;;\n"
                              "A*;01:48;;;0/?;;1"),
                          "ser");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_THAT(f->rows, SizeIs(3));
  EXPECT_EQ(f->rows[0].columns[kAssumed], "2");
  EXPECT_EQ(f->rows[0].columns[kExpert], "28");
  EXPECT_EQ(f->rows[1].columns[kPossible], "11/13");
  EXPECT_EQ(f->rows[2].columns[kAssumed], "0/?");
  EXPECT_EQ(f->rows[2].columns[kHats], "1");
  EXPECT_TRUE(f->has_hats_column);
}

TEST(ParseRelDnaSer, BadLinesNameFileAndLine) {
  EXPECT_THAT(ParseRelDnaSer("A*;01:01;1;;\n", "ser"),
              StatusIs(kDataLoss, "ser:1: expected 6 (or, from 2026, 7)"));
  EXPECT_THAT(ParseRelDnaSer("A*;01:01;1;;;\nA*;01:02;A1;;;\n", "ser"),
              StatusIs(kDataLoss, "ser:2: Unambiguous must be antigen numbers"));
  EXPECT_THAT(ParseRelDnaSer("A*;01:02;;1//2;;\n", "ser"),
              StatusIs(kDataLoss, "ser:1: Possible must be"));
  EXPECT_THAT(ParseRelDnaSer("A;01:02;1;;;\n", "ser"),
              StatusIs(kDataLoss, "ser:1: expected 'Locus*;Allele;...'"));
}

// ---- wmda/rel_ser_ser.txt

TEST(ParseRelSerSer, ReadsSplitsAndAssociated) {
  auto f = ParseRelSerSer("A;9;23/24;\nB;21;49/50;4005", "ss");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_THAT(f->rows, SizeIs(2));
  EXPECT_EQ(f->rows[0].splits, "23/24");
  EXPECT_EQ(f->rows[1].associated, "4005");
}

TEST(ParseRelSerSer, BadLinesNameFileAndLine) {
  EXPECT_THAT(ParseRelSerSer("A;9;23/24\n", "ss"),
              StatusIs(kDataLoss, "ss:1: expected 4 ';'-separated fields"));
  EXPECT_THAT(ParseRelSerSer("A;9;23/24;\nA;x;;\n", "ss"),
              StatusIs(kDataLoss, "ss:2: expected a locus and an antigen"));
  EXPECT_THAT(ParseRelSerSer("A;9;23/b;\n", "ss"),
              StatusIs(kDataLoss, "ss:1: splits and associated antigens"));
}

// ---- tce/dpb_tce.csv

TEST(ParseDpbTce, WithoutColumnHeader) {
  auto f = ParseDpbTce(Keep(std::string(kHead) +
                           "DPB1*01:01:01:01,DPB1*01:01,3,3,\n"
                           "DPB1*08:01,DPB1*08:01,3$,2a$,motifs, distance"),
                       "tce");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_FALSE(f->has_column_header);
  ASSERT_THAT(f->rows, SizeIs(2));
  EXPECT_EQ(f->rows[1].v1.group, "3");
  EXPECT_TRUE(f->rows[1].v1.inferred);
  EXPECT_EQ(f->rows[1].v2.group, "2a");
  EXPECT_EQ(f->rows[1].comments, "motifs, distance");
}

TEST(ParseDpbTce, WithHeaderAndV3Column) {
  auto f = ParseDpbTce(
      "Allele,Protein,V1_Assignment,V2_Assignment,V3_Assignment,Comments\n"
      "DPB1*01:01:01:01,DPB1*01:01,,3,3 (non-core),\n"
      "DPB1*02:01,DPB1*02:01,,2$,3$ (core),x",
      "tce");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE(f->has_column_header);
  EXPECT_TRUE(f->has_v3);
  ASSERT_THAT(f->rows, SizeIs(2));
  EXPECT_EQ(f->rows[0].v1.group, "");
  EXPECT_EQ(f->rows[0].v3.group, "3");
  EXPECT_EQ(f->rows[0].v3.qualifier, "non-core");
  EXPECT_FALSE(f->rows[0].v3.inferred);
  EXPECT_TRUE(f->rows[1].v3.inferred);
  EXPECT_EQ(f->rows[1].v3.qualifier, "core");
}

TEST(ParseDpbTce, BadLinesNameFileAndLine) {
  EXPECT_THAT(ParseDpbTce("Allele,Protein,V1\n", "tce"),
              StatusIs(kDataLoss, "tce:1: unknown column header"));
  EXPECT_THAT(ParseDpbTce("DPB1*01:01,DPB1*01:01,3\n", "tce"),
              StatusIs(kDataLoss, "tce:1: expected 5 comma-separated fields"));
  EXPECT_THAT(ParseDpbTce("DPB1*01:01,DPB1*01:01,3,x,\n", "tce"),
              StatusIs(kDataLoss, "tce:1: a TCE assignment must be a group"));
  EXPECT_THAT(ParseDpbTce("DPB1*01:01,P,3,3 (core,\n", "tce"),
              StatusIs(kDataLoss, "tce:1: a TCE assignment must be a group"));
  EXPECT_THAT(ParseDpbTce("01:01,P,3,3,\n", "tce"),
              StatusIs(kDataLoss, "tce:1: not an allele name"));
}

// ---- Deleted_alleles.txt

TEST(ParseDeletedAlleles, ReadsBothBlocksAndSuccessors) {
  auto f = ParseDeletedAlleles(
      Keep(std::string(kHead) +
          "# Deleted Alleles\nAlleleID,Allele,Description\n"
          "HLA00965,A*0105N,Sequence shown to be identical to A*01:04:01:01N "
          "(July 2001)\n"
          "HLA15827,A*03:260,Sequence shown to contain errors and be identical "
          "to A*03:284N (2017). The sequence, resubmitted, is now named "
          "A*03:395\n"
          "HLA1,A*02:100,Never assigned\n"
          "# Alleles With Suffix Changes\nAlleleID,Allele,Description\n"
          "HLA04333,Cw*1616,Sequence renamed C*16:16Q (March 2010)"),
      "del");
  ASSERT_TRUE(f.ok()) << f.status();
  ASSERT_THAT(f->rows, SizeIs(4));
  EXPECT_EQ(f->rows[0].target, "A*01:04:01:01N");
  EXPECT_FALSE(f->rows[0].suffix_change);
  EXPECT_EQ(f->rows[1].target, "A*03:284N");  // not the resubmission
  EXPECT_THAT(f->rows[1].description, ::testing::HasSubstr("resubmitted"));
  EXPECT_EQ(f->rows[2].target, "");
  EXPECT_EQ(f->rows[3].name, "Cw*1616");
  EXPECT_EQ(f->rows[3].target, "C*16:16Q");
  EXPECT_TRUE(f->rows[3].suffix_change);
}

TEST(ParseDeletedAlleles, BadLinesNameFileAndLine) {
  EXPECT_THAT(ParseDeletedAlleles("HLA1,A*01:01\n", "del"),
              StatusIs(kDataLoss, "del:1: expected AlleleID,Allele,Description"));
  EXPECT_THAT(ParseDeletedAlleles("HLA1,0101,gone\n", "del"),
              StatusIs(kDataLoss, "del:1: not an allele name"));
}

}  // namespace
}  // namespace hla::data_internal
