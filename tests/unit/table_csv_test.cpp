// read_table_csv: CSV as people have it (issue 14, items 2 and 6).

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <mlpersist/dataset.hpp>
#include <mlpersist/error.hpp>
#include <string>

#include "test_support.hpp"

namespace mlpersist {
namespace {

TableDataset parse(std::string_view text, CsvOptions options = {}) {
  options.target_required = false;
  return parse_table_csv(text, "t.csv", options);
}

std::string error_of(std::string_view text, CsvOptions options = {}) {
  try {
    (void)parse(text, options);
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(TableCsv, QuotedCellsHoldCommasQuotesAndLineBreaks) {
  const auto d = parse("name,n\r\n\"a, \"\"b\"\"\",1\r\n\"two\nlines\",2\r\nplain,3\r\n");
  ASSERT_EQ(d.X.rows(), 3u);
  const Column& name = d.X.column(0);
  ASSERT_EQ(name.type, ColumnType::kString);
  EXPECT_EQ(*name.strings[0], "a, \"b\"");
  EXPECT_EQ(*name.strings[1], "two\nlines");
  EXPECT_EQ(*name.strings[2], "plain");
  EXPECT_EQ(d.X.column(1).numbers, (std::vector<double>{1, 2, 3}));
}

TEST(TableCsv, ByteOrderMarkIsNotPartOfTheFirstName) {
  const auto d = parse("\xEF\xBB\xBFx,y\n1,2\n");
  EXPECT_EQ(d.X.column(0).name, "x");
}

TEST(TableCsv, EmptyCellsAndNaSpellingsAreMissing) {
  const auto d = parse("a,b\n,x\nNA,\nnan,NULL\n\"\",None\n2.5,y\n");
  const Column& a = d.X.column(0);
  ASSERT_EQ(a.type, ColumnType::kNumber);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(std::isnan(a.numbers[i])) << i;
  EXPECT_EQ(a.numbers[4], 2.5);
  const Column& b = d.X.column(1);
  ASSERT_EQ(b.type, ColumnType::kString);
  EXPECT_EQ(*b.strings[0], "x");
  EXPECT_FALSE(b.strings[1] || b.strings[2] || b.strings[3]);
  EXPECT_EQ(*b.strings[4], "y");
}

TEST(TableCsv, AColumnTurningToStringsLateKeepsItsEarlierCellsAsText) {
  const auto d = parse("code\n1\n2.50\n\nx7\n");
  const Column& c = d.X.column(0);
  ASSERT_EQ(c.type, ColumnType::kString);
  EXPECT_EQ(*c.strings[0], "1");
  EXPECT_EQ(*c.strings[1], "2.50") << "the cell's text, not a number printed back";
  EXPECT_FALSE(c.strings[2].has_value());
  EXPECT_EQ(*c.strings[3], "x7");
}

TEST(TableCsv, CategoricalMakesANumericColumnStrings) {
  CsvOptions options;
  options.categorical = {"zip"};
  const auto d = parse("zip,n\n75001,1\n10115,2\n", options);
  ASSERT_EQ(d.X.column(0).type, ColumnType::kString);
  EXPECT_EQ(*d.X.column(0).strings[1], "10115");
  EXPECT_EQ(d.X.column(1).type, ColumnType::kNumber);
  options.categorical = {"nope"};
  EXPECT_NE(error_of("zip\n1\n", options).find("'nope'"), std::string::npos);
}

// As pandas.read_csv's dtypes: int64 only when every cell is an integer and none is missing.
TEST(TableCsv, IntegerColumnsAreMarkedIntegralAsPandasReadsThemAsInt64) {
  CsvOptions options;
  options.target_required = false;
  const auto d = parse("i,f,gap,big,s\n-3,1.0,1,1234567890123456789,a\n+7,2,,5,b\n", options);
  EXPECT_TRUE(d.X.column(0).integral);
  EXPECT_FALSE(d.X.column(1).integral);  // "1.0": float64
  EXPECT_FALSE(d.X.column(2).integral);  // a missing cell: float64
  EXPECT_FALSE(d.X.column(3).integral);  // 19 digits: beyond what we take as int64
  EXPECT_FALSE(d.X.column(4).integral);  // strings
  EXPECT_TRUE(d.X.slice_rows(0, 1).column(0).integral);
}

// A mapped file gives its pages back as the reader passes them (16 MiB at a time); a column
// that turns to strings in the last row sends the reader back to the first rows for their text.
TEST(TableCsv, FileLargerThanTheReleaseStepReadsWholeAndRereadsItsStart) {
  const auto file = test::temp_dir() / "large.csv";
  constexpr int kRows = 1'200'000;  // about 18 MB
  {
    std::ofstream out(file);
    out << "id,code,label\n";
    for (int i = 0; i < kRows; ++i)
      out << i << ',' << (i + 1 == kRows ? std::string("x") : std::to_string(i % 97)) << ",lbl"
          << i % 3 << '\n';
  }
  CsvOptions options;
  options.target_required = false;
  const TableDataset d = read_table_csv(file, options);
  ASSERT_EQ(d.X.rows(), static_cast<std::size_t>(kRows));
  EXPECT_EQ(d.X.column(0).numbers[kRows - 1], kRows - 1);
  ASSERT_EQ(d.X.column(1).type, ColumnType::kString);
  EXPECT_EQ(*d.X.column(1).strings[0], "0");
  EXPECT_EQ(*d.X.column(1).strings[96], "96");
  EXPECT_EQ(*d.X.column(1).strings[kRows - 1], "x");
  EXPECT_EQ(*d.X.column(2).strings[kRows - 2], "lbl" + std::to_string((kRows - 2) % 3));
  std::filesystem::remove(file);
}

TEST(TableCsv, StringTargetBecomesStringLabels) {
  CsvOptions options;
  options.target = "label";
  const auto d = parse("x,label\n1,stay\n2,churn\n", options);
  ASSERT_TRUE(d.y.is_string());
  EXPECT_EQ(d.y.strings(), (std::vector<std::string>{"stay", "churn"}));
  EXPECT_EQ(d.X.cols(), 1u);
  EXPECT_NE(
      error_of("x,label\n1,\n", options).find("target column 'label' is missing in data row 1"),
      std::string::npos);
}

TEST(TableCsv, RaggedRowNamesFileAndLine) {
  const std::string e = error_of("a,b\n1,2\n3\n");
  EXPECT_NE(e.find("t.csv:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("1 cells, but the header has 2 columns"), std::string::npos) << e;
}

TEST(TableCsv, InvalidUtf8NamesLineAndColumn) {
  const std::string e = error_of("a,b\nok,\xC3\x28\n");
  EXPECT_NE(e.find("t.csv:2: column 2: invalid UTF-8"), std::string::npos) << e;
}

TEST(TableCsv, UnterminatedQuoteNamesWhereItOpened) {
  const std::string e = error_of("a,b\n1,2\n3,\"open\n4,5\n");
  EXPECT_NE(e.find("t.csv:3: column 2: unterminated quoted cell"), std::string::npos) << e;
}

TEST(TableCsv, QuoteInsideAnUnquotedCellOrTextAfterAClosingQuoteIsRefused) {
  EXPECT_NE(error_of("a\nab\"c\n").find("a quote inside an unquoted cell"), std::string::npos);
  EXPECT_NE(error_of("a\n\"ab\"c\n").find("unexpected text after a closing quote"),
            std::string::npos);
}

TEST(TableCsv, ACellLargerThanTheBoundIsRefusedNotHeld) {
  CsvOptions options;
  options.max_cell_bytes = 64;
  const std::string big(200, 'x');
  EXPECT_NE(error_of("a\n" + big + "\n", options).find("longer than 64 bytes"), std::string::npos);
  EXPECT_NE(error_of("a\n\"" + big + "\"\n", options).find("longer than 64 bytes"),
            std::string::npos);
  std::string escaped = "a\n\"";
  for (int i = 0; i < 100; ++i) escaped += "\"\"";
  EXPECT_NE(error_of(escaped + "\"\n", options).find("longer than 64 bytes"), std::string::npos);
  EXPECT_EQ(kMaxCsvCellBytes, std::size_t{1} << 20) << "the documented bound";
}

TEST(TableCsv, DuplicateColumnNamesAreRefused) {
  EXPECT_NE(error_of("a,b,a\n1,2,3\n").find("names column 'a' twice"), std::string::npos);
}

}  // namespace
}  // namespace mlpersist
