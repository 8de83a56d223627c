#include "src/engine/window_assign_operator.h"

namespace eddy::engine {
namespace {

class WindowAssignOperator final : public Operator {
 public:
  WindowAssignOperator(SchemaRef output, WindowSpec window)
      : output_(std::move(output)), window_(window) {}

  SchemaRef output_schema() const override { return output_; }

  Status OnBatch(int input, Batch batch, Output& out) override {
    if (input != 0) {
      return Status::InvalidArgument("window assign has one input, got a batch for input " +
                                     std::to_string(input));
    }
    if (batch.empty()) return Status::OK();
    const int64_t size = window_.size_ms();
    const int64_t slide = window_.slide_ms();
    if (slide == size) {
      out.Emit(
          Widen(std::move(batch), [&](size_t, const EventTimeMs t, Column& starts, Column& ends) {
            const int64_t start = window_.LatestWindowStart(t);
            starts.ints().push_back(start);
            ends.ints().push_back(start + size);
          }));
      return Status::OK();
    }
    // Hopping: the row once per window, earliest first.
    rows_.clear();
    starts_.clear();
    const EventTimeMs* times = batch.event_times().data();
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      const int64_t latest = window_.LatestWindowStart(times[r]);
      int64_t earliest = latest;
      while (earliest - slide > times[r] - size) earliest -= slide;
      for (int64_t start = earliest; start <= latest; start += slide) {
        rows_.push_back(static_cast<uint32_t>(r));
        starts_.push_back(start);
      }
    }
    out.Emit(Widen(batch.Select(rows_), [&](size_t r, EventTimeMs, Column& starts, Column& ends) {
      starts.ints().push_back(starts_[r]);
      ends.ints().push_back(starts_[r] + size);
    }));
    return Status::OK();
  }

 private:
  /// Moves the columns of `in` into a batch of the output schema and fills the two
  /// window columns with `fill(row, event_time, starts, ends)`, one value each per row.
  template <typename Fill>
  Batch Widen(Batch in, Fill&& fill) const {
    const size_t n = in.num_rows();
    const size_t ncols = in.num_columns();
    Batch out(output_);
    for (size_t c = 0; c < ncols; ++c) out.column(c) = std::move(in.column(c));
    Column& starts = out.column(ncols);
    Column& ends = out.column(ncols + 1);
    starts.ints().reserve(n);
    ends.ints().reserve(n);
    const EventTimeMs* times = in.event_times().data();
    for (size_t r = 0; r < n; ++r) fill(r, times[r], starts, ends);
    starts.CommitAppended(n);
    ends.CommitAppended(n);
    if (in.is_insert_only()) {
      out.event_times() = std::move(in.event_times());
    } else {
      out.Reserve(n);
      for (size_t r = 0; r < n; ++r) out.CommitRow(in.event_time(r), in.change(r));
    }
    return out;
  }

  const SchemaRef output_;
  const WindowSpec window_;
  std::vector<uint32_t> rows_;
  std::vector<int64_t> starts_;
};

}  // namespace

Result<std::unique_ptr<Operator>> MakeWindowAssign(SchemaRef input, WindowSpec window) {
  RETURN_IF_ERROR(window.Validate());
  if (window.is_session()) {
    return Status::InvalidArgument(
        "window assign takes tumbling or hopping windows; sessions need a window aggregate");
  }
  std::vector<Field> fields = input->fields();
  for (const char* name : {"window_start", "window_end"}) {
    if (input->FindIndex(name)) {
      return Status::InvalidArgument(std::string("window assign: the input already has a '") +
                                     name + "' column (" + input->ToString() + ")");
    }
  }
  fields.push_back(Field{"window_start", DataType::kTimestamp, false});
  fields.push_back(Field{"window_end", DataType::kTimestamp, false});
  return std::unique_ptr<Operator>(
      std::make_unique<WindowAssignOperator>(MakeSchema(std::move(fields)), window));
}

}  // namespace eddy::engine
