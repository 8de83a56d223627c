#pragma once
// Builds Kafka record batches (magic v2): what the engine's log sink and the tests use
// to write records without a Kafka client.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/log/record_batch.h"

namespace eddy::log {

struct BatchOptions {
  CompressionCodec codec = CompressionCodec::kNone;
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  bool transactional = false;
  bool control = false;
  bool log_append_time = false;
};

/// Accumulates records and encodes them as one batch with base offset 0 (the log
/// assigns the real one), as a Kafka producer does: offset and timestamp deltas relative
/// to the first record, max_timestamp the largest timestamp added, partition leader
/// epoch -1, the records section compressed as a whole with options.codec. A batch
/// without records has timestamps -1. Not thread-safe; reusable after Build via Clear.
class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(BatchOptions options = {}) : options_(options) {}

  void Add(int64_t timestamp_ms, std::optional<ByteSpan> key, std::optional<ByteSpan> value,
           const std::vector<RecordHeader>& headers = {});
  /// Convenience for text keys and values.
  void Add(int64_t timestamp_ms, std::string_view key, std::string_view value) {
    Add(timestamp_ms, AsBytes(key), AsBytes(value));
  }

  /// The idempotent-producer fields of the next batches (a writer numbering its batches
  /// itself, one builder per partition).
  void SetProducer(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence) {
    options_.producer_id = producer_id;
    options_.producer_epoch = producer_epoch;
    options_.base_sequence = base_sequence;
  }

  int32_t record_count() const { return record_count_; }
  /// Uncompressed bytes of the records added so far.
  size_t records_bytes() const { return records_.size(); }

  /// Encodes the batch (compressing, computing the CRC-32C). Fails (InvalidArgument)
  /// past the 2 GiB a batch can hold.
  Result<std::vector<uint8_t>> Build() const;
  void Clear();

 private:
  BatchOptions options_;
  ByteWriter records_;
  int32_t record_count_ = 0;
  int64_t base_timestamp_ = 0;
  int64_t max_timestamp_ = 0;
};

}  // namespace eddy::log
