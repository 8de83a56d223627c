#pragma once
// Reading Kafka record batches (magic v2): the header, its CRC-32C, and the records
// inside (decompressed when the batch is compressed). The layout is defined in
// record_batch_format.h.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/log/compression.h"
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
  CompressionCodec codec() const {
    return static_cast<CompressionCodec>(attributes & kCompressionMask);
  }
  bool is_transactional() const { return (attributes & kTransactionalBit) != 0; }
  bool is_control() const { return (attributes & kControlBit) != 0; }
  bool uses_log_append_time() const { return (attributes & kTimestampTypeBit) != 0; }
  /// The sequence number of the last record: base_sequence + last_offset_delta, wrapping
  /// past INT32_MAX to 0 as Kafka does; kNoSequence when base_sequence is.
  int32_t last_sequence() const;
};

/// Decodes the header at the start of "bytes". Fails (Corruption) when fewer than 61
/// bytes are given, the magic is not 2, batch_length is below the header's own size,
/// record_count / last_offset_delta are negative, or the compression codec is not one
/// of the five Kafka defines. Does not check the CRC or that the whole batch is present.
/// Errors carry LogError::kCorruptBatch as Status::detail().
Result<BatchHeader> ParseBatchHeader(ByteSpan bytes);

/// Checks that "batch" is exactly one whole batch (its length field matches the span)
/// with a valid header and a CRC-32C that matches its content. Does not look inside the
/// records section (RecordReader does).
Status ValidateBatch(ByteSpan batch);

/// Writes base_offset into a batch in place (the field is outside the CRC). A span
/// shorter than 8 bytes is left alone.
void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset);

/// Splits a run of concatenated batches (a fetch response's records, a segment's
/// bytes) into batches. A trailing partial batch is not returned (readers stop there,
/// as Kafka clients do); a malformed header is an error. Like Kafka's readers it checks
/// batch_length as soon as the 12 bytes holding it are present and the magic as soon as
/// its byte is, so garbage is reported rather than taken for a partial batch. Does not
/// check CRCs. "bytes" must outlive the iterator. Not thread-safe.
class BatchIterator {
 public:
  explicit BatchIterator(ByteSpan bytes) : bytes_(bytes) {}
  /// The next whole batch (its header parsed and checked), or an empty span at the end
  /// (or before a partial batch). After an error, every call returns the same error.
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
/// batch (or into the reader's decompression buffer) and stay valid until the reader is
/// reset or destroyed. Pass the same Record to every RecordReader::Next so that its
/// headers vector is reused.
struct Record {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<ByteSpan> key;    // nullopt: null key
  std::optional<ByteSpan> value;  // nullopt: null value (a tombstone)
  std::vector<RecordHeader> headers;
};

/// Iterates the records of one batch, decompressing its records section first when
/// the batch is compressed. Reuses its buffers: reset it with another batch to read
/// many batches without allocating. Every length is checked against the bytes left
/// before it is used, so malformed input ends iteration with a Corruption status, never
/// a crash or a large allocation; decompression is bounded by max_decompressed_bytes.
/// A batch whose record_count is 0 has no records, whatever its records section holds
/// (as Kafka's readers treat it). Not thread-safe.
class RecordReader {
 public:
  RecordReader() = default;
  explicit RecordReader(size_t max_decompressed_bytes)
      : max_decompressed_bytes_(max_decompressed_bytes) {}
  /// Starts reading "batch" (which must stay alive while records are read; bytes past
  /// the batch's length are ignored). Does not validate the CRC (call ValidateBatch for
  /// untrusted input). Fails if the header is bad, the batch is shorter than its length
  /// field says, or the records section does not decompress (Corruption), or would
  /// decompress past max_decompressed_bytes (ResourceExhausted); status() then holds the
  /// error and Next returns false.
  Status Reset(ByteSpan batch);
  const BatchHeader& header() const { return header_; }
  /// Reads the next record into "*out"; returns false at the end of the batch. A
  /// malformed record (lengths past the end, more or fewer records than the header
  /// says) makes status() non-OK (Corruption) and ends iteration.
  bool Next(Record* out);
  const Status& status() const { return status_; }

 private:
  bool Fail(std::string what);

  size_t max_decompressed_bytes_ = kDefaultMaxDecompressedBytes;
  BatchHeader header_;
  std::vector<uint8_t> decompressed_;  // grown, never shrunk: see DecompressInto
  ByteSpan records_;                   // the (decompressed) records section
  size_t pos_ = 0;                     // next unread byte of records_
  int32_t records_left_ = 0;
  int32_t records_read_ = 0;
  Status status_;
};

}  // namespace eddy::log
