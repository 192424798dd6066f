// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// CompilePosition (matcher/match.h) on every XX code and every 2-field name
// of both shipped releases, against the sets written out allele by allele
// from data::Allele: compiling reads each allele through its packed groups
// (data::Reference::groups) and skips one equal to the allele before it, so
// this pins that neither changes what a typing admits, nor the null and
// expression-variant alternatives it admits (read through the packed
// protein number).
#include <algorithm>
#include <cstdio>
#include <utility>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "data/reference.h"
#include "gtest/gtest.h"
#include "matcher/match.h"

namespace hla {
namespace {

const std::string kData = HLA_SHIPPED_DATA_DIR;
// The key of an allele in no group: its id with this bit (matcher/genotype.cc).
constexpr uint32_t kAlleleKeyBit = 0x40000000u;

// The alternatives a typing of `alleles` spelled as `members` admits,
// written out from each data::Allele (matcher_internal's rule, restated): a
// null or suffixed allele whose 2-field protein no unsuffixed member shares,
// or that is named itself.
struct Alternatives {
  bool null = false, variant = false;
};
Alternatives AdmittedFromAlleles(const data::Reference& r,
                                 const std::vector<data::AlleleId>& alleles,
                                 const std::vector<std::string>& members) {
  std::vector<std::pair<uint32_t, uint32_t>> proteins;
  for (data::AlleleId id : alleles) {
    const data::Allele& a = r.allele(id);
    if (a.suffix == 0 && a.fields.size() >= 2) {
      proteins.emplace_back(a.fields[0].value, a.fields[1].value);
    }
  }
  Alternatives out;
  for (data::AlleleId id : alleles) {
    const data::Allele& a = r.allele(id);
    if (a.suffix == 0) continue;
    const bool admitted =
        a.fields.size() < 2 ||
        std::find(proteins.begin(), proteins.end(),
                  std::make_pair(a.fields[0].value, a.fields[1].value)) ==
            proteins.end() ||
        std::find(members.begin(), members.end(), a.name) != members.end();
    if (admitted) (a.is_null() ? out.null : out.variant) = true;
  }
  return out;
}

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
  // Lists whose naming of an allele admits what the name alone does not.
  size_t with_null_alternative = 0, with_variant = 0, lists = 0, named_admits = 0;
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
      // The alternatives it admits: as the name, and as a list naming the
      // name and one of its suffixed alleles.
      std::vector<data::AlleleId> ids;
      for (data::AlleleId id = t.begin; id < t.end; ++id) ids.push_back(id);
      const Alternatives want = AdmittedFromAlleles(r, ids, {pos.text});
      EXPECT_EQ(pos.possible_null(), want.null && !all_null);
      EXPECT_EQ(pos.admits_variant(), want.variant);
      EXPECT_EQ(pos.null_alternative_keys(),
                want.null && !all_null ? Sorted(nulls) : std::vector<uint32_t>());
      with_null_alternative += want.null && !all_null;
      with_variant += want.variant;
      for (data::AlleleId id : ids) {
        const data::Allele& a = r.allele(id);
        if (a.suffix == 0) continue;
        matcher::PositionTyping list;
        list.alleles = ids;
        list.text = absl::StrCat(t.name, "/", a.name);
        matcher::CompilePosition(r, *locus, &list);
        const Alternatives named =
            AdmittedFromAlleles(r, ids, {std::string(t.name), std::string(a.name)});
        SCOPED_TRACE(list.text);
        EXPECT_EQ(list.possible_null(), named.null && !all_null);
        EXPECT_EQ(list.admits_variant(), named.variant);
        lists += 1;
        named_admits += (named.null && !want.null) || (named.variant && !want.variant);
        break;
      }
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
  EXPECT_GT(with_null_alternative, 10u);
  EXPECT_GT(with_variant, 10u);
  EXPECT_GT(lists, 100u);
  EXPECT_GT(named_admits, 10u);
  std::printf("%zu names, %zu with a null alternative, %zu a variant, %zu lists "
              "(%zu admitting more by naming)\n",
              compiled, with_null_alternative, with_variant, lists, named_admits);
}

INSTANTIATE_TEST_SUITE_P(Shipped, CompileProperty, ::testing::Values("3.58.0", "3.44.0"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

}  // namespace
}  // namespace hla
