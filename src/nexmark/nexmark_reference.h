#pragma once
// Reference results of the Nexmark queries: each query's FINAL result over a complete,
// finite run of events, computed by plain loops over std::map / std::set with no
// engine operator involved — what a bounded engine run of the same query must produce.
// The semantics are those written in nexmark_query.h; windows are epoch-aligned and
// every window is complete (all data present).
//
// Results are rows of engine::Value under a schema, sorted in the canonical order
// (SortRows), so that two results compare with ==, or, when doubles were computed in
// another order (averages), with CompareResults and a tolerance.

#include <string>
#include <vector>

#include "src/base/status.h"
#include "src/engine/batch.h"
#include "src/engine/schema.h"
#include "src/engine/value.h"
#include "src/nexmark/nexmark_events.h"
#include "src/nexmark/nexmark_generator.h"
#include "src/nexmark/nexmark_query.h"

namespace eddy::nexmark {

using Row = std::vector<engine::Value>;

struct QueryResult {
  engine::SchemaRef schema;
  std::vector<Row> rows;  // in canonical order
};

/// The output columns of a query (names and types as listed in nexmark_query.h).
engine::SchemaRef ResultSchema(NexmarkQuery query);

/// The query's final results over `events`.
QueryResult ReferenceResult(NexmarkQuery query, const NexmarkEvents& events);
/// The same over the events of `config` (generated here).
QueryResult ReferenceResult(NexmarkQuery query, const GeneratorConfig& config);

/// Orders values: nulls first, then by type, then by value (strings bytewise).
int CompareValues(const engine::Value& a, const engine::Value& b);
/// Sorts rows lexicographically by CompareValues: the canonical order.
void SortRows(std::vector<Row>& rows);

/// The rows a changelog batch leaves in its table: inserts and update-afters add a row,
/// update-befores and deletes remove one equal row. The error names a retraction of a
/// row that is not there. An insert-only batch gives its rows. Event times are dropped.
Result<std::vector<Row>> ApplyChangelog(const engine::Batch& batch);

/// Checks that `actual` (any order) holds exactly the rows of `expected`, doubles equal
/// within `relative_tolerance`. The error says how many rows differ and shows the first
/// few on each side.
Status CompareResults(const QueryResult& expected, std::vector<Row> actual,
                      double relative_tolerance = 1e-9);

}  // namespace eddy::nexmark
