#pragma once
// TxnOffsetCommit (api key 28), versions 0-2: a transactional producer commits a
// consumer group's offsets as part of its transaction; they count for the group only
// once the transaction commits.
//
// Version notes: v1 is the same as v0; committed_leader_epoch v2+. v3 (flexible) adds
// the consumer's generation_id, member_id and group_instance_id; eddy stops at v2, as
// librdkafka's mock cluster does.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct TxnOffsetCommitRequest {
  struct TxnOffsetCommitRequestPartition {
    int32_t partition_index = 0;
    int64_t committed_offset = 0;
    int32_t committed_leader_epoch = -1;  // v2+
    std::optional<std::string> committed_metadata;
    bool operator==(const TxnOffsetCommitRequestPartition&) const = default;
  };
  struct TxnOffsetCommitRequestTopic {
    std::string name;
    std::vector<TxnOffsetCommitRequestPartition> partitions;
    bool operator==(const TxnOffsetCommitRequestTopic&) const = default;
  };

  std::string transactional_id;
  std::string group_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<TxnOffsetCommitRequestTopic> topics;

  static Result<TxnOffsetCommitRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const TxnOffsetCommitRequest&) const = default;
};

struct TxnOffsetCommitResponse {
  struct TxnOffsetCommitResponsePartition {
    int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    bool operator==(const TxnOffsetCommitResponsePartition&) const = default;
  };
  struct TxnOffsetCommitResponseTopic {
    std::string name;
    std::vector<TxnOffsetCommitResponsePartition> partitions;
    bool operator==(const TxnOffsetCommitResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<TxnOffsetCommitResponseTopic> topics;

  static Result<TxnOffsetCommitResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const TxnOffsetCommitResponse&) const = default;
};

}  // namespace eddy::kafka
