// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// PositionCompiler (registry/internal/position_compiler.h): its fast path
// for lists of names must give, field by field, what the whole path
// (parse, resolve, BuildGenotype) gives, for every spelling: plain lists,
// lists out of order, repeated and overlapping names, "HLA-" prefixes,
// and everything it must leave to the whole path (shorthand, MACs, XX,
// groups, serology, placeholders, other loci, mixed loci, unknown names,
// whitespace, operators).
#include "registry/internal/position_compiler.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/matcher/match_test_util.h"

namespace hla::registry::internal {
namespace {

using matcher_test::LoadShipped;

// Every field of the two compiled positions equal.
void ExpectSame(const CompiledPosition& got, const CompiledPosition& want) {
  ASSERT_EQ(got.ok, want.ok);
  if (!want.ok) return;
  EXPECT_EQ(got.locus, want.locus);
  const matcher::PositionTyping& g = got.typing;
  const matcher::PositionTyping& w = want.typing;
  EXPECT_EQ(g.text, w.text);
  EXPECT_EQ(g.alleles, w.alleles);
  EXPECT_EQ(g.antigens, w.antigens);
  EXPECT_EQ(g.haplotype, w.haplotype);
  EXPECT_EQ(g.consolidated, w.consolidated);
  EXPECT_EQ(g.placeholder, w.placeholder);
  EXPECT_EQ(g.unnamed, w.unnamed);
  EXPECT_EQ(g.match_keys(), w.match_keys());
  EXPECT_EQ(g.null_alternative_keys(), w.null_alternative_keys());
  EXPECT_EQ(g.g_groups(), w.g_groups());
  EXPECT_EQ(g.serology(), w.serology());
  EXPECT_EQ(g.tce_groups(), w.tce_groups());
  EXPECT_EQ(g.all_null(), w.all_null());
  EXPECT_EQ(g.any_null(), w.any_null());
  EXPECT_EQ(g.tce_unknown(), w.tce_unknown());
  EXPECT_EQ(g.admits_variant(), w.admits_variant());
  EXPECT_EQ(g.possible_null(), w.possible_null());
  EXPECT_EQ(g.p_group_count(), w.p_group_count());
}

TEST(PositionCompiler, EdgeCasesCompileAsTheWholePath) {
  ASSERT_EQ(LoadShipped().error, "");
  PositionCompiler compiler(LoadShipped().resolver.get());
  struct Case {
    const char* text;
    bool ok;  // one position of one matching locus
  };
  const Case kCases[] = {
      {"A*02:01/A*02:779/A*02:1013", true},
      {"A*02:1013/A*02:01", true},          // out of order
      {"A*02:01/A*02:01", true},            // a name twice
      {"A*02:01/A*02:01:01:01", true},      // one inside the other
      {"HLA-A*02:01/HLA-A*02:05", true},    // prefixed
      {"HLA-A*02:01/A*02:05", true},
      {"A*02:01", true},                    // one name
      {"A*02:01:01:01", true},
      {"A*01:01/A*01:01:01:02N", true},     // a null named
      {"A*01:01:01:02N", true},             // a null alone
      {"C*04:09N/C*04:01", true},
      {"A*24:329", true},                   // suffix repaired (A*24:329Q)
      {"A*0201", true},                     // pre-2010 name
      {"B*07:02/B*07:05/B*07:06", true},
      {"DPB1*04:01/DPB1*02:01", true},      // TCE groups
      {"DRB1*15:01/DRB1*15:03", true},
      {"A*02:01/02:05", true},              // shorthand: whole path
      {"A*02:AB/A*02:01", true},            // MAC: whole path
      {"A*02:XX", true},                    // XX: whole path
      {"A*02:01:01G/A*02:05", true},        // G group: whole path
      {"A2/A*02:01", true},                 // serology: whole path
      {"DRB4*NNNN/DRB4*01:01", true},       // placeholder: whole path
      {"DRB4*NNNN", true},
      {"A*02:01/B*07:02", false},           // loci mixed
      {"A*02:01/A*99:99", false},           // not a name of the release
      {"MICA*001", false},                  // not a matching locus
      {"MICA*001/A*02:01", true},           // MICA ignored (whole path)
      {"A*02:01 /A*02:05", false},          // whitespace inside
      {" A*02:01", true},                   // around: trimmed
      {"", false},
      {"/", false},
      {"A*02:01/", false},
      {"A*02:01+A*03:01", false},           // two positions
      {"A*02:01~B*07:02", false},
      {"A*02:01|A*03:01", false},
      {"a*02:01", false},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    const CompiledPosition want = compiler.CompileWhole(c.text);
    EXPECT_EQ(want.ok, c.ok);
    ExpectSame(compiler.Compile(c.text), want);
    // Again, from the names remembered.
    ExpectSame(compiler.Compile(c.text), want);
  }
  EXPECT_GT(compiler.names(), 10u);
  // A piece longer than any name is not remembered.
  const size_t before = compiler.names();
  const std::string long_piece = "A*02:01/A*" + std::string(100, '0') + "1:01";
  ExpectSame(compiler.Compile(long_piece), compiler.CompileWhole(long_piece));
  EXPECT_EQ(compiler.names(), before);
}

// Lists of two to four names of one locus near each other in id order
// (sharing proteins and P groups: whole proteins, parts of them, nulls and
// variants), in any order, some with "HLA-", on every matching locus.
TEST(PositionCompiler, RandomListsCompileAsTheWholePath) {
  ASSERT_EQ(LoadShipped().error, "");
  const data::Reference& ref = *LoadShipped().ref;
  PositionCompiler compiler(LoadShipped().resolver.get());
  std::mt19937 rng(20261208);
  size_t lists = 0, ok = 0;
  for (const data::LocusInfo& info : ref.loci()) {
    if (!info.locus) continue;
    const auto index = static_cast<data::LocusIndex>(&info - ref.loci().data());
    std::vector<std::pair<data::AlleleId, std::string>> names;
    for (int fields : {2, 3}) {
      for (const data::Truncation& t : ref.truncations(fields)) {
        if (t.locus == index) names.emplace_back(t.begin, std::string(t.name));
      }
    }
    for (data::AlleleId id = info.begin; id < info.end; ++id) {
      names.emplace_back(id, std::string(ref.allele(id).name));
    }
    std::sort(names.begin(), names.end());
    for (int k = 0; k < 400; ++k) {
      const size_t first = std::uniform_int_distribution<size_t>(0, names.size() - 1)(rng);
      const int count = std::uniform_int_distribution<int>(1, 4)(rng);
      std::string text;
      for (int m = 0; m < count; ++m) {
        const size_t at = std::min(
            names.size() - 1,
            first + std::uniform_int_distribution<size_t>(0, m == 0 ? 0 : 40)(rng));
        absl::StrAppend(&text, text.empty() ? "" : "/", rng() % 8 == 0 ? "HLA-" : "",
                        names[at].second);
      }
      SCOPED_TRACE(text);
      const CompiledPosition want = compiler.CompileWhole(text);
      ExpectSame(compiler.Compile(text), want);
      ++lists;
      ok += want.ok;
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(lists, 4000u);
  EXPECT_GT(ok, 4000u);
}

// Every allele name and truncated name of the release alone, through a
// memory of 5,000 names (it fills and starts again many times): results
// unchanged, the memory bounded.
TEST(PositionCompiler, EveryNameOfTheReleaseAndTheMemoryBound) {
  ASSERT_EQ(LoadShipped().error, "");
  const data::Reference& ref = *LoadShipped().ref;
  constexpr size_t kBound = 5000;
  PositionCompiler compiler(LoadShipped().resolver.get(), kBound);
  std::vector<std::string> names;
  for (const data::Allele& a : ref.alleles()) names.emplace_back(a.name);
  for (int fields : {1, 2, 3}) {
    for (const data::Truncation& t : ref.truncations(fields)) names.emplace_back(t.name);
  }
  ASSERT_GT(names.size(), 10 * kBound);
  size_t most = 0, restarts = 0, last = 0;
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    ExpectSame(compiler.Compile(name), compiler.CompileWhole(name));
    most = std::max(most, compiler.names());
    restarts += compiler.names() < last;
    last = compiler.names();
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_EQ(most, kBound);  // it filled ...
  EXPECT_GT(restarts, 5u);  // ... and started again
}

}  // namespace
}  // namespace hla::registry::internal
