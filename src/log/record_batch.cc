#include "src/log/record_batch.h"

#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "src/base/crc32c.h"
#include "src/log/log_error.h"

namespace eddy::log {
namespace {

// batch_length counts the bytes after itself: at least the rest of the header.
constexpr int32_t kMinBatchLength = static_cast<int32_t>(kBatchHeaderSize - kBatchLengthOverhead);
constexpr int kMaxCodec = static_cast<int>(CompressionCodec::kZstd);
// The smallest header of a record: a key length and a value length varint.
constexpr size_t kMinRecordHeaderBytes = 2;

std::string Hex(uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%0*x", digits, v);
  return buf;
}

Status BadBatch(std::string what) {
  return Status::Corruption(std::move(what)).WithDetail(static_cast<int>(LogError::kCorruptBatch));
}

// Offsets and timestamps come from untrusted bytes: add them as Kafka's Java readers do
// (two's complement wrap) instead of overflowing a signed add.
int64_t WrappingAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

}  // namespace

int32_t BatchHeader::last_sequence() const {
  if (base_sequence == kNoSequence) return kNoSequence;
  // Kafka's DefaultRecordBatch.incrementSequence: past INT32_MAX the sequence restarts at 0.
  int64_t sum = int64_t{base_sequence} + last_offset_delta;
  if (sum > std::numeric_limits<int32_t>::max()) {
    sum -= int64_t{std::numeric_limits<int32_t>::max()} + 1;
  }
  return static_cast<int32_t>(sum);
}

Result<BatchHeader> ParseBatchHeader(ByteSpan bytes) {
  if (bytes.size() < kBatchHeaderSize) {
    return BadBatch("batch header truncated: needs " + std::to_string(kBatchHeaderSize) +
                    " bytes, found " + std::to_string(bytes.size()));
  }
  const uint8_t* p = bytes.data();
  BatchHeader h;
  h.base_offset = LoadI64(p + kBaseOffsetPos);
  h.batch_length = LoadI32(p + kBatchLengthPos);
  h.partition_leader_epoch = LoadI32(p + kPartitionLeaderEpochPos);
  h.magic = static_cast<int8_t>(p[kMagicPos]);
  h.crc = static_cast<uint32_t>(LoadI32(p + kCrcPos));
  h.attributes = LoadI16(p + kAttributesPos);
  h.last_offset_delta = LoadI32(p + kLastOffsetDeltaPos);
  h.base_timestamp = LoadI64(p + kBaseTimestampPos);
  h.max_timestamp = LoadI64(p + kMaxTimestampPos);
  h.producer_id = LoadI64(p + kProducerIdPos);
  h.producer_epoch = LoadI16(p + kProducerEpochPos);
  h.base_sequence = LoadI32(p + kBaseSequencePos);
  h.record_count = LoadI32(p + kRecordCountPos);

  if (h.magic != kMagicV2) {
    return BadBatch("batch magic: expected 2, found " + std::to_string(h.magic));
  }
  if (h.batch_length < kMinBatchLength) {
    return BadBatch("batch_length: expected at least " + std::to_string(kMinBatchLength) +
                    ", found " + std::to_string(h.batch_length));
  }
  if (h.record_count < 0) {
    return BadBatch("batch record_count: expected >= 0, found " + std::to_string(h.record_count));
  }
  if (h.last_offset_delta < 0) {
    return BadBatch("batch last_offset_delta: expected >= 0, found " +
                    std::to_string(h.last_offset_delta));
  }
  int codec = h.attributes & kCompressionMask;
  if (codec > kMaxCodec) {
    return BadBatch("batch attributes " + Hex(static_cast<uint16_t>(h.attributes), 4) +
                    ": compression codec expected 0-" + std::to_string(kMaxCodec) + ", found " +
                    std::to_string(codec));
  }
  return h;
}

Status ValidateBatch(ByteSpan batch) {
  ASSIGN_OR_RETURN(BatchHeader h, ParseBatchHeader(batch));
  if (h.total_size() != batch.size()) {
    return BadBatch("batch size: batch_length " + std::to_string(h.batch_length) + " expects " +
                    std::to_string(h.total_size()) + " bytes, found " +
                    std::to_string(batch.size()));
  }
  uint32_t computed = Crc32c(batch.subspan(kCrcCoverageStart));
  if (computed != h.crc) {
    return BadBatch("batch CRC mismatch: stored " + Hex(h.crc, 8) + ", computed " +
                    Hex(computed, 8));
  }
  return Status::OK();
}

void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset) {
  if (batch.size() < kBaseOffsetPos + 8) return;
  StoreI64(batch.data() + kBaseOffsetPos, base_offset);
}

Result<ByteSpan> BatchIterator::Next() {
  size_t left = bytes_.size() - pos_;
  if (left < kBatchLengthOverhead) return ByteSpan{};
  const uint8_t* p = bytes_.data() + pos_;
  auto where = [this] { return "batch at byte " + std::to_string(pos_); };
  int32_t batch_length = LoadI32(p + kBatchLengthPos);
  if (batch_length < kMinBatchLength) {
    return BadBatch(where() + ": batch_length: expected at least " +
                    std::to_string(kMinBatchLength) + ", found " + std::to_string(batch_length));
  }
  if (left > kMagicPos && static_cast<int8_t>(p[kMagicPos]) != kMagicV2) {
    return BadBatch(where() + ": batch magic: expected 2, found " +
                    std::to_string(static_cast<int8_t>(p[kMagicPos])));
  }
  size_t total = kBatchLengthOverhead + static_cast<size_t>(batch_length);
  if (left < total) return ByteSpan{};
  ByteSpan batch = bytes_.subspan(pos_, total);
  Result<BatchHeader> header = ParseBatchHeader(batch);
  if (!header.ok()) return header.status().WithContext(where());
  pos_ += total;
  return batch;
}

Status RecordReader::Reset(ByteSpan batch) {
  status_ = Status::OK();
  records_ = ByteSpan{};
  pos_ = 0;
  records_left_ = 0;
  records_read_ = 0;
  Result<BatchHeader> header = ParseBatchHeader(batch);
  if (!header.ok()) {
    status_ = header.status();
    return status_;
  }
  header_ = *header;
  if (batch.size() < header_.total_size()) {
    status_ = BadBatch("batch truncated: batch_length " + std::to_string(header_.batch_length) +
                       " expects " + std::to_string(header_.total_size()) + " bytes, found " +
                       std::to_string(batch.size()));
    return status_;
  }
  // Kafka's readers do not look at the records section of an empty batch (compaction
  // leaves such batches behind to keep producer state).
  if (header_.record_count == 0) return status_;

  ByteSpan section = batch.subspan(kRecordsPos, header_.total_size() - kRecordsPos);
  if (header_.codec() != CompressionCodec::kNone) {
    Result<size_t> size =
        DecompressInto(header_.codec(), section, &decompressed_, max_decompressed_bytes_);
    if (!size.ok()) {
      status_ = size.status().WithContext("records of batch at base offset " +
                                          std::to_string(header_.base_offset));
      return status_;
    }
    section = ByteSpan(decompressed_.data(), *size);
  }
  records_ = section;
  records_left_ = header_.record_count;
  return status_;
}

bool RecordReader::Fail(std::string what) {
  status_ = BadBatch("record " + std::to_string(records_read_) + " of batch at base offset " +
                     std::to_string(header_.base_offset) + ": " + what);
  records_left_ = 0;
  return false;
}

namespace {

// The record decoder's cursor: the checks of ByteReader, inline, because this runs for
// every field of every record (ByteReader's out-of-line calls cost several times more).
class RecordCursor {
 public:
  RecordCursor(const uint8_t* begin, const uint8_t* end) : p_(begin), end_(end) {}

  size_t left() const { return static_cast<size_t>(end_ - p_); }
  const uint8_t* position() const { return p_; }

  // Zig-zag varints as ByteReader reads them: at most 5 (10) bytes, no bits past 32 (64).
  // Returns nullptr or what is wrong.
  const char* Varint(int32_t* v) {
    uint32_t raw = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (p_ == end_) return "truncated varint";
      uint8_t b = *p_++;
      if (shift == 28 && (b & 0xf0) != 0) break;
      raw |= static_cast<uint32_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
        return nullptr;
      }
    }
    return "varint longer than 5 bytes";
  }
  const char* Varlong(int64_t* v) {
    uint64_t raw = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_) return "truncated varlong";
      uint8_t b = *p_++;
      if (shift == 63 && (b & 0x7e) != 0) break;
      raw |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
        return nullptr;
      }
    }
    return "varlong longer than 10 bytes";
  }
  bool Skip(size_t n) {
    if (left() < n) return false;
    p_ += n;
    return true;
  }
  ByteSpan Take(size_t n) {  // the caller has checked n <= left()
    ByteSpan out(p_, n);
    p_ += n;
    return out;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

// Reads a nullable byte string (length -1 = null) whose bytes must lie in "c".
// Returns an empty string on success, else what is wrong.
std::string ReadNullableBytes(RecordCursor* c, const char* field, std::optional<ByteSpan>* out) {
  int32_t length = 0;
  if (const char* error = c->Varint(&length)) return std::string(field) + " length: " + error;
  if (length == -1) {
    out->reset();
    return {};
  }
  if (length < 0 || static_cast<size_t>(length) > c->left()) {
    return std::string(field) + " length " + std::to_string(length) + " exceeds the " +
           std::to_string(c->left()) + " bytes left in the record";
  }
  *out = c->Take(static_cast<size_t>(length));
  return {};
}

}  // namespace

bool RecordReader::Next(Record* out) {
  if (!status_.ok()) return false;
  size_t left = records_.size() - pos_;
  if (records_left_ == 0) {
    if (left != 0) {
      return Fail(std::to_string(left) + " bytes left after the last of " +
                  std::to_string(header_.record_count) + " records");
    }
    return false;
  }
  if (left == 0) {
    return Fail("records section ends after " + std::to_string(records_read_) + " of " +
                std::to_string(header_.record_count) + " records");
  }
  RecordCursor section(records_.data() + pos_, records_.data() + records_.size());
  int32_t length = 0;
  if (const char* error = section.Varint(&length)) {
    return Fail(std::string("record length: ") + error);
  }
  if (length < 0 || static_cast<size_t>(length) > section.left()) {
    return Fail("record length " + std::to_string(length) + " exceeds the " +
                std::to_string(section.left()) + " bytes left in the batch");
  }
  RecordCursor r(section.position(), section.position() + length);
  pos_ = static_cast<size_t>(section.position() + length - records_.data());

  if (!r.Skip(1)) return Fail("record attributes: truncated");  // unused in magic v2
  int64_t timestamp_delta = 0;
  if (const char* error = r.Varlong(&timestamp_delta)) {
    return Fail(std::string("timestamp delta: ") + error);
  }
  int32_t offset_delta = 0;
  if (const char* error = r.Varint(&offset_delta)) {
    return Fail(std::string("offset delta: ") + error);
  }
  std::string error = ReadNullableBytes(&r, "key", &out->key);
  if (error.empty()) error = ReadNullableBytes(&r, "value", &out->value);
  if (!error.empty()) return Fail(std::move(error));

  int32_t header_count = 0;
  if (const char* e = r.Varint(&header_count)) return Fail(std::string("header count: ") + e);
  if (header_count < 0 || static_cast<size_t>(header_count) > r.left() / kMinRecordHeaderBytes) {
    return Fail("header count " + std::to_string(header_count) + " does not fit in the " +
                std::to_string(r.left()) + " bytes left in the record");
  }
  out->headers.clear();
  for (int32_t i = 0; i < header_count; ++i) {
    int32_t key_length = 0;
    if (const char* e = r.Varint(&key_length)) {
      return Fail("header " + std::to_string(i) + " key length: " + e);
    }
    // Header keys are strings: never null.
    if (key_length < 0 || static_cast<size_t>(key_length) > r.left()) {
      return Fail("header " + std::to_string(i) + " key length " + std::to_string(key_length) +
                  " is negative or exceeds the " + std::to_string(r.left()) +
                  " bytes left in the record");
    }
    RecordHeader& h = out->headers.emplace_back();
    h.key = AsStringView(r.Take(static_cast<size_t>(key_length)));
    error = ReadNullableBytes(&r, "header value", &h.value);
    if (!error.empty()) return Fail("header " + std::to_string(i) + ": " + error);
  }
  if (r.left() != 0) {
    return Fail("record length " + std::to_string(length) + " leaves " + std::to_string(r.left()) +
                " bytes after the record's fields");
  }
  out->offset = WrappingAdd(header_.base_offset, offset_delta);
  // With LogAppendTime the broker's append time, kept as max_timestamp, stands for
  // every record (Kafka's DefaultRecordBatch does the same).
  out->timestamp = header_.uses_log_append_time()
                       ? header_.max_timestamp
                       : WrappingAdd(header_.base_timestamp, timestamp_delta);
  --records_left_;
  ++records_read_;
  return true;
}

}  // namespace eddy::log
