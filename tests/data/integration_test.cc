// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Integration: the shipped IPD-IMGT/HLA releases (data/imgt/3.58.0, 3.44.0)
// and MAC tables (data/mac/), loaded directly or by version and data root.
// Every expected count below was computed from the files themselves with the
// shell command quoted next to it (run in data/imgt/<version>/); facts are
// lines of the files, or py-ard's 3.44.0 results (examples/py-ard/redux.tsv).
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "data/mac_table.h"
#include "data/reduce.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "data/verify.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "parser/parse.h"
#include "tests/data/data_test_util.h"

namespace hla::data {
namespace {

using ::hla::data_testing::StatusIs;
using ::testing::HasSubstr;

const std::string kData = HLA_SHIPPED_DATA_DIR;

class Release : public ::testing::Test {
 protected:
  // No assertion here: a failure in SetUpTestSuite makes gtest report every
  // test as SKIPPED, which ctest counts as passing. SetUp() fails instead.
  static void SetUpTestSuite() {
    for (auto [v, out] : {std::pair{"3.58.0", &r3580_}, {"3.44.0", &r3440_}}) {
      auto ref = Reference::Load({kData + "/imgt/" + v});
      if (!ref.ok()) {
        load_error_ = new std::string(ref.status().ToString());
        return;
      }
      *out = *ref;
    }
  }
  void SetUp() override {
    ASSERT_EQ(load_error_, nullptr) << *load_error_;
  }
  static inline std::string* load_error_ = nullptr;
  static void TearDownTestSuite() {
    r3580_.reset();
    r3440_.reset();
  }
  static std::string G(const Reference& r, absl::string_view allele) {
    const auto id = r.FindAllele(allele);
    if (!id) return "?";
    const GroupId g = r.allele(*id).g_group;
    return g == kNone ? "-" : std::string(r.g_group(g).name);
  }
  static std::string P(const Reference& r, absl::string_view allele) {
    const auto id = r.FindAllele(allele);
    if (!id) return "?";
    const GroupId g = r.allele(*id).p_group;
    return g == kNone ? "-" : std::string(r.p_group(g).name);
  }
  // The allele's small-g group; a "(none)" group if it has none or the
  // allele is unknown (so a failing expectation reads well, not crashes).
  static const Group* SmallG(const Reference& r, absl::string_view allele) {
    static const Group kMissing{"(none)", "(none)", 0, false, {}};
    const auto id = r.FindAllele(allele);
    if (!id || r.allele(*id).small_g == kNone) return &kMissing;
    return &r.small_g(r.allele(*id).small_g);
  }
  static std::string Column(const Reference& r, absl::string_view allele,
                            SerologyList DnaSerology::*column) {
    const DnaSerology* s = r.SerologyOf(*r.FindAllele(allele));
    std::string out;
    for (AntigenId a : (s->*column).antigens) {
      if (!out.empty()) out += "/";
      out += std::string(r.antigen(a).name);
    }
    if ((s->*column).null) out += "null";
    if ((s->*column).unknown) out += "?";
    return out;
  }
  static size_t LocusCount(const Reference& r, hla::Locus l) {
    const LocusInfo* li = r.FindLocus(l);
    return li == nullptr ? 0 : li->end - li->begin;
  }

  static std::shared_ptr<const Reference> r3580_, r3440_;
};

std::shared_ptr<const Reference> Release::r3580_;
std::shared_ptr<const Reference> Release::r3440_;

TEST_F(Release, VersionsAndDates) {
  EXPECT_EQ(r3580_->version(), "3.58.0");
  EXPECT_EQ(r3580_->date(), "2024-10-09");
  EXPECT_EQ(r3440_->version(), "3.44.0");
  EXPECT_EQ(r3440_->date(), "2021-04-20");
  EXPECT_TRUE(r3580_->warnings().empty());
  EXPECT_TRUE(r3440_->warnings().empty());
}

// The antigen a serological typing reports (PrimaryAntigen: rel_dna_ser's
// first antigen, unambiguous then possible then assumed): the rule the
// synthesiser writes and imputation reads.
TEST_F(Release, PrimaryAntigen) {
  const Reference& r = *r3580_;
  const struct {
    const char* allele;
    const char* antigen;  // "" = none
  } kRows[] = {{"B*44:02:01:01", "B44"}, {"A*02:01:01:01", "A2"},
               {"DRB1*04:01:01:01", "DR4"}, {"B*08:01:01:01", "B8"},
               {"A*24:02:01:01", "A24"}, {"A*01:01:01:02N", ""}};
  for (const auto& row : kRows) {
    const auto id = r.FindAllele(row.allele);
    ASSERT_TRUE(id.has_value()) << row.allele;
    const AntigenId a = r.PrimaryAntigen(*id);
    EXPECT_EQ(a == kNone ? std::string() : std::string(r.antigen(a).name), row.antigen)
        << row.allele;
  }
}

TEST_F(Release, AlleleCountsEqualTheFiles) {
  // awk 'NR>7' Allelelist.txt | grep -c .
  EXPECT_EQ(r3580_->alleles().size(), 41433u);
  EXPECT_EQ(r3440_->alleles().size(), 30523u);
  // awk -F, 'NR>7 && $2 ~ /^A\*/' Allelelist.txt | wc -l   (and DPB1, DRB1)
  EXPECT_EQ(LocusCount(*r3580_, hla::Locus::kA), 8472u);
  EXPECT_EQ(LocusCount(*r3580_, hla::Locus::kDRB1), 3751u);
  EXPECT_EQ(LocusCount(*r3580_, hla::Locus::kDPB1), 2762u);
  EXPECT_EQ(LocusCount(*r3440_, hla::Locus::kA), 6766u);
  EXPECT_EQ(LocusCount(*r3440_, hla::Locus::kDRB1), 2949u);
  EXPECT_EQ(LocusCount(*r3440_, hla::Locus::kDPB1), 1749u);
  // awk -F, 'NR>7{split($2,a,"*"); print a[1]}' Allelelist.txt | sort -u | wc -l
  EXPECT_EQ(r3580_->loci().size(), 46u);
  EXPECT_EQ(r3440_->loci().size(), 44u);
}

TEST_F(Release, GroupCountsEqualTheFiles) {
  // awk -F';' 'NR>6 && NF==3 && $3!=""' wmda/hla_nom_g.txt | wc -l  (named)
  // awk -F';' 'NR>6 && NF==3 && $3==""' wmda/hla_nom_g.txt | wc -l  (single)
  EXPECT_EQ(r3580_->named_g_groups(), 707u);
  EXPECT_EQ(r3580_->g_groups().size(), 707u + 24554u);
  EXPECT_EQ(r3440_->named_g_groups(), 538u);
  EXPECT_EQ(r3440_->g_groups().size(), 538u + 20537u);
  // The same on wmda/hla_nom_p.txt.
  EXPECT_EQ(r3580_->named_p_groups(), 1418u);
  EXPECT_EQ(r3580_->p_groups().size(), 1418u + 16410u);
  EXPECT_EQ(r3440_->named_p_groups(), 1166u);
  EXPECT_EQ(r3440_->p_groups().size(), 1166u + 13898u);
  // awk -F';' '$1=="A*" && $3=="01:01:01G"{print split($2,x,"/")}' hla_nom_g.txt
  EXPECT_EQ(r3580_->g_group(*r3580_->FindGGroup("A*01:01:01G")).members.size(),
            249u);
  EXPECT_EQ(r3440_->g_group(*r3440_->FindGGroup("A*01:01:01G")).members.size(),
            175u);
  // ... and '$3=="01:01P"' on hla_nom_p.txt
  EXPECT_EQ(r3580_->p_group(*r3580_->FindPGroup("A*01:01P")).members.size(),
            373u);
  EXPECT_EQ(r3440_->p_group(*r3440_->FindPGroup("A*01:01P")).members.size(),
            277u);
}

TEST_F(Release, KnownGroupsOfAlleles) {
  for (const Reference* r : {r3580_.get(), r3440_.get()}) {
    // hla_nom_g.txt: "A*;01:01:01:01/01:01:01:02N/...;01:01:01G".
    EXPECT_EQ(G(*r, "A*01:01:01:01"), "A*01:01:01G");
    EXPECT_EQ(P(*r, "A*01:01:01:01"), "A*01:01P");
    // The null A*01:04:01:01N is in A*01:01:01G but in no P group (Atlas:
    // "*01:04 has no P group, yet its G group is 01:01:01G").
    EXPECT_EQ(G(*r, "A*01:04:01:01N"), "A*01:01:01G");
    EXPECT_EQ(P(*r, "A*01:04:01:01N"), "-");
    // "A*;01:01:02;": an ungrouped allele is its own (implicit) group.
    EXPECT_EQ(G(*r, "A*01:01:02"), "A*01:01:02");
    EXPECT_TRUE(r->g_group(*r->FindGGroup("A*01:01:02")).implicit);
    // "C*;02:10:01:01/...;02:10:01G" and "...;02:02P".
    EXPECT_EQ(G(*r, "C*02:10:01:01"), "C*02:10:01G");
    EXPECT_EQ(P(*r, "C*02:10:01:01"), "C*02:02P");
  }
}

// py-ard 3.44.0 (examples/py-ard/redux.tsv, level lg/lgx).
TEST_F(Release, SmallGAgreesWithPyArd3440) {
  const Reference& r = *r3440_;
  // A*01:01:01 -> lg A*01:01g.
  EXPECT_EQ(SmallG(r, "A*01:01:01:01")->name, "A*01:01g");
  // C*02:10 -> C*02:02 (lg/lgx); C*02:02 lg -> C*02:02g.
  EXPECT_EQ(SmallG(r, "C*02:10:01:01")->name, "C*02:02g");
  // DRB4*01:03N -> lgx DRB4*01:01; DRB5*01:08N -> DRB5*01:02; nulls join
  // the expressed alleles sharing their ARD.
  EXPECT_EQ(SmallG(r, "DRB4*01:03:01:02N")->two_field_name, "DRB4*01:01");
  EXPECT_EQ(SmallG(r, "DRB5*01:08:01N")->two_field_name, "DRB5*01:02");
  EXPECT_EQ(SmallG(r, "A*01:04:01:01N")->name, "A*01:01g");
  // DRB4*01:03:01 -> lgx DRB4*01:01.
  EXPECT_EQ(SmallG(r, "DRB4*01:03:01:01")->two_field_name, "DRB4*01:01");
  // C*06:17 -> lgx C*06:02.
  EXPECT_EQ(SmallG(r, "C*06:17")->two_field_name, "C*06:02");
  // DQB1*03:276 (non-strict) -> lgx DQB1*03:01.
  EXPECT_EQ(SmallG(r, "DQB1*03:276N")->two_field_name, "DQB1*03:01");
}

TEST_F(Release, SmallGOfOneProteinCarriesNoG) {
  // 3.44.0 hla_nom_p.txt "A*;01:02:01/01:02:02;01:02P": one protein.
  EXPECT_EQ(SmallG(*r3440_, "A*01:02:01")->name, "A*01:02");
  // Every allele in a G or P row has a small-g group.
  for (const Reference* r : {r3580_.get(), r3440_.get()}) {
    for (const Allele& a : r->alleles()) {
      if (a.g_group != kNone || a.p_group != kNone) {
        ASSERT_NE(a.small_g, kNone) << a.name;
      }
    }
  }
}

TEST_F(Release, TruncationAndXxIndexes) {
  hla::Fields f;
  ASSERT_TRUE(hla::ParseFields("02:01", &f));
  // awk -F, 'NR>7 && ($2 ~ /^A\*02:01:/ || $2 ~ /^A\*02:01[NLSCAQ]?$/)' | wc -l
  EXPECT_EQ(r3580_->AllelesWithPrefix("A", f).size(), 477u);
  EXPECT_EQ(r3440_->AllelesWithPrefix("A", f).size(), 393u);
  // awk -F, 'NR>7 && $2 ~ /^A\*02:/' Allelelist.txt | wc -l
  const Truncation* xx = r3580_->FindTruncation("A*02");
  ASSERT_NE(xx, nullptr);
  EXPECT_EQ(xx->end - xx->begin, 1910u);
  EXPECT_EQ(r3440_->FindTruncation("A*02")->end -
                r3440_->FindTruncation("A*02")->begin,
            1550u);
  // Field boundaries: A*02:14 must not cover A*02:149:01.
  for (AlleleId id : r3580_->AllelesWithPrefix(
           "A", {hla::Field{2, 2}, hla::Field{14, 2}})) {
    EXPECT_EQ(r3580_->allele(id).fields[1].value, 14u);
  }
  // awk -F, 'NR>7 && $2 ~ /^A\*/{split($2,a,":"); print a[1]":"a[2]}' |
  //   sed 's/[NLSCAQ]$//' | sort -u | wc -l
  size_t a_two_field = 0;
  for (const Truncation& t : r3580_->truncations(2)) {
    if (r3580_->loci()[t.locus].name == "A") ++a_two_field;
  }
  EXPECT_EQ(a_two_field, 5373u);
}

TEST_F(Release, SerologyFromRelDnaSer) {
  for (const Reference* r : {r3580_.get(), r3440_.get()}) {
    // "A*;01:01:01:01;1;;;", "A*;01:01:01:02N;0;;;", "A*;24:02:01:01;24;;;"
    EXPECT_EQ(Column(*r, "A*01:01:01:01", &DnaSerology::unambiguous), "A1");
    EXPECT_EQ(Column(*r, "A*01:01:01:02N", &DnaSerology::unambiguous), "null");
    // "A*;02:55;;;2;28"
    EXPECT_EQ(Column(*r, "A*02:55", &DnaSerology::assumed), "A2");
    EXPECT_EQ(Column(*r, "A*02:55", &DnaSerology::expert), "A28");
    // "B*;39:01:01:01;3901;;;": the associated antigen B3901.
    EXPECT_EQ(Column(*r, "B*39:01:01:01", &DnaSerology::unambiguous), "B3901");
    // "DRB1*;11:16:01:01;;11/13;;" and "DRB3*;01:01:02:01;52;;;"
    EXPECT_EQ(Column(*r, "DRB1*11:16:01:01", &DnaSerology::possible),
              "DR11/DR13");
    EXPECT_EQ(Column(*r, "DRB3*01:01:02:01", &DnaSerology::unambiguous),
              "DR52");
    // rel_ser_ser.txt "B;39;;3901/3902", "A;9;23/24;", "Cw;3;9/10;".
    const Antigen& b3901 = r->antigen(*r->FindAntigen("B3901"));
    EXPECT_EQ(r->antigen(b3901.associated_with).name, "B39");
    EXPECT_EQ(r->antigen(r->antigen(*r->FindAntigen("B39")).broad).name, "B16");
    EXPECT_EQ(r->antigen(r->antigen(*r->FindAntigen("A24")).broad).name, "A9");
    EXPECT_EQ(r->antigen(*r->FindAntigen("Cw3")).splits.size(), 2u);
    // awk -F';' 'NR>6 && $1 !~ /\*$/' wmda/hla_nom.txt | wc -l  -> 166 rows,
    // one of them deleted (Cw;11), none added by rel_*_ser.txt.
    EXPECT_EQ(r->antigens().size(), 166u);
    EXPECT_TRUE(r->antigen(*r->FindAntigen("Bw4")).recognised);
    EXPECT_FALSE(r->antigen(*r->FindAntigen("Cw11")).recognised);
    // awk -F';' 'NR>6' wmda/rel_dna_ser.txt | wc -l equals the allele count.
    for (AlleleId id = 0; id < r->alleles().size(); ++id) {
      ASSERT_NE(r->SerologyOf(id), nullptr) << r->allele(id).name;
    }
  }
}

// Neighbouring rel_dna_ser rows that say the same share one record (what
// CompilePosition relies on to skip a run of alleles); content never merges
// across a row that differs.
TEST_F(Release, EqualNeighbouringSerologyRowsShareOneRecord) {
  const Reference& r = *r3580_;
  auto of = [&](absl::string_view name) {
    return r.SerologyOf(*r.FindAllele(name));
  };
  // "A*;02:01:01:01;2;;;", "A*;02:01:01:02L;;0/2;;", "A*;02:01:01:03;2;;;",
  // "A*;02:01:01:04;2;;;"
  EXPECT_EQ(of("A*02:01:01:03"), of("A*02:01:01:04"));
  EXPECT_EQ(Column(r, "A*02:01:01:04", &DnaSerology::unambiguous), "A2");
  EXPECT_NE(of("A*02:01:01:01"), of("A*02:01:01:02L"));
  EXPECT_EQ(Column(r, "A*02:01:01:02L", &DnaSerology::possible), "A2null");
  EXPECT_TRUE(of("A*02:01:01:02L")->possible.null);
  EXPECT_TRUE(of("A*02:01:01:02L")->unambiguous.empty());
  // Equal rows with a different one between keep records of their own,
  // equal in content.
  EXPECT_NE(of("A*02:01:01:01"), of("A*02:01:01:03"));
  EXPECT_EQ(Column(r, "A*02:01:01:01", &DnaSerology::unambiguous), "A2");
  // Fewer records than alleles: the point of sharing.
  size_t records = 0;
  const DnaSerology* last = nullptr;
  for (AlleleId id = 0; id < r.alleles().size(); ++id) {
    if (r.SerologyOf(id) != last) ++records;
    last = r.SerologyOf(id);
  }
  EXPECT_LT(records, r.alleles().size() / 2);
}

// Each protein's summary (ProteinAlleles) written out again from the
// alleles themselves: its range is exactly the alleles of its locus and
// first two fields, and its sets are what those alleles say.
TEST_F(Release, ProteinSummariesAreWhatTheirAllelesSay) {
  for (const Reference* r : {r3580_.get(), r3440_.get()}) {
    SCOPED_TRACE(r->version());
    uint32_t proteins = 0;
    for (AlleleId id = 0; id < r->alleles().size(); ++id) {
      const uint32_t p = r->groups(id).protein;
      if (p != kNone) proteins = std::max(proteins, p + 1);
    }
    size_t checked = 0, many = 0, with_suffixed = 0, with_serology = 0, no_p = 0;
    for (uint32_t p = 0; p < proteins; ++p) {
      const ProteinAlleles& s = r->protein_alleles(p);
      ASSERT_LT(s.begin, s.end) << "protein " << p;
      const Allele& head = r->allele(s.begin);
      SCOPED_TRACE(head.name);
      std::vector<uint32_t> p_groups, without_p, g, antigens, suffixed;
      bool expressed = false, unsuffixed = false;
      for (AlleleId id = s.begin; id < s.end; ++id) {
        const Allele& a = r->allele(id);
        ASSERT_EQ(r->groups(id).protein, p);
        ASSERT_EQ(a.locus, head.locus);
        ASSERT_EQ(a.fields[0].value, head.fields[0].value);
        ASSERT_EQ(a.fields[1].value, head.fields[1].value);
        if (a.suffix != 0) suffixed.push_back(id);
        unsuffixed |= a.suffix == 0;
        if (a.is_null()) continue;
        expressed = true;
        if (a.p_group != kNone) {
          p_groups.push_back(a.p_group);
        } else {
          without_p.push_back(id);
        }
        if (a.g_group != kNone) g.push_back(a.g_group);
        if (const DnaSerology* d = r->SerologyOf(id)) {
          for (const SerologyList* l : {&d->unambiguous, &d->possible, &d->assumed, &d->expert}) {
            antigens.insert(antigens.end(), l->antigens.begin(), l->antigens.end());
          }
        }
      }
      // Nothing of the protein outside its range.
      if (s.begin > 0) {
        EXPECT_NE(r->groups(s.begin - 1).protein, p);
      }
      if (s.end < r->alleles().size()) {
        EXPECT_NE(r->groups(s.end).protein, p);
      }
      auto sorted = [](std::vector<uint32_t> v) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        return v;
      };
      auto vec = [](absl::Span<const uint32_t> v) {
        return std::vector<uint32_t>(v.begin(), v.end());
      };
      EXPECT_EQ(vec(s.p_groups), sorted(p_groups));
      EXPECT_EQ(vec(s.without_p_group), without_p);
      EXPECT_EQ(vec(s.g_groups), sorted(g));
      EXPECT_EQ(vec(s.antigens), sorted(antigens));
      EXPECT_EQ(vec(s.suffixed), suffixed);
      EXPECT_EQ(s.expressed, expressed);
      EXPECT_EQ(s.unsuffixed, unsuffixed);
      if (::testing::Test::HasFailure()) return;
      ++checked;
      many += s.end - s.begin >= 100;
      with_suffixed += !suffixed.empty();
      with_serology += !antigens.empty();
      no_p += !without_p.empty();
    }
    // Every protein of the release; common ones of hundreds of alleles.
    EXPECT_GT(checked, 15000u);
    EXPECT_GT(many, 10u);
    EXPECT_GT(with_suffixed, 1000u);
    EXPECT_GT(with_serology, 5000u);
    std::printf("%s: %zu proteins, %zu of 100+ alleles, %zu with suffixed alleles, "
                "%zu with an expressed allele in no P group\n",
                r->version().c_str(), checked, many, with_suffixed, no_p);
  }
}

TEST_F(Release, TceAssignments) {
  // grep -c '^DPB1' tce/dpb_tce.csv
  EXPECT_EQ(r3580_->tce().size(), 2762u);
  EXPECT_EQ(r3440_->tce().size(), 1749u);  // no column header in 3.44.0
  for (const Reference* r : {r3580_.get(), r3440_.get()}) {
    // "DPB1*08:01,DPB1*08:01,3$,2a$,V1 Assignment based on ..."
    const TceAssignment* t = r->TceOf(*r->FindAllele("DPB1*08:01"));
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->v1.group, "3");
    EXPECT_TRUE(t->v1.inferred);
    EXPECT_EQ(t->v2.group, "2a");
    EXPECT_THAT(t->comments, HasSubstr("Assignment changed between V1 and V2"));
    // "DPB1*03:01:01:01,DPB1*03:01,2,2,"
    EXPECT_EQ(r->TceOf(*r->FindAllele("DPB1*03:01:01:01"))->v1.group, "2");
  }
}

TEST_F(Release, HistoryOfDeletedAndRenamedNames) {
  // awk -F';' 'NR>6 && $1 ~ /\*$/ && $4!=""' wmda/hla_nom.txt | wc -l -> 182;
  // grep -c '^HLA' Deleted_alleles.txt -> 267 (182 deleted + 85 suffix
  // changes; every hla_nom.txt deletion is among them).
  EXPECT_EQ(r3580_->history().size(), 267u);
  EXPECT_EQ(r3440_->history().size(), 159u);  // hla_nom.txt only
  for (const Reference* r : {r3580_.get(), r3440_.get()}) {
    // "A*;0105N;19990216;20010717;01:04:01:01N;Sequence identical"
    const NameHistory* h = r->FindHistory("A*0105N");
    ASSERT_NE(h, nullptr);
    ASSERT_EQ(h->current.size(), 1u);
    EXPECT_EQ(r->allele(h->current[0]).name, "A*01:04:01:01N");
  }
  // Deleted_alleles.txt: "HLA14501,A*24:329,Sequence renamed A*24:329Q".
  const NameHistory* s = r3580_->FindHistory("A*24:329");
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->suffix_change);
  EXPECT_EQ(r3580_->allele(s->current[0]).name, "A*24:329Q");
  // 3.44.0 has no Deleted_alleles.txt: non-strict lookup finds the Q allele.
  EXPECT_EQ(r3440_->FindHistory("A*24:329"), nullptr);
  EXPECT_EQ(r3440_->allele(*r3440_->FindAlleleIgnoringSuffix("A*24:329")).name,
            "A*24:329Q");
  // Allele_status.txt: "C*03:11:01,1,1,Unconfirmed,74,619,Partial,cDNA".
  const Allele& c = r3580_->allele(*r3580_->FindAllele("C*03:11:01"));
  EXPECT_EQ(c.coverage, SequenceCoverage::kPartial);
  EXPECT_EQ(c.sequence_type, SequenceType::kCdna);
  EXPECT_EQ(r3440_->allele(0).coverage, SequenceCoverage::kUnknown);
}

// A typing stands for at most kMaxResolvedAlleles alleles: 6,000 serology
// alternatives (A2 alone is thousands of alleles) once took gigabytes to
// resolve and reduce.
TEST_F(Release, ATypingStandsForAtMostTheLimitOfAlleles) {
  std::vector<std::string> alternatives;
  for (int i = 0; i < 2000; ++i) {
    for (const char* a : {"A2", "A9", "A24"}) alternatives.push_back(a);
  }
  absl::StatusOr<GlString> gl =
      parser::ParseGlString(absl::StrJoin(alternatives, "/"));
  ASSERT_TRUE(gl.ok()) << gl.status();
  const Resolver resolver(r3580_, nullptr);
  const absl::StatusOr<ResolvedTyping> t = resolver.Resolve(*gl);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(t.status().message()),
              HasSubstr("the typing stands for more than 1000000 alleles "
                        "(the limit); split it"));
  const Reducer reducer(r3580_, nullptr);
  for (ReductionLevel level : {ReductionLevel::kG, ReductionLevel::kLgx}) {
    const absl::StatusOr<ReduceResult> r = reducer.Reduce(*gl, level);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kOutOfRange);
  }
  // A large real typing is well inside.
  absl::StatusOr<GlString> xx = parser::ParseGlString("A*01:XX+A*02:XX");
  ASSERT_TRUE(xx.ok());
  EXPECT_TRUE(resolver.Resolve(*xx).ok());
}

TEST(ShippedData, MacTableCounts) {
  auto t = MacTable::Load(kData + "/" + MacTable::kShippedRelativePath);
  ASSERT_TRUE(t.ok()) << t.status();
  // awk -F'\t' 'NR>3' mac-2020-07-subset.alpha.v3.txt | wc -l -> 12520;
  // awk -F'\t' 'NR>3 && $1=="*"' ... | wc -l -> 7839.
  EXPECT_EQ((*t)->size(), 12520u);
  EXPECT_EQ((*t)->allele_specific_count(), 7839u);
  EXPECT_EQ((*t)->generic_count(), 4681u);
  EXPECT_THAT(std::string((*t)->date()), HasSubstr("2020-07-11"));
  // "<TAB>AB<TAB>01/02" and "*<TAB>AHY<TAB>03:01/03:03N".
  const MacCode* ab = (*t)->Find("AB");
  const MacCode* ahy = (*t)->Find("AHY");
  ASSERT_NE(ab, nullptr);
  ASSERT_NE(ahy, nullptr);
  EXPECT_EQ(ab->expansion, "01/02");
  EXPECT_FALSE(ab->allele_specific);
  EXPECT_TRUE(ahy->allele_specific);
  EXPECT_EQ(ahy->expansion, "03:01/03:03N");
}

TEST(ShippedData, VerifiesAgainstManifestAndImgtChecksums) {
  auto r = VerifyData(kData);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->all_ok());
  // wc -l MANIFEST.md5 -> 32 (3 of them the 3.58.0 protein FASTA files, issue
  // 21); present files named in IMGT's lists: 3.58.0
  // md5checksum.txt 6 + wmda 6, 3.44.0 wmda 6.
  EXPECT_EQ(r->checks.size(), 32u + 6u + 6u + 6u);
}

// ---- Loading by version and data root (data/locate.h) from the shipped data

TEST(LoadReferenceData, LoadsTheReleaseAndTheShippedMacTable) {
  DataPaths p;
  p.build_data_dir = kData;
  absl::StatusOr<ReferenceData> d = LoadReferenceData("3440", "", p);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->reference->version(), "3.44.0");
  EXPECT_EQ(d->imgt_dir, p.build_data_dir + "/imgt/3.44.0");
  EXPECT_EQ(d->mac_path,
            p.build_data_dir + "/" + MacTable::kShippedRelativePath);
  EXPECT_GT(d->macs->size(), 0u);
}

TEST(LoadReferenceData, EachFailureNamesWhatIsMissing) {
  DataPaths none;  // no data root anywhere
  const std::string release = kData + "/imgt/3.44.0";
  // A release directory given as a path loads; the shipped MAC table then
  // has no root to live under.
  EXPECT_THAT(LoadReferenceData(release, "", none),
              StatusIs(absl::StatusCode::kNotFound, "MAC table: "));
  EXPECT_THAT(LoadReferenceData(release, "/nonexistent/alpha.v3.txt", none),
              StatusIs(absl::StatusCode::kNotFound, "/nonexistent/alpha.v3.txt"));
  EXPECT_THAT(LoadReferenceData("latest", "", none),
              StatusIs(absl::StatusCode::kInvalidArgument, "latest"));
}

// ---- The shipped NMDP example MAC file

// NMDP's own API example: rows only, no LAST UPDATED line.
TEST(MacTable, LoadsNmdpExampleFile) {
  auto t = MacTable::Load(kData +
                          "/mac/nmdp-multiple-allele-code/ex-allele-codes.txt");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->date(), "");
  // awk -F'\t' 'NF==3' ex-allele-codes.txt | wc -l -> 5; '$1=="*"' -> 2.
  EXPECT_EQ((*t)->size(), 5u);
  EXPECT_EQ((*t)->allele_specific_count(), 2u);
  ASSERT_NE((*t)->Find("GD"), nullptr);
  EXPECT_EQ((*t)->Find("GD")->expansion, "03:01/52:01");
}

}  // namespace
}  // namespace hla::data
