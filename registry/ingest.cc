// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Streaming ingest: CSV/TSV/JSON Lines through registry/donor_file.h (no
// resolver: we resolve, with a cache), gzip through zlib.
//
// Rows are read in chunks. The gene-copy texts of a chunk that the cache
// has not seen are parsed, resolved and compiled on IngestOptions::threads
// cores (the cost that grows with a registry's distinct spellings); the
// rows are then accepted one by one in input order, so that the store, its
// dictionaries and every message are exactly what one thread makes.
#include "registry/ingest.h"
#include "registry/internal/huge_pages.h"
#include "registry/internal/joiner.h"
#include "registry/internal/position_compiler.h"
#include "registry/internal/same_bytes.h"
#include "registry/internal/prefetch.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <streambuf>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "parser/parse.h"

namespace hla::registry {
namespace {

// ---- Streams

// Reads a file through zlib: gzip data is inflated, anything else passes
// through unchanged (gzread's "transparent" mode), so one path serves both.
class GzStreamBuf : public std::streambuf {
 public:
  explicit GzStreamBuf(gzFile f) : f_(f), buf_(1 << 17) {}
  ~GzStreamBuf() override { gzclose(f_); }
  bool failed() const { return failed_; }

 protected:
  // tellg(): the bytes read so far (inflated); no other seek.
  pos_type seekoff(off_type off, std::ios_base::seekdir dir,
                   std::ios_base::openmode) override {
    if (off != 0 || dir != std::ios_base::cur) return pos_type(off_type(-1));
    return pos_type(static_cast<off_type>(delivered_ - static_cast<size_t>(egptr() - gptr())));
  }
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    const int n = gzread(f_, buf_.data(), static_cast<unsigned>(buf_.size()));
    if (n <= 0) {
      // A gzip stream cut short ends like a whole one (n == 0) but leaves
      // Z_BUF_ERROR ("unexpected end of file"); a bad CRC or length is
      // Z_DATA_ERROR. Both are a file that lost rows.
      int error = Z_OK;
      gzerror(f_, &error);
      failed_ = n < 0 || error != Z_OK;
      return traits_type::eof();
    }
    setg(buf_.data(), buf_.data(), buf_.data() + n);
    delivered_ += static_cast<size_t>(n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  gzFile f_;
  std::vector<char> buf_;
  size_t delivered_ = 0;
  bool failed_ = false;
};

absl::string_view StripGz(absl::string_view name) {
  absl::string_view n = name;
  absl::ConsumeSuffix(&n, ".gz");
  return n;
}

// ---- Resolve cache

struct Resolved {
  std::optional<matcher::Genotype> genotype;
  std::string error;
};

class ResolveCache {
 public:
  ResolveCache(const data::Resolver& resolver, size_t limit)
      : resolver_(resolver), limit_(limit) {}

  const Resolved& Get(const std::string& typing, size_t* hits) {
    auto it = cache_.find(typing);
    if (it != cache_.end()) {
      ++*hits;
      return it->second;
    }
    if (cache_.size() >= limit_) cache_.clear();
    Resolved r;
    absl::StatusOr<GlString> gl = parser::ParseGlString(typing);
    if (!gl.ok()) {
      r.error = std::string(gl.status().message());
    } else {
      absl::StatusOr<data::ResolvedTyping> t = resolver_.Resolve(*gl);
      if (!t.ok()) {
        r.error = std::string(t.status().message());
      } else {
        absl::StatusOr<matcher::Genotype> g = matcher::BuildGenotype(resolver_.reference(), *t);
        if (!g.ok()) {
          r.error = std::string(g.status().message());
        } else {
          r.genotype = *std::move(g);
        }
      }
    }
    return cache_.emplace(typing, std::move(r)).first->second;
  }

 private:
  const data::Resolver& resolver_;
  size_t limit_;
  absl::flat_hash_map<std::string, Resolved> cache_;
};

// ---- The ingest loop

using internal::Joiner;

// A gene-copy spelling with its hash, computed once by the Split thread
// that met it and used for both of its lookups.
struct Prehashed {
  absl::string_view text;
  size_t hash;
};

size_t HashPart(absl::string_view part) {
  return absl::Hash<absl::string_view>()(part);
}

class Ingest {
 public:
  Ingest(const std::string& name, const data::Resolver& resolver,
         const IngestOptions& options, const RejectFn& on_reject,
         IngestStats* stats, const ProgressFn& progress)
      : name_(name),
        resolver_(resolver),
        options_(options),
        on_reject_(on_reject),
        stats_(stats),
        progress_(progress),
        cache_(resolver, options.cache_entries),
        builder_(resolver.reference_ptr()),
        spellings_(options.position_entries) {
    compilers_.emplace_back(&resolver_);
  }

  void Reject(const std::string& message) {
    ++stats_->rows;
    ++stats_->rejected;
    if (on_reject_) on_reject_(message);
    Tick();
  }

  struct Position {
    bool ok = false;
    Locus locus = Locus::kA;
    uint32_t id = 0;
  };

  // A small direct-mapped memory in front of spellings_, one per Split
  // thread. A registry's rows are mostly a few thousand common spellings
  // (A*02:01, B*07:02, DRB1*15:01:01:01) looked up ten times a row; in a
  // map of a million spellings each lookup is a cache miss, here it stays
  // in the core's cache. An entry never goes stale: a spelling's position
  // is a pure function of the text and the release, and its dictionary id
  // holds for the whole ingest (spellings_ emptied or not).
  class FrontCache {
   public:
    const Position* Find(const Prehashed& key) const {
      if (slots_.empty()) return nullptr;
      const Slot& s = slots_[Index(key.hash)];
      if (s.size == 0 || s.hash != key.hash || s.size != key.text.size() ||
          !internal::SameBytes(s.text, key.text.data(), s.size)) {
        return nullptr;
      }
      return &s.position;
    }
    // Spellings longer than a slot's text are not kept (rare: lists).
    void Put(const Prehashed& key, const Position& position) {
      if (key.text.empty() || key.text.size() > sizeof(Slot::text)) return;
      if (slots_.empty()) slots_.resize(kSlots);
      Slot& s = slots_[Index(key.hash)];
      s.hash = key.hash;
      s.size = static_cast<uint8_t>(key.text.size());
      std::memcpy(s.text, key.text.data(), key.text.size());
      s.position = position;
    }

   private:
    static constexpr size_t kSlots = 4096;  // 160 KB: a core's L2
    struct Slot {
      size_t hash = 0;
      uint8_t size = 0;  // 0: empty
      char text[23];
      Position position;
    };
    // Bits 40-51 of the hash (SpellingTable takes the top bits of a
    // product of it, so a spelling's two homes do not go together).
    static size_t Index(size_t hash) { return (hash >> 40) & (kSlots - 1); }
    std::vector<Slot> slots_;
  };

  // Every gene-copy spelling met so far and its position, for Split's
  // lookups: open addressing with each slot holding the spelling's full
  // hash (the text, in one arena, is compared only on a hash match), so
  // that a lookup is one cache line a caller can ask for ahead (Prefetch)
  // and Split overlaps the misses of a row's parts. A 10M registry holds
  // 1.4M spellings, far beyond the caches: a lookup not prefetched waited
  // on memory for a third of Split's time.
  class SpellingTable {
   public:
    // Past `max_entries` spellings (or 4 GiB of text) Insert empties it.
    explicit SpellingTable(size_t max_entries)
        : max_entries_(std::max<size_t>(max_entries, 1)) {}

    void Prefetch(size_t hash) const {
      if (!slots_.empty()) internal::PrefetchLine(&slots_[Index(hash)]);
    }

    const Position* Find(const Prehashed& key) const {
      if (slots_.empty()) return nullptr;
      for (size_t i = Index(key.hash);; i = (i + 1) & mask_) {
        const Slot& s = slots_[i];
        if (s.size == kEmpty) return nullptr;
        if (s.hash == key.hash && Same(s, key.text)) return &s.position;
      }
    }

    // Remembers key.text as `position`.
    void Insert(const Prehashed& key, const Position& position) {
      const absl::string_view text = key.text;
      const size_t hash = key.hash;
      if (text.size() >= kEmpty) return;  // never met again: not kept
      if (count_ >= max_entries_ || arena_.size() + text.size() > kEmpty) {
        slots_.clear();
        arena_.clear();
        count_ = 0;
      }
      if ((count_ + 1) * 4 > slots_.size() * 3) Grow();
      size_t i = Index(hash);
      for (; slots_[i].size != kEmpty; i = (i + 1) & mask_) {
        if (slots_[i].hash == hash && Same(slots_[i], text)) {
          slots_[i].position = position;
          return;
        }
      }
      slots_[i] = Slot{hash, static_cast<uint32_t>(arena_.size()),
                       static_cast<uint32_t>(text.size()), position};
      arena_.append(text.data(), text.size());
      ++count_;
    }

   private:
    static constexpr uint32_t kEmpty = ~uint32_t{0};
    struct Slot {
      size_t hash = 0;
      uint32_t offset = 0;
      uint32_t size = kEmpty;  // kEmpty: a free slot
      Position position;
    };
    bool Same(const Slot& s, absl::string_view text) const {
      return s.size == text.size() && internal::SameBytes(arena_.data() + s.offset, text.data(), s.size);
    }
    // Fibonacci hashing: the top bits of the product, whatever the hash's
    // low bits do.
    size_t Index(size_t hash) const {
      return static_cast<size_t>((uint64_t{hash} * 0x9E3779B97F4A7C15ull) >>
                                 shift_) & mask_;
    }
    void Grow() {
      const size_t capacity = slots_.empty() ? 1024 : 2 * slots_.size();
      internal::HugeVector<Slot> old;
      old.swap(slots_);
      slots_.assign(capacity, Slot{});
      mask_ = capacity - 1;
      shift_ = 64;
      for (size_t c = capacity; c > 1; c >>= 1) --shift_;
      for (const Slot& s : old) {
        if (s.size == kEmpty) continue;
        size_t i = Index(s.hash);
        while (slots_[i].size != kEmpty) i = (i + 1) & mask_;
        slots_[i] = s;
      }
    }

    size_t max_entries_;
    internal::HugeVector<Slot> slots_;  // read at random: huge pages
    std::string arena_;
    size_t count_ = 0;
    size_t mask_ = 0;
    int shift_ = 64;
  };

  // What Accept needs of a row read ahead.
  struct PendingRow {
    size_t line = 0;
    eligibility::DonorFacts facts;
    std::string typing;
    absl::Status status;
  };

  // A row's gene copies as FastIds reads them: split at '^' and '+' and
  // looked up in spellings_ by the chunk's threads (which only read it).
  static constexpr size_t kMaxParts = 2 * kLocusCount;
  struct RowParts {
    // FastIds may take the row: no '~', '|', '?' or '#', at most two
    // positions a block and kLocusCount blocks (more blocks would repeat a
    // locus, which the whole-typing path words).
    bool fast = false;
    uint8_t count = 0;
    std::array<absl::string_view, kMaxParts> part;
    std::array<uint8_t, kMaxParts> block;
    std::array<bool, kMaxParts> known;
    std::array<Position, kMaxParts> found;
    // A part not found: its index in the chunk's compiled_ (Prepare), or
    // kNotCompiled (then FastIds compiles it).
    std::array<uint32_t, kMaxParts> compiled;
    std::array<size_t, kMaxParts> hash;  // HashPart of each part
    // The parts Split's front cache did not have, for Probe.
    uint8_t misses = 0;
    std::array<uint8_t, kMaxParts> miss;
    size_t id_hash = 0;  // DonorStoreBuilder::HashId of the row's id
  };
  static constexpr uint32_t kNotCompiled = ~uint32_t{0};

  // Splits `typing` into *out and looks each part up in the thread's front
  // cache, asking for the table slots of the others (Probe looks them up).
  // Read-only on the ingest's state, so the chunk's threads run it at once;
  // the parts found are cache hits, counted when FastIds uses them.
  void Split(const PendingRow& row, RowParts* out, FrontCache* front) const {
    out->fast = false;
    out->count = 0;
    out->misses = 0;
    if (!row.status.ok()) return;
    out->id_hash = DonorStoreBuilder::HashId(row.facts.id);
    // One pass over the text: positions end at '+' and blocks at '^'; the
    // operators FastIds does not take ('~', '|', '?', '#') send the row to
    // the whole-typing path.
    const absl::string_view typing = row.typing;
    size_t start = 0;
    uint8_t block = 0;
    int n = 0;
    for (size_t i = 0; i <= typing.size(); ++i) {
      const char c = i < typing.size() ? typing[i] : '^';
      if (c != '^' && c != '+') {
        if (c == '~' || c == '|' || c == '?' || c == '#') return;
        continue;
      }
      if (block == kLocusCount || n == 2) return;
      ++n;
      const size_t k = out->count++;
      const absl::string_view part = typing.substr(start, i - start);
      out->part[k] = part;
      out->block[k] = block;
      out->compiled[k] = kNotCompiled;
      const Prehashed key{part, HashPart(part)};
      out->hash[k] = key.hash;
      if (const Position* hit = front->Find(key)) {
        out->known[k] = true;
        out->found[k] = *hit;
      } else {
        // Looked up by Probe, once the row's other misses are asked for.
        out->known[k] = false;
        out->miss[out->misses++] = static_cast<uint8_t>(k);
        spellings_.Prefetch(key.hash);
      }
      start = i + 1;
      if (c == '^') {
        ++block;
        n = 0;
      }
    }
    out->fast = true;
  }

  // Split's second half: the parts its front cache missed, looked up in
  // spellings_ (asked for by Split).
  void Probe(RowParts* out, FrontCache* front) const {
    if (!out->fast) return;
    for (size_t m = 0; m < out->misses; ++m) {
      const size_t k = out->miss[m];
      const Prehashed key{out->part[k], out->hash[k]};
      if (const Position* p = spellings_.Find(key)) {
        out->known[k] = true;
        out->found[k] = *p;
        front->Put(key, *p);
      }
    }
  }

  // The common case without building a Genotype: a typing of '^' blocks
  // of one or two '+' positions ("A*01:01+A*02:XX^B44^..."), each position
  // resolved once per distinct text and interned straight into the store.
  // Anything else (phase '~', genotype lists '|', '?', a GL String Code,
  // an error, a locus twice) takes the whole-typing path, which also words
  // the errors exactly as BuildGenotype does. `parts` is the row split
  // and looked up by Split; positions it did not find are looked up (and
  // interned) now, in input order.
  bool FastIds(const RowParts& parts,
               std::array<std::array<uint32_t, 2>, kLocusCount>* ids,
               uint16_t* once) {
    if (!parts.fast) return false;
    *ids = {};
    *once = 0;
    for (size_t k = 0; k < parts.count;) {
      // By value: a later PositionOf may rehash the cache.
      std::array<Position, 2> two;
      int n = 0;
      const uint8_t block = parts.block[k];
      for (; k < parts.count && parts.block[k] == block; ++k) {
        Position p;
        if (parts.known[k]) {
          ++stats_->cache_hits;
          p = parts.found[k];
        } else if (parts.compiled[k] != kNotCompiled) {
          p = InternCompiled(Prehashed{parts.part[k], parts.hash[k]},
                             parts.compiled[k]);
        } else {
          p = PositionOf(parts.part[k]);
        }
        if (!p.ok) return false;
        two[static_cast<size_t>(n++)] = p;
      }
      if (n == 2 && two[0].locus != two[1].locus) return false;
      const int l = static_cast<int>(two[0].locus);
      if ((*ids)[static_cast<size_t>(l)][0] != 0) return false;
      (*ids)[static_cast<size_t>(l)] = {two[0].id, two[n == 2 ? 1 : 0].id};
      if (n == 1) *once = static_cast<uint16_t>(*once | (1u << l));
    }
    return true;
  }

  // One gene-copy text parsed, resolved and compiled, not yet interned
  // (a pure function of the text and the release, so threads share it out).
  using Compiled = internal::CompiledPosition;

  Position PositionOf(absl::string_view text) {
    const Prehashed key{text, HashPart(text)};
    if (const Position* p = spellings_.Find(key)) {
      ++stats_->cache_hits;
      return *p;
    }
    // The accepting thread's compiler is the first of Prepare's: Prepare is
    // done by the time rows are accepted.
    return Remember(key, compilers_.front().Compile(text));
  }

  // A gene copy the chunk's threads compiled ahead (compiled_[i]): interned
  // the first time a row uses it, in input order, as PositionOf would.
  Position InternCompiled(const Prehashed& text, uint32_t i) {
    if (interned_[i].has_value()) {
      ++stats_->cache_hits;
      return *interned_[i];
    }
    interned_[i] = Remember(text, std::move(compiled_[i]));
    return *interned_[i];
  }

  // Interns `c` and remembers it as the position `text` spells.
  Position Remember(const Prehashed& text, Compiled c) {
    Position p;
    if (c.ok) {
      p.ok = true;
      p.locus = c.locus;
      p.id = builder_.Intern(p.locus, c.typing);
    }
    spellings_.Insert(text, p);
    return p;
  }

  // Runs `work(t)` for t in [0, threads) on that many threads (t = 0 on
  // this one).
  template <typename Work>
  static void OnThreads(size_t threads, const Work& work) {
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (std::thread& th : pool) th.join();
  }

  // A chunk before it is accepted: every row split and looked up (Split),
  // then the gene copies no row found, compiled into compiled_, both on
  // `threads` threads. Only a head start: FastIds interns them in the
  // order one thread would, and compiles anything missed.
  void Prepare(const std::vector<PendingRow>& rows, size_t count,
               size_t threads) {
    compiled_.clear();
    interned_.clear();
    if (parts_.size() < count) parts_.resize(count);
    if (front_.size() < threads) front_.resize(threads);
    while (compilers_.size() < threads) compilers_.emplace_back(&resolver_);
    // Rows [lo, hi) split and looked up with thread t's front cache.
    auto split = [&](size_t lo, size_t hi, size_t t) {
      for (size_t r = lo; r < hi; ++r) {
        // The reading thread wrote the rows on the other core: ask for a
        // later row's text while this one is split (its first touch was a
        // fifth of Split's time).
        if (r + kPrefetchRows < hi) {
          const std::string& ahead = rows[r + kPrefetchRows].typing;
          for (size_t b = 0; b < ahead.size(); b += 64) {
            internal::PrefetchLine(ahead.data() + b);
          }
        }
        Split(rows[r], &parts_[r], &front_[t]);
        // The row before's misses, asked for a row ago.
        if (r > lo) Probe(&parts_[r - 1], &front_[t]);
      }
      if (hi > lo) Probe(&parts_[hi - 1], &front_[t]);
    };
    // Blocks of rows taken in turn (see the compile below).
    const size_t split_threads = count >= 256 ? threads : 1;
    std::atomic<size_t> next_row{0};
    OnThreads(split_threads, [&](size_t t) {
      constexpr size_t kBlock = 256;
      for (size_t lo; (lo = next_row.fetch_add(kBlock)) < count;) {
        split(lo, std::min(lo + kBlock, count), t);
      }
    });
    if (threads < 2) return;
    std::vector<absl::string_view> todo;
    absl::flat_hash_map<absl::string_view, uint32_t> seen;
    for (size_t r = 0; r < count; ++r) {
      RowParts& p = parts_[r];
      if (!p.fast) continue;
      for (size_t k = 0; k < p.count; ++k) {
        if (p.known[k]) continue;
        auto [it, added] =
            seen.emplace(p.part[k], static_cast<uint32_t>(todo.size()));
        if (added) todo.push_back(p.part[k]);
        p.compiled[k] = it->second;
      }
    }
    if (todo.size() < 2 * threads) {
      // Not worth the threads: FastIds compiles them.
      for (size_t r = 0; r < count; ++r) parts_[r].compiled.fill(kNotCompiled);
      return;
    }
    std::vector<Compiled>& done = compiled_;
    done.resize(todo.size());
    interned_.assign(todo.size(), std::nullopt);
    // Taken a few at a time: a spelling costs from a microsecond (a name)
    // to a millisecond (an XX code of thousands of alleles), and the
    // reading thread takes a core now and then, so fixed shares would
    // leave one thread waiting for the other.
    std::atomic<size_t> next{0};
    OnThreads(threads, [&](size_t t) {
      internal::PositionCompiler& compiler = compilers_[t];
      constexpr size_t kBatch = 8;
      for (size_t lo; (lo = next.fetch_add(kBatch)) < todo.size();) {
        const size_t hi = std::min(lo + kBatch, todo.size());
        for (size_t i = lo; i < hi; ++i) done[i] = compiler.Compile(todo[i]);
      }
    });
  }

  void Accept(size_t line, const eligibility::DonorFacts& facts,
              const std::string& typing, const RowParts& parts) {
    std::array<std::array<uint32_t, 2>, kLocusCount> ids;
    uint16_t once;
    if (FastIds(parts, &ids, &once)) {
      ++stats_->rows;
      ++stats_->accepted;
      builder_.AddIds(facts, ids, once, parts.id_hash);
      Tick();
      return;
    }
    const Resolved& r = cache_.Get(typing, &stats_->cache_hits);
    if (!r.genotype) {
      Reject(absl::StrCat(name_, ":", line, ": typing '", typing, "': ",
                          r.error));
      return;
    }
    ++stats_->rows;
    ++stats_->accepted;
    builder_.Add(facts, *r.genotype, typing);
    Tick();
  }

  void Tick() {
    if (progress_ && (stats_->rows & 0xFFFF) == 0) progress_(stats_->rows, 0);
  }

  // Every format through registry/donor_file.h, without a resolver and with
  // the glstring unparsed: Accept parses and resolves each distinct gene
  // copy once.
  absl::Status Read(std::istream* in, TableFormat format) {
    DonorFileOptions fo;
    fo.format = format;
    fo.max_row_bytes = options_.max_row_bytes;
    fo.id_column = options_.id_column;
    fo.parse_typings = false;
    absl::StatusOr<std::unique_ptr<DonorFileReader>> reader =
        DonorFileReader::FromStream(in, name_, nullptr, fo);
    if (!reader.ok()) return reader.status();
    const size_t threads = static_cast<size_t>(ThreadsFor(options_.threads));
    // One record for the reader (a DonorRecord holds a Genotype, kilobytes
    // that ingest never fills), the chunk in light rows.
    DonorRecord rec;
    absl::Status status;
    auto fill = [&](std::vector<PendingRow>* rows) {
      size_t count = 0;
      while (count < kChunkRows && ordinal_ < options_.end_row &&
             (*reader)->Next(&rec, &status)) {
        // A row outside [first_row, end_row) (a shard): skipped, counted
        // nowhere.
        if (ordinal_++ < options_.first_row) {
          status = absl::OkStatus();
          continue;
        }
        PendingRow& row = (*rows)[count++];
        row.line = rec.line;
        row.facts = std::move(rec.facts);
        row.typing.swap(rec.typing);
        row.status = std::move(status);
        status = absl::OkStatus();
      }
      return count;
    };
    // Two chunks: while one is compiled and accepted, a thread reads the
    // next (the reader is a sequential state machine; it was half of the
    // single-thread time). Only that thread touches the reader meanwhile.
    std::array<std::vector<PendingRow>, 2> rows;
    rows[0].resize(kChunkRows);
    rows[1].resize(kChunkRows);
    const bool timed = options_.deadline != absl::InfiniteFuture();
    size_t read = 0;
    size_t cur = 0;
    size_t count = fill(&rows[0]);
    if (count == kChunkRows) ReserveFor(in);
    while (count > 0) {
      const bool more = count == kChunkRows;
      size_t next_count = 0;
      Joiner ahead;
      if (more) {
        ahead.t = std::thread([&, next = &rows[1 - cur]] { next_count = fill(next); });
      }
      Prepare(rows[cur], count, threads);
      for (size_t r = 0; r < count; ++r) {
        if (timed && ++read % 1024 == 0 && absl::Now() > options_.deadline) {
          return absl::DeadlineExceededError(absl::StrCat(
              name_, ": reading the donors passed the deadline after ", read,
              " rows"));
        }
        // The id table's line for a row some rows on (its duplicate check
        // and insert were a cache miss each).
        if (r + kPrefetchIds < count) {
          builder_.PrefetchId(parts_[r + kPrefetchIds].id_hash);
        }
        AcceptRow(rows[cur][r], parts_[r]);
      }
      if (!more) break;
      ahead.t.join();
      cur = 1 - cur;
      count = next_count;
    }
    compiled_.clear();
    interned_.clear();
    return absl::OkStatus();
  }

  // Room in the store for every row of the input (DonorStoreBuilder::
  // Reserve), from its size and the bytes its first rows took: without it
  // the records, the id index and the typing columns grow by doubling,
  // copied and rehashed as they go. Only for a file of known size whose
  // position the stream tells (a gzip file's compressed size says too few
  // rows: the store then grows past them as without a hint).
  void ReserveFor(std::istream* in) {
    if (input_bytes_ == 0 || ordinal_ == 0) return;
    const std::streamoff at = in->tellg();
    if (at <= 0) {
      in->clear(in->rdstate() & ~std::ios_base::failbit);
      return;
    }
    const double per_row = static_cast<double>(at) / static_cast<double>(ordinal_);
    size_t rows = static_cast<size_t>(static_cast<double>(input_bytes_) / per_row);
    rows = std::min(rows, options_.end_row);
    if (rows <= options_.first_row) return;
    rows -= options_.first_row;
    rows += rows / 32;  // rows vary: a little more rather than one growth
    // A file whose first rows are short and the others long is taken for
    // more rows than it has: the id index's room is memory written (the
    // other arrays' only reserved), so the hint stops at 2^25 rows (an id
    // index of 512 MB); a larger registry grows past it.
    constexpr size_t kMaxReserve = size_t{1} << 25;
    rows = std::min(rows, kMaxReserve);
    builder_.Reserve(rows);
    stats_->reserved_rows = rows;
  }

  static constexpr size_t kPrefetchRows = 4;
  static constexpr size_t kPrefetchIds = 8;

  // Rows read ahead of accepting them: a chunk's new gene copies are
  // compiled on every thread at once.
  static constexpr size_t kChunkRows = 4096;

  void AcceptRow(const PendingRow& rec, const RowParts& parts) {
    {
      if (!rec.status.ok()) {
        Reject(std::string(rec.status.message()));
        return;
      }
      // An id names one donor (as in `match`): a second row with it is
      // rejected, naming the first, never ranked twice.
      if (std::optional<size_t> first = builder_.IndexOf(rec.facts.id, parts.id_hash)) {
        Reject(absl::StrCat(name_, ":", rec.line, ": donor id '",
                            rec.facts.id, "' is used twice (first on line ",
                            lines_[*first], ")"));
        return;
      }
      const size_t before = builder_.size();
      Accept(rec.line, rec.facts, rec.typing, parts);
      if (builder_.size() > before) lines_.push_back(static_cast<uint32_t>(rec.line));
    }
  }

  absl::StatusOr<DonorStore> Finish() && { return std::move(builder_).Finish(); }
  void set_input_bytes(size_t bytes) { input_bytes_ = bytes; }

 private:
  std::string name_;
  const data::Resolver& resolver_;
  const IngestOptions& options_;
  const RejectFn& on_reject_;
  IngestStats* stats_;
  const ProgressFn& progress_;
  ResolveCache cache_;
  DonorStoreBuilder builder_;
  std::vector<uint32_t> lines_;  // per accepted donor, its line (messages)
  size_t ordinal_ = 0;  // data rows the reader has given so far
  size_t input_bytes_ = 0;  // the input file's size, 0 unknown (ReserveFor)
  SpellingTable spellings_;
  // One per Split thread (Prepare's t).
  std::vector<FrontCache> front_;
  // One per compiling thread (Prepare's t); never empty (PositionOf uses
  // the first).
  std::vector<internal::PositionCompiler> compilers_;
  // This chunk's rows split and looked up, and its new gene copies
  // compiled ahead (Prepare).
  std::vector<RowParts> parts_;
  std::vector<Compiled> compiled_;
  std::vector<std::optional<Position>> interned_;  // by compiled_ index
};

// The name decides before the reader's content sniffing ('{' is JSON
// Lines, a tab in the header TSV), ".gz" aside.
TableFormat FormatFor(const std::string& name, const IngestOptions& options) {
  const absl::string_view base = StripGz(name);
  switch (options.format) {
    case DonorInputFormat::kCsv: return TableFormat::kCsv;
    case DonorInputFormat::kTsv: return TableFormat::kTsv;
    case DonorInputFormat::kJsonLines: return TableFormat::kJsonLines;
    case DonorInputFormat::kAuto:
      break;
  }
  if (absl::EndsWithIgnoreCase(base, ".jsonl") ||
      absl::EndsWithIgnoreCase(base, ".ndjson")) {
    return TableFormat::kJsonLines;
  }
  if (absl::EndsWithIgnoreCase(base, ".tsv") ||
      absl::EndsWithIgnoreCase(base, ".tab")) {
    return TableFormat::kTsv;
  }
  return TableFormat::kAuto;
}

absl::StatusOr<DonorStore> IngestImpl(std::istream* in, const std::string& name,
                                      const data::Resolver& resolver,
                                      const IngestOptions& options,
                                      const RejectFn& on_reject,
                                      IngestStats* stats,
                                      const ProgressFn& progress,
                                      size_t input_bytes = 0) {
  IngestStats local;
  if (stats == nullptr) stats = &local;
  const auto start = std::chrono::steady_clock::now();
  Ingest ingest(name, resolver, options, on_reject, stats, progress);
  ingest.set_input_bytes(input_bytes);
  const absl::Status s = ingest.Read(in, FormatFor(name, options));
  if (!s.ok()) return s;
  stats->seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
  return std::move(ingest).Finish();
}

}  // namespace

absl::StatusOr<DonorStore> IngestDonorStream(std::istream* in,
                                             const std::string& name,
                                             const data::Resolver& resolver,
                                             const IngestOptions& options,
                                             const RejectFn& on_reject,
                                             IngestStats* stats,
                                             const ProgressFn& progress) {
  return IngestImpl(in, name, resolver, options, on_reject, stats, progress);
}

namespace {

// Runs `read` on `path` opened through zlib (gzip inflated, other bytes
// passed through), then says whether the gzip data was lost: checked
// before `read`'s own verdict, since a stream that fails at once (a bad CRC
// on a file that fits one read) looks like an empty file. `rows` (read by
// `read`) goes in the message.
template <typename T, typename Read>
absl::StatusOr<T> ReadGz(const std::string& path, const size_t* rows,
                         Read read) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("cannot open donor file '", path, "'"));
  }
  gzbuffer(f, 1 << 17);
  GzStreamBuf buf(f);
  std::istream in(&buf);
  absl::StatusOr<T> result = read(&in);
  if (buf.failed()) {
    return absl::DataLossError(absl::StrCat(
        path, ": truncated or corrupt gzip data after ", *rows,
        " rows; the rows after them are lost (gzip -t tells)"));
  }
  return result;
}

}  // namespace

absl::StatusOr<DonorStore> IngestDonorFile(const std::string& path,
                                           const data::Resolver& resolver,
                                           const IngestOptions& options,
                                           const RejectFn& on_reject,
                                           IngestStats* stats,
                                           const ProgressFn& progress) {
  IngestStats local;
  if (stats == nullptr) stats = &local;
  // Its size before it is read: a hint for the store's room (ReserveFor).
  size_t bytes = 0;
  {
    std::unique_ptr<FILE, int (*)(FILE*)> fp(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (fp != nullptr && std::fseek(fp.get(), 0, SEEK_END) == 0) {
      const long at = std::ftell(fp.get());
      if (at > 0) bytes = static_cast<size_t>(at);
    }
  }
  absl::StatusOr<DonorStore> store = ReadGz<DonorStore>(
      path, &stats->rows, [&](std::istream* in) {
        return IngestImpl(in, path, resolver, options, on_reject, stats,
                          progress, bytes);
      });
  if (!store.ok()) return store.status();
  stats->input_bytes = bytes;
  return store;
}

absl::StatusOr<size_t> CountDonorRows(const std::string& path,
                                      const IngestOptions& options) {
  size_t rows = 0;
  return ReadGz<size_t>(path, &rows, [&](std::istream* in) -> absl::StatusOr<size_t> {
    DonorFileOptions fo;
    fo.format = FormatFor(path, options);
    fo.max_row_bytes = options.max_row_bytes;
    fo.id_column = options.id_column;
    fo.parse_typings = false;
    absl::StatusOr<std::unique_ptr<DonorFileReader>> reader =
        DonorFileReader::FromStream(in, path, nullptr, fo);
    if (!reader.ok()) return reader.status();
    DonorRecord rec;
    absl::Status status;
    while ((*reader)->Next(&rec, &status)) ++rows;
    return rows;
  });
}

RowRange ShardRows(size_t rows, size_t k, size_t n) {
  // floor(rows * i / n) without the product, which could overflow:
  // (rows % n) * i < n * n.
  const auto at = [&](size_t i) { return rows / n * i + rows % n * i / n; };
  return {at(k), at(k + 1)};
}

}  // namespace hla::registry
