// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// service/server.h over real sockets: a server on an ephemeral loopback port
// in a thread, called with httplib's client; each test stops its server.
// Also the pure helpers (listen address, token file, constant-time compare).
#include "service/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
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

class ServerTest : public ::testing::Test {
 protected:
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
    dir_ = absl::StrCat(::testing::TempDir(), "/hm_server_", ::getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (server_) {
      server_->Stop();
      thread_.join();
    }
    std::filesystem::remove_all(dir_);
  }

  // Starts a server on 127.0.0.1 and an ephemeral port.
  void Start(ServerOptions o) {
    o.listen = {"127.0.0.1", 0};
    o.log = [this](const std::string& line) {
      absl::MutexLock lock(&log_mu_);
      log_.push_back(line);
    };
    server_ = std::make_unique<Server>(service_, std::move(o));
    ASSERT_TRUE(server_->Bind().ok());
    ASSERT_GT(server_->port(), 0);
    thread_ = std::thread([this] { (void)server_->Serve(); });
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_connection_timeout(5);
    c.set_read_timeout(10);
    return c;
  }

  static Service* service_;
  static std::string* create_error_;
  std::string dir_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  absl::Mutex log_mu_;
  std::vector<std::string> log_;
};

Service* ServerTest::service_ = nullptr;
std::string* ServerTest::create_error_ = new std::string();

TEST_F(ServerTest, ServesHealthAndReduceOverHttp) {
  Start({});
  httplib::Client c = Client();
  httplib::Result h = c.Get("/v1/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  EXPECT_EQ(h->body, "{\"status\":\"ok\"}\n");
  EXPECT_EQ(h->get_header_value("Content-Type"), "application/json");
  httplib::Result r = c.Post("/v1/reduce",
                             R"({"typings":["A*01:01:01:01"],"level":"G"})",
                             "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->body, HasSubstr("\"reduced\":\"A*01:01:01G\""));
  // Status codes pass through: 400, 404, 405 with Allow.
  r = c.Post("/v1/reduce", "{", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = c.Get("/v1/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  r = c.Get("/v1/match");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "POST");
}

TEST_F(ServerTest, LogsMethodPathStatusAndNoBody) {
  Start({});
  httplib::Client c = Client();
  ASSERT_TRUE(c.Post("/v1/validate", R"({"typings":["A*02:01"]})",
                     "application/json"));
  server_->Stop();
  thread_.join();
  server_.reset();
  absl::MutexLock lock(&log_mu_);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_THAT(log_[0], ::testing::StartsWith("POST /v1/validate 200 "));
  EXPECT_THAT(log_[0], ::testing::Not(HasSubstr("A*02:01")));
}

TEST_F(ServerTest, LogsBodiesOnlyWhenAsked) {
  ServerOptions o;
  o.log_bodies = true;
  Start(std::move(o));
  httplib::Client c = Client();
  ASSERT_TRUE(c.Post("/v1/validate", R"({"typings":["A*02:01"]})",
                     "application/json"));
  server_->Stop();
  thread_.join();
  server_.reset();
  absl::MutexLock lock(&log_mu_);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_THAT(log_[0], HasSubstr(R"(body={"typings":["A*02:01"]})"));
}

TEST_F(ServerTest, TokenIsRequiredOnEveryRequest) {
  ServerOptions o;
  o.token = "0123456789abcdef0123";
  Start(std::move(o));
  httplib::Client c = Client();
  httplib::Result r = c.Get("/v1/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_THAT(r->body, HasSubstr("\"code\":\"unauthenticated\""));
  EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
  httplib::Client bad = Client();
  bad.set_bearer_token_auth("0123456789abcdef0124");
  r = bad.Get("/v1/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  httplib::Client good = Client();
  good.set_bearer_token_auth("0123456789abcdef0123");
  r = good.Get("/v1/version");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, BodyOverTheLimitIs413) {
  ServerOptions o;
  o.max_body_bytes = 1024;
  Start(std::move(o));
  httplib::Client c = Client();
  const std::string big =
      absl::StrCat(R"({"typings":[")", std::string(2000, 'A'), "\"]}");
  httplib::Result r = c.Post("/v1/validate", big, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr("\"code\":\"payload_too_large\""));
}

TEST_F(ServerTest, OverloadIs503WithRetryAfter) {
  ServerOptions o;
  o.threads = 1;
  o.max_queue = 0;  // every connection counts as over the queue limit
  Start(std::move(o));
  httplib::Client c = Client();
  httplib::Result r = c.Get("/v1/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
}

TEST_F(ServerTest, SlowBodyIsCutOff) {
  ServerOptions o;
  o.request_timeout = absl::Milliseconds(300);
  Start(std::move(o));
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string head =
      "POST /v1/validate HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n"
      "{\"typings\":";
  ASSERT_EQ(::write(fd, head.data(), head.size()),
            static_cast<ssize_t>(head.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  const std::string rest = "[\"A*02:01\"]";
  (void)!::write(fd, rest.data(), rest.size());
  std::string reply;
  char buf[4096];
  // Up to the end of the JSON error body (the server may keep the
  // connection open for its keep-alive timeout).
  for (ssize_t n; reply.find("}}\n") == std::string::npos &&
                  (n = ::read(fd, buf, sizeof buf)) > 0;) {
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  EXPECT_THAT(reply, ::testing::StartsWith("HTTP/1.1 408"));
  EXPECT_THAT(reply, HasSubstr("\"code\":\"request_timeout\""));
}

TEST_F(ServerTest, SecondServerCannotTakeTheSamePort) {
  // httplib's default SO_REUSEPORT would let it, and split the traffic.
  Start({});
  ServerOptions o;
  o.listen = {"127.0.0.1", server_->port()};
  Server second(service_, std::move(o));
  EXPECT_EQ(second.Bind().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ServerTest, NonLoopbackWithoutTokenDoesNotBind) {
  ServerOptions o;
  o.listen = {"0.0.0.0", 0};
  Server s(service_, std::move(o));
  EXPECT_EQ(s.Bind().code(), absl::StatusCode::kFailedPrecondition);
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

}  // namespace
}  // namespace hla::service
