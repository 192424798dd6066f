// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The HTTP binding of service/service.h (Boost.Beast on Boost.Asio, private
// to server.cc; docs/adr/005-beast-server.md). Safe by default:
//   - binds loopback unless told otherwise; a non-loopback address needs an
//     access token (CheckListen refuses it without one);
//   - with a token, every request needs "Authorization: Bearer <token>",
//     compared in constant time (401 otherwise, before the body is read);
//   - a body over max_body_bytes is refused with 413 before it is stored;
//     request line and headers over 8 KiB get 431; a malformed request 400;
//   - slow clients are cut off: a request (line, headers and body) must
//     arrive within request_read_timeout (and request_timeout) of its first
//     byte, else 408 and the connection is closed. Reads are asynchronous,
//     so a slow client holds a socket, never a worker;
//   - a fixed pool of `threads` workers runs the handlers; a request that
//     finds more than `max_queue` others waiting for a worker, or waits
//     longer than queue_timeout, gets 503 with Retry-After (bounded
//     concurrency, load shedding); over max_connections open connections, a
//     new one gets 503 at once;
//   - the handler gives up with 504 when request_timeout has passed since
//     the request's first byte; writing the response has write_timeout a
//     piece, and that plus its size at 64 KiB/s in all;
//   - the log has one line per request: method, path, status, duration;
//     bodies (typings, donor ids) only with log_bodies.
#ifndef HLA_SERVICE_SERVER_H_
#define HLA_SERVICE_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "service/service.h"

namespace hla::service {

struct ListenAddress {
  std::string host;  // "127.0.0.1", "::1", "0.0.0.0"
  int port = 0;      // 0: any free port
};

// "HOST:PORT", "[V6]:PORT" or ":PORT" (loopback). InvalidArgumentError
// naming the text otherwise.
absl::StatusOr<ListenAddress> ParseListen(absl::string_view text);
// True for a literal IPv4 address in 127.0.0.0/8, "::1" and "localhost"
// (not for a name that merely starts with "127.").
bool IsLoopback(absl::string_view host);
// FailedPreconditionError when `address` is not loopback and there is no
// token: the server must not start then.
absl::Status CheckListen(const ListenAddress& address, bool have_token);
// Reads a token file (surrounding whitespace stripped). NotFoundError when
// it cannot be read; InvalidArgumentError when it is empty or shorter than
// 16 bytes (a guessable token protects nothing).
absl::StatusOr<std::string> ReadTokenFile(const std::string& path);
// Equality in time that depends only on the lengths, not on where the
// strings differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

// A request's head as the checks below need it (plain values: testable
// without sockets).
struct RequestHead {
  int version = 11;  // 10: HTTP/1.0, 11: HTTP/1.1
  std::string method;
  std::string path;  // the target without its query string
  std::optional<std::string> host, authorization, content_type,
      transfer_encoding;
  bool content_length = false;  // a Content-Length header is present
};
struct HeadRefusal {
  int status;
  std::string code, message;
};
// The checks made on a request's head before its body is read, the first
// that fails, in the order a client would fix them; nullopt: go on.
//   400  HTTP/1.1 without Host (RFC 9112 §3.2); Transfer-Encoding with
//        Content-Length, or one that does not end in chunked (RFC 9112
//        §6.3: a body of unknown length);
//   403  no token and a Host that is not a loopback name: a web page the
//        operator visits can otherwise reach the server through DNS
//        rebinding;
//   401  a token and no "Authorization: Bearer <token>" (the scheme in any
//        case, RFC 9110 §11.1), except a GET or HEAD of the page's files
//        (IsPagePath): a browser opening the page cannot send a token, and
//        the files hold no data; the page then asks for the token;
//   411  a chunked body: the server takes Content-Length only (RFC 9112
//        allows it), which also keeps trailers out;
//   415  a POST whose Content-Type is not application/json: a browser sends
//        text/plain or a form to any server without asking (no CORS
//        preflight), never application/json.
std::optional<HeadRefusal> CheckRequestHead(const RequestHead& head,
                                            absl::string_view token);

struct ServerOptions {
  ListenAddress listen{"127.0.0.1", 8080};
  std::string token;  // empty: no authentication (loopback only)
  size_t max_body_bytes = size_t{8} << 20;
  // Workers that run the handlers (the network is served by the thread
  // that calls Serve, asynchronously), and the requests that may wait for
  // one: beyond max_queue, or after waiting queue_timeout, 503.
  int threads = 4;
  size_t max_queue = 64;
  absl::Duration queue_timeout = absl::Seconds(2);
  // Open connections; a connection beyond them gets 503 and is closed.
  size_t max_connections = 512;
  // How long a connection may wait for the first byte of a request (a new
  // connection, or between requests on a keep-alive one); it is then closed
  // without a response.
  absl::Duration read_timeout = absl::Seconds(5);
  // Writing a response: each piece (a client that stops reading is cut
  // off), and in all this plus the size at 64 KiB/s (a slow reader gets
  // the whole answer).
  absl::Duration write_timeout = absl::Seconds(5);
  // The whole request (request line, headers, body) from its first byte:
  // 408 and close after it (or after request_timeout, if shorter).
  absl::Duration request_read_timeout = absl::Seconds(10);
  // The request's deadline from its first byte: the handler answers 504
  // after it.
  absl::Duration request_timeout = absl::Seconds(30);
  bool log_bodies = false;
  // One line per request; null: no log. Called from the server's threads,
  // one call at a time.
  std::function<void(const std::string& line)> log;
};

class Server {
 public:
  // `service` is not owned and must outlive the Server.
  Server(const Service* service, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the socket. FailedPreconditionError from CheckListen;
  // UnavailableError when the address cannot be bound.
  absl::Status Bind();
  // The bound port (after Bind).
  int port() const;
  // Serves until Stop(). REQUIRES: Bind() succeeded.
  absl::Status Serve();
  // From any thread (or a signal-watching thread): Serve() returns soon.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hla::service

#endif  // HLA_SERVICE_SERVER_H_
