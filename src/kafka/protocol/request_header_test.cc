#include "src/kafka/protocol/request_header.h"

#include <gtest/gtest.h>

namespace eddy::kafka {
namespace {

TEST(RequestHeader, DecodesVersionOneAndReportsWhereTheBodyStarts) {
  std::vector<uint8_t> frame = {0x00, 0x03, 0x00, 0x05,  // Metadata v5
                                0x00, 0x00, 0x00, 0x2a,  // correlation_id 42
                                0x00, 0x02, 'c',  'l',   // client_id "cl"
                                0xde, 0xad};             // body
  size_t header_size = 0;
  Result<RequestHeader> header = RequestHeader::Decode(frame, &header_size);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->api_key, ApiKey::kMetadata);
  EXPECT_EQ(header->api_version, 5);
  EXPECT_EQ(header->correlation_id, 42);
  EXPECT_EQ(header->client_id, "cl");
  EXPECT_EQ(header_size, 12u);
}

TEST(RequestHeader, FlexibleVersionsHaveTaggedFieldsAfterAClassicClientId) {
  std::vector<uint8_t> frame = {0x00, 0x12, 0x00, 0x03,  // ApiVersions v3: header v2
                                0x00, 0x00, 0x00, 0x07,  // correlation_id
                                0xff, 0xff,              // client_id null (int16 length)
                                0x01, 0x00, 0x01, 0x09,  // one tagged field
                                0x05};                   // body
  size_t header_size = 0;
  Result<RequestHeader> header = RequestHeader::Decode(frame, &header_size);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->api_key, ApiKey::kApiVersions);
  EXPECT_FALSE(header->client_id.has_value());
  EXPECT_EQ(header_size, 14u);

  // Version 1 reading of the same bytes stops before the tagged fields.
  Result<RequestHeader> v1 = RequestHeader::Decode(frame, 1, &header_size);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(header_size, 10u);
}

TEST(RequestHeader, EncodesTheHeaderVersionOfItsApiVersion) {
  RequestHeader header{
      .api_key = ApiKey::kApiVersions, .api_version = 3, .correlation_id = 1, .client_id = "c"};
  ByteWriter flexible;
  header.Encode(flexible);
  EXPECT_EQ(flexible.buffer(), (std::vector<uint8_t>{0, 18, 0, 3, 0, 0, 0, 1, 0, 1, 'c', 0}));
  header.api_version = 2;
  ByteWriter classic;
  header.Encode(classic);
  EXPECT_EQ(classic.buffer(), (std::vector<uint8_t>{0, 18, 0, 2, 0, 0, 0, 1, 0, 1, 'c'}));
}

TEST(RequestHeader, RoundTripsBothVersions) {
  for (int16_t version : {1, 2}) {
    RequestHeader header{.api_key = ApiKey::kFetch,
                         .api_version = 11,
                         .correlation_id = -5,
                         .client_id = "consumer-1"};
    ByteWriter out;
    header.Encode(out, version);
    size_t header_size = 0;
    Result<RequestHeader> decoded = RequestHeader::Decode(out.buffer(), version, &header_size);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, header);
    EXPECT_EQ(header_size, out.size());
  }
}

TEST(RequestHeader, EveryPrefixFails) {
  RequestHeader header{.api_key = ApiKey::kApiVersions,
                       .api_version = 3,
                       .correlation_id = 1,
                       .client_id = "client"};
  ByteWriter out;
  header.Encode(out);
  for (size_t n = 0; n < out.size(); ++n) {
    std::vector<uint8_t> prefix(out.buffer().begin(), out.buffer().begin() + n);
    size_t header_size = 0;
    Result<RequestHeader> decoded = RequestHeader::Decode(prefix, &header_size);
    ASSERT_FALSE(decoded.ok()) << n;
    EXPECT_EQ(decoded.status().message().rfind("RequestHeader.", 0), 0u);
  }
}

TEST(RequestHeader, UnknownHeaderVersionIsRejected) {
  std::vector<uint8_t> frame(16, 0);
  size_t header_size = 0;
  EXPECT_FALSE(RequestHeader::Decode(frame, 0, &header_size).ok());
  EXPECT_FALSE(RequestHeader::Decode(frame, 3, &header_size).ok());
}

TEST(ResponseHeader, VersionOneAddsTaggedFields) {
  ResponseHeader header{.correlation_id = 9};
  ByteWriter v0;
  header.Encode(v0, 0);
  EXPECT_EQ(v0.buffer(), (std::vector<uint8_t>{0, 0, 0, 9}));
  ByteWriter v1;
  header.Encode(v1, 1);
  EXPECT_EQ(v1.buffer(), (std::vector<uint8_t>{0, 0, 0, 9, 0}));
  size_t header_size = 0;
  Result<ResponseHeader> decoded = ResponseHeader::Decode(v1.buffer(), 1, &header_size);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->correlation_id, 9);
  EXPECT_EQ(header_size, 5u);
  EXPECT_FALSE(ResponseHeader::Decode(std::vector<uint8_t>{0, 0, 0, 9}, 1, &header_size).ok());
}

}  // namespace
}  // namespace eddy::kafka
