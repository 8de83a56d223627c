#pragma once
// Operator: one step of a dataflow (filter, window aggregate, join, ...).
//
// The runtime creates one Operator per parallel instance and calls it from one thread
// at a time, so an operator needs no locking. Calls arrive in stream order:
//   Open, then any mix of OnBatch / OnWatermark / OnProcessingTime, then OnEndOfInput
//   (bounded runs, or when every input has ended), after which nothing more arrives.
// Watermarks are merged by the runtime (minimum over the inputs and their parallel
// senders) and only ever increase. A watermark W promises that no more events with
// event time <= W are expected; rows that still come are late.
//
// Output: whatever the operator emits goes downstream after the call returns, in
// emission order, before the watermark it is handling is forwarded. Emit whole batches
// (a batch per input batch, not a batch per row).

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "src/base/clock.h"
#include "src/base/status.h"
#include "src/engine/batch.h"
#include "src/engine/operator_state.h"
#include "src/engine/schema.h"

namespace eddy::engine {

/// Where an operator sends its results.
class Output {
 public:
  virtual ~Output() = default;
  /// Sends a batch downstream (empty batches are ignored).
  virtual void Emit(Batch batch) = 0;
  /// Sends rows that came after their window closed (past any allowed lateness) to the
  /// late-data side output, where they are counted and, if the pipeline asked, kept.
  virtual void EmitLate(Batch batch) = 0;
};

/// What an operator instance knows about where it runs.
struct OperatorContext {
  /// This instance's index in [0, parallelism).
  int instance = 0;
  int parallelism = 1;
  /// Processing time (and, in tests, a manual clock).
  const Clock* clock = SystemClock::Default();
  /// The node's name, for messages.
  std::string name;
};

class Operator {
 public:
  virtual ~Operator() = default;

  /// The schema of the main output.
  virtual SchemaRef output_schema() const = 0;

  virtual Status Open(const OperatorContext& context) {
    (void)context;
    return Status::OK();
  }
  /// A batch from input `input` (0, or 1 for the right side of a two-input operator).
  virtual Status OnBatch(int input, Batch batch, Output& out) = 0;
  /// The merged watermark advanced to `watermark`: fire windows and event-time timers.
  virtual Status OnWatermark(EventTimeMs watermark, Output& out) {
    (void)watermark;
    (void)out;
    return Status::OK();
  }
  /// Called about every processing_time_interval_ms (runtime setting, 10 ms by default)
  /// with the clock's NowMs(): processing-time triggers and timers.
  virtual Status OnProcessingTime(int64_t now_ms, Output& out) {
    (void)now_ms;
    (void)out;
    return Status::OK();
  }
  /// Every input has ended: emit everything still held (a bounded run's final results).
  /// The runtime first delivers OnWatermark(kMaxWatermark).
  virtual Status OnEndOfInput(Output& out) {
    (void)out;
    return Status::OK();
  }

  /// Checkpoint: writes the state changed since the previous SnapshotState (all of it
  /// the first time) — operator_state.h. Called between other calls, when every input
  /// row before the checkpoint's barrier has been handled. Stateless operators keep the
  /// default.
  virtual Status SnapshotState(StateWriter& writer) {
    (void)writer;
    return Status::OK();
  }
  /// Recovery: called after Open and before any other call with the state of the key
  /// groups this instance owns; rebuilds indexes (timers) from it.
  virtual Status RestoreState(StateReader& reader) {
    (void)reader;
    return Status::OK();
  }
};

/// Makes the operator of one parallel instance.
using OperatorFactory = std::function<Result<std::unique_ptr<Operator>>()>;

}  // namespace eddy::engine
