#pragma once
// WindowJoinOperator: joins two streams within event-time windows (tumbling or hopping,
// aligned to the epoch), as Flink's window join and Nexmark q8.
//
// Every row goes to each window it falls in (start = t - t mod slide, size ms long),
// under its key (the values of left_keys / right_keys). When the watermark reaches a
// window's end - 1 the window fires: for each key it emits
//   kInner:    every (left, right) pair, as left columns, right columns, window_start,
//              window_end, with event time end - 1;
//   kLeftSemi: every left row once if the key has at least one right row in the window,
//              as left columns, window_start, window_end, with event time end - 1;
// then its state is dropped. A row none of whose windows is still open (the watermark
// already reached their end - 1) is late and goes to Output::EmitLate, in the schema of
// its input. Rows with a null key never match and are dropped. Pairs are emitted in no
// particular order.
//
// State: per window, a KeyedState of the key's row chains into one arena per side
// (join_row_store.h). One parallel instance; not thread-safe.
//
// Checkpoints: tables "left_rows" and "right_rows" hold one entry per row and window
// (key: window start + row id, key group: that of the row's join key), "watermark" the
// watermark (checkpointed_watermark.h). A snapshot puts the rows that arrived since the
// previous one and deletes the rows of the windows that fired since, so its cost follows
// the input since the last checkpoint, not the rows held. On restore, the rows go back
// into their windows and keys; rows of windows the restored watermark has closed are
// dropped (and deleted at the next snapshot).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/engine/checkpointed_watermark.h"
#include "src/engine/join_row_store.h"
#include "src/engine/join_schema.h"
#include "src/engine/keyed_state.h"
#include "src/engine/operator.h"

namespace eddy::engine {

struct WindowJoinOptions {
  std::vector<std::string> left_keys;
  std::vector<std::string> right_keys;
  int64_t window_size_ms = 0;
  /// 0 = tumbling (the slide is the size); smaller than the size = hopping windows.
  int64_t window_slide_ms = 0;
  JoinType type = JoinType::kInner;
  /// Put in front of a right column name that is already taken (join_schema.h).
  std::string right_prefix = "right_";
};

class WindowJoinOperator final : public Operator {
 public:
  /// Fails on unknown or mismatched key columns, a size <= 0, a negative slide, or an
  /// input column already called window_start / window_end.
  static Result<std::unique_ptr<WindowJoinOperator>> Make(SchemaRef left, SchemaRef right,
                                                          WindowJoinOptions options);

  SchemaRef output_schema() const override { return output_schema_; }
  Status Open(const OperatorContext& context) override;
  Status OnBatch(int input, Batch batch, Output& out) override;
  Status OnWatermark(EventTimeMs watermark, Output& out) override;
  Status SnapshotState(StateWriter& writer) override;
  Status RestoreState(StateReader& reader) override;

  /// Rows held (both sides, every open window), for tests and metrics.
  size_t state_rows() const;
  /// Windows holding rows.
  size_t open_windows() const { return windows_.size(); }

 private:
  struct KeyRows {
    RowChain left;
    RowChain right;
  };
  struct Window {
    Window(const SchemaRef& left_schema, const SchemaRef& right_schema,
           const JoinKeyColumns& key_columns)
        : left(left_schema, key_columns.left), right(right_schema, key_columns.right) {}
    KeyedState<KeyRows> keys;
    JoinRowStore left;
    JoinRowStore right;
  };
  // A snapshotted row of a window that fired: its entry goes at the next snapshot.
  struct FiredRow {
    EventTimeMs window_start = 0;
    RowEntry entry;
  };

  WindowJoinOperator(SchemaRef left, SchemaRef right, WindowJoinOptions options,
                     JoinKeyColumns keys, SchemaRef output_schema);
  // Appends the results of window [start, start + size) to `out`.
  void Fire(EventTimeMs start, Window& window, Batch& out);
  // Notes the snapshotted rows of a window about to be dropped, for the next snapshot.
  void ForgetWindow(EventTimeMs start, Window& window);
  // The window starting at `start`, created if absent.
  Window& WindowAt(EventTimeMs start);
  // Puts the rows of one side of a snapshot back into their windows.
  Status RestoreSide(StateReader& reader, bool is_left);

  SchemaRef left_schema_;
  SchemaRef right_schema_;
  WindowJoinOptions options_;
  JoinKeyColumns keys_;
  SchemaRef output_schema_;
  int64_t slide_ms_;
  // Open windows by start; all have one size, so this is also the order of their ends.
  std::map<EventTimeMs, Window> windows_;
  EventTimeMs watermark_ = kMinWatermark;
  CheckpointedWatermark checkpointed_watermark_;
  // Per side (0 left, 1 right): snapshotted rows dropped since the last snapshot.
  std::vector<FiredRow> fired_rows_[2];

  // Reused between calls.
  std::string key_;
  std::vector<uint8_t> late_;
  JoinMatches matches_;
};

/// MakeWindowJoin: the operator as the runtime takes it. Input 0 is the left stream,
/// input 1 the right.
Result<std::unique_ptr<Operator>> MakeWindowJoin(SchemaRef left, SchemaRef right,
                                                 WindowJoinOptions options);

}  // namespace eddy::engine
