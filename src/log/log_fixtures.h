#pragma once
// Test-only: what the log's tests share. Record batches built with RecordBatchBuilder
// (the same encoder the engine's sink uses) and decoded with RecordReader, and a
// bounded wait for durability (a bug fails the test instead of hanging it).

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "src/log/log.h"
#include "src/log/record_batch.h"
#include "src/log/record_batch_builder.h"

namespace eddy::log::testing {

/// A batch of "count" records "prefix-0", "prefix-1", ... stamped "timestamp_ms".
inline std::vector<uint8_t> MakeBatch(int count, int64_t timestamp_ms,
                                      const std::string& prefix = "value",
                                      BatchOptions options = {}) {
  RecordBatchBuilder builder(options);
  for (int i = 0; i < count; ++i) {
    builder.Add(timestamp_ms, "key-" + std::to_string(i), prefix + "-" + std::to_string(i));
  }
  Result<std::vector<uint8_t>> batch = builder.Build();
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? std::move(batch).value() : std::vector<uint8_t>{};
}

/// A batch of one record per timestamp in "timestamps".
inline std::vector<uint8_t> MakeBatchAt(const std::vector<int64_t>& timestamps,
                                        BatchOptions options = {}) {
  RecordBatchBuilder builder(options);
  for (size_t i = 0; i < timestamps.size(); ++i) {
    builder.Add(timestamps[i], "k", "v" + std::to_string(i));
  }
  Result<std::vector<uint8_t>> batch = builder.Build();
  EXPECT_TRUE(batch.ok()) << batch.status().ToString();
  return batch.ok() ? std::move(batch).value() : std::vector<uint8_t>{};
}

/// An idempotent producer's batch.
inline std::vector<uint8_t> MakeProducerBatch(int64_t producer_id, int16_t epoch,
                                              int32_t base_sequence, int count) {
  BatchOptions options;
  options.producer_id = producer_id;
  options.producer_epoch = epoch;
  options.base_sequence = base_sequence;
  return MakeBatch(count, 1'700'000'000'000, "p" + std::to_string(producer_id), options);
}

struct DecodedRecord {
  int64_t offset;
  int64_t timestamp;
  std::string value;
};

/// Every record of a run of concatenated batches (a read's bytes), checking each
/// batch's CRC on the way.
inline std::vector<DecodedRecord> DecodeRecords(ByteSpan bytes) {
  std::vector<DecodedRecord> records;
  BatchIterator batches(bytes);
  RecordReader reader;
  while (true) {
    Result<ByteSpan> batch = batches.Next();
    EXPECT_TRUE(batch.ok()) << batch.status().ToString();
    if (!batch.ok() || batch->empty()) break;
    EXPECT_TRUE(ValidateBatch(*batch).ok());
    EXPECT_TRUE(reader.Reset(*batch).ok());
    Record record;
    while (reader.Next(&record)) {
      records.push_back({record.offset, record.timestamp,
                         record.value ? std::string(AsStringView(*record.value)) : ""});
    }
    EXPECT_TRUE(reader.status().ok()) << reader.status().ToString();
  }
  EXPECT_EQ(batches.position(), bytes.size()) << "a partial batch at the end";
  return records;
}

/// Every record a reader can see in "partition", from "from" (default: the log start)
/// to the high watermark, read in ReadOptions-sized steps.
inline std::vector<DecodedRecord> ReadAllRecords(Partition& partition, Offset from = Offset(-1)) {
  if (from.value() < 0) from = partition.log_start_offset();
  std::vector<DecodedRecord> records;
  while (from < partition.high_watermark()) {
    auto r = partition.Read(from, ReadOptions{});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok() || r->bytes.empty()) break;
    auto more = DecodeRecords(r->bytes);
    records.insert(records.end(), more.begin(), more.end());
    from = r->next_offset;
  }
  return records;
}

/// Calls Partition::WhenDurable and waits for its answer, at most "timeout".
inline Status WaitDurable(Partition& partition, Offset last_offset,
                          std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  auto done = std::make_shared<std::promise<Status>>();
  std::future<Status> result = done->get_future();
  partition.WhenDurable(last_offset, [done](Status st) { done->set_value(std::move(st)); });
  if (result.wait_for(timeout) != std::future_status::ready) {
    return Status::TimedOut("WhenDurable(" + std::to_string(last_offset.value()) +
                            ") did not answer in time");
  }
  return result.get();
}

}  // namespace eddy::log::testing
