// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "cli/common.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <istream>
#include <optional>
#include <ostream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "registry/family_file.h"
#include "parser/parse.h"

namespace hla::cli {
namespace {

// A typing or antibody list is a few KiB at most; a bigger "@FILE" is the
// wrong file, and reading it whole would only waste memory.
constexpr size_t kMaxArgumentFileBytes = size_t{1} << 20;

absl::Status Prefixed(absl::string_view flag, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(flag, ": ", s.message()));
}

}  // namespace

absl::StatusOr<data::ReferenceData> LoadReferenceData(const Args& args) {
  return data::LoadReferenceData(args.GetOr("imgt", ""), args.GetOr("mac", ""));
}

absl::StatusOr<std::string> TextOrFile(const std::string& value) {
  if (!absl::StartsWith(value, "@")) return value;
  const std::string path = value.substr(1);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  }
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    text.append(buf, n);
    if (text.size() > kMaxArgumentFileBytes) {
      std::fclose(f);
      return absl::DataLossError(absl::StrCat(
          path, ": over 1 MiB; not a typing or antibody list"));
    }
  }
  // A directory opens but does not read: an error, never an empty list.
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) {
    return absl::DataLossError(
        absl::StrCat(path, ": cannot read (a directory?)"));
  }
  return std::string(absl::StripAsciiWhitespace(text));
}

absl::Status CheckOutputsAreNotInputs(const std::vector<NamedPath>& inputs,
                                      const std::vector<NamedPath>& outputs) {
  struct Identity {
    dev_t dev;
    ino_t ino;
  };
  auto identity = [](const NamedPath& p) -> std::optional<Identity> {
    struct stat st;
    if (p.path.empty() || p.path == "-" || ::stat(p.path.c_str(), &st) != 0) {
      return std::nullopt;
    }
    return Identity{st.st_dev, st.st_ino};
  };
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::optional<Identity> out = identity(outputs[i]);
    if (!out) continue;  // does not exist yet: nothing to overwrite
    std::vector<const NamedPath*> others;
    for (const NamedPath& in : inputs) others.push_back(&in);
    for (size_t j = 0; j < i; ++j) others.push_back(&outputs[j]);
    for (const NamedPath* other : others) {
      const std::optional<Identity> o = identity(*other);
      if (o && o->dev == out->dev && o->ino == out->ino) {
        return absl::InvalidArgumentError(absl::StrCat(
            outputs[i].flag, " '", outputs[i].path, "' is the ", other->flag,
            " file '", other->path, "': writing it would destroy it"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status FinishOutput(std::ofstream& out, absl::string_view what) {
  out.flush();
  const bool flushed = out.good();
  const int error = errno;
  out.close();
  if (flushed && !out.fail()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(
      "cannot write ", what, ": ",
      error != 0 ? std::strerror(error) : "write failed",
      "; the output is incomplete"));
}

absl::Status ParseRecipientPopulationFlag(const Args& args, impute::ImputeOptions* options) {
  if (auto p = args.Get("recipient-population")) {
    std::optional<data::Population> pop = data::ParsePopulation(*p);
    if (!pop) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--recipient-population must be EUR, AFA, API or HIS, not '", *p, "'"));
    }
    options->population = *pop;
  }
  return absl::OkStatus();
}

absl::Status ParseRecipientFlags(const Args& args,
                                 eligibility::RecipientFacts* facts) {
  if (auto v = args.Get("recipient-abo")) {
    absl::StatusOr<eligibility::BloodGroup> g = eligibility::ParseBloodGroup(*v);
    if (!g.ok()) return Prefixed("--recipient-abo", g.status());
    facts->blood_group = *g;
  }
  if (auto v = args.Get("recipient-cmv")) {
    absl::StatusOr<eligibility::Cmv> c = eligibility::ParseCmv(*v);
    if (!c.ok()) return Prefixed("--recipient-cmv", c.status());
    facts->cmv = *c;
  }
  if (auto v = args.Get("recipient-sex")) {
    absl::StatusOr<eligibility::Sex> s = eligibility::ParseSex(*v);
    if (!s.ok()) return Prefixed("--recipient-sex", s.status());
    facts->sex = *s;
  }
  if (auto v = args.Get("antibodies")) {
    // The recipient was tested: LIST, @FILE, or "none" (no anti-HLA
    // antibodies), on the command line or in the file.
    absl::StatusOr<std::string> text = TextOrFile(*v);
    if (!text.ok()) return Prefixed("--antibodies", text.status());
    absl::StatusOr<std::vector<eligibility::Antibody>> abs =
        eligibility::ParseAntibodyTest(*text);
    if (!abs.ok()) return Prefixed("--antibodies", abs.status());
    facts->antibodies_tested = true;
    facts->antibodies = *std::move(abs);
  }
  return absl::OkStatus();
}

absl::StatusOr<eligibility::EligibilityOptions> ParseEligibilityFlags(
    const Args& args) {
  absl::StatusOr<eligibility::EligibilityOptions> o =
      eligibility::OptionsForProtocol(args.GetOr("protocol", "none"));
  if (!o.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--protocol: ", o.status().message()));
  }
  o->as_of = eligibility::Today();
  if (auto d = args.Get("as-of")) {
    absl::StatusOr<absl::CivilDay> day = eligibility::ParseDate(*d);
    if (!day.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--as-of: ", day.status().message()));
    }
    o->as_of = *day;
  }
  if (auto m = args.Get("dsa-mfi")) {
    double v = 0;
    if (!absl::SimpleAtod(*m, &v) || !(v >= 0) ||
        v > eligibility::kMaxDsaMfi) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--dsa-mfi: '", *m, "' is not an MFI from 0 to ",
          eligibility::kMaxDsaMfi));
    }
    o->dsa_mfi_threshold = v;
  }
  if (auto p = args.Get("unrelated-haplo")) {
    absl::StatusOr<eligibility::ByStatePolicy> policy =
        eligibility::ParseByStatePolicy(*p);
    if (!policy.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--unrelated-haplo: ", policy.status().message()));
    }
    o->by_state = *policy;
  }
  o->allow_minors = args.Has("allow-minors");
  if (args.Has("gate") && !o->assessed()) {
    return absl::InvalidArgumentError(
        "--gate needs a --protocol: without one nothing is decided");
  }
  if (auto g = args.Get("gate")) {
    for (absl::string_view item : absl::StrSplit(*g, ',')) {
      item = absl::StripAsciiWhitespace(item);
      if (item == "abo") {
        o->abo_gate = true;
      } else if (item == "cmv") {
        o->cmv_gate = true;
      } else if (item == "sex") {
        o->sex_gate = true;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--gate: '", item, "' is not one of abo, cmv, sex"));
      }
    }
  }
  return o;
}

bool ReadLine(std::istream& in, size_t keep, std::string* line,
              size_t* length) {
  line->clear();
  *length = 0;
  std::streambuf* buf = in.rdbuf();
  bool any = false;
  for (;;) {
    const int c = buf->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      break;
    }
    any = true;
    if (c == '\n') break;
    ++*length;
    if (line->size() < keep) line->push_back(static_cast<char>(c));
  }
  // CRLF input (files from Windows, Excel exports) reads as LF input.
  if (!line->empty() && line->back() == '\r' && *length <= keep) {
    line->pop_back();
    --*length;
  }
  return any;
}

bool ForEachTyping(const Args& args, Command& cmd,
                   const std::function<bool(const std::string&)>& each) {
  bool all_ok = true;
  if (!args.positional().empty()) {
    for (const std::string& typing : args.positional()) {
      all_ok = each(typing) && all_ok;
    }
    return all_ok;
  }
  std::string line;
  size_t length = 0;
  while (ReadLine(*cmd.in, parser::kMaxGlStringBytes, &line, &length)) {
    if (length > parser::kMaxGlStringBytes) {
      *cmd.out << "error: input of " << length
               << " bytes is over the limit of " << parser::kMaxGlStringBytes
               << " bytes (it is rejected, not truncated)\n";
      all_ok = false;
      continue;
    }
    all_ok = each(line) && all_ok;
  }
  return all_ok;
}

absl::StatusOr<data::Resolver> LoadResolver(
    const Args& args, const data::ResolveOptions& options) {
  absl::StatusOr<data::ReferenceData> rd = LoadReferenceData(args);
  if (!rd.ok()) return rd.status();
  return data::Resolver(rd->reference, rd->macs, options);
}

std::string InputName(const std::string& path) {
  return path == "-" ? "<stdin>" : path;
}

absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> OpenDonorFile(
    const std::string& path, const data::Resolver& resolver, std::istream* in,
    const registry::DonorFileOptions& options) {
  return path == "-" ? registry::DonorFileReader::FromStream(
                           in, InputName(path), &resolver, options)
                     : registry::DonorFileReader::Open(path, &resolver, options);
}

absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> OpenFamilyFile(
    const std::string& path, const data::Resolver& resolver, std::istream* in) {
  registry::DonorFileOptions options;
  options.allow_untyped = true;
  return OpenDonorFile(path, resolver, in, options);
}

absl::StatusOr<FamilyInput> ReadFamilies(const std::string& path,
                                         const data::Resolver& resolver,
                                         std::istream* in) {
  absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> reader =
      OpenFamilyFile(path, resolver, in);
  if (!reader.ok()) return reader.status();
  return registry::ReadAndSegregate(reader->get(), InputName(path));
}

namespace {

// --family, its rejected rows and families and its warnings told; a usage
// error when the recipient is to be its patient and there is not exactly
// one family.
absl::Status ReadFamilyFlag(const CommandLine& cl,
                            const data::Resolver& resolver,
                            RecipientInput* input) {
  const std::optional<std::string> path = cl.args().Get("family");
  if (!path) return absl::OkStatus();
  absl::StatusOr<FamilyInput> f = ReadFamilies(*path, resolver, cl.cmd().in);
  if (!f.ok()) return RejectedInput(f.status(), "--family: ");
  for (const std::string& e : f->rejected) {
    cl.Tell(absl::StrCat("--family: rejected: ", e));
    input->family_rejected = true;
  }
  for (const std::string& e : f->inconsistent) {
    cl.Tell(absl::StrCat("--family: NOT CONSISTENT: ", e));
    input->family_rejected = true;
  }
  for (const std::string& w : f->warnings) {
    cl.Tell(absl::StrCat("warning: --family: ", w));
  }
  input->family = *std::move(f);
  const size_t families = input->family.evidence->size();
  if (!cl.args().Has("recipient") && families != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--family: ", families,
                     " families segregated; without --recipient it needs "
                     "exactly one"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RecipientInput> ReadRecipient(
    const CommandLine& cl, const data::Resolver& resolver,
    const eligibility::RecipientFacts& facts) {
  if (absl::Status s =
          eligibility::CheckAntibodies(facts.antibodies, resolver.reference());
      !s.ok()) {
    return RejectedInput(s, "--antibodies: ");
  }
  RecipientInput input;
  if (absl::Status s = ReadFamilyFlag(cl, resolver, &input); !s.ok()) return s;
  const std::optional<std::string> flag = cl.args().Get("recipient");
  absl::StatusOr<std::string> text =
      flag ? TextOrFile(*flag)
           : absl::StatusOr<std::string>(input.family.patient_typing);
  if (!text.ok()) return RejectedInput(text.status(), "--recipient: ");
  absl::StatusOr<registry::TypingFromText> typed =
      registry::ReadTyping(resolver, *text);
  if (!typed.ok()) return RejectedInput(typed.status(), "--recipient: ");
  for (const std::string& w : typed->warnings) {
    cl.Tell(absl::StrCat("warning: --recipient: ", w));
  }
  input.typing = *std::move(typed);
  return input;
}

}  // namespace hla::cli
