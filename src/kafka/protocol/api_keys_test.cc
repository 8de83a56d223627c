#include "src/kafka/protocol/api_keys.h"

#include <gtest/gtest.h>

namespace eddy::kafka {
namespace {

TEST(ApiKeys, SupportedVersionsIsTheTableTheBrokerAdvertises) {
  struct Row {
    int16_t key, min, max;
  };
  const std::vector<Row> expected = {
      {0, 3, 8},  {1, 4, 11}, {2, 0, 5},  {3, 0, 8},  {8, 2, 7},  {9, 1, 5},
      {10, 0, 2}, {11, 0, 5}, {12, 0, 3}, {13, 0, 3}, {14, 0, 3}, {18, 0, 3},
      {19, 0, 4}, {20, 0, 3}, {22, 0, 4}, {24, 0, 1}, {25, 0, 1}, {26, 0, 1},
      {28, 0, 2}, {32, 0, 2},
  };
  std::span<const ApiVersionRange> table = SupportedVersions();
  ASSERT_EQ(table.size(), expected.size());
  for (size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(static_cast<int16_t>(table[i].key), expected[i].key);
    EXPECT_EQ(table[i].min_version, expected[i].min);
    EXPECT_EQ(table[i].max_version, expected[i].max);
    EXPECT_NE(ApiKeyName(table[i].key), "Unknown");
  }
}

TEST(ApiKeys, OnlyApiVersionsThreeAndInitProducerIdTwoUpAreFlexibleAmongSupportedVersions) {
  for (const ApiVersionRange& range : SupportedVersions()) {
    for (int16_t v = range.min_version; v <= range.max_version; ++v) {
      bool flexible = (range.key == ApiKey::kApiVersions && v == 3) ||
                      (range.key == ApiKey::kInitProducerId && v >= 2);
      EXPECT_EQ(IsFlexibleVersion(range.key, v), flexible) << ApiKeyName(range.key) << " v" << v;
      EXPECT_EQ(RequestHeaderVersion(range.key, v), flexible ? 2 : 1);
    }
  }
}

TEST(ApiKeys, NextVersionsOfEveryApiAreFlexibleHeaders) {
  // The first version past eddy's range is flexible for these, so a client asking for it
  // sends header v2, which the broker must still read to answer UNSUPPORTED_VERSION.
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kProduce, 9), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kFetch, 12), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kMetadata, 9), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kApiVersions, 4), 2);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kMetadata, 9), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kAddPartitionsToTxn, 3), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kAddOffsetsToTxn, 3), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kEndTxn, 3), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kTxnOffsetCommit, 3), 2);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kInitProducerId, 2), 1);
  EXPECT_EQ(RequestHeaderVersion(static_cast<ApiKey>(999), 50), 1);
}

TEST(ApiKeys, ApiVersionsAlwaysAnswersWithResponseHeaderZero) {
  for (int16_t v = 0; v <= 5; ++v) EXPECT_EQ(ResponseHeaderVersion(ApiKey::kApiVersions, v), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kProduce, 8), 0);
}

TEST(ApiKeys, CheckSupportedVersionNamesTheApiAndTheRange) {
  EXPECT_TRUE(CheckSupportedVersion(ApiKey::kFetch, 11).ok());
  Status s = CheckSupportedVersion(ApiKey::kFetch, 12);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "Fetch version 12 is not supported (supported: 4-11)");
  EXPECT_FALSE(IsSupportedVersion(static_cast<ApiKey>(7), 0));
  EXPECT_FALSE(FindSupportedVersions(static_cast<ApiKey>(7)).has_value());
  EXPECT_EQ(ApiKeyName(static_cast<ApiKey>(7)), "Unknown");
}

}  // namespace
}  // namespace eddy::kafka
