#include "src/engine/map_operator.h"

namespace eddy::engine {

namespace {

Status CheckInput(std::string_view op, int input) {
  if (input == 0) return Status::OK();
  return Status::InvalidArgument(std::string(op) + ": no input " + std::to_string(input));
}

// Every column must have one value per committed row; a function that set a column after
// committing its row (or set too few) leaves them out of step.
Status CheckAligned(std::string_view op, const Batch& out) {
  for (size_t c = 0; c < out.num_columns(); ++c) {
    if (out.column(c).size() != out.num_rows()) {
      return Status::InvalidArgument(std::string(op) + ": the function set column '" +
                                     out.schema()->field(c).name +
                                     "' without committing its row");
    }
  }
  return Status::OK();
}

Status CheckSchemas(std::string_view op, const SchemaRef& input, const SchemaRef* output,
                    bool has_fn) {
  if (!input) return Status::InvalidArgument(std::string(op) + ": no input schema");
  if (output && !*output) return Status::InvalidArgument(std::string(op) + ": no output schema");
  if (!has_fn) return Status::InvalidArgument(std::string(op) + ": no function");
  return Status::OK();
}

}  // namespace

Status MapOperator::OnBatch(int input, Batch batch, Output& out) {
  RETURN_IF_ERROR(CheckInput("map", input));
  if (batch.empty()) return Status::OK();
  const size_t n = batch.num_rows();
  Batch result(output_);
  result.Reserve(n);
  RowWriter writer(result);
  for (size_t row = 0; row < n; ++row) {
    const RowRef in(batch, row);
    const size_t before = result.num_rows();
    fn_(in, writer);
    const size_t committed = result.num_rows() - before;
    if (committed == 0) {
      writer.Commit(in.event_time(), in.change());
    } else if (committed > 1) {
      return Status::InvalidArgument("map: the function committed " + std::to_string(committed) +
                                     " rows for one input row (use a flat_map)");
    }
  }
  RETURN_IF_ERROR(CheckAligned("map", result));
  out.Emit(std::move(result));
  return Status::OK();
}

Status FlatMapOperator::OnBatch(int input, Batch batch, Output& out) {
  RETURN_IF_ERROR(CheckInput("flat_map", input));
  if (batch.empty()) return Status::OK();
  const size_t n = batch.num_rows();
  Batch result(output_);
  result.Reserve(n);
  FlatMapCollector collector(result);
  for (size_t row = 0; row < n; ++row) {
    const RowRef in(batch, row);
    collector.input_ = &in;
    fn_(in, collector);
    if (collector.pending_) {
      return Status::InvalidArgument(
          "flat_map: the function set columns of a row it did not Emit");
    }
  }
  collector.input_ = nullptr;
  RETURN_IF_ERROR(CheckAligned("flat_map", result));
  if (!result.empty()) out.Emit(std::move(result));
  return Status::OK();
}

Status FilterFnOperator::OnBatch(int input, Batch batch, Output& out) {
  RETURN_IF_ERROR(CheckInput("filter", input));
  const size_t n = batch.num_rows();
  keep_.resize(n);
  size_t kept = 0;
  for (size_t row = 0; row < n; ++row) {
    keep_[row] = fn_(RowRef(batch, row)) ? 1 : 0;
    kept += keep_[row];
  }
  if (kept == n) {
    if (n > 0) out.Emit(std::move(batch));
  } else if (kept > 0) {
    out.Emit(batch.Filter(keep_));
  }
  return Status::OK();
}

Result<std::unique_ptr<Operator>> MakeMap(SchemaRef input, SchemaRef output, MapFunction fn) {
  RETURN_IF_ERROR(CheckSchemas("map", input, &output, fn != nullptr));
  return std::unique_ptr<Operator>(std::make_unique<MapOperator>(std::move(output), std::move(fn)));
}

Result<std::unique_ptr<Operator>> MakeFlatMap(SchemaRef input, SchemaRef output,
                                              FlatMapFunction fn) {
  RETURN_IF_ERROR(CheckSchemas("flat_map", input, &output, fn != nullptr));
  return std::unique_ptr<Operator>(
      std::make_unique<FlatMapOperator>(std::move(output), std::move(fn)));
}

Result<std::unique_ptr<Operator>> MakeFilterFn(SchemaRef input, FilterFunction fn) {
  RETURN_IF_ERROR(CheckSchemas("filter", input, nullptr, fn != nullptr));
  return std::unique_ptr<Operator>(
      std::make_unique<FilterFnOperator>(std::move(input), std::move(fn)));
}

}  // namespace eddy::engine
