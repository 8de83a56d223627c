#pragma once
// FilterOperator: keeps the rows whose predicate is true; a row whose predicate is false
// or null is dropped (SQL WHERE). Kept rows keep their event time and change kind, in
// order. A batch whose rows all pass goes on unchanged (no copy); a batch with no row
// left emits nothing.
//
// The predicate is bound once (FilterFactory shares it between parallel instances; it is
// immutable). Each instance owns its selection buffer: one instance is called from one
// thread at a time.

#include <cstdint>
#include <memory>
#include <vector>

#include "src/engine/expression.h"
#include "src/engine/operator.h"

namespace eddy::engine {

class FilterOperator final : public Operator {
 public:
  /// Fails when the predicate does not bind to `input` or is not bool.
  static Result<std::unique_ptr<FilterOperator>> Make(SchemaRef input, const Expr& predicate);
  /// With a predicate already bound to `input` (and checked to be bool).
  FilterOperator(SchemaRef input, BoundExpr predicate)
      : schema_(std::move(input)), predicate_(std::move(predicate)) {}

  SchemaRef output_schema() const override { return schema_; }
  Status OnBatch(int input, Batch batch, Output& out) override;

  const BoundExpr& predicate() const { return predicate_; }

 private:
  SchemaRef schema_;
  BoundExpr predicate_;
  std::vector<uint8_t> keep_;  // reused between batches
};

/// Binds and checks `predicate` against `input`; the error says why it does not fit
/// ("filter predicate must be bool, got int64: (a + 1)").
Result<BoundExpr> BindPredicate(const Schema& input, const Expr& predicate);

/// The filter as the runtime takes it.
Result<std::unique_ptr<Operator>> MakeFilter(SchemaRef input, Expr predicate);
/// Binds once and returns a factory that makes independent instances sharing the bound
/// predicate: cheap to call once per parallel instance.
Result<OperatorFactory> FilterFactory(SchemaRef input, Expr predicate);

}  // namespace eddy::engine
