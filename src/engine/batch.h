#pragma once
// Batch: the unit of data between operators — a schema, one Column per field, the
// event time of each row, and (for changelog streams) the change kind of each row.
//
// Invariant: every column, event_times() and (when not empty) changes() have
// num_rows() entries. A batch has a single owner and moves between operators; it is
// not thread-safe.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "src/engine/column.h"
#include "src/engine/schema.h"

namespace eddy::engine {

/// The kind of a changelog row, as in Flink's RowKind and RisingWave's Op. Append-only
/// streams carry only inserts.
enum class ChangeKind : uint8_t { kInsert, kUpdateBefore, kUpdateAfter, kDelete };

std::string_view ChangeKindName(ChangeKind kind);

/// True for the kinds that add a row to a result (insert, update-after).
constexpr bool IsAddition(ChangeKind kind) {
  return kind == ChangeKind::kInsert || kind == ChangeKind::kUpdateAfter;
}

class Batch {
 public:
  Batch() = default;
  explicit Batch(SchemaRef schema);

  const SchemaRef& schema() const { return schema_; }
  size_t num_rows() const { return event_times_.size(); }
  bool empty() const { return event_times_.empty(); }
  size_t num_columns() const { return columns_.size(); }

  Column& column(size_t i) { return columns_[i]; }
  const Column& column(size_t i) const { return columns_[i]; }
  std::vector<Column>& columns() { return columns_; }

  std::vector<EventTimeMs>& event_times() { return event_times_; }
  const std::vector<EventTimeMs>& event_times() const { return event_times_; }
  EventTimeMs event_time(size_t row) const { return event_times_[row]; }

  /// Empty when every row is an insert.
  const std::vector<ChangeKind>& changes() const { return changes_; }
  bool is_insert_only() const { return changes_.empty(); }
  ChangeKind change(size_t row) const {
    return changes_.empty() ? ChangeKind::kInsert : changes_[row];
  }

  /// Appends the event time and change kind of a row whose column values the caller
  /// has already appended to every column.
  void CommitRow(EventTimeMs event_time, ChangeKind kind = ChangeKind::kInsert);
  /// Appends row `row` of `src` (same schema), keeping its event time and change kind.
  void AppendRow(const Batch& src, size_t row);
  /// Appends row `row` of `src` with another event time and change kind.
  void AppendRow(const Batch& src, size_t row, EventTimeMs event_time, ChangeKind kind);
  /// Appends rows [begin, end) of `src` (same schema).
  void AppendRange(const Batch& src, size_t begin, size_t end);
  /// Appends a row from values (one per column, of the column's type or null).
  void AppendValues(std::span<const Value> values, EventTimeMs event_time,
                    ChangeKind kind = ChangeKind::kInsert);

  /// A new batch with the rows of `rows`, in that order.
  Batch Select(std::span<const uint32_t> rows) const;
  /// A new batch with the rows whose `keep` byte is non-zero.
  Batch Filter(std::span<const uint8_t> keep) const;
  /// Row `row` as values, for tests and the row-lambda escape hatch.
  std::vector<Value> RowValues(size_t row) const;

  void Reserve(size_t rows);
  /// Drops every row, keeping the schema and the allocated capacity.
  void Clear();

  /// One line per row ("[t=5 +I] 1, 'a'"), for test failure messages.
  std::string ToString() const;

 private:
  void PushChange(ChangeKind kind);

  SchemaRef schema_;
  std::vector<Column> columns_;
  std::vector<EventTimeMs> event_times_;
  std::vector<ChangeKind> changes_;
};

}  // namespace eddy::engine
