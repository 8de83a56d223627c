#pragma once
// OffsetCommit (api key 8), versions 2-7.
//
// Version notes: retention_time_ms v2-4 only (later brokers use their own retention);
// throttle_time_ms v3+; committed_leader_epoch v6+; group_instance_id v7+.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct OffsetCommitRequest {
  struct OffsetCommitRequestPartition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;  // v6+
    std::optional<std::string> committed_metadata;
    bool operator==(const OffsetCommitRequestPartition&) const = default;
  };
  struct OffsetCommitRequestTopic {
    std::string name;
    std::vector<OffsetCommitRequestPartition> partitions;
    bool operator==(const OffsetCommitRequestTopic&) const = default;
  };

  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v7+
  int64_t retention_time_ms = -1;                // v2-4
  std::vector<OffsetCommitRequestTopic> topics;

  static Result<OffsetCommitRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const OffsetCommitRequest&) const = default;
};

struct OffsetCommitResponse {
  struct OffsetCommitResponsePartition {
    int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    bool operator==(const OffsetCommitResponsePartition&) const = default;
  };
  struct OffsetCommitResponseTopic {
    std::string name;
    std::vector<OffsetCommitResponsePartition> partitions;
    bool operator==(const OffsetCommitResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v3+
  std::vector<OffsetCommitResponseTopic> topics;

  static Result<OffsetCommitResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const OffsetCommitResponse&) const = default;
};

}  // namespace eddy::kafka
