#include "src/engine/interval_join_operator.h"

#include <limits>

namespace eddy::engine {

Result<std::unique_ptr<RegularJoinOperator>> MakeIntervalJoinOperator(SchemaRef left,
                                                                      SchemaRef right,
                                                                      IntervalJoinOptions options) {
  // The right expiry negates the lower bound.
  if (options.lower_bound_ms == std::numeric_limits<int64_t>::min()) {
    return Status::InvalidArgument("interval join: lower_bound_ms is out of range");
  }
  RegularJoinOptions join;
  join.left_keys = std::move(options.left_keys);
  join.right_keys = std::move(options.right_keys);
  join.right_prefix = std::move(options.right_prefix);
  // A left row at t matches right rows in [t + lower, t + upper], a right row at t left
  // rows in [t - upper, t - lower]. Rows still to come are later than the watermark W, so
  // once W reaches t + upper (left) or t - lower (right) none of them can match.
  join.left_expiry = RowExpiry::AfterEventTime(options.upper_bound_ms);
  join.right_expiry = RowExpiry::AfterEventTime(-options.lower_bound_ms);
  return RegularJoinOperator::MakeWithTimeBounds(
      std::move(left), std::move(right), std::move(join),
      JoinTimeBounds{options.lower_bound_ms, options.upper_bound_ms}, "interval join");
}

Result<std::unique_ptr<Operator>> MakeIntervalJoin(SchemaRef left, SchemaRef right,
                                                   IntervalJoinOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<RegularJoinOperator> op,
                   MakeIntervalJoinOperator(std::move(left), std::move(right), std::move(options)));
  return std::unique_ptr<Operator>(std::move(op));
}

}  // namespace eddy::engine
