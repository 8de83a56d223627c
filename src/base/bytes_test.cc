#include "src/base/bytes.h"

#include <gtest/gtest.h>

#include <limits>

namespace eddy {
namespace {

TEST(BytesTest, BigEndianRoundTrip) {
  ByteWriter w;
  w.WriteI8(-3);
  w.WriteI16(-2);
  w.WriteI32(0x01020304);
  w.WriteI64(-5);
  w.WriteF64(2.5);
  EXPECT_EQ(w.buffer()[3], 0x01);  // big-endian
  ByteReader r(w.buffer());
  EXPECT_EQ(r.ReadI8(), -3);
  EXPECT_EQ(r.ReadI16(), -2);
  EXPECT_EQ(r.ReadI32(), 0x01020304);
  EXPECT_EQ(r.ReadI64(), -5);
  EXPECT_EQ(r.ReadF64(), 2.5);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.empty());
}

TEST(BytesTest, ZigZagVarintsMatchKafkaEncoding) {
  // Values and encodings from the Kafka record format (zig-zag, as protobuf sint32).
  struct Case {
    int64_t value;
    std::vector<uint8_t> bytes;
  };
  std::vector<Case> cases = {{0, {0x00}},  {-1, {0x01}}, {1, {0x02}},       {-2, {0x03}},
                             {63, {0x7e}}, {-64, {0x7f}}, {64, {0x80, 0x01}}, {300, {0xd8, 0x04}}};
  for (const auto& c : cases) {
    ByteWriter w;
    w.WriteVarlong(c.value);
    EXPECT_EQ(w.buffer(), c.bytes) << c.value;
    ByteReader r(w.buffer());
    EXPECT_EQ(r.ReadVarlong(), c.value);
    ByteWriter w32;
    w32.WriteVarint(static_cast<int32_t>(c.value));
    EXPECT_EQ(w32.buffer(), c.bytes) << c.value;
  }
}

TEST(BytesTest, VarintExtremesRoundTrip) {
  for (int64_t v : {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
                    int64_t{0}, int64_t{-1}}) {
    ByteWriter w;
    w.WriteVarlong(v);
    ByteReader r(w.buffer());
    EXPECT_EQ(r.ReadVarlong(), v);
    EXPECT_TRUE(r.ok());
  }
  for (int32_t v : {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()}) {
    ByteWriter w;
    w.WriteVarint(v);
    ByteReader r(w.buffer());
    EXPECT_EQ(r.ReadVarint(), v);
  }
  ByteWriter w;
  w.WriteUnsignedVarint(std::numeric_limits<uint32_t>::max());
  EXPECT_EQ(w.size(), 5u);
  ByteReader r(w.buffer());
  EXPECT_EQ(r.ReadUnsignedVarint(), std::numeric_limits<uint32_t>::max());
}

TEST(BytesTest, OverlongVarintFails) {
  std::vector<uint8_t> bad(11, 0xff);
  ByteReader r(bad);
  r.ReadVarlong();
  EXPECT_FALSE(r.ok());
}

TEST(BytesTest, TruncatedReadFailsAndStaysFailed) {
  std::vector<uint8_t> three = {1, 2, 3};
  ByteReader r(three);
  EXPECT_EQ(r.ReadI32(), 0);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.ReadU8(), 0);  // sticky: no read succeeds after a failure
  EXPECT_NE(r.status().message().find("int32"), std::string::npos);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(BytesTest, ReadBytesRefusesMoreThanRemains) {
  std::vector<uint8_t> data = {1, 2, 3, 4};
  ByteReader r(data);
  EXPECT_TRUE(r.ReadBytes(1 << 30).empty());
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace eddy
