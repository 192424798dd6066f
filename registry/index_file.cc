// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The index file of a DonorStore (docs/ranking.md, "Index file"):
//
//   header, 64 bytes, little-endian:
//     0  magic "HMDONRS\n"           8  format version (u32)
//     12 header size = 64 (u32)      16 payload size (u64)
//     24 payload CRC-32 (zlib, u32)  28 flags (u32; bit 0: 32-bit ids)
//     32 IPD-IMGT/HLA release, NUL-padded (16 bytes)
//     48 imputation section size (u64; 0: none)
//     56 its CRC-32 (u32)            60 zero (u32)
//   payload, every section starting at a multiple of 8 from the file start:
//     u64 donors, u32 stored loci, u32 0, the loci (one byte each)
//     typing ids   donors x 2 x loci x (2 or 4 bytes)
//     facts        donors x u64
//     id offsets   (donors + 1) x u32, then u64 arena size and the id text
//     populations  u64 present (0 or 1), then donors bytes (0 unknown, 1 +
//                  data::Population)
//     dictionaries per stored locus: u64 entries (entry 0 included), u64
//                  words, u64 text bytes, then the arrays of
//                  registry/internal/dictionary.h each 8-aligned: the
//                  words, the entry offsets and the text offsets
//                  (entries + 1 x u32 each), the text
//     fallback     u64 count, then per donor u32 index, u32 size, GL String
//   imputation section (after the payload, its own size and checksum in
//   the header, so that a load that does not need it neither reads nor
//   checks it: a third of a 10M-donor index):
//     u64 the imputer's fingerprint, u64 its haplotype count, u64 runs,
//     u64 words, each donor's run as the offset of its first word (donors
//     x u32), the words (u16 each): each distinct run once, as its length
//     and then the run of registry/internal/imputations.h
// The file is read whole into memory and the per-donor arrays are used in
// place there. Not a mapping: a file truncated or rewritten in place under
// a mapping raises SIGBUS, or changes the donors of a running scan; a copy
// cannot change. Every section, offset and facts word is checked at load
// (a crafted file can carry a valid checksum). WriteIndex writes a
// temporary file and renames it over the target, so a reader sees the old
// index or the new one, never a part. The
// dictionaries are used in place, derived fields included (recomputing
// them with CompilePosition took seconds for a registry with 300k distinct
// typings; decoding them into PositionTyping objects, a second per million
// entries): only validated at load. So kIndexFormatVersion must change
// whenever the meaning of a PositionTyping field changes; the release check
// covers the ids.
// Fallback typings are parsed again.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <thread>
#include <deque>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "registry/ingest.h"
#include "registry/internal/imputations.h"
#include "registry/internal/joiner.h"
#include "registry/internal/store_data.h"
#include "parser/parse.h"

namespace hla::registry {

struct StoreAccess {
  static internal::StoreData& Mut(DonorStore& s) { return *s.data_; }
  static std::string& release(DonorStore& s) { return s.data_->release_; }
  static std::vector<Locus>& loci(DonorStore& s) { return s.data_->loci_; }
  static std::array<int, kLocusCount>& slot_of(DonorStore& s) {
    return s.data_->slot_of_;
  }
  static std::vector<internal::Dictionary>& dicts(DonorStore& s) {
    return s.data_->dictionaries_;
  }
  static void SetArrays(DonorStore& s, size_t n, const void* ids, bool wide,
                        const uint64_t* facts, const uint32_t* offsets,
                        const char* arena, std::shared_ptr<const void> backing) {
    internal::StoreData& d = *s.data_;
    d.size_ = n;
    d.ids16_ = wide ? nullptr : static_cast<const uint16_t*>(ids);
    d.ids32_ = wide ? static_cast<const uint32_t*>(ids) : nullptr;
    d.facts_ = facts;
    d.id_offsets_ = offsets;
    d.id_arena_ = arena;
    d.backing_ = std::move(backing);
  }
  static absl::flat_hash_map<uint32_t, matcher::Genotype>& fallback(DonorStore& s) {
    return s.data_->fallback_;
  }
  static std::vector<std::pair<uint32_t, std::string>>& fallback_text(
      DonorStore& s) {
    return s.data_->fallback_text_;
  }
};

namespace {

constexpr char kMagic[8] = {'H', 'M', 'D', 'O', 'N', 'R', 'S', '\n'};
constexpr size_t kHeaderSize = 64;
constexpr size_t kReleaseBytes = 16;  // the release name, NUL-padded

// The payload as a list of parts: large arrays are referenced where the
// store holds them (not copied: a 10M-donor index is most of a gigabyte),
// small fields are copied into buffers of their own. REQUIRES: what Raw
// references outlives Parts().
class Writer {
 public:
  // `base`: the file offset the writer's first byte goes to (alignment is
  // from the file start).
  explicit Writer(size_t base = kHeaderSize) : base_(base) {}
  void Raw(const void* p, size_t n) {
    if (n == 0) return;
    const char* c = static_cast<const char*>(p);
    if (n >= 4096) {
      parts_.push_back({c, n, false});
    } else {
      if (parts_.empty() || !parts_.back().owned) {
        small_.emplace_back();
        parts_.push_back({nullptr, small_.size() - 1, true});
      }
      small_.back().append(c, n);
    }
    size_ += n;
  }
  template <typename T>
  void Put(T v) {
    Raw(&v, sizeof v);
  }
  void Align() {
    static constexpr char kZeros[8] = {};
    if ((base_ + size_) % 8 != 0) Raw(kZeros, 8 - (base_ + size_) % 8);
  }
  uint64_t size() const { return size_; }
  // (data, size) of each part, in order. Valid until the next Raw.
  std::vector<std::pair<const char*, size_t>> Parts() const {
    std::vector<std::pair<const char*, size_t>> out;
    for (const Part& p : parts_) {
      if (p.owned) {
        const std::string& b = small_[p.size];
        out.emplace_back(b.data(), b.size());
      } else {
        out.emplace_back(p.data, p.size);
      }
    }
    return out;
  }

 private:
  struct Part {
    const char* data;
    size_t size;  // bytes, or for an owned part the index in small_
    bool owned;
  };
  std::vector<Part> parts_;
  std::deque<std::string> small_;
  uint64_t size_ = 0;
  size_t base_;
};

class Reader {
 public:
  Reader(const char* p, size_t n) : p_(p), n_(n) {}
  bool Raw(size_t n, const char** out) {
    if (n > n_ - pos_) return false;
    *out = p_ + pos_;
    pos_ += n;
    return true;
  }
  template <typename T>
  bool Get(T* v) {
    const char* p;
    if (!Raw(sizeof(T), &p)) return false;
    std::memcpy(v, p, sizeof(T));
    return true;
  }
  bool Align() {
    while ((kHeaderSize + pos_) % 8 != 0) {
      if (pos_ >= n_) return false;
      ++pos_;
    }
    return true;
  }
  size_t left() const { return n_ - pos_; }

 private:
  const char* p_;
  size_t n_;
  size_t pos_ = 0;
};

using internal::Joiner;

// Below this many bytes a check runs inline: a thread costs more.
constexpr uint64_t kParallelBytes = uint64_t{1} << 22;

// The index's bytes, page-aligned (so 8-aligned for the u64 arrays); the
// store keeps it. (Transparent huge pages were tried: faster when the
// kernel has free huge pages, seconds slower when it must compact memory
// first; not asked for.)
struct Buffer {
  void* mem = MAP_FAILED;
  size_t mapped = 0;
  size_t size = 0;
  Buffer() = default;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() {
    if (mem != MAP_FAILED) ::munmap(mem, mapped);
  }
  const char* data() const { return static_cast<const char*>(mem); }
};

// A byte range of the file whose CRC-32 ReadPrefix computes as it reads.
struct Summed {
  size_t begin = 0, end = 0;
  uint32_t crc = 0;  // of [begin, end), set by ReadPrefix
};

// Reads the first `size` bytes of `fd`, a file of `file_size` bytes, into a
// new buffer, and the CRC-32 of each range of *sums (each within `size`).
// DataLossError when the file ends sooner or goes on past file_size (it
// changed while read); ResourceExhaustedError when memory for it cannot be
// had.
absl::StatusOr<std::shared_ptr<Buffer>> ReadPrefix(int fd, size_t size, size_t file_size,
                                                   const std::string& path,
                                                   std::vector<Summed>* sums) {
  auto b = std::make_shared<Buffer>();
  b->mapped = size + 8;
  b->mem = ::mmap(nullptr, b->mapped, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (b->mem == MAP_FAILED) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "index '", path, "': no memory for its ", size, " bytes"));
  }
  b->size = size;
  char* p = static_cast<char*>(b->mem);
  // The CRC of each summed range's part within [from, to), per reader.
  using Parts = std::vector<uLong>;
  // Bytes [from, to) at their offsets, each chunk summed right after it is
  // read, while it is in the cache (a separate pass over 780 MB read them
  // all from memory again, on a third thread beside the checks); false
  // when the file ends sooner.
  auto read_range = [fd, p, sums](size_t from, size_t to, Parts* crcs) {
    crcs->assign(sums->size(), crc32_z(0L, Z_NULL, 0));
    auto sum = [&](size_t a, size_t b) {
      for (size_t k = 0; k < sums->size(); ++k) {
        const size_t lo = std::max(a, (*sums)[k].begin), hi = std::min(b, (*sums)[k].end);
        if (lo < hi) {
          (*crcs)[k] = crc32_z((*crcs)[k], reinterpret_cast<const Bytef*>(p + lo), hi - lo);
        }
      }
    };
#ifdef MADV_POPULATE_WRITE
    // The range's fresh pages faulted in by one call (Linux 5.14 on; an
    // older kernel refuses it and pread faults them one by one, as
    // before): 10M index, 780 MB, load 0.60 -> 0.55 s.
    if (to - from >= kParallelBytes) {
      const size_t page = 4096;
      const size_t first = from / page * page;
      ::madvise(p + first, (to - first + page - 1) / page * page, MADV_POPULATE_WRITE);
    }
#endif
    constexpr size_t kChunk = size_t{1} << 18;  // within L2
    while (from < to) {
      const size_t want = std::min(to - from, kChunk);
      const ssize_t got = ::pread(fd, p + from, want, static_cast<off_t>(from));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      sum(from, from + static_cast<size_t>(got));
      from += static_cast<size_t>(got);
    }
    return true;
  };
  // Each range's CRC from the parts of the readers, in file order.
  auto join = [sums](size_t split, const Parts& first, const Parts& second) {
    for (size_t k = 0; k < sums->size(); ++k) {
      Summed& r = (*sums)[k];
      if (r.end <= split) {
        r.crc = static_cast<uint32_t>(first[k]);
      } else if (r.begin >= split) {
        r.crc = static_cast<uint32_t>(second[k]);
      } else {
        r.crc = static_cast<uint32_t>(crc32_combine64(
            first[k], second[k], static_cast<z_off64_t>(r.end - split)));
      }
    }
  };
  // A large index is read in two halves at once: the copy out of the page
  // cache (and the faults on fresh memory) is CPU work the kernel does on
  // the reading thread.
  bool ok = true;
  Parts first_crcs, second_crcs;
  if (size >= kParallelBytes) {
    bool first = true;
    {
      Joiner half;
      half.t = std::thread([&] { first = read_range(0, size / 2, &first_crcs); });
      ok = read_range(size / 2, size, &second_crcs);
    }
    ok = ok && first;
    join(size / 2, first_crcs, second_crcs);
  } else {
    ok = read_range(0, size, &first_crcs);
    join(size, first_crcs, second_crcs);
  }
  if (!ok) {
    return absl::DataLossError(absl::StrCat(
        "index '", path, "' changed while read (shorter than ", size,
        " bytes); rebuild it with haplomatch index"));
  }
  char extra;
  ssize_t more;
  do {
    more = ::pread(fd, &extra, 1, static_cast<off_t>(file_size));
  } while (more < 0 && errno == EINTR);
  if (more > 0) {
    return absl::DataLossError(absl::StrCat(
        "index '", path, "' changed while read (longer than ", file_size,
        " bytes); rebuild it with haplomatch index"));
  }
  return b;
}

// Writes `parts` to a temporary file beside `path`, flushed to disk, and
// renames it over `path`. The error names the path and the system's reason.
absl::Status WriteReplacing(
    const std::string& path,
    const std::vector<std::pair<const char*, size_t>>& parts) {
  const std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  auto fail = [&](absl::string_view what) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return absl::InternalError(absl::StrCat("cannot write index '", path,
                                            "': ", what, ": ", why));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                        0644);
  if (fd < 0) {
    const std::string why = std::strerror(errno);
    return absl::InternalError(absl::StrCat("cannot write index '", path,
                                            "': ", tmp, ": ", why));
  }
  for (const auto& [data, size] : parts) {
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::write(fd, data + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return fail("write");
      }
      done += static_cast<size_t>(n);
    }
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("fsync");
  }
  if (::close(fd) != 0) return fail("close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename");
  return absl::OkStatus();
}


absl::StatusOr<DonorStore> ParsePayload(
    const char* payload, uint64_t psize, const char* imp, uint64_t isize, uint32_t flags,
    const std::string& release, const data::Resolver& resolver,
    std::shared_ptr<Buffer> map,
    const std::function<absl::Status(absl::string_view)>& corrupt);

}  // namespace

bool IsIndexFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char m[8];
  return in.read(m, 8) && std::memcmp(m, kMagic, 8) == 0;
}

namespace {

// The CRC-32 of the parts' bytes in order. A large section is summed in
// two halves at once and the halves' CRCs combined (the 10M index's 780 MB
// took most of a second on one thread before its write).
uint32_t CrcOfParts(const std::vector<std::pair<const char*, size_t>>& parts) {
  size_t total = 0;
  for (const auto& part : parts) total += part.second;
  // The CRC of bytes [from, to) of the parts' concatenation.
  auto crc_of = [&parts](size_t from, size_t to) {
    uLong running = crc32_z(0L, Z_NULL, 0);
    size_t at = 0;
    for (const auto& [p, size] : parts) {
      const size_t lo = std::max(from, at), hi = std::min(to, at + size);
      if (lo < hi) {
        running = crc32_z(running, reinterpret_cast<const Bytef*>(p + (lo - at)), hi - lo);
      }
      at += size;
    }
    return running;
  };
  if (total < kParallelBytes) return static_cast<uint32_t>(crc_of(0, total));
  uLong first = 0, second = 0;
  {
    Joiner half;
    half.t = std::thread([&] { second = crc_of(total / 2, total); });
    first = crc_of(0, total / 2);
  }
  return static_cast<uint32_t>(
      crc32_combine64(first, second, static_cast<z_off64_t>(total - total / 2)));
}

}  // namespace

absl::Status WriteIndex(const DonorStore& store, const std::string& path) {
  const internal::StoreData& data = store.data();
  Writer w;
  const size_t n = store.size();
  w.Put<uint64_t>(n);
  w.Put<uint32_t>(static_cast<uint32_t>(data.loci().size()));
  w.Put<uint32_t>(0);
  for (Locus l : data.loci()) w.Put<uint8_t>(static_cast<uint8_t>(l));
  w.Align();
  const size_t ids = n * data.stride();
  if (data.wide_ids()) {
    if (ids > 0) w.Raw(data.ids32(), ids * 4);
  } else if (ids > 0) {
    w.Raw(data.ids16(), ids * 2);
  }
  w.Align();
  if (n > 0) w.Raw(data.facts_words(), n * 8);
  // The store's id offsets start at 0 and end at its arena's size (the
  // builder makes them so; LoadIndex checks it): written as they are.
  const uint32_t zero_offset = 0;
  w.Raw(n > 0 ? data.id_offsets_ : &zero_offset, (n + 1) * 4);
  w.Align();
  const uint64_t arena_size = n > 0 ? data.id_offsets_[n] : 0;
  w.Put<uint64_t>(arena_size);
  w.Raw(data.id_arena_, arena_size);
  w.Align();
  const bool populations = data.populations_ != nullptr && n > 0;
  w.Put<uint64_t>(populations ? 1 : 0);
  if (populations) w.Raw(data.populations_, n);
  w.Align();
  for (size_t s = 0; s < data.loci().size(); ++s) {
    const internal::Dictionary& dict = data.dictionary(static_cast<int>(s));
    w.Put<uint64_t>(dict.size());
    w.Put<uint64_t>(dict.word_count());
    w.Put<uint64_t>(dict.text_size());
    w.Raw(dict.words(), dict.word_count() * 4);
    w.Align();
    w.Raw(dict.entry_offsets(), (dict.size() + 1) * 4);
    w.Align();
    w.Raw(dict.text_offsets(), (dict.size() + 1) * 4);
    w.Align();
    w.Raw(dict.text_data(), dict.text_size());
    w.Align();
  }
  w.Align();
  w.Put<uint64_t>(data.fallback_texts().size());
  for (const auto& [index, text] : data.fallback_texts()) {
    w.Put<uint32_t>(index);
    w.Put<uint32_t>(static_cast<uint32_t>(text.size()));
    w.Raw(text.data(), text.size());
  }
  w.Align();

  // The imputation section, after the payload.
  const uint64_t psize = w.size();
  Writer wi(kHeaderSize + psize);
  if (data.has_imputations()) {
    const uint64_t runs = data.imputation_run_count_;
    const uint64_t words = data.imputation_word_count_;
    wi.Put<uint64_t>(data.imputation_fingerprint_);
    wi.Put<uint64_t>(data.imputation_haplotypes_);
    wi.Put<uint64_t>(runs);
    wi.Put<uint64_t>(words);
    wi.Raw(data.imputation_starts_, n * 4);
    wi.Align();
    if (words > 0) wi.Raw(data.imputation_words_, words * 2);
    wi.Align();
  }
  if (store.release().size() >= kReleaseBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot write index '", path, "': the release name '", store.release(),
        "' is longer than ", kReleaseBytes - 1, " characters"));
  }
  char header[kHeaderSize] = {};
  std::memcpy(header, kMagic, 8);
  const uint32_t version = kIndexFormatVersion, hsize = kHeaderSize;
  std::vector<std::pair<const char*, size_t>> parts = w.Parts();
  const uint32_t crc = CrcOfParts(parts);
  const std::vector<std::pair<const char*, size_t>> iparts = wi.Parts();
  const uint64_t isize = wi.size();
  const uint32_t icrc = isize > 0 ? CrcOfParts(iparts) : 0;
  const uint32_t flags = data.wide_ids() ? 1 : 0;
  std::memcpy(header + 8, &version, 4);
  std::memcpy(header + 12, &hsize, 4);
  std::memcpy(header + 16, &psize, 8);
  std::memcpy(header + 24, &crc, 4);
  std::memcpy(header + 28, &flags, 4);
  std::memcpy(header + 32, store.release().data(), store.release().size());
  std::memcpy(header + 48, &isize, 8);
  std::memcpy(header + 56, &icrc, 4);
  parts.insert(parts.begin(), {header, kHeaderSize});
  parts.insert(parts.end(), iparts.begin(), iparts.end());
  return WriteReplacing(path, parts);
}

absl::StatusOr<DonorStore> LoadIndex(const std::string& path,
                                     const data::Resolver& resolver,
                                     const LoadOptions& options) {
  const data::Reference& ref = resolver.reference();
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("cannot open index '", path, "'"));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return absl::NotFoundError(absl::StrCat("cannot stat index '", path, "'"));
  }
  const size_t file_size = static_cast<size_t>(st.st_size);
  auto corrupt = [&](absl::string_view why) {
    return absl::DataLossError(absl::StrCat(
        "index '", path, "' is corrupt: ", why,
        "; rebuild it with haplomatch index"));
  };
  if (file_size < kHeaderSize) {
    ::close(fd);
    return corrupt(absl::StrCat("truncated (", file_size,
                                " bytes, shorter than its header)"));
  }
  char header[kHeaderSize];
  size_t got = 0;
  while (got < kHeaderSize) {
    const ssize_t k = ::pread(fd, header + got, kHeaderSize - got, static_cast<off_t>(got));
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    got += static_cast<size_t>(k);
  }
  if (got < kHeaderSize) {
    ::close(fd);
    return corrupt("truncated while read");
  }
  if (std::memcmp(header, kMagic, 8) != 0) {
    ::close(fd);
    return corrupt("not a haplomatch donor index (bad magic)");
  }
  uint32_t version, hsize, crc, flags, icrc, zero;
  uint64_t psize, isize;
  std::memcpy(&version, header + 8, 4);
  std::memcpy(&hsize, header + 12, 4);
  std::memcpy(&psize, header + 16, 8);
  std::memcpy(&crc, header + 24, 4);
  std::memcpy(&flags, header + 28, 4);
  const std::string release(header + 32, strnlen(header + 32, kReleaseBytes));
  std::memcpy(&isize, header + 48, 8);
  std::memcpy(&icrc, header + 56, 4);
  std::memcpy(&zero, header + 60, 4);
  if (version != kIndexFormatVersion) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "index '", path, "' is stale: format version ", version,
        ", this haplomatch reads version ", kIndexFormatVersion,
        "; rebuild it with haplomatch index"));
  }
  if (release != ref.version()) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        "index '", path, "' is stale: built against IPD-IMGT/HLA ", release,
        ", but ", ref.version(), " is loaded; rebuild it with haplomatch "
        "index (or pass --imgt ", release, ")"));
  }
  if (hsize != kHeaderSize || zero != 0 || psize > file_size || isize > file_size ||
      kHeaderSize + psize + isize != file_size || (isize > 0 && psize % 8 != 0)) {
    // (The writer pads the payload to 8 bytes, so that the imputation
    // section's arrays are aligned; a crafted size is refused here.)
    ::close(fd);
    return corrupt(absl::StrCat("truncated or extended (", file_size,
                                " bytes, the header says ",
                                kHeaderSize + psize + isize, ")"));
  }
  // The imputation section only when asked for.
  const bool imputations = options.imputations && isize > 0;
  // The payload's and the imputation section's checksums, summed as they
  // are read.
  std::vector<Summed> sums(imputations ? 2 : 1);
  sums[0].begin = kHeaderSize;
  sums[0].end = kHeaderSize + psize;
  if (imputations) {
    sums[1].begin = kHeaderSize + psize;
    sums[1].end = kHeaderSize + psize + isize;
  }
  absl::StatusOr<std::shared_ptr<Buffer>> read = ReadPrefix(
      fd, kHeaderSize + psize + (imputations ? isize : 0), file_size, path, &sums);
  ::close(fd);
  if (!read.ok()) return read.status();
  std::shared_ptr<Buffer> map = *std::move(read);
  if (std::memcmp(map->data(), header, kHeaderSize) != 0) {
    return corrupt("changed while read");
  }
  const char* payload = map->data() + kHeaderSize;
  const char* imp = imputations ? payload + psize : nullptr;
  // A checksum mismatch is what is reported when there is one; the checks
  // below never trust the bytes either way (a crafted file can carry a
  // valid checksum).
  if (sums[0].crc != crc) return corrupt("checksum mismatch");
  if (imp != nullptr && sums[1].crc != icrc) {
    return corrupt("checksum mismatch in the imputation section");
  }
  absl::StatusOr<DonorStore> parsed = ParsePayload(
      payload, psize, imp, imp != nullptr ? isize : 0, flags, release, resolver, map, corrupt);
  // What the file holds and this load left unread, for the "all in" figure.
  if (parsed.ok() && imp == nullptr) {
    StoreAccess::Mut(*parsed).unread_imputation_bytes_ = isize;
  }
  return parsed;
}

namespace {

// Whether any of n rows of ids (bound.size() a row) is at or above its
// column's bound: each column's largest id, the rows taken S at a time
// with S a constant, so the compiler keeps the maxima in vector registers
// (10M rows of 10 ids: 0.20 -> 0.0x s against a loop over a runtime width).
template <size_t S, typename Id>
bool IdsOutOfRangeS(const Id* p, uint64_t n, const std::vector<uint32_t>& bound) {
  std::array<Id, S> top{};
  for (uint64_t i = 0; i < n; ++i, p += S) {
    for (size_t k = 0; k < S; ++k) top[k] = std::max(top[k], p[k]);
  }
  for (size_t k = 0; k < S; ++k) {
    if (top[k] >= bound[k]) return true;
  }
  return false;
}

template <typename Id>
bool IdsOutOfRange(const Id* p, uint64_t n, const std::vector<uint32_t>& bound) {
  static_assert(2 * kLocusCount == 22, "a case per stride below");
  switch (bound.size()) {
    case 0: return false;
    case 2: return IdsOutOfRangeS<2>(p, n, bound);
    case 4: return IdsOutOfRangeS<4>(p, n, bound);
    case 6: return IdsOutOfRangeS<6>(p, n, bound);
    case 8: return IdsOutOfRangeS<8>(p, n, bound);
    case 10: return IdsOutOfRangeS<10>(p, n, bound);
    case 12: return IdsOutOfRangeS<12>(p, n, bound);
    case 14: return IdsOutOfRangeS<14>(p, n, bound);
    case 16: return IdsOutOfRangeS<16>(p, n, bound);
    case 18: return IdsOutOfRangeS<18>(p, n, bound);
    case 20: return IdsOutOfRangeS<20>(p, n, bound);
    case 22: return IdsOutOfRangeS<22>(p, n, bound);
    default: return true;  // an odd stride: not a store's
  }
}

absl::StatusOr<DonorStore> ParsePayload(
    const char* payload, uint64_t psize, const char* imp, uint64_t isize, uint32_t flags,
    const std::string& release, const data::Resolver& resolver,
    std::shared_ptr<Buffer> map,
    const std::function<absl::Status(absl::string_view)>& corrupt) {
  const data::Reference& ref = resolver.reference();
  Reader r(payload, psize);
  DonorStore s;
  uint64_t n;
  uint32_t nloci, zero;
  if (!r.Get(&n) || !r.Get(&nloci) || !r.Get(&zero) || nloci > kLocusCount) {
    return corrupt("bad store header");
  }
  StoreAccess::release(s) = release;
  StoreAccess::Mut(s).reference_ = resolver.reference_ptr();
  StoreAccess::slot_of(s).fill(-1);
  for (uint32_t k = 0; k < nloci; ++k) {
    uint8_t l;
    if (!r.Get(&l) || l >= kLocusCount) return corrupt("bad locus");
    StoreAccess::slot_of(s)[l] = static_cast<int>(k);
    StoreAccess::loci(s).push_back(static_cast<Locus>(l));
  }
  const bool wide = flags & 1;
  const char *ids, *facts, *offsets, *arena;
  uint64_t arena_size;
  const uint64_t stride = 2ull * nloci;
  if (n > (psize / 8) || !r.Align() ||
      !r.Raw(n * stride * (wide ? 4 : 2), &ids) || !r.Align() ||
      !r.Raw(n * 8, &facts) || !r.Raw((n + 1) * 4, &offsets) || !r.Align() ||
      !r.Get(&arena_size) || !r.Raw(arena_size, &arena) || !r.Align()) {
    return corrupt("donor arrays out of bounds");
  }
  // Id offsets start at 0, never decrease and end at the arena's size:
  // the ids are read through them without further checks.
  {
    uint32_t prev = 0;
    for (uint64_t i = 0; i <= n; ++i) {
      uint32_t o;
      std::memcpy(&o, offsets + i * 4, 4);
      if ((i == 0 && o != 0) || o < prev || o > arena_size) {
        return corrupt(absl::StrCat("id offset ", i, " out of order"));
      }
      prev = o;
    }
    if (prev != arena_size) return corrupt("id offsets do not match the arena");
  }
  // Populations, and imputations when read: bounds now, the per-donor
  // imputation runs checked on a thread of their own beside the
  // dictionaries (a 10M-donor index has 150M words).
  uint64_t has_populations;
  if (!r.Get(&has_populations) || has_populations > 1) {
    return corrupt("bad population section");
  }
  const char* pops = nullptr;
  if (has_populations == 1) {
    if (!r.Raw(n, &pops) || !r.Align()) return corrupt("populations out of bounds");
  }
  uint64_t fingerprint = 0, haplotypes = 0, runs = 0, words = 0;
  const uint32_t* imp_starts = nullptr;
  const uint16_t* imp_words = nullptr;
  if (imp != nullptr) {
    Reader ri(imp, isize);
    const char *starts_p, *words_p;
    // (Bounds before products: words is at most the section's size, so
    // the byte count below cannot overflow; a run takes two words at
    // least.)
    if (!ri.Get(&fingerprint) || !ri.Get(&haplotypes) || !ri.Get(&runs) ||
        !ri.Get(&words) || haplotypes > 65535 || words > ri.left() / 2 ||
        words > std::numeric_limits<uint32_t>::max() || runs > words / 2 ||
        (n > 0 && runs == 0) || !ri.Raw(n * 4, &starts_p) || !ri.Align() ||
        !ri.Raw(words * 2, &words_p) || !ri.Align() || ri.left() != 0) {
      return corrupt("imputations out of bounds");
    }
    imp_starts = reinterpret_cast<const uint32_t*>(starts_p);
    imp_words = reinterpret_cast<const uint16_t*>(words_p);
  }
  // The first donor whose population code or run offset is bad, and the
  // first bad run (n, runs when none): each run is one EncodeImputation
  // could have written, and each donor's offset the start of one, so the
  // scan decodes it without further checks.
  uint64_t bad_population = n, bad_donor_run = n, bad_imputation = runs;
  bool trailing_words = false;
  auto check_imputations = [&] {
    if (pops != nullptr) {
      for (uint64_t i = 0; i < n; ++i) {
        if (static_cast<uint8_t>(pops[i]) > data::kPopulationCount) {
          bad_population = i;
          break;
        }
      }
    }
    if (imp_starts == nullptr) return;
    // Walk the runs, marking where each starts; then every donor's offset
    // must be such a start.
    std::vector<bool> start(words, false);
    uint64_t at = 0;
    for (uint64_t i = 0; i < runs; ++i) {
      const uint32_t len = at < words ? imp_words[at] : 0;
      bool ok = len > 0 && len < words - at;
      const uint16_t* p = imp_words + at + 1;
      if (ok) {
        start[at] = true;
        at += 1 + len;
        const uint16_t flags = p[0];
        ok = (flags & ~internal::kFlagBitsUsed) == 0;
        if (flags & internal::kImputed) {
          ok = ok && len >= 2 && (len - 2) % 3 == 0 &&
               (len - 2) / 3 <= internal::kMaxStoredPairs && !(flags & internal::kRefused);
          for (uint32_t k = 2; ok && k + 2 < len; k += 3) {
            ok = p[k] < haplotypes && p[k + 1] < haplotypes;
          }
        } else {
          ok = ok && len == 1;
        }
      }
      if (!ok) {
        bad_imputation = i;
        return;
      }
    }
    if (at != words) {
      trailing_words = true;
      return;
    }
    for (uint64_t i = 0; i < n; ++i) {
      if (imp_starts[i] >= words || !start[imp_starts[i]]) {
        bad_donor_run = i;
        return;
      }
    }
  };
  Joiner imputation_thread;
  if (words * 2 >= kParallelBytes) {
    imputation_thread.t = std::thread(check_imputations);
  } else {
    check_imputations();
  }
  // Every facts word decodes to values Pack could have written; the donors
  // flagged for full matching are counted for the fallback check below.
  // On a thread of its own for a large index, beside the dictionaries and
  // typing ids.
  size_t flagged = 0;
  uint64_t bad_facts = n;  // the first donor with a bad word, or n
  auto check_facts = [&] {
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t w;
      std::memcpy(&w, facts + i * 8, 8);
      if (!internal::PackedFacts::Valid(w)) {
        bad_facts = i;
        return;
      }
      flagged += (w & internal::PackedFacts::kFactFallback) != 0;
    }
  };
  Joiner facts_thread;
  if (n * 8 >= kParallelBytes) {
    facts_thread.t = std::thread(check_facts);
  } else {
    check_facts();
  }
  auto& dicts = StoreAccess::dicts(s);
  for (uint32_t k = 0; k < nloci; ++k) {
    uint64_t entries, words, text_size;
    const char *wp, *eo, *to, *tp;
    // Each count is bounded by what is left before it is multiplied.
    if (!r.Get(&entries) || !r.Get(&words) || !r.Get(&text_size) ||
        entries == 0 || entries > r.left() / 8 || words > r.left() / 4 ||
        text_size > r.left()) {
      return corrupt(absl::StrCat("bad dictionary size (locus ", k, ")"));
    }
    if (!r.Raw(words * 4, &wp) || !r.Align() ||
        !r.Raw((entries + 1) * 4, &eo) || !r.Align() ||
        !r.Raw((entries + 1) * 4, &to) || !r.Align() ||
        !r.Raw(text_size, &tp) || !r.Align()) {
      return corrupt(absl::StrCat("dictionary ", k, " out of bounds"));
    }
    internal::Dictionary dict(
        entries, reinterpret_cast<const uint32_t*>(wp), words,
        reinterpret_cast<const uint32_t*>(eo),
        reinterpret_cast<const uint32_t*>(to), tp);
    uint32_t last_text;
    std::memcpy(&last_text, to + entries * 4, 4);
    if (last_text != text_size) {
      return corrupt(absl::StrCat("dictionary ", k, ": text size"));
    }
    absl::Status valid =
        dict.Validate(ref.alleles().size(), ref.antigens().size());
    if (!valid.ok()) {
      return corrupt(absl::StrCat("dictionary ", k, ": ", valid.message()));
    }
    dicts.push_back(dict);
  }
  // Every id must name an entry (a flipped bit would otherwise read out of
  // bounds in the scan; the checksum makes this a second line of defence).
  // The section is 8-aligned in a page-aligned buffer.
  {
    std::vector<uint32_t> bound(stride);
    for (uint64_t k = 0; k < stride; ++k) {
      bound[k] = static_cast<uint32_t>(
          std::min<size_t>(dicts[k / 2].size(), UINT32_MAX));
    }
    // Rows [lo, hi).
    auto out_of_range = [&](uint64_t lo, uint64_t hi) {
      return wide ? IdsOutOfRange(reinterpret_cast<const uint32_t*>(ids) + lo * stride,
                                  hi - lo, bound)
                  : IdsOutOfRange(reinterpret_cast<const uint16_t*>(ids) + lo * stride,
                                  hi - lo, bound);
    };
    // In two halves at once for a large index (the facts thread is done
    // by now).
    bool bad = false, bad_first = false;
    if (n * stride * 2 >= kParallelBytes) {
      Joiner half;
      half.t = std::thread([&] { bad_first = out_of_range(0, n / 2); });
      bad = out_of_range(n / 2, n);
    } else {
      bad = out_of_range(0, n);
    }
    bad |= bad_first;
    if (bad) return corrupt("typing id out of range");
  }
  if (facts_thread.t.joinable()) facts_thread.t.join();
  if (bad_facts < n) {
    return corrupt(absl::StrCat("donor ", bad_facts, ": bad facts word"));
  }
  if (!r.Align()) return corrupt("bad padding");
  uint64_t nf;
  if (!r.Get(&nf) || nf > n) return corrupt("bad fallback count");
  for (uint64_t k = 0; k < nf; ++k) {
    uint32_t index, len;
    const char* p;
    if (!r.Get(&index) || !r.Get(&len) || !r.Raw(len, &p) || index >= n) {
      return corrupt("bad fallback donor");
    }
    std::string text(p, len);
    absl::StatusOr<GlString> gl = parser::ParseGlString(text);
    if (!gl.ok()) return corrupt(gl.status().message());
    absl::StatusOr<data::ResolvedTyping> t = resolver.Resolve(*gl);
    if (!t.ok()) return corrupt(t.status().message());
    absl::StatusOr<matcher::Genotype> g = matcher::BuildGenotype(ref, *t);
    if (!g.ok()) return corrupt(g.status().message());
    uint64_t w;
    std::memcpy(&w, facts + size_t{index} * 8, 8);
    if (!(w & internal::PackedFacts::kFactFallback) ||
        !StoreAccess::fallback(s).emplace(index, *std::move(g)).second) {
      return corrupt(absl::StrCat("fallback donor ", index,
                                  " not flagged, or given twice"));
    }
    StoreAccess::fallback_text(s).emplace_back(index, std::move(text));
  }
  // ... and every flagged donor has its fallback typing (the scan asks).
  if (flagged != StoreAccess::fallback(s).size()) {
    return corrupt("a donor flagged for full matching has no typing");
  }
  if (imputation_thread.t.joinable()) imputation_thread.t.join();
  if (bad_population < n) {
    return corrupt(absl::StrCat("donor ", bad_population, ": bad population code"));
  }
  if (bad_imputation < runs) {
    return corrupt(absl::StrCat("imputation run ", bad_imputation, " is bad"));
  }
  if (trailing_words) return corrupt("imputation words past the last run");
  if (bad_donor_run < n) {
    return corrupt(absl::StrCat("donor ", bad_donor_run, ": no such imputation run"));
  }
  if (pops != nullptr) {
    StoreAccess::Mut(s).populations_ = reinterpret_cast<const uint8_t*>(pops);
    StoreAccess::Mut(s).populations_backing_ = map;
  }
  if (imp_starts != nullptr) {
    internal::StoreData& d = StoreAccess::Mut(s);
    d.imputation_fingerprint_ = fingerprint;
    d.imputation_haplotypes_ = haplotypes;
    d.imputation_run_count_ = runs;
    d.imputation_word_count_ = words;
    d.imputation_starts_ = imp_starts;
    d.imputation_words_ = imp_words;
    d.imputation_backing_ = map;
  }
  if (!r.Align() || r.left() != 0) return corrupt("trailing bytes");
  StoreAccess::SetArrays(s, n, ids, wide,
                         reinterpret_cast<const uint64_t*>(facts),
                         reinterpret_cast<const uint32_t*>(offsets), arena,
                         std::move(map));
  return s;
}

}  // namespace
}  // namespace hla::registry
