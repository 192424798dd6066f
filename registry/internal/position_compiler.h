// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// INTERNAL: one gene copy's text ("A*02:01/A*02:779/A*02:1013") compiled
// into the one position ingest interns, as the whole path (parse, resolve,
// matcher::BuildGenotype) compiles it, but faster for the registry's most
// common new spelling: an allele list of names, each met before in other
// lists. A 200k-donor registry of the default mix has some 100,000 such
// lists, most of three or four names of one P group (A*02:01 and rarer
// proteins of it), and parsing and resolving each name anew was most of
// compiling them.
#ifndef HLA_REGISTRY_INTERNAL_POSITION_COMPILER_H_
#define HLA_REGISTRY_INTERNAL_POSITION_COMPILER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "data/resolve.h"
#include "hla/locus.h"
#include "matcher/match.h"

namespace hla::registry::internal {

// A gene copy compiled: `ok` when the text is one unphased position of one
// matching locus (anything else takes ingest's whole-typing path, which
// words the errors).
struct CompiledPosition {
  bool ok = false;
  Locus locus = Locus::kA;
  matcher::PositionTyping typing;
};

// Not thread-safe (it remembers names): one per thread. The resolver is
// only read, and must outlive it.
class PositionCompiler {
 public:
  // `max_names`: how many names it remembers (at least 1).
  explicit PositionCompiler(const data::Resolver* resolver,
                            size_t max_names = kDefaultMaxNames)
      : resolver_(resolver), max_names_(max_names < 1 ? 1 : max_names) {}

  // CompileWhole(text), the same in every field, faster when `text` is
  // names joined by '/', each an allele name or a truncated one
  // ("A*02:01", "HLA-B*44:02:01:01"): each name is parsed and resolved once
  // (remembered), the list's position made from them as BuildGenotype
  // makes it, and compiled (matcher::CompilePosition). Anything else
  // (shorthand, MACs, XX codes, groups, serology, placeholders, names of
  // other loci, whitespace, operators) takes CompileWhole.
  CompiledPosition Compile(absl::string_view text);

  // ParseGlString, Resolver::Resolve and matcher::BuildGenotype on `text`.
  CompiledPosition CompileWhole(absl::string_view text) const;

  // Names remembered (bounded: past max_names, or kMaxNameAlleles alleles
  // held, the memory starts again; a release has some 50,000 names).
  size_t names() const { return store_.size(); }
  static constexpr size_t kDefaultMaxNames = size_t{1} << 16;
  static constexpr size_t kMaxNameAlleles = size_t{1} << 22;
  // A longer piece is no name of the release ("HLA-DRB1*15:01:01:01N" is
  // 21): it takes the whole path and is not remembered, so the memory of
  // names holds at most max_names x 64 bytes of text.
  static constexpr size_t kMaxNameBytes = 64;

 private:
  // One name of a list, compiled alone.
  struct Name {
    bool usable = false;  // an allele or truncated name of a matching locus
    Locus locus = Locus::kA;
    std::string text;                    // canonical (AppendToken)
    std::vector<data::AlleleId> alleles;  // ascending, unique, not empty
  };
  const Name& Lookup(absl::string_view name);

  const data::Resolver* resolver_;
  size_t max_names_;
  std::vector<Name> store_;
  absl::flat_hash_map<std::string, uint32_t> index_;  // name -> store_
  size_t name_alleles_ = 0;
  // Scratch for Compile: the list's names, as indexes into store_.
  std::vector<uint32_t> list_;
};

}  // namespace hla::registry::internal

#endif  // HLA_REGISTRY_INTERNAL_POSITION_COMPILER_H_
