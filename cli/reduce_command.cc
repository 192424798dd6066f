// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// haplomatch reduce   --level L [--imgt V|DIR] [--mac FILE] [--non-strict] [TYPING...]
// haplomatch validate           [--imgt V|DIR] [--mac FILE] [--non-strict] [TYPING...]
// haplomatch expand             [--imgt V|DIR] [--mac FILE] [--non-strict] [TYPING...]
//
// Each parses a typing (parser/), resolves it against one IPD-IMGT/HLA
// release (data/resolve.h) and prints one line: the reduction, "valid" /
// "invalid: <reason>", or every allele the typing stands for. With no TYPING
// arguments each reads standard input, one typing a line, and writes exactly
// one line per input line ("error: <message>" for a line that fails), so
// that scripts can pair inputs and outputs. Warnings (renamed alleles,
// pre-2010 names) go to stderr. Exit: 0 all lines succeeded, 1 some failed
// (or the data could not be loaded), 2 usage error.
//
// Standard input is read in batches answered on --threads cores, each batch
// written in input order; each thread keeps a bounded memo of whole lines
// (registry extracts repeat typings) beside the reducer's cache of names.
#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <ios>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/args.h"
#include "cli/common.h"
#include "cli/command.h"
#include "cli/command_line.h"
#include "data/mac_table.h"
#include "data/reduce.h"
#include "data/reference.h"
#include "data/resolve.h"
#include "hla/gl.h"
#include "matcher/match.h"
#include "parser/parse.h"
#include "registry/rank.h"

namespace hla::cli {
namespace {

enum class Mode { kReduce, kValidate, kExpand, kMacEncode, kMacDecode };

constexpr char kCommonFlags[] =
    "  --imgt V|DIR    a shipped release (3.58.0, 3.44.0, or py-ard's 3440)\n"
    "                  or a release directory; default $HAPLOMATCH_IMGT,\n"
    "                  else 3.58.0\n"
    "  --mac FILE      NMDP's alpha.v3.txt; default the shipped 2020 subset\n"
    "  --non-strict    also accept names that exist with an expression\n"
    "                  suffix (A*24:329 -> A*24:329Q) and small-g names\n"
    "  --no-placeholders  reject WMDA placeholders (DRB4*NNNN, NEW)\n"
    "  --threads N     cores for standard input, 1 to 256 (default: the\n"
    "                  hardware's); output order is input order\n"
    "  --help          show this help\n"
    "\n"
    "Without TYPING arguments, reads one typing per line from standard input\n"
    "and writes exactly one line per input line ('error: <message>' for a\n"
    "line that fails). Exit 0 if every typing succeeded, 1 if any failed.\n";

std::string Usage(Mode mode) {
  switch (mode) {
    case Mode::kReduce:
      return absl::StrCat(
          "usage: haplomatch reduce [--level L] [flags] [TYPING...]\n\n"
          "Reduces each typing with NMDP py-ard's semantics (docs/"
          "conventions.md\nlists where we differ and why).\n\nflags:\n"
          "  --level L       G, P, lg, lgx (default), exon, W, U2, S or 1F\n"
          "  --no-ping       do not apply py-ard's ping rules (lg/lgx/U2)\n"
          "  --ars-as-lg     level lg appends 'ARS' instead of 'g'\n"
          "  --g-named-only  level G: only named G groups, as py-ard (drops\n"
          "                  alleles in no named group; see docs/conventions.md)\n",
          kCommonFlags);
    case Mode::kValidate:
      return absl::StrCat(
          "usage: haplomatch validate [flags] [TYPING...]\n\n"
          "Prints 'valid' or 'invalid: <reason>' for each typing: whether\n"
          "every name in it stands for alleles of the release.\n\nflags:\n",
          kCommonFlags);
    case Mode::kExpand:
      return absl::StrCat(
          "usage: haplomatch expand [flags] [TYPING...]\n\n"
          "Prints every allele each typing stands for, keeping its GL\n"
          "operators (each name becomes a '/' list of IMGT allele names).\n\n"
          "flags:\n",
          kCommonFlags);
    case Mode::kMacEncode:
    case Mode::kMacDecode:
      return absl::StrCat(
          "usage: haplomatch mac encode [flags] [ALLELE_LIST...]\n"
          "       haplomatch mac decode [flags] [MAC...]\n\n"
          "NMDP multiple allele codes, from the loaded MAC table (--mac; the\n"
          "shipped one is a 2020 subset, so a code it lacks may exist):\n"
          "  encode  the code that stands for exactly a '/' list of 2-field\n"
          "          names of one locus: A*01:01/A*01:02 -> A*01:AB\n"
          "  decode  the 2-field names a code stands for in NMDP's table:\n"
          "          A*01:AB -> A*01:01/A*01:02 ('expand' gives the alleles)\n\n"
          "flags:\n",
          kCommonFlags);
  }
  return "";
}

absl::string_view CommandName(Mode mode) {
  switch (mode) {
    case Mode::kReduce:
      return "reduce";
    case Mode::kValidate:
      return "validate";
    case Mode::kExpand:
      return "expand";
    case Mode::kMacEncode:
      return "mac encode";
    case Mode::kMacDecode:
      return "mac decode";
  }
  return "";
}

// What every thread shares: immutable after setup.
struct Engine {
  Mode mode;
  data::ReductionLevel level = data::ReductionLevel::kLgx;
  std::unique_ptr<data::Resolver> resolver;
  std::unique_ptr<data::Reducer> reducer;
};

// One line's answer: the line to print, the warnings for standard error,
// and whether it succeeded.
struct Answer {
  std::string line;
  std::vector<std::string> warnings;
  bool ok = true;
};

// The answer to one typing: a pure function of the engine and the text.
Answer Compute(const Engine& e, const std::string& typing,
               data::ReduceCache* cache) {
  Answer a;
  absl::StatusOr<GlString> gl = parser::ParseGlString(typing);
  if (!gl.ok()) {
    a.line = absl::StrCat(e.mode == Mode::kValidate ? "invalid: " : "error: ",
                          gl.status().message());
    a.ok = false;
    return a;
  }
  switch (e.mode) {
    case Mode::kMacEncode:
    case Mode::kMacDecode: {
      absl::StatusOr<std::string> r =
          e.mode == Mode::kMacEncode ? data::EncodeMac(*e.resolver, typing)
                                     : data::DecodeMac(*e.resolver, *gl);
      if (r.ok()) {
        a.line = *std::move(r);
      } else {
        a.line = absl::StrCat("error: ", r.status().message());
        a.ok = false;
      }
      break;
    }
    case Mode::kReduce: {
      absl::StatusOr<data::ReduceResult> r =
          e.reducer->Reduce(*gl, e.level, cache);
      if (r.ok()) {
        a.line = std::move(r->text);
        a.warnings = std::move(r->warnings);
      } else {
        a.line = absl::StrCat("error: ", r.status().message());
        a.ok = false;
      }
      break;
    }
    case Mode::kValidate:
    case Mode::kExpand: {
      absl::StatusOr<data::ResolvedTyping> t = e.resolver->Resolve(*gl);
      if (!t.ok()) {
        a.line = absl::StrCat(e.mode == Mode::kValidate ? "invalid: " : "error: ",
                              t.status().message());
        a.ok = false;
        break;
      }
      if (e.mode == Mode::kValidate) {
        // Valid means `match` takes it too: BuildGenotype's checks (a list
        // or a '+' mixing loci, a locus in two '^' blocks, more than two
        // typings at a locus, '?') are the one definition of a typing.
        absl::StatusOr<matcher::Genotype> g =
            matcher::BuildGenotype(e.resolver->reference(), *t);
        if (!g.ok()) {
          a.line = absl::StrCat("invalid: ", g.status().message());
          a.ok = false;
          break;
        }
      }
      a.line = e.mode == Mode::kValidate
                   ? std::string("valid")
                   : data::ExpandToString(e.resolver->reference(), *t);
      a.warnings = std::move(t->warnings);
      break;
    }
  }
  return a;
}

// Whole lines already answered, shared by the threads: the same line always
// gets the same answer (warnings included), so a hit is exact, and each
// distinct line is computed about once whatever thread meets it. Sharded by
// hash, one lock a shard. Node-based, and emptied only between batches
// (Trim), so an answer found stays valid for the batch. Bounded: past
// kBytes it starts afresh; answers over kAnswerBytes (serology or XX
// reduced to long lists, cheap again from the reducer's name cache) are
// not kept.
class LineMemo {
 public:
  static constexpr size_t kBytes = size_t{64} << 20;
  static constexpr size_t kAnswerBytes = 512;

  const Answer* Find(const std::string& line) {
    Shard& s = ShardOf(line);
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.map.find(line);
    return it == s.map.end() ? nullptr : &it->second;
  }
  // Keeps `a` if it is small enough; returns where it now is, or null.
  const Answer* Insert(const std::string& line, Answer&& a) {
    if (a.line.size() > kAnswerBytes) return nullptr;
    size_t bytes = line.size() + a.line.size() + 96;
    for (const std::string& w : a.warnings) bytes += w.size() + 32;
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    Shard& s = ShardOf(line);
    std::lock_guard<std::mutex> lock(s.mu);
    return &s.map.try_emplace(line, std::move(a)).first->second;
  }
  // Between batches only: no answer of the memo is in use.
  void Trim() {
    if (bytes_.load(std::memory_order_relaxed) <= kBytes) return;
    for (Shard& s : shards_) s.map.clear();
    bytes_ = 0;
  }

 private:
  struct Shard {
    std::mutex mu;
    absl::node_hash_map<std::string, Answer> map;
  };
  Shard& ShardOf(const std::string& line) {
    return shards_[absl::Hash<std::string>{}(line) % shards_.size()];
  }
  std::array<Shard, 64> shards_;
  std::atomic<size_t> bytes_{0};
};

// One thread's state: the reducer's cache of names, and what it wrote for
// its slice of the batch (standard output and standard error), kept apart
// so that the slices can be written in input order.
class Worker {
 public:
  void NewBatch() {
    out_.clear();
    err_.clear();
    ok_ = true;
  }

  void AnswerLine(const Engine& e, LineMemo* memo, const std::string& typing) {
    const Answer* a = memo->Find(typing);
    Answer local;
    if (a == nullptr) {
      local = Compute(e, typing, &cache_);
      a = memo->Insert(typing, std::move(local));
      if (a == nullptr) a = &local;  // too long to keep: not moved
    }
    Render(*a, e.mode);
  }

  void Render(const Answer& a, Mode mode) {
    absl::StrAppend(&out_, a.line, "\n");
    for (const std::string& w : a.warnings) {
      absl::StrAppend(&err_, "haplomatch ", CommandName(mode), ": warning: ",
                      w, "\n");
    }
    ok_ = ok_ && a.ok;
  }

  // Writes the slice; true when every line of it succeeded.
  bool Flush(Command& cmd) {
    cmd.out->write(out_.data(), static_cast<std::streamsize>(out_.size()));
    cmd.err->write(err_.data(), static_cast<std::streamsize>(err_.size()));
    return ok_;
  }

 private:
  data::ReduceCache cache_;
  std::string out_, err_;
  bool ok_ = true;
};

// A batch of input lines: at most kBatchLines lines or about kBatchBytes of
// input, so that memory stays bounded whatever the input's size (answers
// are small but for an expansion, which runs one line a batch: below).
constexpr size_t kBatchLines = 4096;
constexpr size_t kBatchBytes = size_t{8} << 20;

// Reads the next batch into lines[0, *count) (reusing their storage); a line
// over the parser's limit is kept as its length only (answered as rejected,
// never truncated). False at the end of input.
bool ReadBatch(std::istream& in, size_t max_lines,
               std::vector<std::string>* lines, std::vector<size_t>* lengths,
               size_t* count) {
  *count = 0;
  size_t bytes = 0;
  while (*count < max_lines && bytes < kBatchBytes) {
    if (*count == lines->size()) {
      lines->emplace_back();
      lengths->push_back(0);
    }
    std::string& line = (*lines)[*count];
    size_t& length = (*lengths)[*count];
    if (!ReadLine(in, parser::kMaxGlStringBytes, &line, &length)) break;
    bytes += line.size();
    ++*count;
  }
  return *count > 0;
}

// Every line of standard input, answered on workers->size() threads, each
// thread taking a contiguous slice of the batch, the slices written in
// order. An expansion (expand, reduce --level W) can be megabytes a line:
// one line a batch, as a stream.
bool RunLines(const Engine& e, std::vector<Worker>* workers, Command& cmd) {
  const bool expansion =
      e.mode == Mode::kExpand ||
      (e.mode == Mode::kReduce && e.level == data::ReductionLevel::kW);
  const size_t max_lines = expansion ? 1 : kBatchLines;
  LineMemo memo;
  bool all_ok = true;
  std::vector<std::string> lines;
  std::vector<size_t> lengths;
  size_t count = 0;
  while (ReadBatch(*cmd.in, max_lines, &lines, &lengths, &count)) {
    memo.Trim();
    const size_t threads =
        std::min(workers->size(), std::max<size_t>(1, count / 64));
    auto work = [&](size_t t) {
      Worker& w = (*workers)[t];
      w.NewBatch();
      const size_t lo = count * t / threads, hi = count * (t + 1) / threads;
      for (size_t i = lo; i < hi; ++i) {
        if (lengths[i] <= parser::kMaxGlStringBytes) {
          w.AnswerLine(e, &memo, lines[i]);
          continue;
        }
        Answer too_long;
        too_long.ok = false;
        too_long.line = absl::StrCat(
            "error: input of ", lengths[i], " bytes is over the limit of ",
            parser::kMaxGlStringBytes, " bytes (it is rejected, not truncated)");
        w.Render(too_long, e.mode);
      }
    };
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (std::thread& th : pool) th.join();
    for (size_t t = 0; t < threads; ++t) {
      all_ok = (*workers)[t].Flush(cmd) && all_ok;
    }
  }
  return all_ok;
}

FlagSpec ReduceFlagSpec(Mode mode) {
  FlagSpec spec;
  spec.value_flags = {"imgt", "mac", "threads"};
  spec.bool_flags = {"non-strict", "no-placeholders"};
  if (mode == Mode::kReduce) {
    spec.value_flags.insert("level");
    spec.bool_flags.insert("no-ping");
    spec.bool_flags.insert("ars-as-lg");
    spec.bool_flags.insert("g-named-only");
  }
  return spec;
}

// Threads for standard input: --threads is 1 to registry::kMaxThreads.
using registry::kMaxThreads;

struct ReduceConfig {
  data::ReductionLevel level = data::ReductionLevel::kLgx;
  data::ReduceOptions options;  // options.resolve for every mode
  int threads = 1;
};

// The errors are a bad --level or --threads (InvalidArgumentError).
absl::StatusOr<ReduceConfig> ParseReduceFlags(Mode mode, const Args& args) {
  ReduceConfig c;
  if (mode == Mode::kReduce) {
    const std::string level = args.GetOr("level", "lgx");
    std::optional<data::ReductionLevel> l = data::ParseReductionLevel(level);
    if (!l) {
      return absl::InvalidArgumentError(
          absl::StrCat("--level must be one of G, P, lg, lgx, exon, W, U2, "
                       "S, 1F, not '",
                       level, "'"));
    }
    c.level = *l;
  }
  c.threads = registry::ThreadsFor(0);
  if (auto v = args.Get("threads");
      v && (!absl::SimpleAtoi(*v, &c.threads) || c.threads < 1 ||
            c.threads > kMaxThreads)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--threads: a number from 1 to ", kMaxThreads, ", not '",
                     *v, "'"));
  }
  c.options.resolve.strict = !args.Has("non-strict");
  c.options.resolve.accept_placeholders = !args.Has("no-placeholders");
  c.options.ping = !args.Has("no-ping");
  if (args.Has("ars-as-lg")) c.options.lg_suffix = "ARS";
  c.options.g_named_groups_only = args.Has("g-named-only");
  return c;
}

int Run(Mode mode, Command& cmd) {
  CommandLine cl(cmd, absl::StrCat("haplomatch ", CommandName(mode)),
                 Usage(mode), ReduceFlagSpec(mode));
  if (std::optional<int> done = cl.Parse()) return *done;
  absl::StatusOr<ReduceConfig> config = ParseReduceFlags(mode, cl.args());
  // A bad --level or --threads is answered without the usage text.
  if (!config.ok()) return cl.UsageWithoutHelp(config.status().message());

  absl::StatusOr<data::ReferenceData> rd = LoadReferenceData(cl.args());
  if (!rd.ok()) return cl.Reject(rd.status().message());
  Engine e;
  e.mode = mode;
  e.level = config->level;
  e.resolver = std::make_unique<data::Resolver>(rd->reference, rd->macs,
                                                config->options.resolve);
  if (mode == Mode::kReduce) {
    e.reducer = std::make_unique<data::Reducer>(rd->reference, rd->macs,
                                                config->options);
  }

  std::vector<Worker> workers(static_cast<size_t>(config->threads));
  bool all_ok = true;
  if (!cl.args().positional().empty()) {
    data::ReduceCache cache;
    Worker& w = workers[0];
    for (const std::string& t : cl.args().positional()) {
      w.NewBatch();
      w.Render(Compute(e, t, &cache), mode);
      all_ok = w.Flush(cmd) && all_ok;
    }
  } else {
    all_ok = RunLines(e, &workers, cmd);
  }
  cmd.out->flush();
  return all_ok ? kExitOk : kExitRejected;
}

}  // namespace

int RunReduce(Command& cmd) { return Run(Mode::kReduce, cmd); }
int RunValidate(Command& cmd) { return Run(Mode::kValidate, cmd); }
int RunExpand(Command& cmd) { return Run(Mode::kExpand, cmd); }

int RunMac(Command& cmd) {
  const std::string usage = Usage(Mode::kMacEncode);
  if (cmd.args.empty()) {
    *cmd.err << usage;
    return kExitUsage;
  }
  const std::string sub = cmd.args[0];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    *cmd.out << usage;
    return kExitOk;
  }
  if (sub != "encode" && sub != "decode") {
    return CommandLine(cmd, "haplomatch mac", usage, {})
        .Usage(absl::StrCat("unknown subcommand '", sub,
                            "' (encode or decode)"));
  }
  Command rest = cmd;
  rest.args.erase(rest.args.begin());
  return Run(sub == "encode" ? Mode::kMacEncode : Mode::kMacDecode, rest);
}

}  // namespace hla::cli
