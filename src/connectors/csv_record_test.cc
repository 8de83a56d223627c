#include "src/connectors/csv_record.h"

#include <gtest/gtest.h>

namespace eddy::connectors {
namespace {

std::vector<std::string> Split(std::string record, CsvFormat format = {}) {
  std::vector<CsvField> fields;
  Status st = SplitCsvRecord(record.data(), record.size(), format, fields);
  EXPECT_TRUE(st.ok()) << st.ToString();
  std::vector<std::string> out;
  for (const CsvField& f : fields) {
    out.push_back((f.quoted ? "Q:" : "") + record.substr(f.offset, f.size));
  }
  return out;
}

std::string SplitError(std::string record) {
  std::vector<CsvField> fields;
  Status st = SplitCsvRecord(record.data(), record.size(), CsvFormat{}, fields);
  EXPECT_FALSE(st.ok());
  return st.message();
}

TEST(CsvRecordTest, SplitsPlainFields) {
  EXPECT_EQ(Split("a,b,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Split("a,,c,"), (std::vector<std::string>{"a", "", "c", ""}));
  EXPECT_EQ(Split(""), (std::vector<std::string>{""}));
  EXPECT_EQ(Split(" a , b "), (std::vector<std::string>{" a ", " b "}));
}

TEST(CsvRecordTest, UnquotesQuotedFields) {
  EXPECT_EQ(Split(R"("a,b","say ""hi""","",x)"),
            (std::vector<std::string>{"Q:a,b", "Q:say \"hi\"", "Q:", "x"}));
  EXPECT_EQ(Split("\"line\nbreak\",2"), (std::vector<std::string>{"Q:line\nbreak", "2"}));
  EXPECT_EQ(Split(R"("""")"), (std::vector<std::string>{"Q:\""}));
}

TEST(CsvRecordTest, AQuoteInsideAnUnquotedFieldIsLiteral) {
  EXPECT_EQ(Split(R"(5" pipe,x)"), (std::vector<std::string>{"5\" pipe", "x"}));
}

TEST(CsvRecordTest, OtherDelimitersAndQuotes) {
  EXPECT_EQ(Split("a;'b;c';d", CsvFormat{';', '\''}),
            (std::vector<std::string>{"a", "Q:b;c", "d"}));
  EXPECT_EQ(Split("a\tb", CsvFormat{'\t', '"'}), (std::vector<std::string>{"a", "b"}));
}

TEST(CsvRecordTest, MalformedQuotingIsAnErrorNamingTheField) {
  EXPECT_EQ(SplitError(R"(a,"open)"), "field 2: quoted field is not closed");
  EXPECT_EQ(SplitError(R"("a"b,c)"), "field 1: unexpected 'b' after the closing quote");
}

TEST(CsvRecordTest, FindsTheEndOfARecordOutsideQuotes) {
  CsvRecordSpan span;
  ASSERT_TRUE(FindCsvRecord("a,b\nc,d\n", false, CsvFormat{}, &span));
  EXPECT_EQ(span.length, 3u);
  EXPECT_EQ(span.consumed, 4u);
  EXPECT_EQ(span.line_breaks, 0);

  ASSERT_TRUE(FindCsvRecord("a,b\r\nc", false, CsvFormat{}, &span));
  EXPECT_EQ(span.length, 3u);
  EXPECT_EQ(span.consumed, 5u);

  const std::string quoted = "\"x\ny\r\nz\",\"q\"\"\n\"\nnext";
  ASSERT_TRUE(FindCsvRecord(quoted, false, CsvFormat{}, &span));
  EXPECT_EQ(quoted.substr(0, span.length), "\"x\ny\r\nz\",\"q\"\"\n\"");
  EXPECT_EQ(span.line_breaks, 3);
}

TEST(CsvRecordTest, AnIncompleteRecordWaitsForMoreUnlessAtTheEnd) {
  CsvRecordSpan span;
  EXPECT_FALSE(FindCsvRecord("a,b", false, CsvFormat{}, &span));
  EXPECT_FALSE(FindCsvRecord("\"a\nb", false, CsvFormat{}, &span));
  EXPECT_FALSE(FindCsvRecord("", true, CsvFormat{}, &span));
  ASSERT_TRUE(FindCsvRecord("a,b\r", true, CsvFormat{}, &span));
  EXPECT_EQ(span.length, 3u);
  EXPECT_EQ(span.consumed, 4u);
  ASSERT_TRUE(FindCsvRecord("\"open\n", true, CsvFormat{}, &span));
  EXPECT_EQ(span.length, 6u);
}

}  // namespace
}  // namespace eddy::connectors
