#pragma once
// OffsetFetch (api key 9), versions 1-5.
//
// Version notes: v2+ topics may be null (all partitions the group has offsets for) and
// the response has a top-level error_code; throttle_time_ms v3+;
// committed_leader_epoch v5+.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct OffsetFetchRequest {
  struct OffsetFetchRequestTopic {
    std::string name;
    std::vector<int32_t> partition_indexes;
    bool operator==(const OffsetFetchRequestTopic&) const = default;
  };

  std::string group_id;
  /// nullopt (v2+): every partition the group has committed offsets for. Encoded as
  /// an empty list in v1, which has no null.
  std::optional<std::vector<OffsetFetchRequestTopic>> topics;

  static Result<OffsetFetchRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const OffsetFetchRequest&) const = default;
};

struct OffsetFetchResponse {
  struct OffsetFetchResponsePartition {
    int32_t partition_index = 0;
    /// -1 when the group has no committed offset for the partition.
    int64_t committed_offset = -1;
    int32_t committed_leader_epoch = -1;  // v5+
    std::optional<std::string> metadata;
    ErrorCode error_code = ErrorCode::kNone;
    bool operator==(const OffsetFetchResponsePartition&) const = default;
  };
  struct OffsetFetchResponseTopic {
    std::string name;
    std::vector<OffsetFetchResponsePartition> partitions;
    bool operator==(const OffsetFetchResponseTopic&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v3+
  std::vector<OffsetFetchResponseTopic> topics;
  ErrorCode error_code = ErrorCode::kNone;  // v2+

  static Result<OffsetFetchResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const OffsetFetchResponse&) const = default;
};

}  // namespace eddy::kafka
