// libFuzzer target for the Kafka record batch parsers: ValidateBatch, BatchIterator,
// RecordReader (with decompression of every codec) and Decompress, fed arbitrary bytes.
//
// Each input is used three ways:
//   1. as a run of batches, the way a segment file or a fetch response holds them;
//   2. as the records section of a batch whose header is made valid here (codec and
//      record count from the first bytes, correct lengths and CRC), so that the fuzzer
//      reaches the record decoder and the codecs without having to solve a CRC-32C;
//   3. as compressed input to Decompress.
// Records decoded without error are re-encoded with RecordBatchBuilder and decoded again;
// any difference aborts (a bug in one side or the other).
//
// Build and run with clang from the repository root (the command is one line):
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined
//     -fno-sanitize-recover=undefined -I.
//     tests/fuzz/record_batch_fuzz.cc src/log/record_batch.cc src/log/compression.cc
//     src/log/record_batch_builder.cc src/base/bytes.cc src/base/status.cc
//     src/base/crc32c.cc -lisal -llz4 -lzstd -lsnappy -lz -o /tmp/record_batch_fuzz
//   mkdir -p /tmp/record_batch_corpus
//   /tmp/record_batch_fuzz -max_len=65536 -rss_limit_mb=2048 -max_total_time=60
//     /tmp/record_batch_corpus

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "src/base/crc32c.h"
#include "src/log/compression.h"
#include "src/log/record_batch.h"
#include "src/log/record_batch_builder.h"

namespace eddy::log {
namespace {

// Well above what a 64 KiB input needs for its own records, small enough that a
// decompression bomb stays cheap.
constexpr size_t kMaxDecompressedBytes = size_t{4} << 20;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "record_batch_fuzz: %s\n", what);
  std::abort();
}

// Reads every byte a record points at, so that AddressSanitizer sees any view that
// reaches outside its buffer.
uint32_t Touch(const Record& r) {
  uint32_t sum = 0;
  auto add = [&sum](ByteSpan b) {
    for (uint8_t c : b) sum = sum * 31 + c;
  };
  if (r.key) add(*r.key);
  if (r.value) add(*r.value);
  for (const RecordHeader& h : r.headers) {
    add(AsBytes(h.key));
    if (h.value) add(*h.value);
  }
  return sum;
}

bool SameBytes(const std::optional<ByteSpan>& a, const std::optional<ByteSpan>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || AsStringView(*a) == AsStringView(*b);
}

// Decoded records, re-encoded by the builder, must decode to the same content.
void CheckRoundTrip(const BatchHeader& header, const std::vector<Record>& records) {
  if (header.uses_log_append_time()) return;  // the reader replaces timestamps
  static RecordBatchBuilder builder;
  builder.Clear();
  for (const Record& r : records) builder.Add(r.timestamp, r.key, r.value, r.headers);
  Result<std::vector<uint8_t>> batch = builder.Build();
  if (!batch.ok()) Die("the builder failed on records the reader accepted");
  if (!ValidateBatch(*batch).ok()) Die("the builder wrote a batch that does not validate");
  static RecordReader again(kMaxDecompressedBytes);
  if (!again.Reset(*batch).ok()) Die("a re-encoded batch does not reset");
  Record r;
  size_t i = 0;
  while (again.Next(&r)) {
    if (i >= records.size()) Die("the re-encoded batch has more records");
    const Record& want = records[i];
    if (r.timestamp != want.timestamp) Die("timestamp changed in the round trip");
    if (!SameBytes(r.key, want.key) || !SameBytes(r.value, want.value)) {
      Die("key or value changed in the round trip");
    }
    if (r.headers.size() != want.headers.size()) Die("header count changed in the round trip");
    for (size_t h = 0; h < r.headers.size(); ++h) {
      if (r.headers[h].key != want.headers[h].key ||
          !SameBytes(r.headers[h].value, want.headers[h].value)) {
        Die("a header changed in the round trip");
      }
    }
    ++i;
  }
  if (!again.status().ok() || i != records.size()) Die("the re-encoded batch lost records");
}

volatile uint32_t sink;

void ReadRecords(ByteSpan batch) {
  static RecordReader reader(kMaxDecompressedBytes);
  static std::vector<Record> records;
  records.clear();
  if (!reader.Reset(batch).ok()) return;
  Record r;
  while (reader.Next(&r)) {
    sink = sink + Touch(r);
    records.push_back(r);
  }
  if (reader.status().ok()) {
    if (records.size() != static_cast<size_t>(reader.header().record_count)) {
      Die("the reader ended without error before record_count records");
    }
    CheckRoundTrip(reader.header(), records);
  }
}

// A valid header around "section": codec and record count come from the input.
std::vector<uint8_t> WrapInBatch(uint8_t codec, int32_t record_count, ByteSpan section) {
  std::vector<uint8_t> b(kBatchHeaderSize + section.size(), 0);
  StoreI32(b.data() + kBatchLengthPos, static_cast<int32_t>(b.size() - kBatchLengthOverhead));
  b[kMagicPos] = kMagicV2;
  StoreI16(b.data() + kAttributesPos, static_cast<int16_t>(codec % 5));
  StoreI32(b.data() + kLastOffsetDeltaPos, record_count > 0 ? record_count - 1 : 0);
  StoreI64(b.data() + kBaseTimestampPos, 1'700'000'000'000);
  StoreI64(b.data() + kMaxTimestampPos, 1'700'000'000'000);
  StoreI64(b.data() + kProducerIdPos, kNoProducerId);
  StoreI16(b.data() + kProducerEpochPos, kNoProducerEpoch);
  StoreI32(b.data() + kBaseSequencePos, kNoSequence);
  StoreI32(b.data() + kRecordCountPos, record_count);
  std::copy(section.begin(), section.end(), b.begin() + kRecordsPos);
  StoreI32(b.data() + kCrcPos,
           static_cast<int32_t>(Crc32c(ByteSpan(b).subspan(kCrcCoverageStart))));
  return b;
}

}  // namespace
}  // namespace eddy::log

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eddy;       // NOLINT: a fuzz entry point
  using namespace eddy::log;  // NOLINT
  ByteSpan input(data, size);

  // 1. A run of batches.
  (void)ValidateBatch(input);
  BatchIterator it(input);
  for (;;) {
    Result<ByteSpan> batch = it.Next();
    if (!batch.ok() || batch->empty()) break;
    (void)ValidateBatch(*batch);
    ReadRecords(*batch);
  }

  if (size < 2) return 0;
  uint8_t codec = data[0];
  // Mostly small counts, the ones the section can hold; after a 0xff byte, any int32.
  int32_t record_count = data[1];
  ByteSpan rest = input.subspan(2);
  if (data[1] == 0xff && size >= 6) {
    record_count = LoadI32(data + 2);
    rest = input.subspan(6);
  }

  // 2. The records section of a valid header.
  std::vector<uint8_t> batch = WrapInBatch(codec, record_count, rest);
  Result<BatchHeader> header = ParseBatchHeader(batch);
  if (record_count >= 0) {
    if (!header.ok() || !ValidateBatch(batch).ok()) Die("a well-formed batch was rejected");
  }
  ReadRecords(batch);

  // 3. The codecs alone.
  static std::vector<uint8_t> out;
  Status s =
      Decompress(static_cast<CompressionCodec>(codec % 5), rest, &out, kMaxDecompressedBytes);
  if (s.ok() && out.size() > kMaxDecompressedBytes) Die("Decompress exceeded its bound");
  return 0;
}
