#include "src/engine/state_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace eddy::engine {
namespace {

SchemaRef EveryType() {
  return MakeSchema({{"i", DataType::kInt64},
                     {"d", DataType::kDouble},
                     {"b", DataType::kBool},
                     {"s", DataType::kString},
                     {"t", DataType::kTimestamp}});
}

// Rows that exercise every type, nulls in every column, extreme values, every change
// kind and event times at both ends of the range.
Batch EdgeRows() {
  Batch b(EveryType());
  b.AppendValues(std::vector<Value>{Value::Int64(0), Value::Double(0.0), Value::Bool(false),
                                    Value::String(""), Value::Timestamp(0)},
                 0);
  b.AppendValues(
      std::vector<Value>{Value::Int64(std::numeric_limits<int64_t>::min()), Value::Double(-1.5e300),
                         Value::Bool(true), Value::String(std::string("with\0nul", 8)),
                         Value::Timestamp(1'700'000'000'123)},
      kMinWatermark, ChangeKind::kUpdateBefore);
  b.AppendValues(std::vector<Value>{Value::Null(DataType::kInt64), Value::Null(DataType::kDouble),
                                    Value::Null(DataType::kBool), Value::Null(DataType::kString),
                                    Value::Null(DataType::kTimestamp)},
                 kMaxWatermark, ChangeKind::kUpdateAfter);
  b.AppendValues(std::vector<Value>{Value::Int64(std::numeric_limits<int64_t>::max()),
                                    Value::Double(std::numeric_limits<double>::infinity()),
                                    Value::Null(DataType::kBool),
                                    Value::String(std::string(300, 'x')), Value::Timestamp(-5)},
                 -42, ChangeKind::kDelete);
  return b;
}

TEST(StateCodecTest, RowsRoundTripWithNullsEventTimesAndChangeKinds) {
  Batch in = EdgeRows();
  ByteWriter out;
  for (size_t r = 0; r < in.num_rows(); ++r) EncodeRow(in, r, out);

  Batch decoded(EveryType());
  ByteReader reader(ByteSpan(out.buffer()));
  for (size_t r = 0; r < in.num_rows(); ++r) ASSERT_TRUE(DecodeRow(reader, decoded).ok());
  EXPECT_TRUE(reader.empty());
  ASSERT_EQ(decoded.num_rows(), in.num_rows());
  for (size_t r = 0; r < in.num_rows(); ++r) {
    EXPECT_EQ(decoded.RowValues(r), in.RowValues(r)) << "row " << r;
    EXPECT_EQ(decoded.event_time(r), in.event_time(r)) << "row " << r;
    EXPECT_EQ(decoded.change(r), in.change(r)) << "row " << r;
    for (size_t c = 0; c < in.num_columns(); ++c) {
      EXPECT_EQ(decoded.column(c).IsNull(r), in.column(c).IsNull(r)) << r << "," << c;
    }
  }
}

TEST(StateCodecTest, NaNDoubleRoundTrips) {
  ByteWriter out;
  EncodeValue(Value::Double(std::nan("")), out);
  ByteReader reader(ByteSpan(out.buffer()));
  Result<Value> v = DecodeValue(reader);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(std::isnan(v->dbl()));
}

TEST(StateCodecTest, ValuesRoundTripForEveryTypeAndNull) {
  std::vector<Value> values = {Value::Int64(-7),
                               Value::Int64(1LL << 62),
                               Value::Double(3.25),
                               Value::Bool(true),
                               Value::Bool(false),
                               Value::String("héllo"),
                               Value::String(""),
                               Value::Timestamp(123456),
                               Value::Null(DataType::kInt64),
                               Value::Null(DataType::kDouble),
                               Value::Null(DataType::kBool),
                               Value::Null(DataType::kString),
                               Value::Null(DataType::kTimestamp)};
  ByteWriter out;
  for (const Value& v : values) EncodeValue(v, out);
  ByteReader reader(ByteSpan(out.buffer()));
  for (const Value& v : values) {
    Result<Value> decoded = DecodeValue(reader);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, v);
    EXPECT_EQ(decoded->type(), v.type());
  }
  EXPECT_TRUE(reader.empty());
}

TEST(StateCodecTest, EveryTruncationOfARowIsCorruptionAndLeavesTheBatchIntact) {
  Batch in = EdgeRows();
  ByteWriter out;
  EncodeRow(in, 1, out);
  const std::vector<uint8_t>& bytes = out.buffer();
  for (size_t n = 0; n < bytes.size(); ++n) {
    Batch decoded(EveryType());
    ByteReader reader(ByteSpan(bytes.data(), n));
    Status s = DecodeRow(reader, decoded);
    EXPECT_TRUE(s.IsCorruption()) << "prefix " << n << ": " << s.ToString();
    EXPECT_EQ(decoded.num_rows(), 0u);
    for (size_t c = 0; c < decoded.num_columns(); ++c) EXPECT_EQ(decoded.column(c).size(), 0u);
  }
}

TEST(StateCodecTest, ATypeMismatchIsCorruptionNamingBothTypes) {
  Batch in = EdgeRows();
  ByteWriter out;
  EncodeRow(in, 0, out);
  // Decode with the columns in another order: the first cell is an int64, not a string.
  Batch other(MakeSchema({{"s", DataType::kString}, {"i", DataType::kInt64}}));
  ByteReader reader(ByteSpan(out.buffer()));
  Status s = DecodeRow(reader, other);
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("int64"), std::string::npos) << s.ToString();
  EXPECT_EQ(other.num_rows(), 0u);
}

TEST(StateCodecTest, BadTagsBoolsAndChangeKindsAreCorruption) {
  {
    const uint8_t bytes[] = {0x17};
    ByteReader reader(ByteSpan(bytes, sizeof(bytes)));
    EXPECT_TRUE(DecodeValue(reader).status().IsCorruption());
  }
  {
    const uint8_t bytes[] = {static_cast<uint8_t>(DataType::kBool), 2};
    ByteReader reader(ByteSpan(bytes, sizeof(bytes)));
    EXPECT_TRUE(DecodeValue(reader).status().IsCorruption());
  }
  {
    // One int64 column holding 1, event time 0, change kind 9.
    const uint8_t bytes[] = {static_cast<uint8_t>(DataType::kInt64), 2, 0, 9};
    Batch b(MakeSchema({{"i", DataType::kInt64}}));
    ByteReader reader(ByteSpan(bytes, sizeof(bytes)));
    Status s = DecodeRow(reader, b);
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_EQ(b.num_rows(), 0u);
  }
  {
    // A string whose length runs past the end.
    const uint8_t bytes[] = {static_cast<uint8_t>(DataType::kString), 50, 'a'};
    ByteReader reader(ByteSpan(bytes, sizeof(bytes)));
    EXPECT_TRUE(DecodeValue(reader).status().IsCorruption());
  }
}

}  // namespace
}  // namespace eddy::engine
