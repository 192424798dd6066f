// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// CompilePosition (matcher/match.h) on every XX code and every 2-field name
// of both shipped releases, against the sets written out allele by allele
// from data::Allele: compiling reads each allele through its packed groups
// (data::Reference::groups) and skips one equal to the allele before it, so
// this pins that neither changes what a typing admits.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "data/reference.h"
#include "gtest/gtest.h"
#include "matcher/match.h"

namespace hla {
namespace {

const std::string kData = HLA_SHIPPED_DATA_DIR;
// The key of an allele in no group: its id with this bit (matcher/genotype.cc).
constexpr uint32_t kAlleleKeyBit = 0x40000000u;

template <typename T>
std::vector<T> Sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

class CompileProperty : public ::testing::TestWithParam<const char*> {};

TEST_P(CompileProperty, EveryBroadNameAdmitsWhatItsAllelesSay) {
  auto ref = data::Reference::Load({kData + "/imgt/" + GetParam()});
  ASSERT_TRUE(ref.ok()) << ref.status();
  const data::Reference& r = **ref;
  size_t compiled = 0, alleles = 0, with_null = 0, with_serology = 0;
  for (int fields : {1, 2}) {
    for (const data::Truncation& t : r.truncations(fields)) {
      const std::optional<Locus> locus = r.loci()[t.locus].locus;
      if (!locus) continue;  // not a matching locus
      matcher::PositionTyping pos;
      for (data::AlleleId id = t.begin; id < t.end; ++id) pos.alleles.push_back(id);
      pos.text = std::string(t.name);
      matcher::CompilePosition(r, *locus, &pos);

      // Written out: the expressed alleles' P groups (the allele itself
      // without one), G groups and rel_dna_ser antigens; all null: the
      // small-g keys.
      std::vector<uint32_t> keys, nulls, g;
      std::vector<data::AntigenId> serology;
      for (data::AlleleId id = t.begin; id < t.end; ++id) {
        const data::Allele& a = r.allele(id);
        if (a.is_null()) {
          nulls.push_back(a.small_g != data::kNone ? (a.small_g | matcher::kNullKeyBit)
                                                   : (id | kAlleleKeyBit));
          continue;
        }
        keys.push_back(a.p_group != data::kNone ? a.p_group : (id | kAlleleKeyBit));
        if (a.g_group != data::kNone) g.push_back(a.g_group);
        if (const data::DnaSerology* s = r.SerologyOf(id)) {
          for (const data::SerologyList* l : {&s->unambiguous, &s->possible, &s->assumed,
                                              &s->expert}) {
            serology.insert(serology.end(), l->antigens.begin(), l->antigens.end());
          }
        }
      }
      SCOPED_TRACE(t.name);
      const bool all_null = keys.empty();
      EXPECT_EQ(pos.match_keys(), Sorted(all_null ? nulls : keys));
      EXPECT_EQ(pos.g_groups(), Sorted(g));
      EXPECT_EQ(pos.serology(), Sorted(serology));
      EXPECT_EQ(pos.all_null(), all_null);
      EXPECT_EQ(pos.any_null(), !nulls.empty());
      ++compiled;
      alleles += t.end - t.begin;
      with_null += !nulls.empty();
      with_serology += !serology.empty();
    }
  }
  // Thousands of names, most alleles of the release, with nulls and
  // serology among them.
  EXPECT_GT(compiled, 5000u);
  EXPECT_GT(alleles, 20000u);
  EXPECT_GT(with_null, 100u);
  EXPECT_GT(with_serology, 1000u);
}

INSTANTIATE_TEST_SUITE_P(Shipped, CompileProperty, ::testing::Values("3.58.0", "3.44.0"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

}  // namespace
}  // namespace hla
