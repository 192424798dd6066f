// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The service's pure helpers, which need neither a release nor a socket:
// the listen address and its loopback check, the token file, the
// constant-time compare (service/server.h), and status -> HTTP error
// (service/service.h). The handlers and the server, on the shipped data,
// are in service_test.cc and server_test.cc.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "service/server.h"
#include "service/service.h"

namespace hla::service {
namespace {

using ::testing::HasSubstr;

TEST(ParseListen, ReadsHostAndPort) {
  absl::StatusOr<ListenAddress> a = ParseListen("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  a = ParseListen("[::1]:0");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  a = ParseListen(":9000");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_FALSE(ParseListen("localhost").ok());
  EXPECT_FALSE(ParseListen("127.0.0.1:99999").ok());
  EXPECT_FALSE(ParseListen("[::1]8080").ok());
}

TEST(CheckListen, NonLoopbackNeedsAToken) {
  EXPECT_TRUE(CheckListen({"127.0.0.1", 80}, false).ok());
  EXPECT_TRUE(CheckListen({"::1", 80}, false).ok());
  EXPECT_TRUE(CheckListen({"localhost", 80}, false).ok());
  const absl::Status s = CheckListen({"0.0.0.0", 80}, false);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.message()), HasSubstr("--token-file"));
  EXPECT_TRUE(CheckListen({"0.0.0.0", 80}, true).ok());
  EXPECT_TRUE(IsLoopback("127.1.2.3"));
  EXPECT_FALSE(IsLoopback("127.example.com"));
  EXPECT_FALSE(IsLoopback("::"));
  EXPECT_FALSE(IsLoopback("10.0.0.1"));
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("secret-token-123", "secret-token-123"));
  EXPECT_FALSE(ConstantTimeEquals("secret-token-123", "secret-token-124"));
  EXPECT_FALSE(ConstantTimeEquals("secret-token-123", "secret-token-12"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(ReadTokenFile, NeedsSixteenBytes) {
  const std::string dir =
      absl::StrCat(::testing::TempDir(), "/hm_token_", ::getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/short") << "abc\n";
  std::ofstream(dir + "/good") << "  0123456789abcdef\n";
  EXPECT_EQ(ReadTokenFile(dir + "/short").status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::string> t = ReadTokenFile(dir + "/good");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "0123456789abcdef");
  EXPECT_EQ(ReadTokenFile(dir + "/none").status().code(),
            absl::StatusCode::kNotFound);
  // A device or a wrong file is not read to its end.
  if (std::filesystem::exists("/dev/zero")) {
    const absl::Status z = ReadTokenFile("/dev/zero").status();
    EXPECT_EQ(z.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(z.message()), HasSubstr("is over 4096 bytes"));
  }
  std::ofstream(dir + "/two") << "0123456789abcdef\nsecond line\n";
  EXPECT_THAT(std::string(ReadTokenFile(dir + "/two").status().message()),
              HasSubstr("more than one line"));
  std::filesystem::remove_all(dir);
}

TEST(ErrorFromStatus, MapsCodesToHttp) {
  EXPECT_EQ(ErrorFromStatus(absl::InvalidArgumentError("x")).status, 400);
  EXPECT_EQ(ErrorFromStatus(absl::NotFoundError("x")).status, 400);
  EXPECT_EQ(ErrorFromStatus(absl::OutOfRangeError("x")).status, 400);
  EXPECT_EQ(ErrorFromStatus(absl::DeadlineExceededError("x")).status, 504);
  EXPECT_EQ(ErrorFromStatus(absl::ResourceExhaustedError("x")).status, 503);
  EXPECT_EQ(ErrorFromStatus(absl::InternalError("x")).status, 500);
  EXPECT_EQ(ErrorResponse(418, "c", "say \"hi\"\n").body,
            "{\"error\":{\"code\":\"c\",\"message\":\"say \\\"hi\\\"\\n\"}}\n");
}

// A 500 from an exception says nothing of the program's internals (once,
// it carried the C++ exception text).
TEST(InternalErrorResponse, SaysNothingOfTheInternals) {
  const Response r = InternalErrorResponse();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body,
            "{\"error\":{\"code\":\"internal\",\"message\":\"internal error; "
            "the request was not processed\"}}\n");
}

// ---- The request head's checks, table-driven (CheckRequestHead).

struct HeadCase {
  const char* name;
  RequestHead head;
  const char* token;
  int status;  // 0: accepted
};

RequestHead Head(const char* method, std::optional<std::string> host,
                 std::optional<std::string> type = "application/json") {
  RequestHead h;
  h.method = method;
  h.host = std::move(host);
  h.content_type = std::move(type);
  h.content_length = true;
  return h;
}

TEST(CheckRequestHead, EachRuleWithItsStatus) {
  const char* kToken = "0123456789abcdef0123";
  std::vector<HeadCase> cases = {
      {"loopback names", Head("POST", "localhost:8080"), "", 0},
      {"127.0.0.1", Head("GET", "127.0.0.1", std::nullopt), "", 0},
      {"[::1]:8080", Head("GET", "[::1]:8080", std::nullopt), "", 0},
      {"LOCALHOST", Head("GET", "LOCALHOST", std::nullopt), "", 0},
      {"no Host in HTTP/1.1", Head("GET", std::nullopt), "", 400},
      {"DNS rebinding", Head("GET", "attacker.example:8080"), "", 403},
      {"a name starting 127.", Head("GET", "127.0.0.1.evil.example"), "", 403},
      {"with a token any Host", Head("GET", "registry.example"), kToken, 401},
      {"text/plain POST", Head("POST", "localhost", "text/plain"), "", 415},
      {"form POST",
       Head("POST", "localhost", "application/x-www-form-urlencoded"), "", 415},
      {"no Content-Type POST", Head("POST", "localhost", std::nullopt), "", 415},
      {"JSON with charset",
       Head("POST", "localhost", "Application/JSON; charset=utf-8"), "", 0},
  };
  RequestHead v10 = Head("GET", std::nullopt);
  v10.version = 10;
  cases.push_back({"HTTP/1.0 without Host", v10, "", 0});
  for (const char* auth : {"Bearer 0123456789abcdef0123",
                           "bearer 0123456789abcdef0123",
                           "BEARER   0123456789abcdef0123"}) {
    RequestHead h = Head("GET", "registry.example");
    h.authorization = auth;
    cases.push_back({auth, h, kToken, 0});
  }
  // The page's files are served without the token (a browser opening the
  // page cannot send one); the API, and anything but GET/HEAD, is not.
  struct PageCase {
    const char* method;
    const char* path;
    int status;
  };
  for (const PageCase& p : {PageCase{"GET", "/", 0}, PageCase{"HEAD", "/app.js", 0},
                            PageCase{"GET", "/example/family.csv", 0},
                            PageCase{"POST", "/", 401},
                            PageCase{"GET", "/v1/version", 401},
                            PageCase{"GET", "/secret", 401}}) {
    RequestHead h = Head(p.method, "registry.example");
    h.path = p.path;
    cases.push_back({p.path, h, kToken, p.status});
  }
  for (const char* auth : {"Bearer 0123456789abcdef0124", "Basic abc",
                           "Bearer0123456789abcdef0123", ""}) {
    RequestHead h = Head("GET", "localhost");
    h.authorization = auth;
    cases.push_back({auth, h, kToken, 401});
  }
  struct Te {
    const char* value;
    bool content_length;
    int status;
  };
  for (const Te& te : {Te{"chunked", false, 411}, Te{"gzip, chunked", false, 411},
                       Te{"gzip", false, 400}, Te{"chunked, gzip", false, 400},
                       Te{"chunked", true, 400}}) {
    RequestHead h = Head("POST", "localhost");
    h.transfer_encoding = te.value;
    h.content_length = te.content_length;
    cases.push_back({te.value, h, "", te.status});
  }
  for (const HeadCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::optional<HeadRefusal> r = CheckRequestHead(c.head, c.token);
    EXPECT_EQ(r ? r->status : 0, c.status) << (r ? r->message : "");
  }
  EXPECT_EQ(cases.size(), 31u);
}

}  // namespace
}  // namespace hla::service
