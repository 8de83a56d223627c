#pragma once
// Produce (api key 0), versions 3-8.
//
// The records of each partition are a view into the request body, not a copy: the
// broker validates the batches and patches their base offsets in place before it
// appends them, so the body must stay alive and unmoved while the request is handled.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct ProduceRequest {
  struct PartitionProduceData {
    int32_t index = 0;
    /// The record batches, pointing into the decoded body. A null records field
    /// (length -1) decodes as an empty span.
    std::span<uint8_t> records;

    /// Compares the record bytes, not where they live.
    bool operator==(const PartitionProduceData& other) const;
  };
  struct TopicProduceData {
    std::string name;
    std::vector<PartitionProduceData> partition_data;
    bool operator==(const TopicProduceData&) const = default;
  };

  std::optional<std::string> transactional_id;
  /// 0: no response; 1: leader only; -1: all in-sync replicas.
  int16_t acks = 0;
  int32_t timeout_ms = 0;
  std::vector<TopicProduceData> topic_data;

  /// "body" must outlive the result: every records span points into it.
  static Result<ProduceRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const ProduceRequest&) const = default;
};

struct ProduceResponse {
  struct BatchIndexAndErrorMessage {
    int32_t batch_index = 0;
    std::optional<std::string> batch_index_error_message;
    bool operator==(const BatchIndexAndErrorMessage&) const = default;
  };
  struct PartitionProduceResponse {
    int32_t index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    int64_t base_offset = 0;
    int64_t log_append_time_ms = -1;
    int64_t log_start_offset = -1;                         // v5+
    std::vector<BatchIndexAndErrorMessage> record_errors;  // v8+
    std::optional<std::string> error_message;              // v8+
    bool operator==(const PartitionProduceResponse&) const = default;
  };
  struct TopicProduceResponse {
    std::string name;
    std::vector<PartitionProduceResponse> partition_responses;
    bool operator==(const TopicProduceResponse&) const = default;
  };

  std::vector<TopicProduceResponse> responses;
  int32_t throttle_time_ms = 0;

  static Result<ProduceResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const ProduceResponse&) const = default;
};

}  // namespace eddy::kafka
