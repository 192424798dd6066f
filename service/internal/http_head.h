// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL to service/ (and its request fuzzer): a Beast request's head as
// the checks of server.h need it, and its path. One definition, so that the
// fuzzer checks exactly what the server checks. Beast stays out of the
// public headers.
#ifndef HLA_SERVICE_INTERNAL_HTTP_HEAD_H_
#define HLA_SERVICE_INTERNAL_HTTP_HEAD_H_

#include <optional>
#include <string>

#include "boost/beast/http/message.hpp"
#include "service/server.h"

namespace hla::service::internal {

inline std::string FromBeast(boost::beast::string_view s) {
  return std::string(s.data(), s.size());
}

// The request target without its query string ("/v1/rank?x" -> "/v1/rank").
inline std::string PathOf(boost::beast::string_view target) {
  return FromBeast(target.substr(0, target.find('?')));
}

template <class Fields>
RequestHead HeadOf(const boost::beast::http::request_header<Fields>& req) {
  namespace http = boost::beast::http;
  RequestHead head;
  head.version = static_cast<int>(req.version());
  head.method = FromBeast(req.method_string());
  head.path = PathOf(req.target());
  auto field = [&req](http::field f) -> std::optional<std::string> {
    const auto it = req.find(f);
    if (it == req.end()) return std::nullopt;
    return FromBeast(it->value());
  };
  head.host = field(http::field::host);
  head.authorization = field(http::field::authorization);
  head.content_type = field(http::field::content_type);
  head.transfer_encoding = field(http::field::transfer_encoding);
  head.content_length = req.find(http::field::content_length) != req.end();
  return head;
}

}  // namespace hla::service::internal

#endif  // HLA_SERVICE_INTERNAL_HTTP_HEAD_H_
