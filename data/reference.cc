// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Builds a Reference from the parsed rows of each file (data/internal/
// records.h). The order of the steps matters: alleles first (everything else
// names them), then G and P groups, then small-g (needs both), serology,
// history, TCE.
#include "data/reference.h"

#include <algorithm>
#include <array>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/base/call_once.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "data/internal/records.h"
#include "data/internal/text.h"
#include "data/protein.h"
#include "hla/status_macros.h"

namespace hla::data {

using data_internal::Arena;

struct Reference::ArenaHolder {
  Arena arena;
};

struct Reference::LazyProteins {
  absl::once_flag once;
  absl::Status status;
  std::unique_ptr<ProteinTable> table;
};

Reference::Reference()
    : arena_(std::make_unique<ArenaHolder>()),
      proteins_(std::make_unique<LazyProteins>()) {}
Reference::~Reference() = default;

const Reference::LazyProteins& Reference::LoadedProteins() const {
  LazyProteins& p = *proteins_;
  absl::call_once(p.once, [this, &p] {
    absl::StatusOr<ProteinTable> t = ProteinTable::Load(*this);
    if (t.ok()) {
      p.table = std::make_unique<ProteinTable>(*std::move(t));
    } else {
      p.status = t.status();
    }
  });
  return p;
}

const ProteinTable* Reference::proteins() const {
  return LoadedProteins().table.get();
}

absl::Status Reference::proteins_status() const {
  return LoadedProteins().status;
}

namespace {

bool SameSerology(const SerologyList& a, const SerologyList& b) {
  return a.null == b.null && a.unknown == b.unknown && a.antigens == b.antigens;
}

bool SameSerology(const DnaSerology& a, const DnaSerology& b) {
  return SameSerology(a.unambiguous, b.unambiguous) &&
         SameSerology(a.possible, b.possible) &&
         SameSerology(a.assumed, b.assumed) &&
         SameSerology(a.expert, b.expert) && SameSerology(a.hats, b.hats);
}

using namespace data_internal;  // NOLINT: the parse layer's row types

absl::string_view StripHla(absl::string_view name) {
  absl::ConsumePrefix(&name, "HLA-");
  return name;
}

// Every file of a release, read and parsed (syntax only).
struct ParsedRelease {
  std::string dir;
  // Texts, handed to the Reference afterwards. Heap-allocated so that the
  // rows' views survive the hand-over even for a text short enough for the
  // small-string buffer (moving such a std::string would move its bytes).
  using Text = std::unique_ptr<std::string>;
  Text allele_list_text, status_text, nom_text, g_text, p_text, dna_ser_text,
      ser_ser_text, tce_text, deleted_text;
  bool has_status = false, has_tce = false, has_deleted = false;
  AlleleListFile allele_list;
  AlleleStatusFile status;
  HlaNomFile nom;
  GroupFile g, p;
  RelDnaSerFile dna_ser;
  RelSerSerFile ser_ser;
  DpbTceFile tce;
  DeletedAllelesFile deleted;

  std::string Path(absl::string_view rel) const {
    return absl::StrCat(dir, "/", rel);
  }
};

// Reads `rel` into *text and parses it with `parse`. With `optional`, a
// missing file sets *present = false instead of failing.
template <typename Parsed, typename ParseFn>
absl::Status ReadAndParse(const ParsedRelease& r, absl::string_view rel,
                          absl::string_view what, bool optional,
                          ParsedRelease::Text* text, bool* present, Parsed* out,
                          ParseFn parse) {
  const std::string path = r.Path(rel);
  absl::StatusOr<std::string> read = ReadFile(path, what);
  if (!read.ok()) {
    if (optional && absl::IsNotFound(read.status())) {
      if (present != nullptr) *present = false;
      return absl::OkStatus();
    }
    return read.status();
  }
  *text = std::make_unique<std::string>(*std::move(read));
  if (present != nullptr) *present = true;
  HLA_ASSIGN_OR_RETURN(*out, parse(**text, path));
  return absl::OkStatus();
}

absl::Status ReadGroupA(ParsedRelease* r) {
  HLA_RETURN_IF_ERROR(ReadAndParse(
      *r, "Allelelist.txt", "the IPD-IMGT/HLA allele list, CSV AlleleID,Allele",
      false, &r->allele_list_text, nullptr, &r->allele_list, ParseAlleleList));
  HLA_RETURN_IF_ERROR(ReadAndParse(
      *r, "wmda/hla_nom_g.txt", "the WMDA G-group table", false, &r->g_text,
      nullptr, &r->g, [](absl::string_view t, absl::string_view f) {
        return ParseGroupFile(t, f, 'G');
      }));
  HLA_RETURN_IF_ERROR(ReadAndParse(
      *r, "wmda/hla_nom_p.txt", "the WMDA P-group table", false, &r->p_text,
      nullptr, &r->p, [](absl::string_view t, absl::string_view f) {
        return ParseGroupFile(t, f, 'P');
      }));
  return ReadAndParse(*r, "Allele_status.txt", "allele sequence status", true,
                      &r->status_text, &r->has_status, &r->status,
                      ParseAlleleStatus);
}

absl::Status ReadGroupB(ParsedRelease* r) {
  HLA_RETURN_IF_ERROR(ReadAndParse(
      *r, "wmda/hla_nom.txt", "the WMDA table of all assigned names", false,
      &r->nom_text, nullptr, &r->nom, ParseHlaNom));
  HLA_RETURN_IF_ERROR(ReadAndParse(
      *r, "wmda/rel_dna_ser.txt", "the WMDA allele-to-serology table", false,
      &r->dna_ser_text, nullptr, &r->dna_ser, ParseRelDnaSer));
  HLA_RETURN_IF_ERROR(ReadAndParse(
      *r, "wmda/rel_ser_ser.txt", "the WMDA broad/split antigen table", false,
      &r->ser_ser_text, nullptr, &r->ser_ser, ParseRelSerSer));
  HLA_RETURN_IF_ERROR(ReadAndParse(*r, "tce/dpb_tce.csv",
                                   "the DPB1 TCE group table", true,
                                   &r->tce_text, &r->has_tce, &r->tce,
                                   ParseDpbTce));
  return ReadAndParse(*r, "Deleted_alleles.txt", "the deleted allele list",
                      true, &r->deleted_text, &r->has_deleted, &r->deleted,
                      ParseDeletedAlleles);
}

// Sort rank of a locus name: the eleven matching loci in canonical order,
// then the rest alphabetically (ties broken by the caller on the name).
int LocusRank(absl::string_view name) {
  const std::optional<hla::Locus> l = hla::LocusFromName(name);
  return l ? static_cast<int>(*l) : hla::kLocusCount;
}

// Counts notes of one kind and keeps the first example, so that 1000 similar
// facts make one warning line, not 1000.
struct NoteCounter {
  explicit NoteCounter(std::string w) : what(std::move(w)) {}
  std::string what;
  int count = 0;
  std::string first;
  void Add(absl::string_view example) {
    if (count++ == 0) first = std::string(example);
  }
  void Flush(std::vector<std::string>* out) const {
    if (count > 0) out->push_back(absl::StrCat(what, ": ", count, " (first: ",
                                               first, ")"));
  }
};

}  // namespace

// Friend of Reference: fills its private members step by step.
class ReferenceBuilder {
 public:
  ReferenceBuilder(ParsedRelease* r, Reference* ref) : r_(*r), ref_(*ref) {}

  absl::Status Build() {
    HLA_RETURN_IF_ERROR(CheckVersions());
    HLA_RETURN_IF_ERROR(BuildAlleles());
    BuildTruncations();
    ref_.member_storage_.reserve(3 * ref_.alleles_.size());
    HLA_RETURN_IF_ERROR(BuildGroups(r_.g, 'G', &ref_.g_groups_, &ref_.named_g_,
                                    &ref_.g_by_name_, &Allele::g_group));
    HLA_RETURN_IF_ERROR(BuildGroups(r_.p, 'P', &ref_.p_groups_, &ref_.named_p_,
                                    &ref_.p_by_name_, &Allele::p_group));
    BuildSmallG();
    HLA_RETURN_IF_ERROR(BuildSerology());
    BuildNomenclature();
    BuildStatus();
    BuildTce();
    for (const NoteCounter* n : {&unknown_status_, &unknown_tce_,
                                 &unknown_nom_, &no_prefix_serology_,
                                 &duplicate_small_g_}) {
      n->Flush(&ref_.warnings_);
    }
    return absl::OkStatus();
  }

 private:
  Arena& arena() { return ref_.arena_->arena; }

  absl::Status CheckVersions() {
    struct Source {
      absl::string_view file;
      const FileHeader* header;
      bool present;
    };
    const Source sources[] = {
        {"Allelelist.txt", &r_.allele_list.header, true},
        {"wmda/hla_nom.txt", &r_.nom.header, true},
        {"wmda/hla_nom_g.txt", &r_.g.header, true},
        {"wmda/hla_nom_p.txt", &r_.p.header, true},
        {"wmda/rel_dna_ser.txt", &r_.dna_ser.header, true},
        {"wmda/rel_ser_ser.txt", &r_.ser_ser.header, true},
        {"Allele_status.txt", &r_.status.header, r_.has_status},
        {"tce/dpb_tce.csv", &r_.tce.header, r_.has_tce},
        {"Deleted_alleles.txt", &r_.deleted.header, r_.has_deleted},
    };
    const Source* first = nullptr;
    for (const Source& s : sources) {
      if (!s.present || s.header->version.empty()) continue;
      if (first == nullptr) {
        first = &s;
        continue;
      }
      if (s.header->version != first->header->version) {
        return absl::FailedPreconditionError(absl::StrCat(
            "release version mismatch in ", r_.dir, ": ", first->file, " is ",
            first->header->version, " but ", s.file, " is ", s.header->version));
      }
    }
    if (first != nullptr) {
      ref_.version_ = std::string(first->header->version);
      ref_.date_ = std::string(first->header->date);
    }
    return absl::OkStatus();
  }

  absl::Status BuildAlleles() {
    std::vector<AlleleListRow>& rows = r_.allele_list.rows;
    // Loci: matching ones in canonical order, then alphabetical.
    std::vector<absl::string_view> names;
    {
      absl::flat_hash_map<absl::string_view, int> seen;
      for (const AlleleListRow& row : rows) {
        if (seen.emplace(row.locus, 0).second) names.push_back(row.locus);
      }
    }
    std::sort(names.begin(), names.end(),
              [](absl::string_view a, absl::string_view b) {
                const int ra = LocusRank(a), rb = LocusRank(b);
                return ra != rb ? ra < rb : a < b;
              });
    ref_.loci_.resize(names.size());
    for (size_t i = 0; i < names.size(); ++i) {
      ref_.loci_[i].name = names[i];
      ref_.loci_[i].locus = hla::LocusFromName(names[i]);
      ref_.locus_by_name_[names[i]] = static_cast<LocusIndex>(i);
    }
    std::vector<LocusIndex> row_locus(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      row_locus[i] = ref_.locus_by_name_[rows[i].locus];
    }
    std::vector<uint32_t> order(rows.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      if (row_locus[a] != row_locus[b]) return row_locus[a] < row_locus[b];
      const int c = hla::CompareFields(rows[a].fields, rows[b].fields);
      if (c != 0) return c < 0;
      return rows[a].suffix < rows[b].suffix;
    });
    ref_.alleles_.resize(rows.size());
    ref_.ids_.resize(rows.size());
    ref_.by_name_.reserve(rows.size());
    ref_.by_base_name_.reserve(rows.size());
    row_to_id_.resize(rows.size());
    id_to_row_ = order;
    for (uint32_t id = 0; id < order.size(); ++id) {
      row_to_id_[order[id]] = id;
      AlleleListRow& row = rows[order[id]];
      Allele& a = ref_.alleles_[id];
      a.name = row.name;
      a.accession = row.accession;
      a.locus = row_locus[order[id]];
      a.fields = std::move(row.fields);
      a.suffix = row.suffix;
      ref_.ids_[id] = id;
      if (!ref_.by_name_.emplace(a.name, id).second) {
        return LineError(r_.Path("Allelelist.txt"), row.line,
                         absl::StrCat("duplicate allele name ", a.name));
      }
      absl::string_view base = a.name;
      if (a.suffix != 0) base.remove_suffix(1);
      ref_.by_base_name_.emplace(base, id);
    }
    for (size_t l = 0; l < ref_.loci_.size(); ++l) {
      ref_.loci_[l].begin = ref_.loci_[l].end = 0;
    }
    for (AlleleId id = 0; id < ref_.alleles_.size(); ++id) {
      LocusInfo& li = ref_.loci_[ref_.alleles_[id].locus];
      if (li.begin == li.end) li.begin = id;
      li.end = id + 1;
    }
    return absl::OkStatus();
  }

  void BuildTruncations() {
    const std::vector<Allele>& al = ref_.alleles_;
    std::string buf;
    for (int k = 1; k <= 3; ++k) {
      std::vector<Truncation>& out = ref_.truncations_[k - 1];
      for (AlleleId id = 0; id < al.size(); ++id) {
        const Allele& a = al[id];
        if (static_cast<int>(a.fields.size()) < k) continue;
        absl::Span<const hla::Field> prefix =
            absl::MakeConstSpan(a.fields).subspan(0, k);
        if (!out.empty() && out.back().locus == a.locus &&
            out.back().end == id &&
            hla::FieldsHavePrefix(al[out.back().begin].fields, prefix)) {
          out.back().end = id + 1;
          continue;
        }
        buf.assign(ref_.loci_[a.locus].name.data(),
                   ref_.loci_[a.locus].name.size());
        buf.push_back('*');
        hla::AppendFields(prefix, &buf);
        Truncation t;
        t.name = arena().Copy(buf);
        t.locus = a.locus;
        t.field_count = static_cast<uint8_t>(k);
        t.begin = id;
        t.end = id + 1;
        out.push_back(t);
      }
    }
    for (int k = 0; k < 3; ++k) {
      for (const Truncation& t : ref_.truncations_[k]) {
        ref_.truncation_by_name_.emplace(t.name, &t);
      }
    }
  }

  // Looks up "A*" + "01:01" without allocating (reuses name_buf_).
  // The WMDA files list alleles in Allelelist.txt's order, so the row after
  // the previous hit is tried first: a compare instead of a hash lookup for
  // nearly every row (a third of the load time otherwise).
  std::optional<AlleleId> Find(absl::string_view locus_star,
                               absl::string_view rest) {
    const std::vector<AlleleListRow>& rows = r_.allele_list.rows;
    const size_t next = guess_ + 1 < rows.size() ? guess_ + 1 : 0;
    const absl::string_view cand = rows[next].name;
    if (cand.size() == locus_star.size() + rest.size() &&
        absl::StartsWith(cand, locus_star) && absl::EndsWith(cand, rest)) {
      guess_ = next;
      return row_to_id_[next];
    }
    name_buf_.assign(locus_star.data(), locus_star.size());
    name_buf_.append(rest.data(), rest.size());
    auto it = ref_.by_name_.find(absl::string_view(name_buf_));
    if (it == ref_.by_name_.end()) return std::nullopt;
    guess_ = id_to_row_[it->second];
    return it->second;
  }

  // "A*01:01" from a locus name and fields.
  absl::string_view TwoFieldName(LocusIndex locus,
                                 absl::Span<const hla::Field> fields) {
    std::string buf(ref_.loci_[locus].name);
    buf.push_back('*');
    hla::AppendFields(fields.subspan(0, std::min<size_t>(2, fields.size())),
                      &buf);
    return arena().Copy(buf);
  }

  // Fills group members from each allele's group id (CSR over id order, so
  // members come out ascending).
  void FillMembers(std::vector<Group>* groups, GroupId Allele::*member) {
    std::vector<uint32_t> count(groups->size() + 1, 0);
    for (const Allele& a : ref_.alleles_) {
      if (a.*member != kNone) ++count[a.*member + 1];
    }
    for (size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
    const size_t base = ref_.member_storage_.size();
    ref_.member_storage_.resize(base + count.back());
    std::vector<uint32_t> next(count.begin(), count.end() - 1);
    for (AlleleId id = 0; id < ref_.alleles_.size(); ++id) {
      const GroupId g = ref_.alleles_[id].*member;
      if (g != kNone) ref_.member_storage_[base + next[g]++] = id;
    }
    const AlleleId* data = ref_.member_storage_.data() + base;
    for (size_t g = 0; g < groups->size(); ++g) {
      (*groups)[g].members =
          absl::MakeConstSpan(data + count[g], count[g + 1] - count[g]);
    }
  }

  absl::Status BuildGroups(const GroupFile& file, char kind,
                           std::vector<Group>* groups, size_t* named,
                           absl::flat_hash_map<absl::string_view, GroupId>* index,
                           GroupId Allele::*member) {
    const std::string path =
        r_.Path(kind == 'G' ? "wmda/hla_nom_g.txt" : "wmda/hla_nom_p.txt");
    // Two passes: named groups first, then implicit singletons.
    for (int pass = 0; pass < 2; ++pass) {
      for (const GroupRow& row : file.rows) {
        const bool is_named = !row.group.empty();
        if (is_named != (pass == 0)) continue;
        const GroupId gid = static_cast<GroupId>(groups->size());
        absl::string_view members = row.members;
        AlleleId first = kNone;
        while (true) {
          const size_t slash = members.find('/');
          const absl::string_view m = members.substr(0, slash);
          const std::optional<AlleleId> id = Find(row.locus, m);
          if (!id) {
            return LineError(path, row.line,
                             absl::StrCat("allele ", row.locus, m,
                                          " is not in Allelelist.txt"));
          }
          Allele& a = ref_.alleles_[*id];
          if (a.*member != kNone) {
            return LineError(path, row.line,
                             absl::StrCat("allele ", a.name,
                                          " is in two groups"));
          }
          a.*member = gid;
          if (first == kNone) first = *id;
          if (slash == absl::string_view::npos) break;
          members.remove_prefix(slash + 1);
        }
        Group g;
        g.locus = ref_.alleles_[first].locus;
        if (is_named) {
          g.name = arena().Concat(row.locus, row.group);
          hla::Fields fields;
          hla::ParseFields(row.group.substr(0, row.group.size() - 1), &fields);
          g.two_field_name = TwoFieldName(g.locus, fields);
        } else {
          g.implicit = true;
          g.name = ref_.alleles_[first].name;
          g.two_field_name =
              TwoFieldName(g.locus, ref_.alleles_[first].fields);
        }
        if (!index->emplace(g.name, gid).second) {
          return LineError(path, row.line,
                           absl::StrCat("group ", g.name, " defined twice"));
        }
        groups->push_back(g);
      }
      if (pass == 0) *named = groups->size();
    }
    FillMembers(groups, member);
    return absl::OkStatus();
  }

  // See the header: one small-g group per P group, plus the alleles the P
  // file omits (nulls) whose G group holds a P-group member; null-only G
  // groups make small-g groups of their own.
  void BuildSmallG() {
    std::vector<Allele>& al = ref_.alleles_;
    std::vector<Group>& sg = ref_.small_g_groups_;
    // 1. One per P group, same index.
    sg.resize(ref_.p_groups_.size());
    for (Allele& a : al) {
      if (a.p_group != kNone) a.small_g = a.p_group;
    }
    // 2. P-less alleles join the small-g of their G group's expressed members.
    std::vector<GroupId> g_to_sg(ref_.g_groups_.size(), kNone);
    for (const Allele& a : al) {
      if (a.g_group != kNone && a.p_group != kNone &&
          g_to_sg[a.g_group] == kNone) {
        g_to_sg[a.g_group] = a.p_group;
      }
    }
    // 3. No expressed allele shares the G group: the nulls form a group of
    // their own, one per 2-field name and suffix (A*01:52:01N and
    // A*01:52:02N are in different G groups yet both "A*01:52N").
    std::vector<absl::string_view> null_two_field;  // per step-3 group
    absl::flat_hash_map<std::string, GroupId> null_groups;
    std::string key;
    for (Allele& a : al) {
      if (a.p_group != kNone || a.g_group == kNone) continue;
      if (g_to_sg[a.g_group] == kNone) {
        const absl::string_view two = TwoFieldName(a.locus, a.fields);
        key.assign(two.data(), two.size());
        if (a.suffix != 0) key.push_back(a.suffix);
        auto [it, added] =
            null_groups.emplace(key, static_cast<GroupId>(sg.size()));
        if (added) {
          sg.emplace_back();
          null_two_field.push_back(two);
        }
        g_to_sg[a.g_group] = it->second;
      }
      a.small_g = g_to_sg[a.g_group];
    }
    FillMembers(&sg, &Allele::small_g);
    // Names: "<2-field>g" when the members span several 2-field names
    // (several proteins), else the 2-field name plus the members' common
    // suffix (A*01:52, A*04:94N).
    const size_t from_p = ref_.p_groups_.size();
    for (GroupId id = 0; id < sg.size(); ++id) {
      Group& g = sg[id];
      const Allele& first = al[g.members.front()];
      g.locus = first.locus;
      g.two_field_name = id < from_p ? ref_.p_groups_[id].two_field_name
                                     : null_two_field[id - from_p];
      bool one_protein = true;
      char suffix = first.suffix;
      for (AlleleId m : g.members) {
        const Allele& a = al[m];
        if (a.fields.size() < 2 || first.fields.size() < 2 ||
            a.fields[0].value != first.fields[0].value ||
            a.fields[1].value != first.fields[1].value) {
          one_protein = false;
        }
        if (a.suffix != suffix) suffix = 0;
      }
      if (one_protein) {
        g.implicit = true;
        g.name = suffix == 0 ? g.two_field_name
                             : arena().Concat(g.two_field_name,
                                              absl::string_view(&suffix, 1));
      } else {
        g.name = arena().Concat(g.two_field_name, "g");
      }
      if (!ref_.small_g_by_name_.emplace(g.name, id).second) {
        duplicate_small_g_.Add(g.name);
      }
    }
  }

  AntigenId GetAntigen(absl::string_view prefix, absl::string_view number) {
    name_buf_.assign(prefix.data(), prefix.size());
    name_buf_.append(number.data(), number.size());
    auto it = ref_.antigen_by_name_.find(absl::string_view(name_buf_));
    if (it != ref_.antigen_by_name_.end()) return it->second;
    Antigen a;
    a.name = arena().Copy(name_buf_);
    a.prefix = a.name.substr(0, prefix.size());
    a.number = a.name.substr(prefix.size());
    const AntigenId id = static_cast<AntigenId>(ref_.antigens_.size());
    ref_.antigens_.push_back(std::move(a));
    ref_.antigen_by_name_.emplace(ref_.antigens_.back().name, id);
    return id;
  }

  absl::Status BuildSerology() {
    // Recognised antigens (hla_nom.txt rows without '*').
    for (const HlaNomRow& row : r_.nom.rows) {
      if (row.is_allele) continue;
      Antigen& a = ref_.antigens_[GetAntigen(row.locus, row.name)];
      a.recognised = row.date_deleted.empty();
      a.date_assigned = row.date_assigned;
      a.date_deleted = row.date_deleted;
    }
    // Broad/split/associated.
    for (const RelSerSerRow& row : r_.ser_ser.rows) {
      const AntigenId parent = GetAntigen(row.locus, row.antigen);
      auto each = [&](absl::string_view list, bool split) {
        while (!list.empty()) {
          const size_t slash = list.find('/');
          const AntigenId child = GetAntigen(row.locus, list.substr(0, slash));
          if (split) {
            ref_.antigens_[parent].splits.push_back(child);
            ref_.antigens_[child].broad = parent;
          } else {
            ref_.antigens_[parent].associated.push_back(child);
            ref_.antigens_[child].associated_with = parent;
          }
          if (slash == absl::string_view::npos) break;
          list.remove_prefix(slash + 1);
        }
      };
      each(row.splits, true);
      each(row.associated, false);
    }
    // Allele -> serology.
    const std::string path = r_.Path("wmda/rel_dna_ser.txt");
    ref_.has_hats_ = r_.dna_ser.has_hats_column;
    ref_.serologies_.reserve(r_.dna_ser.rows.size());
    for (const RelDnaSerRow& row : r_.dna_ser.rows) {
      const std::optional<AlleleId> id = Find(row.locus, row.allele);
      if (!id) {
        return LineError(path, row.line,
                         absl::StrCat("allele ", row.locus, row.allele,
                                      " is not in Allelelist.txt"));
      }
      Allele& allele = ref_.alleles_[*id];
      if (allele.serology != kNone) {
        return LineError(path, row.line,
                         absl::StrCat("second row for allele ", allele.name));
      }
      const std::optional<hla::Locus> locus =
          ref_.loci_[allele.locus].locus;
      const absl::string_view prefix =
          locus ? hla::SerologyPrefix(*locus) : absl::string_view();
      allele.serology = static_cast<uint32_t>(ref_.serologies_.size());
      ref_.serologies_.emplace_back();
      SerologyList* lists[kSerologyColumns] = {
          &ref_.serologies_.back().unambiguous,
          &ref_.serologies_.back().possible, &ref_.serologies_.back().assumed,
          &ref_.serologies_.back().expert, &ref_.serologies_.back().hats};
      for (int c = 0; c < kSerologyColumns; ++c) {
        absl::string_view col = row.columns[c];
        while (!col.empty()) {
          const size_t slash = col.find('/');
          const absl::string_view tok = col.substr(0, slash);
          if (tok == "0") {
            lists[c]->null = true;
          } else if (tok == "?") {
            lists[c]->unknown = true;
          } else if (prefix.empty()) {
            no_prefix_serology_.Add(absl::StrCat(allele.name, " -> ", tok));
          } else {
            const AntigenId ag = GetAntigen(prefix, tok);
            lists[c]->antigens.push_back(ag);
            if (c <= kAssumed) {
              std::vector<AlleleId>& v = ref_.antigens_[ag].alleles;
              if (v.empty() || v.back() != *id) v.push_back(*id);
            }
          }
          if (slash == absl::string_view::npos) break;
          col.remove_prefix(slash + 1);
        }
      }
      // Rows come in name order and neighbours mostly say the same (every
      // A*02:01:01 allele is A2): one record for a run of equal rows, so
      // that a consumer walking a typing's alleles (CompilePosition) reads
      // each distinct record once.
      const size_t n = ref_.serologies_.size();
      if (n >= 2 && SameSerology(ref_.serologies_[n - 1], ref_.serologies_[n - 2])) {
        ref_.serologies_.pop_back();
        allele.serology = static_cast<uint32_t>(n - 2);
      }
    }
    for (Antigen& a : ref_.antigens_) {
      std::sort(a.alleles.begin(), a.alleles.end());
      a.alleles.erase(std::unique(a.alleles.begin(), a.alleles.end()),
                      a.alleles.end());
    }
    return absl::OkStatus();
  }

  uint32_t HistoryEntry(absl::string_view name) {
    auto it = ref_.history_by_name_.find(name);
    if (it != ref_.history_by_name_.end()) return it->second;
    const uint32_t idx = static_cast<uint32_t>(ref_.history_.size());
    ref_.history_.emplace_back();
    ref_.history_.back().name = name;
    ref_.history_by_name_.emplace(name, idx);
    return idx;
  }

  void BuildNomenclature() {
    for (const HlaNomRow& row : r_.nom.rows) {
      if (!row.is_allele) continue;
      if (row.date_deleted.empty()) {
        const std::optional<AlleleId> id = Find(row.locus, row.name);
        if (id) {
          ref_.alleles_[*id].date_assigned = row.date_assigned;
        } else {
          unknown_nom_.Add(absl::StrCat(row.locus, row.name));
        }
        continue;
      }
      NameHistory& h =
          ref_.history_[HistoryEntry(arena().Concat(row.locus, row.name))];
      h.date_assigned = row.date_assigned;
      h.date_deleted = row.date_deleted;
      h.reason = row.reason;
      if (!row.identical_to.empty()) {
        // Pre-2010 rows use the old "Cw*" locus; their successors are C*.
        const absl::string_view locus = row.locus == "Cw*" ? "C*" : row.locus;
        h.identical_to = arena().Concat(locus, row.identical_to);
      }
    }
    for (const DeletedAlleleRow& row : r_.deleted.rows) {
      NameHistory& h = ref_.history_[HistoryEntry(row.name)];
      h.accession = row.accession;
      h.description = row.description;
      h.suffix_change = row.suffix_change;
      if (h.identical_to.empty()) h.identical_to = row.target;
    }
    // Follow chains (A*0105N -> A*01:04:01:01N; a successor may itself have
    // been renamed later) to current alleles; bounded against cycles.
    for (NameHistory& h : ref_.history_) {
      absl::string_view target = h.identical_to;
      for (int hop = 0; hop < 8 && !target.empty(); ++hop) {
        auto it = ref_.by_name_.find(target);
        if (it != ref_.by_name_.end()) {
          h.current.push_back(it->second);
          break;
        }
        auto hi = ref_.history_by_name_.find(target);
        if (hi == ref_.history_by_name_.end()) break;
        target = ref_.history_[hi->second].identical_to;
      }
    }
  }

  void BuildStatus() {
    ref_.has_status_ = r_.has_status;
    for (const AlleleStatusRow& row : r_.status.rows) {
      const std::optional<AlleleId> id = Find(row.name, {});
      if (!id) {
        unknown_status_.Add(row.name);
        continue;
      }
      Allele& a = ref_.alleles_[*id];
      a.confirmed = row.confirmed;
      a.coverage = row.partial ? SequenceCoverage::kPartial
                               : SequenceCoverage::kFull;
      a.sequence_type = row.genomic ? SequenceType::kGenomic
                                    : SequenceType::kCdna;
    }
  }

  void BuildTce() {
    ref_.has_tce_ = r_.has_tce;
    ref_.tce_has_v3_ = r_.tce.has_v3;
    ref_.tce_.reserve(r_.tce.rows.size());
    for (const DpbTceRow& row : r_.tce.rows) {
      TceAssignment t;
      t.allele_name = row.allele;
      t.protein = row.protein;
      t.v1 = {row.v1.group, row.v1.qualifier, row.v1.inferred};
      t.v2 = {row.v2.group, row.v2.qualifier, row.v2.inferred};
      t.v3 = {row.v3.group, row.v3.qualifier, row.v3.inferred};
      t.comments = row.comments;
      auto it = ref_.by_name_.find(row.allele);
      if (it == ref_.by_name_.end()) {
        unknown_tce_.Add(row.allele);
      } else {
        t.allele = it->second;
        ref_.alleles_[it->second].tce =
            static_cast<uint32_t>(ref_.tce_.size());
      }
      ref_.tce_.push_back(t);
    }
  }

  ParsedRelease& r_;
  Reference& ref_;
  std::string name_buf_;
  size_t guess_ = 0;  // Allelelist row of the last Find() hit
  std::vector<AlleleId> row_to_id_;
  std::vector<uint32_t> id_to_row_;
  NoteCounter unknown_status_{"Allele_status.txt rows for alleles absent "
                              "from Allelelist.txt (ignored)"};
  NoteCounter unknown_tce_{"tce/dpb_tce.csv rows for alleles absent from "
                           "Allelelist.txt (kept, without an allele id)"};
  NoteCounter unknown_nom_{"wmda/hla_nom.txt current names absent from "
                           "Allelelist.txt"};
  NoteCounter no_prefix_serology_{"wmda/rel_dna_ser.txt antigen numbers for "
                                  "loci without a serological prefix "
                                  "(ignored)"};
  NoteCounter duplicate_small_g_{"small-g group names built twice (the first "
                                 "is indexed)"};
};

absl::StatusOr<std::shared_ptr<const Reference>> Reference::Load(
    const LoadOptions& options) {
  if (options.imgt_dir.empty()) {
    return absl::InvalidArgumentError("no IPD-IMGT/HLA release directory given");
  }
  ParsedRelease r;
  r.dir = options.imgt_dir;
  while (r.dir.size() > 1 && r.dir.back() == '/') r.dir.pop_back();
  absl::Status a, b;
  if (options.parallel) {
    std::thread other([&] { b = ReadGroupB(&r); });
    a = ReadGroupA(&r);
    other.join();
  } else {
    a = ReadGroupA(&r);
    if (a.ok()) b = ReadGroupB(&r);
  }
  HLA_RETURN_IF_ERROR(a);
  HLA_RETURN_IF_ERROR(b);

  std::shared_ptr<Reference> ref(new Reference());
  ref->directory_ = r.dir;
  ReferenceBuilder builder(&r, ref.get());
  HLA_RETURN_IF_ERROR(builder.Build());
  ref->groups_.reserve(ref->alleles_.size());
  absl::flat_hash_map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> proteins;
  for (const Allele& a : ref->alleles_) {
    uint32_t protein = kNone;
    if (a.fields.size() >= 2) {
      protein = proteins
                    .try_emplace({a.locus, a.fields[0].value, a.fields[1].value},
                                 static_cast<uint32_t>(proteins.size()))
                    .first->second;
    }
    ref->groups_.push_back(
        {a.p_group, a.g_group, a.small_g, a.serology, protein, a.suffix});
  }
  ref->BuildProteinAlleles(proteins.size());
  for (ParsedRelease::Text* t :
       {&r.allele_list_text, &r.status_text, &r.nom_text, &r.g_text,
        &r.p_text, &r.dna_ser_text, &r.ser_ser_text, &r.tce_text,
        &r.deleted_text}) {
    if (*t == nullptr) continue;  // an optional file that is absent
    ref->bytes_read_ += (*t)->size();
    ref->texts_.push_back(std::move(*t));
  }
  return std::shared_ptr<const Reference>(std::move(ref));
}

void Reference::BuildProteinAlleles(size_t proteins) {
  // Each protein's run of ids and its sets, as offsets into
  // protein_storage_ (spans are made once the storage stops growing).
  constexpr int kSets = 5;  // p_groups, without_p_group, g_groups, antigens, suffixed
  struct Run {
    AlleleId begin = 0, end = 0;
    std::array<size_t, kSets + 1> at{};  // set k is [at[k], at[k + 1])
    bool expressed = false, unsuffixed = false;
    uint8_t state = 0;  // 0: not met, 1: one run, 2: met twice (no run)
  };
  std::vector<Run> runs(proteins);
  std::array<std::vector<uint32_t>, kSets> sets;
  const AlleleId n = static_cast<AlleleId>(groups_.size());
  for (AlleleId begin = 0; begin < n;) {
    const uint32_t protein = groups_[begin].protein;
    AlleleId end = begin + 1;
    while (end < n && groups_[end].protein == protein) ++end;
    if (protein != kNone) {
      Run& run = runs[protein];
      // Ids follow the fields numerically, so a protein is one run; were it
      // not, it gets no range and is read allele by allele.
      run.state = run.state == 0 ? 1 : 2;
      if (run.state == 1) {
        run.begin = begin;
        run.end = end;
        for (auto& set : sets) set.clear();
        for (AlleleId id = begin; id < end; ++id) {
          const AlleleGroups& a = groups_[id];
          if (a.suffix != 0) sets[4].push_back(id);
          if (a.suffix == 0) run.unsuffixed = true;
          if (a.is_null()) continue;
          run.expressed = true;
          (a.p_group != kNone ? sets[0] : sets[1])
              .push_back(a.p_group != kNone ? a.p_group : id);
          if (a.g_group != kNone) sets[2].push_back(a.g_group);
          if (a.serology != kNone) {
            const DnaSerology& s = serologies_[a.serology];
            for (const SerologyList* l : {&s.unambiguous, &s.possible, &s.assumed, &s.expert}) {
              sets[3].insert(sets[3].end(), l->antigens.begin(), l->antigens.end());
            }
          }
        }
        for (int k = 0; k < kSets; ++k) {
          std::vector<uint32_t>& set = sets[static_cast<size_t>(k)];
          std::sort(set.begin(), set.end());
          set.erase(std::unique(set.begin(), set.end()), set.end());
          run.at[static_cast<size_t>(k)] = protein_storage_.size();
          protein_storage_.insert(protein_storage_.end(), set.begin(), set.end());
        }
        run.at[kSets] = protein_storage_.size();
      }
    }
    begin = end;
  }
  protein_alleles_.assign(proteins, ProteinAlleles{});
  const absl::Span<const uint32_t> storage = protein_storage_;
  for (size_t p = 0; p < proteins; ++p) {
    const Run& run = runs[p];
    if (run.state != 1) continue;
    auto set = [&](size_t k) {
      return storage.subspan(run.at[k], run.at[k + 1] - run.at[k]);
    };
    protein_alleles_[p] = {run.begin, run.end, set(0), set(1), set(2), set(3), set(4),
                           run.expressed, run.unsuffixed};
  }
}

// ---- Lookups

const LocusInfo* Reference::FindLocus(absl::string_view name) const {
  auto it = locus_by_name_.find(name);
  return it == locus_by_name_.end() ? nullptr : &loci_[it->second];
}

const LocusInfo* Reference::FindLocus(hla::Locus locus) const {
  return FindLocus(hla::LocusName(locus));
}

std::optional<AlleleId> Reference::FindAllele(absl::string_view name) const {
  auto it = by_name_.find(StripHla(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<AlleleId> Reference::FindAlleleIgnoringSuffix(
    absl::string_view name) const {
  name = StripHla(name);
  if (!name.empty() && hla::IsExpressionSuffix(name.back()) &&
      name.find('*') != absl::string_view::npos) {
    name.remove_suffix(1);
  }
  auto it = by_base_name_.find(name);
  if (it == by_base_name_.end()) return std::nullopt;
  return it->second;
}

absl::Span<const AlleleId> Reference::AllelesWithPrefix(
    absl::string_view locus, absl::Span<const hla::Field> prefix) const {
  const LocusInfo* li = FindLocus(locus);
  if (li == nullptr) return {};
  const Allele* begin = alleles_.data() + li->begin;
  const Allele* end = alleles_.data() + li->end;
  auto head = [&](const Allele& a) {
    absl::Span<const hla::Field> f = a.fields;
    return hla::CompareFields(f.subspan(0, std::min(f.size(), prefix.size())),
                              prefix);
  };
  const Allele* lo = std::partition_point(
      begin, end, [&](const Allele& a) { return head(a) < 0; });
  const Allele* hi = std::partition_point(
      lo, end, [&](const Allele& a) { return head(a) == 0; });
  // An allele with fewer fields than the prefix compares equal on its head
  // only if it is a prefix of it; those are not "starting with" the prefix.
  while (lo < hi && lo->fields.size() < prefix.size()) ++lo;
  return Range(static_cast<AlleleId>(lo - alleles_.data()),
               static_cast<AlleleId>(hi - alleles_.data()));
}

absl::Span<const Truncation> Reference::truncations(int field_count) const {
  if (field_count < 1 || field_count > 3) return {};
  return truncations_[field_count - 1];
}

const Truncation* Reference::FindTruncation(absl::string_view name) const {
  auto it = truncation_by_name_.find(StripHla(name));
  return it == truncation_by_name_.end() ? nullptr : it->second;
}

namespace {
std::optional<GroupId> FindIn(
    const absl::flat_hash_map<absl::string_view, GroupId>& map,
    absl::string_view name) {
  auto it = map.find(StripHla(name));
  if (it == map.end()) return std::nullopt;
  return it->second;
}
}  // namespace

std::optional<GroupId> Reference::FindGGroup(absl::string_view name) const {
  return FindIn(g_by_name_, name);
}
std::optional<GroupId> Reference::FindPGroup(absl::string_view name) const {
  return FindIn(p_by_name_, name);
}
std::optional<GroupId> Reference::FindSmallG(absl::string_view name) const {
  return FindIn(small_g_by_name_, name);
}

std::optional<AntigenId> Reference::FindAntigen(absl::string_view name) const {
  auto it = antigen_by_name_.find(name);
  if (it == antigen_by_name_.end()) return std::nullopt;
  return it->second;
}

const DnaSerology* Reference::SerologyOf(AlleleId id) const {
  const uint32_t s = alleles_[id].serology;
  return s == kNone ? nullptr : &serologies_[s];
}

AntigenId Reference::PrimaryAntigen(AlleleId id) const {
  const DnaSerology* ser = SerologyOf(id);
  if (ser == nullptr) return kNone;
  for (const SerologyList* list : {&ser->unambiguous, &ser->possible, &ser->assumed}) {
    for (AntigenId a : list->antigens) {
      if (!antigens_[a].alleles.empty()) return a;
    }
  }
  return kNone;
}

const NameHistory* Reference::FindHistory(absl::string_view name) const {
  auto it = history_by_name_.find(StripHla(name));
  return it == history_by_name_.end() ? nullptr : &history_[it->second];
}

const TceAssignment* Reference::TceOf(AlleleId id) const {
  const uint32_t t = alleles_[id].tce;
  return t == kNone ? nullptr : &tce_[t];
}

size_t Reference::MemoryUsage() const {
  size_t n = sizeof(*this) + arena_->arena.bytes_reserved();
  for (const auto& t : texts_) n += sizeof(std::string) + t->capacity();
  n += alleles_.capacity() * sizeof(Allele) + ids_.capacity() * sizeof(AlleleId);
  n += groups_.capacity() * sizeof(AlleleGroups) +
       protein_alleles_.capacity() * sizeof(ProteinAlleles) +
       protein_storage_.capacity() * sizeof(uint32_t);
  n += member_storage_.capacity() * sizeof(AlleleId);
  n += (g_groups_.capacity() + p_groups_.capacity() +
        small_g_groups_.capacity()) * sizeof(Group);
  for (int k = 0; k < 3; ++k) n += truncations_[k].capacity() * sizeof(Truncation);
  n += serologies_.capacity() * sizeof(DnaSerology);
  for (const Antigen& a : antigens_) {
    n += sizeof(Antigen) + (a.alleles.capacity() + a.splits.capacity() +
                            a.associated.capacity()) * sizeof(uint32_t);
  }
  n += history_.capacity() * sizeof(NameHistory);
  n += tce_.capacity() * sizeof(TceAssignment);
  // Swiss tables: one control byte plus one slot per bucket.
  auto map_bytes = [](const auto& m) {
    using Slot = typename std::decay_t<decltype(m)>::value_type;
    return m.capacity() * (sizeof(Slot) + 1);
  };
  n += map_bytes(by_name_) + map_bytes(by_base_name_) +
       map_bytes(truncation_by_name_) + map_bytes(g_by_name_) +
       map_bytes(p_by_name_) + map_bytes(small_g_by_name_) +
       map_bytes(antigen_by_name_) + map_bytes(history_by_name_);
  return n;
}

}  // namespace hla::data
