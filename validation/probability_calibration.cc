// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// validation/probability_calibration.h: predictions from the typed rows,
// outcomes from the truth file.
#include "validation/probability_calibration.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "impute/impute.h"
#include "matcher/internal/grade.h"
#include "matcher/match.h"
#include "registry/donor_file.h"

namespace hla::validation {

namespace {

constexpr int kL = data::kHaplotypeLoci;
// The truth file's haplotypes are in the table's order A~C~B~DRB1~DQB1;
// impute::kLoci is A, B, C, DRB1, DQB1.
constexpr int kTruthSlot[kL] = {0, 2, 1, 3, 4};

struct Person {
  std::string id;
  bool list = false;  // typed with an allele list or a MAC somewhere
  matcher::Genotype genotype;
  std::optional<data::Population> population;  // the file's column
  std::optional<impute::Imputation> imputation;
  // The true match keys: [haplotype][impute::kLoci index].
  std::array<std::array<uint32_t, kL>, 2> truth{};
  bool has_truth = false;
};

// Can the donor's typing match both of the recipient's copies at `locus`?
bool BothCanMatch(const matcher::Genotype& r, const matcher::Genotype& d,
                  Locus locus) {
  const matcher::LocusTyping& a = r.at(locus);
  const matcher::LocusTyping& b = d.at(locus);
  if (a.typed_positions == 0 || b.typed_positions == 0) return false;
  const auto& r0 = a.pos[0].match_keys();
  const auto& r1 = a.pos[1].match_keys();
  const auto& d0 = b.pos[0].match_keys();
  const auto& d1 = b.pos[1].match_keys();
  using matcher_internal::Intersect;
  return (Intersect(r0, d0) && Intersect(r1, d1)) || (Intersect(r0, d1) && Intersect(r1, d0));
}

// One prediction, its outcome.
struct Sample {
  double p10 = -1;                // -1: not available
  std::array<double, kL> p2{};    // -1: not available
  bool m10 = false;
  std::array<bool, kL> m2{};
};

Sample Predict(const impute::Imputer& imp, const Person& r, const Person& d) {
  Sample s;
  s.p2.fill(-1);
  const impute::MatchProbability p =
      imp.Probability(*r.imputation, *d.imputation, nullptr);
  if (p.available) s.p10 = p.p10;
  int total = 0;
  for (int l = 0; l < kL; ++l) {
    if (p.loci[l].available) s.p2[l] = p.loci[l].p[2];
    const uint32_t a = r.truth[0][l], b = r.truth[1][l];
    const uint32_t c = d.truth[0][l], e = d.truth[1][l];
    const int m = std::max(int{a == c} + int{b == e}, int{a == e} + int{b == c});
    s.m2[l] = m == 2;
    total += m;
  }
  s.m10 = total == 2 * kL;
  return s;
}

void Add(Reliability* t, double p, bool outcome) {
  if (p < 0) return;
  const int bin = std::min(9, static_cast<int>(p * 10));
  ++t->n;
  t->brier += (p - (outcome ? 1 : 0)) * (p - (outcome ? 1 : 0));
  ++t->count[bin];
  t->predicted[bin] += p;
  t->observed[bin] += outcome ? 1 : 0;
}

void Finish(Reliability* t) {
  if (t->n > 0) t->brier /= static_cast<double>(t->n);
  for (int b = 0; b < 10; ++b) {
    if (t->count[b] == 0) continue;
    t->predicted[b] /= static_cast<double>(t->count[b]);
    t->observed[b] /= static_cast<double>(t->count[b]);
  }
}

}  // namespace

absl::StatusOr<Calibration> Calibrate(const CalibrationOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<data::ReferenceData> rd =
      data::LoadReferenceData("", "", data::DataPaths::FromEnvironment());
  if (!rd.ok()) return rd.status();
  data::Resolver resolver(rd->reference, rd->macs);
  absl::StatusOr<std::unique_ptr<const impute::Imputer>> imputer =
      impute::Imputer::LoadShipped(rd->reference);
  if (!imputer.ok()) return imputer.status();
  const impute::Imputer& imp = **imputer;

  // The typed registry.
  absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> reader =
      registry::DonorFileReader::Open(o.donors, &resolver);
  if (!reader.ok()) return reader.status();
  std::vector<Person> people;
  absl::flat_hash_map<std::string, size_t> by_id;
  registry::DonorRecord rec;
  absl::Status row;
  while ((*reader)->Next(&rec, &row)) {
    if (!row.ok()) return row;
    Person p;
    p.id = rec.facts.id;
    // A list ('/'), or a MAC: letters after a field separator, XX aside.
    p.list = rec.typing.find('/') != std::string::npos;
    for (size_t k = 0; k + 1 < rec.typing.size() && !p.list; ++k) {
      const char next = rec.typing[k + 1];
      p.list = rec.typing[k] == ':' && next >= 'A' && next <= 'Z' &&
               rec.typing.compare(k + 1, 2, "XX") != 0;
    }
    p.genotype = std::move(rec.genotype);
    p.population = rec.facts.population;
    by_id.emplace(p.id, people.size());
    people.push_back(std::move(p));
  }
  // The truth: id,population,haplotype_1,haplotype_2.
  absl::flat_hash_map<std::string, uint16_t> allele_of;
  for (size_t i = 0; i < imp.frequencies().alleles().size(); ++i) {
    allele_of.emplace(imp.frequencies().alleles()[i].name, static_cast<uint16_t>(i));
  }
  std::ifstream truth(o.truth);
  if (!truth) return absl::NotFoundError(absl::StrCat("cannot open '", o.truth, "'"));
  std::string line;
  size_t line_no = 0;
  while (std::getline(truth, line)) {
    ++line_no;
    if (line_no == 1 || line.empty()) continue;
    const std::vector<std::string> cells = absl::StrSplit(line, ',');
    if (cells.size() != 4) {
      return absl::DataLossError(absl::StrCat(o.truth, ":", line_no, ": 4 fields expected"));
    }
    auto it = by_id.find(cells[0]);
    if (it == by_id.end()) {
      return absl::DataLossError(absl::StrCat(o.truth, ":", line_no, ": donor '",
                                              cells[0], "' is not in ", o.donors));
    }
    Person& p = people[it->second];
    for (int h = 0; h < 2; ++h) {
      const std::vector<std::string> names = absl::StrSplit(cells[2 + h], '~');
      if (names.size() != kL) {
        return absl::DataLossError(absl::StrCat(o.truth, ":", line_no, ": 5 alleles expected"));
      }
      for (int l = 0; l < kL; ++l) {
        auto a = allele_of.find(names[kTruthSlot[l]]);
        if (a == allele_of.end()) {
          return absl::DataLossError(absl::StrCat(o.truth, ":", line_no, ": '",
                                                  names[kTruthSlot[l]],
                                                  "' is not an allele of the table"));
        }
        p.truth[h][l] = imp.AlleleKey(a->second);
      }
    }
    p.has_truth = true;
  }
  for (const Person& p : people) {
    if (!p.has_truth) {
      return absl::DataLossError(absl::StrCat("donor '", p.id, "' has no line in ", o.truth));
    }
  }
  Calibration c;
  c.persons = people.size();
  c.recipients = std::min<uint64_t>(o.recipients, people.size() / 2);
  c.donors = c.persons - c.recipients;

  // Impute everyone once, on `threads` threads.
  const int threads = std::max(1, o.threads);
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> unexplained{0}, not_imputed{0};
  auto impute_all = [&] {
    for (size_t i = next++; i < people.size(); i = next++) {
      impute::ImputeOptions io;
      if (!o.ignore_population) io.population = people[i].population;
      absl::StatusOr<impute::Imputation> r = imp.Impute(people[i].genotype, io);
      if (!r.ok()) {
        ++not_imputed;
        continue;
      }
      if (!r->explained) ++unexplained;
      people[i].imputation = *std::move(r);
    }
  };
  {
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(impute_all);
    impute_all();
    for (std::thread& t : pool) t.join();
  }
  c.unexplained = unexplained;
  c.not_imputed = not_imputed;
  auto usable = [&](size_t i) {
    return people[i].imputation && people[i].imputation->explained &&
           !(o.skip_lists && people[i].list);
  };

  // The two sets of pairs.
  std::vector<std::pair<uint32_t, uint32_t>> random_pairs, potential;
  std::mt19937_64 rng(o.seed);
  if (c.donors > 0 && c.recipients > 0) {
    std::uniform_int_distribution<uint64_t> rr(0, c.recipients - 1);
    std::uniform_int_distribution<uint64_t> dd(c.recipients, c.persons - 1);
    for (uint64_t k = 0; k < o.random_pairs; ++k) {
      random_pairs.emplace_back(static_cast<uint32_t>(rr(rng)), static_cast<uint32_t>(dd(rng)));
    }
    // The donors by the HLA-A match keys they may have (either copy), so
    // that a recipient visits only the donors that can match its first
    // HLA-A copy, not every donor.
    absl::flat_hash_map<uint32_t, std::vector<uint32_t>> by_a_key;
    for (uint64_t d = c.recipients; d < c.persons; ++d) {
      const matcher::LocusTyping& a = people[d].genotype.at(Locus::kA);
      if (a.typed_positions == 0) continue;
      std::vector<uint32_t> keys = a.pos[0].match_keys();
      keys.insert(keys.end(), a.pos[1].match_keys().begin(), a.pos[1].match_keys().end());
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      for (uint32_t k : keys) by_a_key[k].push_back(static_cast<uint32_t>(d));
    }
    std::vector<uint32_t> seen_at(people.size(), UINT32_MAX);
    // One per recipient: for each recipient, the donors sharing its first
    // HLA-A copy's keys are visited from a random start, and the first that
    // can match is its pair: a uniform draw among its candidates, without
    // enumerating them all (a recipient with A*02:01 has a fifth of the
    // registry as donors to look through).
    if (o.one_per_recipient) {
      // Recipients in parallel, each with its own random stream (seeded by
      // the seed and the recipient), so the pairs do not depend on the
      // threads.
      std::vector<uint32_t> chosen(c.recipients, UINT32_MAX);
      std::atomic<uint64_t> next_r{0};
      auto search = [&] {
        for (uint64_t r = next_r++; r < c.recipients; r = next_r++) {
          const matcher::Genotype& a = people[r].genotype;
          if (a.at(Locus::kA).typed_positions == 0) continue;
          if (o.skip_lists && people[r].list) continue;
          std::vector<const std::vector<uint32_t>*> lists;
          size_t total = 0;
          for (uint32_t k : a.at(Locus::kA).pos[0].match_keys()) {
            auto it = by_a_key.find(k);
            if (it == by_a_key.end()) continue;
            lists.push_back(&it->second);
            total += it->second.size();
          }
          if (total == 0) continue;
          std::mt19937_64 own(o.seed ^ (r * 0x9E3779B97F4A7C15ull));
          const size_t s0 = std::uniform_int_distribution<size_t>(0, total - 1)(own);
          // At most kMaxScan donors a recipient: a recipient whose typing
          // is rare may have no candidate in hundreds of thousands (the
          // pair set then leans towards common typings, chosen on typing
          // alone). A donor reached through two keys is looked at twice:
          // harmless.
          constexpr size_t kMaxScan = 20000;
          for (size_t step = 0; step < std::min(total, kMaxScan); ++step) {
            size_t at = (s0 + step) % total;
            const std::vector<uint32_t>* list = lists[0];
            for (const auto* l : lists) {
              if (at < l->size()) {
                list = l;
                break;
              }
              at -= l->size();
            }
            const uint32_t d = (*list)[at];
            if (o.skip_lists && people[d].list) continue;
            const matcher::Genotype& b = people[d].genotype;
            if (BothCanMatch(a, b, Locus::kA) && BothCanMatch(a, b, Locus::kB) &&
                BothCanMatch(a, b, Locus::kDRB1)) {
              chosen[r] = d;
              break;
            }
          }
        }
      };
      std::vector<std::thread> pool;
      for (int t = 1; t < threads; ++t) pool.emplace_back(search);
      search();
      for (std::thread& t : pool) t.join();
      for (uint64_t r = 0; r < c.recipients && potential.size() < o.max_potential; ++r) {
        if (chosen[r] != UINT32_MAX) potential.emplace_back(static_cast<uint32_t>(r), chosen[r]);
      }
    }
    for (uint64_t r = 0; !o.one_per_recipient && r < c.recipients &&
                         potential.size() < o.max_potential;
         ++r) {
      const matcher::Genotype& a = people[r].genotype;
      if (a.at(Locus::kA).typed_positions == 0) continue;
      for (uint32_t k : a.at(Locus::kA).pos[0].match_keys()) {
        auto it = by_a_key.find(k);
        if (it == by_a_key.end()) continue;
        for (uint32_t d : it->second) {
          if (seen_at[d] == r) continue;  // reached through another key
          seen_at[d] = static_cast<uint32_t>(r);
          const matcher::Genotype& b = people[d].genotype;
          if (o.skip_lists && (people[r].list || people[d].list)) continue;
          if (BothCanMatch(a, b, Locus::kA) && BothCanMatch(a, b, Locus::kB) &&
              BothCanMatch(a, b, Locus::kDRB1) && potential.size() < o.max_potential) {
            potential.emplace_back(static_cast<uint32_t>(r), d);
          }
        }
      }
    }
    // Ordered as the scan would visit them (recipient, then donor).
    std::sort(potential.begin(), potential.end());
  }

  const std::array<const char*, kL> names = {"A", "B", "C", "DRB1", "DQB1"};
  for (int set = 0; set < 2; ++set) {
    const auto& pairs = set == 0 ? random_pairs : potential;
    const char* label = set == 0 ? "random" : "potential";
    std::vector<Sample> samples(pairs.size());
    std::atomic<size_t> at{0};
    auto work = [&] {
      for (size_t k = at++; k < pairs.size(); k = at++) {
        const auto [r, d] = pairs[k];
        if (!usable(r) || !usable(d)) {
          samples[k].p10 = -1;
          samples[k].p2.fill(-1);
          continue;
        }
        samples[k] = Predict(imp, people[r], people[d]);
      }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
    Reliability ten;
    ten.quantity = "P(10/10)";
    ten.pairs = label;
    std::array<Reliability, kL> loci;
    for (int l = 0; l < kL; ++l) {
      loci[l].quantity = absl::StrCat("P(", names[l], " 2/2)");
      loci[l].pairs = label;
    }
    for (const Sample& s : samples) {
      Add(&ten, s.p10, s.m10);
      for (int l = 0; l < kL; ++l) Add(&loci[l], s.p2[l], s.m2[l]);
    }
    if (set == 1 && !o.samples.empty()) {
      std::ofstream out(o.samples);
      out << "recipient,donor,p10,m10";
      for (int l = 0; l < kL; ++l) out << ",p_" << names[l] << ",m_" << names[l];
      out << "\n";
      for (size_t k = 0; k < pairs.size(); ++k) {
        const Sample& s = samples[k];
        out << people[pairs[k].first].id << "," << people[pairs[k].second].id << ","
            << s.p10 << "," << s.m10;
        for (int l = 0; l < kL; ++l) out << "," << s.p2[l] << "," << s.m2[l];
        out << "\n";
      }
      if (!out) return absl::DataLossError(absl::StrCat("cannot write '", o.samples, "'"));
    }
    (set == 0 ? c.random_pairs : c.potential_pairs) = pairs.size();
    Finish(&ten);
    c.tables.push_back(ten);
    for (Reliability& t : loci) {
      Finish(&t);
      c.tables.push_back(t);
    }
  }
  for (const Reliability& t : c.tables) {
    for (int b = 0; b < 10; ++b) {
      if (t.count[b] >= 1000 && std::abs(t.predicted[b] - t.observed[b]) > 0.05) {
        c.out_of_tolerance.push_back(absl::StrFormat(
            "%s %s %.1f-%.1f: predicted %.3f, observed %.3f (%d pairs)", t.quantity,
            t.pairs, b / 10.0, (b + 1) / 10.0, t.predicted[b], t.observed[b],
            t.count[b]));
      }
    }
  }
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return c;
}

std::string CalibrationMarkdown(const Calibration& c) {
  std::string out = absl::StrFormat(
      "%d persons (%d recipients, %d donors); %d not explained by the table, "
      "%d too vaguely typed to impute; %d random pairs, %d potential-match "
      "pairs; %.1f s\n\n",
      c.persons, c.recipients, c.donors, c.unexplained, c.not_imputed,
      c.random_pairs, c.potential_pairs, c.seconds);
  absl::StrAppend(&out, "| quantity | pairs | n | Brier |");
  for (int b = 0; b < 10; ++b) absl::StrAppend(&out, absl::StrFormat(" %.1f-%.1f |", b / 10.0, (b + 1) / 10.0));
  absl::StrAppend(&out, "\n|---|---|---|---|");
  for (int b = 0; b < 10; ++b) absl::StrAppend(&out, "---|");
  out += "\n";
  for (const Reliability& t : c.tables) {
    absl::StrAppend(&out, absl::StrFormat("| %s | %s | %d | %.4f |", t.quantity, t.pairs, t.n, t.brier));
    for (int b = 0; b < 10; ++b) {
      if (t.count[b] == 0) {
        out += " – |";
      } else {
        absl::StrAppend(&out, absl::StrFormat(" %.3f / %.3f (%d) |", t.predicted[b],
                                              t.observed[b], t.count[b]));
      }
    }
    out += "\n";
  }
  absl::StrAppend(&out, "\nEach bin: mean predicted / observed (pairs). Bins of at least 1,000 pairs "
                        "out by more than 5 points: ",
                  c.out_of_tolerance.empty() ? "none" : "", "\n");
  for (const std::string& s : c.out_of_tolerance) absl::StrAppend(&out, "- ", s, "\n");
  return out;
}

}  // namespace hla::validation
