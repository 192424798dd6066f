// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// Every kind of name at every reduce level (issue 20): the table of
// docs/conventions.md §14, kept in tests/testdata/conventions/levels.tsv
// (one row per kind, one column per level, and the levels where py-ard
// 2.3.1 answers otherwise with the section that says why). Each cell is
// reduced here and compared. The expected values were checked against
// py-ard 2.3.1 on 3.58.0 cell by cell: they agree except where the last
// column says.
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "data/mac_table.h"
#include "data/reduce.h"
#include "data/reference.h"
#include "gtest/gtest.h"
#include "parser/parse.h"

namespace hla::data {
namespace {

const std::string kData = HLA_SHIPPED_DATA_DIR;
const std::string kTable =
    std::string(HLA_TESTDATA_DIR) + "/conventions/levels.tsv";

TEST(Levels, EveryKindOfNameAtEveryLevel) {
  auto ref = Reference::Load({kData + "/imgt/3.58.0"});
  ASSERT_TRUE(ref.ok()) << ref.status();
  auto macs = MacTable::Load(kData + "/" + MacTable::kShippedRelativePath);
  ASSERT_TRUE(macs.ok()) << macs.status();
  ReduceOptions strict, lenient;
  lenient.resolve.strict = false;
  const Reducer strict_reducer(*ref, *macs, strict);
  const Reducer lenient_reducer(*ref, *macs, lenient);

  std::ifstream in(kTable);
  ASSERT_TRUE(in.good()) << kTable;
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = absl::StrSplit(line, '\t');
  const std::vector<std::string> levels = {"G",    "P", "lg", "lgx", "exon",
                                           "W",    "U2", "S", "1F"};
  ASSERT_EQ(header.size(), 3 + levels.size() + 1);
  for (size_t k = 0; k < levels.size(); ++k) ASSERT_EQ(header[3 + k], levels[k]);
  int rows = 0, cells = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> c = absl::StrSplit(line, '\t');
    ASSERT_EQ(c.size(), header.size()) << line;
    ++rows;
    const Reducer& r = c[2] == "non-strict" ? lenient_reducer : strict_reducer;
    absl::StatusOr<GlString> gl = parser::ParseGlString(c[1]);
    ASSERT_TRUE(gl.ok()) << c[1];
    for (size_t k = 0; k < levels.size(); ++k) {
      const std::optional<ReductionLevel> level = ParseReductionLevel(levels[k]);
      ASSERT_TRUE(level);
      absl::StatusOr<ReduceResult> got = r.Reduce(*gl, *level);
      ASSERT_TRUE(got.ok()) << c[0] << " " << c[1] << " at " << levels[k]
                            << ": " << got.status();
      EXPECT_EQ(got->text, c[3 + k]) << c[0] << " " << c[1] << " at " << levels[k];
      ++cells;
    }
  }
  // One row per kind of name docs/conventions.md §14 lists.
  EXPECT_EQ(rows, 16);
  EXPECT_EQ(cells, 16 * 9);
}

}  // namespace
}  // namespace hla::data
