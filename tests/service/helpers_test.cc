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
#include <string>

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

}  // namespace
}  // namespace hla::service
