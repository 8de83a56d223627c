#pragma once
// What the window operator tests share: an Output that records what it gets, batch
// builders, and a readable rendering of output rows ("+I t=9999 | 7, 0, 10000, 3").

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "src/engine/batch.h"
#include "src/engine/operator.h"

namespace eddy::engine::testing {

/// Records every batch an operator emits (main and late outputs).
class RecordingOutput final : public Output {
 public:
  void Emit(Batch batch) override {
    if (!batch.empty()) main.push_back(std::move(batch));
  }
  void EmitLate(Batch batch) override {
    if (!batch.empty()) late.push_back(std::move(batch));
  }
  /// Forgets what was recorded.
  void Clear() {
    main.clear();
    late.clear();
  }

  std::vector<Batch> main;
  std::vector<Batch> late;
};

inline Value I(int64_t v) { return Value::Int64(v); }
inline Value D(double v) { return Value::Double(v); }
inline Value S(std::string v) { return Value::String(std::move(v)); }
inline Value Null() { return Value::Null(DataType::kInt64); }

struct TestRow {
  EventTimeMs time;
  std::vector<Value> values;
  ChangeKind kind = ChangeKind::kInsert;
};

/// A batch of `schema` with the given rows (values one per column, or a null).
inline Batch MakeBatch(const SchemaRef& schema, const std::vector<TestRow>& rows) {
  Batch b(schema);
  for (const TestRow& row : rows) {
    std::vector<Value> values;
    for (size_t c = 0; c < row.values.size(); ++c) {
      values.push_back(row.values[c].is_null() ? Value::Null(schema->field(c).type)
                                               : row.values[c]);
    }
    b.AppendValues(values, row.time, row.kind);
  }
  return b;
}

/// One line per row: "<kind> t=<event time> | v1, v2, ...".
inline std::vector<std::string> RenderRows(const Batch& b) {
  std::vector<std::string> out;
  for (size_t r = 0; r < b.num_rows(); ++r) {
    std::string line =
        std::string(ChangeKindName(b.change(r))) + " t=" + std::to_string(b.event_time(r)) + " |";
    for (size_t c = 0; c < b.num_columns(); ++c) {
      line += (c ? ", " : " ") + b.column(c).ValueAt(r).ToString();
    }
    out.push_back(line);
  }
  return out;
}

inline std::vector<std::string> RenderRows(const std::vector<Batch>& batches) {
  std::vector<std::string> out;
  for (const Batch& b : batches) {
    for (std::string& line : RenderRows(b)) out.push_back(std::move(line));
  }
  return out;
}

/// The values of a row, comma separated (no kind, no time).
inline std::string RowKey(const Batch& b, size_t r) {
  std::string line;
  for (size_t c = 0; c < b.num_columns(); ++c) {
    line += (c ? ", " : "") + b.column(c).ValueAt(r).ToString();
  }
  return line;
}

/// Applies a changelog to a table (row values → multiplicity), the way a sink would:
/// +I/+U add a row, -U/-D remove an equal row, which must be there.
class ChangelogTable {
 public:
  void Apply(const Batch& b) {
    for (size_t r = 0; r < b.num_rows(); ++r) {
      const std::string key = RowKey(b, r);
      if (IsAddition(b.change(r))) {
        ++rows_[key];
        continue;
      }
      auto it = rows_.find(key);
      if (it == rows_.end()) {
        ADD_FAILURE() << "changelog retracts a row it never added: " << key;
        continue;
      }
      if (--it->second == 0) rows_.erase(it);
    }
  }
  void Apply(const std::vector<Batch>& batches) {
    for (const Batch& b : batches) Apply(b);
  }
  /// The rows, sorted, each repeated by its multiplicity.
  std::vector<std::string> Rows() const {
    std::vector<std::string> out;
    for (const auto& [key, n] : rows_) {
      for (int i = 0; i < n; ++i) out.push_back(key);
    }
    return out;
  }

 private:
  std::map<std::string, int> rows_;
};

}  // namespace eddy::engine::testing
