// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The flat dictionary (registry/internal/dictionary.h): every kind of
// typing goes in and comes back field for field; the shallow form keeps
// what the rule functions read before the allele level; a corrupt
// dictionary is refused, whatever word is wrong.
#include "registry/internal/dictionary.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "matcher/internal/grade.h"
#include "tests/matcher/match_test_util.h"

namespace hla::registry::internal {
namespace {

using matcher_test::Geno;
using matcher_test::LoadShipped;

// One position of every kind the store interns.
const char* const kTypings[] = {
    "A*01:01:01:01",       // one allele
    "A*02:01",             // a truncated name: hundreds of alleles, one range
    "A*02:01/A*02:1040/A*02:1103",  // a list of names: a few ranges
    "A*02:AB",             // MAC
    "A*02:XX",             // XX code
    "A2",                  // serology: alleles carrying A2, many ranges
    "B*44:02:01G",         // G group
    "B*44:02P",            // P group
    "C*04:KBG",            // a MAC with a null member (possible null)
    "A*01:04N",            // null allele
    "DPB1*04:01",          // a TCE group
    "DPB1*02:XX",          // several TCE groups
    "DRB1*NEW",            // unnamed
    "B*15:01:01:01/B*15:01:01:02N",  // a list with a null allele
    "A*24:02:01:02L",      // an expression variant
};

matcher::PositionTyping First(const std::string& text) {
  absl::StatusOr<matcher::Genotype> g = Geno(text);
  EXPECT_TRUE(g.ok()) << text << ": " << g.status();
  if (!g.ok()) return {};
  for (const matcher::LocusTyping& lt : g->loci) {
    if (lt.typed_positions > 0) return lt.pos[0];
  }
  ADD_FAILURE() << text << ": no typed locus";
  return {};
}

void ExpectSameDerived(const matcher::PositionTyping& x,
                       const matcher::PositionTyping& y, const std::string& why,
                       bool g_groups = true) {
  EXPECT_EQ(x.antigens, y.antigens) << why;
  EXPECT_EQ(x.match_keys(), y.match_keys()) << why;
  if (g_groups) {
    EXPECT_EQ(x.g_groups(), y.g_groups()) << why;
  }
  EXPECT_EQ(x.serology(), y.serology()) << why;
  EXPECT_EQ(x.tce_groups(), y.tce_groups()) << why;
  EXPECT_EQ(x.consolidated, y.consolidated) << why;
  EXPECT_EQ(x.placeholder, y.placeholder) << why;
  EXPECT_EQ(x.unnamed, y.unnamed) << why;
  EXPECT_EQ(x.all_null(), y.all_null()) << why;
  EXPECT_EQ(x.any_null(), y.any_null()) << why;
  EXPECT_EQ(x.tce_unknown(), y.tce_unknown()) << why;
  EXPECT_EQ(x.admits_variant(), y.admits_variant()) << why;
  EXPECT_EQ(x.possible_null(), y.possible_null()) << why;
  EXPECT_EQ(x.p_group_count(), y.p_group_count()) << why;
  EXPECT_EQ(x.typed(), y.typed()) << why;
  EXPECT_EQ(x.single_allele(), y.single_allele()) << why;
  EXPECT_EQ(x.serology_only(), y.serology_only()) << why;
}

class DictionaryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(LoadShipped().error, ""); }
};

TEST_F(DictionaryTest, EveryKindOfTypingComesBackAsItWent) {
  DictionaryBuilder b;
  std::vector<matcher::PositionTyping> in;
  for (const char* text : kTypings) {
    in.push_back(First(text));
    ASSERT_TRUE(in.back().typed()) << text;
    EXPECT_EQ(b.Add(in.back(), static_cast<uint32_t>(in.size() + 7)),
              in.size());
  }
  const Dictionary d = b.View();
  ASSERT_EQ(d.size(), in.size() + 1);
  ASSERT_TRUE(d.Validate(LoadShipped().ref->alleles().size(),
                         LoadShipped().ref->antigens().size())
                  .ok());
  matcher::PositionTyping out;
  d.Materialize(*LoadShipped().ref, 0, &out);
  EXPECT_FALSE(out.typed());
  EXPECT_EQ(out.text, "");
  for (uint32_t t = 1; t < d.size(); ++t) {
    const matcher::PositionTyping& p = in[t - 1];
    d.Materialize(*LoadShipped().ref, t, &out);  // reused: nothing of the last entry stays
    EXPECT_EQ(out.text, p.text);
    EXPECT_EQ(d.text(t), p.text);
    EXPECT_EQ(out.alleles, p.alleles) << p.text;
    EXPECT_EQ(d.allele_count(t), p.alleles.size()) << p.text;
    EXPECT_EQ(d.keyset(t), t + 7);
    EXPECT_EQ(out.haplotype, -1);
    ExpectSameDerived(out, p, p.text);
  }
}

TEST_F(DictionaryTest, NamesAreRunsOfConsecutiveAlleleIds) {
  // The point of the layout: a truncated name is one range, however many
  // alleles extend it; an XX code is one range too.
  DictionaryBuilder b;
  const matcher::PositionTyping a0201 = First("A*02:01");
  const matcher::PositionTyping xx = First("A*02:XX");
  const matcher::PositionTyping list = First("A*02:01/A*02:1040/A*02:1103");
  ASSERT_GT(a0201.alleles.size(), 100u);
  b.Add(a0201, 1);
  b.Add(xx, 2);
  b.Add(list, 3);
  const Dictionary d = b.View();
  EXPECT_EQ(d.allele_ranges(1).size(), 2u);  // one [begin, end) pair
  EXPECT_LE(d.allele_ranges(2).size(), 4u);
  EXPECT_LE(d.allele_ranges(3).size(), 6u);
}

TEST_F(DictionaryTest, ShallowKeepsWhatTheRulesReadBeforeTheAlleleLevel) {
  DictionaryBuilder b;
  std::vector<matcher::PositionTyping> in;
  for (const char* text : kTypings) {
    in.push_back(First(text));
    b.Add(in.back(), 0);
  }
  const Dictionary d = b.View();
  const data::Reference& ref = *LoadShipped().ref;
  // Recipients whose keys the donors below do not share (except where a
  // donor is of the same locus and allele: then the scan takes the full
  // form, and so does this test).
  const matcher::PositionTyping recipients[] = {
      First("A*03:01"), First("A9"), First("B*07:02"), First("DPB1*01:01"),
      First("C*07:01"), First("DRB1*15:01")};
  matcher::PositionTyping shallow;
  for (uint32_t t = 1; t < d.size(); ++t) {
    const matcher::PositionTyping& full = in[t - 1];
    d.MaterializeShallow(t, &shallow);
    ExpectSameDerived(shallow, full, full.text, /*g_groups=*/false);
    EXPECT_TRUE(shallow.g_groups().empty());
    EXPECT_LE(shallow.alleles.size(), 2u);
    if (full.all_null()) continue;  // the scan always takes the full form
    for (const matcher::PositionTyping& r : recipients) {
      if (matcher_internal::Intersect(r.match_keys(), full.match_keys())) {
        continue;
      }
      const std::string why = r.text + " vs " + full.text;
      EXPECT_EQ(matcher_internal::GradePositions(ref, r, shallow),
                matcher_internal::GradePositions(ref, r, full))
          << why;
      EXPECT_EQ(matcher_internal::ConfidenceOf(r, shallow, false),
                matcher_internal::ConfidenceOf(r, full, false))
          << why;
      EXPECT_EQ(matcher_internal::AntigenMatch(ref.antigens(), r, shallow, false),
                matcher_internal::AntigenMatch(ref.antigens(), r, full, false))
          << why;
    }
  }
}

// A dictionary of two entries, as arrays a test can corrupt word by word.
struct Arrays {
  std::vector<uint32_t> words, entry_offsets, text_offsets;
  std::string text;
  Dictionary View() const {
    return Dictionary(entry_offsets.size() - 1, words.data(), words.size(),
                      entry_offsets.data(), text_offsets.data(), text.data());
  }
};

TEST_F(DictionaryTest, CorruptDictionariesAreRefused) {
  DictionaryBuilder b;
  b.Add(First("A*02:01/A*02:1040"), 1);
  b.Add(First("A2"), 2);
  const Arrays good{b.words_, b.entry_offsets_, b.text_offsets_, b.text_};
  const size_t alleles = LoadShipped().ref->alleles().size();
  const size_t antigens = LoadShipped().ref->antigens().size();
  ASSERT_TRUE(good.View().Validate(alleles, antigens).ok());
  const uint32_t e1 = good.entry_offsets[1];  // entry 1's first word
  struct Case {
    const char* what;
    void (*corrupt)(Arrays*, uint32_t);
  };
  const Case cases[] = {
      {"untyped entry not empty", [](Arrays* a, uint32_t) { a->words[1] = 5; }},
      {"stray flag bits", [](Arrays* a, uint32_t e) { a->words[e] |= 1u << 20; }},
      {"more ranges than words",
       [](Arrays* a, uint32_t e) { a->words[e + 2] += 1; }},
      {"fewer serology than words",
       [](Arrays* a, uint32_t e) { a->words[e + 5] -= 1; }},
      {"an empty range",
       [](Arrays* a, uint32_t e) { a->words[e + 8] = a->words[e + 7]; }},
      {"a range past the release's alleles",
       [](Arrays* a, uint32_t e) { a->words[e + 8] = 0xFFFFFFF0u; }},
      {"entry offset out of bounds",
       [](Arrays* a, uint32_t) { a->entry_offsets[2] = 1u << 30; }},
      {"entry offsets out of order",
       [](Arrays* a, uint32_t) { a->entry_offsets[2] = 3; }},
      {"text offsets out of order",
       [](Arrays* a, uint32_t) { a->text_offsets[2] = 0; a->text_offsets[1] = 4; }},
  };
  for (const Case& c : cases) {
    Arrays bad = good;
    c.corrupt(&bad, e1);
    const absl::Status s = bad.View().Validate(alleles, antigens);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << c.what << ": " << s;
  }
  // An antigen id past the release's antigens (entry 2 was written as A2).
  Arrays bad = good;
  const uint32_t e2 = good.entry_offsets[2];
  ASSERT_EQ(bad.words[e2 + 3], 1u);  // one antigen written
  bad.words[e2 + 7 + 2 * bad.words[e2 + 2]] = 0x7FFFFFFF;
  EXPECT_EQ(bad.View().Validate(alleles, antigens).code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace hla::registry::internal
