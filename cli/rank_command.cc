// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch rank  --recipient TYPING|@FILE --donors FILE|INDEX [flags]
// haplomatch index --donors FILE --out INDEX [--rejects FILE]
// (every flag: kRankUsage below).
//
// rank: ingests the donor file into a compact store (registry/ingest.h), or
// maps an index built by `haplomatch index`, scans it for one recipient
// (registry/rank.h) and writes the ranked donors with the fields of `match`
// (counts, verdict, TCE, status and reasons), computed by
// eligibility::ScoreDonor for each written row. Standard error ends with
//   read N, ranked R (E eligible, V need review), excluded X (reasons...),
//   rejected J
// where N = R + X + J. Exit 1 when a row was rejected.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "cli/args.h"
#include "cli/command.h"
#include "cli/command_line.h"
#include "cli/common.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "eligibility/eligibility.h"
#include "matcher/match.h"
#include "impute/impute.h"
#include "registry/ingest.h"
#include "registry/rank.h"
#include "registry/store.h"
#include "report/csv.h"
#include "report/json.h"
#include "report/text.h"

namespace hla::cli {
namespace {

constexpr char kRankUsage[] =
    "usage: haplomatch rank --recipient TYPING|@FILE --donors FILE|INDEX|-\n"
    "                       [flags]\n"
    "       haplomatch rank --family FILE [--donors FILE|INDEX|-] [flags]\n"
    "\n"
    "Ranks every donor of a registry file (CSV/TSV/JSON Lines, optionally\n"
    "gzipped) or of an index built by 'haplomatch index' for one recipient.\n"
    "\n"
    "  --recipient TYPING    the recipient's GL String, or @FILE (required\n"
    "                        unless --family)\n"
    "  --recipient-abo G     O, A, B, AB with + or -\n"
    "  --recipient-cmv S     positive, negative or unknown\n"
    "  --recipient-sex S     F or M\n"
    "  --antibodies LIST     recipient antibodies with MFI (A2:3500,...), @FILE\n"
    "                        or none (tested, no antibodies)\n"
    "  --dsa-mfi N           DSA threshold (default 1000)\n"
    "  --donors FILE|INDEX   donor file or index ('-' = standard input;\n"
    "                        required unless --family)\n"
    "  --family FILE         a family file ('-' = standard input): relatives\n"
    "                        typed as in it get the verdict family\n"
    "                        segregation proves (haplomatch family --help);\n"
    "                        without --recipient the recipient is its patient,\n"
    "                        without --donors its relatives are the donors\n"
    "  --id-column NAME      the donor id column if not id/donor_id/person_id\n"
    "  --top N               write the best N donors only (default: all ranked)\n"
    "  --format F            csv (default), tsv or json\n"
    "  --out FILE            write there instead of standard output\n"
    "  --rejects FILE        rejected rows, one 'file:line: reason' a line\n"
    "  --threads N           scan and ingest threads (default: hardware\n"
    "                        concurrency)\n"
    "  --protocol P          NCT04835883 (haplo, under 70) or none (default:\n"
    "                        no verdict, every donor ranked)\n"
    "  --unrelated-haplo P   review (default), accept or exclude (as for\n"
    "                        'match')\n"
    "  --allow-minors        donors under 18 need no review\n"
    "  --as-of DATE          reference date for ages (default today)\n"
    "  --gate LIST           also exclude on abo, cmv, sex (as for 'match')\n"
    "  --rank-by KEYS        comma list (default\n"
    "                        dsa,haplo,age,sex,relationship,abo,cmv,matches,tce;\n"
    "                        also leader (HLA-B leader match), kir_b (the\n"
    "                        donor's KIR B content) and probability (P(10/10)\n"
    "                        then P(>=9/10), from the index's imputations);\n"
    "                        docs/ranking.md)\n"
    "  --recipient-population P  EUR, AFA, API or HIS: the recipient's\n"
    "                        haplotype frequencies (default: the mix;\n"
    "                        docs/probability.md)\n"
    "  --imgt V|DIR, --mac FILE   reference data, as for 'match'\n";

constexpr char kIndexUsage[] =
    "usage: haplomatch index --donors FILE --out INDEX [--rejects FILE]\n"
    "                        [--shard K/N] [--id-column NAME] [--no-impute]\n"
    "                        [--threads N] [--imgt V|DIR] [--mac FILE]\n"
    "\n"
    "Compiles a donor file ('-' = standard input) into an index that\n"
    "'haplomatch rank --donors' maps instead of re-reading the file\n"
    "(versioned, with the IMGT release and a checksum). Each donor is\n"
    "imputed from the NMDP 2007 haplotype frequencies (its population\n"
    "column, else the mix) and the likely haplotype pairs kept, for\n"
    "'rank --rank-by probability' (docs/probability.md).\n"
    "\n"
    "  --no-impute   skip the imputation (a smaller index, built faster;\n"
    "                the probability key is then refused)\n"
    "  --threads N   imputation threads (default: hardware concurrency)\n"
    "  --shard K/N   only shard K (from 0) of N: the K-th of N contiguous\n"
    "                slices of the file's rows (haplomatch.dask ranks the\n"
    "                shards, in order, as the whole file; docs/distributed.md)\n";

enum class RankFormat { kCsv, kTsv, kJson };

// Where rank and index read donors: --donors, --id-column, --rejects.
struct DonorsFlags {
  std::string path;  // a donor file, an index, or '-'
  std::string id_column;
  std::optional<std::string> rejects;
  int threads = 0;  // ingest threads (rank's --threads); 0: the hardware's
  // An index's imputations are read (only a rank by probability needs them).
  bool imputations = true;
  // index --shard: the slice of data rows read (IngestOptions).
  size_t first_row = 0, end_row = SIZE_MAX;
};

// The files a rank or index run reads and writes, for
// CheckOutputsAreNotInputs: nothing is opened for writing until that holds.
absl::Status CheckPaths(const Args& args) {
  std::vector<NamedPath> inputs, outputs;
  for (const char* flag : {"donors", "family"}) {
    if (auto v = args.Get(flag)) inputs.push_back({absl::StrCat("--", flag), *v});
  }
  for (const char* flag : {"recipient", "antibodies"}) {
    if (auto v = args.Get(flag); v && absl::StartsWith(*v, "@")) {
      inputs.push_back({absl::StrCat("--", flag), v->substr(1)});
    }
  }
  for (const char* flag : {"out", "rejects"}) {
    if (auto v = args.Get(flag)) outputs.push_back({absl::StrCat("--", flag), *v});
  }
  return CheckOutputsAreNotInputs(inputs, outputs);
}

DonorsFlags ReadDonorsFlags(const Args& args) {
  return {args.GetOr("donors", ""), args.GetOr("id-column", ""),
          args.Get("rejects")};
}

// What rank's flags say, read before anything is loaded.
struct RankConfig {
  RankFormat format = RankFormat::kCsv;
  registry::RankOptions options;      // the recipient's facts included
  std::optional<DonorsFlags> donors;  // else --family's relatives
  std::optional<std::string> out;
};

FlagSpec RankFlagSpec() {
  FlagSpec spec;
  spec.value_flags = {"recipient", "recipient-abo", "recipient-cmv",
                      "recipient-sex", "antibodies", "dsa-mfi", "donors",
                      "id-column", "top", "format", "out", "rejects",
                      "threads", "protocol", "as-of", "rank-by", "gate",
                      "family", "imgt", "mac", "unrelated-haplo",
                      "recipient-population"};
  spec.bool_flags = {"allow-minors"};
  return spec;
}

// A recipient, donors, and at most one of them from standard input.
absl::Status CheckRankInputs(const Args& args) {
  if (!args.Has("recipient") && !args.Has("family")) {
    return absl::InvalidArgumentError(
        "--recipient is required (or --family with a patient)");
  }
  if (!args.Has("donors") && !args.Has("family")) {
    return absl::InvalidArgumentError(
        "--donors is required (or --family: its relatives)");
  }
  if (!args.positional().empty()) {
    return absl::InvalidArgumentError("unexpected arguments");
  }
  if (args.GetOr("donors", "") == "-" && args.GetOr("family", "") == "-") {
    return absl::InvalidArgumentError(
        "--donors and --family cannot both read standard input");
  }
  return absl::OkStatus();
}

// --format, --top, --threads, eligibility and --rank-by.
absl::Status ParseRankOutputFlags(const Args& args, RankConfig* c) {
  absl::StatusOr<RankFormat> format = args.Choice<RankFormat>(
      "format",
      {{"csv", RankFormat::kCsv},
       {"tsv", RankFormat::kTsv},
       {"json", RankFormat::kJson}},
      RankFormat::kCsv);
  // Unlike the other commands', rank's message has never quoted the value.
  if (!format.ok()) {
    return absl::InvalidArgumentError("--format must be csv, tsv or json");
  }
  c->format = *format;
  registry::RankOptions& o = c->options;
  if (auto v = args.Get("top");
      v && (!absl::SimpleAtoi(*v, &o.top) || o.top > registry::kMaxTop)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--top: a number from 0 (all) to ", registry::kMaxTop));
  }
  if (auto v = args.Get("threads");
      v && (!absl::SimpleAtoi(*v, &o.threads) || o.threads < 1 ||
            o.threads > registry::kMaxThreads)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--threads: a number from 1 to ", registry::kMaxThreads));
  }
  absl::StatusOr<eligibility::EligibilityOptions> eo =
      ParseEligibilityFlags(args);
  if (!eo.ok()) return eo.status();
  o.eligibility = *std::move(eo);
  if (auto v = args.Get("rank-by")) {
    absl::StatusOr<std::vector<registry::RankKey>> k =
        registry::ParseRankBy(*v);
    if (!k.ok()) return UsageError(k.status());
    o.rank_by = *k;
  }
  return ParseRecipientPopulationFlag(args, &o.recipient_impute);
}

bool RanksByProbability(const registry::RankOptions& o) {
  return std::find(o.rank_by.begin(), o.rank_by.end(),
                   registry::RankKey::kProbability) != o.rank_by.end();
}

// A one-line progress note on an interactive stderr while ImputeDonors
// runs.
absl::Status Impute(Command& cmd, const impute::Imputer& imputer, int threads,
                    registry::DonorStore* store) {
  const bool on = cmd.interactive;
  absl::Status s = registry::ImputeDonors(
      imputer, threads, store, [&](size_t done, size_t total) {
        if (on && total > 0) {
          *cmd.err << "\rimputing donors: " << (100 * done / total) << "%" << std::flush;
        }
      });
  if (on) *cmd.err << "\r\033[K" << std::flush;
  return s;
}

// Every flag, in the order its errors are reported. InvalidArgumentError
// is a usage error; NotFoundError or DataLossError an --antibodies @FILE
// that cannot be read (exit 1).
absl::StatusOr<RankConfig> ParseRankFlags(const Args& args) {
  if (absl::Status s = CheckRankInputs(args); !s.ok()) return s;
  RankConfig c;
  if (absl::Status s = ParseRankOutputFlags(args, &c); !s.ok()) return s;
  if (absl::Status s = ParseRecipientFlags(args, &c.options.recipient);
      !s.ok()) {
    return s;
  }
  if (args.Has("donors")) {
    c.donors = ReadDonorsFlags(args);
    c.donors->threads = c.options.threads;
  }
  c.out = args.Get("out");
  return c;
}

// A one-line progress bar on stderr, only when interactive.
class Progress {
 public:
  Progress(std::ostream* err, bool on) : err_(err), on_(on) {}
  void Load(size_t rows) {
    if (!on_) return;
    *err_ << "\rloading donors: " << rows << " rows" << std::flush;
    dirty_ = true;
  }
  void Scan(size_t done, size_t total) {
    if (!on_ || total == 0) return;
    const int width = 30;
    const int fill = static_cast<int>(width * done / total);
    *err_ << "\rscanning [" << std::string(static_cast<size_t>(fill), '#')
          << std::string(static_cast<size_t>(width - fill), ' ') << "] "
          << (100 * done / total) << "%" << std::flush;
    dirty_ = true;
  }
  void Clear() {
    if (on_ && dirty_) *err_ << "\r\033[K" << std::flush;
    dirty_ = false;
  }

 private:
  std::ostream* err_;
  bool on_;
  bool dirty_ = false;
};

// Loads the donors: an index (by its magic) or a donor file. Rejected rows go
// to --rejects FILE (when given) and are counted in *rejected; a progress
// line on an interactive stderr. NotFoundError when --rejects cannot be
// written.
absl::StatusOr<registry::DonorStore> LoadDonors(const DonorsFlags& flags,
                                               const data::Resolver& resolver,
                                               Command& cmd, size_t* rejected,
                                               registry::IngestStats* stats) {
  std::unique_ptr<std::ofstream> rejects;
  if (flags.rejects) {
    rejects = std::make_unique<std::ofstream>(*flags.rejects);
    if (!*rejects) {
      return absl::NotFoundError(
          absl::StrCat("cannot write --rejects '", *flags.rejects, "'"));
    }
  }
  *rejected = 0;
  const std::string& path = flags.path;
  absl::StatusOr<registry::DonorStore> store;
  if (path != "-" && registry::IsIndexFile(path)) {
    // --rejects stays empty: an index holds no rejected rows.
    store = registry::LoadIndex(path, resolver, {flags.imputations});
  } else {
    registry::IngestOptions io;
    io.id_column = flags.id_column;
    io.threads = flags.threads;
    io.first_row = flags.first_row;
    io.end_row = flags.end_row;
    auto on_reject = [&](const std::string& message) {
      ++*rejected;
      if (rejects != nullptr) *rejects << message << "\n";
    };
    Progress progress(cmd.err, cmd.interactive);
    auto on_progress = [&](size_t rows, size_t) { progress.Load(rows); };
    // '-': standard input (CSV/TSV/JSON Lines as for a file, not gzip).
    store = path == "-"
                ? registry::IngestDonorStream(cmd.in, "<stdin>", resolver, io,
                                              on_reject, stats, on_progress)
                : registry::IngestDonorFile(path, resolver, io, on_reject,
                                            stats, on_progress);
    progress.Clear();
  }
  // Rejected rows lost to a full disk would make read != ranked + excluded
  // + the rows in the file.
  if (rejects != nullptr) {
    absl::Status s = FinishOutput(
        *rejects, absl::StrCat("--rejects '", *flags.rejects, "'"));
    if (!s.ok()) return s;
  }
  return store;
}

// One scan's result and what it ran on, for writing it.
struct Ranked {
  const registry::DonorStore* store;
  const data::Reference* reference;
  const matcher::Genotype* recipient;
  const registry::RankOptions* options;
  registry::RankResult result;
  double scan_seconds = 0;
};

// Scans the store (registry/rank.h), with a progress bar on an interactive
// stderr.
absl::StatusOr<Ranked> Scan(Command& cmd, const registry::DonorStore& store,
                            const data::Reference& reference,
                            const matcher::Genotype& recipient,
                            const registry::RankOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  Progress progress(cmd.err, cmd.interactive);
  absl::StatusOr<registry::RankResult> result = registry::Rank(
      store, reference, recipient, options,
      [&](size_t done, size_t total) { progress.Scan(done, total); });
  progress.Clear();
  if (!result.ok()) return result.status();
  return Ranked{&store, &reference, &recipient, &options, *std::move(result),
                std::chrono::duration<double>(
                    std::chrono::steady_clock::now() - start)
                    .count()};
}

// The ranked donors, with the fields of `match` (registry::ReportFor), to
// --out or standard output. `read` counts the rows read, rejected ones
// included. Any error is rejected input: the --out file or a donor's
// report.
absl::Status WriteRanked(Command& cmd, const RankConfig& config,
                         const Ranked& ranked, size_t read, size_t rejected) {
  std::ofstream out_file;
  std::ostream* out = cmd.out;
  if (config.out) {
    out_file.open(*config.out);
    if (!out_file) {
      return absl::NotFoundError(
          absl::StrCat("cannot write --out '", *config.out, "'"));
    }
    out = &out_file;
  }
  const bool json = config.format == RankFormat::kJson;
  const char delimiter = config.format == RankFormat::kTsv ? '\t' : ',';
  const registry::RankOptions& options = *ranked.options;
  *out << (json ? report::RankJsonHead(ranked.reference->version(), options,
                                       read, ranked.result, rejected)
                : report::RankCsvHeader(options, delimiter));
  const std::vector<uint32_t>& order = ranked.result.ranked;
  for (size_t k = 0; k < order.size(); ++k) {
    absl::StatusOr<registry::DonorReport> r =
        registry::ReportFor(*ranked.store, *ranked.reference,
                            *ranked.recipient, options, order[k]);
    if (!r.ok()) return RejectedInput(r.status());
    *out << (json ? absl::StrCat(report::RankDonorSeparator(k),
                                 report::RankDonorJson(k + 1, *r))
                  : report::RankCsvRow(k + 1, *r, options, delimiter));
  }
  if (json) *out << report::kRankJsonTail;
  if (config.out) {
    return FinishOutput(out_file, absl::StrCat("--out '", *config.out, "'"));
  }
  out->flush();  // standard output: checked by RunChecked
  return absl::OkStatus();
}

// What was read, ranked, excluded and rejected, then how the store and the
// scan did, on standard error.
void TellRankSummary(std::ostream& err, const Ranked& ranked, size_t read,
                     size_t rejected, const registry::IngestStats& stats) {
  const registry::DonorStore& store = *ranked.store;
  const registry::RankResult& result = ranked.result;
  err << report::RankSummaryText(read, result, rejected) << "\n";
  // The imputations: read (the probability key), or in the index and not
  // read, which the "all in" figure still counts.
  std::string imputations;
  const double n = static_cast<double>(std::max<size_t>(store.size(), 1));
  if (store.has_imputations()) {
    imputations = absl::StrFormat(
        ", %.1f in imputations", static_cast<double>(store.imputation_bytes()) / n);
  } else if (store.unread_imputation_bytes() > 0) {
    imputations = absl::StrFormat(
        ", %.1f in imputations not read (this ranking does not use them)",
        static_cast<double>(store.unread_imputation_bytes()) / n);
  }
  err << absl::StrFormat(
      "store: %d donors, %.1f bytes/donor all in (%.1f in the records%s, the "
      "rest in %d distinct typings); %d by full "
      "match (phased or genotype-list typings, family relatives: %d of "
      "them); scan %.3f s on %d thread(s)\n",
      store.size(), store.bytes_per_donor(), store.record_bytes_per_donor(),
      imputations, store.dictionary_entries(),
      result.fallback, result.by_family, ranked.scan_seconds, result.threads);
  if (stats.rows > 0 && stats.seconds > 0) {
    err << absl::StrFormat("ingest: %d rows in %.2f s (%.0f rows/s)\n",
                           stats.rows, stats.seconds,
                           static_cast<double>(stats.rows) / stats.seconds);
  }
}

}  // namespace

int RunRank(Command& cmd) {
  CommandLine cl(cmd, "haplomatch rank", kRankUsage, RankFlagSpec());
  std::optional<RankConfig> config;
  if (std::optional<int> done = cl.Parse(ParseRankFlags, &config)) {
    return *done;
  }
  if (absl::Status s = CheckPaths(cl.args()); !s.ok()) return cl.Fail(s);
  absl::StatusOr<data::Resolver> resolver = LoadResolver(cl.args());
  if (!resolver.ok()) return cl.Reject(resolver.status().message());
  // --family: the scan applies what segregation proves to the relatives it
  // recognises.
  absl::StatusOr<RecipientInput> recipient =
      ReadRecipient(cl, *resolver, config->options.recipient);
  if (!recipient.ok()) return cl.Fail(recipient.status());
  config->options.families = recipient->family.evidence;

  // Donors: --donors, or the family file's relatives. An index's
  // imputations are read only for the probability key.
  const bool by_probability = RanksByProbability(config->options);
  if (config->donors) config->donors->imputations = by_probability;
  size_t rejected = 0;
  registry::IngestStats stats;
  absl::StatusOr<registry::DonorStore> store =
      config->donors
          ? LoadDonors(*config->donors, *resolver, cmd, &rejected, &stats)
          : registry::RelativesStore(recipient->family,
                                     resolver->reference_ptr());
  if (!store.ok()) return cl.Reject(store.status().message());

  // Probabilities, when the policy ranks by them (listed last, they only
  // break ties): the ranked donors' reports then carry them, from the same
  // stored imputations as the key, so that a donor file and its index give
  // the same output; a donor file is imputed here.
  if (by_probability) {
    absl::StatusOr<std::unique_ptr<const impute::Imputer>> imputer =
        impute::Imputer::LoadShipped(resolver->reference_ptr());
    if (!imputer.ok()) {
      return cl.Reject(absl::StrCat("--rank-by probability: ", imputer.status().message()));
    }
    config->options.imputer = *std::move(imputer);
    // Once, for the scan and every ranked donor's report.
    if (absl::Status s = registry::ImputeRecipient(recipient->typing.genotype, &config->options);
        !s.ok()) {
      return cl.Reject(s.message());
    }
  }
  if (by_probability && !store->has_imputations() && config->donors &&
      !registry::IsIndexFile(config->donors->path)) {
    if (absl::Status s = Impute(cmd, *config->options.imputer,
                                config->options.threads, &*store);
        !s.ok()) {
      return cl.Reject(s.message());
    }
  }

  absl::StatusOr<Ranked> ranked =
      Scan(cmd, *store, resolver->reference(), recipient->typing.genotype,
           config->options);
  if (!ranked.ok()) return cl.Reject(ranked.status().message());
  const size_t read = store->size() + rejected;
  if (absl::Status s = WriteRanked(cmd, *config, *ranked, read, rejected);
      !s.ok()) {
    return cl.Reject(s.message());
  }
  TellRankSummary(*cmd.err, *ranked, read, rejected, stats);
  return rejected > 0 || recipient->family_rejected ? kExitRejected : kExitOk;
}

// "K/N", 0 <= K < N <= kMaxShards.
constexpr size_t kMaxShards = 4096;
absl::StatusOr<std::pair<size_t, size_t>> ParseShard(absl::string_view text) {
  std::pair<absl::string_view, absl::string_view> kn =
      absl::StrSplit(text, absl::MaxSplits('/', 1));
  size_t k = 0, n = 0;
  if (!absl::SimpleAtoi(kn.first, &k) || !absl::SimpleAtoi(kn.second, &n) ||
      n == 0 || n > kMaxShards || k >= n) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--shard: '", text, "' is not K/N with 0 <= K < N <= ", kMaxShards,
        " (e.g. 0/4 for the first of four)"));
  }
  return std::make_pair(k, n);
}

int RunIndex(Command& cmd) {
  CommandLine cl(cmd, "haplomatch index", kIndexUsage,
                 {/*value_flags=*/{"donors", "out", "rejects", "id-column",
                                   "imgt", "mac", "shard", "threads"},
                  /*bool_flags=*/{"no-impute"}, /*repeated_flags=*/{}});
  if (std::optional<int> done = cl.Parse()) return *done;
  const Args& args = cl.args();
  if (!args.Has("donors")) return cl.Usage("--donors is required");
  if (!args.Has("out")) return cl.Usage("--out is required");
  DonorsFlags donors = ReadDonorsFlags(args);
  std::optional<std::pair<size_t, size_t>> shard;
  if (auto v = args.Get("shard")) {
    absl::StatusOr<std::pair<size_t, size_t>> kn = ParseShard(*v);
    if (!kn.ok()) return cl.Usage(kn.status().message());
    if (donors.path == "-") {
      return cl.Usage("--shard needs a file: its rows are counted first");
    }
    shard = *kn;
  }
  const std::string out = *args.Get("out");
  int threads = 0;
  if (auto v = args.Get("threads");
      v && (!absl::SimpleAtoi(*v, &threads) || threads < 1 ||
            threads > registry::kMaxThreads)) {
    return cl.Usage(absl::StrCat("--threads: a number from 1 to ", registry::kMaxThreads));
  }
  donors.threads = threads;
  if (absl::Status s = CheckPaths(args); !s.ok()) return cl.Fail(s);

  absl::StatusOr<data::Resolver> resolver = LoadResolver(args);
  if (!resolver.ok()) return cl.Reject(resolver.status().message());
  if (registry::IsIndexFile(donors.path)) {
    return cl.Usage("--donors is already an index");
  }
  std::string shard_note;
  if (shard) {
    registry::IngestOptions io;
    io.id_column = donors.id_column;
    absl::StatusOr<size_t> rows = registry::CountDonorRows(donors.path, io);
    if (!rows.ok()) return cl.Reject(rows.status().message());
    const registry::RowRange r =
        registry::ShardRows(*rows, shard->first, shard->second);
    donors.first_row = r.first;
    donors.end_row = r.end;
    shard_note = absl::StrCat("shard ", shard->first, "/", shard->second,
                              ": data rows ", r.first + 1, " to ", r.end,
                              " of ", *rows, "; ");
  }
  size_t rejected = 0;
  registry::IngestStats stats;
  absl::StatusOr<registry::DonorStore> store =
      LoadDonors(donors, *resolver, cmd, &rejected, &stats);
  if (!store.ok()) return cl.Reject(store.status().message());
  // The imputations, unless --no-impute: a release the shipped frequency
  // table cannot be bound to is said, and the index made without them.
  std::string impute_note;
  if (!args.Has("no-impute")) {
    absl::StatusOr<std::unique_ptr<const impute::Imputer>> imputer =
        impute::Imputer::LoadShipped(resolver->reference_ptr());
    if (!imputer.ok()) {
      impute_note = absl::StrCat("not imputed (", imputer.status().message(), "); ");
    } else {
      const auto start = std::chrono::steady_clock::now();
      if (absl::Status s = Impute(cmd, **imputer, threads, &*store); !s.ok()) {
        return cl.Reject(s.message());
      }
      const registry::DonorStore::ImputationCounts n = store->imputation_counts();
      impute_note = absl::StrFormat(
          "imputed in %.1f s (%d explained by the haplotype table, %d not explained, "
          "%d too vaguely typed, %d phased or '|' typings left to their reports); ",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          n.explained, n.unexplained, n.refused, n.fallback);
    }
  }
  const auto write_start = std::chrono::steady_clock::now();
  if (absl::Status s = registry::WriteIndex(*store, out); !s.ok()) {
    return cl.Reject(s.message());
  }
  const double write_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - write_start).count();
  *cmd.err << shard_note << impute_note;
  *cmd.err << absl::StrFormat(
      "read %d, indexed %d, rejected %d; %.1f bytes/donor all in (%.1f in "
      "the records, %.1f in imputations, the rest in %d distinct typings); "
      "%.0f rows/s (%.1f s reading); wrote %s in %.1f s\n",
      stats.rows, store->size(), rejected, store->bytes_per_donor(),
      store->record_bytes_per_donor(),
      store->size() > 0 ? static_cast<double>(store->imputation_bytes()) /
                              static_cast<double>(store->size())
                        : 0.0,
      store->dictionary_entries(),
      stats.seconds > 0 ? static_cast<double>(stats.rows) / stats.seconds : 0.0,
      stats.seconds, out, write_seconds);
  return rejected > 0 ? kExitRejected : kExitOk;
}

}  // namespace hla::cli
