#pragma once
// The row-at-a-time escape hatches, for what expressions cannot say: map (one output row
// per input row), flat_map (zero or more) and a filter by a C++ predicate. Each calls the
// user's function once per row (a std::function call per row: these are not the
// columnar fast path; prefer FilterOperator / ProjectOperator when an expression will do).
//
// Output rows carry the input row's event time and change kind unless the function says
// otherwise. Each operator instance holds its own copy of the function and calls it from
// one thread at a time; anything the function captures by reference or pointer is shared
// between parallel instances and must be safe for that.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "src/engine/operator.h"
#include "src/engine/row.h"

namespace eddy::engine {

class FlatMapCollector;

/// Writes the one output row of `in` into `out`. Set the columns (unset ones are null);
/// the operator then commits the row with in's event time and change kind. To choose
/// them, call out.Commit(event_time, kind) yourself, once.
using MapFunction = std::function<void(const RowRef& in, RowWriter& out)>;
/// Emits zero or more output rows for `in` through the collector.
using FlatMapFunction = std::function<void(const RowRef& in, FlatMapCollector& out)>;
/// True to keep the row.
using FilterFunction = std::function<bool(const RowRef& in)>;

/// What a flat_map function writes its rows to: set the columns of a row (unset ones are
/// null), then Emit it; repeat for each row. Setting a column twice in one row is a bug
/// (asserted); setting columns and not emitting them fails the batch.
class FlatMapCollector {
 public:
  FlatMapCollector(const FlatMapCollector&) = delete;
  FlatMapCollector& operator=(const FlatMapCollector&) = delete;

  const Schema& schema() const { return writer_.schema(); }
  /// The input row the rows are emitted for.
  const RowRef& input() const { return *input_; }

  FlatMapCollector& SetInt64(size_t column, int64_t v) { return Did(writer_.SetInt64(column, v)); }
  FlatMapCollector& SetTimestamp(size_t column, int64_t ms) {
    return Did(writer_.SetTimestamp(column, ms));
  }
  FlatMapCollector& SetDouble(size_t column, double v) { return Did(writer_.SetDouble(column, v)); }
  FlatMapCollector& SetBool(size_t column, bool v) { return Did(writer_.SetBool(column, v)); }
  FlatMapCollector& SetString(size_t column, std::string_view v) {
    return Did(writer_.SetString(column, v));
  }
  FlatMapCollector& SetNull(size_t column) { return Did(writer_.SetNull(column)); }
  FlatMapCollector& Set(size_t column, const Value& v) { return Did(writer_.Set(column, v)); }
  /// Copies column `from_column` of the input row into `column`.
  FlatMapCollector& Copy(size_t column, size_t from_column) {
    return Did(writer_.Copy(column, *input_, from_column));
  }

  /// Emits the row with the input row's event time and change kind.
  void Emit() { Emit(input_->event_time(), input_->change()); }
  /// Emits the row with its own event time and the input row's change kind.
  void Emit(EventTimeMs event_time) { Emit(event_time, input_->change()); }
  void Emit(EventTimeMs event_time, ChangeKind kind) {
    writer_.Commit(event_time, kind);
    pending_ = false;
  }

 private:
  friend class FlatMapOperator;
  explicit FlatMapCollector(Batch& out) : writer_(out) {}
  FlatMapCollector& Did(RowWriter&) {
    pending_ = true;
    return *this;
  }

  RowWriter writer_;
  const RowRef* input_ = nullptr;
  bool pending_ = false;  // columns set since the last Emit
};

class MapOperator final : public Operator {
 public:
  MapOperator(SchemaRef output, MapFunction fn) : output_(std::move(output)), fn_(std::move(fn)) {}
  SchemaRef output_schema() const override { return output_; }
  /// Fails when the function commits more than one row for an input row, or leaves the
  /// output misaligned (a column set after its own Commit).
  Status OnBatch(int input, Batch batch, Output& out) override;

 private:
  SchemaRef output_;
  MapFunction fn_;
};

class FlatMapOperator final : public Operator {
 public:
  FlatMapOperator(SchemaRef output, FlatMapFunction fn)
      : output_(std::move(output)), fn_(std::move(fn)) {}
  SchemaRef output_schema() const override { return output_; }
  /// Emits one batch with the rows of every input row, or nothing when there are none.
  Status OnBatch(int input, Batch batch, Output& out) override;

 private:
  SchemaRef output_;
  FlatMapFunction fn_;
};

class FilterFnOperator final : public Operator {
 public:
  FilterFnOperator(SchemaRef schema, FilterFunction fn)
      : schema_(std::move(schema)), fn_(std::move(fn)) {}
  SchemaRef output_schema() const override { return schema_; }
  Status OnBatch(int input, Batch batch, Output& out) override;

 private:
  SchemaRef schema_;
  FilterFunction fn_;
  std::vector<uint8_t> keep_;  // reused between batches
};

/// Each fails on a missing schema or function.
Result<std::unique_ptr<Operator>> MakeMap(SchemaRef input, SchemaRef output, MapFunction fn);
Result<std::unique_ptr<Operator>> MakeFlatMap(SchemaRef input, SchemaRef output,
                                              FlatMapFunction fn);
Result<std::unique_ptr<Operator>> MakeFilterFn(SchemaRef input, FilterFunction fn);

}  // namespace eddy::engine
