#pragma once
// LogTopicSink: a pipeline sink that appends rows to a topic of eddy's embedded log as
// JSON records (JsonRowEncoder), in-process.
//
// Each Write turns its rows into one magic-v2 record batch per partition
// (RecordBatchBuilder; split when it grows past max_batch_bytes) and appends them. A
// record's timestamp is its row's event time. With key columns the record key is the
// JSON object of those columns and the partition is Kafka's for that key (murmur2, as
// key_partitioner.h), so Kafka consumers and producers agree; without, every record of
// instance i goes to partition i % partitions. The topic is created when missing.
//
// Changelogs: with encode_changes every row is written with its "op". Without it, a
// keyed sink writes an upsert stream (as Kafka compacted topics expect: +I and +U write
// the row, -U is dropped, -D writes a tombstone, a null value, under the key), and an
// unkeyed sink accepts inserts only (another kind fails the Write, naming the fix).
//
// Finish waits until every record appended is durable under the log's policy.
//
// Exactly-once (SinkContext::exactly_once, checkpoints on): output written between two
// checkpoint barriers is appended only when the later checkpoint completes, so every
// reader, whatever its isolation level, sees only output of complete checkpoints; after
// a crash, output of the checkpoint recovered from is appended once and the rest is
// produced again by the replay. The topic should be written by this pipeline alone.
// Thread safety: one instance per thread; instances share the log's thread-safe
// partitions.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/engine/sink.h"
#include "src/log/log.h"
#include "src/log/record_batch_format.h"

namespace eddy::connectors {

struct LogTopicSinkOptions {
  /// Must outlive the sink.
  log::Log* log = nullptr;
  std::string topic;
  int partitions_if_created = 3;
  /// Columns whose JSON object is the record key; empty: records have no key.
  std::vector<std::string> key_columns;
  bool encode_changes = false;
  log::CompressionCodec compression = log::CompressionCodec::kNone;
  /// A partition's batch is appended once its records reach this many bytes (it is
  /// also kept under the topic's max.message.bytes).
  size_t max_batch_bytes = 512 * 1024;
};

class LogTopicSink final : public engine::Sink {
 public:
  explicit LogTopicSink(LogTopicSinkOptions options);
  ~LogTopicSink() override;

  /// Finds or creates the topic.
  Status Open(const engine::SinkContext& context) override;
  Status Write(const engine::Batch& batch) override;
  /// Waits for durability of everything appended.
  Status Finish() override;
  /// Records appended (tombstones included, dropped -U rows not).
  uint64_t rows_written() const override;

  /// Exactly-once: built batches are held, not appended; PrepareCommit moves them to the
  /// checkpoint (with this run's producer id and per-partition sequence numbers) and
  /// first waits until what earlier checkpoints committed is durable; Commit appends
  /// them; Recover appends the batches of a complete checkpoint that the log does not
  /// hold yet (Partition::LastSequence of their producer tells), so none lands twice.
  /// Finish (end of input) appends everything held.
  Result<std::string> PrepareCommit(int64_t checkpoint_id) override;
  Status Commit(int64_t checkpoint_id) override;
  Status Recover(int64_t checkpoint_id, const std::vector<std::string>& prepared) override;
  void Abandon() override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/// A factory for the instances of one log topic sink.
engine::SinkFactory MakeLogTopicSink(LogTopicSinkOptions options);

}  // namespace eddy::connectors
