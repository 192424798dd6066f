// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "registry/internal/dictionary.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "matcher/internal/grade.h"
#include "matcher/internal/position_access.h"

namespace hla::registry::internal {

using matcher_internal::PositionAccess;

absl::Span<const uint32_t> Dictionary::Field(uint32_t t, int field) const {
  const uint32_t* h = At(t);
  size_t start = kHeaderWords;
  for (int f = 0; f < field; ++f) start += f == 0 ? 2 * size_t{h[2]} : h[2 + f];
  const size_t count = field == 0 ? 2 * size_t{h[2]} : h[2 + field];
  return absl::Span<const uint32_t>(h + start, count);
}

size_t Dictionary::allele_count(uint32_t t) const {
  const absl::Span<const uint32_t> r = allele_ranges(t);
  size_t n = 0;
  for (size_t k = 0; k < r.size(); k += 2) n += r[k + 1] - r[k];
  return n;
}

namespace {

template <typename T>
void Assign(absl::Span<const uint32_t> from, std::vector<T>* to) {
  to->assign(from.begin(), from.end());
}

void Common(const Dictionary& d, uint32_t t, matcher::PositionTyping* out) {
  const uint32_t f = d.flags(t);
  out->haplotype = -1;
  out->consolidated = f & Dictionary::kConsolidated;
  out->placeholder = f & Dictionary::kPlaceholder;
  out->unnamed = f & Dictionary::kUnnamed;
  Assign(d.antigens(t), &out->antigens);
  Assign(d.match_keys(t), &PositionAccess::match_keys(*out));
  PositionAccess::null_alternative_keys(*out).clear();
  PositionAccess::g_groups(*out).clear();
  Assign(d.serology(t), &PositionAccess::serology(*out));
  Assign(d.tce_groups(t), &PositionAccess::tce_groups(*out));
  PositionAccess::all_null(*out) = f & Dictionary::kAllNull;
  PositionAccess::any_null(*out) = f & Dictionary::kAnyNull;
  PositionAccess::tce_unknown(*out) = f & Dictionary::kTceUnknown;
  PositionAccess::admits_variant(*out) = f & Dictionary::kAdmitsVariant;
  PositionAccess::admits_null(*out) = f & Dictionary::kAdmitsNull;
  PositionAccess::p_group_count(*out) = d.p_group_count(t);
}

}  // namespace

void Dictionary::Materialize(const data::Reference& reference, uint32_t t,
                             matcher::PositionTyping* out) const {
  Common(*this, t, out);
  const absl::string_view s = text(t);
  out->text.assign(s.data(), s.size());
  out->alleles.clear();
  std::vector<uint32_t>& g = PositionAccess::g_groups(*out);
  const absl::Span<const uint32_t> r = allele_ranges(t);
  for (size_t k = 0; k < r.size(); k += 2) {
    for (uint32_t a = r[k]; a < r[k + 1]; ++a) {
      out->alleles.push_back(a);
      const data::GroupId group =
          matcher_internal::ExpressedGGroup(reference.allele(a));
      if (group != data::kNone) g.push_back(group);
    }
  }
  std::sort(g.begin(), g.end());
  g.erase(std::unique(g.begin(), g.end()), g.end());
}

void Dictionary::MaterializeShallow(uint32_t t,
                                    matcher::PositionTyping* out) const {
  Common(*this, t, out);
  out->text.clear();
  out->alleles.clear();
  const absl::Span<const uint32_t> r = allele_ranges(t);
  for (size_t k = 0; k < r.size() && out->alleles.size() < 2; k += 2) {
    for (uint32_t a = r[k]; a < r[k + 1] && out->alleles.size() < 2; ++a) {
      out->alleles.push_back(a);
    }
  }
}

absl::Status Dictionary::Validate(size_t allele_count,
                                  size_t antigen_count) const {
  auto bad = [](size_t t, absl::string_view why) {
    return absl::DataLossError(absl::StrCat("dictionary entry ", t, ": ", why));
  };
  if (n_ == 0) return absl::DataLossError("dictionary without entry 0");
  if (entry_offsets_[0] != 0 || text_offsets_[0] != 0) {
    return bad(0, "offsets do not start at 0");
  }
  for (size_t t = 0; t < n_; ++t) {
    const size_t begin = entry_offsets_[t], end = entry_offsets_[t + 1];
    if (end < begin || end > word_count_ || end - begin < kHeaderWords) {
      return bad(t, "out of bounds");
    }
    if (text_offsets_[t + 1] < text_offsets_[t]) return bad(t, "text out of order");
    const uint32_t* h = words_ + begin;
    if (h[0] >> 16 != 0) return bad(t, "stray flag bits");
    uint64_t need = kHeaderWords + 2 * uint64_t{h[2]};
    for (int f = 1; f < 5; ++f) need += h[2 + f];
    if (need != end - begin) return bad(t, "counts do not fill the entry");
    if (t == 0) {
      for (int w = 0; w < kHeaderWords; ++w) {
        if (h[w] != 0) return bad(0, "the untyped entry is not empty");
      }
      if (text_offsets_[1] != 0) return bad(0, "the untyped entry has text");
      continue;
    }
    const absl::Span<const uint32_t> r = allele_ranges(static_cast<uint32_t>(t));
    uint32_t prev = 0;
    for (size_t k = 0; k < r.size(); k += 2) {
      if (r[k] >= r[k + 1] || r[k + 1] > allele_count || (k > 0 && r[k] <= prev)) {
        return bad(t, "allele range out of order or out of range");
      }
      prev = r[k + 1];
    }
    for (uint32_t a : antigens(static_cast<uint32_t>(t))) {
      if (a >= antigen_count) return bad(t, "antigen id out of range");
    }
    for (uint32_t a : serology(static_cast<uint32_t>(t))) {
      if (a >= antigen_count) return bad(t, "serology id out of range");
    }
    for (uint32_t g : tce_groups(static_cast<uint32_t>(t))) {
      if (g > 0xFF) return bad(t, "TCE group out of range");
    }
  }
  return absl::OkStatus();
}

size_t Dictionary::bytes() const {
  return word_count_ * 4 + 2 * (n_ + 1) * 4 + text_size();
}

DictionaryBuilder::DictionaryBuilder() {
  words_.assign(Dictionary::kHeaderWords, 0);
  entry_offsets_ = {0, Dictionary::kHeaderWords};
  text_offsets_ = {0, 0};
}

uint32_t DictionaryBuilder::Add(const matcher::PositionTyping& p,
                                uint32_t keyset) {
  if (!ok_) return 0;
  const size_t start = words_.size();
  const uint32_t f =
      (p.consolidated ? Dictionary::kConsolidated : 0) |
      (p.placeholder ? Dictionary::kPlaceholder : 0) |
      (p.all_null() ? Dictionary::kAllNull : 0) |
      (p.any_null() ? Dictionary::kAnyNull : 0) |
      (p.tce_unknown() ? Dictionary::kTceUnknown : 0) |
      (p.unnamed ? Dictionary::kUnnamed : 0) |
      (p.admits_variant() ? Dictionary::kAdmitsVariant : 0) |
      (PositionAccess::admits_null(p) ? Dictionary::kAdmitsNull : 0);
  words_.push_back(f | uint32_t{p.p_group_count()} << 8);
  words_.push_back(keyset);
  const size_t counts = words_.size();
  words_.resize(words_.size() + 5, 0);
  // The alleles (ascending, unique) as runs of consecutive ids.
  uint32_t ranges = 0;
  for (size_t i = 0; i < p.alleles.size();) {
    size_t j = i + 1;
    while (j < p.alleles.size() && p.alleles[j] == p.alleles[j - 1] + 1) ++j;
    words_.push_back(p.alleles[i]);
    words_.push_back(p.alleles[j - 1] + 1);
    ++ranges;
    i = j;
  }
  words_[counts] = ranges;
  words_[counts + 1] = static_cast<uint32_t>(p.antigens.size());
  words_.insert(words_.end(), p.antigens.begin(), p.antigens.end());
  words_[counts + 2] = static_cast<uint32_t>(p.match_keys().size());
  words_.insert(words_.end(), p.match_keys().begin(), p.match_keys().end());
  words_[counts + 3] = static_cast<uint32_t>(p.serology().size());
  words_.insert(words_.end(), p.serology().begin(), p.serology().end());
  words_[counts + 4] = static_cast<uint32_t>(p.tce_groups().size());
  words_.insert(words_.end(), p.tce_groups().begin(), p.tce_groups().end());
  constexpr size_t kMax = std::numeric_limits<uint32_t>::max();
  if (words_.size() > kMax || text_.size() + p.text.size() > kMax) {
    words_.resize(start);
    ok_ = false;
    return 0;
  }
  text_.append(p.text);
  entry_offsets_.push_back(static_cast<uint32_t>(words_.size()));
  text_offsets_.push_back(static_cast<uint32_t>(text_.size()));
  return static_cast<uint32_t>(size() - 1);
}

Dictionary DictionaryBuilder::View() const {
  return Dictionary(size(), words_.data(), words_.size(),
                    entry_offsets_.data(), text_offsets_.data(), text_.data());
}

}  // namespace hla::registry::internal
