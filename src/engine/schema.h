#pragma once
// Schema: the named, typed columns of a stream.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/engine/data_type.h"

namespace eddy::engine {

struct Field {
  std::string name;
  DataType type = DataType::kInt64;
  bool nullable = true;

  bool operator==(const Field&) const = default;
};

/// Immutable once built; shared between batches and operators through SchemaRef.
class Schema {
 public:
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  size_t num_fields() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_[i]; }

  /// Index of the column called `name`, or nullopt.
  std::optional<size_t> FindIndex(std::string_view name) const;
  /// Index of the column called `name`; the error names the column and lists the others.
  Result<size_t> IndexOf(std::string_view name) const;

  /// "name:type, ..." for messages and logs.
  std::string ToString() const;

  bool operator==(const Schema& other) const { return fields_ == other.fields_; }

 private:
  std::vector<Field> fields_;
};

using SchemaRef = std::shared_ptr<const Schema>;

inline SchemaRef MakeSchema(std::vector<Field> fields) {
  return std::make_shared<const Schema>(std::move(fields));
}

}  // namespace eddy::engine
