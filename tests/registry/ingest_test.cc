// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Donor ingest (CSV/TSV/JSON Lines, gzip): every bad-row kind is rejected
// with its line and reason and counted (N = accepted + rejected); the index
// file round-trips and a stale, corrupt or truncated index is refused.
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "impute/impute.h"
#include "registry/ingest.h"
#include "registry/internal/imputations.h"
#include "registry/rank.h"
#include "matcher/internal/position_access.h"
#include "registry/internal/store_data.h"
#include "tests/matcher/match_test_util.h"

namespace hla::registry {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using matcher_test::Geno;
using matcher_test::LoadShipped;

const char kGoodRows[] =
    "id,relationship,birth_date,age,sex,abo,cmv,glstring\n"
    "mother,mother,1954-03-02,,F,A+,pos,A*02:01+A*24:02^B*44:02+B*35:01^"
    "DRB1*04:01+DRB1*11:01\n"
    "son,son,,19,M,A-,neg,A*01:01+A*24:02^B*08:01+B*35:01^DRB1*03:01+"
    "DRB1*11:01\n"
    "sister,sister,1980-07-30,,F,B+,neg,A*01:01+A*02:01^B*08:01+B*44:02^"
    "DRB1*03:01+DRB1*04:01\n";

// One row of each bad kind, with the text its rejection must mention.
struct BadRow {
  std::string row;
  std::string why;
};
const std::vector<BadRow>& BadRows() {
  static const auto* rows = new std::vector<BadRow>{
      {"x1,sibling,1980-01-01,,F,A+,pos", "field"},            // column count
      {",sibling,1980-01-01,,F,A+,pos,A*01:01+A*02:01", "id"},   // missing id
      {"x3,sibling,2023-02-30,,F,A+,pos,A*01:01+A*02:01", "2023-02-30"},
      {"x4,sibling,,abc,F,A+,pos,A*01:01+A*02:01", "abc"},
      {"x5,sibling,1980-01-01,,Q,A+,pos,A*01:01+A*02:01", "Q"},
      {"x6,sibling,1980-01-01,,F,C+,pos,A*01:01+A*02:01", "C+"},
      {"x7,sibling,1980-01-01,,F,A+,maybe,A*01:01+A*02:01", "maybe"},
      {"x8,wizard,1980-01-01,,F,A+,pos,A*01:01+A*02:01", "wizard"},
      {"x9,sibling,1980-01-01,,F,A+,pos,A*01:01++", "offset"},   // parse
      {"x10,sibling,1980-01-01,,F,A+,pos,A*99:99+A*02:01", "A*99:99"},
  };
  return *rows;
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(LoadShipped().error, "");
    dir_ = absl::StrCat(::testing::TempDir(), "/hm_ingest_", ::getpid());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = absl::StrCat(dir_, "/", name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  absl::StatusOr<DonorStore> Ingest(const std::string& path,
                                    std::vector<std::string>* rejects,
                                    IngestStats* stats,
                                    IngestOptions options = {}) {
    return IngestDonorFile(
        path, *LoadShipped().resolver, options,
        [rejects](const std::string& m) { rejects->push_back(m); }, stats);
  }
  // On `threads` threads with a gene-copy memory of `entries`.
  absl::StatusOr<DonorStore> IngestWith(const std::string& path, int threads,
                                        size_t entries,
                                        std::vector<std::string>* rejects,
                                        IngestStats* stats) {
    IngestOptions o;
    o.threads = threads;
    o.position_entries = entries;
    return Ingest(path, rejects, stats, o);
  }

  std::string dir_;
};

TEST_F(IngestTest, EveryBadRowKindIsRejectedWithLineAndReason) {
  std::string text = kGoodRows;
  for (const BadRow& b : BadRows()) absl::StrAppend(&text, b.row, "\n");
  const std::string path = Write("donors.csv", text);
  std::vector<std::string> rejects;
  IngestStats stats;
  absl::StatusOr<DonorStore> s = Ingest(path, &rejects, &stats);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->size(), 3u);
  ASSERT_EQ(rejects.size(), BadRows().size());
  for (size_t i = 0; i < rejects.size(); ++i) {
    SCOPED_TRACE(rejects[i]);
    EXPECT_THAT(rejects[i], HasSubstr(absl::StrCat(path, ":", 5 + i, ":")));
    EXPECT_THAT(rejects[i], HasSubstr(BadRows()[i].why));
  }
  EXPECT_EQ(stats.rows, 3 + BadRows().size());
  EXPECT_EQ(stats.rows, stats.accepted + stats.rejected);
  EXPECT_EQ(s->id(0), "mother");
  EXPECT_EQ(s->id(2), "sister");
}

// index --shard: every row in exactly one shard, contiguous and in order
// (docs/distributed.md), whatever the row count and the shard count.
TEST(ShardRows, ContiguousSlicesCoverEveryRowOnce) {
  for (size_t rows : {size_t{0}, size_t{1}, size_t{7}, size_t{1000},
                      size_t{10000003}, SIZE_MAX / 2}) {
    for (size_t n : {size_t{1}, size_t{2}, size_t{3}, size_t{16}, size_t{4096}}) {
      size_t next = 0;
      for (size_t k = 0; k < n; ++k) {
        const RowRange r = ShardRows(rows, k, n);
        ASSERT_EQ(r.first, next) << rows << " " << k << "/" << n;
        ASSERT_LE(r.first, r.end);
        // Balanced: sizes differ by at most one row.
        ASSERT_LE(r.end - r.first, rows / n + 1);
        ASSERT_GE(r.end - r.first, rows / n);
        next = r.end;
      }
      ASSERT_EQ(next, rows) << rows << " /" << n;
    }
  }
}

// A row range reads only those rows (rejected ones counted in the range,
// nowhere else); CountDonorRows counts what the reader gives, bad rows too.
TEST_F(IngestTest, RowRangeReadsOnlyItsRowsAndCountIncludesBadOnes) {
  std::string text = kGoodRows;
  text += BadRows()[9].row + "\n";  // data row 3 (from 0): rejected
  text += "aunt,other,1950-01-01,,F,O+,neg,A*03:01+A*11:01\n";
  const std::string path = Write("d.csv", text);
  absl::StatusOr<size_t> rows = CountDonorRows(path, {});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, 5u);
  struct Case {
    size_t first, end;
    std::vector<std::string> ids;
    size_t rejected;
  };
  for (const Case& c : {Case{0, 2, {"mother", "son"}, 0},
                        Case{2, 5, {"sister", "aunt"}, 1},
                        Case{3, 4, {}, 1},
                        Case{4, 99, {"aunt"}, 0},
                        Case{0, SIZE_MAX, {"mother", "son", "sister", "aunt"}, 1}}) {
    SCOPED_TRACE(absl::StrCat(c.first, "-", c.end));
    IngestOptions o;
    o.first_row = c.first;
    o.end_row = c.end;
    std::vector<std::string> rejects;
    IngestStats stats;
    absl::StatusOr<DonorStore> s = Ingest(path, &rejects, &stats, o);
    ASSERT_TRUE(s.ok()) << s.status();
    std::vector<std::string> ids;
    for (size_t i = 0; i < s->size(); ++i) ids.emplace_back(s->id(i));
    EXPECT_EQ(ids, c.ids);
    EXPECT_EQ(rejects.size(), c.rejected);
    EXPECT_EQ(stats.rows, c.ids.size() + c.rejected);
  }
  EXPECT_EQ(CountDonorRows(dir_ + "/missing.csv", {}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(IngestTest, RepeatedTypingsAreResolvedOnce) {
  std::string text = "id,glstring\n";
  for (int i = 0; i < 50; ++i) {
    absl::StrAppend(&text, "d", i, ",A*01:01+A*02:01^B*08:01+B*44:02\n");
  }
  std::vector<std::string> rejects;
  IngestStats stats;
  absl::StatusOr<DonorStore> s = Ingest(Write("rep.csv", text), &rejects, &stats);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(stats.cache_hits, 50u * 4u - 4u);  // 4 distinct positions
  EXPECT_EQ(s->dictionary_entries(), 2u * 3u);  // 2 loci x (empty + 2)
}

// The ingest's per-position shortcut builds what BuildGenotype builds from
// the whole typing.
TEST_F(IngestTest, PositionCacheEqualsWholeTypingGenotype) {
  const std::vector<std::string> typings = {
      "A*01:01+A*02:XX^B*44:AB+B8^C*07:01",
      "A*02:01:01:01^B*44:02+B*07:02^DRB1*04:01/DRB1*04:02+DR11^DQ7+DQB1*03:02",
      "A*01:04N+A*24:02^B12^DRB1*04:XX+DRB1*03:01^DPB1*04:01+DPB1*02:01",
      "A*01:01~B*08:01+A*02:01~B*44:02",
      "A*01:01+A*02:01|A*01:01+A*03:01^B*08:01+B*44:02",
      "hla#3.58.0#A*01:01+A*02:01"};
  // Three chunks and more of them: the first meets each gene copy, the
  // later ones find it in the spelling table and then in each thread's
  // front cache; every row must still be its own typing.
  const size_t rows = 3 * 4096 + 7;
  std::string text = "id,glstring\n";
  for (size_t i = 0; i < rows; ++i) {
    absl::StrAppend(&text, "d", i, ",", typings[i % typings.size()], "\n");
  }
  std::vector<absl::StatusOr<matcher::Genotype>> wants;
  for (const std::string& t : typings) wants.push_back(Geno(t));
  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    std::vector<std::string> rejects;
    IngestStats stats;
    IngestOptions options;
    options.threads = threads;
    absl::StatusOr<DonorStore> s =
        Ingest(Write("pos.csv", text), &rejects, &stats, options);
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_EQ(s->size(), rows) << absl::StrJoin(rejects, "\n");
    for (size_t i = 0; i < rows; ++i) {
      SCOPED_TRACE(typings[i % typings.size()]);
      const absl::StatusOr<matcher::Genotype>& want = wants[i % typings.size()];
      ASSERT_TRUE(want.ok()) << want.status();
      const matcher::Genotype got = s->GenotypeOf(i);
      EXPECT_EQ(got.phased, want->phased);
      for (Locus l : kAllLoci) {
        const matcher::LocusTyping& a = got.at(l);
        const matcher::LocusTyping& b = want->at(l);
        ASSERT_EQ(a.typed_positions, b.typed_positions) << LocusName(l);
        ASSERT_EQ(a.alternatives.size(), b.alternatives.size());
        if (a.typed_positions == 0) continue;
        for (int p = 0; p < 2; ++p) {
          EXPECT_EQ(a.pos[p].text, b.pos[p].text);
          EXPECT_EQ(a.pos[p].alleles, b.pos[p].alleles);
          EXPECT_EQ(a.pos[p].antigens, b.pos[p].antigens);
          EXPECT_EQ(a.pos[p].match_keys(), b.pos[p].match_keys());
          EXPECT_EQ(a.pos[p].serology(), b.pos[p].serology());
          EXPECT_EQ(a.pos[p].consolidated, b.pos[p].consolidated);
          EXPECT_EQ(a.pos[p].all_null(), b.pos[p].all_null());
          EXPECT_EQ(a.pos[p].haplotype, b.pos[p].haplotype);
        }
      }
    }
  }
}

// Many distinct gene copies (the cache grows and rehashes while a row still
// holds earlier entries): every row is stored with its own typing.
TEST_F(IngestTest, ManyDistinctTypings) {
  const data::Reference& ref = *LoadShipped().ref;
  std::vector<std::string> names;
  for (const auto& t : ref.truncations(2)) {
    const auto l = ref.loci()[t.locus].locus;
    if (l && (*l == Locus::kA || *l == Locus::kB)) names.emplace_back(t.name);
  }
  ASSERT_GT(names.size(), 1000u);
  std::vector<std::string> a, b;
  for (const std::string& n : names) (n[0] == 'A' ? a : b).push_back(n);
  std::string text = "id,glstring\n";
  const size_t rows = std::min(a.size(), b.size()) - 1;
  for (size_t i = 0; i < rows; ++i) {
    absl::StrAppend(&text, "d", i, ",", a[i], "+", a[i + 1], "^", b[i], "+",
                    b[i + 1], "\n");
  }
  std::vector<std::string> rejects;
  IngestStats stats;
  absl::StatusOr<DonorStore> s = Ingest(Write("many.csv", text), &rejects, &stats);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(stats.rows, rows);
  EXPECT_EQ(s->size() + rejects.size(), rows);
  // Spot-check that each stored donor has the typing of its own row.
  size_t checked = 0;
  for (size_t i = 0; i < s->size(); i += 97) {
    const std::string id(s->id(i));
    const size_t row = std::stoul(id.substr(1));
    const matcher::Genotype g = s->GenotypeOf(i);
    absl::StatusOr<matcher::Genotype> want = Geno(absl::StrCat(
        a[row], "+", a[row + 1], "^", b[row], "+", b[row + 1]));
    ASSERT_TRUE(want.ok());
    for (Locus l : {Locus::kA, Locus::kB}) {
      for (int p = 0; p < 2; ++p) {
        EXPECT_EQ(g.at(l).pos[p].text, want->at(l).pos[p].text) << id;
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 5u);
}

// Ids looked up and added with a hash the caller made (ingest hashes on its
// reading threads) find and keep the same donors as without; the first
// donor with an id is the one found.
TEST_F(IngestTest, IdsWithTheCallersHashAreTheSameIds) {
  DonorStoreBuilder b(LoadShipped().ref);
  const std::array<std::array<uint32_t, 2>, kLocusCount> ids{};
  for (int i = 0; i < 1000; ++i) {
    eligibility::DonorFacts f;
    f.id = absl::StrCat("donor-", i % 600);  // 400 ids twice
    if (i % 2 == 0) {
      b.AddIds(f, ids, 0, DonorStoreBuilder::HashId(f.id));
    } else {
      b.AddIds(f, ids, 0);
    }
  }
  for (int i = 0; i < 600; ++i) {
    const std::string id = absl::StrCat("donor-", i);
    SCOPED_TRACE(id);
    ASSERT_EQ(b.IndexOf(id), std::optional<size_t>(i));
    EXPECT_EQ(b.IndexOf(id, DonorStoreBuilder::HashId(id)),
              std::optional<size_t>(i));
  }
  EXPECT_EQ(b.IndexOf("donor-600"), std::nullopt);
  EXPECT_EQ(b.IndexOf("donor-600", DonorStoreBuilder::HashId("donor-600")),
            std::nullopt);
  EXPECT_EQ(DonorStoreBuilder::HashId("x"), DonorStoreBuilder::HashId("x"));
}

// Thousands of spellings met again and again over several chunks, more
// than the front caches' slots (so entries there are overwritten) and, in
// one run, more than the spelling table keeps (so it is emptied): every
// donor still has the typing written on its own row.
TEST_F(IngestTest, SpellingsMetAgainAcrossChunksKeepTheirRowsTyping) {
  const data::Reference& ref = *LoadShipped().ref;
  std::vector<std::string> a, b;
  for (const auto& t : ref.truncations(2)) {
    const auto l = ref.loci()[t.locus].locus;
    // Names the release resolves (some truncations name only deleted or
    // renamed alleles).
    if (!l || (*l != Locus::kA && *l != Locus::kB) || !Geno(std::string(t.name)).ok()) {
      continue;
    }
    (*l == Locus::kA ? a : b).emplace_back(t.name);
  }
  ASSERT_GT(a.size() + b.size(), 4096u);
  const size_t rows = 3 * 4096 + 11;
  auto pick = [](const std::vector<std::string>& v, size_t i, size_t k) {
    return v[(i * 7919 + k * 104729) % v.size()];
  };
  std::string text = "id,glstring\n";
  for (size_t i = 0; i < rows; ++i) {
    absl::StrAppend(&text, "d", i, ",", pick(a, i, 0), "+", pick(a, i, 1),
                    "^", pick(b, i, 2), "+", pick(b, i, 3), "\n");
  }
  const std::string path = Write("again.csv", text);
  for (size_t entries : {size_t{1} << 22, size_t{500}}) {
    for (int threads : {1, 2}) {
      SCOPED_TRACE(absl::StrCat(entries, " entries, ", threads, " threads"));
      std::vector<std::string> rejects;
      IngestStats stats;
      const absl::StatusOr<DonorStore> s =
          IngestWith(path, threads, entries, &rejects, &stats);
      ASSERT_TRUE(s.ok()) << s.status();
      ASSERT_EQ(s->size(), rows) << absl::StrJoin(rejects, "\n");
      for (size_t i = 0; i < rows; ++i) {
        const matcher::Genotype g = s->GenotypeOf(i);
        ASSERT_EQ(g.at(Locus::kA).pos[0].text, pick(a, i, 0)) << i;
        ASSERT_EQ(g.at(Locus::kA).pos[1].text, pick(a, i, 1)) << i;
        ASSERT_EQ(g.at(Locus::kB).pos[0].text, pick(b, i, 2)) << i;
        ASSERT_EQ(g.at(Locus::kB).pos[1].text, pick(b, i, 3)) << i;
      }
    }
  }
}

// A dictionary of more than 65 535 entries switches to 32-bit typing ids;
// the index keeps them.
TEST_F(IngestTest, WideIdsRoundTrip) {
  DonorStoreBuilder b(LoadShipped().ref);
  for (uint32_t i = 0; i < 70000; ++i) {
    matcher::PositionTyping p;
    p.text = absl::StrCat("t", i);
    matcher_internal::PositionAccess::match_keys(p) = {i};
    const uint32_t id = b.Intern(Locus::kA, p);
    std::array<std::array<uint32_t, 2>, kLocusCount> ids{};
    ids[0] = {id, id};
    eligibility::DonorFacts f;
    f.id = absl::StrCat("w", i);
    b.AddIds(f, ids, 1);
  }
  absl::StatusOr<DonorStore> s = std::move(b).Finish();
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->data().wide_ids());
  EXPECT_EQ(s->GenotypeOf(69999).at(Locus::kA).pos[1].text, "t69999");
  const std::string index = absl::StrCat(dir_, "/wide.hmx");
  ASSERT_TRUE(WriteIndex(*s, index).ok());
  absl::StatusOr<DonorStore> m = LoadIndex(index, *LoadShipped().resolver);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->data().wide_ids());
  EXPECT_EQ(m->data().TypingId(69999, 0, 1), s->data().TypingId(69999, 0, 1));
  EXPECT_EQ(m->GenotypeOf(69999).at(Locus::kA).pos[0].text, "t69999");
  EXPECT_EQ(m->id(12345), "w12345");
}

TEST_F(IngestTest, GzipInputEqualsPlain) {
  const std::string plain = Write("donors.csv", kGoodRows);
  const std::string gz = absl::StrCat(dir_, "/donors.csv.gz");
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, kGoodRows, sizeof(kGoodRows) - 1);
  gzclose(f);
  std::vector<std::string> r1, r2;
  IngestStats s1, s2;
  absl::StatusOr<DonorStore> a = Ingest(plain, &r1, &s1);
  absl::StatusOr<DonorStore> b = Ingest(gz, &r2, &s2);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ(a->id(i), b->id(i));
    EXPECT_EQ(a->data().facts_word(i), b->data().facts_word(i));
  }
  EXPECT_LT(s2.input_bytes, s1.input_bytes + 64);
}

// An id names one donor: a second row with it is rejected (as `match`
// does), naming the first, and read = accepted + rejected still holds.
TEST_F(IngestTest, ASecondDonorWithAnIdIsRejected) {
  const std::string path = Write(
      "dup.csv",
      "id,glstring\n"
      "a,A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01\n"
      "b,A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01\n"
      "a,A*03:01+A*02:01^B*07:02+B*44:02^DRB1*15:01+DRB1*04:01\n"
      "c,A*01:01~B*08:01~DRB1*03:01+A*02:01~B*44:02~DRB1*04:01\n"
      "c,A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01\n");
  std::vector<std::string> rejects;
  IngestStats stats;
  const absl::StatusOr<DonorStore> s = Ingest(path, &rejects, &stats);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 3u);
  EXPECT_EQ(s->id(0), "a");
  EXPECT_EQ(s->id(1), "b");
  EXPECT_EQ(s->id(2), "c");  // a fallback (phased) donor counts too
  ASSERT_EQ(rejects.size(), 2u);
  EXPECT_EQ(rejects[0], path + ":4: donor id 'a' is used twice (first on "
                               "line 2)");
  EXPECT_EQ(rejects[1], path + ":6: donor id 'c' is used twice (first on "
                               "line 5)");
}

// A gzip file cut short, or with a bad trailer, lost rows: an error naming
// the file and the donors read, never a shorter registry that passes.
TEST_F(IngestTest, TruncatedOrCorruptGzipIsDataLoss) {
  std::string rows = "id,glstring\n";
  for (int i = 0; i < 2000; ++i) {
    absl::StrAppend(&rows, "d", i, ",A*01:01+A*02:01^B*08:01+B*44:02^",
                    "DRB1*03:01+DRB1*04:01\n");
  }
  const std::string gz = absl::StrCat(dir_, "/cut.csv.gz");
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, rows.data(), static_cast<unsigned>(rows.size()));
  gzclose(f);
  std::ifstream in(gz, std::ios::binary);
  std::stringstream whole_s;
  whole_s << in.rdbuf();
  const std::string whole = whole_s.str();
  std::vector<std::string> rejects;
  IngestStats stats;
  ASSERT_TRUE(Ingest(gz, &rejects, &stats).ok());  // the whole file reads
  // Cut inside the deflate stream, just before the 8-byte trailer, and a
  // flipped CRC.
  std::string flipped = whole;
  flipped[flipped.size() - 6] ^= 0x55;
  for (const std::string& bad :
       {whole.substr(0, whole.size() / 2), whole.substr(0, whole.size() - 8),
        flipped}) {
    std::ofstream(gz, std::ios::binary | std::ios::trunc) << bad;
    const absl::StatusOr<DonorStore> s = Ingest(gz, &rejects, &stats);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss)
        << bad.size() << " " << s.status();
    EXPECT_THAT(s.status().message(),
                HasSubstr(gz + ": truncated or corrupt gzip data after "))
        << bad.size();
  }
}

// Past its deadline (a service request's), reading stops with an error
// naming the rows read; the check comes every 1,024 rows.
TEST_F(IngestTest, DeadlineStopsReading) {
  std::string rows = "id,glstring\n";
  for (int i = 0; i < 3000; ++i) {
    absl::StrAppend(&rows, "d", i, ",A*01:01+A*02:01\n");
  }
  const std::string path = Write("many.csv", rows);
  std::vector<std::string> rejects;
  IngestStats stats;
  IngestOptions o;
  o.deadline = absl::InfinitePast();
  absl::StatusOr<DonorStore> s = Ingest(path, &rejects, &stats, o);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.status().message(),
              HasSubstr("reading the donors passed the deadline after 1024 "
                        "rows"));
  o.deadline = absl::InfiniteFuture();
  s = Ingest(path, &rejects, &stats, o);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->size(), 3000u);
}

TEST_F(IngestTest, JsonLinesWithBadLines) {
  const std::string text =
      "{\"id\":\"a\",\"relationship\":\"child\",\"age\":30,\"sex\":\"M\","
      "\"glstring\":\"A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01\"}\n"
      "\n"
      "{\"donor_id\":\"b\",\"birth_date\":\"1990-05-01\",\"A_1\":\"01:01\","
      "\"A_2\":\"A*24:02\",\"B_1\":\"B8\",\"DRB1_1\":\"03:01/04:01\"}\n"
      "{\"id\":\"c\",\"glstring\":\"A*01:01\"\n"
      "{\"id\":\"d\",\"birth_date\":\"1990-13-01\",\"glstring\":\"A*01:01\"}\n"
      "{\"glstring\":\"A*01:01\"}\n"
      "{\"id\":\"f\",\"glstring\":\"A*99:99\"}\n"
      "{\"id\":\"g\",\"nested\":{\"x\":1},\"glstring\":\"A*01:01\"}\n"
      "[1,2]\n";
  std::vector<std::string> rejects;
  IngestStats stats;
  absl::StatusOr<DonorStore> s =
      Ingest(Write("donors.jsonl", text), &rejects, &stats);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ(s->id(1), "b");
  const matcher::Genotype b = s->GenotypeOf(1);
  EXPECT_EQ(b.at(Locus::kA).pos[0].text, "A*01:01");
  EXPECT_EQ(b.at(Locus::kB).typed_positions, 1);
  ASSERT_EQ(rejects.size(), 6u) << absl::StrJoin(rejects, "\n");
  EXPECT_THAT(rejects[0], HasSubstr(":4:31: expected ',' or '}'"));
  EXPECT_THAT(rejects[1], HasSubstr(":5: key 'birth_date'"));
  EXPECT_THAT(rejects[2], HasSubstr(":6: no donor id"));
  EXPECT_THAT(rejects[3], HasSubstr(":7: typing 'A*99:99'"));
  EXPECT_THAT(rejects[4], HasSubstr(":8:20: nested value"));
  EXPECT_THAT(rejects[5], HasSubstr(":9:1: expected '{'"));
  EXPECT_EQ(stats.rows, 8u);
  EXPECT_EQ(stats.rows, stats.accepted + stats.rejected);
}

// --id-column: for CSV a header error naming the column when it is
// missing; for JSON Lines a rejected row. The usual id columns are then
// ordinary ignored columns.
TEST_F(IngestTest, IdColumnOption) {
  const struct {
    const char* name;
    const char* text;
  } kFiles[] = {
      {"ids.csv", "id,person,glstring\nx1,p1,A*01:01+A*02:01\n"
                  "x2,p2,A*01:01+A*03:01\n"},
      {"ids.jsonl",
       "{\"id\":\"x1\",\"person\":\"p1\",\"glstring\":\"A*01:01+A*02:01\"}\n"
       "{\"person\":\"p2\",\"glstring\":\"A*01:01+A*03:01\"}\n"},
  };
  for (const auto& f : kFiles) {
    SCOPED_TRACE(f.name);
    std::vector<std::string> rejects;
    IngestStats stats;
    IngestOptions o;
    o.id_column = "person";
    absl::StatusOr<DonorStore> s =
        Ingest(Write(f.name, f.text), &rejects, &stats, o);
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_EQ(s->size(), 2u) << absl::StrJoin(rejects, "\n");
    EXPECT_EQ(s->id(0), "p1");
    EXPECT_EQ(s->id(1), "p2");
  }
  IngestOptions nope;
  nope.id_column = "nope";
  std::vector<std::string> rejects;
  IngestStats stats;
  const absl::StatusOr<DonorStore> csv =
      Ingest(Write("ids2.csv", kFiles[0].text), &rejects, &stats, nope);
  EXPECT_EQ(csv.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(csv.status().message()),
              HasSubstr("ids2.csv:1: no id column 'nope'"));
  const absl::StatusOr<DonorStore> json =
      Ingest(Write("ids2.jsonl", kFiles[1].text), &rejects, &stats, nope);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->size(), 0u);
  ASSERT_EQ(rejects.size(), 2u);
  EXPECT_THAT(rejects[0], HasSubstr("ids2.jsonl:1: no donor id (key 'nope')"));
}

// The same donors as CSV, JSON Lines (glstring or per-locus keys, in any
// order), gzipped JSON Lines and JSON Lines under another name with
// DonorInputFormat::kJsonLines give the same store.
TEST_F(IngestTest, CsvAndJsonLinesGiveTheSameStore) {
  std::vector<std::string> rejects;
  IngestStats stats;
  const absl::StatusOr<DonorStore> want =
      Ingest(Write("donors.csv", kGoodRows), &rejects, &stats);
  ASSERT_TRUE(want.ok()) << want.status();
  const std::string jsonl =
      "{\"id\":\"mother\",\"relationship\":\"mother\",\"birth_date\":"
      "\"1954-03-02\",\"age\":null,\"sex\":\"F\",\"abo\":\"A+\",\"cmv\":"
      "\"pos\",\"glstring\":\"A*02:01+A*24:02^B*44:02+B*35:01^DRB1*04:01+"
      "DRB1*11:01\"}\r\n"
      "{\"A_1\":\"01:01\",\"A_2\":\"24:02\",\"B_1\":\"08:01\",\"B_2\":"
      "\"35:01\",\"DRB1_1\":\"03:01\",\"DRB1_2\":\"11:01\",\"id\":\"son\","
      "\"relationship\":\"son\",\"age\":19,\"sex\":\"M\",\"abo\":\"A-\","
      "\"cmv\":\"neg\"}\n"
      "\n"
      "{\"donor_id\":\"sister\",\"rel\":\"sister\",\"dob\":\"1980-07-30\","
      "\"gender\":\"F\",\"blood_group\":\"B+\",\"cmv_status\":\"neg\",\"gl\":"
      "\"A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01\"}\n";
  const std::string gz = absl::StrCat(dir_, "/donors.jsonl.gz");
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  gzwrite(f, jsonl.data(), static_cast<unsigned>(jsonl.size()));
  gzclose(f);
  IngestOptions as_json;
  as_json.format = DonorInputFormat::kJsonLines;
  const struct {
    std::string path;
    IngestOptions options;
  } kInputs[] = {
      {Write("donors.jsonl", jsonl), {}},
      {gz, {}},
      {Write("donors.ndjson", jsonl), {}},
      {Write("donors.txt", jsonl), as_json},
      {Write("sniffed.txt", jsonl), {}},  // the first byte is '{'
  };
  for (const auto& in : kInputs) {
    SCOPED_TRACE(in.path);
    rejects.clear();
    const absl::StatusOr<DonorStore> got =
        Ingest(in.path, &rejects, &stats, in.options);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_THAT(rejects, ::testing::IsEmpty());
    ASSERT_EQ(got->size(), want->size());
    for (size_t i = 0; i < got->size(); ++i) {
      EXPECT_EQ(got->id(i), want->id(i));
      EXPECT_EQ(got->data().facts_word(i), want->data().facts_word(i));
      const matcher::Genotype a = got->GenotypeOf(i), b = want->GenotypeOf(i);
      for (Locus l : kAllLoci) {
        for (int p = 0; p < 2; ++p) {
          EXPECT_EQ(a.at(l).pos[p].text, b.at(l).pos[p].text);
        }
      }
    }
  }
}

// Each chunk's new gene copies are compiled on several threads; the rows
// are still accepted in input order, so the store (ids, dictionaries,
// typing ids), the rejects and the counts are what one thread makes.
// Three chunks of rows with thousands of distinct copies, repeats, bad
// rows, a repeated id and phased typings (the whole-typing path).
// Every donor's id, facts and dictionary ids equal, in order.
void ExpectSameStore(const DonorStore& got, const DonorStore& want) {
  ASSERT_EQ(got.size(), want.size());
  const internal::StoreData& x = got.data();
  const internal::StoreData& y = want.data();
  ASSERT_EQ(x.loci(), y.loci());
  EXPECT_EQ(x.dictionary_entries(), y.dictionary_entries());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(got.id(i), want.id(i));
    EXPECT_EQ(x.facts_word(i), y.facts_word(i));
    for (int slot = 0; slot < static_cast<int>(x.loci().size()); ++slot) {
      for (int p = 0; p < 2; ++p) {
        ASSERT_EQ(x.TypingId(i, slot, p), y.TypingId(i, slot, p)) << i;
      }
    }
  }
}

TEST_F(IngestTest, ThreadsGiveTheSameStore) {
  const data::Reference& ref = *LoadShipped().ref;
  std::vector<std::string> a, b;
  for (const auto& t : ref.truncations(2)) {
    const auto l = ref.loci()[t.locus].locus;
    if (l && *l == Locus::kA) a.emplace_back(t.name);
    if (l && *l == Locus::kB) b.emplace_back(t.name);
  }
  ASSERT_GT(a.size(), 500u);
  ASSERT_GT(b.size(), 500u);
  std::string text = "id,glstring\n";
  const size_t rows = 20000;
  for (size_t i = 0; i < rows; ++i) {
    const size_t j = (i * 7919) % 3000;
    const std::string& a1 = a[j % a.size()];
    const std::string& a2 = a[(j * 3 + 1) % a.size()];
    const std::string& b1 = b[(j + i / 5000) % b.size()];
    if (i % 997 == 0) {
      absl::StrAppend(&text, "d", i, ",A*99:99+", a1, "\n");  // rejected
    } else if (i % 1009 == 0) {
      absl::StrAppend(&text, "d", i - 1, ",", a1, "+", a2, "\n");  // id twice
    } else if (i % 211 == 0) {
      absl::StrAppend(&text, "d", i, ",", a1, "~", b1, "+", a2, "~", b1, "\n");
    } else {
      absl::StrAppend(&text, "d", i, ",", a1, "/", a2, "+", a2, "^", b1, "\n");
    }
  }
  const std::string path = Write("threads.csv", text);
  std::vector<std::string> want_rejects;
  IngestStats want_stats;
  IngestOptions one;
  one.threads = 1;
  const absl::StatusOr<DonorStore> want =
      Ingest(path, &want_rejects, &want_stats, one);
  ASSERT_TRUE(want.ok()) << want.status();
  // A file of known size makes room for its rows at once (from the bytes
  // its first 4,096 rows took); a stream cannot, and is the same store.
  EXPECT_GE(want_stats.reserved_rows, rows);
  EXPECT_LE(want_stats.reserved_rows, rows + rows / 10);
  {
    std::istringstream in(text);
    std::vector<std::string> rejects;
    IngestStats stats;
    const absl::StatusOr<DonorStore> streamed = IngestDonorStream(
        &in, path, *LoadShipped().resolver, one,
        [&rejects](const std::string& m) { rejects.push_back(m); }, &stats);
    ASSERT_TRUE(streamed.ok()) << streamed.status();
    EXPECT_EQ(stats.reserved_rows, 0u);
    EXPECT_EQ(rejects, want_rejects);
    ExpectSameStore(*streamed, *want);
    // A shard makes room for its own rows.
    IngestOptions half = one;
    half.first_row = rows / 2;
    IngestStats shard_stats;
    const absl::StatusOr<DonorStore> shard = Ingest(path, &rejects, &shard_stats, half);
    ASSERT_TRUE(shard.ok()) << shard.status();
    EXPECT_GE(shard_stats.reserved_rows, rows / 2);
    EXPECT_LE(shard_stats.reserved_rows, rows / 2 + rows / 10);
  }
  EXPECT_GT(want->data().dictionary_entries(), 3000u);
  EXPECT_GT(want_rejects.size(), 20u);
  EXPECT_GT(want->data().fallback_count(), 50u);
  for (int threads : {2, 3, 8}) {
    SCOPED_TRACE(threads);
    std::vector<std::string> rejects;
    IngestStats stats;
    IngestOptions o;
    o.threads = threads;
    const absl::StatusOr<DonorStore> got = Ingest(path, &rejects, &stats, o);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(rejects, want_rejects);
    EXPECT_EQ(stats.rows, want_stats.rows);
    EXPECT_EQ(stats.accepted, want_stats.accepted);
    EXPECT_EQ(stats.cache_hits, want_stats.cache_hits);
    ExpectSameStore(*got, *want);
  }
  // Gene-copy memories of any size (emptied every few spellings) give the
  // same store: a spelling compiled again interns to the id it had.
  for (size_t entries : {1, 2, 7, 1000}) {
    SCOPED_TRACE(entries);
    for (int threads : {1, 2}) {
      std::vector<std::string> rejects;
      IngestStats stats;
      const absl::StatusOr<DonorStore> got =
          IngestWith(path, threads, entries, &rejects, &stats);
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(rejects, want_rejects);
      EXPECT_EQ(stats.accepted, want_stats.accepted);
      ExpectSameStore(*got, *want);
    }
  }
}

// The service sends an empty JSON Lines body for "donors": []; no rows.
TEST_F(IngestTest, EmptyJsonLinesIsNoDonors) {
  std::istringstream in("");
  IngestStats stats;
  const absl::StatusOr<DonorStore> s = IngestDonorStream(
      &in, "donors.jsonl", *LoadShipped().resolver, {}, nullptr, &stats);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->size(), 0u);
  EXPECT_EQ(stats.rows, 0u);
}

// A file's bytes.
std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class IndexTest : public IngestTest {
 protected:
  void SetUp() override {
    IngestTest::SetUp();
    std::string text = kGoodRows;
    // A phased donor: kept whole (fallback) and re-parsed on load.
    absl::StrAppend(&text,
                    "brother,brother,1983-02-28,,M,A+,pos,A*01:01~B*08:01~"
                    "DRB1*03:01+A*24:02~B*35:01~DRB1*11:01\n");
    std::vector<std::string> rejects;
    IngestStats stats;
    absl::StatusOr<DonorStore> s =
        Ingest(Write("family.csv", text), &rejects, &stats);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::make_unique<DonorStore>(*std::move(s));
    index_ = absl::StrCat(dir_, "/family.hmx");
    ASSERT_TRUE(WriteIndex(*store_, index_).ok());
  }

  std::string Bytes() { return ReadBytes(index_); }
  void Put(const std::string& bytes) {
    std::ofstream(index_, std::ios::binary | std::ios::trunc) << bytes;
  }
  absl::Status LoadStatus() {
    return LoadIndex(index_, *LoadShipped().resolver).status();
  }

  std::unique_ptr<DonorStore> store_;
  std::string index_;
};

TEST_F(IndexTest, RoundTripRanksTheSame) {
  EXPECT_TRUE(IsIndexFile(index_));
  EXPECT_FALSE(IsIndexFile(absl::StrCat(dir_, "/family.csv")));
  absl::StatusOr<DonorStore> m = LoadIndex(index_, *LoadShipped().resolver);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), store_->size());
  EXPECT_EQ(m->fallback_count(), 1u);
  for (size_t i = 0; i < m->size(); ++i) {
    EXPECT_EQ(m->id(i), store_->id(i));
    EXPECT_EQ(m->data().facts_word(i), store_->data().facts_word(i));
  }
  ASSERT_EQ(m->data().loci(), store_->data().loci());
  for (size_t slot = 0; slot < m->data().loci().size(); ++slot) {
    const auto& a = m->data().dictionary(static_cast<int>(slot));
    const auto& b = store_->data().dictionary(static_cast<int>(slot));
    ASSERT_EQ(a.size(), b.size());
    for (uint32_t t = 0; t < a.size(); ++t) {
      matcher::PositionTyping x, y;
      a.Materialize(*LoadShipped().ref, t, &x);
      b.Materialize(*LoadShipped().ref, t, &y);
      EXPECT_TRUE(matcher_test::SamePosition(x, y)) << "entry " << t;
      EXPECT_EQ(a.keyset(t), b.keyset(t));
    }
  }
  absl::StatusOr<matcher::Genotype> rec = Geno(
      "A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01");
  ASSERT_TRUE(rec.ok());
  RankOptions o;
  o.eligibility = *eligibility::OptionsForProtocol("NCT04835883");
  o.eligibility.as_of = absl::CivilDay(2026, 11, 26);
  absl::StatusOr<RankResult> a = Rank(*store_, *LoadShipped().ref, *rec, o);
  absl::StatusOr<RankResult> b = Rank(*m, *LoadShipped().ref, *rec, o);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->ranked, b->ranked);
  EXPECT_EQ(a->keys, b->keys);
  EXPECT_EQ(a->excluded_by, b->excluded_by);
}

// The donor's KIR genotype is kept in the facts word: what the index gives
// back is what the file said, and the report of a stored donor has it.
TEST_F(IngestTest, KirGenotypeSurvivesTheIndex) {
  std::vector<std::string> rejects;
  IngestStats stats;
  absl::StatusOr<DonorStore> s = Ingest(
      Write("kir.csv",
            "id,age,kir,glstring\n"
            "k1,30,KIR2DL1+ KIR2DL2+ KIR2DL3- KIR2DS2+ KIR3DL1- KIR2DS4+ "
            "KIR3DS1+ KIR2DS1-,A*01:01+A*02:01^B*08:01+B*44:02^C*07:01+C*05:01\n"
            "k2,31,Cen-A/B Tel-A/A,A*01:01+A*02:01^B*08:01+B*44:02\n"
            "k3,32,,A*01:01+A*02:01^B*08:01+B*44:02\n"
            "k4,33,KIR9ZZ9+,A*01:01+A*02:01\n"),
      &rejects, &stats);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_THAT(rejects[0], HasSubstr("column 'kir'"));
  EXPECT_THAT(rejects[0], HasSubstr("'KIR9ZZ9+' names no KIR gene"));
  const std::string path = absl::StrCat(dir_, "/kir.hmx");
  ASSERT_TRUE(WriteIndex(*s, path).ok());
  absl::StatusOr<DonorStore> m = LoadIndex(path, *LoadShipped().resolver);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 3u);
  const eligibility::KirGenotype k1 =
      internal::PackedFacts::KirOf(m->data().facts_word(0));
  EXPECT_EQ(k1.cen, eligibility::KirMotif::kBB);
  EXPECT_EQ(k1.tel, eligibility::KirMotif::kBB);
  EXPECT_EQ(eligibility::FormatKirGenotype(k1),
            "Cen-B/B Tel-B/B; KIR2DL2/3+ KIR2DL1+ KIR3DL1-");
  EXPECT_EQ(eligibility::FormatKirGenotype(
                internal::PackedFacts::KirOf(m->data().facts_word(1))),
            "Cen-A/B Tel-A/A; KIR2DL2/3+ KIR3DL1+");
  EXPECT_FALSE(internal::PackedFacts::KirOf(m->data().facts_word(2)).given());
  // The stored donor's report: B content and the missing-ligand form.
  absl::StatusOr<matcher::Genotype> rec =
      Geno("A*01:01+A*02:01^B*08:01+B*44:02^C*07:01+C*07:02");
  ASSERT_TRUE(rec.ok());
  absl::StatusOr<DonorReport> r = ReportFor(*m, *LoadShipped().ref, *rec, {}, 0);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->kir.has_value());
  EXPECT_EQ(r->kir->b_content.score, 4);
  EXPECT_EQ(r->kir->b_content.category, eligibility::KirBCategory::kBest);
  // KIR2DL1+ and the recipient's HLA-C is C1/C1: C2 missing.
  EXPECT_EQ(r->kir->missing_definite,
            std::vector<matcher::KirLigandGroup>{matcher::KirLigandGroup::kC2});
  absl::StatusOr<DonorReport> none = ReportFor(*m, *LoadShipped().ref, *rec, {}, 2);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->kir.has_value());
}

TEST_F(IndexTest, StaleFormatIsRefused) {
  std::string bytes = Bytes();
  bytes[8] = static_cast<char>(kIndexFormatVersion + 1);
  Put(bytes);
  const absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("stale: format version"));
}

TEST_F(IndexTest, StaleReleaseIsRefused) {
  std::string bytes = Bytes();
  std::memcpy(&bytes[32], "3.44.0", 6);
  Put(bytes);
  const absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("built against IPD-IMGT/HLA 3.44.0"));
}

TEST_F(IndexTest, CorruptIsRefused) {
  std::string bytes = Bytes();
  bytes[bytes.size() / 2] ^= 0x5A;
  Put(bytes);
  const absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("checksum mismatch"));
}

TEST_F(IndexTest, TruncatedIsRefused) {
  const std::string bytes = Bytes();
  Put(bytes.substr(0, bytes.size() - 9));
  absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("truncated"));
  Put(bytes.substr(0, 20));
  s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("truncated"));
}

// An index past 4 MiB is read in two halves at once, each summed as it is
// read, and the payload's checksum joined across the split (the imputation
// section lies in the second half): a byte flipped anywhere is refused,
// a byte of the imputation section only when that section is read. Its
// payload is past 4 MiB too, so the writer's checksum was made in two halves
// joined.
TEST_F(IngestTest, LargeIndexIsSummedAcrossItsReadHalves) {
  const char* typings[] = {
      "A*02:01+A*24:02^B*44:02+B*35:01^DRB1*04:01+DRB1*11:01",
      "A*01:01+A*24:02^B*08:01+B*35:01^DRB1*03:01+DRB1*11:01",
      "A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01"};
  std::string text = "id,relationship,birth_date,sex,abo,cmv,population,glstring\n";
  constexpr size_t kRows = 200000;
  for (size_t i = 0; i < kRows; ++i) {
    absl::StrAppend(&text, "donor", i, ",unrelated,19", 50 + i % 40, "-0", 1 + i % 9,
                    "-1", i % 10, ",F,A+,pos,EUR,", typings[i % 3], "\n");
  }
  std::vector<std::string> rejects;
  IngestStats stats;
  absl::StatusOr<DonorStore> s = Ingest(Write("large.csv", text), &rejects, &stats);
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_TRUE(rejects.empty()) << rejects[0];
  auto imputer = impute::Imputer::LoadShipped(LoadShipped().ref);
  ASSERT_TRUE(imputer.ok()) << imputer.status();
  ASSERT_TRUE(ImputeDonors(**imputer, 2, &*s).ok());
  const std::string index = absl::StrCat(dir_, "/large.hmx");
  ASSERT_TRUE(WriteIndex(*s, index).ok());
  const std::string bytes = ReadBytes(index);
  uint64_t isize;
  std::memcpy(&isize, &bytes[48], 8);
  const size_t psize = bytes.size() - 64 - isize;
  ASSERT_GT(bytes.size(), size_t{1} << 22);  // read in halves
  ASSERT_GT(64 + psize, bytes.size() / 2);   // the payload spans the split
  // The writer sums a section past 4 MiB in two halves too: the loads
  // below check that the joined checksum is the file's.
  ASSERT_GT(psize, size_t{1} << 22) << "the payload no longer takes that path";
  ASSERT_GT(isize, 0u);

  absl::StatusOr<DonorStore> m = LoadIndex(index, *LoadShipped().resolver);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), kRows);
  for (size_t i : {size_t{0}, kRows / 2, kRows - 1}) {
    EXPECT_EQ(m->id(i), s->id(i));
    EXPECT_EQ(m->data().facts_word(i), s->data().facts_word(i));
    size_t a, b;
    const uint16_t* x = m->data().imputation_words(i, &a);
    const uint16_t* y = s->data().imputation_words(i, &b);
    ASSERT_EQ(a, b);
    EXPECT_TRUE(std::equal(x, x + a, y));
  }
  auto load_flipped = [&](size_t at, const LoadOptions& options) {
    std::string bad = bytes;
    bad[at] ^= 0x10;
    std::ofstream(index, std::ios::binary | std::ios::trunc) << bad;
    return LoadIndex(index, *LoadShipped().resolver, options).status();
  };
  for (size_t at : {size_t{64 + 9}, bytes.size() / 2 - 1, bytes.size() / 2,
                    64 + psize - 1}) {
    const absl::Status st = load_flipped(at, {});
    EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << at;
    EXPECT_THAT(st.message(), HasSubstr("checksum mismatch")) << at;
    EXPECT_THAT(st.message(), Not(HasSubstr("imputation section"))) << at;
  }
  const absl::Status st = load_flipped(bytes.size() - isize / 2, {});
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(st.message(), HasSubstr("checksum mismatch in the imputation section"));
  LoadOptions without;
  without.imputations = false;
  EXPECT_TRUE(load_flipped(bytes.size() - isize / 2, without).ok());
}

// A crafted index can carry a valid checksum: every section is checked at
// load. Layout as registry/index_file.cc writes it.
class CraftedIndexTest : public IndexTest {
 protected:
  size_t Align8(size_t at) { return (at + 7) / 8 * 8; }
  size_t IdsAt() { return Align8(64 + 16 + store_->data().loci().size()); }
  size_t FactsAt() {
    const size_t n = store_->size();
    return Align8(IdsAt() + n * store_->data().stride() *
                                (store_->data().wide_ids() ? 4 : 2));
  }
  size_t OffsetsAt() { return FactsAt() + store_->size() * 8; }
  size_t DictionaryAt(const std::string& bytes) {
    const size_t arena_size_at = Align8(OffsetsAt() + (store_->size() + 1) * 4);
    uint64_t arena;
    std::memcpy(&arena, &bytes[arena_size_at], 8);
    // Then the population section: this store has none, a zero flag.
    return Align8(arena_size_at + 8 + arena) + 8;
  }
  // The payload's checksum recomputed, as a forger would.
  void Reseal(std::string* bytes) {
    const uint32_t crc = static_cast<uint32_t>(
        crc32_z(0, reinterpret_cast<const Bytef*>(bytes->data() + 64),
                bytes->size() - 64));
    std::memcpy(&(*bytes)[24], &crc, 4);
    Put(*bytes);
  }
};

TEST_F(CraftedIndexTest, FactsWordOfAllOnesIsRefused) {
  std::string bytes = Bytes();
  const uint64_t ones = ~uint64_t{0};
  std::memcpy(&bytes[FactsAt()], &ones, 8);
  Reseal(&bytes);
  const absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("donor 0: bad facts word"));
}

// PackedFacts::Valid checks a birth date or an age on its digits; the
// definition is the round trip: a word is valid when Pack(Unpack(w)) gives
// it back (absl::CivilDay normalises a day that does not exist). Every
// YYYYMMDD of years 0-4, 1800-2200, 9999 and 13421 (the last a 27-bit
// value holds), and every age value up to 2^12.
TEST(PackedFactsTest, ValidDateOrAgeIsThePackRoundTrip) {
  using internal::PackedFacts;
  auto round_trip = [](uint64_t w) { return PackedFacts::Pack(PackedFacts::Unpack(w)) == w; };
  size_t valid = 0, checked = 0;
  auto check_year = [&](uint64_t year) {
    for (uint64_t mmdd = 0; mmdd < 10000; ++mmdd) {
      const uint64_t v = year * 10000 + mmdd;
      if (v > PackedFacts::kValueMask) return;
      const uint64_t w = PackedFacts::kFactBirth | v;
      ASSERT_EQ(PackedFacts::Valid(w), round_trip(w)) << v;
      valid += PackedFacts::Valid(w);
      ++checked;
    }
  };
  for (uint64_t y : {0, 1, 2, 3, 4, 9999, 13421}) check_year(y);
  for (uint64_t y = 1800; y <= 2200; ++y) check_year(y);
  // 408 years of 365 days and 99 leap days: 97 from 1800-2200 (every
  // fourth year but 1800, 1900, 2100 and 2200), years 0 and 4.
  EXPECT_EQ(valid, 408u * 365 + 99u);
  EXPECT_GT(checked, 4000000u);
  for (uint64_t age = 0; age < 4096; ++age) {
    const uint64_t w = PackedFacts::kFactAge | age;
    ASSERT_EQ(PackedFacts::Valid(w), round_trip(w)) << age;
    EXPECT_EQ(PackedFacts::Valid(w), age <= static_cast<uint64_t>(eligibility::kMaxAge));
  }
}

TEST_F(CraftedIndexTest, KirReceptorCodeOutOfRangeIsRefused) {
  std::string bytes = Bytes();
  uint64_t w;
  std::memcpy(&w, &bytes[FactsAt()], 8);
  w |= uint64_t{3} << internal::PackedFacts::kKirReceptorShift;  // code 3
  std::memcpy(&bytes[FactsAt()], &w, 8);
  Reseal(&bytes);
  const absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("donor 0: bad facts word"));
}

TEST_F(CraftedIndexTest, IdOffsetOutOfTheArenaIsRefused) {
  for (uint32_t bad : {0xFFFFFFF0u, 0u}) {  // past the arena; decreasing
    std::string bytes = Bytes();
    std::memcpy(&bytes[OffsetsAt() + 2 * 4], &bad, 4);
    Reseal(&bytes);
    const absl::Status s = LoadStatus();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << bad;
    EXPECT_THAT(s.message(), HasSubstr("out of order")) << bad;
  }
}

TEST_F(CraftedIndexTest, DictionarySizeBeyondTheFileIsRefused) {
  std::string bytes = Bytes();
  const uint64_t huge = uint64_t{1} << 40;
  std::memcpy(&bytes[DictionaryAt(bytes)], &huge, 8);
  Reseal(&bytes);
  const absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("bad dictionary size"));
}

TEST_F(CraftedIndexTest, FallbackFlagWithoutATypingIsRefused) {
  std::string bytes = Bytes();
  uint64_t w;
  std::memcpy(&w, &bytes[FactsAt()], 8);  // donor 0: not a fallback donor
  ASSERT_FALSE(w & internal::PackedFacts::kFactFallback);
  w |= internal::PackedFacts::kFactFallback;
  std::memcpy(&bytes[FactsAt()], &w, 8);
  Reseal(&bytes);
  const absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("flagged for full matching"));
}

// The index is written to a temporary file and renamed: a loaded store keeps
// its own copy while the file is replaced, and nothing is left behind.
TEST_F(IndexTest, RewriteReplacesWholeAndALoadedStoreKeepsItsCopy) {
  absl::StatusOr<DonorStore> loaded = LoadIndex(index_, *LoadShipped().resolver);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const size_t before = loaded->size();
  std::vector<std::string> rejects;
  IngestStats stats;
  absl::StatusOr<DonorStore> other = Ingest(
      Write("other.csv",
            "id,glstring\nx,A*01:01+A*02:01^B*08:01+B*44:02^DRB1*03:01+"
            "DRB1*04:01\n"),
      &rejects, &stats);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(WriteIndex(*other, index_).ok());
  EXPECT_EQ(loaded->size(), before);
  EXPECT_EQ(loaded->id(0), store_->id(0));
  absl::StatusOr<DonorStore> again = LoadIndex(index_, *LoadShipped().resolver);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->size(), 1u);
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    EXPECT_THAT(e.path().filename().string(), Not(HasSubstr(".tmp.")));
  }
  const absl::Status s = WriteIndex(*other, "/nonexistent-dir/x.hmx");
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("cannot write index "
                                     "'/nonexistent-dir/x.hmx'"));
}

TEST_F(IndexTest, NotAnIndexIsRefused) {
  Put(std::string(200, 'x'));
  const absl::Status s = LoadStatus();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("bad magic"));
}

// Populations and imputations (ImputeDonors) go through the index: the
// words and codes come back as written, a store without them loads without
// them, and a crafted imputation run is refused at load.
class ImputedIndexTest : public IngestTest {
 protected:
  void SetUp() override {
    IngestTest::SetUp();
    const std::string text =
        "id,relationship,birth_date,age,sex,abo,cmv,population,glstring\n"
        "mother,mother,1954-03-02,,F,A+,pos,EUR,A*02:01+A*24:02^B*44:02+B*35:01^"
        "DRB1*04:01+DRB1*11:01\n"
        "son,son,,19,M,A-,neg,,A*01:XX+A*24:02^B*08:01+B*35:01^DRB1*03:01+"
        "DRB1*11:01\n"
        "sister,sister,1980-07-30,,F,B+,neg,afa,A*01:01+A*02:01^B*08:01+B*44:02^"
        "DRB1*03:01+DRB1*04:01\n"
        "brother,brother,1983-02-28,,M,A+,pos,HIS,A*01:01~B*08:01~"
        "DRB1*03:01+A*24:02~B*35:01~DRB1*11:01\n";
    std::vector<std::string> rejects;
    IngestStats stats;
    absl::StatusOr<DonorStore> s = Ingest(Write("family.csv", text), &rejects, &stats);
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_TRUE(rejects.empty());
    store_ = std::make_unique<DonorStore>(*std::move(s));
    auto imputer = impute::Imputer::LoadShipped(LoadShipped().ref);
    ASSERT_TRUE(imputer.ok()) << imputer.status();
    imputer_ = *std::move(imputer);
    ASSERT_TRUE(ImputeDonors(*imputer_, 1, store_.get()).ok());
    index_ = absl::StrCat(dir_, "/imputed.hmx");
    ASSERT_TRUE(WriteIndex(*store_, index_).ok());
  }
  std::string Bytes() { return ReadBytes(index_); }
  // The imputation words end the file (registry/index_file.cc's layout:
  // the imputation section follows the payload).
  size_t WordsAt(const std::string& bytes) {
    const size_t words = store_->data().imputation_word_count();
    return bytes.size() - (words * 2 + 7) / 8 * 8;
  }
  // Both checksums recomputed, as a forger would: the payload's and the
  // imputation section's (its size at header offset 48).
  absl::Status Reload(std::string bytes) {
    uint64_t isize;
    std::memcpy(&isize, &bytes[48], 8);
    const size_t psize = bytes.size() - 64 - isize;
    const uint32_t crc = static_cast<uint32_t>(
        crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data() + 64), psize));
    const uint32_t icrc = static_cast<uint32_t>(crc32_z(
        0, reinterpret_cast<const Bytef*>(bytes.data() + 64 + psize), isize));
    std::memcpy(&bytes[24], &crc, 4);
    std::memcpy(&bytes[56], &icrc, 4);
    std::ofstream(index_, std::ios::binary | std::ios::trunc) << bytes;
    return LoadIndex(index_, *LoadShipped().resolver).status();
  }
  std::unique_ptr<DonorStore> store_;
  std::shared_ptr<const impute::Imputer> imputer_;
  std::string index_;
};

TEST_F(ImputedIndexTest, RoundTripKeepsPopulationsAndImputations) {
  absl::StatusOr<DonorStore> m = LoadIndex(index_, *LoadShipped().resolver);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_TRUE(m->has_imputations());
  EXPECT_EQ(m->data().imputation_fingerprint(), imputer_->fingerprint());
  EXPECT_EQ(m->imputation_bytes(), store_->imputation_bytes());
  const std::vector<std::optional<data::Population>> want = {
      data::Population::kEur, std::nullopt, data::Population::kAfa,
      data::Population::kHis};
  for (size_t i = 0; i < m->size(); ++i) {
    EXPECT_EQ(m->FactsOf(i).population, want[i]) << i;
    size_t a, b;
    const uint16_t* x = m->data().imputation_words(i, &a);
    const uint16_t* y = store_->data().imputation_words(i, &b);
    ASSERT_EQ(a, b);
    EXPECT_TRUE(std::equal(x, x + a, y)) << i;
  }
  const DonorStore::ImputationCounts n = m->imputation_counts();
  EXPECT_EQ(n.explained, 3u);
  EXPECT_EQ(n.unexplained + n.refused, 0u);
  EXPECT_EQ(n.fallback, 1u);
  // The phased brother is a fallback donor: not imputed in the store.
  size_t count;
  EXPECT_EQ(m->data().imputation_words(3, &count)[0], 0);
  EXPECT_EQ(count, 1u);
  // The son's A*01:XX leaves several pairs; the high-resolution mother one
  // or two (the phase).
  EXPECT_GT(m->data().imputation_words(1, &count)[0] & internal::kImputed, 0);
  EXPECT_GT((count - 2) / 3, 1u);
  // A store without imputations writes and loads without them.
  std::vector<std::string> rejects;
  IngestStats stats;
  absl::StatusOr<DonorStore> bare = Ingest(
      Write("bare.csv", "id,glstring\nx,A*01:01+A*02:01^B*08:01+B*44:02\n"), &rejects, &stats);
  ASSERT_TRUE(bare.ok());
  const std::string path = absl::StrCat(dir_, "/bare.hmx");
  ASSERT_TRUE(WriteIndex(*bare, path).ok());
  absl::StatusOr<DonorStore> loaded = LoadIndex(path, *LoadShipped().resolver);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_FALSE(loaded->has_imputations());
  EXPECT_FALSE(loaded->FactsOf(0).population.has_value());
}

// A load that does not ask for the imputations neither reads nor checks
// them (a corrupt imputation section goes unnoticed until it is asked
// for), and ranks the same.
TEST_F(ImputedIndexTest, ImputationsAreReadOnlyWhenAskedFor) {
  absl::StatusOr<DonorStore> without =
      LoadIndex(index_, *LoadShipped().resolver, LoadOptions{/*imputations=*/false});
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_FALSE(without->has_imputations());
  EXPECT_EQ(without->size(), store_->size());
  EXPECT_EQ(without->FactsOf(0).population, data::Population::kEur);
  // The unread section is counted all in, until the store is imputed
  // afresh (its own imputations then count, not both).
  EXPECT_GT(without->unread_imputation_bytes(), 0u);
  ASSERT_TRUE(ImputeDonors(*imputer_, 1, &*without).ok());
  EXPECT_EQ(without->unread_imputation_bytes(), 0u);
  EXPECT_EQ(without->imputation_bytes(), store_->imputation_bytes());
  std::string bytes = Bytes();
  bytes[bytes.size() - 8] ^= 0x5A;  // in the imputation words
  std::ofstream(index_, std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_TRUE(LoadIndex(index_, *LoadShipped().resolver, LoadOptions{false}).ok());
  const absl::Status s = LoadIndex(index_, *LoadShipped().resolver).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr("checksum mismatch in the imputation section"));
}

// A deadline already past: refused, on one thread and on two, and the
// store keeps no imputations.
TEST_F(ImputedIndexTest, ImputingPastTheDeadlineIsRefused) {
  for (int threads : {1, 2}) {
    absl::StatusOr<DonorStore> fresh = LoadIndex(index_, *LoadShipped().resolver,
                                                 LoadOptions{false});
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    const absl::Status s = ImputeDonors(*imputer_, threads, &*fresh, nullptr,
                                        absl::Now() - absl::Seconds(1));
    EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded) << threads;
    EXPECT_THAT(s.message(), HasSubstr("while imputing the donors"));
    EXPECT_FALSE(fresh->has_imputations());
  }
}

TEST_F(ImputedIndexTest, CraftedImputationsAreRefused) {
  const std::string good = Bytes();
  const size_t at = WordsAt(good);
  struct Case {
    size_t word;      // from the first word of donor 0
    uint16_t value;
  };
  // Unknown flag bits; "imputed" on a run too short for it; a haplotype
  // number past the table. (Each run is its length, then its words.)
  ASSERT_EQ(store_->data().imputation_run_count(), 4u);  // four distinct typings
  for (const Case& c : {Case{1, 0xFFFF}, Case{1, 0x8001}, Case{3, 0xFFFF}}) {
    std::string bytes = good;
    std::memcpy(&bytes[at + 2 * c.word], &c.value, 2);
    const absl::Status s = Reload(bytes);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << c.word;
    EXPECT_THAT(s.message(), HasSubstr("imputation run 0 is bad")) << s;
  }
  // The fallback donor's run marked as imputed: its run is one word.
  {
    std::string bytes = good;
    const internal::StoreData& d = store_->data();
    size_t count;
    const size_t brother = d.imputation_words(3, &count) - d.imputation_words(0, &count) + 1;
    const uint16_t imputed = internal::kImputed;
    std::memcpy(&bytes[at + 2 * brother], &imputed, 2);
    EXPECT_THAT(Reload(bytes).message(), HasSubstr("imputation run 3 is bad"));
  }
  // A donor's run offset inside a run, or past the words: after the
  // section's four u64 (fingerprint, haplotypes, runs, words), a u32 a
  // donor.
  {
    std::string bytes = good;
    uint64_t isize;
    std::memcpy(&isize, &bytes[48], 8);
    const size_t starts_at = bytes.size() - isize + 32;
    for (uint32_t bad : {1u, 1u << 30}) {
      std::memcpy(&bytes[starts_at + 4 * 2], &bad, 4);
      const absl::Status s = Reload(bytes);
      EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
      EXPECT_THAT(s.message(), HasSubstr("donor 2: no such imputation run")) << s;
    }
    // A run may be shared (equal imputations are stored once).
    const uint32_t first = 0;
    std::memcpy(&bytes[starts_at + 4 * 2], &first, 4);
    EXPECT_TRUE(Reload(bytes).ok());
  }
  // A run's length past the words.
  {
    std::string bytes = good;
    const uint16_t huge = 0xFFFF;
    std::memcpy(&bytes[at], &huge, 2);
    EXPECT_THAT(Reload(bytes).message(), HasSubstr("imputation run 0 is bad"));
  }
  // A payload size that would misalign the imputation section (its sum
  // with the section's size still the file's) is refused before anything
  // is read from it.
  {
    std::string bytes = good;
    uint64_t psize, isize;
    std::memcpy(&psize, &bytes[16], 8);
    std::memcpy(&isize, &bytes[48], 8);
    ++psize;
    --isize;
    std::memcpy(&bytes[16], &psize, 8);
    std::memcpy(&bytes[48], &isize, 8);
    std::ofstream(index_, std::ios::binary | std::ios::trunc) << bytes;
    const absl::Status s = LoadIndex(index_, *LoadShipped().resolver).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(s.message(), HasSubstr("truncated or extended"));
  }
  EXPECT_TRUE(Reload(good).ok());
}

}  // namespace
}  // namespace hla::registry
