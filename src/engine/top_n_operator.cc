#include "src/engine/top_n_operator.h"

#include <algorithm>
#include <cmath>

#include "src/engine/checkpointed_watermark.h"
#include "src/engine/key_codec.h"
#include "src/engine/keyed_state.h"
#include "src/engine/state_codec.h"
#include "src/engine/window_spec.h"

namespace eddy::engine {
namespace {

/// A row's order_by value; only the field of the column's storage is used.
struct OrderValue {
  bool null = true;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

struct RankedRow {
  OrderValue value;
  uint32_t row;  // in TopNPartition::rows
};

struct TopNPartition {
  /// The partition's key (partition_by); empty when partition_by is the routing key, which
  /// is then the key of the group.
  std::string key;
  /// The kept rows, plus rows dropped since the last compaction (not referenced).
  Batch rows;
  /// The live rows, best first.
  std::vector<RankedRow> ranked;
  EventTimeMs window_end = kMinWatermark;
};

/// The state of one routing key (route_by): its partitions — exactly one when
/// partition_by is the routing key, the common case.
struct TopNGroup {
  std::vector<TopNPartition> partitions;
  /// The time of this group's live timer in the queue: at or before the earliest
  /// window_end - 1 of its partitions.
  EventTimeMs timer = kMaxWatermark;
};

// Rows dropped from a partition are compacted away once they outnumber the live ones
// (and at least this many), so that a long window with many improvements stays small.
constexpr size_t kCompactAtDeadRows = 64;

class TopNOperator final : public Operator {
 public:
  TopNOperator(SchemaRef input, TopNOptions options, std::vector<size_t> route_columns,
               std::vector<size_t> partition_columns, size_t order_column, size_t end_column)
      : input_(std::move(input)),
        options_(std::move(options)),
        n_(static_cast<size_t>(options_.n)),
        route_columns_(std::move(route_columns)),
        partition_columns_(std::move(partition_columns)),
        order_column_(order_column),
        order_type_(input_->field(order_column).type),
        end_column_(end_column) {}

  SchemaRef output_schema() const override { return input_; }
  Status Open(const OperatorContext& context) override {
    RETURN_IF_ERROR(checkpointed_watermark_.Open(context));
    return Status::OK();
  }
  Status OnBatch(int input, Batch batch, Output& out) override;
  Status OnWatermark(EventTimeMs watermark, Output& out) override;
  Status OnEndOfInput(Output& out) override;
  Status SnapshotState(StateWriter& writer) override;
  Status RestoreState(StateReader& reader) override;

 private:
  TopNPartition& PartitionOf(TopNGroup& g) {
    for (TopNPartition& p : g.partitions) {
      if (p.key == partition_key_) return p;
    }
    TopNPartition& p = g.partitions.emplace_back();
    p.key = partition_key_;
    p.rows = Batch(input_);
    return p;
  }
  void EncodeGroup(const TopNGroup& g, ByteWriter& out) const;
  Result<TopNGroup> DecodeGroup(std::string_view key, ByteReader& in);

  void ReadOrderValue(const Column& col, size_t row, OrderValue& v) const {
    v.null = col.IsNull(row);
    if (v.null) return;
    switch (order_type_) {
      case DataType::kInt64:
      case DataType::kTimestamp:
        v.i = col.ints()[row];
        break;
      case DataType::kBool:
        v.i = col.bools()[row];
        break;
      case DataType::kDouble:
        v.d = col.doubles()[row];
        v.null = std::isnan(v.d);
        break;
      case DataType::kString:
        v.s.assign(col.StringAt(row));
        break;
    }
  }
  /// True when `a` ranks strictly before `b`.
  bool Better(const OrderValue& a, const OrderValue& b) const {
    if (a.null || b.null) return !a.null && b.null;
    bool less = false;
    bool greater = false;
    switch (order_type_) {
      case DataType::kDouble:
        less = a.d < b.d;
        greater = a.d > b.d;
        break;
      case DataType::kString:
        less = a.s < b.s;
        greater = a.s > b.s;
        break;
      default:
        less = a.i < b.i;
        greater = a.i > b.i;
        break;
    }
    return options_.descending ? greater : less;
  }
  bool Tied(const OrderValue& a, const OrderValue& b) const {
    return !Better(a, b) && !Better(b, a);
  }
  void Insert(TopNPartition& p, const Batch& batch, size_t row);
  void Compact(TopNPartition& p);
  void Emit(const TopNPartition& p, Batch& result) const {
    for (const RankedRow& ranked : p.ranked) {
      result.AppendRow(p.rows, ranked.row, p.window_end - 1, ChangeKind::kInsert);
    }
  }

  const SchemaRef input_;
  const TopNOptions options_;
  const size_t n_;
  /// The columns the input is hashed by (state is keyed by them), and the partition's
  /// columns when they are more (else empty).
  const std::vector<size_t> route_columns_;
  const std::vector<size_t> partition_columns_;
  const size_t order_column_;
  const DataType order_type_;
  const size_t end_column_;

  KeyedState<TopNGroup> state_;
  KeyTimerQueue timers_;
  EventTimeMs watermark_ = kMinWatermark;
  CheckpointedWatermark checkpointed_watermark_;

  std::string key_;
  std::string partition_key_;
  std::string timer_key_;
  OrderValue value_;
  std::vector<uint32_t> late_rows_;
};

Status TopNOperator::OnBatch(int input, Batch batch, Output& out) {
  if (input != 0) {
    return Status::InvalidArgument("top-n has one input, got a batch for input " +
                                   std::to_string(input));
  }
  late_rows_.clear();
  const Column& ends = batch.column(end_column_);
  const Column& order = batch.column(order_column_);
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    if (batch.change(r) != ChangeKind::kInsert) {
      return Status::InvalidArgument("top-n takes an append-only stream, got a " +
                                     std::string(ChangeKindName(batch.change(r))) + " row");
    }
    if (ends.IsNull(r) || ends.ints()[r] - 1 <= watermark_) {
      late_rows_.push_back(static_cast<uint32_t>(r));
      continue;
    }
    const EventTimeMs window_end = ends.ints()[r];
    ReadOrderValue(order, r, value_);
    key_.clear();
    AppendKey(batch, route_columns_, r, key_);
    partition_key_.clear();
    if (!partition_columns_.empty()) AppendKey(batch, partition_columns_, r, partition_key_);
    TopNGroup& g = state_.GetOrCreate(key_);
    TopNPartition& p = PartitionOf(g);
    if (window_end > p.window_end) p.window_end = window_end;
    if (window_end - 1 < g.timer) {
      g.timer = window_end - 1;
      timers_.Push(g.timer, key_);
    }
    // Skip rows that cannot be in the top n without touching the partition's rows.
    if (p.ranked.size() >= n_) {
      const OrderValue& nth = p.ranked[n_ - 1].value;
      const bool out_ranked = options_.with_ties ? Better(nth, value_) : !Better(value_, nth);
      if (out_ranked) continue;
    }
    Insert(p, batch, r);
  }
  if (!late_rows_.empty()) out.EmitLate(batch.Select(late_rows_));
  return Status::OK();
}

void TopNOperator::Insert(TopNPartition& p, const Batch& batch, size_t row) {
  // After every row ranked at least as high (equal rows keep their arrival order).
  auto pos = std::partition_point(p.ranked.begin(), p.ranked.end(),
                                  [&](const RankedRow& e) { return !Better(value_, e.value); });
  p.rows.AppendRow(batch, row);
  p.ranked.insert(pos, RankedRow{value_, static_cast<uint32_t>(p.rows.num_rows() - 1)});
  if (p.ranked.size() > n_) {
    size_t keep = n_;
    if (options_.with_ties) {
      const OrderValue& nth = p.ranked[n_ - 1].value;
      while (keep < p.ranked.size() && Tied(p.ranked[keep].value, nth)) ++keep;
    }
    p.ranked.resize(keep);
  }
  const size_t dead = p.rows.num_rows() - p.ranked.size();
  if (dead >= kCompactAtDeadRows && dead > p.ranked.size()) Compact(p);
}

void TopNOperator::Compact(TopNPartition& p) {
  std::vector<uint32_t> live;
  live.reserve(p.ranked.size());
  for (RankedRow& ranked : p.ranked) {
    live.push_back(ranked.row);
    ranked.row = static_cast<uint32_t>(live.size() - 1);
  }
  p.rows = p.rows.Select(live);
}

Status TopNOperator::OnWatermark(EventTimeMs watermark, Output& out) {
  watermark_ = std::max(watermark_, watermark);
  Batch result(input_);
  while (timers_.HasDue(watermark_)) {
    const EventTimeMs time = timers_.Pop(&timer_key_);
    TopNGroup* g = state_.Find(timer_key_);
    if (g == nullptr || g->timer != time) continue;
    // Emit the partitions whose window closed; a later row may have moved a partition's
    // end, and other partitions may close later: wait for those.
    EventTimeMs next = kMaxWatermark;
    size_t kept = 0;
    for (size_t i = 0; i < g->partitions.size(); ++i) {
      TopNPartition& p = g->partitions[i];
      if (p.window_end - 1 <= watermark_) {
        Emit(p, result);
        continue;
      }
      next = std::min(next, p.window_end - 1);
      if (kept != i) g->partitions[kept] = std::move(p);
      ++kept;
    }
    if (kept == 0) {
      state_.Erase(timer_key_);
      continue;
    }
    g->partitions.resize(kept);
    g->timer = next;
    timers_.Push(next, timer_key_);
  }
  out.Emit(std::move(result));
  return Status::OK();
}

Status TopNOperator::OnEndOfInput(Output& out) {
  RETURN_IF_ERROR(OnWatermark(kMaxWatermark, out));
  // Nothing should be left; emit whatever is, rather than lose it.
  Batch result(input_);
  state_.ForEachReadOnly([&](const std::string&, const TopNGroup& g) {
    for (const TopNPartition& p : g.partitions) Emit(p, result);
  });
  state_.Clear();
  timers_.Clear();
  out.Emit(std::move(result));
  return Status::OK();
}

// ---- checkpoints ----
//
// Table "partitions": per routing key the number of partitions, then per partition its
// key (unsigned varint length, bytes), window_end (varlong), and its live rows best first
// (their number, then each as EncodeRow writes it). The ranking values are read back from
// the rows; the group's timer is rebuilt from the window ends. Table "watermark":
// CheckpointedWatermark.

constexpr std::string_view kPartitionsTable = "partitions";
constexpr std::string_view kWatermarkTable = "watermark";

void TopNOperator::EncodeGroup(const TopNGroup& g, ByteWriter& out) const {
  out.WriteUnsignedVarint(static_cast<uint32_t>(g.partitions.size()));
  for (const TopNPartition& p : g.partitions) {
    out.WriteUnsignedVarint(static_cast<uint32_t>(p.key.size()));
    out.WriteBytes(p.key);
    out.WriteVarlong(p.window_end);
    out.WriteUnsignedVarint(static_cast<uint32_t>(p.ranked.size()));
    for (const RankedRow& ranked : p.ranked) EncodeRow(p.rows, ranked.row, out);
  }
}

Result<TopNGroup> TopNOperator::DecodeGroup(std::string_view key, ByteReader& in) {
  TopNGroup g;
  const uint32_t n = in.ReadUnsignedVarint();
  for (uint32_t i = 0; i < n && in.ok(); ++i) {
    TopNPartition& p = g.partitions.emplace_back();
    const uint32_t key_size = in.ReadUnsignedVarint();
    p.key.assign(AsStringView(in.ReadBytes(key_size)));
    p.window_end = in.ReadVarlong();
    const uint32_t rows = in.ReadUnsignedVarint();
    if (!in.ok()) break;
    if (p.window_end == kMinWatermark) {
      in.Fail("partition without a window end");
      break;
    }
    p.rows = Batch(input_);
    for (uint32_t r = 0; r < rows; ++r) {
      RETURN_IF_ERROR(DecodeRow(in, p.rows));
      RankedRow& ranked = p.ranked.emplace_back();
      ranked.row = r;
      ReadOrderValue(p.rows.column(order_column_), r, ranked.value);
    }
    g.timer = std::min(g.timer, p.window_end - 1);
  }
  if (!in.ok()) return Status::Corruption("malformed top-n partitions: " + in.status().message());
  if (g.partitions.empty()) return Status::Corruption("top-n state without a partition");
  if (!in.empty()) return Status::Corruption("top-n partitions have trailing bytes");
  timers_.Push(g.timer, key);
  return g;
}

Status TopNOperator::SnapshotState(StateWriter& writer) {
  RETURN_IF_ERROR(checkpointed_watermark_.SnapshotTo(writer, kWatermarkTable, watermark_));
  return state_.SnapshotTo(writer, kPartitionsTable,
                           [this](const TopNGroup& g, ByteWriter& out) { EncodeGroup(g, out); });
}

Status TopNOperator::RestoreState(StateReader& reader) {
  ASSIGN_OR_RETURN(watermark_, checkpointed_watermark_.RestoreFrom(reader, kWatermarkTable));
  timers_.Clear();
  return state_.RestoreFrom(reader, kPartitionsTable, [this](std::string_view key, ByteReader& in) {
    return DecodeGroup(key, in);
  });
}

}  // namespace

Result<std::unique_ptr<Operator>> MakeTopN(SchemaRef input, TopNOptions options) {
  if (options.n < 1) {
    return Status::InvalidArgument("top-n needs n >= 1, got " + std::to_string(options.n));
  }
  std::vector<size_t> partition_columns;
  for (const std::string& name : options.partition_by) {
    ASSIGN_OR_RETURN(size_t index, input->IndexOf(name));
    partition_columns.push_back(index);
  }
  // State is keyed by the routing columns; the partition's own key is kept beside them
  // only when it has more columns.
  std::vector<size_t> route_columns = partition_columns;
  if (!options.route_by.empty() && options.route_by != options.partition_by) {
    route_columns.clear();
    for (const std::string& name : options.route_by) {
      if (std::find(options.partition_by.begin(), options.partition_by.end(), name) ==
          options.partition_by.end()) {
        return Status::InvalidArgument(
            "top-n input is partitioned by '" + name +
            "', which is not a partition_by column: a partition's rows would be split "
            "between parallel instances");
      }
      ASSIGN_OR_RETURN(size_t index, input->IndexOf(name));
      route_columns.push_back(index);
    }
  } else {
    partition_columns.clear();
  }
  ASSIGN_OR_RETURN(size_t order_column, input->IndexOf(options.order_by));
  ASSIGN_OR_RETURN(size_t end_column, input->IndexOf(options.window_end_column));
  if (!IsIntegerLike(input->field(end_column).type)) {
    return Status::InvalidArgument("top-n window end column '" + options.window_end_column +
                                   "' must be a timestamp or int64, it is " +
                                   std::string(DataTypeName(input->field(end_column).type)));
  }
  return std::unique_ptr<Operator>(
      std::make_unique<TopNOperator>(std::move(input), std::move(options), std::move(route_columns),
                                     std::move(partition_columns), order_column, end_column));
}

}  // namespace eddy::engine
