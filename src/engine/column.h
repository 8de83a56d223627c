#pragma once
// Column: one typed, nullable vector of a batch.
//
// Storage by type: kInt64 and kTimestamp in ints(), kDouble in doubles(), kBool in
// bools() (one byte per value), kString as Arrow-style offsets into one character
// buffer. Validity is a byte per row and is empty while the column has no null, so a
// column without nulls costs nothing extra. Not thread-safe; a batch has one owner.

#include <cassert>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/engine/data_type.h"
#include "src/engine/value.h"

namespace eddy::engine {

class Column {
 public:
  explicit Column(DataType type) : type_(type) {
    if (type_ == DataType::kString) string_offsets_.push_back(0);
  }

  DataType type() const { return type_; }
  size_t size() const { return size_; }

  // ---- typed storage (the caller knows the type) ----
  std::vector<int64_t>& ints() { assert(IsIntegerLike(type_)); return ints_; }
  const std::vector<int64_t>& ints() const { assert(IsIntegerLike(type_)); return ints_; }
  std::vector<double>& doubles() { assert(type_ == DataType::kDouble); return doubles_; }
  const std::vector<double>& doubles() const { assert(type_ == DataType::kDouble); return doubles_; }
  std::vector<uint8_t>& bools() { assert(type_ == DataType::kBool); return bools_; }
  const std::vector<uint8_t>& bools() const { assert(type_ == DataType::kBool); return bools_; }

  std::string_view StringAt(size_t row) const {
    assert(type_ == DataType::kString);
    return std::string_view(string_data_).substr(string_offsets_[row],
                                                 string_offsets_[row + 1] - string_offsets_[row]);
  }

  // ---- appends: each adds exactly one row ----
  void AppendInt(int64_t v) { ints_.push_back(v); Grew(); }
  void AppendDouble(double v) { doubles_.push_back(v); Grew(); }
  void AppendBool(bool v) { bools_.push_back(v ? 1 : 0); Grew(); }
  void AppendString(std::string_view v) {
    string_data_.append(v);
    string_offsets_.push_back(static_cast<uint32_t>(string_data_.size()));
    Grew();
  }
  /// Appends a null (a zero / empty placeholder in the value storage).
  void AppendNull();
  /// Appends `value`, which must have this column's type (or be a null).
  void AppendValue(const Value& value);
  /// Appends row `row` of `other`, which has the same type.
  void AppendFrom(const Column& other, size_t row);
  /// Appends rows [begin, end) of `other`, which has the same type.
  void AppendRange(const Column& other, size_t begin, size_t end);

  /// Call after filling ints()/doubles()/bools() directly with n more values.
  void CommitAppended(size_t n) {
    size_ += n;
    if (!validity_.empty()) validity_.resize(size_, 1);
  }

  // ---- nulls ----
  bool has_nulls() const { return !validity_.empty(); }
  bool IsNull(size_t row) const { return !validity_.empty() && validity_[row] == 0; }
  void SetNull(size_t row);
  /// One byte per row (1 = valid); empty when there is no null.
  const std::vector<uint8_t>& validity() const { return validity_; }

  /// Row `row` as a Value.
  Value ValueAt(size_t row) const;

  void Reserve(size_t rows);
  void Clear();

 private:
  void Grew() {
    ++size_;
    if (!validity_.empty()) validity_.push_back(1);
  }

  DataType type_;
  size_t size_ = 0;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<uint8_t> bools_;
  std::vector<uint32_t> string_offsets_;
  std::string string_data_;
  std::vector<uint8_t> validity_;
};

}  // namespace eddy::engine
