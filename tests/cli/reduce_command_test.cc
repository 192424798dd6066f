// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// `haplomatch reduce|validate|expand`, run in-process on string streams
// against the shipped 3.44.0 release and MAC subset.
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/command.h"
#include "tests/cli/cli_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

using cli_testing::Invoke;
using cli_testing::RunResult;

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> lines = absl::StrSplit(s, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

TEST(Reduce, ArgumentsOneLineEach) {
  const RunResult r = Invoke(RunReduce, {"--imgt", "3.44.0", "--level", "lgx",
                                      "A*01:01:01:01", "C*06:17"});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(Lines(r.out), ElementsAre("A*01:01", "C*06:02"));
}

TEST(Reduce, DefaultLevelIsLgx) {
  const RunResult r = Invoke(RunReduce, {"--imgt", "3440", "HLA-A*01:AB"});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out, "HLA-A*01:01/HLA-A*01:02\n");
}

TEST(Reduce, StdinPairsEveryLineIncludingErrorsAndExitsOne) {
  const RunResult r =
      Invoke(RunReduce, {"--imgt", "3.44.0", "--level", "G"},
          "A*01:01:01:01\nA*99:99\n\nA*01:ZZZZ\r\nB*15:14P+A*01:04N\nA*01:01:\n");
  EXPECT_EQ(r.rc, kExitRejected);
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  EXPECT_EQ(lines[0], "A*01:01:01G");
  EXPECT_EQ(lines[1],
            "error: 'A*99:99' at offset 0: not an allele of IPD-IMGT/HLA 3.44.0");
  EXPECT_THAT(lines[2], StartsWith("error: "));  // empty line
  EXPECT_THAT(lines[3], HasSubstr("unknown MAC code 'ZZZZ' (table dated 2020-07-11"));
  EXPECT_EQ(lines[4], "A*01:01:01G+B*15:14:01G");  // P letter dropped at G
  EXPECT_THAT(lines[5], StartsWith("error: expected allele field at offset 8"));
}

TEST(Reduce, AllLinesGoodExitsZero) {
  const RunResult r = Invoke(RunReduce, {"--imgt", "3.44.0", "--level", "1F"},
                          "A*01:01:01:01\nHLA-DRB1*15:01:01\n");
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out, "A*01\nHLA-DRB1*15\n");
}

TEST(Reduce, WarningsGoToStderr) {
  const RunResult r = Invoke(RunReduce, {"--imgt", "3.44.0", "--level", "G", "A*0105N"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out, "A*01:01:01G\n");
  EXPECT_THAT(r.err, HasSubstr("warning: 'A*0105N' at offset 0: withdrawn"));
}

// A name covering only null alleles expresses no antigen: no serology,
// and a note saying so (A*01:04 is A*01:04:01:01N and A*01:04:01:02N).
TEST(Reduce, SerologyOfANullOnlyNameIsEmptyWithANote) {
  const RunResult r = Invoke(RunReduce, {"--level", "S", "A*01:04",
                                         "A*01:04:01:01N", "A*01:01"});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out, "\n\nA1\n");
  EXPECT_THAT(r.err, HasSubstr("'A*01:04' at offset 0: only null alleles, "
                               "which express no antigen"));
}

TEST(Reduce, NonStrict) {
  EXPECT_THAT(Invoke(RunReduce, {"--imgt", "3.44.0", "A*24:329"}).out,
              StartsWith("error: "));
  EXPECT_EQ(Invoke(RunReduce, {"--imgt", "3.44.0", "--non-strict", "A*24:329"}).out,
            "A*24:329Q\n");
}

// A small-g name (non-strict) is the lg-level name of its group, as py-ard
// reads it (allele.feature, "Alleles with 'g' suffix"; our copy of that
// vector is pyard-redux-069: A*01:04Ng at lgx is A*01:04N): itself at lg,
// without its g at lgx, and the name without its g reduced at the other
// levels. It used to come back unchanged at P ("A*01:01g"), doubled at lg
// ("A*01:01gg") and empty at S (issue 20).
TEST(Reduce, SmallGIsTheLgNameOfItsGroup) {
  const struct {
    const char* level;
    const char* want;
  } kCases[] = {
      {"P", "A*01:01P"}, {"lg", "A*01:01g"},    {"lgx", "A*01:01"},
      {"S", "A1"},        {"1F", "A*01"},
      {"U2", "A*01:01"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.level);
    const RunResult r = Invoke(
        RunReduce, {"--non-strict", "--level", c.level, "A*01:01g"});
    EXPECT_EQ(r.rc, kExitOk) << r.err;
    EXPECT_EQ(r.out, std::string(c.want) + "\n");
  }
  // At G every allele of the group (docs/conventions.md §13); py-ard's
  // named-groups answer with --g-named-only.
  EXPECT_THAT(Invoke(RunReduce, {"--non-strict", "--level", "G", "A*01:01g"}).out,
              StartsWith("A*01:01:01G/A*01:01:02/"));
  EXPECT_EQ(Invoke(RunReduce, {"--non-strict", "--level", "G", "--g-named-only",
                               "A*01:01g"})
                .out,
            "A*01:01:01G\n");
  EXPECT_EQ(Invoke(RunReduce, {"--non-strict", "--level", "lg", "--ars-as-lg",
                               "A*01:01g"})
                .out,
            "A*01:01ARS\n");
  // Strict, a small-g name is still refused, as validate says.
  EXPECT_THAT(Invoke(RunReduce, {"--level", "P", "A*01:01g"}).out,
              StartsWith("error: "));
}

// Serology of a 3-field name or a G or P group: that of the expressed
// alleles it stands for. py-ard 2.3.1 answers an empty string (it looks
// only 2-field and whole allele names up); we deliberately differ
// (docs/conventions.md). Null alleles only: still empty, with the note.
TEST(Reduce, SerologyOfThreeFieldNamesAndGroups) {
  const RunResult r = Invoke(
      RunReduce, {"--level", "S", "A*02:01:01", "A*01:01:01G", "A*01:01P",
                  "B*15:01:01G", "A*24:02:01", "A*01:04:01", "A*02:01"});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(Lines(r.out), ElementsAre("A2", "A1", "A1", "B15/B62/B70",
                                        "A9/A24", "", "A2"));
  EXPECT_THAT(r.err, HasSubstr("'A*01:04:01' at offset 0: only null alleles"));
}

TEST(Reduce, UnknownReleaseExitsOne) {
  const RunResult r = Invoke(RunReduce, {"--imgt", "9.99.9", "A*01:01"});
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(r.out, IsEmpty());
}

TEST(Reduce, OverlongLineIsOneErrorLine) {
  const std::string huge(2 << 20, 'A');
  const RunResult r = Invoke(RunReduce, {"--imgt", "3.44.0"},
                             "A*01:01\n" + huge + "\nA*02:01\n");
  EXPECT_EQ(r.rc, kExitRejected);
  const std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "A*01:01");
  EXPECT_THAT(lines[1], HasSubstr("over the limit"));
  EXPECT_EQ(lines[2], "A*02:01");
}

// Standard input on several threads: several batches of lines (good,
// repeated, bad, warning, over-long) come out exactly as one thread writes
// them, line for line, warnings included each time a line repeats.
TEST(Reduce, ThreadsKeepInputOrderAndEveryAnswer) {
  const std::vector<std::string> kinds = {
      "A*01:01:01:01", "A*02:AB+B*07:02", "A*99:99", "A*0105N",
      "DRB1*04:XX^DQB1*03:01", "A*01:01:", "B44", "C*06:17"};
  std::string input;
  for (int i = 0; i < 10000; ++i) {
    absl::StrAppend(&input, kinds[(i * 7 + i / 13) % kinds.size()], "\n");
    if (i == 5000) absl::StrAppend(&input, std::string(2 << 20, 'A'), "\n");
  }
  for (const char* level : {"lgx", "G", "S"}) {
    SCOPED_TRACE(level);
    const RunResult one = Invoke(
        RunReduce, {"--imgt", "3.44.0", "--level", level, "--threads", "1"},
        input);
    const RunResult four = Invoke(
        RunReduce, {"--imgt", "3.44.0", "--level", level, "--threads", "4"},
        input);
    EXPECT_EQ(one.rc, kExitRejected);
    EXPECT_EQ(four.rc, one.rc);
    EXPECT_EQ(Lines(one.out).size(), 10001u);
    EXPECT_EQ(four.out, one.out);
    EXPECT_EQ(four.err, one.err);
    EXPECT_THAT(one.err, HasSubstr("'A*0105N' at offset 0: withdrawn"));
  }
  const RunResult v1 = Invoke(RunValidate, {"--imgt", "3.44.0", "--threads", "1"}, input);
  const RunResult v2 = Invoke(RunValidate, {"--imgt", "3.44.0", "--threads", "2"}, input);
  EXPECT_EQ(v2.out, v1.out);
  EXPECT_EQ(v2.err, v1.err);
}

TEST(Reduce, ThreadsAreBounded) {
  for (const char* bad : {"0", "257", "-1", "two"}) {
    const RunResult r =
        Invoke(RunReduce, {"--imgt", "3.44.0", "--threads", bad, "A*01:01"});
    EXPECT_EQ(r.rc, kExitUsage) << bad;
    EXPECT_THAT(r.err, HasSubstr("--threads: a number from 1 to 256")) << bad;
    EXPECT_THAT(r.out, IsEmpty());
  }
  EXPECT_EQ(Invoke(RunExpand, {"--imgt", "3.44.0", "--threads", "256", "A*43:XX"}).out,
            "A*43:01/A*43:02N\n");
}

TEST(Validate, ValidOrInvalidWithReason) {
  const RunResult r = Invoke(RunValidate, {"--imgt", "3.44.0"},
                          "A*01:01\nDPB1*08:BHHE\nA*30:02g\nA*01:01:01G+B*07:02P\n");
  EXPECT_EQ(r.rc, kExitRejected);
  EXPECT_THAT(Lines(r.out),
              ElementsAre("valid",
                          HasSubstr("invalid: 'DPB1*08:BHHE' at offset 0: "
                                    "allele-specific MAC"),
                          HasSubstr("invalid: 'A*30:02g' at offset 0: small-g"),
                          // A '+' of two loci: `match` refuses it too.
                          HasSubstr("invalid: '+' joins typings of different "
                                    "loci (A and B)")));
  EXPECT_EQ(Invoke(RunValidate, {"--imgt", "3.44.0", "--non-strict", "A*30:02g"}).out,
            "valid\n");
}

// Issue 20 item 3: a typing `validate` calls valid is one `match` takes.
// Each row: the typing and what validate says (BuildGenotype's message).
TEST(Validate, AgreesWithMatchOnStructure) {
  struct Row {
    const char* typing;
    const char* says;
  };
  const Row rows[] = {
      {"A*01:01+A*02:01^B*08:01+B*44:02", "valid"},
      {"A*01:01/B*08:01", "invalid: one position mixes loci A and B: "
                          "'B*08:01' at offset 8"},
      {"A*01:01+B*08:01", "invalid: '+' joins typings of different loci (A "
                          "and B) at 'B*08:01' at offset 8"},
      {"A*01:01+A*02:01^A*03:01", "invalid: locus A appears twice: again at "
                                  "'A*03:01' at offset 16"},
      {"A*01:01~B*08:01+A*02:01~B*44:02", "valid"},
      {"A*01:01?A*02:01", "invalid: '?' (possible gene locations) cannot be "
                          "matched: at 'A*01:01' at offset 0"},
      {"MICA*001", "valid"},  // not a matching locus: ignored by match
      {"MICA*063N", "valid"},  // a current name that looks pre-2010
  };
  for (const Row& row : rows) {
    const RunResult r = Invoke(RunValidate, {"--imgt", "3.58.0", row.typing});
    EXPECT_EQ(r.out, std::string(row.says) + "\n") << row.typing;
    // ... and `match` with it as the recipient fails or not alike.
    const RunResult m = Invoke(RunMatch, {"--imgt", "3.58.0", "--recipient",
                                          row.typing, "--donor",
                                          "A*01:01+A*02:01"});
    EXPECT_EQ(m.rc == kExitOk, std::string(row.says) == "valid")
        << row.typing << ": " << m.err;
  }
}

// Issue 20 item 2: at G a name is the G groups of its alleles, an allele
// in no named G group by its own name (hla_nom_g.txt: A*01:09:02 has no
// group). py-ard 2.3.1 answers A*01:09:01G for all three (a documented
// difference, docs/conventions.md).
TEST(Reduce, AtGEveryAlleleOfTheNameIsKept) {
  const RunResult r = Invoke(RunReduce, {"--imgt", "3.58.0", "--level", "G"},
                             "A*01:09P\nA*01:09\nA*01:09:02\nA*01:09:01G\n"
                             "A*01:09:01:01\n");
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_THAT(Lines(r.out), ElementsAre("A*01:09:01G/A*01:09:02",
                                        "A*01:09:01G/A*01:09:02", "A*01:09:02",
                                        "A*01:09:01G", "A*01:09:01G"));
  // Every G name printed for A*02:01P expands back to alleles of the group.
  const RunResult p =
      Invoke(RunReduce, {"--imgt", "3.58.0", "--level", "G", "A*02:01P"});
  EXPECT_GT(Lines(p.out)[0].size(), std::string("A*02:01:01G/A*02:01:02G").size());
  const RunResult back = Invoke(RunExpand, {"--imgt", "3.58.0", Lines(p.out)[0]});
  const RunResult group = Invoke(RunExpand, {"--imgt", "3.58.0", "A*02:01P"});
  const std::string expanded_back = Lines(back.out)[0];
  const std::string members = Lines(group.out)[0];
  for (absl::string_view a : absl::StrSplit(members, '/')) {
    EXPECT_THAT(expanded_back, HasSubstr(std::string(a))) << a;
  }
  // py-ard's answer on request.
  EXPECT_EQ(Invoke(RunReduce, {"--imgt", "3.58.0", "--level", "G",
                               "--g-named-only", "A*01:09P"})
                .out,
            "A*01:09:01G\n");
}

// Issue 20 item 4: a one-field name (the allele group) reduces as its XX
// code at every level, is valid, and matches (py-ard 2.3.1 refuses it).
TEST(Reduce, OneFieldNameIsItsXXCodeAtEveryLevel) {
  for (const char* level : {"G", "P", "lg", "lgx", "exon", "W", "U2", "S", "1F"}) {
    const RunResult one = Invoke(RunReduce, {"--imgt", "3.58.0", "--level", level, "A*23"});
    const RunResult xx = Invoke(RunReduce, {"--imgt", "3.58.0", "--level", level, "A*23:XX"});
    EXPECT_EQ(one.rc, kExitOk) << level << ": " << one.out;
    EXPECT_EQ(one.out, xx.out) << level;
    EXPECT_THAT(one.out, ::testing::Not(StartsWith("error"))) << level;
  }
  EXPECT_EQ(Invoke(RunValidate, {"--imgt", "3.58.0", "A*23"}).out, "valid\n");
  // The DNA broad A*09 is no allele group of the release (A9 is serology;
  // NMDP's A*09:XX is its own code).
  EXPECT_THAT(Invoke(RunValidate, {"--imgt", "3.58.0", "A*09"}).out,
              StartsWith("invalid: 'A*09' at offset 0: not an allele"));
}

// Issue 20 item 6: a pre-2010 name whose allele gained an expression suffix
// (A*0111 is A*01:11N) is read as that allele, with a warning that says it
// is null; py-ard's redux suite answers A*01:11N at G.
TEST(Reduce, PreTwentyTenNameThatGainedANullSuffix) {
  const RunResult r = Invoke(RunReduce, {"--imgt", "3.58.0", "--level", "G", "A*0111"});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out, "A*01:11N\n");
  EXPECT_THAT(r.err, HasSubstr("pre-2010 name read as A*01:11N (A*01:11 is named "
                               "A*01:11N in 3.58.0: a null allele, not expressed)"));
  EXPECT_EQ(Invoke(RunReduce, {"--imgt", "3.58.0", "--level", "lgx", "A*0111"}).out,
            "A*01:11N\n");
  // Four digits that name no pre-2010 allele but an allele group: the group.
  const RunResult dp = Invoke(RunReduce, {"--imgt", "3.58.0", "--level", "1F", "DPB1*1000"});
  EXPECT_EQ(dp.out, "DPB1*1000\n");
  EXPECT_THAT(dp.err, HasSubstr("read as the allele group DPB1*1000 (as a "
                                "pre-2010 name it would be DPB1*10:00"));
  // ... and where the pre-2010 reading names an allele, it wins (§4).
  EXPECT_THAT(Invoke(RunReduce, {"--imgt", "3.58.0", "DPB1*1301"}).err,
              HasSubstr("pre-2010 name read as DPB1*13:01"));
  // A digit string that is no name with any suffix stays an error.
  EXPECT_THAT(Invoke(RunReduce, {"--imgt", "3.58.0", "A*0199999"}).out,
              StartsWith("error: 'A*0199999' at offset 0: pre-2010 name (read "
                         "as A*01:99999) is not a name"));
}

// Issue 20 item 7: `mac encode` and `mac decode`, NMDP's table both ways.
TEST(Mac, EncodeAndDecode) {
  struct Row {
    const char* sub;
    const char* in;
    const char* out;
  };
  const Row rows[] = {
      {"encode", "A*01:01/A*01:02", "A*01:AB"},
      {"encode", "A*01:02/A*01:01", "A*01:AB"},  // any order
      {"encode", "HLA-A*02:01/HLA-A*02:02", "HLA-A*02:AB"},
      {"decode", "A*01:AB", "A*01:01/A*01:02"},
      {"decode", "HLA-A*02:AB", "HLA-A*02:01/HLA-A*02:02"},
      // An allele-specific code: written with the first field py-ard's rule
      // gives, and decoded with its items' own first fields.
      {"encode",
       "DRB1*15:01/DRB1*15:01N/DRB1*15:12/DRB1*15:14/DRB1*15:19/DRB1*15:26N/"
       "DRB1*15:27/DRB1*15:28/DRB1*15:32/DRB1*15:33/DRB1*15:34/DRB1*15:35/"
       "DRB1*15:38/DRB1*15:46/DRB1*15:60",
       "DRB1*15:NEW"},
      {"decode", "DRB1*15:NEW",
       "DRB1*15:01/DRB1*15:01N/DRB1*15:12/DRB1*15:14/DRB1*15:19/DRB1*15:26N/"
       "DRB1*15:27/DRB1*15:28/DRB1*15:32/DRB1*15:33/DRB1*15:34/DRB1*15:35/"
       "DRB1*15:38/DRB1*15:46/DRB1*15:60"},
      // Bad input, each with its reason.
      {"encode", "A*01:01/B*08:01",
       "error: the list mixes loci A and B: a MAC stands for names of one locus"},
      {"encode", "A*01:01/A*01:03:01",
       "error: 'A*01:03:01' is not a 2-field allele name: a MAC lists 2-field "
       "names (A*01:01/A*01:02)"},
      {"decode", "A*01:01", "error: not a MAC: write one code such as A*01:AB"},
      {"decode", "DRB1*04:NEW",
       "error: 'DRB1*04:NEW' at offset 0: allele-specific MAC 'NEW' "
       "(15:01/15:01N/15:12/15:14/15:19/15:26N/15:27/15:28/15:32/15:33/15:34/"
       "15:35/15:38/15:46/15:60) is valid only as DRB1*15:NEW"},
  };
  for (const Row& row : rows) {
    const RunResult r = Invoke(RunMac, {row.sub, "--imgt", "3.58.0", row.in});
    EXPECT_EQ(r.out, std::string(row.out) + "\n") << row.sub << " " << row.in;
    EXPECT_EQ(r.rc, absl::StartsWith(row.out, "error") ? kExitRejected : kExitOk)
        << row.in;
  }
  // A code the shipped subset lacks: not found, naming the table's date.
  EXPECT_THAT(Invoke(RunMac, {"decode", "A*01:ZZZZ"}).out,
              HasSubstr("unknown MAC code 'ZZZZ' (table dated 2020-07-11"));
  EXPECT_THAT(Invoke(RunMac, {"encode", "A*01:01/A*01:99"}).out,
              StartsWith("A*01:"));
}

// Every generic code of the shipped table at A*01 (those whose items the
// release has): decode, encode the answer, decode again: the same names.
TEST(Mac, RoundTripOverTheShippedTable) {
  std::string codes;
  std::ifstream in(std::string(HLA_SHIPPED_DATA_DIR) +
                   "/mac/mac-2020-07-subset.alpha.v3.txt");
  ASSERT_TRUE(in.good());
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    // "<tab>CODE<tab>EXPANSION" (alpha.v3.txt).
    const std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() != 3 || f[2].find(':') != std::string::npos ||
        f[1].size() < 2 || f[1].size() > 4) {
      continue;  // header, or an allele-specific code
    }
    absl::StrAppend(&codes, "A*01:", f[1], "\n");
    if (++n == 400) break;
  }
  ASSERT_EQ(n, 400);
  const RunResult dec = Invoke(RunMac, {"decode", "--imgt", "3.58.0"}, codes);
  const std::vector<std::string> lists = Lines(dec.out);
  ASSERT_EQ(lists.size(), 400u);
  std::string good;
  for (const std::string& l : lists) {
    if (!absl::StartsWith(l, "error")) absl::StrAppend(&good, l, "\n");
  }
  const RunResult enc = Invoke(RunMac, {"encode", "--imgt", "3.58.0"}, good);
  EXPECT_EQ(enc.rc, kExitOk) << enc.out;
  const RunResult again = Invoke(RunMac, {"decode", "--imgt", "3.58.0"}, enc.out);
  EXPECT_EQ(again.out, good);
  EXPECT_GT(Lines(good).size(), 300u);
}

TEST(Expand, EveryAllele) {
  const RunResult r = Invoke(RunExpand, {"--imgt", "3.44.0", "A*43:XX+HLA-B*15:14P"});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out, "A*43:01/A*43:02N+HLA-B*15:14/HLA-B*15:551\n");
}

}  // namespace
}  // namespace hla::cli
