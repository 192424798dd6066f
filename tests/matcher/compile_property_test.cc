// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// CompilePosition (matcher/match.h) on every XX code and every 2-field name
// of both shipped releases, against the sets written out allele by allele
// from data::Allele: compiling reads each allele through its packed groups
// (data::Reference::groups), skips one equal to the allele before it, and
// reads a protein wholly in the typing from its summary
// (data::ProteinAlleles), so this pins that none of these changes what a
// typing admits, nor the null and expression-variant alternatives it admits
// (read through the packed protein number). Lists of names mixing whole
// and partial proteins are checked the same way.
#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "data/reference.h"
#include "gtest/gtest.h"
#include "matcher/match.h"
#include "tests/data/data_test_util.h"

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

// Everything CompilePosition derives from `ids` (ascending) spelled as
// `members`, written out allele by allele from data::Allele.
struct WrittenOut {
  std::vector<uint32_t> keys, nulls, g, tce;
  std::vector<data::AntigenId> serology;
  bool tce_unknown = false;
  Alternatives admitted;

  bool all_null() const { return keys.empty(); }
};
WrittenOut WriteOut(const data::Reference& r, Locus locus,
                    const std::vector<data::AlleleId>& ids,
                    const std::vector<std::string>& members) {
  WrittenOut w;
  for (data::AlleleId id : ids) {
    const data::Allele& a = r.allele(id);
    if (a.is_null()) {
      w.nulls.push_back(a.small_g != data::kNone ? (a.small_g | matcher::kNullKeyBit)
                                                 : (id | kAlleleKeyBit));
      continue;
    }
    w.keys.push_back(a.p_group != data::kNone ? a.p_group : (id | kAlleleKeyBit));
    if (a.g_group != data::kNone) w.g.push_back(a.g_group);
    if (const data::DnaSerology* s = r.SerologyOf(id)) {
      for (const data::SerologyList* l : {&s->unambiguous, &s->possible, &s->assumed,
                                          &s->expert}) {
        w.serology.insert(w.serology.end(), l->antigens.begin(), l->antigens.end());
      }
    }
    if (locus == Locus::kDPB1) {
      // V2 groups 1-3 ("2a" read as 2); anything else is unknown.
      const data::TceAssignment* t = r.TceOf(id);
      if (t != nullptr && !t->v2.group.empty() && t->v2.group[0] >= '1' &&
          t->v2.group[0] <= '9') {
        w.tce.push_back(static_cast<uint32_t>(t->v2.group[0] - '0'));
      } else {
        w.tce_unknown = true;
      }
    }
  }
  w.keys = Sorted(w.keys);
  w.nulls = Sorted(w.nulls);
  w.g = Sorted(w.g);
  w.tce = Sorted(w.tce);
  w.serology = Sorted(w.serology);
  w.admitted = AdmittedFromAlleles(r, ids, members);
  return w;
}

// `pos` compiled from `want`'s alleles gathered what they say.
void ExpectGathered(const matcher::PositionTyping& pos, const WrittenOut& want) {
  const bool all_null = want.all_null();
  EXPECT_EQ(pos.match_keys(), all_null ? want.nulls : want.keys);
  EXPECT_EQ(pos.g_groups(), want.g);
  EXPECT_EQ(pos.serology(), want.serology);
  EXPECT_EQ(pos.all_null(), all_null);
  EXPECT_EQ(pos.any_null(), !want.nulls.empty());
  EXPECT_EQ(std::vector<uint32_t>(pos.tce_groups().begin(), pos.tce_groups().end()),
            want.tce);
  EXPECT_EQ(pos.tce_unknown(), want.tce_unknown);
  EXPECT_EQ(pos.possible_null(), want.admitted.null && !all_null);
  EXPECT_EQ(pos.admits_variant(), want.admitted.variant);
  EXPECT_EQ(pos.null_alternative_keys(),
            want.admitted.null && !all_null ? want.nulls : std::vector<uint32_t>());
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
      // without one), G groups, rel_dna_ser antigens and TCE groups; all
      // null: the small-g keys; and the alternatives the name admits.
      SCOPED_TRACE(t.name);
      std::vector<data::AlleleId> ids;
      for (data::AlleleId id = t.begin; id < t.end; ++id) ids.push_back(id);
      const WrittenOut written = WriteOut(r, *locus, ids, {pos.text});
      ExpectGathered(pos, written);
      const bool all_null = written.all_null();
      const Alternatives& want = written.admitted;
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
      with_null += !written.nulls.empty();
      with_serology += !written.serology.empty();
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

// Lists of names of one locus -- whole proteins (A*02:01), parts of one
// (A*02:01:01, A*02:01:01:02L) and proteins of other P groups -- compiled
// against the same written-out sets: a protein wholly in a typing is read
// from its summary (data::ProteinAlleles), any other allele by itself, and
// the two must gather alike, DPB1's TCE groups included.
TEST_P(CompileProperty, ListsOfWholeAndPartialProteinsGatherWhatTheirAllelesSay) {
  auto ref = data::Reference::Load({kData + "/imgt/" + GetParam()});
  ASSERT_TRUE(ref.ok()) << ref.status();
  const data::Reference& r = **ref;
  struct Name {
    std::string text;
    data::AlleleId begin, end;
    bool protein;  // a 2-field name
  };
  std::mt19937 rng(20261208);
  size_t lists = 0, whole = 0, partial = 0, with_null = 0, dpb1 = 0;
  for (const data::LocusInfo& info : r.loci()) {
    if (!info.locus || info.end - info.begin < 2) continue;
    const auto index = static_cast<data::LocusIndex>(&info - r.loci().data());
    // The locus's 2- and 3-field names and its alleles, in id order.
    std::vector<Name> names;
    for (int fields : {2, 3}) {
      for (const data::Truncation& t : r.truncations(fields)) {
        if (t.locus == index) {
          names.push_back({std::string(t.name), t.begin, t.end, fields == 2});
        }
      }
    }
    for (data::AlleleId id = info.begin; id < info.end; ++id) {
      names.push_back({std::string(r.allele(id).name), id, id + 1, false});
    }
    std::sort(names.begin(), names.end(),
              [](const Name& a, const Name& b) { return a.begin < b.begin; });
    std::vector<size_t> proteins;  // where the 2-field names of 2+ alleles are
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i].protein && names[i].end - names[i].begin > 1) proteins.push_back(i);
    }
    for (int k = 0; k < 300; ++k) {
      // Two to four names near each other (sharing proteins and P groups),
      // in any order; the first half the time a 2-field name of several
      // alleles.
      const size_t first =
          k % 2 == 0 && !proteins.empty()
              ? proteins[std::uniform_int_distribution<size_t>(0, proteins.size() - 1)(rng)]
              : std::uniform_int_distribution<size_t>(0, names.size() - 1)(rng);
      const int count = std::uniform_int_distribution<int>(2, 4)(rng);
      std::vector<data::AlleleId> ids;
      std::vector<std::string> members;
      std::string text;
      for (int m = 0; m < count; ++m) {
        const size_t at = std::min(
            names.size() - 1,
            first + std::uniform_int_distribution<size_t>(0, m == 0 ? 0 : 40)(rng));
        const Name& n = names[at];
        for (data::AlleleId id = n.begin; id < n.end; ++id) ids.push_back(id);
        members.push_back(n.text);
        absl::StrAppend(&text, text.empty() ? "" : "/", n.text);
      }
      ids = Sorted(ids);
      matcher::PositionTyping pos;
      pos.alleles = ids;
      pos.text = text;
      matcher::CompilePosition(r, *info.locus, &pos);
      SCOPED_TRACE(text);
      const WrittenOut want = WriteOut(r, *info.locus, ids, members);
      ExpectGathered(pos, want);
      // Which way the proteins were read.
      bool any_whole = false, any_partial = false;
      for (data::AlleleId id : ids) {
        const uint32_t protein = r.groups(id).protein;
        if (protein == data::kNone) continue;
        const data::ProteinAlleles& p = r.protein_alleles(protein);
        const bool all = std::includes(ids.begin(), ids.end(),
                                       r.Range(p.begin, p.end).begin(),
                                       r.Range(p.begin, p.end).end());
        (all && p.end - p.begin > 1 ? any_whole : any_partial) = true;
      }
      ++lists;
      whole += any_whole;
      partial += any_partial;
      with_null += want.admitted.null && !want.all_null();
      dpb1 += *info.locus == Locus::kDPB1;
      if (::testing::Test::HasFailure()) return;
    }
  }
  EXPECT_GT(lists, 2000u);
  EXPECT_GT(whole, 500u);
  EXPECT_GT(partial, 500u);
  EXPECT_GT(with_null, 20u);
  EXPECT_GT(dpb1, 100u);
  std::printf("%zu lists: %zu with a whole protein, %zu with part of one, %zu admitting "
              "a null, %zu DPB1\n",
              lists, whole, partial, with_null, dpb1);
}

// No shipped release has a protein of several alleles, at a matching locus,
// with an expressed allele in no P group (its key is then the allele
// itself); the synthetic one, without A*01:01:02 in hla_nom_p.txt, does.
TEST(CompileProtein, AnExpressedAlleleInNoPGroupKeepsItsOwnKey) {
  std::map<std::string, std::string> files = data_testing::MiniRelease();
  std::string& p_file = files["wmda/hla_nom_p.txt"];
  const std::string row = "A*;01:01:01:01/01:01:02/01:29;01:01P\n";
  ASSERT_NE(p_file.find(row), std::string::npos);
  p_file.replace(p_file.find(row), row.size(), "A*;01:01:01:01/01:29;01:01P\n");
  auto ref = data::Reference::Load({data_testing::WriteRelease(files, "no_p")});
  ASSERT_TRUE(ref.ok()) << ref.status();
  const data::Reference& r = **ref;
  const data::Truncation* t = r.FindTruncation("A*01:01");
  ASSERT_NE(t, nullptr);
  const data::ProteinAlleles& summary = r.protein_alleles(r.groups(t->begin).protein);
  ASSERT_EQ(summary.begin, t->begin);
  ASSERT_EQ(summary.end, t->end);
  const data::AlleleId no_p = *r.FindAllele("A*01:01:02");
  ASSERT_EQ(std::vector<data::AlleleId>(summary.without_p_group.begin(),
                                        summary.without_p_group.end()),
            std::vector<data::AlleleId>{no_p});
  matcher::PositionTyping pos;
  for (data::AlleleId id = t->begin; id < t->end; ++id) pos.alleles.push_back(id);
  pos.text = "A*01:01";
  matcher::CompilePosition(r, Locus::kA, &pos);
  const WrittenOut want = WriteOut(r, Locus::kA, pos.alleles, {pos.text});
  ExpectGathered(pos, want);
  EXPECT_EQ(pos.match_keys(),
            (std::vector<uint32_t>{*r.FindPGroup("A*01:01P"), no_p | kAlleleKeyBit}));
}

INSTANTIATE_TEST_SUITE_P(Shipped, CompileProperty, ::testing::Values("3.58.0", "3.44.0"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '.', '_');
                           return name;
                         });

}  // namespace
}  // namespace hla
