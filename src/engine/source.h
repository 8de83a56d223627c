#pragma once
// Source: where a pipeline's events come from (a log topic, a file, a generator).
//
// The runtime creates one Source per parallel instance; each instance owns a share of
// the source's splits (partitions, files) — usually split i belongs to instance
// i % parallelism — and is called from one thread. A source assigns each row its event
// time and tracks a watermark per split (watermark_tracker.h).

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "src/base/clock.h"
#include "src/base/status.h"
#include "src/checkpoint/task_snapshot.h"
#include "src/engine/batch.h"

namespace eddy::engine {

struct SourceContext {
  int instance = 0;
  int parallelism = 1;
  /// Bounded: read each split up to the end it had when Open was called, then end.
  bool bounded = false;
  const Clock* clock = SystemClock::Default();
};

enum class SourceState {
  kMore,  // more may come (unbounded sources never leave this state)
  kEnd,   // every split of this instance is exhausted (bounded)
};

/// Counters a source keeps for progress and the run summary.
struct SourceCounters {
  uint64_t records_in = 0;    // rows produced
  uint64_t dead_letters = 0;  // input records that did not fit the schema
};

class Source {
 public:
  virtual ~Source() = default;

  virtual SchemaRef schema() const = 0;
  virtual Status Open(const SourceContext& context) = 0;

  /// Appends to `out` (a batch of schema()) the rows that are ready, at most `max_rows`.
  /// When none is ready it may wait up to `max_wait_ms` for one; it returns as soon as it
  /// has something, so a lone event is not held back to fill a batch.
  virtual Result<SourceState> Poll(Batch& out, size_t max_rows, int max_wait_ms) = 0;

  /// The watermark of this instance: the minimum over its active splits (idle splits
  /// excluded; kMaxWatermark once every split has ended).
  virtual EventTimeMs watermark() const = 0;

  /// True while every split of this instance is idle (watermark_tracker.h): downstream
  /// operators then merge watermarks without this instance.
  virtual bool idle() const { return false; }

  virtual SourceCounters counters() const { return {}; }

  // ---- Checkpoints. A source that can be checkpointed records where each of its splits
  // stands (the next offset, and what its watermark tracker knows) and, on recovery,
  // continues from there. Sources that cannot say so, and a job with checkpoints fails
  // at its first checkpoint with an error naming the source.

  virtual bool checkpointable() const { return false; }
  /// The position of every split this instance reads, after the rows it has returned.
  virtual Result<std::vector<checkpoint::SplitPosition>> SnapshotPositions() {
    return Status::FailedPrecondition("this source cannot be checkpointed");
  }
  /// Recovery: called after Open and before the first Poll with the positions of every
  /// split recorded in the checkpoint (by all instances, of any parallelism); the
  /// instance continues the splits it owns from them. Splits without a position start
  /// as if there were no checkpoint.
  virtual Status RestorePositions(const std::vector<checkpoint::SplitPosition>& positions) {
    (void)positions;
    return Status::FailedPrecondition("this source cannot be checkpointed");
  }

  /// Called once when the pipeline stops.
  virtual void Close() {}
};

/// Makes the source of one parallel instance.
using SourceFactory = std::function<Result<std::unique_ptr<Source>>()>;

}  // namespace eddy::engine
