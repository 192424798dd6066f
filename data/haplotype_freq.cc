// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// NMDP_2007_FiveLocus_Freqs.csv (ImmunogeneticDataTools' "std" layout of the
// NMDP 2007 US table; data/SOURCES.md §4):
//
//   EUR,HLA-A*01:01g~HLA-C*01:02~HLA-B*15:01g~HLA-DRB1*01:01~HLA-DQB1*05:01,6.0E-5,1699.0
//   POP,HAPLOTYPE,FREQ,RANK
//
// - No header line, no comments; comma-separated, exactly 4 fields.
// - POP: AFA (2012 rows), API (1629), EUR (3380) or HIS (1821). Rows of the
//   populations are interleaved; each population sums to about 1 (0.996 to
//   1.004: the published table is rounded).
// - HAPLOTYPE: five '~'-separated alleles in the order A, C, B, DRB1, DQB1,
//   each "HLA-" + a 2-field WHO name, sometimes with an expression suffix
//   (HLA-A*01:16N) and sometimes with a lowercase 'g' marking an NMDP-2007
//   allele group named after its lead allele (HLA-A*01:01g).
// - FREQ: Java's Double.toString notation ("1.2E-4", "0.0123"); RANK: a
//   float ("1812.0"), the row's rank in its population (not used).
// - LF line endings; the last line ends with a newline (both tolerated
//   otherwise); blank lines are skipped.
#include "data/haplotype_freq.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "data/internal/text.h"
#include "hla/allele_name.h"

namespace hla::data {
namespace {

using data_internal::LineCursor;
using data_internal::LineError;

constexpr uint16_t kUnmapped = 0xFFFF;

// "A*02:01:01:01" -> "A*02:01"; a name of 2 fields keeps its suffix
// ("A*01:16N").
std::string TwoFieldName(absl::string_view full) {
  const size_t star = full.find('*');
  if (star == absl::string_view::npos) return std::string(full);
  const size_t first = full.find(':', star);
  if (first == absl::string_view::npos) return std::string(full);
  const size_t second = full.find(':', first + 1);
  return std::string(full.substr(0, second));
}

// Steps 1-2 of the mapping (header comment of Parse): fills the range and
// representative of `out` and returns true when `name` is an allele or a
// 2-field prefix of the release.
bool Bind(const data::Reference& ref, absl::string_view name, HaplotypeAllele* out) {
  if (std::optional<data::AlleleId> id = ref.FindAllele(name)) {
    out->begin = *id;
    out->end = *id + 1;
    out->representative = *id;
    return true;
  }
  const data::Truncation* t = ref.FindTruncation(name);
  if (t == nullptr || t->field_count != 2 || t->begin == t->end) return false;
  out->begin = t->begin;
  out->end = t->end;
  out->representative = t->begin;
  for (data::AlleleId id = t->begin; id < t->end; ++id) {
    if (!ref.allele(id).is_null()) {
      out->representative = id;
      break;
    }
  }
  return true;
}

}  // namespace

absl::string_view PopulationName(Population population) {
  switch (population) {
    case Population::kAfa:
      return "AFA";
    case Population::kApi:
      return "API";
    case Population::kEur:
      return "EUR";
    case Population::kHis:
      return "HIS";
  }
  return "?";
}

std::optional<Population> ParsePopulation(absl::string_view name) {
  for (int p = 0; p < kPopulationCount; ++p) {
    if (name == PopulationName(static_cast<Population>(p))) {
      return static_cast<Population>(p);
    }
  }
  return std::nullopt;
}

absl::StatusOr<std::shared_ptr<const HaplotypeFrequencies>>
HaplotypeFrequencies::Load(const std::string& path, const data::Reference& ref) {
  absl::StatusOr<std::string> text = data_internal::ReadFile(
      path, "a five-locus haplotype frequency table (NMDP 2007 layout)");
  if (!text.ok()) return text.status();
  return Parse(*text, path, ref);
}

absl::StatusOr<std::shared_ptr<const HaplotypeFrequencies>>
HaplotypeFrequencies::Parse(absl::string_view text, absl::string_view file,
                            const data::Reference& ref) {
  std::shared_ptr<HaplotypeFrequencies> t(new HaplotypeFrequencies());
  t->release_ = ref.version();
  // Slot + file spelling ("0A*01:01g") -> index into alleles_, or
  // kUnmapped.
  absl::flat_hash_map<std::string, uint16_t> by_file_name;
  LineCursor cursor(text);
  absl::string_view line;
  size_t rows = 0;
  while (cursor.Next(&line)) {
    const int n = cursor.line_number();
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    ++rows;
    std::vector<absl::string_view> cols = absl::StrSplit(line, ',');
    if (cols.size() != 4) {
      return LineError(file, n,
                       absl::StrCat("expected 4 comma-separated fields "
                                    "POP,HAPLOTYPE,FREQ,RANK, found ",
                                    cols.size()));
    }
    std::optional<Population> pop = ParsePopulation(cols[0]);
    if (!pop) {
      return LineError(file, n,
                       absl::StrCat("unknown population '", cols[0],
                                    "' (expected AFA, API, EUR or HIS)"));
    }
    double freq = 0;
    if (!absl::SimpleAtod(cols[2], &freq) || !std::isfinite(freq) ||
        freq <= 0) {
      return LineError(
          file, n,
          absl::StrCat("frequency '", cols[2], "' is not a positive number"));
    }
    double rank = 0;
    if (!absl::SimpleAtod(cols[3], &rank) || !std::isfinite(rank)) {
      return LineError(file, n,
                       absl::StrCat("rank '", cols[3], "' is not a number"));
    }
    std::vector<absl::string_view> names = absl::StrSplit(cols[1], '~');
    if (names.size() != kHaplotypeLoci) {
      return LineError(
          file, n,
          absl::StrCat("haplotype '", cols[1], "' has ", names.size(),
                       " alleles; expected 5 (A~C~B~DRB1~DQB1)"));
    }
    Haplotype h;
    h.frequency = freq;
    h.population = *pop;
    h.line = n;
    bool keep = true;
    for (int slot = 0; slot < kHaplotypeLoci; ++slot) {
      absl::string_view written = names[slot];
      absl::ConsumePrefix(&written, "HLA-");
      // Keyed by slot too, so that a name in the wrong column is checked.
      std::string key = absl::StrCat(slot, written);
      auto it = by_file_name.find(key);
      if (it != by_file_name.end()) {
        h.alleles[slot] = it->second;
        keep = keep && it->second != kUnmapped;
        continue;
      }
      absl::string_view bare = written;
      absl::ConsumeSuffix(&bare, "g");
      absl::StatusOr<AlleleName> parsed = ParseWhoName(bare);
      const absl::string_view expected_locus =
          hla::LocusName(kHaplotypeLocusOrder[slot]);
      if (!parsed.ok() || parsed->fields.size() != 2) {
        return LineError(
            file, n,
            absl::StrCat("'", names[slot], "' is not a 2-field allele name"));
      }
      if (parsed->locus != expected_locus) {
        return LineError(
            file, n,
            absl::StrCat("'", names[slot], "' is allele ", slot + 1,
                         " of the haplotype, which must be of locus ",
                         expected_locus, " (order A~C~B~DRB1~DQB1)"));
      }
      HaplotypeAllele a;
      a.file_name = std::string(written);
      a.slot = slot;
      a.name = std::string(bare);
      bool bound = Bind(ref, a.name, &a);
      if (!bound) {
        // Step 3: a withdrawn name with a current successor.
        const data::NameHistory* hist = ref.FindHistory(a.name);
        if (hist != nullptr && !hist->current.empty()) {
          std::string successor =
              TwoFieldName(ref.allele(hist->current.front()).name);
          if (Bind(ref, successor, &a)) {
            t->renamed_.push_back(absl::StrCat(a.name, " -> ", successor));
            a.name = std::move(successor);
            a.renamed = true;
            bound = true;
          }
        }
      }
      uint16_t index = kUnmapped;
      if (bound) {
        if (t->alleles_.size() >= kUnmapped) {
          return LineError(file, n, "more than 65534 distinct alleles");
        }
        index = static_cast<uint16_t>(t->alleles_.size());
        t->alleles_.push_back(std::move(a));
      } else {
        t->unmapped_.push_back(a.name);
      }
      by_file_name.emplace(std::move(key), index);
      h.alleles[slot] = index;
      keep = keep && bound;
    }
    if (!keep) {
      ++t->dropped_rows_;
      continue;
    }
    const uint32_t index = static_cast<uint32_t>(t->haplotypes_.size());
    PopulationTable& table = t->tables_[static_cast<int>(*pop)];
    const double before =
        table.cumulative.empty() ? 0.0 : table.cumulative.back();
    table.haplotypes.push_back(index);
    table.cumulative.push_back(before + freq);
    t->haplotypes_.push_back(h);
  }
  if (t->haplotypes_.empty()) {
    return absl::DataLossError(
        absl::StrCat(file, ": no haplotype rows",
                     rows > 0 ? " whose alleles are all in the release" : "",
                     " (release ", ref.version(), ")"));
  }
  return std::shared_ptr<const HaplotypeFrequencies>(std::move(t));
}

size_t HaplotypeFrequencies::size(Population population) const {
  return tables_[static_cast<int>(population)].haplotypes.size();
}

double HaplotypeFrequencies::total(Population population) const {
  const PopulationTable& t = tables_[static_cast<int>(population)];
  return t.cumulative.empty() ? 0.0 : t.cumulative.back();
}

uint32_t HaplotypeFrequencies::Sample(Population population, double u) const {
  const PopulationTable& t = tables_[static_cast<int>(population)];
  u = std::min(std::max(u, 0.0), 1.0);
  const double target = u * t.cumulative.back();
  // The first interval whose upper end exceeds the target.
  size_t i = static_cast<size_t>(
      std::upper_bound(t.cumulative.begin(), t.cumulative.end(), target) -
      t.cumulative.begin());
  if (i >= t.haplotypes.size()) i = t.haplotypes.size() - 1;
  return t.haplotypes[i];
}

}  // namespace hla::data
