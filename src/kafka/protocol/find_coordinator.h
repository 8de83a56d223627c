#pragma once
// FindCoordinator (api key 10), versions 0-2.
//
// Version notes: key_type, throttle_time_ms and error_message v1+. v2 is v1 with a
// bump that says the client handles throttling.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct FindCoordinatorRequest {
  /// key_type values.
  static constexpr int8_t kGroupKeyType = 0;
  static constexpr int8_t kTransactionKeyType = 1;

  /// The group id, or the transactional id when key_type is kTransactionKeyType.
  std::string key;
  int8_t key_type = kGroupKeyType;  // v1+

  static Result<FindCoordinatorRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const FindCoordinatorRequest&) const = default;
};

struct FindCoordinatorResponse {
  int32_t throttle_time_ms = 0;  // v1+
  ErrorCode error_code = ErrorCode::kNone;
  std::optional<std::string> error_message;  // v1+
  int32_t node_id = 0;
  std::string host;
  int32_t port = 0;

  static Result<FindCoordinatorResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const FindCoordinatorResponse&) const = default;
};

}  // namespace eddy::kafka
