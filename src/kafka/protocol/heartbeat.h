#pragma once
// Heartbeat (api key 12), versions 0-3.
//
// Version notes: throttle_time_ms v1+; group_instance_id v3+.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct HeartbeatRequest {
  std::string group_id;
  int32_t generation_id = 0;
  std::string member_id;
  std::optional<std::string> group_instance_id;  // v3+

  static Result<HeartbeatRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const HeartbeatRequest&) const = default;
};

struct HeartbeatResponse {
  int32_t throttle_time_ms = 0;  // v1+
  ErrorCode error_code = ErrorCode::kNone;

  static Result<HeartbeatResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const HeartbeatResponse&) const = default;
};

}  // namespace eddy::kafka
