// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// service/server.h over real sockets: a server on an ephemeral loopback port
// in a thread, called with httplib's client (a test-only dependency) or, for
// what no well-behaved client does (trickling, oversized or malformed
// requests), a raw socket; each test stops its server. The pure helpers
// (listen address, token file, constant-time compare) are in
// helpers_test.cc.
//
// Timing: a loaded machine may delay any step by seconds, so no test
// asserts on elapsed time. A test about a server timeout sets that timeout
// small (and the others out of reach, Patient()) and waits for its effect,
// a 408 or a closed connection, with kNoHang: an upper bound that only keeps
// a broken server from hanging the test, never reached when it works.
#include "service/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
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
using ::testing::Not;

// How long a test waits for an event before it calls the server hung.
constexpr std::chrono::seconds kNoHang(60);

// Polls `done` until it holds (true) or kNoHang has passed (false).
bool WaitFor(const std::function<bool()>& done) {
  const auto end = std::chrono::steady_clock::now() + kNoHang;
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// All of `data` on a raw socket (no SIGPIPE when the server has closed).
bool Send(int fd, const std::string& data) {
  return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) ==
         static_cast<ssize_t>(data.size());
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

  // Options whose timeouts cannot fire during a test, so that a test sees
  // only the one it sets small.
  static ServerOptions Patient() {
    ServerOptions o;
    o.queue_timeout = o.read_timeout = o.write_timeout =
        o.request_read_timeout = o.request_timeout = absl::Hours(1);
    return o;
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

  // A connection on which one request has been answered: the server has
  // accepted it and keeps it open for the next request. -1 on failure (and
  // the test fails).
  int ServedConnection() const {
    const int fd = Connect();
    if (fd < 0) {
      ADD_FAILURE() << "cannot connect";
      return -1;
    }
    const bool sent =
        Send(fd, "GET /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const Received r = ReadFor(fd, "{\"status\":\"ok\"}\n", kNoHang);
    if (!sent || r.data.rfind("HTTP/1.1 200", 0) != 0 || r.closed) {
      ADD_FAILURE() << "no keep-alive answer: " << r.data;
      ::close(fd);
      return -1;
    }
    return fd;
  }

  httplib::Client Client() {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_connection_timeout(kNoHang.count());
    c.set_read_timeout(kNoHang.count());
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
  // The page opens without the token (it then asks for it); its answers,
  // like every answer, carry the policy that allows its own script only.
  httplib::Client browser = Client();
  r = browser.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(r->get_header_value("Content-Security-Policy"),
              HasSubstr("script-src 'self'"));
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  r = browser.Post("/v1/validate", R"({"typings":["A*01:01"]})",
                   "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_THAT(r->get_header_value("Content-Security-Policy"),
              HasSubstr("default-src 'none'"));
}

// The head's checks on the wire: refused before the body is read, the
// connection closed; health answered even with every worker busy.
TEST_F(ServerTest, HostContentTypeAndTransferEncodingAreChecked) {
  Start(Patient());
  struct Wire {
    std::string request;
    const char* status;
  };
  const Wire kWire[] = {
      {"GET /v1/health HTTP/1.1\r\n\r\n", "HTTP/1.1 400"},
      {"GET /v1/health HTTP/1.1\r\nHost: attacker.example\r\n\r\n",
       "HTTP/1.1 403"},
      {"POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
       "text/plain\r\nContent-Length: 23\r\n\r\n{\"typings\":[\"A*02:01\"]}",
       "HTTP/1.1 415"},
      {"POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
       "application/json\r\nTransfer-Encoding: chunked\r\n\r\n17\r\n"
       "{\"typings\":[\"A*02:01\"]}\r\n0\r\nX-Trailer: " +
           std::string(100000, 'x') + "\r\n\r\n",
       "HTTP/1.1 411"},
      {"POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
       "application/json\r\nTransfer-Encoding: gzip\r\n\r\nGET /v1/health "
       "HTTP/1.1\r\nHost: localhost\r\n\r\n",
       "HTTP/1.1 400"},
  };
  for (const Wire& w : kWire) {
    SCOPED_TRACE(w.status);
    const int fd = Connect();
    ASSERT_GE(fd, 0);
    (void)Send(fd, w.request);
    const Received r = ReadFor(fd, "}}\n", kNoHang);
    EXPECT_THAT(r.data, ::testing::StartsWith(w.status)) << r.data;
    EXPECT_THAT(r.data, HasSubstr("Connection: close"));
    // What followed the refused head is never served as a request.
    EXPECT_THAT(r.data, Not(HasSubstr("{\"status\":\"ok\"}")));
    ::close(fd);
  }
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

// A large answer to a slow but steady reader arrives whole, although it
// takes longer than write_timeout (which bounds each piece); a reader that
// stops is cut off, and sees fewer bytes than Content-Length.
TEST_F(ServerTest, SlowReaderGetsTheWholeAnswerAndAStalledOneIsCut) {
  ServerOptions o = Patient();
  o.write_timeout = absl::Milliseconds(300);
  Start(std::move(o));
  std::string body = R"({"typings":[)";
  for (int i = 0; i < 75000; ++i) absl::StrAppend(&body, i ? "," : "", R"("A*01:01")");
  body += "]}";
  const std::string request = absl::StrCat(
      "POST /v1/validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
      "application/json\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
  auto connect_small = [&]() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int small = 16 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  };
  // Header end and Content-Length of what was read so far.
  auto expected_size = [](const std::string& data) -> size_t {
    const size_t end = data.find("\r\n\r\n");
    const size_t at = data.find("Content-Length: ");
    if (end == std::string::npos || at == std::string::npos) return 0;
    return end + 4 + std::stoul(data.substr(at + 16));
  };
  {
    const int fd = connect_small();
    ASSERT_TRUE(Send(fd, request));
    std::string got;
    char buf[64 * 1024];
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      // kNoHang, not less: validating 75,000 typings before the first
      // byte took over 10 s under the sanitizers on a loaded machine;
      // what is tested is the pace of the writes after it.
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kNoHang).count())) <= 0) {
        break;
      }
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
      const size_t want = expected_size(got);
      if (want > 0 && got.size() >= want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_GT(expected_size(got), 3000000u);
    EXPECT_EQ(got.size(), expected_size(got));
    EXPECT_GT(took, std::chrono::milliseconds(300));  // longer than one piece
    ::close(fd);
  }
  {
    const int fd = connect_small();
    ASSERT_TRUE(Send(fd, request));
    Received first = ReadFor(fd, "\r\n\r\n", kNoHang);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    const Received rest = ReadFor(fd, "", kNoHang);
    EXPECT_TRUE(rest.closed);
    const std::string all = first.data + rest.data;
    EXPECT_LT(all.size(), expected_size(all));
    ::close(fd);
  }
}

TEST_F(ServerTest, OverloadIs503WithRetryAfter) {
  ServerOptions o;
  o.threads = 1;
  o.max_queue = 0;  // every connection counts as over the queue limit
  Start(std::move(o));
  httplib::Client c = Client();
  httplib::Result r =
      c.Post("/v1/validate", R"({"typings":["A*01:01"]})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  // Health is answered by the network thread, busy workers or not.
  httplib::Result h = c.Get("/v1/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
}

// A body that is started and never finished: once request_timeout has
// passed since the first byte, the server answers 408 and closes.
TEST_F(ServerTest, SlowBodyIsCutOff) {
  ServerOptions o = Patient();
  o.request_timeout = absl::Milliseconds(300);
  Start(std::move(o));
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  // 11 of the 40 bytes of the body.
  ASSERT_TRUE(Send(fd,
                   "POST /v1/validate HTTP/1.1\r\nHost: localhost\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: 40\r\n\r\n{\"typings\":"));
  const Received r = ReadFor(fd, "}}\n", kNoHang);
  EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 408"));
  EXPECT_THAT(r.data, HasSubstr("\"code\":\"request_timeout\""));
  EXPECT_THAT(r.data, HasSubstr("Connection: close"));
  // The rest of the body, too late now, is not read as a request.
  (void)Send(fd, "[\"A*02:01\"]");
  EXPECT_TRUE(r.closed || ReadFor(fd, "", kNoHang).closed);
  ::close(fd);
}

// A client that sends `prefix` (the request line and the start of a header),
// then one more header byte every 50 ms, and never ends the header: it stops
// only when told to or when the server has closed the connection. A request
// of it that ends was ended by the server's deadline from the first byte; a
// server that waited for the end of the header, or that restarted a timer on
// every byte, would never answer it.
class Trickler {
 public:
  Trickler(int fd, std::string prefix) : fd_(fd), prefix_(std::move(prefix)) {
    thread_ = std::thread([this] {
      if (!Send(fd_, prefix_)) return;
      while (!stop_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!Send(fd_, "a")) return;
        ++sent_;
      }
    });
  }
  ~Trickler() {
    stop_ = true;
    thread_.join();
  }

  // Header bytes sent after the prefix.
  int sent() const { return sent_; }

 private:
  const int fd_;
  const std::string prefix_;
  std::atomic<bool> stop_{false};
  std::atomic<int> sent_{0};
  std::thread thread_;
};

TEST_F(ServerTest, HeaderTrickleIsCutOffAndDoesNotHoldTheWorker) {
  ServerOptions o = Patient();
  o.threads = 1;  // one worker: a trickler holding it would starve the rest
  o.request_read_timeout = absl::Milliseconds(500);
  Start(std::move(o));
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  {
    Trickler trickle(fd, "GET /v1/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
    // Meanwhile another client is served.
    httplib::Client c = Client();
    httplib::Result h = c.Get("/v1/health");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->status, 200);
    // The trickle is cut off by request_read_timeout...
    const Received r = ReadFor(fd, "}}\n", kNoHang);
    EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 408"));
    EXPECT_THAT(r.data, HasSubstr("\"code\":\"request_timeout\""));
    EXPECT_THAT(r.data, HasSubstr("Connection: close"));
    // ...and then the server closes the connection, though the trickle goes
    // on.
    EXPECT_TRUE(r.closed || ReadFor(fd, "", kNoHang).closed);
  }
  ::close(fd);
  absl::MutexLock lock(&log_mu_);
  EXPECT_THAT(log_, ::testing::Contains(::testing::StartsWith(
                        "GET /v1/health 200 ")));
  EXPECT_THAT(log_, ::testing::Contains(::testing::StartsWith("- - 408 ")));
}

TEST_F(ServerTest, TrickleOnTheSecondKeepAliveRequestIsCutOff) {
  ServerOptions o = Patient();
  o.request_read_timeout = absl::Milliseconds(500);
  Start(std::move(o));
  const int fd = ServedConnection();
  ASSERT_GE(fd, 0);
  {
    Trickler trickle(fd, "GET /v1/version HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
    const Received r = ReadFor(fd, "}}\n", kNoHang);
    EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 408"));
    EXPECT_THAT(r.data, HasSubstr("\"code\":\"request_timeout\""));
  }
  ::close(fd);
}

TEST_F(ServerTest, IdleConnectionIsClosedWithoutAResponse) {
  ServerOptions o = Patient();
  o.read_timeout = absl::Milliseconds(300);
  Start(std::move(o));
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  const Received r = ReadFor(fd, "", kNoHang);
  ::close(fd);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.data, "");
}

TEST_F(ServerTest, HeadersOverTheLimitAre431AndClose) {
  Start({});
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd, absl::StrCat("GET /v1/health HTTP/1.1\r\nHost: localhost\r\n"
                                    "X-Big: ",
                                    std::string(10000, 'a'), "\r\n\r\n")));
  Received r = ReadFor(fd, "}}\n", kNoHang);
  EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 431"));
  EXPECT_THAT(r.data, HasSubstr("\"code\":\"header_too_large\""));
  EXPECT_TRUE(r.closed || ReadFor(fd, "", kNoHang).closed);
  ::close(fd);
}

TEST_F(ServerTest, MalformedRequestLineIs400AndClose) {
  Start({});
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd, "GET /v1/health HTTP/9.Z\r\nHost: localhost\r\n\r\n"));
  Received r = ReadFor(fd, "}}\n", kNoHang);
  EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(r.data, HasSubstr("malformed HTTP request"));
  EXPECT_TRUE(r.closed || ReadFor(fd, "", kNoHang).closed);
  ::close(fd);
}

TEST_F(ServerTest, KeepAliveAndPipelinedRequestsAreServedInOrder) {
  Start({});
  const int fd = Connect();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd,
                   "GET /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
                   "POST /v1/validate HTTP/1.1\r\nHost: localhost\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: 23\r\n\r\n{\"typings\":[\"A*02:01\"]}"
                   "GET /v1/nothing HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  const Received r = ReadFor(fd, "openapi.yaml)", kNoHang);
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
                   "POST /v1/validate HTTP/1.1\r\nHost: localhost\r\n"
                   "Content-Type: application/json\r\n"
                   "Expect: 100-continue\r\nContent-Length: 23\r\n\r\n"));
  Received r = ReadFor(fd, "\r\n\r\n", kNoHang);
  EXPECT_THAT(r.data, ::testing::StartsWith("HTTP/1.1 100 Continue\r\n\r\n"));
  ASSERT_TRUE(Send(fd, "{\"typings\":[\"A*02:01\"]}"));
  r = ReadFor(fd, "]}\n", kNoHang);
  ::close(fd);
  EXPECT_THAT(r.data, HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(r.data, HasSubstr("\"valid\":true"));
}

TEST_F(ServerTest, ConnectionsOverTheLimitGet503) {
  ServerOptions o = Patient();  // the held connection is never timed out
  o.max_connections = 1;
  Start(std::move(o));
  // Holds the only connection (accepted for sure, since it was answered).
  const int held = ServedConnection();
  ASSERT_GE(held, 0);
  httplib::Client c = Client();
  httplib::Result r = c.Get("/v1/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->get_header_value("Retry-After"), "1");
  ::close(held);
}

// The connection's timeouts are an hour, far beyond kNoHang: a Stop() that
// waited for the trickling request would not return in time.
TEST_F(ServerTest, StopReturnsWhileAClientTrickles) {
  Start(Patient());
  // The server has a session on this connection, waiting for a request.
  const int fd = ServedConnection();
  ASSERT_GE(fd, 0);
  {
    Trickler trickle(fd, "GET /v1/version HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
    ASSERT_TRUE(WaitFor([&] { return trickle.sent() >= 3; }));
    std::future<void> stopped = std::async(std::launch::async, [this] {
      server_->Stop();
      thread_.join();
    });
    if (stopped.wait_for(kNoHang) != std::future_status::ready) {
      // The server's thread cannot be joined: end the process, as a failure.
      std::fprintf(stderr, "Stop() did not return while a client trickled\n");
      std::abort();
    }
    server_.reset();
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

}  // namespace
}  // namespace hla::service
