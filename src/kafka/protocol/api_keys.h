#pragma once
// The Kafka APIs eddy speaks, the versions of each it decodes and encodes, and the
// header versions that go with them. SupportedVersions() is the single table: the
// broker advertises exactly it in ApiVersions, and every version in it has a codec.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "src/base/status.h"

namespace eddy::kafka {

/// Kafka's API keys (the numbers are the wire protocol's). A decoded header may hold a
/// value that is not listed here; compare against SupportedVersions() before use.
enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kLeaveGroup = 13,
  kSyncGroup = 14,
  kApiVersions = 18,
  kCreateTopics = 19,
  kDeleteTopics = 20,
  kInitProducerId = 22,
  kAddPartitionsToTxn = 24,
  kAddOffsetsToTxn = 25,
  kEndTxn = 26,
  kTxnOffsetCommit = 28,
  kDescribeConfigs = 32,
};

/// One row of the supported-versions table: the range [min_version, max_version].
struct ApiVersionRange {
  ApiKey key;
  int16_t min_version;
  int16_t max_version;
};

/// Every API eddy serves with its version range, in api key order.
std::span<const ApiVersionRange> SupportedVersions();

/// The range for "key", or nullopt if eddy does not serve that API.
std::optional<ApiVersionRange> FindSupportedVersions(ApiKey key);

/// True if eddy decodes and encodes "version" of "key".
bool IsSupportedVersion(ApiKey key, int16_t version);

/// OK if IsSupportedVersion(key, version), else InvalidArgument naming the API, the
/// version and the supported range. Every Decode() checks this first.
Status CheckSupportedVersion(ApiKey key, int16_t version);

/// Kafka's name for the API ("Produce", "ApiVersions"); "Unknown" for other keys.
std::string_view ApiKeyName(ApiKey key);

/// True if "version" of "key" uses the flexible encoding (compact strings and arrays,
/// tagged fields). Known for every version of the listed APIs, supported or not, so
/// that the header of a request eddy will refuse can still be read.
bool IsFlexibleVersion(ApiKey key, int16_t version);

/// The request header version for a request: 2 for flexible versions, else 1.
int16_t RequestHeaderVersion(ApiKey key, int16_t version);

/// The response header version: 1 for flexible versions, else 0. ApiVersions always
/// answers with header v0, so that a client that sent a version the broker does not
/// know can still read the error code.
int16_t ResponseHeaderVersion(ApiKey key, int16_t version);

}  // namespace eddy::kafka
