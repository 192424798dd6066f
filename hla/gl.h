// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The syntax tree of an HLA typing: what parser/parse.h produces and what the
// resolver (data/) consumes. Syntax only: nothing here knows whether a name
// exists in an IPD-IMGT/HLA release, which alleles a MAC stands for, or how a
// pre-2010 name maps to a current one. This header has no Boost in it, and
// hla::core does not depend on the parser, so a resolver can use these types
// without linking the grammar.
//
// A typing is a GL String (Milius et al. 2013; GL String 1.1, Mack et al. 2023)
// whose leaves are Tokens (one written name each) and whose inner nodes are
// n-ary operators:
//
//   A*01:01/A*01:02+A*24:02^B*08:01+B*44:02
//   = (^ (+ (/ A*01:01 A*01:02) A*24:02) (+ B*08:01 B*44:02))
//
// Canonical spelling (what ToString() prints; parse(ToString(x)) == x):
//   - no whitespace anywhere;
//   - the "HLA-" prefix is kept exactly where it was written, per name
//     (py-ard keeps it on every output element; we neither add nor drop it);
//   - allele-list shorthand is expanded: "A*01:01/02" prints "A*01:01/A*01:02";
//   - serology "DRw52"/"DQw7" print as the current WHO spelling "DR52"/"DQ7";
//   - field widths are kept as written ("MICA*001", "A*01:01");
//   - a GL String Code prints as "namespace#version#gl".
#ifndef HLA_GL_H_
#define HLA_GL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "hla/allele_name.h"

namespace hla {

// What one written name is. Examples are canonical spellings.
enum class TokenKind : uint8_t {
  // A WHO name (nomenclature since April 2010): 1 to 4 colon-separated fields
  // of 2 to 4 digits, optional expression suffix N L S C A Q.
  //   A*02  A*02:01  HLA-A*01:01:01:02N  MICA*001  DPB1*1001:01  B*39:01:01:02L
  // A one-field name is at most 3 digits: "A*0201" (4+ digits, no colon) is
  // kLegacy.
  kAllele,
  // A pre-2010 name: locus '*' 2 to 8 digits without colons, optional suffix.
  // `code` holds the digits, `suffix` the suffix, `fields` is empty. How the
  // digits split into fields depends on the release ("A*01011" is A*01:011 but
  // "DPA1*01011" is DPA1*010:11), so the resolver does the split.
  //   A*0201  A*02010101  DPA1*01011  A*0105N  A*01N
  kLegacy,
  // A pre-2010 MAC: locus '*' 2 to 8 digits immediately followed by 2 to 8
  // capital letters. `fields` holds the digits as one field, `code` the
  // letters.   DRB5*02ZB  A*01XX
  kLegacyMac,
  // A G group: 2 to 4 fields then 'G'.   A*01:01:01G  DPB1*28:01:01G
  kGGroup,
  // A P group: 2 to 4 fields then 'P'.   B*07:02P  C*12:04P
  kPGroup,
  // A small-g group (py-ard lg): 2 to 4 fields, optional expression suffix,
  // then 'g'.   A*01:01g  HLA-A*01:04Ng
  kSmallG,
  // An NMDP multiple allele code: locus '*' first field ':' 2 to 8 capital
  // letters other than "XX". `fields` holds the first field, `code` the
  // letters. Generic and allele-specific codes look alike; the MAC table
  // decides.   A*02:AB  DRB1*07:DFJR  A*01:MN (a MAC, not a null)
  kMac,
  // An XX code: locus '*' first field ":XX" (case-sensitive; never after two
  // fields). `fields` holds the first field, `code` is "XX".   A*02:XX
  kXX,
  // A serologic antigen. `locus` is the serologic locus as WHO writes it in
  // rel_ser_ser.txt ("A", "B", "Bw", "Cw", "DR", "DQ", "DPw"); `code` is the
  // number (1 to 4 digits, no leading zero). Splits, broads and associated
  // antigens look alike (A2, A203, A2403, B3901); the resolver tells them apart.
  //   A2  A203  B44  Bw4  Bw6  Cw7  DR4  DR52  DQ8  DPw6  HLA-A2
  kSerology,
  // A WMDA code standing in for an allele: "NNNN" (gene absent), "XXXX",
  // "UUUU", "NEW". With a locus ("DRB4*NNNN", "DRBX*NNNN") or bare ("NEW",
  // Atlas's placeholder typing). `code` holds the word.
  kPlaceholder,
};

// Lower-case snake_case name of a kind, as the JSON dump writes it:
// "allele", "legacy", "legacy_mac", "g_group", "p_group", "small_g", "mac",
// "xx", "serology", "placeholder".
absl::string_view TokenKindName(TokenKind kind);

// One written name and where it was written.
struct Token {
  TokenKind kind = TokenKind::kAllele;
  bool hla_prefix = false;  // written with "HLA-"
  // Written as allele-list shorthand ("02" in "A*01:01/02"): locus, prefix and
  // leading fields were copied from the previous element of the list.
  bool shorthand = false;
  char suffix = 0;      // 'N' 'L' 'S' 'C' 'A' 'Q' or 0
  std::string locus;    // "A", "DRB1", "MICA"; serology: "Cw", "DR", ...;
                        // empty only for a bare placeholder
  Fields fields;        // see TokenKind for what each kind stores here
  std::string code;     // MAC letters, legacy digits, serology number, word
  uint32_t offset = 0;  // byte span in the parsed input (untrimmed)
  uint32_t length = 0;

  friend bool operator==(const Token& a, const Token& b);
  friend bool operator!=(const Token& a, const Token& b) { return !(a == b); }
};

// GL String operators, from the loosest to the tightest binding. GL String 1.1
// puts '?' (possible gene locations) below '^': it splits first (Mack et al.,
// HLA 2023;102:206, doi:10.1111/tan.15126; glstring.org GLSC 1.1).
enum class GlOp : uint8_t {
  kParalog,       // '?'  possible gene locations (GL String 1.1)
  kMultilocus,    // '^'  loci of a multilocus unphased genotype
  kGenotypeList,  // '|'  genotype ambiguity
  kGenotype,      // '+'  gene copies
  kHaplotype,     // '~'  phased (cis) alleles
  kAlleleList,    // '/'  allele ambiguity
};

// The operator character: '?', '^', '|', '+', '~' or '/'.
char GlOpChar(GlOp op);
// "paralog", "multilocus", "genotype_list", "genotype", "haplotype",
// "allele_list".
absl::string_view GlOpName(GlOp op);

// A node of the tree: a leaf (one Token) or an operator with two or more
// children. Operators are n-ary ("a/b/c" is one node with three children) and
// a child's operator always binds tighter than its parent's, so the tree
// prints without brackets. A level with a single member is not a node: the
// tree of "A*01:01" is a single leaf.
struct GlNode {
  GlOp op = GlOp::kAlleleList;  // inner nodes only
  Token token;                  // leaves only
  std::vector<GlNode> children; // empty for a leaf

  bool is_leaf() const { return children.empty(); }

  friend bool operator==(const GlNode& a, const GlNode& b);
  friend bool operator!=(const GlNode& a, const GlNode& b) { return !(a == b); }
};

// A parsed typing. For a GL String Code ("hla#3.58.0#HLA-A*01:01") the
// namespace and version are kept; both are empty otherwise.
struct GlString {
  std::string glsc_namespace;  // "hla", "kir"
  std::string glsc_version;    // "3.58.0" (or a date, as GLSC allows)
  GlNode root;

  friend bool operator==(const GlString& a, const GlString& b) {
    return a.glsc_namespace == b.glsc_namespace &&
           a.glsc_version == b.glsc_version && a.root == b.root;
  }
  friend bool operator!=(const GlString& a, const GlString& b) {
    return !(a == b);
  }
};

// Canonical spellings (see the top of this file).
// REQUIRES for the GlNode/GlString forms: every child's operator binds tighter
// than its parent's, as the parser builds it.
std::string ToString(const Token& token);
std::string ToString(const GlNode& node);
std::string ToString(const GlString& gl);
void AppendToken(const Token& token, std::string* out);

// A bracketed, one-line dump of the structure for tests and debugging:
//   "A*01:01/A*01:02+A*24:02" -> "(+ (/ A*01:01 A*01:02) A*24:02)"
// A leaf prints as its canonical spelling; a GLSC prefix as "hla#3.58.0# ".
std::string DebugString(const GlNode& node);
std::string DebugString(const GlString& gl);

// The tree as one line of JSON (snake_case keys), for `haplomatch parse
// --format json`:
//   {"canonical":"A*01:01+A*02:01","glsc":null,"tree":{"op":"genotype",
//    "operator":"+","children":[{"kind":"allele","text":"A*01:01",
//    "hla_prefix":false,"locus":"A","fields":["01","01"],"suffix":null,
//    "code":null,"shorthand":false,"offset":0,"length":7}, ...]}}
// "glsc" is {"namespace":...,"version":...} for a GL String Code.
std::string ToJson(const GlString& gl);
std::string ToJson(const Token& token);

}  // namespace hla

#endif  // HLA_GL_H_
