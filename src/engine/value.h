#pragma once
// Value: one typed, nullable cell. Used at the edges of the columnar world: literals,
// keys decoded for output, and the row-lambda escape hatch. Hot paths use Column.

#include <cstdint>
#include <string>
#include <variant>

#include "src/engine/data_type.h"

namespace eddy::engine {

class Value {
 public:
  /// A null of the given type.
  static Value Null(DataType type) { return Value(type, std::monostate{}); }
  static Value Int64(int64_t v) { return Value(DataType::kInt64, v); }
  static Value Timestamp(int64_t ms) { return Value(DataType::kTimestamp, ms); }
  static Value Double(double v) { return Value(DataType::kDouble, v); }
  static Value Bool(bool v) { return Value(DataType::kBool, v); }
  static Value String(std::string v) { return Value(DataType::kString, std::move(v)); }

  DataType type() const { return type_; }
  bool is_null() const { return std::holds_alternative<std::monostate>(data_); }

  /// Typed reads; the caller checks type() and is_null() first.
  int64_t int64() const { return std::get<int64_t>(data_); }
  double dbl() const { return std::get<double>(data_); }
  bool boolean() const { return std::get<bool>(data_); }
  const std::string& str() const { return std::get<std::string>(data_); }

  /// A readable rendering for messages and tests ("null", "42", "'abc'").
  std::string ToString() const;

  bool operator==(const Value&) const = default;

 private:
  using Data = std::variant<std::monostate, int64_t, double, bool, std::string>;
  Value(DataType type, Data data) : type_(type), data_(std::move(data)) {}

  DataType type_;
  Data data_;
};

}  // namespace eddy::engine
