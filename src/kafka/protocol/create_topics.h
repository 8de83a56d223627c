#pragma once
// CreateTopics (api key 19), versions 0-4.
//
// Version notes: validate_only and the response's error_message v1+;
// throttle_time_ms v2+; v3 and v4 add no field.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct CreateTopicsRequest {
  struct CreatableReplicaAssignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;
    bool operator==(const CreatableReplicaAssignment&) const = default;
  };
  struct CreateableTopicConfig {
    std::string name;
    std::optional<std::string> value;
    bool operator==(const CreateableTopicConfig&) const = default;
  };
  struct CreatableTopic {
    std::string name;
    /// -1: the broker's default (with assignments empty).
    int32_t num_partitions = 0;
    /// -1: the broker's default.
    int16_t replication_factor = 0;
    std::vector<CreatableReplicaAssignment> assignments;
    std::vector<CreateableTopicConfig> configs;
    bool operator==(const CreatableTopic&) const = default;
  };

  std::vector<CreatableTopic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;  // v1+

  static Result<CreateTopicsRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const CreateTopicsRequest&) const = default;
};

struct CreateTopicsResponse {
  struct CreatableTopicResult {
    std::string name;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;  // v1+
    bool operator==(const CreatableTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v2+
  std::vector<CreatableTopicResult> topics;

  static Result<CreateTopicsResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const CreateTopicsResponse&) const = default;
};

}  // namespace eddy::kafka
