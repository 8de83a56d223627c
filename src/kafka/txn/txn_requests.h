#pragma once
// What the transaction coordinator takes and gives back, one params/result pair per
// Kafka API. The broker fills the params from a decoded request and encodes the result
// into the response of the request's version; nothing here knows the wire format.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "src/kafka/group/group_requests.h"
#include "src/kafka/protocol/error_code.h"
#include "src/kafka/txn/transaction_metadata.h"

namespace eddy::kafka {

/// Who sends a transactional request: every one of them names the transactional id and
/// the producer id and epoch it was given.
struct TxnProducer {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
};

struct InitProducerIdParams {
  std::string transactional_id;
  int32_t transaction_timeout_ms = 0;
  /// InitProducerId v3+: the caller's current id and epoch when it asks to bump its epoch
  /// after an error (KIP-360); -1 for a fresh start.
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  /// The request version: from v4 a fenced caller is told PRODUCER_FENCED, before it
  /// INVALID_PRODUCER_EPOCH.
  int16_t api_version = 0;
};

struct InitProducerIdResult {
  ErrorCode error = ErrorCode::kNone;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
};
using InitProducerIdCallback = std::function<void(InitProducerIdResult)>;

struct AddPartitionsParams {
  TxnProducer producer;
  std::vector<TxnPartition> partitions;
};

struct AddPartitionsResult {
  /// One entry per asked partition, in request order.
  std::vector<std::pair<TxnPartition, ErrorCode>> partitions;
};

struct AddOffsetsParams {
  TxnProducer producer;
  std::string group_id;
};

struct TxnOffsetCommitParams {
  TxnProducer producer;
  std::string group_id;
  std::vector<OffsetCommitEntry> offsets;
};

struct EndTxnParams {
  TxnProducer producer;
  /// True to commit, false to abort.
  bool commit = false;
};
using EndTxnCallback = std::function<void(ErrorCode)>;

}  // namespace eddy::kafka
