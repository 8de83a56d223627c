#include "src/connectors/json_decoder.h"

#include <gtest/gtest.h>

#include <cstring>

namespace eddy::connectors {
namespace {

using engine::Batch;
using engine::DataType;
using engine::Field;
using engine::MakeSchema;
using engine::SchemaRef;
using engine::Value;

SchemaRef AllTypes(bool nullable = true) {
  return MakeSchema({{"i", DataType::kInt64, nullable},
                     {"d", DataType::kDouble, nullable},
                     {"b", DataType::kBool, nullable},
                     {"s", DataType::kString, nullable},
                     {"t", DataType::kTimestamp, nullable}});
}

JsonRowDecoder MakeDecoder(SchemaRef schema, std::string event_time_field = "") {
  auto decoder = JsonRowDecoder::Make(std::move(schema), JsonDecoderOptions{event_time_field});
  EXPECT_TRUE(decoder.ok()) << decoder.status().ToString();
  return std::move(decoder).value();
}

// Decodes `json` into a fresh batch and returns the one row's values.
std::vector<Value> DecodeOne(JsonRowDecoder& decoder, std::string_view json) {
  Batch batch(decoder.schema());
  Status st = decoder.Decode(json, batch, 7);
  EXPECT_TRUE(st.ok()) << st.ToString() << " for " << json;
  EXPECT_EQ(batch.num_rows(), st.ok() ? 1u : 0u);
  return batch.num_rows() == 1 ? batch.RowValues(0) : std::vector<Value>{};
}

std::string DecodeError(JsonRowDecoder& decoder, std::string_view json) {
  Batch batch(decoder.schema());
  Status st = decoder.Decode(json, batch, 0);
  EXPECT_FALSE(st.ok()) << json << " decoded";
  EXPECT_EQ(batch.num_rows(), 0u);
  return st.message();
}

TEST(JsonRowDecoderTest, DecodesEveryType) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  auto row =
      DecodeOne(decoder, R"({"i": -42, "d": 1.5, "b": true, "s": "hello", "t": 1700000000123})");
  ASSERT_EQ(row.size(), 5u);
  EXPECT_EQ(row[0], Value::Int64(-42));
  EXPECT_EQ(row[1], Value::Double(1.5));
  EXPECT_EQ(row[2], Value::Bool(true));
  EXPECT_EQ(row[3], Value::String("hello"));
  EXPECT_EQ(row[4], Value::Timestamp(1700000000123));
}

TEST(JsonRowDecoderTest, Int64TakesTheWholeRange) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  EXPECT_EQ(DecodeOne(decoder, R"({"i": 9223372036854775807})")[0], Value::Int64(INT64_MAX));
  EXPECT_EQ(DecodeOne(decoder, R"({"i": -9223372036854775808})")[0], Value::Int64(INT64_MIN));
}

TEST(JsonRowDecoderTest, DoubleColumnsTakeIntegersAndExponents) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  EXPECT_EQ(DecodeOne(decoder, R"({"d": 3})")[1], Value::Double(3.0));
  EXPECT_EQ(DecodeOne(decoder, R"({"d": -2.5e-3})")[1], Value::Double(-0.0025));
  EXPECT_EQ(DecodeOne(decoder, R"({"d": 1E+20})")[1], Value::Double(1e20));
  EXPECT_EQ(DecodeOne(decoder, R"({"d": 0.1})")[1], Value::Double(0.1));
}

TEST(JsonRowDecoderTest, TimestampColumnsTakeIsoStrings) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  // 2026-11-25T12:00:00Z is 1795608000 s after the epoch.
  EXPECT_EQ(DecodeOne(decoder, R"({"t": "2026-11-25T12:00:00Z"})")[4],
            Value::Timestamp(1'795'608'000'000));
  EXPECT_EQ(DecodeOne(decoder, R"({"t": "2026-11-25T12:00:00.250Z"})")[4],
            Value::Timestamp(1'795'608'000'250));
  EXPECT_EQ(DecodeOne(decoder, R"({"t": "2026-11-25T13:30:00.5+01:30"})")[4],
            Value::Timestamp(1'795'608'000'500));
  EXPECT_EQ(DecodeOne(decoder, R"({"t": -1000})")[4], Value::Timestamp(-1000));
}

TEST(JsonRowDecoderTest, BadIsoStringNamesTheField) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  const std::string error = DecodeError(decoder, R"({"t": "2026-13-01T00:00:00Z"})");
  EXPECT_NE(error.find("field \"t\""), std::string::npos) << error;
  EXPECT_NE(error.find("month out of range"), std::string::npos) << error;
}

TEST(JsonRowDecoderTest, DecodesStringEscapes) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  auto row =
      DecodeOne(decoder, R"({"s": "q\"b\\s\/n\nt\tu\u00e9 \ud83d\ude00 \u0001 r\r b\b f\f"})");
  EXPECT_EQ(row[3], Value::String("q\"b\\s/n\nt\tu\xc3\xa9 \xf0\x9f\x98\x80 \x01 r\r b\b f\f"));
  // Raw UTF-8 passes through.
  EXPECT_EQ(DecodeOne(decoder, "{\"s\": \"h\xc3\xa9\"}")[3], Value::String("h\xc3\xa9"));
}

TEST(JsonRowDecoderTest, EscapedKeysMatchTheirColumns) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  EXPECT_EQ(DecodeOne(decoder, R"({"\u0069": 5})")[0], Value::Int64(5));
}

TEST(JsonRowDecoderTest, NullAndMissingFieldsAreNullsWhenNullable) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  auto row = DecodeOne(decoder, R"({"i": null, "s": "x"})");
  EXPECT_TRUE(row[0].is_null());
  EXPECT_TRUE(row[1].is_null());
  EXPECT_TRUE(row[2].is_null());
  EXPECT_EQ(row[3], Value::String("x"));
  EXPECT_TRUE(row[4].is_null());
  EXPECT_EQ(row[0].type(), DataType::kInt64);
}

TEST(JsonRowDecoderTest, MissingOrNullFieldThatIsNotNullableIsAnError) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes(/*nullable=*/false));
  const std::string missing = DecodeError(decoder, R"({"i": 1, "d": 1, "b": true, "t": 5})");
  EXPECT_NE(missing.find("field \"s\" is missing but not nullable"), std::string::npos) << missing;
  const std::string null =
      DecodeError(decoder, R"({"i": 1, "d": 1, "b": true, "s": null, "t": 5})");
  EXPECT_NE(null.find("field \"s\" is null but not nullable"), std::string::npos) << null;
}

TEST(JsonRowDecoderTest, ExtraFieldsAreIgnored) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  auto row = DecodeOne(decoder,
                       R"({"x": {"nested": [1, {"i": 99}]}, "i": 1, "y": [true, null],
                           "z": "s", "w": 1.5e3, "v": null, "u": false})");
  EXPECT_EQ(row[0], Value::Int64(1));
  EXPECT_TRUE(row[3].is_null());
}

TEST(JsonRowDecoderTest, FieldsMayComeInAnyOrder) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  auto row = DecodeOne(decoder, R"({"t": 9, "s": "a", "i": 3, "b": false, "d": 2.0})");
  EXPECT_EQ(row[0], Value::Int64(3));
  EXPECT_EQ(row[1], Value::Double(2.0));
  EXPECT_EQ(row[2], Value::Bool(false));
  EXPECT_EQ(row[3], Value::String("a"));
  EXPECT_EQ(row[4], Value::Timestamp(9));
}

TEST(JsonRowDecoderTest, TheLastOfARepeatedFieldWins) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  EXPECT_EQ(DecodeOne(decoder, R"({"i": 1, "i": 2})")[0], Value::Int64(2));
}

TEST(JsonRowDecoderTest, WrongTypeNamesFieldExpectedTypeAndWhatWasFound) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  std::string e = DecodeError(decoder, R"({"i": "abc"})");
  EXPECT_EQ(e, "field \"i\": expected int64 (a JSON integer), found string \"abc\"");
  e = DecodeError(decoder, R"({"i": 1.5})");
  EXPECT_EQ(e, "field \"i\": expected int64 (a JSON integer), found number 1.5");
  e = DecodeError(decoder, R"({"b": 1})");
  EXPECT_EQ(e, "field \"b\": expected bool (true or false), found number 1");
  e = DecodeError(decoder, R"({"s": {"a": 1}})");
  EXPECT_EQ(e, "field \"s\": expected string, found an object");
  e = DecodeError(decoder, R"({"d": [1]})");
  EXPECT_EQ(e, "field \"d\": expected double (a JSON number), found an array");
  e = DecodeError(decoder, R"({"d": "1.5"})");
  EXPECT_EQ(e, "field \"d\": expected double (a JSON number), found string \"1.5\"");
  e = DecodeError(decoder, R"({"s": true})");
  EXPECT_EQ(e, "field \"s\": expected string, found true");
  e = DecodeError(decoder, R"({"t": 1.5})");
  EXPECT_NE(e.find("field \"t\": expected timestamp"), std::string::npos) << e;
}

TEST(JsonRowDecoderTest, Int64OutOfRangeIsAnError) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  const std::string e = DecodeError(decoder, R"({"i": 9223372036854775808})");
  EXPECT_NE(e.find("field \"i\": expected int64"), std::string::npos) << e;
  EXPECT_NE(e.find("9223372036854775808"), std::string::npos) << e;
}

TEST(JsonRowDecoderTest, MalformedLiteralsAreErrors) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  EXPECT_NE(DecodeError(decoder, R"({"b": tru})").find("field \"b\""), std::string::npos);
  EXPECT_NE(DecodeError(decoder, R"({"i": nul})").find("field \"i\""), std::string::npos);
  EXPECT_NE(DecodeError(decoder, R"({"i": 12x})").find("field \"i\""), std::string::npos);
  EXPECT_NE(DecodeError(decoder, R"({"d": 1e999})").find("field \"d\""), std::string::npos);
}

TEST(JsonRowDecoderTest, AnythingButAnObjectIsNotAJsonObject) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  EXPECT_EQ(DecodeError(decoder, "[1, 2]"), "not a JSON object (starts with \"[1, 2]\")");
  EXPECT_EQ(DecodeError(decoder, " 42"), "not a JSON object (starts with \"42\")");
  EXPECT_EQ(DecodeError(decoder, "\"text\""), "not a JSON object (starts with \"\"text\"\")");
  EXPECT_EQ(DecodeError(decoder, "hello world"), "not a JSON object (starts with \"hello world\")");
  EXPECT_EQ(DecodeError(decoder, ""), "empty input: not a JSON object");
  EXPECT_EQ(DecodeError(decoder, "   "), "empty input: not a JSON object");
}

TEST(JsonRowDecoderTest, SyntaxErrorsSayWhere) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  std::string e = DecodeError(decoder, R"({"i" 1})");
  EXPECT_EQ(e.rfind("invalid JSON at byte 5: ", 0), 0u) << e;
  e = DecodeError(decoder, R"({"i": 1,})");
  EXPECT_EQ(e.rfind("invalid JSON at byte 8: ", 0), 0u) << e;
  e = DecodeError(decoder, R"({"i": 1}})");
  EXPECT_EQ(e, "invalid JSON at byte 8: unexpected text after the object (\"}\")");
  e = DecodeError(decoder, R"({"i": 1}{"i": 2})");
  EXPECT_EQ(e.rfind("invalid JSON at byte 8: unexpected text after the object", 0), 0u) << e;
  e = DecodeError(decoder, R"({"s": "unterminated)");
  EXPECT_EQ(e.rfind("invalid JSON", 0), 0u) << e;
  e = DecodeError(decoder, R"({"i": 1)");
  EXPECT_EQ(e.rfind("invalid JSON", 0), 0u) << e;
  e = DecodeError(decoder, R"({,})");
  EXPECT_EQ(e.rfind("invalid JSON at byte 1: ", 0), 0u) << e;
}

TEST(JsonRowDecoderTest, AnErrorLeavesTheBatchUnchanged) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  Batch batch(decoder.schema());
  ASSERT_TRUE(decoder.Decode(R"({"i": 1, "s": "first"})", batch, 0).ok());
  // Valid fields before the bad one must not reach the batch.
  EXPECT_FALSE(decoder.Decode(R"({"i": 2, "s": "second", "b": "no"})", batch, 0).ok());
  EXPECT_FALSE(decoder.Decode(R"({"i": 3, "s": "third", "d": 1.0,})", batch, 0).ok());
  ASSERT_EQ(batch.num_rows(), 1u);
  for (size_t c = 0; c < batch.num_columns(); ++c) EXPECT_EQ(batch.column(c).size(), 1u);
  ASSERT_TRUE(decoder.Decode(R"({"i": 4, "s": "fourth"})", batch, 0).ok());
  EXPECT_EQ(batch.RowValues(1)[3], Value::String("fourth"));
  EXPECT_EQ(batch.RowValues(0)[3], Value::String("first"));
}

TEST(JsonRowDecoderTest, EventTimeComesFromTheFieldOrTheCaller) {
  JsonRowDecoder from_field = MakeDecoder(AllTypes(), "t");
  Batch batch(from_field.schema());
  ASSERT_TRUE(from_field.Decode(R"({"t": "1970-01-01T00:00:01Z"})", batch, 5).ok());
  ASSERT_TRUE(from_field.Decode(R"({"t": 2500})", batch, 5).ok());
  EXPECT_EQ(batch.event_times(), (std::vector<int64_t>{1000, 2500}));
  EXPECT_EQ(DecodeError(from_field, R"({"i": 1})"), "event time field \"t\" is missing");
  EXPECT_EQ(DecodeError(from_field, R"({"t": null})"), "event time field \"t\" is null");

  JsonRowDecoder from_caller = MakeDecoder(AllTypes());
  Batch other(from_caller.schema());
  ASSERT_TRUE(from_caller.Decode(R"({"t": 2500})", other, 77).ok());
  EXPECT_EQ(other.event_time(0), 77);
}

TEST(JsonRowDecoderTest, EventTimeFieldMustBeATimestampOrInt64Column) {
  EXPECT_TRUE(JsonRowDecoder::Make(AllTypes(), {"i"}).ok());
  auto wrong = JsonRowDecoder::Make(AllTypes(), {"s"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("\"s\" has type string"), std::string::npos)
      << wrong.status().ToString();
  auto missing = JsonRowDecoder::Make(AllTypes(), {"nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
}

TEST(JsonRowDecoderTest, PaddedInputIsParsedInPlaceWhateverFollowsIt) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  // Two documents back to back, then bytes that would break a parser reading past the
  // first document's end.
  std::string buffer = R"({"i": 1, "s": "one"})";
  const size_t first = buffer.size();
  buffer += R"({"i": 2, "s": "two"}}}]]"\"{)";
  buffer.append(JsonRowDecoder::kPadding, '\\');
  Batch batch(decoder.schema());
  ASSERT_TRUE(
      decoder.DecodePadded(std::string_view(buffer.data(), first), buffer.size(), batch, 0).ok());
  ASSERT_TRUE(decoder
                  .DecodePadded(std::string_view(buffer.data() + first, 20), buffer.size() - first,
                                batch, 0)
                  .ok());
  ASSERT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(batch.RowValues(0)[3], Value::String("one"));
  EXPECT_EQ(batch.RowValues(1)[3], Value::String("two"));
  // Too little room after the document: copied, same result.
  ASSERT_TRUE(
      decoder.DecodePadded(std::string_view(buffer.data(), first), first + 3, batch, 0).ok());
  EXPECT_EQ(batch.RowValues(2)[0], Value::Int64(1));
}

TEST(JsonRowDecoderTest, ReusesItselfAcrossManyRowsOfVaryingSize) {
  JsonRowDecoder decoder = MakeDecoder(AllTypes());
  Batch batch(decoder.schema());
  for (int i = 0; i < 2000; ++i) {
    const std::string s(static_cast<size_t>(i % 300), static_cast<char>('a' + i % 26));
    const std::string json = "{\"i\": " + std::to_string(i) + ", \"s\": \"" + s + "\"}";
    ASSERT_TRUE(decoder.Decode(json, batch, i).ok()) << json;
  }
  ASSERT_EQ(batch.num_rows(), 2000u);
  for (int i = 0; i < 2000; i += 97) {
    EXPECT_EQ(batch.RowValues(i)[0], Value::Int64(i));
    EXPECT_EQ(batch.column(3).StringAt(i),
              std::string(static_cast<size_t>(i % 300), static_cast<char>('a' + i % 26)));
    EXPECT_EQ(batch.event_time(i), i);
  }
}

}  // namespace
}  // namespace eddy::connectors
