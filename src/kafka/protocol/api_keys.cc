#include "src/kafka/protocol/api_keys.h"

#include <algorithm>
#include <array>
#include <string>

namespace eddy::kafka {
namespace {

constexpr std::array<ApiVersionRange, 20> kSupportedVersions = {{
    {ApiKey::kProduce, 3, 8},
    {ApiKey::kFetch, 4, 11},
    {ApiKey::kListOffsets, 0, 5},
    {ApiKey::kMetadata, 0, 8},
    {ApiKey::kOffsetCommit, 2, 7},
    {ApiKey::kOffsetFetch, 1, 5},
    {ApiKey::kFindCoordinator, 0, 2},
    {ApiKey::kJoinGroup, 0, 5},
    {ApiKey::kHeartbeat, 0, 3},
    {ApiKey::kLeaveGroup, 0, 3},
    {ApiKey::kSyncGroup, 0, 3},
    {ApiKey::kApiVersions, 0, 3},
    {ApiKey::kCreateTopics, 0, 4},
    {ApiKey::kDeleteTopics, 0, 3},
    {ApiKey::kInitProducerId, 0, 4},
    {ApiKey::kAddPartitionsToTxn, 0, 1},
    {ApiKey::kAddOffsetsToTxn, 0, 1},
    {ApiKey::kEndTxn, 0, 1},
    {ApiKey::kTxnOffsetCommit, 0, 2},
    {ApiKey::kDescribeConfigs, 0, 2},
}};

// The first flexible version of each API ("flexibleVersions" in Kafka's message
// definitions).
int16_t FirstFlexibleVersion(ApiKey key) {
  switch (key) {
    case ApiKey::kProduce:
      return 9;
    case ApiKey::kFetch:
      return 12;
    case ApiKey::kListOffsets:
      return 6;
    case ApiKey::kMetadata:
      return 9;
    case ApiKey::kOffsetCommit:
      return 8;
    case ApiKey::kOffsetFetch:
      return 6;
    case ApiKey::kFindCoordinator:
      return 3;
    case ApiKey::kJoinGroup:
      return 6;
    case ApiKey::kHeartbeat:
      return 4;
    case ApiKey::kLeaveGroup:
      return 4;
    case ApiKey::kSyncGroup:
      return 4;
    case ApiKey::kApiVersions:
      return 3;
    case ApiKey::kCreateTopics:
      return 5;
    case ApiKey::kDeleteTopics:
      return 4;
    case ApiKey::kInitProducerId:
      return 2;
    case ApiKey::kAddPartitionsToTxn:
    case ApiKey::kAddOffsetsToTxn:
    case ApiKey::kEndTxn:
    case ApiKey::kTxnOffsetCommit:
      return 3;
    case ApiKey::kDescribeConfigs:
      return 4;
  }
  return INT16_MAX;
}

}  // namespace

std::span<const ApiVersionRange> SupportedVersions() { return kSupportedVersions; }

std::optional<ApiVersionRange> FindSupportedVersions(ApiKey key) {
  auto it = std::find_if(kSupportedVersions.begin(), kSupportedVersions.end(),
                         [key](const ApiVersionRange& r) { return r.key == key; });
  if (it == kSupportedVersions.end()) return std::nullopt;
  return *it;
}

bool IsSupportedVersion(ApiKey key, int16_t version) {
  std::optional<ApiVersionRange> range = FindSupportedVersions(key);
  return range && version >= range->min_version && version <= range->max_version;
}

Status CheckSupportedVersion(ApiKey key, int16_t version) {
  if (IsSupportedVersion(key, version)) return Status::OK();
  std::string message =
      std::string(ApiKeyName(key)) + " version " + std::to_string(version) + " is not supported";
  if (std::optional<ApiVersionRange> range = FindSupportedVersions(key)) {
    message += " (supported: " + std::to_string(range->min_version) + "-" +
               std::to_string(range->max_version) + ")";
  }
  return Status::InvalidArgument(std::move(message));
}

std::string_view ApiKeyName(ApiKey key) {
  switch (key) {
    case ApiKey::kProduce:
      return "Produce";
    case ApiKey::kFetch:
      return "Fetch";
    case ApiKey::kListOffsets:
      return "ListOffsets";
    case ApiKey::kMetadata:
      return "Metadata";
    case ApiKey::kOffsetCommit:
      return "OffsetCommit";
    case ApiKey::kOffsetFetch:
      return "OffsetFetch";
    case ApiKey::kFindCoordinator:
      return "FindCoordinator";
    case ApiKey::kJoinGroup:
      return "JoinGroup";
    case ApiKey::kHeartbeat:
      return "Heartbeat";
    case ApiKey::kLeaveGroup:
      return "LeaveGroup";
    case ApiKey::kSyncGroup:
      return "SyncGroup";
    case ApiKey::kApiVersions:
      return "ApiVersions";
    case ApiKey::kCreateTopics:
      return "CreateTopics";
    case ApiKey::kDeleteTopics:
      return "DeleteTopics";
    case ApiKey::kInitProducerId:
      return "InitProducerId";
    case ApiKey::kAddPartitionsToTxn:
      return "AddPartitionsToTxn";
    case ApiKey::kAddOffsetsToTxn:
      return "AddOffsetsToTxn";
    case ApiKey::kEndTxn:
      return "EndTxn";
    case ApiKey::kTxnOffsetCommit:
      return "TxnOffsetCommit";
    case ApiKey::kDescribeConfigs:
      return "DescribeConfigs";
  }
  return "Unknown";
}

bool IsFlexibleVersion(ApiKey key, int16_t version) { return version >= FirstFlexibleVersion(key); }

int16_t RequestHeaderVersion(ApiKey key, int16_t version) {
  return IsFlexibleVersion(key, version) ? 2 : 1;
}

int16_t ResponseHeaderVersion(ApiKey key, int16_t version) {
  if (key == ApiKey::kApiVersions) return 0;
  return IsFlexibleVersion(key, version) ? 1 : 0;
}

}  // namespace eddy::kafka
