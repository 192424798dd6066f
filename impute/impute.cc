// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// impute/impute.h: the posterior over the table's haplotype pairs and the
// match probabilities of a pair of posteriors.
#include "impute/impute.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_format.h"

namespace hla::impute {

namespace {

constexpr int kL = data::kHaplotypeLoci;
// kLoci index -> the table's slot (its file order A~C~B~DRB1~DQB1).
constexpr int kSlotOf[kL] = {0, 2, 1, 3, 4};

// Pairs visited by one imputation, at most (about 0.2 s on one core): a
// typing so vague that more would be needed (a person typed at one or two
// loci) is refused rather than imputed slowly, so that a request to the
// service cannot buy seconds of CPU with one vague donor.
constexpr uint64_t kMaxPairVisits = 20000000;

// Does the typing of one copy admit a table allele? When one of its alleles
// shares the table allele's match key (its P group; a null allele's
// small-g): the 2-field name is an ARD protein, and A*02:1013 (in the
// A*02:01 P group) is the table's A*02:01 as far as matching can tell.
bool Admits(const matcher::PositionTyping& p, uint32_t key) {
  return std::binary_search(p.match_keys().begin(), p.match_keys().end(), key);
}

// A copy that names no allele (A*NEW, a placeholder) says nothing about
// which table allele it is.
bool Unnamed(const matcher::PositionTyping& p) { return p.alleles.empty(); }

}  // namespace

absl::StatusOr<std::unique_ptr<const Imputer>> Imputer::Create(
    std::shared_ptr<const data::Reference> reference,
    std::shared_ptr<const data::HaplotypeFrequencies> freqs) {
  if (reference == nullptr || freqs == nullptr) {
    return absl::InvalidArgumentError("Imputer::Create: a null argument");
  }
  if (freqs->release() != reference->version()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the haplotype frequencies were bound to IPD-IMGT/HLA ", freqs->release(),
        ", not the loaded ", reference->version()));
  }
  std::unique_ptr<Imputer> m(new Imputer());
  m->ref_ = std::move(reference);
  m->freqs_ = std::move(freqs);
  const data::HaplotypeFrequencies& f = *m->freqs_;
  m->allele_key_.resize(f.alleles().size());
  m->primary_antigen_.resize(f.alleles().size());
  for (size_t i = 0; i < f.alleles().size(); ++i) {
    const data::HaplotypeAllele& a = f.alleles()[i];
    const data::Allele& rep = m->ref_->allele(a.representative);
    m->primary_antigen_[i] = m->ref_->PrimaryAntigen(a.representative);
    // The matcher's allele match: the P group, a null allele's small-g.
    m->allele_key_[i] = rep.is_null() || rep.p_group == data::kNone
                            ? (rep.small_g | matcher::kNullKeyBit)
                            : rep.p_group;
    m->allele_locus_.push_back(kL);  // no imputed locus
    for (int l = 0; l < kL; ++l) {
      if (kSlotOf[l] == a.slot) {
        m->allele_locus_.back() = static_cast<uint8_t>(l);
        m->locus_alleles_[l].push_back(static_cast<uint16_t>(i));
        m->table_alleles_of_key_[l][m->allele_key_[i]].push_back(
            static_cast<uint16_t>(i));
      }
    }
  }
  // One entry per distinct haplotype, with its frequency in each population.
  absl::flat_hash_map<uint64_t, uint32_t> index;
  for (const data::Haplotype& h : f.haplotypes()) {
    TableHaplotype t;
    uint64_t key = 0;
    for (int l = 0; l < kL; ++l) {
      t.allele[l] = h.alleles[kSlotOf[l]];
      key = key << 12 | t.allele[l];
    }
    auto [it, inserted] =
        index.emplace(key, static_cast<uint32_t>(m->haplotypes_.size()));
    if (inserted) m->haplotypes_.push_back(t);
    m->haplotypes_[it->second].frequency[static_cast<int>(h.population)] +=
        h.frequency;
  }
  for (const TableHaplotype& t : m->haplotypes_) {
    HaplotypeAlleles a;
    a.allele = t.allele;
    for (int p = 0; p < data::kPopulationCount; ++p) {
      if (t.frequency[p] > 0) a.populations |= static_cast<uint8_t>(1u << p);
    }
    m->haplotype_alleles_.push_back(a);
  }
  m->haplotype_words_ = (m->haplotypes_.size() + 63) / 64;
  m->allele_haplotype_bits_.assign(f.alleles().size() * m->haplotype_words_, 0);
  for (uint32_t h = 0; h < m->haplotypes_.size(); ++h) {
    for (int l = 0; l < kL; ++l) {
      m->allele_haplotype_bits_[m->haplotypes_[h].allele[l] * m->haplotype_words_ + h / 64] |=
          uint64_t{1} << (h % 64);
    }
  }
  m->haplotypes_of_allele_.resize(f.alleles().size());
  for (uint32_t h = 0; h < m->haplotypes_.size(); ++h) {
    for (int l = 0; l < kL; ++l) {
      m->haplotypes_of_allele_[m->haplotypes_[h].allele[l]].push_back(h);
    }
  }
  // Population frequencies as shares of their population's total, so that
  // each population's distribution sums to 1 over the rows kept.
  std::array<double, data::kPopulationCount> total{};
  for (const TableHaplotype& t : m->haplotypes_) {
    for (int p = 0; p < data::kPopulationCount; ++p) total[p] += t.frequency[p];
  }
  for (TableHaplotype& t : m->haplotypes_) {
    for (int p = 0; p < data::kPopulationCount; ++p) {
      if (total[p] > 0) t.frequency[p] /= total[p];
    }
  }
  // FNV-1a over what the haplotype numbers mean.
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](const void* data, size_t size) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    for (size_t k = 0; k < size; ++k) {
      h ^= p[k];
      h *= 1099511628211ull;
    }
  };
  const uint64_t count = m->haplotypes_.size();
  mix(&count, sizeof(count));
  for (const TableHaplotype& t : m->haplotypes_) {
    for (int l = 0; l < kL; ++l) {
      const uint32_t key = m->allele_key_[t.allele[l]];
      mix(&key, sizeof(key));
      const std::string& name = f.allele(t.allele[l]).name;
      mix(name.data(), name.size());
    }
    for (double x : t.frequency) mix(&x, sizeof(x));
  }
  m->fingerprint_ = h;
  return std::unique_ptr<const Imputer>(std::move(m));
}

absl::StatusOr<std::unique_ptr<const Imputer>> Imputer::LoadShipped(
    std::shared_ptr<const data::Reference> reference) {
  absl::StatusOr<std::string> root =
      data::FindDataRoot(data::DataPaths::FromEnvironment());
  if (!root.ok()) return root.status();
  absl::StatusOr<std::shared_ptr<const data::HaplotypeFrequencies>> freqs =
      data::HaplotypeFrequencies::Load(
          absl::StrCat(*root, "/", data::HaplotypeFrequencies::kShippedRelativePath),
          *reference);
  if (!freqs.ok()) return freqs.status();
  return Create(std::move(reference), *std::move(freqs));
}

std::string Imputer::HaplotypeName(uint32_t h) const {
  std::vector<std::string> names;
  for (int l = 0; l < kL; ++l) {
    names.push_back(freqs_->allele(haplotypes_[h].allele[l]).name);
  }
  return absl::StrJoin(names, "~");
}

absl::StatusOr<Imputation> Imputer::Impute(const matcher::Genotype& genotype,
                                           const ImputeOptions& o) const {
  std::vector<std::vector<uint16_t>> sets;
  return Impute(Admitted(genotype, &sets), o);
}

AdmittedTyping Imputer::Admitted(const matcher::Genotype& genotype,
                                 std::vector<std::vector<uint16_t>>* sets) const {
  // A genotype written as two '~' haplotypes: a pair must carry haplotype
  // 0's alleles on one haplotype and haplotype 1's on the other, at every
  // locus together (the phase is known, not imputed).
  AdmittedTyping typing;
  typing.phased = genotype.phased;
  for (int l = 0; l < kL; ++l) {
    const matcher::LocusTyping& lt = genotype.at(kLoci[l]);
    if (lt.typed_positions > 0 && (!lt.phased || !lt.alternatives.empty())) {
      typing.phased = false;
    }
  }
  // The spans view each set's own buffer, which stays put when `sets`
  // grows (a vector moves its elements' buffers, never copies them).
  sets->clear();
  for (int l = 0; l < kL; ++l) {
    const matcher::LocusTyping& lt = genotype.at(kLoci[l]);
    if (lt.typed_positions == 0) continue;
    std::vector<const std::array<matcher::PositionTyping, 2>*> alts = {&lt.pos};
    for (const auto& a : lt.alternatives) alts.push_back(&a);
    for (const auto* alt : alts) {
      // Phased: copy 1 is the copy of haplotype 0, at every locus alike.
      const int first = typing.phased && (*alt)[0].haplotype == 1 ? 1 : 0;
      sets->push_back(AdmittedAlleles(l, (*alt)[first]));
      sets->push_back(AdmittedAlleles(l, (*alt)[1 - first]));
      typing.loci[l].push_back({absl::MakeConstSpan((*sets)[sets->size() - 2]),
                                absl::MakeConstSpan(sets->back())});
    }
  }
  return typing;
}

namespace {

// Unphased, a locus's two copies are one unordered pair, and the result is
// the same whichever copy is written first, but not to the last bit: the
// pairs are summed in an order that follows the copies'. So each pair is
// imputed with its sets in one order (the lesser first, lexicographically),
// and "A*01:01+A*02:01" and "A*02:01+A*01:01" give the same bits (a
// registry then imputes a typing once, whichever way its donors wrote it:
// registry::ImputeDonors). Phased, the order is the phase: kept.
AdmittedTyping Ordered(AdmittedTyping typing) {
  if (typing.phased) return typing;
  for (auto& alternatives : typing.loci) {
    for (AdmittedTyping::Copies& copies : alternatives) {
      if (std::lexicographical_compare(copies[1].begin(), copies[1].end(), copies[0].begin(),
                                       copies[0].end())) {
        std::swap(copies[0], copies[1]);
      }
    }
  }
  return typing;
}

}  // namespace

absl::StatusOr<Imputation> Imputer::Impute(const AdmittedTyping& typing,
                                           const ImputeOptions& o) const {
  for (int l = 0; l < kL; ++l) {
    if (typing.phased && typing.loci[l].size() > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a phased typing has alternatives at ", LocusName(kLoci[l])));
    }
    for (const AdmittedTyping::Copies& alt : typing.loci[l]) {
      for (absl::Span<const uint16_t> set : alt) {
        for (size_t k = 0; k < set.size(); ++k) {
          if (set[k] >= allele_locus_.size() || allele_locus_[set[k]] != l ||
              (k > 0 && set[k] <= set[k - 1])) {
            return absl::InvalidArgumentError(absl::StrCat(
                "an admitted set at ", LocusName(kLoci[l]),
                " is not ascending table alleles of that locus"));
          }
        }
      }
    }
  }
  std::array<double, data::kPopulationCount> w{};
  if (o.population) {
    w[static_cast<int>(*o.population)] = 1;
  } else {
    double sum = 0;
    for (int p = 0; p < data::kPopulationCount; ++p) {
      if (!(o.mix[p] >= 0) || !std::isfinite(o.mix[p])) {
        return absl::InvalidArgumentError("population weights must be >= 0");
      }
      sum += o.mix[p];
    }
    if (!(sum > 0)) {
      return absl::InvalidArgumentError("population weights are all zero");
    }
    for (int p = 0; p < data::kPopulationCount; ++p) w[p] = o.mix[p] / sum;
  }
  if (!(o.keep_mass > 0 && o.keep_mass <= 1)) {
    return absl::InvalidArgumentError("keep_mass must be in (0, 1]");
  }
  if (o.max_pairs == 0 || o.max_pairs > 1000000) {
    return absl::InvalidArgumentError("max_pairs must be in 1..1000000");
  }

  // The typing as written; when no pair of the table explains it, the
  // rule for a haplotype the table does not list: each typed locus in turn
  // is imputed as untyped, and the one that explains the most probability
  // is kept (marked outside the table; Probability then takes that locus
  // from the typings). Still nothing: not explained.
  const AdmittedTyping ordered = Ordered(typing);
  absl::StatusOr<Imputation> first = ImputeWith(ordered, w, o, -1);
  if (!first.ok() || first->explained) return first;
  std::optional<Imputation> best;
  double best_total = 0;
  for (int l = 0; l < data::kHaplotypeLoci; ++l) {
    if (!first->typed[l] || first->outside_table[l]) continue;
    absl::StatusOr<Imputation> relaxed = ImputeWith(ordered, w, o, l);
    if (!relaxed.ok()) continue;  // too vague with that locus open
    if (relaxed->explained && relaxed->total > best_total) {
      best_total = relaxed->total;
      best = *std::move(relaxed);
    }
  }
  if (best) return *std::move(best);
  return first;
}

std::vector<uint16_t> Imputer::AdmittedAlleles(int l, const matcher::PositionTyping& c) const {
  std::vector<uint16_t> out;
  // A serological typing: the table alleles whose reported antigen
  // (data::Reference::PrimaryAntigen) is the one written, or for a broad
  // one of its splits (or an antigen associated with it): a lab reports one
  // antigen for an allele, so the likelihood of "B44" is 1 for the alleles
  // typed B44 and 0 for the others that merely carry it among several.
  // When that admits none, the alleles carrying the antigen, as matching
  // reads it.
  if (!c.antigens.empty()) {
    std::vector<data::AntigenId> reported;
    for (data::AntigenId t : c.antigens) {
      const data::Antigen& ag = ref_->antigen(t);
      reported.push_back(t);
      reported.insert(reported.end(), ag.splits.begin(), ag.splits.end());
      reported.insert(reported.end(), ag.associated.begin(), ag.associated.end());
    }
    for (uint16_t a : locus_alleles_[l]) {
      const data::AntigenId pa = primary_antigen_[a];
      if (pa != data::kNone &&
          std::find(reported.begin(), reported.end(), pa) != reported.end()) {
        out.push_back(a);
      }
    }
  }
  if (out.empty()) {
    // From the copy's match keys when it has fewer than the locus has
    // table alleles (a high-resolution copy: a few lookups), else by a
    // search per table allele (XX, serology).
    if (Unnamed(c) || c.match_keys().size() > locus_alleles_[l].size()) {
      for (uint16_t a : locus_alleles_[l]) {
        if (Unnamed(c) || Admits(c, allele_key_[a])) out.push_back(a);
      }
    } else {
      for (uint32_t key : c.match_keys()) {
        auto it = table_alleles_of_key_[l].find(key);
        if (it == table_alleles_of_key_[l].end()) continue;
        out.insert(out.end(), it->second.begin(), it->second.end());
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// Haplotype bit-set words: out = b0 | b1 (`first`), else out &= b0 | b1;
// and acc |= b. Built for AVX2 as well where the compiler and loader can
// pick a version by the CPU (GCC's target_clones, an ifunc): twice the
// words an instruction of the plain x86-64 build.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__ELF__)
#define HLA_IMPUTE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define HLA_IMPUTE_CLONES
#endif
HLA_IMPUTE_CLONES
void CombineBits(const uint64_t* b0, const uint64_t* b1, uint64_t* out, size_t words,
                 bool first) {
  if (first) {
    for (size_t k = 0; k < words; ++k) out[k] = b0[k] | b1[k];
  } else {
    for (size_t k = 0; k < words; ++k) out[k] &= b0[k] | b1[k];
  }
}
HLA_IMPUTE_CLONES
void OrBits(const uint64_t* b, uint64_t* acc, size_t words) {
  for (size_t k = 0; k < words; ++k) acc[k] |= b[k];
}

// One thread's working space for ImputeWith, reused call after call: an
// index imputes millions of typings, and allocating a dozen buffers for
// each was a fifth of the time (the buffers are cleared, never shrunk; a
// few kilobytes with the shipped table).
struct ImputeScratch {
  std::vector<uint8_t> any;
  // Per locus, the first alts[l] rows used.
  std::array<std::vector<std::vector<uint8_t>>, kL> flags;
  std::array<size_t, kL> alts{};
  std::array<std::vector<uint16_t>, kL> admitted;
  std::vector<uint32_t> candidates;
  std::vector<uint64_t> order;
  std::vector<uint64_t> bits, locus_bits;
  std::vector<std::pair<uint32_t, absl::Span<const uint32_t>>> blist;
  std::vector<HaplotypePair> kept;
};

ImputeScratch& Scratch() {
  thread_local ImputeScratch scratch;
  return scratch;
}

// Gives back, when a call leaves, a buffer a rare typing grew past a
// megabyte (a vague typing with a large max_pairs keeps millions of
// pairs), so that no thread of a long-lived service holds it for life.
class TrimScratchOnExit {
 public:
  explicit TrimScratchOnExit(ImputeScratch* s) : s_(s) {}
  TrimScratchOnExit(const TrimScratchOnExit&) = delete;
  TrimScratchOnExit& operator=(const TrimScratchOnExit&) = delete;
  ~TrimScratchOnExit() {
    Trim(&s_->kept);
    Trim(&s_->candidates);
    Trim(&s_->order);
    Trim(&s_->blist);
  }

 private:
  template <typename T>
  static void Trim(std::vector<T>* v) {
    if (v->capacity() * sizeof(T) > (size_t{1} << 20)) std::vector<T>().swap(*v);
  }
  ImputeScratch* s_;
};

}  // namespace

absl::StatusOr<Imputation> Imputer::ImputeWith(
    const AdmittedTyping& typing,
    const std::array<double, data::kPopulationCount>& w,
    const ImputeOptions& o, int open_locus) const {
  Imputation out;
  ImputeScratch& s = Scratch();
  const TrimScratchOnExit trim(&s);
  const size_t n_alleles = freqs_->alleles().size();
  // flags[l][alt][table allele] (s.flags, the first s.alts[l] rows): bit 0
  // admitted by copy 1 of alternative alt, bit 1 by copy 2. An untyped or
  // outside-the-table locus has no alternatives: it admits every allele.
  auto& flags = s.flags;
  auto& alts_of = s.alts;
  // any[a]: some alternative, some copy admits table allele a at its locus
  // (every allele of a locus with no alternatives; a table allele belongs
  // to one locus); admitted[l], those alleles (ascending) when the locus
  // has alternatives.
  s.any.assign(n_alleles, 0);
  uint8_t* const any = s.any.data();
  auto admit_locus = [&](int l) {
    for (uint16_t a : locus_alleles_[l]) any[a] = 1;
  };
  auto& admitted = s.admitted;
  const bool phased = typing.phased;
  for (int l = 0; l < kL; ++l) {
    alts_of[l] = 0;
    admitted[l].clear();
    const auto& alts = typing.loci[l];
    out.typed[l] = !alts.empty();
    if (l == open_locus) {
      out.outside_table[l] = true;
      out.ambiguous = true;
      admit_locus(l);
      continue;
    }
    if (!out.typed[l]) {
      out.ambiguous = true;
      admit_locus(l);
      continue;
    }
    if (alts.size() > 1) out.ambiguous = true;
    for (const AdmittedTyping::Copies& alt : alts) {
      // An empty set: this alternative is outside the table.
      if (alt[0].empty() || alt[1].empty()) continue;
      // More than one table allele for a copy: the imputation decides.
      if (alt[0].size() > 1 || alt[1].size() > 1) out.ambiguous = true;
      if (flags[l].size() == alts_of[l]) flags[l].emplace_back();
      std::vector<uint8_t>& f = flags[l][alts_of[l]++];
      f.assign(n_alleles, 0);
      for (uint16_t a : alt[0]) f[a] |= 1;
      for (uint16_t a : alt[1]) f[a] |= 2;
      for (absl::Span<const uint16_t> set : alt) {
        for (uint16_t a : set) {
          if (!any[a]) admitted[l].push_back(a);
          any[a] = 1;
        }
      }
    }
    std::sort(admitted[l].begin(), admitted[l].end());
    if (alts_of[l] == 0) {
      out.outside_table[l] = true;
      out.ambiguous = true;
      admit_locus(l);
      continue;
    }
  }

  // Candidates: haplotypes every locus of which some copy admits, bucketed
  // by their 10-bit signature (per locus, which copies admit its allele):
  // whether two haplotypes form a consistent pair depends only on their
  // signatures when each locus has one alternative.
  bool lists = false;
  for (int l = 0; l < kL; ++l) lists |= alts_of[l] > 1;
  // They all carry an admitted allele of the typed locus that admits the
  // fewest haplotypes: gathered from there (each haplotype once, as it has
  // one allele there), else every haplotype is a candidate. Their order is
  // fixed (by that allele, then by haplotype, as haplotypes_of_allele_
  // lists them), so the result is reproducible.
  int seed_locus = -1;
  size_t seed_size = haplotypes_.size();
  for (int l = 0; l < kL; ++l) {
    if (alts_of[l] == 0) continue;  // admits every allele
    size_t size = 0;
    for (uint16_t a : admitted[l]) size += haplotypes_of_allele_[a].size();
    if (size < seed_size) {
      seed_size = size;
      seed_locus = l;
    }
  }
  // The populations the weights count; a haplotype with a positive
  // frequency in none of them has a zero prior.
  uint8_t wmask = 0;
  for (int p = 0; p < data::kPopulationCount; ++p) {
    if (w[p] > 0) wmask |= static_cast<uint8_t>(1u << p);
  }
  std::vector<uint32_t>& candidates = s.candidates;
  candidates.clear();
  // The prior is summed only for the haplotypes every locus admits.
  auto consider_admitted = [&](uint32_t h) {
    if ((haplotype_alleles_[h].populations & wmask) == 0) return;
    const TableHaplotype& x = haplotypes_[h];
    double f = 0;
    for (int p = 0; p < data::kPopulationCount; ++p) f += w[p] * x.frequency[p];
    if (f > 0) candidates.push_back(h);
  };
  // Two ways to the same set. From the seeds: a few loads each, branch-free
  // on the loci (which of them rejects a haplotype is as good as random).
  // From the admitted alleles' haplotype bit sets, OR-ed per locus and
  // AND-ed over the loci: cheaper when the seeds are many and the admitted
  // alleles few (common alleles at every locus of a high-resolution
  // typing). kWordsPerSeed: bit-set words costing one seed, as measured by
  // bench/impute_benchmark's BM_ImputeAdmitted (2.35 us a typing at 8;
  // 2.45-2.55 at 2, 16, 64; the seeds alone 2.63; then 2.0-2.3 at 8, 12,
  // 16 alike once a locus of one or two alleles took one pass). ANDing
  // only the two most selective loci and checking the others per
  // haplotype measured slower (2.55-2.7 us).
  constexpr size_t kWordsPerSeed = 8;
  const size_t words = haplotype_words_;
  size_t or_words = 0;
  for (int l = 0; l < kL; ++l) {
    if (alts_of[l] > 0) or_words += admitted[l].size() * words;
  }
  if (seed_locus >= 0 && or_words < kWordsPerSeed * seed_size) {
    std::vector<uint64_t>& all = s.bits;
    std::vector<uint64_t>& one = s.locus_bits;
    all.resize(words);
    one.resize(words);
    uint64_t* const out_bits = all.data();
    bool first = true;
    for (int l = 0; l < kL; ++l) {
      if (alts_of[l] == 0) continue;  // else some allele admitted
      auto bits_of = [&](size_t i) {
        return allele_haplotype_bits_.data() + admitted[l][i] * words;
      };
      // One or two alleles (a high-resolution locus) in one pass; more
      // OR-ed into `one` first.
      const uint64_t* b0 = bits_of(0);
      const uint64_t* b1 = admitted[l].size() > 1 ? bits_of(1) : b0;
      if (admitted[l].size() > 2) {
        uint64_t* const acc = one.data();
        CombineBits(b0, b1, acc, words, true);
        for (size_t i = 2; i < admitted[l].size(); ++i) OrBits(bits_of(i), acc, words);
        b0 = b1 = acc;
      }
      CombineBits(b0, b1, out_bits, words, first);
      first = false;
    }
    for (size_t k = 0; k < words; ++k) {
      for (uint64_t bits = all[k]; bits != 0; bits &= bits - 1) {
        consider_admitted(
            static_cast<uint32_t>(k * 64 + static_cast<size_t>(__builtin_ctzll(bits))));
      }
    }
  } else {
    auto consider = [&](uint32_t h) {
      const HaplotypeAlleles& t = haplotype_alleles_[h];
      if ((any[t.allele[0]] & any[t.allele[1]] & any[t.allele[2]] & any[t.allele[3]] &
           any[t.allele[4]]) != 0) {
        consider_admitted(h);
      }
    };
    if (seed_locus >= 0) {
      for (uint16_t a : admitted[seed_locus]) {
        for (uint32_t h : haplotypes_of_allele_[a]) consider(h);
      }
    } else {
      for (uint32_t h = 0; h < haplotypes_.size(); ++h) consider(h);
    }
  }
  // Per locus, the signature bits of each table allele (null: 3 for every
  // allele of a locus with no alternatives).
  std::array<const uint8_t*, kL> sig_row{};
  for (int l = 0; l < kL; ++l) sig_row[l] = alts_of[l] == 0 ? nullptr : flags[l][0].data();
  auto signature = [&](uint32_t h) {
    uint32_t sig = 0;
    const HaplotypeAlleles& t = haplotype_alleles_[h];
    for (int l = 0; l < kL; ++l) {
      const uint32_t b = sig_row[l] == nullptr ? 3 : sig_row[l][t.allele[l]];
      sig |= b << (2 * l);
    }
    return sig;
  };
  // With the phase known, one orientation for all loci; else per locus.
  auto phased_ok = [&](auto bits_u, auto bits_v) {
    bool forward = true, backward = true;
    for (int l = 0; l < kL; ++l) {
      const uint32_t x = bits_u(l), y = bits_v(l);
      forward = forward && (x & 1) && (y & 2);
      backward = backward && (x & 2) && (y & 1);
    }
    return forward || backward;
  };
  auto pair_ok = [&](uint32_t u, uint32_t v) {
    for (int l = 0; l < kL; ++l) {
      if (alts_of[l] == 0) continue;
      const uint16_t a = haplotype_alleles_[u].allele[l];
      const uint16_t b = haplotype_alleles_[v].allele[l];
      bool ok = false;
      for (size_t k = 0; k < alts_of[l]; ++k) {
        const std::vector<uint8_t>& f = flags[l][k];
        if (((f[a] & 1) && (f[b] & 2)) || ((f[a] & 2) && (f[b] & 1))) {
          ok = true;
          break;
        }
      }
      if (!ok) return false;
    }
    return true;
  };
  auto sig_ok = [&](uint32_t a, uint32_t b) {
    if (phased) {
      return phased_ok([a](int l) { return a >> (2 * l) & 3; },
                       [b](int l) { return b >> (2 * l) & 3; });
    }
    for (int l = 0; l < kL; ++l) {
      const uint32_t x = a >> (2 * l) & 3, y = b >> (2 * l) & 3;
      if (!(((x & 1) && (y & 2)) || ((x & 2) && (y & 1)))) return false;
    }
    return true;
  };
  // Buckets of candidates by signature, ascending; within each, in the
  // seeds' order (by the seed locus's allele, then by haplotype), whichever
  // way they were found: the sums and the kept pairs do not depend on it.
  std::vector<uint64_t>& order = s.order;
  order.clear();
  for (uint32_t h : candidates) {
    const uint64_t sig = lists ? 0 : signature(h);
    const uint64_t seed_allele =
        seed_locus >= 0 ? haplotype_alleles_[h].allele[seed_locus] : 0;
    order.push_back(sig << 48 | seed_allele << 32 | h);
  }
  std::sort(order.begin(), order.end());
  for (size_t k = 0; k < order.size(); ++k) candidates[k] = static_cast<uint32_t>(order[k]);
  auto& blist = s.blist;
  blist.clear();
  for (size_t k = 0; k < order.size();) {
    size_t end = k + 1;
    while (end < order.size() && order[end] >> 48 == order[k] >> 48) ++end;
    blist.emplace_back(static_cast<uint32_t>(order[k] >> 48),
                       absl::MakeConstSpan(candidates).subspan(k, end - k));
    k = end;
  }

  uint64_t visits = 0;
  for (size_t i = 0; i < blist.size(); ++i) {
    for (size_t j = i; j < blist.size(); ++j) {
      if (!lists && !sig_ok(blist[i].first, blist[j].first)) continue;
      const uint64_t a = blist[i].second.size(), b = blist[j].second.size();
      visits += i == j ? a * (a + 1) / 2 : a * b;
    }
  }
  // A '|' list checks each pair against every alternative: its visits cost
  // that many times more.
  size_t alternatives = 1;
  for (int l = 0; l < kL; ++l) alternatives = std::max(alternatives, alts_of[l]);
  visits *= alternatives;
  if (visits > kMaxPairVisits) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "too little typed to impute (", visits,
        " haplotype pairs would be visited, at most ", kMaxPairVisits, ")"));
  }

  std::vector<HaplotypePair>& kept = s.kept;
  kept.clear();
  double total = 0;
  auto add = [&](uint32_t u, uint32_t v) {
    // In haplotype order, so that a pair's prior is the same bits however
    // the candidates were gathered (the order of the kept pairs rests on
    // it).
    if (v < u) std::swap(u, v);
    const TableHaplotype& x = haplotypes_[u];
    const TableHaplotype& y = haplotypes_[v];
    double p = 0;
    for (int k = 0; k < data::kPopulationCount; ++k) {
      p += w[k] * x.frequency[k] * y.frequency[k];
    }
    if (u != v) p *= 2;  // Hardy-Weinberg: two orders
    if (!(p > 0)) return;
    total += p;
    ++out.consistent;
    kept.push_back({u, v, p});
    // Keep the heaviest: dropping below the max_pairs-th never loses one
    // that would be kept at the end.
    if (kept.size() >= 4 * o.max_pairs + 1024) {
      std::nth_element(kept.begin(), kept.begin() + static_cast<long>(2 * o.max_pairs),
                       kept.end(), [](const HaplotypePair& a, const HaplotypePair& b) {
                         return a.p > b.p;
                       });
      kept.resize(2 * o.max_pairs);
    }
  };
  for (size_t i = 0; i < blist.size(); ++i) {
    for (size_t j = i; j < blist.size(); ++j) {
      if (!lists && !sig_ok(blist[i].first, blist[j].first)) continue;
      const absl::Span<const uint32_t> A = blist[i].second;
      const absl::Span<const uint32_t> B = blist[j].second;
      for (size_t x = 0; x < A.size(); ++x) {
        for (size_t y = i == j ? x : 0; y < B.size(); ++y) {
          if (lists && !pair_ok(A[x], B[y])) continue;
          add(A[x], B[y]);
        }
      }
    }
  }
  if (kept.empty() || !(total > 0)) return out;  // explained == false
  out.explained = true;
  std::sort(kept.begin(), kept.end(), [](const HaplotypePair& a, const HaplotypePair& b) {
    return a.p != b.p ? a.p > b.p : (a.h1 != b.h1 ? a.h1 < b.h1 : a.h2 < b.h2);
  });
  double mass = 0;
  size_t n = 0;
  while (n < kept.size() && n < o.max_pairs && mass < o.keep_mass * total) {
    mass += kept[n].p;
    ++n;
  }
  out.pairs.assign(kept.begin(), kept.begin() + static_cast<long>(n));
  for (HaplotypePair& p : out.pairs) p.p /= mass;
  out.kept_mass = mass / total;
  out.total = total;
  return out;
}

std::array<int, data::kHaplotypeLoci> Imputer::CertainCounts(
    const matcher::MatchReport* match) {
  std::array<int, kL> counts;
  counts.fill(-1);
  if (match == nullptr) return counts;
  for (int l = 0; l < kL; ++l) {
    const matcher::LocusMatch* lm = match->Find(kLoci[l]);
    bool certain = lm != nullptr && lm->scored;
    if (certain) {
      for (const matcher::PositionMatch& pm : lm->positions) {
        certain = certain && pm.confidence != matcher::MatchConfidence::kPotential;
      }
      certain = certain && lm->confidence != matcher::MatchConfidence::kPotential;
    }
    if (certain) counts[l] = lm->matches;
  }
  return counts;
}

MatchProbability Imputer::Probability(const Imputation& r, const Imputation& d,
                                      const matcher::MatchReport* match) const {
  return Probability(r, d, CertainCounts(match));
}

std::vector<std::pair<uint64_t, double>> Imputer::LocusMarginal(const Imputation& m,
                                                                int l) const {
  // (smaller key << 32 | larger key) -> probability, normalised.
  std::vector<std::pair<uint64_t, double>> g;
  g.reserve(m.pairs.size());
  double total = 0;
  for (const HaplotypePair& p : m.pairs) {
    uint64_t a = allele_key_[haplotypes_[p.h1].allele[l]];
    uint64_t b = allele_key_[haplotypes_[p.h2].allele[l]];
    if (a > b) std::swap(a, b);
    g.emplace_back(a << 32 | b, p.p);
    total += p.p;
  }
  std::sort(g.begin(), g.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::pair<uint64_t, double>> out;
  for (const auto& [key, p] : g) {
    if (!out.empty() && out.back().first == key) {
      out.back().second += p;
    } else {
      out.emplace_back(key, p);
    }
  }
  if (total > 0) {
    for (auto& kv : out) kv.second /= total;
  }
  return out;
}

size_t Imputer::BoundProducts(size_t* nr, size_t* nd) {
  while (*nr * *nd > kMaxProducts) {
    if (*nr >= *nd) {
      *nr = std::max<size_t>(1, *nr / 2);
    } else {
      *nd = std::max<size_t>(1, *nd / 2);
    }
  }
  return *nr * *nd;
}

MatchProbability Imputer::Probability(
    const Imputation& r, const Imputation& d,
    const std::array<int, data::kHaplotypeLoci>& certain) const {
  MatchProbability out;
  for (int l = 0; l < kL; ++l) out.loci[l].locus = kLoci[l];
  out.ambiguous = r.ambiguous || d.ambiguous;
  out.recipient_pairs = r.pairs.size();
  out.donor_pairs = d.pairs.size();
  if (!r.explained || !d.explained) {
    out.basis = absl::StrCat(
        "not computed: no pair of the NMDP 2007 haplotypes explains the ",
        !r.explained && !d.explained ? "recipient's or the donor's"
        : !r.explained               ? "recipient's"
                                     : "donor's",
        " typing");
    return out;
  }
  // Loci outside the table on a side: the typings' own count when both are
  // certain there, else no probability at that locus (nor for the totals).
  std::array<int, kL> fixed;
  fixed.fill(-1);
  bool totals = true;
  bool any_outside = false;
  std::vector<std::string> outside;
  for (int l = 0; l < kL; ++l) {
    if (!r.outside_table[l] && !d.outside_table[l]) continue;
    any_outside = true;
    outside.emplace_back(LocusName(kLoci[l]));
    if (certain[l] >= 0) {
      fixed[l] = certain[l];
      out.loci[l].from_typing = true;
    } else {
      totals = false;
    }
  }
  // Bound the product: the most likely pairs of each side first.
  size_t nr = r.pairs.size(), nd = d.pairs.size();
  BoundProducts(&nr, &nd);
  double mr = 0, md = 0;
  for (size_t i = 0; i < nr; ++i) mr += r.pairs[i].p;
  for (size_t j = 0; j < nd; ++j) md += d.pairs[j].p;
  std::array<std::array<double, 3>, kL> locus{};
  std::array<double, 2 * kL + 1> by_total{};
  double carried = 0;
  for (size_t i = 0; i < nr; ++i) {
    const TableHaplotype& r1 = haplotypes_[r.pairs[i].h1];
    const TableHaplotype& r2 = haplotypes_[r.pairs[i].h2];
    for (size_t j = 0; j < nd; ++j) {
      const double p = r.pairs[i].p * d.pairs[j].p / (mr * md);
      const TableHaplotype& d1 = haplotypes_[d.pairs[j].h1];
      const TableHaplotype& d2 = haplotypes_[d.pairs[j].h2];
      int total = 0;
      // whole[a][b]: recipient haplotype a matches donor haplotype b at
      // every locus.
      bool whole[2][2] = {{true, true}, {true, true}};
      for (int l = 0; l < kL; ++l) {
        const uint32_t a = allele_key_[r1.allele[l]], b = allele_key_[r2.allele[l]];
        const uint32_t c = allele_key_[d1.allele[l]], e = allele_key_[d2.allele[l]];
        whole[0][0] = whole[0][0] && a == c;
        whole[0][1] = whole[0][1] && a == e;
        whole[1][0] = whole[1][0] && b == c;
        whole[1][1] = whole[1][1] && b == e;
        int m = std::max(int{a == c} + int{b == e}, int{a == e} + int{b == c});
        if (fixed[l] >= 0) m = fixed[l];
        total += m;
      }
      by_total[total] += p;
      if (whole[0][0] || whole[0][1] || whole[1][0] || whole[1][1]) carried += p;
    }
  }
  out.mass = r.kept_mass * d.kept_mass * mr * md;
  // Per locus, the count depends on the two sides' genotypes at that locus
  // only, and the sides are independent: computed from each side's marginal
  // over every kept pair, not from the bounded product above (whose most
  // likely pairs first would lean towards the common alleles).
  for (int l = 0; l < kL; ++l) {
    if (fixed[l] >= 0) {  // the typings' count, certain
      locus[l][fixed[l]] = 1;
      continue;
    }
    const std::vector<std::pair<uint64_t, double>> rm = LocusMarginal(r, l);
    const std::vector<std::pair<uint64_t, double>> dm = LocusMarginal(d, l);
    std::array<double, 3> p{};
    for (const auto& [g, pr] : rm) {
      const uint32_t a = static_cast<uint32_t>(g >> 32), b = static_cast<uint32_t>(g);
      for (const auto& [h, pd] : dm) {
        const uint32_t c = static_cast<uint32_t>(h >> 32), e = static_cast<uint32_t>(h);
        p[std::max(int{a == c} + int{b == e}, int{a == e} + int{b == c})] += pr * pd;
      }
    }
    locus[l] = p;
  }
  for (int l = 0; l < kL; ++l) {
    const bool usable = fixed[l] >= 0 || (!r.outside_table[l] && !d.outside_table[l]);
    out.loci[l].available = usable;
    if (usable) out.loci[l].p = locus[l];
  }
  out.available = totals;
  if (totals) {
    out.p10 = by_total[10];
    out.p9_or_more = by_total[10] + by_total[9];
    out.p8_or_more = out.p9_or_more + by_total[8];
    // A whole haplotype needs every locus imputed.
    if (!any_outside) out.p_haplotype = carried;
  }
  std::string mass = absl::StrFormat("%.4g", out.mass);
  out.basis = absl::StrCat(
      "imputed from the NMDP 2007 haplotype frequencies (Maiers et al. 2007): ",
      r.pairs.size(), " recipient and ", d.pairs.size(),
      " donor haplotype pairs; the figures rest on ", mass,
      " of the joint probability");
  if (!outside.empty()) {
    absl::StrAppend(&out.basis, "; ", absl::StrJoin(outside, ", "),
                    " outside the table on a side: ",
                    totals ? "its count is the typings' (certain)"
                           : "no probability there, nor for the totals",
                    any_outside && totals ? "; the whole-haplotype figure is left out" : "");
  }
  return out;
}

}  // namespace hla::impute

namespace hla::impute {

TopMatchScorer::TopMatchScorer(const Imputer& imputer, const Imputation& recipient)
    : recipient_(&recipient) {
  // Per locus, the keys of the recipient's kept pairs; per table
  // haplotype, the loci where its key is one of them.
  std::array<std::vector<uint32_t>, kL> keys;
  for (const HaplotypePair& p : recipient.pairs) {
    for (uint32_t h : {p.h1, p.h2}) {
      for (int l = 0; l < kL; ++l) {
        keys[l].push_back(imputer.AlleleKey(imputer.haplotypes()[h].allele[l]));
      }
    }
  }
  for (auto& k : keys) {
    std::sort(k.begin(), k.end());
    k.erase(std::unique(k.begin(), k.end()), k.end());
  }
  const auto& haps = imputer.haplotypes();
  can_match_.resize(haps.size());
  for (size_t h = 0; h < haps.size(); ++h) {
    uint8_t m = 0;
    for (int l = 0; l < kL; ++l) {
      if (std::binary_search(keys[l].begin(), keys[l].end(),
                             imputer.AlleleKey(haps[h].allele[l]))) {
        m |= static_cast<uint8_t>(1u << l);
      }
    }
    can_match_[h] = m;
  }
  keys_.resize(haps.size());
  for (size_t h = 0; h < haps.size(); ++h) {
    for (int l = 0; l < kL; ++l) keys_[h][l] = imputer.AlleleKey(haps[h].allele[l]);
  }
}

TopMatchScorer::Result TopMatchScorer::Score(
    const HaplotypePair* pairs, size_t n, bool explained, uint8_t outside,
    const std::array<int, data::kHaplotypeLoci>& certain) const {
  Result out;
  const Imputation& r = *recipient_;
  if (!r.explained || !explained) return out;
  // Probability's rule for loci outside the table on a side.
  std::array<int, kL> fixed;
  fixed.fill(-1);
  int fixed_sum = 0;
  uint8_t free_loci = 0;
  for (int l = 0; l < kL; ++l) {
    if (!r.outside_table[l] && !(outside >> l & 1)) {
      free_loci |= static_cast<uint8_t>(1u << l);
      continue;
    }
    if (certain[l] < 0) return out;  // no totals
    fixed[l] = certain[l];
    fixed_sum += certain[l];
  }
  out.available = true;
  size_t nr = r.pairs.size(), nd = n;
  Imputer::BoundProducts(&nr, &nd);
  // The donor pairs that could reach 9/10: the others add nothing to
  // P(10/10) or P(>= 9/10), so skipping them keeps Probability's sums.
  bool any = false;
  std::vector<uint8_t>& ok = scratch_ok();
  ok.assign(nd, 0);
  for (size_t j = 0; j < nd; ++j) {
    const int ub = __builtin_popcount(can_match_[pairs[j].h1] & free_loci) +
                   __builtin_popcount(can_match_[pairs[j].h2] & free_loci) + fixed_sum;
    ok[j] = ub >= 2 * kL - 1;
    any = any || ok[j];
  }
  if (!any) return out;  // 0 and 0, as Probability sums them
  double mr = 0, md = 0;
  for (size_t i = 0; i < nr; ++i) mr += r.pairs[i].p;
  for (size_t j = 0; j < nd; ++j) md += pairs[j].p;
  double by10 = 0, by9 = 0;
  for (size_t i = 0; i < nr; ++i) {
    const auto& r1 = keys_[r.pairs[i].h1];
    const auto& r2 = keys_[r.pairs[i].h2];
    for (size_t j = 0; j < nd; ++j) {
      if (!ok[j]) continue;
      const double p = r.pairs[i].p * pairs[j].p / (mr * md);
      const auto& d1 = keys_[pairs[j].h1];
      const auto& d2 = keys_[pairs[j].h2];
      int total = 0;
      for (int l = 0; l < kL; ++l) {
        const uint32_t a = r1[l], b = r2[l], c = d1[l], e = d2[l];
        int m = std::max(int{a == c} + int{b == e}, int{a == e} + int{b == c});
        if (fixed[l] >= 0) m = fixed[l];
        total += m;
      }
      if (total == 2 * kL) {
        by10 += p;
      } else if (total == 2 * kL - 1) {
        by9 += p;
      }
    }
  }
  out.p10 = by10;
  out.p9_or_more = by10 + by9;
  return out;
}

std::vector<uint8_t>& TopMatchScorer::scratch_ok() {
  thread_local std::vector<uint8_t> ok;
  return ok;
}

}  // namespace hla::impute
