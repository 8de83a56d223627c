#pragma once
// EndTxn (api key 26), versions 0-1: a transactional producer commits or aborts its
// transaction.
//
// Version notes: v1 is the same as v0. v2 adds PRODUCER_FENCED, v3 is flexible.

#include <cstdint>
#include <span>
#include <string>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct EndTxnRequest {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  /// True to commit, false to abort.
  bool committed = false;

  static Result<EndTxnRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const EndTxnRequest&) const = default;
};

struct EndTxnResponse {
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;

  static Result<EndTxnResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const EndTxnResponse&) const = default;
};

}  // namespace eddy::kafka
