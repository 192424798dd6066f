// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// data/protein.h: the release's protein FASTA read into per-allele leader
// and KIR-ligand facts. Sources beside each rule; the anchoring is
// explained in the header.
#include "data/protein.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace hla::data {

const char* ToString(Leader leader) {
  switch (leader) {
    case Leader::kM: return "M";
    case Leader::kT: return "T";
    case Leader::kOther: return "other";
    case Leader::kUnknown: break;
  }
  return "unknown";
}
const char* ToString(LeaderBasis basis) {
  switch (basis) {
    case LeaderBasis::kObserved: return "observed";
    case LeaderBasis::kSameProtein: return "same protein";
    case LeaderBasis::kAlleleGroup: return "allele group";
    case LeaderBasis::kUnknown: break;
  }
  return "unknown";
}
const char* ToString(BwEpitope bw) {
  switch (bw) {
    case BwEpitope::kNone: return "none";
    case BwEpitope::kBw4_80I: return "Bw4-80I";
    case BwEpitope::kBw4_80T: return "Bw4-80T";
    case BwEpitope::kBw6: return "Bw6";
    case BwEpitope::kUnclassified: return "unclassified";
    case BwEpitope::kNull: return "null";
    case BwEpitope::kUnknown: break;
  }
  return "unknown";
}
const char* ToString(KirLigand ligand) {
  switch (ligand) {
    case KirLigand::kNone: return "none";
    case KirLigand::kBw4: return "Bw4";
    case KirLigand::kC1: return "C1";
    case KirLigand::kC2: return "C2";
    case KirLigand::kUnclassified: return "unclassified";
    case KirLigand::kNull: return "null";
    case KirLigand::kUnknown: break;
  }
  return "unknown";
}

namespace {

// ---- Reading

struct Record {
  std::string name;  // "B*07:02:01:01"
  std::string seq;
};

// ">HLA:HLA00132 B*07:02:01:01 362 bp" then sequence lines. The last line
// may lack its newline.
absl::StatusOr<std::vector<Record>> ReadFasta(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  }
  std::vector<Record> out;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '>') {
      const size_t a = line.find(' ');
      const size_t b = a == std::string::npos ? a : line.find(' ', a + 1);
      if (a == std::string::npos) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ":", n, ": a header without an allele name"));
      }
      out.push_back({line.substr(a + 1, b == std::string::npos ? b : b - a - 1), ""});
      continue;
    }
    if (out.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", n, ": sequence before the first header"));
    }
    out.back().seq += line;
  }
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat("error reading '", path, "'"));
  }
  return out;
}

// ---- Locating IMGT residues (the header's "Numbering")

constexpr int kK = 6;           // anchor k-mers
constexpr int kMaxShift = 40;   // a record starts at most 40 residues in
constexpr int kMaxIndel = 10;   // net insertions before the window

// Index of IMGT residue `r` in a full-length reference record (leader
// -24..-1 at 0..23, residue 1 at 24).
int RefIndex(int r) { return r > 0 ? r + 23 : r + 24; }

class Anchor {
 public:
  // References: full-length records of the locus (leader and mature).
  explicit Anchor(const std::vector<const std::string*>& refs) {
    for (const std::string* ref : refs) {
      for (int i = 0; i + kK <= static_cast<int>(ref->size()); ++i) {
        kmers_[absl::string_view(*ref).substr(static_cast<size_t>(i), kK)]
            .push_back(i);
      }
    }
  }

  // The residue at IMGT position `residue`, anchored by 6-mers whose
  // reference start lies in one of `windows` (tried in order), or 0.
  char Residue(const std::string& seq, int residue,
               std::initializer_list<std::pair<int, int>> windows) const {
    for (const auto& [first, last] : windows) {
      const std::optional<int> off = Offset(seq, first, last);
      if (!off) continue;
      const int q = RefIndex(residue) - *off;
      if (q >= 0 && q < static_cast<int>(seq.size()) && seq[static_cast<size_t>(q)] != 'X') {
        return seq[static_cast<size_t>(q)];
      }
      return 0;
    }
    return 0;
  }

 private:
  // The most voted (reference index - record index) among the record's
  // 6-mers found in the reference window; nullopt without votes or on a
  // tie (an indel right at the window: refuse rather than guess).
  std::optional<int> Offset(const std::string& seq, int first_res,
                            int last_res) const {
    const int lo = RefIndex(first_res), hi = RefIndex(last_res);
    absl::flat_hash_map<int, int> votes;
    const int first_j = std::max(0, lo - kMaxShift);
    const int last_j = std::min(static_cast<int>(seq.size()) - kK, hi + kMaxIndel);
    for (int j = first_j; j <= last_j; ++j) {
      auto it = kmers_.find(absl::string_view(seq).substr(static_cast<size_t>(j), kK));
      if (it == kmers_.end()) continue;
      for (int i : it->second) {
        if (lo <= i && i <= hi) ++votes[i - j];
      }
    }
    int best = 0, best_votes = 0, second_votes = 0;
    for (const auto& [offset, v] : votes) {
      if (v > best_votes || (v == best_votes && offset < best)) {
        second_votes = std::max(second_votes, best_votes);
        best = offset;
        best_votes = v;
      } else {
        second_votes = std::max(second_votes, v);
      }
    }
    if (best_votes == 0 || second_votes == best_votes) return std::nullopt;
    return best;
  }

  absl::flat_hash_map<absl::string_view, std::vector<int>> kmers_;
};

// The references: one M-leader and one T-leader record for HLA-B, so that
// the leader's own 6-mers anchor both kinds.
struct LocusFiles {
  const char* locus;
  const char* file;
  const char* ref[2];
};
constexpr LocusFiles kLoci[] = {
    {"A", "A_prot.fasta", {"A*01:01:01:01", "A*02:01:01:01"}},
    {"B", "B_prot.fasta", {"B*07:02:01:01", "B*35:01:01:01"}},
    {"C", "C_prot.fasta", {"C*01:02:01:01", "C*04:01:01:01"}},
};

// The leader is anchored first by the 6-mers that contain -21 (so that an
// indel later in the leader, as in B*15:546Q, cannot move it), then, when
// the start of the leader is too polymorphic for an exact 6-mer there (the
// MRVRAP of B*55:91), by those starting at -24..-13.
constexpr std::pair<int, int> kLeaderWindow1{-24, -21}, kLeaderWindow2{-24, -13};
constexpr std::pair<int, int> kKirWindow{60, 95};
constexpr int kKirResidues[5] = {76, 77, 80, 82, 83};

// ---- Rules (sources in data/protein.h)

BwEpitope BwOf(char locus, const std::array<char, 5>& m) {
  const char r80 = m[2], r82 = m[3], r83 = m[4];
  if (locus == 'C') return BwEpitope::kNone;
  if ((r80 == 'I' || r80 == 'T') && r82 == 'L' && r83 == 'R') {
    return r80 == 'I' ? BwEpitope::kBw4_80I : BwEpitope::kBw4_80T;
  }
  if (locus == 'B' && r80 == 'N' && r82 == 'R' && r83 == 'G') return BwEpitope::kBw6;
  return locus == 'A' ? BwEpitope::kNone : BwEpitope::kUnclassified;
}

KirLigand LigandOf(char locus, const std::array<char, 5>& m, BwEpitope bw) {
  const char r76 = m[0], r80 = m[2];
  if (locus == 'C') {
    return r80 == 'N' ? KirLigand::kC1 : r80 == 'K' ? KirLigand::kC2 : KirLigand::kUnclassified;
  }
  if (locus == 'B' && r76 == 'V' && r80 == 'N') return KirLigand::kC1;
  if (bw == BwEpitope::kBw4_80I || bw == BwEpitope::kBw4_80T) return KirLigand::kBw4;
  if (bw == BwEpitope::kBw6 || bw == BwEpitope::kNone) return KirLigand::kNone;
  return KirLigand::kUnclassified;
}

// The first `n` fields of an allele's name, as a key ("07:02" -> {7, 2}).
uint64_t FieldsKey(const Allele& a, size_t n) {
  uint64_t key = 0;
  for (size_t i = 0; i < n; ++i) {
    key = key * 100000 + (i < a.fields.size() ? a.fields[i].value + 1 : 0);
  }
  return key * 16 + a.locus;
}

}  // namespace

absl::StatusOr<ProteinTable> ProteinTable::Load(const Reference& ref) {
  ProteinTable t;
  t.facts_.assign(ref.alleles().size(), ProteinFacts());
  // One thread a locus (its alleles' facts are its own entries of facts_):
  // the anchoring is most of the ~0.1 s of CPU this costs.
  auto read_locus = [&ref, &t](const LocusFiles& lf) -> absl::Status {
    const std::string path = absl::StrCat(ref.directory(), "/fasta/", lf.file);
    absl::StatusOr<std::vector<Record>> recs = ReadFasta(path);
    if (!recs.ok()) return recs.status();
    std::vector<const std::string*> refs;
    for (const char* r : lf.ref) {
      for (const Record& rec : *recs) {
        if (rec.name == r) refs.push_back(&rec.seq);
      }
    }
    if (refs.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": the reference records ", lf.ref[0], " and ", lf.ref[1],
          " are not both there"));
    }
    const Anchor anchor(refs);
    const char locus = lf.locus[0];
    for (const Record& rec : *recs) {
      const std::optional<AlleleId> id = ref.FindAllele(rec.name);
      if (!id) continue;  // a record of another release's name
      ProteinFacts& f = t.facts_[*id];
      if (locus == 'B') {
        f.leader_residue = anchor.Residue(rec.seq, -21, {kLeaderWindow1, kLeaderWindow2});
        if (f.leader_residue != 0) {
          f.leader = f.leader_residue == 'M'   ? Leader::kM
                     : f.leader_residue == 'T' ? Leader::kT
                                               : Leader::kOther;
          f.leader_basis = LeaderBasis::kObserved;
        }
      }
      if (ref.allele(*id).is_null()) continue;
      std::array<char, 5> m{};
      bool read = true;
      for (int i = 0; i < 5; ++i) {
        m[static_cast<size_t>(i)] = anchor.Residue(rec.seq, kKirResidues[i], {kKirWindow});
        read = read && m[static_cast<size_t>(i)] != 0;
      }
      if (!read) continue;
      f.motif = m;
      f.bw = BwOf(locus, m);
      f.ligand = LigandOf(locus, m, f.bw);
    }
    return absl::OkStatus();
  };
  constexpr size_t kLocusFiles = sizeof(kLoci) / sizeof(kLoci[0]);
  std::array<absl::Status, kLocusFiles> status;
  {
    std::vector<std::thread> threads;
    for (size_t i = 1; i < kLocusFiles; ++i) {
      threads.emplace_back([&, i] { status[i] = read_locus(kLoci[i]); });
    }
    status[0] = read_locus(kLoci[0]);
    for (std::thread& th : threads) th.join();
  }
  for (const absl::Status& st : status) {
    if (!st.ok()) return st;
  }
  // Null alleles express no ligand. Expressed alleles whose record lacks
  // residues 76-83 take the ligand of their 2-field protein when every
  // read allele of it agrees (the same protein by the nomenclature).
  // HLA-B alleles without exon 1 take the leader of their 2-field protein
  // when every observed allele of it agrees, else of their allele group
  // when >= 95 % of its observed alleles agree (no 2-field name of 3.58.0
  // mixes leaders; the most mixed group, B*07, is 534 M to 4 T).
  struct Tally {
    BwEpitope bw = BwEpitope::kUnknown;
    KirLigand ligand = KirLigand::kUnknown;
    bool mixed = false;
    size_t m = 0, t = 0, other = 0;
  };
  absl::flat_hash_map<uint64_t, Tally> protein, group;
  for (AlleleId a = 0; a < t.facts_.size(); ++a) {
    const ProteinFacts& f = t.facts_[a];
    const Allele& al = ref.allele(a);
    if (f.ligand != KirLigand::kUnknown) {
      Tally& p = protein[FieldsKey(al, 2)];
      if (p.ligand == KirLigand::kUnknown) {
        p.ligand = f.ligand;
        p.bw = f.bw;
      } else if (p.ligand != f.ligand || p.bw != f.bw) {
        p.mixed = true;
      }
    }
    if (f.leader_basis == LeaderBasis::kObserved) {
      for (Tally* x : {&protein[FieldsKey(al, 2)], &group[FieldsKey(al, 1)]}) {
        (f.leader == Leader::kM ? x->m : f.leader == Leader::kT ? x->t : x->other)++;
      }
    }
  }
  for (AlleleId a = 0; a < t.facts_.size(); ++a) {
    ProteinFacts& f = t.facts_[a];
    const Allele& al = ref.allele(a);
    const absl::string_view locus = ref.loci()[al.locus].name;
    const bool abc = locus == "A" || locus == "B" || locus == "C";
    if (!abc) continue;
    if (al.is_null()) {
      f.bw = BwEpitope::kNull;
      f.ligand = KirLigand::kNull;
    } else if (f.ligand == KirLigand::kUnknown) {
      auto it = protein.find(FieldsKey(al, 2));
      if (it != protein.end() && !it->second.mixed &&
          it->second.ligand != KirLigand::kUnknown) {
        f.ligand = it->second.ligand;
        f.bw = it->second.bw;
        f.ligand_inferred = true;
      }
    }
    if (locus != "B" || f.leader_basis == LeaderBasis::kObserved) continue;
    auto p = protein.find(FieldsKey(al, 2));
    if (p != protein.end() && p->second.other == 0 &&
        (p->second.m == 0) != (p->second.t == 0)) {
      f.leader = p->second.m > 0 ? Leader::kM : Leader::kT;
      f.leader_basis = LeaderBasis::kSameProtein;
      continue;
    }
    auto g = group.find(FieldsKey(al, 1));
    if (g != group.end()) {
      const size_t n = g->second.m + g->second.t + g->second.other;
      if (n > 0 && g->second.m * 100 >= n * 95) {
        f.leader = Leader::kM;
        f.leader_basis = LeaderBasis::kAlleleGroup;
      } else if (n > 0 && g->second.t * 100 >= n * 95) {
        f.leader = Leader::kT;
        f.leader_basis = LeaderBasis::kAlleleGroup;
      }
    }
  }
  return t;
}

}  // namespace hla::data
