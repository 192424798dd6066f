// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "registry/internal/position_compiler.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "hla/gl.h"
#include "parser/parse.h"

namespace hla::registry::internal {

CompiledPosition PositionCompiler::CompileWhole(absl::string_view text) const {
  CompiledPosition c;
  absl::StatusOr<GlString> gl = parser::ParseGlString(text);
  absl::StatusOr<data::ResolvedTyping> t =
      gl.ok() ? resolver_->Resolve(*gl) : absl::StatusOr<data::ResolvedTyping>(gl.status());
  absl::StatusOr<matcher::Genotype> g =
      t.ok() ? matcher::BuildGenotype(resolver_->reference(), *t)
             : absl::StatusOr<matcher::Genotype>(t.status());
  if (!g.ok() || g->phased) return c;
  int typed = 0;
  for (Locus l : kAllLoci) {
    const matcher::LocusTyping& lt = g->at(l);
    if (lt.typed_positions == 0) continue;
    ++typed;
    if (lt.typed_positions != 1 || !lt.alternatives.empty() || lt.phased ||
        lt.pos[0].haplotype >= 0) {
      return c;
    }
    c.locus = l;
  }
  if (typed != 1) return c;
  c.ok = true;
  c.typing = std::move(g->at(c.locus).pos[0]);
  return c;
}

const PositionCompiler::Name& PositionCompiler::Lookup(absl::string_view name) {
  if (auto it = index_.find(name); it != index_.end()) return store_[it->second];
  Name n;
  // The name alone, as the whole path reads it inside a list: the list
  // grammar's element is the name grammar, and a leaf resolves alone.
  absl::StatusOr<GlString> gl = parser::ParseGlString(name);
  if (gl.ok() && gl->root.is_leaf() && gl->glsc_namespace.empty() &&
      gl->glsc_version.empty()) {
    absl::StatusOr<data::ResolvedTyping> t = resolver_->Resolve(*gl);
    if (t.ok() && t->root.is_leaf()) {
      const data::ResolvedLeaf& leaf = t->root.leaf;
      // Names standing for their alleles (not consolidated, no serology, no
      // placeholder): BuildGenotype's position is then their alleles and
      // their texts joined.
      const bool names_alleles =
          leaf.kind == data::LeafKind::kAllele || leaf.kind == data::LeafKind::kTruncated ||
          leaf.kind == data::LeafKind::kLegacy || leaf.kind == data::LeafKind::kHistory;
      if (names_alleles && leaf.token.kind != TokenKind::kSerology &&
          !leaf.alleles.empty() && leaf.antigens.empty()) {
        const data::Reference& ref = resolver_->reference();
        // The leaf's locus as BuildGenotype takes it (its first allele's).
        const std::optional<Locus> locus =
            ref.loci()[ref.allele(leaf.alleles.front()).locus].locus;
        if (locus) {
          n.usable = true;
          n.locus = *locus;
          AppendToken(leaf.token, &n.text);
          n.alleles = leaf.alleles;
        }
      }
    }
  }
  name_alleles_ += n.alleles.size();
  index_.emplace(std::string(name), static_cast<uint32_t>(store_.size()));
  store_.push_back(std::move(n));
  return store_.back();
}

CompiledPosition PositionCompiler::Compile(absl::string_view text) {
  // Plain lists only: no whitespace (trimmed, or an error, by the parser),
  // no operators, nothing outside ASCII names.
  if (text.empty() || text.size() > parser::kMaxGlStringBytes) return CompileWhole(text);
  for (const char ch : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '*' && ch != ':' &&
        ch != '-' && ch != '/') {
      return CompileWhole(text);
    }
  }
  // The memory starts again past its bounds (between lists: list_ holds
  // indexes into store_).
  if (store_.size() >= max_names_ || name_alleles_ >= kMaxNameAlleles) {
    index_.clear();
    store_.clear();
    name_alleles_ = 0;
  }
  list_.clear();
  size_t total = 0;
  for (const absl::string_view piece : absl::StrSplit(text, '/')) {
    // A piece without a locus is shorthand ("A*01:01/02"), or empty.
    if (piece.find('*') == absl::string_view::npos || piece.size() > kMaxNameBytes) {
      return CompileWhole(text);
    }
    const Name& n = Lookup(piece);
    if (!n.usable) return CompileWhole(text);
    // Loci mixed (an error), or more alleles than a typing may stand for:
    // the whole path says so.
    if (!list_.empty() && n.locus != store_[list_.front()].locus) return CompileWhole(text);
    total += n.alleles.size();
    if (total > data::kMaxResolvedAlleles) return CompileWhole(text);
    list_.push_back(static_cast<uint32_t>(&n - store_.data()));
  }
  CompiledPosition c;
  c.ok = true;
  c.locus = store_[list_.front()].locus;
  matcher::PositionTyping& p = c.typing;
  p.alleles.reserve(total);
  for (const uint32_t i : list_) {
    const Name& n = store_[i];
    if (!p.text.empty()) p.text.push_back('/');
    p.text.append(n.text);
    p.alleles.insert(p.alleles.end(), n.alleles.begin(), n.alleles.end());
  }
  if (!std::is_sorted(p.alleles.begin(), p.alleles.end())) {
    std::sort(p.alleles.begin(), p.alleles.end());
  }
  p.alleles.erase(std::unique(p.alleles.begin(), p.alleles.end()), p.alleles.end());
  matcher::CompilePosition(resolver_->reference(), c.locus, &p);
  return c;
}

}  // namespace hla::registry::internal
