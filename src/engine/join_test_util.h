#pragma once
// What the join, de-duplication and keyed-process tests share: an Output that records
// what an operator emits, batches built from values, rows rendered as comparable lines,
// and a driver that feeds two random append-only streams with bounded disorder (and the
// watermarks that disorder allows) to a two-input operator.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "src/engine/batch.h"
#include "src/engine/operator.h"

namespace eddy::engine::testing {

/// One row of a test batch.
struct TestRow {
  EventTimeMs t = 0;
  std::vector<Value> values;
  ChangeKind kind = ChangeKind::kInsert;
};

inline Batch MakeBatch(const SchemaRef& schema, const std::vector<TestRow>& rows) {
  Batch batch(schema);
  for (const TestRow& row : rows) batch.AppendValues(row.values, row.t, row.kind);
  return batch;
}

/// The rows of `batch` as lines "[t=5 +I] 1, 'a'" (Batch::ToString's format).
inline std::vector<std::string> Lines(const Batch& batch) {
  std::vector<std::string> lines;
  std::istringstream in(batch.ToString());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// One row as the line Lines() would give it in a batch of `schema`.
inline std::string Line(const SchemaRef& schema, EventTimeMs t, const std::vector<Value>& values,
                        ChangeKind kind = ChangeKind::kInsert) {
  Batch batch(schema);
  batch.AppendValues(values, t, kind);
  return Lines(batch).at(0);
}

inline std::vector<std::string> Sorted(std::vector<std::string> lines) {
  std::sort(lines.begin(), lines.end());
  return lines;
}

/// Records every batch an operator emits, main and late output apart.
class RecordingOutput final : public Output {
 public:
  void Emit(Batch batch) override {
    if (!batch.empty()) batches.push_back(std::move(batch));
  }
  void EmitLate(Batch batch) override {
    if (!batch.empty()) late.push_back(std::move(batch));
  }

  /// Every main-output row, in emission order.
  std::vector<std::string> Rows() const { return AllLines(batches); }
  std::vector<std::string> LateRows() const { return AllLines(late); }
  std::vector<std::string> SortedRows() const { return Sorted(Rows()); }
  size_t num_rows() const {
    size_t n = 0;
    for (const Batch& b : batches) n += b.num_rows();
    return n;
  }
  void Clear() {
    batches.clear();
    late.clear();
  }

  std::vector<Batch> batches;
  std::vector<Batch> late;

 private:
  static std::vector<std::string> AllLines(const std::vector<Batch>& batches) {
    std::vector<std::string> lines;
    for (const Batch& b : batches) {
      for (std::string& line : Lines(b)) lines.push_back(std::move(line));
    }
    return lines;
  }
};

inline Value I64(int64_t v) { return Value::Int64(v); }
inline Value Ts(int64_t v) { return Value::Timestamp(v); }
inline Value F64(double v) { return Value::Double(v); }
inline Value Str(std::string v) { return Value::String(std::move(v)); }
inline Value NullI64() { return Value::Null(DataType::kInt64); }

/// A row of a random two-input run: which input, its event time, its values.
struct RandomRow {
  int input = 0;
  EventTimeMs t = 0;
  std::vector<Value> values;
};

/// Random rows for both inputs in arrival order: nominal time grows by up to `step_ms`
/// per row and each row's event time is up to `disorder_ms` behind it, so every row is
/// later than `max seen - disorder_ms - 1` on its input (no row is late under the
/// watermarks DriveTwoInputs sends). `make_values(input, seq, rng)` gives the values.
template <typename MakeValues>
std::vector<RandomRow> RandomRows(std::mt19937& rng, size_t n, int64_t step_ms, int64_t disorder_ms,
                                  MakeValues&& make_values) {
  std::vector<RandomRow> rows;
  int64_t nominal = 1'000'000;
  for (size_t i = 0; i < n; ++i) {
    nominal += std::uniform_int_distribution<int64_t>(0, step_ms)(rng);
    RandomRow row;
    row.input = std::uniform_int_distribution<int>(0, 1)(rng);
    row.t = nominal - std::uniform_int_distribution<int64_t>(0, disorder_ms)(rng);
    row.values = make_values(row.input, static_cast<int64_t>(i), rng);
    rows.push_back(std::move(row));
  }
  return rows;
}

/// Feeds `rows` to `op` in random batches (1..max_batch rows of one input), sending after
/// each batch the watermark min over inputs of (max event time seen - disorder_ms - 1)
/// whenever it advanced, then kMaxWatermark and the end of input.
inline void DriveTwoInputs(Operator& op, const std::vector<RandomRow>& rows, const SchemaRef& left,
                           const SchemaRef& right, int64_t disorder_ms, std::mt19937& rng,
                           RecordingOutput& out, size_t max_batch = 8) {
  EventTimeMs max_seen[2] = {kMinWatermark, kMinWatermark};
  EventTimeMs watermark = kMinWatermark;
  size_t i = 0;
  while (i < rows.size()) {
    const int input = rows[i].input;
    const size_t limit = std::uniform_int_distribution<size_t>(1, max_batch)(rng);
    Batch batch(input == 0 ? left : right);
    while (i < rows.size() && rows[i].input == input && batch.num_rows() < limit) {
      batch.AppendValues(rows[i].values, rows[i].t);
      max_seen[input] = std::max(max_seen[input], rows[i].t);
      ++i;
    }
    ASSERT_TRUE(op.OnBatch(input, std::move(batch), out).ok());
    if (max_seen[0] == kMinWatermark || max_seen[1] == kMinWatermark) continue;
    const EventTimeMs w = std::min(max_seen[0], max_seen[1]) - disorder_ms - 1;
    if (w > watermark) {
      watermark = w;
      ASSERT_TRUE(op.OnWatermark(watermark, out).ok());
    }
  }
  ASSERT_TRUE(op.OnWatermark(kMaxWatermark, out).ok());
  ASSERT_TRUE(op.OnEndOfInput(out).ok());
}

}  // namespace eddy::engine::testing
