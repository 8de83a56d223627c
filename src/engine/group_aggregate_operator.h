#pragma once
// Group aggregate: a non-windowed GROUP BY whose result is a changelog.
//
// Output schema: the key columns (same names and types), then one column per aggregate.
// The input may itself be a changelog: +I and +U rows add to their group, -U and -D rows
// retract from it (count, sum and avg arithmetically; min, max, first_value, last_value and
// count distinct through a multiset of values per group, so that retracting the current
// max reveals the next one). After each input batch, every group the batch touched emits,
// in one output batch:
//   +I new            the group's first result,
//   -U old, +U new    the result changed (nothing when it did not),
//   -D old            the group became empty (as many retractions as additions).
// The event time of an emitted row is the largest event time seen for its group (rows
// added and retracted alike). Retracting a value the group does not hold is ignored; a
// group that has retracted more rows than it added counts as empty.
//
// State: one KeyedState entry per group (accumulators and the last emitted result),
// written by checkpoints (SnapshotState / RestoreState; a user aggregate needs a
// UserAccumulatorCodec). Groups live until they become empty: there is no state expiry
// yet. Not thread-safe: one instance per parallel task, as operator.h says.

#include <memory>
#include <string>
#include <vector>

#include "src/base/status.h"
#include "src/engine/aggregate.h"
#include "src/engine/operator.h"

namespace eddy::engine {

struct GroupAggregateOptions {
  /// Key columns; empty for one global group.
  std::vector<std::string> keys;
  std::vector<AggregateSpec> aggregates;
};

/// The output schema a group aggregate over `input` with `options` produces.
Result<SchemaRef> GroupAggregateOutputSchema(const Schema& input,
                                             const GroupAggregateOptions& options);

Result<std::unique_ptr<Operator>> MakeGroupAggregate(SchemaRef input,
                                                     GroupAggregateOptions options);

}  // namespace eddy::engine
