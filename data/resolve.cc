// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The resolver: one function per token kind, each returning the ascending
// allele ids the name stands for. Names are looked up by their spelling in the
// Reference's hash indexes (exact, truncation, groups, antigens, history), so
// the hot path (a 2- or 4-field name) is one or two hash probes and no
// allocation beyond the result vector.
#include "data/resolve.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "data/internal/names.h"
#include "hla/status_macros.h"

namespace hla::data {
namespace {

using data_internal::AppendBareName;

// py-ard's hard-coded DNA broads (its serology.py broad_splits_dna_mapping):
// "A*09:XX" stands for A*23 and A*24, and so on. They are not WHO first
// fields; docs/conventions.md keeps them because registries still write them.
struct DnaBroad {
  const char* locus;
  uint32_t broad;
  uint32_t splits[6];
};
constexpr DnaBroad kDnaBroads[] = {
    {"A", 9, {23, 24}},          {"A", 10, {25, 26, 34, 66}},
    {"A", 19, {29, 30, 31, 32, 33, 74}},
    {"A", 28, {68, 69}},         {"B", 5, {51, 52}},
    {"B", 12, {44, 45}},         {"B", 16, {38, 39}},
    {"B", 17, {57, 58}},         {"B", 21, {49, 50}},
    {"B", 22, {54, 55, 56}},     {"C", 10, {3, 4}},
    {"DQB1", 1, {5, 6}},         {"DRB1", 2, {15, 16}},
    {"DRB1", 6, {13, 14}},
};

std::string Quote(const Token& t) {
  return absl::StrCat("'", ToString(t), "' at offset ", t.offset);
}

std::string DashedDate(absl::string_view yyyymmdd) {
  if (yyyymmdd.size() != 8) return std::string(yyyymmdd);
  return absl::StrCat(yyyymmdd.substr(0, 4), "-", yyyymmdd.substr(4, 2), "-",
                      yyyymmdd.substr(6, 2));
}

void AppendRange(absl::Span<const AlleleId> ids, std::vector<AlleleId>* out) {
  out->insert(out->end(), ids.begin(), ids.end());
}

void SortUnique(std::vector<AlleleId>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

Resolver::Resolver(std::shared_ptr<const Reference> reference,
                   std::shared_ptr<const MacTable> macs, ResolveOptions options)
    : ref_(std::move(reference)), macs_(std::move(macs)), options_(options) {}

namespace {

// Looks up a bare WHO-style name ("A*02:01", "A*01:01:01:01", "A*01:04N")
// as py-ard's VALID set would accept it: an exact allele, a truncation of 1-3
// fields, or a truncation with a suffix (the members carrying it). Appends
// the ids to `out` (if not null) and returns whether anything matched.
bool LookupName(const Reference& ref, absl::string_view name,
                std::vector<AlleleId>* out, bool* exact = nullptr) {
  if (exact) *exact = false;
  if (std::optional<AlleleId> id = ref.FindAllele(name)) {
    if (out) out->push_back(*id);
    if (exact) *exact = true;
    return true;
  }
  if (const Truncation* t = ref.FindTruncation(name)) {
    // Members with as many fields as the name differ from it only by a
    // suffix (A*24:329 vs A*24:329Q): a different name, not an extension of
    // it. They sort first in the range.
    AlleleId begin = t->begin;
    while (begin < t->end && ref.allele(begin).fields.size() <= t->field_count) {
      ++begin;
    }
    if (begin < t->end) {
      if (out) AppendRange(ref.Range(begin, t->end), out);
      return true;
    }
  }
  if (!name.empty() && hla::IsExpressionSuffix(name.back())) {
    const char suffix = name.back();
    if (const Truncation* t =
            ref.FindTruncation(name.substr(0, name.size() - 1))) {
      bool any = false;
      for (AlleleId id = t->begin; id < t->end; ++id) {
        if (ref.allele(id).suffix != suffix) continue;
        any = true;
        if (out) out->push_back(id);
      }
      return any;
    }
  }
  return false;
}

// What the steps below read and fill for one token: the release, the token,
// the leaf (already reset, token set) and where warnings go (null: nowhere).
struct Job {
  const Reference& ref;
  const Token& token;
  ResolvedLeaf* leaf;
  std::vector<std::string>* warnings;
};

// The error for a name the release does not have. It names the release
// because the same name may be valid in another one (docs/conventions.md
// §1): "'A*99:99' at offset 8: not an allele of IPD-IMGT/HLA 3.58.0".
absl::Status NotInRelease(const Job& job, absl::string_view what) {
  return absl::NotFoundError(absl::StrCat(Quote(job.token), ": ", what,
                                          " of IPD-IMGT/HLA ",
                                          job.ref.version()));
}

// Appends "'<token>' at offset N: <pieces>" to the caller's warnings, if it
// collects them. A warning reports a reading of a name the user did not
// write (a pre-2010 or withdrawn name read as a current one): not an error,
// but not silent either.
template <typename... Pieces>
void Warn(const Job& job, const Pieces&... pieces) {
  if (job.warnings == nullptr) return;
  job.warnings->push_back(absl::StrCat(Quote(job.token), ": ", pieces...));
}

// Adds one current name to the leaf's '/'-joined normalized spelling.
void AppendNormalized(absl::string_view name, ResolvedLeaf* leaf) {
  if (!leaf->normalized.empty()) leaf->normalized.push_back('/');
  leaf->normalized.append(name.data(), name.size());
}

// "withdrawn from IPD-IMGT/HLA on 2001-07-17 (Sequence identical)".
// hla_nom.txt records the date of a withdrawal, not the release, so the date
// is what we say (docs/conventions.md §5).
std::string Withdrawn(const NameHistory& h) {
  return absl::StrCat(
      "withdrawn from IPD-IMGT/HLA", h.date_deleted.empty() ? "" : " on ",
      DashedDate(h.date_deleted),
      h.reason.empty() ? "" : absl::StrCat(" (", h.reason, ")"));
}

// A withdrawn or renamed name (a WHO name or a pre-2010 one) stands for its
// current successors, as hla_nom.txt and Deleted_alleles.txt record them with
// chains of renames followed (NameHistory::current), and says so in a
// warning; py-ard reads no history, so without this such names would be
// errors (docs/conventions.md §5). A name withdrawn with no successor
// ("Never assigned") is an error.
absl::Status ApplyHistory(const Job& job, const NameHistory& h) {
  if (h.current.empty()) {
    return absl::NotFoundError(absl::StrCat(
        Quote(job.token), ": ", Withdrawn(h), " with no current successor in ",
        job.ref.version()));
  }
  ResolvedLeaf* leaf = job.leaf;
  leaf->kind = LeafKind::kHistory;
  for (AlleleId id : h.current) {
    leaf->alleles.push_back(id);
    AppendNormalized(job.ref.allele(id).name, leaf);
  }
  SortUnique(&leaf->alleles);
  Warn(job, Withdrawn(h), "; read as ", leaf->normalized, " (release ",
       job.ref.version(), ")");
  return absl::OkStatus();
}

// py-ard's digit split of a pre-2010 name (docs/conventions.md §4): 2 digits
// per field, a 5-digit DP name 3+2, an odd count 2 + the rest (A*01011 ->
// A*01:011, DPA1*01011 -> DPA1*010:11), then the suffix.
// REQUIRES: token.code holds 3 or more digits.
std::string SplitLegacyDigits(const Token& token) {
  const std::string& digits = token.code;
  std::string v3 = absl::StrCat(token.locus, "*");
  if (absl::StartsWith(token.locus, "DP") && digits.size() == 5) {
    absl::StrAppend(&v3, digits.substr(0, 3), ":", digits.substr(3));
  } else if (digits.size() % 2 == 0) {
    for (size_t i = 0; i < digits.size(); i += 2) {
      if (i > 0) v3.push_back(':');
      v3.append(digits, i, 2);
    }
  } else {
    absl::StrAppend(&v3, digits.substr(0, 2), ":", digits.substr(2));
  }
  if (token.suffix != 0) v3.push_back(token.suffix);
  return v3;
}

// The one first field an allele-specific MAC is valid with, by py-ard's
// rule: the most frequent first field of its items ("03:01/52:01/52:02" ->
// 52), a tie going to the one written first (docs/conventions.md §6).
absl::string_view AlleleSpecificFirstField(
    absl::Span<const absl::string_view> items) {
  std::vector<std::pair<absl::string_view, int>> counts;
  for (absl::string_view item : items) {
    absl::string_view ff = item.substr(0, item.find(':'));
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& c) { return c.first == ff; });
    if (it == counts.end()) {
      counts.emplace_back(ff, 1);
    } else {
      ++it->second;
    }
  }
  absl::string_view winner;
  int best = 0;
  for (const auto& c : counts) {
    if (c.second > best) {
      best = c.second;
      winner = c.first;
    }
  }
  return winner;
}

// The token's bare spelling (no "HLA-"), in a per-thread buffer: most names
// exceed the small-string buffer ("DRB1*15:01:01:01") and this is the hot
// path. Valid until the next call on the same thread.
absl::string_view BareName(const Token& token) {
  thread_local std::string name;
  name.clear();
  AppendBareName(token, &name);
  return name;
}

// ---- One handler per TokenKind (hla/gl.h says how each kind is written).

// kPlaceholder: a WMDA code written where an allele would be (DRB4*NNNN,
// the gene is absent; NEW, XXXX, UUUU). It stands for no allele by design,
// so it is a leaf without alleles. py-ard accepts these codes only when told
// to; we accept them by default and the option refuses them
// (docs/conventions.md §10).
absl::Status ResolvePlaceholder(const Job& job, bool accept_placeholders) {
  if (!accept_placeholders) {
    return absl::InvalidArgumentError(absl::StrCat(
        Quote(job.token), ": a WMDA placeholder, not an allele (not accepted "
                          "with these options)"));
  }
  job.leaf->kind = LeafKind::kPlaceholder;
  return absl::OkStatus();
}

// kSerology: a serologic antigen (A2, B44, Cw10, DR52), as py-ard reads it
// (docs/conventions.md §7). It stands for the alleles rel_dna_ser.txt assigns
// it in the unambiguous, possible or assumed column; a broad
// (rel_ser_ser.txt) also for its splits' alleles, since a broad typing does
// not tell its splits apart. Associated antigens stay apart (A24 does not
// include A2403). An antigen with no allele (Bw4) is valid.
absl::Status ResolveSerology(const Job& job) {
  const Reference& ref = job.ref;
  std::optional<AntigenId> a =
      ref.FindAntigen(absl::StrCat(job.token.locus, job.token.code));
  if (!a) return NotInRelease(job, "not a serologic antigen");
  ResolvedLeaf* leaf = job.leaf;
  leaf->kind = LeafKind::kSerology;
  leaf->antigens.push_back(*a);
  const Antigen& antigen = ref.antigen(*a);
  std::vector<AlleleId>* ids = &leaf->alleles;
  ids->assign(antigen.alleles.begin(), antigen.alleles.end());
  for (AntigenId s : antigen.splits) {
    const Antigen& split = ref.antigen(s);
    ids->insert(ids->end(), split.alleles.begin(), split.alleles.end());
  }
  SortUnique(ids);
  return absl::OkStatus();
}

// kAllele: a WHO name of 1 to 4 fields. In strict mode it must be a name of
// this release (docs/conventions.md §1): an allele, a truncation standing
// for the alleles it prefixes field by field, or a truncation with a suffix
// standing for those carrying it (LookupName). A name the release withdrew
// is read through its history. Non-strict mode, as py-ard, also repairs a
// missing or wrong expression suffix (A*24:329 -> A*24:329Q).
// Without `want_alleles`, a truncation is checked but not expanded.
absl::Status ResolveAlleleName(const Job& job, bool strict,
                               bool want_alleles) {
  const Reference& ref = job.ref;
  ResolvedLeaf* leaf = job.leaf;
  const absl::string_view name = BareName(job.token);
  bool exact = false;
  if (LookupName(ref, name, want_alleles ? &leaf->alleles : nullptr, &exact)) {
    leaf->kind = exact ? LeafKind::kAllele : LeafKind::kTruncated;
    // An exact name is one id: the caller gets it even when not asking.
    if (exact && !want_alleles) leaf->alleles.push_back(*ref.FindAllele(name));
    return absl::OkStatus();
  }
  if (const NameHistory* h = ref.FindHistory(name)) {
    return ApplyHistory(job, *h);
  }
  if (!strict) {
    if (std::optional<AlleleId> id = ref.FindAlleleIgnoringSuffix(name)) {
      leaf->kind = LeafKind::kAllele;
      leaf->alleles.push_back(*id);
      leaf->normalized = std::string(ref.allele(*id).name);
      return absl::OkStatus();
    }
  }
  return NotInRelease(job, "not an allele");
}

// kLegacy: a pre-2010 name (A*0201, A*0105N), from before fields had colons.
// The release's own history (hla_nom.txt) comes first, because it knows
// renames the digits cannot tell (A*0105N is now A*01:04:01:01N); then
// py-ard's digit split. Either reading is reported in a warning, since the
// user wrote another name (docs/conventions.md §4).
absl::Status ResolveLegacyName(const Job& job) {
  // A current name can look like a pre-2010 one: MICA and MICB number their
  // alleles with three digits and no colon, and MICA*063N reads as digits
  // and a suffix (found by the property test over every name of the
  // release). The release's own name comes first.
  if (std::optional<AlleleId> id = job.ref.FindAllele(BareName(job.token))) {
    job.leaf->kind = LeafKind::kAllele;
    job.leaf->alleles = {*id};
    return absl::OkStatus();
  }
  if (const NameHistory* h = job.ref.FindHistory(BareName(job.token))) {
    return ApplyHistory(job, *h);
  }
  if (job.token.code.size() < 3) {
    return NotInRelease(job, "not a pre-2010 name");
  }
  std::string v3 = SplitLegacyDigits(job.token);
  ResolvedLeaf* leaf = job.leaf;
  if (!LookupName(job.ref, v3, &leaf->alleles)) {
    // A name written without the expression suffix its allele carries
    // today (A*0111, now A*01:11N: the N was given with the name, or
    // later): read as that allele when exactly one suffix fits, as py-ard
    // does (its redux suite: A*0111 is A*01:11N at G), with a warning that
    // says which; a null allele changes what matches.
    std::string found;
    if (job.token.suffix == 0) {
      for (char c : {'N', 'Q', 'L', 'S', 'C', 'A'}) {
        const std::string with = absl::StrCat(v3, std::string(1, c));
        if (job.ref.FindAllele(with)) {
          if (!found.empty()) {
            found.clear();
            break;
          }
          found = with;
        }
      }
    }
    if (found.empty() || !LookupName(job.ref, found, &leaf->alleles)) {
      // Digits that name an allele group of four digits (DPB1*1000, as the
      // 1F level writes DPB1*1000:01) read as one when the pre-2010
      // reading names nothing.
      if (job.token.suffix == 0) {
        if (const Truncation* t = job.ref.FindTruncation(BareName(job.token));
            t != nullptr && t->field_count == 1) {
          leaf->kind = LeafKind::kTruncated;
          leaf->alleles.clear();
          for (AlleleId a = t->begin; a < t->end; ++a) leaf->alleles.push_back(a);
          Warn(job, "read as the allele group ", BareName(job.token), " (as a "
               "pre-2010 name it would be ", v3, ", which names no allele)");
          return absl::OkStatus();
        }
      }
      return NotInRelease(
          job, absl::StrCat("pre-2010 name (read as ", v3, ") is not a name"));
    }
    leaf->kind = LeafKind::kLegacy;
    leaf->normalized = found;
    SortUnique(&leaf->alleles);
    Warn(job, "pre-2010 name read as ", found, " (", v3, " is named ", found,
         " in ", job.ref.version(),
         found.back() == 'N' ? ": a null allele, not expressed)"
                             : ": an expression variant)");
    return absl::OkStatus();
  }
  leaf->kind = LeafKind::kLegacy;
  leaf->normalized = v3;
  SortUnique(&leaf->alleles);
  Warn(job, "pre-2010 name read as ", v3);
  return absl::OkStatus();
}

// kGGroup, kPGroup: a group as wmda/hla_nom_g.txt (same nucleotide sequence
// over the exons of the antigen recognition domain) or wmda/hla_nom_p.txt
// (same protein sequence there) names it; it stands for its members. Only
// the official names count (docs/conventions.md §2): an implicit singleton
// group is found by its allele's own name, which is not a group name.
// Non-strict mode, as py-ard, drops the letter and reads the rest as a name.
absl::Status ResolveGroupName(const Job& job, bool strict) {
  const Reference& ref = job.ref;
  ResolvedLeaf* leaf = job.leaf;
  const absl::string_view name = BareName(job.token);
  const bool g = job.token.kind == TokenKind::kGGroup;
  std::optional<GroupId> gid = g ? ref.FindGGroup(name) : ref.FindPGroup(name);
  const Group* group =
      gid ? (g ? &ref.g_group(*gid) : &ref.p_group(*gid)) : nullptr;
  if (group != nullptr && !group->implicit) {
    leaf->kind = g ? LeafKind::kGGroup : LeafKind::kPGroup;
    leaf->alleles.assign(group->members.begin(), group->members.end());
    return absl::OkStatus();
  }
  if (!strict) {
    const absl::string_view rest = name.substr(0, name.size() - 1);
    if (LookupName(ref, rest, &leaf->alleles)) {
      leaf->kind = LeafKind::kTruncated;
      leaf->normalized = std::string(rest);
      SortUnique(&leaf->alleles);
      return absl::OkStatus();
    }
  }
  return NotInRelease(job, g ? "not a G group" : "not a P group");
}

// kSmallG: a small-g group (py-ard's lg: the alleles sharing the protein of
// the antigen recognition domain, with the nulls sharing its nucleotides).
// The release has no file of them (the Reference derives them), and py-ard
// accepts them only in non-strict mode, as we do (docs/conventions.md §3).
// Our groups follow Atlas, which names a single-protein group without 'g';
// py-ard writes 'g' after every lg name. So a name our groups lack is read
// as the small-g groups of the alleles its rest (without 'g') stands for.
absl::Status ResolveSmallGName(const Job& job, bool strict) {
  if (strict) {
    return absl::InvalidArgumentError(absl::StrCat(
        Quote(job.token),
        ": small-g names are accepted only in non-strict mode (as py-ard)"));
  }
  const Reference& ref = job.ref;
  ResolvedLeaf* leaf = job.leaf;
  leaf->kind = LeafKind::kSmallG;
  const absl::string_view name = BareName(job.token);
  if (std::optional<GroupId> sg = ref.FindSmallG(name)) {
    const Group& group = ref.small_g(*sg);
    leaf->alleles.assign(group.members.begin(), group.members.end());
    return absl::OkStatus();
  }
  const absl::string_view rest = name.substr(0, name.size() - 1);
  std::vector<AlleleId> base;
  if (!LookupName(ref, rest, &base)) {
    if (std::optional<AlleleId> id = ref.FindAlleleIgnoringSuffix(rest)) {
      base.push_back(*id);
    }
  }
  for (AlleleId id : base) {
    const GroupId sg = ref.allele(id).small_g;
    if (sg == kNone) {
      leaf->alleles.push_back(id);
      continue;
    }
    AppendRange(ref.small_g(sg).members, &leaf->alleles);
  }
  if (leaf->alleles.empty()) return NotInRelease(job, "not a small-g group");
  SortUnique(&leaf->alleles);
  leaf->normalized = std::string(rest);
  return absl::OkStatus();
}

// kXX: the NMDP code XX, every allele of a first field (A*02:XX). A first
// field that is one of py-ard's DNA broads (kDnaBroads: A*09:XX = A*23 +
// A*24) stands for the alleles of its splits instead: WHO never assigned
// those first fields, but registries still write them
// (docs/conventions.md §8). Without `want_alleles`, a plain first field is
// checked but not expanded.
absl::Status ResolveXx(const Job& job, bool want_alleles) {
  const Token& token = job.token;
  std::vector<AlleleId>* ids = &job.leaf->alleles;
  job.leaf->kind = LeafKind::kXX;
  const uint32_t ff = token.fields.empty() ? 0 : token.fields[0].value;
  for (const DnaBroad& b : kDnaBroads) {
    if (token.locus != b.locus || ff != b.broad) continue;
    for (uint32_t s : b.splits) {
      if (s == 0) break;
      hla::Field f{s, 2};
      AppendRange(job.ref.AllelesWithPrefix(token.locus, {&f, 1}), ids);
    }
    if (ids->empty()) return NotInRelease(job, "stands for no allele");
    return absl::OkStatus();
  }
  std::string first = absl::StrCat(token.locus, "*");
  AppendFields(token.fields, &first);
  const Truncation* t = job.ref.FindTruncation(first);
  if (t == nullptr) return NotInRelease(job, "first field has no allele");
  if (want_alleles) AppendRange(job.ref.Range(t->begin, t->end), ids);
  return absl::OkStatus();
}

// kMac, kLegacyMac: an NMDP multiple allele code, looked up in the loaded
// table (docs/conventions.md §6). A generic code lists second fields and
// applies after any first field (A*02:AB = A*02:01/A*02:02); an
// allele-specific one lists whole names and is valid with one first field
// only (AlleleSpecificFirstField). The table is not tied to the release, so
// each item must be a name of it, and a code left with none is an error. A
// pre-2010 MAC (DRB5*02ZB) is the MAC of its 2-digit first field; "A*01XX"
// parses as one but is not an XX code (§4).
absl::Status ResolveMac(const Job& job, const MacTable* macs) {
  const Token& token = job.token;
  ResolvedLeaf* leaf = job.leaf;
  leaf->kind = LeafKind::kMac;
  std::string first;
  AppendFields(token.fields, &first);
  if (token.kind == TokenKind::kLegacyMac && token.code == "XX") {
    return absl::InvalidArgumentError(absl::StrCat(
        Quote(token), ": not an XX code (write ", token.locus, "*", first,
        ":XX)"));
  }
  if (token.kind == TokenKind::kLegacyMac && first.size() != 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        Quote(token), ": a pre-2010 MAC needs a 2-digit first field"));
  }
  if (macs == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        Quote(token), ": unknown MAC code '", token.code,
        "' (no MAC table loaded)"));
  }
  const MacCode* code = macs->Find(token.code);
  if (code == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        Quote(token), ": unknown MAC code '", token.code, "' (table dated ",
        macs->date().empty() ? "unknown" : macs->date(), ")"));
  }
  std::vector<absl::string_view> items = code->Items();
  if (code->allele_specific) {
    const absl::string_view winner = AlleleSpecificFirstField(items);
    if (winner != first) {
      return absl::InvalidArgumentError(absl::StrCat(
          Quote(token), ": allele-specific MAC '", token.code, "' (",
          code->expansion, ") is valid only as ", token.locus, "*", winner,
          ":", token.code));
    }
  }
  std::string item_name;
  for (absl::string_view item : items) {
    item_name = absl::StrCat(token.locus, "*");
    if (!code->allele_specific) absl::StrAppend(&item_name, first, ":");
    absl::StrAppend(&item_name, item);
    if (!LookupName(job.ref, item_name, &leaf->alleles)) continue;
    AppendNormalized(item_name, leaf);
  }
  if (leaf->alleles.empty()) {
    return absl::NotFoundError(absl::StrCat(
        Quote(token), ": MAC '", token.code, "' (", code->expansion,
        ") stands for no allele of IPD-IMGT/HLA ", job.ref.version()));
  }
  SortUnique(&leaf->alleles);
  return absl::OkStatus();
}

}  // namespace

// Resets the leaf and hands the token to the handler of its kind. Every kind
// but serology and placeholders is written with a molecular locus, checked
// here once: serology has its own loci (Cw, DR) and a placeholder may have
// none.
absl::Status Resolver::ResolveTokenInto(const Token& token, bool want_alleles,
                                        ResolvedLeaf* leaf,
                                        std::vector<std::string>* warnings) const {
  leaf->alleles.clear();
  leaf->antigens.clear();
  leaf->normalized.clear();
  leaf->token = token;
  const Job job{*ref_, token, leaf, warnings};
  if (token.kind == TokenKind::kPlaceholder) {
    return ResolvePlaceholder(job, options_.accept_placeholders);
  }
  if (token.kind == TokenKind::kSerology) return ResolveSerology(job);
  if (ref_->FindLocus(token.locus) == nullptr) {
    return NotInRelease(
        job, absl::StrCat("locus '", token.locus, "' is not a locus"));
  }
  switch (token.kind) {
    case TokenKind::kAllele:
      return ResolveAlleleName(job, options_.strict, want_alleles);
    case TokenKind::kLegacy:
      return ResolveLegacyName(job);
    case TokenKind::kGGroup:
    case TokenKind::kPGroup:
      return ResolveGroupName(job, options_.strict);
    case TokenKind::kSmallG:
      return ResolveSmallGName(job, options_.strict);
    case TokenKind::kXX:
      return ResolveXx(job, want_alleles);
    case TokenKind::kMac:
    case TokenKind::kLegacyMac:
      return ResolveMac(job, macs_.get());
    case TokenKind::kSerology:
    case TokenKind::kPlaceholder:
      break;  // resolved above
  }
  return NotInRelease(job, "not an allele");
}

absl::StatusOr<ResolvedLeaf> Resolver::ResolveToken(
    const Token& token, std::vector<std::string>* warnings) const {
  ResolvedLeaf leaf;
  HLA_RETURN_IF_ERROR(ResolveTokenInto(token, true, &leaf, warnings));
  return leaf;
}

absl::Status TooManyAlleles(const Token& token) {
  return absl::OutOfRangeError(absl::StrCat(
      Quote(token), ": the typing stands for more than ", kMaxResolvedAlleles,
      " alleles (the limit); split it"));
}

namespace {

// *total counts the alleles of the leaves resolved so far (the bound).
absl::Status ResolveNode(const Resolver& r, const GlNode& node,
                         ResolvedNode* out, std::vector<std::string>* warnings,
                         size_t* total) {
  if (node.is_leaf()) {
    HLA_RETURN_IF_ERROR(
        r.ResolveTokenInto(node.token, true, &out->leaf, warnings));
    *total += out->leaf.alleles.size();
    if (*total > kMaxResolvedAlleles) return TooManyAlleles(node.token);
    return absl::OkStatus();
  }
  out->op = node.op;
  out->children.resize(node.children.size());
  for (size_t i = 0; i < node.children.size(); ++i) {
    HLA_RETURN_IF_ERROR(
        ResolveNode(r, node.children[i], &out->children[i], warnings, total));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ResolvedTyping> Resolver::Resolve(const GlString& gl) const {
  if (!gl.glsc_version.empty() && gl.glsc_version != ref_->version()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the GL String Code names release ", gl.glsc_version, " but ",
        ref_->version(), " is loaded (use --imgt ", gl.glsc_version, ")"));
  }
  ResolvedTyping typing;
  size_t total = 0;
  HLA_RETURN_IF_ERROR(
      ResolveNode(*this, gl.root, &typing.root, &typing.warnings, &total));
  return typing;
}

namespace {

void ExpandNode(const Reference& ref, const ResolvedNode& node,
                std::string* out) {
  if (!node.is_leaf()) {
    for (size_t i = 0; i < node.children.size(); ++i) {
      if (i > 0) out->push_back(GlOpChar(node.op));
      ExpandNode(ref, node.children[i], out);
    }
    return;
  }
  const ResolvedLeaf& leaf = node.leaf;
  if (leaf.alleles.empty()) {
    AppendToken(leaf.token, out);
    return;
  }
  for (size_t i = 0; i < leaf.alleles.size(); ++i) {
    if (i > 0) out->push_back('/');
    if (leaf.token.hla_prefix) out->append("HLA-");
    const absl::string_view n = ref.allele(leaf.alleles[i]).name;
    out->append(n.data(), n.size());
  }
}

}  // namespace

std::string ExpandToString(const Reference& ref, const ResolvedTyping& typing) {
  std::string out;
  ExpandNode(ref, typing.root, &out);
  return out;
}

}  // namespace hla::data
