#pragma once
// DeleteTopics (api key 20), versions 0-3.
//
// Version notes: throttle_time_ms v1+; v2 and v3 add no field.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct DeleteTopicsRequest {
  std::vector<std::string> topic_names;
  int32_t timeout_ms = 0;

  static Result<DeleteTopicsRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const DeleteTopicsRequest&) const = default;
};

struct DeleteTopicsResponse {
  struct DeletableTopicResult {
    std::string name;
    ErrorCode error_code = ErrorCode::kNone;
    bool operator==(const DeletableTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;  // v1+
  std::vector<DeletableTopicResult> responses;

  static Result<DeleteTopicsResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const DeleteTopicsResponse&) const = default;
};

}  // namespace eddy::kafka
