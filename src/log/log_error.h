#pragma once
// Why a log operation failed, carried as Status::detail() so that the Kafka front end
// can answer with the matching Kafka error code without parsing messages.

#include "src/base/status.h"

namespace eddy::log {

enum class LogError : int {
  kNone = 0,
  kUnknownTopicOrPartition = 1,
  kTopicAlreadyExists = 2,
  kInvalidTopicName = 3,
  kInvalidConfig = 4,
  kCorruptBatch = 5,          // bad CRC, bad magic, length that does not add up
  kBatchTooLarge = 6,         // bigger than the topic's max_message_bytes
  kOffsetOutOfRange = 7,      // read below the log start or above the high watermark
  kOutOfOrderSequence = 8,    // idempotent producer skipped sequence numbers
  kInvalidProducerEpoch = 9,  // an older epoch of a producer id that has moved on
  kUnknownProducerId = 10,    // sequence > 0 from a producer id the partition never saw
  kStorage = 11,              // the disk failed (I/O error, disk full); nothing was acknowledged
  kShuttingDown = 12,
  kInvalidRecord = 13,        // a batch a producer may not write (a control batch, ...)
};

/// The LogError a failed log operation carried (kNone for OK or a foreign status).
inline LogError LogErrorOf(const Status& status) { return static_cast<LogError>(status.detail()); }

}  // namespace eddy::log
