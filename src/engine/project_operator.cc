#include "src/engine/project_operator.h"

#include <set>

namespace eddy::engine {

Result<ProjectOperator::Plan> ProjectOperator::MakePlan(const Schema& input,
                                                        const std::vector<NamedExpr>& outputs) {
  if (outputs.empty()) return Status::InvalidArgument("project: no output columns");
  Plan plan;
  std::vector<Field> fields;
  std::set<std::string, std::less<>> names;
  for (const NamedExpr& out : outputs) {
    if (out.name.empty()) {
      return Status::InvalidArgument("project: output " + out.expr.ToString() + " has no name");
    }
    if (!names.insert(out.name).second) {
      return Status::InvalidArgument("project: output column '" + out.name + "' appears twice");
    }
    auto bound = Bind(out.expr, input);
    if (!bound.ok()) {
      return bound.status().WithContext("project: output column '" + out.name + "'");
    }
    Field field{out.name, bound->type(), bound->nullable()};
    if (bound->is_column()) field.nullable = input.field(bound->column_index()).nullable;
    fields.push_back(std::move(field));
    plan.exprs.push_back(std::move(*bound));
  }
  plan.moves.assign(plan.exprs.size(), false);
  std::set<size_t> seen;
  for (size_t i = plan.exprs.size(); i-- > 0;) {
    const BoundExpr& e = plan.exprs[i];
    if (e.is_column() && seen.insert(e.column_index()).second) plan.moves[i] = true;
  }
  plan.output = MakeSchema(std::move(fields));
  return plan;
}

Result<std::unique_ptr<ProjectOperator>> ProjectOperator::Make(
    SchemaRef input, const std::vector<NamedExpr>& outputs) {
  if (!input) return Status::InvalidArgument("project: no input schema");
  ASSIGN_OR_RETURN(Plan plan, MakePlan(*input, outputs));
  return std::make_unique<ProjectOperator>(std::make_shared<const Plan>(std::move(plan)));
}

Status ProjectOperator::OnBatch(int input, Batch batch, Output& out) {
  if (input != 0) return Status::InvalidArgument("project: no input " + std::to_string(input));
  if (batch.empty()) return Status::OK();
  const Plan& plan = *plan_;
  const size_t n = batch.num_rows();
  Batch result(plan.output);
  std::vector<Column>& columns = result.columns();
  // Computed columns first, while every input column is still in place.
  for (size_t i = 0; i < plan.exprs.size(); ++i) {
    const BoundExpr& e = plan.exprs[i];
    if (e.is_column()) continue;
    ASSIGN_OR_RETURN(columns[i], Evaluate(e, batch));
  }
  for (size_t i = 0; i < plan.exprs.size(); ++i) {
    const BoundExpr& e = plan.exprs[i];
    if (!e.is_column()) continue;
    const size_t c = e.column_index();
    if (c >= batch.num_columns() || batch.column(c).type() != e.type()) {
      return Status::InvalidArgument("project: batch column " + std::to_string(c) +
                                     " does not match the schema the projection was bound to");
    }
    if (plan.moves[i]) {
      columns[i] = std::move(batch.column(c));
    } else {
      columns[i] = batch.column(c);
    }
  }
  if (batch.is_insert_only()) {
    result.event_times() = std::move(batch.event_times());
  } else {
    // Batch keeps change kinds private: rows are committed one by one (a copy of two
    // small values per row, for changelog batches only).
    result.event_times().reserve(n);
    for (size_t row = 0; row < n; ++row) result.CommitRow(batch.event_time(row), batch.change(row));
  }
  out.Emit(std::move(result));
  return Status::OK();
}

Result<std::unique_ptr<Operator>> MakeProject(SchemaRef input, std::vector<NamedExpr> outputs) {
  ASSIGN_OR_RETURN(std::unique_ptr<ProjectOperator> op,
                   ProjectOperator::Make(std::move(input), outputs));
  return std::unique_ptr<Operator>(std::move(op));
}

Result<OperatorFactory> ProjectFactory(SchemaRef input, std::vector<NamedExpr> outputs) {
  if (!input) return Status::InvalidArgument("project: no input schema");
  ASSIGN_OR_RETURN(ProjectOperator::Plan plan, ProjectOperator::MakePlan(*input, outputs));
  auto shared = std::make_shared<const ProjectOperator::Plan>(std::move(plan));
  return OperatorFactory([shared]() -> Result<std::unique_ptr<Operator>> {
    return std::unique_ptr<Operator>(std::make_unique<ProjectOperator>(shared));
  });
}

}  // namespace eddy::engine
