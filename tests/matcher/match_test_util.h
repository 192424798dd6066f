// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Shared by the matcher tests: the shipped 3.58.0 release and MAC subset,
// loaded once per process, and text -> Genotype.
#ifndef HLA_TESTS_MATCHER_MATCH_TEST_UTIL_H_
#define HLA_TESTS_MATCHER_MATCH_TEST_UTIL_H_

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "gtest/gtest.h"
#include "matcher/match.h"
#include "parser/parse.h"

namespace hla::matcher_test {

inline const std::string kData = HLA_SHIPPED_DATA_DIR;
inline const std::string kTestdata = HLA_TESTDATA_DIR;

// The release and resolver, or the reason they could not be loaded. Never
// asserts (fixtures check `error` in SetUp, so a failure is a FAILURE, not a
// SKIPPED suite).
struct Shipped {
  std::shared_ptr<const data::Reference> ref;
  std::shared_ptr<const data::MacTable> macs;
  std::unique_ptr<data::Resolver> resolver;
  std::string error;
};

inline const Shipped& LoadShipped() {
  static const Shipped* shipped = [] {
    auto* s = new Shipped;
    auto ref = data::Reference::Load({kData + "/imgt/3.58.0"});
    if (!ref.ok()) {
      s->error = ref.status().ToString();
      return s;
    }
    s->ref = *ref;
    auto macs = data::MacTable::Load(kData + "/" +
                                     data::MacTable::kShippedRelativePath);
    if (!macs.ok()) {
      s->error = macs.status().ToString();
      return s;
    }
    s->macs = *macs;
    s->resolver = std::make_unique<data::Resolver>(s->ref, s->macs);
    return s;
  }();
  return *shipped;
}

// Parse + resolve + BuildGenotype.
inline absl::StatusOr<matcher::Genotype> Geno(const std::string& text) {
  const Shipped& s = LoadShipped();
  if (!s.error.empty()) return absl::FailedPreconditionError(s.error);
  absl::StatusOr<GlString> gl = parser::ParseGlString(text);
  if (!gl.ok()) return gl.status();
  absl::StatusOr<data::ResolvedTyping> t = s.resolver->Resolve(*gl);
  if (!t.ok()) return t.status();
  return matcher::BuildGenotype(*s.ref, *t);
}

using Row = std::map<std::string, std::string>;

inline std::vector<Row> ReadTsv(const std::string& relative) {
  std::ifstream in(kTestdata + "/" + relative);
  EXPECT_TRUE(in.good()) << kTestdata + "/" + relative;
  std::vector<Row> rows;
  std::vector<std::string> header;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells = absl::StrSplit(line, '\t');
    if (header.empty()) {
      header = cells;
      continue;
    }
    Row row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) {
      row[header[i]] = cells[i];
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

class ShippedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Shipped& s = LoadShipped();
    ASSERT_TRUE(s.error.empty()) << s.error;
    ref_ = s.ref.get();
  }

  matcher::Genotype G(const std::string& text) {
    absl::StatusOr<matcher::Genotype> g = Geno(text);
    EXPECT_TRUE(g.ok()) << text << ": " << g.status();
    return g.ok() ? *std::move(g) : matcher::Genotype();
  }

  matcher::MatchReport M(const std::string& r, const std::string& d,
                         matcher::MatchOptions options = {},
                         matcher::Relationship rel =
                             matcher::Relationship::kUnknown) {
    absl::StatusOr<matcher::MatchReport> rep =
        matcher::Match(*ref_, G(r), G(d), rel, options);
    EXPECT_TRUE(rep.ok()) << rep.status();
    return rep.ok() ? *std::move(rep) : matcher::MatchReport();
  }

  const data::Reference* ref_ = nullptr;
};

// Two positions equal in their text, alleles, antigens, every derived set
// but null_alternative_keys() (a stored position leaves it empty) and
// every flag; the failure names the first field that differs.
inline ::testing::AssertionResult SamePosition(const matcher::PositionTyping& x,
                                               const matcher::PositionTyping& y) {
  auto differ = [](const char* field) {
    return ::testing::AssertionFailure() << "the positions differ in " << field;
  };
  if (x.text != y.text) return differ("text") << ": '" << x.text << "', '" << y.text << "'";
  if (x.alleles != y.alleles) return differ("alleles");
  if (x.antigens != y.antigens) return differ("antigens");
  if (x.match_keys() != y.match_keys()) return differ("match_keys");
  if (x.g_groups() != y.g_groups()) return differ("g_groups");
  if (x.serology() != y.serology()) return differ("serology");
  if (x.tce_groups() != y.tce_groups()) return differ("tce_groups");
  if (x.consolidated != y.consolidated) return differ("consolidated");
  if (x.placeholder != y.placeholder) return differ("placeholder");
  if (x.unnamed != y.unnamed) return differ("unnamed");
  if (x.all_null() != y.all_null()) return differ("all_null");
  if (x.any_null() != y.any_null()) return differ("any_null");
  if (x.tce_unknown() != y.tce_unknown()) return differ("tce_unknown");
  if (x.admits_variant() != y.admits_variant()) return differ("admits_variant");
  if (x.possible_null() != y.possible_null()) return differ("possible_null");
  if (x.p_group_count() != y.p_group_count()) return differ("p_group_count");
  return ::testing::AssertionSuccess();
}

}  // namespace hla::matcher_test

#endif  // HLA_TESTS_MATCHER_MATCH_TEST_UTIL_H_
