// Building expressions and printing them. Binding is in expression_binder.cc, evaluation
// in expression_evaluator.cc and expression_functions.cc.

#include "src/engine/expression.h"

namespace eddy::engine {

std::string_view ExprOpName(ExprOp op) {
  switch (op) {
    case ExprOp::kColumn: return "column";
    case ExprOp::kLiteral: return "literal";
    case ExprOp::kAdd: return "+";
    case ExprOp::kSubtract: return "-";
    case ExprOp::kMultiply: return "*";
    case ExprOp::kDivide: return "/";
    case ExprOp::kModulo: return "%";
    case ExprOp::kNegate: return "-";
    case ExprOp::kEqual: return "=";
    case ExprOp::kNotEqual: return "<>";
    case ExprOp::kLess: return "<";
    case ExprOp::kLessEqual: return "<=";
    case ExprOp::kGreater: return ">";
    case ExprOp::kGreaterEqual: return ">=";
    case ExprOp::kAnd: return "AND";
    case ExprOp::kOr: return "OR";
    case ExprOp::kNot: return "NOT";
    case ExprOp::kIsNull: return "IS NULL";
    case ExprOp::kIsNotNull: return "IS NOT NULL";
    case ExprOp::kIn: return "IN";
    case ExprOp::kCoalesce: return "coalesce";
    case ExprOp::kCase: return "CASE";
    case ExprOp::kCast: return "CAST";
    case ExprOp::kLower: return "lower";
    case ExprOp::kUpper: return "upper";
    case ExprOp::kLength: return "length";
    case ExprOp::kSubstr: return "substr";
    case ExprOp::kConcat: return "concat";
    case ExprOp::kStartsWith: return "starts_with";
    case ExprOp::kEndsWith: return "ends_with";
    case ExprOp::kContains: return "contains";
    case ExprOp::kLike: return "LIKE";
    case ExprOp::kTrim: return "trim";
  }
  return "?";
}

namespace {

Expr Make(ExprOp op, std::vector<Expr> args) {
  auto node = std::make_shared<ExprNode>();
  node->op = op;
  node->args = std::move(args);
  return Expr(std::move(node));
}

// Literal text in SQL style: strings quoted with '' doubled, typed nulls spelled out.
std::string LiteralText(const Value& v) {
  if (v.is_null()) return "NULL::" + std::string(DataTypeName(v.type()));
  switch (v.type()) {
    case DataType::kString: {
      std::string out = "'";
      for (char c : v.str()) {
        if (c == '\'') out += '\'';
        out += c;
      }
      return out + "'";
    }
    case DataType::kTimestamp: return "TIMESTAMP " + std::to_string(v.int64());
    default: return v.ToString();
  }
}

std::string Join(const std::vector<Expr>& args, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += ", ";
    out += args[i].ToString();
  }
  return out;
}

}  // namespace

ExprOp Expr::op() const { return node_->op; }

std::string Expr::ToString() const {
  if (!node_) return "<empty expression>";
  const ExprNode& n = *node_;
  const std::vector<Expr>& a = n.args;
  const std::string name(ExprOpName(n.op));
  switch (n.op) {
    case ExprOp::kColumn: return n.column;
    case ExprOp::kLiteral: return LiteralText(n.literal);
    case ExprOp::kAdd:
    case ExprOp::kSubtract:
    case ExprOp::kMultiply:
    case ExprOp::kDivide:
    case ExprOp::kModulo:
    case ExprOp::kEqual:
    case ExprOp::kNotEqual:
    case ExprOp::kLess:
    case ExprOp::kLessEqual:
    case ExprOp::kGreater:
    case ExprOp::kGreaterEqual:
    case ExprOp::kAnd:
    case ExprOp::kOr:
    case ExprOp::kLike:
      return "(" + a[0].ToString() + " " + name + " " + a[1].ToString() + ")";
    case ExprOp::kNegate: return "(-" + a[0].ToString() + ")";
    case ExprOp::kNot: return "(NOT " + a[0].ToString() + ")";
    case ExprOp::kIsNull:
    case ExprOp::kIsNotNull: return "(" + a[0].ToString() + " " + name + ")";
    case ExprOp::kIn: return "(" + a[0].ToString() + " IN (" + Join(a, 1, a.size()) + "))";
    case ExprOp::kCase: {
      std::string out = "CASE";
      const size_t pairs = (a.size() - (n.case_has_else ? 1 : 0)) / 2;
      for (size_t i = 0; i < pairs; ++i) {
        out += " WHEN " + a[2 * i].ToString() + " THEN " + a[2 * i + 1].ToString();
      }
      if (n.case_has_else) out += " ELSE " + a.back().ToString();
      return out + " END";
    }
    case ExprOp::kCast:
      return "CAST(" + a[0].ToString() + " AS " + std::string(DataTypeName(n.cast_to)) + ")";
    default: return name + "(" + Join(a, 0, a.size()) + ")";
  }
}

// ---- operators ----

Expr operator+(const Expr& a, const Expr& b) { return Make(ExprOp::kAdd, {a, b}); }
Expr operator-(const Expr& a, const Expr& b) { return Make(ExprOp::kSubtract, {a, b}); }
Expr operator*(const Expr& a, const Expr& b) { return Make(ExprOp::kMultiply, {a, b}); }
Expr operator/(const Expr& a, const Expr& b) { return Make(ExprOp::kDivide, {a, b}); }
Expr operator%(const Expr& a, const Expr& b) { return Make(ExprOp::kModulo, {a, b}); }
Expr operator-(const Expr& a) { return Make(ExprOp::kNegate, {a}); }
Expr operator==(const Expr& a, const Expr& b) { return Make(ExprOp::kEqual, {a, b}); }
Expr operator!=(const Expr& a, const Expr& b) { return Make(ExprOp::kNotEqual, {a, b}); }
Expr operator<(const Expr& a, const Expr& b) { return Make(ExprOp::kLess, {a, b}); }
Expr operator<=(const Expr& a, const Expr& b) { return Make(ExprOp::kLessEqual, {a, b}); }
Expr operator>(const Expr& a, const Expr& b) { return Make(ExprOp::kGreater, {a, b}); }
Expr operator>=(const Expr& a, const Expr& b) { return Make(ExprOp::kGreaterEqual, {a, b}); }
Expr operator&&(const Expr& a, const Expr& b) { return Make(ExprOp::kAnd, {a, b}); }
Expr operator||(const Expr& a, const Expr& b) { return Make(ExprOp::kOr, {a, b}); }
Expr operator!(const Expr& a) { return Make(ExprOp::kNot, {a}); }

// ---- leaves ----

Expr Col(std::string name) {
  auto node = std::make_shared<ExprNode>();
  node->op = ExprOp::kColumn;
  node->column = std::move(name);
  return Expr(std::move(node));
}

Expr Lit(Value value) {
  auto node = std::make_shared<ExprNode>();
  node->op = ExprOp::kLiteral;
  node->literal = std::move(value);
  return Expr(std::move(node));
}

// ---- null handling, choice, casts ----

Expr IsNull(Expr e) { return Make(ExprOp::kIsNull, {std::move(e)}); }
Expr IsNotNull(Expr e) { return Make(ExprOp::kIsNotNull, {std::move(e)}); }

Expr In(Expr e, std::vector<Expr> values) {
  values.insert(values.begin(), std::move(e));
  return Make(ExprOp::kIn, std::move(values));
}

Expr Coalesce(std::vector<Expr> args) { return Make(ExprOp::kCoalesce, std::move(args)); }

Expr Cast(Expr e, DataType to) {
  auto node = std::make_shared<ExprNode>();
  node->op = ExprOp::kCast;
  node->args.push_back(std::move(e));
  node->cast_to = to;
  return Expr(std::move(node));
}

CaseBuilder Case() { return CaseBuilder(); }

CaseBuilder CaseBuilder::When(Expr condition, Expr value) const {
  CaseBuilder next = *this;
  next.args_.push_back(std::move(condition));
  next.args_.push_back(std::move(value));
  return next;
}

Expr CaseBuilder::Else(Expr value) const {
  auto node = std::make_shared<ExprNode>();
  node->op = ExprOp::kCase;
  node->args = args_;
  node->args.push_back(std::move(value));
  node->case_has_else = true;
  return Expr(std::move(node));
}

Expr CaseBuilder::End() const { return Make(ExprOp::kCase, args_); }

// ---- strings ----

Expr Lower(Expr e) { return Make(ExprOp::kLower, {std::move(e)}); }
Expr Upper(Expr e) { return Make(ExprOp::kUpper, {std::move(e)}); }
Expr Length(Expr e) { return Make(ExprOp::kLength, {std::move(e)}); }
Expr Substr(Expr e, Expr start, Expr length) {
  return Make(ExprOp::kSubstr, {std::move(e), std::move(start), std::move(length)});
}
Expr Substr(Expr e, Expr start) { return Make(ExprOp::kSubstr, {std::move(e), std::move(start)}); }
Expr Concat(std::vector<Expr> args) { return Make(ExprOp::kConcat, std::move(args)); }
Expr StartsWith(Expr e, Expr prefix) {
  return Make(ExprOp::kStartsWith, {std::move(e), std::move(prefix)});
}
Expr EndsWith(Expr e, Expr suffix) {
  return Make(ExprOp::kEndsWith, {std::move(e), std::move(suffix)});
}
Expr Contains(Expr e, Expr part) {
  return Make(ExprOp::kContains, {std::move(e), std::move(part)});
}
Expr Like(Expr e, Expr pattern) { return Make(ExprOp::kLike, {std::move(e), std::move(pattern)}); }
Expr Trim(Expr e) { return Make(ExprOp::kTrim, {std::move(e)}); }

}  // namespace eddy::engine
