// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch serve [--listen 127.0.0.1:8080] [--token-file FILE]
//                  [--imgt V|DIR] [--mac FILE] [--donors FILE|INDEX] ...
//
// Loads the reference data (and a registry for /v1/rank) once, then serves
// the JSON HTTP API of service/service.h until SIGINT or SIGTERM. Safe by
// default (service/server.h): loopback only unless a token file is given.
// Exit: 0 after a signal, 1 when the data or the socket fails, 2 for a
// usage error (including a non-loopback --listen without --token-file).
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <memory>
#include <ostream>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/args.h"
#include "cli/command.h"
#include "service/server.h"
#include "service/service.h"

namespace hla::cli {
namespace {

constexpr char kUsage[] =
    "usage: haplomatch serve [--listen HOST:PORT] [--token-file FILE] [flags]\n"
    "\n"
    "Serves the JSON HTTP API (docs/openapi.yaml): GET /v1/health,\n"
    "GET /v1/version, POST /v1/reduce, /v1/validate, /v1/match, /v1/rank.\n"
    "\n"
    "  --listen HOST:PORT    default 127.0.0.1:8080; a non-loopback address\n"
    "                        needs --token-file\n"
    "  --token-file FILE     access token (>= 16 bytes); every request must\n"
    "                        send 'Authorization: Bearer <token>'\n"
    "  --donors FILE|INDEX   registry for POST /v1/rank without donors\n"
    "  --id-column NAME      the registry's id column\n"
    "  --imgt V|DIR          IPD-IMGT/HLA release (default 3.58.0)\n"
    "  --mac FILE            NMDP alpha.v3.txt (default the shipped subset)\n"
    "  --threads N           workers running the handlers (default 4)\n"
    "  --max-queue N         requests waiting for a worker before 503\n"
    "                        (default 64)\n"
    "  --max-connections N   open connections; more get 503 (default 512)\n"
    "  --max-body-bytes N    larger request bodies get 413 (default 8388608)\n"
    "  --read-timeout-ms N   the whole request (line, headers, body) from its\n"
    "                        first byte, else 408 (default 10000)\n"
    "  --timeout-ms N        per-request deadline: 504 (default 30000)\n"
    "  --io-timeout-ms N     idle wait for a request, and writing a response\n"
    "                        (default 5000)\n"
    "  --rank-threads N      threads per rank scan (default 1)\n"
    "  --log-bodies          also log request bodies (typings, donor ids);\n"
    "                        off by default\n"
    "  --quiet               no request log\n"
    "  --help                show this help\n";

bool PositiveInt(const Args& args, const char* flag, int64_t* out) {
  auto v = args.Get(flag);
  if (!v) return true;
  return absl::SimpleAtoi(*v, out) && *out > 0;
}

}  // namespace

int RunServe(Command& cmd) {
  constexpr char kName[] = "haplomatch serve";
  std::ostream& err = *cmd.err;
  FlagSpec spec;
  spec.value_flags = {"listen",    "token-file",     "donors",
                      "id-column", "imgt",           "mac",
                      "threads",   "max-queue",      "max-body-bytes",
                      "timeout-ms", "io-timeout-ms", "rank-threads",
                      "read-timeout-ms", "max-connections"};
  spec.bool_flags = {"log-bodies", "quiet", "help"};
  absl::StatusOr<Args> args = Args::Parse(cmd.args, spec);
  auto usage = [&](absl::string_view why) {
    err << kName << ": " << why << "\n\n" << kUsage;
    return kExitUsage;
  };
  if (!args.ok()) return usage(args.status().message());
  if (args->Has("help")) {
    *cmd.out << kUsage;
    return kExitOk;
  }
  if (!args->positional().empty()) return usage("unexpected arguments");

  service::ServerOptions so;
  absl::StatusOr<service::ListenAddress> listen =
      service::ParseListen(args->GetOr("listen", "127.0.0.1:8080"));
  if (!listen.ok()) return usage(listen.status().message());
  so.listen = *listen;
  if (auto path = args->Get("token-file")) {
    absl::StatusOr<std::string> token = service::ReadTokenFile(*path);
    if (!token.ok()) return usage(token.status().message());
    so.token = *token;
  }
  // Refuse before loading anything: a misconfigured exposure is a usage
  // error, and saying so at once beats saying so after the data loads.
  if (absl::Status s = service::CheckListen(so.listen, !so.token.empty());
      !s.ok()) {
    return usage(s.message());
  }
  int64_t threads = 4, max_queue = 64, max_body = int64_t{8} << 20,
          timeout_ms = 30000, io_ms = 5000, rank_threads = 1,
          read_ms = 10000, max_connections = 512;
  if (!PositiveInt(*args, "threads", &threads) || threads > 1024) {
    return usage("--threads: a number from 1 to 1024");
  }
  if (!PositiveInt(*args, "max-queue", &max_queue)) {
    return usage("--max-queue: a positive number");
  }
  if (!PositiveInt(*args, "max-body-bytes", &max_body)) {
    return usage("--max-body-bytes: a positive number");
  }
  if (!PositiveInt(*args, "timeout-ms", &timeout_ms)) {
    return usage("--timeout-ms: a positive number");
  }
  if (!PositiveInt(*args, "io-timeout-ms", &io_ms)) {
    return usage("--io-timeout-ms: a positive number");
  }
  if (!PositiveInt(*args, "read-timeout-ms", &read_ms)) {
    return usage("--read-timeout-ms: a positive number");
  }
  if (!PositiveInt(*args, "max-connections", &max_connections)) {
    return usage("--max-connections: a positive number");
  }
  if (!PositiveInt(*args, "rank-threads", &rank_threads) || rank_threads > 256) {
    return usage("--rank-threads: a number from 1 to 256");
  }
  so.threads = static_cast<int>(threads);
  so.max_queue = static_cast<size_t>(max_queue);
  so.max_body_bytes = static_cast<size_t>(max_body);
  so.request_timeout = absl::Milliseconds(timeout_ms);
  so.read_timeout = so.write_timeout = absl::Milliseconds(io_ms);
  so.request_read_timeout = absl::Milliseconds(read_ms);
  so.max_connections = static_cast<size_t>(max_connections);
  so.log_bodies = args->Has("log-bodies");

  service::ServiceOptions opts;
  opts.imgt = args->GetOr("imgt", "");
  opts.mac = args->GetOr("mac", "");
  opts.donors = args->GetOr("donors", "");
  opts.id_column = args->GetOr("id-column", "");
  opts.rank_threads = static_cast<int>(rank_threads);

  // SIGINT/SIGTERM are blocked before any thread starts, so that every
  // thread inherits the mask and one thread waits for them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const absl::Time load_start = absl::Now();
  absl::StatusOr<std::unique_ptr<service::Service>> svc =
      service::Service::Create(opts);
  if (!svc.ok()) {
    err << kName << ": " << svc.status().message() << "\n";
    return kExitRejected;
  }
  if (!args->Has("quiet")) {
    so.log = [&err](const std::string& line) { err << line << std::endl; };
  }
  service::Server server(svc->get(), so);
  if (absl::Status s = server.Bind(); !s.ok()) {
    err << kName << ": " << s.message() << "\n";
    return kExitRejected;
  }
  err << kName << ": haplomatch, IPD-IMGT/HLA " << (*svc)->imgt_version();
  if (!opts.donors.empty()) {
    err << ", registry of " << (*svc)->registry_size() << " donors ("
        << (*svc)->registry_rejected() << " rows rejected)";
  }
  err << "; loaded in "
      << absl::FormatDuration(absl::Trunc(absl::Now() - load_start,
                                          absl::Milliseconds(1)))
      << "; listening on http://"
      << (so.listen.host.find(':') != std::string::npos
              ? absl::StrCat("[", so.listen.host, "]")
              : so.listen.host)
      << ":" << server.port() << (so.token.empty() ? "" : " (token required)")
      << std::endl;

  std::thread waiter([&server, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.Stop();
  });
  absl::Status served = server.Serve();
  // Serve() may also return on its own (an error): wake the waiter.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  if (!served.ok()) {
    err << kName << ": " << served.message() << "\n";
    return kExitRejected;
  }
  err << kName << ": stopped" << std::endl;
  return kExitOk;
}

}  // namespace hla::cli
