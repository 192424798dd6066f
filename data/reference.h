// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// One IPD-IMGT/HLA release, loaded from its text files into immutable indexes.
//
//   HLA_ASSIGN_OR_RETURN(std::string dir, hla::data::ResolveImgtDir("3.44.0"));
//   HLA_ASSIGN_OR_RETURN(auto ref, hla::data::Reference::Load({dir}));
//   std::optional<AlleleId> id = ref->FindAllele("A*01:01:01:01");
//   const hla::data::Group& g = ref->g_group(ref->allele(*id).g_group);
//
// What is indexed, and from which file (formats: data/internal/*.cc headers):
//   Allelelist.txt        the allele registry (name, accession, locus, fields)
//   Allele_status.txt     gDNA/cDNA and Full/Partial per allele (optional)
//   wmda/hla_nom_g.txt    G groups        wmda/hla_nom_p.txt   P groups
//   (derived)             small-g groups, truncated-name and XX indexes
//   wmda/rel_dna_ser.txt  allele -> serology; wmda/rel_ser_ser.txt broad/split/
//                         associated antigens; wmda/hla_nom.txt antigens, name
//                         history (dates, deletions, identical-to)
//   Deleted_alleles.txt   deletions and suffix changes (optional)
//   tce/dpb_tce.csv       DPB1 TCE groups (optional)
//
// Ordering: AlleleIds number the alleles sorted by (locus, fields numerically
// field by field, suffix), with loci in the order A, B, C, DRB1, DRB3, DRB4,
// DRB5, DQA1, DQB1, DPA1, DPB1 then every other locus alphabetically. So all
// alleles whose fields start with a given prefix (A*02:01 -> A*02:01:01:01 ...,
// A*02 -> the XX expansion) are one contiguous id range.
//
// Groups. A row of hla_nom_g/p whose group column is empty is an allele that
// shares its sequence with no other: it is given an *implicit* singleton
// group (Group::implicit, named after the allele itself, as py-ard's G
// reduction and Atlas do), so that every allele listed in the file has a
// group id and comparing group ids is always meaningful. An allele absent
// from the file altogether (null alleles in the P file; loci such as DPA2
// that have no groups) has kNone. Named groups come first in each table.
//
// Small-g groups ("lg", the ARD of an expressed protein): one per P group,
// holding its members plus every null allele whose G group contains one of
// them (the nulls that share its ARD nucleotide sequence, e.g. A*01:04:01:01N
// in A*01:01g). Named "<2-field P name>g" (A*01:01g) for a named P group; a
// single-protein group (from an implicit P group) is named by its 2-field
// name without 'g' (A*01:52), and a group of nulls sharing no ARD with any
// expressed allele by the 2-field name with its 'N' (A*04:94N) -- the
// convention of Atlas's small-g tables. py-ard always appends 'g' (its "lg");
// use Group::two_field_name + "g" for that.
//
// Thread safety: a Reference is immutable once Load returns, so any number of
// threads may read it concurrently without locking.
#ifndef HLA_DATA_REFERENCE_H_
#define HLA_DATA_REFERENCE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "hla/allele_name.h"
#include "hla/locus.h"

namespace hla::data {

class ProteinTable;  // protein.h

using AlleleId = uint32_t;   // index into Reference::alleles()
using GroupId = uint32_t;    // index into g_groups(), p_groups() or small_g_groups()
using AntigenId = uint32_t;  // index into Reference::antigens()
using LocusIndex = uint16_t; // index into Reference::loci()

// "No such group / antigen / record".
inline constexpr uint32_t kNone = 0xFFFFFFFFu;

enum class SequenceType : uint8_t { kUnknown, kGenomic, kCdna };
enum class SequenceCoverage : uint8_t { kUnknown, kFull, kPartial };

// One serology column of rel_dna_ser.txt for one allele.
struct SerologyList {
  absl::InlinedVector<AntigenId, 2> antigens;
  bool null = false;     // "0": not expressed
  bool unknown = false;  // "?": no serological equivalent known
  bool empty() const { return antigens.empty() && !null && !unknown; }
};

// rel_dna_ser.txt for one allele.
struct DnaSerology {
  SerologyList unambiguous;
  SerologyList possible;
  SerologyList assumed;
  SerologyList expert;  // expert-assigned exceptions (registries' search)
  SerologyList hats;    // 7th column, 2026 layout; empty before
};

struct Allele {
  absl::string_view name;       // "A*01:01:01:02N": IMGT spelling, no "HLA-"
  absl::string_view accession;  // "HLA02169"
  LocusIndex locus = 0;
  hla::Fields fields;
  char suffix = 0;  // 'N', 'L', 'S', 'C', 'A', 'Q' or 0
  GroupId g_group = kNone;
  GroupId p_group = kNone;  // kNone for null alleles (not in hla_nom_p.txt)
  GroupId small_g = kNone;
  uint32_t serology = kNone;  // index into serologies(); kNone: no row
  uint32_t tce = kNone;       // index into tce(); kNone: no assignment
  absl::string_view date_assigned;  // YYYYMMDD from hla_nom.txt, or empty
  SequenceType sequence_type = SequenceType::kUnknown;
  SequenceCoverage coverage = SequenceCoverage::kUnknown;
  bool confirmed = false;  // Allele_status "Confirmed"; false when unknown

  bool is_null() const { return suffix == 'N'; }
};

// What compiling a typing reads of each of its alleles (Allele's groups,
// serology record, suffix and protein), packed 24 bytes an allele: a typing
// such as A*02:XX is thousands of alleles, and walking them through Allele
// (two cache lines each) was most of compiling it.
struct AlleleGroups {
  GroupId p_group = kNone;
  GroupId g_group = kNone;
  GroupId small_g = kNone;
  uint32_t serology = kNone;  // Allele::serology
  // The allele's first two fields (its protein, "A*02:01" of A*02:01:01:02L)
  // numbered: equal for two alleles of a locus exactly when those fields
  // are; kNone for a name of one field.
  uint32_t protein = kNone;
  char suffix = 0;

  bool is_null() const { return suffix == 'N'; }
};

// One protein's alleles (AlleleGroups::protein: a locus and its first two
// fields, one contiguous id range) summarised, for reading a whole name
// (A*02:01 is hundreds of alleles, A*02:XX hundreds of proteins) at once:
// what a typing's match keys, G groups and serology gather from each
// allele, gathered once per protein. "Expressed" is without the 'N'
// suffix; the spans are ascending and unique.
struct ProteinAlleles {
  AlleleId begin = 0, end = 0;  // empty for a protein not contiguous
  absl::Span<const GroupId> p_groups;          // of the expressed alleles
  absl::Span<const AlleleId> without_p_group;  // expressed, in no P group
  absl::Span<const GroupId> g_groups;          // of the expressed alleles
  // rel_dna_ser antigens of the expressed alleles: unambiguous, possible,
  // assumed and expert columns.
  absl::Span<const AntigenId> antigens;
  absl::Span<const AlleleId> suffixed;  // every allele with a suffix, nulls too
  bool expressed = false;   // some allele is expressed
  bool unsuffixed = false;  // some allele has no suffix
};

struct LocusInfo {
  absl::string_view name;            // "A", "DRB1", "MICA"
  std::optional<hla::Locus> locus;   // set for the eleven matching loci
  AlleleId begin = 0, end = 0;       // its alleles: [begin, end)
};

struct Group {
  absl::string_view name;            // "A*01:01:01G", "A*01:01P", "A*01:01g"
  absl::string_view two_field_name;  // "A*01:01" (py-ard's lgx name)
  LocusIndex locus = 0;
  bool implicit = false;             // singleton / single-protein group
  absl::Span<const AlleleId> members;  // ascending ids
};

// A truncated name ("A*01", "A*01:01", "A*01:01:01"; no suffix) and the
// contiguous range of alleles it covers.
struct Truncation {
  absl::string_view name;
  LocusIndex locus = 0;
  uint8_t field_count = 0;
  AlleleId begin = 0, end = 0;
};

// A serological specificity: prefix + number ("A2", "Cw10", "DR52", "Bw4").
struct Antigen {
  absl::string_view name;    // "B39"
  absl::string_view prefix;  // "B"
  absl::string_view number;  // "39"
  AntigenId broad = kNone;   // for a split: its broad (B16 for B39)
  AntigenId associated_with = kNone;  // for an associated antigen: its parent
  std::vector<AntigenId> splits;      // for a broad
  std::vector<AntigenId> associated;  // antigens associated with this one
  bool recognised = false;  // listed (and not deleted) in hla_nom.txt
  absl::string_view date_assigned, date_deleted;
  // Alleles naming it in rel_dna_ser's unambiguous, possible or assumed
  // column (not the expert column), ascending.
  std::vector<AlleleId> alleles;
};

// A name that is no longer current: deleted, renamed, or given a new suffix.
struct NameHistory {
  absl::string_view name;          // as assigned: "A*0105N", "Cw*1616"
  absl::string_view accession;     // from Deleted_alleles.txt, or empty
  absl::string_view date_assigned; // YYYYMMDD (hla_nom.txt), or empty
  absl::string_view date_deleted;  // YYYYMMDD (hla_nom.txt), or empty
  absl::string_view identical_to;  // successor as the files name it
  absl::string_view reason;        // hla_nom.txt Reason ("Sequence renamed")
  absl::string_view description;   // Deleted_alleles.txt text, or empty
  bool suffix_change = false;
  // Current alleles the name maps to, following chains of renames; empty
  // when the release names no current successor.
  absl::InlinedVector<AlleleId, 1> current;
};

struct TceValue {
  absl::string_view group;      // "0", "1", "2", "2a", "3", or empty
  absl::string_view qualifier;  // "non-core" (V3), or empty
  bool inferred = false;        // '$' in the file
};

struct TceAssignment {
  AlleleId allele = kNone;
  absl::string_view allele_name;  // as in the file
  absl::string_view protein;      // "DPB1*01:01"
  TceValue v1, v2, v3;            // v3 empty before 2026
  absl::string_view comments;
};

struct LoadOptions {
  // A release directory laid out like IMGTHLA's (Allelelist.txt, wmda/, tce/).
  // See ResolveImgtDir() to turn "3.44.0" or "3440" into one.
  std::string imgt_dir;
  // Read the files on two threads (same result; faster on 2+ cores).
  bool parallel = true;
};

class Reference {
 public:
  // Loads every file of `options.imgt_dir`. Returns:
  //   NotFoundError naming the path and what it should hold, for a missing
  //     required file (Allelelist.txt, wmda/hla_nom.txt, wmda/hla_nom_g.txt,
  //     wmda/hla_nom_p.txt, wmda/rel_dna_ser.txt, wmda/rel_ser_ser.txt);
  //   DataLossError "path:line: why" for a malformed line, or for a group /
  //     serology row naming an allele that Allelelist.txt does not list;
  //   FailedPreconditionError when the files' `# version:` headers disagree.
  // Allele_status.txt, Deleted_alleles.txt and tce/dpb_tce.csv are optional.
  // The result is shared, read-only (see the class comment).
  static absl::StatusOr<std::shared_ptr<const Reference>> Load(
      const LoadOptions& options);

  // Immutable and holding megabytes of indexes and views into the file text:
  // copying would be costly and never needed, and moving would invalidate
  // the views, so a loaded release is only ever shared (shared_ptr<const>),
  // like RE2's compiled programs.
  Reference(const Reference&) = delete;
  Reference& operator=(const Reference&) = delete;
  ~Reference();

  const std::string& version() const { return version_; }  // "3.58.0"
  const std::string& date() const { return date_; }        // "2024-10-09"
  const std::string& directory() const { return directory_; }

  // ---- Alleles
  absl::Span<const Allele> alleles() const { return alleles_; }
  const Allele& allele(AlleleId id) const { return alleles_[id]; }
  // allele(id)'s groups, serology record and suffix, one packed entry per
  // allele (AlleleGroups).
  const AlleleGroups& groups(AlleleId id) const { return groups_[id]; }
  // A protein's alleles (AlleleGroups::protein, not kNone), summarised
  // (ProteinAlleles).
  const ProteinAlleles& protein_alleles(uint32_t protein) const {
    return protein_alleles_[protein];
  }
  // A serology record by its index (AlleleGroups::serology, not kNone).
  const DnaSerology& serology(uint32_t index) const { return serologies_[index]; }
  absl::Span<const LocusInfo> loci() const { return loci_; }
  const LocusInfo* FindLocus(absl::string_view name) const;
  const LocusInfo* FindLocus(hla::Locus locus) const;

  // Exact full name, as IMGT spells it ("A*01:01:01:02N"); "HLA-" optional.
  std::optional<AlleleId> FindAllele(absl::string_view name) const;
  // The same, ignoring an expression suffix on either side: "A*24:329" and
  // "A*24:329N" both find A*24:329Q (non-strict resolution).
  std::optional<AlleleId> FindAlleleIgnoringSuffix(absl::string_view name) const;

  // Alleles of `locus` whose fields start with `prefix` (FieldsHavePrefix:
  // field boundaries and zero-padding widths respected), as a contiguous id
  // span; empty if none. An empty prefix gives the whole locus.
  absl::Span<const AlleleId> AllelesWithPrefix(
      absl::string_view locus, absl::Span<const hla::Field> prefix) const;
  absl::Span<const AlleleId> Range(AlleleId begin, AlleleId end) const {
    return absl::MakeConstSpan(ids_).subspan(begin, end - begin);
  }

  // Truncated names of 1, 2 or 3 fields ("A*02" = XX index, "A*02:01",
  // "A*02:01:01") that at least one allele extends, in id order.
  absl::Span<const Truncation> truncations(int field_count) const;
  // Looks up "A*02:01" (1-3 fields, no suffix, "HLA-" optional).
  const Truncation* FindTruncation(absl::string_view name) const;

  // ---- Groups
  absl::Span<const Group> g_groups() const { return g_groups_; }
  absl::Span<const Group> p_groups() const { return p_groups_; }
  absl::Span<const Group> small_g_groups() const { return small_g_groups_; }
  const Group& g_group(GroupId id) const { return g_groups_[id]; }
  const Group& p_group(GroupId id) const { return p_groups_[id]; }
  const Group& small_g(GroupId id) const { return small_g_groups_[id]; }
  // How many groups the files name (the rest are implicit singletons).
  size_t named_g_groups() const { return named_g_; }
  size_t named_p_groups() const { return named_p_; }
  // By name: "A*01:01:01G", "A*01:01P", "A*01:01g" / "A*01:52"; an implicit
  // G or P group is found by its allele's name. "HLA-" optional.
  std::optional<GroupId> FindGGroup(absl::string_view name) const;
  std::optional<GroupId> FindPGroup(absl::string_view name) const;
  std::optional<GroupId> FindSmallG(absl::string_view name) const;

  // ---- Serology
  absl::Span<const Antigen> antigens() const { return antigens_; }
  const Antigen& antigen(AntigenId id) const { return antigens_[id]; }
  // "A2", "Cw10", "DR52", "DPw3", "Bw4" (prefix + number, case-sensitive).
  std::optional<AntigenId> FindAntigen(absl::string_view name) const;
  // rel_dna_ser.txt row of an allele, or nullptr if it has none.
  const DnaSerology* SerologyOf(AlleleId id) const;
  // The antigen a serological typing of the allele reports: the first
  // antigen of rel_dna_ser's unambiguous, then possible, then assumed
  // column that names alleles of the release (B*44:02 -> B44); kNone when
  // there is none (a null allele, no known equivalent). One rule for the
  // synthesiser, which writes it, and imputation, which reads a
  // serological typing as its likelihood.
  AntigenId PrimaryAntigen(AlleleId id) const;
  bool has_hats_column() const { return has_hats_; }

  // ---- History (hla_nom.txt deletions + Deleted_alleles.txt)
  absl::Span<const NameHistory> history() const { return history_; }
  // A withdrawn name as written ("A*0105N", "A*01:159"; "HLA-" optional).
  const NameHistory* FindHistory(absl::string_view name) const;

  // ---- DPB1 TCE
  bool has_tce() const { return has_tce_; }
  bool tce_has_v3() const { return tce_has_v3_; }
  absl::Span<const TceAssignment> tce() const { return tce_; }
  const TceAssignment* TceOf(AlleleId id) const;

  bool has_allele_status() const { return has_status_; }

  // ---- Protein facts (the HLA-B leader, KIR-ligand motifs: protein.h)
  // Read from fasta/{A,B,C}_prot.fasta on first use, once, whichever thread
  // asks first (about 0.1 s of CPU that a reduce or a rank from an index
  // never needs, so Load does not pay it). nullptr when the release ships
  // no protein files or they are malformed; proteins_status() says which.
  const ProteinTable* proteins() const;
  absl::Status proteins_status() const;

  // Facts the loader noticed but did not fail on (e.g. a TCE row for an
  // allele absent from the allele list), one sentence each.
  absl::Span<const std::string> warnings() const { return warnings_; }
  // Bytes of file text read, and an estimate of the memory held.
  size_t bytes_read() const { return bytes_read_; }
  size_t MemoryUsage() const;

 private:
  friend class ReferenceBuilder;
  Reference();

  std::string version_, date_, directory_;
  // Backing storage: views point into these file texts and the arena.
  std::vector<std::unique_ptr<std::string>> texts_;
  struct ArenaHolder;
  std::unique_ptr<ArenaHolder> arena_;

  std::vector<Allele> alleles_;
  std::vector<AlleleGroups> groups_;  // per allele, from alleles_
  std::vector<ProteinAlleles> protein_alleles_;  // by AlleleGroups::protein
  std::vector<uint32_t> protein_storage_;  // ProteinAlleles' spans
  std::vector<AlleleId> ids_;  // 0..n-1, for spans of id ranges
  std::vector<LocusInfo> loci_;
  absl::flat_hash_map<absl::string_view, AlleleId> by_name_;
  absl::flat_hash_map<absl::string_view, AlleleId> by_base_name_;
  absl::flat_hash_map<absl::string_view, LocusIndex> locus_by_name_;

  std::vector<Truncation> truncations_[3];
  absl::flat_hash_map<absl::string_view, const Truncation*> truncation_by_name_;

  std::vector<AlleleId> member_storage_;
  std::vector<Group> g_groups_, p_groups_, small_g_groups_;
  size_t named_g_ = 0, named_p_ = 0;
  absl::flat_hash_map<absl::string_view, GroupId> g_by_name_, p_by_name_,
      small_g_by_name_;

  std::vector<Antigen> antigens_;
  absl::flat_hash_map<absl::string_view, AntigenId> antigen_by_name_;
  std::vector<DnaSerology> serologies_;
  bool has_hats_ = false;

  std::vector<NameHistory> history_;
  absl::flat_hash_map<absl::string_view, uint32_t> history_by_name_;

  std::vector<TceAssignment> tce_;
  bool has_tce_ = false, tce_has_v3_ = false, has_status_ = false;

  std::vector<std::string> warnings_;
  size_t bytes_read_ = 0;

  struct LazyProteins;  // once_flag, status, table
  std::unique_ptr<LazyProteins> proteins_;
  const LazyProteins& LoadedProteins() const;
  // Fills protein_alleles_ and protein_storage_ (Load).
  void BuildProteinAlleles(size_t proteins);
};

// ---- Locating the data

// Where to look for shipped releases. FromEnvironment() reads
// HAPLOMATCH_DATA_DIR and HAPLOMATCH_IMGT and the compiled-in build-tree and
// install paths (CMake HLA_DATA_DIR_BUILD / HLA_DATA_DIR_INSTALL).
struct DataPaths {
  std::string env_data_dir;    // $HAPLOMATCH_DATA_DIR, or empty
  std::string env_imgt;        // $HAPLOMATCH_IMGT, or empty
  std::string build_data_dir;  // <source>/data
  std::string install_data_dir;
  static DataPaths FromEnvironment();
};

// The release every command uses when neither --imgt nor $HAPLOMATCH_IMGT
// says otherwise.
inline constexpr char kDefaultImgtVersion[] = "3.58.0";

// The data root: the first of env_data_dir, build_data_dir, install_data_dir
// that is a directory. NotFoundError lists what was tried.
absl::StatusOr<std::string> FindDataRoot(const DataPaths& paths);

// Maps an --imgt value to a release directory:
//   ""                 -> paths.env_imgt, else kDefaultImgtVersion;
//   "3.44.0" / "3440"  -> <data root>/imgt/3.44.0 (py-ard's 4-digit form too);
//   anything with '/' or naming an existing directory -> that directory.
// NotFoundError lists every path tried; InvalidArgumentError for a value that
// is neither a version nor a directory.
absl::StatusOr<std::string> ResolveImgtDir(absl::string_view selector,
                                           const DataPaths& paths);
// The same with DataPaths::FromEnvironment().
absl::StatusOr<std::string> ResolveImgtDir(absl::string_view selector);

// "3580" -> "3.58.0", "3.58.0" -> "3.58.0"; nullopt if neither form.
std::optional<std::string> NormalizeImgtVersion(absl::string_view v);

}  // namespace hla::data

#endif  // HLA_DATA_REFERENCE_H_
