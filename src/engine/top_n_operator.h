#pragma once
// Top-N per window: for each partition (normally a window: window_start, window_end), the
// n best rows by one column, emitted when the watermark closes the partition's window.
//
// The operator keeps only the rows that can still be in the top n: the n best so far and,
// with ties, every row equal to the n-th best (for n = 1 with ties: the rows at the
// current best value, dropped when a better one comes). When the watermark W reaches
// window_end - 1 of a partition, its rows are emitted best first — every input column
// unchanged, as inserts, with event time window_end - 1 (the convention for a window's
// results, so that they are on time downstream) — and the partition is dropped. A row
// whose window_end - 1 is already at or below the watermark is late (its partition has
// been emitted, or would have been): it goes to Output::EmitLate. Nulls in the order_by
// column rank below every value (and NaN as a null); a null window_end makes a row late.
// Without ties, rows with equal values keep their arrival order.
//
// The input must be append-only (a changelog row is an error). Rows of one partition are
// expected to share window_end (it is normally one of partition_by); the partition fires
// at the largest one seen.
//
// State: one KeyedState entry per routing key (route_by) holding its partitions (one,
// unless partition_by has more columns), each with its kept rows in a small batch, and a
// timer queue indexed by window end. Checkpoints write the entries and the watermark
// (SnapshotState / RestoreState; the timers are rebuilt). Not thread-safe: one instance
// per parallel task.

#include <memory>
#include <string>
#include <vector>

#include "src/base/status.h"
#include "src/engine/operator.h"

namespace eddy::engine {

struct TopNOptions {
  std::vector<std::string> partition_by;
  /// The columns the input is hash-partitioned by (the KeyBy before this step), when they
  /// are fewer than partition_by (they must be among its columns). Checkpointed state is
  /// filed under their key group, so that after a rescale it reaches the instance the rows
  /// go to. Empty: partition_by.
  std::vector<std::string> route_by;
  std::string order_by;
  /// Largest first (true) or smallest first.
  bool descending = true;
  int n = 1;
  /// Keep every row tied with the n-th best, so that more than n rows may come out.
  bool with_ties = true;
  /// The column holding each row's window end (int64 or timestamp).
  std::string window_end_column = "window_end";
};

Result<std::unique_ptr<Operator>> MakeTopN(SchemaRef input, TopNOptions options);

}  // namespace eddy::engine
