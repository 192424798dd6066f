// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch: the command-line entry point. Dispatches to one Run* function per
// subcommand (cli/command.h); all the work happens in the library.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "hla/version.h"

namespace {

constexpr char kUsage[] =
    "usage: haplomatch <command> [flags] [args]\n"
    "\n"
    "commands:\n"
    "  parse     print the canonical form (or the syntax tree) of HLA typings\n"
    "  data      reference data: 'data info' and 'data verify'\n"
    "  reduce    reduce typings to a py-ard level (G, P, lg, lgx, exon, W,\n"
    "            U2, S, 1F)\n"
    "  validate  print 'valid' or 'invalid: <reason>' for each typing\n"
    "  expand    print every allele each typing stands for\n"
    "  mac       NMDP multiple allele codes: 'mac encode' and 'mac decode'\n"
    "  match     match a recipient against donors: grades, haplo verdict,\n"
    "            eligibility (e.g. --protocol NCT04835883) with reasons\n"
    "  synth     write a synthetic donor registry and families with\n"
    "            ground truth\n"
    "  rank      rank a registry file or index for one recipient (gates,\n"
    "            --rank-by policy, top N)\n"
    "  index     compile a donor file into an index for 'rank'\n"
    "  serve     serve the JSON HTTP API (match, rank, reduce, validate)\n"
    "  family    infer a typed family's haplotypes; relatives' shared\n"
    "            haplotypes with the patient, proven by segregation\n"
    "  version   print the haplomatch version\n"
    "\n"
    "Run 'haplomatch <command> --help' for a command's flags.\n";

struct Subcommand {
  const char* name;
  int (*run)(hla::cli::Command&);
};

constexpr Subcommand kSubcommands[] = {
    {"parse", hla::cli::RunParse},
    {"data", hla::cli::RunData},
    {"mac", hla::cli::RunMac},
    {"reduce", hla::cli::RunReduce},
    {"validate", hla::cli::RunValidate},
    {"expand", hla::cli::RunExpand},
    {"match", hla::cli::RunMatch},
    {"synth", hla::cli::RunSynth},
    {"rank", hla::cli::RunRank},
    {"index", hla::cli::RunIndex},
    {"family", hla::cli::RunFamily},
    {"serve", hla::cli::RunServe},
};

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  if (argc < 2 || std::strcmp(argv[1], "help") == 0 ||
      std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    (argc < 2 ? std::cerr : std::cout) << kUsage;
    return argc < 2 ? hla::cli::kExitUsage : hla::cli::kExitOk;
  }
  const std::string name = argv[1];
  if (name == "version" || name == "--version") {
    std::cout << "haplomatch " << hla::kVersionString << "\n";
    return hla::cli::kExitOk;
  }
  for (const Subcommand& sub : kSubcommands) {
    if (name != sub.name) continue;
    hla::cli::Command cmd;
    cmd.args.assign(argv + 2, argv + argc);
    cmd.in = &std::cin;
    cmd.out = &std::cout;
    cmd.err = &std::cerr;
    cmd.interactive = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
    // A write error (a full disk, a closed descriptor) is an error, never
    // a truncated output that exits 0.
    return hla::cli::RunChecked(sub.run, cmd);
  }
  std::cerr << "haplomatch: unknown command '" << name << "'\n\n" << kUsage;
  return hla::cli::kExitUsage;
}
