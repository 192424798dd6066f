// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// cpp-httplib binding of the service (service/server.h). Why cpp-httplib
// (Debian's libcpp-httplib-dev 0.11) and not Boost.Beast: the service is a
// handful of small JSON endpoints on a thread pool, which httplib gives in a
// few lines with read/write timeouts, a body size limit and a pluggable task
// queue; Beast would mean writing the connection state machine, timeouts and
// the thread model ourselves on Asio, for no gain at this scale. httplib
// stays in this file: no header of ours includes it.
#include "service/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "httplib.h"

namespace hla::service {

absl::StatusOr<ListenAddress> ParseListen(absl::string_view text) {
  ListenAddress a;
  absl::string_view host, port;
  if (absl::StartsWith(text, "[")) {
    const size_t close = text.find(']');
    if (close == absl::string_view::npos || close + 1 >= text.size() ||
        text[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat(
          "--listen: '", text, "' is not [IPV6]:PORT"));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--listen: '", text, "' is not HOST:PORT"));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  int p = -1;
  if (!absl::SimpleAtoi(port, &p) || p < 0 || p > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen: '", port, "' is not a port (0-65535)"));
  }
  a.host = host.empty() ? "127.0.0.1" : std::string(host);
  a.port = p;
  return a;
}

bool IsLoopback(absl::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // A literal IPv4 address in 127.0.0.0/8, not any name starting "127."
  // ("127.example.com" may resolve anywhere).
  in_addr a{};
  const std::string h(host);
  return inet_pton(AF_INET, h.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

absl::Status CheckListen(const ListenAddress& address, bool have_token) {
  if (IsLoopback(address.host) || have_token) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to listen on ", address.host,
      ", which is not a loopback address, without an access token: give "
      "--token-file FILE (clients then send 'Authorization: Bearer <token>')"));
}

absl::StatusOr<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("--token-file: cannot read '", path, "'"));
  }
  std::ostringstream s;
  s << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(s.str()));
  if (token.size() < 16) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--token-file: '", path, "' holds ", token.size(),
        " bytes; a token needs at least 16 (e.g. openssl rand -hex 32)"));
  }
  return token;
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  // Every byte of the longer string is visited whatever the contents, so
  // the time says nothing about how long a prefix matched.
  const size_t n = std::max(a.size(), b.size());
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

namespace {

// Set by the task queue for the connection a worker is serving: it waited
// too long (or behind too many others) and gets 503 at once.
thread_local bool tls_overloaded = false;
// When the current request's headers were read; the per-request deadline
// counts from here.
thread_local absl::Time tls_start;
// The current request's body for the log (--log-bodies only): httplib's
// Request has no body when it was read through a ContentReader.
thread_local std::string tls_logged_body;

// httplib's ThreadPool (0.11) has an unbounded queue and no notion of
// overload. This one has the same fixed set of workers, and marks each
// connection that was queued behind `max_queue` others or for longer than
// `timeout`, so that it is answered 503 instead of being served late: the
// socket is still handled (and closed) by httplib, which a dropped task
// would not do.
class BoundedQueue : public httplib::TaskQueue {
 public:
  BoundedQueue(int threads, size_t max_queue, absl::Duration timeout)
      : max_queue_(max_queue), timeout_(timeout) {
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this] { Work(); });
    }
  }
  ~BoundedQueue() override = default;

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back({std::move(fn), absl::Now(), jobs_.size() >= max_queue_});
    }
    cv_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

 private:
  struct Job {
    std::function<void()> fn;
    absl::Time queued_at;
    bool over_limit = false;
  };

  void Work() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
        if (jobs_.empty()) return;  // shut down and drained
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      tls_overloaded =
          job.over_limit || absl::Now() - job.queued_at > timeout_;
      job.fn();
      tls_overloaded = false;
    }
  }

  const size_t max_queue_;
  const absl::Duration timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

void SetJson(const Response& r, httplib::Response& res) {
  res.status = r.status;
  for (const auto& [k, v] : r.headers) res.set_header(k, v);
  res.set_content(r.body, r.content_type.c_str());
}

void SetError(int status, absl::string_view code, absl::string_view message,
              httplib::Response& res) {
  SetJson(ErrorResponse(status, code, message), res);
}

template <typename D>
void SplitDuration(absl::Duration d, D&& set) {
  const int64_t us = absl::ToInt64Microseconds(d);
  set(static_cast<time_t>(us / 1000000), static_cast<time_t>(us % 1000000));
}

}  // namespace

struct Server::Impl {
  const Service* service;
  ServerOptions options;
  httplib::Server http;
  int port = -1;
  std::mutex log_mu;
  // Stop() may come before Serve() has started listening (httplib's stop()
  // does nothing then, and the server would run on): see Serve and Stop.
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> serving{false};

  void Dispatch(const httplib::Request& req, std::string body,
                httplib::Response& res) {
    Request r;
    r.method = req.method;
    r.path = req.path;
    if (options.log_bodies) tls_logged_body = body.substr(0, 4096);
    r.body = std::move(body);
    r.deadline = tls_start + options.request_timeout;
    SetJson(service->Handle(r), res);
  }

  void Install() {
    const int threads = std::max(1, options.threads);
    const size_t max_queue = options.max_queue;
    const absl::Duration queue_timeout = options.queue_timeout;
    http.new_task_queue = [threads, max_queue, queue_timeout] {
      return new BoundedQueue(threads, max_queue, queue_timeout);
    };
    http.set_payload_max_length(options.max_body_bytes);
    SplitDuration(options.read_timeout,
                  [&](time_t s, time_t us) { http.set_read_timeout(s, us); });
    SplitDuration(options.write_timeout,
                  [&](time_t s, time_t us) { http.set_write_timeout(s, us); });
    // Replaces httplib's default socket options, which set SO_REUSEPORT
    // where it exists: that would let a second server bind the same port
    // and silently take half the connections. TCP_NODELAY (inherited by
    // accepted sockets on Linux): a response goes out as headers, then body,
    // and with Nagle's algorithm the body waits for the client's delayed
    // ACK, 40 ms a request on loopback.
    http.set_socket_options([](socket_t sock) {
      const int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    });
    http.set_keep_alive_timeout(5);
    http.set_keep_alive_max_count(1000);

    http.set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) {
          tls_start = absl::Now();
          tls_logged_body.clear();
          if (tls_overloaded) {
            SetError(503, "unavailable",
                     "the server is busy; retry after a second", res);
            res.set_header("Retry-After", "1");
            res.set_header("Connection", "close");
            return httplib::Server::HandlerResponse::Handled;
          }
          if (!options.token.empty()) {
            const std::string auth = req.get_header_value("Authorization");
            absl::string_view given = auth;
            const bool bearer = absl::ConsumePrefix(&given, "Bearer ");
            if (!bearer || !ConstantTimeEquals(given, options.token)) {
              SetError(401, "unauthenticated",
                       "missing or wrong access token (send "
                       "'Authorization: Bearer <token>')",
                       res);
              res.set_header("WWW-Authenticate", "Bearer");
              // The body (if any) was not read: the connection cannot be
              // reused.
              res.set_header("Connection", "close");
              return httplib::Server::HandlerResponse::Handled;
            }
          }
          return httplib::Server::HandlerResponse::Unhandled;
        });

    auto without_body = [this](const httplib::Request& req,
                               httplib::Response& res) {
      Dispatch(req, req.body, res);
    };
    // Bodies are read through a ContentReader so that the whole body, not
    // only each read, must arrive before the deadline, and so that the size
    // limit holds even without a Content-Length.
    auto with_body = [this](const httplib::Request& req,
                            httplib::Response& res,
                            const httplib::ContentReader& reader) {
      std::string body;
      bool too_slow = false, too_big = false;
      const absl::Time deadline = tls_start + options.request_timeout;
      const bool ok = reader([&](const char* data, size_t n) {
        if (absl::Now() > deadline) {
          too_slow = true;
          return false;
        }
        if (body.size() + n > options.max_body_bytes) {
          too_big = true;
          return false;
        }
        body.append(data, n);
        return true;
      });
      if (!ok || too_slow || too_big) {
        res.set_header("Connection", "close");
        if (too_slow) {
          SetError(408, "request_timeout",
                   "the request body did not arrive in time", res);
        } else if (too_big || res.status == 413 ||
                   req.get_header_value<uint64_t>("Content-Length") >
                       options.max_body_bytes) {
          SetError(413, "payload_too_large",
                   absl::StrCat("the request body is over the limit of ",
                                options.max_body_bytes, " bytes"),
                   res);
        } else {
          SetError(400, "invalid_argument", "could not read the request body",
                   res);
        }
        return;
      }
      Dispatch(req, std::move(body), res);
    };
    http.Get(".*", without_body);
    http.Delete(".*", without_body);
    http.Options(".*", without_body);
    http.Post(".*", with_body);
    http.Put(".*", with_body);
    http.Patch(".*", with_body);

    // Errors httplib produces itself (413 on Content-Length, 400 on a bad
    // request line) get the same JSON error body as ours.
    http.set_error_handler([this](const httplib::Request&,
                                  httplib::Response& res) {
      if (!res.body.empty()) return;
      switch (res.status) {
        case 413:
          SetError(413, "payload_too_large",
                   absl::StrCat("the request body is over the limit of ",
                                options.max_body_bytes, " bytes"),
                   res);
          break;
        case 404:
          SetError(404, "not_found", "no such endpoint", res);
          break;
        default:
          SetError(res.status, res.status >= 500 ? "internal" : "invalid_argument",
                   absl::StrCat("HTTP status ", res.status), res);
      }
    });
    http.set_exception_handler([](const httplib::Request&,
                                  httplib::Response& res,
                                  std::exception_ptr) {
      SetError(500, "internal", "internal error", res);
    });
    if (options.log) {
      http.set_logger([this](const httplib::Request& req,
                             const httplib::Response& res) {
        const double ms = absl::ToDoubleMilliseconds(absl::Now() - tls_start);
        // The path is clipped: a client may put anything in a wrong one.
        std::string line = absl::StrFormat(
            "%s %s %d %.1f ms", req.method, req.path.substr(0, 64), res.status, ms);
        if (options.log_bodies) {
          absl::StrAppend(&line, " body=", tls_logged_body);
        }
        std::lock_guard<std::mutex> lock(log_mu);
        options.log(line);
      });
    }
  }
};

Server::Server(const Service* service, ServerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->service = service;
  impl_->options = std::move(options);
  impl_->Install();
}

Server::~Server() { Stop(); }

absl::Status Server::Bind() {
  const ListenAddress& a = impl_->options.listen;
  if (absl::Status s = CheckListen(a, !impl_->options.token.empty()); !s.ok()) {
    return s;
  }
  try {
    if (a.port == 0) {
      impl_->port = impl_->http.bind_to_any_port(a.host);
    } else {
      impl_->port = impl_->http.bind_to_port(a.host, a.port) ? a.port : -1;
    }
  } catch (const std::exception&) {
    impl_->port = -1;
  }
  if (impl_->port < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", a.host, ":", a.port,
                     " (in use, or not an address of this machine)"));
  }
  return absl::OkStatus();
}

int Server::port() const { return impl_->port; }

absl::Status Server::Serve() {
  // `serving` is set before `stop_requested` is read, and Stop() sets
  // `stop_requested` before it reads `serving` (both sequentially
  // consistent): either Serve sees the request and returns, or Stop sees
  // Serve and waits until httplib is running to stop it.
  impl_->serving = true;
  absl::Status status;
  if (!impl_->stop_requested) {
    try {
      // false after stop() too; that is not an error.
      (void)impl_->http.listen_after_bind();
    } catch (const std::exception& e) {
      status = absl::InternalError(absl::StrCat("server stopped: ", e.what()));
    }
  }
  impl_->serving = false;
  return status;
}

void Server::Stop() {
  impl_->stop_requested = true;
  while (impl_->serving && !impl_->http.is_running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (impl_->http.is_running()) impl_->http.stop();
}

}  // namespace hla::service
