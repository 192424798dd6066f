// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// py-ard's reduction (docs/research/pyard-semantics.md §2), re-implemented
// from that clean-room description on tables derived from a Reference. The
// section numbers below refer to that document.
#include "data/reduce.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "data/internal/names.h"
#include "data/internal/pyard_tables.h"
#include "hla/status_macros.h"

namespace hla::data {

using data_internal::AppendBareName;
using data_internal::DropGpFirstN;
using data_internal::FieldCount;
using data_internal::FirstN;
using data_internal::FirstNKeep;
using data_internal::IsPyArdExpressionChar;
using data_internal::SmartCompare;
using data_internal::SmartLess;
using data_internal_fwd::PyArdTables;

namespace {

constexpr const char* kLevelNames[] = {"G", "P",  "lg", "lgx", "exon",
                                       "W", "U2", "S",  "1F"};

// py-ard's G_GROUP_LOCI (constants.py): loci outside it pass through.
constexpr const char* kGGroupLoci[] = {
    "A",    "B",    "C",    "DMA",  "DMB",  "DOA",  "DOB",
    "DPA1", "DPB1", "DQA1", "DQB1", "DRA",  "DRB1", "DRB3",
    "DRB4", "DRB5", "E",    "F",    "G"};

bool EndsWith(absl::string_view s, char c) { return !s.empty() && s.back() == c; }

// Sorts in smart order, removes duplicates and empties.
void SortUniqueNames(std::vector<std::string>* v) {
  v->erase(std::remove(v->begin(), v->end(), std::string()), v->end());
  data_internal::SmartSort(v, /*stable=*/false);
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

// Splits `s` on `op` and appends the parts (py-ard's flattening of lists).
void SplitInto(absl::string_view s, char op, std::vector<std::string>* out) {
  if (s.empty()) return;
  for (absl::string_view part : absl::StrSplit(s, op)) {
    out->emplace_back(part);
  }
}

}  // namespace

std::optional<ReductionLevel> ParseReductionLevel(absl::string_view name) {
  for (int i = 0; i < 9; ++i) {
    if (name == kLevelNames[i]) return static_cast<ReductionLevel>(i);
  }
  return std::nullopt;
}

absl::string_view ReductionLevelName(ReductionLevel level) {
  return kLevelNames[static_cast<int>(level)];
}

namespace data_internal_fwd {

size_t PyArdTables::MemoryUsage() const {
  size_t bytes = 0;
  auto map_bytes = [&](const Map& m) {
    for (const auto& [k, v] : m) bytes += k.capacity() + v.capacity() + 64;
  };
  map_bytes(g_group);
  map_bytes(lgx_group);
  map_bytes(p_group);
  map_bytes(exon_group);
  map_bytes(p_not_g);
  for (const Set* s : {&g_values, &p_values, &p_not_g_values, &valid, &g_loci}) {
    for (const std::string& k : *s) bytes += k.capacity() + 32;
  }
  for (const auto* m : {&g_keys, &p_keys, &shortnulls}) {
    for (const auto& [k, v] : *m) {
      bytes += k.capacity() + 64;
      for (const std::string& s : v) bytes += s.capacity() + 32;
    }
  }
  for (const auto& [k, v] : by_key) bytes += k.capacity() + 64 + v.capacity() * 4;
  for (const auto& [k, v] : ser_by_lgx) bytes += k.capacity() + 64 + v.capacity() * 4;
  for (const auto& [k, v] : ser_by_allele) bytes += 48 + v.capacity() * 4;
  return bytes;
}

}  // namespace data_internal_fwd

class ReduceEngine;
namespace {
void BuildSerology(const PyArdTables& tables, const ReduceOptions& options);
}  // namespace

// The reduction engine: stateless functions over the tables.
class ReduceEngine {
 public:
  ReduceEngine(const PyArdTables& t, const ReduceOptions& o) : t_(t), o_(o) {}

  // §3.2 is_valid_allele.
  bool IsValidAllele(absl::string_view x) const {
    if (EndsWith(x, 'G')) {
      if (o_.resolve.strict) return t_.g_values.contains(x);
      x.remove_suffix(1);
    } else if (EndsWith(x, 'P')) {
      if (o_.resolve.strict) return t_.p_values.contains(x);
      x.remove_suffix(1);
    } else if (EndsWith(x, 'g') && !o_.resolve.strict) {
      x.remove_suffix(1);
    }
    return t_.valid.contains(x) || t_.valid.contains(FirstN(x, 2));
  }

  // §2.4 nonstrict(x).
  std::string NonStrict(absl::string_view x) const {
    if (!t_.valid.contains(x)) {
      for (char c : {'N', 'Q', 'L', 'S'}) {
        std::string y = absl::StrCat(x, std::string(1, c));
        if (t_.valid.contains(y)) return y;
      }
    }
    return std::string(x);
  }

  // §2.5 DEFAULT.
  absl::Status Default(absl::string_view x, std::string* out) const {
    if ((EndsWith(x, 'P') && t_.p_values.contains(x)) ||
        (EndsWith(x, 'G') && t_.g_values.contains(x)) || IsValidAllele(x)) {
      out->assign(x.data(), x.size());
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(x, " is an invalid allele."));
  }

  // §1.9 who_group, resolved recursively to WHO names (level W).
  void Who(absl::string_view x, std::vector<std::string>* out,
           int depth = 0) const {
    const Reference& ref = *t_.ref;
    if (ref.FindAllele(x)) {
      out->emplace_back(x);
      return;
    }
    if (auto it = t_.by_key.find(x); it != t_.by_key.end()) {
      for (AlleleId id : it->second) out->emplace_back(ref.allele(id).name);
      return;
    }
    if (depth < 3) {
      for (const auto* keys : {&t_.g_keys, &t_.p_keys}) {
        if (auto it = keys->find(x); it != keys->end()) {
          for (const std::string& k : it->second) Who(k, out, depth + 1);
          return;
        }
      }
    }
    out->emplace_back(x);
  }

  // §2.3 steps 7-8 for one bare name: short-null expansion, else §2.4.
  absl::Status ReduceName(absl::string_view x, ReductionLevel level,
                          std::string* out) const {
    if (auto it = t_.shortnulls.find(x); it != t_.shortnulls.end()) {
      std::vector<std::string> parts;
      std::string r;
      for (const std::string& m : it->second) {
        HLA_RETURN_IF_ERROR(ReduceAllele(m, level, true, &r));
        SplitInto(r, '/', &parts);
      }
      SortUniqueNames(&parts);
      *out = absl::StrJoin(parts, "/");
      return absl::OkStatus();
    }
    return ReduceAllele(x, level, true, out);
  }

  // §2.4 reduce_allele with ping.
  // True when `name` is an allele name or prefix all of whose alleles in
  // the release are null.
  bool OnlyNullAlleles(absl::string_view name) const {
    absl::StatusOr<AlleleName> n = ParseWhoName(name);
    if (!n.ok()) return false;
    absl::Span<const AlleleId> ids =
        t_.ref->AllelesWithPrefix(n->locus, n->fields);
    if (ids.empty()) return false;
    for (AlleleId id : ids) {
      if (!t_.ref->allele(id).is_null()) return false;
    }
    return true;
  }

  absl::Status ReduceAllele(absl::string_view x_in, ReductionLevel level,
                            bool re_ping, std::string* out) const {
    std::string x = o_.resolve.strict ? std::string(x_in) : NonStrict(x_in);
    const bool group_level =
        level == ReductionLevel::kLg || level == ReductionLevel::kLgx ||
        level == ReductionLevel::kG || level == ReductionLevel::kP;
    if (group_level && (EndsWith(x, 'P') || EndsWith(x, 'G'))) x.pop_back();
    if (o_.ping && re_ping &&
        (level == ReductionLevel::kLg || level == ReductionLevel::kLgx ||
         level == ReductionLevel::kU2)) {
      if (auto it = t_.p_not_g.find(x); it != t_.p_not_g.end()) {
        *out = it->second;
        if (level == ReductionLevel::kLg) out->append(o_.lg_suffix);
        return absl::OkStatus();
      }
      std::string r;
      HLA_RETURN_IF_ERROR(ReduceAllele(x, level, false, &r));
      absl::string_view r0 = r;
      if (absl::EndsWith(r0, "ARS")) {
        r0.remove_suffix(3);
      } else if (EndsWith(r0, 'g')) {
        r0.remove_suffix(1);
      }
      if (r0 == x || r0.find('/') != absl::string_view::npos ||
          t_.p_not_g_values.contains(r0)) {
        *out = std::move(r);
        return absl::OkStatus();
      }
      std::string t;
      if (ReduceAllele(r0, level, false, &t).ok() &&
          (t.find('/') != std::string::npos || IsValidAllele(t))) {
        *out = std::move(t);
        return absl::OkStatus();
      }
    }
    return Plain(x, level, out);
  }

  // §2.5 the per-level reducers.
  absl::Status Plain(absl::string_view x, ReductionLevel level,
                     std::string* out) const {
    switch (level) {
      case ReductionLevel::kG:
        if (auto it = t_.g_group.find(x); it != t_.g_group.end()) {
          *out = it->second;
          return absl::OkStatus();
        }
        return Default(x, out);
      case ReductionLevel::kP:
        if (auto it = t_.p_group.find(x); it != t_.p_group.end()) {
          *out = it->second;
          return absl::OkStatus();
        }
        return Default(x, out);
      case ReductionLevel::kLg:
      case ReductionLevel::kLgx: {
        if (auto it = t_.lgx_group.find(x); it != t_.lgx_group.end()) {
          *out = it->second;
        } else {
          *out = std::string(FirstN(x, 2));
        }
        if (level == ReductionLevel::kLg) out->append(o_.lg_suffix);
        return absl::OkStatus();
      }
      case ReductionLevel::kW: {
        std::vector<std::string> names;
        Who(x, &names);
        SortUniqueNames(&names);
        *out = absl::StrJoin(names, "/");
        return absl::OkStatus();
      }
      case ReductionLevel::kExon: {
        if (auto it = t_.exon_group.find(x); it != t_.exon_group.end()) {
          *out = it->second;
          if (!x.empty() && IsPyArdExpressionChar(x.back())) {
            std::string e = absl::StrCat(it->second, x.substr(x.size() - 1));
            if (t_.shortnulls.contains(e)) *out = std::move(e);
          }
          return absl::OkStatus();
        }
        std::vector<std::string> w;
        Who(x, &w);
        SortUniqueNames(&w);
        if (w.size() == 1 && (w[0] == x || FieldCount(w[0]) == 2)) {
          out->assign(x.data(), x.size());
          return absl::OkStatus();
        }
        std::vector<std::string> parts;
        std::string r;
        for (const std::string& m : w) {
          if (m == x) {
            parts.push_back(m);
            continue;
          }
          HLA_RETURN_IF_ERROR(ReduceName(m, level, &r));
          SplitInto(r, '/', &parts);
        }
        SortUniqueNames(&parts);
        *out = absl::StrJoin(parts, "/");
        return absl::OkStatus();
      }
      case ReductionLevel::kU2: {
        if (FieldCount(x) == 2) {
          out->assign(x.data(), x.size());
          return absl::OkStatus();
        }
        std::string y = FirstNKeep(x, 2);
        if (t_.valid.contains(y)) {
          *out = std::move(y);
          return absl::OkStatus();
        }
        return ReduceAllele(x, ReductionLevel::kLgx, true, out);
      }
      case ReductionLevel::kS: {
        std::call_once(t_.serology_once,
                       [this] { BuildSerology(t_, o_); });
        const std::vector<AntigenId>* found = nullptr;
        out->clear();
        // A name whose every allele is null (A*01:04: A*01:04:01:01N and
        // A*01:04:01:02N) expresses no antigen: no serology (ResolveLeaves
        // says so).
        if (OnlyNullAlleles(x)) return absl::OkStatus();
        if (FieldCount(x) == 2) {
          std::string y;
          HLA_RETURN_IF_ERROR(ReduceAllele(x, ReductionLevel::kLgx, true, &y));
          if (auto it = t_.ser_by_lgx.find(y); it != t_.ser_by_lgx.end()) {
            found = &it->second;
          }
        } else if (std::optional<AlleleId> id = t_.ref->FindAllele(x)) {
          if (auto it = t_.ser_by_allele.find(*id); it != t_.ser_by_allele.end()) {
            found = &it->second;
          }
        }
        out->clear();
        if (found == nullptr) return absl::OkStatus();
        std::vector<std::string> names;
        for (AntigenId a : *found) names.emplace_back(t_.ref->antigen(a).name);
        SortUniqueNames(&names);
        *out = absl::StrJoin(names, "/");
        return absl::OkStatus();
      }
      case ReductionLevel::k1F:
        *out = std::string(FirstN(x, 1));
        return absl::OkStatus();
    }
    return absl::InternalError("unknown level");
  }

  // §2.3 for one resolved leaf; the result has no "HLA-" prefix.
  absl::Status ReduceLeaf(const ResolvedLeaf& leaf, ReductionLevel level,
                          std::string* out) const {
    HLA_RETURN_IF_ERROR(ReduceLeafAsPyArd(leaf, level, out));
    if (level == ReductionLevel::kS && out->empty()) SerologyOfAlleles(leaf, out);
    return absl::OkStatus();
  }

  // Where we deliberately differ from py-ard (docs/conventions.md): a
  // 3-field name or a G or P group has serology, that of the expressed
  // alleles it stands for (A*02:01:01 and A*02:01:01G are A2), where
  // py-ard 2.3.1 answers an empty string (it looks only 2-field names and
  // whole allele names up). A name of null alleles only stays empty.
  void SerologyOfAlleles(const ResolvedLeaf& leaf, std::string* out) const {
    if (leaf.kind != LeafKind::kTruncated && leaf.kind != LeafKind::kGGroup &&
        leaf.kind != LeafKind::kPGroup) {
      return;
    }
    // A truncated name's leaf is resolved without its allele list (the
    // reducer does not need it elsewhere): its alleles are the prefix's.
    const absl::Span<const AlleleId> alleles =
        leaf.kind == LeafKind::kTruncated && leaf.alleles.empty()
            ? t_.ref->AllelesWithPrefix(leaf.token.locus, leaf.token.fields)
            : absl::MakeConstSpan(leaf.alleles);
    std::vector<std::string> parts;
    std::string r;
    for (AlleleId id : alleles) {
      const data::Allele& a = t_.ref->allele(id);
      if (a.is_null() || !ReduceName(a.name, ReductionLevel::kS, &r).ok()) {
        continue;
      }
      SplitInto(r, '/', &parts);
    }
    SortUniqueNames(&parts);
    *out = absl::StrJoin(parts, "/");
  }

  // The alleles a leaf stands for. A truncated name's leaf is resolved
  // without its allele list (the reducer does not need it elsewhere): its
  // alleles are the prefix's, unless it carries an expression suffix (then
  // empty: the caller keeps py-ard's reading).
  absl::Span<const AlleleId> AllelesOf(const ResolvedLeaf& leaf) const {
    if (leaf.kind == LeafKind::kTruncated && leaf.alleles.empty()) {
      if (leaf.token.suffix != 0) return {};
      return t_.ref->AllelesWithPrefix(leaf.token.locus, leaf.token.fields);
    }
    if (leaf.kind == LeafKind::kPlaceholder) return {};
    return leaf.alleles;
  }

  // py-ard's xx_codes: an XX code (or a one-field name) is the distinct
  // 2-field names of its first field, each reduced.
  absl::Status ReduceXX(absl::Span<const AlleleId> alleles, ReductionLevel level,
                        std::string* out) const {
    std::vector<std::string> d2;
    for (AlleleId id : alleles) {
      d2.emplace_back(FirstN(t_.ref->allele(id).name, 2));
    }
    std::sort(d2.begin(), d2.end());
    d2.erase(std::unique(d2.begin(), d2.end()), d2.end());
    std::vector<std::string> parts;
    std::string r;
    for (const std::string& n : d2) {
      HLA_RETURN_IF_ERROR(ReduceName(n, level, &r));
      SplitInto(r, '/', &parts);
    }
    SortUniqueNames(&parts);
    *out = absl::StrJoin(parts, "/");
    return absl::OkStatus();
  }

  absl::Status ReduceLeafAsPyArd(const ResolvedLeaf& leaf, ReductionLevel level,
                                 std::string* out) const {
    const Token& token = leaf.token;
    out->clear();
    if (leaf.kind == LeafKind::kPlaceholder ||
        (token.kind != TokenKind::kSerology && !t_.g_loci.contains(token.locus))) {
      AppendBareName(token, out);  // step 1: passed through unchanged
      return absl::OkStatus();
    }
    std::vector<std::string> parts;
    std::string r;
    auto reduce_each = [&](absl::string_view name) -> absl::Status {
      HLA_RETURN_IF_ERROR(ReduceName(name, level, &r));
      SplitInto(r, '/', &parts);
      return absl::OkStatus();
    };
    const absl::Span<const AlleleId> alleles = AllelesOf(leaf);
    if (level == ReductionLevel::kG && !o_.g_named_groups_only &&
        !alleles.empty()) {
      // Where we deliberately differ from py-ard (docs/conventions.md): at
      // G a name is the G groups of the alleles it stands for, an allele in
      // no named G group by its own name (as py-ard prints such an allele
      // given alone). py-ard 2.3.1 looks 2-field names and P groups up in
      // a table of named groups only, which loses those alleles: A*01:09
      // and A*01:09P gave A*01:09:01G without A*01:09:02.
      for (AlleleId id : alleles) {
        const Allele& a = t_.ref->allele(id);
        parts.emplace_back(a.g_group == kNone ? a.name
                                              : t_.ref->g_group(a.g_group).name);
      }
      SortUniqueNames(&parts);
      *out = absl::StrJoin(parts, "/");
      return absl::OkStatus();
    }
    if (leaf.kind == LeafKind::kTruncated && token.suffix == 0 &&
        (token.fields.size() == 1 || token.kind == TokenKind::kLegacy)) {
      // A one-field name (A*23, the allele group) stands for the same
      // alleles as its XX code (A*23:XX) and reduces as it does at every
      // level. py-ard 2.3.1 refuses one-field names; `validate` and `match`
      // accept them, so reduce must define them too (docs/conventions.md).
      return ReduceXX(alleles, level, out);
    }
    switch (leaf.kind) {
      case LeafKind::kSmallG:
        // A small-g name (non-strict input) is the lg-level name of its
        // group, as py-ard reads it (its allele.feature, "Alleles with 'g'
        // suffix": A*01:04Ng at lgx is A*01:04N): at lg it is itself, at
        // lgx the name without its g, at any other level the name without
        // its g reduced (A*01:01g: A*01:01P at P, A1 at S). It used to come
        // back unchanged at P, doubled at lg (A*01:01gg) and empty at S.
        r.clear();
        AppendBareName(token, &r);
        if (!r.empty() && r.back() == 'g') r.pop_back();
        if (level == ReductionLevel::kLg) {
          *out = absl::StrCat(r, o_.lg_suffix);
          return absl::OkStatus();
        }
        if (level == ReductionLevel::kLgx) {
          *out = std::move(r);
          return absl::OkStatus();
        }
        return ReduceName(r, level, out);
      case LeafKind::kAllele:
      case LeafKind::kTruncated:
      case LeafKind::kGGroup:
      case LeafKind::kPGroup:
        if (!leaf.normalized.empty()) {
          return ReduceName(leaf.normalized, level, out);
        }
        r.clear();
        AppendBareName(token, &r);
        return ReduceName(r, level, out);
      case LeafKind::kLegacy:
      case LeafKind::kHistory:
      case LeafKind::kMac:
        for (absl::string_view n : absl::StrSplit(leaf.normalized, '/')) {
          HLA_RETURN_IF_ERROR(reduce_each(n));
        }
        break;
      case LeafKind::kXX:
        return ReduceXX(leaf.alleles, level, out);
      case LeafKind::kSerology:
        for (AlleleId id : leaf.alleles) {
          HLA_RETURN_IF_ERROR(reduce_each(t_.ref->allele(id).name));
        }
        break;
      case LeafKind::kPlaceholder:
        break;
    }
    SortUniqueNames(&parts);
    *out = absl::StrJoin(parts, "/");
    return absl::OkStatus();
  }

 private:
  const PyArdTables& t_;
  const ReduceOptions& o_;
};

namespace {

std::string Quote(const Token& t) {
  return absl::StrCat("'", ToString(t), "' at offset ", t.offset);
}

void AddPrefix(bool hla_prefix, std::string* s) {
  if (!hla_prefix || s->empty()) return;
  std::string out;
  for (absl::string_view part : absl::StrSplit(*s, '/')) {
    if (!out.empty()) out.push_back('/');
    absl::StrAppend(&out, "HLA-", part);
  }
  *s = std::move(out);
}

// §1.11 serology: allele -> antigens, lgx -> antigens (broads include their
// splits' alleles; associated antigens are not merged). Called once, lazily.
void BuildSerology(const PyArdTables& tables, const ReduceOptions& options) {
  const Reference& ref = *tables.ref;
  const PyArdTables* t = &tables;  // writes only its mutable serology maps
  ReduceEngine engine(tables, options);
  std::string lgx;
  for (AntigenId s = 0; s < ref.antigens().size(); ++s) {
    const Antigen& antigen = ref.antigen(s);
    for (AlleleId id : antigen.alleles) {
      const bool have_lgx = engine
                                .ReduceAllele(ref.allele(id).name,
                                              ReductionLevel::kLgx, true, &lgx)
                                .ok();
      auto add = [&](AntigenId a) {
        auto& v = t->ser_by_allele[id];
        if (std::find(v.begin(), v.end(), a) == v.end()) v.push_back(a);
        if (!have_lgx) return;
        auto& w = t->ser_by_lgx[lgx];
        if (std::find(w.begin(), w.end(), a) == w.end()) w.push_back(a);
      };
      add(s);
      if (antigen.broad != kNone) add(antigen.broad);
    }
  }
}

// Builds the tables of §1 in the order of the checklist (§8).
std::unique_ptr<PyArdTables> BuildTables(const Reference& ref) {
  auto t = std::make_unique<PyArdTables>();
  t->ref = &ref;
  for (const char* l : kGGroupLoci) t->g_loci.insert(l);

  // §1.2-1.4, §1.6: G and P records, keyed by 2d, then 3d, then the name;
  // the last write wins.
  struct Record {
    absl::string_view allele, group, lgx;
  };
  // py-ard's lgx of a G group is the 2-field name of its *first* member
  // (misc.py get_G_name: drop a trailing P/G/N/Q/L/S, keep 2 fields), not of
  // the official name: C*02:10:01G starts with C*02:02:37, so C*02:10 and
  // C*02:02 both reduce to C*02:02 (§1.2; the G level still prints the
  // official name, docs/conventions.md §2). Members are in ascending
  // field-numeric order, which is the order hla_nom_g.txt lists them in.
  std::vector<std::string> group_lgx;
  auto build = [&](absl::Span<const Group> groups, size_t named,
                   PyArdTables::Map* map, PyArdTables::Map* lgx,
                   absl::flat_hash_map<std::string, std::vector<std::string>>* keys,
                   PyArdTables::Set* values, std::vector<Record>* records) {
    group_lgx.clear();
    group_lgx.reserve(named);
    for (size_t i = 0; i < named; ++i) {
      absl::string_view first = ref.allele(groups[i].members.front()).name;
      if (!first.empty() && absl::string_view("PGNQLS").find(first.back()) !=
                                absl::string_view::npos) {
        first.remove_suffix(1);
      }
      group_lgx.emplace_back(FirstN(first, 2));
    }
    for (size_t i = 0; i < named; ++i) {
      values->insert(std::string(groups[i].name));
      for (AlleleId id : groups[i].members) {
        records->push_back({ref.allele(id).name, groups[i].name, group_lgx[i]});
      }
    }
    // 2d -> the records of its distinct groups (one per group).
    absl::flat_hash_map<std::string, std::vector<Record>> by_2d;
    for (int pass = 0; pass < 3; ++pass) {
      for (const Record& r : *records) {
        absl::string_view key = pass == 0   ? FirstN(r.allele, 2)
                                : pass == 1 ? FirstN(r.allele, 3)
                                            : r.allele;
        (*map)[key] = std::string(r.group);
        if (lgx) (*lgx)[key] = std::string(r.lgx);
        if (pass == 0) {
          auto& v = by_2d[key];
          if (std::none_of(v.begin(), v.end(), [&](const Record& x) {
                return x.group == r.group;
              })) {
            v.push_back(r);
          }
        }
      }
    }
    for (const auto& [k, v] : *map) (*keys)[v].push_back(k);
    if (lgx == nullptr) return;  // P: no dup handling (§1.3)
    for (auto& [d2, rs] : by_2d) {
      if (rs.size() < 2) continue;
      std::vector<std::string> names, lgxs;
      for (const Record& r : rs) {
        names.emplace_back(r.group);
        lgxs.emplace_back(r.lgx);
      }
      SortUniqueNames(&names);
      (*map)[d2] = absl::StrJoin(names, "/");  // dup_g
      SortUniqueNames(&lgxs);
      (*lgx)[d2] = lgxs.front();  // dup_lgx: the lowest (§1.4)
    }
  };
  std::vector<Record> g_records, p_records;
  build(ref.g_groups(), ref.named_g_groups(), &t->g_group, &t->lgx_group,
        &t->g_keys, &t->g_values, &g_records);
  build(ref.p_groups(), ref.named_p_groups(), &t->p_group, nullptr, &t->p_keys,
        &t->p_values, &p_records);
  absl::flat_hash_set<absl::string_view> g2;
  for (const Record& r : g_records) {
    g2.insert(FirstN(r.allele, 2));
    t->exon_group[r.allele] = std::string(FirstN(r.allele, 3));  // §1.5
  }
  for (const Record& r : p_records) {  // §1.6 ping
    if (g2.contains(FirstN(r.allele, 2))) continue;
    std::string v(DropGpFirstN(r.group, 2));
    t->p_not_g_values.insert(v);
    t->p_not_g[r.allele] = std::move(v);
  }

  // §1.7 VALID and §1.9 who_group keys, §1.10 shortnulls.
  absl::flat_hash_map<std::string, std::string> exp_letters;  // d2 -> letters
  for (AlleleId id = 0; id < ref.alleles().size(); ++id) {
    const absl::string_view a = ref.allele(id).name;
    t->valid.insert(std::string(a));
    for (int n = 1; n <= 3; ++n) {
      absl::string_view key = FirstN(a, n);
      if (n > 1) t->valid.insert(std::string(key));
      t->by_key[key].push_back(id);
    }
    if (FieldCount(a) > 2 && IsPyArdExpressionChar(a.back())) {
      std::string& letters = exp_letters[FirstN(a, 2)];
      if (letters.find(a.back()) == std::string::npos) letters.push_back(a.back());
    }
  }
  for (auto& [k, ids] : t->by_key) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }
  for (const auto& [d2, letters] : exp_letters) {
    if (letters.size() == 1) t->valid.insert(d2 + letters);
  }
  for (const auto& [k, ids] : t->by_key) {
    if (k.find(':') == std::string::npos || k.empty()) continue;
    const char last = k.back();
    if (IsPyArdExpressionChar(last) || last == 'G' || last == 'P') continue;
    for (AlleleId id : ids) {
      const absl::string_view m = ref.allele(id).name;
      if (!IsPyArdExpressionChar(m.back())) continue;
      t->shortnulls[k + m.back()].emplace_back(m);
    }
  }
  for (auto& [k, v] : t->shortnulls) SortUniqueNames(&v);

  return t;
}

}  // namespace

Reducer::Reducer(std::shared_ptr<const Reference> reference,
                 std::shared_ptr<const MacTable> macs, ReduceOptions options)
    : resolver_(reference, std::move(macs), options.resolve),
      options_(std::move(options)),
      tables_(BuildTables(*reference)) {}

Reducer::~Reducer() = default;

size_t Reducer::MemoryUsage() const { return tables_->MemoryUsage(); }

namespace {

// One leaf of a GL String on its way through Reduce: its resolution, unless
// the cache already holds its reduction.
struct LeafWork {
  ResolvedLeaf leaf;
  const std::string* cached = nullptr;  // the memoised reduction, if any
  bool warned = false;                  // resolving it added a warning
};

using CacheMap = absl::flat_hash_map<std::string, std::string>;

// Builds the cache key of a token at a level into `key`.
void CacheKey(const Token& token, ReductionLevel level, std::string* key) {
  key->clear();
  key->push_back(static_cast<char>('0' + static_cast<int>(level)));
  key->push_back(token.hla_prefix ? '+' : '-');
  AppendToken(token, key);
}

// Resolves every leaf, in order, into `work` (the ids of truncations are not
// materialised: the reduction works on names). Every token is resolved (and
// so validated) before any is reduced, as py-ard's strict mode validates
// first: the first error is the leftmost bad name, whatever the level. A leaf
// found in `cache` was resolved without warnings before, so it is not
// resolved again.
// The work's size so far, bounded as Resolver::Resolve bounds a typing:
// alleles resolved (kMaxResolvedAlleles) and, for memoised leaves, the text
// they bring (kMaxResolvedAlleles x 16 bytes).
struct Budget {
  size_t alleles = 0;
  size_t cached_bytes = 0;
};

absl::Status ResolveLeaves(const Resolver& resolver, const GlNode& node,
                           ReductionLevel level, const CacheMap* cache,
                           std::string* key, std::vector<LeafWork>* work,
                           std::vector<std::string>* warnings,
                           Budget* budget) {
  if (node.is_leaf()) {
    work->emplace_back();
    LeafWork& w = work->back();
    if (cache != nullptr) {
      CacheKey(node.token, level, key);
      if (auto it = cache->find(*key); it != cache->end()) {
        w.cached = &it->second;
        budget->cached_bytes += it->second.size();
        if (budget->cached_bytes > kMaxResolvedAlleles * 16) {
          return TooManyAlleles(node.token);
        }
        return absl::OkStatus();
      }
    }
    const size_t before = warnings->size();
    HLA_RETURN_IF_ERROR(resolver.ResolveTokenInto(
        node.token, node.token.kind == TokenKind::kXX, &w.leaf, warnings));
    budget->alleles += w.leaf.alleles.size();
    if (budget->alleles > kMaxResolvedAlleles) return TooManyAlleles(node.token);
    if (level == ReductionLevel::kS) {
      // The alleles the name stands for (an allele name's are its prefix's;
      // the resolver leaves them out unless asked).
      const Reference& ref = resolver.reference();
      absl::Span<const AlleleId> ids = w.leaf.alleles;
      if (ids.empty() && node.token.kind == TokenKind::kAllele) {
        ids = ref.AllelesWithPrefix(node.token.locus, node.token.fields);
      }
      bool all_null = !ids.empty();
      for (AlleleId id : ids) all_null = all_null && ref.allele(id).is_null();
      if (all_null) {
        warnings->push_back(absl::StrCat(
            "'", ToString(node.token), "' at offset ", node.token.offset,
            ": only null alleles, which express no antigen: no serological "
            "equivalent"));
      }
    }
    w.warned = warnings->size() > before;
    return absl::OkStatus();
  }
  for (const GlNode& child : node.children) {
    HLA_RETURN_IF_ERROR(ResolveLeaves(resolver, child, level, cache, key, work,
                                      warnings, budget));
  }
  return absl::OkStatus();
}

// Reduces a subtree, leaf by leaf from `leaf`, memoising warning-free leaf
// results in `cache` (may be null).
absl::Status ReduceTree(const ReduceEngine& engine, const GlNode& node,
                        ReductionLevel level,
                        std::vector<LeafWork>::iterator* leaf,
                        CacheMap* cache, std::string* key,
                        std::string* out) {
  out->clear();
  if (node.is_leaf()) {
    LeafWork& w = *(*leaf)++;
    if (w.cached != nullptr) {
      *out = *w.cached;
      return absl::OkStatus();
    }
    const Token& token = node.token;
    absl::Status s = engine.ReduceLeaf(w.leaf, level, out);
    if (!s.ok()) {
      return absl::Status(s.code(),
                          absl::StrCat(Quote(token), ": ", s.message()));
    }
    AddPrefix(token.hla_prefix, out);
    // A leaf whose resolution warned is not memoised: its warning quotes
    // its offset, and must be repeated wherever the name stands.
    if (cache != nullptr && !w.warned) {
      CacheKey(token, level, key);
      cache->emplace(*key, *out);
    }
    return absl::OkStatus();
  }
  const char op = GlOpChar(node.op);
  std::vector<std::string> parts;
  std::string r;
  for (const GlNode& child : node.children) {
    HLA_RETURN_IF_ERROR(
        ReduceTree(engine, child, level, leaf, cache, key, &r));
    switch (node.op) {
      case GlOp::kAlleleList:
      case GlOp::kMultilocus:
      case GlOp::kGenotypeList:
        SplitInto(r, op, &parts);
        break;
      default:
        parts.push_back(r);
    }
  }
  switch (node.op) {
    case GlOp::kAlleleList:
    case GlOp::kMultilocus:
    case GlOp::kGenotypeList:
      SortUniqueNames(&parts);  // §2.1: pooled, de-duplicated, sorted
      break;
    case GlOp::kGenotype:  // sorted, empties dropped, not de-duplicated
      parts.erase(std::remove(parts.begin(), parts.end(), std::string()),
                  parts.end());
      data_internal::SmartSort(&parts, /*stable=*/true);
      break;
    case GlOp::kHaplotype:  // input order, empties kept
    case GlOp::kParalog:    // ours: input order (py-ard has no '?')
      break;
  }
  *out = absl::StrJoin(parts, std::string(1, op));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ReduceResult> Reducer::Reduce(const GlString& gl,
                                             ReductionLevel level) const {
  return ReduceImpl(gl, level, nullptr);
}

absl::StatusOr<ReduceResult> Reducer::Reduce(const GlString& gl,
                                             ReductionLevel level,
                                             ReduceCache* cache) const {
  if (cache->owner_ != this) {
    cache->entries_.clear();
    cache->owner_ = this;
  }
  if (cache->entries_.size() >= cache->max_entries_) cache->entries_.clear();
  return ReduceImpl(gl, level, cache);
}

absl::StatusOr<ReduceResult> Reducer::ReduceImpl(const GlString& gl,
                                                 ReductionLevel level,
                                                 ReduceCache* cache) const {
  if (!gl.glsc_version.empty() &&
      gl.glsc_version != resolver_.reference().version()) {
    // The resolver's message for the same condition.
    return resolver_.Resolve(gl).status();
  }
  ReduceResult result;
  ReduceEngine engine(*tables_, options_);
  thread_local std::string key;
  std::vector<LeafWork> work;
  work.reserve(16);
  Budget budget;
  HLA_RETURN_IF_ERROR(ResolveLeaves(resolver_, gl.root, level,
                                    cache ? &cache->entries_ : nullptr, &key,
                                    &work, &result.warnings, &budget));
  if (cache != nullptr) {
    for (const LeafWork& w : work) ++(w.cached ? cache->hits_ : cache->misses_);
  }
  auto it = work.begin();
  HLA_RETURN_IF_ERROR(ReduceTree(engine, gl.root, level, &it,
                                 cache ? &cache->entries_ : nullptr, &key,
                                 &result.text));
  return result;
}

absl::Status Reducer::ReduceToken(const Token& token, ReductionLevel level,
                                  std::string* out,
                                  std::vector<std::string>* warnings) const {
  thread_local ResolvedLeaf leaf;
  const bool want = token.kind == TokenKind::kXX;
  HLA_RETURN_IF_ERROR(resolver_.ResolveTokenInto(token, want, &leaf, warnings));
  ReduceEngine engine(*tables_, options_);
  absl::Status s = engine.ReduceLeaf(leaf, level, out);
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat(Quote(token), ": ", s.message()));
  }
  AddPrefix(token.hla_prefix, out);
  return absl::OkStatus();
}

absl::Status Validate(const Resolver& resolver, const GlString& gl) {
  return resolver.Resolve(gl).status();
}

absl::StatusOr<std::string> LookupMac(const Reference& ref,
                                      const MacTable& macs,
                                      absl::string_view allele_list) {
  (void)ref;  // expansions are matched as text, as py-ard does
  std::string prefix, locus;
  std::vector<std::string> firsts, seconds, items;
  for (absl::string_view name : absl::StrSplit(allele_list, '/')) {
    if (absl::StartsWith(name, "HLA-")) {
      if (prefix.empty() && locus.empty()) prefix = "HLA-";
      name.remove_prefix(4);
    }
    const size_t star = name.find('*');
    if (star == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", name, "' is not an allele name"));
    }
    if (locus.empty()) locus = std::string(name.substr(0, star));
    absl::string_view fields = name.substr(star + 1);
    std::vector<absl::string_view> f = absl::StrSplit(fields, ':');
    if (f.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", name, "' has no second field"));
    }
    firsts.emplace_back(f[0]);
    seconds.emplace_back(f[1]);
    items.push_back(absl::StrCat(f[0], ":", f[1]));
  }
  auto sort_unique = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
  };
  const std::vector<std::string> ff = sort_unique(firsts);
  auto find = [&](const std::string& expansion) -> const MacCode* {
    for (const MacCode& c : macs.codes()) {
      if (c.expansion == expansion) return &c;
    }
    return nullptr;
  };
  const MacCode* code = nullptr;
  if (ff.size() == 1) code = find(absl::StrJoin(sort_unique(seconds), "/"));
  if (code == nullptr) code = find(absl::StrJoin(items, "/"));
  if (code == nullptr) {
    std::vector<std::string> smart = items;
    std::sort(smart.begin(), smart.end(),
              [](const std::string& a, const std::string& b) {
                return SmartLess(absl::StrCat("X*", a), absl::StrCat("X*", b));
              });
    code = find(absl::StrJoin(smart, "/"));
  }
  if (code == nullptr || ff.empty()) {
    return absl::NotFoundError(absl::StrCat(
        allele_list, " does not have a MAC (table dated ",
        macs.date().empty() ? "unknown" : macs.date(), ")"));
  }
  return absl::StrCat(prefix, locus, "*", ff[0], ":", code->code);
}

absl::StatusOr<std::string> DecodeMac(const Resolver& resolver,
                                      const GlString& gl) {
  const GlNode& root = gl.root;
  if (!root.is_leaf() || root.token.kind != TokenKind::kMac) {
    return absl::InvalidArgumentError(
        "not a MAC: write one code such as A*01:AB");
  }
  // Resolving first: an unknown code, or an allele-specific one written with
  // a first field it does not take, is refused as every command refuses it.
  HLA_RETURN_IF_ERROR(resolver.Resolve(gl).status());
  const Token& t = root.token;
  const MacCode* code =
      resolver.macs() == nullptr ? nullptr : resolver.macs()->Find(t.code);
  if (code == nullptr) {
    return absl::NotFoundError(absl::StrCat("unknown MAC code '", t.code, "'"));
  }
  const std::string prefix =
      absl::StrCat(t.hla_prefix ? "HLA-" : "", t.locus, "*");
  std::string first;
  AppendFields(t.fields, &first);
  std::vector<std::string> names;
  for (absl::string_view item : code->Items()) {
    names.push_back(code->allele_specific
                        ? absl::StrCat(prefix, item)
                        : absl::StrCat(prefix, first, ":", item));
  }
  return absl::StrJoin(names, "/");
}

absl::StatusOr<std::string> EncodeMac(const Resolver& resolver,
                                      absl::string_view allele_list) {
  if (resolver.macs() == nullptr) {
    return absl::FailedPreconditionError("no MAC table loaded");
  }
  // A MAC lists 2-field names of one locus: anything else is refused by
  // name, not reported as "no code". The names, parsed once, also give the
  // set to check the answer by and the first fields to try.
  std::vector<std::string> want;
  std::vector<Field> firsts;
  std::string locus;
  for (absl::string_view n : absl::StrSplit(allele_list, '/')) {
    absl::ConsumePrefix(&n, "HLA-");
    absl::StatusOr<AlleleName> name = ParseWhoName(n);
    if (!name.ok() || name->fields.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "'", n, "' is not a 2-field allele name: a MAC lists 2-field names "
          "(A*01:01/A*01:02)"));
    }
    if (!locus.empty() && name->locus != locus) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the list mixes loci ", locus, " and ", name->locus,
          ": a MAC stands for names of one locus"));
    }
    locus = name->locus;
    want.push_back(name->ToString());
    firsts.push_back(name->fields[0]);
  }
  HLA_ASSIGN_OR_RETURN(
      std::string found,
      LookupMac(resolver.reference(), *resolver.macs(), allele_list));
  auto sort_unique = [](std::vector<std::string>* v) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  };
  sort_unique(&want);
  // The decoded answer as the same set (without "HLA-").
  auto names_of = [&](absl::string_view list) {
    std::vector<std::string> v;
    for (absl::string_view n : absl::StrSplit(list, '/')) {
      absl::ConsumePrefix(&n, "HLA-");
      v.emplace_back(n);
    }
    sort_unique(&v);
    return v;
  };
  // LookupMac writes the smallest first field; an allele-specific code may
  // need another: try each first field of the names.
  std::sort(firsts.begin(), firsts.end(), [](const Field& x, const Field& y) {
    return x.value < y.value;
  });
  firsts.erase(std::unique(firsts.begin(), firsts.end()), firsts.end());
  const bool hla_prefix = absl::StartsWith(found, "HLA-");
  const std::string letters = found.substr(found.rfind(':') + 1);
  absl::Status last = absl::NotFoundError(
      absl::StrCat(allele_list, " does not have a MAC"));
  for (const Field& ff : firsts) {
    // The MAC as the parser would read it (data does not depend on the
    // parser): one leaf.
    GlString gl;
    Token& t = gl.root.token;
    t.kind = TokenKind::kMac;
    t.hla_prefix = hla_prefix;
    t.locus = locus;
    t.code = letters;
    t.fields = {ff};
    std::string candidate = absl::StrCat(hla_prefix ? "HLA-" : "", locus, "*");
    AppendFields(t.fields, &candidate);
    absl::StrAppend(&candidate, ":", letters);
    t.length = static_cast<uint32_t>(candidate.size());
    absl::StatusOr<std::string> back = DecodeMac(resolver, gl);
    if (!back.ok()) {
      last = back.status();
      continue;
    }
    if (names_of(*back) == want) return candidate;
  }
  return absl::NotFoundError(absl::StrCat(
      allele_list, " does not have a MAC that stands for exactly these names "
      "in the loaded table (", last.message(), ")"));
}

}  // namespace hla::data
