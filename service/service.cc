// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The request handlers of service/service.h. JSON comes in through
// nlohmann-json (private to this file: no public header names it) and goes
// out through the CLI's writers (report/json.h), so that a response is
// byte for byte what `haplomatch match|rank --format json` prints. Every
// exception of nlohmann-json is caught here; none leaves Handle().
#include "service/service.h"

#include <algorithm>
#include <exception>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "report/csv.h"
#include "report/json.h"
#include "data/mac_table.h"
#include "data/reduce.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "hla/gl.h"
#include "hla/locus.h"
#include "hla/version.h"
#include "impute/impute.h"
#include "registry/donor_file.h"
#include "eligibility/eligibility.h"
#include "eligibility/score.h"
#include "family/family.h"
#include "registry/family_file.h"
#include "registry/ingest.h"
#include "matcher/match.h"
#include "registry/rank.h"
#include "registry/store.h"
#include "nlohmann/json.hpp"
#include "parser/parse.h"
#include "service/internal/web_assets.h"

namespace hla::service {

using Json = nlohmann::json;

Response ErrorResponse(int status, absl::string_view code,
                       absl::string_view message) {
  Response r;
  r.status = status;
  r.body = absl::StrCat("{\"error\":{\"code\":", report::JsonString(code),
                        ",\"message\":", report::JsonString(message), "}}\n");
  return r;
}

Response InternalErrorResponse() {
  return ErrorResponse(500, "internal",
                       "internal error; the request was not processed");
}

Response ErrorFromStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return ErrorResponse(400, "invalid_argument", status.message());
    case absl::StatusCode::kNotFound:
      return ErrorResponse(400, "not_found", status.message());
    case absl::StatusCode::kOutOfRange:
      return ErrorResponse(400, "out_of_range", status.message());
    case absl::StatusCode::kFailedPrecondition:
      return ErrorResponse(400, "failed_precondition", status.message());
    case absl::StatusCode::kDeadlineExceeded:
      return ErrorResponse(504, "deadline_exceeded", status.message());
    case absl::StatusCode::kResourceExhausted:
      return ErrorResponse(503, "resource_exhausted", status.message());
    default:
      return ErrorResponse(500, "internal", status.message());
  }
}

namespace {

Response Ok(std::string body) {
  Response r;
  r.body = std::move(body);
  return r;
}

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(what);
}

// ---- Typed access to request fields. Each names the field in its error
// ("'options.top' must be a non-negative integer") because a client's
// developer reads these messages.

absl::Status CheckKeys(const Json& obj, absl::string_view where,
                       std::initializer_list<absl::string_view> allowed) {
  if (!obj.is_object()) {
    return Bad(absl::StrCat("'", where, "' must be an object"));
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      return Bad(absl::StrCat("unknown field '", where, where.empty() ? "" : ".",
                              it.key(), "' (allowed: ",
                              absl::StrJoin(allowed, ", "), ")"));
    }
  }
  return absl::OkStatus();
}

const Json* Field(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

absl::StatusOr<std::optional<std::string>> OptString(const Json& obj,
                                                     const char* key,
                                                     absl::string_view where) {
  const Json* f = Field(obj, key);
  if (f == nullptr) return std::optional<std::string>();
  if (!f->is_string()) {
    return Bad(absl::StrCat("'", where, key, "' must be a string"));
  }
  return std::optional<std::string>(f->get<std::string>());
}

absl::StatusOr<std::optional<bool>> OptBool(const Json& obj, const char* key,
                                            absl::string_view where) {
  const Json* f = Field(obj, key);
  if (f == nullptr) return std::optional<bool>();
  if (!f->is_boolean()) {
    return Bad(absl::StrCat("'", where, key, "' must be true or false"));
  }
  return std::optional<bool>(f->get<bool>());
}

absl::StatusOr<std::optional<double>> OptNumber(const Json& obj,
                                                const char* key,
                                                absl::string_view where) {
  const Json* f = Field(obj, key);
  if (f == nullptr) return std::optional<double>();
  if (!f->is_number()) {
    return Bad(absl::StrCat("'", where, key, "' must be a number"));
  }
  return std::optional<double>(f->get<double>());
}

absl::StatusOr<std::optional<int64_t>> OptInt(const Json& obj, const char* key,
                                              absl::string_view where) {
  const Json* f = Field(obj, key);
  if (f == nullptr) return std::optional<int64_t>();
  if (!f->is_number_integer() ||
      (f->is_number_integer() && f->get<int64_t>() < 0)) {
    return Bad(absl::StrCat("'", where, key,
                            "' must be a non-negative integer"));
  }
  return std::optional<int64_t>(f->get<int64_t>());
}

// A list given as a JSON array of strings or as the CLI's comma list.
absl::StatusOr<std::optional<std::string>> OptList(const Json& obj,
                                                   const char* key,
                                                   absl::string_view where) {
  const Json* f = Field(obj, key);
  if (f == nullptr) return std::optional<std::string>();
  if (f->is_string()) return std::optional<std::string>(f->get<std::string>());
  if (f->is_array()) {
    std::vector<std::string> items;
    for (const Json& e : *f) {
      if (!e.is_string()) break;
      items.push_back(e.get<std::string>());
    }
    if (items.size() == f->size()) {
      return std::optional<std::string>(absl::StrJoin(items, ","));
    }
  }
  return Bad(absl::StrCat("'", where, key,
                          "' must be a string or an array of strings"));
}

#define HLA_SVC_GET(lhs, expr)         \
  auto lhs##_or = (expr);              \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

absl::StatusOr<Json> ParseBody(const std::string& body) {
  try {
    Json j = Json::parse(body);
    if (!j.is_object()) return Bad("the request body must be a JSON object");
    return j;
  } catch (const Json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 1,
    // column 9: syntax error while parsing ..."; keep the byte offset first.
    return Bad(absl::StrCat("malformed JSON at offset ", e.byte, ": ",
                            e.what()));
  } catch (const std::exception& e) {
    return Bad(absl::StrCat("malformed JSON: ", e.what()));
  }
}

std::string TooManyDonors(size_t limit) {
  return absl::StrCat("'options.top' must be at most ", limit,
                      ": a rank answer lists at most ", limit,
                      " donors (the server's --max-rank-donors); rank a "
                      "whole registry with haplomatch rank");
}

absl::Status CheckDeadline(const Request& request) {
  if (absl::Now() > request.deadline) {
    return absl::DeadlineExceededError(
        "the request took longer than the server's per-request deadline");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Locus>> ParseLoci(absl::string_view text) {
  absl::StatusOr<std::vector<Locus>> loci = ParseLocusList(text);
  if (!loci.ok()) return Bad(absl::StrCat("options.loci: ", loci.status().message()));
  return loci;
}

using Typed = registry::TypingFromText;

// A page file of --web-dir, whole. The page's files are small: one over
// kMaxPageFileBytes (a device, a wrong directory) is refused, not read.
constexpr size_t kMaxPageFileBytes = size_t{4} << 20;
absl::StatusOr<std::string> ReadPageFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("--web-dir: cannot read '", path, "'"));
  }
  std::string text(kMaxPageFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat("--web-dir: error reading '", path, "'"));
  }
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxPageFileBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--web-dir: '", path, "' is over ", kMaxPageFileBytes, " bytes"));
  }
  return text;
}

// Where in the typing an error is: the parser says it in the status
// (parser::ParseErrorOffset); the resolver and the genotype checks write it
// as "at offset N" (data/resolve.cc, matcher/genotype.cc; the token in
// quotes before it holds no space), so the first such N is the error's. The
// page underlines it; nullopt when the error names no position.
std::optional<size_t> ErrorOffset(const absl::Status& status) {
  if (std::optional<size_t> at = parser::ParseErrorOffset(status)) return at;
  const absl::string_view message = status.message();
  static constexpr absl::string_view kAt = " at offset ";
  const size_t at = message.find(kAt);
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = message.substr(at + kAt.size());
  const size_t digits = std::min(rest.find_first_not_of("0123456789"), rest.size());
  size_t offset = 0;
  if (digits == 0 || !absl::SimpleAtoi(rest.substr(0, digits), &offset)) {
    return std::nullopt;
  }
  return offset;
}

// What match and rank share: the recipient and the eligibility options.
struct Common {
  eligibility::EligibilityOptions eligibility;
  eligibility::RecipientFacts recipient_facts;
  matcher::MatchOptions match;
  Typed recipient;
  bool strict = true;  // options.strict: which resolver reads the typings
  // Match only: options.probability (default true) and
  // options.recipient_population.
  bool probability = true;
  impute::ImputeOptions imputation;
};

}  // namespace

struct Service::Impl {
  ServiceOptions options;
  std::shared_ptr<const data::Reference> ref;
  std::shared_ptr<const data::MacTable> macs;
  // Strict and non-strict resolvers and reducers, so that "strict" is a
  // per-request choice without building anything per request.
  std::shared_ptr<const data::Resolver> resolver[2];
  std::shared_ptr<const data::Reducer> reducer[2];
  std::optional<registry::DonorStore> registry;
  size_t registry_rejected = 0;
  // Match probabilities (impute/impute.h) from the shipped haplotype
  // frequencies; null when they cannot be bound to the release (the match
  // answers then carry "probability": null).
  // The shipped haplotype frequencies (null when they cannot be bound to
  // the release): match probabilities and the `probability` rank key.
  std::shared_ptr<const impute::Imputer> imputer;
  std::string imputer_error;  // why it is null

  const data::Resolver& Resolver(bool strict) const {
    return *resolver[strict ? 1 : 0];
  }

  Response Health() const { return Ok("{\"status\":\"ok\"}\n"); }

  // options.donors (a donor file or an index), when given, as the registry.
  absl::Status LoadRegistry() {
    if (options.donors.empty()) return absl::OkStatus();
    const data::Resolver& resolver = *this->resolver[1];
    absl::StatusOr<registry::DonorStore> store;
    if (registry::IsIndexFile(options.donors)) {
      store = registry::LoadIndex(options.donors, resolver);
    } else {
      registry::IngestOptions io;
      io.id_column = options.id_column;
      registry::IngestStats stats;
      store = registry::IngestDonorFile(
          options.donors, resolver, io,
          [this](const std::string&) { ++registry_rejected; }, &stats);
    }
    if (!store.ok()) return store.status();
    // A donor file's donors are imputed now, for the probability key (an
    // index holds its own imputations, or the key is refused).
    if (!registry::IsIndexFile(options.donors) && imputer != nullptr) {
      if (absl::Status s = registry::ImputeDonors(*imputer, 0, &*store); !s.ok()) {
        return s;
      }
    }
    registry = *std::move(store);
    return absl::OkStatus();
  }

  // The coordinator's page and its example files (GET or HEAD). With
  // options.web_dir, the page's own files are read from there at each
  // request (a developer's or a registry's edited copy); the examples are
  // always the shipped ones.
  Response Page(const Request& request) const {
    const internal::EmbeddedFile* f = internal::FindEmbeddedFile(request.path);
    if (f == nullptr) {
      return ErrorResponse(404, "not_found",
                           absl::StrCat("no page or endpoint ",
                                        request.path.substr(0, 64),
                                        " (the page is at /; the API is under "
                                        "/v1/, docs/openapi.yaml)"));
    }
    if (request.method != "GET" && request.method != "HEAD") {
      Response r = ErrorResponse(405, "method_not_allowed",
                                 absl::StrCat(request.path, " takes GET, not ",
                                              request.method.substr(0, 16)));
      r.headers.emplace_back("Allow", "GET");
      return r;
    }
    Response r;
    r.content_type = f->content_type;
    r.body.assign(reinterpret_cast<const char*>(f->data), f->size);
    if (!options.web_dir.empty() && !absl::StartsWith(request.path, "/example/")) {
      const std::string name =
          request.path == "/" ? "index.html"
          : request.path == "/favicon.ico" ? "favicon.svg"
                                           : request.path.substr(1);
      absl::StatusOr<std::string> text =
          ReadPageFile(absl::StrCat(options.web_dir, "/", name));
      if (!text.ok()) {
        // The server's own files are missing: its fault, not the client's.
        return ErrorResponse(500, "internal", text.status().message());
      }
      r.body = *std::move(text);
    }
    return r;
  }

  Response Version() const {
    std::string o = absl::StrCat(
        "{\"version\":", report::JsonString(kVersionString),
        ",\"imgt_version\":", report::JsonString(ref->version()),
        ",\"imgt_date\":", report::JsonString(ref->date()),
        ",\"mac_date\":", report::JsonString(macs->date()), ",\"registry\":");
    if (registry) {
      absl::StrAppend(&o, "{\"donors\":", registry->size(),
                      ",\"rejected\":", registry_rejected, "}");
    } else {
      o += "null";
    }
    o += "}\n";
    return Ok(std::move(o));
  }

  absl::StatusOr<std::vector<std::string>> Typings(const Json& body) const {
    const Json* t = Field(body, "typings");
    if (t == nullptr || !t->is_array()) {
      return Bad("'typings' must be an array of strings");
    }
    std::vector<std::string> out;
    out.reserve(t->size());
    for (size_t i = 0; i < t->size(); ++i) {
      if (!(*t)[i].is_string()) {
        return Bad(absl::StrCat("'typings[", i, "]' must be a string"));
      }
      out.push_back((*t)[i].get<std::string>());
    }
    return out;
  }

  absl::StatusOr<std::string> Reduce(const Request& request) const {
    HLA_SVC_GET(body, ParseBody(request.body));
    if (absl::Status s = CheckKeys(body, "", {"typings", "level", "strict"});
        !s.ok()) {
      return s;
    }
    HLA_SVC_GET(typings, Typings(body));
    HLA_SVC_GET(level_text, OptString(body, "level", ""));
    HLA_SVC_GET(strict, OptBool(body, "strict", ""));
    const std::string level_name = level_text.value_or("lgx");
    std::optional<data::ReductionLevel> level =
        data::ParseReductionLevel(level_name);
    if (!level) {
      return Bad(absl::StrCat("'level' must be one of G, P, lg, lgx, exon, W, "
                              "U2, S, 1F, not '", level_name, "'"));
    }
    const data::Reducer& red = *reducer[strict.value_or(true) ? 1 : 0];
    std::string o = absl::StrCat("{\"imgt_version\":",
                                 report::JsonString(ref->version()),
                                 ",\"level\":", report::JsonString(level_name),
                                 ",\"results\":[");
    for (size_t i = 0; i < typings.size(); ++i) {
      if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
      absl::StrAppend(&o, i ? "," : "", "{\"typing\":",
                      report::JsonString(typings[i]));
      absl::StatusOr<GlString> gl = parser::ParseGlString(typings[i]);
      absl::StatusOr<data::ReduceResult> r =
          gl.ok() ? red.Reduce(*gl, *level)
                  : absl::StatusOr<data::ReduceResult>(gl.status());
      if (r.ok()) {
        absl::StrAppend(&o, ",\"reduced\":", report::JsonString(r->text),
                        ",\"warnings\":", report::JsonStringList(r->warnings),
                        "}");
      } else {
        absl::StrAppend(&o, ",\"error\":", report::JsonString(r.status().message()),
                        "}");
      }
    }
    o += "]}\n";
    return o;
  }

  absl::StatusOr<std::string> Validate(const Request& request) const {
    HLA_SVC_GET(body, ParseBody(request.body));
    if (absl::Status s = CheckKeys(body, "", {"typings", "strict"}); !s.ok()) {
      return s;
    }
    HLA_SVC_GET(typings, Typings(body));
    HLA_SVC_GET(strict, OptBool(body, "strict", ""));
    const data::Resolver& resolver = Resolver(strict.value_or(true));
    std::string o = absl::StrCat("{\"imgt_version\":",
                                 report::JsonString(ref->version()),
                                 ",\"results\":[");
    for (size_t i = 0; i < typings.size(); ++i) {
      if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
      absl::StrAppend(&o, i ? "," : "", "{\"typing\":",
                      report::JsonString(typings[i]));
      absl::StatusOr<GlString> gl = parser::ParseGlString(typings[i]);
      absl::StatusOr<data::ResolvedTyping> t =
          gl.ok() ? resolver.Resolve(*gl)
                  : absl::StatusOr<data::ResolvedTyping>(gl.status());
      // Valid means /v1/match takes it too (BuildGenotype's checks), as
      // `haplomatch validate` says.
      absl::Status built =
          t.ok() ? matcher::BuildGenotype(*ref, *t).status() : t.status();
      if (built.ok()) {
        absl::StrAppend(&o, ",\"valid\":true,\"warnings\":",
                        report::JsonStringList(t->warnings), "}");
      } else {
        absl::StrAppend(&o, ",\"valid\":false,\"error\":",
                        report::JsonString(built.message()));
        if (std::optional<size_t> at = ErrorOffset(built)) {
          absl::StrAppend(&o, ",\"offset\":", *at);
        }
        o += "}";
      }
    }
    o += "]}\n";
    return o;
  }

  // POST /v1/parse: `haplomatch parse --format json` of each typing (its
  // syntax tree, without the release: a name IMGT lacks still parses), or
  // the parser's error with its offset.
  absl::StatusOr<std::string> Parse(const Request& request) const {
    HLA_SVC_GET(body, ParseBody(request.body));
    if (absl::Status s = CheckKeys(body, "", {"typings"}); !s.ok()) return s;
    HLA_SVC_GET(typings, Typings(body));
    std::string o = "{\"results\":[";
    for (size_t i = 0; i < typings.size(); ++i) {
      if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
      absl::StrAppend(&o, i ? "," : "", "{\"typing\":",
                      report::JsonString(typings[i]));
      absl::StatusOr<GlString> gl = parser::ParseGlString(typings[i]);
      if (gl.ok()) {
        absl::StrAppend(&o, ",\"parsed\":", ToJson(*gl), "}");
      } else {
        absl::StrAppend(&o, ",\"error\":",
                        report::JsonString(gl.status().message()));
        if (std::optional<size_t> at = ErrorOffset(gl.status())) {
          absl::StrAppend(&o, ",\"offset\":", *at);
        }
        o += "}";
      }
    }
    o += "]}\n";
    return o;
  }

  // POST /v1/mac/encode and /v1/mac/decode: `haplomatch mac encode|decode`
  // (data::EncodeMac, data::DecodeMac) on the loaded MAC table, one result
  // per typing in order.
  absl::StatusOr<std::string> Mac(const Request& request, bool encode) const {
    HLA_SVC_GET(body, ParseBody(request.body));
    if (absl::Status s = CheckKeys(body, "", {"typings"}); !s.ok()) return s;
    HLA_SVC_GET(typings, Typings(body));
    const data::Resolver& resolver = Resolver(true);
    std::string o = absl::StrCat("{\"mac_date\":",
                                 report::JsonString(macs ? macs->date() : ""),
                                 ",\"results\":[");
    for (size_t i = 0; i < typings.size(); ++i) {
      if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
      absl::StrAppend(&o, i ? "," : "", "{\"typing\":",
                      report::JsonString(typings[i]));
      absl::StatusOr<std::string> r;
      if (encode) {
        r = data::EncodeMac(resolver, typings[i]);
      } else {
        absl::StatusOr<GlString> gl = parser::ParseGlString(typings[i]);
        r = gl.ok() ? data::DecodeMac(resolver, *gl)
                    : absl::StatusOr<std::string>(gl.status());
      }
      if (r.ok()) {
        absl::StrAppend(&o, encode ? ",\"mac\":" : ",\"allele_list\":",
                        report::JsonString(*r), "}");
      } else {
        absl::StrAppend(&o, ",\"error\":",
                        report::JsonString(r.status().message()), "}");
      }
    }
    o += "]}\n";
    return o;
  }

  // "recipient" and "options", as the match and rank flags read them.
  // An array of flat objects as JSON Lines text, so that donors and family
  // rows in a request are read exactly as a file is (registry/donor_file.h).
  static absl::StatusOr<std::string> ToJsonLines(const Json& array,
                                                 absl::string_view field) {
    if (!array.is_array()) {
      return Bad(absl::StrCat("'", field, "' must be an array of objects"));
    }
    std::string lines;
    for (size_t i = 0; i < array.size(); ++i) {
      const Json& row = array[i];
      if (!row.is_object()) {
        return Bad(absl::StrCat("'", field, "[", i, "]' must be an object"));
      }
      for (auto it = row.begin(); it != row.end(); ++it) {
        if (it->is_object() || it->is_array()) {
          return Bad(absl::StrCat("'", field, "[", i, "].", it.key(),
                                  "' must be a string, number or null"));
        }
      }
      lines += row.dump();
      lines += '\n';
    }
    return lines;
  }

  // "family": the rows of a family file as objects (id, role, family_id,
  // typing or per-locus keys, ...: docs/family.md), read as a JSON Lines
  // family file and segregated. A rejected row or a family that does not
  // segregate is a 400 naming it ("family[2]: ..."): a family is a handful
  // of hand-entered rows, and a proof from part of it would mislead.
  // nullopt without "family".
  absl::StatusOr<std::optional<registry::SegregatedFamilies>> ReadFamily(
      const Json& body, bool strict) const {
    const Json* fj = Field(body, "family");
    if (fj == nullptr) return std::optional<registry::SegregatedFamilies>();
    HLA_SVC_GET(f, ReadFamilyRows<registry::SegregatedFamilies>(
                       *fj, strict, [](registry::DonorFileReader* r) {
                         return registry::ReadAndSegregate(r, "family");
                       }));
    if (!f.rejected.empty()) return Bad(RowName(f.rejected.front()));
    return std::optional<registry::SegregatedFamilies>(std::move(f));
  }

  // The rows of a request's "family" read as a JSON Lines family file (an
  // untyped member is a placeholder), by `read` (ReadAndSegregate,
  // ReadFamilyFile); its errors name the row as RowName does.
  template <typename T, typename Read>
  absl::StatusOr<T> ReadFamilyRows(const Json& rows, bool strict,
                                   Read read) const {
    HLA_SVC_GET(lines, ToJsonLines(rows, "family"));
    std::istringstream in(lines);
    registry::DonorFileOptions fo;
    fo.format = registry::TableFormat::kJsonLines;
    fo.allow_untyped = true;
    absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> reader =
        registry::DonorFileReader::FromStream(&in, "family", &Resolver(strict),
                                             fo);
    if (!reader.ok()) return Bad(RowName(reader.status().message()));
    absl::StatusOr<T> result = read(reader->get());
    if (!result.ok()) return Bad(RowName(result.status().message()));
    return result;
  }

  // The reader names a row of "family" by its line ("family:3: ..."); a
  // request's rows are objects: the third is family[2].
  static std::string RowName(absl::string_view message) {
    absl::string_view rest = message;
    size_t line = 0;
    if (absl::ConsumePrefix(&rest, "family:")) {
      const size_t digits =
          std::min(rest.find_first_not_of("0123456789"), rest.size());
      if (digits != 0 && absl::SimpleAtoi(rest.substr(0, digits), &line) &&
          line > 0) {
        return absl::StrCat("family[", line - 1, "]", rest.substr(digits));
      }
    }
    return std::string(message);
  }

  // options.strict, read before the rest of the options: the family rows
  // are read with the resolver it names, and they may give the recipient.
  static absl::StatusOr<bool> StrictOf(const Json& body) {
    const Json* oj = Field(body, "options");
    if (oj == nullptr || !oj->is_object()) return true;
    HLA_SVC_GET(strict, OptBool(*oj, "strict", "options."));
    return strict.value_or(true);
  }

  // `patient_typing`: the family's patient, the recipient when the request
  // gives no recipient.typing (as `match --family` without --recipient).
  absl::StatusOr<Common> ReadCommon(const Json& body, bool rank,
                                    registry::RankOptions* rank_options,
                                    const std::string* patient_typing) const {
    Common c;
    static const Json kNoRecipient = Json::object();
    const Json* rj = Field(body, "recipient");
    if (rj == nullptr && patient_typing != nullptr) rj = &kNoRecipient;
    if (rj == nullptr) return Bad("'recipient' is required");
    if (absl::Status s = CheckKeys(*rj, "recipient",
                                   {"typing", "abo", "cmv", "sex",
                                    "antibodies"});
        !s.ok()) {
      return s;
    }
    static const Json kEmpty = Json::object();
    const Json* oj = Field(body, "options");
    if (oj == nullptr) oj = &kEmpty;
    if (rank) {
      if (absl::Status s = CheckKeys(*oj, "options",
                                     {"protocol", "as_of", "dsa_mfi", "top",
                                      "rank_by", "strict", "gate",
                                      "unrelated_haplo", "allow_minors",
                                      "recipient_population"});
          !s.ok()) {
        return s;
      }
    } else if (absl::Status s = CheckKeys(
                   *oj, "options",
                   {"loci", "homozygous_mismatch", "hla_a_bw4", "protocol",
                    "as_of", "dsa_mfi", "gate", "strict", "unrelated_haplo",
                    "allow_minors", "probability", "recipient_population"});
               !s.ok()) {
      return s;
    }
    HLA_SVC_GET(protocol, OptString(*oj, "protocol", "options."));
    absl::StatusOr<eligibility::EligibilityOptions> eo =
        eligibility::OptionsForProtocol(protocol.value_or("none"));
    if (!eo.ok()) {
      return Bad(absl::StrCat("options.protocol: ", eo.status().message()));
    }
    c.eligibility = *eo;
    c.eligibility.as_of = eligibility::Today();
    HLA_SVC_GET(as_of, OptString(*oj, "as_of", "options."));
    if (as_of) {
      absl::StatusOr<absl::CivilDay> d = eligibility::ParseDate(*as_of);
      if (!d.ok()) {
        return Bad(absl::StrCat("options.as_of: ", d.status().message()));
      }
      c.eligibility.as_of = *d;
    }
    HLA_SVC_GET(dsa, OptNumber(*oj, "dsa_mfi", "options."));
    if (dsa) {
      if (!(*dsa >= 0) || *dsa > eligibility::kMaxDsaMfi) {
        return Bad(absl::StrCat("'options.dsa_mfi' must be an MFI from 0 to ",
                                eligibility::kMaxDsaMfi));
      }
      c.eligibility.dsa_mfi_threshold = *dsa;
    }
    HLA_SVC_GET(by_state, OptString(*oj, "unrelated_haplo", "options."));
    if (by_state) {
      absl::StatusOr<eligibility::ByStatePolicy> p =
          eligibility::ParseByStatePolicy(*by_state);
      if (!p.ok()) {
        return Bad(absl::StrCat("options.unrelated_haplo: ",
                                p.status().message()));
      }
      c.eligibility.by_state = *p;
    }
    HLA_SVC_GET(minors, OptBool(*oj, "allow_minors", "options."));
    c.eligibility.allow_minors = minors.value_or(false);
    HLA_SVC_GET(gate, OptList(*oj, "gate", "options."));
    if (gate) {
      if (!c.eligibility.assessed()) {
        return Bad("'options.gate' needs a protocol: without one nothing is "
                   "decided");
      }
      for (absl::string_view item : absl::StrSplit(*gate, ',')) {
        item = absl::StripAsciiWhitespace(item);
        if (item == "abo") {
          c.eligibility.abo_gate = true;
        } else if (item == "cmv") {
          c.eligibility.cmv_gate = true;
        } else if (item == "sex") {
          c.eligibility.sex_gate = true;
        } else {
          return Bad(absl::StrCat("options.gate: '", item,
                                  "' is not one of abo, cmv, sex"));
        }
      }
    }
    HLA_SVC_GET(pop, OptString(*oj, "recipient_population", "options."));
    if (pop) {
      std::optional<data::Population> p = data::ParsePopulation(*pop);
      if (!p) {
        return Bad("'options.recipient_population' must be EUR, AFA, API or HIS");
      }
      c.imputation.population = *p;
    }
    if (!rank) {
      HLA_SVC_GET(loci, OptList(*oj, "loci", "options."));
      if (loci) {
        HLA_SVC_GET(l, ParseLoci(*loci));
        c.match.loci = l;
      }
      HLA_SVC_GET(hm, OptInt(*oj, "homozygous_mismatch", "options."));
      if (hm) {
        if (*hm != 1 && *hm != 2) {
          return Bad("'options.homozygous_mismatch' must be 2 (WMDA 2016) or 1");
        }
        c.match.homozygous_mismatch_count = static_cast<int>(*hm);
      }
      HLA_SVC_GET(bw4, OptBool(*oj, "hla_a_bw4", "options."));
      if (bw4) c.match.hla_a_bw4 = *bw4;
      HLA_SVC_GET(prob, OptBool(*oj, "probability", "options."));
      if (prob) c.probability = *prob;
    } else {
      HLA_SVC_GET(top, OptInt(*oj, "top", "options."));
      if (top && static_cast<uint64_t>(*top) > options.max_rank_donors) {
        return Bad(TooManyDonors(options.max_rank_donors));
      }
      // "top": 0 (all) asks for one more than the limit, so that a
      // ranking over it is noticed without listing it.
      rank_options->top =
          !top ? options.default_top
               : *top == 0 ? options.max_rank_donors + 1
                           : static_cast<size_t>(*top);
      HLA_SVC_GET(rank_by, OptList(*oj, "rank_by", "options."));
      if (rank_by) {
        absl::StatusOr<std::vector<registry::RankKey>> k =
            registry::ParseRankBy(*rank_by);
        if (!k.ok()) {
          return Bad(absl::StrCat("options.rank_by: ", k.status().message()));
        }
        rank_options->rank_by = *k;
      }
    }
    HLA_SVC_GET(abo, OptString(*rj, "abo", "recipient."));
    if (abo) {
      absl::StatusOr<eligibility::BloodGroup> g = eligibility::ParseBloodGroup(*abo);
      if (!g.ok()) return Bad(absl::StrCat("recipient.abo: ", g.status().message()));
      c.recipient_facts.blood_group = *g;
    }
    HLA_SVC_GET(cmv, OptString(*rj, "cmv", "recipient."));
    if (cmv) {
      absl::StatusOr<eligibility::Cmv> v = eligibility::ParseCmv(*cmv);
      if (!v.ok()) return Bad(absl::StrCat("recipient.cmv: ", v.status().message()));
      c.recipient_facts.cmv = *v;
    }
    HLA_SVC_GET(sex, OptString(*rj, "sex", "recipient."));
    if (sex) {
      absl::StatusOr<eligibility::Sex> v = eligibility::ParseSex(*sex);
      if (!v.ok()) return Bad(absl::StrCat("recipient.sex: ", v.status().message()));
      c.recipient_facts.sex = *v;
    }
    HLA_SVC_GET(abs, OptList(*rj, "antibodies", "recipient."));
    // "antibodies" given: the recipient was tested ("none": without
    // antibodies; an empty list or string is refused, never read as none).
    if (abs) {
      absl::StatusOr<std::vector<eligibility::Antibody>> a =
          eligibility::ParseAntibodyTest(*abs);
      if (!a.ok()) {
        return Bad(absl::StrCat("recipient.antibodies: ", a.status().message()));
      }
      if (absl::Status s = eligibility::CheckAntibodies(*a, *ref); !s.ok()) {
        return Bad(absl::StrCat("recipient.antibodies: ", s.message()));
      }
      c.recipient_facts.antibodies_tested = true;
      c.recipient_facts.antibodies = *std::move(a);
    }
    HLA_SVC_GET(typing, OptString(*rj, "typing", "recipient."));
    if (!typing && patient_typing != nullptr && !patient_typing->empty()) {
      typing = *patient_typing;
    }
    if (!typing) {
      return Bad(patient_typing != nullptr
                     ? "'recipient.typing' is required: the family has no "
                       "typed patient"
                     : "'recipient.typing' is required");
    }
    HLA_SVC_GET(strict, OptBool(*oj, "strict", "options."));
    c.strict = strict.value_or(true);
    absl::StatusOr<Typed> t = registry::ReadTyping(Resolver(c.strict), *typing);
    if (!t.ok()) {
      return absl::Status(t.status().code(),
                          absl::StrCat("recipient.typing: ", t.status().message()));
    }
    c.recipient = *std::move(t);
    return c;
  }

  absl::StatusOr<std::string> Match(const Request& request) const {
    HLA_SVC_GET(body, ParseBody(request.body));
    if (absl::Status s =
            CheckKeys(body, "", {"recipient", "donors", "family", "options"});
        !s.ok()) {
      return s;
    }
    HLA_SVC_GET(strict, StrictOf(body));
    HLA_SVC_GET(family, ReadFamily(body, strict));
    // Without "donors", the family's relatives are the donors (as `match
    // --family` without --donors).
    const Json* donors = Field(body, "donors");
    if ((donors == nullptr && !family) ||
        (donors != nullptr && !donors->is_array())) {
      return Bad("'donors' must be an array of objects (or give 'family': "
                 "its relatives are then the donors)");
    }
    HLA_SVC_GET(c, ReadCommon(body, /*rank=*/false, nullptr,
                              family ? &family->patient_typing : nullptr));
    const data::Resolver& resolver = Resolver(c.strict);

    std::string out = report::MatchJsonHead(ref->version(), c.eligibility,
                                         c.recipient.typing);
    std::vector<std::pair<std::string, std::string>> rejected;
    eligibility::DonorIdSet ids;
    size_t emitted = 0;
    // Every donor goes through the one donor pipeline (eligibility/score.h).
    eligibility::ScoringContext context;
    context.reference = ref.get();
    context.recipient = &c.recipient.genotype;
    context.recipient_facts = c.recipient_facts;
    context.match = c.match;
    context.eligibility = c.eligibility;
    context.families = family ? family->evidence.get() : nullptr;
    // The recipient imputed once for every donor's probabilities.
    std::optional<impute::Imputation> imputation;
    if (imputer != nullptr && c.probability) {
      absl::StatusOr<impute::Imputation> r =
          imputer->Impute(c.recipient.genotype, c.imputation);
      if (r.ok()) imputation = *std::move(r);
    }
    if (imputation) {
      context.imputer = imputer.get();
      context.recipient_imputation = &*imputation;
    }
    // One scored donor into the document, or into "rejected".
    auto emit = [&](eligibility::DonorFacts facts, matcher::Genotype genotype,
                    std::vector<std::string> warnings,
                    const std::string& typing, const std::string& source) {
      if (absl::Status s = ids.Add(facts.id); !s.ok()) {
        rejected.emplace_back(source, std::string(s.message()));
        return;
      }
      absl::StatusOr<eligibility::DonorReport> scored =
          eligibility::ScoreDonor(context, std::move(facts),
                                  std::move(genotype), std::move(warnings));
      if (!scored.ok()) {
        rejected.emplace_back(source, std::string(scored.status().message()));
        return;
      }
      report::MatchedDonor d;
      static_cast<eligibility::DonorReport&>(d) = *std::move(scored);
      d.typing = typing;
      d.source = source;
      absl::StrAppend(&out, report::MatchDonorSeparator(emitted++),
                      report::MatchDonorJson(d, c.eligibility));
    };
    if (donors == nullptr) {
      for (const registry::DonorRecord& rec : family->relatives) {
        if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
        emit(rec.facts, rec.genotype, rec.warnings, rec.typing,
             RowName(absl::StrCat("family:", rec.line)));
      }
      out += report::MatchJsonTail(rejected);
      return out;
    }
    for (size_t i = 0; i < donors->size(); ++i) {
      if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
      const Json& dj = (*donors)[i];
      const std::string where = absl::StrCat("donors[", i, "]");
      // A family file's own columns (role, family_id, other_parent) are
      // taken and not read, as a donor file's reader does, so that a row
      // of /v1/donor-file goes in "donors" as it is.
      if (absl::Status s = CheckKeys(dj, where,
                                     {"id", "typing", "relationship",
                                      "birth_date", "age", "sex", "abo", "cmv",
                                      "kir", "population", "source", "role",
                                      "family_id", "other_parent"});
          !s.ok()) {
        return s;
      }
      const std::string prefix = where + ".";
      HLA_SVC_GET(id, OptString(dj, "id", prefix));
      HLA_SVC_GET(typing, OptString(dj, "typing", prefix));
      HLA_SVC_GET(source, OptString(dj, "source", prefix));
      HLA_SVC_GET(rel, OptString(dj, "relationship", prefix));
      HLA_SVC_GET(birth, OptString(dj, "birth_date", prefix));
      HLA_SVC_GET(age, OptInt(dj, "age", prefix));
      HLA_SVC_GET(sex, OptString(dj, "sex", prefix));
      HLA_SVC_GET(abo, OptString(dj, "abo", prefix));
      HLA_SVC_GET(cmv, OptString(dj, "cmv", prefix));
      HLA_SVC_GET(kir, OptString(dj, "kir", prefix));
      HLA_SVC_GET(population, OptString(dj, "population", prefix));
      if (!typing) return Bad(absl::StrCat("'", prefix, "typing' is required"));

      // Bad donor data is the donor's problem, not the request's: it goes
      // to "rejected" as `match` does with a bad row. The facts are read by
      // the donor files' reader (eligibility::ParseDonorFact).
      const std::string source_name = source.value_or(where);
      auto reject = [&](absl::string_view why) {
        rejected.emplace_back(source_name, std::string(why));
      };
      eligibility::DonorFacts facts;
      facts.id = id.value_or(absl::StrCat("donor-", i + 1));
      const std::pair<eligibility::DonorFact, std::optional<std::string>>
          written[] = {
              {eligibility::DonorFact::kRelationship, rel},
              {eligibility::DonorFact::kBirthDate, birth},
              {eligibility::DonorFact::kAge,
               age ? std::optional<std::string>(absl::StrCat(*age))
                   : std::nullopt},
              {eligibility::DonorFact::kSex, sex},
              {eligibility::DonorFact::kAbo, abo},
              {eligibility::DonorFact::kCmv, cmv},
              {eligibility::DonorFact::kKir, kir},
              {eligibility::DonorFact::kPopulation, population},
          };
      absl::Status fact_error;
      for (const auto& [fact, text] : written) {
        if (!text || !fact_error.ok()) continue;
        if (absl::Status e = eligibility::ParseDonorFact(fact, *text, &facts);
            !e.ok()) {
          fact_error = absl::InvalidArgumentError(absl::StrCat(
              "key '", eligibility::DonorFactName(fact), "': ", e.message()));
        }
      }
      if (fact_error.ok()) {
        fact_error = eligibility::CheckDonorFacts(facts, eligibility::Today());
      }
      if (!fact_error.ok()) {
        reject(fact_error.message());
        continue;
      }
      if (facts.id.empty()) {
        reject("empty donor id");
        continue;
      }
      absl::StatusOr<Typed> t = registry::ReadTyping(resolver, *typing);
      if (!t.ok()) {
        reject(t.status().message());
        continue;
      }
      emit(std::move(facts), std::move(t->genotype), std::move(t->warnings),
           t->typing, source_name);
    }
    out += report::MatchJsonTail(rejected);
    return out;
  }

  // POST /v1/donor-file: the text of a donor or family file (CSV, TSV or
  // JSON Lines, chosen as for standard input: docs/donor-files.md), read
  // by the CLI's reader and given back as rows the other endpoints take in
  // "donors" or "family", so that a page or a script reads a file exactly
  // as `haplomatch match --donors` does. A bad row is listed in
  // "rejected" with the reader's message, as `match` reports it.
  absl::StatusOr<std::string> DonorFile(const Request& request) const {
    HLA_SVC_GET(body, ParseBody(request.body));
    if (absl::Status s = CheckKeys(body, "", {"text", "format", "strict"});
        !s.ok()) {
      return s;
    }
    HLA_SVC_GET(text, OptString(body, "text", ""));
    if (!text) return Bad("'text' (the file's contents) is required");
    HLA_SVC_GET(format_name, OptString(body, "format", ""));
    HLA_SVC_GET(strict, OptBool(body, "strict", ""));
    registry::DonorFileOptions fo;
    fo.allow_untyped = true;  // a family's placeholder; match rejects it
    const std::string f = format_name.value_or("auto");
    if (f == "csv") {
      fo.format = registry::TableFormat::kCsv;
    } else if (f == "tsv") {
      fo.format = registry::TableFormat::kTsv;
    } else if (f == "jsonl") {
      fo.format = registry::TableFormat::kJsonLines;
    } else if (f != "auto") {
      return Bad(absl::StrCat("'format' must be auto, csv, tsv or jsonl, not '",
                              f, "'"));
    }
    std::istringstream in(*text);
    absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> reader =
        registry::DonorFileReader::FromStream(
            &in, "file", &Resolver(strict.value_or(true)), fo);
    if (!reader.ok()) return reader.status();
    std::string rows;
    std::vector<std::pair<std::string, std::string>> rejected;
    std::vector<std::string> warnings;
    bool family = false;
    size_t n = 0;
    registry::DonorRecord rec;
    absl::Status row;
    while ((*reader)->Next(&rec, &row)) {
      if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
      const std::string source = absl::StrCat("file:", rec.line);
      if (!row.ok()) {
        rejected.emplace_back(source, std::string(row.message()));
        continue;
      }
      family |= !rec.role.empty();
      const eligibility::DonorFacts& d = rec.facts;
      // {"source","row":{the columns, as "donors" and "family" take
      // them},"warnings"}: the row object goes back as it is.
      absl::StrAppend(
          &rows, n++ ? "," : "", "{\"source\":", report::JsonString(source),
          ",\"row\":{\"id\":", report::JsonString(d.id),
          ",\"family_id\":", report::JsonString(rec.family_id),
          ",\"role\":", report::JsonString(rec.role),
          ",\"other_parent\":", report::JsonString(rec.other_parent),
          ",\"relationship\":", report::JsonString(d.relationship_text),
          ",\"birth_date\":",
          d.birth_date ? report::JsonString(eligibility::FormatDate(*d.birth_date))
                       : "null",
          ",\"age\":", d.age ? absl::StrCat(*d.age) : "null",
          ",\"sex\":", report::JsonString(eligibility::SexName(d.sex)),
          ",\"abo\":",
          d.blood_group
              ? report::JsonString(eligibility::BloodGroupName(*d.blood_group))
              : "null",
          ",\"cmv\":", report::JsonString(eligibility::CmvName(d.cmv)),
          ",\"kir\":",
          d.kir_text.empty() ? std::string("null") : report::JsonString(d.kir_text),
          ",\"typing\":", report::JsonString(rec.typing),
          "},\"warnings\":", report::JsonStringList(rec.warnings), "}");
    }
    for (const std::string& w : (*reader)->header_warnings()) {
      warnings.push_back(w);
    }
    const registry::TableFormat tf = (*reader)->format();
    const char* format =
        tf == registry::TableFormat::kJsonLines ? "jsonl"
        : tf == registry::TableFormat::kTsv     ? "tsv"
                                                : "csv";
    return absl::StrCat("{\"format\":\"", format, "\",\"family\":",
                        family ? "true" : "false", ",\"rows\":[", rows,
                        "],\"rejected\":", report::RejectedJsonList(rejected),
                        ",\"warnings\":", report::JsonStringList(warnings),
                        "}\n");
  }

  // POST /v1/family: `haplomatch family --format json` on the rows of
  // "family" (objects, as in match and rank). Rows that fail and families
  // that do not segregate are listed in "rejected", as the command lists
  // them; a family that cannot be explained as stated says so in its
  // "consistent" and "problems".
  absl::StatusOr<std::string> Family(const Request& request) const {
    HLA_SVC_GET(body, ParseBody(request.body));
    if (absl::Status s = CheckKeys(body, "", {"family", "options"}); !s.ok()) {
      return s;
    }
    const Json* fj = Field(body, "family");
    if (fj == nullptr) return Bad("'family' must be an array of objects");
    HLA_SVC_GET(strict, StrictOf(body));
    if (const Json* oj = Field(body, "options")) {
      if (absl::Status s = CheckKeys(*oj, "options", {"strict"}); !s.ok()) {
        return s;
      }
    }
    HLA_SVC_GET(file, ReadFamilyRows<registry::FamilyFile>(
                          *fj, strict, [](registry::DonorFileReader* r) {
                            return registry::ReadFamilyFile(r, "family");
                          }));
    std::vector<std::pair<std::string, std::string>> rejected;
    for (const std::string& e : file.errors) {
      rejected.emplace_back("family", RowName(e));
    }
    std::string out = report::FamilyJsonHead(ref->version());
    const matcher::MatchOptions mopts;
    size_t written = 0;
    for (const registry::FamilyRows& rows : file.families) {
      if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
      absl::StatusOr<family::FamilyResult> fam =
          family::Segregate(rows.family_id, rows.members, {});
      if (!fam.ok()) {
        rejected.emplace_back(
            absl::StrCat("family ", family::FamilyName(rows.family_id)),
            std::string(fam.status().message()));
        continue;
      }
      const std::vector<std::optional<matcher::HaploResult>> verdicts =
          family::RelativeVerdicts(*fam, rows.members, *ref, mopts);
      absl::StrAppend(&out, written++ > 0 ? "," : "",
                      report::FamilyJson(*fam, verdicts));
    }
    out += report::FamilyJsonTail(rejected);
    return out;
  }

  // What a rank request ranked: the store (the request's donors, the
  // family's relatives, or the registry), the options, the result.
  struct RankRun {
    std::optional<registry::DonorStore> body_store;
    const registry::DonorStore* store = nullptr;
    size_t rejected = 0;
    registry::RankOptions options;
    std::shared_ptr<const matcher::Genotype> recipient;
    registry::RankResult result;
  };

  absl::Status RunRank(const Request& request, RankRun* run) const {
    HLA_SVC_GET(body, ParseBody(request.body));
    if (absl::Status s =
            CheckKeys(body, "", {"recipient", "donors", "family", "options"});
        !s.ok()) {
      return s;
    }
    HLA_SVC_GET(strict, StrictOf(body));
    HLA_SVC_GET(family, ReadFamily(body, strict));
    registry::RankOptions& ro = run->options;
    HLA_SVC_GET(c, ReadCommon(body, /*rank=*/true, &ro,
                              family ? &family->patient_typing : nullptr));
    ro.eligibility = c.eligibility;
    ro.recipient = c.recipient_facts;
    ro.threads = std::max(1, options.rank_threads);
    ro.deadline = request.deadline;
    if (family) ro.families = family->evidence;
    // The probability key: the reports carry the probabilities it ranked by
    // (registry::ReportFor); donors in the body are imputed for it below.
    const bool by_probability =
        std::find(ro.rank_by.begin(), ro.rank_by.end(),
                  registry::RankKey::kProbability) != ro.rank_by.end();
    if (by_probability) {
      if (imputer == nullptr) {
        return absl::FailedPreconditionError(absl::StrCat(
            "options.rank_by: probability needs the haplotype frequency table, "
            "which this server could not load: ", imputer_error));
      }
      ro.imputer = imputer;
      ro.recipient_impute = c.imputation;
      // Once, for the scan and every ranked donor's report.
      if (absl::Status s = registry::ImputeRecipient(c.recipient.genotype, &ro); !s.ok()) {
        return s;
      }
    }
    run->recipient =
        std::make_shared<const matcher::Genotype>(std::move(c.recipient.genotype));

    // Donors in the body go through the registry ingest as JSON Lines, so
    // that they are read (keys, validation, rejects) exactly as a file is.
    if (const Json* donors = Field(body, "donors")) {
      HLA_SVC_GET(lines, ToJsonLines(*donors, "donors"));
      std::istringstream in(lines);
      registry::IngestStats stats;
      registry::IngestOptions io;
      io.deadline = request.deadline;
      absl::StatusOr<registry::DonorStore> s = registry::IngestDonorStream(
          &in, "donors.jsonl", Resolver(c.strict), io,
          [&](const std::string&) { ++run->rejected; }, &stats);
      if (!s.ok()) return s.status();
      run->body_store = *std::move(s);
      run->store = &*run->body_store;
      if (by_probability) {
        if (absl::Status st = registry::ImputeDonors(*imputer, ro.threads,
                                                     &*run->body_store, nullptr,
                                                     request.deadline);
            !st.ok()) {
          return st;
        }
      }
    } else if (family) {
      // The family's relatives are the donors (as `rank --family` without
      // --donors).
      absl::StatusOr<registry::DonorStore> s =
          registry::RelativesStore(*family, ref);
      if (!s.ok()) return s.status();
      run->body_store = *std::move(s);
      run->store = &*run->body_store;
    } else if (registry) {
      run->store = &*registry;
      run->rejected = registry_rejected;
    } else {
      return absl::FailedPreconditionError(
          "no 'donors' in the request and no registry loaded (start the "
          "server with --donors FILE|INDEX)");
    }
    if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
    absl::StatusOr<registry::RankResult> result =
        registry::Rank(*run->store, *ref, *run->recipient, ro);
    if (!result.ok()) return result.status();
    if (result->ranked.size() > options.max_rank_donors) {
      return Bad(absl::StrCat(TooManyDonors(options.max_rank_donors), " (",
                              result->ranked_count, " donors ranked)"));
    }
    run->result = *std::move(result);
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Rank(const Request& request) const {
    RankRun run;
    if (absl::Status s = RunRank(request, &run); !s.ok()) return s;
    const registry::RankResult& result = run.result;
    std::string out = report::RankJsonHead(ref->version(), run.options,
                                           run.store->size() + run.rejected,
                                           result, run.rejected);
    for (size_t k = 0; k < result.ranked.size(); ++k) {
      if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
      absl::StatusOr<registry::DonorReport> r = registry::ReportFor(
          *run.store, *ref, *run.recipient, run.options, result.ranked[k]);
      if (!r.ok()) return r.status();
      absl::StrAppend(&out, report::RankDonorSeparator(k),
                      report::RankDonorJson(k + 1, *r));
    }
    out += report::kRankJsonTail;
    return out;
  }

  // Service::RankForMerge: the ranked donors with what a merge across
  // shards needs (each one's ranking key and place in its store) and their
  // rows as rank writes them, rank number left out.
  absl::StatusOr<std::string> RankForMerge(const Request& request) const {
    RankRun run;
    if (absl::Status s = RunRank(request, &run); !s.ok()) return s;
    const registry::RankResult& result = run.result;
    const bool assessed = result.status_assessed;
    std::string out = absl::StrCat(
        "{\"imgt_version\":", report::JsonString(ref->version()),
        ",\"read\":", run.store->size() + run.rejected,
        ",\"ranked\":", result.ranked_count, ",\"eligible\":",
        assessed ? absl::StrCat(result.ranked_count - result.needs_review)
                 : "null",
        ",\"needs_review\":",
        assessed ? absl::StrCat(result.needs_review) : "null",
        ",\"excluded\":", result.excluded, ",\"rejected\":", run.rejected,
        ",\"csv_header\":",
        report::JsonString(report::RankCsvHeader(run.options, ',')),
        ",\"donors\":[");
    // A row without its rank: what follows the rank's field ("7,", or
    // "{\"rank\":7,"), so that the merge numbers the rows again.
    auto tail = [](const std::string& row, const std::string& prefix) {
      return row.substr(row.find(prefix) + prefix.size());
    };
    for (size_t k = 0; k < result.ranked.size(); ++k) {
      if (absl::Status s = CheckDeadline(request); !s.ok()) return s;
      absl::StatusOr<registry::DonorReport> r = registry::ReportFor(
          *run.store, *ref, *run.recipient, run.options, result.ranked[k]);
      if (!r.ok()) return r.status();
      const std::string csv = report::RankCsvRow(1, *r, run.options, ',');
      const std::string json = report::RankDonorJson(1, *r);
      absl::StrAppend(&out, k ? "," : "", "{\"key\":", result.keys[k],
                      ",\"index\":", result.ranked[k],
                      ",\"csv\":", report::JsonString(tail(csv, "1,")),
                      ",\"json\":", report::JsonString(tail(json, "{\"rank\":1,")),
                      "}");
    }
    out += "]}\n";
    return out;
  }
};

#undef HLA_SVC_GET

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() = default;

absl::StatusOr<std::unique_ptr<Service>> Service::Create(
    const ServiceOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  absl::StatusOr<data::ReferenceData> rd =
      data::LoadReferenceData(options.imgt, options.mac);
  if (!rd.ok()) return rd.status();
  impl->ref = rd->reference;
  impl->macs = rd->macs;
  for (int strict = 0; strict < 2; ++strict) {
    data::ReduceOptions ro;
    ro.resolve.strict = strict == 1;
    impl->resolver[strict] =
        std::make_shared<data::Resolver>(impl->ref, impl->macs, ro.resolve);
    impl->reducer[strict] =
        std::make_shared<data::Reducer>(impl->ref, impl->macs, ro);
  }
  if (!options.web_dir.empty()) {
    // Fail at start, not at the first visitor.
    for (const char* name : {"index.html", "app.js", "app.css", "favicon.svg"}) {
      absl::StatusOr<std::string> f =
          ReadPageFile(absl::StrCat(options.web_dir, "/", name));
      if (!f.ok()) return f.status();
    }
  }
  if (absl::StatusOr<std::unique_ptr<const impute::Imputer>> imputer =
          impute::Imputer::LoadShipped(impl->ref);
      imputer.ok()) {
    impl->imputer = *std::move(imputer);
  } else {
    impl->imputer_error = std::string(imputer.status().message());
  }
  if (absl::Status s = impl->LoadRegistry(); !s.ok()) return s;
  // The protein table (the HLA-B leader, KIR ligands) now rather than on
  // the first match request: a server loads everything before it answers.
  (void)impl->ref->proteins();
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

bool IsPagePath(absl::string_view path) {
  return internal::FindEmbeddedFile(path) != nullptr;
}

std::vector<std::pair<std::string, std::string>> StandardHeaders() {
  return {
      // The page runs its own script and style only: no inline script, no
      // other origin, no plug-ins, no framing (clickjacking), no form
      // posts elsewhere. JSON answers carry it too: harmless there, and a
      // browser that renders one as a document runs nothing.
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; "
       "img-src 'self' data:; connect-src 'self'; form-action 'none'; "
       "frame-ancestors 'none'; base-uri 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      // Answers hold patient typings: no cache keeps them.
      {"Cache-Control", "no-store"},
  };
}

absl::StatusOr<std::unique_ptr<Service>> Service::WithRegistry(
    const std::string& donors, const std::string& id_column) const {
  auto impl = std::make_unique<Impl>();
  impl->options = impl_->options;
  impl->options.donors = donors;
  impl->options.id_column = id_column;
  impl->ref = impl_->ref;
  impl->macs = impl_->macs;
  for (int i = 0; i < 2; ++i) {
    impl->resolver[i] = impl_->resolver[i];
    impl->reducer[i] = impl_->reducer[i];
  }
  impl->imputer = impl_->imputer;
  impl->imputer_error = impl_->imputer_error;
  if (absl::Status s = impl->LoadRegistry(); !s.ok()) return s;
  return std::unique_ptr<Service>(new Service(std::move(impl)));
}

Response Service::RankForMerge(const Request& request) const {
  try {
    absl::StatusOr<std::string> body = impl_->RankForMerge(request);
    if (!body.ok()) return ErrorFromStatus(body.status());
    return Ok(*std::move(body));
  } catch (const std::exception&) {
    return InternalErrorResponse();
  }
}

size_t Service::registry_size() const {
  return impl_->registry ? impl_->registry->size() : 0;
}
size_t Service::registry_rejected() const { return impl_->registry_rejected; }
const std::string& Service::imgt_version() const {
  return impl_->ref->version();
}

Response Service::Handle(const Request& request) const {
  struct Route {
    const char* path;
    const char* method;
  };
  static constexpr Route kRoutes[] = {
      {"/v1/health", "GET"},    {"/v1/version", "GET"},
      {"/v1/reduce", "POST"},   {"/v1/validate", "POST"},
      {"/v1/match", "POST"},    {"/v1/rank", "POST"},
      {"/v1/mac/encode", "POST"}, {"/v1/mac/decode", "POST"},
      {"/v1/donor-file", "POST"}, {"/v1/family", "POST"},
      {"/v1/parse", "POST"},
  };
  if (!absl::StartsWith(request.path, "/v1/")) return impl_->Page(request);
  const Route* route = nullptr;
  for (const Route& r : kRoutes) {
    if (request.path == r.path) route = &r;
  }
  if (route == nullptr) {
    return ErrorResponse(404, "not_found",
                         absl::StrCat("no endpoint ", request.path,
                                      " (see docs/openapi.yaml)"));
  }
  if (request.method != route->method &&
      !(request.method == "HEAD" && std::string(route->method) == "GET")) {
    Response r = ErrorResponse(
        405, "method_not_allowed",
        absl::StrCat(request.path, " takes ", route->method, ", not ",
                     request.method));
    r.headers.emplace_back("Allow", route->method);
    return r;
  }
  try {
    const std::string path = request.path;
    if (path == "/v1/health") return impl_->Health();
    if (path == "/v1/version") return impl_->Version();
    absl::StatusOr<std::string> body;
    if (path == "/v1/reduce") {
      body = impl_->Reduce(request);
    } else if (path == "/v1/validate") {
      body = impl_->Validate(request);
    } else if (path == "/v1/match") {
      body = impl_->Match(request);
    } else if (path == "/v1/mac/encode" || path == "/v1/mac/decode") {
      body = impl_->Mac(request, path == "/v1/mac/encode");
    } else if (path == "/v1/parse") {
      body = impl_->Parse(request);
    } else if (path == "/v1/donor-file") {
      body = impl_->DonorFile(request);
    } else if (path == "/v1/family") {
      body = impl_->Family(request);
    } else {
      body = impl_->Rank(request);
    }
    if (!body.ok()) return ErrorFromStatus(body.status());
    return Ok(*std::move(body));
  } catch (const std::exception&) {
    // nlohmann-json throws on a type error we did not foresee, and
    // std::bad_alloc may come from anywhere: neither may leave the handler,
    // and the body says nothing of the program's internals.
    return InternalErrorResponse();
  }
}

}  // namespace hla::service
