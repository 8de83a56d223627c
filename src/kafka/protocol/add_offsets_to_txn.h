#pragma once
// AddOffsetsToTxn (api key 25), versions 0-1: a transactional producer announces that it
// will commit a consumer group's offsets in its transaction (TxnOffsetCommit follows).
//
// Version notes: v1 is the same as v0. v2 adds PRODUCER_FENCED, v3 is flexible.

#include <cstdint>
#include <span>
#include <string>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct AddOffsetsToTxnRequest {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::string group_id;

  static Result<AddOffsetsToTxnRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const AddOffsetsToTxnRequest&) const = default;
};

struct AddOffsetsToTxnResponse {
  int32_t throttle_time_ms = 0;
  ErrorCode error_code = ErrorCode::kNone;

  static Result<AddOffsetsToTxnResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const AddOffsetsToTxnResponse&) const = default;
};

}  // namespace eddy::kafka
