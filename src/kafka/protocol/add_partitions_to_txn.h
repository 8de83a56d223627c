#pragma once
// AddPartitionsToTxn (api key 24), versions 0-1: a transactional producer registers the
// partitions it is about to write in its transaction.
//
// Version notes: v1 is the same as v0 (the broker answers before throttling). v2 adds
// PRODUCER_FENCED and v3 is flexible; eddy stops at v1, as librdkafka and Kafka's own
// mock cluster do, so a fenced producer gets INVALID_PRODUCER_EPOCH.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct AddPartitionsToTxnRequest {
  struct AddPartitionsToTxnTopic {
    std::string name;
    std::vector<int32_t> partitions;
    bool operator==(const AddPartitionsToTxnTopic&) const = default;
  };

  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  std::vector<AddPartitionsToTxnTopic> topics;

  static Result<AddPartitionsToTxnRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const AddPartitionsToTxnRequest&) const = default;
};

struct AddPartitionsToTxnResponse {
  struct AddPartitionsToTxnPartitionResult {
    int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    bool operator==(const AddPartitionsToTxnPartitionResult&) const = default;
  };
  struct AddPartitionsToTxnTopicResult {
    std::string name;
    std::vector<AddPartitionsToTxnPartitionResult> results;
    bool operator==(const AddPartitionsToTxnTopicResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<AddPartitionsToTxnTopicResult> results;

  static Result<AddPartitionsToTxnResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const AddPartitionsToTxnResponse&) const = default;
};

}  // namespace eddy::kafka
