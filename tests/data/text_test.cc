// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
#include "data/internal/text.h"

#include <string>
#include <vector>

#include "data_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace hla::data_internal {
namespace {

using ::hla::data_testing::StatusIs;
using ::testing::ElementsAre;

std::vector<std::string> Lines(absl::string_view text) {
  std::vector<std::string> out;
  LineCursor c(text);
  absl::string_view line;
  while (c.Next(&line)) out.emplace_back(line);
  return out;
}

TEST(LineCursor, LastLineNeedsNoNewline) {
  EXPECT_THAT(Lines("a\nb"), ElementsAre("a", "b"));
  EXPECT_THAT(Lines("a\nb\n"), ElementsAre("a", "b"));
}

TEST(LineCursor, StripsCarriageReturnAndKeepsBlankLines) {
  EXPECT_THAT(Lines("a\r\n\r\nb\r\n"), ElementsAre("a", "", "b"));
}

TEST(LineCursor, CountsLinesFromOne) {
  LineCursor c("x\ny\nz");
  absl::string_view line;
  ASSERT_TRUE(c.Next(&line));
  ASSERT_TRUE(c.Next(&line));
  EXPECT_EQ(line, "y");
  EXPECT_EQ(c.line_number(), 2);
  ASSERT_TRUE(c.Peek(&line));
  EXPECT_EQ(line, "z");
  EXPECT_EQ(c.line_number(), 2);  // Peek does not advance
}

TEST(ReadHeader, ReadsVersionAndTrimmedDate) {
  // rel_dna_ser.txt 3.58.0 has a tab after the date.
  LineCursor c("# file: x\n# date: 2024-10-09\t\n"
               "# version: IPD-IMGT/HLA 3.58.0\nA;1\n");
  const FileHeader h = ReadHeader(&c);
  EXPECT_EQ(h.date, "2024-10-09");
  EXPECT_EQ(h.version, "3.58.0");
  EXPECT_EQ(h.lines, 3);
  absl::string_view line;
  ASSERT_TRUE(c.Next(&line));
  EXPECT_EQ(line, "A;1");
}

TEST(SplitN, LastPieceKeepsSeparators) {
  absl::string_view f[3];
  ASSERT_EQ(SplitN("a,b,c,d", ',', f, 3), 3);
  EXPECT_EQ(f[2], "c,d");
  ASSERT_EQ(SplitN("a", ',', f, 3), 1);
  EXPECT_EQ(f[0], "a");
  ASSERT_EQ(SplitN("a,,", ',', f, 3), 3);
  EXPECT_EQ(f[1], "");
  EXPECT_EQ(f[2], "");
}

TEST(ReadFile, MissingFileNamesPathAndWhatWasExpected) {
  EXPECT_THAT(ReadFile("/nonexistent/x.txt", "the allele list"),
              StatusIs(absl::StatusCode::kNotFound,
                       "missing file /nonexistent/x.txt (expected the allele "
                       "list)"));
}

TEST(LineError, IsDataLossWithFileAndLine) {
  EXPECT_THAT(LineError("dir/f.txt", 12, "bad"),
              StatusIs(absl::StatusCode::kDataLoss, "dir/f.txt:12: bad"));
}

TEST(Arena, ViewsSurviveLaterAllocations) {
  Arena arena;
  const absl::string_view a = arena.Concat("A*", "01:01", "G");
  std::vector<absl::string_view> many;
  for (int i = 0; i < 20000; ++i) many.push_back(arena.Copy("0123456789"));
  EXPECT_EQ(a, "A*01:01G");
  EXPECT_EQ(many.front(), "0123456789");
  EXPECT_EQ(arena.Concat("", ""), "");
}

}  // namespace
}  // namespace hla::data_internal
