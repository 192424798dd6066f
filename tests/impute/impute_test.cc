// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// impute/impute.h on the shipped 3.58.0 release and the NMDP 2007 table:
// what a typing implies, what two posteriors say of a match, the rules for
// typings the table cannot explain, and bad options.
#include "impute/impute.h"

#include <cmath>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "data/mac_table.h"
#include "data/resolve.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "parser/parse.h"
#include "synth/synth.h"
#include "absl/strings/strip.h"
#include <optional>
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include <algorithm>
#include <vector>

namespace hla::impute {
namespace {

using ::testing::HasSubstr;

const std::string kData = HLA_SHIPPED_DATA_DIR;

struct Shipped {
  std::shared_ptr<const data::Reference> ref;
  std::unique_ptr<data::Resolver> resolver;
  std::unique_ptr<const Imputer> imputer;
  std::string error;
};

const Shipped& Load() {
  static const Shipped* s = [] {
    auto* out = new Shipped;
    auto ref = data::Reference::Load({kData + "/imgt/3.58.0"});
    if (!ref.ok()) {
      out->error = ref.status().ToString();
      return out;
    }
    out->ref = *ref;
    auto macs = data::MacTable::Load(kData + "/" + data::MacTable::kShippedRelativePath);
    if (!macs.ok()) {
      out->error = macs.status().ToString();
      return out;
    }
    out->resolver = std::make_unique<data::Resolver>(out->ref, *macs);
    auto freqs = data::HaplotypeFrequencies::Load(
        kData + "/" + data::HaplotypeFrequencies::kShippedRelativePath, *out->ref);
    if (!freqs.ok()) {
      out->error = freqs.status().ToString();
      return out;
    }
    auto imputer = Imputer::Create(out->ref, *freqs);
    if (!imputer.ok()) {
      out->error = imputer.status().ToString();
      return out;
    }
    out->imputer = *std::move(imputer);
    return out;
  }();
  return *s;
}

class ImputeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(Load().error, ""); }
  const Imputer& imp() { return *Load().imputer; }
  matcher::Genotype G(const std::string& text) {
    auto gl = parser::ParseGlString(text);
    EXPECT_TRUE(gl.ok()) << text;
    auto t = Load().resolver->Resolve(*gl);
    EXPECT_TRUE(t.ok()) << text << ": " << t.status();
    auto g = matcher::BuildGenotype(*Load().ref, *t);
    EXPECT_TRUE(g.ok()) << text;
    return *g;
  }
  Imputation I(const std::string& text, ImputeOptions o = {}) {
    absl::StatusOr<Imputation> r = imp().Impute(G(text), o);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status();
    return r.ok() ? *r : Imputation();
  }
  MatchProbability P(const std::string& r, const std::string& d) {
    const matcher::Genotype rg = G(r), dg = G(d);
    auto rep = matcher::Match(*Load().ref, rg, dg, matcher::Relationship::kUnrelated, {});
    EXPECT_TRUE(rep.ok());
    auto ri = imp().Impute(rg, {});
    auto di = imp().Impute(dg, {});
    EXPECT_TRUE(ri.ok() && di.ok());
    return imp().Probability(*ri, *di, &*rep);
  }
};

// The common European haplotypes of the example patient.
const char kPatient[] =
    "A*01:01+A*02:01^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
    "DQB1*02:01+DQB1*03:02";

TEST_F(ImputeTest, AHighResolutionTypingIsItsOwnPairsWithPhaseUncertain) {
  const Imputation r = I(kPatient);
  ASSERT_TRUE(r.explained);
  ASSERT_FALSE(r.pairs.empty());
  double sum = 0;
  for (const HaplotypePair& p : r.pairs) sum += p.p;
  EXPECT_NEAR(sum, 1.0, 1e-9);
  EXPECT_GT(r.kept_mass, 0.999);
  // The most likely phase is A1-C7-B8-DR3-DQ2 with A2-C5-B44-DR4-DQ8, the
  // ancestral haplotype 8.1.
  const HaplotypePair& top = r.pairs.front();
  const std::string a = imp().HaplotypeName(top.h1), b = imp().HaplotypeName(top.h2);
  EXPECT_TRUE(a == "A*01:01~B*08:01~C*07:01~DRB1*03:01~DQB1*02:01" ||
              b == "A*01:01~B*08:01~C*07:01~DRB1*03:01~DQB1*02:01")
      << a << " + " << b;
  EXPECT_GT(top.p, 0.5);
  for (bool t : r.typed) EXPECT_TRUE(t);
}

// Unphased, a high-resolution typing is not ambiguous (every copy one
// allele), only its phase is; written as '~' haplotypes, the phase is known.
TEST_F(ImputeTest, APhasedTypingIsOnePair) {
  const Imputation unphased = I(kPatient);
  EXPECT_FALSE(unphased.ambiguous);
  EXPECT_GT(unphased.pairs.size(), 1u);
  const Imputation phased = I(
      "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
      "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02");
  ASSERT_TRUE(phased.explained);
  ASSERT_EQ(phased.pairs.size(), 1u);
  EXPECT_NEAR(phased.pairs[0].p, 1.0, 1e-12);
  EXPECT_FALSE(phased.ambiguous);
  // The other phase, as written, is the other pair.
  const Imputation other = I(
      "A*01:01~C*07:01~B*44:02~DRB1*04:01~DQB1*03:02+"
      "A*02:01~C*05:01~B*08:01~DRB1*03:01~DQB1*02:01");
  if (other.explained) {
    ASSERT_FALSE(other.pairs.empty());
    EXPECT_NE(other.pairs[0].h1, phased.pairs[0].h1);
  }
}

TEST_F(ImputeTest, IdenticalHighResolutionTypingsMatchTenOfTen) {
  const MatchProbability p = P(kPatient, kPatient);
  ASSERT_TRUE(p.available) << p.basis;
  EXPECT_NEAR(p.p10, 1.0, 1e-9);
  EXPECT_NEAR(p.p9_or_more, 1.0, 1e-9);
  for (const LocusProbability& l : p.loci) {
    EXPECT_TRUE(l.available);
    EXPECT_NEAR(l.p[2], 1.0, 1e-9) << LocusName(l.locus);
  }
  // The phase may differ between the two imputations: the donor carries a
  // recipient haplotype whole with high probability, not certainty.
  ASSERT_TRUE(p.p_haplotype.has_value());
  EXPECT_GT(*p.p_haplotype, 0.9);
  EXPECT_THAT(p.basis, HasSubstr("Maiers"));
}

TEST_F(ImputeTest, ACertainMismatchIsProbabilityZero) {
  const MatchProbability p = P(kPatient,
      "A*03:01+A*02:01^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
      "DQB1*02:01+DQB1*03:02");
  ASSERT_TRUE(p.available);
  EXPECT_NEAR(p.loci[0].p[1], 1.0, 1e-9);  // A: one match for certain
  EXPECT_NEAR(p.p10, 0.0, 1e-12);
  EXPECT_NEAR(p.p9_or_more, 1.0, 1e-9);
}

TEST_F(ImputeTest, LowResolutionDonorsGetProbabilitiesBetweenZeroAndOne) {
  const MatchProbability p = P(kPatient,
      "A*01:XX+A*02:XX^B*08:XX+B*44:XX^DRB1*03:XX+DRB1*04:XX");
  ASSERT_TRUE(p.available) << p.basis;
  EXPECT_GT(p.p10, 0.01);
  EXPECT_LT(p.p10, 0.999);
  for (const LocusProbability& l : p.loci) {
    EXPECT_NEAR(l.p[0] + l.p[1] + l.p[2], 1.0, 1e-9) << LocusName(l.locus);
  }
  EXPECT_LE(p.p10, p.p9_or_more);
  EXPECT_LE(p.p9_or_more, p.p8_or_more);
  EXPECT_LE(p.p8_or_more, 1.0 + 1e-12);
  // Serology: broader still.
  const MatchProbability s = P(kPatient, "A1+A2^B8+B44^DR3+DR4");
  ASSERT_TRUE(s.available) << s.basis;
  EXPECT_GT(s.p10, 0.0);
  EXPECT_LT(s.p10, 0.999);
}

TEST_F(ImputeTest, ThePopulationChangesThePosterior) {
  ImputeOptions eur, api;
  eur.population = data::Population::kEur;
  api.population = data::Population::kApi;
  const std::string t = "A*02:XX+A*24:XX^B*40:XX+B*51:XX^DRB1*04:XX+DRB1*09:XX";
  const Imputation a = I(t, eur), b = I(t, api);
  ASSERT_TRUE(a.explained && b.explained);
  EXPECT_NE(imp().HaplotypeName(a.pairs.front().h1) + imp().HaplotypeName(a.pairs.front().h2),
            imp().HaplotypeName(b.pairs.front().h1) + imp().HaplotypeName(b.pairs.front().h2));
}

// A typed allele the 2007 table does not list is imputed as untyped at
// that locus; the match count there comes from the typings when both are
// certain.
TEST_F(ImputeTest, AnAlleleOutsideTheTable) {
  const std::string r =
      "A*01:01+A*02:01^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
      "DQB1*02:01+DQB1*03:02";
  // A*02:26 is not in the 2007 table, nor in the P group of an allele that
  // is.
  const std::string d =
      "A*01:01+A*02:26^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
      "DQB1*02:01+DQB1*03:02";
  const Imputation di = I(d);
  ASSERT_TRUE(di.explained);
  EXPECT_TRUE(di.outside_table[0]);
  const MatchProbability p = P(r, d);
  ASSERT_TRUE(p.available) << p.basis;
  EXPECT_TRUE(p.loci[0].from_typing);
  EXPECT_NEAR(p.loci[0].p[1], 1.0, 1e-9);
  EXPECT_FALSE(p.p_haplotype.has_value());
  EXPECT_THAT(p.basis, HasSubstr("A outside the table"));
  // Against an ambiguous recipient the count is not certain: no totals.
  const MatchProbability q = P("A*01:XX+A*02:XX^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01", d);
  EXPECT_FALSE(q.available);
  EXPECT_FALSE(q.loci[0].available);
  EXPECT_TRUE(q.loci[1].available);
  // A*02:1013, named long after 2007, is in the A*02:01 P group: the table's
  // A*02:01 as far as matching can tell, so not outside the table.
  const Imputation same = I(
      "A*01:01+A*02:1013^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
      "DQB1*02:01+DQB1*03:02");
  EXPECT_FALSE(same.outside_table[0]);
  EXPECT_NEAR(P(r, "A*01:01+A*02:1013^C*07:01+C*05:01^B*08:01+B*44:02^"
                   "DRB1*03:01+DRB1*04:01^DQB1*02:01+DQB1*03:02").p10,
              1.0, 1e-9);
}

// What a copy admits of the table (AdmittedAlleles), and the contract
// registry::ImputeDonors relies on: genotypes whose copies admit equal sets
// impute to equal posteriors, whatever their spellings.
TEST_F(ImputeTest, CopiesAdmittingEqualSetsImputeAlike) {
  auto admitted = [&](const std::string& text) {
    const matcher::Genotype g = G(text);
    for (int l = 0; l < data::kHaplotypeLoci; ++l) {
      const matcher::LocusTyping& lt = g.at(kLoci[l]);
      if (lt.typed_positions > 0) return imp().AdmittedAlleles(l, lt.pos[0]);
    }
    ADD_FAILURE() << text << ": no imputed locus typed";
    return std::vector<uint16_t>();
  };
  auto names = [&](const std::vector<uint16_t>& set) {
    std::vector<std::string> out;
    for (uint16_t a : set) out.push_back(imp().frequencies().allele(a).name);
    return out;
  };
  // One table allele, however written: its 4-field name, a newer allele of
  // its P group (A*02:1013).
  const std::vector<uint16_t> a0201 = admitted("A*02:01");
  ASSERT_EQ(a0201.size(), 1u);
  EXPECT_THAT(names(a0201), ::testing::ElementsAre(::testing::HasSubstr("02:01")));
  EXPECT_EQ(admitted("A*02:01:01:01"), a0201);
  EXPECT_EQ(admitted("A*02:1013"), a0201);
  // Outside the table: nothing admitted.
  EXPECT_TRUE(admitted("A*02:26").empty());
  // Broad typings: every set ascending, each allele once, and an XX code
  // or a serology antigen admits more than one table allele.
  for (const char* text : {"A*02:XX", "A2", "B44", "DRB1*04:XX", "A*02:01/A*02:06"}) {
    SCOPED_TRACE(text);
    const std::vector<uint16_t> set = admitted(text);
    EXPECT_GT(set.size(), 1u);
    EXPECT_TRUE(std::is_sorted(set.begin(), set.end()));
    EXPECT_EQ(std::adjacent_find(set.begin(), set.end()), set.end());
  }
  EXPECT_TRUE(std::includes(admitted("A*02:XX").begin(), admitted("A*02:XX").end(),
                            a0201.begin(), a0201.end()));

  // Equal sets, equal posteriors: the same person written three ways.
  const Imputation x = I(
      "A*01:01+A*02:01^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
      "DQB1*02:01+DQB1*03:02");
  for (const char* other :
       {"A*01:01:01:01+A*02:01:01:01^C*07:01+C*05:01^B*08:01+B*44:02^"
        "DRB1*03:01+DRB1*04:01^DQB1*02:01+DQB1*03:02",
        "A*01:01+A*02:1013^C*07:01:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
        "DQB1*02:01+DQB1*03:02"}) {
    SCOPED_TRACE(other);
    const Imputation y = I(other);
    ASSERT_EQ(y.pairs.size(), x.pairs.size());
    for (size_t k = 0; k < x.pairs.size(); ++k) {
      EXPECT_EQ(y.pairs[k].h1, x.pairs[k].h1);
      EXPECT_EQ(y.pairs[k].h2, x.pairs[k].h2);
      EXPECT_EQ(y.pairs[k].p, x.pairs[k].p);
    }
    EXPECT_EQ(y.total, x.total);
    EXPECT_EQ(y.typed, x.typed);
    EXPECT_EQ(y.outside_table, x.outside_table);
    EXPECT_EQ(y.ambiguous, x.ambiguous);
  }
}

// Impute from admitted sets: the same posterior as from the genotype, and
// a set that is not ascending table alleles of its locus is refused.
TEST_F(ImputeTest, ImputeFromAdmittedSetsEqualsTheGenotypesAndChecksTheSets) {
  const matcher::Genotype g = G(
      "A*01:01+A*02:XX^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:XX");
  std::vector<std::vector<uint16_t>> sets;
  sets.reserve(2 * kLoci.size());
  AdmittedTyping typing;
  for (int l = 0; l < data::kHaplotypeLoci; ++l) {
    const matcher::LocusTyping& lt = g.at(kLoci[l]);
    if (lt.typed_positions == 0) continue;  // DQB1: untyped
    sets.push_back(imp().AdmittedAlleles(l, lt.pos[0]));
    sets.push_back(imp().AdmittedAlleles(l, lt.pos[1]));
    typing.loci[l].push_back({absl::MakeConstSpan(sets[sets.size() - 2]),
                              absl::MakeConstSpan(sets.back())});
  }
  const absl::StatusOr<Imputation> a = imp().Impute(g, {});
  const absl::StatusOr<Imputation> b = imp().Impute(typing, {});
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_GT(a->pairs.size(), 1u);
  ASSERT_EQ(a->pairs.size(), b->pairs.size());
  for (size_t k = 0; k < a->pairs.size(); ++k) {
    EXPECT_EQ(a->pairs[k].h1, b->pairs[k].h1);
    EXPECT_EQ(a->pairs[k].h2, b->pairs[k].h2);
    EXPECT_EQ(a->pairs[k].p, b->pairs[k].p);
  }
  EXPECT_EQ(a->typed, b->typed);
  EXPECT_TRUE(b->ambiguous);
  // Admitted makes the same typing.
  std::vector<std::vector<uint16_t>> own;
  const AdmittedTyping made = imp().Admitted(g, &own);
  EXPECT_FALSE(made.phased);
  for (int l = 0; l < data::kHaplotypeLoci; ++l) {
    ASSERT_EQ(made.loci[l].size(), typing.loci[l].size()) << l;
    for (size_t k = 0; k < made.loci[l].size(); ++k) {
      for (int c = 0; c < 2; ++c) {
        EXPECT_TRUE(std::equal(made.loci[l][k][c].begin(), made.loci[l][k][c].end(),
                               typing.loci[l][k][c].begin(), typing.loci[l][k][c].end()))
            << l << " " << c;
      }
    }
  }
  // Written as '~' haplotypes: the phase is known, and copy 1 of every
  // locus is haplotype 0's (the first written).
  const matcher::Genotype phased = G(
      "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02+"
      "A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01");
  const AdmittedTyping p = imp().Admitted(phased, &own);
  ASSERT_TRUE(p.phased);
  const matcher::LocusTyping& pa = phased.at(Locus::kA);
  const int h0 = pa.pos[0].haplotype == 0 ? 0 : 1;
  EXPECT_EQ(std::vector<uint16_t>(p.loci[0][0][0].begin(), p.loci[0][0][0].end()),
            imp().AdmittedAlleles(0, pa.pos[h0]));
  const absl::StatusOr<Imputation> pi = imp().Impute(p, {});
  ASSERT_TRUE(pi.ok());
  EXPECT_EQ(pi->pairs.size(), 1u);  // the phase known: one pair

  // Out of order, twice, another locus's allele, past the table.
  const std::vector<uint16_t> a_set = sets[0];  // A: one table allele
  const std::vector<uint16_t> other_locus = sets[2];  // B
  const std::vector<uint16_t> xx = sets[1];
  ASSERT_GT(xx.size(), 1u);
  const std::vector<uint16_t> reversed(xx.rbegin(), xx.rend());
  const std::vector<uint16_t> twice = {xx[0], xx[0]};
  const std::vector<uint16_t> past = {65535};
  for (const std::vector<uint16_t>* bad : {&reversed, &twice, &other_locus, &past}) {
    AdmittedTyping t = typing;
    t.loci[0][0][1] = absl::MakeConstSpan(*bad);
    const absl::Status s = imp().Impute(t, {}).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("at A is not ascending table alleles"));
  }
  EXPECT_EQ(a_set.size(), 1u);
  // Phased with a '|' list's alternatives: refused.
  AdmittedTyping listed = typing;
  listed.phased = true;
  listed.loci[0].push_back(listed.loci[0][0]);
  const absl::Status s = imp().Impute(listed, {}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("a phased typing has alternatives at A"));
}

// A*02:10 is in the table, but on no haplotype with this person's other
// alleles: the haplotype is not listed. The locus whose opening explains
// the most is imputed as untyped.
TEST_F(ImputeTest, AHaplotypeTheTableDoesNotList) {
  const Imputation i = I(
      "A*01:01+A*02:10^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
      "DQB1*02:01+DQB1*03:02");
  ASSERT_TRUE(i.explained);
  EXPECT_TRUE(i.outside_table[0]);
  for (int l = 1; l < data::kHaplotypeLoci; ++l) EXPECT_FALSE(i.outside_table[l]) << l;
}

// What Impute must find however it gathers its candidates (from the most
// selective locus's haplotypes, or from per-allele bit sets, whichever is
// cheaper for the typing): every pair of the table's haplotypes checked one
// by one against the admitted sets, with the rule for a haplotype the table
// does not list (the open locus explaining the most).
struct ScannedPosterior {
  bool explained = false;
  size_t consistent = 0;
  double total = 0;
  double kept_mass = 0;
  std::vector<HaplotypePair> pairs;
  std::array<bool, data::kHaplotypeLoci> outside_table{};
};

ScannedPosterior ScanEveryPair(const Imputer& imp, const AdmittedTyping& typing,
                               const std::array<double, data::kPopulationCount>& w,
                               const ImputeOptions& o, int open_locus) {
  constexpr int kL = data::kHaplotypeLoci;
  const auto& haps = imp.haplotypes();
  ScannedPosterior out;
  std::array<std::vector<const AdmittedTyping::Copies*>, kL> alts;
  for (int l = 0; l < kL; ++l) {
    if (l == open_locus) {
      out.outside_table[l] = true;
      continue;
    }
    for (const AdmittedTyping::Copies& alt : typing.loci[l]) {
      if (!alt[0].empty() && !alt[1].empty()) alts[l].push_back(&alt);
    }
    if (!typing.loci[l].empty() && alts[l].empty()) out.outside_table[l] = true;
  }
  auto in = [](absl::Span<const uint16_t> set, uint16_t a) {
    return std::find(set.begin(), set.end(), a) != set.end();
  };
  auto prior = [&](uint32_t h) {
    double f = 0;
    for (int p = 0; p < data::kPopulationCount; ++p) f += w[p] * haps[h].frequency[p];
    return f;
  };
  // A haplotype no copy admits at some locus is in no consistent pair.
  std::vector<uint32_t> some;
  for (uint32_t h = 0; h < haps.size(); ++h) {
    bool ok = prior(h) > 0;
    for (int l = 0; l < kL && ok && !alts[l].empty(); ++l) {
      bool admitted = false;
      for (const auto* alt : alts[l]) {
        admitted |= in((*alt)[0], haps[h].allele[l]) || in((*alt)[1], haps[h].allele[l]);
      }
      ok = admitted;
    }
    if (ok) some.push_back(h);
  }
  std::vector<HaplotypePair> all;
  for (size_t i = 0; i < some.size(); ++i) {
    for (size_t j = i; j < some.size(); ++j) {
      const uint32_t u = some[i], v = some[j];
      bool ok = true;
      if (typing.phased) {
        bool forward = true, backward = true;
        for (int l = 0; l < kL; ++l) {
          if (alts[l].empty()) continue;
          const auto& c = *alts[l][0];
          const uint16_t a = haps[u].allele[l], b = haps[v].allele[l];
          forward = forward && in(c[0], a) && in(c[1], b);
          backward = backward && in(c[1], a) && in(c[0], b);
        }
        ok = forward || backward;
      } else {
        for (int l = 0; l < kL && ok; ++l) {
          if (alts[l].empty()) continue;
          const uint16_t a = haps[u].allele[l], b = haps[v].allele[l];
          bool any = false;
          for (const auto* alt : alts[l]) {
            const auto& c = *alt;
            any |= (in(c[0], a) && in(c[1], b)) || (in(c[1], a) && in(c[0], b));
          }
          ok = any;
        }
      }
      if (!ok) continue;
      double p = 0;
      for (int k = 0; k < data::kPopulationCount; ++k) {
        p += w[k] * haps[u].frequency[k] * haps[v].frequency[k];
      }
      if (u != v) p *= 2;
      if (!(p > 0)) continue;
      out.total += p;
      ++out.consistent;
      all.push_back({u, v, p});
    }
  }
  if (all.empty()) return out;
  out.explained = true;
  std::sort(all.begin(), all.end(), [](const HaplotypePair& a, const HaplotypePair& b) {
    return a.p != b.p ? a.p > b.p : (a.h1 != b.h1 ? a.h1 < b.h1 : a.h2 < b.h2);
  });
  double mass = 0;
  for (const HaplotypePair& p : all) {
    if (out.pairs.size() == o.max_pairs || mass >= o.keep_mass * out.total) break;
    mass += p.p;
    out.pairs.push_back(p);
  }
  for (HaplotypePair& p : out.pairs) p.p /= mass;
  out.kept_mass = mass / out.total;
  return out;
}

ScannedPosterior ScanWithTheOpenLocusRule(const Imputer& imp, const AdmittedTyping& typing,
                                          const ImputeOptions& o) {
  std::array<double, data::kPopulationCount> w{};
  if (o.population) {
    w[static_cast<int>(*o.population)] = 1;
  } else {
    double sum = 0;
    for (double x : o.mix) sum += x;
    for (int p = 0; p < data::kPopulationCount; ++p) w[p] = o.mix[p] / sum;
  }
  ScannedPosterior first = ScanEveryPair(imp, typing, w, o, -1);
  if (first.explained) return first;
  ScannedPosterior best = first;
  for (int l = 0; l < data::kHaplotypeLoci; ++l) {
    if (typing.loci[l].empty() || first.outside_table[l]) continue;
    ScannedPosterior relaxed = ScanEveryPair(imp, typing, w, o, l);
    if (relaxed.explained && relaxed.total > (best.explained ? best.total : 0)) {
      best = std::move(relaxed);
    }
  }
  return best;
}

TEST_F(ImputeTest, ImputeFindsWhatAScanOfEveryPairFinds) {
  struct Case {
    std::string typing;
    std::optional<data::Population> population;
  };
  std::vector<Case> cases = {
      {kPatient, std::nullopt},
      {kPatient, data::Population::kAfa},
      // Homozygous at every locus.
      {"A*01:01+A*01:01^C*07:01+C*07:01^B*08:01+B*08:01^DRB1*03:01+DRB1*03:01^"
       "DQB1*02:01+DQB1*02:01",
       std::nullopt},
      // Common alleles everywhere (many haplotypes at each locus).
      {"A*02:01+A*24:02^C*04:01+C*07:02^B*35:01+B*07:02^DRB1*15:01+DRB1*04:01^"
       "DQB1*03:01+DQB1*06:02",
       data::Population::kEur},
      // XX codes, an allele list, serology.
      {"A*02:XX+A*01:XX^C*07:XX+C*05:XX^B*08:XX+B*44:XX^DRB1*03:XX+DRB1*04:XX^"
       "DQB1*02:XX+DQB1*03:XX",
       std::nullopt},
      {"A*02:01/A*02:06+A*01:01^B*08:01+B*44:02/B*44:03^DRB1*03:01+DRB1*04:01",
       data::Population::kApi},
      {"A2+A1^B8+B44^DRB1*03:XX+DRB1*04:XX", data::Population::kHis},
      // One locus typed; two loci.
      {"A*01:01+A*02:01", std::nullopt},
      {"B*08:01+B*44:02^DRB1*03:01+DRB1*04:01", data::Population::kEur},
      // A genotype list ('|'), a phased typing.
      {"A*01:01+A*02:01|A*01:01+A*03:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01",
       std::nullopt},
      {"A*01:01~C*07:01~B*08:01~DRB1*03:01~DQB1*02:01+"
       "A*02:01~C*05:01~B*44:02~DRB1*04:01~DQB1*03:02",
       std::nullopt},
      // Outside the table (A*02:26); a haplotype the table does not list.
      {"A*01:01+A*02:26^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
       "DQB1*02:01+DQB1*03:02",
       std::nullopt},
      {"A*01:01+A*02:10^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
       "DQB1*02:01+DQB1*03:02",
       data::Population::kEur},
  };
  // And the default mix of a synthetic registry (high resolution, MAC,
  // allele lists, XX, serology), each donor with its population.
  {
    auto macs = data::MacTable::Load(kData + "/" + data::MacTable::kShippedRelativePath);
    auto freqs = data::HaplotypeFrequencies::Load(
        kData + "/" + data::HaplotypeFrequencies::kShippedRelativePath, *Load().ref);
    ASSERT_TRUE(macs.ok() && freqs.ok());
    synth::SynthOptions so;
    so.donors = 150;
    so.seed = 11;
    so.delimiter = '\t';
    auto synth = synth::Synthesizer::Create(Load().ref, *macs, *freqs, so);
    ASSERT_TRUE(synth.ok()) << synth.status();
    const std::vector<std::string>& columns = synth::Synthesizer::Columns();
    const size_t gl = std::find(columns.begin(), columns.end(), "glstring") - columns.begin();
    const size_t pop = std::find(columns.begin(), columns.end(), "population") - columns.begin();
    ASSERT_LT(gl, columns.size());
    ASSERT_LT(pop, columns.size());
    for (uint64_t i = 0; i < so.donors; ++i) {
      std::string row;
      (*synth)->AppendDonor(i, &row, nullptr);
      const std::vector<std::string> fields = absl::StrSplit(absl::StripSuffix(row, "\n"), '\t');
      ASSERT_EQ(fields.size(), columns.size()) << row;
      Case c{fields[gl], std::nullopt};
      for (int p = 0; p < data::kPopulationCount; ++p) {
        if (data::PopulationName(static_cast<data::Population>(p)) == fields[pop]) {
          c.population = static_cast<data::Population>(p);
        }
      }
      cases.push_back(c);
    }
  }
  // And typings made of table haplotypes from both ends of its numbering
  // (each copy admits its haplotype's allele), as admitted sets.
  const uint32_t last = static_cast<uint32_t>(imp().haplotypes().size() - 1);
  std::vector<std::pair<uint32_t, uint32_t>> made = {
      {last, 0}, {last, last - 1}, {last - 2, last / 2}, {63, 64}, {last, last}};
  size_t explained = 0, relaxed = 0, pairs = 0;
  for (size_t i = 0; i < cases.size() + made.size(); ++i) {
    std::vector<std::vector<uint16_t>> sets;
    AdmittedTyping typing;
    ImputeOptions o;
    if (i < cases.size()) {
      const Case& c = cases[i];
      SCOPED_TRACE(c.typing);
      typing = imp().Admitted(G(c.typing), &sets);
      o.population = c.population;
    } else {
      const auto [u, v] = made[i - cases.size()];
      sets.reserve(2 * data::kHaplotypeLoci);
      for (int l = 0; l < data::kHaplotypeLoci; ++l) {
        sets.push_back({imp().haplotypes()[u].allele[l]});
        sets.push_back({imp().haplotypes()[v].allele[l]});
        typing.loci[l].push_back({absl::MakeConstSpan(sets[sets.size() - 2]),
                                  absl::MakeConstSpan(sets.back())});
      }
    }
    SCOPED_TRACE(i);
    const absl::StatusOr<Imputation> got = imp().Impute(typing, o);
    ASSERT_TRUE(got.ok()) << got.status();
    const ScannedPosterior want = ScanWithTheOpenLocusRule(imp(), typing, o);
    ASSERT_EQ(got->explained, want.explained);
    EXPECT_EQ(got->consistent, want.consistent);
    EXPECT_NEAR(got->total, want.total, 1e-12 * want.total);
    EXPECT_NEAR(got->kept_mass, want.kept_mass, 1e-12);
    EXPECT_EQ(got->outside_table, want.outside_table);
    ASSERT_EQ(got->pairs.size(), want.pairs.size());
    for (size_t k = 0; k < want.pairs.size(); ++k) {
      EXPECT_EQ(got->pairs[k].h1, want.pairs[k].h1) << k;
      EXPECT_EQ(got->pairs[k].h2, want.pairs[k].h2) << k;
      EXPECT_NEAR(got->pairs[k].p, want.pairs[k].p, 1e-12) << k;
    }
    explained += want.explained;
    relaxed += want.explained && std::count(want.outside_table.begin(),
                                            want.outside_table.end(), true) > 0;
    pairs += want.pairs.size();
  }
  // The cases reach what they are for: most explained, some by the open
  // locus rule, posteriors of more than one pair.
  EXPECT_GT(explained, cases.size() * 9 / 10);
  EXPECT_GE(relaxed, 2u);
  EXPECT_GT(pairs, 3 * cases.size());
}

TEST_F(ImputeTest, OptionsAreChecked) {
  const matcher::Genotype g = G(kPatient);
  ImputeOptions o;
  o.keep_mass = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(imp().Impute(g, o).status()));
  o = {};
  o.max_pairs = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(imp().Impute(g, o).status()));
  o = {};
  o.mix = {0, 0, 0, 0};
  EXPECT_TRUE(absl::IsInvalidArgument(imp().Impute(g, o).status()));
  o = {};
  o.mix = {-1, 1, 1, 1};
  EXPECT_TRUE(absl::IsInvalidArgument(imp().Impute(g, o).status()));
  // A person typed at one locus only is too vague to impute pair by pair.
  const absl::StatusOr<Imputation> vague = imp().Impute(G("A*02:XX+A*01:XX"), {});
  if (!vague.ok()) {
    EXPECT_TRUE(absl::IsResourceExhausted(vague.status())) << vague.status();
  }
}

TEST_F(ImputeTest, AReleaseTheTableWasNotBoundToIsRefused) {
  auto other = data::Reference::Load({kData + "/imgt/3.44.0"});
  ASSERT_TRUE(other.ok());
  auto freqs = data::HaplotypeFrequencies::Load(
      kData + "/" + data::HaplotypeFrequencies::kShippedRelativePath, *Load().ref);
  ASSERT_TRUE(freqs.ok());
  auto imputer = Imputer::Create(*other, *freqs);
  EXPECT_TRUE(absl::IsFailedPrecondition(imputer.status()));
}

}  // namespace
}  // namespace hla::impute

namespace hla::impute {
namespace {

// TopMatchScorer, the registry scan's form, equals Probability's p10 and
// p9_or_more bit for bit: donors made from pairs of common table
// haplotypes, written at every mix of high resolution and XX over the five
// loci, and one with an allele outside the table, against a high-resolution
// and an XX recipient.
TEST_F(ImputeTest, TheScorerEqualsProbabilityBitForBit) {
  // The 12 most frequent European haplotypes.
  std::vector<uint32_t> top(imp().haplotypes().size());
  for (uint32_t h = 0; h < top.size(); ++h) top[h] = h;
  const int eur = static_cast<int>(data::Population::kEur);
  std::partial_sort(top.begin(), top.begin() + 12, top.end(), [&](uint32_t a, uint32_t b) {
    return imp().haplotypes()[a].frequency[eur] > imp().haplotypes()[b].frequency[eur];
  });
  top.resize(12);
  auto names = [&](uint32_t h) {
    std::vector<std::string> out = absl::StrSplit(imp().HaplotypeName(h), '~');
    return out;  // kLoci order: A, B, C, DRB1, DQB1
  };
  // The typing of a pair with the loci in `xx` (bit l) written as XX.
  auto typing = [&](uint32_t h1, uint32_t h2, int xx) {
    const std::vector<std::string> a = names(h1), b = names(h2);
    std::vector<std::string> loci;
    for (int l = 0; l < data::kHaplotypeLoci; ++l) {
      auto write = [&](const std::string& n) {
        return (xx >> l & 1) ? n.substr(0, n.find(':')) + ":XX" : n;
      };
      loci.push_back(write(a[l]) + "+" + write(b[l]));
    }
    return absl::StrJoin(loci, "^");
  };
  const std::vector<std::string> recipients = {
      kPatient, typing(top[0], top[1], 0), typing(top[0], top[2], 0b10101),
      "A*01:01+A*02:26^C*07:01+C*05:01^B*08:01+B*44:02^DRB1*03:01+DRB1*04:01^"
      "DQB1*02:01+DQB1*03:02"};
  std::vector<std::string> donors;
  for (size_t i = 0; i < top.size(); ++i) {
    for (size_t j = i; j < top.size(); ++j) {
      for (int xx : {0, 6, 31}) donors.push_back(typing(top[i], top[j], xx));
    }
  }
  donors.push_back(recipients[3]);
  donors.push_back(kPatient);
  int compared = 0, reaching = 0;
  for (const std::string& rt : recipients) {
    const matcher::Genotype rg = G(rt);
    const Imputation ri = I(rt);
    const TopMatchScorer scorer(imp(), ri);
    for (const std::string& dt : donors) {
      const matcher::Genotype dg = G(dt);
      const Imputation di = I(dt);
      auto rep = matcher::Match(*Load().ref, rg, dg, matcher::Relationship::kUnrelated, {});
      ASSERT_TRUE(rep.ok());
      const std::array<int, data::kHaplotypeLoci> certain = Imputer::CertainCounts(&*rep);
      const MatchProbability want = imp().Probability(ri, di, certain);
      uint8_t outside = 0;
      for (int l = 0; l < data::kHaplotypeLoci; ++l) {
        if (di.outside_table[l]) outside |= static_cast<uint8_t>(1u << l);
      }
      const TopMatchScorer::Result got =
          scorer.Score(di.pairs.data(), di.pairs.size(), di.explained, outside, certain);
      ASSERT_EQ(got.available, want.available) << rt << " vs " << dt;
      // Exact: the same sums in the same order.
      EXPECT_EQ(got.p10, want.p10) << rt << " vs " << dt;
      EXPECT_EQ(got.p9_or_more, want.p9_or_more) << rt << " vs " << dt;
      ++compared;
      reaching += want.p9_or_more > 0 && want.p9_or_more < 1;
    }
  }
  EXPECT_EQ(compared, 4 * static_cast<int>(donors.size()));
  // The fixture exercises fractional probabilities, not only 0 and 1.
  EXPECT_GE(reaching, 10);
}

}  // namespace
}  // namespace hla::impute

namespace hla::impute {
namespace {

// Per locus, P(0/1/2) is exact over every kept pair of both sides, even when
// the joint product for the totals is bounded (vague typings: thousands of
// pairs a side): checked against the whole double sum.
TEST_F(ImputeTest, PerLocusProbabilitiesAreExactWhenTheProductIsBounded) {
  const Imputation r = I("A*02:XX+A*24:XX^DRB1*04:XX+DRB1*11:XX");
  const Imputation d = I("A*02:XX+A*03:XX^DRB1*04:XX+DRB1*15:XX");
  ASSERT_TRUE(r.explained && d.explained);
  ASSERT_GT(r.pairs.size() * d.pairs.size(), Imputer::kMaxProducts)
      << r.pairs.size() << " x " << d.pairs.size();
  const MatchProbability p = imp().Probability(r, d, nullptr);
  ASSERT_TRUE(p.available);
  double mr = 0, md = 0;
  for (const HaplotypePair& x : r.pairs) mr += x.p;
  for (const HaplotypePair& y : d.pairs) md += y.p;
  for (int l = 0; l < data::kHaplotypeLoci; ++l) {
    std::array<double, 3> want{};
    for (const HaplotypePair& x : r.pairs) {
      const uint32_t a = imp().AlleleKey(imp().haplotypes()[x.h1].allele[l]);
      const uint32_t b = imp().AlleleKey(imp().haplotypes()[x.h2].allele[l]);
      for (const HaplotypePair& y : d.pairs) {
        const uint32_t c = imp().AlleleKey(imp().haplotypes()[y.h1].allele[l]);
        const uint32_t e = imp().AlleleKey(imp().haplotypes()[y.h2].allele[l]);
        want[std::max(int{a == c} + int{b == e}, int{a == e} + int{b == c})] +=
            x.p * y.p / (mr * md);
      }
    }
    for (int m = 0; m < 3; ++m) {
      EXPECT_NEAR(p.loci[l].p[m], want[m], 1e-9) << LocusName(kLoci[l]) << " " << m;
    }
  }
  // The totals rest on the bounded product: `mass` says how much.
  EXPECT_LT(p.mass, 1.0);
}

}  // namespace
}  // namespace hla::impute
