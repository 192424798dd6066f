// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "hla/gl.h"

#include "absl/strings/str_cat.h"
#include "hla/json.h"

namespace hla {
namespace {

void AppendJsonToken(const Token& t, std::string* out) {
  out->append("{\"kind\":");
  AppendJsonString(TokenKindName(t.kind), out);
  out->append(",\"text\":");
  AppendJsonString(ToString(t), out);
  absl::StrAppend(out, ",\"hla_prefix\":", t.hla_prefix ? "true" : "false",
                  ",\"locus\":");
  AppendJsonString(t.locus, out);
  out->append(",\"fields\":[");
  for (size_t i = 0; i < t.fields.size(); ++i) {
    if (i > 0) out->push_back(',');
    std::string f;
    AppendFields(absl::MakeConstSpan(&t.fields[i], 1), &f);
    AppendJsonString(f, out);
  }
  out->append("],\"suffix\":");
  if (t.suffix != 0) {
    AppendJsonString(absl::string_view(&t.suffix, 1), out);
  } else {
    out->append("null");
  }
  out->append(",\"code\":");
  if (!t.code.empty()) {
    AppendJsonString(t.code, out);
  } else {
    out->append("null");
  }
  absl::StrAppend(out, ",\"shorthand\":", t.shorthand ? "true" : "false",
                  ",\"offset\":", t.offset, ",\"length\":", t.length, "}");
}

void AppendJsonNode(const GlNode& node, std::string* out) {
  if (node.is_leaf()) {
    AppendJsonToken(node.token, out);
    return;
  }
  out->append("{\"op\":");
  AppendJsonString(GlOpName(node.op), out);
  out->append(",\"operator\":");
  const char op = GlOpChar(node.op);
  AppendJsonString(absl::string_view(&op, 1), out);
  out->append(",\"children\":[");
  for (size_t i = 0; i < node.children.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonNode(node.children[i], out);
  }
  out->append("]}");
}

void AppendNode(const GlNode& node, std::string* out) {
  if (node.is_leaf()) {
    AppendToken(node.token, out);
    return;
  }
  const char op = GlOpChar(node.op);
  for (size_t i = 0; i < node.children.size(); ++i) {
    if (i > 0) out->push_back(op);
    AppendNode(node.children[i], out);
  }
}

void AppendDebug(const GlNode& node, std::string* out) {
  if (node.is_leaf()) {
    AppendToken(node.token, out);
    return;
  }
  out->push_back('(');
  out->push_back(GlOpChar(node.op));
  for (const GlNode& child : node.children) {
    out->push_back(' ');
    AppendDebug(child, out);
  }
  out->push_back(')');
}

}  // namespace

absl::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kAllele:
      return "allele";
    case TokenKind::kLegacy:
      return "legacy";
    case TokenKind::kLegacyMac:
      return "legacy_mac";
    case TokenKind::kGGroup:
      return "g_group";
    case TokenKind::kPGroup:
      return "p_group";
    case TokenKind::kSmallG:
      return "small_g";
    case TokenKind::kMac:
      return "mac";
    case TokenKind::kXX:
      return "xx";
    case TokenKind::kSerology:
      return "serology";
    case TokenKind::kPlaceholder:
      return "placeholder";
  }
  return "unknown";
}

char GlOpChar(GlOp op) {
  switch (op) {
    case GlOp::kParalog:
      return '?';
    case GlOp::kMultilocus:
      return '^';
    case GlOp::kGenotypeList:
      return '|';
    case GlOp::kGenotype:
      return '+';
    case GlOp::kHaplotype:
      return '~';
    case GlOp::kAlleleList:
      return '/';
  }
  return '/';
}

absl::string_view GlOpName(GlOp op) {
  switch (op) {
    case GlOp::kParalog:
      return "paralog";
    case GlOp::kMultilocus:
      return "multilocus";
    case GlOp::kGenotypeList:
      return "genotype_list";
    case GlOp::kGenotype:
      return "genotype";
    case GlOp::kHaplotype:
      return "haplotype";
    case GlOp::kAlleleList:
      return "allele_list";
  }
  return "allele_list";
}

bool operator==(const Token& a, const Token& b) {
  return a.kind == b.kind && a.hla_prefix == b.hla_prefix &&
         a.shorthand == b.shorthand && a.suffix == b.suffix &&
         a.locus == b.locus && a.fields == b.fields && a.code == b.code &&
         a.offset == b.offset && a.length == b.length;
}

bool operator==(const GlNode& a, const GlNode& b) {
  if (a.is_leaf() != b.is_leaf()) return false;
  if (a.is_leaf()) return a.token == b.token;
  return a.op == b.op && a.children == b.children;
}

void AppendToken(const Token& t, std::string* out) {
  if (t.hla_prefix) out->append("HLA-");
  out->append(t.locus);
  switch (t.kind) {
    case TokenKind::kSerology:
      out->append(t.code);
      return;
    case TokenKind::kPlaceholder:
      if (!t.locus.empty()) out->push_back('*');
      out->append(t.code);
      return;
    case TokenKind::kLegacy:
      out->push_back('*');
      out->append(t.code);
      break;
    case TokenKind::kLegacyMac:
      out->push_back('*');
      AppendFields(t.fields, out);
      out->append(t.code);
      return;
    case TokenKind::kMac:
    case TokenKind::kXX:
      out->push_back('*');
      AppendFields(t.fields, out);
      out->push_back(':');
      out->append(t.code);
      return;
    case TokenKind::kAllele:
    case TokenKind::kGGroup:
    case TokenKind::kPGroup:
    case TokenKind::kSmallG:
      out->push_back('*');
      AppendFields(t.fields, out);
      break;
  }
  if (t.suffix != 0) out->push_back(t.suffix);
  switch (t.kind) {
    case TokenKind::kGGroup:
      out->push_back('G');
      break;
    case TokenKind::kPGroup:
      out->push_back('P');
      break;
    case TokenKind::kSmallG:
      out->push_back('g');
      break;
    default:
      break;
  }
}

std::string ToString(const Token& token) {
  std::string out;
  AppendToken(token, &out);
  return out;
}

std::string ToString(const GlNode& node) {
  std::string out;
  AppendNode(node, &out);
  return out;
}

std::string ToString(const GlString& gl) {
  std::string out;
  if (!gl.glsc_namespace.empty()) {
    absl::StrAppend(&out, gl.glsc_namespace, "#", gl.glsc_version, "#");
  }
  AppendNode(gl.root, &out);
  return out;
}

std::string DebugString(const GlNode& node) {
  std::string out;
  AppendDebug(node, &out);
  return out;
}

std::string DebugString(const GlString& gl) {
  std::string out;
  if (!gl.glsc_namespace.empty()) {
    absl::StrAppend(&out, gl.glsc_namespace, "#", gl.glsc_version, "# ");
  }
  AppendDebug(gl.root, &out);
  return out;
}

std::string ToJson(const Token& token) {
  std::string out;
  AppendJsonToken(token, &out);
  return out;
}

std::string ToJson(const GlString& gl) {
  std::string out = "{\"canonical\":";
  AppendJsonString(ToString(gl), &out);
  out.append(",\"glsc\":");
  if (gl.glsc_namespace.empty()) {
    out.append("null");
  } else {
    out.append("{\"namespace\":");
    AppendJsonString(gl.glsc_namespace, &out);
    out.append(",\"version\":");
    AppendJsonString(gl.glsc_version, &out);
    out.push_back('}');
  }
  out.append(",\"tree\":");
  AppendJsonNode(gl.root, &out);
  out.push_back('}');
  return out;
}

}  // namespace hla
