#pragma once
// InitProducerId (api key 22), versions 0-4.
//
// Version notes: v1 adds no field (it says the client handles throttling); v2 is the first
// flexible version (compact strings, tagged fields); v3 adds the request's producer_id
// and producer_epoch, with which a transactional producer asks to bump its epoch after an
// error and keep its id (KIP-360); v4 adds no field (the broker may answer
// PRODUCER_FENCED, where earlier versions get INVALID_PRODUCER_EPOCH).

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct InitProducerIdRequest {
  /// Null for an idempotent producer without transactions.
  std::optional<std::string> transactional_id;
  int32_t transaction_timeout_ms = 0;
  int64_t producer_id = -1;     // v3+
  int16_t producer_epoch = -1;  // v3+

  static Result<InitProducerIdRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const InitProducerIdRequest&) const = default;
};

struct InitProducerIdResponse {
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;
  int64_t producer_id = -1;
  int16_t producer_epoch = 0;

  static Result<InitProducerIdResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const InitProducerIdResponse&) const = default;
};

}  // namespace eddy::kafka
