#pragma once
// RowScratch: one row's cells, held aside while a record is parsed, so that a record
// that turns out to be bad leaves the output batch untouched. Internal to the
// connectors (the JSON decoder and the CSV source fill it).
//
// String cells are views: what they point to must stay alive until CommitTo.
// Not thread-safe; reused record after record (no allocation per row).

#include <cstdint>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/engine/batch.h"

namespace eddy::connectors {

class RowScratch {
 public:
  enum class State : uint8_t { kUnset, kNull, kSet };

  explicit RowScratch(const engine::Schema& schema) : cells_(schema.num_fields()) {}

  void Reset() {
    for (Cell& c : cells_) c.state = State::kUnset;
  }

  void SetInt(size_t column, int64_t v) { Set(column).i = v; }
  void SetDouble(size_t column, double v) { Set(column).d = v; }
  void SetBool(size_t column, bool v) { Set(column).b = v; }
  void SetString(size_t column, std::string_view v) { Set(column).s = v; }
  void SetNull(size_t column) { cells_[column].state = State::kNull; }

  State state(size_t column) const { return cells_[column].state; }
  int64_t int_at(size_t column) const { return cells_[column].i; }

  /// OK when every column that is not nullable has a value; else names the first one
  /// that is missing or null.
  Status CheckNullability(const engine::Schema& schema) const;

  /// Appends the row to `out` (whose schema is the one this scratch was made for):
  /// unset and null cells become nulls.
  void CommitTo(engine::Batch& out, engine::EventTimeMs event_time) const;

 private:
  struct Cell {
    State state = State::kUnset;
    bool b = false;
    int64_t i = 0;
    double d = 0;
    std::string_view s;
  };
  Cell& Set(size_t column) {
    cells_[column].state = State::kSet;
    return cells_[column];
  }

  std::vector<Cell> cells_;
};

}  // namespace eddy::connectors
