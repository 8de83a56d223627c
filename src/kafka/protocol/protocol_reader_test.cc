#include "src/kafka/protocol/protocol_reader.h"

#include <gtest/gtest.h>

#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {
namespace {

TEST(ProtocolReader, ReadsWhatTheWriterWrites) {
  ByteWriter out;
  ProtocolWriter w(out);
  w.Int8(-3);
  w.Int16(-300);
  w.Int32(-70000);
  w.Int64(-5000000000);
  w.Bool(true);
  w.UnsignedVarint(300);
  w.String("topic");
  w.NullableString(std::nullopt);
  w.NullableString("");
  w.Bytes(AsBytes("abc"));
  w.NullableBytes(std::optional<std::vector<uint8_t>>{});
  w.CompactString("compact");
  w.CompactNullableString(std::nullopt);
  w.CompactBytes(AsBytes("xy"));
  w.CompactNullableBytes(std::vector<uint8_t>{9});
  w.Int32Array({1, -2});
  w.Int64Array({1LL << 40});
  w.StringArray({"a", "bc"});
  w.NullableStringArray(std::nullopt);
  w.CompactArray(std::vector<int32_t>{7, 8}, [&](int32_t v) { w.Int32(v); });
  w.CompactNullableArray(std::optional<std::vector<int32_t>>{}, [&](int32_t v) { w.Int32(v); });
  w.EmptyTaggedFields();
  std::vector<uint8_t> bytes = out.Release();

  ProtocolReader in(bytes, "Test");
  EXPECT_EQ(in.Int8("a"), -3);
  EXPECT_EQ(in.Int16("b"), -300);
  EXPECT_EQ(in.Int32("c"), -70000);
  EXPECT_EQ(in.Int64("d"), -5000000000);
  EXPECT_TRUE(in.Bool("e"));
  EXPECT_EQ(in.UnsignedVarint("f"), 300u);
  EXPECT_EQ(in.String("g"), "topic");
  EXPECT_EQ(in.NullableString("h"), std::nullopt);
  EXPECT_EQ(in.NullableString("i"), std::optional<std::string>(""));
  EXPECT_EQ(in.Bytes("j"), (std::vector<uint8_t>{'a', 'b', 'c'}));
  EXPECT_EQ(in.NullableBytes("k"), std::nullopt);
  EXPECT_EQ(in.CompactString("l"), "compact");
  EXPECT_EQ(in.CompactNullableString("m"), std::nullopt);
  EXPECT_EQ(in.CompactBytes("n"), (std::vector<uint8_t>{'x', 'y'}));
  EXPECT_EQ(in.CompactNullableBytes("o"), (std::optional<std::vector<uint8_t>>{{9}}));
  EXPECT_EQ(in.Int32Array("p"), (std::vector<int32_t>{1, -2}));
  EXPECT_EQ(in.Int64Array("q"), (std::vector<int64_t>{1LL << 40}));
  EXPECT_EQ(in.StringArray("r"), (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(in.NullableStringArray("s"), std::nullopt);
  std::vector<int32_t> compact;
  in.CompactArray(
      "t", compact, [&](int32_t& v) { v = in.Int32("value"); }, 4);
  EXPECT_EQ(compact, (std::vector<int32_t>{7, 8}));
  std::optional<std::vector<int32_t>> null_compact = std::vector<int32_t>{1};
  in.CompactNullableArray("u", null_compact, [&](int32_t& v) { v = in.Int32("value"); });
  EXPECT_EQ(null_compact, std::nullopt);
  in.SkipTaggedFields();
  EXPECT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(ProtocolReader, EncodesBigEndianAndCompactLengthsPlusOne) {
  ByteWriter out;
  ProtocolWriter w(out);
  w.Int32(0x01020304);
  w.String("ab");
  w.CompactString("ab");
  w.CompactNullableString(std::nullopt);
  w.CompactArray(std::vector<int8_t>{5}, [&](int8_t v) { w.Int8(v); });
  EXPECT_EQ(out.buffer(), (std::vector<uint8_t>{1, 2, 3, 4, 0, 2, 'a', 'b', 3, 'a', 'b', 0, 2, 5}));
}

TEST(ProtocolReader, AnyNonZeroByteIsTrue) {
  std::vector<uint8_t> bytes = {0, 1, 0x80};
  ProtocolReader in(bytes, "Test");
  EXPECT_FALSE(in.Bool("a"));
  EXPECT_TRUE(in.Bool("b"));
  EXPECT_TRUE(in.Bool("c"));
}

TEST(ProtocolReader, TruncatedIntegerNamesTheField) {
  std::vector<uint8_t> bytes = {0, 0, 1};
  ProtocolReader in(bytes, "Test");
  EXPECT_EQ(in.Int32("partition"), 0);
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(in.status().message().rfind("Test.partition: ", 0), 0u) << in.status().message();
}

TEST(ProtocolReader, FailureIsStickyAndLaterReadsReturnDefaults) {
  std::vector<uint8_t> bytes = {0, 9, 'a', 0, 0, 0, 5};
  ProtocolReader in(bytes, "Test");
  EXPECT_EQ(in.String("name"), "");
  EXPECT_EQ(in.Int32("after"), 0);  // would read 5 if the reader went on
  EXPECT_EQ(in.status().message(), "Test.name: length 9 exceeds 5 bytes left");
  EXPECT_EQ(in.remaining(), 0u);
  Result<int> finished = in.Finish(1);
  EXPECT_FALSE(finished.ok());
}

TEST(ProtocolReader, ArrayCountMustFitTheMinimumElementSize) {
  ByteWriter out;
  ProtocolWriter w(out);
  w.Int32(3);  // three int32s need 12 bytes
  w.Int32(1);
  w.Int32(2);
  std::vector<uint8_t> bytes = out.Release();
  ProtocolReader in(bytes, "Test");
  std::vector<int32_t> values = in.Int32Array("replicas");
  EXPECT_TRUE(values.empty());
  EXPECT_EQ(in.status().message(), "Test.replicas: 3 elements exceed 8 bytes left");
}

TEST(ProtocolReader, ErrorsInsideArraysNameTheElement) {
  ByteWriter out;
  ProtocolWriter w(out);
  w.Int32(2);
  w.String("ok");
  w.Int16(-7);
  std::vector<uint8_t> bytes = out.Release();
  ProtocolReader in(bytes, "Test");
  std::vector<std::string> names;
  in.Array("topics", names, [&](std::string& s) { s = in.String("name"); });
  EXPECT_EQ(in.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(in.status().message(), "Test.topics[1].name: negative length -7");
}

TEST(ProtocolReader, NullOnlyWhereNullable) {
  std::vector<uint8_t> bytes = {0xff, 0xff, 0xff, 0xff};
  {
    ProtocolReader in(bytes, "Test");
    std::optional<std::vector<int32_t>> v;
    in.NullableArray("a", v, [&](int32_t& x) { x = in.Int32("x"); });
    EXPECT_TRUE(in.ok());
    EXPECT_FALSE(v.has_value());
  }
  {
    ProtocolReader in(bytes, "Test");
    std::vector<int32_t> v;
    in.Array("a", v, [&](int32_t& x) { x = in.Int32("x"); });
    EXPECT_EQ(in.status().message(), "Test.a: null is not allowed");
  }
  {
    ProtocolReader in(bytes, "Test");
    EXPECT_EQ(in.NullableBytes("b"), std::nullopt);
    EXPECT_TRUE(in.ok());
  }
  {
    ProtocolReader in(bytes, "Test");
    (void)in.Bytes("b");
    EXPECT_EQ(in.status().message(), "Test.b: null is not allowed");
  }
  {
    std::vector<uint8_t> compact_null = {0};
    ProtocolReader in(compact_null, "Test");
    (void)in.CompactString("c");
    EXPECT_EQ(in.status().message(), "Test.c: null is not allowed");
  }
}

TEST(ProtocolReader, CompactLengthBeyondTheInputFails) {
  std::vector<uint8_t> bytes = {0xff, 0xff, 0xff, 0xff, 0x0f, 'a'};  // length 2^32 - 2
  ProtocolReader in(bytes, "Test");
  (void)in.CompactBytes("data");
  EXPECT_EQ(in.status().message(), "Test.data: length 4294967294 exceeds 1 bytes left");
}

TEST(ProtocolReader, OverlongVarintFails) {
  std::vector<uint8_t> bytes = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
  ProtocolReader in(bytes, "Test");
  (void)in.UnsignedVarint("count");
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(in.status().message().rfind("Test.count: ", 0), 0u) << in.status().message();
}

TEST(ProtocolReader, TaggedFieldsAreSeenInOrderAndUnknownOnesSkipped) {
  ByteWriter out;
  ProtocolWriter w(out);
  std::vector<TaggedField> fields = {{0, {1, 2}}, {5, {}}, {200, {3}}};
  w.TaggedFields(fields);
  w.Int8(42);
  std::vector<uint8_t> bytes = out.Release();
  ProtocolReader in(bytes, "Test");
  std::vector<TaggedField> seen;
  in.TaggedFields([&](uint32_t tag, ByteSpan data) {
    seen.push_back({tag, {data.begin(), data.end()}});
  });
  EXPECT_EQ(seen, fields);
  EXPECT_EQ(in.Int8("after"), 42);
  EXPECT_TRUE(in.ok());
}

TEST(ProtocolReader, TaggedFieldSizeBeyondTheInputFails) {
  std::vector<uint8_t> bytes = {1, 0, 10, 'a'};
  ProtocolReader in(bytes, "Test");
  in.SkipTaggedFields();
  EXPECT_EQ(in.status().message(), "Test._tagged_fields: length 10 exceeds 1 bytes left");
}

TEST(ProtocolReader, TaggedFieldCountBeyondTheInputFails) {
  std::vector<uint8_t> bytes = {0x7f, 0, 0};
  ProtocolReader in(bytes, "Test");
  in.SkipTaggedFields();
  EXPECT_EQ(in.status().message(), "Test._tagged_fields: 127 elements exceed 2 bytes left");
}

TEST(ProtocolWriter, OverlongStringsAreCutToTheLargestThatFits) {
  std::string long_name(40000, 'x');
  ByteWriter out;
  ProtocolWriter w(out);
  w.String(long_name);
  std::vector<uint8_t> bytes = out.Release();
  ASSERT_EQ(bytes.size(), 2u + 32767u);
  ProtocolReader in(bytes, "Test");
  EXPECT_EQ(in.String("name"), std::string(32767, 'x'));
}

}  // namespace
}  // namespace eddy::kafka
