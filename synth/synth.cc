// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The synthetic registry generator. The model and its sources are described
// in docs/synth.md; the defaults sit next to the code that uses them.
#include "synth/synth.h"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "eligibility/facts.h"
#include "registry/donor_file.h"
#include "data/reduce.h"
#include "hla/allele_name.h"

namespace hla::synth {
namespace {

// ---- Randomness: our own, so that every platform writes the same bytes.

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman & Vigna, 2018), seeded through SplitMix64 as its
// authors recommend.
class Rng {
 public:
  // One independent stream per (seed, kind, index).
  Rng(uint64_t seed, uint64_t kind, uint64_t index) {
    uint64_t sm = seed;
    uint64_t mix = SplitMix64(&sm) ^ (kind * 0xD1B54A32D192ED03ull);
    mix = SplitMix64(&mix) ^ index;
    for (uint64_t& s : s_) s = SplitMix64(&mix);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1) with 53 random bits (exact in IEEE double).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Bernoulli(double p) { return Uniform() < p; }
  // Uniform in [0, n), n < 2^32: the high 32 bits scaled (bias < 2^-32 n).
  uint32_t Below(uint32_t n) {
    return static_cast<uint32_t>(((Next() >> 32) * n) >> 32);
  }
  // Uniform in [lo, hi].
  int Range(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint32_t>(hi - lo + 1)));
  }
  // An index drawn with probability proportional to weights[i]. The target
  // is compared with running sums rather than reduced by subtraction: no
  // a*b+c appears, so a compiler contracting to fused multiply-add (GCC
  // does in C++ on FMA targets) cannot change a draw between platforms.
  template <typename Weights>
  size_t Categorical(const Weights& weights) {
    double sum = 0;
    for (double w : weights) sum += w;
    const double target = Uniform() * sum;
    double running = 0;
    size_t last = 0;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (weights[i] <= 0) continue;
      last = i;
      running += weights[i];
      if (target < running) return i;
    }
    return last;  // rounding at the top end
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Stream kinds.
constexpr uint64_t kStreamDonor = 1;
constexpr uint64_t kStreamFamily = 2;
constexpr uint64_t kStreamFamilyPartners = 3;
constexpr uint64_t kStreamFamilyHalfSiblings = 4;

// ---- Dates (Howard Hinnant's days_from_civil / civil_from_days).

void AppendPadded(uint64_t value, int width, std::string* out) {
  const std::string digits = absl::StrCat(value);
  if (static_cast<int>(digits.size()) < width) {
    out->append(static_cast<size_t>(width) - digits.size(), '0');
  }
  out->append(digits);
}

// A birth date at which a person is exactly `age` whole years old on
// `as_of`: the anniversary in as_of's year falls 0-364 days before as_of
// (a 29 February as-of date has its anniversary on 28 February in common
// years).
void AppendBirthDate(absl::CivilDay as_of, int age, Rng& rng, std::string* out) {
  const absl::CivilYear y(as_of.year() - age);
  const absl::CivilMonth month(y.year(), as_of.month());
  const int days_in_month = static_cast<int>(absl::CivilDay(month + 1) -
                                             absl::CivilDay(month));
  const absl::CivilDay anniversary(y.year(), as_of.month(),
                                   std::min(as_of.day(), days_in_month));
  const absl::CivilDay b = anniversary - rng.Range(0, 364);
  AppendPadded(static_cast<uint64_t>(b.year()), 4, out);
  out->push_back('-');
  AppendPadded(static_cast<uint64_t>(b.month()), 2, out);
  out->push_back('-');
  AppendPadded(static_cast<uint64_t>(b.day()), 2, out);
}

// ---- Blood group and CMV by population (AFA, API, EUR, HIS).

// ABO phenotype shares O, A, B, AB and the Rh(D)-negative share, US donors
// by race/ethnicity: American Red Cross / Stanford Blood Center tables
// ("Blood types in the U.S."), e.g. Caucasian O 45 A 40 B 11 AB 4, Rh- 18%.
struct BloodTable {
  double o, a, b, ab, rh_negative;
};
constexpr BloodTable kBlood[kPopulationCount] = {
    {0.51, 0.26, 0.19, 0.043, 0.073},   // AFA: African American
    {0.40, 0.275, 0.254, 0.071, 0.02},  // API: Asian
    {0.45, 0.40, 0.11, 0.04, 0.18},     // EUR: Caucasian
    {0.57, 0.31, 0.10, 0.022, 0.072},   // HIS: Latino
};

// CMV IgG seroprevalence, US, age-adjusted (NHANES III, Staras et al., Clin
// Infect Dis 2006;43:1143-1151): overall 50.4%, non-Hispanic white 51.2%,
// non-Hispanic black 75.8%, Mexican American 81.7%. No Asian estimate there:
// API uses the overall figure.
constexpr double kCmvPositive[kPopulationCount] = {0.758, 0.504, 0.512, 0.817};

// Allele frequencies O, A, B and d from the phenotype shares under
// Hardy-Weinberg (Bernstein's estimates), so that families can inherit ABO
// and Rh while unrelated donors keep the table's phenotype shares.
struct BloodAlleles {
  std::array<double, 3> abo;  // O, A, B
  double d;                   // Rh(D) negative allele
};
BloodAlleles AllelesOf(const BloodTable& t) {
  const double r = std::sqrt(t.o);
  const double p = 1 - std::sqrt(t.o + t.b);
  const double q = 1 - std::sqrt(t.o + t.a);
  const double sum = p + q + r;
  return {{r / sum, p / sum, q / sum}, std::sqrt(t.rh_negative)};
}

// ---- People

using HaplotypeAlleles = std::array<uint16_t, kHaplotypeLoci>;

struct Person {
  std::array<HaplotypeAlleles, 2> hap;  // paternal, maternal
  std::array<std::string, 2> label;     // "a", "c", "a/b:B-DRB1"
  bool recombinant = false;  // a crossover in the meioses that made them
  bool founder = false;
  int age = 0;
  char sex = 'U';
  std::array<uint8_t, 2> abo{};  // 0 O, 1 A, 2 B
  std::array<bool, 2> rh_d{};    // D allele present
  bool cmv = false;
};

}  // namespace

// ---- Per-allele typing tables

struct Synthesizer::Tables {
  struct AlleleForms {
    std::string full;      // full name of the representative allele
    std::string xx;        // "A*02:XX"
    std::string serology;  // "A2", or empty when none is known
    data::AlleleId order = 0;    // sort key in lists (first id of its range)
    // Other 2-field names for lists: same P group first; else same first
    // field. (first id, name), ascending.
    std::vector<std::pair<data::AlleleId, std::string>> p_partners, ff_partners;
    std::vector<std::string> macs;  // "A*02:AB", each containing the allele
  };
  std::vector<AlleleForms> forms;  // parallel to HaplotypeFrequencies::alleles
  std::array<BloodAlleles, kPopulationCount> blood;
};

namespace {

// "A*02:01:01:01" -> "A*02:01"; 2-field names keep their suffix.
std::string TwoField(absl::string_view full) {
  const size_t first = full.find(':');
  if (first == absl::string_view::npos) return std::string(full);
  return std::string(full.substr(0, full.find(':', first + 1)));
}

// The 2-field name written for an allele id, and the first id it covers, if
// the release reads it back (an exact allele or a 2-field prefix).
std::optional<std::pair<data::AlleleId, std::string>> TwoFieldEntry(
    const data::Reference& ref, data::AlleleId id) {
  std::string name = TwoField(ref.allele(id).name);
  if (ref.FindAllele(name)) return std::make_pair(*ref.FindAllele(name), name);
  if (const data::Truncation* t = ref.FindTruncation(name)) {
    return std::make_pair(t->begin, std::move(name));
  }
  return std::nullopt;
}

// At most this many partners per allele: the lowest-numbered 2-field names
// of a first field are the long-known, common ones.
constexpr size_t kMaxFirstFieldPartners = 40;
// At most this many MAC codes per allele (the first found, in table order).
constexpr size_t kMaxMacs = 24;

absl::Status CheckShare(absl::string_view what, double v) {
  if (!(v >= 0 && v <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be in [0, 1], not ", v));
  }
  return absl::OkStatus();
}

template <typename Weights>
absl::Status CheckWeights(absl::string_view what, const Weights& w) {
  double sum = 0;
  for (double x : w) {
    if (!(x >= 0) || !std::isfinite(x)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": weights must be finite and >= 0"));
    }
    sum += x;
  }
  if (sum <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": at least one weight must be > 0"));
  }
  return absl::OkStatus();
}

absl::Status CheckMix(absl::string_view what, const ResolutionMix& mix) {
  absl::Status s = CheckWeights(what, mix.weights);
  if (s.ok()) s = CheckShare("full_length_share", mix.full_length_share);
  if (s.ok()) s = CheckShare("missing_c", mix.missing_c);
  if (s.ok()) s = CheckShare("missing_dqb1", mix.missing_dqb1);
  return s;
}

}  // namespace

absl::string_view TypingKindName(TypingKind kind) {
  switch (kind) {
    case TypingKind::kHigh:
      return "high";
    case TypingKind::kMac:
      return "mac";
    case TypingKind::kAlleleList:
      return "list";
    case TypingKind::kXX:
      return "xx";
    case TypingKind::kSerology:
      return "serology";
  }
  return "?";
}

Synthesizer::~Synthesizer() = default;

absl::StatusOr<std::unique_ptr<const Synthesizer>> Synthesizer::Create(
    std::shared_ptr<const data::Reference> ref, std::shared_ptr<const data::MacTable> macs,
    std::shared_ptr<const HaplotypeFrequencies> freqs, SynthOptions options) {
  absl::Status s = CheckWeights("population mix", options.population_mix);
  if (s.ok()) s = CheckMix("donor resolution mix", options.donor_resolution);
  if (s.ok()) s = CheckMix("family resolution mix", options.family_resolution);
  if (s.ok()) s = CheckShare("female share", options.female_share);
  if (s.ok()) s = CheckShare("recombination rate", options.recombination_rate);
  if (s.ok()) s = CheckWeights("crossover weights", options.crossover_weights);
  if (s.ok()) s = CheckShare("non-paternity rate", options.nonpaternity_rate);
  if (s.ok()) s = CheckShare("parent-missing rate", options.parent_missing);
  if (s.ok()) s = CheckShare("other-partner rate", options.other_partner_rate);
  if (s.ok()) s = CheckShare("half-sibling rate", options.half_sibling_rate);
  if (!s.ok()) return s;
  if (options.delimiter != ',' && options.delimiter != '\t') {
    return absl::InvalidArgumentError("the delimiter must be ',' or a tab");
  }
  if (options.as_of.year() < 1900 || options.as_of.year() > 9999) {
    return absl::InvalidArgumentError("as-of date is not a date in 1900-9999");
  }
  if (freqs->release() != ref->version()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the haplotype table was bound to IPD-IMGT/HLA ",
                     freqs->release(), ", not ", ref->version()));
  }
  for (int p = 0; p < kPopulationCount; ++p) {
    if (options.population_mix[p] > 0 &&
        freqs->size(static_cast<Population>(p)) == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "population ", PopulationName(static_cast<Population>(p)),
          " has weight ", options.population_mix[p],
          " but the haplotype table has no rows for it"));
    }
  }

  auto tables = std::make_unique<Tables>();
  for (int p = 0; p < kPopulationCount; ++p) {
    tables->blood[p] = AllelesOf(kBlood[p]);
  }

  // MAC codes by the items they contain: generic "01" and allele-specific
  // "02:01", each with its parsed item list.
  struct Code {
    const data::MacCode* code;
    std::vector<absl::string_view> items;
  };
  std::vector<Code> codes;
  absl::flat_hash_map<std::string, std::vector<uint32_t>> generic_by_item,
      specific_by_item;
  if (macs != nullptr) {
    codes.reserve(macs->size());
    for (const data::MacCode& c : macs->codes()) {
      Code code{&c, c.Items()};
      // Ambiguities a lab reports for one donor are small: 2-4 alleles.
      if (code.items.size() < 2 || code.items.size() > 4) continue;
      const uint32_t index = static_cast<uint32_t>(codes.size());
      for (absl::string_view item : code.items) {
        (c.allele_specific ? specific_by_item
                           : generic_by_item)[std::string(item)]
            .push_back(index);
      }
      codes.push_back(std::move(code));
    }
  }

  const absl::Span<const HaplotypeAllele> alleles = freqs->alleles();
  tables->forms.resize(alleles.size());
  for (size_t i = 0; i < alleles.size(); ++i) {
    const HaplotypeAllele& ha = alleles[i];
    Tables::AlleleForms& f = tables->forms[i];
    const data::Allele& rep = ref->allele(ha.representative);
    f.full = std::string(rep.name);
    f.order = ha.begin;
    const absl::string_view locus = ref->loci()[rep.locus].name;
    // Field text as written in the name, to keep its zero padding.
    const absl::string_view name_view = ha.name;
    const size_t star = name_view.find('*');
    const size_t colon = name_view.find(':', star);
    const std::string ff(name_view.substr(star + 1, colon - star - 1));
    const std::string second_field = [&] {
      std::string s2(name_view.substr(colon + 1));
      while (!s2.empty() &&
             !absl::ascii_isdigit(static_cast<unsigned char>(s2.back()))) {
        s2.pop_back();
      }
      return s2;
    }();
    f.xx = absl::StrCat(locus, "*", ff, ":XX");

    // Serology: the antigen a serological typing reports
    // (data::Reference::PrimaryAntigen).
    if (const data::AntigenId id = ref->PrimaryAntigen(ha.representative);
        id != data::kNone) {
      f.serology = std::string(ref->antigen(id).name);
    }

    // Partners in the P group, then in the first field.
    absl::flat_hash_map<std::string, bool> seen;
    seen[ha.name] = true;
    seen[TwoField(rep.name)] = true;
    if (rep.p_group != data::kNone) {
      for (data::AlleleId m : ref->p_group(rep.p_group).members) {
        if (ref->allele(m).is_null()) continue;
        auto e = TwoFieldEntry(*ref, m);
        if (e && seen.emplace(e->second, true).second) {
          f.p_partners.push_back(std::move(*e));
        }
      }
    }
    const hla::Field first[] = {rep.fields[0]};
    for (data::AlleleId m : ref->AllelesWithPrefix(locus, first)) {
      if (f.ff_partners.size() >= kMaxFirstFieldPartners) break;
      if (ref->allele(m).is_null()) continue;
      auto e = TwoFieldEntry(*ref, m);
      if (e && seen.emplace(e->second, true).second) {
        f.ff_partners.push_back(std::move(*e));
      }
    }
    std::sort(f.p_partners.begin(), f.p_partners.end());
    std::sort(f.ff_partners.begin(), f.ff_partners.end());

    // MACs: codes whose expansion holds this allele and whose every item is
    // a name of the release with the same first field, as LookupMac names
    // them. Null alleles get none (labs report them by name).
    if (macs == nullptr || rep.is_null() || second_field.empty()) continue;
    auto consider = [&](const std::vector<uint32_t>* hits, bool specific) {
      if (hits == nullptr) return;
      for (uint32_t index : *hits) {
        if (f.macs.size() >= kMaxMacs) return;
        std::vector<std::string> names;
        bool ok = true;
        for (absl::string_view item : codes[index].items) {
          std::string n;
          if (specific) {
            if (!absl::StartsWith(item, absl::StrCat(ff, ":"))) {
              ok = false;
              break;
            }
            n = absl::StrCat(locus, "*", item);
          } else {
            n = absl::StrCat(locus, "*", ff, ":", item);
          }
          if (!ref->FindAllele(n) && !ref->FindTruncation(n)) {
            ok = false;
            break;
          }
          names.push_back(std::move(n));
        }
        if (!ok) continue;
        absl::StatusOr<std::string> mac =
            data::LookupMac(*ref, *macs, absl::StrJoin(names, "/"));
        if (mac.ok() &&
            std::find(f.macs.begin(), f.macs.end(), *mac) == f.macs.end()) {
          f.macs.push_back(*std::move(mac));
        }
      }
    };
    auto find = [](const auto& map,
                   const std::string& key) -> const std::vector<uint32_t>* {
      auto it = map.find(key);
      return it == map.end() ? nullptr : &it->second;
    };
    consider(find(generic_by_item, second_field), false);
    consider(find(specific_by_item, absl::StrCat(ff, ":", second_field)), true);
  }

  std::unique_ptr<Synthesizer> out(new Synthesizer());
  out->ref_ = std::move(ref);
  out->macs_ = std::move(macs);
  out->freqs_ = std::move(freqs);
  out->options_ = options;
  out->tables_ = std::move(tables);
  return std::unique_ptr<const Synthesizer>(std::move(out));
}

const std::vector<std::string>& Synthesizer::Columns() {
  // The donor-file reader's own names (registry/donor_file.h,
  // eligibility/facts.h), then the truth columns it ignores.
  using eligibility::DonorFact;
  using eligibility::DonorFactName;
  static const std::vector<std::string>* const kColumns =
      new std::vector<std::string>{
          std::string(DonorFactName(DonorFact::kId)),
          registry::kFamilyIdColumn,
          registry::kRoleColumn,
          registry::kOtherParentColumn,
          std::string(DonorFactName(DonorFact::kRelationship)),
          std::string(DonorFactName(DonorFact::kBirthDate)),
          std::string(DonorFactName(DonorFact::kSex)),
          std::string(DonorFactName(DonorFact::kAbo)),
          std::string(DonorFactName(DonorFact::kCmv)),
          "population",
          absl::StrCat(registry::kGlStringColumn),
          absl::StrCat(registry::kGlStringColumn, "_phased"),
          "truth_haplotypes",
          "truth_shared_with_patient",
          "truth_recombinant"};
  return *kColumns;
}

void Synthesizer::AppendHeader(std::string* out) const {
  const std::string sep(1, options_.delimiter);
  absl::StrAppend(out, absl::StrJoin(Columns(), sep), "\n");
}

namespace {

// Writes one person's typing and tallies it. The GL String lists the loci
// in WMDA order (A, B, C, DRB1, DQB1); the haplotype table holds them as
// A, C, B, DRB1, DQB1.
constexpr int kGlSlotOrder[kHaplotypeLoci] = {0, 2, 1, 3, 4};
constexpr int kSlotC = 1, kSlotDqb1 = 4;

class TypingWriter {
 public:
  TypingWriter(const HaplotypeFrequencies& freqs,
               const Synthesizer::Tables& tables)
      : freqs_(freqs), tables_(tables) {}

  void AppendGenotype(const Person& p, const ResolutionMix& mix, Rng& rng,
                      std::string* out, SynthStats* stats) const {
    const TypingKind kind =
        static_cast<TypingKind>(rng.Categorical(mix.weights));
    if (stats) ++stats->persons_by_kind[static_cast<int>(kind)];
    const bool serology = kind == TypingKind::kSerology;
    // Serology-era records carry A, B and DR only.
    const bool has_c = !serology && !rng.Bernoulli(mix.missing_c);
    const bool has_dqb1 = !serology && !rng.Bernoulli(mix.missing_dqb1);
    bool first_locus = true;
    for (int slot : kGlSlotOrder) {
      if (slot == kSlotC && !has_c) continue;
      if (slot == kSlotDqb1 && !has_dqb1) continue;
      if (!first_locus) out->push_back('^');
      first_locus = false;
      AppendOne(p.hap[0][slot], kind, mix, rng, out, stats);
      out->push_back('+');
      AppendOne(p.hap[1][slot], kind, mix, rng, out, stats);
    }
  }

  // "A~C~B~DRB1~DQB1+A~C~B~DRB1~DQB1", the true 2-field names.
  void AppendPhased(const Person& p, std::string* out) const {
    for (int h = 0; h < 2; ++h) {
      if (h == 1) out->push_back('+');
      for (int slot = 0; slot < kHaplotypeLoci; ++slot) {
        if (slot > 0) out->push_back('~');
        out->append(freqs_.allele(p.hap[h][slot]).name);
      }
    }
  }

 private:
  void AppendOne(uint16_t allele, TypingKind kind, const ResolutionMix& mix,
                 Rng& rng, std::string* out, SynthStats* stats) const {
    const HaplotypeAllele& a = freqs_.allele(allele);
    const Synthesizer::Tables::AlleleForms& f = tables_.forms[allele];
    TypingKind written = kind;
    switch (kind) {
      case TypingKind::kHigh:
        out->append(rng.Bernoulli(mix.full_length_share) ? f.full : a.name);
        break;
      case TypingKind::kMac:
        if (!f.macs.empty()) {
          out->append(f.macs[rng.Below(static_cast<uint32_t>(f.macs.size()))]);
          break;
        }
        if (stats) ++stats->mac_fallbacks;
        written = AppendList(a, f, rng, out);
        break;
      case TypingKind::kAlleleList:
        written = AppendList(a, f, rng, out);
        break;
      case TypingKind::kXX:
        out->append(f.xx);
        break;
      case TypingKind::kSerology:
        if (!f.serology.empty()) {
          out->append(f.serology);
        } else {  // a null allele, or no serological equivalent
          out->append(a.name);
          written = TypingKind::kHigh;
        }
        break;
    }
    if (stats) ++stats->typings_by_kind[static_cast<int>(written)];
  }

  // The allele and 1-3 partners, field-numerically ordered.
  TypingKind AppendList(const HaplotypeAllele& a,
                        const Synthesizer::Tables::AlleleForms& f, Rng& rng,
                        std::string* out) const {
    const auto& pool = f.p_partners.empty() ? f.ff_partners : f.p_partners;
    if (pool.empty()) {
      out->append(a.name);
      return TypingKind::kHigh;
    }
    const size_t want = std::min<size_t>(pool.size(), 1 + rng.Below(3));
    std::array<size_t, 3> picked{};
    size_t n = 0;
    // Distinct picks: a partial Fisher-Yates on indexes, without storage,
    // by rejection (pool sizes are >= want, and want <= 3).
    while (n < want) {
      const size_t i = rng.Below(static_cast<uint32_t>(pool.size()));
      if (std::find(picked.begin(), picked.begin() + n, i) ==
          picked.begin() + n) {
        picked[n++] = i;
      }
    }
    std::array<std::pair<data::AlleleId, absl::string_view>, 4> items;
    items[0] = {f.order, a.name};
    for (size_t k = 0; k < n; ++k) {
      items[k + 1] = {pool[picked[k]].first, pool[picked[k]].second};
    }
    // Insertion sort of at most 4 items (std::sort here trips GCC 12's
    // -Warray-bounds under the sanitizers, a false positive).
    for (size_t k = 1; k <= n; ++k) {
      for (size_t j = k; j > 0 && items[j] < items[j - 1]; --j) {
        std::swap(items[j], items[j - 1]);
      }
    }
    for (size_t k = 0; k <= n; ++k) {
      if (k > 0) out->push_back('/');
      out->append(items[k].second.data(), items[k].second.size());
    }
    return TypingKind::kAlleleList;
  }

  const HaplotypeFrequencies& freqs_;
  const Synthesizer::Tables& tables_;
};

Population DrawPopulation(const SynthOptions& o, Rng& rng) {
  return static_cast<Population>(rng.Categorical(o.population_mix));
}

void DrawFounder(const HaplotypeFrequencies& freqs, const BloodAlleles& blood,
                 Population pop, Rng& rng, absl::string_view l0,
                 absl::string_view l1, Person* p) {
  for (int h = 0; h < 2; ++h) {
    p->hap[h] = freqs.haplotype(freqs.Sample(pop, rng.Uniform())).alleles;
    p->abo[h] = static_cast<uint8_t>(rng.Categorical(blood.abo));
    p->rh_d[h] = !rng.Bernoulli(blood.d);
  }
  p->label = {std::string(l0), std::string(l1)};
  p->founder = true;
}

// One meiosis of `parent`: the transmitted haplotype, its label, and
// whether it recombined. Labels of recombinants read "a/b:B-DRB1": a from A
// up to and including B, b from DRB1 on (the file's order A~C~B~DRB1~DQB1);
// a recombinant parent label is parenthesised: "(a/b:B-DRB1)/c:A-C".
void Meiosis(const Person& parent, const SynthOptions& o, Rng& rng,
             HaplotypeAlleles* hap, std::string* label, bool* recombined,
             uint8_t* abo, bool* rh_d) {
  const int s = static_cast<int>(rng.Below(2));
  *abo = parent.abo[rng.Below(2)];
  *rh_d = parent.rh_d[rng.Below(2)];
  *recombined = rng.Bernoulli(o.recombination_rate);
  if (!*recombined) {
    *hap = parent.hap[s];
    *label = parent.label[s];
    return;
  }
  const int k = static_cast<int>(rng.Categorical(o.crossover_weights));
  for (int slot = 0; slot < kHaplotypeLoci; ++slot) {
    (*hap)[slot] = parent.hap[slot <= k ? s : 1 - s][slot];
  }
  auto wrap = [](const std::string& l) {
    return l.find('/') == std::string::npos ? l : absl::StrCat("(", l, ")");
  };
  *label = absl::StrCat(wrap(parent.label[s]), "/", wrap(parent.label[1 - s]),
                        ":", hla::LocusName(kHaplotypeLocusOrder[k]), "-",
                        hla::LocusName(kHaplotypeLocusOrder[k + 1]));
}

void Conceive(const Person& father, const Person& mother, const SynthOptions& o,
              Rng& rng, Person* child, SynthStats* stats) {
  bool r0 = false, r1 = false;
  Meiosis(father, o, rng, &child->hap[0], &child->label[0], &r0, &child->abo[0],
          &child->rh_d[0]);
  Meiosis(mother, o, rng, &child->hap[1], &child->label[1], &r1, &child->abo[1],
          &child->rh_d[1]);
  child->recombinant = r0 || r1;
  child->founder = false;
  if (stats) stats->recombinant_meioses += r0 + r1;
}

// Haplotypes the relative shares with the patient, identical by descent
// over all five loci: the multiset intersection of their labels.
int SharedWithPatient(const Person& patient, const Person& relative) {
  std::array<bool, 2> used{};
  int shared = 0;
  for (const std::string& l : relative.label) {
    for (int i = 0; i < 2; ++i) {
      if (!used[i] && patient.label[i] == l) {
        used[i] = true;
        ++shared;
        break;
      }
    }
  }
  return shared;
}

}  // namespace

// ---- Rows

namespace {

struct RowContext {
  const SynthOptions& o;
  const HaplotypeFrequencies& freqs;
  const Synthesizer::Tables& tables;
  const TypingWriter& writer;
};

// Appends one row. `family_id` empty for unrelated donors; `patient` null
// for them too (no truth columns).
void AppendRow(const RowContext& c, absl::string_view id,
               absl::string_view family_id, absl::string_view role,
               absl::string_view other_parent,
               absl::string_view relationship, Population pop, const Person& p,
               const Person* patient, const ResolutionMix& mix, Rng& rng,
               std::string* out, SynthStats* stats) {
  const char sep = c.o.delimiter;
  absl::StrAppend(out, id, std::string(1, sep), family_id);
  out->push_back(sep);
  absl::StrAppend(out, role);
  out->push_back(sep);
  absl::StrAppend(out, other_parent);
  out->push_back(sep);
  absl::StrAppend(out, relationship);
  out->push_back(sep);
  AppendBirthDate(c.o.as_of, p.age, rng, out);
  out->push_back(sep);
  out->push_back(p.sex);
  out->push_back(sep);
  const bool has_a = p.abo[0] == 1 || p.abo[1] == 1;
  const bool has_b = p.abo[0] == 2 || p.abo[1] == 2;
  absl::StrAppend(out,
                  has_a && has_b ? "AB"
                  : has_a        ? "A"
                  : has_b        ? "B"
                                 : "O",
                  p.rh_d[0] || p.rh_d[1] ? "+" : "-");
  out->push_back(sep);
  absl::StrAppend(out, p.cmv ? "pos" : "neg");
  out->push_back(sep);
  absl::StrAppend(out, PopulationName(pop));
  out->push_back(sep);
  c.writer.AppendGenotype(p, mix, rng, out, stats);
  out->push_back(sep);
  if (patient != nullptr) {
    c.writer.AppendPhased(p, out);
    out->push_back(sep);
    absl::StrAppend(out, p.label[0], "|", p.label[1]);
    out->push_back(sep);
    if (&p != patient) absl::StrAppend(out, SharedWithPatient(*patient, p));
    out->push_back(sep);
    absl::StrAppend(out, p.recombinant ? "yes" : "no");
  } else {
    out->append(3, sep);
  }
  out->push_back('\n');
  if (stats) {
    ++stats->rows;
    if (patient != nullptr) {
      ++stats->family_members;
    } else {
      ++stats->donors;
    }
  }
}

}  // namespace

void Synthesizer::AppendDonor(uint64_t index, std::string* out,
                              SynthStats* stats) const {
  Rng rng(options_.seed, kStreamDonor, index);
  const Population pop = DrawPopulation(options_, rng);
  Person p;
  DrawFounder(*freqs_, tables_->blood[static_cast<int>(pop)], pop, rng, "", "",
              &p);
  // Registry donors: 18-60 years (WMDA: registration from 18, release from
  // the registry at 60/61 in most registries).
  p.age = rng.Range(18, 60);
  p.sex = rng.Bernoulli(options_.female_share) ? 'F' : 'M';
  p.cmv = rng.Bernoulli(kCmvPositive[static_cast<int>(pop)]);
  std::string id = "D";
  AppendPadded(index + 1, 9, &id);
  TypingWriter writer(*freqs_, *tables_);
  RowContext c{options_, *freqs_, *tables_, writer};
  AppendRow(c, id, "", "unrelated", "", "unrelated", pop, p, nullptr,
            options_.donor_resolution, rng, out, stats);
}

const char* Synthesizer::TruthHeader() {
  return "id,population,haplotype_1,haplotype_2\n";
}

void Synthesizer::AppendDonorTruth(uint64_t index, std::string* out) const {
  // The draws of AppendDonor, in its order, up to the haplotypes.
  Rng rng(options_.seed, kStreamDonor, index);
  const Population pop = DrawPopulation(options_, rng);
  Person p;
  DrawFounder(*freqs_, tables_->blood[static_cast<int>(pop)], pop, rng, "", "",
              &p);
  std::string id = "D";
  AppendPadded(index + 1, 9, &id);
  absl::StrAppend(out, id, ",", PopulationName(pop));
  for (int h = 0; h < 2; ++h) {
    out->push_back(',');
    for (int slot = 0; slot < kHaplotypeLoci; ++slot) {
      if (slot > 0) out->push_back('~');
      out->append(freqs_->allele(p.hap[h][slot]).name);
    }
  }
  out->push_back('\n');
}

absl::Status Synthesizer::WriteDonorTruth(std::ostream* out) const {
  std::string buf = TruthHeader();
  for (uint64_t i = 0; i < options_.donors; ++i) {
    AppendDonorTruth(i, &buf);
    if (buf.size() >= (1u << 20)) {
      out->write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
      if (!*out) break;
    }
  }
  out->write(buf.data(), static_cast<std::streamsize>(buf.size()));
  out->flush();
  if (!*out) return absl::DataLossError("cannot write the truth file");
  return absl::OkStatus();
}

void Synthesizer::AppendFamily(uint64_t index, std::string* out,
                               SynthStats* stats) const {
  const SynthOptions& o = options_;
  Rng rng(o.seed, kStreamFamily, index);
  const Population pop = DrawPopulation(o, rng);
  const BloodAlleles& blood = tables_->blood[static_cast<int>(pop)];
  const double cmv = kCmvPositive[static_cast<int>(pop)];
  auto sex = [&] { return rng.Bernoulli(o.female_share) ? 'F' : 'M'; };

  Person father, mother, patient;
  DrawFounder(*freqs_, blood, pop, rng, "a", "b", &father);
  DrawFounder(*freqs_, blood, pop, rng, "c", "d", &mother);
  // Ages (assumptions, docs/synth.md): patients 1-70 (the trial takes
  // adults and children alike up to 70); fathers 20-45 and mothers 18-40
  // years older than the patient; siblings within 15 years of the patient,
  // born after the mother turned 16; children born when the patient was
  // 20-38, only for patients of 38 or more.
  patient.age = rng.Range(1, 70);
  father.age = patient.age + rng.Range(20, 45);
  mother.age = patient.age + rng.Range(18, 40);
  father.sex = 'M';
  mother.sex = 'F';
  const bool father_written =
      father.age <= 90 && !rng.Bernoulli(o.parent_missing);
  const bool mother_written =
      mother.age <= 90 && !rng.Bernoulli(o.parent_missing);
  // Non-paternity of the patient makes the written father a "parent" who
  // is no parent: the inconsistency a matcher must report, not score.
  if (rng.Bernoulli(o.nonpaternity_rate)) {
    Person other;
    DrawFounder(*freqs_, blood, pop, rng, "x0", "y0", &other);
    Conceive(other, mother, o, rng, &patient, stats);
    if (stats) ++stats->nonpaternal;
  } else {
    Conceive(father, mother, o, rng, &patient, stats);
  }
  patient.sex = sex();

  std::string family_id = "F";
  AppendPadded(index + 1, 7, &family_id);
  TypingWriter writer(*freqs_, *tables_);
  RowContext c{o, *freqs_, *tables_, writer};
  auto row = [&](absl::string_view suffix, absl::string_view role,
                 absl::string_view relationship, Person& p,
                 absl::string_view other_parent = "") {
    p.cmv = rng.Bernoulli(cmv);
    AppendRow(c, absl::StrCat(family_id, "-", suffix), family_id, role,
              other_parent, relationship, pop, p, &patient,
              o.family_resolution, rng, out, stats);
  };
  if (father_written) row("F", "father", "parent", father);
  if (mother_written) row("M", "mother", "parent", mother);
  row("P", "patient", "", patient);

  // Siblings: 1-4 (weights 40/30/20/10 %, an assumption; a family enters a
  // haplo search with at least one sibling to type).
  static constexpr std::array<double, 4> kSiblings = {0.40, 0.30, 0.20, 0.10};
  const int siblings = 1 + static_cast<int>(rng.Categorical(kSiblings));
  for (int s = 1; s <= siblings; ++s) {
    Person sib;
    const bool nonpaternal = rng.Bernoulli(o.nonpaternity_rate);
    if (nonpaternal) {
      Person other;
      DrawFounder(*freqs_, blood, pop, rng, absl::StrCat("x", s),
                  absl::StrCat("y", s), &other);
      Conceive(other, mother, o, rng, &sib, stats);
      if (stats) ++stats->nonpaternal;
    } else {
      Conceive(father, mother, o, rng, &sib, stats);
    }
    sib.age = std::max(
        0, std::min(patient.age + rng.Range(-15, 15), mother.age - 16));
    sib.sex = sex();
    row(absl::StrCat("S", s), "sibling", "sibling", sib);
  }

  // Children of the patient with partners outside the file (e|f; with
  // other_partner_rate, later children may have another: g|h, i|j, ...).
  // The other-partner draws come from a stream of their own, so that the
  // rest of the family is the same whatever the rate.
  static constexpr std::array<double, 3> kChildren = {0.4, 0.4, 0.2};
  if (patient.age >= 38 && rng.Bernoulli(0.5)) {
    std::vector<Person> partners(1);
    DrawFounder(*freqs_, blood, pop, rng, "e", "f", &partners[0]);
    Rng extra(o.seed, kStreamFamilyPartners, index);
    size_t current = 0;
    const int children = 1 + static_cast<int>(rng.Categorical(kChildren));
    for (int k = 1; k <= children; ++k) {
      if (k > 1 && o.other_partner_rate > 0 &&
          extra.Bernoulli(o.other_partner_rate)) {
        const char first = static_cast<char>('e' + 2 * partners.size());
        partners.emplace_back();
        DrawFounder(*freqs_, blood, pop, extra, std::string(1, first),
                    std::string(1, static_cast<char>(first + 1)),
                    &partners.back());
        current = partners.size() - 1;
        if (stats) ++stats->other_partners;
      }
      Person child;
      const bool patient_is_father = patient.sex == 'M';
      const Person& partner = partners[current];
      Conceive(patient_is_father ? patient : partner,
               patient_is_father ? partner : patient, o, rng, &child, stats);
      child.age = patient.age - rng.Range(20, 38);
      if (child.age < 0) child.age = 0;
      child.sex = sex();
      row(absl::StrCat("C", k), "child", "child", child,
          absl::StrCat(family_id, "-Q", current + 1));
    }
  }

  // Half-siblings: the mother's or the father's children with another
  // partner (u|v), every draw from a stream of their own, rows last.
  Rng half(o.seed, kStreamFamilyHalfSiblings, index);
  if (o.half_sibling_rate > 0 && half.Bernoulli(o.half_sibling_rate)) {
    const bool maternal = half.Bernoulli(0.5);
    const Person& shared = maternal ? mother : father;
    Person other;
    DrawFounder(*freqs_, blood, pop, half, "u", "v", &other);
    const int n = half.Bernoulli(0.5) ? 2 : 1;
    for (int k = 1; k <= n; ++k) {
      Person h;
      Conceive(maternal ? other : father, maternal ? mother : other, o, half,
               &h, stats);
      h.age = std::max(
          0, std::min(patient.age + half.Range(-15, 15), shared.age - 16));
      h.sex = half.Bernoulli(o.female_share) ? 'F' : 'M';
      h.cmv = half.Bernoulli(cmv);
      AppendRow(c, absl::StrCat(family_id, "-H", k), family_id,
                maternal ? "maternal_half_sibling" : "paternal_half_sibling",
                "", "half_sibling", pop, h, &patient, o.family_resolution,
                half, out, stats);
      if (stats) ++stats->half_siblings;
    }
  }
  if (stats) ++stats->families;
}

absl::Status Synthesizer::Write(
    std::ostream* out, SynthStats* stats,
    const std::function<void(uint64_t, uint64_t)>& progress) const {
  constexpr size_t kFlushBytes = size_t{1} << 20;
  constexpr uint64_t kProgressEvery = uint64_t{1} << 16;
  SynthStats local;
  SynthStats* st = stats != nullptr ? stats : &local;
  const uint64_t expected = options_.donors + 5 * options_.families;
  std::string buf;
  buf.reserve(kFlushBytes + 4096);
  uint64_t next_progress = kProgressEvery;
  auto flush = [&](bool force) -> absl::Status {
    if (progress && st->rows >= next_progress) {
      progress(st->rows, std::max(expected, st->rows));
      next_progress = st->rows + kProgressEvery;
    }
    if (buf.size() < kFlushBytes && !force) return absl::OkStatus();
    out->write(buf.data(), static_cast<std::streamsize>(buf.size()));
    st->bytes += buf.size();
    buf.clear();
    if (!*out) return absl::DataLossError("writing the output failed");
    return absl::OkStatus();
  };
  AppendHeader(&buf);
  for (uint64_t f = 0; f < options_.families; ++f) {
    AppendFamily(f, &buf, st);
    if (absl::Status s = flush(false); !s.ok()) return s;
  }
  for (uint64_t d = 0; d < options_.donors; ++d) {
    AppendDonor(d, &buf, st);
    if (absl::Status s = flush(false); !s.ok()) return s;
  }
  if (absl::Status s = flush(true); !s.ok()) return s;
  out->flush();
  if (!*out) return absl::DataLossError("writing the output failed");
  if (progress) progress(st->rows, st->rows);
  return absl::OkStatus();
}

}  // namespace hla::synth
