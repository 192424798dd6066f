// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Five-locus HLA haplotype frequencies (the NMDP 2007 US table), bound to one
// IPD-IMGT/HLA release and ready for O(log n) sampling per population.
//
//   HLA_ASSIGN_OR_RETURN(auto freqs,
//                        hla::data::HaplotypeFrequencies::Load(path, *ref));
//   uint32_t h = freqs->Sample(hla::data::Population::kEur, u);  // u in [0,1)
//   for (uint16_t a : freqs->haplotype(h).alleles) freqs->allele(a).name ...
//
// The file (data/SOURCES.md §4): freq/nmdp-2007/NMDP_2007_FiveLocus_Freqs.csv,
// Maiers, Gragert & Klitz, Hum Immunol 2007;68:779-788. Format is in
// haplotype_freq.cc. Each haplotype's alleles are mapped to names of the
// loaded release; how, and what happens to names the release lacks, is
// documented at HaplotypeFrequencies::Parse.
//
// Thread safety: immutable after Load; share freely.
#ifndef HLA_DATA_HAPLOTYPE_FREQ_H_
#define HLA_DATA_HAPLOTYPE_FREQ_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "data/reference.h"
#include "hla/locus.h"

namespace hla::data {

// The four populations of the NMDP 2007 table (its POP column).
enum class Population : uint8_t {
  kAfa,  // African American
  kApi,  // Asian / Pacific Islander
  kEur,  // European (Caucasian)
  kHis,  // Hispanic
};
inline constexpr int kPopulationCount = 4;
// "AFA", "API", "EUR", "HIS".
absl::string_view PopulationName(Population population);
// Exact, upper case, as in the file; nullopt otherwise.
std::optional<Population> ParsePopulation(absl::string_view name);

// The loci of a haplotype, in the file's order (A~C~B~DRB1~DQB1).
inline constexpr int kHaplotypeLoci = 5;
inline constexpr std::array<hla::Locus, kHaplotypeLoci> kHaplotypeLocusOrder = {
    hla::Locus::kA, hla::Locus::kC, hla::Locus::kB, hla::Locus::kDRB1,
    hla::Locus::kDQB1};

// One distinct allele of the table, mapped to the release.
struct HaplotypeAllele {
  // The current 2-field WHO name it stands for in the release, no "HLA-":
  // "A*01:01", "A*01:16N", "C*15:27" (the file's C*15:20, renamed).
  std::string name;
  std::string file_name;  // as in the file, without "HLA-": "A*01:01g"
  int slot = 0;           // 0..4: position in kHaplotypeLocusOrder
  // The release's alleles `name` covers: [begin, end) (one for an exact
  // allele name such as A*01:16N).
  data::AlleleId begin = data::kNone, end = data::kNone;
  // The first expressed allele of that range (the first one when all are
  // null): the allele the synthesiser writes at full length and whose P
  // group and serology it uses.
  data::AlleleId representative = data::kNone;
  bool renamed = false;  // mapped through the release's name history
};

struct Haplotype {
  std::array<uint16_t, kHaplotypeLoci> alleles;  // indexes into alleles()
  double frequency = 0;
  Population population = Population::kEur;
  int line = 0;  // 1-based line in the file
};

class HaplotypeFrequencies {
 public:
  // The shipped table, relative to the data root (FindDataRoot).
  static constexpr char kShippedRelativePath[] =
      "freq/nmdp-2007/NMDP_2007_FiveLocus_Freqs.csv";

  // Reads `path` and binds it to `ref` (see Parse). NotFoundError names the
  // path; otherwise the errors of Parse.
  static absl::StatusOr<std::shared_ptr<const HaplotypeFrequencies>> Load(
      const std::string& path, const data::Reference& ref);

  // Parses the table text; `file` names it in errors. Every row must be
  // well formed, else DataLossError "file:line: why" (wrong number of
  // fields, unknown population, a haplotype that is not A~C~B~DRB1~DQB1, a
  // malformed allele name, a frequency that is not a positive finite
  // number, a rank that is not a number). DataLossError also when no row
  // survives the mapping below.
  //
  // Mapping each allele to the release (the choice, and why): "HLA-" and the
  // NMDP-2007 group mark 'g' are dropped, leaving a 2-field name. The table's
  // 'g' groups are named after their 2-field lead allele, and that lead is
  // the allele a registry search would report, so the 2-field name is what
  // the table means. Then, in order:
  //   1. an exact allele of the release (A*01:16N)       -> that allele;
  //   2. a 2-field prefix of alleles of the release       -> those alleles;
  //   3. a name the release withdrew with a successor     -> the successor's
  //      2-field name, tried as in 1-2 (C*15:20 -> C*15:27 in 3.58.0),
  //      counted in renamed_names();
  //   4. otherwise the name is recorded in unmapped_names() and every row
  //      using it is dropped (counted in dropped_rows()). Dropping, rather
  //      than substituting a neighbour, keeps the table free of haplotypes
  //      nobody observed; the sampler renormalises over the rows kept, so
  //      the result is still deterministic.
  static absl::StatusOr<std::shared_ptr<const HaplotypeFrequencies>> Parse(
      absl::string_view text, absl::string_view file, const data::Reference& ref);

  HaplotypeFrequencies(const HaplotypeFrequencies&) = delete;
  HaplotypeFrequencies& operator=(const HaplotypeFrequencies&) = delete;

  absl::Span<const HaplotypeAllele> alleles() const { return alleles_; }
  const HaplotypeAllele& allele(uint16_t index) const {
    return alleles_[index];
  }
  absl::Span<const Haplotype> haplotypes() const { return haplotypes_; }
  const Haplotype& haplotype(uint32_t index) const {
    return haplotypes_[index];
  }

  // Rows kept for `population`, and the sum of their frequencies (about 1).
  size_t size(Population population) const;
  double total(Population population) const;

  // The haplotype whose cumulative-frequency interval holds u * total(pop):
  // a draw from the population's distribution for u uniform in [0, 1).
  // O(log n). REQUIRES: size(population) > 0; u outside [0, 1) is clamped.
  uint32_t Sample(Population population, double u) const;

  // The mapping report (see Parse): "C*15:20 -> C*15:27" per renamed name,
  // and the names dropped.
  absl::Span<const std::string> renamed_names() const { return renamed_; }
  absl::Span<const std::string> unmapped_names() const { return unmapped_; }
  size_t dropped_rows() const { return dropped_rows_; }
  const std::string& release() const { return release_; }

 private:
  HaplotypeFrequencies() = default;

  struct PopulationTable {
    std::vector<uint32_t> haplotypes;  // indexes into haplotypes_
    std::vector<double> cumulative;    // running sums, file order
  };

  std::string release_;
  std::vector<HaplotypeAllele> alleles_;
  std::vector<Haplotype> haplotypes_;
  std::array<PopulationTable, kPopulationCount> tables_;
  std::vector<std::string> renamed_, unmapped_;
  size_t dropped_rows_ = 0;
};

}  // namespace hla::data

#endif  // HLA_DATA_HAPLOTYPE_FREQ_H_
