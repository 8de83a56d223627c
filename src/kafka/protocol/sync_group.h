#pragma once
// SyncGroup (api key 14), versions 0-3.
//
// Version notes: throttle_time_ms v1+; group_instance_id v3+.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct SyncGroupRequest {
  struct SyncGroupRequestAssignment {
    std::string member_id;
    std::vector<uint8_t> assignment;
    bool operator==(const SyncGroupRequestAssignment&) const = default;
  };

  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+
  /// Sent by the group leader only; empty from the other members.
  std::vector<SyncGroupRequestAssignment> assignments;

  static Result<SyncGroupRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const SyncGroupRequest&) const = default;
};

struct SyncGroupResponse {
  int32_t throttle_time_ms = 0;  // v1+
  ErrorCode error_code = ErrorCode::kNone;
  std::vector<uint8_t> assignment;

  static Result<SyncGroupResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const SyncGroupResponse&) const = default;
};

}  // namespace eddy::kafka
