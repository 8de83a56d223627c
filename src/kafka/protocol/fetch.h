#pragma once
// Fetch (api key 1), versions 4-11.
//
// Version notes: isolation_level v4+; log_start_offset v5+; incremental fetch sessions
// (session_id, session_epoch, forgotten_topics_data, and the response's top-level
// error_code and session_id) v7+; current_leader_epoch v9+; rack_id and
// preferred_read_replica v11+.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct FetchRequest {
  struct FetchPartition {
    int32_t partition = 0;
    int32_t current_leader_epoch = -1;  // v9+
    int64_t fetch_offset = 0;
    int64_t log_start_offset = -1;  // v5+; only followers send it
    int32_t partition_max_bytes = 0;
    bool operator==(const FetchPartition&) const = default;
  };
  struct FetchTopic {
    std::string topic;
    std::vector<FetchPartition> partitions;
    bool operator==(const FetchTopic&) const = default;
  };
  struct ForgottenTopic {
    std::string topic;
    std::vector<int32_t> partitions;
    bool operator==(const ForgottenTopic&) const = default;
  };

  /// -1 for consumers.
  int32_t replica_id = -1;
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = 0x7fffffff;  // v3+
  /// 0: READ_UNCOMMITTED, 1: READ_COMMITTED.
  int8_t isolation_level = 0;  // v4+
  int32_t session_id = 0;      // v7+
  int32_t session_epoch = -1;  // v7+
  std::vector<FetchTopic> topics;
  std::vector<ForgottenTopic> forgotten_topics_data;  // v7+
  std::string rack_id;                                // v11+

  static Result<FetchRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const FetchRequest&) const = default;
};

struct FetchResponse {
  struct AbortedTransaction {
    int64_t producer_id = 0;
    int64_t first_offset = 0;
    bool operator==(const AbortedTransaction&) const = default;
  };
  struct PartitionData {
    int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    int64_t high_watermark = 0;
    int64_t last_stable_offset = -1;  // v4+
    int64_t log_start_offset = -1;    // v5+
    /// Null when there are none (v4+).
    std::optional<std::vector<AbortedTransaction>> aborted_transactions;
    int32_t preferred_read_replica = -1;  // v11+
    /// Record batches as read from the log; null or empty when there are none.
    std::optional<std::vector<uint8_t>> records;
    bool operator==(const PartitionData&) const = default;
  };
  struct FetchableTopicResponse {
    std::string topic;
    std::vector<PartitionData> partitions;
    bool operator==(const FetchableTopicResponse&) const = default;
  };

  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;  // v7+
  int32_t session_id = 0;                   // v7+
  std::vector<FetchableTopicResponse> responses;

  static Result<FetchResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const FetchResponse&) const = default;
};

}  // namespace eddy::kafka
