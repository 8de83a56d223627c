#pragma once
// JoinGroup (api key 11), versions 0-5.
//
// Version notes: rebalance_timeout_ms v1+; throttle_time_ms v2+; v4 adds no field (it
// says the client handles MEMBER_ID_REQUIRED by rejoining with the id it was given);
// group_instance_id (static membership) v5+, in the request and for each member.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct JoinGroupRequest {
  struct JoinGroupRequestProtocol {
    std::string name;
    std::vector<uint8_t> metadata;
    bool operator==(const JoinGroupRequestProtocol&) const = default;
  };

  std::string group_id;
  int32_t session_timeout_ms = 0;
  /// -1 when not sent (v0): the broker then uses session_timeout_ms.
  int32_t rebalance_timeout_ms = -1;  // v1+
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v5+
  std::string protocol_type;
  std::vector<JoinGroupRequestProtocol> protocols;

  static Result<JoinGroupRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const JoinGroupRequest&) const = default;
};

struct JoinGroupResponse {
  struct JoinGroupResponseMember {
    std::string member_id;
    std::optional<std::string> group_instance_id;  // v5+
    std::vector<uint8_t> metadata;
    bool operator==(const JoinGroupResponseMember&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v2+
  ErrorCode error_code = ErrorCode::kNone;
  int32_t generation_id = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<JoinGroupResponseMember> members;

  static Result<JoinGroupResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const JoinGroupResponse&) const = default;
};

}  // namespace eddy::kafka
