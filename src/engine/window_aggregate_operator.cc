#include "src/engine/window_aggregate_operator.h"

#include <algorithm>
#include <unordered_set>

#include "src/engine/checkpointed_watermark.h"
#include "src/engine/key_codec.h"
#include "src/engine/keyed_state.h"
#include "src/engine/state_codec.h"

namespace eddy::engine {
namespace {

/// A result row that was emitted and may have to be retracted later.
struct EmittedRow {
  int64_t start = 0;
  int64_t end = 0;
  std::vector<Value> values;  // one per aggregate
};

/// What the downstream holds for a window: its last emitted row, and the rows of
/// sessions merged into it that still need a retraction.
struct Emitted {
  EmittedRow last;
  std::vector<EmittedRow> absorbed;
};

/// One window of one key. Movable: the accumulators live in `slots`' heap buffer, whose
/// address survives moves of the WindowState (the operator keeps pointers to it while a
/// batch is being assigned).
struct WindowState {
  int64_t start = 0;
  int64_t end = 0;
  /// Changed since its last emission (a new window is dirty).
  bool dirty = false;
  std::vector<AggSlot> slots;
  /// Null until the window is first emitted (and once emitted for the last time).
  std::unique_ptr<Emitted> emitted;
};

/// KeyWindows::timer when the key has no timer.
constexpr EventTimeMs kNoTimer = kMaxWatermark;

/// The state of one key: its open windows (sorted by start; sessions do not overlap).
/// The fields of the per-row fast path come first, in the hash node's first cache line.
struct KeyWindows {
  /// Tumbling fast path: the start and accumulators of the window the key's last row went
  /// to, while that window is dirty (so that a row for it needs nothing but its
  /// accumulators). Saves reading `windows` for the common in-order row. Cleared whenever
  /// the key's windows are emitted or dropped; the accumulators' address survives inserts
  /// into `windows`.
  int64_t hot_start = 0;
  AggSlot* hot_slots = nullptr;
  /// The time of this key's live timer in the timer queue; kNoTimer when none. It is at
  /// or before the earliest time any of the windows needs attention.
  EventTimeMs timer = kNoTimer;
  std::vector<WindowState> windows;
  /// In late_keys_ / early_keys_ (avoids listing a key twice).
  bool listed_late = false;
  bool listed_early = false;
};

class WindowAggregateOperator final : public Operator {
 public:
  WindowAggregateOperator(SchemaRef output, WindowAggregateOptions options,
                          std::vector<size_t> key_columns, Aggregator aggregator)
      : output_(std::move(output)),
        options_(std::move(options)),
        key_columns_(std::move(key_columns)),
        agg_(std::move(aggregator)),
        first_aggregate_column_(key_columns_.size() + 2) {}

  SchemaRef output_schema() const override { return output_; }

  Status Open(const OperatorContext& context) override {
    if (options_.emit_every_ms > 0) next_emit_ms_ = NextEmitAfter(context.clock->NowMs());
    RETURN_IF_ERROR(checkpointed_watermark_.Open(context));
    return Status::OK();
  }

  Status OnBatch(int input, Batch batch, Output& out) override;
  Status OnWatermark(EventTimeMs watermark, Output& out) override;
  Status OnProcessingTime(int64_t now_ms, Output& out) override;
  Status OnEndOfInput(Output& out) override;
  Status SnapshotState(StateWriter& writer) override;
  Status RestoreState(StateReader& reader) override;

 private:
  void EncodeKeyWindows(const KeyWindows& ks, ByteWriter& out) const;
  Result<KeyWindows> DecodeKeyWindows(std::string_view key, ByteReader& in);

  void AssignWindows(const Batch& batch);
  Status AssignSessions(const Batch& batch);
  WindowState& FindOrInsertWindow(KeyWindows& ks, int64_t start, int64_t end);
  /// A clean window got a row: mark it dirty and schedule its emission.
  void Touch(std::string_view key, KeyWindows& ks, WindowState& w) {
    if (w.dirty) return;
    w.dirty = true;
    Schedule(key, ks, w);
  }
  /// Makes sure the dirty window `w` is emitted when due: a timer at its end - 1, and a
  /// place in the list of the late updates (already due) or of the early firings.
  void Schedule(std::string_view key, KeyWindows& ks, const WindowState& w);
  /// Merges sessions ws[first + 1 .. last] into ws[first].
  Status MergeSessions(KeyWindows& ks, size_t first, size_t last);
  /// Adds the rows assigned so far to their windows.
  void FlushAssigned(const Batch& batch) {
    agg_.Add(batch, rows_, targets_);
    rows_.clear();
    targets_.clear();
  }

  bool IsPurged(int64_t end) const {
    return SaturatingAdd(end - 1, options_.allowed_lateness_ms) <= watermark_;
  }
  EventTimeMs NextDue(const KeyWindows& ks) const;
  /// Fires the due windows of a key and drops those past the allowed lateness.
  void ProcessKey(const std::string& key, KeyWindows& ks, Batch& result);
  /// Emits a dirty window: +I, or -D (absorbed sessions) / -U / +U. `keep` says whether
  /// the window stays (so its emitted row must be remembered).
  void EmitWindow(std::string_view key, WindowState& w, Batch& result, bool keep);
  void AppendRow(std::string_view key, int64_t start, int64_t end, const std::vector<Value>& values,
                 ChangeKind kind, Batch& result);
  /// Emits the late updates collected during a batch.
  void EmitLateUpdates(Output& out);
  int64_t NextEmitAfter(int64_t now_ms) const {
    return (now_ms / options_.emit_every_ms + 1) * options_.emit_every_ms;
  }

  const SchemaRef output_;
  const WindowAggregateOptions options_;
  const std::vector<size_t> key_columns_;
  const Aggregator agg_;
  const size_t first_aggregate_column_;

  KeyedState<KeyWindows> state_;
  KeyTimerQueue timers_;
  EventTimeMs watermark_ = kMinWatermark;
  CheckpointedWatermark checkpointed_watermark_;
  /// Keys with a dirty window that is already due (late rows within the lateness).
  std::vector<std::string> late_keys_;
  /// Keys with a dirty window, for the processing-time trigger.
  std::vector<std::string> early_keys_;
  int64_t next_emit_ms_ = -1;

  // Per-batch scratch, kept to reuse its capacity.
  std::string key_;
  std::vector<uint32_t> rows_;
  std::vector<AggSlot*> targets_;
  std::vector<uint32_t> late_rows_;
  std::vector<Value> values_;
  std::string timer_key_;
};

Status WindowAggregateOperator::OnBatch(int input, Batch batch, Output& out) {
  if (input != 0) {
    return Status::InvalidArgument("window aggregate has one input, got a batch for input " +
                                   std::to_string(input));
  }
  if (!batch.is_insert_only()) {
    for (ChangeKind kind : batch.changes()) {
      if (kind != ChangeKind::kInsert) {
        return Status::InvalidArgument("window aggregate takes an append-only stream, got a " +
                                       std::string(ChangeKindName(kind)) + " row");
      }
    }
  }
  rows_.clear();
  targets_.clear();
  late_rows_.clear();
  if (options_.window.is_session()) {
    RETURN_IF_ERROR(AssignSessions(batch));
  } else {
    AssignWindows(batch);
  }
  FlushAssigned(batch);
  if (!late_rows_.empty()) out.EmitLate(batch.Select(late_rows_));
  if (!late_keys_.empty()) EmitLateUpdates(out);
  return Status::OK();
}

void WindowAggregateOperator::AssignWindows(const Batch& batch) {
  const WindowSpec& spec = options_.window;
  const int64_t size = spec.size_ms();
  const int64_t slide = spec.slide_ms();
  const EventTimeMs* times = batch.event_times().data();
  const size_t n = batch.num_rows();
  rows_.reserve(n * static_cast<size_t>((size + slide - 1) / slide));
  for (size_t r = 0; r < n; ++r) {
    const EventTimeMs t = times[r];
    const int64_t latest_start = spec.LatestWindowStart(t);
    if (IsPurged(latest_start + size)) {
      late_rows_.push_back(static_cast<uint32_t>(r));
      continue;
    }
    key_.clear();
    AppendKey(batch, key_columns_, r, key_);
    KeyWindows& ks = state_.GetOrCreate(key_);
    if (slide == size && ks.hot_slots != nullptr && ks.hot_start == latest_start) {
      // The accumulators are updated after the whole batch is assigned: start loading
      // them now so that the update loop finds them in cache.
      __builtin_prefetch(ks.hot_slots, 1);
      rows_.push_back(static_cast<uint32_t>(r));
      targets_.push_back(ks.hot_slots);
      continue;
    }
    for (int64_t start = latest_start; start > t - size; start -= slide) {
      const int64_t end = start + size;
      // Earlier windows end earlier: once one is gone, so are the rest.
      if (IsPurged(end)) break;
      WindowState& w = FindOrInsertWindow(ks, start, end);
      Touch(key_, ks, w);
      rows_.push_back(static_cast<uint32_t>(r));
      targets_.push_back(w.slots.data());
      if (start == latest_start) {
        ks.hot_start = start;
        ks.hot_slots = w.slots.data();
      }
    }
  }
}

WindowState& WindowAggregateOperator::FindOrInsertWindow(KeyWindows& ks, int64_t start,
                                                         int64_t end) {
  // Search from the newest window: rows mostly come in time order.
  std::vector<WindowState>& ws = ks.windows;
  size_t pos = ws.size();
  while (pos > 0) {
    WindowState& w = ws[pos - 1];
    if (w.start == start) return w;
    if (w.start < start) break;
    --pos;
  }
  WindowState w;
  w.start = start;
  w.end = end;
  w.slots = agg_.NewGroup();
  return *ws.insert(ws.begin() + static_cast<ptrdiff_t>(pos), std::move(w));
}

Status WindowAggregateOperator::AssignSessions(const Batch& batch) {
  const int64_t gap = options_.window.gap_ms();
  const EventTimeMs* times = batch.event_times().data();
  const size_t n = batch.num_rows();
  rows_.reserve(n);
  for (size_t r = 0; r < n; ++r) {
    const EventTimeMs t = times[r];
    key_.clear();
    AppendKey(batch, key_columns_, r, key_);
    KeyWindows* found = state_.Find(key_);
    // Sessions [last_overlap .. first_overlap] are those that overlap [t, t + gap): they
    // start before t + gap and end after t (ends are sorted like starts).
    ptrdiff_t last = -1;
    ptrdiff_t first = 0;
    if (found != nullptr) {
      const std::vector<WindowState>& ws = found->windows;
      last = static_cast<ptrdiff_t>(ws.size()) - 1;
      while (last >= 0 && ws[last].start >= t + gap) --last;
      first = last;
      while (first >= 0 && ws[first].end > t) --first;
      ++first;
    }
    if (found == nullptr || first > last) {
      // A new session. Sessions still open never make a row late (they are not past
      // the lateness), so only a row that opens one of its own can be.
      if (IsPurged(t + gap)) {
        late_rows_.push_back(static_cast<uint32_t>(r));
        continue;
      }
      KeyWindows& ks = found != nullptr ? *found : state_.GetOrCreate(key_);
      WindowState w;
      w.start = t;
      w.end = t + gap;
      w.slots = agg_.NewGroup();
      auto it = ks.windows.insert(ks.windows.begin() + (last + 1), std::move(w));
      Touch(key_, ks, *it);
      rows_.push_back(static_cast<uint32_t>(r));
      targets_.push_back(it->slots.data());
      continue;
    }
    KeyWindows& ks = *found;
    bool reshaped = false;
    if (last > first) {
      // The row bridges sessions: the accumulators of the merged-away sessions may be
      // targets of rows assigned earlier in this batch, so add those first.
      FlushAssigned(batch);
      RETURN_IF_ERROR(MergeSessions(ks, static_cast<size_t>(first), static_cast<size_t>(last)));
      reshaped = true;
    }
    WindowState& w = ks.windows[first];
    if (t < w.start) {
      w.start = t;
      reshaped = true;
    }
    if (t + gap > w.end) {
      w.end = t + gap;
      reshaped = true;
    }
    if (!w.dirty || reshaped) {
      w.dirty = true;
      Schedule(key_, ks, w);
    }
    rows_.push_back(static_cast<uint32_t>(r));
    targets_.push_back(w.slots.data());
  }
  return Status::OK();
}

Status WindowAggregateOperator::MergeSessions(KeyWindows& ks, size_t first, size_t last) {
  std::vector<WindowState>& ws = ks.windows;
  WindowState& into = ws[first];
  for (size_t m = first + 1; m <= last; ++m) {
    WindowState& from = ws[m];
    RETURN_IF_ERROR(agg_.Merge(into.slots.data(), from.slots.data()));
    into.end = std::max(into.end, from.end);
    if (from.emitted) {
      if (!into.emitted) {
        into.emitted = std::move(from.emitted);
      } else {
        into.emitted->absorbed.push_back(std::move(from.emitted->last));
        for (EmittedRow& row : from.emitted->absorbed) {
          into.emitted->absorbed.push_back(std::move(row));
        }
      }
    }
  }
  ws.erase(ws.begin() + static_cast<ptrdiff_t>(first + 1),
           ws.begin() + static_cast<ptrdiff_t>(last + 1));
  return Status::OK();
}

void WindowAggregateOperator::Schedule(std::string_view key, KeyWindows& ks, const WindowState& w) {
  const EventTimeMs due = w.end - 1;
  if (due < ks.timer) {
    ks.timer = due;
    timers_.Push(due, key);
  }
  if (due <= watermark_) {
    if (!ks.listed_late) {
      ks.listed_late = true;
      late_keys_.emplace_back(key);
    }
  } else if (options_.emit_every_ms > 0 && !ks.listed_early) {
    ks.listed_early = true;
    early_keys_.emplace_back(key);
  }
}

EventTimeMs WindowAggregateOperator::NextDue(const KeyWindows& ks) const {
  EventTimeMs next = kNoTimer;
  for (const WindowState& w : ks.windows) {
    const EventTimeMs due =
        w.dirty ? w.end - 1 : SaturatingAdd(w.end - 1, options_.allowed_lateness_ms);
    next = std::min(next, due);
  }
  return next;
}

void WindowAggregateOperator::EmitLateUpdates(Output& out) {
  Batch result(output_);
  for (const std::string& key : late_keys_) {
    KeyWindows* ks = state_.Find(key);
    if (ks == nullptr) continue;
    ks->listed_late = false;
    ks->hot_slots = nullptr;
    for (WindowState& w : ks->windows) {
      if (w.dirty && w.end - 1 <= watermark_) EmitWindow(key, w, result, /*keep=*/true);
    }
  }
  late_keys_.clear();
  out.Emit(std::move(result));
}

Status WindowAggregateOperator::OnWatermark(EventTimeMs watermark, Output& out) {
  watermark_ = std::max(watermark_, watermark);
  Batch result(output_);
  while (timers_.HasDue(watermark_)) {
    const EventTimeMs time = timers_.Pop(&timer_key_);
    KeyWindows* ks = state_.Find(timer_key_);
    if (ks == nullptr || ks->timer != time) continue;  // stale: superseded or purged
    ProcessKey(timer_key_, *ks, result);
    if (ks->windows.empty()) {
      state_.Erase(timer_key_);
    } else {
      ks->timer = NextDue(*ks);
      timers_.Push(ks->timer, timer_key_);
    }
  }
  out.Emit(std::move(result));
  return Status::OK();
}

void WindowAggregateOperator::ProcessKey(const std::string& key, KeyWindows& ks, Batch& result) {
  ks.hot_slots = nullptr;
  size_t kept = 0;
  for (size_t i = 0; i < ks.windows.size(); ++i) {
    WindowState& w = ks.windows[i];
    const bool purge = IsPurged(w.end);
    if (w.dirty && w.end - 1 <= watermark_) EmitWindow(key, w, result, /*keep=*/!purge);
    if (purge) continue;
    if (kept != i) ks.windows[kept] = std::move(w);
    ++kept;
  }
  ks.windows.resize(kept);
}

void WindowAggregateOperator::EmitWindow(std::string_view key, WindowState& w, Batch& result,
                                         bool keep) {
  w.dirty = false;
  const size_t nk = key_columns_.size();
  if (!w.emitted && !keep) {
    // The common final firing: straight from the accumulators into the output columns.
    AppendKeyColumns(key, result, 0);
    result.column(nk).AppendInt(w.start);
    result.column(nk + 1).AppendInt(w.end);
    agg_.AppendResults(w.slots.data(), result, first_aggregate_column_);
    result.CommitRow(w.end - 1, ChangeKind::kInsert);
    return;
  }
  agg_.ResultValues(w.slots.data(), values_);
  if (!w.emitted) {
    AppendRow(key, w.start, w.end, values_, ChangeKind::kInsert, result);
    w.emitted = std::make_unique<Emitted>();
    w.emitted->last = EmittedRow{w.start, w.end, std::move(values_)};
    return;
  }
  Emitted& e = *w.emitted;
  for (const EmittedRow& row : e.absorbed) {
    AppendRow(key, row.start, row.end, row.values, ChangeKind::kDelete, result);
  }
  e.absorbed.clear();
  const bool same = e.last.start == w.start && e.last.end == w.end && e.last.values == values_;
  if (!same) {
    AppendRow(key, e.last.start, e.last.end, e.last.values, ChangeKind::kUpdateBefore, result);
    AppendRow(key, w.start, w.end, values_, ChangeKind::kUpdateAfter, result);
  }
  if (keep) {
    e.last = EmittedRow{w.start, w.end, std::move(values_)};
  } else {
    w.emitted.reset();
  }
}

void WindowAggregateOperator::AppendRow(std::string_view key, int64_t start, int64_t end,
                                        const std::vector<Value>& values, ChangeKind kind,
                                        Batch& result) {
  const size_t nk = key_columns_.size();
  AppendKeyColumns(key, result, 0);
  result.column(nk).AppendInt(start);
  result.column(nk + 1).AppendInt(end);
  for (size_t j = 0; j < values.size(); ++j) {
    result.column(first_aggregate_column_ + j).AppendValue(values[j]);
  }
  result.CommitRow(end - 1, kind);
}

Status WindowAggregateOperator::OnProcessingTime(int64_t now_ms, Output& out) {
  if (options_.emit_every_ms <= 0) return Status::OK();
  if (next_emit_ms_ < 0) {
    next_emit_ms_ = NextEmitAfter(now_ms);
    return Status::OK();
  }
  if (now_ms < next_emit_ms_) return Status::OK();
  next_emit_ms_ = NextEmitAfter(now_ms);
  Batch result(output_);
  for (const std::string& key : early_keys_) {
    KeyWindows* ks = state_.Find(key);
    if (ks == nullptr) continue;
    ks->listed_early = false;
    ks->hot_slots = nullptr;
    // Windows still here are not past the lateness (the watermark purges those), so
    // their emitted row is kept for the next update.
    for (WindowState& w : ks->windows) {
      if (w.dirty) EmitWindow(key, w, result, /*keep=*/true);
    }
  }
  early_keys_.clear();
  out.Emit(std::move(result));
  return Status::OK();
}

Status WindowAggregateOperator::OnEndOfInput(Output& out) {
  // The runtime has delivered OnWatermark(kMaxWatermark), which fires and drops every
  // window; this is for callers that did not.
  RETURN_IF_ERROR(OnWatermark(kMaxWatermark, out));
  state_.Clear();
  timers_.Clear();
  late_keys_.clear();
  early_keys_.clear();
  return Status::OK();
}

// ---- checkpoints ----
//
// Table "windows": per key its open windows, each as start, end (varlongs), dirty (a
// byte), the accumulators (Aggregator::EncodeGroup) and what was emitted for it: a byte
// 0/1, then the last emitted row and the number and rows of the absorbed sessions still
// to retract (a row: start, end, the number of values, the values). Table "watermark":
// CheckpointedWatermark. The timer queue and the lists of keys due for an emission are
// rebuilt from the windows (their dirty flags and ends).

namespace {

constexpr std::string_view kWindowsTable = "windows";
constexpr std::string_view kWatermarkTable = "watermark";

void EncodeEmittedRow(const EmittedRow& row, ByteWriter& out) {
  out.WriteVarlong(row.start);
  out.WriteVarlong(row.end);
  out.WriteUnsignedVarint(static_cast<uint32_t>(row.values.size()));
  for (const Value& v : row.values) EncodeValue(v, out);
}

Status DecodeEmittedRow(ByteReader& in, size_t num_values, EmittedRow& row) {
  row.start = in.ReadVarlong();
  row.end = in.ReadVarlong();
  const uint32_t n = in.ReadUnsignedVarint();
  if (!in.ok()) return Status::Corruption("malformed emitted row: " + in.status().message());
  if (n != num_values) {
    return Status::Corruption("emitted row has " + std::to_string(n) + " values, the operator " +
                              std::to_string(num_values) + " aggregates");
  }
  row.values.reserve(n);
  for (uint32_t j = 0; j < n; ++j) {
    ASSIGN_OR_RETURN(Value v, DecodeValue(in));
    row.values.push_back(std::move(v));
  }
  return Status::OK();
}

}  // namespace

void WindowAggregateOperator::EncodeKeyWindows(const KeyWindows& ks, ByteWriter& out) const {
  out.WriteUnsignedVarint(static_cast<uint32_t>(ks.windows.size()));
  for (const WindowState& w : ks.windows) {
    out.WriteVarlong(w.start);
    out.WriteVarlong(w.end);
    out.WriteU8(w.dirty ? 1 : 0);
    agg_.EncodeGroup(w.slots.data(), out);
    out.WriteU8(w.emitted ? 1 : 0);
    if (!w.emitted) continue;
    EncodeEmittedRow(w.emitted->last, out);
    out.WriteUnsignedVarint(static_cast<uint32_t>(w.emitted->absorbed.size()));
    for (const EmittedRow& row : w.emitted->absorbed) EncodeEmittedRow(row, out);
  }
}

Result<KeyWindows> WindowAggregateOperator::DecodeKeyWindows(std::string_view key, ByteReader& in) {
  KeyWindows ks;
  const uint32_t n = in.ReadUnsignedVarint();
  for (uint32_t i = 0; i < n && in.ok(); ++i) {
    WindowState w;
    w.start = in.ReadVarlong();
    w.end = in.ReadVarlong();
    const uint8_t dirty = in.ReadU8();
    if (!in.ok()) break;
    w.dirty = dirty != 0;
    ASSIGN_OR_RETURN(w.slots, agg_.DecodeGroup(in));
    const uint8_t emitted = in.ReadU8();
    if (!in.ok()) break;
    if (emitted != 0) {
      w.emitted = std::make_unique<Emitted>();
      RETURN_IF_ERROR(DecodeEmittedRow(in, agg_.size(), w.emitted->last));
      const uint32_t absorbed = in.ReadUnsignedVarint();
      for (uint32_t a = 0; a < absorbed && in.ok(); ++a) {
        RETURN_IF_ERROR(DecodeEmittedRow(in, agg_.size(), w.emitted->absorbed.emplace_back()));
      }
    }
    if (w.end <= w.start || (!ks.windows.empty() && ks.windows.back().start >= w.start)) {
      in.Fail("window [" + std::to_string(w.start) + ", " + std::to_string(w.end) +
              ") out of order");
      break;
    }
    ks.windows.push_back(std::move(w));
  }
  if (!in.ok()) return Status::Corruption("malformed windows: " + in.status().message());
  if (!in.empty()) return Status::Corruption("windows have trailing bytes");
  // Rebuild the indexes over this key: its timer, and the early-firing list.
  ks.timer = NextDue(ks);
  if (ks.timer != kNoTimer) timers_.Push(ks.timer, key);
  for (const WindowState& w : ks.windows) {
    if (w.dirty) Schedule(key, ks, w);
  }
  return ks;
}

Status WindowAggregateOperator::SnapshotState(StateWriter& writer) {
  RETURN_IF_ERROR(agg_.CheckCheckpointable().WithContext("window aggregate"));
  RETURN_IF_ERROR(checkpointed_watermark_.SnapshotTo(writer, kWatermarkTable, watermark_));
  return state_.SnapshotTo(writer, kWindowsTable, [this](const KeyWindows& ks, ByteWriter& out) {
    EncodeKeyWindows(ks, out);
  });
}

Status WindowAggregateOperator::RestoreState(StateReader& reader) {
  ASSIGN_OR_RETURN(watermark_, checkpointed_watermark_.RestoreFrom(reader, kWatermarkTable));
  timers_.Clear();
  late_keys_.clear();
  early_keys_.clear();
  return state_.RestoreFrom(reader, kWindowsTable, [this](std::string_view key, ByteReader& in) {
    return DecodeKeyWindows(key, in);
  });
}

}  // namespace

Result<SchemaRef> WindowAggregateOutputSchema(const Schema& input,
                                              const WindowAggregateOptions& options) {
  ASSIGN_OR_RETURN(Aggregator agg,
                   Aggregator::Make(input, options.aggregates, AggregatorMode::kAppendOnly));
  std::vector<Field> fields;
  std::unordered_set<std::string> names;
  for (const std::string& key : options.keys) {
    ASSIGN_OR_RETURN(size_t index, input.IndexOf(key));
    fields.push_back(input.field(index));
  }
  fields.push_back(Field{"window_start", DataType::kTimestamp, false});
  fields.push_back(Field{"window_end", DataType::kTimestamp, false});
  for (const Field& f : agg.output_fields()) fields.push_back(f);
  for (const Field& f : fields) {
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument("window aggregate output has two columns named '" + f.name +
                                     "'");
    }
  }
  return MakeSchema(std::move(fields));
}

Result<std::unique_ptr<Operator>> MakeWindowAggregate(SchemaRef input,
                                                      WindowAggregateOptions options) {
  RETURN_IF_ERROR(options.window.Validate());
  if (options.allowed_lateness_ms < 0) {
    return Status::InvalidArgument("allowed lateness must not be negative, got " +
                                   std::to_string(options.allowed_lateness_ms) + " ms");
  }
  if (options.emit_every_ms < 0) {
    return Status::InvalidArgument("emit_every_ms must not be negative, got " +
                                   std::to_string(options.emit_every_ms));
  }
  ASSIGN_OR_RETURN(SchemaRef output, WindowAggregateOutputSchema(*input, options));
  ASSIGN_OR_RETURN(Aggregator agg,
                   Aggregator::Make(*input, options.aggregates, AggregatorMode::kAppendOnly));
  if (options.window.is_session() && !agg.supports_merge()) {
    return Status::InvalidArgument(
        "session windows merge accumulators, and a user aggregate here cannot merge");
  }
  std::vector<size_t> key_columns;
  for (const std::string& key : options.keys) {
    ASSIGN_OR_RETURN(size_t index, input->IndexOf(key));
    key_columns.push_back(index);
  }
  return std::unique_ptr<Operator>(std::make_unique<WindowAggregateOperator>(
      std::move(output), std::move(options), std::move(key_columns), std::move(agg)));
}

}  // namespace eddy::engine
