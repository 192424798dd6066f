// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "registry/store.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <new>
#include <thread>
#include <type_traits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "registry/internal/huge_pages.h"
#include "registry/internal/id_index.h"
#include "registry/internal/imputations.h"
#include "registry/internal/joiner.h"
#include "registry/internal/store_data.h"

namespace hla::registry {

using internal::IdIndex;
using internal::PackedFacts;
using internal::StoreData;
using internal::Dictionary;
using internal::DictionaryBuilder;

namespace {

// Arrays of a store built in memory (an index file maps them instead).
struct OwnedArrays {
  // Hundreds of megabytes written once: huge pages, as the columns they
  // are made from.
  internal::HugeVector<uint16_t> ids16;
  internal::HugeVector<uint32_t> ids32;
  std::vector<uint64_t> facts;
  std::vector<uint32_t> id_offsets;
  std::string id_arena;
  std::vector<DictionaryBuilder> dictionaries;  // by slot
  std::vector<uint8_t> populations;  // empty when every one is unknown
};

uint8_t PopulationCode(const eligibility::DonorFacts& f) {
  return f.population ? static_cast<uint8_t>(1 + static_cast<int>(*f.population)) : 0;
}

bool HasPhaseOrAlternatives(const matcher::Genotype& g) {
  if (g.phased) return true;
  for (const matcher::LocusTyping& lt : g.loci) {
    if (lt.phased || !lt.alternatives.empty()) return true;
    if (lt.typed_positions > 0 &&
        (lt.pos[0].haplotype >= 0 || lt.pos[1].haplotype >= 0)) {
      return true;
    }
  }
  return false;
}

}  // namespace

// ---- PackedFacts

uint64_t PackedFacts::Pack(const eligibility::DonorFacts& f) {
  uint64_t w = 0;
  if (f.birth_date) {
    const absl::CivilDay d = *f.birth_date;
    const uint64_t ymd = static_cast<uint64_t>(d.year()) * 10000 +
                         static_cast<uint64_t>(d.month()) * 100 +
                         static_cast<uint64_t>(d.day());
    w |= (ymd & kValueMask) | kFactBirth;
  } else if (f.age) {
    w |= (static_cast<uint64_t>(std::clamp(*f.age, 0, eligibility::kMaxAge)) & kValueMask) |
         kFactAge;
  }
  w |= static_cast<uint64_t>(f.sex) << kSexShift;
  if (f.blood_group) {
    w |= (static_cast<uint64_t>(f.blood_group->abo) + 1) << kAboShift;
    w |= static_cast<uint64_t>(f.blood_group->rh) << kRhShift;
  }
  w |= static_cast<uint64_t>(f.cmv) << kCmvShift;
  w |= static_cast<uint64_t>(f.relationship) << kRelShift;
  w |= static_cast<uint64_t>(f.kir.cen) << kKirCenShift;
  w |= static_cast<uint64_t>(f.kir.tel) << kKirTelShift;
  for (int g = 0; g < matcher::kKirLigandGroups; ++g) {
    w |= static_cast<uint64_t>(f.kir.receptor[g]) << (kKirReceptorShift + 2 * g);
  }
  return w;
}

namespace {
// Whether MMDD (0-1231) is a day of some year: February 29 included, the
// leap rule applied to it alone.
constexpr std::array<bool, 1232> MonthDays() {
  std::array<bool, 1232> t{};
  constexpr int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 1; m <= 12; ++m) {
    for (int d = 1; d <= kDays[m - 1]; ++d) t[static_cast<size_t>(m * 100 + d)] = true;
  }
  return t;
}
constexpr std::array<bool, 1232> kMonthDays = MonthDays();
}  // namespace

bool PackedFacts::Valid(uint64_t w) {
  if ((w & kFactBirth) && (w & kFactAge)) return false;
  if (!(w & (kFactBirth | kFactAge)) && (w & kValueMask) != 0) return false;
  if (((w >> kSexShift) & 3) > static_cast<int>(eligibility::Sex::kMale) ||
      AboCode(w) > 4 ||
      ((w >> kRhShift) & 3) > static_cast<int>(eligibility::Rh::kNegative) ||
      ((w >> kCmvShift) & 3) > static_cast<int>(eligibility::Cmv::kPositive) ||
      ((w >> kRelShift) & 7) >
          static_cast<int>(matcher::Relationship::kUnrelated) ||
      (AboCode(w) == 0 && ((w >> kRhShift) & 3) != 0)) {
    return false;
  }
  if (w >> kUsedBits != 0) return false;  // stray bits
  for (int g = 0; g < matcher::kKirLigandGroups; ++g) {
    if (((w >> (kKirReceptorShift + 2 * g)) & 3) >
        static_cast<int>(eligibility::KirPresence::kAbsent)) {
      return false;
    }
  }
  // A date or an age Pack could have written, so that Pack(Unpack(w))
  // gives the word back: a real day of the proleptic Gregorian calendar
  // (absl::CivilDay's), an age up to kMaxAge. Checked on the digits (a
  // table of the month-days, the leap rule for February 29), not by that
  // round trip, which normalises a CivilDay: the index loader runs this on
  // every donor. A test holds the two equal on every YYYYMMDD of years
  // 0-4, 1800-2200, 9999 and 13421.
  const uint64_t v = w & kValueMask;
  if (w & kFactBirth) {
    const uint64_t year = v / 10000, mmdd = v % 10000;
    if (mmdd >= kMonthDays.size() || !kMonthDays[mmdd]) return false;
    return mmdd != 229 || (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  }
  if (w & kFactAge) return v <= static_cast<uint64_t>(eligibility::kMaxAge);
  return true;
}

eligibility::DonorFacts PackedFacts::Unpack(uint64_t w) {
  eligibility::DonorFacts f;
  const uint64_t v = w & kValueMask;
  if (w & kFactBirth) {
    f.birth_date = absl::CivilDay(static_cast<int>(v / 10000),
                                  static_cast<int>(v / 100 % 100),
                                  static_cast<int>(v % 100));
  } else if (w & kFactAge) {
    f.age = static_cast<int>(v);
  }
  f.sex = SexOf(w);
  f.blood_group = BloodGroupOf(w);
  f.cmv = CmvOf(w);
  f.relationship = RelationshipOf(w);
  f.kir = KirOf(w);
  return f;
}

// ---- StoreData

const matcher::Genotype& StoreData::fallback_genotype(size_t i) const {
  return fallback_.at(static_cast<uint32_t>(i));
}

matcher::Genotype StoreData::GenotypeOf(size_t i) const {
  if (is_fallback(i)) return fallback_genotype(i);
  matcher::Genotype g;
  const uint64_t w = facts_[i];
  for (size_t s = 0; s < loci_.size(); ++s) {
    const uint32_t t0 = TypingId(i, static_cast<int>(s), 0);
    if (t0 == 0) continue;
    const uint32_t t1 = TypingId(i, static_cast<int>(s), 1);
    const Locus l = loci_[s];
    matcher::LocusTyping& lt = g.at(l);
    const bool once =
        (w >> (PackedFacts::kOnceShift + static_cast<int>(l))) & 1;
    lt.typed_positions = once ? 1 : 2;
    dictionaries_[s].Materialize(*reference_, t0, &lt.pos[0]);
    dictionaries_[s].Materialize(*reference_, t1, &lt.pos[1]);
  }
  return g;
}

eligibility::DonorFacts StoreData::FactsOf(size_t i) const {
  eligibility::DonorFacts f = PackedFacts::Unpack(facts_[i]);
  f.id = std::string(id(i));
  if (const uint8_t code = population_code(i); code != 0) {
    f.population = static_cast<data::Population>(code - 1);
  }
  return f;
}

size_t StoreData::record_bytes() const {
  const size_t width = wide_ids() ? 4 : 2;
  return size_ * (stride() * width + sizeof(uint64_t) + sizeof(uint32_t)) +
         sizeof(uint32_t) + (size_ > 0 ? id_offsets_[size_] : 0);
}

size_t StoreData::dictionary_bytes() const {
  size_t bytes = 0;
  for (const Dictionary& dict : dictionaries_) bytes += dict.bytes();
  return bytes;
}

size_t StoreData::dictionary_entries() const {
  size_t n = 0;
  for (const auto& dict : dictionaries_) n += dict.size();
  return n;
}

size_t StoreData::fallback_bytes() const {
  size_t bytes = 0;
  for (const auto& [index, text] : fallback_text_) {
    bytes += sizeof(index) + text.size();
  }
  // The genotypes themselves, roughly: a Genotype a fallback donor.
  return bytes + fallback_.size() * sizeof(matcher::Genotype);
}

double StoreData::bytes_per_donor() const {
  if (size_ == 0) return 0;
  return static_cast<double>(record_bytes() + dictionary_bytes() +
                             fallback_bytes() + imputation_bytes() +
                             unread_imputation_bytes_ +
                             (populations_ != nullptr ? size_ : 0)) /
         static_cast<double>(size_);
}

double StoreData::record_bytes_per_donor() const {
  if (size_ == 0) return 0;
  return static_cast<double>(record_bytes()) / static_cast<double>(size_);
}

// ---- DonorStore

DonorStore::DonorStore() : data_(std::make_unique<StoreData>()) {
  data_->slot_of_.fill(-1);
}
DonorStore::~DonorStore() = default;
DonorStore::DonorStore(DonorStore&&) noexcept = default;
DonorStore& DonorStore::operator=(DonorStore&&) noexcept = default;

size_t DonorStore::size() const { return data_->size(); }
const std::string& DonorStore::release() const { return data_->release(); }
absl::string_view DonorStore::id(size_t i) const { return data_->id(i); }
matcher::Genotype DonorStore::GenotypeOf(size_t i) const {
  return data_->GenotypeOf(i);
}
eligibility::DonorFacts DonorStore::FactsOf(size_t i) const {
  return data_->FactsOf(i);
}
size_t DonorStore::fallback_count() const { return data_->fallback_count(); }
size_t DonorStore::record_bytes() const { return data_->record_bytes(); }
size_t DonorStore::dictionary_bytes() const {
  return data_->dictionary_bytes();
}
double DonorStore::bytes_per_donor() const { return data_->bytes_per_donor(); }
double DonorStore::record_bytes_per_donor() const {
  return data_->record_bytes_per_donor();
}
size_t DonorStore::dictionary_entries() const {
  return data_->dictionary_entries();
}
bool DonorStore::has_imputations() const { return data_->has_imputations(); }
size_t DonorStore::imputation_bytes() const { return data_->imputation_bytes(); }
size_t DonorStore::unread_imputation_bytes() const {
  return data_->unread_imputation_bytes();
}

DonorStore::ImputationCounts DonorStore::imputation_counts() const {
  ImputationCounts c;
  if (!data_->has_imputations()) return c;
  for (size_t i = 0; i < data_->size(); ++i) {
    size_t count;
    const uint16_t flags = data_->imputation_words(i, &count)[0];
    if (flags & internal::kImputed) {
      ++((flags & internal::kExplained) ? c.explained : c.unexplained);
    } else if (flags & internal::kRefused) {
      ++c.refused;
    } else {
      ++c.fallback;
    }
  }
  return c;
}

absl::Status ImputeDonors(const impute::Imputer& imputer, int threads,
                          DonorStore* store,
                          const std::function<void(size_t, size_t)>& progress,
                          absl::Time deadline) {
  StoreData& s = *store->data_;
  if (imputer.haplotypes().size() > 65535) {
    return absl::InvalidArgumentError("more than 65,535 haplotypes in the table");
  }
  if (s.size_ > 0 && imputer.frequencies().release() != s.release_) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the haplotype frequencies are bound to IPD-IMGT/HLA ",
        imputer.frequencies().release(), ", the donors to ", s.release_));
  }
  const size_t n = s.size_;
  if (n >= std::numeric_limits<uint32_t>::max()) {  // as DonorStoreBuilder
    return absl::InvalidArgumentError("more than 2^32 - 1 donors");
  }
  if (threads <= 0) {
    threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(threads), n / 1024 + 1));
  // A donor's imputation is a function of what each of its gene copies
  // at the imputed loci admits of the table (Imputer::AdmittedAlleles) and
  // of its population: typing ids are first numbered by that set, per
  // locus ("class" 0 untyped; A*02:01, A*02:01:01:01 and a MAC covering
  // only table allele A*02:01 share one), and a donor whose classes and
  // population has been imputed takes that run without imputing.
  std::atomic<bool> late{false};
  const bool timed = deadline != absl::InfiniteFuture();
  std::array<std::vector<uint32_t>, data::kHaplotypeLoci> class_of;
  std::array<std::vector<std::vector<uint16_t>>, data::kHaplotypeLoci> class_sets;
  for (int l = 0; l < data::kHaplotypeLoci; ++l) {
    const int slot = s.SlotOf(impute::kLoci[l]);
    if (slot < 0) continue;
    const internal::Dictionary& dict = s.dictionary(slot);
    std::vector<std::vector<uint16_t>> sets(dict.size());
    internal::RunOnThreads(threads, [&](int t) {
      matcher::PositionTyping p;
      size_t done = 0;
      for (size_t e = static_cast<size_t>(t); e < sets.size();
           e += static_cast<size_t>(threads)) {
        if (timed && (done++ & 255) == 0 &&
            (late.load(std::memory_order_relaxed) || absl::Now() > deadline)) {
          late.store(true, std::memory_order_relaxed);
          return;
        }
        dict.MaterializeShallow(static_cast<uint32_t>(e), &p);
        sets[e] = imputer.AdmittedAlleles(l, p);
      }
    });
    if (late.load()) {
      return absl::DeadlineExceededError("the deadline passed while imputing the donors");
    }
    absl::flat_hash_map<std::vector<uint16_t>, uint32_t> numbers;
    class_of[l].assign(sets.size(), 0);
    class_sets[l].emplace_back();  // class 0: the key's "untyped"
    for (size_t e = 0; e < sets.size(); ++e) {
      const auto [it, fresh] =
          numbers.try_emplace(sets[e], static_cast<uint32_t>(class_sets[l].size()));
      if (fresh) class_sets[l].push_back(std::move(sets[e]));
      class_of[l][e] = it->second;
    }
  }
  using Key = std::array<uint32_t, 2 * data::kHaplotypeLoci + 1>;
  // A donor's key: its classes at each imputed locus and its population
  // (a fallback donor: one key of its own).
  auto key_of = [&](size_t i, Key* key) {
    key->fill(0);
    if (s.is_fallback(i)) {
      key->back() = ~uint32_t{0};  // no population code reaches it
      return;
    }
    for (int l = 0; l < data::kHaplotypeLoci; ++l) {
      const int slot = s.SlotOf(impute::kLoci[l]);
      if (slot < 0) continue;
      const uint32_t t0 = s.TypingId(i, slot, 0);
      if (t0 == 0) continue;  // untyped: class 0
      // The two copies in one order: Impute reads an unphased pair (a
      // fallback donor's phase never gets here) without its order
      // (10M synthetic donors: 6.0M keys written in order, 5.2M not).
      const uint32_t c0 = class_of[l][t0], c1 = class_of[l][s.TypingId(i, slot, 1)];
      (*key)[2 * l] = std::min(c0, c1);
      (*key)[2 * l + 1] = std::max(c0, c1);
    }
    key->back() = s.population_code(i);
  };
  // Each key belongs to one thread (its hash modulo the thread count), so
  // each distinct key is imputed once, whichever donors carry it (10M
  // synthetic donors: 4.4M distinct runs; contiguous ranges each with its
  // own memory of keys imputed 7.1M times). The keys remembered are
  // bounded, 2^23 in all (49-byte slots, a table at least 7/16 full: at
  // most about 0.8 GB; the 10M registry's 4.4M+ keys, about 0.4 GB): past
  // the bound, a key not yet seen is imputed each time it occurs (the join
  // still stores its run once).
  threads = std::min(threads, 64);
  const size_t max_remembered = (size_t{1} << 23) / static_cast<size_t>(threads);
  internal::HugeVector<uint8_t> owner(n, 0);
  if (threads > 1) {
    internal::RunOnThreads(threads, [&](int t) {
      const size_t begin = n * static_cast<size_t>(t) / static_cast<size_t>(threads);
      const size_t end = n * static_cast<size_t>(t + 1) / static_cast<size_t>(threads);
      Key key;
      for (size_t i = begin; i < end; ++i) {
        key_of(i, &key);
        owner[i] = static_cast<uint8_t>(absl::Hash<Key>()(key) % static_cast<size_t>(threads));
      }
    });
  }
  // Hundreds of megabytes written once each: huge pages.
  struct Part {
    internal::HugeVector<uint16_t> words;      // the thread's distinct runs
    internal::HugeVector<uint32_t> lengths;    // per distinct run
    internal::HugeVector<size_t> at;           // per distinct run, its first word
    internal::HugeVector<size_t> hashes;       // per distinct run, of its words
    internal::HugeVector<uint32_t> first;      // per distinct run, its first donor
    internal::HugeVector<uint32_t> donor_run;  // per donor it owns, in donor order
  };
  std::vector<Part> parts(static_cast<size_t>(threads));
  auto work = [&](int t) {
    Part& part = parts[static_cast<size_t>(t)];
    part.donor_run.reserve(n / static_cast<size_t>(threads) + 1);
    // Millions of keys read at random: huge pages.
    absl::flat_hash_map<Key, uint32_t, absl::Hash<Key>, std::equal_to<Key>,
                        internal::HugePageAllocator<std::pair<const Key, uint32_t>>>
        seen;
    // The keys of the next kAhead donors are made ahead and their slots
    // prefetched: with millions of keys, each lookup is a cache miss.
    constexpr size_t kAhead = 16;
    std::array<Key, kAhead> ahead;
    auto stage = [&](size_t j) {
      if (j >= n || owner[j] != t) return;
      key_of(j, &ahead[j % kAhead]);
      seen.prefetch(ahead[j % kAhead]);
    };
    for (size_t j = 0; j < kAhead; ++j) stage(j);
    Key key;
    for (size_t i = 0; i < n; ++i) {
      if (timed && (i & 255) == 0 &&
          (late.load(std::memory_order_relaxed) || absl::Now() > deadline)) {
        late.store(true, std::memory_order_relaxed);
        return;
      }
      if (t == 0 && progress && i > 0 && (i & 4095) == 0) progress(i, n);
      const bool mine = owner[i] == t;
      if (mine) key = ahead[i % kAhead];
      stage(i + kAhead);
      if (!mine) continue;
      const uint32_t next = static_cast<uint32_t>(part.lengths.size());
      if (seen.size() < max_remembered) {
        const auto [it, fresh] = seen.try_emplace(key, next);
        part.donor_run.push_back(it->second);
        if (!fresh) continue;
      } else if (const auto it = seen.find(key); it != seen.end()) {
        part.donor_run.push_back(it->second);
        continue;
      } else {
        part.donor_run.push_back(next);
      }
      const size_t before = part.words.size();
      if (s.is_fallback(i)) {
        internal::EncodeImputation(nullptr, false, &part.words);
      } else {
        impute::ImputeOptions o;
        if (const uint8_t code = s.population_code(i); code != 0) {
          o.population = static_cast<data::Population>(code - 1);
        }
        // The classes' sets, not the typings: Impute reads a typing only
        // through them.
        impute::AdmittedTyping typing;
        for (int l = 0; l < data::kHaplotypeLoci; ++l) {
          if (key[2 * l] == 0) continue;
          typing.loci[l].push_back({absl::MakeConstSpan(class_sets[l][key[2 * l]]),
                                    absl::MakeConstSpan(class_sets[l][key[2 * l + 1]])});
        }
        absl::StatusOr<impute::Imputation> m = imputer.Impute(typing, o);
        internal::EncodeImputation(m.ok() ? &*m : nullptr, !m.ok(), &part.words);
      }
      const size_t length = part.words.size() - before;
      part.lengths.push_back(static_cast<uint32_t>(length));
      part.at.push_back(before);
      part.hashes.push_back(absl::Hash<absl::string_view>()(absl::string_view(
          reinterpret_cast<const char*>(part.words.data() + before), 2 * length)));
      part.first.push_back(static_cast<uint32_t>(i));
    }
  };
  internal::RunOnThreads(threads, work);
  if (late.load()) {
    return absl::DeadlineExceededError("the deadline passed while imputing the donors");
  }
  // The join: equal runs (of different threads, or of different keys: the
  // same typing written in another order) stored once, numbered in the
  // order of their first donor, so the result does not depend on the thread
  // count. First each run's representative, the equal run with the first
  // donor, found on every thread (thread p takes the runs whose hash is p
  // modulo the thread count, met in first-donor order: the runs of all
  // parts merged on it); then the runs stored, in donor order.
  struct RunView {
    const uint16_t* words;
    uint32_t length;
    size_t hash;
  };
  struct RunHash {
    size_t operator()(const RunView& r) const { return r.hash; }
  };
  struct RunEq {
    bool operator()(const RunView& a, const RunView& b) const {
      return a.length == b.length && std::equal(a.words, a.words + a.length, b.words);
    }
  };
  // A run's number: its part's offset plus its index there.
  std::vector<size_t> offset(parts.size() + 1, 0);
  for (size_t t = 0; t < parts.size(); ++t) offset[t + 1] = offset[t] + parts[t].lengths.size();
  internal::HugeVector<uint32_t> rep(offset.back());  // at most n runs: fit 32 bits
  const size_t partitions = parts.size();
  // Per partition, its representatives in first-donor order: the order the
  // store keeps them in (a run is stored where its first donor meets it).
  std::vector<std::vector<uint32_t>> reps(partitions);
  internal::RunOnThreads(static_cast<int>(partitions), [&](int p) {
    // The partition's runs in first-donor order, as (part, index) pairs,
    // then looked up with the map's slots asked for some runs ahead and
    // the map sized for them all at once: at 10M donors (5.2M runs) the
    // lookups, each a cache miss, and the map's growths were 0.67 s of
    // the join.
    std::vector<std::pair<uint32_t, uint32_t>> mine;
    std::vector<size_t> next(parts.size(), 0);
    while (true) {
      // The part whose next run has the earliest first donor.
      size_t t = parts.size();
      for (size_t u = 0; u < parts.size(); ++u) {
        if (next[u] < parts[u].first.size() &&
            (t == parts.size() || parts[u].first[next[u]] < parts[t].first[next[t]])) {
          t = u;
        }
      }
      if (t == parts.size()) break;
      const size_t k = next[t]++;
      if ((parts[t].hashes[k] >> 32) % partitions != static_cast<size_t>(p)) continue;
      mine.emplace_back(static_cast<uint32_t>(t), static_cast<uint32_t>(k));
    }
    auto view_of = [&](const std::pair<uint32_t, uint32_t>& r) {
      const Part& part = parts[r.first];
      return RunView{part.words.data() + part.at[r.second], part.lengths[r.second],
                     part.hashes[r.second]};
    };
    absl::flat_hash_map<RunView, uint32_t, RunHash, RunEq,
                        internal::HugePageAllocator<std::pair<const RunView, uint32_t>>>
        first_of;
    first_of.reserve(mine.size());
    constexpr size_t kAhead = 16;
    for (size_t j = 0; j < mine.size(); ++j) {
      if (j + kAhead < mine.size()) first_of.prefetch(view_of(mine[j + kAhead]));
      const RunView view = view_of(mine[j]);
      const uint32_t self = static_cast<uint32_t>(offset[mine[j].first] + mine[j].second);
      const auto [it, fresh] = first_of.try_emplace(view, self);
      rep[self] = it->second;
      if (fresh) reps[static_cast<size_t>(p)].push_back(self);
    }
  });
  for (Part& p : parts) {  // not needed past here: freed before the store grows
    internal::HugeVector<size_t>().swap(p.hashes);
  }
  // A run's part and index there.
  auto where = [&](uint32_t r) {
    const size_t t = static_cast<size_t>(
        std::upper_bound(offset.begin(), offset.end(), size_t{r}) - offset.begin() - 1);
    return std::make_pair(t, r - offset[t]);
  };
  // The store, laid out as one pass over the donors would lay it (each run
  // where its first donor meets it, then each donor's start), on every
  // thread: the representatives merged in first-donor order and given their
  // places, then the runs copied and the donors' starts written by ranges.
  constexpr uint32_t kUnset = ~uint32_t{0};
  internal::HugeVector<uint32_t> stored(offset.back(), kUnset);  // per representative
  std::vector<uint32_t> order;  // the representatives, in first-donor order
  {
    size_t count = 0;
    for (const auto& r : reps) count += r.size();
    order.reserve(count);
    auto first_donor = [&](uint32_t r) {
      const auto [t, k] = where(r);
      return parts[t].first[k];
    };
    std::vector<size_t> next(reps.size(), 0);
    while (true) {
      size_t q = reps.size();
      for (size_t u = 0; u < reps.size(); ++u) {
        if (next[u] < reps[u].size() &&
            (q == reps.size() ||
             first_donor(reps[u][next[u]]) < first_donor(reps[q][next[q]]))) {
          q = u;
        }
      }
      if (q == reps.size()) break;
      order.push_back(reps[q][next[q]++]);
    }
  }
  std::vector<std::vector<uint32_t>>().swap(reps);
  for (Part& p : parts) internal::HugeVector<uint32_t>().swap(p.first);
  size_t total = 0;
  for (const uint32_t r : order) {
    const auto [t, k] = where(r);
    if (total + 1 + parts[t].lengths[k] > std::numeric_limits<uint32_t>::max()) {
      return absl::InvalidArgumentError("the imputations exceed 2^32 - 1 words");
    }
    stored[r] = static_cast<uint32_t>(total);
    total += 1 + parts[t].lengths[k];
  }
  struct Owned {  // hundreds of megabytes written once: huge pages
    internal::HugeVector<uint32_t> starts;
    internal::HugeVector<uint16_t> words;
  };
  auto owned = std::make_shared<Owned>();
  owned->words.resize(total);
  owned->starts.resize(n);
  const int store_threads = static_cast<int>(partitions);
  internal::RunOnThreads(store_threads, [&](int t) {
    const size_t lo = order.size() * static_cast<size_t>(t) / partitions;
    const size_t hi = order.size() * static_cast<size_t>(t + 1) / partitions;
    for (size_t j = lo; j < hi; ++j) {
      const auto [rt, rk] = where(order[j]);
      const uint16_t* run = parts[rt].words.data() + parts[rt].at[rk];
      const size_t len = parts[rt].lengths[rk];
      uint16_t* out = owned->words.data() + stored[order[j]];
      out[0] = static_cast<uint16_t>(len);  // at most 98
      std::copy(run, run + len, out + 1);
    }
  });
  // Donors by ranges: each range's cursor into every part's donor_run is
  // the count of that part's donors before the range.
  std::vector<std::vector<size_t>> cursor(partitions, std::vector<size_t>(parts.size(), 0));
  auto range = [&](size_t t) {
    return std::make_pair(n * t / partitions, n * (t + 1) / partitions);
  };
  internal::RunOnThreads(store_threads, [&](int t) {
    const auto [lo, hi] = range(static_cast<size_t>(t));
    std::vector<size_t>& c = cursor[static_cast<size_t>(t)];
    for (size_t i = lo; i < hi; ++i) ++c[owner[i]];
  });
  for (size_t u = 0; u < parts.size(); ++u) {
    size_t before = 0;
    for (size_t t = 0; t < partitions; ++t) {
      const size_t here = cursor[t][u];
      cursor[t][u] = before;
      before += here;
    }
  }
  internal::RunOnThreads(store_threads, [&](int t) {
    const auto [lo, hi] = range(static_cast<size_t>(t));
    std::vector<size_t>& c = cursor[static_cast<size_t>(t)];
    for (size_t i = lo; i < hi; ++i) {
      const size_t u = owner[i];
      owned->starts[i] = stored[rep[offset[u] + parts[u].donor_run[c[u]++]]];
    }
  });
  const size_t runs = order.size();
  s.unread_imputation_bytes_ = 0;  // replaced by these, if an index left some
  s.imputation_run_count_ = runs;
  s.imputation_word_count_ = owned->words.size();
  s.imputation_starts_ = owned->starts.data();
  s.imputation_fingerprint_ = imputer.fingerprint();
  s.imputation_haplotypes_ = imputer.haplotypes().size();
  s.imputation_words_ = owned->words.data();
  s.imputation_backing_ = std::move(owned);
  if (progress) progress(n, n);
  return absl::OkStatus();
}

// ---- DonorStoreBuilder

struct DonorStoreBuilder::Impl {
  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::shared_ptr<const data::Reference> ref;
  struct LocusDict {
    absl::flat_hash_map<std::string, uint32_t> by_text;
    absl::flat_hash_map<std::vector<uint32_t>, uint32_t> keysets;
    DictionaryBuilder entries;
    internal::HugeVector<uint32_t> column;  // 2 per donor
    bool used = false;
  };
  std::array<LocusDict, kLocusCount> loci;
  std::vector<uint64_t> facts;
  std::vector<uint32_t> id_offsets = {0};
  std::string arena;
  bool arena_overflow = false;
  absl::flat_hash_map<uint32_t, matcher::Genotype> fallback;
  std::vector<std::pair<uint32_t, std::string>> fallback_text;
  // Population codes, kept from the first donor whose population is known
  // (earlier ones padded with 0, unknown).
  std::vector<uint8_t> populations;

  void AddPopulation(const eligibility::DonorFacts& f) {
    const uint8_t code = PopulationCode(f);
    if (code != 0 && populations.empty()) populations.assign(facts.size() - 1, 0);
    if (code != 0 || !populations.empty()) populations.push_back(code);
  }

  LocusDict& Dict(Locus l) {
    LocusDict& d = loci[static_cast<int>(l)];
    if (!d.used) {
      d.used = true;  // entries starts with id 0: untyped
      d.keysets.emplace(std::vector<uint32_t>(), 0);
      // As many donors as Reserve asked for (facts' capacity), when it can.
      try {
        d.column.reserve(2 * facts.capacity());
      } catch (const std::bad_alloc&) {
      }
      d.column.assign(2 * facts.size(), 0);
    }
    return d;
  }

  void AddId(absl::string_view id) { AddId(id, HashId(id)); }
  void AddId(absl::string_view id, size_t hash) {
    arena.append(id.data(), id.size());
    bool kept = true;
    if (arena.size() > std::numeric_limits<uint32_t>::max()) {
      arena_overflow = true;  // Finish() fails; the id is stored empty
      arena.resize(id_offsets.back());
      kept = false;
    }
    id_offsets.push_back(static_cast<uint32_t>(arena.size()));
    const uint32_t index = static_cast<uint32_t>(id_offsets.size() - 2);
    // By the stored text and its hash: the first donor with an id stays.
    const absl::string_view text = IdAt(index);
    by_id.Insert(text, kept ? hash : HashId(text), index, TextOf());
  }

  absl::string_view IdAt(uint32_t i) const {
    return absl::string_view(arena).substr(id_offsets[i],
                                           id_offsets[i + 1] - id_offsets[i]);
  }
  // The donors by id, as numbers whose text is in the arena (the first
  // donor with an id is the one kept).
  IdIndex by_id;
  struct TextOfId {
    const Impl* m;
    absl::string_view operator()(uint32_t i) const { return m->IdAt(i); }
  };
  TextOfId TextOf() const { return TextOfId{this}; }

  // After facts.push_back: pads every used column to the new donor count.
  void PadColumns() {
    for (LocusDict& d : loci) {
      if (d.used) d.column.resize(2 * facts.size(), 0);
    }
  }
};

DonorStoreBuilder::DonorStoreBuilder(
    std::shared_ptr<const data::Reference> reference)
    : impl_(std::make_unique<Impl>()) {
  impl_->ref = std::move(reference);
}

DonorStoreBuilder::~DonorStoreBuilder() = default;

size_t DonorStoreBuilder::size() const { return impl_->facts.size(); }

std::optional<size_t> DonorStoreBuilder::IndexOf(absl::string_view id) const {
  return IndexOf(id, HashId(id));
}

std::optional<size_t> DonorStoreBuilder::IndexOf(absl::string_view id,
                                                 size_t hash) const {
  const std::optional<uint32_t> i = impl_->by_id.Find(id, hash, impl_->TextOf());
  if (!i) return std::nullopt;
  return *i;
}

void DonorStoreBuilder::PrefetchId(size_t hash) const {
  impl_->by_id.Prefetch(hash);
}

size_t DonorStoreBuilder::HashId(absl::string_view id) {
  return absl::Hash<absl::string_view>()(id);
}

void DonorStoreBuilder::Reserve(size_t donors) {
  Impl& m = *impl_;
  // A hint: what cannot be had now is grown into later, as without it.
  try {
    m.facts.reserve(donors);
    m.id_offsets.reserve(donors + 1);
    m.by_id.Reserve(donors);
    for (Impl::LocusDict& d : m.loci) {
      if (d.used) d.column.reserve(2 * donors);
    }
  } catch (const std::bad_alloc&) {
  }
}

uint32_t DonorStoreBuilder::Intern(Locus locus, const matcher::PositionTyping& p) {
  Impl::LocusDict& d = impl_->Dict(locus);
  // The canonical text determines the position (same release); the flags
  // are part of the key only to be safe against a caller-built position.
  std::string key = p.text;
  key.push_back('\0');
  key.push_back(static_cast<char>('0' + p.consolidated * 1 +
                                  p.placeholder * 2 + p.unnamed * 4));
  auto it = d.by_text.find(key);
  if (it != d.by_text.end()) return it->second;
  auto ks = d.keysets.emplace(p.match_keys(),
                              static_cast<uint32_t>(d.keysets.size()));
  const uint32_t id = d.entries.Add(p, ks.first->second);
  // Past 2^32 - 1 words of dictionary the entry is not added (id 0) and
  // Finish() fails; not remembering it keeps the map small meanwhile.
  if (id != 0) d.by_text.emplace(std::move(key), id);
  return id;
}

void DonorStoreBuilder::Add(const eligibility::DonorFacts& facts, const matcher::Genotype& g,
                            absl::string_view typing) {
  Impl& m = *impl_;
  const uint32_t index = static_cast<uint32_t>(m.facts.size());
  uint64_t w = PackedFacts::Pack(facts);
  if (HasPhaseOrAlternatives(g)) {
    w |= PackedFacts::kFactFallback;
    m.fallback.emplace(index, g);
    m.fallback_text.emplace_back(index, std::string(typing));
    m.facts.push_back(w);
    m.AddPopulation(facts);
    m.PadColumns();
    m.AddId(facts.id);
    return;
  }
  std::array<std::array<uint32_t, 2>, kLocusCount> ids{};
  for (Locus l : kAllLoci) {
    const matcher::LocusTyping& lt = g.at(l);
    if (lt.typed_positions == 0) continue;
    const int li = static_cast<int>(l);
    ids[li][0] = Intern(l, lt.pos[0]);
    ids[li][1] = Intern(l, lt.pos[1]);
    if (lt.typed_positions == 1) w |= uint64_t{1} << (PackedFacts::kOnceShift + li);
  }
  m.facts.push_back(w);
  m.AddPopulation(facts);
  m.PadColumns();
  for (int li = 0; li < kLocusCount; ++li) {
    if (ids[li][0] == 0) continue;
    auto& col = m.loci[li].column;
    col[2 * index] = ids[li][0];
    col[2 * index + 1] = ids[li][1];
  }
  m.AddId(facts.id);
}

void DonorStoreBuilder::AddIds(
    const eligibility::DonorFacts& facts,
    const std::array<std::array<uint32_t, 2>, kLocusCount>& ids,
    uint16_t once_mask) {
  AddIds(facts, ids, once_mask, HashId(facts.id));
}

void DonorStoreBuilder::AddIds(
    const eligibility::DonorFacts& facts,
    const std::array<std::array<uint32_t, 2>, kLocusCount>& ids,
    uint16_t once_mask, size_t id_hash) {
  Impl& m = *impl_;
  const size_t index = m.facts.size();
  uint64_t w = PackedFacts::Pack(facts);
  w |= static_cast<uint64_t>(once_mask & 0x7FF) << PackedFacts::kOnceShift;
  m.facts.push_back(w);
  m.AddPopulation(facts);
  for (int li = 0; li < kLocusCount; ++li) {
    Impl::LocusDict& d = m.loci[li];
    if (!d.used) continue;
    // Amortised growth (resize per donor would be quadratic for reserve-less
    // callers only in theory; vector::resize is amortised).
    d.column.resize(2 * m.facts.size(), 0);
    d.column[2 * index] = ids[li][0];
    d.column[2 * index + 1] = ids[li][1];
  }
  m.AddId(facts.id, id_hash);
}

absl::StatusOr<DonorStore> DonorStoreBuilder::Finish() && {
  Impl& m = *impl_;
  if (m.arena_overflow) {
    return absl::InvalidArgumentError(
        "donor ids exceed 4 GiB of text in total");
  }
  if (m.facts.size() >= std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError("more than 2^32 - 1 donors");
  }
  for (Locus l : kAllLoci) {
    if (!m.loci[static_cast<int>(l)].entries.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the distinct ", LocusName(l),
          " typings exceed 16 GiB of dictionary (or 4 GiB of text)"));
    }
  }
  DonorStore store;
  StoreData& s = *store.data_;
  s.release_ = m.ref->version();
  s.reference_ = m.ref;
  s.slot_of_.fill(-1);
  bool wide = false;
  for (Locus l : kAllLoci) {
    Impl::LocusDict& d = m.loci[static_cast<int>(l)];
    if (!d.used) continue;
    s.slot_of_[static_cast<int>(l)] = static_cast<int>(s.loci_.size());
    s.loci_.push_back(l);
    if (d.entries.size() > 65536) wide = true;
  }
  const size_t n = m.facts.size();
  const size_t stride = 2 * s.loci_.size();
  auto owned = std::make_shared<OwnedArrays>();
  // The columns into rows, donor by donor (a row's ids of every slot
  // appended together, the columns read in step): one pass over the rows,
  // none of them zeroed first, rather than the rows zeroed and then written
  // 2 ids every `stride` slot by slot (10M donors, 11 slots: this Finish
  // took 1.46-1.53 s, now 1.27-1.30 s, most of it the kernel's first touch
  // of the rows' 880 MB).
  std::vector<const uint32_t*> columns;
  for (Locus l : s.loci_) columns.push_back(m.loci[static_cast<int>(l)].column.data());
  auto rows = [&](auto* out) {
    using Id = typename std::remove_pointer_t<decltype(out)>::value_type;
    out->reserve(n * stride);
    std::array<Id, 2 * kLocusCount> row;
    for (size_t i = 0; i < n; ++i) {
      for (size_t slot = 0; slot < columns.size(); ++slot) {
        row[2 * slot] = static_cast<Id>(columns[slot][2 * i]);
        row[2 * slot + 1] = static_cast<Id>(columns[slot][2 * i + 1]);
      }
      out->insert(out->end(), row.begin(), row.begin() + static_cast<long>(stride));
    }
  };
  if (wide) {
    rows(&owned->ids32);
  } else {
    rows(&owned->ids16);
  }
  for (size_t slot = 0; slot < s.loci_.size(); ++slot) {
    Impl::LocusDict& d = m.loci[static_cast<int>(s.loci_[slot])];
    internal::HugeVector<uint32_t>().swap(d.column);
    owned->dictionaries.push_back(std::move(d.entries));
    absl::flat_hash_map<std::string, uint32_t>().swap(d.by_text);
  }
  // Views last: the builders do not move again (a short text moves its
  // characters with the string).
  for (const DictionaryBuilder& b : owned->dictionaries) {
    s.dictionaries_.push_back(b.View());
  }
  owned->facts = std::move(m.facts);
  owned->populations = std::move(m.populations);
  owned->id_offsets = std::move(m.id_offsets);
  owned->id_arena = std::move(m.arena);
  s.size_ = n;
  s.ids16_ = wide ? nullptr : owned->ids16.data();
  s.ids32_ = wide ? owned->ids32.data() : nullptr;
  s.facts_ = owned->facts.data();
  s.populations_ = owned->populations.empty() ? nullptr : owned->populations.data();
  s.id_offsets_ = owned->id_offsets.data();
  s.id_arena_ = owned->id_arena.data();
  s.backing_ = std::move(owned);
  s.fallback_ = std::move(m.fallback);
  s.fallback_text_ = std::move(m.fallback_text);
  return store;
}

}  // namespace hla::registry
