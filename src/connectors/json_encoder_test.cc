#include "src/connectors/json_encoder.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include "src/connectors/connectors_test_util.h"
#include "src/connectors/json_decoder.h"

namespace eddy::connectors {
namespace {

using engine::Batch;
using engine::ChangeKind;
using engine::DataType;
using engine::MakeSchema;
using engine::SchemaRef;
using engine::Value;

SchemaRef AllTypes() {
  return MakeSchema({{"i", DataType::kInt64},
                     {"d", DataType::kDouble},
                     {"b", DataType::kBool},
                     {"s", DataType::kString},
                     {"t", DataType::kTimestamp}});
}

JsonRowEncoder MakeEncoder(SchemaRef schema, bool encode_changes = false) {
  auto encoder = JsonRowEncoder::Make(std::move(schema), JsonEncoderOptions{encode_changes});
  EXPECT_TRUE(encoder.ok()) << encoder.status().ToString();
  return std::move(encoder).value();
}

std::string Encode(const JsonRowEncoder& encoder, const Batch& batch, size_t row) {
  std::string out;
  encoder.AppendRow(batch, row, out);
  return out;
}

std::string EncodeDouble(double v) {
  std::string out;
  AppendJsonDouble(v, out);
  return out;
}

TEST(JsonRowEncoderTest, EncodesEveryTypeInSchemaOrder) {
  Batch batch(AllTypes());
  batch.AppendValues(std::vector<Value>{Value::Int64(-42), Value::Double(1.5), Value::Bool(true),
                                        Value::String("hi"), Value::Timestamp(1700000000123)},
                     0);
  EXPECT_EQ(Encode(MakeEncoder(AllTypes()), batch, 0),
            R"({"i":-42,"d":1.5,"b":true,"s":"hi","t":1700000000123})");
}

TEST(JsonRowEncoderTest, NullsAreNull) {
  Batch batch(AllTypes());
  batch.AppendValues(
      std::vector<Value>{Value::Null(DataType::kInt64), Value::Null(DataType::kDouble),
                         Value::Null(DataType::kBool), Value::Null(DataType::kString),
                         Value::Null(DataType::kTimestamp)},
      0);
  EXPECT_EQ(Encode(MakeEncoder(AllTypes()), batch, 0),
            R"({"i":null,"d":null,"b":null,"s":null,"t":null})");
}

TEST(JsonRowEncoderTest, DoublesUseTheShortestRoundTripFormAndStayDoubles) {
  EXPECT_EQ(EncodeDouble(1.0), "1.0");
  EXPECT_EQ(EncodeDouble(-0.0), "-0.0");
  EXPECT_EQ(EncodeDouble(0.1), "0.1");
  EXPECT_EQ(EncodeDouble(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(EncodeDouble(1e20), "1e+20");
  EXPECT_EQ(EncodeDouble(123456789.0), "123456789.0");
  EXPECT_EQ(EncodeDouble(5e-324), "5e-324");
  EXPECT_EQ(EncodeDouble(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(EncodeDouble(std::nan("")), "null");
  EXPECT_EQ(EncodeDouble(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(EncodeDouble(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonRowEncoderTest, StringsAreEscapedPerRfc8259) {
  std::string out;
  AppendJsonString("q\"b\\n\nt\tr\rb\bf\f\x01\x1f/\x7f h\xc3\xa9", out);
  EXPECT_EQ(out, "\"q\\\"b\\\\n\\nt\\tr\\rb\\bf\\f\\u0001\\u001f/\x7f h\xc3\xa9\"");
  out.clear();
  AppendJsonString(std::string_view("a\0b", 3), out);
  EXPECT_EQ(out, "\"a\\u0000b\"");
}

TEST(JsonRowEncoderTest, FieldNamesAreEscapedToo) {
  auto schema = MakeSchema({{"we\"ird", DataType::kInt64}});
  Batch batch(schema);
  batch.AppendValues(std::vector<Value>{Value::Int64(1)}, 0);
  EXPECT_EQ(Encode(MakeEncoder(schema), batch, 0), R"({"we\"ird":1})");
}

TEST(JsonRowEncoderTest, EncodeChangesAddsTheOpOfEachRow) {
  auto schema = MakeSchema({{"k", DataType::kString}, {"n", DataType::kInt64}});
  Batch batch(schema);
  batch.AppendValues(std::vector<Value>{Value::String("a"), Value::Int64(1)}, 0,
                     ChangeKind::kInsert);
  batch.AppendValues(std::vector<Value>{Value::String("a"), Value::Int64(1)}, 0,
                     ChangeKind::kUpdateBefore);
  batch.AppendValues(std::vector<Value>{Value::String("a"), Value::Int64(2)}, 0,
                     ChangeKind::kUpdateAfter);
  batch.AppendValues(std::vector<Value>{Value::String("a"), Value::Int64(2)}, 0,
                     ChangeKind::kDelete);
  JsonRowEncoder encoder = MakeEncoder(schema, /*encode_changes=*/true);
  EXPECT_EQ(Encode(encoder, batch, 0), R"({"op":"+I","k":"a","n":1})");
  EXPECT_EQ(Encode(encoder, batch, 1), R"({"op":"-U","k":"a","n":1})");
  EXPECT_EQ(Encode(encoder, batch, 2), R"({"op":"+U","k":"a","n":2})");
  EXPECT_EQ(Encode(encoder, batch, 3), R"({"op":"-D","k":"a","n":2})");
}

TEST(JsonRowEncoderTest, EncodeChangesRefusesASchemaWithAnOpColumn) {
  auto schema = MakeSchema({{"op", DataType::kString}});
  EXPECT_TRUE(JsonRowEncoder::Make(schema).ok());
  auto encoder = JsonRowEncoder::Make(schema, JsonEncoderOptions{true});
  ASSERT_FALSE(encoder.ok());
  EXPECT_NE(encoder.status().message().find("\"op\""), std::string::npos);
}

TEST(JsonRowEncoderTest, AppendColumnsEncodesOnlyThoseColumnsInTheGivenOrder) {
  Batch batch(AllTypes());
  batch.AppendValues(std::vector<Value>{Value::Int64(7), Value::Double(2), Value::Bool(false),
                                        Value::String("x"), Value::Timestamp(3)},
                     0);
  std::string out;
  const std::vector<size_t> columns = {3, 0};
  MakeEncoder(AllTypes(), true).AppendColumns(batch, 0, columns, out);
  EXPECT_EQ(out, R"({"s":"x","i":7})");
}

TEST(JsonRowEncoderTest, AppendingToAReusedStringDoesNotReallocate) {
  Batch batch(AllTypes());
  batch.AppendValues(std::vector<Value>{Value::Int64(7), Value::Double(2), Value::Bool(false),
                                        Value::String("x"), Value::Timestamp(3)},
                     0);
  JsonRowEncoder encoder = MakeEncoder(AllTypes());
  std::string out;
  out.reserve(256);
  const char* data = out.data();
  for (int i = 0; i < 100; ++i) {
    out.clear();
    encoder.AppendRow(batch, 0, out);
  }
  EXPECT_EQ(out.data(), data);
}

// Random rows of every type, including doubles from random bit patterns and strings
// with every ASCII byte and multi-byte UTF-8.
Batch RandomRows(SchemaRef schema, int rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Batch batch(schema);
  const std::vector<std::string> pieces = {
      "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\"", "\\", "/", "\n", "\t"};
  for (int r = 0; r < rows; ++r) {
    std::vector<Value> values;
    values.push_back(rng() % 10 == 0 ? Value::Null(DataType::kInt64)
                                     : Value::Int64(static_cast<int64_t>(rng())));
    double d;
    do {
      d = std::bit_cast<double>(rng());
    } while (!std::isfinite(d));
    if (r % 3 == 0) d = static_cast<double>(static_cast<int64_t>(rng() % 100000)) / 8;
    values.push_back(rng() % 10 == 0 ? Value::Null(DataType::kDouble) : Value::Double(d));
    values.push_back(rng() % 10 == 0 ? Value::Null(DataType::kBool) : Value::Bool(rng() % 2));
    std::string s;
    const int len = static_cast<int>(rng() % 20);
    for (int i = 0; i < len; ++i) {
      if (rng() % 4 == 0) {
        s += pieces[rng() % pieces.size()];
      } else {
        s.push_back(static_cast<char>(1 + rng() % 127));
      }
    }
    values.push_back(rng() % 10 == 0 ? Value::Null(DataType::kString) : Value::String(s));
    values.push_back(Value::Timestamp(static_cast<int64_t>(rng() % 4'000'000'000'000)));
    batch.AppendValues(values, 0);
  }
  return batch;
}

TEST(JsonRowEncoderTest, RoundTripsThroughTheDecoder) {
  Batch batch = RandomRows(AllTypes(), 500, 1);
  JsonRowEncoder encoder = MakeEncoder(AllTypes());
  auto decoder = JsonRowDecoder::Make(AllTypes());
  ASSERT_TRUE(decoder.ok());
  Batch decoded(AllTypes());
  std::string line;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    line.clear();
    encoder.AppendRow(batch, r, line);
    Status st = decoder->Decode(line, decoded, 0);
    ASSERT_TRUE(st.ok()) << st.ToString() << " for " << line;
    const auto want = batch.RowValues(r);
    const auto got = decoded.RowValues(r);
    for (size_t c = 0; c < want.size(); ++c) {
      if (want[c].type() == DataType::kDouble && !want[c].is_null()) {
        // Bit-exact, so -0.0 and the last digit count.
        EXPECT_EQ(std::bit_cast<uint64_t>(want[c].dbl()), std::bit_cast<uint64_t>(got[c].dbl()))
            << line;
      } else {
        EXPECT_EQ(want[c], got[c]) << "column " << c << " of " << line;
      }
    }
  }
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

TEST(JsonRowEncoderTest, PythonsJsonModuleReadsWhatItWrites) {
  eddy::testing::TempDir dir;
  Batch batch = RandomRows(AllTypes(), 300, 2);
  JsonRowEncoder encoder = MakeEncoder(AllTypes(), /*encode_changes=*/true);
  std::string lines;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    encoder.AppendRow(batch, r, lines);
    lines.push_back('\n');
  }
  // Python prints each value with its type: doubles as their IEEE bits, strings as the
  // hex of their UTF-8, so the comparison is exact.
  const std::string script = R"(
import json, struct, sys
for line in sys.stdin.buffer:
    obj = json.loads(line)
    out = [obj['op'], ','.join(obj.keys())]
    for key in ['i', 'd', 'b', 's', 't']:
        v = obj[key]
        if v is None: out.append('null')
        elif isinstance(v, bool): out.append('bool:' + str(v).lower())
        elif isinstance(v, int): out.append('int:' + str(v))
        elif isinstance(v, float): out.append('float:' + struct.pack('>d', v).hex())
        else: out.append('str:' + v.encode('utf-8').hex())
    print(' '.join(out))
)";
  std::istringstream got(connectors::testing::RunPython(dir, script, lines));
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    std::string expected = "+I op,i,d,b,s,t";
    const auto values = batch.RowValues(r);
    for (const Value& v : values) {
      expected += ' ';
      if (v.is_null()) {
        expected += "null";
        continue;
      }
      switch (v.type()) {
        case DataType::kInt64:
        case DataType::kTimestamp:
          expected += "int:" + std::to_string(v.int64());
          break;
        case DataType::kBool:
          expected += v.boolean() ? "bool:true" : "bool:false";
          break;
        case DataType::kString:
          expected += "str:" + Hex(v.str());
          break;
        case DataType::kDouble: {
          const uint64_t bits = std::bit_cast<uint64_t>(v.dbl());
          char buf[17];
          std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(bits));
          expected += std::string("float:") + buf;
          break;
        }
      }
    }
    std::string line;
    ASSERT_TRUE(std::getline(got, line)) << "python printed fewer lines than rows";
    EXPECT_EQ(line, expected);
  }
}

}  // namespace
}  // namespace eddy::connectors
