// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// `haplomatch family` and `haplomatch match --family`, run in-process on a
// small family file (shipped 3.58.0 release): letters, phased GL Strings,
// verdicts from segregation, recombinant and unexplained flags, JSON shape,
// usage errors and rejected rows.
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "tests/cli/cli_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/family_haplotypes.h"

namespace hla::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using cli_testing::Invoke;
using cli_testing::RunResult;

using testing_family::Gl;
using testing_family::Hap;
using testing_family::kA;
using testing_family::kAB;
using testing_family::kB;
using testing_family::kC;
using testing_family::kD;
using testing_family::kE;
using testing_family::kF;

class FamilyCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(::testing::TempDir(), "family_command_test_",
                        ::getpid());
    ASSERT_EQ(std::system(absl::StrCat("mkdir -p '", dir_, "'").c_str()), 0);
  }
  void TearDown() override {
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = absl::StrCat(dir_, "/", name);
    std::ofstream(path) << text;
    return path;
  }
  // Father a|b, mother c|d; the patient a|c; S1 a|d (1 shared), S2 a/b
  // recombinant | d (0 whole), S3 a|c (2).
  std::string FamilyFile() {
    return Write(
        "family.csv",
        absl::StrCat("id,family_id,role,glstring\n",  //
                     "F,F1,father,", Gl(kA, kB), "\n",  //
                     "M,F1,mother,", Gl(kC, kD), "\n",  //
                     "P,F1,patient,", Gl(kA, kC), "\n",  //
                     "S1,F1,sibling,", Gl(kD, kA), "\n",  //
                     "S2,F1,sibling,", Gl(kAB, kD), "\n",  //
                     "S3,F1,sibling,", Gl(kA, kC), "\n"));
  }
  // The same family as JSON Lines.
  std::string FamilyFileJsonl() {
    std::string text;
    const struct {
      const char* id;
      const char* role;
      std::string gl;
    } kRows[] = {{"F", "father", Gl(kA, kB)},  {"M", "mother", Gl(kC, kD)},
                 {"P", "patient", Gl(kA, kC)}, {"S1", "sibling", Gl(kD, kA)},
                 {"S2", "sibling", Gl(kAB, kD)}, {"S3", "sibling", Gl(kA, kC)}};
    for (const auto& r : kRows) {
      absl::StrAppend(&text, "{\"id\":\"", r.id,
                      "\",\"family_id\":\"F1\",\"role\":\"", r.role,
                      "\",\"glstring\":\"", r.gl, "\"}\n");
    }
    return Write("family.jsonl", text);
  }
  std::string dir_;
};

TEST_F(FamilyCommand, TextShowsLettersPhaseVerdictsAndFlags) {
  const RunResult r = Invoke(RunFamily, {"--family", FamilyFile()});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Family F1: 1 crossover"));
  EXPECT_THAT(r.out, HasSubstr("S1      sibling  a|d"));
  EXPECT_THAT(r.out,
              HasSubstr("A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
                        "A*24:02~C*04:01~B*35:01~DRB1*11:01~DQB1*03:01"));
  EXPECT_THAT(r.out, HasSubstr("S2      sibling  a/b:B-DRB1|d"));
  EXPECT_THAT(r.out,
              HasSubstr("S1: 1 shared; haploidentical: family segregation: shares "
                        "haplotype a (paternal) with the patient"));
  EXPECT_THAT(r.out, HasSubstr("S2: 0 shared; not-haploidentical: family "
                               "segregation: shares no whole haplotype"));
  EXPECT_THAT(r.out, HasSubstr("S3: 2 shared; identical: family segregation"));
  EXPECT_THAT(r.out, HasSubstr("F: 1 shared; haploidentical"));
  EXPECT_THAT(r.out, HasSubstr("- S2: recombinant paternal haplotype "
                               "a/b:B-DRB1: a crossover between B and DRB1"));
}

TEST_F(FamilyCommand, Json) {
  const RunResult r =
      Invoke(RunFamily, {"--family", FamilyFile(), "--format", "json"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("{\"imgt_version\":\"3.58.0\",\"families\":["));
  EXPECT_THAT(r.out, HasSubstr("\"family_id\":\"F1\",\"consistent\":true,"
                               "\"problems\":[],\"recombinations\":1,"
                               "\"explanations\":1"));
  EXPECT_THAT(r.out, HasSubstr("{\"id\":\"S3\",\"role\":\"sibling\","
                               "\"in_input\":true,\"haplotypes\":\"a|c\""));
  EXPECT_THAT(r.out, HasSubstr("\"shared_with_patient\":2,"
                               "\"likely_shared\":null,\"shared_as_typed\":null,"
                               "\"shared_haplotypes\":[\"a (paternal)\","
                               "\"c (maternal)\"]"));
  EXPECT_THAT(r.out, HasSubstr("\"verdict\":\"identical\""));
  // S2 (a/b:B-DRB1|d) shares the patient's a up to B.
  EXPECT_THAT(r.out, HasSubstr("\"shared_segments\":[\"a (paternal) from A "
                               "to B\"]"));
  EXPECT_THAT(r.out, HasSubstr("\"shared_segments\":[]"));
  EXPECT_THAT(r.out, HasSubstr("\"recombinant\":true"));
  EXPECT_THAT(r.out, HasSubstr("\"rejected\":[]}"));
}

// A sibling the stated parents do not explain: the family is not
// consistent (exit 1, a banner first, S1 needs review); the others are
// still explained and keep their proven counts.
TEST_F(FamilyCommand, NonPaternityIsLoudAndTheOthersStayExplained) {
  const std::string path = Write(
      "np.csv", absl::StrCat("id,role,glstring\n",  //
                             "F,father,", Gl(kA, kB), "\n",  //
                             "M,mother,", Gl(kC, kD), "\n",  //
                             "P,patient,", Gl(kA, kC), "\n",  //
                             "S1,sibling,", Gl(kE, kD), "\n",  //
                             "S2,sibling,", Gl(kB, kC), "\n"));
  const RunResult r = Invoke(RunFamily, {"--family", path});
  EXPECT_EQ(r.rc, kExitRejected) << r.err;
  EXPECT_THAT(r.out, StartsWith("FAMILY (no family_id) IS NOT CONSISTENT: S1 "
                                "is not explained by the stated parents: "
                                "shares no allele with the father"));
  EXPECT_THAT(r.err, HasSubstr("haplomatch family: NOT CONSISTENT: "));
  EXPECT_THAT(r.err, HasSubstr("np.csv: family (no family_id): S1 is not "
                               "explained"));
  EXPECT_THAT(r.out, HasSubstr("- S1: S1 is not explained by the stated "
                               "parents: shares no allele with the father"));
  EXPECT_THAT(r.out, HasSubstr("S1: ? shared; NEEDS REVIEW; "));
  EXPECT_THAT(r.out, HasSubstr("S2: 1 shared; haploidentical"));
  const RunResult j =
      Invoke(RunFamily, {"--family", path, "--format", "json"});
  EXPECT_EQ(j.rc, kExitRejected);
  EXPECT_THAT(j.out, HasSubstr("\"consistent\":false,\"problems\":[\"S1 is "
                               "not explained by the stated parents"));
}

// The same S1, written as the mother's half-sibling child: explained (by
// another father), segregated with the sibship, sharing the mother's d, not
// the patient's c: exit 0, the letters x|d and the role kept in JSON.
TEST_F(FamilyCommand, HalfSiblingIsSegregated) {
  const std::string path = Write(
      "half.csv", absl::StrCat("id,role,glstring\n",  //
                               "F,father,", Gl(kA, kB), "\n",  //
                               "M,mother,", Gl(kC, kD), "\n",  //
                               "P,patient,", Gl(kA, kC), "\n",  //
                               "S1,maternal half-sibling,", Gl(kE, kD), "\n",
                               "S2,sibling,", Gl(kB, kC), "\n"));
  const RunResult r = Invoke(RunFamily, {"--family", path});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("S1      maternal_half_sibling  x|d"));
  EXPECT_THAT(r.out, HasSubstr("S1: 0 shared; not-haploidentical: family "
                               "segregation: shares no whole haplotype"));
  const RunResult j =
      Invoke(RunFamily, {"--family", path, "--format", "json"});
  EXPECT_EQ(j.rc, kExitOk);
  EXPECT_THAT(j.out, HasSubstr("{\"id\":\"S1\",\"role\":"
                               "\"maternal_half_sibling\",\"in_input\":true,"
                               "\"haplotypes\":\"x|d\""));
}

// The patient not explained by the stated father (a sample mix-up): every
// relative's relationship to the patient is in doubt. No relative keeps a
// verdict that rests on the stated relationship: under the trial protocol
// the mother, a parent, needs review instead of being eligible.
TEST_F(FamilyCommand, PatientMixUpPutsEveryRelativeUnderReview) {
  const std::string path = Write(
      "mixup.csv", absl::StrCat("id,role,age,glstring\n",  //
                                "F,father,40,", Gl(kA, kB), "\n",  //
                                "M,mother,40,", Gl(kC, kD), "\n",  //
                                "P,patient,40,", Gl(kE, kC), "\n",  //
                                "S1,sibling,40,", Gl(kA, kD), "\n",  //
                                "S2,sibling,40,", Gl(kB, kC), "\n"));
  const RunResult r = Invoke(RunFamily, {"--family", path});
  EXPECT_EQ(r.rc, kExitRejected) << r.err;
  EXPECT_THAT(r.out, StartsWith("FAMILY (no family_id) IS NOT CONSISTENT: "));
  for (const char* id : {"F", "M", "S1", "S2"}) {
    EXPECT_THAT(r.out, HasSubstr(absl::StrCat("  ", id, ": ? shared; NEEDS "
                                              "REVIEW; ")))
        << id;
  }
  const RunResult m = Invoke(
      RunMatch, {"--family", path, "--antibodies", "none", "--protocol",
                 "NCT04835883", "--as-of", "2026-11-26", "--format", "json"});
  EXPECT_EQ(m.rc, kExitRejected) << m.err;
  EXPECT_THAT(m.err, HasSubstr("--family: NOT CONSISTENT: "));
  EXPECT_THAT(m.err, HasSubstr("mixup.csv: family (no family_id) cannot be "
                               "explained as stated: P is not explained by "
                               "the stated parents"));
  EXPECT_THAT(m.out, Not(HasSubstr("\"status\":\"eligible\"")));
  EXPECT_THAT(m.out, HasSubstr("cannot be explained as stated"));
}

// An untyped member is read as a placeholder: no row rejected, no verdict,
// and it says why.
TEST_F(FamilyCommand, UntypedMembersArePlaceholders) {
  const std::string path = Write(
      "untyped.csv", absl::StrCat("id,role,glstring\n",  //
                                  "F,father,\n",  //
                                  "M,mother,", Gl(kC, kD), "\n",  //
                                  "P,patient,", Gl(kA, kC), "\n",  //
                                  "S1,sibling,", Gl(kA, kD), "\n",  //
                                  "S2,sibling,", Gl(kB, kC), "\n"));
  const RunResult r = Invoke(RunFamily, {"--family", path});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("rejected")));
  EXPECT_THAT(r.out, HasSubstr("F: ? shared; F is not typed at any of"));
  const RunResult j =
      Invoke(RunFamily, {"--family", path, "--format", "json"});
  EXPECT_THAT(j.out, HasSubstr("{\"id\":\"F\",\"role\":\"father\","
                               "\"in_input\":true"));
  EXPECT_THAT(j.out, HasSubstr("\"verdict\":null"));
  // match --family: F is no donor; the typed relatives are matched.
  const RunResult m = Invoke(RunMatch, {"--family", path});
  EXPECT_EQ(m.rc, kExitOk) << m.err;
  EXPECT_THAT(m.out, Not(HasSubstr("Donor F ")));
  EXPECT_THAT(m.out, HasSubstr("Donor M (parent"));
  EXPECT_THAT(m.out, HasSubstr("Donor S1 (sibling"));
}

// other_parent and the partner role, as a file writes them (CSV and JSON
// Lines alike).
TEST_F(FamilyCommand, ChildrenByPartnerFromTheFile) {
  const std::string csv = Write(
      "partners.csv",
      absl::StrCat("id,role,other_parent,glstring\n",  //
                   "P,patient,,", Gl(kA, kC), "\n",  //
                   "Q,spouse,,", Gl(kE, kF), "\n",  //
                   "C1,child,Q,", Gl(kA, kE), "\n",  //
                   "C2,child,Q,", Gl(kC, kF), "\n",  //
                   "C3,child,R,", Gl(kC, kB), "\n"));
  const RunResult r = Invoke(RunFamily, {"--family", csv});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("C1: 1 shared; haploidentical"));
  EXPECT_THAT(r.out, HasSubstr("C3: 1 shared; haploidentical"));
  EXPECT_THAT(r.out, HasSubstr("  Q       partner  "));
  EXPECT_THAT(r.out, HasSubstr("the other parent of some of the patient's "
                               "children: not a relative of the patient"));
  std::string jsonl;
  const std::vector<std::array<std::string, 4>> rows = {
      {{"P", "patient", "", Gl(kA, kC)}},  {{"Q", "partner", "", Gl(kE, kF)}},
      {{"C1", "child", "Q", Gl(kA, kE)}}, {{"C2", "child", "Q", Gl(kC, kF)}},
      {{"C3", "child", "R", Gl(kC, kB)}}};
  for (const auto& [id, role, other, gl] : rows) {
    absl::StrAppend(&jsonl, R"({"id":")", id, R"(","role":")", role, "\"",
                    other.empty() ? "" : absl::StrCat(R"(,"other_parent":")",
                                                      other, "\""),
                    R"(,"glstring":")", gl, "\"}\n");
  }
  const RunResult j = Invoke(RunFamily, {"--family", Write("p.jsonl", jsonl)});
  EXPECT_EQ(j.rc, kExitOk) << j.err;
  EXPECT_THAT(j.out, HasSubstr("C3: 1 shared; haploidentical"));
}

TEST_F(FamilyCommand, UsageAndRejectedRows) {
  EXPECT_EQ(Invoke(RunFamily, {}).rc, kExitUsage);
  EXPECT_EQ(Invoke(RunFamily, {"--family", "x", "--format", "xml"}).rc,
            kExitUsage);
  const std::string bad = Write(
      "bad.csv", absl::StrCat("id,role,glstring\n",  //
                              "P,patient,", Gl(kA, kC), "\n",  //
                              "X,cousin,", Gl(kA, kD), "\n",  //
                              "S1,sibling,A*99:99+A*01:01\n"));
  const RunResult r = Invoke(RunFamily, {"--family", bad});
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(r.err, HasSubstr("bad.csv:3: column 'role': role 'cousin'"));
  EXPECT_THAT(r.err, HasSubstr("bad.csv:4:"));
  const std::string no_role = Write("norole.csv", "id,glstring\nP,A*01:01\n");
  EXPECT_THAT(Invoke(RunFamily, {"--family", no_role}).err,
              HasSubstr("needs a 'role' column"));
}

// `family --family x.jsonl`: the same report as the CSV file, text and JSON;
// rejected rows name the key.
TEST_F(FamilyCommand, JsonLinesFamilyFile) {
  for (const char* format : {"text", "json"}) {
    SCOPED_TRACE(format);
    const RunResult csv =
        Invoke(RunFamily, {"--family", FamilyFile(), "--format", format});
    const RunResult jsonl =
        Invoke(RunFamily, {"--family", FamilyFileJsonl(), "--format", format});
    ASSERT_EQ(csv.rc, kExitOk) << csv.err;
    ASSERT_EQ(jsonl.rc, kExitOk) << jsonl.err;
    EXPECT_EQ(jsonl.out, csv.out);
    EXPECT_EQ(jsonl.err, "");
  }
  const RunResult text = Invoke(RunFamily, {"--family", FamilyFileJsonl()});
  EXPECT_THAT(text.out, HasSubstr("S2      sibling  a/b:B-DRB1|d"));
  EXPECT_THAT(text.out, HasSubstr("S3: 2 shared; identical: family segregation"));
  const std::string bad = Write(
      "bad.jsonl",
      absl::StrCat("{\"id\":\"P\",\"role\":\"patient\",\"glstring\":\"",
                   Gl(kA, kC), "\"}\n",
                   "{\"id\":\"X\",\"role\":\"cousin\",\"glstring\":\"",
                   Gl(kA, kD), "\"}\n",
                   "{\"id\":\"S1\",\"role\":\"sibling\",\"glstring\":"
                   "\"A*99:99+A*01:01\"}\n",
                   "{\"id\":\"S2\",\"role\":\"sibling\"\n"));
  const RunResult r = Invoke(RunFamily, {"--family", bad});
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:2: key 'role': role 'cousin'"));
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:3: key 'glstring': 'A*99:99'"));
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:4:28: expected ',' or '}'"));
  // match --family reads it too.
  const RunResult m = Invoke(RunMatch, {"--family", FamilyFileJsonl()});
  ASSERT_EQ(m.rc, kExitOk) << m.err;
  EXPECT_THAT(m.out, HasSubstr("haplo: identical: family segregation"));
  EXPECT_THAT(m.out, HasSubstr("5 donors matched"));
}

TEST_F(FamilyCommand, MatchUsesSegregationForTheVerdicts) {
  const RunResult r = Invoke(RunMatch, {"--family", FamilyFile()});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.err, HasSubstr("P is the family's patient"));
  EXPECT_THAT(r.out, HasSubstr("haplo: haploidentical: family segregation: "
                               "shares haplotype a (paternal) with the "
                               "patient"));
  EXPECT_THAT(r.out, HasSubstr("haplo: identical: family segregation"));
  EXPECT_THAT(r.out, HasSubstr("haplo: not-haploidentical: family "
                               "segregation: shares no whole haplotype"));
  EXPECT_THAT(r.out, HasSubstr("5 donors matched"));
  // Without --family, the siblings are only haplo-compatible.
  const RunResult plain = Invoke(
      RunMatch, {"--recipient", Gl(kA, kC), "--donors", FamilyFile()});
  ASSERT_EQ(plain.rc, kExitOk) << plain.err;
  EXPECT_THAT(plain.out, Not(HasSubstr("family segregation")));
  // With an explicit recipient and donor list, the family file only
  // supplies the phase.
  const RunResult both =
      Invoke(RunMatch, {"--recipient", Gl(kA, kC), "--donor",
                        absl::StrCat("S1=", Gl(kA, kD)), "--family",
                        FamilyFile(), "--format", "json"});
  ASSERT_EQ(both.rc, kExitOk) << both.err;
  EXPECT_THAT(both.out, HasSubstr("\"verdict\":\"haploidentical\",\"basis\":"
                                  "\"family segregation: shares haplotype a "
                                  "(paternal) with the patient\""));
}

}  // namespace
}  // namespace hla::cli
