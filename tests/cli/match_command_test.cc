// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// `haplomatch match`, run in-process: the shipped example family (README's
// main command) with each donor's verdict and reasons checked by hand, text
// and JSON shapes, rejected input (exit 1). Its usage errors (exit 2) read
// no data and are in usage_test.cc.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/command.h"
#include "tests/cli/cli_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using cli_testing::RunResult;

RunResult Invoke(std::vector<std::string> args, bool interactive = false,
                 const std::string& stdin_text = "") {
  return cli_testing::Invoke(RunMatch, std::move(args), stdin_text, interactive);
}

const std::string kExamples = HLA_SHIPPED_DATA_DIR "/examples";

// The README's main command (.ci/example), with a fixed as-of date.
std::vector<std::string> FamilyArgs(const std::string& format) {
  return {"--recipient",     "@" + kExamples + "/patient.txt",
          "--recipient-abo", "A+",
          "--recipient-cmv", "pos",
          "--recipient-sex", "M",
          "--antibodies",    "@" + kExamples + "/patient_antibodies.txt",
          "--donors",        kExamples + "/family.csv",
          "--protocol",      "NCT04835883",
          "--as-of",         "2026-11-26",
          "--format",        format};
}

// The JSON line of one donor (the command writes one donor a line).
std::string DonorLine(const std::string& json, const std::string& id) {
  for (absl::string_view line : absl::StrSplit(json, '\n')) {
    if (absl::StrContains(line, absl::StrCat("{\"id\":\"", id, "\""))) {
      return std::string(line);
    }
  }
  return "";
}

std::string Reasons(const std::string& donor_line) {
  const size_t b = donor_line.find("\"reasons\":[");
  if (b == std::string::npos) return "";
  const size_t e = donor_line.find("],\"abo\"", b);
  return donor_line.substr(b + 11, e - b - 11);
}

TEST(MatchFamily, EachDonorsVerdictAndReasons) {
  const RunResult r = Invoke(FamilyArgs("json"));
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, HasSubstr("{\"imgt_version\":\"3.58.0\",\"as_of\":"
                               "\"2026-11-26\",\"protocol\":\"NCT04835883\""));
  const struct {
    const char* id;
    const char* verdict;
    const char* status;
    const char* total;
    const char* reasons;  // the whole JSON list, checked by hand
  } kFamily[] = {
      // 72 (born 1954-03-02) and carries A*24:02, against which the patient
      // has anti-A24 at 3500: two reasons, each enough.
      // Her B*44:02 is the patient's own B44: the anti-B44 is said, not
      // counted as a DSA.
      {"mother", "haploidentical", "not-eligible", "\"matches\":5,\"out_of\":10",
       "\"age 72 at 2026-11-26: not under 70 (NCT04835883)\","
       "\"DSA: anti-A24 MFI 3500 \u2265 1000 against donor A*24:02 (antigen "
       "A24)\","
       "\"haploidentical: a parent shares one haplotype by descent, and at "
       "least one allele is shared at A, B, C, DRB1, DQB1\","
"\"antibody anti-B44 MFI 2500 \u2265 1000 is not counted as a DSA: the "
       "recipient carries B44 too: not donor-specific (an autoantibody or a "
       "false positive; ask the laboratory)\","
       "\"ABO compatible: recipient A+, donor A+\","
       "\"CMV: recipient positive, donor positive\","
       "\"female donor for a male recipient\""},
      // 68, shares the paternal haplotype, no antibody against him.
      {"father", "haploidentical", "eligible", "\"matches\":5,\"out_of\":10",
       "\"age 68 at 2026-11-26: under 70\","
       "\"haploidentical: a parent shares one haplotype by descent, and at "
       "least one allele is shared at A, B, C, DRB1, DQB1\","
       "\"no DSA: none of the recipient's 2 antibodies at MFI \u2265 1000 is "
       "against this donor\","
       "\"ABO minor incompatibility: recipient A+, donor O+\","
       "\"CMV: recipient positive, donor positive\""},
      // Both haplotypes: 10/10. B44 antibody is the patient's own antigen.
      {"sister", "identical", "eligible", "\"matches\":10,\"out_of\":10",
       "\"age 46 at 2026-11-26: under 70\","
       "\"identical: both alleles match at A, B, C, DRB1, DQB1\","
       "\"no DSA: none of the recipient's 2 antibodies at MFI \u2265 1000 is "
       "against this donor\","
"\"antibody anti-B44 MFI 2500 \u2265 1000 is not counted as a DSA: the "
       "recipient carries B44 too: not donor-specific (an autoantibody or a "
       "false positive; ask the laboratory)\","
       "\"ABO bidirectional incompatibility: recipient A+, donor B+\","
       "\"CMV mismatch (R+/D-): recipient positive, donor negative\","
       "\"female donor for a male recipient\""},
      // Phased GL strings prove the shared paternal haplotype; his maternal
      // one carries A*24:02: DSA.
      {"brother", "haploidentical", "not-eligible", "\"matches\":5,\"out_of\":10",
       "\"DSA: anti-A24 MFI 3500 \u2265 1000 against donor A*24:02 (antigen "
       "A24)\","
       "\"age 43 at 2026-11-26: under 70\","
       "\"haploidentical: recipient haplotype 1 and donor haplotype 1 (phased "
       "GL strings) match at A, B, C, DRB1, DQB1; a sibling: shared by "
       "descent\","
       "\"ABO compatible: recipient A+, donor A+\","
       "\"CMV: recipient positive, donor positive\""},
      // Age given as a number only.
      {"son", "haploidentical", "eligible", "\"matches\":5,\"out_of\":10",
       "\"age 19 (as given): under 70\","
       "\"haploidentical: a child shares one haplotype by descent, and at "
       "least one allele is shared at A, B, C, DRB1, DQB1\","
       "\"no DSA: none of the recipient's 2 antibodies at MFI \u2265 1000 is "
       "against this donor\","
"\"antibody anti-B44 MFI 2500 \u2265 1000 is not counted as a DSA: the "
       "recipient carries B44 too: not donor-specific (an autoantibody or a "
       "false positive; ask the laboratory)\","
       "\"ABO compatible: recipient A+, donor A-\","
       "\"CMV mismatch (R+/D-): recipient positive, donor negative\""},
      // Father's other haplotype and a stranger's: nothing shared, which
      // excludes him; his unknown age is still said, as a fact to check.
      {"half-brother", "not-haploidentical", "not-eligible",
       "\"matches\":0,\"out_of\":10",
       "\"not haploidentical: no allele shared at A, B, C, DRB1, DQB1 "
       "(NCT04835883)\","
       "\"age unknown: no birth date or age given; check the donor's date of "
       "birth\","
       "\"no DSA: none of the recipient's 2 antibodies at MFI \u2265 1000 is "
       "against this donor\","
       "\"antibody anti-DR13 MFI 600 < 1000 against donor DRB1*13:01 "
       "(antigen DR13): below the DSA threshold\","
       "\"ABO minor incompatibility: recipient A+, donor O+\","
       "\"CMV: recipient positive, donor positive\""},
  };
  for (const auto& d : kFamily) {
    SCOPED_TRACE(d.id);
    const std::string line = DonorLine(r.out, d.id);
    ASSERT_FALSE(line.empty()) << r.out;
    EXPECT_THAT(line, HasSubstr(absl::StrCat("\"haplo\":{\"verdict\":\"",
                                             d.verdict, "\"")));
    EXPECT_THAT(line, HasSubstr(absl::StrCat("\"eligibility\":{\"status\":\"",
                                             d.status, "\"")));
    EXPECT_THAT(line, HasSubstr(absl::StrCat("\"total\":{", d.total)));
    EXPECT_EQ(Reasons(line), d.reasons);
  }
  EXPECT_THAT(r.out, HasSubstr("\"rejected\":[]}"));
}

// Match probabilities: in the JSON of every donor, a text line only for a
// typing that leaves the match open; --no-probability leaves them out; the
// recipient's population is checked.
TEST(MatchProbability, JsonTextAndFlags) {
  const std::vector<std::string> base = {
      "--recipient", "@" + kExamples + "/patient.txt", "--donor",
      "A*01:01+A*02:01^B*08:01+B*44:02^C*07:01+C*05:01^DRB1*03:01+DRB1*04:01^"
      "DQB1*02:01+DQB1*03:02",
      "--donor", "A*01:XX+A*02:XX^B*08:XX+B*44:XX^DRB1*03:XX+DRB1*04:XX"};
  std::vector<std::string> json = base;
  json.insert(json.end(), {"--format", "json"});
  const RunResult j = Invoke(json);
  ASSERT_EQ(j.rc, kExitOk) << j.err;
  const std::string certain = DonorLine(j.out, "donor-1");
  const std::string open = DonorLine(j.out, "donor-2");
  EXPECT_THAT(certain, HasSubstr("\"probability\":{\"available\":true,\"p10\":1,"));
  EXPECT_THAT(certain, HasSubstr("\"ambiguous\":false"));
  EXPECT_THAT(open, HasSubstr("\"ambiguous\":true"));
  EXPECT_THAT(open, Not(HasSubstr("\"p10\":1,")));
  const RunResult t = Invoke(base);
  ASSERT_EQ(t.rc, kExitOk) << t.err;
  // One line, the XX donor's.
  const size_t first = t.out.find("  match probability: 10/10 ");
  ASSERT_NE(first, std::string::npos) << t.out;
  EXPECT_EQ(t.out.find("  match probability: ", first + 1), std::string::npos);
  EXPECT_GT(first, t.out.find("Donor donor-2"));
  std::vector<std::string> none = json;
  none.push_back("--no-probability");
  const RunResult n = Invoke(none);
  ASSERT_EQ(n.rc, kExitOk) << n.err;
  EXPECT_THAT(DonorLine(n.out, "donor-2"), HasSubstr("\"probability\":null"));
  std::vector<std::string> bad = base;
  bad.insert(bad.end(), {"--recipient-population", "MARS"});
  const RunResult b = Invoke(bad);
  EXPECT_EQ(b.rc, kExitUsage);
  EXPECT_THAT(b.err, HasSubstr("--recipient-population must be EUR, AFA, API or HIS"));
  std::vector<std::string> api = json;
  api.insert(api.end(), {"--recipient-population", "API"});
  const RunResult a = Invoke(api);
  ASSERT_EQ(a.rc, kExitOk) << a.err;
  EXPECT_NE(DonorLine(a.out, "donor-2"), open);  // another prior, other figures
}

TEST(MatchFamily, TextIsATablePerDonorWithoutColourOffTerminal) {
  const RunResult r = Invoke(FamilyArgs("text"));
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  // The relationship as the file gives it.
  EXPECT_THAT(r.out, HasSubstr("Donor sister (sister, age 46 at 2026-11-26, "
                               "female, B+, CMV negative)"));
  EXPECT_THAT(r.out, HasSubstr("  locus  recipient   donor       grade"));
  // (Grades are the matcher's business: matcher/match.h.)
  EXPECT_THAT(r.out, HasSubstr("\n  A      A*01:01     A*01:01     "));
  EXPECT_THAT(r.out, HasSubstr("  2/2    0    0\n"));
  EXPECT_THAT(r.out, HasSubstr("  total: 10/10 allele matches; GvH 0, HvG 0"));
  EXPECT_THAT(r.out, HasSubstr("  NOT ELIGIBLE (NCT04835883)\n"
                               "    excluded: age 72 at 2026-11-26: not under "
                               "70"));
  EXPECT_THAT(r.out, HasSubstr("    check:    age unknown: no birth date or "
                               "age given; check the donor's date of birth\n"));
  EXPECT_THAT(r.out, HasSubstr("6 donors matched; 3 eligible: father, "
                               "sister, son; 0 need review; 3 not "
                               "eligible\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("\x1b[")));
  const RunResult tty = Invoke(FamilyArgs("text"), /*interactive=*/true);
  EXPECT_THAT(tty.out, HasSubstr("\x1b[32mELIGIBLE\x1b[0m"));
}

// Without a protocol nothing is decided: every donor is "not assessed",
// with the findings (the DSA too) reported.
TEST(MatchFamily, ProtocolNoneAssessesNothing) {
  std::vector<std::string> args = FamilyArgs("json");
  args[13] = "none";  // --protocol
  const RunResult r = Invoke(args);
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  for (const char* id : {"half-brother", "brother", "father"}) {
    EXPECT_THAT(DonorLine(r.out, id),
                HasSubstr("\"status\":\"not-assessed\",\"eligible\":false"))
        << id;
  }
  EXPECT_THAT(DonorLine(r.out, "brother"),
              HasSubstr("\"DSA: anti-A24 MFI 3500"));
  args[17] = "text";  // --format
  const RunResult t = Invoke(args);
  EXPECT_THAT(t.out, HasSubstr("NOT ASSESSED (no --protocol: the findings "
                               "only)"));
  EXPECT_THAT(t.out, HasSubstr("6 donors matched; not assessed (no "
                               "--protocol)\n"));
}

TEST(MatchCli, DonorsOnTheCommandLine) {
  const RunResult r =
      Invoke({"--recipient", "A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+"
                             "DRB1*04:01",
              "--donor", "dad=A*01:01+A*03:01^B*08:01+B*07:02^DRB1*03:01+"
                         "DRB1*15:01",
              "--donor", "A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+"
                         "DRB1*04:01",
              "--relationship", "father", "--protocol", "NCT04835883",
              "--as-of", "2026-11-26", "--antibodies", "A3:5000"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Donor dad (father, age unknown)  [--donor 1]"));
  EXPECT_THAT(r.out, HasSubstr("Donor donor-2 (father, age unknown)"));
  // dad carries A*03:01: the DSA excludes him; the unknown age is to check.
  EXPECT_THAT(r.out, HasSubstr("    excluded: DSA: anti-A3 MFI 5000"));
  EXPECT_THAT(r.out, HasSubstr("    check:    age unknown: no birth date or "
                               "age given"));
  EXPECT_THAT(r.out, HasSubstr("2 donors matched; 0 eligible; 1 needs review: "
                               "donor-2; 1 not eligible\n"));
}

// A serology-typed side shares antigens, not alleles: the text and the JSON
// count them apart, and each position says whether it is an allele match
// and whether it is an antigen match (two molecular typings of one antigen
// are a mismatch with antigen_match true).
TEST(MatchCli, AntigenLevelMatchesAreCountedApartFromAlleleMatches) {
  const RunResult t = Invoke({"--recipient", "A2+A1", "--donor",
                              "A*02:05+A*01:01", "--as-of", "2026-11-26"});
  ASSERT_EQ(t.rc, kExitOk) << t.err;
  EXPECT_THAT(t.out, HasSubstr("  0/2 +2 antigen  0    0\n"));
  EXPECT_THAT(t.out, HasSubstr("  total: 0/10 allele matches and 2 "
                               "antigen-level (a side typed by serology); "
                               "GvH 0, HvG 0 mismatches"));
  const RunResult j =
      Invoke({"--recipient", "A2+A1", "--donor", "A*02:05+A*01:01",
              "--as-of", "2026-11-26", "--format", "json"});
  ASSERT_EQ(j.rc, kExitOk) << j.err;
  EXPECT_THAT(j.out, HasSubstr("\"A\":{\"scored\":true,\"matches\":0,"
                               "\"mismatches\":0,\"gvh_mismatches\":0,"
                               "\"hvg_mismatches\":0,\"antigen_matches\":2,"
                               "\"antigen_level_matches\":2,"));
  EXPECT_THAT(j.out, HasSubstr("\"total\":{\"matches\":0,\"out_of\":10,"));
  EXPECT_THAT(j.out, HasSubstr("\"antigen_level_matches\":2,"
                               "\"untyped_loci\":4}"));

  const RunResult m =
      Invoke({"--recipient", "A*02:01+A*01:01", "--donor", "A*02:05+A*01:01",
              "--as-of", "2026-11-26", "--format", "json"});
  ASSERT_EQ(m.rc, kExitOk) << m.err;
  EXPECT_THAT(m.out, HasSubstr("{\"recipient\":\"A*02:01\",\"donor\":"
                               "\"A*02:05\",\"grade\":\"mismatch\","
                               "\"confidence\":\"mismatch\","
                               "\"allele_match\":false,"
                               "\"antigen_match\":true}"));
  EXPECT_THAT(m.out, HasSubstr("{\"recipient\":\"A*01:01\",\"donor\":"
                               "\"A*01:01\",\"grade\":\"gDNA\","
                               "\"confidence\":\"exact\","
                               "\"allele_match\":true,"
                               "\"antigen_match\":true}"));
  EXPECT_THAT(m.out, HasSubstr("\"antigen_matches\":2,"
                               "\"antigen_level_matches\":0,"));
}

TEST(MatchCli, DonorsFromStandardInput) {
  const RunResult r = Invoke(
      {"--recipient", "A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01",
       "--donors", "-", "--format", "json"},
      false,
      "donor_id\tdob\tA_1\tA_2\tB_1\tB_2\tDRB1_1\tDRB1_2\n"
      "t1\t1990-01-01\t01:01\t02:01\t08:01\t44:02\t03:01\t04:01\n");
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(DonorLine(r.out, "t1"), HasSubstr("\"source\":\"<stdin>:2\""));
  // No relationship given: a 6/6 match shares by state only (identical is
  // for relatives).
  EXPECT_THAT(DonorLine(r.out, "t1"),
              HasSubstr("\"verdict\":\"haplo-compatible\""));
}

TEST(MatchCli, RejectedRecipientOrAntibodyExitsOne) {
  RunResult r = Invoke({"--recipient", "A*99:99+A*01:01", "--donor",
                        "A*01:01"});
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(r.err, HasSubstr("--recipient: 'A*99:99' at offset 0: not an "
                               "allele of IPD-IMGT/HLA 3.58.0"));
  r = Invoke({"--recipient", "A*01:01", "--donor", "A*01:01", "--antibodies",
              "A999:100"});
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(r.err, HasSubstr("--antibodies: antibody specificity 'A999'"));
}

// A JSON Lines donor file: an unknown key that first appears on a later
// line is still warned about (once).
TEST(MatchCli, JsonLinesDonorsWarnOfEveryUnknownKey) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/hm_match_jsonl_",
                                        ::getpid(), ".jsonl");
  std::ofstream(path)
      << "{\"id\":\"d1\",\"glstring\":\"A*01:01+A*02:01\"}\n"
      << "{\"id\":\"d2\",\"glstring\":\"A*01:01+A*03:01\",\"notes\":\"x\"}\n"
      << "{\"id\":\"d3\",\"glstring\":\"A*01:01+A*11:01\",\"notes\":\"y\"}\n";
  RunResult r = Invoke({"--recipient", "A*01:01+A*02:01", "--donors", path});
  ::unlink(path.c_str());
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("3 donors matched"));
  EXPECT_THAT(r.err, HasSubstr("warning: "));
  EXPECT_THAT(r.err, HasSubstr("'notes'"));
  EXPECT_EQ(r.err.find("'notes'"), r.err.rfind("'notes'")) << r.err;
}

TEST(MatchCli, BadDonorRowsAreReportedAndTheRestMatched) {
  char dir[] = "/tmp/haplomatch_match_test_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string path = absl::StrCat(dir, "/donors.csv");
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs(
      "id,relationship,birth_date,A_1,A_2,B_1,B_2,DRB1_1,DRB1_2\n"
      "d1,sibling,1990-01-01,01:01,02:01,08:01,44:02,03:01,04:01\n"
      "d2,sibling,2023-02-30,01:01,02:01,08:01,44:02,03:01,04:01\n"
      "d3,sibling,1990-01-01,01:01,99:99,08:01,44:02,03:01,04:01\n"
      "d1,sibling,1990-01-01,01:01,02:01,08:01,44:02,03:01,04:01\n"
      "d4,sibling,1990-01-01,01:01,03:01,08:01,07:02,03:01,15:01\n",
      f);
  std::fclose(f);
  const RunResult r =
      Invoke({"--recipient",
              "A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01",
              "--donors", path, "--as-of", "2026-11-26", "--format", "json",
              "--protocol", "NCT04835883"});
  std::remove(path.c_str());
  ::rmdir(dir);
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(
                         "haplomatch match: rejected: ", path,
                         ":3: column 'birth_date': '2023-02-30' is not a "
                         "date")));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(path, ":4: column 'A_2': "
                                                  "'A*99:99'")));
  EXPECT_THAT(r.err, HasSubstr(absl::StrCat(path, ":5: donor id 'd1' is "
                                                  "used twice")));
  EXPECT_THAT(DonorLine(r.out, "d1"), HasSubstr("\"verdict\":\"identical\""));
  // A sibling who could share a haplotype: phase unconfirmed, to check;
  // and no antibody list under a haplo protocol: DSA not tested.
  EXPECT_THAT(DonorLine(r.out, "d4"),
              HasSubstr("haplo-compatible: phase unconfirmed"));
  EXPECT_THAT(DonorLine(r.out, "d4"), HasSubstr("\"status\":\"needs-review\""));
  EXPECT_THAT(DonorLine(r.out, "d4"), HasSubstr("DSA not tested"));
  EXPECT_THAT(r.out, HasSubstr(absl::StrCat("{\"source\":\"", path,
                                            ":3\",\"error\":")));
}

}  // namespace
}  // namespace hla::cli
