#pragma once
// ChangelogMaterializer: applies a changelog (batch.h: +I, -U, +U, -D rows) to a table
// held in memory, and lists the table. The file sink uses it to write the final result
// of a bounded run; tests use it to compare a changelog with its expected table.
//
// The table is a multiset of rows: +I and +U add a row, -U and -D remove one row equal
// to theirs (all columns equal; event times do not count). Rows are kept as their
// JSON encoding (JsonRowEncoder, without "op"), which is also how they are listed.
// Not thread-safe.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/base/status.h"
#include "src/connectors/json_encoder.h"
#include "src/engine/batch.h"

namespace eddy::connectors {

class ChangelogMaterializer {
 public:
  explicit ChangelogMaterializer(engine::SchemaRef schema);

  /// Applies every row of `batch` (a batch of the schema given at construction). A
  /// removal of a row the table does not hold is skipped and counted; the returned
  /// status (FailedPrecondition) then names the first such row, after the rest of the
  /// batch has been applied.
  Status Apply(const engine::Batch& batch);

  /// The table's rows as JSON object lines (no newline), sorted, a row held n times
  /// listed n times.
  std::vector<std::string> Rows() const;
  /// Rows in the table (with multiplicity).
  uint64_t num_rows() const { return num_rows_; }
  /// Removals that found no equal row, over every Apply.
  uint64_t missing_removals() const { return missing_removals_; }

 private:
  JsonRowEncoder encoder_;
  std::unordered_map<std::string, uint64_t> counts_;  // encoded row -> copies held
  uint64_t num_rows_ = 0;
  uint64_t missing_removals_ = 0;
  std::string scratch_;
};

}  // namespace eddy::connectors
