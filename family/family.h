// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Family segregation: from the typings of a patient's family, assign
// parental haplotypes, detect recombinant and unexplained children, and say
// how many haplotypes each relative shares with the patient by descent, so
// that a haplo verdict can rest on proven phase ("family segregation")
// rather than on allele sharing alone. docs/family.md has the model, the
// algorithm, its limits and the measured agreement with synthetic truth.
//
//   std::vector<FamilyMember> members = ...;  // one family
//   HLA_ASSIGN_OR_RETURN(FamilyResult fam, Segregate("F1", members, {}));
//   for (const MemberResult& m : fam.members) ... m.letters, m.shared ...
//   ApplySegregation(fam, "F1-S1", &report);  // report from Match()
//
// Model. Haplotype letters: a, b for the father, c, d for the mother (the
// patient always carries a and c: labels are arbitrary, so the patient's
// choice names them); the patient's own children carry one of the
// patient's letters and e or f from their other parent (not in the file).
// A recombinant haplotype reads "a/b:B-DRB1": from a up to B, from b from
// DRB1 on (the synth ground-truth notation, docs/synth.md).
//
// Alleles are compared at ARD level: two typings are "the same allele" when
// their match_keys (P group; null alleles: small-g) intersect; an ambiguous
// typing is its set of keys; an untyped locus constrains nothing. Loci are
// used in chromosome order A, C, B, DRB1, DQB1, DPB1 (those typed by some
// member). A locus written as a genotype list ('|') is treated as untyped.
// '~' phase written in the input is not used.
//
// Sharing with the patient (MemberResult::shared): the number of the
// relative's haplotypes that are the patient's by descent over every used
// locus (a recombinant haplotype is not a shared one). Undetermined, with
// the reason, when the equally good explanations of the family disagree
// (both parents untyped with few children; parental haplotypes alike at
// every typed locus), when the person is untyped at every used locus, is
// not explained by the stated parents, or has role "other".
//
// Thread safety: plain functions of their arguments.
#ifndef HLA_FAMILY_FAMILY_H_
#define HLA_FAMILY_FAMILY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "data/reference.h"
#include "hla/locus.h"
#include "matcher/match.h"

namespace hla::family {

enum class FamilyRole : uint8_t {
  kPatient,
  kFather,
  kMother,
  kSibling,  // a full sibling: a child of the father and the mother
  kChild,    // the patient's child
  kOther,    // any other relative: listed, not segregated
  kPartner,  // the other parent of some of the patient's children: not a
             // relative of the patient; typed, it phases their children
  // Half-siblings of the patient: a child of the mother (maternal) or of
  // the father (paternal) with another partner, who is not in the file.
  // Segregated with the sibship, the other parent's side left free; when
  // the shared parent is not said (kHalfSibling), the explanations try both.
  kHalfSibling,
  kMaternalHalfSibling,
  kPaternalHalfSibling,
};
// "patient", "father", "mother", "sibling", "child", "other", "partner",
// "half_sibling", "maternal_half_sibling", "paternal_half_sibling".
absl::string_view ToString(FamilyRole role);
// Case-insensitive, '-' and ' ' read as '_': patient (also recipient,
// proband), father, mother, sibling (brother, sister), child (son,
// daughter), other, partner (spouse, other_parent), half_sibling
// (half_brother, half_sister), maternal_half_sibling (maternal_half_brother,
// maternal_half_sister), paternal_half_sibling (paternal_...). Anything else
// is InvalidArgumentError naming the text.
absl::StatusOr<FamilyRole> ParseFamilyRole(absl::string_view text);
// kHalfSibling, kMaternalHalfSibling or kPaternalHalfSibling.
bool IsHalfSibling(FamilyRole role);

struct FamilyMember {
  std::string id;
  FamilyRole role = FamilyRole::kOther;
  matcher::Genotype genotype;
  // A patient's child: the id of its other parent (a member with role
  // partner, typed or not) or just a name; children naming the same one
  // are segregated together. Empty: not named (see Segregate).
  std::string other_parent;
};

struct FamilyOptions {
  // Used loci, in chromosome order (crossovers lie between neighbours).
  std::vector<Locus> loci = {Locus::kA,    Locus::kC,    Locus::kB,
                             Locus::kDRB1, Locus::kDQB1, Locus::kDPB1};
  // Recombinant meioses tried in the whole family before a child is
  // declared unexplained (each meiosis has at most one crossover).
  int max_recombinations = 2;
  // Larger families are refused (InvalidArgumentError): the search is
  // exact and exponential in the number of children.
  size_t max_members = 12;
  uint64_t max_search_steps = 20'000'000;
};

struct MemberResult {
  std::string id;
  FamilyRole role = FamilyRole::kOther;
  // False for a parent not in the input whose haplotypes were inferred from
  // the children (id "father (inferred)" / "mother (inferred)").
  bool in_input = true;
  // Paternal | maternal letters ("a|c"; the patient's children: the letter
  // from the patient | e or f). "(a or b)" when the family cannot tell;
  // empty when the person was not segregated.
  std::string letters;
  // The person's typing as a phased GL String in the letters' order
  // ("A*01:01~C*07:01~B*08:01+A*02:01~..."); a locus whose typings cannot be
  // placed on a haplotype is appended as its own unphased '^' block. For an
  // inferred parent, the alleles the children show (loci no child shows are
  // left out).
  std::string phased_gl;
  // Loci whose typings could not be placed on a haplotype.
  std::vector<Locus> unphased_loci;
  // With the patient: 0, 1 or 2; nullopt when undetermined (or for the
  // patient). `basis` says why, in words.
  std::optional<int> shared;
  std::string basis;
  // When `shared` is undetermined only because a typed parent's two
  // haplotypes are alike (at the typed resolution) where the explanations
  // differ: whole haplotypes shared as typed, the same in every
  // explanation. Not a count by descent (synth's truth may differ), but
  // what the typing shows and a transplant sees; ApplySegregation uses it.
  std::optional<int> shared_as_typed;
  // When `shared` is undetermined only because, with a parent untyped, the
  // same haplotype (at ARD level) might be present twice among the parents:
  // the count otherwise. Not a proof; ApplySegregation never uses it.
  std::optional<int> likely_shared;
  // Letters of the haplotypes shared with the patient, each with "paternal"
  // or "maternal" ("a (paternal)"), when known.
  std::vector<std::string> shared_haplotypes;
  // Parts of the patient's haplotypes shared by descent across a crossover
  // (a sibling whose pattern follows the patient's over some loci only),
  // when every explanation agrees: "a (paternal) from A to B". Empty when
  // each side is shared whole or not at all.
  std::vector<std::string> shared_segments;
  bool recombinant = false;           // a crossover in the meiosis that made
                                      // this person (in every explanation)
  std::vector<std::string> flags;     // recombination, inconsistency: words
  bool inconsistent = false;          // not explained by the stated parents
  // Per used locus (FamilyResult::loci), how many of this person's alleles
  // are the patient's by descent: 0, 1 or 2; nullopt where the equally good
  // explanations differ. Empty when unknown (the patient, an untyped or
  // unexplained member, role other). A parent and a child of the patient
  // carry one at every locus, recombinant or not (each parent transmits one
  // allele a locus); a sibling's count follows its inheritance pattern, so a
  // crossover changes it only beyond the crossover. ApplySegregation judges
  // the verdict on the scored loci from this (docs/family.md).
  std::vector<std::optional<int>> ibd;
  // The family cannot be explained as stated in a way that puts this
  // person's relationship to the patient in doubt: the person is
  // unexplained, or a search it is part of found no explanation (when the
  // patient's own sibship fails, every relative). ApplySegregation then
  // gives the verdict an inconsistency (needs review), never a count.
  bool needs_review = false;
};

struct FamilyResult {
  std::string family_id;
  std::vector<MemberResult> members;  // input order, then inferred parents
  // Recombinant meioses in the best explanation, and how many equally good
  // explanations there are (capped; `truncated` when the cap was hit).
  int recombinations = 0;
  size_t explanations = 0;
  bool truncated = false;
  std::vector<std::string> notes;  // family-level facts, in words
  // False when some member, or the family as a whole, cannot be explained
  // by the stated relationships (a sample mix-up, non-paternity, a typing
  // error); `problems` then says why, naming the people.
  bool consistent = true;
  std::vector<std::string> problems;
  // The loci segregation used (typed by some member), chromosome order:
  // what MemberResult::ibd is indexed by.
  std::vector<Locus> loci;
  const MemberResult* Find(absl::string_view id) const;
};

// A family's name in messages: its family_id, or "(no family_id)" for a
// file without that column.
std::string FamilyName(absl::string_view family_id);

// Segregates one family. InvalidArgumentError for: no patient, two
// patients, two fathers or two mothers, more than max_members, a member id
// given twice. ResourceExhaustedError when the search exceeds its step
// limit. Unexplained children are not errors: they are flagged.
absl::StatusOr<FamilyResult> Segregate(const std::string& family_id,
                                       const std::vector<FamilyMember>& members,
                                       const FamilyOptions& options);

// Replaces report->haplo with what segregation proves for relative `id`:
// shared 2 -> kIdentical, 1 -> kHaploidentical, 0 -> kNotHaploidentical,
// with basis "family segregation: shares haplotype a (paternal) with the
// patient". Leaves the verdict alone, adding the segregation facts to the
// basis, when sharing is undetermined, when the report is
// kInsufficientTyping, or when a scored locus shares no allele (then also
// an inconsistency). A member with needs_review (the family cannot be
// explained as stated) gets an inconsistency naming the family's problems
// and keeps its verdict: eligibility makes it needs-review. Returns true
// when the verdict was replaced; false also when `id` is not a segregated
// relative of `family`.
bool ApplySegregation(const FamilyResult& family, absl::string_view id,
                      matcher::MatchReport* report);

// The relationship to the patient a role implies, for a family row without
// a relationship: father/mother -> parent, sibling -> sibling, child ->
// child, other -> other_related, patient -> unknown.
matcher::Relationship RelationshipOf(FamilyRole role);

// True when `a` and `b` are the same typing as written: at every locus the
// same canonical text at the same number of positions (in either order),
// genotype-list alternatives included. Not an ARD comparison: a donor typed
// at another resolution than the family row is another typing.
bool SameTyping(const matcher::Genotype& a, const matcher::Genotype& b);

// Segregated families with the typings they were segregated from: the
// evidence `match --family` and `rank --family` apply to their donors.
// Segregation proves sharing with a family's patient, from the typings in
// the family file, and nothing else; so For() uses a family only when the
// recipient is typed exactly as that family's patient and the donor exactly
// as the relative.
class FamilyEvidence {
 public:
  // Keeps `result` and the `members` Segregate was given for it.
  void Add(FamilyResult result, std::vector<FamilyMember> members);

  bool empty() const { return families_.empty(); }
  size_t size() const { return families_.size(); }
  const FamilyResult& family(size_t k) const { return families_[k].result; }
  // The patient of family k; null when it has none (Segregate refuses
  // that, so only for hand-built evidence).
  const FamilyMember* patient(size_t k) const;
  // True when some family has a segregated relative (not the patient) with
  // this id: the cheap first test of a registry scan.
  bool HasRelative(absl::string_view id) const;

  // The family in which relative `id`, typed as `donor`, was segregated
  // against a patient typed as `recipient`; null when there is none. When a
  // relative with that id exists but the typings differ, *why (if not null)
  // says which one, so the caller can tell the user why the proof was not
  // used.
  const FamilyResult* For(absl::string_view id, const matcher::Genotype& donor,
                          const matcher::Genotype& recipient, std::string* why) const;

 private:
  struct Entry {
    FamilyResult result;
    std::vector<FamilyMember> members;
  };
  std::vector<Entry> families_;
  absl::flat_hash_set<std::string> relative_ids_;  // for HasRelative
};

// The haplo verdict of each relative of `result` against the family's
// patient: matcher::Match of the two typings as `members` (those given to
// Segregate) hold them, with ApplySegregation. Indexed as result.members;
// nullopt for the patient, inferred parents, and a relative whose match
// fails (options out of range).
std::vector<std::optional<matcher::HaploResult>> RelativeVerdicts(
    const FamilyResult& result, const std::vector<FamilyMember>& members,
    const data::Reference& reference, const matcher::MatchOptions& options);

}  // namespace hla::family

#endif  // HLA_FAMILY_FAMILY_H_
