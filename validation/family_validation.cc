// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// family_validation: how often family segregation (family/family.h) agrees
// with the ground truth of synthetic families, and whether what must hold
// does (validation/family_agreement.h). CI runs it with the defaults after
// the Release tests; docs/family.md quotes its figures.
//
//   build/release/validation/family_validation
//   build/release/validation/family_validation --seed=7 --recombination=0.10
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "data/reference.h"
#include "validation/family_agreement.h"

namespace {

using hla::validation::AgreementOptions;
using hla::validation::FamilyAgreement;

// A bound on the run time (about 1 ms a family on one core) and on the
// memory of the violation lists.
constexpr uint64_t kMaxFamilies = 100000;
constexpr int kExitViolation = 1;
constexpr int kExitCannotRun = 2;
// Lines of violations or errors printed; the count is always printed.
constexpr size_t kMaxListed = 20;

constexpr char kUsage[] =
    "usage: family_validation [--families=N] [--seed=N] [--recombination=R]\n"
    "                         [--other-partner=R] [--unnamed-partners=0|1]\n"
    "                         [--half-sibling=R]\n"
    "\n"
    "Generates N synthetic families (synth), segregates each as a family\n"
    "file, compares every relative's count of haplotypes shared with the\n"
    "patient with the ground truth, and prints the figures.\n"
    "\n"
    "  --families=N       families, 1 to 100000 (default 5000, a few\n"
    "                     seconds; about 1 ms a family)\n"
    "  --seed=N           synth seed, 0 to 2^64-1 (default 20261126)\n"
    "  --recombination=R  probability of a crossover between HLA-A and\n"
    "                     HLA-DQB1 per meiosis, 0 to 1 (default 0.0145,\n"
    "                     synth's default)\n"
    "  --other-partner=R  per child of the patient after the first, the\n"
    "                     probability of another partner (default 0)\n"
    "  --half-sibling=R   per family, the probability of maternal or\n"
    "                     paternal half-siblings (default 0)\n"
    "  --unnamed-partners=1  blank each child's other_parent before\n"
    "                     segregating (children grouped by no name)\n"
    "\n"
    "The data (release, MAC table, haplotype frequencies) is found as the\n"
    "haplomatch command finds it ($HAPLOMATCH_DATA_DIR, the build tree).\n"
    "\n"
    "Exit status: 0 when the invariants hold; 1 when one does not (in a\n"
    "family without recombination, a proven count is wrong, a child is\n"
    "flagged as unexplained or a count is undetermined for no documented\n"
    "reason), or a family could not be read or segregated; 2 for a bad\n"
    "flag or data that cannot be loaded. Families with recombination are\n"
    "measured, not judged: a crossover the typings cannot show can change\n"
    "a count.\n";

// Reads --name=value flags into *o; false (with the reason on stderr) for
// anything else or a value out of range.
bool ParseFlags(int argc, char** argv, AgreementOptions* o) {
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    const absl::string_view value =
        eq == absl::string_view::npos ? "" : arg.substr(eq + 1);
    bool ok = eq != absl::string_view::npos;
    if (name == "--families") {
      ok = ok && absl::SimpleAtoi(value, &o->families) && o->families >= 1 &&
           o->families <= kMaxFamilies;
    } else if (name == "--seed") {
      ok = ok && absl::SimpleAtoi(value, &o->seed);
    } else if (name == "--recombination") {
      ok = ok && absl::SimpleAtod(value, &o->recombination_rate) &&
           o->recombination_rate >= 0 && o->recombination_rate <= 1;
    } else if (name == "--other-partner") {
      ok = ok && absl::SimpleAtod(value, &o->other_partner_rate) &&
           o->other_partner_rate >= 0 && o->other_partner_rate <= 1;
    } else if (name == "--half-sibling") {
      ok = ok && absl::SimpleAtod(value, &o->half_sibling_rate) &&
           o->half_sibling_rate >= 0 && o->half_sibling_rate <= 1;
    } else if (name == "--unnamed-partners") {
      ok = value == "1" || value == "0";
      o->unnamed_partners = value == "1";
    } else {
      std::fprintf(stderr,
                   "family_validation: unknown flag '%s' (--help lists "
                   "them)\n",
                   argv[i]);
      return false;
    }
    if (!ok) {
      std::fprintf(stderr,
                   "family_validation: '%s': not a value in range (--help "
                   "gives the ranges)\n",
                   argv[i]);
      return false;
    }
  }
  return true;
}

double Percent(int part, int whole) {
  return whole == 0 ? 0.0 : 100.0 * part / whole;
}

void Row(const char* what, int n) { std::printf("  %-52s %7d\n", what, n); }
void Row(const char* what, int n, int of) {
  std::printf("  %-52s %7d  %5.1f %%\n", what, n, Percent(n, of));
}

void PrintTable(const AgreementOptions& o, const FamilyAgreement& a) {
  std::printf("family segregation against synth ground truth\n");
  std::printf("  seed %llu, recombination %g per meiosis, other partner %g%s, "
              "half-sibling %g, %d families\n\n",
              static_cast<unsigned long long>(o.seed), o.recombination_rate,
              o.other_partner_rate,
              o.unnamed_partners ? " (unnamed)" : "", o.half_sibling_rate,
              a.families);
  std::printf("families without recombination: %d\n",
              a.families - a.recombinant_families);
  Row("relatives", a.relatives);
  Row("  of them half-siblings", a.half_siblings);
  Row("agree", a.agree, a.relatives);
  Row("  of them half-siblings", a.half_siblings_agree);
  Row("wrong (must be 0)", a.wrong, a.relatives);
  Row("given at the typed resolution (shared_as_typed)", a.as_typed,
      a.relatives);
  Row("  equal to the truth's haplotypes at ARD level", a.as_typed_right);
  Row("  differ below an allele list or XX typing", a.as_typed_low_resolution);
  Row("  differ (must be 0)", a.as_typed_wrong);
  Row("undetermined", a.undetermined, a.relatives);
  Row("  of them half-siblings", a.half_siblings_undetermined);
  Row("  1 both parents untyped, < 3 children typed",
      a.und_both_parents_missing_few_children);
  Row("  2 one parent untyped", a.und_one_parent_missing);
  Row("  3 a parent's two haplotypes alike", a.und_parent_haplotypes_alike);
  Row("  low resolution", a.und_low_resolution);
  Row("  half-sibling with both of its parent's haplotypes",
      a.und_half_sibling_carries_both);
  Row("  unexplained child (must be 0)", a.und_unexplained);
  Row("  no documented reason (must be 0)", a.und_no_reason);
  Row("  likely count given", a.und_likely_given);
  Row("    of them equal to the truth", a.und_likely_right);
  std::printf("families with recombination: %d\n", a.recombinant_families);
  Row("flagged (a recombinant or unexplained member)", a.recombinant_flagged,
      a.recombinant_families);
  Row("relatives", a.recombinant_relatives);
  Row("agree", a.recombinant_relatives_agree, a.recombinant_relatives);
  Row("differ (a crossover changes the count)",
      a.recombinant_relatives_differ, a.recombinant_relatives);
  Row("undetermined", a.recombinant_relatives_undetermined,
      a.recombinant_relatives);
  std::printf("recombinant persons:\n");
  Row("visible crossover", a.visible_recombinants);
  Row("  flagged in the family", a.visible_flagged_family,
      a.visible_recombinants);
  Row("  flagged on the person", a.visible_flagged_person,
      a.visible_recombinants);
  Row("crossover perhaps hidden by a low-resolution typing",
      a.low_resolution_recombinants);
  Row("  flagged in the family", a.low_resolution_flagged_family,
      a.low_resolution_recombinants);
  Row("invisible crossover", a.invisible_recombinants);
}

void PrintList(const char* what, const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  std::printf("%zu %s:\n", lines.size(), what);
  for (size_t i = 0; i < lines.size() && i < kMaxListed; ++i) {
    std::printf("  %s\n", lines[i].c_str());
  }
  if (lines.size() > kMaxListed) std::printf("  ...\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (absl::string_view(argv[1]) == "--help" ||
                    absl::string_view(argv[1]) == "-h")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  AgreementOptions options;
  if (!ParseFlags(argc, argv, &options)) return kExitCannotRun;
  const auto start = std::chrono::steady_clock::now();
  const absl::StatusOr<hla::validation::AgreementData> data =
      hla::validation::LoadAgreementData(
          hla::data::DataPaths::FromEnvironment());
  if (!data.ok()) {
    std::fprintf(stderr, "family_validation: %s\n",
                 std::string(data.status().message()).c_str());
    return kExitCannotRun;
  }
  const absl::StatusOr<FamilyAgreement> a =
      hla::validation::MeasureFamilyAgreement(*data, options);
  if (!a.ok()) {
    std::fprintf(stderr, "family_validation: %s\n",
                 std::string(a.status().message()).c_str());
    return kExitCannotRun;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  PrintTable(options, *a);
  PrintList("visible crossovers not flagged (not a failure: see "
            "validation/family_agreement.h)",
            a->unflagged_crossovers);
  PrintList("violations", a->violations);
  PrintList("families not read or not segregated", a->errors);
  const bool pass = a->violations.empty() && a->errors.empty();
  std::printf("%s (%.1f s)\n",
              pass ? "PASS: every invariant holds" : "FAIL", seconds);
  return pass ? 0 : kExitViolation;
}
