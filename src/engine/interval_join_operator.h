#pragma once
// The interval join: the inner equi-join of two append-only streams where a right row
// matches a left row of the same key when
//   left.event_time + lower_bound_ms <= right.event_time <= left.event_time + upper_bound_ms
// (both bounds inclusive; they may be negative), as Flink's interval join.
//
// Matches are emitted as soon as both rows are there (insert-only), as left columns then
// right columns with the larger event time. A left row is held until the watermark
// reaches its event time + upper_bound_ms, a right row until the watermark reaches its
// event time - lower_bound_ms: after that no row still to come can match it. A row that
// arrives past that point probes what is still held and, if it matched nothing, is late
// (Output::EmitLate, in its input's schema). Rows with a null key never match.
//
// It is a RegularJoinOperator (regular_join_operator.h) with these bounds checked on
// every pair and these expiries; both inputs must be append-only.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "src/engine/regular_join_operator.h"

namespace eddy::engine {

struct IntervalJoinOptions {
  std::vector<std::string> left_keys;
  std::vector<std::string> right_keys;
  int64_t lower_bound_ms = 0;
  int64_t upper_bound_ms = 0;
  /// Put in front of a right column name that is already taken (join_schema.h).
  std::string right_prefix = "right_";
};

/// The interval join with its state counters (state_rows()) visible, for tests.
/// Fails on unknown or mismatched keys, or lower_bound_ms > upper_bound_ms.
Result<std::unique_ptr<RegularJoinOperator>> MakeIntervalJoinOperator(SchemaRef left,
                                                                      SchemaRef right,
                                                                      IntervalJoinOptions options);

/// MakeIntervalJoin: the operator as the runtime takes it. Input 0 is the left stream,
/// input 1 the right.
Result<std::unique_ptr<Operator>> MakeIntervalJoin(SchemaRef left, SchemaRef right,
                                                   IntervalJoinOptions options);

}  // namespace eddy::engine
