#include "src/engine/filter_operator.h"

namespace eddy::engine {

Result<BoundExpr> BindPredicate(const Schema& input, const Expr& predicate) {
  auto bound = Bind(predicate, input);
  if (!bound.ok()) return bound.status().WithContext("filter predicate");
  if (bound->type() != DataType::kBool) {
    return Status::InvalidArgument("filter predicate must be bool, got " +
                                   std::string(DataTypeName(bound->type())) + ": " +
                                   predicate.ToString());
  }
  return bound;
}

Result<std::unique_ptr<FilterOperator>> FilterOperator::Make(SchemaRef input,
                                                             const Expr& predicate) {
  if (!input) return Status::InvalidArgument("filter: no input schema");
  ASSIGN_OR_RETURN(BoundExpr bound, BindPredicate(*input, predicate));
  return std::make_unique<FilterOperator>(std::move(input), std::move(bound));
}

Status FilterOperator::OnBatch(int input, Batch batch, Output& out) {
  if (input != 0) return Status::InvalidArgument("filter: no input " + std::to_string(input));
  if (batch.empty()) return Status::OK();
  ASSIGN_OR_RETURN(size_t kept, EvaluatePredicate(predicate_, batch, keep_));
  if (kept == batch.num_rows()) {
    out.Emit(std::move(batch));
  } else if (kept > 0) {
    out.Emit(batch.Filter(keep_));
  }
  return Status::OK();
}

Result<std::unique_ptr<Operator>> MakeFilter(SchemaRef input, Expr predicate) {
  ASSIGN_OR_RETURN(std::unique_ptr<FilterOperator> op,
                   FilterOperator::Make(std::move(input), predicate));
  return std::unique_ptr<Operator>(std::move(op));
}

Result<OperatorFactory> FilterFactory(SchemaRef input, Expr predicate) {
  if (!input) return Status::InvalidArgument("filter: no input schema");
  ASSIGN_OR_RETURN(BoundExpr bound, BindPredicate(*input, predicate));
  return OperatorFactory([input, bound]() -> Result<std::unique_ptr<Operator>> {
    return std::unique_ptr<Operator>(std::make_unique<FilterOperator>(input, bound));
  });
}

}  // namespace eddy::engine
