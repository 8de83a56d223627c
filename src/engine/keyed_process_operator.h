#pragma once
// KeyedProcessOperator: runs user code per key, with per-key state and timers — the
// escape hatch for rules no window or join expresses (fraud and anomaly detection), like
// Flink's KeyedProcessFunction.
//
// For each input row the operator calls ProcessElement with a KeyedContext bound to the
// row's key (the values of `keys`; null is a value like any other here). The function
// keeps named state for that key, registers timers for it and emits rows of the output
// schema. Timers are per key and de-duplicated (the same key and time registered twice
// fires once):
//   event time:      fires when the watermark reaches it (W >= t), in timestamp order
//                    across keys; a timer registered for t <= W while timers fire fires
//                    in the same advance;
//   processing time: fires from OnProcessingTime(now) once now >= t, in timestamp order;
//                    one registered while timers fire waits for the next call.
// Rows the function emits carry the event time it gives them (for an event-time timer,
// the timer's time is the natural choice). At the end of a bounded run the watermark
// kMaxWatermark fires every pending event-time timer and OnEndOfInput every pending
// processing-time timer, once: timers registered while those final timers fire are
// dropped, so a timer that re-registers itself cannot run forever.
//
// Late rows (event time <= the watermark) are passed to ProcessElement like any other;
// current_watermark() tells them apart. Changelog rows are passed with their change kind.
//
// State: a KeyedState of each key's named values, lists and timers; a key with none left
// is dropped. The timer queues across keys are indexes over that state. Checkpoints
// (SnapshotState / RestoreState) write the keyed state and the watermark and rebuild the
// timer queues from the keys' timers; fields the function keeps outside the
// KeyedContext are not checkpointed. One parallel instance; not thread-safe; the function
// is called from one thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/base/clock.h"
#include "src/engine/checkpointed_watermark.h"
#include "src/engine/keyed_state.h"
#include "src/engine/operator.h"
#include "src/engine/row.h"

namespace eddy::engine {

enum class TimeDomain { kEventTime, kProcessingTime };

class KeyedProcessOperator;

/// What a KeyedProcessFunction sees while it handles a row or a timer of one key.
/// Valid only during that call.
class KeyedContext {
 public:
  KeyedContext(const KeyedContext&) = delete;
  KeyedContext& operator=(const KeyedContext&) = delete;

  /// The current key, one value per key column.
  const std::vector<Value>& current_key();
  /// The current key as encoded bytes (key_codec.h).
  std::string_view current_key_bytes() const;
  /// The event time of the row being processed, or the time of the timer firing.
  EventTimeMs timestamp() const;

  /// The key's value called `name`, or nullptr. The pointer is valid until the next
  /// state call.
  Value* GetState(std::string_view name);
  void SetState(std::string_view name, Value value);
  void ClearState(std::string_view name);
  /// The key's list called `name` (empty when new); an empty list is dropped after the
  /// call. The reference is valid until the next state call.
  std::vector<Value>& ListState(std::string_view name);

  void RegisterEventTimeTimer(EventTimeMs time);
  void DeleteEventTimeTimer(EventTimeMs time);
  void RegisterProcessingTimeTimer(int64_t time_ms);
  void DeleteProcessingTimeTimer(int64_t time_ms);

  EventTimeMs current_watermark() const;
  /// The clock's time at this call (the `now` of OnProcessingTime for its timers).
  int64_t current_processing_time() const;

  /// A writer on the output batch: set the columns, then Commit(event_time[, kind]).
  RowWriter& Output();
  /// Emits one row of the output schema (one value per column, of its type or null).
  void Emit(const std::vector<Value>& values, EventTimeMs event_time,
            ChangeKind kind = ChangeKind::kInsert);

  /// Fails the operator with `status` once the current call returns (the first failure
  /// wins).
  void Fail(Status status);

 private:
  friend class KeyedProcessOperator;
  explicit KeyedContext(KeyedProcessOperator& op) : op_(op) {}

  KeyedProcessOperator& op_;
};

/// User code, one instance per parallel instance of the operator (it may keep fields,
/// but state that belongs to a key goes through the KeyedContext).
class KeyedProcessFunction {
 public:
  virtual ~KeyedProcessFunction() = default;
  virtual void ProcessElement(const RowRef& row, KeyedContext& ctx) = 0;
  virtual void OnTimer(EventTimeMs timestamp, TimeDomain domain, KeyedContext& ctx) {
    (void)timestamp;
    (void)domain;
    (void)ctx;
  }
};

/// Makes the function of one parallel instance.
using KeyedProcessFunctionFactory = std::function<std::unique_ptr<KeyedProcessFunction>()>;

class KeyedProcessOperator final : public Operator {
 public:
  /// Fails on an empty or unknown key list or a factory that makes no function.
  static Result<std::unique_ptr<KeyedProcessOperator>> Make(
      SchemaRef input, SchemaRef output, std::vector<std::string> keys,
      const KeyedProcessFunctionFactory& factory);

  SchemaRef output_schema() const override { return output_schema_; }
  Status Open(const OperatorContext& context) override;
  Status OnBatch(int input, Batch batch, Output& out) override;
  Status OnWatermark(EventTimeMs watermark, Output& out) override;
  Status OnProcessingTime(int64_t now_ms, Output& out) override;
  Status OnEndOfInput(Output& out) override;
  Status SnapshotState(StateWriter& writer) override;
  Status RestoreState(StateReader& reader) override;

  /// Keys with state or timers, for tests and metrics.
  size_t state_keys() const { return state_.size(); }
  size_t pending_event_timers() const { return event_timers_.size(); }
  size_t pending_processing_timers() const { return processing_timers_.size(); }

 private:
  friend class KeyedContext;

  struct KeyState {
    std::vector<std::pair<std::string, Value>> values;
    std::vector<std::pair<std::string, std::vector<Value>>> lists;
    std::vector<EventTimeMs> event_timers;   // sorted, unique
    std::vector<int64_t> processing_timers;  // sorted, unique

    bool empty() const {
      return values.empty() && lists.empty() && event_timers.empty() && processing_timers.empty();
    }
  };
  using TimerQueue = std::set<std::pair<int64_t, std::string>>;

  KeyedProcessOperator(SchemaRef input, SchemaRef output, std::vector<size_t> keys,
                       std::unique_ptr<KeyedProcessFunction> function);
  // Points the context at `key` (creating its state) for one call.
  void Enter(std::string_view key, EventTimeMs timestamp);
  // Ends the call: drops empty lists and an empty key, checks the output batch.
  Status Leave();
  // Fires the event-time timers up to `watermark`.
  Status FireEventTimers(EventTimeMs watermark);
  // Fires the processing-time timers due at `now_ms` when the call began.
  Status FireProcessingTimers(int64_t now_ms);
  void Flush(Output& out);
  static void EncodeKeyState(const KeyState& state, ByteWriter& out);
  Result<KeyState> DecodeKeyState(std::string_view key, ByteReader& in);

  SchemaRef input_schema_;
  SchemaRef output_schema_;
  std::vector<size_t> key_columns_;
  std::unique_ptr<KeyedProcessFunction> function_;
  const Clock* clock_ = SystemClock::Default();

  KeyedState<KeyState> state_;
  TimerQueue event_timers_;
  TimerQueue processing_timers_;
  EventTimeMs watermark_ = kMinWatermark;
  CheckpointedWatermark checkpointed_watermark_;
  // Set while the final timers of a bounded run fire: new timers are dropped.
  bool final_timers_ = false;

  // The call in progress.
  KeyedContext context_{*this};
  std::string key_;
  KeyState* key_state_ = nullptr;
  std::vector<Value> decoded_key_;
  bool key_decoded_ = false;
  EventTimeMs timestamp_ = 0;
  int64_t processing_time_ = 0;
  Status error_;

  Batch pending_;
  RowWriter writer_;
};

/// MakeKeyedProcess: the operator as the runtime takes it; `factory` makes this
/// instance's function.
Result<std::unique_ptr<Operator>> MakeKeyedProcess(SchemaRef input, SchemaRef output,
                                                   std::vector<std::string> keys,
                                                   const KeyedProcessFunctionFactory& factory);

}  // namespace eddy::engine
