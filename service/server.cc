// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Boost.Beast binding of the service (service/server.h; why Beast and not
// cpp-httplib: docs/adr/005-beast-server.md). Beast and Asio stay in this
// file and service/internal/http_head.h (shared with the request fuzzer):
// no public header of ours includes them.
//
// Thread model:
//   - one network thread, the caller of Serve(), runs an io_context: it
//     accepts connections and does every read and write asynchronously, so
//     a slow or idle client costs a socket and a small buffer, never a
//     thread. Each connection is a Session on its own strand;
//   - `threads` workers (WorkPool) run the handlers (Service::Handle), which
//     are CPU-bound and short. A Session hands a complete request to the
//     pool and gets the Response back on its strand, then writes it. The
//     pool's queue is bounded: a request queued behind `max_queue` others or
//     picked up after queue_timeout is answered 503 without running it.
//
// One request on a connection (Session), each step under a timer of ours
// that cancels the socket's operations when it fires (Beast's tcp_stream
// timeouts close the socket, and then no 408 could be sent):
//   1. wait for the first byte: read_timeout (idle keep-alive connections
//      are closed silently after it);
//   2. request line, headers and body: min(request_read_timeout,
//      request_timeout) from that first byte, whatever the client's pace
//      (408 and close after it). Headers over kMaxHeaderBytes: 431; a body
//      over max_body_bytes: 413 (from Content-Length before reading it, or
//      when the chunks pass it); a malformed request: 400; a wrong token:
//      401 before the body is read. "Expect: 100-continue" is answered
//      after those checks;
//   3. the handler on a worker, with the deadline request_timeout from the
//      first byte (504 from the handler);
//   4. write the response, piece by piece: write_timeout a piece, and
//      write_timeout plus the size at kMinWriteBytesPerSecond in all (a
//      slow reader gets the whole answer, a stalled one is cut off, which
//      it sees as fewer bytes than Content-Length). The log line is written just
//      before. Then either the next request (keep-alive), or, after an
//      error that leaves the request unread, a lingering close: our side is
//      shut down and what the client still sends is read and dropped for
//      kLingerTime, so that its TCP stack does not reset the connection
//      before it has read our answer.
//
// Stop() stops the io_context: Serve() returns once the workers have
// finished the handlers they are running; queued requests and open
// connections are dropped.
#include "service/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "service/internal/http_head.h"

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
  // A token is a line: read at most 4 KiB (a device such as /dev/zero, or
  // a wrong file, must not be read to the end).
  constexpr size_t kMaxTokenFileBytes = 4096;
  std::string text(kMaxTokenFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxTokenFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--token-file: '", path, "' is over ", kMaxTokenFileBytes,
        " bytes; a token is one line (e.g. openssl rand -hex 32)"));
  }
  std::string token(absl::StripAsciiWhitespace(text));
  if (token.find_first_of(std::string("\0\r\n", 3)) != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--token-file: '", path, "' holds more than one line or a NUL byte; "
        "a token is one line"));
  }
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

std::optional<HeadRefusal> CheckRequestHead(const RequestHead& head,
                                            absl::string_view token) {
  if (head.version >= 11 && !head.host) {
    return HeadRefusal{400, "invalid_argument",
                       "a Host header is required (HTTP/1.1)"};
  }
  if (token.empty() && head.host) {
    absl::string_view host = absl::StripAsciiWhitespace(*head.host);
    if (absl::ConsumePrefix(&host, "[")) {
      host = host.substr(0, host.find(']'));
    } else {
      host = host.substr(0, host.find(':'));
    }
    if (!IsLoopback(absl::AsciiStrToLower(host))) {
      return HeadRefusal{
          403, "forbidden",
          absl::StrCat("Host '", head.host->substr(0, 64),
                       "' is not a loopback name: without a token the "
                       "server answers localhost, 127.0.0.1 and [::1] only")};
    }
  }
  const bool page = (head.method == "GET" || head.method == "HEAD") &&
                    IsPagePath(head.path);
  if (!token.empty() && !page) {
    absl::string_view given =
        head.authorization ? absl::string_view(*head.authorization) : "";
    given = absl::StripLeadingAsciiWhitespace(given);
    const bool bearer = given.size() > 6 &&
                        absl::EqualsIgnoreCase(given.substr(0, 6), "bearer") &&
                        (given[6] == ' ' || given[6] == '\t');
    if (bearer) given = absl::StripAsciiWhitespace(given.substr(7));
    if (!bearer || !ConstantTimeEquals(given, token)) {
      return HeadRefusal{401, "unauthenticated",
                         "missing or wrong access token (send "
                         "'Authorization: Bearer <token>')"};
    }
  }
  if (head.transfer_encoding) {
    if (head.content_length) {
      return HeadRefusal{400, "invalid_argument",
                         "Transfer-Encoding and Content-Length together"};
    }
    std::vector<std::string> codings = absl::StrSplit(
        absl::AsciiStrToLower(*head.transfer_encoding), ',');
    const absl::string_view last =
        codings.empty() ? "" : absl::StripAsciiWhitespace(codings.back());
    if (last != "chunked") {
      return HeadRefusal{400, "invalid_argument",
                         "a Transfer-Encoding must end in chunked"};
    }
    return HeadRefusal{411, "length_required",
                       "send the body with a Content-Length; chunked "
                       "bodies are not accepted"};
  }
  if (head.method == "POST") {
    absl::string_view type =
        head.content_type ? absl::string_view(*head.content_type) : "";
    type = absl::StripAsciiWhitespace(type.substr(0, type.find(';')));
    if (!absl::EqualsIgnoreCase(type, "application/json")) {
      return HeadRefusal{415, "unsupported_media_type",
                         "send the JSON body with 'Content-Type: "
                         "application/json'"};
    }
  }
  return std::nullopt;
}

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Request line and headers together (cpp-httplib's limit too).
constexpr uint32_t kMaxHeaderBytes = 8 * 1024;
// After an error response, how long (and how much) the client's unread
// request is drained before the socket is closed.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kLingerBytes = size_t{1} << 20;
// The slowest average pace at which a client may read a response (beyond
// write_timeout): 64 KiB/s, so that a 100 MB rank answer may take 26 min
// on a slow link but a reader that stalls is cut off after write_timeout.
constexpr size_t kMinWriteBytesPerSecond = 64 * 1024;
// SO_SNDBUF of an accepted connection (Linux doubles it for bookkeeping):
// at kMinWriteBytesPerSecond, half of it drains in about 4 s, within the
// default write_timeout of 5 s.
constexpr int kSendBufferBytes = 256 * 1024;
// When accept fails for want of file descriptors, the wait before retrying.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);

std::chrono::steady_clock::duration ToChrono(absl::Duration d) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      absl::ToChronoNanoseconds(std::max(d, absl::ZeroDuration())));
}

using internal::FromBeast;

// A fixed set of workers over a FIFO queue; a job learns whether it was
// queued behind max_queue others or waited longer than `timeout`.
class WorkPool {
 public:
  using Job = std::function<void(bool overloaded)>;

  WorkPool(size_t max_queue, absl::Duration timeout)
      : max_queue_(max_queue), timeout_(timeout) {}
  ~WorkPool() { Shutdown(); }

  void Start(int threads) {
    std::lock_guard<std::mutex> lock(mu_);
    shutdown_ = false;
    for (int i = 0; i < threads; ++i) {
      workers_.emplace_back([this] { Work(); });
    }
  }

  void Submit(Job job) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (shutdown_) return;  // dropped: the server is stopping
      jobs_.push_back({std::move(job), absl::Now(), jobs_.size() >= max_queue_});
    }
    cv_.notify_one();
  }

  // Waits for the running jobs; drops the queued ones.
  void Shutdown() {
    std::deque<Entry> dropped;
    std::vector<std::thread> workers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
      dropped.swap(jobs_);
      workers.swap(workers_);
    }
    cv_.notify_all();
    for (std::thread& t : workers) t.join();
  }

 private:
  struct Entry {
    Job job;
    absl::Time queued_at;
    bool over_limit = false;
  };

  void Work() {
    for (;;) {
      Entry e;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return shutdown_ || !jobs_.empty(); });
        if (shutdown_) return;
        e = std::move(jobs_.front());
        jobs_.pop_front();
      }
      e.job(e.over_limit || absl::Now() - e.queued_at > timeout_);
    }
  }

  const size_t max_queue_;
  const absl::Duration timeout_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Entry> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> workers_;
};

// What the server's parts share; Server::Impl is one (Session cannot
// name the private Server::Impl).
struct Core {
  const Service* service = nullptr;
  ServerOptions options;
  int port = -1;
  std::mutex log_mu;
  std::atomic<size_t> connections{0};
  // Declared after what the sessions use (they may be destroyed with the
  // io_context), before what uses it.
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_retry{ioc};
  WorkPool pool;

  explicit Core(ServerOptions o)
      : options(std::move(o)), pool(options.max_queue, options.queue_timeout) {}

  void Log(const std::string& line) {
    if (!options.log) return;
    std::lock_guard<std::mutex> lock(log_mu);
    options.log(line);
  }

  void Accept();
};

Response Overloaded() {
  Response r = ErrorResponse(503, "unavailable",
                             "the server is busy; retry after a second");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

// One connection: reads requests, hands them to the pool, writes the
// responses. Every member is used on the session's strand only (the worker
// gets copies).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Core* server)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        server_(server),
        options_(server->options) {
    ++server_->connections;
  }
  ~Session() { --server_->connections; }

  // `refuse`: over max_connections; answer 503 and close.
  void Start(bool refuse) {
    asio::dispatch(socket_.get_executor(),
                   [self = shared_from_this(), refuse] { self->Run(refuse); });
  }

 private:
  void Run(bool refuse) {
    if (refuse) {
      Reply(Overloaded(), /*close=*/true);
      return;
    }
    WaitForRequest();
  }

  // The timer cancels the socket's pending operations when it fires; their
  // handlers see timed_out_. A handler of an earlier arming that was
  // already queued when the timer was re-armed sees a later expiry and
  // does nothing.
  void Arm(std::chrono::steady_clock::duration d) {
    timed_out_ = false;
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->timer_.expiry() > std::chrono::steady_clock::now()) {
        return;
      }
      self->timed_out_ = true;
      error_code ignored;
      self->socket_.cancel(ignored);
    });
  }

  void WaitForRequest() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(static_cast<std::uint64_t>(options_.max_body_bytes));
    method_ = path_ = "-";
    logged_body_.clear();
    head_ = false;
    if (buffer_.size() > 0) {  // the next request was sent already
      BeginRequest();
      return;
    }
    Arm(ToChrono(options_.read_timeout));
    socket_.async_read_some(
        buffer_.prepare(4096),
        [self = shared_from_this()](error_code ec, size_t n) {
          if (ec) {  // idle too long, the client left, or Stop()
            self->Close();
            return;
          }
          self->buffer_.commit(n);
          self->BeginRequest();
        });
  }

  void BeginRequest() {
    start_ = absl::Now();
    Arm(ToChrono(
        std::min(options_.request_read_timeout, options_.request_timeout)));
    http::async_read_header(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](error_code ec, size_t) {
          self->OnHeader(ec);
        });
  }

  void OnHeader(error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    const auto& req = parser_->get();
    const RequestHead head = internal::HeadOf(req);
    method_ = head.method;
    path_ = head.path;
    head_ = req.method() == http::verb::head;
    if (std::optional<HeadRefusal> no =
            CheckRequestHead(head, options_.token)) {
      Response r = ErrorResponse(no->status, no->code, no->message);
      if (no->status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
      // The body (if any) is not read: the connection cannot be reused.
      Reply(std::move(r), /*close=*/true);
      return;
    }
    if (parser_->is_done()) {
      OnRequest();
      return;
    }
    const boost::beast::string_view expect = req[http::field::expect];
    if (boost::beast::iequals(expect, "100-continue")) {
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(
          socket_, asio::buffer(kContinue, sizeof kContinue - 1),
          [self = shared_from_this()](error_code ec, size_t) {
            if (ec) {
              self->OnReadError(ec);
            } else {
              self->ReadBody();
            }
          });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(socket_, buffer_, *parser_,
                     [self = shared_from_this()](error_code ec, size_t) {
                       if (ec) {
                         self->OnReadError(ec);
                       } else {
                         self->OnRequest();
                       }
                     });
  }

  void OnReadError(error_code ec) {
    if (timed_out_) {
      Reply(ErrorResponse(
                408, "request_timeout",
                absl::StrCat(
                    "the request did not arrive within ",
                    absl::FormatDuration(std::min(options_.request_read_timeout,
                                                  options_.request_timeout)),
                    " of its first byte")),
            /*close=*/true);
    } else if (ec == http::error::body_limit) {
      Reply(ErrorResponse(413, "payload_too_large",
                          absl::StrCat("the request body is over the limit of ",
                                       options_.max_body_bytes, " bytes")),
            /*close=*/true);
    } else if (ec == http::error::header_limit) {
      Reply(ErrorResponse(431, "header_too_large",
                          absl::StrCat("the request line and headers are over "
                                       "the limit of ",
                                       kMaxHeaderBytes, " bytes")),
            /*close=*/true);
    } else if (ec.category() ==
                   http::make_error_code(http::error::bad_method).category() &&
               ec != http::error::partial_message &&
               ec != http::error::end_of_stream) {
      Reply(ErrorResponse(400, "invalid_argument",
                          absl::StrCat("malformed HTTP request: ", ec.message())),
            /*close=*/true);
    } else {
      Close();  // the client left mid-request, or Stop()
    }
  }

  void OnRequest() {
    timer_.cancel();  // the handler has its own deadline
    auto& req = parser_->get();
    Request r;
    r.method = method_;
    r.path = path_;
    r.body = std::move(req.body());
    r.deadline = start_ + options_.request_timeout;
    if (options_.log_bodies) logged_body_ = r.body.substr(0, 4096);
    keep_alive_ = req.keep_alive();
    const Service* service = server_->service;
    // Health is answered here, at once: a monitor must learn the server is
    // up even when every worker is busy (it was answered after them, 503).
    if (r.path == "/v1/health") {
      Reply(service->Handle(r), !keep_alive_);
      return;
    }
    server_->pool.Submit([self = shared_from_this(),
                          executor = socket_.get_executor(), service,
                          r = std::move(r)](bool overloaded) mutable {
      Response response;
      bool close = false;
      if (overloaded) {
        response = Overloaded();
        close = true;
      } else {
        try {
          response = service->Handle(r);
        } catch (...) {  // Handle does not throw; bad_alloc aside
          response = InternalErrorResponse();
        }
      }
      asio::post(executor, [self = std::move(self),
                            response = std::move(response), close]() mutable {
        self->Reply(std::move(response), close || !self->keep_alive_);
      });
    });
  }

  void Reply(Response r, bool close) {
    close_ = close;
    serializer_.reset();  // it refers to res_
    res_ = http::response<http::string_body>();
    res_.version(parser_ && parser_->is_header_done() ? parser_->get().version()
                                                      : 11);
    res_.result(static_cast<unsigned>(r.status));
    res_.set(http::field::content_type, r.content_type);
    static const auto* const kStandard =
        new std::vector<std::pair<std::string, std::string>>(StandardHeaders());
    for (const auto& [k, v] : *kStandard) res_.set(k, v);
    for (const auto& [k, v] : r.headers) res_.set(k, v);
    res_.body() = std::move(r.body);
    res_.keep_alive(!close_);
    res_.prepare_payload();
    if (head_) res_.body().clear();  // Content-Length stays
    if (options_.log) {
      const double ms = absl::ToDoubleMilliseconds(absl::Now() - start_);
      // The path is clipped: a client may put anything in a wrong one.
      std::string line = absl::StrFormat("%s %s %d %.1f ms",
                                         method_.substr(0, 16),
                                         path_.substr(0, 64), r.status, ms);
      if (options_.log_bodies) absl::StrAppend(&line, " body=", logged_body_);
      server_->Log(line);
    }
    // The response goes out piece by piece: write_timeout bounds each
    // piece (a reader that stops is cut off), and the whole write may take
    // write_timeout plus its size at kMinWriteBytesPerSecond, so that a
    // slow but steady reader gets a large answer whole. A cut is visible
    // to the client: fewer bytes than Content-Length.
    const size_t bytes = res_.body().size();
    write_end_ = std::chrono::steady_clock::now() +
                 ToChrono(options_.write_timeout) +
                 std::chrono::milliseconds(bytes * 1000 /
                                           kMinWriteBytesPerSecond);
    serializer_.emplace(res_);
    WriteSome();
  }

  void WriteSome() {
    const auto now = std::chrono::steady_clock::now();
    if (now >= write_end_) {
      Close();
      return;
    }
    Arm(std::min<std::chrono::steady_clock::duration>(
        ToChrono(options_.write_timeout), write_end_ - now));
    http::async_write_some(
        socket_, *serializer_,
        [self = shared_from_this()](error_code ec, size_t) {
          if (ec) {
            self->Close();
          } else if (!self->serializer_->is_done()) {
            self->WriteSome();
          } else if (self->close_) {
            self->Linger();
          } else {
            self->WaitForRequest();
          }
        });
  }

  // Our side is done; what the client still sends (the rest of a request
  // we refused) is read and dropped for a while, then the socket closes.
  void Linger() {
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.consume(buffer_.size());
    lingered_ = 0;
    Arm(kLingerTime);
    Drain();
  }

  void Drain() {
    socket_.async_read_some(
        buffer_.prepare(16 * 1024),
        [self = shared_from_this()](error_code ec, size_t n) {
          self->lingered_ += n;
          if (ec || self->lingered_ >= kLingerBytes) {
            self->Close();
            return;
          }
          self->buffer_.consume(n);
          self->Drain();
        });
  }

  void Close() {
    timer_.cancel();
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  Core* const server_;
  const ServerOptions& options_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::optional<http::response_serializer<http::string_body>> serializer_;
  std::chrono::steady_clock::time_point write_end_;
  absl::Time start_ = absl::Now();
  std::string method_ = "-", path_ = "-", logged_body_;
  bool head_ = false, keep_alive_ = false, close_ = false, timed_out_ = false;
  size_t lingered_ = 0;
};

void Core::Accept() {
  acceptor.async_accept(
      asio::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;  // closed
        if (ec) {
          // Out of file descriptors (or a connection that reset before we
          // took it): wait a little rather than spin.
          accept_retry.expires_after(kAcceptRetry);
          accept_retry.async_wait([this](error_code e) {
            if (!e) Accept();
          });
          return;
        }
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        // A bounded kernel send buffer: a connection holds at most this
        // much of an answer in the kernel (512 connections at Linux's 4 MiB
        // default would be 2 GiB), and a write makes progress, as
        // write_timeout measures it, each time about half of it drains.
        socket.set_option(asio::socket_base::send_buffer_size(kSendBufferBytes),
                          ignored);
        const bool refuse = connections.load() >= options.max_connections;
        std::make_shared<Session>(std::move(socket), this)->Start(refuse);
        Accept();
      });
}

}  // namespace

struct Server::Impl : Core {
  using Core::Core;
};

Server::Server(const Service* service, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->service = service;
}

Server::~Server() { Stop(); }

absl::Status Server::Bind() {
  const ListenAddress& a = impl_->options.listen;
  if (absl::Status s = CheckListen(a, !impl_->options.token.empty()); !s.ok()) {
    return s;
  }
  auto unavailable = [&a](absl::string_view why) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", a.host, ":", a.port, " (", why,
                     "; in use, or not an address of this machine)"));
  };
  error_code ec;
  tcp::resolver resolver(impl_->ioc);
  const auto endpoints =
      resolver.resolve(a.host, std::to_string(a.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service,
                       ec);
  if (ec) return unavailable(ec.message());
  tcp::acceptor& acc = impl_->acceptor;
  for (const auto& entry : endpoints) {
    error_code ignored;
    acc.close(ignored);
    // SO_REUSEADDR only (a restart does not wait for TIME_WAIT); never
    // SO_REUSEPORT, which would let a second server bind the same port and
    // silently take half the connections.
    if (acc.open(entry.endpoint().protocol(), ec) ||
        acc.set_option(asio::socket_base::reuse_address(true), ec) ||
        acc.bind(entry.endpoint(), ec) ||
        acc.listen(asio::socket_base::max_listen_connections, ec)) {
      continue;
    }
    impl_->port = acc.local_endpoint(ec).port();
    if (!ec) return absl::OkStatus();
  }
  acc.close(ec);
  impl_->port = -1;
  return unavailable(ec ? ec.message() : "no address");
}

int Server::port() const { return impl_->port; }

absl::Status Server::Serve() {
  Impl& s = *impl_;
  if (!s.acceptor.is_open()) {
    return absl::FailedPreconditionError("Serve() before a successful Bind()");
  }
  s.pool.Start(std::max(1, s.options.threads));
  s.Accept();
  absl::Status status;
  for (;;) {
    try {
      s.ioc.run();  // until Stop()
      break;
    } catch (const std::exception& e) {
      // A handler threw (none should): its connection is gone; serve on.
      s.Log(absl::StrCat("internal error, connection dropped: ", e.what()));
    } catch (...) {
      s.Log("internal error, connection dropped");
    }
  }
  s.pool.Shutdown();
  error_code ignored;
  s.acceptor.close(ignored);
  return status;
}

void Server::Stop() { impl_->ioc.stop(); }

}  // namespace hla::service
