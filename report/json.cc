// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The match and rank JSON writers (report/json.h). The bytes written
// here are an interface (README, docs/openapi.yaml): change them knowingly.
#include "report/json.h"

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "hla/json.h"
#include "hla/locus.h"

namespace hla::report {

namespace {

// The counts of one locus, without braces: the same fields in the match
// report's "loci" object and in rank's "loci" array.
std::string LocusCountsJson(const matcher::LocusMatch& lm) {
  return absl::StrCat(
      "\"scored\":", lm.scored ? "true" : "false", ",\"matches\":", lm.matches,
      ",\"mismatches\":", lm.mismatches,
      ",\"gvh_mismatches\":", lm.gvh_mismatches,
      ",\"hvg_mismatches\":", lm.hvg_mismatches,
      ",\"antigen_matches\":", lm.antigen_matches,
      ",\"antigen_level_matches\":", lm.antigen_level_matches,
      ",\"grade\":", JsonString(matcher::ToString(lm.grade)),
      ",\"confidence\":", JsonString(matcher::ToString(lm.confidence)));
}

// The totals object: the same in match ("total") and rank ("totals").
std::string TotalsJson(const matcher::MatchTotals& t) {
  return absl::StrCat(
      "{\"matches\":", t.matches,
      ",\"out_of\":", t.out_of, ",\"mismatches\":", t.mismatches,
      ",\"gvh_mismatches\":", t.gvh_mismatches,
      ",\"hvg_mismatches\":", t.hvg_mismatches,
      ",\"antigen_matches\":", t.antigen_matches,
      ",\"antigen_level_matches\":", t.antigen_level_matches,
      ",\"untyped_loci\":", t.untyped_loci, "}");
}

std::string LetterJson(char c) { return JsonString(std::string(1, c)); }

std::string CopyLeaderJson(const matcher::CopyLeader& c) {
  return absl::StrCat(
      "{\"typing\":", JsonString(c.typing), ",\"leader\":", LetterJson(c.leader),
      ",\"likely\":", LetterJson(c.likely), ",\"alleles\":{\"M\":", c.m,
      ",\"T\":", c.t, ",\"unknown\":", c.unknown, "},\"inferred\":",
      c.inferred ? "true" : "false", ",\"null\":", c.null_copy ? "true" : "false",
      "}");
}

std::string LeaderGenotypeJson(const matcher::LeaderGenotype& g) {
  if (!g.typed) return "null";
  return absl::StrCat("{\"genotype\":", JsonString(g.genotype), ",\"copies\":[",
                      CopyLeaderJson(g.copies[0]), ",",
                      CopyLeaderJson(g.copies[1]), "]}");
}

std::string OrNull(const std::string& s) {
  return s.empty() ? "null" : JsonString(s);
}

std::string GroupsJson(const std::vector<matcher::KirLigandGroup>& groups) {
  std::vector<std::string> names;
  for (matcher::KirLigandGroup g : groups) names.emplace_back(matcher::ToString(g));
  return JsonStringList(names);
}

std::string LigandSetJson(const matcher::LigandSet& s) {
  std::string o = "{";
  for (int g = 0; g < matcher::kKirLigandGroups; ++g) {
    absl::StrAppend(&o, g ? "," : "",
                    JsonString(matcher::ToString(static_cast<matcher::KirLigandGroup>(g))),
                    ":", JsonString(matcher::ToString(s.presence[g])));
  }
  absl::StrAppend(&o, ",\"hla_b_bw\":",
                  JsonStringList(std::vector<std::string>(s.b_bw.begin(), s.b_bw.end())),
                  "}");
  return o;
}

}  // namespace

std::string BLeaderJson(const matcher::BLeaderResult& b) {
  return absl::StrCat(
      "{\"match\":", JsonString(matcher::ToString(b.match)), ",\"status\":",
      OrNull(b.status), ",\"likely_status\":", OrNull(b.likely_status),
      ",\"potential\":", b.potential ? "true" : "false", ",\"recipient\":",
      LeaderGenotypeJson(b.recipient), ",\"donor\":",
      LeaderGenotypeJson(b.donor), ",\"recipient_position\":",
      b.recipient_position < 0 ? "null" : absl::StrCat(b.recipient_position + 1),
      ",\"donor_position\":",
      b.donor_position < 0 ? "null" : absl::StrCat(b.donor_position + 1),
      ",\"basis\":", JsonString(b.basis), "}");
}

std::string KirLigandsJson(const matcher::KirLigandResult& k) {
  return absl::StrCat(
      "{\"recipient\":", LigandSetJson(k.recipient), ",\"donor\":",
      LigandSetJson(k.donor), ",\"missing_in_recipient\":{\"definite\":",
      GroupsJson(k.missing_definite), ",\"possible\":",
      GroupsJson(k.missing_possible), "},\"basis\":", JsonString(k.basis), "}");
}

namespace {
}  // namespace

// ---- match

std::string EligibilityJson(const eligibility::Eligibility& e,
                            const eligibility::EligibilityOptions& eo) {
  std::string o = absl::StrCat(
      "{\"status\":", JsonString(eligibility::StatusName(e.status)),
      ",\"eligible\":", e.eligible ? "true" : "false",
      ",\"protocol\":", JsonString(eo.protocol),
      ",\"excludes\":", JsonStringList(e.excludes),
      ",\"to_check\":", JsonStringList(e.to_check),
      ",\"passes\":", JsonStringList(e.passes),
      ",\"notes\":", JsonStringList(e.notes),
      ",\"reasons\":", JsonStringList(e.reasons), ",\"abo\":",
      e.abo ? JsonString(eligibility::AboMatchName(*e.abo)) : "null",
      ",\"dsa\":[");
  for (size_t i = 0; i < e.dsa.size(); ++i) {
    const eligibility::DsaFinding& f = e.dsa[i];
    if (i > 0) o.push_back(',');
    absl::StrAppend(
        &o, "{\"specificity\":", JsonString(f.specificity),
        ",\"mfi\":", absl::StrFormat("%g", f.mfi),
        ",\"kind\":", JsonString(eligibility::DsaKindName(f.kind)),
        ",\"donor\":", JsonString(f.donor_allele),
        ",\"via\":", JsonString(f.via), ",\"why\":", JsonString(f.why),
        ",\"at_or_above_threshold\":",
        f.at_or_above_threshold ? "true" : "false", "}");
  }
  o += "]}";
  return o;
}

std::string MatchJsonHead(absl::string_view imgt_version,
                          const eligibility::EligibilityOptions& options,
                          absl::string_view recipient_typing) {
  return absl::StrCat(
      "{\"imgt_version\":", JsonString(imgt_version),
      ",\"as_of\":", JsonString(eligibility::FormatDate(options.as_of)),
      ",\"protocol\":", JsonString(options.protocol),
      ",\"dsa_mfi_threshold\":",
      absl::StrFormat("%g", options.dsa_mfi_threshold),
      ",\"recipient\":{\"typing\":", JsonString(recipient_typing),
      "},\"donors\":[");
}

std::string ProbabilityJson(const impute::MatchProbability& p) {
  auto num = [](double v) { return absl::StrFormat("%.6g", v); };
  std::string o = absl::StrCat("{\"available\":", p.available ? "true" : "false");
  if (p.available) {
    absl::StrAppend(&o, ",\"p10\":", num(p.p10), ",\"p9_or_more\":",
                    num(p.p9_or_more), ",\"p8_or_more\":", num(p.p8_or_more));
  } else {
    o += ",\"p10\":null,\"p9_or_more\":null,\"p8_or_more\":null";
  }
  absl::StrAppend(&o, ",\"p_haplotype\":",
                  p.available && p.p_haplotype ? num(*p.p_haplotype) : "null",
                  ",\"loci\":{");
  // Nothing imputed (a typing the table cannot explain): no loci at all.
  const bool imputed = p.recipient_pairs > 0;
  bool first = true;
  for (const impute::LocusProbability& l : p.loci) {
    if (!imputed) break;
    absl::StrAppend(&o, first ? "" : ",", JsonString(LocusName(l.locus)), ":");
    first = false;
    if (!l.available) {
      o += "null";
      continue;
    }
    absl::StrAppend(&o, "{\"p0\":", num(l.p[0]), ",\"p1\":", num(l.p[1]),
                    ",\"p2\":", num(l.p[2]), ",\"from_typing\":",
                    l.from_typing ? "true" : "false", "}");
  }
  absl::StrAppend(&o, "},\"ambiguous\":", p.ambiguous ? "true" : "false",
                  ",\"recipient_pairs\":", p.recipient_pairs,
                  ",\"donor_pairs\":", p.donor_pairs, ",\"mass\":", num(p.mass),
                  ",\"basis\":", JsonString(p.basis), "}");
  return o;
}

std::string DonorKirJson(const eligibility::DonorKirResult& k) {
  const eligibility::KirBContent& b = k.b_content;
  return absl::StrCat(
      "{\"genotype\":", JsonString(eligibility::FormatKirGenotype(k.genotype)),
      ",\"cen\":", JsonString(eligibility::KirMotifName(k.genotype.cen)),
      ",\"tel\":", JsonString(eligibility::KirMotifName(k.genotype.tel)),
      ",\"b_content\":", b.score >= 0 ? absl::StrCat(b.score) : "null",
      ",\"category\":", JsonString(eligibility::KirBCategoryName(b.category)),
      ",\"missing_ligand\":{\"definite\":", GroupsJson(k.missing_definite),
      ",\"possible\":", GroupsJson(k.missing_possible), "},\"basis\":",
      JsonString(k.basis), "}");
}

std::string MatchDonorJson(const MatchedDonor& d,
                           const eligibility::EligibilityOptions& eo) {
  std::string o = "{";
  absl::StrAppend(&o, "\"id\":", JsonString(d.facts.id), ",\"source\":",
                  JsonString(d.source), ",\"relationship\":",
                  JsonString(matcher::ToString(d.facts.relationship)),
                  ",\"relationship_as_given\":",
                  d.facts.relationship_text.empty()
                      ? "null"
                      : JsonString(d.facts.relationship_text),
                  ",\"typing\":", JsonString(d.typing));
  absl::StrAppend(
      &o, ",\"birth_date\":",
      d.facts.birth_date ? JsonString(eligibility::FormatDate(*d.facts.birth_date))
                         : "null",
      ",\"age\":",
      d.eligibility.age ? absl::StrCat(*d.eligibility.age) : "null",
      ",\"sex\":", JsonString(eligibility::SexName(d.facts.sex)), ",\"abo\":",
      d.facts.blood_group ? JsonString(eligibility::BloodGroupName(*d.facts.blood_group))
                          : "null",
      ",\"cmv\":", JsonString(eligibility::CmvName(d.facts.cmv)));
  o += ",\"loci\":{";
  bool first = true;
  for (const matcher::LocusMatch& lm : d.report.loci) {
    if (!first) o.push_back(',');
    first = false;
    AppendJsonString(LocusName(lm.locus), &o);
    absl::StrAppend(&o, ":{", LocusCountsJson(lm), ",\"positions\":[");
    const int n = lm.scored ? 2 : 0;
    for (int i = 0; i < n; ++i) {
      const matcher::PositionMatch& p = lm.positions[i];
      if (i > 0) o.push_back(',');
      absl::StrAppend(&o, "{\"recipient\":", JsonString(p.recipient_text),
                      ",\"donor\":", JsonString(p.donor_text), ",\"grade\":",
                      JsonString(matcher::ToString(p.grade)), ",\"confidence\":",
                      JsonString(matcher::ToString(p.confidence)),
                      ",\"allele_match\":", p.allele_match ? "true" : "false",
                      ",\"antigen_match\":", p.antigen_match ? "true" : "false",
                      "}");
    }
    o += "]}";
  }
  o += "}";
  const matcher::MatchTotals& t = d.report.totals;
  absl::StrAppend(&o, ",\"total\":", TotalsJson(t));
  absl::StrAppend(&o, ",\"haplo\":{\"verdict\":",
                  JsonString(matcher::ToString(d.report.haplo.verdict)),
                  ",\"basis\":", JsonString(d.report.haplo.basis),
                  ",\"inconsistencies\":",
                  JsonStringList(d.report.haplo.inconsistencies), "}");
  if (d.report.tce) {
    const matcher::TceResult& tce = *d.report.tce;
    absl::StrAppend(&o, ",\"dpb1_tce\":{\"category\":",
                    JsonString(matcher::ToString(tce.category)),
                    ",\"recipient_group\":", tce.recipient_group,
                    ",\"donor_group\":", tce.donor_group, ",\"basis\":",
                    JsonString(tce.basis), "}");
  } else {
    o += ",\"dpb1_tce\":null";
  }
  absl::StrAppend(&o, ",\"b_leader\":",
                  d.report.b_leader ? BLeaderJson(*d.report.b_leader) : "null",
                  ",\"kir_ligands\":",
                  d.report.kir_ligands ? KirLigandsJson(*d.report.kir_ligands)
                                       : "null",
                  ",\"donor_kir\":", d.kir ? DonorKirJson(*d.kir) : "null",
                  ",\"probability\":",
                  d.probability ? ProbabilityJson(*d.probability) : "null");
  absl::StrAppend(&o, ",\"eligibility\":", EligibilityJson(d.eligibility, eo),
                  ",\"warnings\":", JsonStringList(d.warnings), "}");
  return o;
}

std::string MatchJsonTail(
    const std::vector<std::pair<std::string, std::string>>& rejected) {
  return absl::StrCat("\n],\"rejected\":", RejectedJsonList(rejected), "}\n");
}

// ---- rank

std::string RankJsonHead(absl::string_view imgt_version,
                         const registry::RankOptions& options, size_t read,
                         const registry::RankResult& result, size_t rejected) {
  std::vector<std::string> keys;
  for (registry::RankKey k : options.rank_by) {
    keys.emplace_back(registry::ToString(k));
  }
  return absl::StrCat(
      "{\"imgt_version\":", JsonString(imgt_version), ",\"as_of\":",
      JsonString(eligibility::FormatDate(options.eligibility.as_of)),
      ",\"protocol\":", JsonString(options.eligibility.protocol),
      ",\"rank_by\":", JsonString(absl::StrJoin(keys, ",")),
      ",\"read\":", read, ",\"ranked\":", result.ranked_count,
      ",\"eligible\":",
      result.status_assessed
          ? absl::StrCat(result.ranked_count - result.needs_review)
          : "null",
      ",\"needs_review\":",
      result.status_assessed ? absl::StrCat(result.needs_review) : "null",
      ",\"excluded\":", result.excluded, ",\"rejected\":", rejected,
      ",\"donors\":[");
}

std::string RankDonorJson(size_t rank, const registry::DonorReport& r) {
  const matcher::MatchTotals& t = r.report.totals;
  std::string o = absl::StrCat("{\"rank\":", rank, ",\"id\":", JsonString(r.facts.id),
                               ",\"relationship\":",
                               JsonString(matcher::ToString(r.facts.relationship)),
                               ",\"age\":", r.eligibility.age ? absl::StrCat(*r.eligibility.age) : "null",
                               ",\"sex\":", JsonString(eligibility::SexName(r.facts.sex)),
                               ",\"abo\":",
                               r.facts.blood_group
                                   ? JsonString(eligibility::BloodGroupName(*r.facts.blood_group))
                                   : "null",
                               ",\"cmv\":", JsonString(eligibility::CmvName(r.facts.cmv)));
  absl::StrAppend(&o, ",\"totals\":", TotalsJson(t), ",\"loci\":[");
  for (size_t k = 0; k < r.report.loci.size(); ++k) {
    const matcher::LocusMatch& lm = r.report.loci[k];
    absl::StrAppend(&o, k ? "," : "", "{\"locus\":",
                    JsonString(LocusName(lm.locus)), ",", LocusCountsJson(lm),
                    "}");
  }
  absl::StrAppend(&o, "],\"haplo\":{\"verdict\":",
                  JsonString(matcher::ToString(r.report.haplo.verdict)),
                  ",\"basis\":", JsonString(r.report.haplo.basis), "},\"tce\":");
  if (r.report.tce) {
    absl::StrAppend(&o, "{\"category\":",
                    JsonString(matcher::ToString(r.report.tce->category)),
                    ",\"basis\":", JsonString(r.report.tce->basis), "}");
  } else {
    o += "null";
  }
  // The leader and ligand summary; `match` has them in full.
  o += ",\"b_leader\":";
  if (r.report.b_leader) {
    const matcher::BLeaderResult& b = *r.report.b_leader;
    absl::StrAppend(&o, "{\"match\":", JsonString(matcher::ToString(b.match)),
                    ",\"status\":", OrNull(b.status), ",\"likely_status\":",
                    OrNull(b.likely_status), ",\"potential\":",
                    b.potential ? "true" : "false", ",\"recipient_genotype\":",
                    OrNull(b.recipient.genotype), ",\"donor_genotype\":",
                    OrNull(b.donor.genotype), ",\"basis\":", JsonString(b.basis),
                    "}");
  } else {
    o += "null";
  }
  o += ",\"kir_ligands\":";
  if (r.report.kir_ligands) {
    const matcher::KirLigandResult& k = *r.report.kir_ligands;
    absl::StrAppend(&o, "{\"missing_in_recipient\":{\"definite\":",
                    GroupsJson(k.missing_definite), ",\"possible\":",
                    GroupsJson(k.missing_possible), "},\"basis\":",
                    JsonString(k.basis), "}");
  } else {
    o += "null";
  }
  absl::StrAppend(&o, ",\"donor_kir\":", r.kir ? DonorKirJson(*r.kir) : "null");
  absl::StrAppend(&o, ",\"probability\":",
                  r.probability ? ProbabilityJson(*r.probability) : "null");
  absl::StrAppend(&o, ",\"status\":",
                  JsonString(eligibility::StatusName(r.eligibility.status)),
                  ",\"eligible\":", r.eligibility.eligible ? "true" : "false",
                  ",\"to_check\":", JsonStringList(r.eligibility.to_check),
                  ",\"reasons\":[");
  for (size_t k = 0; k < r.eligibility.reasons.size(); ++k) {
    if (k) o += ",";
    AppendJsonString(r.eligibility.reasons[k], &o);
  }
  o += "]}";
  return o;
}

// ---- family

std::string FamilyJsonHead(absl::string_view imgt_version) {
  return absl::StrCat("{\"imgt_version\":", JsonString(imgt_version),
                      ",\"families\":[");
}

namespace {

// {"A":1,"C":1,...,"DPB1":0}: alleles shared with the patient by descent at
// each locus segregation used; null where the explanations differ; null
// for the whole object when unknown.
std::string DescentJson(const std::vector<Locus>& loci,
                        const std::vector<std::optional<int>>& ibd) {
  if (ibd.empty() || ibd.size() != loci.size()) return "null";
  std::string o = "{";
  for (size_t l = 0; l < loci.size(); ++l) {
    absl::StrAppend(&o, l ? "," : "", JsonString(LocusName(loci[l])), ":",
                    ibd[l] ? absl::StrCat(*ibd[l]) : "null");
  }
  return o + "}";
}

}  // namespace

std::string FamilyJson(
    const family::FamilyResult& result,
    const std::vector<std::optional<matcher::HaploResult>>& verdicts) {
  std::ostringstream out;
  const family::FamilyResult* fam = &result;
  out << "\n{\"family_id\":" << JsonString(fam->family_id)
          << ",\"consistent\":" << (fam->consistent ? "true" : "false")
          << ",\"problems\":" << JsonStringList(fam->problems)
          << ",\"recombinations\":" << fam->recombinations
          << ",\"explanations\":" << fam->explanations
          << ",\"explanations_truncated\":"
          << (fam->truncated ? "true" : "false")
          << ",\"notes\":" << JsonStringList(fam->notes) << ",\"members\":[";
      for (size_t i = 0; i < fam->members.size(); ++i) {
        const family::MemberResult& m = fam->members[i];
        std::vector<std::string> unphased;
        for (Locus l : m.unphased_loci) unphased.emplace_back(LocusName(l));
        if (i > 0) out << ",";
        out << "\n{\"id\":" << JsonString(m.id) << ",\"role\":"
            << JsonString(family::ToString(m.role))
            << ",\"in_input\":" << (m.in_input ? "true" : "false")
            << ",\"haplotypes\":" << JsonString(m.letters)
            << ",\"phased_gl\":" << JsonString(m.phased_gl)
            << ",\"unphased_loci\":" << JsonStringList(unphased)
            << ",\"shared_with_patient\":"
            << (m.shared ? absl::StrCat(*m.shared) : "null")
            << ",\"likely_shared\":"
            << (m.likely_shared ? absl::StrCat(*m.likely_shared) : "null")
            << ",\"shared_as_typed\":"
            << (m.shared_as_typed ? absl::StrCat(*m.shared_as_typed) : "null")
            << ",\"shared_haplotypes\":" << JsonStringList(m.shared_haplotypes)
            << ",\"alleles_by_descent\":" << DescentJson(fam->loci, m.ibd)
            << ",\"shared_segments\":" << JsonStringList(m.shared_segments)
            << ",\"segregation_basis\":" << JsonString(m.basis)
            << ",\"verdict\":"
            << (verdicts[i].has_value()
                    ? JsonString(matcher::ToString(verdicts[i]->verdict))
                    : "null")
            << ",\"basis\":"
            << (verdicts[i].has_value() ? JsonString(verdicts[i]->basis) : "null")
            << ",\"recombinant\":" << (m.recombinant ? "true" : "false")
            << ",\"inconsistent\":" << (m.inconsistent ? "true" : "false")
            << ",\"needs_review\":" << (m.needs_review ? "true" : "false")
            << ",\"flags\":" << JsonStringList(m.flags) << "}";
      }
  out << "]}";
  return out.str();
}

std::string RejectedJsonList(
    const std::vector<std::pair<std::string, std::string>>& rejected) {
  std::string o = "[";
  for (size_t i = 0; i < rejected.size(); ++i) {
    if (i > 0) o += ",";
    absl::StrAppend(&o, "{\"source\":", JsonString(rejected[i].first),
                    ",\"error\":", JsonString(rejected[i].second), "}");
  }
  o += "]";
  return o;
}

std::string FamilyJsonTail(
    const std::vector<std::pair<std::string, std::string>>& rejected) {
  return absl::StrCat("\n],\"rejected\":", RejectedJsonList(rejected), "}\n");
}

}  // namespace hla::report
