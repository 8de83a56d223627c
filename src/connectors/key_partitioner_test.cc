#include "src/connectors/key_partitioner.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "src/connectors/connectors_test_util.h"

namespace eddy::connectors {
namespace {

TEST(KeyPartitionerTest, AgreesWithKafkaPythonsMurmur2AndPartitioner) {
  eddy::testing::TempDir dir;
  std::mt19937 rng(7);
  std::vector<std::string> keys = {"", "a", "ab", "abc", "abcd", "abcde", R"({"user":42})"};
  for (int i = 0; i < 200; ++i) {
    std::string key(static_cast<size_t>(rng() % 40), '\0');
    for (char& c : key) c = static_cast<char>(rng() % 256);
    keys.push_back(key);
  }
  std::string input;
  for (const std::string& key : keys) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned char c : key) {
      input.push_back(kHex[c >> 4]);
      input.push_back(kHex[c & 15]);
    }
    input.push_back('\n');
  }
  // kafka-python's DefaultPartitioner is
  // (murmur2(key) & 0x7fffffff) % partitions.
  const std::string script = R"(
import sys
from kafka.partitioner.default import murmur2, DefaultPartitioner
for line in sys.stdin:
    key = bytes.fromhex(line.strip())
    print(murmur2(key), DefaultPartitioner()(key, list(range(7)), list(range(7))))
)";
  std::istringstream python(connectors::testing::RunPython(dir, script, input));
  for (const std::string& key : keys) {
    int64_t hash = 0;
    int partition = 0;
    ASSERT_TRUE(python >> hash >> partition);
    // kafka-python keeps the hash as an unsigned 32-bit value; Java (and Murmur2) as a
    // signed int with the same bits.
    EXPECT_EQ(static_cast<uint32_t>(Murmur2(AsBytes(key))), static_cast<uint32_t>(hash));
    EXPECT_EQ(PartitionForKey(AsBytes(key), 7), partition);
  }
}

TEST(KeyPartitionerTest, SpreadsKeysOverEveryPartition) {
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 1000; ++i) ++counts[PartitionForKey(AsBytes("key-" + std::to_string(i)), 5)];
  for (int c : counts) EXPECT_GT(c, 150);
}

}  // namespace
}  // namespace eddy::connectors
