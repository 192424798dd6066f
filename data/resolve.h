// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The resolver: a syntax tree (hla/gl.h) -> a typing made of the allele ids,
// groups and antigens of one IPD-IMGT/HLA release.
//
//   HLA_ASSIGN_OR_RETURN(hla::GlString gl, hla::parser::ParseGlString(text));
//   hla::data::Resolver resolver(reference, macs);
//   HLA_ASSIGN_OR_RETURN(hla::data::ResolvedTyping t, resolver.Resolve(gl));
//   for (const std::string& w : t.warnings) ...
//
// What each written name stands for (docs/conventions.md has the reasons):
//   A*01:01:01:01         that allele
//   A*02:01, A*02:01:01   every allele the name prefixes, field-wise
//                         (A*02:14 never matches A*02:149)
//   A*01:04N              the alleles of A*01:04 carrying that suffix
//                         (py-ard's "short null")
//   A*0201, A*0105N       a pre-2010 name: the release's name history first,
//                         then py-ard's digit split (A*01011 -> A*01:011)
//   deleted / renamed     its current name(s) per hla_nom.txt, with a warning
//   A*02:AB, DRB1*15:DFJR a MAC from the loaded table: generic codes with any
//                         first field, allele-specific codes only with the
//                         first field py-ard deems valid; each expansion
//                         item checked against the release
//   A*02:XX               every allele of that first field (plus py-ard's DNA
//                         broads: A*09:XX = A*23 + A*24)
//   A*01:01:01G, B*07:02P the members of a named G / P group
//   A*01:01g              non-strict only (as py-ard): a small-g group
//   A2, B44, Cw10, DR2    the alleles carrying the antigen (rel_dna_ser
//                         unambiguous/possible/assumed); a broad includes its
//                         splits; associated antigens are kept apart
//   DRB4*NNNN, NEW        a WMDA placeholder: no alleles (when accepted)
//
// Thread safety: a Resolver is immutable after construction; Resolve() may
// be called from any number of threads.
#ifndef HLA_DATA_RESOLVE_H_
#define HLA_DATA_RESOLVE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/mac_table.h"
#include "data/reference.h"
#include "hla/gl.h"

namespace hla::data {

struct ResolveOptions {
  // Strict (default, py-ard's default): every name must be spelled as the
  // release spells it. Non-strict also accepts a name that exists with an
  // expression suffix the input lacks or misspells ("A*24:329" ->
  // A*24:329Q) and small-g names ("A*01:01g").
  bool strict = true;
  // Accept WMDA placeholders (DRB4*NNNN, NEW, ...) as leaves without alleles
  // (py-ard's ignore_allele_with_suffixes=(NNNN,UUUU) and more). When false
  // they are errors.
  bool accept_placeholders = true;
};

// How a leaf was resolved.
enum class LeafKind : uint8_t {
  kAllele,       // an exact allele name
  kTruncated,    // a prefix of 1-3 fields (with or without a suffix filter)
  kLegacy,       // a pre-2010 name, mapped
  kHistory,      // a deleted or renamed name, mapped to its current name(s)
  kMac,          // an NMDP multiple allele code
  kXX,           // first field :XX
  kGGroup,
  kPGroup,
  kSmallG,
  kSerology,
  kPlaceholder,  // no alleles by design (NNNN, NEW, ...)
};

// One leaf: what one written name stands for in the release.
struct ResolvedLeaf {
  Token token;                     // as parsed (offset/length into the input)
  LeafKind kind = LeafKind::kAllele;
  std::vector<AlleleId> alleles;   // ascending, unique
  std::vector<AntigenId> antigens; // serology only: the antigen written
  // The current WHO spelling the leaf stands for, when it differs from the
  // token's own (legacy, history, suffix repair, MAC/XX items joined by '/');
  // empty otherwise. No "HLA-" prefix.
  std::string normalized;
};

// The tree of a resolved typing; the shape (operators) is the parse tree's,
// so phase ('~') and genotype ('+') stay available to a matcher.
struct ResolvedNode {
  GlOp op = GlOp::kAlleleList;           // inner nodes only
  ResolvedLeaf leaf;                     // leaves only
  std::vector<ResolvedNode> children;    // empty for a leaf
  bool is_leaf() const { return children.empty(); }
};

struct ResolvedTyping {
  ResolvedNode root;
  // One sentence per fact the user should know but that is not an error:
  // "A*0105N at offset 0: withdrawn 2001-07-17 (Sequence identical); read as
  // A*01:04:01:01N". In input order.
  std::vector<std::string> warnings;
};

// The most alleles one typing may stand for, its leaves summed: 25 times
// the whole release (about 40,000 alleles), far above any laboratory's
// typing (an XX code is a few thousand), and 4 MB of ids. A text of 50,000
// serology alternatives once took 5 GB to resolve and reduce.
inline constexpr size_t kMaxResolvedAlleles = 1000000;
// The OutOfRangeError for a typing over kMaxResolvedAlleles, naming the
// token at which the count passed it (Resolve and the Reducer alike).
absl::Status TooManyAlleles(const Token& token);

class Resolver {
 public:
  // REQUIRES: reference != nullptr. `macs` may be null: every MAC is then
  // "unknown MAC code (no MAC table loaded)".
  Resolver(std::shared_ptr<const Reference> reference,
           std::shared_ptr<const MacTable> macs, ResolveOptions options = {});

  // Resolves every leaf of `gl`. Errors (the message quotes the token and its
  // byte offset in the parsed text, "'A*99:99' at offset 8: ..."):
  //   NotFoundError        a name that is not in the release ("not an allele
  //                        of IPD-IMGT/HLA 3.44.0"), an unknown serology, a
  //                        MAC code absent from the table ("unknown MAC code
  //                        'XYZ' (table dated 2020-07-11 ...)"), a name that
  //                        stands for no allele of the release;
  //   InvalidArgumentError a form the options reject (small-g in strict
  //                        mode, a placeholder when not accepted, an
  //                        allele-specific MAC with the wrong first field),
  //                        or a GLSC version other than the release's;
  //   OutOfRangeError      the leaves stand for more than
  //                        kMaxResolvedAlleles alleles in all.
  absl::StatusOr<ResolvedTyping> Resolve(const GlString& gl) const;

  // One token alone; warnings are appended to `warnings` (may be null).
  absl::StatusOr<ResolvedLeaf> ResolveToken(
      const Token& token, std::vector<std::string>* warnings) const;

  // The same into a caller-owned leaf, reusing its buffers (hot loops).
  // When `want_alleles` is false, `leaf->alleles` may stay empty for kinds
  // whose ids the caller does not need (truncations, XX): only validity is
  // checked.
  absl::Status ResolveTokenInto(const Token& token, bool want_alleles,
                                ResolvedLeaf* leaf,
                                std::vector<std::string>* warnings) const;

  const Reference& reference() const { return *ref_; }
  const std::shared_ptr<const Reference>& reference_ptr() const { return ref_; }
  const MacTable* macs() const { return macs_.get(); }
  const ResolveOptions& options() const { return options_; }

 private:
  std::shared_ptr<const Reference> ref_;
  std::shared_ptr<const MacTable> macs_;
  ResolveOptions options_;
};

// Every allele a resolved typing stands for, keeping its operators: each leaf
// prints as its alleles' IMGT names joined by '/' (ascending ids = field-
// numeric order), with "HLA-" on each when the token had it; a placeholder
// prints as written; a serology leaf without alleles (Bw4) as its antigen.
std::string ExpandToString(const Reference& ref, const ResolvedTyping& typing);

// The reference data every surface (CLI, service, embedders) starts from,
// loaded the one way they all load it.
struct ReferenceData {
  std::shared_ptr<const Reference> reference;
  std::shared_ptr<const MacTable> macs;
  std::string imgt_dir;  // the release directory `imgt` resolved to
  std::string mac_path;  // the MAC table file read
};

// Loads the release `imgt` names (as ResolveImgtDir: "" = the default
// release, a version, or a directory) and the MAC table at `mac_path` (""
// = the shipped subset under the data root). Returns the first error of
// ResolveImgtDir, Reference::Load, FindDataRoot ("MAC table: ..." prefixed)
// or MacTable::Load, whose messages name the file.
absl::StatusOr<ReferenceData> LoadReferenceData(absl::string_view imgt,
                                                absl::string_view mac_path,
                                                const DataPaths& paths);
// The same with DataPaths::FromEnvironment().
absl::StatusOr<ReferenceData> LoadReferenceData(absl::string_view imgt,
                                                absl::string_view mac_path);

}  // namespace hla::data

#endif  // HLA_DATA_RESOLVE_H_
