// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The JSON HTTP service behind `haplomatch serve`, as plain functions: a
// Service holds the loaded reference data (and optionally a donor registry)
// and turns a Request into a Response without any socket, so that tests run
// every endpoint in-process. service/server.h binds it to HTTP.
//
//   HLA_ASSIGN_OR_RETURN(std::unique_ptr<hla::service::Service> s,
//                        hla::service::Service::Create({}));
//   hla::service::Response r = s->Handle({"POST", "/v1/reduce",
//       R"({"typings":["A*01:01:01:01"],"level":"lgx"})"});
//
// Endpoints (docs/openapi.yaml has the schemas):
//   GET  /             the coordinator's page (and /app.js, /app.css,
//                      /example/family.csv, /example/antibodies.txt)
//   GET  /v1/health    {"status":"ok"}
//   GET  /v1/version   library version, IPD-IMGT/HLA release and date, MAC
//                      table date, registry size
//   POST /v1/reduce    {"typings":[...],"level":"lgx","strict":true}
//   POST /v1/validate  {"typings":[...],"strict":true}
//   POST /v1/match     {"recipient":{...},"donors":[...],"options":{...}}:
//                      the document of `haplomatch match --format json`
//   POST /v1/rank      {"recipient":{...},"donors":[...]?,"options":{...}}:
//                      the document of `haplomatch rank --format json`; with
//                      no "donors", the family's relatives ("family") or
//                      the registry loaded at start
//   POST /v1/donor-file {"text":"<CSV, TSV or JSON Lines>"}: the rows as
//                      the CLI's reader reads them, for "donors"/"family"
//   POST /v1/family    {"family":[...]}: `haplomatch family --format json`
//   POST /v1/parse     {"typings":[...]}: `haplomatch parse --format json`
//
// Status codes: 200; 400 malformed JSON (with the JSON parser's byte
// offset), a field of the wrong type or an unknown field, or a recipient
// typing that fails (the typing parser's offset message); 404 unknown path;
// 405 known path, wrong method; 504 the request's deadline passed. Errors
// are {"error":{"code":"invalid_argument","message":"..."}}. A donor that
// fails is not an error of the request: it is listed in "rejected" (match)
// or counted (rank), as the CLI does.
//
// Thread safety: Create() loads everything; Handle() is const and may be
// called from any number of threads.
#ifndef HLA_SERVICE_SERVICE_H_
#define HLA_SERVICE_SERVICE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace hla::service {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/v1/match" (no query string)
  std::string body;
  // The handler gives up with 504 when this passes (checked between donors
  // and between stages; one rank scan is not interrupted).
  absl::Time deadline = absl::InfiniteFuture();
};

struct Response {
  int status = 200;
  std::string body;  // JSON, ending in '\n'
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Allow
};

// {"error":{"code":code,"message":message}} with `status`.
Response ErrorResponse(int status, absl::string_view code,
                       absl::string_view message);
// The 500 for a failure no handler should produce (an exception): it says
// nothing of the program's internals.
Response InternalErrorResponse();
// True for the paths of the coordinator's page and its example files
// ("/", "/app.js", "/example/family.csv", ...): static files that hold no
// patient data, served without the access token (a browser cannot send
// one when it opens a page; the page asks for it and sends it with each
// API call).
bool IsPagePath(absl::string_view path);

// The headers every response carries (server.cc adds them): a
// Content-Security-Policy that lets the page run its own script and style
// only, nosniff, no referrer, no framing, no caching.
std::vector<std::pair<std::string, std::string>> StandardHeaders();

// The HTTP status and error code for a Status from the library:
// InvalidArgument/NotFound/OutOfRange/FailedPrecondition -> 400,
// DeadlineExceeded -> 504, ResourceExhausted -> 503, others -> 500.
Response ErrorFromStatus(const absl::Status& status);

struct ServiceOptions {
  std::string imgt;    // release version or directory; "" = the default
  std::string mac;     // NMDP MAC file; "" = the shipped one
  std::string donors;  // registry for /v1/rank: donor file or index; "" none
  std::string id_column;  // the registry's id column when not id/donor_id/...
  int rank_threads = 1;   // threads per rank scan (requests run in parallel)
  size_t default_top = 100;  // rank "top" when the request gives none
  // The most donors one rank answer lists (about 1.5 KB of JSON each): a
  // request with a larger "top", or "top": 0 (all) when more are ranked, is
  // a 400 naming the limit. A whole registry is the CLI's job.
  size_t max_rank_donors = 10000;
  // The coordinator's page (served at /) from this directory instead of
  // the copy built into the binary: index.html, app.js, app.css and
  // favicon.svg, read at each request. Create() fails when one is missing.
  std::string web_dir;
};
// The largest max_rank_donors a server accepts (serve --max-rank-donors).
inline constexpr size_t kMaxRankDonorsLimit = 1000000;

class Service {
 public:
  // Loads the reference data, the MAC table and the registry. Errors, as
  // their loaders return them: NotFoundError (a file or release missing),
  // InvalidArgumentError / DataLossError (a malformed file),
  // FailedPreconditionError (an index built for another release).
  static absl::StatusOr<std::unique_ptr<Service>> Create(
      const ServiceOptions& options);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Never throws; every failure is a Response with its status.
  Response Handle(const Request& request) const;

  // A service with `donors` (a donor file or an index) as its registry and
  // everything else of this one, the reference data shared (not loaded
  // again): the Python package opens registries this way. Errors: Create's.
  absl::StatusOr<std::unique_ptr<Service>> WithRegistry(
      const std::string& donors, const std::string& id_column = "") const;

  // The body of a POST /v1/rank, answered for a merge across shards
  // (haplomatch.dask, python/haplomatch/dask.py): {"imgt_version","read",
  // "ranked","eligible","needs_review","excluded","rejected","csv_header",
  // "donors":[{"key","index","csv","json"}]}, the donors in rank order with
  // their ranking key (lower is better), their place in the store (input
  // order), and their `rank --format csv` row and `json` object without the
  // rank number (the text after "<rank>," and after "{\"rank\":<rank>,").
  // Not an HTTP endpoint.
  Response RankForMerge(const Request& request) const;

  // Donors in the registry loaded at start (0 without --donors); rows of
  // the registry file that were rejected at load.
  size_t registry_size() const;
  size_t registry_rejected() const;
  const std::string& imgt_version() const;

 private:
  struct Impl;
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hla::service

#endif  // HLA_SERVICE_SERVICE_H_
