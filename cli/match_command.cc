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
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "cli/args.h"
#include "cli/command.h"
#include "cli/command_line.h"
#include "cli/common.h"
#include "data/resolve.h"
#include "eligibility/eligibility.h"
#include "eligibility/facts.h"
#include "eligibility/score.h"
#include "hla/locus.h"
#include "impute/impute.h"
#include "matcher/match.h"
#include "registry/donor_file.h"
#include "report/json.h"
#include "report/text.h"

namespace hla::cli {
namespace {

constexpr char kUsage[] =
    "usage: haplomatch match --recipient TYPING (--donor [ID=]TYPING ... |\n"
    "                        --donors FILE) [flags]\n"
    "       haplomatch match --family FILE [--donor ... | --donors FILE]\n"
    "                        [flags]\n"
    "\n"
    "Matches a recipient against each donor: per-locus grades, allele and\n"
    "antigen matches, GvH/HvG mismatches, totals, the haplo verdict, DPB1 TCE,\n"
    "and, under a protocol, eligible / needs review / not eligible with\n"
    "every reason.\n"
    "\n"
    "donors:\n"
    "  --donor [ID=]TYPING   a donor's GL String; repeat for several (named\n"
    "                        donor-1, donor-2, ... unless ID= is given)\n"
    "  --relationship R      how the --donor donors are related to the\n"
    "                        recipient: parent, mother, child, sibling,\n"
    "                        half-sibling, other_related, unrelated\n"
    "  --donors FILE         CSV, TSV or JSON Lines ('-' = standard input);\n"
    "                        columns in docs/donor-files.md (id, relationship,\n"
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
    "                        'A2:3500,B44:1200,A*02:01=800', or @FILE, or\n"
    "                        'none' (tested, no antibodies); without it a\n"
    "                        haplo protocol asks for review (DSA not tested)\n"
    "matching:\n"
    "  --loci LIST           loci to score (default A,B,C,DRB1,DQB1; add DPB1\n"
    "                        for X/12)\n"
    "  --homozygous-mismatch 2|1\n"
    "                        a mismatch at a homozygous locus counts 2 (WMDA\n"
    "                        2016, default) or 1 (2010 convention)\n"
    "  --hla-a-bw4 yes|no    count HLA-A Bw4 alleles (A*23, A*24, A*25, A*32)\n"
    "                        as KIR3DL1 ligands (default yes; Foley et al.,\n"
    "                        Blood 2008: A*23:01 and A*25:01 weakly)\n"
    "eligibility:\n"
    "  --protocol P          NCT04835883 (an identical or haploidentical\n"
    "                        relative under 70, antibodies tested) or none\n"
    "                        (default: findings only, no verdict)\n"
    "  --unrelated-haplo P   review (default), accept or exclude: what the\n"
    "                        protocol does with an unrelated donor sharing a\n"
    "                        haplotype by state\n"
    "  --allow-minors        donors under 18 need no review\n"
    "  --as-of DATE          reference date for ages, YYYY-MM-DD (default\n"
    "                        today)\n"
    "  --dsa-mfi N           DSA threshold, MFI at or above (default 1000:\n"
    "                        EBMT consensus, Ciurea et al. BMT 2018)\n"
    "  --gate LIST           also decide on abo (major/bidirectional), cmv\n"
    "                        (a serostatus mismatch), sex (female donor, male\n"
    "                        recipient); an unknown value then needs review;\n"
    "                        they are reported either way (needs --protocol)\n"
    "match probability (NMDP 2007 haplotype frequencies, docs/probability.md):\n"
    "  --recipient-population P  EUR, AFA, API or HIS (default: the mix of\n"
    "                        the US registry; donors are imputed from the mix)\n"
    "  --no-probability      leave the match probabilities out\n"
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

FlagSpec MatchFlagSpec() {
  FlagSpec spec;
  spec.value_flags = {"recipient",     "donors",        "format",
                      "loci",          "imgt",          "mac",
                      "protocol",      "as-of",         "recipient-abo",
                      "recipient-cmv", "recipient-sex", "antibodies",
                      "dsa-mfi",       "homozygous-mismatch",
                      "relationship",  "gate",          "donor",
                      "family",        "unrelated-haplo", "hla-a-bw4",
                      "recipient-population"};
  spec.repeated_flags = {"donor"};
  spec.bool_flags = {"non-strict", "allow-minors", "no-probability"};
  return spec;
}

// What match's flags say, read before anything is loaded.
struct MatchConfig {
  Format format = Format::kText;
  matcher::MatchOptions match;
  eligibility::EligibilityOptions eligibility;
  eligibility::RecipientFacts recipient;
  // Of the --donor donors; a donor file has its own column.
  matcher::Relationship relationship = matcher::Relationship::kUnknown;
  std::string relationship_text;  // as written, for the report
  data::ResolveOptions resolve;
  bool has_recipient = false;              // else --family's patient
  std::vector<std::string> donors;         // --donor, in order
  std::optional<std::string> donors_file;  // --donors
  std::optional<std::string> family_file;  // --family
  bool no_probability = false;             // --no-probability
  impute::ImputeOptions imputation;        // --recipient-population
};

// Who is matched against whom: a recipient, donors, and at most one of them
// from standard input.
absl::Status CheckMatchInputs(const Args& args) {
  if (absl::Status s = args.NoPositional(" (donors go after --donor)");
      !s.ok()) {
    return s;
  }
  if (!args.Has("recipient") && !args.Has("family")) {
    return absl::InvalidArgumentError(
        "--recipient is required (or --family with a patient)");
  }
  if (args.GetOr("donors", "") == "-" && args.GetOr("family", "") == "-") {
    return absl::InvalidArgumentError(
        "--donors and --family cannot both read standard input");
  }
  if (!args.Has("donor") && !args.Has("donors") && !args.Has("family")) {
    return absl::InvalidArgumentError(
        "give donors with --donor TYPING or --donors FILE");
  }
  return absl::OkStatus();
}

// --loci, --homozygous-mismatch and --hla-a-bw4.
absl::Status ParseMatchOptions(const Args& args, matcher::MatchOptions* o) {
  if (auto loci = args.Get("loci")) {
    absl::StatusOr<std::vector<Locus>> l = ParseLocusList(*loci);
    if (!l.ok()) return UsageError(l.status(), "--loci: ");
    o->loci = *l;
  }
  if (auto h = args.Get("homozygous-mismatch")) {
    if (*h != "1" && *h != "2") {
      return absl::InvalidArgumentError(
          "--homozygous-mismatch must be 2 (WMDA 2016) or 1");
    }
    o->homozygous_mismatch_count = *h == "1" ? 1 : 2;
  }
  if (auto a = args.Get("hla-a-bw4")) {
    if (*a != "yes" && *a != "no") {
      return absl::InvalidArgumentError("--hla-a-bw4 must be yes or no");
    }
    o->hla_a_bw4 = *a == "yes";
  }
  return absl::OkStatus();
}

// Every flag, in the order its errors are reported. InvalidArgumentError
// is a usage error; NotFoundError or DataLossError an --antibodies @FILE
// that cannot be read (exit 1).
absl::StatusOr<MatchConfig> ParseMatchFlags(const Args& args) {
  if (absl::Status s = CheckMatchInputs(args); !s.ok()) return s;
  MatchConfig c;
  absl::StatusOr<Format> format = args.Choice<Format>(
      "format", {{"text", Format::kText}, {"json", Format::kJson}},
      Format::kText);
  if (!format.ok()) return format.status();
  c.format = *format;
  if (absl::Status s = ParseMatchOptions(args, &c.match); !s.ok()) return s;
  absl::StatusOr<eligibility::EligibilityOptions> eligibility =
      ParseEligibilityFlags(args);
  if (!eligibility.ok()) return eligibility.status();
  c.eligibility = *std::move(eligibility);
  if (absl::Status s = ParseRecipientFlags(args, &c.recipient); !s.ok()) {
    return s;
  }
  if (auto v = args.Get("relationship")) {
    absl::StatusOr<matcher::Relationship> r = matcher::ParseRelationship(*v);
    if (!r.ok()) return UsageError(r.status(), "--relationship: ");
    c.relationship = *r;
    c.relationship_text = absl::AsciiStrToLower(*v);
  }
  c.resolve.strict = !args.Has("non-strict");
  c.has_recipient = args.Has("recipient");
  c.no_probability = args.Has("no-probability");
  if (absl::Status s = ParseRecipientPopulationFlag(args, &c.imputation); !s.ok()) {
    return s;
  }
  c.donors = args.GetAll("donor");
  c.donors_file = args.Get("donors");
  c.family_file = args.Get("family");
  return c;
}

// What every donor is scored against. `imputer` and `imputation` (may be
// null) add the match probabilities.
eligibility::ScoringContext ScoringContextFor(const MatchConfig& config,
                                              const data::Reference& reference,
                                              const RecipientInput& recipient,
                                              const impute::Imputer* imputer,
                                              const impute::Imputation* imputation) {
  eligibility::ScoringContext context;
  context.imputer = imputer;
  context.recipient_imputation = imputation;
  context.reference = &reference;
  context.recipient = &recipient.typing.genotype;
  context.recipient_facts = config.recipient;
  context.match = config.match;
  context.eligibility = config.eligibility;
  context.families = recipient.family.evidence.get();
  return context;
}

// Match's output, streamed donor by donor as the donors come (a registry
// file can be long): the head, then each donor scored through the one donor
// pipeline (eligibility/score.h) and written, or rejected, then the summary
// (text) or the document's tail with the rejected donors (JSON). The JSON
// writers are shared with the HTTP service (report/json.h), so that both
// write the same bytes.
class MatchWriter {
 public:
  MatchWriter(const CommandLine& cl, const MatchConfig& config,
              const data::Reference& reference,
              const RecipientInput& recipient, const impute::Imputer* imputer,
              const impute::Imputation* imputation)
      : cl_(cl),
        config_(config),
        out_(*cl.cmd().out),
        style_{cl.cmd().interactive},
        context_(ScoringContextFor(config, reference, recipient, imputer,
                                   imputation)) {}

  void Head(absl::string_view imgt_version, absl::string_view recipient) {
    out_ << (config_.format == Format::kJson
                 ? report::MatchJsonHead(imgt_version, config_.eligibility,
                                         recipient)
                 : report::MatchTextHead(imgt_version, config_.eligibility,
                                         recipient, style_));
  }

  void Match(eligibility::DonorFacts facts, matcher::Genotype donor,
             std::string typing, std::string source,
             std::vector<std::string> warnings) {
    if (absl::Status s = ids_.Add(facts.id); !s.ok()) {
      Reject(source, s.message());
      return;
    }
    absl::StatusOr<eligibility::DonorReport> scored = eligibility::ScoreDonor(
        context_, std::move(facts), std::move(donor), std::move(warnings));
    if (!scored.ok()) {
      Reject(source, scored.status().message());
      return;
    }
    report::MatchedDonor result;
    static_cast<eligibility::DonorReport&>(result) = *std::move(scored);
    result.typing = std::move(typing);
    result.source = std::move(source);
    Write(result);
  }

  void Match(registry::DonorRecord record, std::string source) {
    Match(std::move(record.facts), std::move(record.genotype),
          std::move(record.typing), std::move(source),
          std::move(record.warnings));
  }

  // "NAME: rejected: SOURCE: why" on standard error; the JSON lists it too.
  void Reject(const std::string& source, absl::string_view why) {
    // Row errors from the file already start with "file:line: ".
    const std::string where = absl::StartsWith(why, source)
                                  ? std::string(why)
                                  : absl::StrCat(source, ": ", why);
    cl_.Tell(absl::StrCat("rejected: ", where));
    rejected_.emplace_back(source, std::string(why));
  }

  // The summary or the JSON tail; the exit status.
  int Finish(bool family_rejected) {
    out_ << (config_.format == Format::kJson
                 ? report::MatchJsonTail(rejected_)
                 : report::MatchTextSummary(
                       matched_, rejected_.size(), eligible_ids_, review_ids_,
                       config_.eligibility.assessed()));
    out_.flush();
    return rejected_.empty() && !family_rejected ? kExitOk : kExitRejected;
  }

 private:
  void Write(const report::MatchedDonor& result) {
    if (result.eligibility.status == eligibility::Status::kEligible) {
      eligible_ids_.push_back(result.facts.id);
    } else if (result.eligibility.status == eligibility::Status::kNeedsReview) {
      review_ids_.push_back(result.facts.id);
    }
    if (config_.format == Format::kJson) {
      out_ << report::MatchDonorSeparator(matched_)
           << report::MatchDonorJson(result, config_.eligibility);
    } else {
      out_ << report::MatchDonorText(result, config_.eligibility, style_);
    }
    ++matched_;
  }

  const CommandLine& cl_;
  const MatchConfig& config_;
  std::ostream& out_;
  const report::TextStyle style_;
  const eligibility::ScoringContext context_;
  eligibility::DonorIdSet ids_;
  size_t matched_ = 0;
  std::vector<std::string> eligible_ids_, review_ids_;
  std::vector<std::pair<std::string, std::string>> rejected_;  // source, why
};

// --donor [ID=]TYPING, in order; named donor-1, donor-2, ... without ID=.
void MatchDonorFlags(const MatchConfig& config, const data::Resolver& resolver,
                     MatchWriter* writer) {
  for (size_t i = 0; i < config.donors.size(); ++i) {
    std::string id = absl::StrCat("donor-", i + 1);
    absl::string_view text = config.donors[i];
    if (size_t eq = text.find('='); eq != absl::string_view::npos) {
      id = std::string(absl::StripAsciiWhitespace(text.substr(0, eq)));
      text = text.substr(eq + 1);
    }
    const std::string source = absl::StrCat("--donor ", i + 1);
    absl::StatusOr<registry::TypingFromText> t =
        registry::ReadTyping(resolver, text);
    if (!t.ok() || id.empty()) {
      writer->Reject(source, t.ok() ? "empty donor id before '='"
                                    : std::string(t.status().message()));
      continue;
    }
    eligibility::DonorFacts facts;
    facts.id = id;
    facts.relationship = config.relationship;
    facts.relationship_text = config.relationship_text;
    writer->Match(std::move(facts), std::move(t->genotype), t->typing, source,
                  t->warnings);
  }
}

// --donors FILE ('-': standard input), row by row. Without --recipient the
// family's patient is the recipient, and its row is not matched.
void MatchDonorFile(const CommandLine& cl, const MatchConfig& config,
                    const data::Resolver& resolver,
                    const RecipientInput& recipient, MatchWriter* writer) {
  const std::string& path = *config.donors_file;
  absl::StatusOr<std::unique_ptr<registry::DonorFileReader>> reader =
      OpenDonorFile(path, resolver, cl.cmd().in);
  if (!reader.ok()) {
    writer->Reject(path, reader.status().message());
    return;
  }
  // A JSON Lines file adds a warning when a new unknown key first appears,
  // so they are told as they come.
  size_t warned = 0;
  auto warn_new = [&] {
    const std::vector<std::string>& ws = (*reader)->header_warnings();
    for (; warned < ws.size(); ++warned) cl.Tell("warning: " + ws[warned]);
  };
  warn_new();
  const std::string& patient = recipient.family.patient_id;
  registry::DonorRecord rec;
  absl::Status row;
  while ((*reader)->Next(&rec, &row)) {
    warn_new();
    std::string source = absl::StrCat(InputName(path), ":", rec.line);
    if (!row.ok()) {
      writer->Reject(source, row.message());
    } else if (!config.has_recipient && !patient.empty() &&
               rec.facts.id == patient) {
      cl.Tell(absl::StrCat("note: ", source, ": ", patient,
                           " is the family's patient (the recipient); not "
                           "matched"));
    } else {
      writer->Match(std::move(rec), std::move(source));
    }
  }
}

// Without --donor and --donors: the relatives of --family, its patient
// left out.
void MatchRelatives(const CommandLine& cl, const MatchConfig& config,
                    RecipientInput* recipient, MatchWriter* writer) {
  const FamilyInput& family = recipient->family;
  if (!family.patient_id.empty()) {
    cl.Tell(absl::StrCat("note: ", family.patient_id,
                         " is the family's patient",
                         config.has_recipient ? "" : " (the recipient)",
                         "; not matched"));
  }
  const std::string name = InputName(*config.family_file);
  for (registry::DonorRecord& rec : recipient->family.relatives) {
    std::string source = absl::StrCat(name, ":", rec.line);
    writer->Match(std::move(rec), std::move(source));
  }
}

}  // namespace

int RunMatch(Command& cmd) {
  CommandLine cl(cmd, "haplomatch match", kUsage, MatchFlagSpec());
  std::optional<MatchConfig> config;
  if (std::optional<int> done = cl.Parse(ParseMatchFlags, &config)) {
    return *done;
  }
  absl::StatusOr<data::Resolver> resolver =
      LoadResolver(cl.args(), config->resolve);
  if (!resolver.ok()) return cl.Reject(resolver.status().message());
  // --family: what segregation proves replaces a relative's haplo verdict.
  absl::StatusOr<RecipientInput> recipient =
      ReadRecipient(cl, *resolver, config->recipient);
  if (!recipient.ok()) return cl.Fail(recipient.status());

  // Match probabilities from the shipped haplotype frequencies: without
  // them (a release the table cannot be bound to, a recipient too vague to
  // impute) the report says so and everything else stands.
  std::unique_ptr<const impute::Imputer> imputer;
  std::optional<impute::Imputation> imputation;
  if (!config->no_probability) {
    absl::StatusOr<std::unique_ptr<const impute::Imputer>> i =
        impute::Imputer::LoadShipped(resolver->reference_ptr());
    if (i.ok()) {
      imputer = *std::move(i);
      absl::StatusOr<impute::Imputation> r =
          imputer->Impute(recipient->typing.genotype, config->imputation);
      if (r.ok()) {
        imputation = *std::move(r);
      } else {
        cl.Tell(absl::StrCat("no match probabilities: the recipient: ",
                             r.status().message()));
      }
    } else {
      cl.Tell(absl::StrCat("no match probabilities: ", i.status().message()));
    }
  }
  // Donors from --donor first, then --donors' rows or the family's.
  MatchWriter writer(cl, *config, resolver->reference(), *recipient,
                     imputation ? imputer.get() : nullptr,
                     imputation ? &*imputation : nullptr);
  writer.Head(resolver->reference().version(), recipient->typing.typing);
  MatchDonorFlags(*config, *resolver, &writer);
  if (config->donors_file) {
    MatchDonorFile(cl, *config, *resolver, *recipient, &writer);
  } else if (config->donors.empty() && config->family_file) {
    MatchRelatives(cl, *config, &*recipient, &writer);
  }
  return writer.Finish(recipient->family_rejected);
}

}  // namespace hla::cli
