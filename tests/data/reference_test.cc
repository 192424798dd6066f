// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Reference::Load on the synthetic release of data_test_util.h.
#include "data/reference.h"

#include <string>
#include <vector>

#include "data_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::data {
namespace {

using ::hla::data_testing::MiniRelease;
using ::hla::data_testing::StatusIs;
using ::hla::data_testing::WriteRelease;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::shared_ptr<const Reference> LoadMini(const std::string& name) {
  auto ref = Reference::Load({WriteRelease(MiniRelease(), name)});
  EXPECT_TRUE(ref.ok()) << ref.status();
  return ref.ok() ? *ref : nullptr;
}

std::vector<std::string> Names(const Reference& ref,
                               absl::Span<const AlleleId> ids) {
  std::vector<std::string> out;
  for (AlleleId id : ids) out.emplace_back(ref.allele(id).name);
  return out;
}

TEST(Reference, ReadsVersionAndDate) {
  auto ref = LoadMini("version");
  ASSERT_NE(ref, nullptr);
  EXPECT_EQ(ref->version(), "9.99.0");
  EXPECT_EQ(ref->date(), "2099-01-31");
}

TEST(Reference, SortsAllelesByLocusThenFieldsNumerically) {
  auto ref = LoadMini("order");
  ASSERT_NE(ref, nullptr);
  std::vector<std::string> names;
  for (const Allele& a : ref->alleles()) names.emplace_back(a.name);
  // A*01:29 < A*01:100 numerically; matching loci in WMDA order, MICA last.
  EXPECT_THAT(names,
              ElementsAre("A*01:01:01:01", "A*01:01:01:02N", "A*01:01:02",
                          "A*01:04:01:01N", "A*01:11N", "A*01:29", "A*01:100",
                          "A*02:01:01:01", "A*24:329Q", "B*07:02:01",
                          "DRB3*01:01:02:01", "DPB1*04:01:01:01", "MICA*001"));
  ASSERT_EQ(ref->loci().size(), 5u);
  EXPECT_EQ(ref->loci()[0].name, "A");
  EXPECT_EQ(ref->loci()[0].end - ref->loci()[0].begin, 9u);
  EXPECT_EQ(ref->loci()[4].name, "MICA");
  EXPECT_FALSE(ref->loci()[4].locus.has_value());
  EXPECT_EQ(ref->FindLocus(hla::Locus::kDRB3)->name, "DRB3");
  EXPECT_EQ(ref->FindLocus(hla::Locus::kC), nullptr);
}

TEST(Reference, FindsAllelesByExactNameAndIgnoringSuffix) {
  auto ref = LoadMini("find");
  ASSERT_NE(ref, nullptr);
  auto id = ref->FindAllele("HLA-A*01:01:01:02N");
  ASSERT_TRUE(id.has_value());
  const Allele& a = ref->allele(*id);
  EXPECT_EQ(a.accession, "HLA00002");
  EXPECT_TRUE(a.is_null());
  EXPECT_EQ(a.fields.size(), 4u);
  EXPECT_FALSE(ref->FindAllele("A*01:01:01:02").has_value());
  EXPECT_FALSE(ref->FindAllele("A*24:329").has_value());
  // Non-strict: the suffix is ignored on both sides.
  EXPECT_EQ(ref->FindAlleleIgnoringSuffix("A*24:329"), ref->FindAllele("A*24:329Q"));
  EXPECT_EQ(ref->FindAlleleIgnoringSuffix("A*24:329N"),
            ref->FindAllele("A*24:329Q"));
  EXPECT_FALSE(ref->FindAlleleIgnoringSuffix("A*24:32").has_value());
}

TEST(Reference, PrefixRangesRespectFieldBoundaries) {
  auto ref = LoadMini("prefix");
  ASSERT_NE(ref, nullptr);
  hla::Fields f;
  ASSERT_TRUE(hla::ParseFields("01:01", &f));
  EXPECT_THAT(Names(*ref, ref->AllelesWithPrefix("A", f)),
              ElementsAre("A*01:01:01:01", "A*01:01:01:02N", "A*01:01:02"));
  ASSERT_TRUE(hla::ParseFields("01:1", &f));  // width 1: not "01:100"/"01:11"
  EXPECT_THAT(ref->AllelesWithPrefix("A", f), IsEmpty());
  ASSERT_TRUE(hla::ParseFields("01", &f));
  EXPECT_EQ(ref->AllelesWithPrefix("A", f).size(), 7u);
  EXPECT_EQ(ref->AllelesWithPrefix("A", {}).size(), 9u);
  EXPECT_THAT(ref->AllelesWithPrefix("C", f), IsEmpty());
}

TEST(Reference, TruncationIndexesCoverOneTwoAndThreeFields) {
  auto ref = LoadMini("trunc");
  ASSERT_NE(ref, nullptr);
  const Truncation* t = ref->FindTruncation("HLA-A*01:01");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->field_count, 2);
  EXPECT_THAT(Names(*ref, ref->Range(t->begin, t->end)),
              ElementsAre("A*01:01:01:01", "A*01:01:01:02N", "A*01:01:02"));
  const Truncation* xx = ref->FindTruncation("A*01");  // the XX index
  ASSERT_NE(xx, nullptr);
  EXPECT_EQ(xx->end - xx->begin, 7u);
  EXPECT_NE(ref->FindTruncation("A*01:01:01"), nullptr);
  EXPECT_NE(ref->FindTruncation("A*01:11"), nullptr);  // "A*01:11N" extends it
  EXPECT_EQ(ref->FindTruncation("A*01:01:01:01"), nullptr);  // 4 fields: no
  EXPECT_NE(ref->FindTruncation("MICA*001"), nullptr);
  // A: 01, 02, 24; B: 07; DRB3: 01; DPB1: 04; MICA: 001.
  EXPECT_EQ(ref->truncations(1).size(), 7u);
  EXPECT_TRUE(ref->truncations(4).empty());
}

TEST(Reference, GroupsNamedImplicitAndAbsent) {
  auto ref = LoadMini("groups");
  ASSERT_NE(ref, nullptr);
  EXPECT_EQ(ref->named_g_groups(), 1u);
  EXPECT_EQ(ref->g_groups().size(), 9u);  // 1 named + 8 single-allele rows
  EXPECT_EQ(ref->named_p_groups(), 1u);
  const Group& g = ref->g_group(*ref->FindGGroup("A*01:01:01G"));
  EXPECT_FALSE(g.implicit);
  EXPECT_EQ(g.two_field_name, "A*01:01");
  EXPECT_THAT(Names(*ref, g.members),
              ElementsAre("A*01:01:01:01", "A*01:01:01:02N", "A*01:04:01:01N",
                          "A*01:29"));
  // An ungrouped allele is its own group, named after itself.
  const Allele& a = ref->allele(*ref->FindAllele("A*01:01:02"));
  const Group& own = ref->g_group(a.g_group);
  EXPECT_TRUE(own.implicit);
  EXPECT_EQ(own.name, "A*01:01:02");
  EXPECT_EQ(ref->FindGGroup("A*01:01:02"), a.g_group);
  EXPECT_EQ(ref->p_group(a.p_group).name, "A*01:01P");
  // Nulls have no P group; MICA is in neither file.
  EXPECT_EQ(ref->allele(*ref->FindAllele("A*01:11N")).p_group, kNone);
  const Allele& mica = ref->allele(*ref->FindAllele("MICA*001"));
  EXPECT_EQ(mica.g_group, kNone);
  EXPECT_EQ(mica.p_group, kNone);
  EXPECT_EQ(mica.small_g, kNone);
}

TEST(Reference, SmallGAddsNullsSharingTheArdToThePGroup) {
  auto ref = LoadMini("smallg");
  ASSERT_NE(ref, nullptr);
  const auto id = ref->FindSmallG("A*01:01g");
  ASSERT_TRUE(id.has_value());
  const Group& g = ref->small_g(*id);
  EXPECT_FALSE(g.implicit);
  EXPECT_EQ(g.two_field_name, "A*01:01");
  // The P group's three members plus the two nulls of A*01:01:01G.
  EXPECT_THAT(Names(*ref, g.members),
              ElementsAre("A*01:01:01:01", "A*01:01:01:02N", "A*01:01:02",
                          "A*01:04:01:01N", "A*01:29"));
  EXPECT_EQ(ref->allele(*ref->FindAllele("A*01:04:01:01N")).small_g, *id);
}

TEST(Reference, SmallGOfOneProteinOrOnlyNullsHasNoGSuffix) {
  auto ref = LoadMini("smallg1");
  ASSERT_NE(ref, nullptr);
  const Group& single =
      ref->small_g(ref->allele(*ref->FindAllele("A*01:100")).small_g);
  EXPECT_EQ(single.name, "A*01:100");
  EXPECT_TRUE(single.implicit);
  const Group& nulls =
      ref->small_g(ref->allele(*ref->FindAllele("A*01:11N")).small_g);
  EXPECT_EQ(nulls.name, "A*01:11N");
  EXPECT_EQ(nulls.two_field_name, "A*01:11");
  EXPECT_EQ(ref->FindSmallG("A*01:11N"),
            ref->allele(*ref->FindAllele("A*01:11N")).small_g);
  EXPECT_FALSE(ref->FindSmallG("A*01:100g").has_value());
}

TEST(Reference, SerologyColumnsAntigensAndLinks) {
  auto ref = LoadMini("sero");
  ASSERT_NE(ref, nullptr);
  const DnaSerology* s = ref->SerologyOf(*ref->FindAllele("A*24:329Q"));
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->possible.antigens.size(), 2u);
  EXPECT_EQ(ref->antigen(s->possible.antigens[0]).name, "A24");
  EXPECT_EQ(ref->antigen(s->possible.antigens[1]).name, "A9");
  EXPECT_EQ(ref->antigen(s->expert.antigens[0]).name, "A23");
  const DnaSerology* n = ref->SerologyOf(*ref->FindAllele("A*01:29"));
  EXPECT_TRUE(n->assumed.null);
  EXPECT_TRUE(n->assumed.unknown);
  EXPECT_TRUE(n->unambiguous.empty());
  EXPECT_TRUE(ref->SerologyOf(*ref->FindAllele("A*01:100"))->unambiguous.unknown);
  // DRB3 antigens are DR52.
  const DnaSerology* dr = ref->SerologyOf(*ref->FindAllele("DRB3*01:01:02:01"));
  EXPECT_EQ(ref->antigen(dr->unambiguous.antigens[0]).name, "DR52");

  const Antigen& a9 = ref->antigen(*ref->FindAntigen("A9"));
  EXPECT_TRUE(a9.recognised);
  EXPECT_EQ(a9.date_assigned, "19690101");
  ASSERT_EQ(a9.splits.size(), 2u);
  EXPECT_EQ(ref->antigen(a9.splits[1]).name, "A24");
  EXPECT_EQ(ref->antigen(a9.splits[1]).broad, *ref->FindAntigen("A9"));
  const Antigen& a203 = ref->antigen(*ref->FindAntigen("A203"));
  EXPECT_EQ(a203.associated_with, *ref->FindAntigen("A2"));
  EXPECT_FALSE(a203.recognised);  // not in the fixture's hla_nom.txt
  EXPECT_FALSE(ref->antigen(*ref->FindAntigen("Cw11")).recognised);  // deleted
  // Antigen -> alleles: unambiguous, possible, assumed (not expert).
  EXPECT_THAT(Names(*ref, ref->antigen(*ref->FindAntigen("A1")).alleles),
              ElementsAre("A*01:01:01:01", "A*01:01:02"));
  EXPECT_THAT(ref->antigen(*ref->FindAntigen("A23")).alleles, IsEmpty());
  EXPECT_FALSE(ref->FindAntigen("a1").has_value());
}

TEST(Reference, HistoryFollowsRenamesToCurrentAlleles) {
  auto ref = LoadMini("history");
  ASSERT_NE(ref, nullptr);
  const NameHistory* h = ref->FindHistory("A*0105N");
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->date_deleted, "20010717");
  EXPECT_EQ(h->accession, "HLA00965");  // merged from Deleted_alleles.txt
  EXPECT_THAT(h->description, HasSubstr("identical to A*01:04:01:01N"));
  EXPECT_THAT(Names(*ref, h->current), ElementsAre("A*01:04:01:01N"));
  // A chain: 0101 -> 0102 -> 01:01:01:01.
  EXPECT_THAT(Names(*ref, ref->FindHistory("A*0101")->current),
              ElementsAre("A*01:01:01:01"));
  // Suffix change, only in Deleted_alleles.txt.
  const NameHistory* s = ref->FindHistory("HLA-A*24:329");
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->suffix_change);
  EXPECT_THAT(Names(*ref, s->current), ElementsAre("A*24:329Q"));
  // Successor not in this release; never assigned; pre-2010 Cw* -> C*.
  EXPECT_THAT(ref->FindHistory("A*01:34N")->current, IsEmpty());
  EXPECT_THAT(ref->FindHistory("A*02:100")->current, IsEmpty());
  EXPECT_EQ(ref->FindHistory("Cw*0101")->identical_to, "C*01:02:01:01");
  EXPECT_EQ(ref->FindHistory("A*01:01:01:01"), nullptr);  // current
  EXPECT_EQ(ref->history().size(), 7u);
  EXPECT_EQ(ref->allele(*ref->FindAllele("A*01:01:01:01")).date_assigned,
            "19890801");
}

TEST(Reference, AlleleStatusAndTce) {
  auto ref = LoadMini("status");
  ASSERT_NE(ref, nullptr);
  EXPECT_TRUE(ref->has_allele_status());
  const Allele& full = ref->allele(*ref->FindAllele("A*01:01:01:01"));
  EXPECT_EQ(full.sequence_type, SequenceType::kGenomic);
  EXPECT_EQ(full.coverage, SequenceCoverage::kFull);
  EXPECT_TRUE(full.confirmed);
  const Allele& part = ref->allele(*ref->FindAllele("A*01:29"));
  EXPECT_EQ(part.sequence_type, SequenceType::kCdna);
  EXPECT_EQ(part.coverage, SequenceCoverage::kPartial);
  EXPECT_EQ(ref->allele(*ref->FindAllele("B*07:02:01")).coverage,
            SequenceCoverage::kUnknown);

  EXPECT_TRUE(ref->has_tce());
  ASSERT_EQ(ref->tce().size(), 2u);
  const TceAssignment* t = ref->TceOf(*ref->FindAllele("DPB1*04:01:01:01"));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->v1.group, "3");
  EXPECT_TRUE(t->v2.inferred);
  EXPECT_EQ(t->comments, "note, with a comma");
  // A TCE row for an allele not in the list is kept and noted, not dropped.
  EXPECT_EQ(ref->tce()[1].allele, kNone);
  EXPECT_EQ(ref->tce()[1].v1.group, "2a");
  ASSERT_EQ(ref->warnings().size(), 1u);
  EXPECT_THAT(ref->warnings()[0], HasSubstr("DPB1*999:01"));
  EXPECT_GT(ref->MemoryUsage(), ref->bytes_read());
}

TEST(Reference, OptionalFilesMayBeAbsent) {
  auto files = MiniRelease();
  files.erase("Allele_status.txt");
  files.erase("Deleted_alleles.txt");
  files.erase("tce/dpb_tce.csv");
  auto ref = Reference::Load({WriteRelease(files, "optional"), false});
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_FALSE((*ref)->has_allele_status());
  EXPECT_FALSE((*ref)->has_tce());
  EXPECT_EQ((*ref)->allele(0).coverage, SequenceCoverage::kUnknown);
  EXPECT_EQ((*ref)->FindHistory("A*24:329"), nullptr);
  EXPECT_EQ((*ref)->history().size(), 6u);  // hla_nom.txt's deletions only
}

TEST(Reference, MissingRequiredFileNamesPathAndContent) {
  auto files = MiniRelease();
  files.erase("wmda/hla_nom_p.txt");
  const std::string dir = WriteRelease(files, "missing");
  EXPECT_THAT(Reference::Load({dir}),
              StatusIs(absl::StatusCode::kNotFound,
                       dir + "/wmda/hla_nom_p.txt (expected the WMDA P-group"));
}

TEST(Reference, MalformedLineNamesFileAndLine) {
  auto files = MiniRelease();
  files["wmda/hla_nom_g.txt"] += "A*;01:01\n";
  const std::string dir = WriteRelease(files, "malformed");
  // 6 header lines + 9 rows, so the bad line is line 16.
  EXPECT_THAT(Reference::Load({dir}),
              StatusIs(absl::StatusCode::kDataLoss,
                       dir + "/wmda/hla_nom_g.txt:16: expected 3"));
}

TEST(Reference, GroupNamingAnUnknownAlleleIsDataLoss) {
  auto files = MiniRelease();
  files["wmda/hla_nom_p.txt"] += "A*;99:99;\n";
  EXPECT_THAT(Reference::Load({WriteRelease(files, "unknown_member")}),
              StatusIs(absl::StatusCode::kDataLoss,
                       "hla_nom_p.txt:14: allele A*99:99 is not in "
                       "Allelelist.txt"));
}

TEST(Reference, AlleleInTwoGroupsIsDataLoss) {
  auto files = MiniRelease();
  files["wmda/hla_nom_g.txt"] += "A*;01:01:02/01:100;01:01:02G\n";
  EXPECT_THAT(Reference::Load({WriteRelease(files, "two_groups")}),
              StatusIs(absl::StatusCode::kDataLoss, "is in two groups"));
}

TEST(Reference, SerologyForUnknownAlleleIsDataLoss) {
  auto files = MiniRelease();
  files["wmda/rel_dna_ser.txt"] += "\nB*;99:01;7;;;";
  EXPECT_THAT(Reference::Load({WriteRelease(files, "sero_unknown")}),
              StatusIs(absl::StatusCode::kDataLoss,
                       "rel_dna_ser.txt:20: allele B*99:01 is not in"));
}

TEST(Reference, DuplicateAlleleIsDataLoss) {
  auto files = MiniRelease();
  files["Allelelist.txt"] += "\nHLA99999,B*07:02:01";
  EXPECT_THAT(Reference::Load({WriteRelease(files, "dup")}),
              StatusIs(absl::StatusCode::kDataLoss,
                       "duplicate allele name B*07:02:01"));
}

TEST(Reference, VersionMismatchIsFailedPrecondition) {
  auto files = MiniRelease();
  std::string& g = files["wmda/hla_nom_g.txt"];
  g.replace(g.find("9.99.0"), 6, "3.44.0");
  EXPECT_THAT(Reference::Load({WriteRelease(files, "mismatch")}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "Allelelist.txt is 9.99.0 but wmda/hla_nom_g.txt is "
                       "3.44.0"));
}

TEST(Reference, EmptyDirectoryArgumentIsInvalid) {
  EXPECT_THAT(Reference::Load({""}),
              StatusIs(absl::StatusCode::kInvalidArgument, "no IPD-IMGT/HLA"));
}

TEST(Reference, ParallelAndSerialLoadsAgree) {
  const std::string dir = WriteRelease(MiniRelease(), "parallel");
  auto a = Reference::Load({dir, true});
  auto b = Reference::Load({dir, false});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ((*a)->alleles().size(), (*b)->alleles().size());
  for (size_t i = 0; i < (*a)->alleles().size(); ++i) {
    EXPECT_EQ((*a)->allele(i).name, (*b)->allele(i).name);
    EXPECT_EQ((*a)->allele(i).small_g, (*b)->allele(i).small_g);
  }
}

}  // namespace
}  // namespace hla::data
