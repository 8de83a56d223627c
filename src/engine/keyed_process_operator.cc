#include "src/engine/keyed_process_operator.h"

#include <algorithm>

#include "src/engine/join_schema.h"
#include "src/engine/key_codec.h"
#include "src/engine/state_codec.h"

namespace eddy::engine {
namespace {

// Inserts `t` into the sorted, unique `times`; false when it was there.
bool InsertSorted(std::vector<int64_t>& times, int64_t t) {
  auto it = std::lower_bound(times.begin(), times.end(), t);
  if (it != times.end() && *it == t) return false;
  times.insert(it, t);
  return true;
}

// Removes `t` from the sorted `times`; false when it was not there.
bool EraseSorted(std::vector<int64_t>& times, int64_t t) {
  auto it = std::lower_bound(times.begin(), times.end(), t);
  if (it == times.end() || *it != t) return false;
  times.erase(it);
  return true;
}

bool ValueFits(const Value& value, DataType type) {
  if (value.is_null()) return true;
  if (IsIntegerLike(type)) return IsIntegerLike(value.type());
  return value.type() == type;
}

}  // namespace

// ---- KeyedContext ----

const std::vector<Value>& KeyedContext::current_key() {
  if (!op_.key_decoded_) {
    op_.decoded_key_ = DecodeKey(op_.key_);
    op_.key_decoded_ = true;
  }
  return op_.decoded_key_;
}

std::string_view KeyedContext::current_key_bytes() const { return op_.key_; }

EventTimeMs KeyedContext::timestamp() const { return op_.timestamp_; }

Value* KeyedContext::GetState(std::string_view name) {
  for (auto& [n, value] : op_.key_state_->values) {
    if (n == name) return &value;
  }
  return nullptr;
}

void KeyedContext::SetState(std::string_view name, Value value) {
  if (Value* existing = GetState(name)) {
    *existing = std::move(value);
    return;
  }
  op_.key_state_->values.emplace_back(std::string(name), std::move(value));
}

void KeyedContext::ClearState(std::string_view name) {
  auto& values = op_.key_state_->values;
  for (auto it = values.begin(); it != values.end(); ++it) {
    if (it->first == name) {
      values.erase(it);
      return;
    }
  }
}

std::vector<Value>& KeyedContext::ListState(std::string_view name) {
  for (auto& [n, list] : op_.key_state_->lists) {
    if (n == name) return list;
  }
  return op_.key_state_->lists.emplace_back(std::string(name), std::vector<Value>()).second;
}

void KeyedContext::RegisterEventTimeTimer(EventTimeMs time) {
  if (op_.final_timers_) return;
  if (InsertSorted(op_.key_state_->event_timers, time)) op_.event_timers_.emplace(time, op_.key_);
}

void KeyedContext::DeleteEventTimeTimer(EventTimeMs time) {
  if (EraseSorted(op_.key_state_->event_timers, time)) {
    op_.event_timers_.erase({time, op_.key_});
  }
}

void KeyedContext::RegisterProcessingTimeTimer(int64_t time_ms) {
  if (op_.final_timers_) return;
  if (InsertSorted(op_.key_state_->processing_timers, time_ms)) {
    op_.processing_timers_.emplace(time_ms, op_.key_);
  }
}

void KeyedContext::DeleteProcessingTimeTimer(int64_t time_ms) {
  if (EraseSorted(op_.key_state_->processing_timers, time_ms)) {
    op_.processing_timers_.erase({time_ms, op_.key_});
  }
}

EventTimeMs KeyedContext::current_watermark() const { return op_.watermark_; }

int64_t KeyedContext::current_processing_time() const { return op_.processing_time_; }

RowWriter& KeyedContext::Output() { return op_.writer_; }

void KeyedContext::Emit(const std::vector<Value>& values, EventTimeMs event_time, ChangeKind kind) {
  const Schema& schema = *op_.output_schema_;
  if (values.size() != schema.num_fields()) {
    Fail(Status::InvalidArgument("keyed process: Emit got " + std::to_string(values.size()) +
                                 " values for an output of " + std::to_string(schema.num_fields()) +
                                 " columns (" + schema.ToString() + ")"));
    return;
  }
  for (size_t c = 0; c < values.size(); ++c) {
    if (!ValueFits(values[c], schema.field(c).type)) {
      Fail(Status::InvalidArgument(
          "keyed process: Emit got " + std::string(DataTypeName(values[c].type())) + " " +
          values[c].ToString() + " for output column '" + schema.field(c).name + "' of type " +
          std::string(DataTypeName(schema.field(c).type))));
      return;
    }
  }
  op_.pending_.AppendValues(values, event_time, kind);
}

void KeyedContext::Fail(Status status) {
  if (op_.error_.ok()) op_.error_ = std::move(status);
}

// ---- KeyedProcessOperator ----

Result<std::unique_ptr<KeyedProcessOperator>> KeyedProcessOperator::Make(
    SchemaRef input, SchemaRef output, std::vector<std::string> keys,
    const KeyedProcessFunctionFactory& factory) {
  if (keys.empty()) return Status::InvalidArgument("keyed process: keys is empty");
  ASSIGN_OR_RETURN(std::vector<size_t> key_columns,
                   ResolveColumns(*input, keys, "keyed process keys"));
  std::unique_ptr<KeyedProcessFunction> function = factory ? factory() : nullptr;
  if (function == nullptr) {
    return Status::InvalidArgument("keyed process: the function factory made no function");
  }
  return std::unique_ptr<KeyedProcessOperator>(new KeyedProcessOperator(
      std::move(input), std::move(output), std::move(key_columns), std::move(function)));
}

KeyedProcessOperator::KeyedProcessOperator(SchemaRef input, SchemaRef output,
                                           std::vector<size_t> keys,
                                           std::unique_ptr<KeyedProcessFunction> function)
    : input_schema_(std::move(input)),
      output_schema_(output),
      key_columns_(std::move(keys)),
      function_(std::move(function)),
      pending_(std::move(output)),
      writer_(pending_) {}

Status KeyedProcessOperator::Open(const OperatorContext& context) {
  if (context.clock != nullptr) clock_ = context.clock;
  RETURN_IF_ERROR(checkpointed_watermark_.Open(context));
  return Status::OK();
}

void KeyedProcessOperator::Enter(std::string_view key, EventTimeMs timestamp) {
  if (key_ != key) {
    key_.assign(key);
    key_decoded_ = false;
  }
  key_state_ = &state_.GetOrCreate(key_);
  timestamp_ = timestamp;
}

Status KeyedProcessOperator::Leave() {
  auto& lists = key_state_->lists;
  lists.erase(std::remove_if(lists.begin(), lists.end(),
                             [](const auto& list) { return list.second.empty(); }),
              lists.end());
  if (key_state_->empty()) state_.Erase(key_);
  key_state_ = nullptr;
  // A row begun through Output() but never committed would misalign the batch.
  for (size_t c = 0; c < pending_.num_columns(); ++c) {
    if (pending_.column(c).size() != pending_.num_rows()) {
      return Status::FailedPrecondition("keyed process: the function set output column '" +
                                        output_schema_->field(c).name +
                                        "' without committing the row (RowWriter::Commit)");
    }
  }
  return std::exchange(error_, Status::OK());
}

void KeyedProcessOperator::Flush(Output& out) {
  if (!pending_.empty()) out.Emit(std::exchange(pending_, Batch(output_schema_)));
}

Status KeyedProcessOperator::OnBatch(int input, Batch batch, Output& out) {
  if (input != 0) {
    return Status::InvalidArgument("keyed process: no input " + std::to_string(input));
  }
  processing_time_ = clock_->NowMs();
  std::string row_key;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    row_key.clear();
    AppendKey(batch, key_columns_, row, row_key);
    Enter(row_key, batch.event_time(row));
    function_->ProcessElement(RowRef(batch, row), context_);
    RETURN_IF_ERROR(Leave());
  }
  Flush(out);
  return Status::OK();
}

Status KeyedProcessOperator::FireEventTimers(EventTimeMs watermark) {
  while (!event_timers_.empty() && event_timers_.begin()->first <= watermark) {
    auto node = event_timers_.extract(event_timers_.begin());
    const EventTimeMs t = node.value().first;
    KeyState* state = state_.Find(node.value().second);
    if (state == nullptr || !EraseSorted(state->event_timers, t)) continue;
    Enter(node.value().second, t);
    function_->OnTimer(t, TimeDomain::kEventTime, context_);
    RETURN_IF_ERROR(Leave());
  }
  return Status::OK();
}

Status KeyedProcessOperator::OnWatermark(EventTimeMs watermark, Output& out) {
  watermark_ = std::max(watermark_, watermark);
  processing_time_ = clock_->NowMs();
  final_timers_ = watermark_ == kMaxWatermark;
  Status status = FireEventTimers(watermark_);
  final_timers_ = false;
  Flush(out);
  return status;
}

Status KeyedProcessOperator::FireProcessingTimers(int64_t now_ms) {
  // Take the due timers first: one registered while they fire waits for the next call,
  // so a timer that re-registers itself for `now` cannot spin here.
  std::vector<std::pair<int64_t, std::string>> due;
  while (!processing_timers_.empty() && processing_timers_.begin()->first <= now_ms) {
    due.push_back(std::move(processing_timers_.extract(processing_timers_.begin()).value()));
  }
  for (auto& [t, key] : due) {
    KeyState* state = state_.Find(key);
    // Deleted by an earlier timer of this pass.
    if (state == nullptr || !EraseSorted(state->processing_timers, t)) continue;
    Enter(key, t);
    function_->OnTimer(t, TimeDomain::kProcessingTime, context_);
    RETURN_IF_ERROR(Leave());
  }
  return Status::OK();
}

Status KeyedProcessOperator::OnProcessingTime(int64_t now_ms, Output& out) {
  processing_time_ = now_ms;
  Status status = FireProcessingTimers(now_ms);
  Flush(out);
  return status;
}

Status KeyedProcessOperator::OnEndOfInput(Output& out) {
  processing_time_ = clock_->NowMs();
  final_timers_ = true;
  Status status = FireEventTimers(kMaxWatermark);
  if (status.ok()) status = FireProcessingTimers(kMaxWatermark);
  final_timers_ = false;
  Flush(out);
  return status;
}

// ---- checkpoints ----
//
// Table "keys": per key its named values (their number, then each name as an unsigned
// varint length and bytes, and the value), its named lists (their number, then each
// name, length and values), its event-time timers and its processing-time timers (each a
// number then varlongs, ascending). Table "watermark": CheckpointedWatermark.

namespace {

constexpr std::string_view kKeysTable = "keys";
constexpr std::string_view kWatermarkTable = "watermark";

void WriteName(std::string_view name, ByteWriter& out) {
  out.WriteUnsignedVarint(static_cast<uint32_t>(name.size()));
  out.WriteBytes(name);
}

std::string ReadName(ByteReader& in) {
  const uint32_t n = in.ReadUnsignedVarint();
  return std::string(AsStringView(in.ReadBytes(n)));
}

void WriteTimes(const std::vector<int64_t>& times, ByteWriter& out) {
  out.WriteUnsignedVarint(static_cast<uint32_t>(times.size()));
  for (int64_t t : times) out.WriteVarlong(t);
}

// Reads timers; fails `in` unless they ascend strictly (the state's invariant).
void ReadTimes(ByteReader& in, std::vector<int64_t>& times) {
  const uint32_t n = in.ReadUnsignedVarint();
  for (uint32_t i = 0; i < n && in.ok(); ++i) {
    const int64_t t = in.ReadVarlong();
    if (!times.empty() && t <= times.back()) {
      in.Fail("timers out of order");
      return;
    }
    times.push_back(t);
  }
}

}  // namespace

void KeyedProcessOperator::EncodeKeyState(const KeyState& state, ByteWriter& out) {
  out.WriteUnsignedVarint(static_cast<uint32_t>(state.values.size()));
  for (const auto& [name, value] : state.values) {
    WriteName(name, out);
    EncodeValue(value, out);
  }
  out.WriteUnsignedVarint(static_cast<uint32_t>(state.lists.size()));
  for (const auto& [name, list] : state.lists) {
    WriteName(name, out);
    out.WriteUnsignedVarint(static_cast<uint32_t>(list.size()));
    for (const Value& value : list) EncodeValue(value, out);
  }
  WriteTimes(state.event_timers, out);
  WriteTimes(state.processing_timers, out);
}

Result<KeyedProcessOperator::KeyState> KeyedProcessOperator::DecodeKeyState(std::string_view key,
                                                                            ByteReader& in) {
  KeyState state;
  const uint32_t values = in.ReadUnsignedVarint();
  for (uint32_t i = 0; i < values && in.ok(); ++i) {
    std::string name = ReadName(in);
    if (!in.ok()) break;
    ASSIGN_OR_RETURN(Value value, DecodeValue(in));
    state.values.emplace_back(std::move(name), std::move(value));
  }
  const uint32_t lists = in.ReadUnsignedVarint();
  for (uint32_t i = 0; i < lists && in.ok(); ++i) {
    std::string name = ReadName(in);
    const uint32_t n = in.ReadUnsignedVarint();
    if (!in.ok()) break;
    std::vector<Value> list;
    for (uint32_t j = 0; j < n; ++j) {
      ASSIGN_OR_RETURN(Value value, DecodeValue(in));
      list.push_back(std::move(value));
    }
    state.lists.emplace_back(std::move(name), std::move(list));
  }
  ReadTimes(in, state.event_timers);
  ReadTimes(in, state.processing_timers);
  if (!in.ok()) return Status::Corruption("malformed key state: " + in.status().message());
  if (!in.empty()) return Status::Corruption("key state has trailing bytes");
  const std::string owned(key);
  for (EventTimeMs t : state.event_timers) event_timers_.emplace(t, owned);
  for (int64_t t : state.processing_timers) processing_timers_.emplace(t, owned);
  return state;
}

Status KeyedProcessOperator::SnapshotState(StateWriter& writer) {
  RETURN_IF_ERROR(checkpointed_watermark_.SnapshotTo(writer, kWatermarkTable, watermark_));
  return state_.SnapshotTo(writer, kKeysTable, &KeyedProcessOperator::EncodeKeyState);
}

Status KeyedProcessOperator::RestoreState(StateReader& reader) {
  ASSIGN_OR_RETURN(watermark_, checkpointed_watermark_.RestoreFrom(reader, kWatermarkTable));
  event_timers_.clear();
  processing_timers_.clear();
  return state_.RestoreFrom(reader, kKeysTable, [this](std::string_view key, ByteReader& in) {
    return DecodeKeyState(key, in);
  });
}

Result<std::unique_ptr<Operator>> MakeKeyedProcess(SchemaRef input, SchemaRef output,
                                                   std::vector<std::string> keys,
                                                   const KeyedProcessFunctionFactory& factory) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<KeyedProcessOperator> op,
      KeyedProcessOperator::Make(std::move(input), std::move(output), std::move(keys), factory));
  return std::unique_ptr<Operator>(std::move(op));
}

}  // namespace eddy::engine
