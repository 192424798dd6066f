// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch data info [--imgt V|DIR] [--mac FILE]
// haplomatch data verify [--data-dir DIR]
//
// `info` loads a release (and the MAC table) and prints what it holds, with
// the load time; `verify` checks the shipped files against their checksums.
#include <chrono>
#include <iomanip>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/args.h"
#include "cli/command.h"
#include "cli/command_line.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/verify.h"

namespace hla::cli {
namespace {

constexpr char kUsage[] =
    "usage: haplomatch data info [--imgt VERSION|DIR] [--mac FILE]\n"
    "       haplomatch data verify [--data-dir DIR]\n"
    "\n"
    "info    load an IPD-IMGT/HLA release and the MAC table and print their\n"
    "        contents: allele counts per locus, groups, serology, TCE, history\n"
    "verify  check the shipped data files against MANIFEST.md5 and IMGT's\n"
    "        md5checksum.txt files; exit 1 if any differs or is missing\n"
    "\n"
    "--imgt      a shipped release (3.58.0, 3.44.0, or py-ard's 3580) or a\n"
    "            release directory; default $HAPLOMATCH_IMGT, else 3.58.0\n"
    "--mac       an NMDP alpha.v3.txt file; default the shipped 2020 subset\n"
    "--data-dir  the data root; default $HAPLOMATCH_DATA_DIR, else the\n"
    "            build-tree or installed data\n";

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
      .count();
}

// What a release holds: allele counts per locus, groups, serology, TCE
// assignments, name history.
void PrintRelease(const data::Reference& ref, std::ostream& out) {
  out << "IPD-IMGT/HLA release " << ref.version() << " (" << ref.date()
      << ")\n";
  out << "directory: " << ref.directory() << "\n";
  out << "alleles per locus:\n";
  for (hla::Locus l : hla::kAllLoci) {
    const data::LocusInfo* li = ref.FindLocus(l);
    out << "  " << std::left << std::setw(6) << hla::LocusName(l) << std::right
        << std::setw(7) << (li ? li->end - li->begin : 0) << "\n";
  }
  out << "  " << std::left << std::setw(6) << "total" << std::right
      << std::setw(7) << ref.alleles().size() << "  (" << ref.loci().size()
      << " loci)\n";
  out << "G groups: " << ref.named_g_groups() << " named, "
      << ref.g_groups().size() - ref.named_g_groups()
      << " single-allele (no group name)\n";
  out << "P groups: " << ref.named_p_groups() << " named, "
      << ref.p_groups().size() - ref.named_p_groups()
      << " single-allele (no group name)\n";
  size_t small_g_multi = 0;
  for (const data::Group& g : ref.small_g_groups()) {
    if (!g.implicit) ++small_g_multi;
  }
  out << "small-g groups: " << ref.small_g_groups().size() << " ("
      << small_g_multi << " named with 'g')\n";
  size_t recognised = 0;
  for (const data::Antigen& a : ref.antigens()) {
    if (a.recognised) ++recognised;
  }
  out << "serology: " << ref.antigens().size() << " antigens ("
      << recognised << " recognised in hla_nom.txt)"
      << (ref.has_hats_column() ? ", HATS column present" : "") << "\n";
  if (ref.has_tce()) {
    out << "DPB1 TCE assignments: " << ref.tce().size()
        << (ref.tce_has_v3() ? " (V1, V2, V3)" : " (V1, V2)") << "\n";
  } else {
    out << "DPB1 TCE assignments: none (tce/dpb_tce.csv absent)\n";
  }
  size_t suffix_changes = 0;
  for (const data::NameHistory& h : ref.history()) {
    if (h.suffix_change) ++suffix_changes;
  }
  out << "deleted or renamed names: " << ref.history().size() << " ("
      << suffix_changes << " suffix changes)\n";
  out << "allele sequence status: "
      << (ref.has_allele_status() ? "present" : "unknown (no Allele_status.txt)")
      << "\n";
}

void PrintMacTable(const data::MacTable& macs, std::ostream& out) {
  out << "MAC table: " << macs.path() << "\n";
  out << "  last updated: "
      << (macs.date().empty() ? "(no date line)" : macs.date()) << "\n";
  out << "  codes: " << macs.size() << " (" << macs.generic_count()
      << " generic, " << macs.allele_specific_count()
      << " allele-specific)\n";
}

// --mac, or the shipped table under the data root.
absl::StatusOr<std::string> MacPath(const Args& args,
                                    const data::DataPaths& paths) {
  const std::string mac = args.GetOr("mac", "");
  if (!mac.empty()) return mac;
  absl::StatusOr<std::string> root = data::FindDataRoot(paths);
  if (!root.ok()) return RejectedInput(root.status(), "MAC table: ");
  return absl::StrCat(*root, "/", data::MacTable::kShippedRelativePath);
}

int RunInfo(const CommandLine& cl) {
  std::ostream& out = *cl.cmd().out;
  const data::DataPaths paths = data::DataPaths::FromEnvironment();
  absl::StatusOr<std::string> dir =
      data::ResolveImgtDir(cl.args().GetOr("imgt", ""), paths);
  if (!dir.ok()) return cl.Reject(dir.status().message());
  const auto t0 = std::chrono::steady_clock::now();
  absl::StatusOr<std::shared_ptr<const data::Reference>> loaded =
      data::Reference::Load({*dir});
  const double load_ms = MillisecondsSince(t0);
  if (!loaded.ok()) return cl.Reject(loaded.status().message());
  const data::Reference& ref = **loaded;
  PrintRelease(ref, out);

  absl::StatusOr<std::string> mac_path = MacPath(cl.args(), paths);
  if (!mac_path.ok()) return cl.Reject(mac_path.status().message());
  const auto t1 = std::chrono::steady_clock::now();
  absl::StatusOr<std::shared_ptr<const data::MacTable>> macs =
      data::MacTable::Load(*mac_path);
  const double mac_ms = MillisecondsSince(t1);
  if (!macs.ok()) return cl.Reject(macs.status().message());
  PrintMacTable(**macs, out);
  out << std::fixed << std::setprecision(1) << "load time: " << load_ms
      << " ms release (" << ref.bytes_read() / 1024 << " KiB), " << mac_ms
      << " ms MAC table\n";
  for (const std::string& w : ref.warnings()) out << "note: " << w << "\n";
  return kExitOk;
}

int RunVerify(const CommandLine& cl) {
  std::string root = cl.args().GetOr("data-dir", "");
  if (root.empty()) {
    absl::StatusOr<std::string> found =
        data::FindDataRoot(data::DataPaths::FromEnvironment());
    if (!found.ok()) return cl.Reject(found.status().message());
    root = *found;
  }
  absl::StatusOr<data::VerifyReport> report = data::VerifyData(root);
  if (!report.ok()) return cl.Reject(report.status().message());
  std::ostream& out = *cl.cmd().out;
  for (const data::FileCheck& c : report->checks) {
    out << std::left << std::setw(8) << data::ResultName(c.result) << " "
        << c.path << "  (" << c.checksum_file << ")";
    if (c.result == data::FileCheck::Result::kMismatch) {
      out << " expected " << c.expected << ", got " << c.actual;
    }
    out << "\n";
  }
  out << report->ok << " OK, " << report->mismatched << " MISMATCH, "
      << report->missing << " MISSING in " << root << "\n";
  return report->all_ok() ? kExitOk : kExitRejected;
}

}  // namespace

int RunData(Command& cmd) {
  if (cmd.args.empty()) {
    *cmd.err << kUsage;
    return kExitUsage;
  }
  const std::string sub = cmd.args[0];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    *cmd.out << kUsage;
    return kExitOk;
  }
  if (sub != "info" && sub != "verify") {
    return CommandLine(cmd, "haplomatch data", kUsage, {})
        .Usage(absl::StrCat("unknown subcommand '", sub, "'"));
  }
  FlagSpec spec;
  spec.value_flags = sub == "info" ? std::set<std::string>{"imgt", "mac"}
                                   : std::set<std::string>{"data-dir"};
  CommandLine cl(cmd, "haplomatch data " + sub, kUsage, spec);
  const std::vector<std::string> rest(cmd.args.begin() + 1, cmd.args.end());
  if (std::optional<int> done = cl.Parse(rest)) return *done;
  if (absl::Status s = cl.args().NoPositional(); !s.ok()) {
    return cl.Usage(s.message());
  }
  return sub == "info" ? RunInfo(cl) : RunVerify(cl);
}

}  // namespace hla::cli
