// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target for the HTTP service on request bytes: the bytes are
// parsed as the server parses a request (Beast's parser, headers at most
// 8 KiB, the body bounded), its head checked by service::CheckRequestHead
// (without a token, or with one: the first input byte decides), and a
// request that passes is answered by Service::Handle, as a worker would.
// Besides "no crash, hang, leak or UB" it checks the contracts a client
// relies on:
//   - a refusal of the head is 400, 401, 403, 411 or 415 with a message;
//   - an answer is never 500 (no handler may fail that way on any input);
//   - every JSON answer, error or not, is valid JSON (UTF-8 included).
//
// The reference (IPD-IMGT/HLA 3.58.0 shipped in data/) is loaded once.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http.hpp"
#include "fuzz/fuzz_check.h"
#include "nlohmann/json.hpp"
#include "service/internal/http_head.h"
#include "service/server.h"
#include "service/service.h"

namespace http = boost::beast::http;

namespace {

hla::service::Service* service = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv("HAPLOMATCH_DATA_DIR", HLA_SHIPPED_DATA_DIR, 0);
  absl::StatusOr<std::unique_ptr<hla::service::Service>> s =
      hla::service::Service::Create({});
  if (!s.ok()) {
    std::fprintf(stderr, "request_fuzzer: %s\n",
                 std::string(s.status().message()).c_str());
    std::abort();
  }
  service = s->release();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool with_token = data[0] & 1;
  const absl::string_view input(reinterpret_cast<const char*>(data) + 1,
                                size - 1);
  http::request_parser<http::string_body> parser;
  parser.header_limit(8 * 1024);
  parser.body_limit(64 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (ec || !parser.is_header_done()) return 0;  // the server answers 400/431
  const auto& req = parser.get();
  const hla::service::RequestHead head = hla::service::internal::HeadOf(req);
  const std::string token = with_token ? "0123456789abcdef0123" : "";
  if (std::optional<hla::service::HeadRefusal> no =
          hla::service::CheckRequestHead(head, token)) {
    hla::fuzz::Check(no->status == 400 || no->status == 401 ||
                         no->status == 403 || no->status == 411 ||
                         no->status == 415,
                     "a refusal with an unexpected status", input);
    hla::fuzz::Check(!no->message.empty() && !no->code.empty(),
                     "a refusal without a message", input);
    return 0;
  }
  if (!parser.is_done()) return 0;  // the body is still to come
  hla::service::Request request;
  request.method = head.method;
  request.path = hla::service::internal::PathOf(req.target());
  request.body = req.body();
  request.deadline = absl::Now() + absl::Seconds(5);
  const hla::service::Response r = service->Handle(request);
  hla::fuzz::Check(r.status != 500, "an answer of 500", input);
  if (r.content_type == "application/json") {
    hla::fuzz::Check(nlohmann::json::accept(r.body), "an answer not JSON",
                     input);
  }
  return 0;
}
