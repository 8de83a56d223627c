// Bind: resolves column names, checks and derives types, inserts implicit casts
// (int64 → double where a common type needs it, anything → string for concat), and folds
// every subtree whose operands are constants into a literal.

#include <algorithm>
#include <cmath>
#include <optional>

#include "src/engine/expression_internal.h"

namespace eddy::engine {

namespace {

bool IsNumeric(DataType t) { return t == DataType::kInt64 || t == DataType::kDouble; }

std::string TypeName(DataType t) { return std::string(DataTypeName(t)); }

// The type two values meet in: equal types, or double for int64 with double.
std::optional<DataType> CommonType(DataType a, DataType b) {
  if (a == b) return a;
  if (IsNumeric(a) && IsNumeric(b)) return DataType::kDouble;
  return std::nullopt;
}

// Operators that give null as soon as one operand is null.
bool IsStrict(ExprOp op) {
  switch (op) {
    case ExprOp::kAnd:
    case ExprOp::kOr:
    case ExprOp::kIsNull:
    case ExprOp::kIsNotNull:
    case ExprOp::kCoalesce:
    case ExprOp::kCase:
    case ExprOp::kIn:  // only the tested value is strict; handled in BindIn
      return false;
    default: return true;
  }
}

bool AnyNullable(const std::vector<BoundNode>& nodes) {
  return std::any_of(nodes.begin(), nodes.end(), [](const BoundNode& c) { return c.nullable; });
}

BoundNode ConstantNode(Value value) {
  BoundNode node;
  node.op = ExprOp::kLiteral;
  node.type = value.type();
  node.nullable = value.is_null();
  node.constant = std::move(value);
  return node;
}

// Replaces `node` by its value when every operand is a constant.
void FoldIfConstant(BoundNode& node) {
  if (node.is_constant() || node.op == ExprOp::kColumn) return;
  for (const BoundNode& c : node.children) {
    if (!c.is_constant()) return;
  }
  static const Batch kNoRows;
  Datum d = EvalNode(node, kNoRows, 1);
  Value v = d.is_constant() ? d.constant() : d.column().ValueAt(0);
  node = ConstantNode(std::move(v));
}

// `node` converted to `to` (a Cast node, folded when constant).
BoundNode CastTo(BoundNode node, DataType to) {
  if (node.type == to) return node;
  const bool may_fail = node.type == DataType::kString ||
                        (node.type == DataType::kDouble && to != DataType::kString);
  BoundNode cast;
  cast.op = ExprOp::kCast;
  cast.type = to;
  cast.nullable = node.nullable || may_fail;
  cast.children.push_back(std::move(node));
  FoldIfConstant(cast);
  return cast;
}

class Binder {
 public:
  explicit Binder(const Schema& schema) : schema_(schema) {}

  Result<BoundNode> BindNode(const Expr& expr);
  std::vector<ColumnUse> TakeUses() { return std::move(uses_); }

 private:
  Status Error(const Expr& expr, const std::string& what) {
    return Status::InvalidArgument(what + " in " + expr.ToString());
  }
  Status OperandError(const Expr& expr, const std::vector<BoundNode>& args) {
    std::string msg = "cannot apply '" + std::string(ExprOpName(expr.op())) + "' to ";
    for (size_t i = 0; i < args.size(); ++i) {
      if (i > 0) msg += " and ";
      msg += TypeName(args[i].type);
    }
    return Error(expr, msg);
  }
  Status ExpectType(const Expr& expr, const BoundNode& arg, size_t position, DataType want) {
    if (arg.type == want) return Status::OK();
    return Error(expr, std::string(ExprOpName(expr.op())) + " expects " + TypeName(want) +
                           " for argument " + std::to_string(position + 1) + ", got " +
                           TypeName(arg.type));
  }
  Status ExpectArgs(const Expr& expr, size_t min, size_t max) {
    const size_t n = expr.node().args.size();
    if (n >= min && n <= max) return Status::OK();
    return Error(expr, std::string(ExprOpName(expr.op())) + " takes " +
                           (min == max ? std::to_string(min)
                                       : std::to_string(min) + " to " + std::to_string(max)) +
                           " arguments, got " + std::to_string(n));
  }

  Result<DataType> ArithmeticType(const Expr& expr, const std::vector<BoundNode>& args);
  Result<BoundNode> BindIn(const Expr& expr, std::vector<BoundNode> args);
  Result<BoundNode> BindCase(const Expr& expr, std::vector<BoundNode> args);
  Result<BoundNode> BindCoalesce(const Expr& expr, std::vector<BoundNode> args);
  // Casts every node to the common type of all of them; `what` names them in errors.
  Status Unify(const Expr& expr, std::vector<BoundNode*> nodes, const std::string& what,
               DataType& common);

  const Schema& schema_;
  std::vector<ColumnUse> uses_;
};

Result<DataType> Binder::ArithmeticType(const Expr& expr, const std::vector<BoundNode>& args) {
  const ExprOp op = expr.op();
  const DataType a = args[0].type;
  const DataType b = args[1].type;
  if (a == DataType::kInt64 && b == DataType::kInt64) return DataType::kInt64;
  if (IsNumeric(a) && IsNumeric(b)) return DataType::kDouble;
  const bool ts_a = a == DataType::kTimestamp;
  const bool ts_b = b == DataType::kTimestamp;
  if (op == ExprOp::kAdd && ((ts_a && b == DataType::kInt64) || (a == DataType::kInt64 && ts_b))) {
    return DataType::kTimestamp;
  }
  if (op == ExprOp::kSubtract && ts_a && b == DataType::kInt64) return DataType::kTimestamp;
  if (op == ExprOp::kSubtract && ts_a && ts_b) return DataType::kInt64;
  return OperandError(expr, args);
}

Status Binder::Unify(const Expr& expr, std::vector<BoundNode*> nodes, const std::string& what,
                     DataType& common) {
  common = nodes[0]->type;
  for (size_t i = 1; i < nodes.size(); ++i) {
    std::optional<DataType> t = CommonType(common, nodes[i]->type);
    if (!t) {
      return Error(expr, what + " have incompatible types " + TypeName(common) + " and " +
                             TypeName(nodes[i]->type));
    }
    common = *t;
  }
  for (BoundNode* n : nodes) *n = CastTo(std::move(*n), common);
  return Status::OK();
}

Result<BoundNode> Binder::BindIn(const Expr& expr, std::vector<BoundNode> args) {
  if (args.size() < 2) return Error(expr, "IN needs at least one value in its list");
  for (size_t i = 1; i < args.size(); ++i) {
    if (!CommonType(args[0].type, args[i].type)) return OperandError(expr, {args[0], args[i]});
  }
  std::vector<BoundNode*> all;
  for (BoundNode& a : args) all.push_back(&a);
  DataType common;
  RETURN_IF_ERROR(Unify(expr, all, "IN list values", common));
  const bool all_constant = std::all_of(args.begin() + 1, args.end(),
                                        [](const BoundNode& n) { return n.is_constant(); });
  if (!all_constant) {
    // (e IN (a, b)) is (e = a) OR (e = b), three-valued logic included.
    const std::vector<Expr>& list = expr.node().args;
    Expr any = list[0] == list[1];
    for (size_t i = 2; i < list.size(); ++i) any = any || (list[0] == list[i]);
    return BindNode(any);
  }
  BoundNode node;
  node.op = ExprOp::kIn;
  node.type = DataType::kBool;
  node.in_constant = true;
  InSet& set = node.in_set;
  for (size_t i = 1; i < args.size(); ++i) {
    const Value& v = args[i].constant;
    if (v.is_null()) {
      set.has_null = true;
      continue;
    }
    switch (common) {
      case DataType::kInt64:
      case DataType::kTimestamp: set.ints.push_back(v.int64()); break;
      case DataType::kDouble:
        if (!std::isnan(v.dbl())) set.doubles.push_back(v.dbl());  // NaN equals nothing
        break;
      case DataType::kString: set.strings.push_back(v.str()); break;
      case DataType::kBool: (v.boolean() ? set.has_true : set.has_false) = true; break;
    }
  }
  std::sort(set.ints.begin(), set.ints.end());
  std::sort(set.doubles.begin(), set.doubles.end());
  std::sort(set.strings.begin(), set.strings.end());
  node.nullable = args[0].nullable || set.has_null;
  if (args[0].is_constant() && args[0].constant.is_null()) {
    return ConstantNode(Value::Null(DataType::kBool));
  }
  node.children.push_back(std::move(args[0]));
  FoldIfConstant(node);
  return node;
}

Result<BoundNode> Binder::BindCase(const Expr& expr, std::vector<BoundNode> args) {
  const bool has_else = expr.node().case_has_else;
  const size_t pairs = (args.size() - (has_else ? 1 : 0)) / 2;
  if (pairs == 0) return Error(expr, "CASE needs at least one WHEN");
  std::vector<BoundNode*> values;
  for (size_t i = 0; i < pairs; ++i) {
    const BoundNode& cond = args[2 * i];
    if (cond.type != DataType::kBool) {
      return Error(expr, "CASE WHEN condition " + std::to_string(i + 1) + " must be bool, got " +
                             TypeName(cond.type));
    }
    values.push_back(&args[2 * i + 1]);
  }
  if (has_else) values.push_back(&args.back());
  DataType common;
  RETURN_IF_ERROR(Unify(expr, values, "CASE results", common));
  BoundNode node;
  node.op = ExprOp::kCase;
  node.type = common;
  node.case_has_else = has_else;
  node.nullable = !has_else;
  for (const BoundNode* v : values) node.nullable = node.nullable || v->nullable;
  node.children = std::move(args);
  FoldIfConstant(node);
  return node;
}

Result<BoundNode> Binder::BindCoalesce(const Expr& expr, std::vector<BoundNode> args) {
  if (args.empty()) return Error(expr, "coalesce needs at least one argument");
  std::vector<BoundNode*> all;
  for (BoundNode& a : args) all.push_back(&a);
  DataType common;
  RETURN_IF_ERROR(Unify(expr, all, "coalesce arguments", common));
  // Arguments after the first that can never be null are never reached.
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].nullable) {
      args.resize(i + 1);
      break;
    }
  }
  if (args.size() == 1) return std::move(args[0]);
  BoundNode node;
  node.op = ExprOp::kCoalesce;
  node.type = common;
  node.nullable = std::all_of(args.begin(), args.end(),
                              [](const BoundNode& c) { return c.nullable; });
  node.children = std::move(args);
  FoldIfConstant(node);
  return node;
}

Result<BoundNode> Binder::BindNode(const Expr& expr) {
  if (expr.empty()) return Status::InvalidArgument("empty expression");
  const ExprNode& en = expr.node();
  if (en.op == ExprOp::kColumn) {
    ASSIGN_OR_RETURN(size_t index, schema_.IndexOf(en.column));
    const Field& f = schema_.field(index);
    BoundNode node;
    node.op = ExprOp::kColumn;
    node.type = f.type;
    node.nullable = f.nullable;
    node.column = index;
    uses_.push_back(ColumnUse{index, f.type});
    return node;
  }
  if (en.op == ExprOp::kLiteral) return ConstantNode(en.literal);

  std::vector<BoundNode> args;
  args.reserve(en.args.size());
  for (const Expr& a : en.args) {
    ASSIGN_OR_RETURN(BoundNode b, BindNode(a));
    args.push_back(std::move(b));
  }

  BoundNode node;
  node.op = en.op;
  node.nullable = false;
  switch (en.op) {
    case ExprOp::kAdd:
    case ExprOp::kSubtract:
    case ExprOp::kMultiply:
    case ExprOp::kDivide:
    case ExprOp::kModulo: {
      RETURN_IF_ERROR(ExpectArgs(expr, 2, 2));
      ASSIGN_OR_RETURN(node.type, ArithmeticType(expr, args));
      if (en.op == ExprOp::kDivide || en.op == ExprOp::kModulo) {
        const BoundNode& divisor = args[1];
        if (divisor.is_constant() && !divisor.constant.is_null()) {
          const bool zero = divisor.type == DataType::kDouble ? divisor.constant.dbl() == 0
                                                              : divisor.constant.int64() == 0;
          if (zero) return ConstantNode(Value::Null(node.type));  // x / 0 is null
        } else {
          node.nullable = true;  // the divisor may be zero
        }
      }
      break;
    }
    case ExprOp::kNegate:
      RETURN_IF_ERROR(ExpectArgs(expr, 1, 1));
      if (!IsNumeric(args[0].type)) return OperandError(expr, args);
      node.type = args[0].type;
      break;
    case ExprOp::kEqual:
    case ExprOp::kNotEqual:
    case ExprOp::kLess:
    case ExprOp::kLessEqual:
    case ExprOp::kGreater:
    case ExprOp::kGreaterEqual:
      RETURN_IF_ERROR(ExpectArgs(expr, 2, 2));
      if (!CommonType(args[0].type, args[1].type)) {
        Status s = OperandError(expr, args);
        if (args[0].type == DataType::kTimestamp || args[1].type == DataType::kTimestamp) {
          return Status::InvalidArgument(s.message() +
                                         " (compare timestamps with TimestampLit(ms) or Cast)");
        }
        return s;
      }
      node.type = DataType::kBool;
      break;
    case ExprOp::kAnd:
    case ExprOp::kOr:
      RETURN_IF_ERROR(ExpectArgs(expr, 2, 2));
      if (args[0].type != DataType::kBool || args[1].type != DataType::kBool) {
        return OperandError(expr, args);
      }
      node.type = DataType::kBool;
      break;
    case ExprOp::kNot:
      RETURN_IF_ERROR(ExpectArgs(expr, 1, 1));
      if (args[0].type != DataType::kBool) return OperandError(expr, args);
      node.type = DataType::kBool;
      break;
    case ExprOp::kIsNull:
    case ExprOp::kIsNotNull:
      RETURN_IF_ERROR(ExpectArgs(expr, 1, 1));
      node.type = DataType::kBool;
      node.nullable = false;
      if (!args[0].nullable) {
        return ConstantNode(Value::Bool(en.op == ExprOp::kIsNotNull));
      }
      break;
    case ExprOp::kIn: return BindIn(expr, std::move(args));
    case ExprOp::kCase: return BindCase(expr, std::move(args));
    case ExprOp::kCoalesce: return BindCoalesce(expr, std::move(args));
    case ExprOp::kCast: {
      RETURN_IF_ERROR(ExpectArgs(expr, 1, 1));
      return CastTo(std::move(args[0]), en.cast_to);
    }
    case ExprOp::kLower:
    case ExprOp::kUpper:
    case ExprOp::kTrim:
    case ExprOp::kLength:
      RETURN_IF_ERROR(ExpectArgs(expr, 1, 1));
      RETURN_IF_ERROR(ExpectType(expr, args[0], 0, DataType::kString));
      node.type = en.op == ExprOp::kLength ? DataType::kInt64 : DataType::kString;
      break;
    case ExprOp::kSubstr:
      RETURN_IF_ERROR(ExpectArgs(expr, 2, 3));
      RETURN_IF_ERROR(ExpectType(expr, args[0], 0, DataType::kString));
      RETURN_IF_ERROR(ExpectType(expr, args[1], 1, DataType::kInt64));
      if (args.size() == 3) {
        RETURN_IF_ERROR(ExpectType(expr, args[2], 2, DataType::kInt64));
        // A negative length gives null.
        const BoundNode& len = args[2];
        if (!len.is_constant() || (!len.constant.is_null() && len.constant.int64() < 0)) {
          node.nullable = true;
        }
      }
      node.type = DataType::kString;
      break;
    case ExprOp::kConcat:
      if (args.empty()) return Error(expr, "concat needs at least one argument");
      for (BoundNode& a : args) a = CastTo(std::move(a), DataType::kString);
      node.type = DataType::kString;
      break;
    case ExprOp::kStartsWith:
    case ExprOp::kEndsWith:
    case ExprOp::kContains:
    case ExprOp::kLike:
      RETURN_IF_ERROR(ExpectArgs(expr, 2, 2));
      RETURN_IF_ERROR(ExpectType(expr, args[0], 0, DataType::kString));
      RETURN_IF_ERROR(ExpectType(expr, args[1], 1, DataType::kString));
      node.type = DataType::kBool;
      if (en.op == ExprOp::kLike && args[1].is_constant() && !args[1].constant.is_null()) {
        node.like_constant = true;
        node.like.Compile(args[1].constant.str());
      }
      break;
    case ExprOp::kColumn:
    case ExprOp::kLiteral: break;  // handled above
  }

  if (IsStrict(en.op)) {
    for (const BoundNode& a : args) {
      if (a.is_constant() && a.constant.is_null()) return ConstantNode(Value::Null(node.type));
    }
    node.nullable = node.nullable || AnyNullable(args);
  } else if (en.op != ExprOp::kIsNull && en.op != ExprOp::kIsNotNull) {
    node.nullable = AnyNullable(args);
  }
  node.children = std::move(args);
  FoldIfConstant(node);
  return node;
}

}  // namespace

DataType BoundExpr::type() const { return root_->type; }
bool BoundExpr::nullable() const { return root_->nullable; }
bool BoundExpr::is_column() const { return root_->op == ExprOp::kColumn; }
size_t BoundExpr::column_index() const { return root_->column; }
bool BoundExpr::is_constant() const { return root_->is_constant(); }
const Value& BoundExpr::constant() const { return root_->constant; }

Result<BoundExpr> Bind(const Expr& expr, const Schema& schema) {
  Binder binder(schema);
  ASSIGN_OR_RETURN(BoundNode root, binder.BindNode(expr));
  root.uses = binder.TakeUses();
  return BoundExpr(std::make_shared<const BoundNode>(std::move(root)), expr.ToString());
}

}  // namespace eddy::engine
