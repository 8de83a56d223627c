#include "src/engine/top_n_operator.h"

#include <algorithm>
#include <cmath>

#include "src/engine/key_codec.h"
#include "src/engine/keyed_state.h"
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
  /// The kept rows, plus rows dropped since the last compaction (not referenced).
  Batch rows;
  /// The live rows, best first.
  std::vector<RankedRow> ranked;
  EventTimeMs window_end = kMinWatermark;
  /// The time of this partition's live timer in the queue.
  EventTimeMs timer = kMaxWatermark;
};

// Rows dropped from a partition are compacted away once they outnumber the live ones
// (and at least this many), so that a long window with many improvements stays small.
constexpr size_t kCompactAtDeadRows = 64;

class TopNOperator final : public Operator {
 public:
  TopNOperator(SchemaRef input, TopNOptions options, std::vector<size_t> partition_columns,
               size_t order_column, size_t end_column)
      : input_(std::move(input)),
        options_(std::move(options)),
        n_(static_cast<size_t>(options_.n)),
        partition_columns_(std::move(partition_columns)),
        order_column_(order_column),
        order_type_(input_->field(order_column).type),
        end_column_(end_column) {}

  SchemaRef output_schema() const override { return input_; }
  Status OnBatch(int input, Batch batch, Output& out) override;
  Status OnWatermark(EventTimeMs watermark, Output& out) override;
  Status OnEndOfInput(Output& out) override;

 private:
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
  void Emit(TopNPartition& p, Batch& result) const {
    for (const RankedRow& ranked : p.ranked) {
      result.AppendRow(p.rows, ranked.row, p.window_end - 1, ChangeKind::kInsert);
    }
  }

  const SchemaRef input_;
  const TopNOptions options_;
  const size_t n_;
  const std::vector<size_t> partition_columns_;
  const size_t order_column_;
  const DataType order_type_;
  const size_t end_column_;

  KeyedState<TopNPartition> state_;
  KeyTimerQueue timers_;
  EventTimeMs watermark_ = kMinWatermark;

  std::string key_;
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
    AppendKey(batch, partition_columns_, r, key_);
    TopNPartition& p = state_.GetOrCreate(key_);
    if (p.rows.schema() == nullptr) p.rows = Batch(input_);
    if (window_end > p.window_end) p.window_end = window_end;
    if (window_end - 1 < p.timer) {
      p.timer = window_end - 1;
      timers_.Push(p.timer, key_);
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
    TopNPartition* p = state_.Find(timer_key_);
    if (p == nullptr || p->timer != time) continue;
    if (p->window_end - 1 > watermark_) {
      // A later row moved the partition's end: wait for it.
      p->timer = p->window_end - 1;
      timers_.Push(p->timer, timer_key_);
      continue;
    }
    Emit(*p, result);
    state_.Erase(timer_key_);
  }
  out.Emit(std::move(result));
  return Status::OK();
}

Status TopNOperator::OnEndOfInput(Output& out) {
  RETURN_IF_ERROR(OnWatermark(kMaxWatermark, out));
  // Nothing should be left; emit whatever is, rather than lose it.
  Batch result(input_);
  state_.ForEach([&](const std::string&, TopNPartition& p) { Emit(p, result); });
  state_.Clear();
  timers_.Clear();
  out.Emit(std::move(result));
  return Status::OK();
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
  ASSIGN_OR_RETURN(size_t order_column, input->IndexOf(options.order_by));
  ASSIGN_OR_RETURN(size_t end_column, input->IndexOf(options.window_end_column));
  if (!IsIntegerLike(input->field(end_column).type)) {
    return Status::InvalidArgument("top-n window end column '" + options.window_end_column +
                                   "' must be a timestamp or int64, it is " +
                                   std::string(DataTypeName(input->field(end_column).type)));
  }
  return std::unique_ptr<Operator>(
      std::make_unique<TopNOperator>(std::move(input), std::move(options),
                                     std::move(partition_columns), order_column, end_column));
}

}  // namespace eddy::engine
