#pragma once
// RowRef and RowWriter: the row-at-a-time view of a batch, for the escape hatches
// (map/flat_map lambdas, keyed process functions) where expressions cannot say it.
// Columnar operators never use them on their hot path.

#include <cstdint>
#include <string_view>

#include "src/engine/batch.h"

namespace eddy::engine {

/// One row of a batch. Valid while the batch lives and is not modified.
class RowRef {
 public:
  RowRef(const Batch& batch, size_t row) : batch_(&batch), row_(row) {}

  const Schema& schema() const { return *batch_->schema(); }
  size_t row() const { return row_; }
  const Batch& batch() const { return *batch_; }

  bool IsNull(size_t column) const { return batch_->column(column).IsNull(row_); }
  int64_t Int64(size_t column) const { return batch_->column(column).ints()[row_]; }
  int64_t Timestamp(size_t column) const { return batch_->column(column).ints()[row_]; }
  double Double(size_t column) const { return batch_->column(column).doubles()[row_]; }
  bool Bool(size_t column) const { return batch_->column(column).bools()[row_] != 0; }
  std::string_view String(size_t column) const { return batch_->column(column).StringAt(row_); }
  Value Get(size_t column) const { return batch_->column(column).ValueAt(row_); }

  EventTimeMs event_time() const { return batch_->event_time(row_); }
  ChangeKind change() const { return batch_->change(row_); }

 private:
  const Batch* batch_;
  size_t row_;
};

/// Appends rows to a batch one cell at a time: set every column (in any order), then
/// Commit. Columns left unset are null.
class RowWriter {
 public:
  explicit RowWriter(Batch& out) : out_(&out), set_(out.num_columns(), false) {}

  const Schema& schema() const { return *out_->schema(); }

  RowWriter& SetInt64(size_t column, int64_t v) { Mark(column); Col(column).AppendInt(v); return *this; }
  RowWriter& SetTimestamp(size_t column, int64_t ms) { return SetInt64(column, ms); }
  RowWriter& SetDouble(size_t column, double v) { Mark(column); Col(column).AppendDouble(v); return *this; }
  RowWriter& SetBool(size_t column, bool v) { Mark(column); Col(column).AppendBool(v); return *this; }
  RowWriter& SetString(size_t column, std::string_view v) { Mark(column); Col(column).AppendString(v); return *this; }
  RowWriter& SetNull(size_t column) { Mark(column); Col(column).AppendNull(); return *this; }
  RowWriter& Set(size_t column, const Value& v) { Mark(column); Col(column).AppendValue(v); return *this; }
  /// Copies column `from_column` of `row` into column `column`.
  RowWriter& Copy(size_t column, const RowRef& row, size_t from_column) {
    Mark(column);
    Col(column).AppendFrom(row.batch().column(from_column), row.row());
    return *this;
  }

  /// Finishes the row with its event time and change kind.
  void Commit(EventTimeMs event_time, ChangeKind kind = ChangeKind::kInsert) {
    for (size_t c = 0; c < set_.size(); ++c) {
      if (!set_[c]) Col(c).AppendNull();
      set_[c] = false;
    }
    out_->CommitRow(event_time, kind);
  }

  Batch& batch() { return *out_; }

 private:
  Column& Col(size_t column) { return out_->column(column); }
  void Mark(size_t column) {
    // Setting a column twice in one row would misalign the batch: a bug in the caller.
    assert(!set_[column] && "RowWriter: column set twice in one row");
    set_[column] = true;
  }

  Batch* out_;
  std::vector<bool> set_;
};

}  // namespace eddy::engine
