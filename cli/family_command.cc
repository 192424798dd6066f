// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch family --family FILE [--format text|json] [--imgt V] ...
//
// Segregates each family of a family file (registry/family_file.h: a donor
// file with family_id and role columns, as `haplomatch synth --families`
// writes it) with family/family.h, then matches every relative against the
// patient (matcher/match.h) and replaces the haplo verdict where
// segregation proves it. Prints, per family, each person's haplotype
// letters and phased GL String, and per relative the haplotypes shared with
// the patient, the verdict and its basis, and the flags (recombinant,
// unexplained). README "haplomatch family" documents the JSON.
// Exit 0, 1 when a row or a family was rejected (stderr), 2 usage error.
#include <algorithm>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/args.h"
#include "cli/common.h"
#include "cli/command.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "hla/locus.h"
#include "registry/donor_file.h"
#include "family/family.h"
#include "registry/family_file.h"
#include "matcher/match.h"

namespace hla::cli {
namespace {

constexpr char kName[] = "haplomatch family";
constexpr char kUsage[] =
    "usage: haplomatch family --family FILE [flags]\n"
    "\n"
    "Infers each family's haplotypes from its typings (a, b: father; c, d:\n"
    "mother; e, f: the other parent of the patient's children), flags\n"
    "recombinant and unexplained members, and says how many haplotypes each\n"
    "relative shares with the patient by descent; the haplo verdict then\n"
    "rests on family segregation where it is proven.\n"
    "\n"
    "  --family FILE         CSV, TSV or JSON Lines ('-' = standard input)\n"
    "                        with id, role (patient, father, mother,\n"
    "                        sibling, child, other), optional family_id, and\n"
    "                        glstring or A_1, A_2, B_1, ... (haplomatch synth\n"
    "                        --families writes one)\n"
    "  --format text|json    default text\n"
    "  --imgt V|DIR          IPD-IMGT/HLA release (default 3.58.0)\n"
    "  --mac FILE            NMDP alpha.v3.txt (default the shipped subset)\n"
    "  --non-strict          accept names that exist with a suffix, small-g\n"
    "  --help                show this help\n"
    "\n"
    "Exit status: 0 every family segregated, 1 some row or family rejected\n"
    "(reported on standard error), 2 usage error.\n";

std::string Json(absl::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

std::string JsonList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& s : items) quoted.push_back(Json(s));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

std::string Pad(absl::string_view s, size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

// One relative's verdict: Match() against the patient, then segregation.
struct Verdict {
  bool matched = false;
  matcher::HaploResult haplo;
};

}  // namespace

int RunFamily(Command& cmd) {
  FlagSpec spec;
  spec.value_flags = {"family", "format", "imgt", "mac"};
  spec.bool_flags = {"non-strict", "help"};
  absl::StatusOr<Args> args = Args::Parse(cmd.args, spec);
  std::ostream& err = *cmd.err;
  std::ostream& out = *cmd.out;
  auto usage = [&](absl::string_view why) {
    err << kName << ": " << why << "\n\n" << kUsage;
    return kExitUsage;
  };
  if (!args.ok()) return usage(args.status().message());
  if (args->Has("help")) {
    out << kUsage;
    return kExitOk;
  }
  if (!args->positional().empty()) {
    return usage(absl::StrCat("unexpected argument '", args->positional()[0],
                              "'"));
  }
  if (!args->Has("family")) return usage("--family FILE is required");
  const std::string format = args->GetOr("format", "text");
  if (format != "text" && format != "json") {
    return usage(
        absl::StrCat("--format must be text or json, not '", format, "'"));
  }

  absl::StatusOr<data::ReferenceData> rd = LoadReferenceData(*args);
  if (!rd.ok()) {
    err << kName << ": " << rd.status().message() << "\n";
    return kExitRejected;
  }
  const std::shared_ptr<const data::Reference>& ref = rd->reference;
  data::ResolveOptions ropts;
  ropts.strict = !args->Has("non-strict");
  const data::Resolver resolver(ref, rd->macs, ropts);

  const std::string path = *args->Get("family");
  const std::string name = path == "-" ? "<stdin>" : path;
  absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> reader =
      path == "-"
          ? registry::DonorFileReader::FromStream(cmd.in, name, &resolver)
          : registry::DonorFileReader::Open(path, &resolver);
  if (!reader.ok()) {
    err << kName << ": " << reader.status().message() << "\n";
    return kExitRejected;
  }
  absl::StatusOr<registry::FamilyFile> file =
      registry::ReadFamilyFile(reader->get(), name);
  if (!file.ok()) {
    err << kName << ": " << file.status().message() << "\n";
    return kExitRejected;
  }
  bool rejected = false;
  std::vector<std::pair<std::string, std::string>> rejects;  // where, why
  for (const std::string& e : file->errors) {
    err << kName << ": rejected: " << e << "\n";
    rejects.emplace_back(name, e);
    rejected = true;
  }
  for (const std::string& w : file->warnings) {
    err << kName << ": warning: " << w << "\n";
  }

  const bool json = format == "json";
  if (json) {
    out << "{\"imgt_version\":" << Json(ref->version())
        << ",\"families\":[";
  }
  bool first_family = true;
  const matcher::MatchOptions mopts;
  for (const registry::FamilyRows& rows : file->families) {
    const std::string fam_name =
        rows.family_id.empty() ? std::string("(no family_id)") : rows.family_id;
    absl::StatusOr<family::FamilyResult> fam =
        family::Segregate(rows.family_id, rows.members, {});
    if (!fam.ok()) {
      err << kName << ": rejected: " << name << ": "
          << fam.status().message() << "\n";
      rejects.emplace_back(absl::StrCat(name, ": family ", fam_name),
                           std::string(fam.status().message()));
      rejected = true;
      continue;
    }
    // Verdicts: each relative against the patient.
    const matcher::Genotype* patient = nullptr;
    for (const family::FamilyMember& m : rows.members) {
      if (m.role == family::FamilyRole::kPatient) patient = &m.genotype;
    }
    std::vector<Verdict> verdicts(fam->members.size());
    for (size_t i = 0; i < fam->members.size(); ++i) {
      const family::MemberResult& r = fam->members[i];
      if (!r.in_input || r.role == family::FamilyRole::kPatient) continue;
      const family::FamilyMember* member = nullptr;
      for (const family::FamilyMember& m : rows.members) {
        if (m.id == r.id) member = &m;
      }
      if (member == nullptr || patient == nullptr) continue;
      absl::StatusOr<matcher::MatchReport> rep = matcher::Match(
          *ref, *patient, member->genotype, family::RelationshipOf(r.role), mopts);
      if (!rep.ok()) continue;
      family::ApplySegregation(*fam, r.id, &*rep);
      verdicts[i].matched = true;
      verdicts[i].haplo = rep->haplo;
    }

    if (json) {
      if (!first_family) out << ",";
      first_family = false;
      out << "\n{\"family_id\":" << Json(fam->family_id)
          << ",\"recombinations\":" << fam->recombinations
          << ",\"explanations\":" << fam->explanations
          << ",\"explanations_truncated\":"
          << (fam->truncated ? "true" : "false")
          << ",\"notes\":" << JsonList(fam->notes) << ",\"members\":[";
      for (size_t i = 0; i < fam->members.size(); ++i) {
        const family::MemberResult& m = fam->members[i];
        std::vector<std::string> unphased;
        for (Locus l : m.unphased_loci) unphased.emplace_back(LocusName(l));
        if (i > 0) out << ",";
        out << "\n{\"id\":" << Json(m.id) << ",\"role\":"
            << Json(family::ToString(m.role))
            << ",\"in_input\":" << (m.in_input ? "true" : "false")
            << ",\"haplotypes\":" << Json(m.letters)
            << ",\"phased_gl\":" << Json(m.phased_gl)
            << ",\"unphased_loci\":" << JsonList(unphased)
            << ",\"shared_with_patient\":"
            << (m.shared ? absl::StrCat(*m.shared) : "null")
            << ",\"likely_shared\":"
            << (m.likely_shared ? absl::StrCat(*m.likely_shared) : "null")
            << ",\"shared_haplotypes\":" << JsonList(m.shared_haplotypes)
            << ",\"segregation_basis\":" << Json(m.basis)
            << ",\"verdict\":"
            << (verdicts[i].matched
                    ? Json(matcher::ToString(verdicts[i].haplo.verdict))
                    : "null")
            << ",\"basis\":"
            << (verdicts[i].matched ? Json(verdicts[i].haplo.basis) : "null")
            << ",\"recombinant\":" << (m.recombinant ? "true" : "false")
            << ",\"inconsistent\":" << (m.inconsistent ? "true" : "false")
            << ",\"flags\":" << JsonList(m.flags) << "}";
      }
      out << "]}";
      continue;
    }

    out << "Family " << fam_name << ": " << fam->recombinations
        << " crossover" << (fam->recombinations == 1 ? "" : "s") << "; "
        << fam->explanations << (fam->truncated ? "+" : "")
        << " equally good explanation"
        << (fam->explanations == 1 ? "" : "s") << "\n";
    size_t wid = 6, wrole = 4, wlet = 10;
    for (const family::MemberResult& m : fam->members) {
      wid = std::max(wid, m.id.size());
      wrole = std::max(wrole, family::ToString(m.role).size());
      wlet = std::max(wlet, m.letters.size());
    }
    out << "  " << Pad("person", wid) << "  " << Pad("role", wrole) << "  "
        << Pad("haplotypes", wlet) << "  phased GL String\n";
    for (const family::MemberResult& m : fam->members) {
      out << "  " << Pad(m.id, wid) << "  "
          << Pad(family::ToString(m.role), wrole) << "  "
          << Pad(m.letters.empty() ? "-" : m.letters, wlet) << "  "
          << (m.phased_gl.empty() ? "-" : m.phased_gl) << "\n";
    }
    out << "  shared with the patient:\n";
    for (size_t i = 0; i < fam->members.size(); ++i) {
      const family::MemberResult& m = fam->members[i];
      if (!m.in_input || m.role == family::FamilyRole::kPatient) continue;
      out << "  " << m.id << ": "
          << (m.shared ? absl::StrCat(*m.shared) : std::string("?"))
          << " shared; ";
      if (verdicts[i].matched) {
        out << matcher::ToString(verdicts[i].haplo.verdict) << ": "
            << verdicts[i].haplo.basis << "\n";
      } else {
        out << m.basis << "\n";
      }
    }
    bool any_flag = false;
    for (const family::MemberResult& m : fam->members) {
      for (const std::string& f : m.flags) {
        if (!any_flag) out << "  flags:\n";
        any_flag = true;
        out << "  - " << m.id << ": " << f << "\n";
      }
    }
    for (const std::string& n : fam->notes) out << "  note: " << n << "\n";
    out << "\n";
  }
  if (json) {
    out << "\n],\"rejected\":[";
    for (size_t i = 0; i < rejects.size(); ++i) {
      if (i > 0) out << ",";
      out << "{\"source\":" << Json(rejects[i].first)
          << ",\"error\":" << Json(rejects[i].second) << "}";
    }
    out << "]}\n";
  }
  out.flush();
  return rejected ? kExitRejected : kExitOk;
}

}  // namespace hla::cli
