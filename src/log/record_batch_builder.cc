#include "src/log/record_batch_builder.h"

#include <algorithm>
#include <limits>

#include "src/base/crc32c.h"
#include "src/log/compression.h"

namespace eddy::log {
namespace {

// Kafka's NO_TIMESTAMP, for the timestamps of a batch without records.
constexpr int64_t kNoTimestamp = -1;
// Kafka producers leave the partition leader epoch unset; the broker fills it in.
constexpr int32_t kNoPartitionLeaderEpoch = -1;

size_t UnsignedVarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
size_t VarintSize(int32_t v) {
  return UnsignedVarintSize((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}
size_t VarlongSize(int64_t v) {
  return UnsignedVarintSize((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
size_t NullableBytesSize(const std::optional<ByteSpan>& b) {
  return b ? VarintSize(static_cast<int32_t>(b->size())) + b->size() : VarintSize(-1);
}
void WriteNullableBytes(ByteWriter* w, const std::optional<ByteSpan>& b) {
  if (!b) {
    w->WriteVarint(-1);
    return;
  }
  w->WriteVarint(static_cast<int32_t>(b->size()));
  w->WriteBytes(*b);
}

}  // namespace

void RecordBatchBuilder::Add(int64_t timestamp_ms, std::optional<ByteSpan> key,
                             std::optional<ByteSpan> value,
                             const std::vector<RecordHeader>& headers) {
  if (record_count_ == 0) {
    base_timestamp_ = timestamp_ms;
    max_timestamp_ = timestamp_ms;
  }
  max_timestamp_ = std::max(max_timestamp_, timestamp_ms);
  // Deltas are relative to the first record; wrap rather than overflow on absurd input.
  auto timestamp_delta = static_cast<int64_t>(static_cast<uint64_t>(timestamp_ms) -
                                              static_cast<uint64_t>(base_timestamp_));
  int32_t offset_delta = record_count_;

  // The length prefix comes first, so size the body before writing it.
  size_t body = 1 + VarlongSize(timestamp_delta) + VarintSize(offset_delta) +
                NullableBytesSize(key) + NullableBytesSize(value) +
                VarintSize(static_cast<int32_t>(headers.size()));
  for (const RecordHeader& h : headers) {
    body +=
        VarintSize(static_cast<int32_t>(h.key.size())) + h.key.size() + NullableBytesSize(h.value);
  }
  records_.WriteVarint(static_cast<int32_t>(body));
  records_.WriteI8(0);  // record attributes: unused in magic v2
  records_.WriteVarlong(timestamp_delta);
  records_.WriteVarint(offset_delta);
  WriteNullableBytes(&records_, key);
  WriteNullableBytes(&records_, value);
  records_.WriteVarint(static_cast<int32_t>(headers.size()));
  for (const RecordHeader& h : headers) {
    records_.WriteVarint(static_cast<int32_t>(h.key.size()));
    records_.WriteBytes(h.key);
    WriteNullableBytes(&records_, h.value);
  }
  ++record_count_;
}

Result<std::vector<uint8_t>> RecordBatchBuilder::Build() const {
  ByteSpan records = records_.buffer();
  std::vector<uint8_t> compressed;
  if (options_.codec != CompressionCodec::kNone) {
    ASSIGN_OR_RETURN(compressed, Compress(options_.codec, records));
    records = compressed;
  }
  size_t total = kBatchHeaderSize + records.size();
  if (total - kBatchLengthOverhead > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::InvalidArgument("record batch of " + std::to_string(total) +
                                   " bytes exceeds the 2 GiB that batch_length can describe");
  }
  int16_t attributes = static_cast<int16_t>(options_.codec) & kCompressionMask;
  if (options_.log_append_time) attributes |= kTimestampTypeBit;
  if (options_.transactional) attributes |= kTransactionalBit;
  if (options_.control) attributes |= kControlBit;
  bool empty = record_count_ == 0;

  ByteWriter w(total);
  w.WriteI64(0);  // base offset: the log assigns it
  w.WriteI32(static_cast<int32_t>(total - kBatchLengthOverhead));
  w.WriteI32(kNoPartitionLeaderEpoch);
  w.WriteI8(kMagicV2);
  w.WriteU32(0);  // CRC, filled in below
  w.WriteI16(attributes);
  w.WriteI32(empty ? 0 : record_count_ - 1);
  w.WriteI64(empty ? kNoTimestamp : base_timestamp_);
  w.WriteI64(empty ? kNoTimestamp : max_timestamp_);
  w.WriteI64(options_.producer_id);
  w.WriteI16(options_.producer_epoch);
  w.WriteI32(options_.base_sequence);
  w.WriteI32(record_count_);
  w.WriteBytes(records);
  uint32_t crc = Crc32c(ByteSpan(w.buffer()).subspan(kCrcCoverageStart));
  w.PatchI32(kCrcPos, static_cast<int32_t>(crc));
  return w.Release();
}

void RecordBatchBuilder::Clear() {
  records_.Clear();
  record_count_ = 0;
  base_timestamp_ = 0;
  max_timestamp_ = 0;
}

}  // namespace eddy::log
