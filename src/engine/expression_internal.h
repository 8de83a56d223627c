#pragma once
// The bound form of an expression and what the binder, the evaluator and the function
// kernels share. Not part of the engine's interface: include expression.h instead.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/engine/expression.h"

namespace eddy::engine {

/// A compiled LIKE pattern: the pattern with its escapes resolved into a sequence of
/// elements, and the shape that lets common patterns skip the general matcher.
struct LikePattern {
  enum class Element : uint8_t { kByte, kAnyByte, kAnyRun };
  enum class Shape : uint8_t {
    kExact,       // no wildcard: equality with `literal`
    kPrefix,      // literal%
    kSuffix,      // %literal
    kInfix,       // %literal%
    kPrefixSuffix,  // literal%literal2
    kGeneral,
  };
  std::string bytes;              // the byte of each kByte element (0 for wildcards)
  std::vector<Element> elements;  // one per pattern position
  Shape shape = Shape::kGeneral;
  std::string literal;   // kExact / kPrefix / kSuffix / kInfix / kPrefixSuffix (the prefix)
  std::string literal2;  // kPrefixSuffix: the suffix

  /// Compiles `pattern` (replacing this one; reuses capacity).
  void Compile(std::string_view pattern);
  bool Matches(std::string_view s) const;
};

/// The constant set of an IN whose list entries are all literals.
struct InSet {
  std::vector<int64_t> ints;         // int64 / timestamp values, sorted
  std::vector<double> doubles;       // double values, sorted
  std::vector<std::string> strings;  // string values, sorted
  bool has_true = false;             // bool values
  bool has_false = false;
  bool has_null = false;  // a null entry: no match gives null instead of false
};

/// One column the expression reads, to check a batch before evaluating.
struct ColumnUse {
  size_t index;
  DataType type;
};

/// One node of a bound expression. Immutable after Bind.
struct BoundNode {
  ExprOp op = ExprOp::kLiteral;
  DataType type = DataType::kInt64;
  bool nullable = true;
  size_t column = 0;                              // kColumn
  Value constant = Value::Null(DataType::kInt64);  // kLiteral
  std::vector<BoundNode> children;
  bool case_has_else = false;  // kCase
  bool in_constant = false;    // kIn: `in_set` holds the list (no list children)
  InSet in_set;                // kIn
  bool like_constant = false;  // kLike: the pattern is constant and compiled in `like`
  LikePattern like;            // kLike
  std::vector<ColumnUse> uses;  // the root only: every column the expression reads

  bool is_constant() const { return op == ExprOp::kLiteral; }
};

/// What the evaluator produces for a node: a column of the batch (borrowed), a column
/// computed for this batch (owned), or a constant standing for every row.
class Datum {
 public:
  static Datum Borrowed(const Column& column) {
    Datum d;
    d.borrowed_ = &column;
    return d;
  }
  static Datum Owned(Column column) {
    Datum d;
    d.owned_ = std::make_unique<Column>(std::move(column));
    return d;
  }
  static Datum Constant(const Value& value) {
    Datum d;
    d.constant_ = &value;
    return d;
  }

  bool is_constant() const { return constant_ != nullptr; }
  const Value& constant() const { return *constant_; }
  /// The column; only when !is_constant().
  const Column& column() const { return owned_ ? *owned_ : *borrowed_; }
  /// True when some row is null (a null constant, or a column with nulls).
  bool may_have_nulls() const {
    return is_constant() ? constant_->is_null() : column().has_nulls();
  }
  /// Takes the column out (copies it when borrowed).
  Column TakeColumn() {
    if (owned_) return std::move(*owned_);
    return *borrowed_;
  }

 private:
  const Column* borrowed_ = nullptr;
  std::unique_ptr<Column> owned_;
  const Value* constant_ = nullptr;
};

/// Evaluates `node` over the `n` rows of `batch`.
Datum EvalNode(const BoundNode& node, const Batch& batch, size_t n);

/// A column of `n` copies of `value` (of `type`).
Column BroadcastConstant(const Value& value, DataType type, size_t n);

// Kernels of expression_functions.cc. Each gets the node's evaluated children.
Column EvalCast(DataType to, const Datum& input, size_t n);
Column EvalStringFunction(const BoundNode& node, const std::vector<Datum>& args, size_t n);

// Text conversions shared with the binder and tests.
/// "YYYY-MM-DD HH:MM:SS.mmm" (UTC).
std::string FormatTimestamp(int64_t ms);
/// Epoch ms from ISO 8601 or a plain integer; false when `text` is neither.
bool ParseTimestamp(std::string_view text, int64_t& ms);

}  // namespace eddy::engine
