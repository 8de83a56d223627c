#include "src/base/crc32c.h"

#include <gtest/gtest.h>

#include <vector>

namespace eddy {
namespace {

TEST(Crc32cTest, MatchesTheStandardCheckValue) {
  // The CRC-32C check value from the catalogue of parametrised CRC algorithms.
  EXPECT_EQ(Crc32c(AsBytes("123456789")), 0xE3069283u);
}

TEST(Crc32cTest, MatchesRfc3720Vectors) {
  // iSCSI (RFC 3720, B.4) test vectors.
  std::vector<uint8_t> zeros(32, 0x00), ones(32, 0xff), inc(32), dec(32);
  for (int i = 0; i < 32; ++i) {
    inc[i] = static_cast<uint8_t>(i);
    dec[i] = static_cast<uint8_t>(31 - i);
  }
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(inc), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(dec), 0x113FDB5Cu);
}

TEST(Crc32cTest, ContinuesAcrossPieces) {
  std::string text = "the quick brown fox jumps over the lazy dog";
  uint32_t whole = Crc32c(AsBytes(text));
  uint32_t first = Crc32c(AsBytes(std::string_view(text).substr(0, 10)));
  EXPECT_EQ(Crc32c(AsBytes(std::string_view(text).substr(10)), first), whole);
}

TEST(Crc32cTest, EmptyInputIsZero) { EXPECT_EQ(Crc32c({}), 0u); }

}  // namespace
}  // namespace eddy
