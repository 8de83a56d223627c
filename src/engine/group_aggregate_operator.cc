#include "src/engine/group_aggregate_operator.h"

#include <algorithm>
#include <unordered_set>

#include "src/engine/key_codec.h"
#include "src/engine/keyed_state.h"
#include "src/engine/state_codec.h"

namespace eddy::engine {
namespace {

struct GroupState {
  /// Created with the group (empty until then, and for a list without aggregates).
  std::vector<AggSlot> slots;
  bool initialized = false;
  /// Rows added minus rows retracted.
  int64_t rows = 0;
  EventTimeMs max_event_time = kMinWatermark;
  /// The result last emitted; meaningful when `emitted`.
  std::vector<Value> last;
  bool emitted = false;
  /// Already in the batch's list of changed groups.
  bool changed = false;
};

class GroupAggregateOperator final : public Operator {
 public:
  GroupAggregateOperator(SchemaRef output, std::vector<size_t> key_columns, Aggregator aggregator)
      : output_(std::move(output)),
        key_columns_(std::move(key_columns)),
        agg_(std::move(aggregator)) {}

  SchemaRef output_schema() const override { return output_; }
  Status OnBatch(int input, Batch batch, Output& out) override;
  Status SnapshotState(StateWriter& writer) override;
  Status RestoreState(StateReader& reader) override;

 private:
  void EncodeGroup(const GroupState& g, ByteWriter& out) const;
  Result<GroupState> DecodeGroup(ByteReader& in) const;

  void AppendRow(std::string_view key, const std::vector<Value>& values, EventTimeMs time,
                 ChangeKind kind, Batch& result) const {
    AppendKeyColumns(key, result, 0);
    for (size_t j = 0; j < values.size(); ++j) {
      result.column(key_columns_.size() + j).AppendValue(values[j]);
    }
    result.CommitRow(time, kind);
  }

  const SchemaRef output_;
  const std::vector<size_t> key_columns_;
  const Aggregator agg_;
  KeyedState<GroupState> state_;

  // Per-batch scratch, kept to reuse its capacity.
  std::string key_;
  std::vector<std::string> changed_;
  std::vector<uint32_t> add_rows_;
  std::vector<AggSlot*> add_targets_;
  std::vector<uint32_t> retract_rows_;
  std::vector<AggSlot*> retract_targets_;
  std::vector<Value> values_;
};

Status GroupAggregateOperator::OnBatch(int input, Batch batch, Output& out) {
  if (input != 0) {
    return Status::InvalidArgument("group aggregate has one input, got a batch for input " +
                                   std::to_string(input));
  }
  add_rows_.clear();
  add_targets_.clear();
  retract_rows_.clear();
  retract_targets_.clear();
  changed_.clear();
  const size_t n = batch.num_rows();
  const EventTimeMs* times = batch.event_times().data();
  for (size_t r = 0; r < n; ++r) {
    key_.clear();
    AppendKey(batch, key_columns_, r, key_);
    GroupState& g = state_.GetOrCreate(key_);
    if (!g.initialized) {
      g.slots = agg_.NewGroup();
      g.initialized = true;
    }
    if (IsAddition(batch.change(r))) {
      ++g.rows;
      add_rows_.push_back(static_cast<uint32_t>(r));
      add_targets_.push_back(g.slots.data());
    } else {
      --g.rows;
      retract_rows_.push_back(static_cast<uint32_t>(r));
      retract_targets_.push_back(g.slots.data());
    }
    g.max_event_time = std::max(g.max_event_time, times[r]);
    if (!g.changed) {
      g.changed = true;
      changed_.push_back(key_);
    }
  }
  // Additions first, so that a retraction always finds the value it removes even when
  // its addition came later in the same batch.
  agg_.Add(batch, add_rows_, add_targets_);
  RETURN_IF_ERROR(agg_.Retract(batch, retract_rows_, retract_targets_));

  Batch result(output_);
  for (const std::string& key : changed_) {
    GroupState* g = state_.Find(key);
    g->changed = false;
    if (g->rows <= 0) {
      if (g->emitted) AppendRow(key, g->last, g->max_event_time, ChangeKind::kDelete, result);
      state_.Erase(key);
      continue;
    }
    agg_.ResultValues(g->slots.data(), values_);
    if (!g->emitted) {
      AppendRow(key, values_, g->max_event_time, ChangeKind::kInsert, result);
      g->emitted = true;
    } else if (values_ != g->last) {
      AppendRow(key, g->last, g->max_event_time, ChangeKind::kUpdateBefore, result);
      AppendRow(key, values_, g->max_event_time, ChangeKind::kUpdateAfter, result);
    } else {
      continue;
    }
    std::swap(g->last, values_);
  }
  out.Emit(std::move(result));
  return Status::OK();
}

// ---- checkpoints ----
//
// Table "groups": per group, rows and max_event_time (varlongs), the accumulators
// (Aggregator::EncodeGroup; a byte 0/1 first says whether the group has them), then a
// byte 0/1 for `emitted` and, when 1, the last emitted values (their number, then each).
// `changed` is only set within an OnBatch call, so it is never part of a snapshot.

constexpr std::string_view kGroupsTable = "groups";

void GroupAggregateOperator::EncodeGroup(const GroupState& g, ByteWriter& out) const {
  out.WriteVarlong(g.rows);
  out.WriteVarlong(g.max_event_time);
  out.WriteU8(g.initialized ? 1 : 0);
  if (g.initialized) agg_.EncodeGroup(g.slots.data(), out);
  out.WriteU8(g.emitted ? 1 : 0);
  if (!g.emitted) return;
  out.WriteUnsignedVarint(static_cast<uint32_t>(g.last.size()));
  for (const Value& v : g.last) EncodeValue(v, out);
}

Result<GroupState> GroupAggregateOperator::DecodeGroup(ByteReader& in) const {
  GroupState g;
  g.rows = in.ReadVarlong();
  g.max_event_time = in.ReadVarlong();
  g.initialized = in.ReadU8() != 0;
  if (!in.ok()) return Status::Corruption("malformed group: " + in.status().message());
  if (g.initialized) {
    ASSIGN_OR_RETURN(g.slots, agg_.DecodeGroup(in));
  }
  g.emitted = in.ReadU8() != 0;
  if (!in.ok()) return Status::Corruption("malformed group: " + in.status().message());
  if (g.emitted) {
    const uint32_t n = in.ReadUnsignedVarint();
    if (!in.ok() || n != agg_.size()) {
      return Status::Corruption("malformed group: last result has " + std::to_string(n) +
                                " values for " + std::to_string(agg_.size()) + " aggregates");
    }
    g.last.reserve(n);
    for (uint32_t j = 0; j < n; ++j) {
      ASSIGN_OR_RETURN(Value v, DecodeValue(in));
      g.last.push_back(std::move(v));
    }
  }
  if (!in.empty()) return Status::Corruption("group has trailing bytes");
  return g;
}

Status GroupAggregateOperator::SnapshotState(StateWriter& writer) {
  RETURN_IF_ERROR(agg_.CheckCheckpointable().WithContext("group aggregate"));
  return state_.SnapshotTo(writer, kGroupsTable,
                           [this](const GroupState& g, ByteWriter& out) { EncodeGroup(g, out); });
}

Status GroupAggregateOperator::RestoreState(StateReader& reader) {
  return state_.RestoreFrom(reader, kGroupsTable,
                            [this](std::string_view, ByteReader& in) { return DecodeGroup(in); });
}

}  // namespace

Result<SchemaRef> GroupAggregateOutputSchema(const Schema& input,
                                             const GroupAggregateOptions& options) {
  ASSIGN_OR_RETURN(Aggregator agg,
                   Aggregator::Make(input, options.aggregates, AggregatorMode::kRetractable));
  std::vector<Field> fields;
  for (const std::string& key : options.keys) {
    ASSIGN_OR_RETURN(size_t index, input.IndexOf(key));
    fields.push_back(input.field(index));
  }
  for (const Field& f : agg.output_fields()) fields.push_back(f);
  std::unordered_set<std::string> names;
  for (const Field& f : fields) {
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument("group aggregate output has two columns named '" + f.name +
                                     "'");
    }
  }
  return MakeSchema(std::move(fields));
}

Result<std::unique_ptr<Operator>> MakeGroupAggregate(SchemaRef input,
                                                     GroupAggregateOptions options) {
  ASSIGN_OR_RETURN(SchemaRef output, GroupAggregateOutputSchema(*input, options));
  ASSIGN_OR_RETURN(Aggregator agg,
                   Aggregator::Make(*input, options.aggregates, AggregatorMode::kRetractable));
  std::vector<size_t> key_columns;
  for (const std::string& key : options.keys) {
    ASSIGN_OR_RETURN(size_t index, input->IndexOf(key));
    key_columns.push_back(index);
  }
  return std::unique_ptr<Operator>(std::make_unique<GroupAggregateOperator>(
      std::move(output), std::move(key_columns), std::move(agg)));
}

}  // namespace eddy::engine
