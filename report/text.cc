// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "report/text.h"

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "hla/locus.h"

namespace hla::report {
namespace {


// The relationship as the input wrote it ("mother"), else its class
// ("parent").
std::string RelationshipText(const eligibility::DonorFacts& f) {
  return f.relationship_text.empty()
             ? std::string(matcher::ToString(f.relationship))
             : f.relationship_text;
}

std::string Pad(absl::string_view s, size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

// The verdict line and every reason, each marked with what it does:
// "excluded:", "check:" (a fact the protocol needs is unknown), "passed:",
// "note:".
std::string EligibilityText(const eligibility::Eligibility& e,
                            const eligibility::EligibilityOptions& eo,
                            const TextStyle& st) {
  using eligibility::Status;
  std::string out = "  ";
  switch (e.status) {
    case Status::kEligible:
      out += st.Bold(st.Green("ELIGIBLE"));
      break;
    case Status::kNeedsReview:
      out += st.Bold(st.Yellow("NEEDS REVIEW"));
      break;
    case Status::kNotEligible:
      out += st.Bold(st.Red("NOT ELIGIBLE"));
      break;
    case Status::kNotAssessed:
      out += st.Bold("NOT ASSESSED");
      break;
  }
  absl::StrAppend(&out,
                  e.status == Status::kNotAssessed
                      ? " (no --protocol: the findings only)"
                      : absl::StrCat(" (", eo.protocol, ")"),
                  "\n");
  const std::pair<const char*, const std::vector<std::string>*> kLists[] = {
      {"excluded: ", &e.excludes},
      {"check:    ", &e.to_check},
      {"passed:   ", &e.passes},
      {"note:     ", &e.notes}};
  for (const auto& [label, list] : kLists) {
    for (const std::string& r : *list) {
      absl::StrAppend(&out, "    ", label, r, "\n");
    }
  }
  return out;
}

}  // namespace

std::string TextStyle::Paint(absl::string_view code,
                             absl::string_view text) const {
  if (!colour) return std::string(text);
  return absl::StrCat("\x1b[", code, "m", text, "\x1b[0m");
}

std::string MatchTextHead(absl::string_view imgt_version,
                          const eligibility::EligibilityOptions& options,
                          absl::string_view recipient_typing,
                          const TextStyle& style) {
  return absl::StrCat(style.Bold("Recipient"), " ", recipient_typing, "\n",
                      "IPD-IMGT/HLA ", imgt_version, "; as of ",
                      eligibility::FormatDate(options.as_of), "; protocol ",
                      options.protocol, "\n\n");
}

std::string MatchDonorText(const MatchedDonor& d,
                           const eligibility::EligibilityOptions& eo,
                           const TextStyle& st) {
  std::ostringstream out;
  std::vector<std::string> about;
  if (d.facts.relationship != matcher::Relationship::kUnknown) {
    about.push_back(RelationshipText(d.facts));
  }
  if (d.eligibility.age) {
    about.push_back(
        d.facts.birth_date
            ? absl::StrCat("age ", *d.eligibility.age, " at ",
                           eligibility::FormatDate(eo.as_of))
            : absl::StrCat("age ", *d.eligibility.age));
  } else {
    about.push_back("age unknown");
  }
  if (d.facts.sex != eligibility::Sex::kUnknown) {
    about.push_back(std::string(eligibility::SexName(d.facts.sex)));
  }
  if (d.facts.blood_group) {
    about.push_back(eligibility::BloodGroupName(*d.facts.blood_group));
  }
  if (d.facts.cmv != eligibility::Cmv::kUnknown) {
    about.push_back(absl::StrCat("CMV ", eligibility::CmvName(d.facts.cmv)));
  }
  out << st.Bold(absl::StrCat("Donor ", d.facts.id)) << " ("
      << absl::StrJoin(about, ", ") << ")  [" << d.source << "]\n";

  // The per-locus table: two rows per locus, one per recipient position.
  struct Line {
    std::string locus, recipient, donor, grade, matches, gvh, hvg;
    bool mismatch = false;
  };
  std::vector<Line> lines;
  lines.push_back({"locus", "recipient", "donor", "grade", "match", "GvH",
                   "HvG", false});
  for (const matcher::LocusMatch& lm : d.report.loci) {
    const std::string locus(LocusName(lm.locus));
    if (!lm.scored) {
      lines.push_back({locus,
                       lm.recipient_typed ? "typed" : "untyped",
                       lm.donor_typed ? "typed" : "untyped", "not scored",
                       "-", "-", "-", false});
      continue;
    }
    for (int i = 0; i < 2; ++i) {
      const matcher::PositionMatch& p = lm.positions[i];
      Line l;
      l.locus = i == 0 ? locus : "";
      l.recipient = p.recipient_text;
      l.donor = p.donor_text;
      l.grade = std::string(matcher::ToString(p.grade));
      if (p.confidence == matcher::MatchConfidence::kPotential) {
        l.grade += " (potential)";
      }
      l.mismatch = !p.allele_match;
      if (i == 0) {
        l.matches = absl::StrCat(lm.matches, "/2");
        // Serology-level sharing is not an allele match: said apart.
        if (lm.antigen_level_matches > 0) {
          absl::StrAppend(&l.matches, " +", lm.antigen_level_matches,
                          " antigen");
        }
        l.gvh = absl::StrCat(lm.gvh_mismatches);
        l.hvg = absl::StrCat(lm.hvg_mismatches);
      }
      lines.push_back(std::move(l));
    }
  }
  size_t w[7] = {0, 0, 0, 0, 0, 0, 0};
  for (const Line& l : lines) {
    const std::string* cells[7] = {&l.locus, &l.recipient, &l.donor, &l.grade,
                                   &l.matches, &l.gvh, &l.hvg};
    for (int c = 0; c < 7; ++c) w[c] = std::max(w[c], cells[c]->size());
  }
  // Very long ambiguous typings would wreck the table; the JSON has them.
  constexpr size_t kMaxTypingWidth = 40;
  auto clip = [&](const std::string& s) {
    return s.size() <= kMaxTypingWidth
               ? s
               : absl::StrCat(s.substr(0, kMaxTypingWidth - 3), "...");
  };
  w[1] = std::min(w[1], kMaxTypingWidth);
  w[2] = std::min(w[2], kMaxTypingWidth);
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    std::string grade = Pad(l.grade, w[3]);
    if (i > 0 && l.mismatch) grade = st.Red(grade);
    std::string row = absl::StrCat(
        "  ", Pad(l.locus, w[0]), "  ", Pad(clip(l.recipient), w[1]), "  ",
        Pad(clip(l.donor), w[2]), "  ", grade, "  ", Pad(l.matches, w[4]),
        "  ", Pad(l.gvh, w[5]), "  ", l.hvg);
    absl::StripTrailingAsciiWhitespace(&row);
    out << (i == 0 ? st.Bold(row) : row) << "\n";
  }
  const matcher::MatchTotals& t = d.report.totals;
  out << "  total: " << st.Bold(absl::StrCat(t.matches, "/", t.out_of))
      << " allele matches";
  if (t.antigen_level_matches > 0) {
    out << " and " << t.antigen_level_matches
        << " antigen-level (a side typed by serology)";
  }
  out << "; GvH " << t.gvh_mismatches << ", HvG "
      << t.hvg_mismatches << " mismatches";
  if (t.untyped_loci > 0) out << "; " << t.untyped_loci << " locus(es) untyped";
  out << "\n";
  out << "  haplo: " << st.Bold(matcher::ToString(d.report.haplo.verdict))
      << ": " << d.report.haplo.basis << "\n";
  if (d.report.tce &&
      d.report.tce->category != matcher::TceCategory::kNotScored) {
    out << "  DPB1 TCE: " << matcher::ToString(d.report.tce->category) << " ("
        << d.report.tce->basis << ")\n";
  }
  if (d.report.b_leader) {
    const matcher::BLeaderResult& b = *d.report.b_leader;
    out << "  HLA-B leader";
    if (b.recipient.typed && b.donor.typed) {
      out << " (recipient " << b.recipient.genotype << ", donor "
          << b.donor.genotype << ")";
    }
    out << ": " << b.basis << "\n";
  }
  if (d.report.kir_ligands) {
    const matcher::KirLigandResult& k = *d.report.kir_ligands;
    // "C1 C2 (possible) Bw4 (unknown)": the groups carried, absent ones
    // left out; "none" when every group is absent.
    auto side = [](const matcher::LigandSet& s) {
      std::vector<std::string> parts;
      for (int g = 0; g < matcher::kKirLigandGroups; ++g) {
        if (s.presence[g] == matcher::LigandPresence::kAbsent) continue;
        parts.push_back(absl::StrCat(
            matcher::ToString(static_cast<matcher::KirLigandGroup>(g)),
            s.presence[g] == matcher::LigandPresence::kDefinite
                ? ""
                : absl::StrCat(" (", matcher::ToString(s.presence[g]), ")")));
      }
      return parts.empty() ? std::string("none") : absl::StrJoin(parts, " ");
    };
    out << "  KIR ligands: recipient " << side(k.recipient) << "; donor "
        << side(k.donor) << "; " << k.basis << "\n";
  }
  // Match probabilities: for donors (or recipients) whose typing leaves the
  // match open; a certain typing's figures are the grid's own.
  if (d.probability && (d.probability->ambiguous || !d.probability->available)) {
    const impute::MatchProbability& p = *d.probability;
    if (p.available) {
      out << "  match probability: 10/10 " << absl::StrFormat("%.2f", p.p10)
          << ", at least 9/10 " << absl::StrFormat("%.2f", p.p9_or_more)
          << ", at least 8/10 " << absl::StrFormat("%.2f", p.p8_or_more);
      if (p.p_haplotype) {
        out << "; carries a recipient haplotype " << absl::StrFormat("%.2f", *p.p_haplotype);
      }
      out << " (" << p.basis << ")\n";
    } else {
      out << "  match probability: " << p.basis << "\n";
    }
  }
  if (d.kir) {
    out << "  donor KIR: "
        << (d.facts.kir_text.empty() ? eligibility::FormatKirGenotype(d.kir->genotype)
                                     : d.facts.kir_text)
        << ": " << d.kir->basis << "\n";
  }
  out << EligibilityText(d.eligibility, eo, st);
  for (const std::string& w : d.warnings) out << "  warning: " << w << "\n";
  out << "\n";
  return out.str();
}

std::string MatchTextSummary(size_t matched, size_t rejected,
                             const std::vector<std::string>& eligible_ids,
                             const std::vector<std::string>& review_ids,
                             bool assessed) {
  std::string out = absl::StrCat(matched, " donor", matched == 1 ? "" : "s",
                                 " matched");
  if (rejected > 0) {
    absl::StrAppend(&out, ", ", rejected, " rejected (see standard error)");
  }
  if (!assessed) return out + "; not assessed (no --protocol)\n";
  auto list = [](const std::vector<std::string>& ids) {
    return ids.empty() ? std::string() : absl::StrCat(": ", absl::StrJoin(ids, ", "));
  };
  absl::StrAppend(&out, "; ", eligible_ids.size(), " eligible",
                  list(eligible_ids), "; ", review_ids.size(),
                  " need", review_ids.size() == 1 ? "s" : "", " review",
                  list(review_ids), "; ",
                  matched - eligible_ids.size() - review_ids.size(),
                  " not eligible\n");
  return out;
}

std::string FamilyText(
    const family::FamilyResult& result,
    const std::vector<std::optional<matcher::HaploResult>>& verdicts) {
  std::ostringstream out;
  const family::FamilyResult* fam = &result;
  const std::string fam_name = family::FamilyName(result.family_id);
    if (!fam->consistent) {
      // First, before any table: a coordinator must not read the verdicts
      // below without knowing the family contradicts its own pedigree.
      out << "FAMILY " << fam_name << " IS NOT CONSISTENT: "
          << absl::StrJoin(fam->problems, "; ")
          << ". The verdicts resting on it need review: check the samples "
             "and the pedigree.\n";
    }
    out << "Family " << fam_name << ": " << fam->recombinations
        << " crossover" << (fam->recombinations == 1 ? "" : "s") << "; "
        << fam->explanations << (fam->truncated ? "+" : "")
        << " equally good explanation"
        << (fam->explanations == 1 ? "" : "s") << "\n";
    size_t wid = 6, wrole = 4, wlet = 10;
    for (const family::MemberResult& m : fam->members) {
      wid = std::max(wid, m.id.size());
      wrole = std::max(wrole, family::ToString(m.role).size());
      wlet = std::max(wlet, m.letters.size());
    }
    out << "  " << Pad("person", wid) << "  " << Pad("role", wrole) << "  "
        << Pad("haplotypes", wlet) << "  phased GL String\n";
    for (const family::MemberResult& m : fam->members) {
      out << "  " << Pad(m.id, wid) << "  "
          << Pad(family::ToString(m.role), wrole) << "  "
          << Pad(m.letters.empty() ? "-" : m.letters, wlet) << "  "
          << (m.phased_gl.empty() ? "-" : m.phased_gl) << "\n";
    }
    out << "  shared with the patient:\n";
    for (size_t i = 0; i < fam->members.size(); ++i) {
      const family::MemberResult& m = fam->members[i];
      if (!m.in_input || m.role == family::FamilyRole::kPatient) continue;
      out << "  " << m.id << ": "
          << (m.shared            ? absl::StrCat(*m.shared)
              : m.shared_as_typed ? absl::StrCat(*m.shared_as_typed, " (as typed)")
                                  : std::string("?"))
          << " shared; " << (m.needs_review ? "NEEDS REVIEW; " : "");
      if (verdicts[i].has_value()) {
        out << matcher::ToString(verdicts[i]->verdict) << ": "
            << verdicts[i]->basis << "\n";
      } else {
        out << m.basis << "\n";
      }
    }
    bool any_flag = false;
    for (const family::MemberResult& m : fam->members) {
      for (const std::string& f : m.flags) {
        if (!any_flag) out << "  flags:\n";
        any_flag = true;
        out << "  - " << m.id << ": " << f << "\n";
      }
    }
    for (const std::string& n : fam->notes) out << "  note: " << n << "\n";
    out << "\n";
  return out.str();
}


std::string RankSummaryText(size_t read, const registry::RankResult& r,
                            size_t rejected) {
  std::vector<std::string> reasons;
  for (int k = 0; k < eligibility::kReasonCount; ++k) {
    if (r.excluded_by[static_cast<size_t>(k)] == 0) continue;
    reasons.push_back(absl::StrCat(eligibility::ReasonName(static_cast<eligibility::Reason>(k)), " ",
                                   r.excluded_by[static_cast<size_t>(k)]));
  }
  const std::string ranked =
      r.status_assessed
          ? absl::StrCat(r.ranked_count, " (", r.ranked_count - r.needs_review,
                         " eligible, ", r.needs_review, " need",
                         r.needs_review == 1 ? "s" : "", " review)")
          : absl::StrCat(r.ranked_count, " (not assessed: no --protocol)");
  return absl::StrCat("read ", read, ", ranked ", ranked, ", excluded ",
                      r.excluded, " (",
                      reasons.empty() ? "none" : absl::StrJoin(reasons, ", "),
                      "), rejected ", rejected);
}

}  // namespace hla::report
