#pragma once
// Metadata (api key 3), versions 0-8.
//
// Version notes: in v0 an empty topic list means "all topics"; from v1 the list is
// nullable, null meaning all topics and empty meaning none. MetadataRequest normalises
// this: topics == nullopt always means all topics (a v0 empty list decodes to nullopt
// and nullopt encodes as an empty v0 list). Response: rack, controller_id and
// is_internal v1+; cluster_id v2+; throttle_time_ms v3+; allow_auto_topic_creation
// v4+; offline_replicas v5+; leader_epoch v7+; authorized operations v8+.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct MetadataRequest {
  struct MetadataRequestTopic {
    std::string name;
    bool operator==(const MetadataRequestTopic&) const = default;
  };

  /// nullopt: all topics.
  std::optional<std::vector<MetadataRequestTopic>> topics;
  bool allow_auto_topic_creation = true;               // v4+
  bool include_cluster_authorized_operations = false;  // v8+
  bool include_topic_authorized_operations = false;    // v8+

  static Result<MetadataRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const MetadataRequest&) const = default;
};

struct MetadataResponse {
  /// "Not requested" value of the authorized-operations fields.
  static constexpr int32_t kAuthorizedOperationsOmitted = INT32_MIN;

  struct MetadataResponseBroker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;  // v1+
    bool operator==(const MetadataResponseBroker&) const = default;
  };
  struct MetadataResponsePartition {
    ErrorCode error_code = ErrorCode::kNone;
    int32_t partition_index = 0;
    int32_t leader_id = 0;
    int32_t leader_epoch = -1;  // v7+
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
    std::vector<int32_t> offline_replicas;  // v5+
    bool operator==(const MetadataResponsePartition&) const = default;
  };
  struct MetadataResponseTopic {
    ErrorCode error_code = ErrorCode::kNone;
    std::string name;
    bool is_internal = false;  // v1+
    std::vector<MetadataResponsePartition> partitions;
    int32_t topic_authorized_operations = kAuthorizedOperationsOmitted;  // v8+
    bool operator==(const MetadataResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v3+
  std::vector<MetadataResponseBroker> brokers;
  std::optional<std::string> cluster_id;  // v2+
  int32_t controller_id = -1;             // v1+
  std::vector<MetadataResponseTopic> topics;
  int32_t cluster_authorized_operations = kAuthorizedOperationsOmitted;  // v8+

  static Result<MetadataResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const MetadataResponse&) const = default;
};

}  // namespace eddy::kafka
