// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Names of the matcher's enumerations (CLI and JSON output) and the
// relationship parser.
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "matcher/match.h"

namespace hla::matcher {

absl::string_view ToString(MatchGrade grade) {
  switch (grade) {
    case MatchGrade::kUnknown: return "unknown";
    case MatchGrade::kMismatch: return "mismatch";
    case MatchGrade::kExpressingVsNull: return "expressing_vs_null";
    case MatchGrade::kBroad: return "broad";
    case MatchGrade::kSplit: return "split";
    case MatchGrade::kAssociated: return "associated";
    case MatchGrade::kNullMismatch: return "null_mismatch";
    case MatchGrade::kNullPartial: return "null_partial";
    case MatchGrade::kNullCdna: return "null_cDNA";
    case MatchGrade::kNullGdna: return "null_gDNA";
    case MatchGrade::kPGroup: return "P";
    case MatchGrade::kGGroup: return "G";
    case MatchGrade::kProtein: return "protein";
    case MatchGrade::kCdna: return "cDNA";
    case MatchGrade::kGdna: return "gDNA";
  }
  return "unknown";
}

absl::string_view ToString(MatchConfidence confidence) {
  switch (confidence) {
    case MatchConfidence::kMismatch: return "mismatch";
    case MatchConfidence::kPotential: return "potential";
    case MatchConfidence::kExact: return "exact";
    case MatchConfidence::kDefinite: return "definite";
  }
  return "mismatch";
}

absl::string_view ToString(Relationship relationship) {
  switch (relationship) {
    case Relationship::kUnknown: return "unknown";
    case Relationship::kParent: return "parent";
    case Relationship::kChild: return "child";
    case Relationship::kSibling: return "sibling";
    case Relationship::kHalfSibling: return "half_sibling";
    case Relationship::kOtherRelated: return "other_related";
    case Relationship::kUnrelated: return "unrelated";
  }
  return "unknown";
}

absl::string_view ToString(HaploVerdict verdict) {
  switch (verdict) {
    case HaploVerdict::kIdentical: return "identical";
    case HaploVerdict::kHaploidentical: return "haploidentical";
    case HaploVerdict::kHaplotypeMatched: return "haplotype-matched";
    case HaploVerdict::kHaploCompatible: return "haplo-compatible";
    case HaploVerdict::kNotHaploidentical: return "not-haploidentical";
    case HaploVerdict::kInsufficientTyping: return "insufficient-typing";
  }
  return "insufficient-typing";
}

absl::string_view ToString(TceCategory category) {
  switch (category) {
    case TceCategory::kNotScored: return "not_scored";
    case TceCategory::kMatch: return "match";
    case TceCategory::kPermissive: return "permissive";
    case TceCategory::kNonPermissiveGvH: return "non_permissive_gvh";
    case TceCategory::kNonPermissiveHvG: return "non_permissive_hvg";
    case TceCategory::kUnknown: return "unknown";
  }
  return "unknown";
}

absl::string_view ToString(LeaderMatch match) {
  switch (match) {
    case LeaderMatch::kNotAssessed: return "not_assessed";
    case LeaderMatch::kHlaBMatched: return "hla_b_matched";
    case LeaderMatch::kMatched: return "leader_matched";
    case LeaderMatch::kMismatched: return "leader_mismatched";
    case LeaderMatch::kUnknown: return "unknown";
    case LeaderMatch::kDoubleMismatch: return "hla_b_double_mismatch";
  }
  return "unknown";
}

absl::string_view ToString(KirLigandGroup group) {
  switch (group) {
    case KirLigandGroup::kC1: return "C1";
    case KirLigandGroup::kC2: return "C2";
    case KirLigandGroup::kBw4: return "Bw4";
  }
  return "unknown";
}

absl::string_view ToString(LigandPresence presence) {
  switch (presence) {
    case LigandPresence::kAbsent: return "absent";
    case LigandPresence::kPossible: return "possible";
    case LigandPresence::kDefinite: return "definite";
    case LigandPresence::kUnknown: return "unknown";
  }
  return "unknown";
}

absl::StatusOr<Relationship> ParseRelationship(absl::string_view text) {
  std::string key;
  for (char c : absl::StripAsciiWhitespace(text)) {
    if (c == ' ' || c == '-') c = '_';
    key.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  struct Entry {
    absl::string_view word;  // compared by length first: a registry reads
                             // this for every row
    Relationship relationship;
  };
  static constexpr Entry kWords[] = {
      {"", Relationship::kUnknown},
      {"unknown", Relationship::kUnknown},
      {"parent", Relationship::kParent},
      {"mother", Relationship::kParent},
      {"father", Relationship::kParent},
      {"child", Relationship::kChild},
      {"son", Relationship::kChild},
      {"daughter", Relationship::kChild},
      {"sibling", Relationship::kSibling},
      {"brother", Relationship::kSibling},
      {"sister", Relationship::kSibling},
      {"twin", Relationship::kSibling},
      {"half_sibling", Relationship::kHalfSibling},
      {"half_brother", Relationship::kHalfSibling},
      {"half_sister", Relationship::kHalfSibling},
      {"related", Relationship::kOtherRelated},
      {"other_related", Relationship::kOtherRelated},
      {"other", Relationship::kOtherRelated},
      {"cousin", Relationship::kOtherRelated},
      {"aunt", Relationship::kOtherRelated},
      {"uncle", Relationship::kOtherRelated},
      {"niece", Relationship::kOtherRelated},
      {"nephew", Relationship::kOtherRelated},
      {"grandparent", Relationship::kOtherRelated},
      {"grandmother", Relationship::kOtherRelated},
      {"grandfather", Relationship::kOtherRelated},
      {"grandchild", Relationship::kOtherRelated},
      {"grandson", Relationship::kOtherRelated},
      {"granddaughter", Relationship::kOtherRelated},
      {"unrelated", Relationship::kUnrelated},
  };
  for (const Entry& e : kWords) {
    if (key == e.word) return e.relationship;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown relationship '", text,
      "' (expected parent, mother, father, child, son, daughter, sibling, "
      "brother, sister, half-sibling, related, cousin, ..., unrelated)"));
}

}  // namespace hla::matcher
