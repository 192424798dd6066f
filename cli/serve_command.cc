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
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/args.h"
#include "cli/command.h"
#include "cli/command_line.h"
#include "service/server.h"
#include "service/service.h"

namespace hla::cli {
namespace {

constexpr char kUsage[] =
    "usage: haplomatch serve [--listen HOST:PORT] [--token-file FILE] [flags]\n"
    "\n"
    "Serves the JSON HTTP API (docs/openapi.yaml): GET /v1/health,\n"
    "GET /v1/version, POST /v1/reduce, /v1/validate, /v1/match, /v1/rank,\n"
    "/v1/family, /v1/donor-file, /v1/mac/encode, /v1/mac/decode; and the\n"
    "coordinator's page at / (open the address it prints in a browser).\n"
    "\n"
    "  --listen HOST:PORT    default 127.0.0.1:8080; a non-loopback address\n"
    "                        needs --token-file\n"
    "  --token-file FILE     access token (>= 16 bytes); every request must\n"
    "                        send 'Authorization: Bearer <token>'\n"
    "  --donors FILE|INDEX   registry for POST /v1/rank without donors\n"
    "  --id-column NAME      the registry's id column\n"
    "  --web-dir DIR         serve the page's files (index.html, app.js,\n"
    "                        app.css, favicon.svg) from DIR, not the built-in\n"
    "                        copy\n"
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
    "  --io-timeout-ms N     idle wait for a request, and each piece of a\n"
    "                        response written (default 5000)\n"
    "  --rank-threads N      threads per rank scan (default 1)\n"
    "  --max-rank-donors N   donors a rank answer may list; a request for\n"
    "                        more is a 400 (default 10000)\n"
    "  --log-bodies          also log request bodies (typings, donor ids);\n"
    "                        off by default\n"
    "  --quiet               no request log\n"
    "  --help                show this help\n";

constexpr char kName[] = "haplomatch serve";

bool PositiveInt(const Args& args, const char* flag, int64_t* out) {
  auto v = args.Get(flag);
  if (!v) return true;
  return absl::SimpleAtoi(*v, out) && *out > 0;
}

FlagSpec ServeFlagSpec() {
  FlagSpec spec;
  spec.value_flags = {"listen",    "token-file",     "donors",
                      "id-column", "imgt",           "mac",
                      "threads",   "max-queue",      "max-body-bytes",
                      "timeout-ms", "io-timeout-ms", "rank-threads",
                      "read-timeout-ms", "max-connections",
                      "max-rank-donors", "web-dir"};
  spec.bool_flags = {"log-bodies", "quiet"};
  return spec;
}

// --listen and --token-file; refused before loading anything: a
// misconfigured exposure is a usage error, and saying so at once beats
// saying so after the data loads.
absl::Status ParseListenFlags(const Args& args, service::ServerOptions* so) {
  absl::StatusOr<service::ListenAddress> listen =
      service::ParseListen(args.GetOr("listen", "127.0.0.1:8080"));
  if (!listen.ok()) return UsageError(listen.status());
  so->listen = *listen;
  if (auto path = args.Get("token-file")) {
    absl::StatusOr<std::string> token = service::ReadTokenFile(*path);
    if (!token.ok()) return UsageError(token.status());
    so->token = *token;
  }
  if (absl::Status s = service::CheckListen(so->listen, !so->token.empty());
      !s.ok()) {
    return UsageError(s);
  }
  return absl::OkStatus();
}

// The sizes, counts and timeouts, each a positive number (some bounded),
// checked in this order.
absl::Status ParseLimits(const Args& args, service::ServerOptions* so,
                         service::ServiceOptions* opts) {
  int64_t threads = 4, max_queue = 64, max_body = int64_t{8} << 20,
          timeout_ms = 30000, io_ms = 5000, read_ms = 10000,
          max_connections = 512, rank_threads = 1,
          max_rank_donors = static_cast<int64_t>(opts->max_rank_donors);
  struct Limit {
    const char* flag;
    int64_t* value;
    int64_t max;
  };
  // Every limit is bounded itself, so that no setting overflows a sum or a
  // buffer size: a day for a timeout, 1 GiB for a body.
  constexpr int64_t kDayMs = 24 * 3600 * 1000;
  const Limit limits[] = {
      {"threads", &threads, 1024},
      {"max-queue", &max_queue, 1000000},
      {"max-body-bytes", &max_body, int64_t{1} << 30},
      {"timeout-ms", &timeout_ms, kDayMs},
      {"io-timeout-ms", &io_ms, kDayMs},
      {"read-timeout-ms", &read_ms, kDayMs},
      {"max-connections", &max_connections, 65536},
      {"rank-threads", &rank_threads, 256},
      {"max-rank-donors", &max_rank_donors,
       static_cast<int64_t>(service::kMaxRankDonorsLimit)}};
  for (const Limit& l : limits) {
    if (!PositiveInt(args, l.flag, l.value) || *l.value > l.max) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", l.flag, ": a number from 1 to ", l.max));
    }
  }
  so->threads = static_cast<int>(threads);
  so->max_queue = static_cast<size_t>(max_queue);
  so->max_body_bytes = static_cast<size_t>(max_body);
  so->request_timeout = absl::Milliseconds(timeout_ms);
  so->read_timeout = so->write_timeout = absl::Milliseconds(io_ms);
  so->request_read_timeout = absl::Milliseconds(read_ms);
  so->max_connections = static_cast<size_t>(max_connections);
  opts->rank_threads = static_cast<int>(rank_threads);
  opts->max_rank_donors = static_cast<size_t>(max_rank_donors);
  return absl::OkStatus();
}

struct ServeConfig {
  service::ServerOptions server;
  service::ServiceOptions service;
  bool quiet = false;
};

// Every flag; all errors are usage errors.
absl::StatusOr<ServeConfig> ParseServeFlags(const Args& args) {
  if (!args.positional().empty()) {
    return absl::InvalidArgumentError("unexpected arguments");
  }
  ServeConfig c;
  if (absl::Status s = ParseListenFlags(args, &c.server); !s.ok()) return s;
  if (absl::Status s = ParseLimits(args, &c.server, &c.service); !s.ok()) {
    return s;
  }
  c.server.log_bodies = args.Has("log-bodies");
  c.service.imgt = args.GetOr("imgt", "");
  c.service.mac = args.GetOr("mac", "");
  c.service.donors = args.GetOr("donors", "");
  c.service.id_column = args.GetOr("id-column", "");
  c.service.web_dir = args.GetOr("web-dir", "");
  c.quiet = args.Has("quiet");
  return c;
}

// "haplomatch serve: haplomatch, IPD-IMGT/HLA 3.58.0[, registry of N donors
// (M rows rejected)]; loaded in T; listening on http://HOST:PORT; the
// coordinator's page: http://HOST:PORT/".
void TellListening(std::ostream& err, const ServeConfig& config,
                   const service::Service& svc, const service::Server& server,
                   absl::Duration load_time) {
  const service::ServerOptions& so = config.server;
  err << kName << ": haplomatch, IPD-IMGT/HLA " << svc.imgt_version();
  if (!config.service.donors.empty()) {
    err << ", registry of " << svc.registry_size() << " donors ("
        << svc.registry_rejected() << " rows rejected)";
  }
  err << "; loaded in "
      << absl::FormatDuration(absl::Trunc(load_time, absl::Milliseconds(1)));
  const std::string address = absl::StrCat(
      "http://",
      so.listen.host.find(':') != std::string::npos
          ? absl::StrCat("[", so.listen.host, "]")
          : so.listen.host,
      ":", server.port());
  err << "; listening on " << address
      << (so.token.empty() ? "" : " (token required)")
      << "; the coordinator's page: " << address << "/" << std::endl;
}

// Serves until SIGINT or SIGTERM (blocked in every thread: `signals`), or
// until Serve() returns on its own with an error.
absl::Status ServeUntilSignal(service::Server& server, sigset_t signals) {
  std::thread waiter([&server, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.Stop();
  });
  absl::Status served = server.Serve();
  // Serve() may also return on its own (an error): wake the waiter.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return served;
}

}  // namespace

int RunServe(Command& cmd) {
  CommandLine cl(cmd, kName, kUsage, ServeFlagSpec());
  std::optional<ServeConfig> config;
  if (std::optional<int> done = cl.Parse(ParseServeFlags, &config)) {
    return *done;
  }

  // SIGINT/SIGTERM are blocked before any thread starts, so that every
  // thread inherits the mask and one thread waits for them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::ostream& err = *cmd.err;
  const absl::Time load_start = absl::Now();
  absl::StatusOr<std::unique_ptr<service::Service>> svc =
      service::Service::Create(config->service);
  if (!svc.ok()) return cl.Reject(svc.status().message());
  if (!config->quiet) {
    config->server.log = [&err](const std::string& line) {
      err << line << std::endl;
    };
  }
  service::Server server(svc->get(), config->server);
  if (absl::Status s = server.Bind(); !s.ok()) return cl.Reject(s.message());
  TellListening(err, *config, **svc, server, absl::Now() - load_start);
  if (absl::Status s = ServeUntilSignal(server, signals); !s.ok()) {
    return cl.Reject(s.message());
  }
  err << kName << ": stopped" << std::endl;
  return kExitOk;
}

}  // namespace hla::cli
