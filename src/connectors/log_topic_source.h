#pragma once
// LogTopicSource: a pipeline source over a topic of eddy's embedded log, read in-process
// (no Kafka protocol). Each record's value is a JSON object decoded into the schema's
// columns (JsonRowDecoder).
//
// Splits are partitions: instance i of P owns the partitions p with p % P == i.
// Bounded runs read each owned partition up to its high watermark at Open, then end;
// unbounded runs wait for appends (Partition::Watch, up to Poll's max_wait_ms) and never
// end. Event time is a column of the schema (event_time_field) or the record's
// timestamp. The watermark is tracked per partition (WatermarkTracker: bounded
// out-of-orderness, idle partitions left out, ended partitions left out).
//
// A record that does not decode is a dead letter: it is counted and logged
// (rate-limited), and when a dead-letter topic is configured it is appended there
// (created with one partition if missing) with its original key, value and timestamp
// and the headers eddy.error, eddy.topic, eddy.partition and eddy.offset.
// Reads are read_committed: only data below the last stable offset, and batches of
// aborted transactions and transaction markers are skipped. Bounded runs end at the
// last stable offset of Open.
//
// Thread safety: Open, Poll and Close run on the instance's one thread.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/base/strong_id.h"
#include "src/engine/source.h"
#include "src/log/log.h"

namespace eddy::connectors {

enum class StartPosition {
  kEarliest,  // the partition's log start offset
  kLatest,    // its high watermark at Open: only records appended later
};

struct LogTopicSourceOptions {
  /// Must outlive the source.
  log::Log* log = nullptr;
  std::string topic;
  engine::SchemaRef schema;
  /// A timestamp or int64 column holding the event time; empty: the record timestamp.
  std::string event_time_field;
  int64_t max_out_of_orderness_ms = 0;
  /// A partition without records for this long is left out of the watermark; 0 = never.
  int64_t idle_timeout_ms = 5000;
  /// Where records that do not decode go; empty: they are only counted and logged.
  std::string dead_letter_topic;
  StartPosition start = StartPosition::kEarliest;
  /// Bytes asked of one Partition::Read.
  size_t read_max_bytes = 1 << 20;
};

class LogTopicSource final : public engine::Source {
 public:
  explicit LogTopicSource(LogTopicSourceOptions options);
  ~LogTopicSource() override;

  engine::SchemaRef schema() const override;
  /// Looks the topic up (NotFound naming it if it does not exist), takes this
  /// instance's partitions and their start (and, bounded, end) offsets.
  Status Open(const engine::SourceContext& context) override;
  Result<engine::SourceState> Poll(engine::Batch& out, size_t max_rows, int max_wait_ms) override;
  engine::EventTimeMs watermark() const override;
  bool idle() const override;
  engine::SourceCounters counters() const override;
  void Close() override;

  /// Checkpoints: a split is "<topic>/<partition>"; its position is the next offset and
  /// the latest event time read from it.
  bool checkpointable() const override { return true; }
  Result<std::vector<checkpoint::SplitPosition>> SnapshotPositions() override;
  Status RestorePositions(const std::vector<checkpoint::SplitPosition>& positions) override;

  /// The partitions this instance reads (after Open).
  std::vector<PartitionId> partitions() const;
  /// The next offset this instance will read from partition number `i` of partitions().
  Offset position(size_t i) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/// A factory for the instances of one log topic source.
engine::SourceFactory MakeLogTopicSource(LogTopicSourceOptions options);

}  // namespace eddy::connectors
