#include "src/log/record_batch.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <new>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "src/base/crc32c.h"
#include "src/log/compression.h"
#include "src/log/log_error.h"
#include "src/log/record_batch_builder.h"
#include "tests/util/temp_dir.h"

// Counts heap allocations, so that a test can prove the decode path makes none.
namespace {
std::atomic<int64_t> g_allocations{0};
// Out of line so that the compiler does not pair the inlined malloc and free and warn.
[[gnu::noinline]] void FreeCounted(void* p) noexcept { std::free(p); }
}  // namespace

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept { FreeCounted(p); }
void operator delete(void* p, size_t) noexcept { FreeCounted(p); }

namespace eddy::log {
namespace {

constexpr CompressionCodec kAllCodecs[] = {CompressionCodec::kNone, CompressionCodec::kGzip,
                                           CompressionCodec::kSnappy, CompressionCodec::kLz4,
                                           CompressionCodec::kZstd};
constexpr CompressionCodec kRealCodecs[] = {CompressionCodec::kGzip, CompressionCodec::kSnappy,
                                            CompressionCodec::kLz4, CompressionCodec::kZstd};

// ---- test records and their one-line form ---------------------------------------------

struct TestRecord {
  int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

std::optional<ByteSpan> Span(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return AsBytes(*s);
}

void AddTo(RecordBatchBuilder* builder, const TestRecord& r) {
  std::vector<RecordHeader> headers;
  for (const auto& [k, v] : r.headers) headers.push_back({k, Span(v)});
  builder->Add(r.timestamp, Span(r.key), Span(r.value), headers);
}

// "x" + hex for bytes, "-" for null: the form testdata/kafka_python_batches.py uses.
std::string Token(std::optional<ByteSpan> b) {
  if (!b) return "-";
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "x";
  for (uint8_t c : *b) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string RecordLine(int64_t offset, int64_t timestamp, std::optional<ByteSpan> key,
                       std::optional<ByteSpan> value,
                       const std::vector<std::pair<ByteSpan, std::optional<ByteSpan>>>& headers) {
  std::string line = "record " + std::to_string(offset) + " " + std::to_string(timestamp) + " " +
                     Token(key) + " " + Token(value) + " " + std::to_string(headers.size());
  for (const auto& [k, v] : headers) line += " " + Token(k) + " " + Token(v);
  return line;
}

std::string ExpectedLine(int64_t offset, int64_t timestamp, const TestRecord& r) {
  std::vector<std::pair<ByteSpan, std::optional<ByteSpan>>> headers;
  for (const auto& [k, v] : r.headers) headers.emplace_back(AsBytes(k), Span(v));
  return RecordLine(offset, timestamp, Span(r.key), Span(r.value), headers);
}

std::string DecodedLine(const Record& r) {
  std::vector<std::pair<ByteSpan, std::optional<ByteSpan>>> headers;
  for (const RecordHeader& h : r.headers) headers.emplace_back(AsBytes(h.key), h.value);
  return RecordLine(r.offset, r.timestamp, r.key, r.value, headers);
}

// Reads every record of "batch" with a fresh reader; fails the test on any error.
std::vector<std::string> DecodeAll(ByteSpan batch) {
  RecordReader reader;
  Status s = reader.Reset(batch);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::vector<std::string> lines;
  Record record;
  while (reader.Next(&record)) lines.push_back(DecodedLine(record));
  EXPECT_TRUE(reader.status().ok()) << reader.status().ToString();
  return lines;
}

// Records with every shape the format allows: null and empty keys and values, binary
// bytes, headers with null and empty values, timestamps out of order. Compressible, and
// over 64 KiB in all, so that lz4 and snappy write several blocks.
std::vector<TestRecord> VariedRecords(int n, int64_t first_timestamp = 1'700'000'000'000) {
  std::vector<TestRecord> records;
  for (int i = 0; i < n; ++i) {
    TestRecord r;
    r.timestamp = first_timestamp + i * 10 - (i % 4 == 3 ? 25 : 0);
    if (i % 7 != 3) r.key = "user-" + std::to_string(i % 13);
    if (i % 11 != 5) {
      std::string v = "{\"event\":\"click\",\"seq\":" + std::to_string(i) + ",\"page\":\"/home\"}";
      for (int j = 0; j < i % 40; ++j) v += " padding";
      r.value = v;
    }
    if (i % 3 == 1) {
      r.headers.emplace_back("trace-id", "t-" + std::to_string(i));
      r.headers.emplace_back("empty", std::string());
      r.headers.emplace_back("absent", std::nullopt);
    }
    records.push_back(std::move(r));
  }
  if (n > 2) {
    records[1].key = std::string();
    records[1].value = std::string();
    std::string binary;
    for (int c = 0; c < 256; ++c) binary += static_cast<char>(c);
    records[2].value = binary;
    records[2].key = std::string("\0\xff", 2);
  }
  return records;
}

int64_t MaxTimestamp(const std::vector<TestRecord>& records) {
  int64_t m = records.front().timestamp;
  for (const auto& r : records) m = std::max(m, r.timestamp);
  return m;
}

std::vector<uint8_t> BuildBatch(const std::vector<TestRecord>& records, BatchOptions options) {
  RecordBatchBuilder builder(options);
  for (const auto& r : records) AddTo(&builder, r);
  Result<std::vector<uint8_t>> batch = builder.Build();
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? std::move(batch).value() : std::vector<uint8_t>{};
}

// A batch written field by field from record_batch_format.h, without the builder, so that
// tests can put any bytes in the records section.
std::vector<uint8_t> RawBatch(ByteSpan records_section, int32_t record_count,
                              int16_t attributes = 0, int64_t base_offset = 0) {
  std::vector<uint8_t> b(kBatchHeaderSize + records_section.size(), 0);
  StoreI64(b.data() + kBaseOffsetPos, base_offset);
  StoreI32(b.data() + kBatchLengthPos, static_cast<int32_t>(b.size() - kBatchLengthOverhead));
  b[kMagicPos] = kMagicV2;
  StoreI16(b.data() + kAttributesPos, attributes);
  StoreI32(b.data() + kLastOffsetDeltaPos, record_count > 0 ? record_count - 1 : 0);
  StoreI64(b.data() + kBaseTimestampPos, 1000);
  StoreI64(b.data() + kMaxTimestampPos, 2000);
  StoreI64(b.data() + kProducerIdPos, -1);
  StoreI16(b.data() + kProducerEpochPos, -1);
  StoreI32(b.data() + kBaseSequencePos, -1);
  StoreI32(b.data() + kRecordCountPos, record_count);
  std::copy(records_section.begin(), records_section.end(), b.begin() + kRecordsPos);
  StoreI32(b.data() + kCrcPos,
           static_cast<int32_t>(Crc32c(ByteSpan(b).subspan(kCrcCoverageStart))));
  return b;
}

// One record's bytes, written by hand ("body" is everything after the length varint).
std::vector<uint8_t> RawRecord(const std::vector<uint8_t>& body) {
  ByteWriter w;
  w.WriteVarint(static_cast<int32_t>(body.size()));
  w.WriteBytes(ByteSpan(body));
  return w.Release();
}

std::vector<uint8_t> RecordBody(int32_t offset_delta, int32_t key_length, std::string_view key,
                                int32_t value_length, std::string_view value,
                                int32_t header_count = 0) {
  ByteWriter w;
  w.WriteI8(0);
  w.WriteVarlong(5);
  w.WriteVarint(offset_delta);
  w.WriteVarint(key_length);
  w.WriteBytes(key);
  w.WriteVarint(value_length);
  w.WriteBytes(value);
  w.WriteVarint(header_count);
  return w.Release();
}

// Reads to the end (into "*record", if given); returns the number of records read and
// leaves the status in "*status".
int ReadAll(RecordReader* reader, Status* status, Record* record = nullptr) {
  Record local;
  if (record == nullptr) record = &local;
  int n = 0;
  while (reader->Next(record)) ++n;
  *status = reader->status();
  return n;
}

// ---- builder -> ValidateBatch -> RecordReader ------------------------------------------

class RecordBatchCodecTest : public ::testing::TestWithParam<CompressionCodec> {};
class CompressedBatchTest : public ::testing::TestWithParam<CompressionCodec> {};

TEST_P(RecordBatchCodecTest, BuilderOutputValidatesAndReadsBackEveryRecord) {
  std::vector<TestRecord> records = VariedRecords(300);
  BatchOptions options;
  options.codec = GetParam();
  options.producer_id = 77;
  options.producer_epoch = 3;
  options.base_sequence = 1000;
  std::vector<uint8_t> batch = BuildBatch(records, options);
  SetBaseOffset(batch, 5000);

  ASSERT_TRUE(ValidateBatch(batch).ok()) << ValidateBatch(batch).ToString();
  Result<BatchHeader> h = ParseBatchHeader(batch);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->base_offset, 5000);
  EXPECT_EQ(h->total_size(), batch.size());
  EXPECT_EQ(h->magic, kMagicV2);
  EXPECT_EQ(h->codec(), GetParam());
  EXPECT_EQ(h->record_count, 300);
  EXPECT_EQ(h->last_offset_delta, 299);
  EXPECT_EQ(h->last_offset(), 5299);
  EXPECT_EQ(h->base_timestamp, records.front().timestamp);
  EXPECT_EQ(h->max_timestamp, MaxTimestamp(records));
  EXPECT_EQ(h->producer_id, 77);
  EXPECT_EQ(h->producer_epoch, 3);
  EXPECT_EQ(h->base_sequence, 1000);
  EXPECT_EQ(h->last_sequence(), 1299);
  EXPECT_FALSE(h->is_transactional());
  EXPECT_FALSE(h->is_control());
  EXPECT_FALSE(h->uses_log_append_time());
  if (GetParam() != CompressionCodec::kNone) {
    RecordBatchBuilder plain;
    for (const auto& r : records) AddTo(&plain, r);
    EXPECT_LT(batch.size(), kBatchHeaderSize + plain.records_bytes()) << "not compressed";
  }

  std::vector<std::string> expected;
  for (size_t i = 0; i < records.size(); ++i) {
    expected.push_back(
        ExpectedLine(5000 + static_cast<int64_t>(i), records[i].timestamp, records[i]));
  }
  EXPECT_EQ(DecodeAll(batch), expected);
}

TEST_P(RecordBatchCodecTest, ReadingABatchAllocatesNothingOnceWarm) {
  std::vector<uint8_t> a = BuildBatch(VariedRecords(200), {.codec = GetParam()});
  std::vector<uint8_t> b = BuildBatch(VariedRecords(200, 7), {.codec = GetParam()});
  RecordReader reader;
  Record record;
  Status status;
  // The first batch sizes the decompression buffer and the headers vector.
  ASSERT_TRUE(reader.Reset(a).ok());
  ASSERT_EQ(ReadAll(&reader, &status, &record), 200);
  int64_t before = g_allocations.load();
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(reader.Reset(round % 2 == 0 ? b : a).ok());
    ASSERT_EQ(ReadAll(&reader, &status, &record), 200);
  }
  EXPECT_EQ(g_allocations.load() - before, 0)
      << "allocations while decoding " << CodecName(GetParam()) << " batches";
  EXPECT_TRUE(status.ok());
}

TEST_P(RecordBatchCodecTest, LogAppendTimeGivesEveryRecordTheMaxTimestamp) {
  std::vector<TestRecord> records = VariedRecords(20);
  BatchOptions options;
  options.codec = GetParam();
  options.log_append_time = true;
  options.transactional = true;
  std::vector<uint8_t> batch = BuildBatch(records, options);
  Result<BatchHeader> h = ParseBatchHeader(batch);
  ASSERT_TRUE(h.ok());
  EXPECT_TRUE(h->uses_log_append_time());
  EXPECT_TRUE(h->is_transactional());
  RecordReader reader;
  ASSERT_TRUE(reader.Reset(batch).ok());
  Record record;
  int n = 0;
  while (reader.Next(&record)) {
    EXPECT_EQ(record.timestamp, MaxTimestamp(records));
    ++n;
  }
  EXPECT_TRUE(reader.status().ok()) << reader.status().ToString();
  EXPECT_EQ(n, 20);
}

TEST_P(RecordBatchCodecTest, EmptyBatchIsValidAndHasNoRecords) {
  BatchOptions options;
  options.codec = GetParam();
  RecordBatchBuilder builder(options);
  Result<std::vector<uint8_t>> batch = builder.Build();
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(ValidateBatch(*batch).ok());
  Result<BatchHeader> h = ParseBatchHeader(*batch);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->record_count, 0);
  EXPECT_EQ(h->base_timestamp, -1);
  EXPECT_TRUE(DecodeAll(*batch).empty());
}

TEST_P(CompressedBatchTest, CorruptCompressedSectionFailsReset) {
  std::vector<uint8_t> batch = BuildBatch(VariedRecords(50), {.codec = GetParam()});
  // Overwrite the start of the compressed section (magic, framing) with garbage.
  for (size_t i = kRecordsPos; i < kRecordsPos + 12; ++i) batch[i] = 0xee;
  RecordReader reader;
  Status s = reader.Reset(batch);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_FALSE(reader.status().ok());
  Record record;
  EXPECT_FALSE(reader.Next(&record));
}

TEST_P(CompressedBatchTest, ReaderBoundsDecompressedSize) {
  RecordBatchBuilder builder({.codec = GetParam()});
  std::string big(100 * 1024, 'a');
  builder.Add(1, "k", big);
  Result<std::vector<uint8_t>> batch = builder.Build();
  ASSERT_TRUE(batch.ok());
  RecordReader reader(/*max_decompressed_bytes=*/64 * 1024);
  EXPECT_EQ(reader.Reset(*batch).code(), StatusCode::kResourceExhausted);
  RecordReader roomy(/*max_decompressed_bytes=*/1 << 20);
  EXPECT_TRUE(roomy.Reset(*batch).ok());
}

TEST_P(RecordBatchCodecTest, RandomMutationsNeverCrashTheReader) {
  std::vector<uint8_t> good = BuildBatch(VariedRecords(40), {.codec = GetParam()});
  std::mt19937 rng(1234);
  RecordReader reader(1 << 20);
  Record record;
  for (int iter = 0; iter < 1500; ++iter) {
    std::vector<uint8_t> bad = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      // Mostly inside the records section, where the reader's own checks matter.
      size_t pos =
          rng() % 8 == 0 ? rng() % bad.size() : kRecordsPos + rng() % (bad.size() - kRecordsPos);
      bad[pos] = static_cast<uint8_t>(rng());
    }
    // Only base_offset and partition_leader_epoch lie outside the CRC.
    bool covered_change =
        !std::equal(bad.begin() + kBatchLengthPos, bad.begin() + kPartitionLeaderEpochPos,
                    good.begin() + kBatchLengthPos) ||
        !std::equal(bad.begin() + kMagicPos, bad.end(), good.begin() + kMagicPos);
    if (covered_change) {
      EXPECT_FALSE(ValidateBatch(bad).ok()) << "iteration " << iter;
    }
    if (reader.Reset(bad).ok()) {
      size_t n = 0;
      while (reader.Next(&record)) {
        // Every record takes at least 7 bytes of the (at most 1 MiB) records section.
        ASSERT_LE(++n, (size_t{1} << 20) / 7);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, RecordBatchCodecTest, ::testing::ValuesIn(kAllCodecs),
                         [](const auto& info) { return std::string(CodecName(info.param)); });
INSTANTIATE_TEST_SUITE_P(RealCodecs, CompressedBatchTest, ::testing::ValuesIn(kRealCodecs),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(RecordBatchBuilderTest, ClearStartsAFreshBatch) {
  RecordBatchBuilder builder;
  builder.Add(100, "a", "1");
  builder.Add(200, "b", "2");
  builder.Clear();
  EXPECT_EQ(builder.record_count(), 0);
  EXPECT_EQ(builder.records_bytes(), 0u);
  builder.Add(5000, "c", "3");
  Result<std::vector<uint8_t>> batch = builder.Build();
  ASSERT_TRUE(batch.ok());
  Result<BatchHeader> h = ParseBatchHeader(*batch);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->record_count, 1);
  EXPECT_EQ(h->base_timestamp, 5000);
  EXPECT_EQ(h->max_timestamp, 5000);
  TestRecord c{5000, "c", "3", {}};
  EXPECT_EQ(DecodeAll(*batch), std::vector<std::string>{ExpectedLine(0, 5000, c)});
}

TEST(RecordBatchBuilderTest, WritesTheRecordLayoutByteForByte) {
  RecordBatchBuilder builder;
  builder.Add(1000, AsBytes("k"), std::nullopt, {{"h", AsBytes("v")}});
  builder.Add(990, std::nullopt, AsBytes("vv"));
  Result<std::vector<uint8_t>> batch = builder.Build();
  ASSERT_TRUE(batch.ok());
  // Zig-zag varints: 1 -> 2, -1 -> 1, -10 -> 19, 2 -> 4.
  const std::vector<uint8_t> expected_records = {
      // length 11, attributes, ts delta 0, offset delta 0, key "k", value null, 1 header
      22, 0, 0, 0, 2, 'k', 1, 2, 2, 'h', 2, 'v',
      // length 8, attributes, ts delta -10, offset delta 1, key null, value "vv", 0 headers
      16, 0, 19, 2, 1, 4, 'v', 'v', 0};
  ASSERT_EQ(batch->size(), kBatchHeaderSize + expected_records.size());
  EXPECT_EQ(std::vector<uint8_t>(batch->begin() + kRecordsPos, batch->end()), expected_records);
  EXPECT_EQ(LoadI32(batch->data() + kPartitionLeaderEpochPos), -1);
  EXPECT_EQ(LoadI64(batch->data() + kBaseTimestampPos), 1000);
  EXPECT_EQ(LoadI64(batch->data() + kMaxTimestampPos), 1000);
  EXPECT_EQ(static_cast<uint32_t>(LoadI32(batch->data() + kCrcPos)),
            Crc32c(ByteSpan(*batch).subspan(kCrcCoverageStart)));
}

// ---- header parsing and validation ------------------------------------------------------

TEST(BatchHeaderTest, LastSequenceWrapsPastInt32MaxLikeKafka) {
  BatchHeader h;
  h.base_sequence = 5;
  h.last_offset_delta = 3;
  EXPECT_EQ(h.last_sequence(), 8);
  h.base_sequence = INT32_MAX;
  h.last_offset_delta = 0;
  EXPECT_EQ(h.last_sequence(), INT32_MAX);
  h.last_offset_delta = 1;
  EXPECT_EQ(h.last_sequence(), 0);
  h.base_sequence = INT32_MAX - 1;
  h.last_offset_delta = 5;
  EXPECT_EQ(h.last_sequence(), 3);
  h.base_sequence = kNoSequence;
  EXPECT_EQ(h.last_sequence(), kNoSequence);
}

std::vector<uint8_t> SmallBatch() {
  RecordBatchBuilder builder;
  builder.Add(1, "key", "value");
  builder.Add(2, "key2", "value2");
  return std::move(builder.Build()).value();
}

void ExpectCorruptBatch(const Status& s, std::string_view words) {
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_EQ(s.detail(), static_cast<int>(LogError::kCorruptBatch)) << s.ToString();
  EXPECT_NE(s.message().find(words), std::string::npos)
      << "\"" << s.message() << "\" does not mention \"" << words << "\"";
}

TEST(BatchHeaderTest, MalformedHeadersAreCorruptionNamingTheField) {
  std::vector<uint8_t> good = SmallBatch();
  ExpectCorruptBatch(ParseBatchHeader(ByteSpan(good).first(60)).status(), "needs 61 bytes");

  std::vector<uint8_t> b = good;
  b[kMagicPos] = 1;
  ExpectCorruptBatch(ParseBatchHeader(b).status(), "magic: expected 2, found 1");
  b = good;
  StoreI32(b.data() + kBatchLengthPos, 48);
  ExpectCorruptBatch(ParseBatchHeader(b).status(), "batch_length: expected at least 49, found 48");
  b = good;
  StoreI32(b.data() + kRecordCountPos, -1);
  ExpectCorruptBatch(ParseBatchHeader(b).status(), "record_count");
  b = good;
  StoreI32(b.data() + kLastOffsetDeltaPos, -2);
  ExpectCorruptBatch(ParseBatchHeader(b).status(), "last_offset_delta");
  b = good;
  StoreI16(b.data() + kAttributesPos, 5);
  ExpectCorruptBatch(ParseBatchHeader(b).status(), "compression codec expected 0-4, found 5");
}

TEST(ValidateBatchTest, AnyFlippedBitUnderTheCrcIsDetected) {
  std::vector<uint8_t> good = SmallBatch();
  ASSERT_TRUE(ValidateBatch(good).ok());
  for (size_t pos = kCrcCoverageStart; pos < good.size(); ++pos) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> b = good;
      b[pos] ^= static_cast<uint8_t>(1 << bit);
      Status s = ValidateBatch(b);
      ASSERT_FALSE(s.ok()) << "flip at byte " << pos << " bit " << bit;
      EXPECT_EQ(s.code(), StatusCode::kCorruption);
    }
  }
  std::vector<uint8_t> b = good;
  b.back() ^= 0x01;
  Status s = ValidateBatch(b);
  uint32_t stored = static_cast<uint32_t>(LoadI32(good.data() + kCrcPos));
  char stored_hex[16];
  std::snprintf(stored_hex, sizeof(stored_hex), "0x%08x", stored);
  ExpectCorruptBatch(s, std::string("batch CRC mismatch: stored ") + stored_hex + ", computed 0x");
}

TEST(ValidateBatchTest, FieldsOutsideTheCrcMayChange) {
  std::vector<uint8_t> b = SmallBatch();
  SetBaseOffset(b, 123456789);
  StoreI32(b.data() + kPartitionLeaderEpochPos, 42);
  EXPECT_TRUE(ValidateBatch(b).ok());
  EXPECT_EQ(ParseBatchHeader(b)->base_offset, 123456789);
  EXPECT_EQ(ParseBatchHeader(b)->partition_leader_epoch, 42);
  // The stored CRC itself is checked.
  b[kCrcPos] ^= 0x10;
  ExpectCorruptBatch(ValidateBatch(b), "CRC mismatch");
}

TEST(ValidateBatchTest, TruncatedOrOverlongBatchIsRejected) {
  std::vector<uint8_t> good = SmallBatch();
  for (size_t cut = 0; cut < good.size(); ++cut) {
    EXPECT_FALSE(ValidateBatch(ByteSpan(good).first(cut)).ok()) << "cut at " << cut;
  }
  ExpectCorruptBatch(ValidateBatch(ByteSpan(good).first(good.size() - 1)),
                     "expects " + std::to_string(good.size()) + " bytes, found " +
                         std::to_string(good.size() - 1));
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  ExpectCorruptBatch(ValidateBatch(longer), "batch_length");

  RecordReader reader;
  ExpectCorruptBatch(reader.Reset(ByteSpan(good).first(good.size() - 1)), "batch truncated");
}

// ---- BatchIterator ------------------------------------------------------------------------

std::vector<uint8_t> ThreeBatches(std::vector<size_t>* sizes) {
  std::vector<uint8_t> all;
  for (int i = 0; i < 3; ++i) {
    std::vector<uint8_t> b = BuildBatch(VariedRecords(5 + i), {});
    SetBaseOffset(b, 100 * i);
    sizes->push_back(b.size());
    all.insert(all.end(), b.begin(), b.end());
  }
  return all;
}

TEST(BatchIteratorTest, SplitsConcatenatedBatches) {
  std::vector<size_t> sizes;
  std::vector<uint8_t> all = ThreeBatches(&sizes);
  BatchIterator it(all);
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    Result<ByteSpan> b = it.Next();
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    EXPECT_EQ(b->data(), all.data() + pos);
    EXPECT_EQ(b->size(), sizes[i]);
    EXPECT_TRUE(ValidateBatch(*b).ok());
    EXPECT_EQ(ParseBatchHeader(*b)->base_offset, 100 * i);
    pos += sizes[i];
    EXPECT_EQ(it.position(), pos);
  }
  Result<ByteSpan> end = it.Next();
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->empty());
  EXPECT_EQ(it.position(), all.size());

  BatchIterator none(ByteSpan{});
  EXPECT_TRUE(none.Next()->empty());
}

TEST(BatchIteratorTest, StopsBeforeAPartialTrailingBatch) {
  std::vector<size_t> sizes;
  std::vector<uint8_t> all = ThreeBatches(&sizes);
  size_t two = sizes[0] + sizes[1];
  // Every cut inside the third batch: two batches, then the end.
  for (size_t cut = two; cut < all.size(); ++cut) {
    BatchIterator it(ByteSpan(all).first(cut));
    ASSERT_FALSE(it.Next()->empty());
    ASSERT_FALSE(it.Next()->empty());
    Result<ByteSpan> third = it.Next();
    ASSERT_TRUE(third.ok()) << "cut " << cut << ": " << third.status().ToString();
    EXPECT_TRUE(third->empty()) << "cut " << cut;
    EXPECT_EQ(it.position(), two);
  }
}

TEST(BatchIteratorTest, ReportsAMalformedHeaderAndStaysFailed) {
  std::vector<size_t> sizes;
  std::vector<uint8_t> all = ThreeBatches(&sizes);
  std::vector<uint8_t> bad = all;
  StoreI32(bad.data() + sizes[0] + kBatchLengthPos, 10);  // second batch: length too small
  BatchIterator it(bad);
  ASSERT_TRUE(it.Next().ok());
  Result<ByteSpan> second = it.Next();
  ExpectCorruptBatch(second.status(),
                     "batch at byte " + std::to_string(sizes[0]) + ": batch_length");
  EXPECT_FALSE(it.Next().ok()) << "the error must be sticky";
  EXPECT_EQ(it.position(), sizes[0]);

  bad = all;
  bad[sizes[0] + kMagicPos] = 7;
  BatchIterator magic(ByteSpan(bad).first(sizes[0] + 20));  // a partial batch, bad magic
  ASSERT_TRUE(magic.Next().ok());
  ExpectCorruptBatch(magic.Next().status(), "magic: expected 2, found 7");

  bad = all;
  StoreI32(bad.data() + sizes[0] + kRecordCountPos, -5);
  BatchIterator count(bad);
  ASSERT_TRUE(count.Next().ok());
  ExpectCorruptBatch(count.Next().status(), "record_count");
}

// ---- RecordReader on malformed records ---------------------------------------------------

Status ReadRaw(const std::vector<uint8_t>& section, int32_t count, int* records_read) {
  std::vector<uint8_t> batch = RawBatch(section, count);
  RecordReader reader;
  Status s = reader.Reset(batch);
  if (!s.ok()) return s;
  Status end;
  *records_read = ReadAll(&reader, &end);
  return end;
}

TEST(RecordReaderTest, ReadsAHandWrittenRecord) {
  std::vector<uint8_t> section = RawRecord(RecordBody(0, 3, "abc", -1, ""));
  std::vector<uint8_t> batch = RawBatch(section, 1, 0, 42);
  RecordReader reader;
  ASSERT_TRUE(reader.Reset(batch).ok());
  Record r;
  ASSERT_TRUE(reader.Next(&r));
  EXPECT_EQ(r.offset, 42);
  EXPECT_EQ(r.timestamp, 1005);  // base 1000 + delta 5
  ASSERT_TRUE(r.key.has_value());
  EXPECT_EQ(AsStringView(*r.key), "abc");
  EXPECT_FALSE(r.value.has_value());
  EXPECT_TRUE(r.headers.empty());
  EXPECT_FALSE(reader.Next(&r));
  EXPECT_TRUE(reader.status().ok());
}

TEST(RecordReaderTest, LengthsPastTheEndAreCorruptionNotAllocation) {
  int n = 0;
  struct Case {
    std::vector<uint8_t> section;
    std::string_view words;
  };
  std::vector<Case> cases = {
      {RawRecord(RecordBody(0, INT32_MAX, "", 0, "")), "key length 2147483647 exceeds"},
      {RawRecord(RecordBody(0, 1, "k", 1 << 30, "")), "value length 1073741824 exceeds"},
      {RawRecord(RecordBody(0, -7, "", 0, "")), "key length -7"},
      {RawRecord(RecordBody(0, 0, "", 0, "", INT32_MAX)), "header count 2147483647"},
      {RawRecord(RecordBody(0, 0, "", 0, "", -1)), "header count -1"},
  };
  // A record length past the section.
  ByteWriter past_end;
  past_end.WriteVarint(1 << 20);
  past_end.WriteBytes(RecordBody(0, 0, "", 0, ""));
  cases.push_back({past_end.Release(), "record length 1048576 exceeds"});
  // A record length of -3.
  ByteWriter negative;
  negative.WriteVarint(-3);
  cases.push_back({negative.Release(), "record length -3"});
  // A header key of negative length.
  std::vector<uint8_t> body = RecordBody(0, 0, "", 0, "", 1);
  ByteWriter hw;
  hw.WriteVarint(-1);
  hw.WriteVarint(-1);
  body.insert(body.end(), hw.buffer().begin(), hw.buffer().end());
  cases.push_back({RawRecord(body), "header 0 key length -1"});
  // A varint that never ends.
  cases.push_back({std::vector<uint8_t>(12, 0xff), "varint longer than 5 bytes"});

  for (const Case& c : cases) {
    Status s = ReadRaw(c.section, 1, &n);
    EXPECT_EQ(n, 0);
    ExpectCorruptBatch(s, c.words);
  }
}

TEST(RecordReaderTest, RecordLengthMustMatchItsFields) {
  std::vector<uint8_t> body = RecordBody(0, 1, "k", 1, "v");
  body.push_back(0x00);  // one byte the fields do not account for
  int n = 0;
  ExpectCorruptBatch(ReadRaw(RawRecord(body), 1, &n), "leaves 1 bytes after");
}

TEST(RecordReaderTest, FewerOrMoreRecordsThanTheHeaderSaysFail) {
  std::vector<uint8_t> section = RawRecord(RecordBody(0, 1, "a", 1, "1"));
  std::vector<uint8_t> second = RawRecord(RecordBody(1, 1, "b", 1, "2"));
  section.insert(section.end(), second.begin(), second.end());

  int n = 0;
  EXPECT_TRUE(ReadRaw(section, 2, &n).ok());
  EXPECT_EQ(n, 2);
  ExpectCorruptBatch(ReadRaw(section, 3, &n), "ends after 2 of 3 records");
  EXPECT_EQ(n, 2);
  ExpectCorruptBatch(ReadRaw(section, 1, &n), "bytes left after the last of 1 records");
  EXPECT_EQ(n, 1);
}

TEST(RecordReaderTest, EveryTruncationOfTheRecordsEndsWithAnError) {
  std::vector<uint8_t> full = BuildBatch(VariedRecords(12), {});
  Result<BatchHeader> h = ParseBatchHeader(full);
  ASSERT_TRUE(h.ok());
  for (size_t cut = kRecordsPos; cut < full.size(); ++cut) {
    std::vector<uint8_t> b(full.begin(), full.begin() + static_cast<ptrdiff_t>(cut));
    StoreI32(b.data() + kBatchLengthPos, static_cast<int32_t>(cut - kBatchLengthOverhead));
    RecordReader reader;
    ASSERT_TRUE(reader.Reset(b).ok());
    Status s;
    int n = ReadAll(&reader, &s);
    EXPECT_LT(n, 12);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << "cut " << cut;
  }
}

TEST(RecordReaderTest, EmptyBatchIgnoresItsRecordsSectionAsKafkaDoes) {
  std::vector<uint8_t> garbage = {1, 2, 3, 4, 5};
  std::vector<uint8_t> batch = RawBatch(garbage, 0, static_cast<int16_t>(CompressionCodec::kZstd));
  EXPECT_TRUE(ValidateBatch(batch).ok());
  EXPECT_TRUE(DecodeAll(batch).empty());
}

TEST(RecordReaderTest, ReusesItsBuffersAcrossBatches) {
  std::vector<uint8_t> a = BuildBatch(VariedRecords(30), {.codec = CompressionCodec::kLz4});
  std::vector<uint8_t> b = BuildBatch(VariedRecords(30, 5), {.codec = CompressionCodec::kLz4});
  RecordReader reader;
  Record record;
  ASSERT_TRUE(reader.Reset(a).ok());
  ASSERT_TRUE(reader.Next(&record));
  const uint8_t* first_value = record.value->data();
  while (reader.Next(&record)) {
  }
  size_t headers_capacity = record.headers.capacity();
  const RecordHeader* headers_data = record.headers.data();
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(reader.Reset(round % 2 == 0 ? b : a).ok());
    ASSERT_TRUE(reader.Next(&record));
    EXPECT_EQ(record.value->data(), first_value) << "decompression buffer was reallocated";
    while (reader.Next(&record)) {
    }
    EXPECT_TRUE(reader.status().ok());
    EXPECT_EQ(record.headers.capacity(), headers_capacity);
    EXPECT_EQ(record.headers.data(), headers_data) << "headers vector was reallocated";
  }
}

TEST(RecordReaderTest, ResetClearsAnEarlierError) {
  RecordReader reader;
  EXPECT_FALSE(reader.Reset(ByteSpan{}).ok());
  EXPECT_FALSE(reader.status().ok());
  std::vector<uint8_t> good = SmallBatch();
  ASSERT_TRUE(reader.Reset(good).ok());
  Status s;
  EXPECT_EQ(ReadAll(&reader, &s), 2);
  EXPECT_TRUE(s.ok());
}

TEST(RecordReaderTest, OffsetAndTimestampArithmeticWrapsInsteadOfOverflowing) {
  std::vector<uint8_t> section = RawRecord(RecordBody(INT32_MAX, 0, "", 0, ""));
  std::vector<uint8_t> batch = RawBatch(section, 1, 0, INT64_MAX);
  StoreI64(batch.data() + kBaseTimestampPos, INT64_MAX);
  RecordReader reader;
  ASSERT_TRUE(reader.Reset(batch).ok());
  Record r;
  ASSERT_TRUE(reader.Next(&r));  // UBSan would flag a signed overflow here
  EXPECT_EQ(r.offset, static_cast<int64_t>(static_cast<uint64_t>(INT64_MAX) + INT32_MAX));
}

// ---- kafka-python, an independent implementation ------------------------------------------

const char* const kPython = "/usr/bin/python3";
const std::string kScript = std::string(EDDY_RECORDS_TESTDATA_DIR) + "/kafka_python_batches.py";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  ASSERT_TRUE(out.good()) << path;
}

// Runs the script with "args"; returns its stdout, or fails the test (a missing python,
// module or codec library is a failure, never a skip).
std::optional<std::string> RunKafkaPython(const testing::TempDir& dir, const std::string& args) {
  std::string out = dir.Sub("stdout");
  std::string err = dir.Sub("stderr");
  std::string cmd =
      std::string(kPython) + " '" + kScript + "' " + args + " > '" + out + "' 2> '" + err + "'";
  int rc = std::system(cmd.c_str());
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
    ADD_FAILURE() << "kafka-python script failed (" << cmd << "), exit " << rc << ":\n"
                  << ReadFile(err);
    return std::nullopt;
  }
  return ReadFile(out);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct InteropBatch {
  CompressionCodec codec;
  int64_t producer_id;
  int16_t producer_epoch;
  int32_t base_sequence;
  bool transactional;
};

constexpr InteropBatch kInteropBatches[] = {
    {CompressionCodec::kNone, -1, -1, -1, false},
    {CompressionCodec::kGzip, 4242, 3, 100, false},
    {CompressionCodec::kSnappy, 4242, 3, 400, false},
    {CompressionCodec::kLz4, 7, 0, INT32_MAX - 10, false},
    {CompressionCodec::kZstd, 99, 1, 0, true},
};

TEST(KafkaPythonInteropTest, EddyReadsBatchesKafkaPythonBuildsWithEveryCodec) {
  testing::TempDir dir;
  std::vector<TestRecord> records = VariedRecords(300);
  std::string spec;
  for (const InteropBatch& b : kInteropBatches) {
    spec += "batch " + std::to_string(static_cast<int>(b.codec)) + " " +
            std::to_string(b.producer_id) + " " + std::to_string(b.producer_epoch) + " " +
            std::to_string(b.base_sequence) + " " + (b.transactional ? "1" : "0") + "\n";
    for (const TestRecord& r : records) {
      // The spec's record line is the printed form without the offset.
      std::string line = ExpectedLine(0, r.timestamp, r);
      spec += "record " + line.substr(std::string("record 0 ").size()) + "\n";
    }
  }
  WriteFile(dir.Sub("spec"), spec);
  ASSERT_TRUE(RunKafkaPython(dir, "build '" + dir.Sub("spec") + "' '" + dir.Sub("batches") + "'"));
  std::string bytes = ReadFile(dir.Sub("batches"));

  std::vector<std::string> expected;
  for (size_t i = 0; i < records.size(); ++i) {
    expected.push_back(ExpectedLine(static_cast<int64_t>(i), records[i].timestamp, records[i]));
  }
  BatchIterator it(AsBytes(bytes));
  for (const InteropBatch& b : kInteropBatches) {
    SCOPED_TRACE(std::string(CodecName(b.codec)));
    Result<ByteSpan> batch = it.Next();
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_FALSE(batch->empty()) << "kafka-python wrote fewer batches than asked";
    EXPECT_TRUE(ValidateBatch(*batch).ok()) << ValidateBatch(*batch).ToString();
    Result<BatchHeader> h = ParseBatchHeader(*batch);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->codec(), b.codec) << "kafka-python did not compress as asked";
    EXPECT_EQ(h->record_count, 300);
    EXPECT_EQ(h->last_offset_delta, 299);
    EXPECT_EQ(h->base_timestamp, records.front().timestamp);
    EXPECT_EQ(h->max_timestamp, MaxTimestamp(records));
    EXPECT_EQ(h->producer_id, b.producer_id);
    EXPECT_EQ(h->producer_epoch, b.producer_epoch);
    EXPECT_EQ(h->base_sequence, b.base_sequence);
    EXPECT_EQ(h->is_transactional(), b.transactional);
    EXPECT_EQ(DecodeAll(*batch), expected);
  }
  Result<ByteSpan> end = it.Next();
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->empty());
  EXPECT_EQ(it.position(), bytes.size());
}

TEST(KafkaPythonInteropTest, KafkaPythonReadsBatchesEddyBuildsWithEveryCodec) {
  testing::TempDir dir;
  std::vector<TestRecord> records = VariedRecords(300, 1'600'000'000'000);
  std::string all;
  std::vector<std::string> expected;
  int64_t base_offset = 1000;
  auto add_batch = [&](const std::vector<TestRecord>& rs, const BatchOptions& options) {
    std::vector<uint8_t> batch = BuildBatch(rs, options);
    SetBaseOffset(batch, base_offset);
    all.append(reinterpret_cast<const char*>(batch.data()), batch.size());
    int64_t max_ts = rs.empty() ? -1 : MaxTimestamp(rs);
    int64_t first_ts = rs.empty() ? -1 : rs.front().timestamp;
    expected.push_back("batch base_offset=" + std::to_string(base_offset) +
                       " codec=" + std::to_string(static_cast<int>(options.codec)) +
                       " crc_valid=1" + " count=" + std::to_string(rs.size()) +
                       " last_offset_delta=" + std::to_string(rs.empty() ? 0 : rs.size() - 1) +
                       " first_timestamp=" + std::to_string(first_ts) +
                       " max_timestamp=" + std::to_string(max_ts) +
                       " timestamp_type=" + (options.log_append_time ? "1" : "0") +
                       " transactional=" + (options.transactional ? "1" : "0") +
                       " producer_id=" + std::to_string(options.producer_id) +
                       " producer_epoch=" + std::to_string(options.producer_epoch) +
                       " base_sequence=" + std::to_string(options.base_sequence));
    for (size_t i = 0; i < rs.size(); ++i) {
      int64_t ts = options.log_append_time ? max_ts : rs[i].timestamp;
      expected.push_back(ExpectedLine(base_offset + static_cast<int64_t>(i), ts, rs[i]));
    }
    base_offset += 1000;
  };
  for (const InteropBatch& b : kInteropBatches) {
    add_batch(records, {.codec = b.codec,
                        .producer_id = b.producer_id,
                        .producer_epoch = b.producer_epoch,
                        .base_sequence = b.base_sequence,
                        .transactional = b.transactional});
  }
  for (CompressionCodec codec : kAllCodecs) {
    add_batch(VariedRecords(3), {.codec = codec, .log_append_time = true});
    add_batch({}, {.codec = codec});
  }
  WriteFile(dir.Sub("batches"), all);
  std::optional<std::string> printed = RunKafkaPython(dir, "read '" + dir.Sub("batches") + "'");
  ASSERT_TRUE(printed);
  std::vector<std::string> lines = Lines(*printed);
  ASSERT_EQ(lines.size(), expected.size());
  for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i], expected[i]) << "line " << i;
}

}  // namespace
}  // namespace eddy::log
