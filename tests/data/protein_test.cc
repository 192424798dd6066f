// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// data/protein.h on the shipped IPD-IMGT/HLA 3.58.0 protein sequences: the
// HLA-B leader and the KIR-ligand motifs of every HLA-A, -B, -C allele.
// The counts were computed independently (a Python reading of the same
// files with the same rules, issue 21's research), so a change in the
// anchoring or a rule shows up here; the imgtsero vectors and the b-leader
// cases check single alleles against other tools.
#include "data/protein.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "data/reference.h"
#include "gtest/gtest.h"

namespace hla::data {
namespace {

const std::string kData = HLA_SHIPPED_DATA_DIR;

class Protein : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto ref = Reference::Load({kData + "/imgt/3.58.0"});
    if (!ref.ok()) return;
    ref_ = new std::shared_ptr<const Reference>(*ref);
    auto t = ProteinTable::Load(**ref);
    if (t.ok()) table_ = new ProteinTable(*std::move(t));
  }
  void SetUp() override {
    ASSERT_NE(ref_, nullptr);
    ASSERT_NE(table_, nullptr);
  }
  static const Reference& ref() { return **ref_; }
  static const ProteinFacts& Of(const std::string& name) {
    const std::optional<AlleleId> id = ref().FindAllele(name);
    EXPECT_TRUE(id.has_value()) << name;
    static const ProteinFacts kNone;
    return id ? table_->Of(*id) : kNone;
  }
  // The alleles `name` stands for: itself, or those it is a field prefix of.
  static std::vector<AlleleId> Expand(const std::string& name) {
    std::vector<AlleleId> out;
    for (AlleleId a = 0; a < ref().alleles().size(); ++a) {
      const std::string n(ref().allele(a).name);
      if (n == name || (n.size() > name.size() && n.compare(0, name.size(), name) == 0 &&
                        n[name.size()] == ':')) {
        out.push_back(a);
      }
    }
    return out;
  }
  static std::shared_ptr<const Reference>* ref_;
  static ProteinTable* table_;
};
std::shared_ptr<const Reference>* Protein::ref_ = nullptr;
ProteinTable* Protein::table_ = nullptr;

std::string LocusOf(const Reference& ref, AlleleId a) {
  return std::string(ref.loci()[ref.allele(a).locus].name);
}

TEST_F(Protein, LeaderCountsOf358) {
  std::map<std::string, int> read, effective, basis;
  for (AlleleId a = 0; a < ref().alleles().size(); ++a) {
    if (LocusOf(ref(), a) != "B") continue;
    const ProteinFacts& f = table_->Of(a);
    if (f.leader_residue != 0) {
      ++read[f.leader_residue == 'M' || f.leader_residue == 'T'
                 ? std::string(1, f.leader_residue)
                 : "other"];
    }
    ++effective[ToString(f.leader)];
    ++basis[ToString(f.leader_basis)];
  }
  // -21 read in the record: M 1,543, T 5,280, another residue 3.
  EXPECT_EQ(read["M"], 1543);
  EXPECT_EQ(read["T"], 5280);
  EXPECT_EQ(read["other"], 3);
  // Every HLA-B name, after inference: M 2,272, T 7,908, unknown-or-other 3.
  EXPECT_EQ(effective["M"], 2272);
  EXPECT_EQ(effective["T"], 7908);
  EXPECT_EQ(effective["other"] + effective["unknown"], 3);
  EXPECT_EQ(basis["observed"], 6826);
  EXPECT_EQ(basis["same protein"], 752);
  EXPECT_EQ(basis["allele group"], 2605);
}

TEST_F(Protein, LeaderOfSingleAlleles) {
  struct Case {
    const char* allele;
    Leader leader;
    LeaderBasis basis;
    char residue;
  };
  for (const Case& c : {
           // The references themselves.
           Case{"B*07:02:01:01", Leader::kM, LeaderBasis::kObserved, 'M'},
           Case{"B*35:01:01:01", Leader::kT, LeaderBasis::kObserved, 'T'},
           // A T deviant in the M group B*07 (b-leader's exception list).
           Case{"B*07:65", Leader::kT, LeaderBasis::kObserved, 'T'},
           // Neither M nor T at -21.
           Case{"B*07:371", Leader::kOther, LeaderBasis::kObserved, 'V'},
           Case{"B*55:91", Leader::kOther, LeaderBasis::kObserved, 'R'},
           // Indels in the leader: anchored where -21 is (B*15:546Q has a
           // 23-residue leader, B*51:329Q an insertion).
           Case{"B*15:546Q", Leader::kT, LeaderBasis::kObserved, 'T'},
           Case{"B*51:329Q", Leader::kT, LeaderBasis::kObserved, 'T'},
           Case{"B*44:02:01:01", Leader::kT, LeaderBasis::kObserved, 'T'},
       }) {
    SCOPED_TRACE(c.allele);
    const ProteinFacts& f = Of(c.allele);
    EXPECT_EQ(f.leader, c.leader);
    EXPECT_EQ(f.leader_basis, c.basis);
    EXPECT_EQ(f.leader_residue, c.residue);
  }
  // No exon 1: inferred, and said so.
  const ProteinFacts& b0766 = Of("B*07:66");
  EXPECT_EQ(b0766.leader, Leader::kM);
  EXPECT_NE(b0766.leader_basis, LeaderBasis::kObserved);
  // b-leader's leader-allotype mapping cases 011 and 012 (B*07:02:01:01/02
  // is M; every allele of B*27:05 is T) and B*53:01 (case 006, T).
  for (const auto& [prefix, leader] :
       std::vector<std::pair<std::string, Leader>>{{"B*07:02:01:01", Leader::kM},
                                                   {"B*07:02:01:02", Leader::kM},
                                                   {"B*27:05", Leader::kT},
                                                   {"B*53:01", Leader::kT}}) {
    for (AlleleId a : Expand(prefix)) {
      if (ref().allele(a).is_null()) continue;
      EXPECT_EQ(table_->Of(a).leader, leader) << ref().allele(a).name;
    }
  }
}

TEST_F(Protein, LigandCountsOf358) {
  std::map<std::string, std::map<std::string, int>> ligand;
  std::map<std::string, int> bw_b;
  for (AlleleId a = 0; a < ref().alleles().size(); ++a) {
    const std::string locus = LocusOf(ref(), a);
    if (locus != "A" && locus != "B" && locus != "C") continue;
    ++ligand[locus][ToString(table_->Of(a).ligand)];
    if (locus == "B") ++bw_b[ToString(table_->Of(a).bw)];
  }
  EXPECT_EQ(ligand["A"]["Bw4"], 1572);
  EXPECT_EQ(ligand["A"]["none"], 6455);
  EXPECT_EQ(ligand["A"]["null"], 445);
  EXPECT_EQ(ligand["B"]["Bw4"], 3720);
  EXPECT_EQ(ligand["B"]["C1"], 192);
  EXPECT_EQ(ligand["B"]["none"], 5845);
  EXPECT_EQ(ligand["B"]["unclassified"], 62);
  EXPECT_EQ(ligand["B"]["null"], 364);
  EXPECT_EQ(ligand["C"]["C1"], 5029);
  EXPECT_EQ(ligand["C"]["C2"], 3148);
  EXPECT_EQ(ligand["C"]["unclassified"], 8);
  EXPECT_EQ(ligand["C"]["null"], 385);
  EXPECT_EQ(bw_b["Bw6"], 6036);
  EXPECT_EQ(bw_b["Bw4-80I"], 1937);
  EXPECT_EQ(bw_b["Bw4-80T"], 1783);
  // Every expressed allele of the three loci is classified (its motif read
  // or inferred from its protein): nothing is left unknown in 3.58.0.
  for (const char* locus : {"A", "B", "C"}) EXPECT_EQ(ligand[locus]["unknown"], 0) << locus;
}

TEST_F(Protein, LigandOfSingleAlleles) {
  struct Case {
    const char* allele;
    KirLigand ligand;
    BwEpitope bw;
  };
  for (const Case& c : {
           Case{"A*24:02:01:01", KirLigand::kBw4, BwEpitope::kBw4_80I},
           Case{"A*01:01:01:01", KirLigand::kNone, BwEpitope::kNone},
           Case{"B*07:02:01:01", KirLigand::kNone, BwEpitope::kBw6},
           Case{"B*44:02:01:01", KirLigand::kBw4, BwEpitope::kBw4_80T},
           Case{"B*27:05:02:01", KirLigand::kBw4, BwEpitope::kBw4_80T},
           Case{"B*57:01:01:01", KirLigand::kBw4, BwEpitope::kBw4_80I},
           // The HLA-C-type helix (V76, N80) of B*46 and B*73: C1.
           Case{"B*46:01:01:01", KirLigand::kC1, BwEpitope::kBw6},
           Case{"C*01:02:01:01", KirLigand::kC1, BwEpitope::kNone},
           Case{"C*04:01:01:01", KirLigand::kC2, BwEpitope::kNone},
           Case{"A*01:11N", KirLigand::kNull, BwEpitope::kNull},
       }) {
    SCOPED_TRACE(c.allele);
    const ProteinFacts& f = Of(c.allele);
    EXPECT_EQ(f.ligand, c.ligand) << ToString(f.ligand);
    EXPECT_EQ(f.bw, c.bw) << ToString(f.bw);
  }
}

// imgtsero's KIR-ligand cases (tests/testdata/imgtsero/kir_ligand.tsv):
// the group of every expressed allele the name stands for. imgtsero names
// Bw6 a group; here it is the epitope (Bw6 is no KIR ligand).
TEST_F(Protein, ImgtseroKirLigandVectors) {
  std::ifstream in(std::string(HLA_TESTDATA_DIR) + "/imgtsero/kir_ligand.tsv");
  ASSERT_TRUE(in) << "tests/testdata/imgtsero/kir_ligand.tsv";
  std::string line;
  std::getline(in, line);  // header
  int rows = 0;
  while (std::getline(in, line)) {
    const std::vector<std::string> cols = absl::StrSplit(line, '\t');
    ASSERT_GE(cols.size(), 5u) << line;
    const std::string& name = cols[2];
    const std::string& expected = cols[4];
    SCOPED_TRACE(cols[0] + " " + name + " -> " + expected);
    const std::vector<AlleleId> alleles = Expand(name);
    ASSERT_FALSE(alleles.empty());
    for (AlleleId a : alleles) {
      if (ref().allele(a).is_null()) continue;
      const ProteinFacts& f = table_->Of(a);
      if (expected == "Bw6" || expected.find("type=Bw6") != std::string::npos) {
        EXPECT_EQ(f.bw, BwEpitope::kBw6) << ref().allele(a).name;
        EXPECT_EQ(f.ligand, KirLigand::kNone) << ref().allele(a).name;
      } else if (expected == "Bw4" || expected.find("type=Bw4") != std::string::npos) {
        EXPECT_EQ(f.ligand, KirLigand::kBw4) << ref().allele(a).name;
      } else if (expected == "C1") {
        EXPECT_EQ(f.ligand, KirLigand::kC1) << ref().allele(a).name;
      } else {
        ASSERT_EQ(expected, "None");
        EXPECT_EQ(f.ligand, KirLigand::kNone) << ref().allele(a).name;
      }
    }
    ++rows;
  }
  EXPECT_EQ(rows, 12);
}

// A malformed or incomplete protein file is an error naming the file (and
// the line), never a table read from part of it.
TEST(ProteinTableLoad, MalformedFilesAreErrorsNamingThem) {
  namespace fs = std::filesystem;
  const std::string dir = ::testing::TempDir() + "/hm_protein_release";
  fs::remove_all(dir);
  fs::copy(kData + "/imgt/3.58.0", dir, fs::copy_options::recursive);
  auto ref = Reference::Load({dir});
  ASSERT_TRUE(ref.ok()) << ref.status();
  struct Case {
    const char* text;
    const char* error;
  };
  for (const Case& c :
       {Case{"MLVMAPRTVLLL\n>HLA:HLA00001 A*01:01:01:01 365 bp\nMAVM\n",
             "A_prot.fasta:1: sequence before the first header"},
        Case{">HLA00001\nMAVM\n", "A_prot.fasta:1: a header without an allele name"},
        Case{">HLA:HLA00001 A*01:01:01:01 365 bp\nMAVM\n",
             "the reference records A*01:01:01:01 and A*02:01:01:01 are not both there"}}) {
    SCOPED_TRACE(c.error);
    std::ofstream(dir + "/fasta/A_prot.fasta", std::ios::trunc) << c.text;
    const absl::StatusOr<ProteinTable> t = ProteinTable::Load(**ref);
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(t.status().message().find(c.error), std::string::npos)
        << t.status().message();
  }
  fs::remove_all(dir);
}

// A release without the protein files (the shipped 3.44.0): an error, so
// that the facts are unknown, never guessed.
TEST(ProteinTableLoad, AReleaseWithoutTheFilesIsNotFound) {
  auto ref = Reference::Load({kData + "/imgt/3.44.0"});
  ASSERT_TRUE(ref.ok()) << ref.status();
  const absl::StatusOr<ProteinTable> t = ProteinTable::Load(**ref);
  EXPECT_EQ(t.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(t.status().message().find("A_prot.fasta"), std::string::npos);
}

}  // namespace
}  // namespace hla::data
