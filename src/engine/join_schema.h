#pragma once
// What the join operators share: their output schema (every left column, then every right
// column, a clashing right name prefixed), the resolution of equi-join keys, and the
// column-at-a-time copy of matched row pairs into an output batch.
//
// Joins probe row by row (a hash lookup per row) but never copy a match cell by cell
// through a virtual call: a probe collects the pairs (JoinMatches), then
// AppendMatchedColumns copies them one column at a time with the type switch hoisted out
// of the row loop.

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/engine/batch.h"
#include "src/engine/window_spec.h"  // SaturatingAdd
#include "src/engine/schema.h"

namespace eddy::engine {

/// What a window join emits for a key that has rows on both sides.
enum class JoinType {
  kInner,     // every (left, right) pair
  kLeftSemi,  // every left row once, its columns only
};

/// A row index meaning "no row": a missing match of an outer join, the end of a chain.
inline constexpr uint32_t kNoRow = std::numeric_limits<uint32_t>::max();

/// The output columns of a join: all of `left`'s, then all of `right`'s. A right column
/// whose name is taken (by a left column, or by another right column) gets `right_prefix`
/// in front, repeatedly until the name is free. With `right_nullable` the right columns
/// become nullable (outer joins). Fails if `right_prefix` is empty and names clash.
Result<std::vector<Field>> JoinFields(const Schema& left, const Schema& right,
                                      std::string_view right_prefix, bool right_nullable);

/// The indexes of the columns called `names` in `schema`; `what` names the option in
/// the error ("left_keys").
Result<std::vector<size_t>> ResolveColumns(const Schema& schema,
                                           const std::vector<std::string>& names,
                                           std::string_view what);

/// The key columns of both sides of an equi-join.
struct JoinKeyColumns {
  std::vector<size_t> left;
  std::vector<size_t> right;
};

/// Resolves both key lists and checks that they pair up: as many keys on each side, at
/// least one, and the same type for each pair (keys compare by their encoded bytes, so an
/// int64 never equals a timestamp).
Result<JoinKeyColumns> ResolveJoinKeys(const Schema& left, const Schema& right,
                                       const std::vector<std::string>& left_keys,
                                       const std::vector<std::string>& right_keys);

/// True when any key column of `row` is null. An equi-join never matches such a row
/// (SQL: null equals nothing, not even null).
inline bool KeyHasNull(const Batch& batch, std::span<const size_t> key_columns, size_t row) {
  for (size_t c : key_columns) {
    if (batch.column(c).IsNull(row)) return true;
  }
  return false;
}

/// OK when every row of `batch` is an insert; otherwise an error naming the operator
/// (`what`), the input and the first row that is not. For operators that take
/// append-only streams.
Status CheckInsertOnly(const Batch& batch, std::string_view what, int input);

/// Appends rows `rows` of `src` (kNoRow appends a null) to columns
/// [first_column, first_column + src.num_columns()) of `out`. Columns only: the caller
/// commits the rows' event times once every column has its cells.
void GatherColumns(const Batch& src, std::span<const uint32_t> rows, Batch& out,
                   size_t first_column);

/// The pairs a probe found, in output order. Reused between batches (Clear keeps the
/// capacity).
struct JoinMatches {
  std::vector<uint32_t> left_rows;
  std::vector<uint32_t> right_rows;
  std::vector<EventTimeMs> event_times;

  void Add(uint32_t left_row, uint32_t right_row, EventTimeMs event_time) {
    left_rows.push_back(left_row);
    right_rows.push_back(right_row);
    event_times.push_back(event_time);
  }
  size_t size() const { return event_times.size(); }
  bool empty() const { return event_times.empty(); }
  void Clear() {
    left_rows.clear();
    right_rows.clear();
    event_times.clear();
  }
};

/// Appends the columns of `matches` to `out`: left rows (of `left`) into the first
/// left.num_columns() columns, right rows (of `right`) into the next right.num_columns().
void AppendMatchedColumns(const Batch& left, const Batch& right, const JoinMatches& matches,
                          Batch& out);

/// Appends the event times of `matches` to `out` as inserts, completing the rows whose
/// columns the caller has appended.
void CommitMatchedRows(const JoinMatches& matches, Batch& out);

}  // namespace eddy::engine
