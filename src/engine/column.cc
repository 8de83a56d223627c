#include "src/engine/column.h"

#include <fmt/format.h>

namespace eddy::engine {

std::string Value::ToString() const {
  if (is_null()) return "null";
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp: return std::to_string(int64());
    case DataType::kDouble: return fmt::format("{}", dbl());
    case DataType::kBool: return boolean() ? "true" : "false";
    case DataType::kString: return "'" + str() + "'";
  }
  return "?";
}

void Column::AppendNull() {
  if (validity_.empty()) validity_.assign(size_, 1);
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp: ints_.push_back(0); break;
    case DataType::kDouble: doubles_.push_back(0); break;
    case DataType::kBool: bools_.push_back(0); break;
    case DataType::kString: string_offsets_.push_back(string_offsets_.back()); break;
  }
  ++size_;
  validity_.push_back(0);
}

void Column::SetNull(size_t row) {
  if (validity_.empty()) validity_.assign(size_, 1);
  validity_[row] = 0;
}

void Column::AppendValue(const Value& value) {
  if (value.is_null()) return AppendNull();
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp: return AppendInt(value.int64());
    case DataType::kDouble: return AppendDouble(value.dbl());
    case DataType::kBool: return AppendBool(value.boolean());
    case DataType::kString: return AppendString(value.str());
  }
}

void Column::AppendFrom(const Column& other, size_t row) {
  if (other.IsNull(row)) return AppendNull();
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp: return AppendInt(other.ints_[row]);
    case DataType::kDouble: return AppendDouble(other.doubles_[row]);
    case DataType::kBool: return AppendBool(other.bools_[row] != 0);
    case DataType::kString: return AppendString(other.StringAt(row));
  }
}

void Column::AppendRange(const Column& other, size_t begin, size_t end) {
  if (begin >= end) return;
  const size_t n = end - begin;
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      ints_.insert(ints_.end(), other.ints_.begin() + begin, other.ints_.begin() + end);
      break;
    case DataType::kDouble:
      doubles_.insert(doubles_.end(), other.doubles_.begin() + begin, other.doubles_.begin() + end);
      break;
    case DataType::kBool:
      bools_.insert(bools_.end(), other.bools_.begin() + begin, other.bools_.begin() + end);
      break;
    case DataType::kString: {
      const uint32_t from = other.string_offsets_[begin];
      const uint32_t to = other.string_offsets_[end];
      const uint32_t base = static_cast<uint32_t>(string_data_.size());
      string_data_.append(other.string_data_, from, to - from);
      for (size_t i = begin + 1; i <= end; ++i) {
        string_offsets_.push_back(base + other.string_offsets_[i] - from);
      }
      break;
    }
  }
  if (other.has_nulls() || has_nulls()) {
    if (validity_.empty()) validity_.assign(size_, 1);
    if (other.has_nulls()) {
      validity_.insert(validity_.end(), other.validity_.begin() + begin,
                       other.validity_.begin() + end);
    } else {
      validity_.resize(size_ + n, 1);
    }
  }
  size_ += n;
}

Value Column::ValueAt(size_t row) const {
  if (IsNull(row)) return Value::Null(type_);
  switch (type_) {
    case DataType::kInt64: return Value::Int64(ints_[row]);
    case DataType::kTimestamp: return Value::Timestamp(ints_[row]);
    case DataType::kDouble: return Value::Double(doubles_[row]);
    case DataType::kBool: return Value::Bool(bools_[row] != 0);
    case DataType::kString: return Value::String(std::string(StringAt(row)));
  }
  return Value::Null(type_);
}

void Column::Reserve(size_t rows) {
  switch (type_) {
    case DataType::kInt64:
    case DataType::kTimestamp: ints_.reserve(rows); break;
    case DataType::kDouble: doubles_.reserve(rows); break;
    case DataType::kBool: bools_.reserve(rows); break;
    case DataType::kString: string_offsets_.reserve(rows + 1); break;
  }
}

void Column::Clear() {
  size_ = 0;
  ints_.clear();
  doubles_.clear();
  bools_.clear();
  string_data_.clear();
  string_offsets_.assign(type_ == DataType::kString ? 1 : 0, 0);
  validity_.clear();
}

}  // namespace eddy::engine
