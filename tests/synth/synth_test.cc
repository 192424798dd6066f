// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The synthetic registry generator, on the shipped 3.58.0 release, MAC
// subset and NMDP 2007 table: determinism, that every typing it writes
// parses and resolves, the resolution mix, blood groups, ages, and the
// families' Mendelian ground truth.
#include "synth/synth.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "data/haplotype_freq.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "eligibility/facts.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "parser/parse.h"
#include "tests/data/data_test_util.h"

namespace hla::synth {
namespace {

using ::hla::data_testing::StatusIs;
using ::testing::ElementsAreArray;

// Column indexes (Synthesizer::Columns()).
enum Col {
  kId,
  kFamilyId,
  kRole,
  kOtherParent,
  kRelationship,
  kBirthDate,
  kSex,
  kAbo,
  kCmv,
  kPopulation,
  kGlString,
  kPhased,
  kTruthHaplotypes,
  kTruthShared,
  kTruthRecombinant,
  kColumnCount
};

struct Shipped {
  std::shared_ptr<const data::Reference> ref;
  std::shared_ptr<const data::MacTable> macs;
  std::shared_ptr<const HaplotypeFrequencies> freqs;
  std::string error;
};

// Loaded once per process; errors are reported in SetUp (an assertion in
// SetUpTestSuite would be reported as a skip).
const Shipped& LoadShipped() {
  static const Shipped* const kShipped = [] {
    auto* s = new Shipped;
    const std::string data = HLA_SHIPPED_DATA_DIR;
    auto ref = data::Reference::Load({data + "/imgt/3.58.0"});
    if (!ref.ok()) {
      s->error = std::string(ref.status().message());
      return s;
    }
    s->ref = *ref;
    auto macs = data::MacTable::Load(data + "/" + data::MacTable::kShippedRelativePath);
    if (!macs.ok()) {
      s->error = std::string(macs.status().message());
      return s;
    }
    s->macs = *macs;
    auto freqs = HaplotypeFrequencies::Load(
        data + "/" + HaplotypeFrequencies::kShippedRelativePath, *s->ref);
    if (!freqs.ok()) {
      s->error = std::string(freqs.status().message());
      return s;
    }
    s->freqs = *freqs;
    return s;
  }();
  return *kShipped;
}

using Row = std::vector<std::string>;

class SynthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const Shipped& s = LoadShipped();
    ASSERT_TRUE(s.error.empty()) << s.error;
    shipped_ = &s;
  }

  std::unique_ptr<const Synthesizer> Make(const SynthOptions& o) {
    auto synth =
        Synthesizer::Create(shipped_->ref, shipped_->macs, shipped_->freqs, o);
    EXPECT_TRUE(synth.ok()) << synth.status();
    return synth.ok() ? *std::move(synth) : nullptr;
  }

  std::string Generate(const SynthOptions& o, SynthStats* stats = nullptr) {
    auto synth = Make(o);
    if (synth == nullptr) return "";
    std::ostringstream out;
    absl::Status s = synth->Write(&out, stats, nullptr);
    EXPECT_TRUE(s.ok()) << s;
    return out.str();
  }

  // Data rows, split (the header is checked, then dropped).
  static std::vector<Row> Rows(const std::string& text, char sep = ',') {
    std::vector<std::string> lines = absl::StrSplit(text, '\n');
    EXPECT_FALSE(lines.empty());
    EXPECT_TRUE(lines.back().empty()) << "no final newline";
    lines.pop_back();
    std::vector<Row> rows;
    for (size_t i = 1; i < lines.size(); ++i) {
      rows.push_back(absl::StrSplit(lines[i], sep));
      EXPECT_EQ(rows.back().size(), static_cast<size_t>(kColumnCount))
          << lines[i];
    }
    return rows;
  }

  const Shipped* shipped_ = nullptr;
};

TEST_F(SynthTest, SameSeedSameBytesOtherSeedOtherBytes) {
  SynthOptions o;
  o.donors = 2000;
  o.families = 100;
  o.seed = 42;
  const std::string a = Generate(o);
  EXPECT_EQ(a, Generate(o));
  o.seed = 43;
  EXPECT_NE(a, Generate(o));
}

TEST_F(SynthTest, EachRowGroupHasItsOwnStream) {
  // Donor 7 is the same whatever the counts; so is family 3.
  SynthOptions small, large;
  small.donors = 10;
  large.donors = 1000;
  large.families = 50;
  small.families = 5;
  auto s1 = Make(small), s2 = Make(large);
  ASSERT_NE(s1, nullptr);
  ASSERT_NE(s2, nullptr);
  std::string d1, d2, f1, f2;
  s1->AppendDonor(7, &d1, nullptr);
  s2->AppendDonor(7, &d2, nullptr);
  s1->AppendFamily(3, &f1, nullptr);
  s2->AppendFamily(3, &f2, nullptr);
  EXPECT_EQ(d1, d2);
  EXPECT_EQ(f1, f2);
  EXPECT_TRUE(absl::StartsWith(d1, "D000000008,,unrelated,,unrelated,")) << d1;
  EXPECT_TRUE(absl::StartsWith(f1, "F0000004-")) << f1;
}

TEST_F(SynthTest, HeaderAndTsv) {
  SynthOptions o;
  o.donors = 3;
  o.families = 1;
  o.delimiter = '\t';
  const std::string text = Generate(o);
  const std::string header = text.substr(0, text.find('\n'));
  EXPECT_THAT(std::vector<std::string>(absl::StrSplit(header, '\t')),
              ElementsAreArray(Synthesizer::Columns()));
  EXPECT_EQ(header,
            "id\tfamily_id\trole\tother_parent\trelationship\tbirth_date\t"
            "sex\tabo\tcmv\tpopulation\tglstring\tglstring_phased\ttruth_haplotypes\t"
            "truth_shared_with_patient\ttruth_recombinant");
  EXPECT_EQ(text.find(','), std::string::npos);  // no comma anywhere
  EXPECT_GE(Rows(text, '\t').size(), 3u + 2u);
}

TEST_F(SynthTest, EveryTypingParsesAndResolvesAgainst3580) {
  SynthOptions o;
  o.donors = 3000;
  o.families = 300;
  o.recombination_rate = 0.1;  // exercise recombinant haplotypes too
  o.seed = 7;
  const std::vector<Row> rows = Rows(Generate(o));
  data::Resolver resolver(shipped_->ref, shipped_->macs);
  size_t checked = 0;
  for (const Row& r : rows) {
    for (int col : {kGlString, kPhased}) {
      if (r[col].empty()) continue;
      auto gl = parser::ParseGlString(r[col]);
      ASSERT_TRUE(gl.ok()) << r[kId] << " " << r[col] << ": " << gl.status();
      auto t = resolver.Resolve(*gl);
      ASSERT_TRUE(t.ok()) << r[kId] << " " << r[col] << ": " << t.status();
      EXPECT_TRUE(t->warnings.empty()) << r[col];
      ++checked;
    }
  }
  EXPECT_GT(checked, 3000u + 2 * 300u * 3);
}

// The kind a written GL String shows: serology has no '*', XX and MAC
// codes have letters in the second field, lists have '/'.
TypingKind Classify(const std::string& gl) {
  if (gl.find('*') == std::string::npos) return TypingKind::kSerology;
  if (gl.find(":XX") != std::string::npos) return TypingKind::kXX;
  for (absl::string_view token : absl::StrSplit(gl, absl::ByAnyChar("+^/"))) {
    const size_t colon = token.find(':');
    if (colon != absl::string_view::npos && colon + 1 < token.size() &&
        absl::ascii_isupper(static_cast<unsigned char>(token[colon + 1]))) {
      return TypingKind::kMac;
    }
  }
  if (gl.find('/') != std::string::npos) return TypingKind::kAlleleList;
  return TypingKind::kHigh;
}

TEST_F(SynthTest, ResolutionMixWithinTolerance) {
  SynthOptions o;
  o.donors = 20000;
  SynthStats stats;
  const std::vector<Row> rows = Rows(Generate(o, &stats));
  ASSERT_EQ(rows.size(), 20000u);
  std::array<double, kTypingKindCount> seen{};
  int molecular = 0, missing_c = 0, missing_dqb1 = 0, full_length = 0, high = 0;
  for (const Row& r : rows) {
    const TypingKind k = Classify(r[kGlString]);
    seen[static_cast<int>(k)] += 1.0 / rows.size();
    if (k == TypingKind::kSerology) {
      EXPECT_FALSE(absl::StrContains(r[kGlString], "C"));
      EXPECT_FALSE(absl::StrContains(r[kGlString], "DQ"));
      continue;
    }
    ++molecular;
    missing_c += !absl::StrContains(r[kGlString], "C*");
    missing_dqb1 += !absl::StrContains(r[kGlString], "DQB1*");
    if (k == TypingKind::kHigh) {
      for (absl::string_view t :
           absl::StrSplit(r[kGlString], absl::ByAnyChar("+^"))) {
        ++high;
        full_length += std::count(t.begin(), t.end(), ':') == 3;
      }
    }
  }
  // 20000 draws: one standard error is at most 0.0036; allow ~4.
  const ResolutionMix& mix = o.donor_resolution;
  EXPECT_NEAR(seen[0], mix.weights[0], 0.015);
  // A MAC with no code in the table falls back to a list.
  EXPECT_NEAR(seen[1] + seen[2], mix.weights[1] + mix.weights[2], 0.015);
  EXPECT_GT(seen[1], mix.weights[1] - 0.02);
  EXPECT_NEAR(seen[3], mix.weights[3], 0.015);
  EXPECT_NEAR(seen[4], mix.weights[4], 0.015);
  EXPECT_NEAR(static_cast<double>(missing_c) / molecular, mix.missing_c, 0.015);
  EXPECT_NEAR(static_cast<double>(missing_dqb1) / molecular, mix.missing_dqb1,
              0.015);
  // Full-length names: 25% of high-resolution typings, fewer where a
  // 2-field name is itself the full name.
  EXPECT_NEAR(static_cast<double>(full_length) / high, mix.full_length_share,
              0.05);
  // The stats count the kinds chosen.
  EXPECT_EQ(stats.donors, 20000u);
  uint64_t persons = 0;
  for (uint64_t n : stats.persons_by_kind) persons += n;
  EXPECT_EQ(persons, 20000u);
}

// The age a written birth date gives at `as_of`, by the library's age rule.
int AgeAt(const std::string& birth, absl::CivilDay as_of) {
  absl::StatusOr<absl::CivilDay> b = eligibility::ParseDate(birth);
  EXPECT_TRUE(b.ok()) << birth;
  if (!b.ok()) return -1;
  absl::StatusOr<int> age = eligibility::AgeInYears(*b, as_of);
  EXPECT_TRUE(age.ok()) << birth;
  return age.ok() ? *age : -1;
}

TEST_F(SynthTest, EuropeanDonorsBloodGroupsCmvSexAndAges) {
  SynthOptions o;
  o.donors = 20000;
  o.population_mix = {0, 0, 1, 0};
  o.as_of = absl::CivilDay(2030, 3, 1);
  std::map<std::string, double> abo;
  double rh_negative = 0, cmv = 0, female = 0;
  std::set<int> ages;
  const std::vector<Row> rows = Rows(Generate(o));
  for (const Row& r : rows) {
    EXPECT_EQ(r[kPopulation], "EUR");
    const std::string& b = r[kAbo];
    abo[b.substr(0, b.size() - 1)] += 1.0 / rows.size();
    rh_negative += (b.back() == '-') / static_cast<double>(rows.size());
    cmv += (r[kCmv] == "pos") / static_cast<double>(rows.size());
    female += (r[kSex] == "F") / static_cast<double>(rows.size());
    ages.insert(AgeAt(r[kBirthDate], o.as_of));
  }
  // Red Cross: O 45, A 40, B 11, AB 4; Rh- 18%. Staras 2006: CMV 51.2%.
  EXPECT_NEAR(abo["O"], 0.45, 0.02);
  EXPECT_NEAR(abo["A"], 0.40, 0.02);
  EXPECT_NEAR(abo["B"], 0.11, 0.015);
  EXPECT_NEAR(abo["AB"], 0.04, 0.01);
  EXPECT_NEAR(rh_negative, 0.18, 0.015);
  EXPECT_NEAR(cmv, 0.512, 0.02);
  EXPECT_NEAR(female, 0.5, 0.02);
  // WMDA donor ages 18-60, every year reached.
  EXPECT_EQ(*ages.begin(), 18);
  EXPECT_EQ(*ages.rbegin(), 60);
  EXPECT_EQ(ages.size(), 43u);
}

// ---- Families

struct Member {
  Row row;
  std::array<std::vector<std::string>, 2> hap;  // phased 2-field names
  std::array<std::string, 2> label;
};

Member ReadMember(const Row& r) {
  Member m;
  m.row = r;
  std::vector<std::string> haps = absl::StrSplit(r[kPhased], '+');
  EXPECT_EQ(haps.size(), 2u) << r[kPhased];
  std::vector<std::string> labels = absl::StrSplit(r[kTruthHaplotypes], '|');
  EXPECT_EQ(labels.size(), 2u) << r[kTruthHaplotypes];
  for (int h = 0; h < 2 && h < static_cast<int>(haps.size()); ++h) {
    m.hap[h] = absl::StrSplit(haps[h], '~');
    EXPECT_EQ(m.hap[h].size(), 5u) << r[kPhased];
    if (h < static_cast<int>(labels.size())) m.label[h] = labels[h];
  }
  return m;
}

// True when `child_hap` is one of `parent`'s haplotypes, or (when
// `recombinant`) a mosaic of them: a prefix from one, the rest from the
// other, switching once.
bool Transmitted(const std::vector<std::string>& child_hap,
                 const Member& parent, bool may_recombine) {
  for (int s = 0; s < 2; ++s) {
    if (child_hap == parent.hap[s]) return true;
  }
  if (!may_recombine) return false;
  for (int s = 0; s < 2; ++s) {
    for (int k = 0; k < 4; ++k) {
      bool ok = true;
      for (int slot = 0; slot < 5 && ok; ++slot) {
        ok = child_hap[slot] == parent.hap[slot <= k ? s : 1 - s][slot];
      }
      if (ok) return true;
    }
  }
  return false;
}

int SharedLabels(const Member& patient, const Member& m) {
  std::array<bool, 2> used{};
  int n = 0;
  for (const std::string& l : m.label) {
    for (int i = 0; i < 2; ++i) {
      if (!used[i] && patient.label[i] == l) {
        used[i] = true;
        ++n;
        break;
      }
    }
  }
  return n;
}

// other_partner_rate: later children of the patient by new partners (g|h,
// i|j, ...), named in other_parent; at rate 0 every child names the first
// partner, and the rest of each family is the same whatever the rate (the
// partner draws have a stream of their own).
TEST_F(SynthTest, ChildrenByOtherPartners) {
  SynthOptions o;
  o.families = 300;
  o.seed = 11;
  const std::vector<Row> plain = Rows(Generate(o));
  o.other_partner_rate = 0.6;
  SynthStats stats;
  const std::vector<Row> mixed = Rows(Generate(o, &stats));
  EXPECT_GT(stats.other_partners, 0u);
  ASSERT_EQ(plain.size(), mixed.size());
  int second = 0;
  for (size_t i = 0; i < plain.size(); ++i) {
    const Row& p = plain[i];
    const Row& m = mixed[i];
    ASSERT_EQ(p[kId], m[kId]);
    if (p[kRole] != "child") {
      EXPECT_EQ(p, m);
      EXPECT_EQ(m[kOtherParent], "");
      continue;
    }
    EXPECT_EQ(p[kOtherParent], p[kFamilyId] + "-Q1");
    if (m[kOtherParent] == p[kOtherParent]) continue;
    ++second;
    // The partner side of the truth is a new partner's letter.
    EXPECT_NE(m[kTruthHaplotypes].find_first_of("ghij"), std::string::npos)
        << m[kTruthHaplotypes];
    if (m[kTruthRecombinant] == "no") {
      EXPECT_EQ(m[kTruthShared], "1");
    }
  }
  EXPECT_GT(second, 0);
}

// half_sibling_rate: the mother's or the father's children by another
// partner (u|v), written after the rest of the family, which stays the same
// whatever the rate (their draws have a stream of their own).
TEST_F(SynthTest, HalfSiblings) {
  SynthOptions o;
  o.families = 300;
  o.seed = 11;
  const std::vector<Row> plain = Rows(Generate(o));
  o.half_sibling_rate = 0.5;
  SynthStats stats;
  const std::vector<Row> mixed = Rows(Generate(o, &stats));
  EXPECT_GT(stats.half_siblings, 0u);
  std::vector<Row> rest;
  int maternal = 0, paternal = 0, sharing = 0;
  for (const Row& r : mixed) {
    const bool is_maternal = r[kRole] == "maternal_half_sibling";
    if (!is_maternal && r[kRole] != "paternal_half_sibling") {
      rest.push_back(r);
      continue;
    }
    maternal += is_maternal;
    paternal += !is_maternal;
    EXPECT_EQ(r[kId].substr(r[kId].size() - 3, 2), "-H") << r[kId];
    const std::vector<std::string> labels =
        absl::StrSplit(r[kTruthHaplotypes], '|');
    ASSERT_EQ(labels.size(), 2u);
    // The other partner's side is u or v; the shared parent's is one of
    // that parent's (a or b; c or d; or a recombinant of them).
    const std::string& other = labels[is_maternal ? 0 : 1];
    const std::string& own = labels[is_maternal ? 1 : 0];
    EXPECT_NE(other.find_first_of("uv"), std::string::npos) << other;
    EXPECT_NE(own.find_first_of(is_maternal ? "cd" : "ab"), std::string::npos)
        << own;
    EXPECT_EQ(own.find_first_of("uv"), std::string::npos) << own;
    EXPECT_TRUE(r[kTruthShared] == "0" || r[kTruthShared] == "1");
    sharing += r[kTruthShared] == "1";
  }
  EXPECT_EQ(static_cast<uint64_t>(maternal + paternal), stats.half_siblings);
  EXPECT_GT(maternal, 0);
  EXPECT_GT(paternal, 0);
  EXPECT_GT(sharing, 0);
  EXPECT_EQ(rest, plain);
}

TEST_F(SynthTest, FamiliesAreMendelianAndTruthIsConsistent) {
  SynthOptions o;
  o.families = 600;
  o.recombination_rate = 0.05;
  o.nonpaternity_rate = 0.05;
  o.seed = 2026;
  SynthStats stats;
  const std::vector<Row> rows = Rows(Generate(o, &stats));
  std::map<std::string, std::vector<Member>> families;
  for (const Row& r : rows) {
    ASSERT_FALSE(r[kFamilyId].empty()) << r[kId];
    families[r[kFamilyId]].push_back(ReadMember(r));
  }
  ASSERT_EQ(families.size(), 600u);
  EXPECT_EQ(stats.families, 600u);
  EXPECT_GT(stats.recombinant_meioses, 0u);
  EXPECT_GT(stats.nonpaternal, 0u);
  int recombinants = 0, checked_children = 0;
  int patient_nonpaternal_with_father = 0;
  for (const auto& [id, members] : families) {
    const Member *father = nullptr, *mother = nullptr, *patient = nullptr;
    int siblings = 0;
    for (const Member& m : members) {
      const std::string& role = m.row[kRole];
      if (role == "father") father = &m;
      if (role == "mother") mother = &m;
      if (role == "patient") patient = &m;
      siblings += role == "sibling";
      const std::string want_rel = role == "father" || role == "mother"
                                       ? "parent"
                                   : role == "patient" ? ""
                                                       : role;
      EXPECT_EQ(m.row[kRelationship], want_rel) << m.row[kId];
    }
    ASSERT_NE(patient, nullptr) << id;
    if (absl::StartsWith(patient->label[0], "x0") && father != nullptr) {
      // The written father is no parent: no haplotype shared by descent.
      EXPECT_EQ(father->row[kTruthShared], "0") << id;
      ++patient_nonpaternal_with_father;
    }
    EXPECT_GE(siblings, 1) << id;
    EXPECT_LE(siblings, 4) << id;
    if (father) {
      EXPECT_EQ(father->label[0] + "|" + father->label[1], "a|b");
    }
    if (mother) {
      EXPECT_EQ(mother->label[0] + "|" + mother->label[1], "c|d");
    }
    if (father) {
      EXPECT_EQ(father->row[kSex], "M");
    }
    if (mother) {
      EXPECT_EQ(mother->row[kSex], "F");
    }
    EXPECT_TRUE(patient->row[kTruthShared].empty());

    for (const Member& m : members) {
      const std::string& role = m.row[kRole];
      const bool recombinant = m.row[kTruthRecombinant] == "yes";
      EXPECT_TRUE(recombinant || m.row[kTruthRecombinant] == "no");
      recombinants += recombinant;
      // truth_shared_with_patient agrees with the letters, and a shared
      // haplotype has the patient's alleles.
      if (&m != patient) {
        int shared = -1;
        ASSERT_TRUE(absl::SimpleAtoi(m.row[kTruthShared], &shared))
            << m.row[kId];
        EXPECT_EQ(shared, SharedLabels(*patient, m)) << m.row[kId];
        for (int h = 0; h < 2; ++h) {
          for (int p = 0; p < 2; ++p) {
            if (m.label[h] == patient->label[p]) {
              EXPECT_EQ(m.hap[h], patient->hap[p]) << m.row[kId];
            }
          }
        }
      }
      if (role == "father" || role == "mother") {
        EXPECT_FALSE(recombinant);
        continue;
      }
      // A child's haplotypes come one from each parent; a crossover shows
      // as a ':' in the label and a "yes" in truth_recombinant.
      const bool new_crossover =
          recombinant;  // labels of the parents carry no ':' here
      if (role == "patient" || role == "sibling") {
        const bool nonpaternal = absl::StartsWith(m.label[0], "x") ||
                                 absl::StartsWith(m.label[0], "y") ||
                                 absl::StartsWith(m.label[0], "(x") ||
                                 absl::StartsWith(m.label[0], "(y");
        if (father && !nonpaternal) {
          EXPECT_TRUE(Transmitted(m.hap[0], *father, new_crossover))
              << m.row[kId] << " " << m.row[kPhased];
          ++checked_children;
        }
        if (mother) {
          EXPECT_TRUE(Transmitted(m.hap[1], *mother, new_crossover))
              << m.row[kId] << " " << m.row[kPhased];
        }
        EXPECT_EQ(recombinant, absl::StrContains(m.row[kTruthHaplotypes], ":"))
            << m.row[kId];
      } else {
        ASSERT_EQ(role, "child");
        // One haplotype from the patient (possibly recombined), the other
        // from a partner outside the file (letters e/f).
        const bool from_patient_0 =
            Transmitted(m.hap[0], *patient, new_crossover);
        const bool from_patient_1 =
            Transmitted(m.hap[1], *patient, new_crossover);
        EXPECT_TRUE(from_patient_0 || from_patient_1) << m.row[kId];
        EXPECT_GE(SharedLabels(*patient, m) + (recombinant ? 1 : 0), 1)
            << m.row[kId];
        ++checked_children;
      }
    }
  }
  EXPECT_GT(recombinants, 0);
  EXPECT_GT(checked_children, 600);
  // 600 families x 5% x P(father written) 0.8: about 24.
  EXPECT_GT(patient_nonpaternal_with_father, 5);
}

TEST_F(SynthTest, FamilyAgesAreCoherent) {
  SynthOptions o;
  o.families = 300;
  const std::vector<Row> rows = Rows(Generate(o));
  std::map<std::string, std::map<std::string, int>> ages;
  for (const Row& r : rows) {
    const int age = AgeAt(r[kBirthDate], o.as_of);
    EXPECT_GE(age, 0) << r[kId];
    EXPECT_LE(age, 90) << r[kId];
    if (r[kRole] != "sibling" && r[kRole] != "child") {
      ages[r[kFamilyId]][r[kRole]] = age;
    }
    if (r[kRole] == "child") ages[r[kFamilyId]]["child"] = age;
  }
  for (auto& [id, a] : ages) {
    const int patient = a["patient"];
    EXPECT_GE(patient, 1) << id;
    EXPECT_LE(patient, 70) << id;
    if (a.count("father")) {
      EXPECT_GE(a["father"] - patient, 20) << id;
    }
    if (a.count("mother")) {
      EXPECT_GE(a["mother"] - patient, 18) << id;
    }
    if (a.count("child")) {
      EXPECT_GE(patient - a["child"], 20) << id;
    }
  }
}

TEST_F(SynthTest, RejectsBadOptions) {
  SynthOptions o;
  o.donor_resolution.weights = {0, 0, 0, 0, 0};
  EXPECT_THAT(
      Synthesizer::Create(shipped_->ref, shipped_->macs, shipped_->freqs, o),
      StatusIs(absl::StatusCode::kInvalidArgument, "weight"));
  o = SynthOptions();
  o.recombination_rate = 1.5;
  EXPECT_THAT(
      Synthesizer::Create(shipped_->ref, shipped_->macs, shipped_->freqs, o),
      StatusIs(absl::StatusCode::kInvalidArgument, "recombination rate"));
  o = SynthOptions();
  o.delimiter = ';';
  EXPECT_THAT(
      Synthesizer::Create(shipped_->ref, shipped_->macs, shipped_->freqs, o),
      StatusIs(absl::StatusCode::kInvalidArgument, "delimiter"));
  o = SynthOptions();
  o.as_of = absl::CivilDay(1850, 2, 28);
  EXPECT_THAT(
      Synthesizer::Create(shipped_->ref, shipped_->macs, shipped_->freqs, o),
      StatusIs(absl::StatusCode::kInvalidArgument, "as-of"));
}

TEST_F(SynthTest, WithoutMacTableMacsBecomeLists) {
  SynthOptions o;
  o.donors = 500;
  o.donor_resolution.weights = {0, 1, 0, 0, 0};
  auto synth = Synthesizer::Create(shipped_->ref, nullptr, shipped_->freqs, o);
  ASSERT_TRUE(synth.ok()) << synth.status();
  std::ostringstream out;
  SynthStats stats;
  ASSERT_TRUE((*synth)->Write(&out, &stats, nullptr).ok());
  EXPECT_EQ(stats.typings_by_kind[static_cast<int>(TypingKind::kMac)], 0u);
  EXPECT_GT(stats.mac_fallbacks, 0u);
}

TEST_F(SynthTest, FailedStreamIsDataLoss) {
  SynthOptions o;
  o.donors = 10;
  auto synth = Make(o);
  ASSERT_NE(synth, nullptr);
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  EXPECT_THAT(synth->Write(&out, nullptr, nullptr),
              StatusIs(absl::StatusCode::kDataLoss, "writing the output"));
}

TEST_F(SynthTest, ProgressIsReported) {
  SynthOptions o;
  o.donors = 70000;
  auto synth = Make(o);
  ASSERT_NE(synth, nullptr);
  std::ostringstream out;
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  ASSERT_TRUE(synth
                  ->Write(&out, nullptr,
                          [&](uint64_t done, uint64_t total) {
                            calls.emplace_back(done, total);
                          })
                  .ok());
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls.front().first, 65536u);
  EXPECT_EQ(calls.back(), std::make_pair(uint64_t{70000}, uint64_t{70000}));
}

}  // namespace
}  // namespace hla::synth
