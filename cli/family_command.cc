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
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/args.h"
#include "cli/command.h"
#include "cli/command_line.h"
#include "cli/common.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "family/family.h"
#include "matcher/match.h"
#include "registry/donor_file.h"
#include "registry/family_file.h"
#include "report/json.h"
#include "report/text.h"

namespace hla::cli {
namespace {

constexpr char kUsage[] =
    "usage: haplomatch family --family FILE [flags]\n"
    "\n"
    "Infers each family's haplotypes from its typings (a, b: father; c, d:\n"
    "mother; e, f: the other parent of the patient's children; x: a\n"
    "half-sibling's other parent), flags\n"
    "recombinant and unexplained members, and says how many haplotypes each\n"
    "relative shares with the patient by descent; the haplo verdict then\n"
    "rests on family segregation where it is proven.\n"
    "\n"
    "  --family FILE         CSV, TSV or JSON Lines ('-' = standard input)\n"
    "                        with id, role (patient, father, mother,\n"
    "                        sibling, child, other, partner,\n"
    "                        maternal_half_sibling, paternal_half_sibling,\n"
    "                        half_sibling),\n"
    "                        optional family_id and other_parent (a child's\n"
    "                        other parent), and glstring or A_1, A_2, B_1, ...\n"
    "                        (haplomatch synth --families writes one); an\n"
    "                        untyped member is a placeholder\n"
    "  --format text|json    default text\n"
    "  --imgt V|DIR          IPD-IMGT/HLA release (default 3.58.0)\n"
    "  --mac FILE            NMDP alpha.v3.txt (default the shipped subset)\n"
    "  --non-strict          accept names that exist with a suffix, small-g\n"
    "  --help                show this help\n"
    "\n"
    "Exit status: 0 every family segregated and consistent, 1 some row or\n"
    "family rejected, or a family that cannot be explained as stated (a\n"
    "sample mix-up, non-paternity, a typing error: reported on standard\n"
    "error and first in the report), 2 usage error.\n";

struct FamilyConfig {
  std::string path;  // --family
  bool json = false;
  data::ResolveOptions resolve;
};

absl::StatusOr<FamilyConfig> ParseFamilyFlags(const Args& args) {
  if (absl::Status s = args.NoPositional(); !s.ok()) return s;
  if (!args.Has("family")) {
    return absl::InvalidArgumentError("--family FILE is required");
  }
  FamilyConfig c;
  c.path = *args.Get("family");
  absl::StatusOr<bool> json =
      args.Choice<bool>("format", {{"text", false}, {"json", true}}, false);
  if (!json.ok()) return json.status();
  c.json = *json;
  c.resolve.strict = !args.Has("non-strict");
  return c;
}

using Rejects = std::vector<std::pair<std::string, std::string>>;  // where, why

// The rows of the family file, by family; its rejected rows are told and
// added to `rejects`, its warnings told.
absl::StatusOr<registry::FamilyFile> ReadFamilyRows(
    const CommandLine& cl, const FamilyConfig& config,
    const data::Resolver& resolver, Rejects* rejects) {
  const std::string name = InputName(config.path);
  absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> reader =
      OpenFamilyFile(config.path, resolver, cl.cmd().in);
  if (!reader.ok()) return reader.status();
  absl::StatusOr<registry::FamilyFile> file =
      registry::ReadFamilyFile(reader->get(), name);
  if (!file.ok()) return file.status();
  for (const std::string& e : file->errors) {
    cl.Tell(absl::StrCat("rejected: ", e));
    rejects->emplace_back(name, e);
  }
  for (const std::string& w : file->warnings) {
    cl.Tell(absl::StrCat("warning: ", w));
  }
  return file;
}

// Segregates each family (family/family.h), matches its relatives against
// the patient and writes it; a family that does not segregate is told and
// added to `rejects`.
// Returns how many families cannot be explained as stated (each told).
size_t WriteFamilies(const CommandLine& cl, const FamilyConfig& config,
                     const registry::FamilyFile& file,
                     const data::Reference& reference, Rejects* rejects) {
  size_t inconsistent = 0;
  std::ostream& out = *cl.cmd().out;
  const std::string name = InputName(config.path);
  const matcher::MatchOptions mopts;
  size_t written = 0;
  for (const registry::FamilyRows& rows : file.families) {
    absl::StatusOr<family::FamilyResult> fam =
        family::Segregate(rows.family_id, rows.members, {});
    if (!fam.ok()) {
      cl.Tell(absl::StrCat("rejected: ", name, ": ", fam.status().message()));
      rejects->emplace_back(
          absl::StrCat(name, ": family ", family::FamilyName(rows.family_id)),
                            std::string(fam.status().message()));
      continue;
    }
    if (!fam->consistent) {
      ++inconsistent;
      cl.Tell(absl::StrCat("NOT CONSISTENT: ", name, ": family ",
                           family::FamilyName(rows.family_id),
                           ": ", absl::StrJoin(fam->problems, "; "),
                           "; the verdicts resting on it need review"));
    }
    const std::vector<std::optional<matcher::HaploResult>> verdicts =
        family::RelativeVerdicts(*fam, rows.members, reference, mopts);
    if (config.json) {
      out << (written++ > 0 ? "," : "") << report::FamilyJson(*fam, verdicts);
    } else {
      out << report::FamilyText(*fam, verdicts);
    }
  }
  return inconsistent;
}

}  // namespace

int RunFamily(Command& cmd) {
  CommandLine cl(cmd, "haplomatch family", kUsage,
                 {/*value_flags=*/{"family", "format", "imgt", "mac"},
                  /*bool_flags=*/{"non-strict"}, /*repeated_flags=*/{}});
  std::optional<FamilyConfig> config;
  if (std::optional<int> done = cl.Parse(ParseFamilyFlags, &config)) {
    return *done;
  }
  absl::StatusOr<data::Resolver> resolver =
      LoadResolver(cl.args(), config->resolve);
  if (!resolver.ok()) return cl.Reject(resolver.status().message());
  Rejects rejects;
  absl::StatusOr<registry::FamilyFile> file =
      ReadFamilyRows(cl, *config, *resolver, &rejects);
  if (!file.ok()) return cl.Reject(file.status().message());

  const data::Reference& reference = resolver->reference();
  std::ostream& out = *cmd.out;
  if (config->json) out << report::FamilyJsonHead(reference.version());
  const size_t inconsistent =
      WriteFamilies(cl, *config, *file, reference, &rejects);
  if (config->json) out << report::FamilyJsonTail(rejects);
  out.flush();
  // A family that contradicts its pedigree is as much a failed input as a
  // rejected row: exit 1, so that no script reads on as if all were well.
  return rejects.empty() && inconsistent == 0 ? kExitOk : kExitRejected;
}

}  // namespace hla::cli
