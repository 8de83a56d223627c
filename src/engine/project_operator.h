#pragma once
// ProjectOperator: computes a new row from each input row (SQL SELECT list): one output
// column per NamedExpr, in order, typed by the bound expression (nullable unless the
// expression can never be null; a plain column keeps its input field's nullability).
// Event times and change kinds pass through unchanged.
//
// A plain column reference moves the input column into the output (no per-row work); a
// column referenced more than once is copied for all but its last use. Expressions are
// bound once (ProjectFactory shares them between parallel instances; they are
// immutable). One instance is called from one thread at a time.

#include <memory>
#include <vector>

#include "src/engine/expression.h"
#include "src/engine/operator.h"

namespace eddy::engine {

class ProjectOperator final : public Operator {
 public:
  /// The bound outputs of `input` and the output schema they make.
  struct Plan {
    SchemaRef output;
    std::vector<BoundExpr> exprs;
    // moves[i]: output i is the last plain reference to its input column, so it may move
    // the column out of the input batch (earlier references copy it).
    std::vector<bool> moves;
  };

  /// Fails on an empty list, an empty or repeated output name, or an expression that
  /// does not bind (the error names the output).
  static Result<Plan> MakePlan(const Schema& input, const std::vector<NamedExpr>& outputs);
  static Result<std::unique_ptr<ProjectOperator>> Make(SchemaRef input,
                                                       const std::vector<NamedExpr>& outputs);
  explicit ProjectOperator(std::shared_ptr<const Plan> plan) : plan_(std::move(plan)) {}

  SchemaRef output_schema() const override { return plan_->output; }
  Status OnBatch(int input, Batch batch, Output& out) override;

 private:
  std::shared_ptr<const Plan> plan_;
};

/// The projection as the runtime takes it.
Result<std::unique_ptr<Operator>> MakeProject(SchemaRef input, std::vector<NamedExpr> outputs);
/// Binds once and returns a factory of independent instances sharing the plan.
Result<OperatorFactory> ProjectFactory(SchemaRef input, std::vector<NamedExpr> outputs);

}  // namespace eddy::engine
