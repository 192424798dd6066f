// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Helpers for the data-layer tests: a Status matcher and a tiny synthetic
// IPD-IMGT/HLA release ("9.99.0") written to a temporary directory, so that
// each test can change one file and see what the loader says.
#ifndef HLA_TESTS_DATA_DATA_TEST_UTIL_H_
#define HLA_TESTS_DATA_DATA_TEST_UTIL_H_

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::data_testing {

// Matches an absl::Status (or StatusOr) with `code` whose message contains
// `substr`.
MATCHER_P2(StatusIs, code, substr, "") {
  const absl::Status s = [&] {
    if constexpr (std::is_same_v<std::decay_t<decltype(arg)>, absl::Status>) {
      return arg;
    } else {
      return arg.status();
    }
  }();
  *result_listener << "status is " << s;
  return s.code() == code &&
         s.message().find(std::string(substr)) != absl::string_view::npos;
}

inline void WriteFileOrDie(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr) << path;
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

inline std::string Header(const std::string& file) {
  return absl::StrCat("# file: ", file,
                      "\n# date: 2099-01-31\n# version: IPD-IMGT/HLA 9.99.0\n"
                      "# origin: test\n# repository: test\n# author: test\n");
}

// The synthetic release: relative path -> content. Facts the tests rely on
// are spelled out next to each file.
inline std::map<std::string, std::string> MiniRelease() {
  std::map<std::string, std::string> f;
  // 13 alleles on 5 loci, deliberately out of order; no final newline.
  f["Allelelist.txt"] = Header("Allelelist.txt") +
                        "AlleleID,Allele\n"
                        "HLA00005,A*02:01:01:01\n"
                        "HLA00001,A*01:01:01:01\n"
                        "HLA00002,A*01:01:01:02N\n"
                        "HLA00003,A*01:01:02\n"
                        "HLA00004,A*01:04:01:01N\n"
                        "HLA00006,A*01:11N\n"
                        "HLA00007,A*01:100\n"
                        "HLA00008,A*01:29\n"
                        "HLA00009,B*07:02:01\n"
                        "HLA00010,DPB1*04:01:01:01\n"
                        "HLA00011,MICA*001\n"
                        "HLA00012,A*24:329Q\n"
                        "HLA00013,DRB3*01:01:02:01";
  f["Allele_status.txt"] =
      Header("Allele_status.txt") +
      "Allele,Cells,Groups,Confirmed,Start,End,Partial,Type\n"
      "A*01:01:01:01,8,10,Confirmed,1,1098,Full,gDNA\n"
      "A*01:29,1,1,Unconfirmed,74,619,Partial,cDNA\n";
  // One named G group with two nulls; MICA is in no row.
  f["wmda/hla_nom_g.txt"] =
      Header("hla_nom_g.txt") +
      "A*;01:01:01:01/01:01:01:02N/01:04:01:01N/01:29;01:01:01G\n"
      "A*;01:01:02;\nA*;01:11N;\nA*;01:100;\nA*;02:01:01:01;\nA*;24:329Q;\n"
      "B*;07:02:01;\nDRB3*;01:01:02:01;\nDPB1*;04:01:01:01;\n";
  // Nulls are in no P row (as in IMGT's files).
  f["wmda/hla_nom_p.txt"] =
      Header("hla_nom_p.txt") +
      "A*;01:01:01:01/01:01:02/01:29;01:01P\n"
      "A*;01:100;\nA*;02:01:01:01;\nA*;24:329Q;\nB*;07:02:01;\n"
      "DRB3*;01:01:02:01;\nDPB1*;04:01:01:01;\n";
  f["wmda/rel_dna_ser.txt"] = Header("rel_dna_ser.txt") +
                              "A*;01:01:01:01;1;;;\n"
                              "A*;01:01:01:02N;0;;;\n"
                              "A*;01:01:02;;;1;\n"
                              "A*;01:04:01:01N;0;;;\n"
                              "A*;01:11N;0;;;\n"
                              "A*;01:29;;;0/?;\n"
                              "A*;01:100;?;;;\n"
                              "A*;02:01:01:01;2;;;\n"
                              "A*;24:329Q;;24/9;;23\n"
                              "B*;07:02:01;7;;;\n"
                              "DRB3*;01:01:02:01;52;;;\n"
                              "DPB1*;04:01:01:01;?;;;\n"
                              "MICA*;001;?;;;";
  f["wmda/rel_ser_ser.txt"] = Header("rel_ser_ser.txt") +
                              "A;2;;203/210\nA;9;23/24;";
  f["wmda/hla_nom.txt"] =
      Header("hla_nom.txt") +
      "A;1;19680101;;;\nA;2;19680101;;;\nA;9;19690101;;;\n"
      "Cw;11;19871121;19911114;1;Sequence error\n"
      "A*;01:01:01:01;19890801;;;\n"
      "A*;0101;19890801;19950311;0102;Sequence renamed\n"
      "A*;0102;19950311;19960101;01:01:01:01;Sequence identical\n"
      "A*;0105N;19990216;20010717;01:04:01:01N;Sequence identical\n"
      "A*;01:34N;20090131;20110325;01:01:38L;Shown to be expressed at low "
      "levels\n"
      "A*;02:100;20100401;20100401;;Never assigned\n"
      "Cw*;0101;19890801;19960213;01:02:01:01;Sequence identical";
  f["Deleted_alleles.txt"] =
      Header("Deleted_alleles.txt") +
      "# Deleted Alleles\nAlleleID,Allele,Description\n"
      "HLA00965,A*0105N,Sequence shown to be identical to A*01:04:01:01N "
      "(July 2001)\n"
      "# Alleles With Suffix Changes\nAlleleID,Allele,Description\n"
      "HLA14501,A*24:329,Sequence renamed A*24:329Q (October 2019)\n";
  f["tce/dpb_tce.csv"] =
      Header("tce/dpb_tce.csv") +
      "Allele,Protein,V1_Assignment,V2_Assignment,Comments\n"
      "DPB1*04:01:01:01,DPB1*04:01,3,3$,note, with a comma\n"
      "DPB1*999:01,DPB1*999:01,2a,,\n";
  return f;
}

// Writes `files` under a fresh directory and returns its path. The directory
// is per process: ctest runs each TEST in its own process, in parallel, and two
// processes rewriting one fixture directory read each other's half-written
// files.
inline std::string WriteRelease(const std::map<std::string, std::string>& files,
                                const std::string& name) {
  const std::string dir =
      absl::StrCat(::testing::TempDir(), "/hm_", name, "_", ::getpid());
  ::mkdir(dir.c_str(), 0755);
  ::mkdir((dir + "/wmda").c_str(), 0755);
  ::mkdir((dir + "/tce").c_str(), 0755);
  for (const char* f :
       {"Allelelist.txt", "Allele_status.txt", "Deleted_alleles.txt",
        "wmda/hla_nom.txt", "wmda/hla_nom_g.txt", "wmda/hla_nom_p.txt",
        "wmda/rel_dna_ser.txt", "wmda/rel_ser_ser.txt", "tce/dpb_tce.csv"}) {
    std::remove((dir + "/" + f).c_str());
  }
  for (const auto& [rel, text] : files) WriteFileOrDie(dir + "/" + rel, text);
  return dir;
}

}  // namespace hla::data_testing

#endif  // HLA_TESTS_DATA_DATA_TEST_UTIL_H_
