// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// service/server.h over real sockets: a server on an ephemeral loopback port
// in a thread, called with httplib's client (a test-only dependency) or, for
// what no well-behaved client does (trickling, oversized or malformed
// requests), a raw socket; each test stops its server. Also the pure
// helpers (listen address, token file, constant-time compare).
//
// Timing: a loaded 2-core machine may delay any step by seconds, so the
// tests check upper bounds with wide margins (cut off within 10 s when the
// trickle would take a minute), never tight ones.
#include "service/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
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

// All of `data` on a raw socket (no SIGPIPE when the server has closed).
bool Send(int fd, const std::string& data) {
  return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) ==
         static_cast<ssize_t>(data.size());
}

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

  // A raw connection to the server (-1 on failure).
  int Connect() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  struct Received {
    std::string data;
    bool closed = false;  // EOF or reset before the timeout
  };
  // Reads until `until` occurs in what was read (when not empty), the
  // server closes the connection, or `timeout` passes.
  static Received ReadFor(int fd, const std::string& until,
                          std::chrono::milliseconds timeout) {
    Received r;
    const auto end = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    while (until.empty() || r.data.find(until) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          end - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) {
        r.closed = true;
        break;
      }
      r.data.append(buf, static_cast<size_t>(n));
    }
    return r;
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

// A client that sends the request line, then a header one byte every 100 ms
// (a minute for the whole header), until told to stop or the server closes.
class Trickler {
 public:
  Trickler(int fd, std::string prefix) : fd_(fd), prefix_(std::move(prefix)) {
    thread_ = std::thread([this] {
      if (!Send(fd_, prefix_)) return;
      for (int i = 0; i < 600 && !stop_; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (!Send(fd_, "a")) return;
      }
    });
  }
  ~Trickler() {
    stop_ = true;
    thread_.join();
  }

 private:
  const int fd_;
  const std::string prefix_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST_F(ServerTest, HeaderTrickleIsCutOffAndDoesNotHoldTheWorker) {
  ServerOptions o;
  o.threads = 1;  // one worker: a trickler holding it would starve the rest
  o.request_read_timeout = absl::Seconds(1);
  Start(std::move(o));
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  const auto start = std::chrono::steady_clock::now();
  {
    Trickler trickle(fd, "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    // Meanwhile another client is served at once.
    httplib::Client c = Client();
    httplib::Result h = c.Get("/v1/health");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200);
    const Received r = ReadFor(fd, "}}\n", std::chrono::seconds(20));
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 408"));
    EXPECT_THAT(r.data, HasSubstr("\"code\":\"request_timeout\""));
    EXPECT_THAT(r.data, HasSubstr("Connection: close"));
    EXPECT_LT(took, std::chrono::seconds(10));
    // Then the server closes the connection, though the trickle goes on.
    EXPECT_TRUE(r.closed ||
                ReadFor(fd, "", std::chrono::seconds(10)).closed);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  }
  ::close(fd);
  absl::MutexLock lock(&log_mu_);
  EXPECT_THAT(log_, ::testing::Contains(::testing::StartsWith(
                        "GET /v1/health 200 ")));
  EXPECT_THAT(log_, ::testing::Contains(::testing::StartsWith("- - 408 ")));
}

TEST_F(ServerTest, TrickleOnTheSecondKeepAliveRequestIsCutOff) {
  ServerOptions o;
  o.request_read_timeout = absl::Seconds(1);
  Start(std::move(o));
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"));
  Received r = ReadFor(fd, "{\"status\":\"ok\"}\n", std::chrono::seconds(10));
  ASSERT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 200"));
  ASSERT_FALSE(r.closed);
  const auto start = std::chrono::steady_clock::now();
  {
    Trickler trickle(fd, "GET /v1/version HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    r = ReadFor(fd, "}}\n", std::chrono::seconds(20));
    EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 408"));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  }
  ::close(fd);
}

TEST_F(ServerTest, IdleConnectionIsClosedWithoutAResponse) {
  ServerOptions o;
  o.read_timeout = absl::Milliseconds(300);
  Start(std::move(o));
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  const Received r = ReadFor(fd, "", std::chrono::seconds(10));
  ::close(fd);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data, "");
}

TEST_F(ServerTest, HeadersOverTheLimitAre431AndClose) {
  Start({});
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd, absl::StrCat("GET /v1/health HTTP/1.1\r\nHost: x\r\n"
                                    "X-Big: ",
                                    std::string(10000, 'a'), "\r\n\r\n")));
  Received r = ReadFor(fd, "}}\n", std::chrono::seconds(10));
  EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 431"));
  EXPECT_THAT(r.data, HasSubstr("\"code\":\"header_too_large\""));
  EXPECT_TRUE(r.closed || ReadFor(fd, "", std::chrono::seconds(10)).closed);
  ::close(fd);
}

TEST_F(ServerTest, MalformedRequestLineIs400AndClose) {
  Start({});
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd, "GET /v1/health HTTP/9.Z\r\nHost: x\r\n\r\n"));
  Received r = ReadFor(fd, "}}\n", std::chrono::seconds(10));
  EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(r.data, HasSubstr("malformed HTTP request"));
  EXPECT_TRUE(r.closed || ReadFor(fd, "", std::chrono::seconds(10)).closed);
  ::close(fd);
}

TEST_F(ServerTest, KeepAliveAndPipelinedRequestsAreServedInOrder) {
  Start({});
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd,
                   "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
                   "POST /v1/validate HTTP/1.1\r\nHost: x\r\n"
                   "Content-Length: 23\r\n\r\n{\"typings\":[\"A*02:01\"]}"
                   "GET /v1/nothing HTTP/1.1\r\nHost: x\r\n\r\n"));
  const Received r = ReadFor(fd, "openapi.yaml)", std::chrono::seconds(10));
  ::close(fd);
  const size_t ok = r.data.find("{\"status\":\"ok\"}");
  const size_t valid = r.data.find("\"valid\":true");
  const size_t missing = r.data.find("HTTP/1.1 404");
  ASSERT_NE(ok, std::string::npos) << r.data;
  ASSERT_NE(valid, std::string::npos) << r.data;
  ASSERT_NE(missing, std::string::npos) << r.data;
  EXPECT_LT(ok, valid);
  EXPECT_LT(valid, missing);
  // And httplib's keep-alive client reuses one connection.
  httplib::Client c = Client();
  c.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    httplib::Result h = c.Get("/v1/health");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200);
  }
}

TEST_F(ServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  Start({});
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd,
                   "POST /v1/validate HTTP/1.1\r\nHost: x\r\n"
                   "Expect: 100-continue\r\nContent-Length: 23\r\n\r\n"));
  Received r = ReadFor(fd, "\r\n\r\n", std::chrono::seconds(10));
  EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 100 Continue\r\n\r\n"));
  ASSERT_TRUE(Send(fd, "{\"typings\":[\"A*02:01\"]}"));
  r = ReadFor(fd, "]}\n", std::chrono::seconds(10));
  ::close(fd);
  EXPECT_THAT(r.data, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(r.data, HasSubstr("\"valid\":true"));
}

TEST_F(ServerTest, ConnectionsOverTheLimitGet503) {
  ServerOptions o;
  o.max_connections = 1;
  Start(std::move(o));
  const int idle = Connect();  // holds the only connection
  ASSERT_GE(idle, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  httplib::Client c = Client();
  httplib::Result r = c.Get("/v1/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  ::close(idle);
}

TEST_F(ServerTest, StopReturnsWhileAClientTrickles) {
  ServerOptions o;
  o.request_read_timeout = absl::Seconds(60);
  o.request_timeout = absl::Seconds(60);
  Start(std::move(o));
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  {
    Trickler trickle(fd, "GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto start = std::chrono::steady_clock::now();
    server_->Stop();
    thread_.join();
    server_.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  }
  ::close(fd);
}

TEST_F(ServerTest, SecondServerCannotTakeTheSamePort) {
  // SO_REUSEPORT would let it, and split the traffic.
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
