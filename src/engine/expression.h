#pragma once
// Expressions: typed, null-aware scalar computations over the columns of a batch, for
// filters, projections and computed keys.
//
// Users build an Expr fluently:
//   Col("auction") % 123 == 0
//   Col("price") * 0.908
//   Case().When(Col("price") > 100, "high").Else("low")
//   Like(Lower(Col("name")), "a%_z")
// then Bind it to a schema (which resolves column names, checks types and folds constant
// subtrees) and Evaluate the BoundExpr a batch at a time.
//
// Types (SQL-like):
//   int64 op int64 → int64 (+ - * wrap around on overflow, like Java's long); int64 with
//   double → double; `/` of two int64 is integer division truncating toward zero.
//   timestamp ± int64 → timestamp; int64 + timestamp → timestamp; timestamp - timestamp
//   → int64 (milliseconds). Other arithmetic on timestamps, bools or strings is an error.
//   Division or modulo by zero (int64 or double) gives null, not an error.
//   Comparisons give bool: numbers compare across int64 and double; bool, string and
//   timestamp compare only with their own type (strings bytewise; false < true). Compare
//   a timestamp with TimestampLit(ms), or Cast an int64 to kTimestamp.
//   AND / OR / NOT use SQL's three-valued logic (false AND null = false, true OR null =
//   true, NOT null = null). IS NULL / IS NOT NULL are never null. IN is null when nothing
//   matches and the value or a list entry is null. COALESCE is null only when every
//   argument is. CASE without ELSE is null when no branch matches. Every other operator
//   and function gives null when any operand is null.
// Strings are byte strings: Length, Substr and LIKE's `_` count bytes; Lower / Upper
// change ASCII letters only; Trim removes ASCII whitespace at both ends. LIKE: `%` matches
// any run of bytes, `_` one byte, and a backslash makes the next character literal.
// Concat casts non-string arguments to strings.
// Casts: string → number / bool / timestamp parses (leading and trailing whitespace
// allowed; a failure gives null); bool parses true/false/t/f/yes/no/y/n/on/off/1/0 in any
// case; timestamp parses epoch milliseconds or ISO 8601 ("2024-05-01", "2024-05-01
// 12:00:00.250", "2024-05-01T12:00:00Z", "...+02:00"). number → string is the shortest
// decimal that reads back as the same number; bool → string is "true" / "false";
// timestamp → string is "YYYY-MM-DD HH:MM:SS.mmm" (UTC). double → int64 /
// timestamp truncates toward zero (NaN or out of range → null); int64 ↔ timestamp keeps
// the number; bool → number is 0 / 1; number → bool is "not zero" (NaN → null).
//
// Expr and BoundExpr are immutable values that share their nodes: copying is cheap and
// they may be used from many threads at once. Evaluate has no state of its own.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "src/base/status.h"
#include "src/engine/batch.h"
#include "src/engine/column.h"
#include "src/engine/data_type.h"
#include "src/engine/schema.h"
#include "src/engine/value.h"

namespace eddy::engine {

/// What an expression node does.
enum class ExprOp : uint8_t {
  kColumn,
  kLiteral,
  // arithmetic
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kNegate,
  // comparisons
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  // logic
  kAnd,
  kOr,
  kNot,
  // null handling and choice
  kIsNull,
  kIsNotNull,
  kIn,        // args: value, then the list
  kCoalesce,
  kCase,      // args: when1, then1, when2, then2, ... [, else]
  kCast,
  // strings
  kLower,
  kUpper,
  kLength,
  kSubstr,  // args: string, start (1-based), [length]
  kConcat,
  kStartsWith,
  kEndsWith,
  kContains,
  kLike,
  kTrim,
};

/// The operator's spelling in messages: "+", "=", "AND", "lower", ...
std::string_view ExprOpName(ExprOp op);

struct ExprNode;
class Expr;

/// What converts implicitly into a literal Expr: numbers, bools, strings and Values.
template <typename T>
concept ExprLiteral = !std::is_same_v<std::remove_cvref_t<T>, std::nullptr_t> &&
                      (std::is_arithmetic_v<std::remove_cvref_t<T>> ||
                       std::is_convertible_v<const T&, std::string_view> ||
                       std::is_same_v<std::remove_cvref_t<T>, Value>);

/// An unbound expression. Cheap to copy (a shared, immutable node). A default-constructed
/// Expr is empty and fails to bind.
class Expr {
 public:
  Expr() = default;
  /// A literal: `Col("a") + 1`, `Col("name") == "x"` (see ExprLiteral).
  template <typename T>
    requires ExprLiteral<T>
  Expr(const T& value);  // NOLINT: implicit by design

  /// Internal: wraps a node (use the builder functions below).
  explicit Expr(std::shared_ptr<const ExprNode> node) : node_(std::move(node)) {}

  bool empty() const { return node_ == nullptr; }
  /// The node; the caller checks empty() first.
  const ExprNode& node() const { return *node_; }
  ExprOp op() const;
  bool is_column() const { return node_ && op() == ExprOp::kColumn; }
  bool is_literal() const { return node_ && op() == ExprOp::kLiteral; }

  /// SQL-like text for messages: "((auction % 123) = 0)", "lower(name) LIKE 'a%'".
  std::string ToString() const;

  // Operators build new expressions; a plain C++ literal on either side becomes Lit(...).
  friend Expr operator+(const Expr& a, const Expr& b);
  friend Expr operator-(const Expr& a, const Expr& b);
  friend Expr operator*(const Expr& a, const Expr& b);
  friend Expr operator/(const Expr& a, const Expr& b);
  friend Expr operator%(const Expr& a, const Expr& b);
  friend Expr operator-(const Expr& a);
  friend Expr operator==(const Expr& a, const Expr& b);
  friend Expr operator!=(const Expr& a, const Expr& b);
  friend Expr operator<(const Expr& a, const Expr& b);
  friend Expr operator<=(const Expr& a, const Expr& b);
  friend Expr operator>(const Expr& a, const Expr& b);
  friend Expr operator>=(const Expr& a, const Expr& b);
  /// Not short-circuiting in C++: both sides are built (and evaluated) always.
  friend Expr operator&&(const Expr& a, const Expr& b);
  friend Expr operator||(const Expr& a, const Expr& b);
  friend Expr operator!(const Expr& a);

 private:
  std::shared_ptr<const ExprNode> node_;
};

/// An expression node. Immutable once built.
struct ExprNode {
  ExprOp op = ExprOp::kLiteral;
  std::string column;                 // kColumn: the column's name
  Value literal = Value::Null(DataType::kInt64);  // kLiteral
  std::vector<Expr> args;             // operands, in order
  DataType cast_to = DataType::kInt64;  // kCast
  bool case_has_else = false;           // kCase: the last arg is the ELSE value
};

/// An output column of a projection: its name and how to compute it.
struct NamedExpr {
  std::string name;
  Expr expr;
};

// ---- leaves ----

/// The column called `name` (resolved when bound).
Expr Col(std::string name);
/// A literal of any type, including a typed null.
Expr Lit(Value value);
inline Expr Lit(bool v) { return Lit(Value::Bool(v)); }
template <typename T>
  requires std::integral<T> && (!std::is_same_v<T, bool>)
Expr Lit(T v) {
  return Lit(Value::Int64(static_cast<int64_t>(v)));
}
template <std::floating_point T>
Expr Lit(T v) {
  return Lit(Value::Double(static_cast<double>(v)));
}
inline Expr Lit(std::string v) { return Lit(Value::String(std::move(v))); }
inline Expr Lit(std::string_view v) { return Lit(Value::String(std::string(v))); }
inline Expr Lit(const char* v) { return Lit(Value::String(v)); }
/// A null of `type`.
inline Expr NullOf(DataType type) { return Lit(Value::Null(type)); }
/// A timestamp literal (epoch milliseconds).
inline Expr TimestampLit(int64_t ms) { return Lit(Value::Timestamp(ms)); }

template <typename T>
  requires ExprLiteral<T>
Expr::Expr(const T& value) : Expr(Lit(value)) {}

// ---- null handling, choice, casts ----

Expr IsNull(Expr e);
Expr IsNotNull(Expr e);
/// `e IN (values...)`; the values may be any expressions, literals are fastest.
Expr In(Expr e, std::vector<Expr> values);
/// The first non-null argument.
Expr Coalesce(std::vector<Expr> args);
template <typename... Args>
Expr Coalesce(const Expr& first, const Args&... rest) {
  return Coalesce(std::vector<Expr>{first, Expr(rest)...});
}
Expr Cast(Expr e, DataType to);

/// CASE WHEN ... THEN ... [ELSE ...] END:
///   Case().When(Col("x") > 10, "big").When(Col("x") > 0, "small").Else("none")
/// End() (or converting to Expr) gives a CASE without ELSE.
class CaseBuilder {
 public:
  CaseBuilder When(Expr condition, Expr value) const;
  Expr Else(Expr value) const;
  Expr End() const;
  operator Expr() const { return End(); }  // NOLINT: implicit by design

 private:
  std::vector<Expr> args_;
};
CaseBuilder Case();

// ---- strings ----

Expr Lower(Expr e);
Expr Upper(Expr e);
/// Length in bytes.
Expr Length(Expr e);
/// The bytes from `start` (1-based; positions before 1 count but yield nothing, as in
/// SQL) for `length` bytes; a negative length gives null.
Expr Substr(Expr e, Expr start, Expr length);
/// From `start` to the end.
Expr Substr(Expr e, Expr start);
Expr Concat(std::vector<Expr> args);
template <typename... Args>
Expr Concat(const Expr& first, const Args&... rest) {
  return Concat(std::vector<Expr>{first, Expr(rest)...});
}
Expr StartsWith(Expr e, Expr prefix);
Expr EndsWith(Expr e, Expr suffix);
Expr Contains(Expr e, Expr part);
/// SQL LIKE: `%` any run of bytes, `_` one byte, `\` escapes the next character.
Expr Like(Expr e, Expr pattern);
Expr Trim(Expr e);

// ---- binding and evaluation ----

struct BoundNode;

/// An expression bound to a schema: column indexes resolved, types checked, constant
/// subtrees folded. Immutable and shareable between threads (e.g. between the parallel
/// instances of an operator).
class BoundExpr {
 public:
  DataType type() const;
  /// False when the result can never be null (e.g. IS NULL, a non-null literal, a
  /// not-null column).
  bool nullable() const;
  /// A plain column reference (then column_index() is the column).
  bool is_column() const;
  size_t column_index() const;
  /// Folded to a constant (then constant() is it).
  bool is_constant() const;
  const Value& constant() const;
  /// The source expression's text.
  const std::string& ToString() const { return text_; }

  /// Internal: the bound tree.
  const BoundNode& root() const { return *root_; }

 private:
  friend Result<BoundExpr> Bind(const Expr& expr, const Schema& schema);
  BoundExpr(std::shared_ptr<const BoundNode> root, std::string text)
      : root_(std::move(root)), text_(std::move(text)) {}

  std::shared_ptr<const BoundNode> root_;
  std::string text_;
};

/// Resolves and type-checks `expr` against `schema`. Errors name the column or the
/// operator and the types ("no column 'prise' in schema (...)", "cannot apply '+' to
/// string and int64 in (name + 1)").
Result<BoundExpr> Bind(const Expr& expr, const Schema& schema);

/// Computes the expression for every row of `batch` (which must have the columns the
/// expression was bound to): a column of expr.type() with batch.num_rows() rows.
Result<Column> Evaluate(const BoundExpr& expr, const Batch& batch);

/// Evaluates a bool expression as a selection: keep[i] = 1 where it is true, 0 where it
/// is false or null. Returns the number of rows kept. `keep` is replaced (its capacity is
/// reused when it has enough).
Result<size_t> EvaluatePredicate(const BoundExpr& predicate, const Batch& batch,
                                 std::vector<uint8_t>& keep);

}  // namespace eddy::engine
