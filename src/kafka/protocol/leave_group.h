#pragma once
// LeaveGroup (api key 13), versions 0-3.
//
// Version notes: throttle_time_ms v1+; v3 replaces the single member_id with a batch
// of members (each with its group_instance_id), and the response reports per member.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct LeaveGroupRequest {
  struct MemberIdentity {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    bool operator==(const MemberIdentity&) const = default;
  };

  std::string group_id;
  std::string member_id;                // v0-2
  std::vector<MemberIdentity> members;  // v3+

  static Result<LeaveGroupRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const LeaveGroupRequest&) const = default;
};

struct LeaveGroupResponse {
  struct MemberResponse {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    ErrorCode error_code = ErrorCode::kNone;
    bool operator==(const MemberResponse&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v1+
  ErrorCode error_code = ErrorCode::kNone;
  std::vector<MemberResponse> members;  // v3+

  static Result<LeaveGroupResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const LeaveGroupResponse&) const = default;
};

}  // namespace eddy::kafka
