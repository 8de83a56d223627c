#pragma once
// The byte layout of a Kafka record batch (magic v2), defined once for every reader
// and writer in eddy. The log stores batches exactly in this form; see
// docs/log_format.md.
//
//   offset  size  field
//   0       8     base_offset            assigned by the log at append (outside the CRC)
//   8       4     batch_length           bytes after this field (whole batch = 12 + batch_length)
//   12      4     partition_leader_epoch (outside the CRC)
//   16      1     magic                  always 2
//   17      4     crc                    CRC-32C of bytes [21, end)
//   21      2     attributes             bits 0-2 compression, 3 timestamp type,
//                                        4 transactional, 5 control, 6 delete horizon
//   23      4     last_offset_delta
//   27      8     base_timestamp         (first timestamp)
//   35      8     max_timestamp
//   43      8     producer_id            -1 when not idempotent
//   51      2     producer_epoch
//   53      4     base_sequence
//   57      4     record_count
//   61      ...   records (compressed as a whole when the codec bits are set)
//
// Each record: length varint, attributes int8, timestamp_delta varlong,
// offset_delta varint, key_length varint (-1 = null), key, value_length varint,
// value, header_count varint, then per header key_length varint, key,
// value_length varint, value.

#include <cstddef>
#include <cstdint>

namespace eddy::log {

inline constexpr size_t kBaseOffsetPos = 0;
inline constexpr size_t kBatchLengthPos = 8;
inline constexpr size_t kPartitionLeaderEpochPos = 12;
inline constexpr size_t kMagicPos = 16;
inline constexpr size_t kCrcPos = 17;
inline constexpr size_t kAttributesPos = 21;
inline constexpr size_t kLastOffsetDeltaPos = 23;
inline constexpr size_t kBaseTimestampPos = 27;
inline constexpr size_t kMaxTimestampPos = 35;
inline constexpr size_t kProducerIdPos = 43;
inline constexpr size_t kProducerEpochPos = 51;
inline constexpr size_t kBaseSequencePos = 53;
inline constexpr size_t kRecordCountPos = 57;
inline constexpr size_t kRecordsPos = 61;

/// Bytes of the batch header; also the smallest valid batch (no records).
inline constexpr size_t kBatchHeaderSize = 61;
/// Bytes before batch_length's count starts: base_offset + batch_length.
inline constexpr size_t kBatchLengthOverhead = 12;
/// The CRC covers everything from the attributes to the end of the batch.
inline constexpr size_t kCrcCoverageStart = kAttributesPos;

inline constexpr int8_t kMagicV2 = 2;

inline constexpr int16_t kCompressionMask = 0x07;
inline constexpr int16_t kTimestampTypeBit = 0x08;  // set: LogAppendTime
inline constexpr int16_t kTransactionalBit = 0x10;
inline constexpr int16_t kControlBit = 0x20;

enum class CompressionCodec : int8_t {
  kNone = 0,
  kGzip = 1,
  kSnappy = 2,
  kLz4 = 3,
  kZstd = 4,
};

inline constexpr int64_t kNoProducerId = -1;
inline constexpr int16_t kNoProducerEpoch = -1;
inline constexpr int32_t kNoSequence = -1;

}  // namespace eddy::log
