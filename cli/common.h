// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// What several subcommands read the same way: the reference data behind
// --imgt/--mac, the recipient's facts, the eligibility flags, typings from
// arguments or standard input, and @FILE arguments. One place, so that every
// command spells a flag, its default and its error the same way.
//
// Errors: InvalidArgumentError is a usage error (exit 2, with the usage);
// any other code is input that was rejected (exit 1), as CommandLine::Fail
// answers them. Messages name the flag.
#ifndef HLA_CLI_COMMON_H_
#define HLA_CLI_COMMON_H_

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/args.h"
#include "cli/command.h"
#include "cli/command_line.h"
#include "data/resolve.h"
#include "registry/donor_file.h"
#include "impute/impute.h"
#include "eligibility/eligibility.h"
#include "family/family.h"
#include "registry/family_file.h"

namespace hla::cli {

// --imgt V|DIR and --mac FILE, loaded as data::LoadReferenceData does.
// Any error (a bad --imgt value included) is reported as rejected input,
// exit 1: nothing can be done without the reference.
absl::StatusOr<data::ReferenceData> LoadReferenceData(const Args& args);

// --recipient-abo, --recipient-cmv, --recipient-sex and --antibodies
// (LIST or @FILE) into `facts`. InvalidArgumentError for a bad value;
// NotFoundError when @FILE cannot be read. (Whether each antibody names an
// antigen or allele of the release is checked once it is loaded:
// eligibility::CheckAntibodies; this runs first so that usage errors come
// before the reference's load time.)
absl::Status ParseRecipientFlags(const Args& args,
                                 eligibility::RecipientFacts* facts);

// --recipient-population EUR|AFA|API|HIS into options->population (left
// as is when the flag is absent). InvalidArgumentError quoting the value.
absl::Status ParseRecipientPopulationFlag(const Args& args, impute::ImputeOptions* options);

// --protocol (default none), --as-of (default today), --dsa-mfi and --gate
// abo,cmv,sex. InvalidArgumentError naming the flag for a bad value.
absl::StatusOr<eligibility::EligibilityOptions> ParseEligibilityFlags(
    const Args& args);

// The text of a flag that takes "TEXT or @FILE": the file's contents with
// surrounding whitespace stripped, or `value` itself. NotFoundError when the
// file cannot be opened; DataLossError when it cannot be read (a directory)
// or is over 1 MiB. Like a missing file, these reject the input (exit 1);
// they are not usage errors.
absl::StatusOr<std::string> TextOrFile(const std::string& value);

// A path a command reads or writes, with the flag that names it
// ("--donors", "r.csv").
struct NamedPath {
  std::string flag;
  std::string path;
};
// Refuses to write over an input: every output that exists must be another
// file than every input and every other output (device and inode compared,
// so links and other spellings of a path count). InvalidArgumentError
// naming both flags and the path. Call before opening anything for
// writing: `--rejects r.csv` once truncated the registry `--donors r.csv`.
absl::Status CheckOutputsAreNotInputs(const std::vector<NamedPath>& inputs,
                                      const std::vector<NamedPath>& outputs);

// Flushes and closes `out`, a file the command wrote (`what`: "--out
// 'r.csv'"). DataLossError naming it when a write failed (a full disk): a
// file cut short must never pass for the whole output.
absl::Status FinishOutput(std::ofstream& out, absl::string_view what);

// Reads one line without its '\n' (and a trailing '\r'), keeping at most
// `keep` bytes so that a huge line cannot exhaust memory; `length` is the
// line's full length. False at end of input.
bool ReadLine(std::istream& in, size_t keep, std::string* line, size_t* length);

// Calls `each` with every positional argument or, when there are none, with
// every line of *cmd.in. A line over the parser's input limit is reported
// on *cmd.out as rejected (never truncated) and `each` is not called for
// it. True when there was no such line and every call returned true.
bool ForEachTyping(const Args& args, Command& cmd,
                   const std::function<bool(const std::string&)>& each);

// --imgt/--mac (LoadReferenceData) and a resolver with `options` over them.
// Any error is rejected input (exit 1), as for LoadReferenceData.
absl::StatusOr<data::Resolver> LoadResolver(
    const Args& args, const data::ResolveOptions& options = {});

// How messages name the input at `path`: the path, or "<stdin>" for '-'.
std::string InputName(const std::string& path);

// A donor or family file (registry/donor_file.h): `path`, or `in` for '-'.
absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> OpenDonorFile(
    const std::string& path, const data::Resolver& resolver, std::istream* in,
    const registry::DonorFileOptions& options = {});
// A family file: OpenDonorFile with untyped members read as placeholders.
absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> OpenFamilyFile(
    const std::string& path, const data::Resolver& resolver, std::istream* in);

// --family FILE ('-': `in`), read and segregated
// (registry/family_file.h ReadAndSegregate), for match and rank.
using FamilyInput = registry::SegregatedFamilies;
// NotFoundError when the file cannot be opened; InvalidArgumentError for a
// header without id, typing or role (registry/family_file.h).
absl::StatusOr<FamilyInput> ReadFamilies(const std::string& path,
                                         const data::Resolver& resolver,
                                         std::istream* in);

// The recipient of match and rank, read once the reference is loaded.
struct RecipientInput {
  registry::TypingFromText typing;  // --recipient, or --family's patient
  FamilyInput family;               // --family, segregated (empty without)
  bool family_rejected = false;     // a row or family of it was rejected,
                                    // or a family is not consistent
};
// Checks the antibodies of `facts` against the release, reads --family
// (its rejected rows and families and its warnings are told on standard
// error: "NAME: --family: rejected: ...") and the recipient's typing
// (--recipient TEXT or @FILE, else the patient of --family's one family;
// warnings told). Errors name the flag: InvalidArgumentError (usage) when
// there is no --recipient and --family did not segregate exactly one
// family; anything else is rejected input (RejectedInput).
absl::StatusOr<RecipientInput> ReadRecipient(
    const CommandLine& cl, const data::Resolver& resolver,
    const eligibility::RecipientFacts& facts);

}  // namespace hla::cli

#endif  // HLA_CLI_COMMON_H_
