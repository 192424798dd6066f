// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Per-allele protein facts of HLA-A, -B and -C read from the release's own
// protein sequences (fasta/{A,B,C}_prot.fasta of IPD-IMGT/HLA, shipped
// unmodified): the HLA-B leader type (residue -21, M or T) and the KIR
// ligand motif (mature residues 76, 77, 80, 82, 83). The clinical rules that
// use them (leader match, missing KIR ligands) are issue 21's next steps;
// this is the data they read.
//
//   HLA_ASSIGN_OR_RETURN(hla::data::ProteinTable t,
//                        hla::data::ProteinTable::Load(reference));
//   const hla::data::ProteinFacts& f = t.Of(allele_id);   // f.leader == kM
//
// Numbering (IPD-IMGT/HLA, WHO): the leader peptide is -24..-1, the mature
// protein starts at residue 1. The FASTA records are not aligned (a record
// starts at -24 when exon 1 was sequenced, at residue 2 when it starts in
// exon 2, elsewhere for some partial sequences, and a few carry an indel),
// so a residue is located by anchoring the record to two full-length
// references of its locus with exact 6-mers whose reference position lies
// in a window around it: the most voted offset wins, and a tie (an indel at
// the window) reads nothing. An indel elsewhere cannot move it.
#ifndef HLA_DATA_PROTEIN_H_
#define HLA_DATA_PROTEIN_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "data/reference.h"

namespace hla::data {

// HLA-B residue -21: M or T (Petersdorf et al., Blood 2020;136:362: HLA-B
// leaders encode methionine or threonine at position 2 of the nonamer
// -22..-14 that HLA-E presents). kOther: another residue was read (3 alleles
// of 3.58.0: B*07:371 V, B*07:458 L, B*55:91 R).
enum class Leader : uint8_t { kUnknown, kM, kT, kOther };
// How the leader was known.
enum class LeaderBasis : uint8_t {
  kUnknown,       // no exon 1 and no inference
  kObserved,      // read in the allele's own record
  kSameProtein,   // every observed allele of its 2-field name agrees
  kAlleleGroup,   // >= 95 % of the observed alleles of its allele group agree
};
// The public epitope of residues 77-83 (HLA-A, -B): Bw4 = residue 80 I or T
// with L82 and R83, the residues common to every Bw4 motif (Gumperz et
// al., J Immunol 1997;158:5237), 80I vs 80T kept; Bw6 = HLA-B with N80, R82,
// G83. HLA-C: kNone.
enum class BwEpitope : uint8_t {
  kUnknown, kNone, kBw4_80I, kBw4_80T, kBw6, kUnclassified, kNull
};
// The KIR ligand group: HLA-C C1 = N80, C2 = K80 (IPD-KIR's ligand
// definitions); HLA-B C1 = V76 with N80 (the HLA-C-type helix of B*46 and
// B*73), else Bw4 when Bw4; HLA-A Bw4 when Bw4; a null allele kNull.
enum class KirLigand : uint8_t {
  kUnknown, kNone, kBw4, kC1, kC2, kUnclassified, kNull
};

struct ProteinFacts {
  Leader leader = Leader::kUnknown;  // HLA-B only
  LeaderBasis leader_basis = LeaderBasis::kUnknown;
  char leader_residue = 0;           // the residue read at -21, or 0
  BwEpitope bw = BwEpitope::kUnknown;
  KirLigand ligand = KirLigand::kUnknown;
  // Residues 76, 77, 80, 82, 83 as read ('\0' when not read), and whether
  // the ligand was inferred from the other alleles of its 2-field protein.
  std::array<char, 5> motif{};
  bool ligand_inferred = false;
};

// "M", "T", "other", "unknown"; "observed", "same protein", "allele group",
// "unknown"; "Bw4-80I", "Bw4-80T", "Bw6", "none", "unclassified", "null",
// "unknown"; "Bw4", "C1", "C2", "none", "unclassified", "null", "unknown".
const char* ToString(Leader leader);
const char* ToString(LeaderBasis basis);
const char* ToString(BwEpitope bw);
const char* ToString(KirLigand ligand);

class ProteinTable {
 public:
  // Reads <reference.directory()>/fasta/{A,B,C}_prot.fasta. NotFoundError
  // when a file is missing (the shipped 3.44.0 has none: its facts are then
  // unknown, never guessed); InvalidArgumentError for a malformed file
  // (named, with its line).
  static absl::StatusOr<ProteinTable> Load(const Reference& reference);

  // The facts of one allele of the reference (default, all unknown, for an
  // allele of another locus). REQUIRES: allele < reference.alleles().size().
  const ProteinFacts& Of(AlleleId allele) const { return facts_[allele]; }
  size_t size() const { return facts_.size(); }

 private:
  std::vector<ProteinFacts> facts_;  // by AlleleId
};

}  // namespace hla::data

#endif  // HLA_DATA_PROTEIN_H_
