#pragma once
// Reading Kafka record batches (magic v2): the header, its CRC-32C, and the records
// inside (decompressed when the batch is compressed). The layout is defined in
// record_batch_format.h.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/log/record_batch_format.h"

namespace eddy::log {

/// The fixed 61-byte header of a batch, decoded.
struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = -1;
  int8_t magic = kMagicV2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  int32_t record_count = 0;

  /// Bytes of the whole batch: 12 + batch_length.
  size_t total_size() const { return kBatchLengthOverhead + static_cast<size_t>(batch_length); }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  CompressionCodec codec() const { return static_cast<CompressionCodec>(attributes & kCompressionMask); }
  bool is_transactional() const { return (attributes & kTransactionalBit) != 0; }
  bool is_control() const { return (attributes & kControlBit) != 0; }
  bool uses_log_append_time() const { return (attributes & kTimestampTypeBit) != 0; }
  /// The sequence number of the last record (wrapping at INT32_MAX as Kafka does).
  int32_t last_sequence() const;
};

/// Decodes the header at the start of "bytes". Fails (Corruption) when fewer than 61
/// bytes are given, the magic is not 2, batch_length is below the header's own size,
/// or record_count / last_offset_delta are negative. Does not check the CRC or that
/// the whole batch is present.
Result<BatchHeader> ParseBatchHeader(ByteSpan bytes);

/// Checks that "batch" is exactly one whole batch (its length field matches the span)
/// with a valid header and a CRC-32C that matches its content.
Status ValidateBatch(ByteSpan batch);

/// Writes base_offset into a batch in place (the field is outside the CRC).
void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset);

/// Splits a run of concatenated batches (a fetch response's records, a segment's
/// bytes) into batches. A trailing partial batch is not returned (readers stop there,
/// as Kafka clients do); a malformed header is an error.
class BatchIterator {
 public:
  explicit BatchIterator(ByteSpan bytes) : bytes_(bytes) {}
  /// The next whole batch, or an empty span at the end (or before a partial batch).
  Result<ByteSpan> Next();
  /// Bytes consumed so far (the start of the next batch).
  size_t position() const { return pos_; }

 private:
  ByteSpan bytes_;
  size_t pos_ = 0;
};

struct RecordHeader {
  std::string_view key;
  std::optional<ByteSpan> value;  // nullopt: null value
};

/// One record of a batch, with absolute offset and timestamp. Views point into the
/// batch (or into the reader's decompression buffer) and live as long as the reader.
struct Record {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<ByteSpan> key;    // nullopt: null key
  std::optional<ByteSpan> value;  // nullopt: null value (a tombstone)
  std::vector<RecordHeader> headers;
};

/// Iterates the records of one batch, decompressing its records section first when
/// the batch is compressed. Reuses its buffers: reset it with another batch to read
/// many batches without allocating. Not thread-safe.
class RecordReader {
 public:
  RecordReader() = default;
  /// Starts reading "batch" (which must stay alive while records are read). Does not
  /// validate the CRC (call ValidateBatch for untrusted input). Fails if the header is
  /// bad or the records section does not decompress.
  Status Reset(ByteSpan batch);
  const BatchHeader& header() const { return header_; }
  /// Reads the next record into "*out"; returns false at the end of the batch. A
  /// malformed record (lengths past the end, more or fewer records than the header
  /// says) makes status() non-OK and ends iteration.
  bool Next(Record* out);
  const Status& status() const { return reader_.status(); }

 private:
  BatchHeader header_;
  std::vector<uint8_t> decompressed_;
  ByteReader reader_{ByteSpan{}};
  int32_t records_left_ = 0;
};

}  // namespace eddy::log
