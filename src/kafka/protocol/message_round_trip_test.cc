// Every request and response of every supported version survives encode -> decode with
// every field the version has, and versions drop the fields they lack consistently.

#include <gtest/gtest.h>

#include "src/kafka/protocol/sample_messages.h"

namespace eddy::kafka {
namespace {

TEST(MessageRoundTrip, EveryMessageRoundTripsAtEverySupportedVersion) {
  int round_trips = 0;
  samples::ForEachMessageType([&]<typename T>(ApiKey key, std::string_view name) {
    std::optional<ApiVersionRange> range = FindSupportedVersions(key);
    ASSERT_TRUE(range.has_value()) << name;
    for (int16_t v = range->min_version; v <= range->max_version; ++v) {
      SCOPED_TRACE(std::string(name) + " v" + std::to_string(v));
      T sample = samples::Sample<T>(v);
      std::vector<uint8_t> bytes = samples::EncodeToBytes(sample, v);
      Result<T> decoded = T::Decode(bytes, v);
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      EXPECT_TRUE(samples::SameMessage(*decoded, sample, v));
      EXPECT_EQ(samples::EncodeToBytes(*decoded, v), bytes);
      ++round_trips;
    }
  });
  // Every API, request and response, over the version table.
  int versions = 0;
  for (const ApiVersionRange& range : SupportedVersions()) {
    versions += range.max_version - range.min_version + 1;
  }
  EXPECT_EQ(round_trips, 2 * versions);
}

TEST(MessageRoundTrip, SamplesDifferFromDefaultsInEveryVersion) {
  // A round trip only proves something if the values are not what a decoder that reads
  // nothing would produce.
  samples::ForEachMessageType([&]<typename T>(ApiKey key, std::string_view name) {
    std::optional<ApiVersionRange> range = FindSupportedVersions(key);
    for (int16_t v = range->min_version; v <= range->max_version; ++v) {
      if (key == ApiKey::kApiVersions && v < 3 && name == "ApiVersionsRequest") continue;
      EXPECT_FALSE(samples::Sample<T>(v) == T{}) << name << " v" << v;
    }
  });
}

// Encoding a message written for version w at version v keeps exactly the fields both
// versions have, so going through v then w gives what going through w then v gives.
TEST(MessageRoundTrip, VersionsDropTheFieldsTheyLackConsistently) {
  samples::ForEachMessageType([&]<typename T>(ApiKey key, std::string_view name) {
    std::optional<ApiVersionRange> range = FindSupportedVersions(key);
    for (int16_t v = range->min_version; v <= range->max_version; ++v) {
      for (int16_t w = range->min_version; w <= range->max_version; ++w) {
        SCOPED_TRACE(std::string(name) + " v" + std::to_string(v) + " w" + std::to_string(w));
        std::vector<uint8_t> w_in_v = samples::EncodeToBytes(samples::Sample<T>(w), v);
        std::vector<uint8_t> v_in_w = samples::EncodeToBytes(samples::Sample<T>(v), w);
        Result<T> a = T::Decode(w_in_v, v);
        Result<T> b = T::Decode(v_in_w, w);
        ASSERT_TRUE(a.ok()) << a.status().ToString();
        ASSERT_TRUE(b.ok()) << b.status().ToString();
        EXPECT_TRUE(*a == *b);
      }
    }
  });
}

TEST(MessageRoundTrip, BytesAfterTheBodyAreIgnored) {
  samples::ForEachMessageType([&]<typename T>(ApiKey key, std::string_view name) {
    std::optional<ApiVersionRange> range = FindSupportedVersions(key);
    for (int16_t v = range->min_version; v <= range->max_version; ++v) {
      std::vector<uint8_t> bytes = samples::EncodeToBytes(samples::Sample<T>(v), v);
      bytes.insert(bytes.end(), {0xff, 0xff, 0xff, 0xff, 0x00});
      Result<T> decoded = T::Decode(bytes, v);
      ASSERT_TRUE(decoded.ok()) << name << " v" << v << ": " << decoded.status().ToString();
      EXPECT_TRUE(samples::SameMessage(*decoded, samples::Sample<T>(v), v)) << name << " v" << v;
    }
  });
}

TEST(MessageRoundTrip, DecodeRejectsVersionsOutsideTheSupportedRange) {
  samples::ForEachMessageType([&]<typename T>(ApiKey key, std::string_view name) {
    std::optional<ApiVersionRange> range = FindSupportedVersions(key);
    for (int16_t v : {static_cast<int16_t>(range->min_version - 1),
                      static_cast<int16_t>(range->max_version + 1), int16_t{-1}}) {
      std::vector<uint8_t> bytes =
          samples::EncodeToBytes(samples::Sample<T>(range->max_version), range->max_version);
      Result<T> decoded = T::Decode(bytes, v);
      ASSERT_FALSE(decoded.ok()) << name << " v" << v;
      EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(decoded.status().message().find("not supported"), std::string::npos);
    }
  });
}

}  // namespace
}  // namespace eddy::kafka
