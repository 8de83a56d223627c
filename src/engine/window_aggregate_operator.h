#pragma once
// Window aggregate: per key and event-time window (tumbling, hopping or session), the
// aggregates of the rows that fall in it, kept incrementally (accumulators, not rows).
//
// Output schema: the key columns (same names and types), window_start and window_end
// (timestamps), then one column per aggregate. No keys means one global group.
// The input must be append-only (inserts); a changelog row is an error.
//
// Emission (watermark convention of operator.h):
//  - OnWatermark(W): every window with W >= end - 1 fires. Its result is emitted as an
//    insert with event time end - 1; if a result for it was emitted before (an early or
//    late firing), an update (-U old, +U new) is emitted instead, and only when the result
//    changed.
//  - Allowed lateness: a fired window's state is kept until W >= end - 1 + lateness. A row
//    arriving for it in that time updates it, and the update (-U old, +U new) is emitted
//    immediately, at the end of the OnBatch call that brought the row (one update per
//    window and batch).
//  - A row whose windows are all past the allowed lateness is late: it goes, unchanged, to
//    Output::EmitLate and is not aggregated. For hopping windows a row is late only when
//    none of its windows is still open; it still counts in those that are. A session row
//    is late when the session it would open (or join) is past the allowed lateness.
//  - emit_every_ms > 0 (a processing-time trigger, micro-batch style): OnProcessingTime
//    emits the current results of the windows that changed since their last emission
//    (+I the first time, -U/+U afterwards) whenever the processing time crosses a multiple
//    of emit_every_ms; the firing on the watermark then emits only if something changed.
//  - Sessions that merge after one of them was emitted: the merged session's emission
//    retracts the rows emitted for the absorbed sessions (-D) before its own -U/+U.
//  - OnEndOfInput emits whatever is still held (normally nothing: the runtime delivers
//    OnWatermark(kMaxWatermark) first) and clears the state.
//
// State: one KeyedState entry per key (all its open windows and their accumulators). A
// timer queue (event time → key) says when a key next needs attention; it is an index of
// the keyed state (each key's windows determine its next due time) and can be rebuilt
// from it. Checkpoints (SnapshotState / RestoreState) write the keys' windows —
// accumulators, dirty flags, emitted rows awaiting retraction — and the watermark; the
// timers and the lists of keys due for an emission are rebuilt on restore. A user
// aggregate needs a UserAccumulatorCodec to be checkpointed (SnapshotState fails naming
// it otherwise). Not thread-safe: one instance per parallel task, as operator.h says.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/base/status.h"
#include "src/engine/aggregate.h"
#include "src/engine/operator.h"
#include "src/engine/window_spec.h"

namespace eddy::engine {

struct WindowAggregateOptions {
  /// Key columns; empty for one global group.
  std::vector<std::string> keys;
  WindowSpec window;
  std::vector<AggregateSpec> aggregates;
  /// How long (in event time) after firing a window still accepts late rows.
  int64_t allowed_lateness_ms = 0;
  /// > 0: also emit partial results every emit_every_ms of processing time.
  int64_t emit_every_ms = 0;
};

/// The output schema a window aggregate over `input` with `options` produces.
Result<SchemaRef> WindowAggregateOutputSchema(const Schema& input,
                                              const WindowAggregateOptions& options);

Result<std::unique_ptr<Operator>> MakeWindowAggregate(SchemaRef input,
                                                      WindowAggregateOptions options);

}  // namespace eddy::engine
