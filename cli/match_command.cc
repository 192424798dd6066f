// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch match --recipient TYPING (--donor [ID=]TYPING ... | --donors FILE)
//                  [--format text|json] [--loci A,B,C,DRB1,DQB1] [--imgt V]
//                  [--protocol NCT04835883|none] [--as-of DATE] ...
//
// Matches one recipient against each donor (matcher/match.h), applies the
// eligibility rules (eligibility/eligibility.h) and prints, per donor, a
// per-locus table, the totals, the haplo verdict with its basis, the DPB1 TCE
// category and ELIGIBLE / NOT ELIGIBLE with every reason (text), or one JSON
// document (README "haplomatch match"). Donors from --donor come first, in
// order, then the rows of --donors. A donor row that is rejected (bad typing,
// bad date, ...) is reported on stderr as "file:line: ..." (and in the JSON
// "rejected" list); the other donors are still matched, and the exit status
// is 1. Exit 2 for a usage error, 1 when the recipient's typing or antibody
// list is rejected (nothing can be matched then).
#include <algorithm>
#include <cstdio>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/args.h"
#include "cli/common.h"
#include "cli/command.h"
#include "report/json.h"
#include "report/text.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "hla/gl.h"
#include "hla/locus.h"
#include "registry/donor_file.h"
#include "eligibility/eligibility.h"
#include "eligibility/score.h"
#include "family/family.h"
#include "registry/family_file.h"
#include "matcher/match.h"
#include "parser/parse.h"

namespace hla::cli {
namespace {

using eligibility::DonorFacts;
using eligibility::Eligibility;
using matcher::Genotype;
using matcher::MatchReport;

constexpr char kUsage[] =
    "usage: haplomatch match --recipient TYPING (--donor [ID=]TYPING ... |\n"
    "                        --donors FILE) [flags]\n"
    "       haplomatch match --family FILE [--donor ... | --donors FILE]\n"
    "                        [flags]\n"
    "\n"
    "Matches a recipient against each donor: per-locus grades, allele and\n"
    "antigen matches, GvH/HvG mismatches, totals, the haplo verdict, DPB1 TCE,\n"
    "and eligibility with its reasons.\n"
    "\n"
    "donors:\n"
    "  --donor [ID=]TYPING   a donor's GL String; repeat for several (named\n"
    "                        donor-1, donor-2, ... unless ID= is given)\n"
    "  --relationship R      how the --donor donors are related to the\n"
    "                        recipient: parent, mother, child, sibling,\n"
    "                        half-sibling, other_related, unrelated\n"
    "  --donors FILE         CSV or TSV with a header ('-' = standard input);\n"
    "                        columns in the README (id, relationship,\n"
    "                        birth_date or age, sex, abo, cmv, and glstring or\n"
    "                        A_1, A_2, B_1, ...)\n"
    "  --family FILE         a family file (haplomatch family --help; '-' =\n"
    "                        standard input): the verdicts of its relatives\n"
    "                        use the phase family segregation proves, when\n"
    "                        recipient and relative are typed as in the file.\n"
    "                        Without --recipient, the recipient is its\n"
    "                        patient; without --donor or --donors, its other\n"
    "                        rows are the donors\n"
    "recipient:\n"
    "  --recipient TYPING    the recipient's GL String, or @FILE holding it\n"
    "                        (required)\n"
    "  --recipient-abo G     O, A, B, AB with + or - (ABO compatibility)\n"
    "  --recipient-cmv S     positive, negative or unknown\n"
    "  --recipient-sex S     F or M\n"
    "  --antibodies LIST     recipient anti-HLA antibodies with MFI:\n"
    "                        'A2:3500,B44:1200,A*02:01=800', or @FILE\n"
    "matching:\n"
    "  --loci LIST           loci to score (default A,B,C,DRB1,DQB1; add DPB1\n"
    "                        for X/12)\n"
    "  --homozygous-mismatch 2|1\n"
    "                        a mismatch at a homozygous locus counts 2 (WMDA\n"
    "                        2016, default) or 1 (2010 convention)\n"
    "eligibility:\n"
    "  --protocol P          NCT04835883 (haplo verdict identical,\n"
    "                        haploidentical or haplo-compatible, and donor\n"
    "                        under 70) or none (default: only DSA gates)\n"
    "  --as-of DATE          reference date for ages, YYYY-MM-DD (default\n"
    "                        today)\n"
    "  --dsa-mfi N           DSA threshold, MFI at or above (default 1000:\n"
    "                        EBMT consensus, Ciurea et al. BMT 2018)\n"
    "  --gate LIST           also exclude on abo (major/bidirectional), cmv\n"
    "                        (recipient +, donor -), sex (female donor, male\n"
    "                        recipient); they are reported either way\n"
    "output and data:\n"
    "  --format text|json    default text\n"
    "  --imgt V|DIR          IPD-IMGT/HLA release (default 3.58.0)\n"
    "  --mac FILE            NMDP alpha.v3.txt (default the shipped subset)\n"
    "  --non-strict          accept names that exist with a suffix, small-g\n"
    "  --help                show this help\n"
    "\n"
    "Exit status: 0 every donor matched, 1 some input rejected (reported on\n"
    "standard error), 2 usage error.\n";

enum class Format { kText, kJson };

// ---- One donor's result. The JSON writers are shared with the HTTP
// service (report/json.h), so that both write the same bytes.

using DonorResult = report::MatchedDonor;

// ---- Flags

using Typed = registry::TypingFromText;

}  // namespace

int RunMatch(Command& cmd) {
  constexpr char kName[] = "haplomatch match";
  FlagSpec spec;
  spec.value_flags = {"recipient",     "donors",        "format",
                      "loci",          "imgt",          "mac",
                      "protocol",      "as-of",         "recipient-abo",
                      "recipient-cmv", "recipient-sex", "antibodies",
                      "dsa-mfi",       "homozygous-mismatch",
                      "relationship",  "gate",          "donor",
                      "family"};
  spec.repeated_flags = {"donor"};
  spec.bool_flags = {"non-strict", "help"};
  absl::StatusOr<Args> args = Args::Parse(cmd.args, spec);
  std::ostream& err = *cmd.err;
  auto usage = [&](absl::string_view why) {
    err << kName << ": " << why << "\n\n" << kUsage;
    return kExitUsage;
  };
  if (!args.ok()) return usage(args.status().message());
  if (args->Has("help")) {
    *cmd.out << kUsage;
    return kExitOk;
  }
  if (!args->positional().empty()) {
    return usage(absl::StrCat("unexpected argument '", args->positional()[0],
                              "' (donors go after --donor)"));
  }
  if (!args->Has("recipient") && !args->Has("family")) {
    return usage("--recipient is required (or --family with a patient)");
  }
  const std::vector<std::string> cli_donors = args->GetAll("donor");
  if (args->GetOr("donors", "") == "-" && args->GetOr("family", "") == "-") {
    return usage("--donors and --family cannot both read standard input");
  }
  if (cli_donors.empty() && !args->Has("donors") && !args->Has("family")) {
    return usage("give donors with --donor TYPING or --donors FILE");
  }
  const std::string format_text = args->GetOr("format", "text");
  if (format_text != "text" && format_text != "json") {
    return usage(absl::StrCat("--format must be text or json, not '",
                              format_text, "'"));
  }
  const Format format = format_text == "json" ? Format::kJson : Format::kText;

  matcher::MatchOptions mopts;
  if (auto loci = args->Get("loci")) {
    absl::StatusOr<std::vector<Locus>> l = ParseLocusList(*loci);
    if (!l.ok()) return usage(absl::StrCat("--loci: ", l.status().message()));
    mopts.loci = *l;
  }
  if (auto h = args->Get("homozygous-mismatch")) {
    if (*h != "1" && *h != "2") {
      return usage("--homozygous-mismatch must be 2 (WMDA 2016) or 1");
    }
    mopts.homozygous_mismatch_count = *h == "1" ? 1 : 2;
  }

  absl::StatusOr<eligibility::EligibilityOptions> eopts =
      ParseEligibilityFlags(*args);
  if (!eopts.ok()) return usage(eopts.status().message());
  eligibility::RecipientFacts recipient_facts;
  if (absl::Status s = ParseRecipientFlags(*args, &recipient_facts); !s.ok()) {
    return ReportStatus(cmd, kName, s, kUsage);
  }
  matcher::Relationship cli_relationship = matcher::Relationship::kUnknown;
  if (auto v = args->Get("relationship")) {
    absl::StatusOr<matcher::Relationship> r = matcher::ParseRelationship(*v);
    if (!r.ok()) return usage(absl::StrCat("--relationship: ", r.status().message()));
    cli_relationship = *r;
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

  absl::Status abs_ok =
      eligibility::CheckAntibodies(recipient_facts.antibodies, *ref);
  if (!abs_ok.ok()) {
    err << kName << ": --antibodies: " << abs_ok.message() << "\n";
    return kExitRejected;
  }
  // --family: segregate each family (family/family.h); emit() then lets
  // what segregation proves replace a relative's haplo verdict.
  FamilyInput family;
  bool family_rejected = false;
  if (auto fpath = args->Get("family")) {
    absl::StatusOr<FamilyInput> f =
        ReadFamilyFlag(*fpath, resolver, cmd, kName, &family_rejected);
    if (!f.ok()) {
      err << kName << ": " << f.status().message() << "\n";
      return kExitRejected;
    }
    family = *std::move(f);
    if (!args->Has("recipient") && family.evidence->size() != 1) {
      return usage(absl::StrCat("--family: ", family.evidence->size(),
                                " families segregated; without --recipient "
                                "it needs exactly one"));
    }
  }
  std::string recipient_text = args->Has("recipient")
                                   ? *args->Get("recipient")
                                   : family.patient_typing;
  {
    absl::StatusOr<std::string> text = TextOrFile(recipient_text);
    if (!text.ok()) {
      err << kName << ": --recipient: " << text.status().message() << "\n";
      return kExitRejected;
    }
    recipient_text = *std::move(text);
  }
  absl::StatusOr<Typed> recipient = registry::ReadTyping(resolver, recipient_text);
  if (!recipient.ok()) {
    err << kName << ": --recipient: " << recipient.status().message() << "\n";
    return kExitRejected;
  }
  for (const std::string& w : recipient->warnings) {
    err << kName << ": warning: --recipient: " << w << "\n";
  }

  // Output is streamed donor by donor; JSON opens its document first.
  std::ostream& out = *cmd.out;
  const report::TextStyle style{cmd.interactive};
  bool any_rejected = false;
  size_t matched = 0;
  std::vector<std::string> eligible_ids;
  std::vector<std::pair<std::string, std::string>> rejected;  // source, why
  bool first_json = true;
  if (format == Format::kJson) {
    out << report::MatchJsonHead(ref->version(), *eopts, recipient->typing);
  } else {
    out << report::MatchTextHead(ref->version(), *eopts, recipient->typing,
                                 style);
  }

  auto reject = [&](const std::string& source, absl::string_view why) {
    any_rejected = true;
    // Row errors from the file already start with "file:line: ".
    const std::string where =
        absl::StartsWith(why, source) ? std::string(why)
                                      : absl::StrCat(source, ": ", why);
    err << kName << ": rejected: " << where << "\n";
    rejected.emplace_back(source, std::string(why));
  };
  // Every donor goes through the one donor pipeline (eligibility/score.h).
  eligibility::ScoringContext context;
  context.reference = ref.get();
  context.recipient = &recipient->genotype;
  context.recipient_facts = recipient_facts;
  context.match = mopts;
  context.eligibility = *eopts;
  context.families = family.evidence.get();
  eligibility::DonorIdSet ids;
  auto emit = [&](eligibility::DonorFacts facts, matcher::Genotype donor,
                  std::string typing, std::string source,
                  std::vector<std::string> warnings) {
    if (absl::Status s = ids.Add(facts.id); !s.ok()) {
      reject(source, s.message());
      return;
    }
    absl::StatusOr<eligibility::DonorReport> scored = eligibility::ScoreDonor(
        context, std::move(facts), std::move(donor), std::move(warnings));
    if (!scored.ok()) {
      reject(source, scored.status().message());
      return;
    }
    DonorResult result;
    static_cast<eligibility::DonorReport&>(result) = *std::move(scored);
    result.typing = std::move(typing);
    result.source = std::move(source);
    ++matched;
    if (result.eligibility.eligible) eligible_ids.push_back(result.facts.id);
    if (format == Format::kJson) {
      if (!first_json) out << ",";
      first_json = false;
      out << "\n" << report::MatchDonorJson(result, *eopts);
    } else {
      out << report::MatchDonorText(result, *eopts, style);
    }
  };

  for (size_t i = 0; i < cli_donors.size(); ++i) {
    std::string id = absl::StrCat("donor-", i + 1);
    absl::string_view text = cli_donors[i];
    if (size_t eq = text.find('='); eq != absl::string_view::npos) {
      id = std::string(absl::StripAsciiWhitespace(text.substr(0, eq)));
      text = text.substr(eq + 1);
    }
    const std::string source = absl::StrCat("--donor ", i + 1);
    absl::StatusOr<Typed> t = registry::ReadTyping(resolver, text);
    if (!t.ok() || id.empty()) {
      reject(source, t.ok() ? "empty donor id before '='"
                            : std::string(t.status().message()));
      continue;
    }
    eligibility::DonorFacts facts;
    facts.id = id;
    facts.relationship = cli_relationship;
    emit(std::move(facts), std::move(t->genotype), t->typing, source,
         t->warnings);
  }

  // Donor rows: --donors, or (with neither --donor nor --donors) the family
  // file's relatives, already read.
  auto emit_record = [&](registry::DonorRecord rec, const std::string& source) {
    emit(std::move(rec.facts), std::move(rec.genotype), std::move(rec.typing),
         source, std::move(rec.warnings));
  };
  if (auto path = args->Get("donors")) {
    absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> reader =
        *path == "-" ? registry::DonorFileReader::FromStream(
                           cmd.in, "<stdin>", &resolver)
                     : registry::DonorFileReader::Open(*path, &resolver);
    if (!reader.ok()) {
      reject(*path, reader.status().message());
    } else {
      // A JSON Lines file adds a warning when a new unknown key first
      // appears, so they are written as they come.
      size_t warned = 0;
      auto warn_new = [&] {
        const std::vector<std::string>& ws = (*reader)->header_warnings();
        for (; warned < ws.size(); ++warned) {
          err << kName << ": warning: " << ws[warned] << "\n";
        }
      };
      warn_new();
      const std::string name = *path == "-" ? "<stdin>" : *path;
      registry::DonorRecord rec;
      absl::Status row;
      while ((*reader)->Next(&rec, &row)) {
        warn_new();
        const std::string source = absl::StrCat(name, ":", rec.line);
        if (!row.ok()) {
          reject(source, row.message());
          continue;
        }
        if (!args->Has("recipient") && !family.patient_id.empty() &&
            rec.facts.id == family.patient_id) {
          err << kName << ": note: " << source << ": " << rec.facts.id
              << " is the family's patient (the recipient); not matched\n";
          continue;
        }
        emit_record(std::move(rec), source);
      }
    }
  } else if (cli_donors.empty() && args->Has("family")) {
    const std::string fpath = *args->Get("family");
    const std::string name = fpath == "-" ? "<stdin>" : fpath;
    if (!family.patient_id.empty()) {
      err << kName << ": note: " << family.patient_id
          << " is the family's patient" << (args->Has("recipient") ? "" : " (the recipient)")
          << "; not matched\n";
    }
    for (registry::DonorRecord& rec : family.relatives) {
      const std::string source = absl::StrCat(name, ":", rec.line);
      emit_record(std::move(rec), source);
    }
  }

  if (format == Format::kJson) {
    out << report::MatchJsonTail(rejected);
  } else {
    out << report::MatchTextSummary(matched, rejected.size(), eligible_ids);
  }
  out.flush();
  return any_rejected || family_rejected ? kExitRejected : kExitOk;
}

}  // namespace hla::cli
