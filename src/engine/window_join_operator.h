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

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

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
  Status OnBatch(int input, Batch batch, Output& out) override;
  Status OnWatermark(EventTimeMs watermark, Output& out) override;

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
    Window(const SchemaRef& left_schema, const SchemaRef& right_schema)
        : left(left_schema), right(right_schema) {}
    KeyedState<KeyRows> keys;
    JoinRowStore left;
    JoinRowStore right;
  };

  WindowJoinOperator(SchemaRef left, SchemaRef right, WindowJoinOptions options,
                     JoinKeyColumns keys, SchemaRef output_schema);
  // Appends the results of window [start, start + size) to `out`.
  void Fire(EventTimeMs start, Window& window, Batch& out);

  SchemaRef left_schema_;
  SchemaRef right_schema_;
  WindowJoinOptions options_;
  JoinKeyColumns keys_;
  SchemaRef output_schema_;
  int64_t slide_ms_;
  // Open windows by start; all have one size, so this is also the order of their ends.
  std::map<EventTimeMs, Window> windows_;
  EventTimeMs watermark_ = kMinWatermark;

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
