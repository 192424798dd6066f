// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Every endpoint of service/service.h in-process (no sockets): success,
// each error status, and byte-for-byte equality with the CLI's JSON.
#include "service/service.h"

#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "cli/command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli/cli_test_util.h"
#include "tests/testing/family_haplotypes.h"
#include "hla/version.h"
#include "nlohmann/json.hpp"

namespace hla::service {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const char kRecipient[] =
    "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01~DPB1*04:01+"
    "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02~DPB1*04:02";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Quote(absl::string_view s) {
  return absl::StrCat("\"", s, "\"");  // test data has no quotes/escapes
}

// The shipped family (data/examples/family.csv) as the "donors" of a match
// request, each with the source the CLI gives it (so the outputs compare).
std::string FamilyDonorsJson(const std::string& csv_path, bool with_source) {
  std::vector<std::string> lines =
      absl::StrSplit(ReadFile(csv_path), '\n', absl::SkipEmpty());
  const std::vector<std::string> cols = absl::StrSplit(lines[0], ',');
  std::vector<std::string> donors;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> cells = absl::StrSplit(lines[i], ',');
    std::vector<std::string> fields;
    for (size_t c = 0; c < cols.size() && c < cells.size(); ++c) {
      if (cells[c].empty()) continue;
      const std::string key = cols[c] == "glstring" ? "typing" : cols[c];
      fields.push_back(absl::StrCat(Quote(key), ":",
                                    key == "age" ? cells[c] : Quote(cells[c])));
    }
    if (with_source) {
      fields.push_back(
          absl::StrCat("\"source\":", Quote(absl::StrCat(csv_path, ":", i + 1))));
    }
    donors.push_back(absl::StrCat("{", absl::StrJoin(fields, ","), "}"));
  }
  return absl::StrCat("[", absl::StrJoin(donors, ","), "]");
}

using CliResult = cli_testing::RunResult;

CliResult RunCli(int (*fn)(cli::Command&), std::vector<std::string> args) {
  return cli_testing::Invoke(fn, std::move(args));
}

class ServiceTest : public ::testing::Test {
 protected:
  // Loading a release takes a few hundred milliseconds: once per suite.
  // Errors are kept and asserted in SetUp (an assertion here would make
  // gtest report the tests as skipped).
  static void SetUpTestSuite() {
    ::setenv("HAPLOMATCH_DATA_DIR", HLA_SHIPPED_DATA_DIR, 1);
    ::unsetenv("HAPLOMATCH_IMGT");
    absl::StatusOr<std::unique_ptr<Service>> s = Service::Create({});
    if (s.ok()) {
      service_ = s->release();
    } else {
      *create_error_ = std::string(s.status().message());
    }
  }
  static void TearDownTestSuite() {
    delete service_;
    service_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(service_, nullptr) << *create_error_;
    dir_ = absl::StrCat(::testing::TempDir(), "/hm_service_", ::getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Response Post(const std::string& path, const std::string& body) {
    return service_->Handle({"POST", path, body});
  }
  Response Get(const std::string& path) {
    return service_->Handle({"GET", path, ""});
  }

  static Service* service_;
  static std::string* create_error_;
  std::string dir_;
};

Service* ServiceTest::service_ = nullptr;
std::string* ServiceTest::create_error_ = new std::string();

TEST_F(ServiceTest, HealthSaysOk) {
  Response r = Get("/v1/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}\n");
  EXPECT_EQ(r.content_type, "application/json");
}

// Error messages quote the request; its bytes that are not UTF-8 are
// written as U+FFFD, so that the error is valid JSON.
TEST_F(ServiceTest, InvalidUtf8InARequestIsEscapedInTheAnswer) {
  for (const std::string& body :
       {std::string("{\"typings\":[\"A*\xff\xfe\"]}"),
        std::string("{\"typings\":[],\"\xc3\":1}")}) {
    const Response r = Post("/v1/reduce", body);
    EXPECT_EQ(r.body.find('\xff'), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find('\xc3'), std::string::npos) << r.body;
    EXPECT_TRUE(nlohmann::json::accept(r.body)) << r.body;
  }
}

TEST_F(ServiceTest, HeadIsAllowedWhereGetIs) {
  EXPECT_EQ(service_->Handle({"HEAD", "/v1/health", ""}).status, 200);
}

TEST_F(ServiceTest, VersionNamesLibraryReleaseAndMacDate) {
  Response r = Get("/v1/version");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, StartsWith(absl::StrCat("{\"version\":\"",
                                              kVersionString, "\"")));
  EXPECT_THAT(r.body, HasSubstr("\"imgt_version\":\"3.58.0\""));
  EXPECT_THAT(r.body, HasSubstr("\"imgt_date\":\"2024-10-09\""));
  EXPECT_THAT(r.body, HasSubstr("\"mac_date\":\"2020-07-11"));
  EXPECT_THAT(r.body, HasSubstr("\"registry\":null"));
}

TEST_F(ServiceTest, ReduceGivesOneResultPerTypingInOrder) {
  Response r = Post("/v1/reduce",
                    R"({"typings":["A*01:01:01:01+A*01:09","A*99:99",)"
                    R"("DRB1*14:"],"level":"G"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "{\"imgt_version\":\"3.58.0\",\"level\":\"G\",\"results\":["
            "{\"typing\":\"A*01:01:01:01+A*01:09\",\"reduced\":"
            "\"A*01:01:01G+A*01:09:01G/A*01:09:02\",\"warnings\":[]},"
            "{\"typing\":\"A*99:99\",\"error\":\"'A*99:99' at offset 0: not "
            "an allele of IPD-IMGT/HLA 3.58.0\"},"
            "{\"typing\":\"DRB1*14:\",\"error\":\"expected allele field at "
            "offset 8 in 'DRB1*14:'\"}]}\n");
}

TEST_F(ServiceTest, ReduceDefaultsToLgxAndReportsWarnings) {
  Response r = Post("/v1/reduce", R"({"typings":["A*0201"]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"level\":\"lgx\""));
  EXPECT_THAT(r.body, HasSubstr("\"reduced\":\"A*02:01\""));
  EXPECT_THAT(r.body, HasSubstr("pre-2010 name"));
}

TEST_F(ServiceTest, ReduceEqualsTheCliLineByLine) {
  const std::vector<std::string> typings = {"A*01:01:01:01+A*02:01",
                                            "B*15:01/B*15:04", "A*02:XX"};
  CliResult cli = RunCli(cli::RunReduce, {"--level", "S", typings[0],
                                          typings[1], typings[2]});
  ASSERT_EQ(cli.rc, 0) << cli.err;
  const std::vector<std::string> lines =
      absl::StrSplit(absl::StripSuffix(cli.out, "\n"), '\n');
  Response r = Post("/v1/reduce", absl::StrCat(
      R"({"level":"S","typings":[")", absl::StrJoin(typings, "\",\""), "\"]}"));
  ASSERT_EQ(r.status, 200);
  for (const std::string& line : lines) {
    EXPECT_THAT(r.body, HasSubstr(absl::StrCat("\"reduced\":\"", line, "\"")));
  }
}

TEST_F(ServiceTest, ReduceRejectsUnknownLevel) {
  Response r = Post("/v1/reduce", R"({"typings":["A*01:01"],"level":"X"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, StartsWith("{\"error\":{\"code\":\"invalid_argument\""));
  EXPECT_THAT(r.body, HasSubstr("'level' must be one of"));
}

TEST_F(ServiceTest, NonStrictAcceptsWhatStrictRejects) {
  // Small-g names are accepted only in non-strict mode (as py-ard).
  const std::string strict =
      Post("/v1/validate", R"({"typings":["A*30:02g"]})").body;
  const std::string lax =
      Post("/v1/validate", R"({"typings":["A*30:02g"],"strict":false})").body;
  EXPECT_THAT(strict, HasSubstr("\"valid\":false"));
  EXPECT_THAT(lax, HasSubstr("\"valid\":true"));
}

TEST_F(ServiceTest, MalformedJsonIs400WithTheParsersOffset) {
  Response r = Post("/v1/reduce", R"({"typings":[1)");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("\"code\":\"invalid_argument\""));
  EXPECT_THAT(r.body, HasSubstr("malformed JSON at offset 14"));
}

TEST_F(ServiceTest, BodyThatIsNotAnObjectIs400) {
  Response r = Post("/v1/validate", "[1,2]");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("must be a JSON object"));
}

TEST_F(ServiceTest, WrongTypeIs400NamingTheField) {
  Response r = Post("/v1/reduce", R"({"typings":["A*01:01", 7]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("'typings[1]' must be a string"));
  r = Post("/v1/reduce", R"({"typings":["A*01:01"],"strict":"yes"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("'strict' must be true or false"));
}

TEST_F(ServiceTest, UnknownFieldIs400) {
  Response r = Post("/v1/reduce", R"({"typings":[],"levle":"G"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("unknown field 'levle'"));
}

TEST_F(ServiceTest, ValidateSaysValidOrWhyNot) {
  Response r = Post("/v1/validate", R"({"typings":["A*02:01","A*99:99"]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "{\"imgt_version\":\"3.58.0\",\"results\":["
            "{\"typing\":\"A*02:01\",\"valid\":true,\"warnings\":[]},"
            "{\"typing\":\"A*99:99\",\"valid\":false,\"error\":\"'A*99:99' "
            "at offset 0: not an allele of IPD-IMGT/HLA 3.58.0\",\"offset\":0}]}\n");
}

// A typing /v1/validate calls valid is one /v1/match takes (issue 20):
// a '+' of two loci is refused by both, with the same reason.
TEST_F(ServiceTest, ValidateAgreesWithMatch) {
  Response r = Post("/v1/validate",
                    R"({"typings":["A*01:01+B*08:01","A*01:01/A*02:01"]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "{\"imgt_version\":\"3.58.0\",\"results\":["
            "{\"typing\":\"A*01:01+B*08:01\",\"valid\":false,\"error\":"
            "\"'+' joins typings of different loci (A and B) at 'B*08:01' at "
            "offset 8\",\"offset\":8},"
            "{\"typing\":\"A*01:01/A*02:01\",\"valid\":true,\"warnings\":[]}]}\n");
  Response m = Post("/v1/match",
                    R"({"recipient":{"typing":"A*01:01+B*08:01"},"donors":[]})");
  EXPECT_EQ(m.status, 400);
  EXPECT_THAT(m.body, HasSubstr("'+' joins typings of different loci (A and B)"));
}

// /v1/mac/encode and /v1/mac/decode: `haplomatch mac`, one result per
// typing, errors in place (issue 20 item 7).
TEST_F(ServiceTest, MacEncodeAndDecode) {
  Response e = Post("/v1/mac/encode",
                    R"({"typings":["A*01:01/A*01:02","A*01:01/B*08:01"]})");
  EXPECT_EQ(e.status, 200);
  EXPECT_EQ(e.body,
            "{\"mac_date\":\"2020-07-11 (subset of 12520 NMDP codes)\","
            "\"results\":[{\"typing\":\"A*01:01/A*01:02\",\"mac\":\"A*01:AB\"},"
            "{\"typing\":\"A*01:01/B*08:01\",\"error\":\"the list mixes loci "
            "A and B: a MAC stands for names of one locus\"}]}\n");
  Response d = Post("/v1/mac/decode", R"({"typings":["A*01:AB","A*01:ZZZZ"]})");
  EXPECT_EQ(d.status, 200);
  EXPECT_THAT(d.body, HasSubstr("{\"typing\":\"A*01:AB\",\"allele_list\":"
                                "\"A*01:01/A*01:02\"}"));
  EXPECT_THAT(d.body, HasSubstr("unknown MAC code 'ZZZZ'"));
  EXPECT_EQ(Post("/v1/mac/decode", R"({"codes":["A*01:AB"]})").status, 400);
}

TEST_F(ServiceTest, MatchIsByteForByteTheCliJson) {
  const std::string family = "data/examples/family.csv";
  const std::string antibodies =
      std::string(absl::StripAsciiWhitespace(
          ReadFile("data/examples/patient_antibodies.txt")));
  CliResult cli = RunCli(
      cli::RunMatch,
      {"--recipient", kRecipient, "--recipient-abo", "A+", "--recipient-cmv",
       "pos", "--recipient-sex", "M", "--antibodies",
       "@data/examples/patient_antibodies.txt", "--donors", family,
       "--protocol", "NCT04835883", "--as-of", "2026-11-26", "--format",
       "json"});
  ASSERT_EQ(cli.rc, 0) << cli.err;
  std::string abs_json;
  for (absl::string_view line : absl::StrSplit(antibodies, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    absl::StrAppend(&abs_json, abs_json.empty() ? "" : ",", line);
  }
  const std::string body = absl::StrCat(
      R"({"recipient":{"typing":")", kRecipient,
      R"(","abo":"A+","cmv":"pos","sex":"M","antibodies":")", abs_json,
      R"("},"donors":)", FamilyDonorsJson(family, /*with_source=*/true),
      R"(,"options":{"protocol":"NCT04835883","as_of":"2026-11-26"}})");
  Response r = Post("/v1/match", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, cli.out);
}

// The example family carries KIR genotypes (its kir column goes in as the
// donors' "kir" key); HLA-A Bw4 switched off is the CLI's --hla-a-bw4 no.
TEST_F(ServiceTest, KirOptionsAreTheCliJson) {
  const std::string family = "data/examples/family.csv";
  CliResult cli = RunCli(cli::RunMatch,
                         {"--recipient", kRecipient, "--donors", family,
                          "--hla-a-bw4", "no", "--format", "json"});
  ASSERT_EQ(cli.rc, 0) << cli.err;
  EXPECT_THAT(cli.out, HasSubstr("\"donor_kir\":{\"genotype\":\"Cen-B/B Tel-A/B; KIR3DL1+\""));
  EXPECT_THAT(cli.out, HasSubstr("HLA-A Bw4 not counted (setting)"));
  const std::string body = absl::StrCat(
      R"({"recipient":{"typing":")", kRecipient, R"("},"donors":)",
      FamilyDonorsJson(family, /*with_source=*/true),
      R"(,"options":{"hla_a_bw4":false}})");
  Response r = Post("/v1/match", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, cli.out);
  EXPECT_EQ(Post("/v1/match", absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                                            R"("},"donors":[],"options":{"hla_a_bw4":"no"}})"))
                .status,
            400);
  CliResult bad = RunCli(cli::RunMatch, {"--recipient", kRecipient, "--donors", family,
                                         "--hla-a-bw4", "maybe"});
  EXPECT_EQ(bad.rc, 2);
  EXPECT_THAT(bad.err, HasSubstr("--hla-a-bw4 must be yes or no"));
  // A bad KIR genotype rejects the donor, worded as the file reader does.
  Response k = Post("/v1/match",
                    absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                                 R"("},"donors":[{"id":"k","typing":"A*01:01+A*02:01","kir":"KIR2DL9+"}]})"));
  EXPECT_EQ(k.status, 200);
  EXPECT_THAT(k.body, HasSubstr("{\"source\":\"donors[0]\",\"error\":\"key 'kir': 'KIR2DL9+' names no KIR gene\"}"));
}

// The match probabilities: as the CLI computes them, switched off, and the
// recipient's population checked.
TEST_F(ServiceTest, ProbabilityOptionsAreTheCliJson) {
  const std::string family = "data/examples/family.csv";
  CliResult cli = RunCli(cli::RunMatch,
                         {"--recipient", kRecipient, "--donors", family,
                          "--recipient-population", "EUR", "--format", "json"});
  ASSERT_EQ(cli.rc, 0) << cli.err;
  EXPECT_THAT(cli.out, HasSubstr("\"probability\":{\"available\":true"));
  const std::string body = absl::StrCat(
      R"({"recipient":{"typing":")", kRecipient, R"("},"donors":)",
      FamilyDonorsJson(family, /*with_source=*/true),
      R"(,"options":{"recipient_population":"EUR"}})");
  Response r = Post("/v1/match", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, cli.out);
  Response off = Post("/v1/match",
                      absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                                   R"("},"donors":[{"typing":"A*01:01+A*02:01"}],)"
                                   R"("options":{"probability":false}})"));
  EXPECT_EQ(off.status, 200);
  EXPECT_THAT(off.body, HasSubstr("\"probability\":null"));
  EXPECT_EQ(Post("/v1/match", absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                                           R"("},"donors":[],"options":{"recipient_population":"XYZ"}})"))
                .status,
            400);
}

TEST_F(ServiceTest, MatchNamesDonorsByIndexWithoutSource) {
  Response r = Post(
      "/v1/match",
      absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                   R"("},"donors":[{"id":"x","typing":"A*01:01+A*02:01"}]})"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"id\":\"x\",\"source\":\"donors[0]\""));
}

TEST_F(ServiceTest, MatchRecipientTypingErrorIs400WithOffset) {
  Response r = Post("/v1/match",
                    R"({"recipient":{"typing":"DRB1*14:"},"donors":[]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("recipient.typing: expected allele field at "
                                "offset 8 in 'DRB1*14:'"));
}

TEST_F(ServiceTest, MatchBadDonorIsRejectedNotAnError) {
  Response r = Post(
      "/v1/match",
      absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                   R"("},"donors":[{"id":"a","typing":"A*99:99+A*01:01"},)",
                   R"({"id":"b","typing":"A*01:01+A*02:01","birth_date":"2023-02-30"},)",
                   R"({"id":"c","typing":"A*01:01+A*02:01"},)",
                   R"({"id":"d","typing":"A*01:01+A*02:01","age":131}]})"));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("\"id\":\"c\""));
  // Worded as a donor file words it: the one donor-facts reader.
  EXPECT_THAT(r.body, HasSubstr("{\"source\":\"donors[3]\",\"error\":\"key 'age': "
                                "'131' is not an age in whole years (0-130)\"}"));
  EXPECT_THAT(r.body, HasSubstr("{\"source\":\"donors[1]\",\"error\":\"key "
                                "'birth_date': '2023-02-30' is not a date: "
                                "February 2023 has 28 days\"}"));
  EXPECT_THAT(r.body, HasSubstr("{\"source\":\"donors[0]\",\"error\":\"'A*99:99'"));
  EXPECT_THAT(r.body, HasSubstr("{\"source\":\"donors[1]\",\"error\":"));
}

TEST_F(ServiceTest, MatchOptionsAreChecked) {
  const std::string head = absl::StrCat(R"({"recipient":{"typing":")",
                                        kRecipient, R"("},"donors":[],)");
  EXPECT_EQ(Post("/v1/match", head + R"("options":{"loci":["A","Q"]}})").status,
            400);
  EXPECT_EQ(Post("/v1/match", head + R"("options":{"homozygous_mismatch":3}})")
                .status,
            400);
  EXPECT_EQ(Post("/v1/match", head + R"("options":{"as_of":"2023-02-30"}})").status,
            400);
  // A gate needs a protocol (without one nothing is decided).
  EXPECT_EQ(Post("/v1/match", head + R"("options":{"gate":"abo,cmv,sex"}})").status,
            400);
  EXPECT_EQ(Post("/v1/match", head + R"("options":{"gate":"abo,cmv,sex",)"
                                     R"("protocol":"NCT04835883"}})")
                .status,
            200);
  EXPECT_EQ(Post("/v1/match", head + R"("options":{"protocol":"NCT04835883",)"
                                     R"("unrelated_haplo":"accept",)"
                                     R"("allow_minors":true}})")
                .status,
            200);
  EXPECT_EQ(Post("/v1/match", head + R"("options":{"unrelated_haplo":"x"}})")
                .status,
            400);
  EXPECT_EQ(Post("/v1/match", head + R"("options":{"dsa_mfi":1e400}})").status,
            400);
  EXPECT_EQ(Post("/v1/match", R"({"donors":[]})").status, 400);
  EXPECT_EQ(Post("/v1/match", head + R"("options":{"top":3}})").status, 400);
}

// "antibodies" present (a list, [] or "none") means the recipient was
// tested; absent, a haplo protocol asks for review.
TEST_F(ServiceTest, AntibodiesAbsentIsUntestedNoneIsTested) {
  auto post = [&](const std::string& antibodies) {
    return Post("/v1/match",
                absl::StrCat(R"({"recipient":{"typing":")", kRecipient, "\"",
                             antibodies,
                             R"(},"donors":[{"id":"d","typing":")", kRecipient,
                             R"(","age":40,"relationship":"sister"}],)"
                             R"("options":{"protocol":"NCT04835883"}})"));
  };
  Response r = post("");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"status\":\"needs-review\""));
  EXPECT_THAT(r.body, HasSubstr("DSA not tested"));
  for (const char* tested : {R"(,"antibodies":"none")", R"(,"antibodies":["none"])",
                             R"(,"antibodies":" NONE ")"}) {
    r = post(tested);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_THAT(r.body, HasSubstr("\"status\":\"eligible\"")) << tested;
  }
  // Empty is refused, never read as "tested, none".
  for (const char* empty : {R"(,"antibodies":[])", R"(,"antibodies":"")",
                            R"(,"antibodies":" , ")"}) {
    r = post(empty);
    EXPECT_EQ(r.status, 400) << empty;
    EXPECT_THAT(r.body, HasSubstr("recipient.antibodies: the antibody list "
                                  "is empty; write 'none'"))
        << empty;
  }
}

TEST_F(ServiceTest, MatchPastDeadlineIs504) {
  Request q{"POST", "/v1/match",
            absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                         R"("},"donors":[{"typing":"A*01:01+A*02:01"}]})")};
  q.deadline = absl::Now() - absl::Seconds(1);
  Response r = service_->Handle(q);
  EXPECT_EQ(r.status, 504);
  EXPECT_THAT(r.body, HasSubstr("\"code\":\"deadline_exceeded\""));
}

TEST_F(ServiceTest, RankOfBodyDonorsIsByteForByteTheCliJson) {
  // The same donors as a JSON Lines file for the CLI.
  const std::string donors = FamilyDonorsJson("data/examples/family.csv",
                                              /*with_source=*/false);
  std::string jsonl = donors.substr(1, donors.size() - 2);
  for (size_t p = jsonl.find("},{"); p != std::string::npos;
       p = jsonl.find("},{", p)) {
    jsonl.replace(p, 3, "}\n{");
  }
  const std::string path = dir_ + "/donors.jsonl";
  std::ofstream(path) << jsonl << "\n";
  CliResult cli = RunCli(cli::RunRank,
                         {"--recipient", kRecipient, "--donors", path,
                          "--protocol", "NCT04835883", "--as-of", "2026-11-26",
                          "--top", "3", "--format", "json"});
  ASSERT_EQ(cli.rc, 0) << cli.err;
  Response r = Post("/v1/rank",
                    absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                                 R"("},"donors":)", donors,
                                 R"(,"options":{"protocol":"NCT04835883",)",
                                 R"("as_of":"2026-11-26","top":3}})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, cli.out);
  EXPECT_THAT(r.body, HasSubstr("\"read\":6"));
}

TEST_F(ServiceTest, RankCountsRejectedBodyDonors) {
  Response r = Post(
      "/v1/rank",
      absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                   R"("},"donors":[{"id":"a","glstring":"A*99:99+A*01:01"},)",
                   R"({"id":"b","glstring":"A*01:01+A*02:01","age":30}]})"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"read\":2"));
  EXPECT_THAT(r.body, HasSubstr("\"rejected\":1"));
}

TEST_F(ServiceTest, RankDonorValuesMustBeFlat) {
  Response r = Post("/v1/rank",
                    absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                                 R"("},"donors":[{"id":{"x":1}}]})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("'donors[0].id' must be a string"));
}

TEST_F(ServiceTest, RankWithoutDonorsOrRegistryIs400) {
  Response r = Post("/v1/rank", absl::StrCat(R"({"recipient":{"typing":")",
                                             kRecipient, R"("}})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("\"code\":\"failed_precondition\""));
  EXPECT_THAT(r.body, HasSubstr("--donors"));
}

TEST_F(ServiceTest, RankUsesTheRegistryLoadedAtStart) {
  ServiceOptions o;
  o.donors = "data/examples/family.csv";
  absl::StatusOr<std::unique_ptr<Service>> s = Service::Create(o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)->registry_size(), 6u);
  EXPECT_THAT((*s)->Handle({"GET", "/v1/version", ""}).body,
              HasSubstr("\"registry\":{\"donors\":6,\"rejected\":0}"));
  Response r = (*s)->Handle(
      {"POST", "/v1/rank",
       absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                    R"("},"options":{"protocol":"NCT04835883",)",
                    R"("as_of":"2026-11-26","top":1,"rank_by":["dsa","age"]}})")});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"rank_by\":\"dsa,age\",\"read\":6"));
  EXPECT_THAT(r.body, HasSubstr("{\"rank\":1,"));
  EXPECT_THAT(r.body, Not(HasSubstr("{\"rank\":2,")));
}

// The probability key: donors in the body imputed for it, the registry
// loaded at start (a donor file) imputed then; each ranked donor's report
// carries the probabilities it ranked by; a bad population is a 400.
TEST_F(ServiceTest, RankByProbability) {
  const std::string donors = absl::StrCat(
      R"([{"id":"same","glstring":")", kRecipient, R"(","population":"EUR"},)",
      R"({"id":"vague","glstring":"A*01:XX+A*02:XX^B*08:XX+B*44:XX^DRB1*03:XX+DRB1*04:XX"},)",
      R"({"id":"other","glstring":"A*03:01+A*11:01^B*07:02+B*35:01^DRB1*15:01+DRB1*01:01"}])");
  Response r = Post("/v1/rank",
                    absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                                 R"("},"donors":)", donors,
                                 R"(,"options":{"rank_by":["probability"],)",
                                 R"("recipient_population":"EUR"}})"));
  ASSERT_EQ(r.status, 200) << r.body;
  const size_t same = r.body.find("\"id\":\"same\"");
  const size_t vague = r.body.find("\"id\":\"vague\"");
  const size_t other = r.body.find("\"id\":\"other\"");
  ASSERT_NE(same, std::string::npos);
  ASSERT_NE(vague, std::string::npos);
  ASSERT_NE(other, std::string::npos);
  // Best first: the identical typing, then the one that may match.
  EXPECT_LT(same, vague);
  EXPECT_LT(vague, other);
  EXPECT_THAT(r.body, HasSubstr("\"probability\":{"));
  const Response bad = Post(
      "/v1/rank", absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                               R"("},"donors":[],"options":{"recipient_population":"X"}})"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("must be EUR, AFA, API or HIS"));

  ServiceOptions o;
  o.donors = "data/examples/family.csv";
  absl::StatusOr<std::unique_ptr<Service>> s = Service::Create(o);
  ASSERT_TRUE(s.ok()) << s.status();
  Response reg = (*s)->Handle(
      {"POST", "/v1/rank",
       absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                    R"("},"options":{"top":2,"rank_by":["probability","age"]}})")});
  EXPECT_EQ(reg.status, 200) << reg.body;
  EXPECT_THAT(reg.body, HasSubstr("\"p10\":1"));
}

TEST_F(ServiceTest, RankOptionsAreChecked) {
  const std::string head =
      absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                   R"("},"donors":[],"options":)");
  EXPECT_EQ(Post("/v1/rank", head + R"({"top":-1}})").status, 400);
  EXPECT_EQ(Post("/v1/rank", head + R"({"rank_by":"speed"}})").status, 400);
  EXPECT_EQ(Post("/v1/rank", head + R"({"loci":"A"}})").status, 400);
  EXPECT_EQ(Post("/v1/rank", head + R"({"top":0}})").status, 200);
  // A top no arithmetic can take (it once overflowed in the scan).
  for (const char* top : {"9223372036854775807", "100000001", "10001"}) {
    const Response r = Post("/v1/rank", head + "{\"top\":" + top + "}}");
    EXPECT_EQ(r.status, 400) << top;
    EXPECT_THAT(r.body, HasSubstr("'options.top' must be at most 10000: a "
                                  "rank answer lists at most 10000 donors"));
  }
  EXPECT_EQ(Post("/v1/rank", head + R"({"top":10000}})").status, 200);
}

// A rank answer is bounded (--max-rank-donors): "top": 0 (all) over more
// ranked donors than that is a 400 saying how many, never a body of
// hundreds of megabytes.
TEST_F(ServiceTest, RankAnswersAreBounded) {
  ServiceOptions o;
  o.max_rank_donors = 2;
  absl::StatusOr<std::unique_ptr<Service>> small = Service::Create(o);
  ASSERT_TRUE(small.ok()) << small.status();
  std::string donors;
  for (const char* id : {"a", "b", "c"}) {
    absl::StrAppend(&donors, donors.empty() ? "" : ",", R"({"id":")", id,
                    R"(","glstring":")", kRecipient, R"("})");
  }
  auto rank = [&](const std::string& options) {
    return (*small)->Handle(
        {"POST", "/v1/rank",
         absl::StrCat(R"({"recipient":{"typing":")", kRecipient,
                      R"("},"donors":[)", donors, R"(],"options":)", options,
                      "}")});
  };
  Response r = rank(R"({"top":0})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.body, HasSubstr("at most 2 donors (the server's "
                                "--max-rank-donors); rank a whole registry "
                                "with haplomatch rank (3 donors ranked)"));
  EXPECT_EQ(rank(R"({"top":3})").status, 400);
  r = rank(R"({"top":2})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("{\"rank\":2,"));
  // Two donors ranked, a third rejected: "top": 0 lists both.
  donors = absl::StrCat(R"({"id":"a","glstring":")", kRecipient,
                        R"("},{"id":"b","glstring":")", kRecipient,
                        R"("},{"id":"d","glstring":"A*99:99"})");
  r = rank(R"({"top":0})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("{\"rank\":2,"));
  EXPECT_THAT(r.body, HasSubstr("\"rejected\":1"));
}

// ---- "family": the rows of a family file in the request (docs/family.md)

// Father a|b, mother c|d, patient a|c; S1 a|d, S2 a/b recombinant | d, S3
// a|c.
std::string FamilyRowsJson() {
  using testing_family::Gl;
  using namespace testing_family;  // NOLINT: the haplotype constants
  const std::pair<const char*, std::string> rows[] = {
      {"F\",\"role\":\"father", Gl(kA, kB)}, {"M\",\"role\":\"mother", Gl(kC, kD)},
      {"P\",\"role\":\"patient", Gl(kA, kC)}, {"S1\",\"role\":\"sibling", Gl(kD, kA)},
      {"S2\",\"role\":\"sibling", Gl(kAB, kD)}, {"S3\",\"role\":\"sibling", Gl(kA, kC)}};
  std::vector<std::string> out;
  for (const auto& [id_role, gl] : rows) {
    out.push_back(absl::StrCat(R"({"id":")", id_role, R"(","glstring":")", gl,
                               R"("})"));
  }
  return absl::StrCat("[", absl::StrJoin(out, ","), "]");
}

TEST_F(ServiceTest, MatchWithFamilyUsesTheProvenPhase) {
  using namespace testing_family;  // NOLINT
  const std::string body = absl::StrCat(
      R"({"recipient":{"typing":")", Gl(kA, kC), R"("},"donors":[)",
      R"({"id":"S1","typing":")", Gl(kD, kA), R"(","relationship":"sibling"},)",
      R"({"id":"S2","typing":")", Gl(kAB, kD), R"(","relationship":"sibling"},)",
      R"({"id":"X","typing":")", Gl(kA, kD), R"(","relationship":"sibling"},)",
      R"({"id":"S3","typing":")", Gl(kA, kB), R"(","relationship":"sibling"}],)",
      R"("family":)", FamilyRowsJson(), "}");
  Response r = Post("/v1/match", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"verdict\":\"haploidentical\",\"basis\":"
                                "\"family segregation: shares haplotype a "
                                "(paternal) with the patient\""));
  EXPECT_THAT(r.body, HasSubstr("\"verdict\":\"not-haploidentical\",\"basis\":"
                                "\"family segregation: shares no whole"));
  // X is not in the family; this S3 is typed otherwise than the S3 segregated.
  EXPECT_THAT(r.body, HasSubstr("family segregation not used: S3 is typed "
                                "otherwise than in the family"));
  // Without "family" nothing is proven.
  const std::string plain = body.substr(0, body.find(R"(,"family":)")) + "}";
  EXPECT_THAT(Post("/v1/match", plain).body, Not(HasSubstr("family segregation")));
}

// A family that cannot be explained as stated (the patient is not the
// stated father's: a sample mix-up) is not a bad request, but no relative
// keeps a verdict resting on it: the mother needs review, naming why.
TEST_F(ServiceTest, InconsistentFamilyPutsRelativesUnderReview) {
  using namespace testing_family;  // NOLINT
  const std::string family = absl::StrCat(
      R"([{"id":"F","role":"father","glstring":")", Gl(kA, kB), R"("},)",
      R"({"id":"M","role":"mother","glstring":")", Gl(kC, kD), R"("},)",
      R"({"id":"P","role":"patient","glstring":")", Gl(kE, kC), R"("},)",
      R"({"id":"S1","role":"sibling","glstring":")", Gl(kA, kD), R"("}])");
  const std::string body = absl::StrCat(
      R"({"recipient":{"typing":")", Gl(kE, kC),
      R"(","antibodies":"none"},"donors":[)",
      R"({"id":"M","typing":")", Gl(kC, kD),
      R"(","relationship":"mother","age":50}],"family":)", family,
      R"(,"options":{"protocol":"NCT04835883","as_of":"2026-11-26"}})");
  const Response r = Post("/v1/match", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(r.body, HasSubstr("\"status\":\"needs-review\""));
  EXPECT_THAT(r.body, Not(HasSubstr("\"status\":\"eligible\"")));
  EXPECT_THAT(r.body, HasSubstr("cannot be explained as stated (P is not "
                                "explained by the stated parents"));
}

TEST_F(ServiceTest, RankWithFamilyIsByteForByteTheCli) {
  using namespace testing_family;  // NOLINT
  // The family as a CSV file for the CLI; its relatives as the donors.
  std::string csv = "id,role,glstring\n";
  std::string jsonl;
  std::vector<std::string> donors;
  const std::pair<const char*, std::string> rows[] = {
      {"F,father", Gl(kA, kB)}, {"M,mother", Gl(kC, kD)}, {"P,patient", Gl(kA, kC)},
      {"S1,sibling", Gl(kD, kA)}, {"S2,sibling", Gl(kAB, kD)}, {"S3,sibling", Gl(kA, kC)}};
  for (const auto& [id_role, gl] : rows) {
    absl::StrAppend(&csv, id_role, ",", gl, "\n");
    const std::string id(absl::string_view(id_role).substr(0, absl::string_view(id_role).find(',')));
    if (id == "P") continue;
    const std::string d = absl::StrCat(R"({"id":")", id, R"(","age":40,"glstring":")", gl, R"("})");
    absl::StrAppend(&jsonl, d, "\n");
    donors.push_back(d);
  }
  const std::string family_path = dir_ + "/family.csv";
  const std::string donors_path = dir_ + "/donors.jsonl";
  std::ofstream(family_path) << csv;
  std::ofstream(donors_path) << jsonl;
  CliResult cli = RunCli(cli::RunRank,
                         {"--recipient", Gl(kA, kC), "--donors", donors_path,
                          "--family", family_path, "--protocol", "NCT04835883",
                          "--as-of", "2026-11-26", "--format", "json"});
  ASSERT_EQ(cli.rc, 0) << cli.err;
  Response r = Post(
      "/v1/rank",
      absl::StrCat(R"({"recipient":{"typing":")", Gl(kA, kC), R"("},"donors":[)",
                   absl::StrJoin(donors, ","), R"(],"family":)", FamilyRowsJson(),
                   R"(,"options":{"protocol":"NCT04835883","as_of":"2026-11-26"}})"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, cli.out);
  EXPECT_THAT(r.body, HasSubstr("family segregation: shares haplotype a"));
}

TEST_F(ServiceTest, BadFamilyIs400NamingTheRow) {
  using namespace testing_family;  // NOLINT
  const std::string head = absl::StrCat(R"({"recipient":{"typing":")", Gl(kA, kC),
                                        R"("},"donors":[],"family":)");
  Response r = Post("/v1/match", head + R"([{"id":"P","role":"patient","glstring":"A*01:01"},)"
                                        R"({"id":"Q","role":"cousin","glstring":"A*01:01"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("family[1]: key 'role'"));
  r = Post("/v1/match", head + R"([{"id":"P","role":"patient","glstring":"A*01:01"},)"
                               R"({"id":"Q","role":"patient","glstring":"A*02:01"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("family: family "));
  r = Post("/v1/rank", head + R"({"id":"P"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("'family' must be an array of objects"));
}

TEST_F(ServiceTest, UnknownPathIs404) {
  for (const char* path : {"/v1/nothing", "/nothing", "/index.html",
                           "/../data/examples/family.csv", "/example/"}) {
    Response r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_THAT(r.body, HasSubstr("\"code\":\"not_found\"")) << path;
  }
}

TEST_F(ServiceTest, WrongMethodIs405WithAllow) {
  Response r = Get("/v1/match");
  EXPECT_EQ(r.status, 405);
  EXPECT_THAT(r.body, HasSubstr("\"code\":\"method_not_allowed\""));
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Allow");
  EXPECT_EQ(r.headers[0].second, "POST");
  EXPECT_EQ(Post("/v1/health", "{}").status, 405);
}

// ---- The coordinator's page (issue 17) and the endpoints it uses.

// The page and its example files are built into the binary, byte for byte
// the files of the source tree, each with its type.
TEST_F(ServiceTest, PageAndExamplesAreServedWithTheirTypes) {
  struct Case {
    const char* path;
    const char* type;
    const char* file;  // the file it must equal
  };
  for (const Case& c :
       {Case{"/", "text/html; charset=utf-8", "service/web/index.html"},
        Case{"/app.js", "text/javascript; charset=utf-8", "service/web/app.js"},
        Case{"/app.css", "text/css; charset=utf-8", "service/web/app.css"},
        Case{"/favicon.ico", "image/svg+xml", "service/web/favicon.svg"},
        Case{"/example/family.csv", "text/csv; charset=utf-8",
             "data/examples/family_segregation.csv"},
        Case{"/example/antibodies.txt", "text/plain; charset=utf-8",
             "data/examples/patient_antibodies.txt"}}) {
    SCOPED_TRACE(c.path);
    const Response r = Get(c.path);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, c.type);
    EXPECT_EQ(r.body, ReadFile(c.file));
    EXPECT_TRUE(IsPagePath(c.path));
    EXPECT_EQ(service_->Handle({"HEAD", c.path, ""}).status, 200);
    const Response post = Post(c.path, "{}");
    EXPECT_EQ(post.status, 405);
    ASSERT_EQ(post.headers.size(), 1u);
    EXPECT_EQ(post.headers[0].second, "GET");
  }
  EXPECT_FALSE(IsPagePath("/v1/match"));
  EXPECT_FALSE(IsPagePath("/index.html"));
}

// Every answer forbids inline and foreign script, framing, sniffing and
// caching (server.cc sends these on each reply).
TEST_F(ServiceTest, StandardHeadersAllowTheOwnScriptOnly) {
  std::map<std::string, std::string> h;
  for (const auto& [k, v] : StandardHeaders()) h[k] = v;
  const std::string csp = h["Content-Security-Policy"];
  EXPECT_THAT(csp, HasSubstr("default-src 'none'"));
  EXPECT_THAT(csp, HasSubstr("script-src 'self';"));
  EXPECT_THAT(csp, HasSubstr("connect-src 'self'"));
  EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(csp, Not(HasSubstr("unsafe")));
  EXPECT_EQ(h["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(h["Cache-Control"], "no-store");
  EXPECT_EQ(h["X-Frame-Options"], "DENY");
}

// The page's own files never carry inline script or style the policy
// would block (a page that works only without the policy is broken).
TEST_F(ServiceTest, PageHasNoInlineScriptOrStyle) {
  const std::string html = Get("/").body;
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr(" style=\"")));
  EXPECT_THAT(html, Not(HasSubstr(" onclick=")));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
}

TEST_F(ServiceTest, ValidateGivesTheErrorsOffset) {
  struct Case {
    const char* typing;
    int offset;  // -1: valid
  };
  std::vector<std::string> typings;
  const Case cases[] = {{"A*01:01+A*99:99", 8},
                        {"A*01:01^DRB1*14:", 16},
                        {"A*01:01+A*02:01^B*08:01", -1},
                        {"A*01:01^^B*08:01", 8},
                        {"A*01:01+B*08:01", 8}};
  for (const Case& c : cases) typings.push_back(c.typing);
  const Response r = Post(
      "/v1/validate",
      absl::StrCat(R"({"typings":[")", absl::StrJoin(typings, "\",\""), "\"]}"));
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json j = nlohmann::json::parse(r.body);
  for (size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE(cases[i].typing);
    const nlohmann::json& res = j["results"][i];
    if (cases[i].offset < 0) {
      EXPECT_TRUE(res["valid"].get<bool>());
      EXPECT_FALSE(res.contains("offset"));
    } else {
      EXPECT_FALSE(res["valid"].get<bool>());
      EXPECT_EQ(res["offset"].get<int>(), cases[i].offset) << res.dump();
    }
  }
}

// /v1/donor-file reads a file as the CLI does: the same rows from CSV, TSV
// and JSON Lines; bad rows listed with their line, the rest kept.
TEST_F(ServiceTest, DonorFileReadsCsvTsvAndJsonLinesAlike) {
  const std::string csv = ReadFile("data/examples/family_segregation.csv");
  std::string tsv = csv;
  std::replace(tsv.begin(), tsv.end(), ',', '\t');
  const nlohmann::json from_csv = nlohmann::json::parse(
      Post("/v1/donor-file", nlohmann::json{{"text", csv}}.dump()).body);
  EXPECT_EQ(from_csv["format"], "csv");
  EXPECT_EQ(from_csv["family"], true);
  ASSERT_EQ(from_csv["rows"].size(), 7u);
  EXPECT_EQ(from_csv["rows"][1]["source"], "file:3");
  const nlohmann::json mother = from_csv["rows"][1]["row"];
  EXPECT_EQ(mother["id"], "mother");
  EXPECT_EQ(mother["role"], "mother");
  EXPECT_EQ(mother["birth_date"], "1954-03-02");
  EXPECT_EQ(mother["sex"], "female");
  EXPECT_EQ(mother["abo"], "A+");
  EXPECT_EQ(mother["cmv"], "positive");
  EXPECT_EQ(from_csv["rows"][5]["row"]["age"], 19);
  const nlohmann::json from_tsv = nlohmann::json::parse(
      Post("/v1/donor-file", nlohmann::json{{"text", tsv}}.dump()).body);
  EXPECT_EQ(from_tsv["format"], "tsv");
  std::string jsonl;
  for (const nlohmann::json& r : from_csv["rows"]) jsonl += r["row"].dump() + "\n";
  const nlohmann::json from_jsonl = nlohmann::json::parse(
      Post("/v1/donor-file", nlohmann::json{{"text", jsonl}}.dump()).body);
  EXPECT_EQ(from_jsonl["format"], "jsonl");
  for (size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(from_tsv["rows"][i]["row"], from_csv["rows"][i]["row"]) << i;
    // Read back from its own rows, a file gives the same rows.
    EXPECT_EQ(from_jsonl["rows"][i]["row"], from_csv["rows"][i]["row"]) << i;
  }
  // A bad row is listed with its line; the rows around it are kept.
  const std::string bad =
      "id,glstring,abo\nd1,A*01:01+A*02:01,A+\nd2,A*99:99,O\nd3,A*03:01,Q\n"
      "d4,A*24:02,B-\n";
  const nlohmann::json b = nlohmann::json::parse(
      Post("/v1/donor-file", nlohmann::json{{"text", bad}}.dump()).body);
  EXPECT_EQ(b["family"], false);
  ASSERT_EQ(b["rows"].size(), 2u);
  EXPECT_EQ(b["rows"][1]["row"]["id"], "d4");
  ASSERT_EQ(b["rejected"].size(), 2u);
  EXPECT_EQ(b["rejected"][0]["source"], "file:3");
  EXPECT_THAT(b["rejected"][0]["error"].get<std::string>(), HasSubstr("A*99:99"));
  EXPECT_EQ(b["rejected"][1]["source"], "file:4");
  // Request errors.
  EXPECT_EQ(Post("/v1/donor-file", "{}").status, 400);
  EXPECT_THAT(Post("/v1/donor-file", R"({"text":"id\n","format":"xls"})").body,
              HasSubstr("'format' must be auto, csv, tsv or jsonl"));
  EXPECT_THAT(Post("/v1/donor-file", R"({"text":"name,hla\nx,A*01:01\n"})").body,
              HasSubstr("id"));
}

// What the page sends for the example family (its rows from /v1/donor-file,
// the patient's facts, the example antibodies, NCT04835883) is answered as
// the CLI answers `match|rank|family --family FILE` on the same file.
TEST_F(ServiceTest, FamilyRowsAloneAnswerAsTheCliFamilyFile) {
  const std::string file = "data/examples/family_segregation.csv";
  const nlohmann::json parsed = nlohmann::json::parse(
      Post("/v1/donor-file", nlohmann::json{{"text", ReadFile(file)}}.dump()).body);
  nlohmann::json rows = nlohmann::json::array();
  for (const nlohmann::json& r : parsed["rows"]) rows.push_back(r["row"]);
  const nlohmann::json request = {
      {"family", rows},
      {"recipient",
       {{"abo", "A+"}, {"cmv", "positive"}, {"sex", "male"},
        {"antibodies", "A24 3500\nDR13 600\nB44 2500\n"}}},
      {"options", {{"protocol", "NCT04835883"}, {"as_of", "2026-11-26"}}}};
  const std::vector<std::string> flags = {
      "--family", file, "--recipient-abo", "A+", "--recipient-cmv", "pos",
      "--recipient-sex", "M", "--antibodies",
      "@data/examples/patient_antibodies.txt", "--protocol", "NCT04835883",
      "--as-of", "2026-11-26", "--format", "json"};
  // rank: byte for byte.
  CliResult cli_rank = RunCli(cli::RunRank, flags);
  ASSERT_EQ(cli_rank.rc, 0) << cli_rank.err;
  const Response rank = Post("/v1/rank", request.dump());
  ASSERT_EQ(rank.status, 200) << rank.body;
  EXPECT_EQ(rank.body, cli_rank.out);
  // match: the same document but for each donor's source, which names the
  // request's row ("family[1]") where the CLI names the file's line.
  CliResult cli_match = RunCli(cli::RunMatch, flags);
  ASSERT_EQ(cli_match.rc, 0) << cli_match.err;
  const Response match = Post("/v1/match", request.dump());
  ASSERT_EQ(match.status, 200) << match.body;
  nlohmann::json a = nlohmann::json::parse(match.body);
  nlohmann::json b = nlohmann::json::parse(cli_match.out);
  ASSERT_EQ(a["donors"].size(), 6u);
  EXPECT_EQ(a["donors"][0]["source"], "family[1]");
  EXPECT_EQ(b["donors"][0]["source"], absl::StrCat(file, ":3"));
  for (auto* doc : {&a, &b}) {
    for (nlohmann::json& d : (*doc)["donors"]) d.erase("source");
  }
  EXPECT_EQ(a, b);
  // family: byte for byte.
  CliResult cli_family =
      RunCli(cli::RunFamily, {"--family", file, "--format", "json"});
  ASSERT_EQ(cli_family.rc, 0) << cli_family.err;
  const Response family =
      Post("/v1/family", nlohmann::json{{"family", rows}}.dump());
  ASSERT_EQ(family.status, 200) << family.body;
  EXPECT_EQ(family.body, cli_family.out);
}

TEST_F(ServiceTest, FamilyListsWhatCannotBeUsed) {
  // A row with an unknown role is rejected (named by its index); two
  // patients make the family unusable: both listed, nothing dropped
  // silently.
  Response r = Post(
      "/v1/family",
      R"({"family":[{"id":"P","role":"patient","typing":"A*01:01+A*02:01"},)"
      R"({"id":"F","role":"father","typing":"A*01:01+A*03:01"},)"
      R"({"id":"Q","role":"cousin","typing":"A*01:01+A*24:02"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["rejected"].size(), 1u);
  EXPECT_THAT(j["rejected"][0]["error"].get<std::string>(), HasSubstr("family[2]"));
  ASSERT_EQ(j["families"].size(), 1u);
  EXPECT_EQ(j["families"][0]["members"].size(), 2u);
  r = Post("/v1/family",
           R"({"family":[{"id":"P","role":"patient","typing":"A*01:01"},)"
           R"({"id":"Q","role":"patient","typing":"A*02:01"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  j = nlohmann::json::parse(r.body);
  EXPECT_TRUE(j["families"].empty());
  ASSERT_EQ(j["rejected"].size(), 1u);
  EXPECT_EQ(Post("/v1/family", "{}").status, 400);
  EXPECT_EQ(Post("/v1/family", R"({"family":[],"options":{"x":1}})").status, 400);
  // Without donors or a family, match still needs its donors.
  EXPECT_THAT(Post("/v1/match", R"({"recipient":{"typing":"A*01:01"}})").body,
              HasSubstr("'donors' must be an array of objects"));
  // A family without a typed patient gives no recipient; one without a
  // patient does not segregate.
  EXPECT_THAT(
      Post("/v1/match",
           R"({"family":[{"id":"P","role":"patient"},)"
           R"({"id":"F","role":"father","typing":"A*01:01+A*02:01"},)"
           R"({"id":"S","role":"sibling","typing":"A*01:01+A*03:01"}]})")
          .body,
      HasSubstr("'recipient.typing' is required: the family has no typed patient"));
  EXPECT_THAT(
      Post("/v1/match",
           R"({"family":[{"id":"F","role":"father","typing":"A*01:01"}]})")
          .body,
      HasSubstr("no member has role patient"));
}

// /v1/parse: `parse --format json` per typing, or the error and offset.
TEST_F(ServiceTest, ParseGivesTheTreeOrTheErrorWithItsOffset) {
  CliResult cli = RunCli(cli::RunParse, {"--format", "json", "A*01:01/A*01:02+A*24:02"});
  ASSERT_EQ(cli.rc, 0) << cli.err;
  const Response r = Post("/v1/parse",
                          R"({"typings":["A*01:01/A*01:02+A*24:02","A*01:01^^B*08:01"]})");
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["results"][0]["parsed"], nlohmann::json::parse(cli.out));
  EXPECT_EQ(j["results"][1]["offset"], 8);
  EXPECT_THAT(j["results"][1]["error"].get<std::string>(), HasSubstr("offset 8"));
  EXPECT_EQ(Post("/v1/parse", R"({"typings":"A*01:01"})").status, 400);
}

// What haplomatch.dask merges: rank's rows in rank's order, each with its
// key (ascending, ties by store place) and its CSV and JSON without the
// rank number; a registry opened beside a service shares its reference.
TEST_F(ServiceTest, RankForMergeIsRanksRowsWithTheirKeys) {
  absl::StatusOr<std::unique_ptr<Service>> reg =
      service_->WithRegistry("data/examples/family.csv");
  ASSERT_TRUE(reg.ok()) << reg.status();
  EXPECT_EQ((*reg)->registry_size(), 6u);
  EXPECT_EQ((*reg)->imgt_version(), "3.58.0");
  const std::string body = absl::StrCat(
      R"({"recipient":{"typing":")", kRecipient,
      R"(","antibodies":"A24:3500,DR13:600,B44:2500"},)",
      R"("options":{"protocol":"NCT04835883","as_of":"2026-11-26","top":0}})");
  const Response rank = (*reg)->Handle({"POST", "/v1/rank", body});
  ASSERT_EQ(rank.status, 200) << rank.body;
  const Response merge = (*reg)->RankForMerge({"POST", "/v1/rank", body});
  ASSERT_EQ(merge.status, 200) << merge.body;
  const nlohmann::json want = nlohmann::json::parse(rank.body);
  const nlohmann::json got = nlohmann::json::parse(merge.body);
  for (const char* k : {"read", "ranked", "eligible", "needs_review", "excluded", "rejected"}) {
    EXPECT_EQ(got[k], want[k]) << k;
  }
  CliResult cli = RunCli(
      cli::RunRank,
      {"--recipient", kRecipient, "--antibodies", "A24:3500,DR13:600,B44:2500",
       "--donors", "data/examples/family.csv", "--protocol", "NCT04835883",
       "--as-of", "2026-11-26", "--top", "0", "--format", "csv"});
  ASSERT_EQ(cli.rc, 0) << cli.err;
  std::string csv = got["csv_header"];
  ASSERT_EQ(got["donors"].size(), want["donors"].size());
  for (size_t i = 0; i < got["donors"].size(); ++i) {
    const nlohmann::json& d = got["donors"][i];
    absl::StrAppend(&csv, i + 1, ",", d["csv"].get<std::string>());
    EXPECT_EQ(nlohmann::json::parse(absl::StrCat("{\"rank\":", i + 1, ",",
                                                 d["json"].get<std::string>())),
              want["donors"][i]);
    if (i > 0) {
      const nlohmann::json& prev = got["donors"][i - 1];
      EXPECT_TRUE(prev["key"] < d["key"] ||
                  (prev["key"] == d["key"] && prev["index"] < d["index"]));
    }
  }
  EXPECT_EQ(csv, cli.out);
  EXPECT_FALSE(service_->WithRegistry(dir_ + "/missing.csv").ok());
}

// serve --web-dir: the page from a directory, read at each request (an
// edited copy shows on reload); a directory without the files is refused
// at start, naming the file.
TEST_F(ServiceTest, WebDirServesTheEditedPage) {
  for (const char* name : {"index.html", "app.js", "app.css", "favicon.svg"}) {
    std::ofstream(dir_ + "/" + name) << "edited " << name;
  }
  ServiceOptions o;
  o.web_dir = dir_;
  absl::StatusOr<std::unique_ptr<Service>> s = Service::Create(o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ((*s)->Handle({"GET", "/", ""}).body, "edited index.html");
  std::ofstream(dir_ + "/app.js") << "edited again";
  EXPECT_EQ((*s)->Handle({"GET", "/app.js", ""}).body, "edited again");
  EXPECT_EQ((*s)->Handle({"GET", "/favicon.ico", ""}).body, "edited favicon.svg");
  // The examples stay the shipped ones.
  EXPECT_EQ((*s)->Handle({"GET", "/example/antibodies.txt", ""}).body,
            ReadFile("data/examples/patient_antibodies.txt"));
  std::filesystem::remove(dir_ + "/app.css");
  const Response gone = (*s)->Handle({"GET", "/app.css", ""});
  EXPECT_EQ(gone.status, 500);
  EXPECT_THAT(gone.body, HasSubstr("app.css"));
  absl::StatusOr<std::unique_ptr<Service>> refused = Service::Create(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("app.css"));
}

TEST(ServiceCreate, MissingReleaseIsAnError) {
  ::setenv("HAPLOMATCH_DATA_DIR", HLA_SHIPPED_DATA_DIR, 1);
  ServiceOptions o;
  o.imgt = "9.99.0";
  EXPECT_FALSE(Service::Create(o).ok());
  o.imgt = "";
  o.donors = "/nonexistent/donors.csv";
  EXPECT_FALSE(Service::Create(o).ok());
}

}  // namespace
}  // namespace hla::service
