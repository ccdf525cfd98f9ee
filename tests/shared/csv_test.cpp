#include "rapidesk/shared/csv.h"

#include <gtest/gtest.h>

namespace rapidesk {
namespace {

TEST(Csv, FormulaInjectionIsDefused) {
  EXPECT_EQ(csv_cell("=HYPERLINK(\"http://evil\",\"x\")"), "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"");
  EXPECT_EQ(csv_cell("+1"), "'+1");
  EXPECT_EQ(csv_cell("-2"), "'-2");
  EXPECT_EQ(csv_cell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_cell("\tcmd"), "'\tcmd");
  // An importer that trims spaces or line breaks would find the formula behind them.
  EXPECT_EQ(csv_cell(" =HYPERLINK(1)"), "' =HYPERLINK(1)");
  EXPECT_EQ(csv_cell("\n =1"), "\"'\n =1\"");
  EXPECT_EQ(csv_cell("  spaced"), "  spaced");
  EXPECT_EQ(csv_cell("华东物流"), "华东物流");
  EXPECT_EQ(csv_cell("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_cell("line1\nline2"), "\"line1\nline2\"");
}

TEST(Csv, RoundTripIsExact) {
  const std::vector<std::vector<std::string>> rows = {
      {"number", "customer", "description"},
      {"20261123-TECH-0001", "华东物流", "扫码枪\n连不上, \"急\""},
      {"=1+1", "'quoted", "-", ""},
      {"''x", "@", "+86 138"},
      {" =1", "' =1", "\n-2", "'plain"},
  };
  std::string text(kUtf8Bom);
  for (const auto& r : rows) text += csv_row(r);
  auto back = parse_csv(text);
  ASSERT_TRUE(back) << back.status().message().en;
  EXPECT_EQ(*back, rows);
}

TEST(Csv, MalformedInputSaysWhere) {
  auto r = parse_csv("a,b\r\nc,\"open\r\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().en.find("never closed"), std::string::npos);
  auto stray = parse_csv("a,b\nc,d\"e\n");
  ASSERT_FALSE(stray);
  EXPECT_NE(stray.status().message().en.find("line 2"), std::string::npos);
  EXPECT_NE(stray.status().message().zh.find("第 2 行"), std::string::npos);
}

}  // namespace
}  // namespace rapidesk
