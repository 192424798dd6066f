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
#include "report/json.h"
#include "report/text.h"

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
  if (json) out << report::FamilyJsonHead(ref->version());
  bool first_family = true;
  const matcher::MatchOptions mopts;
  for (const registry::FamilyRows& rows : file->families) {
    absl::StatusOr<family::FamilyResult> fam =
        family::Segregate(rows.family_id, rows.members, {});
    if (!fam.ok()) {
      const std::string fam_name = rows.family_id.empty()
                                       ? std::string("(no family_id)")
                                       : rows.family_id;
      err << kName << ": rejected: " << name << ": "
          << fam.status().message() << "\n";
      rejects.emplace_back(absl::StrCat(name, ": family ", fam_name),
                           std::string(fam.status().message()));
      rejected = true;
      continue;
    }
    const std::vector<std::optional<matcher::HaploResult>> verdicts =
        family::RelativeVerdicts(*fam, rows.members, *ref, mopts);
    if (json) {
      if (!first_family) out << ",";
      first_family = false;
      out << report::FamilyJson(*fam, verdicts);
    } else {
      out << report::FamilyText(*fam, verdicts);
    }
  }
  if (json) out << report::FamilyJsonTail(rejects);
  out.flush();
  return rejected ? kExitRejected : kExitOk;
}

}  // namespace hla::cli
