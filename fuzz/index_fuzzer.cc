// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// libFuzzer target for registry/ingest.h LoadIndex: arbitrary bytes as the
// payload and imputation section of an index file whose header is right,
// checksums included (a crafted file can carry valid checksums, so they must
// not be the only defence). The first input byte is the header's flags word
// (bit 0: wide typing ids), the next 8 the imputation section's size. A store that loads is then ranked, its donors' reports
// built and its ids read, as `rank` and `serve` would; with imputations,
// ranked by probability too. Besides "no crash,
// hang, leak or UB" it checks the loader's contract: an error is
// DataLossError (corrupt) or ResourceExhaustedError, naming the file.
//
// The reference (IPD-IMGT/HLA 3.58.0 shipped in data/) is loaded once.
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "fuzz/fuzz_check.h"
#include "parser/parse.h"
#include "impute/impute.h"
#include "registry/ingest.h"
#include "registry/rank.h"

namespace {

struct Fixture {
  hla::data::ReferenceData data;
  std::shared_ptr<const hla::impute::Imputer> imputer;
  std::unique_ptr<hla::data::Resolver> resolver;
  hla::matcher::Genotype recipient;
  std::string path;
};

Fixture* fixture = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv("HAPLOMATCH_DATA_DIR", HLA_SHIPPED_DATA_DIR, 0);
  absl::StatusOr<hla::data::ReferenceData> rd =
      hla::data::LoadReferenceData("", "");
  if (!rd.ok()) {
    std::fprintf(stderr, "index_fuzzer: %s\n",
                 std::string(rd.status().message()).c_str());
    std::abort();
  }
  fixture = new Fixture;
  fixture->data = *std::move(rd);
  // The protein table (the HLA-B leader, KIR ligands: a fallback donor's
  // Match reads it) now, as the service loads it at start, so that the
  // first input does not pay its load under the sanitizers (seconds).
  (void)fixture->data.reference->proteins();
  absl::StatusOr<std::unique_ptr<const hla::impute::Imputer>> imputer =
      hla::impute::Imputer::LoadShipped(fixture->data.reference);
  if (!imputer.ok()) std::abort();
  fixture->imputer = *std::move(imputer);
  fixture->resolver = std::make_unique<hla::data::Resolver>(
      fixture->data.reference, fixture->data.macs);
  absl::StatusOr<hla::GlString> gl = hla::parser::ParseGlString(
      "A*01:01+A*02:01^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+"
      "DRB1*04:01^DQB1*02:01+DQB1*03:02^DPB1*04:01+DPB1*02:01");
  absl::StatusOr<hla::data::ResolvedTyping> t =
      gl.ok() ? fixture->resolver->Resolve(*gl)
              : absl::StatusOr<hla::data::ResolvedTyping>(gl.status());
  absl::StatusOr<hla::matcher::Genotype> g =
      t.ok() ? hla::matcher::BuildGenotype(*fixture->data.reference, *t)
             : absl::StatusOr<hla::matcher::Genotype>(t.status());
  if (!g.ok()) std::abort();
  fixture->recipient = *std::move(g);
  fixture->path = absl::StrCat("/tmp/hm_index_fuzzer_", ::getpid(), ".hmx");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 9) return 0;
  const uint32_t flags = data[0];
  // Bytes 1-8: the size of the imputation section at the end (at most what
  // is there); the rest: the payload, then that section.
  uint64_t isize;
  std::memcpy(&isize, data + 1, 8);
  const absl::string_view body(reinterpret_cast<const char*>(data) + 9, size - 9);
  if (isize > body.size()) isize = body.size();
  const absl::string_view payload = body.substr(0, body.size() - isize);
  const absl::string_view imputations = body.substr(body.size() - isize);
  // The header as index_file.cc writes it: magic, format version, header
  // size, payload size, CRC-32 of the payload, flags, release, the
  // imputation section's size and CRC-32.
  char header[64] = {'H', 'M', 'D', 'O', 'N', 'R', 'S', '\n'};
  const uint32_t version = hla::registry::kIndexFormatVersion, hsize = 64;
  const uint64_t psize = payload.size();
  auto crc_of = [](absl::string_view b) {
    return static_cast<uint32_t>(crc32_z(crc32_z(0L, Z_NULL, 0),
                                         reinterpret_cast<const Bytef*>(b.data()), b.size()));
  };
  const uint32_t crc = crc_of(payload), icrc = isize > 0 ? crc_of(imputations) : 0;
  std::memcpy(header + 8, &version, 4);
  std::memcpy(header + 12, &hsize, 4);
  std::memcpy(header + 16, &psize, 8);
  std::memcpy(header + 24, &crc, 4);
  std::memcpy(header + 28, &flags, 4);
  const std::string release = fixture->data.reference->version();
  std::memcpy(header + 32, release.data(), release.size());
  std::memcpy(header + 48, &isize, 8);
  std::memcpy(header + 56, &icrc, 4);
  {
    std::FILE* f = std::fopen(fixture->path.c_str(), "wb");
    if (f == nullptr) std::abort();
    std::fwrite(header, 1, sizeof header, f);
    std::fwrite(body.data(), 1, body.size(), f);
    if (std::fclose(f) != 0) std::abort();
  }
  absl::StatusOr<hla::registry::DonorStore> store =
      hla::registry::LoadIndex(fixture->path, *fixture->resolver);
  if (!store.ok()) {
    const absl::StatusCode code = store.status().code();
    hla::fuzz::Check(code == absl::StatusCode::kDataLoss ||
                         code == absl::StatusCode::kResourceExhausted ||
                         code == absl::StatusCode::kFailedPrecondition,
                     "index error of an unexpected kind", payload);
    hla::fuzz::Check(
        absl::StrContains(store.status().message(), fixture->path),
        "index error does not name the file", payload);
    return 0;
  }
  // What rank and serve do with a store: rank it, report the best donors,
  // read every id.
  hla::registry::RankOptions options;
  options.threads = 1;
  options.top = 8;
  options.eligibility.as_of = absl::CivilDay(2026, 1, 1);
  absl::StatusOr<hla::registry::RankResult> ranked = hla::registry::Rank(
      *store, *fixture->data.reference, fixture->recipient, options);
  hla::fuzz::Check(ranked.ok(), "a loaded index does not rank", payload);
  hla::fuzz::Check(ranked->read == store->size() &&
                       ranked->read == ranked->ranked_count + ranked->excluded,
                   "rank counts do not add up", payload);
  for (uint32_t donor : ranked->ranked) {
    (void)hla::registry::ReportFor(*store, *fixture->data.reference,
                                   fixture->recipient, options, donor);
  }
  // Imputations that loaded: rank by probability (the stored pairs read by
  // the scan and by the reports); a fingerprint of another table is the
  // one refusal allowed.
  if (store->has_imputations()) {
    hla::registry::RankOptions p = options;
    p.rank_by = {hla::registry::RankKey::kProbability, hla::registry::RankKey::kHaplo};
    p.imputer = fixture->imputer;
    absl::StatusOr<hla::registry::RankResult> by_p = hla::registry::Rank(
        *store, *fixture->data.reference, fixture->recipient, p);
    hla::fuzz::Check(by_p.ok() || by_p.status().code() == absl::StatusCode::kFailedPrecondition,
                     "a loaded index does not rank by probability", payload);
    if (by_p.ok()) {
      for (uint32_t donor : by_p->ranked) {
        (void)hla::registry::ReportFor(*store, *fixture->data.reference,
                                       fixture->recipient, p, donor);
      }
    }
  }
  size_t id_bytes = 0;
  for (size_t i = 0; i < store->size(); ++i) id_bytes += store->id(i).size();
  (void)id_bytes;
  return 0;
}
