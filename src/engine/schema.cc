#include "src/engine/schema.h"

namespace eddy::engine {

std::string_view DataTypeName(DataType type) {
  switch (type) {
    case DataType::kInt64: return "int64";
    case DataType::kDouble: return "double";
    case DataType::kBool: return "bool";
    case DataType::kString: return "string";
    case DataType::kTimestamp: return "timestamp";
  }
  return "unknown";
}

std::optional<size_t> Schema::FindIndex(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return i;
  }
  return std::nullopt;
}

Result<size_t> Schema::IndexOf(std::string_view name) const {
  if (auto index = FindIndex(name)) return *index;
  return Status::InvalidArgument("no column '" + std::string(name) + "' in schema (" +
                                 ToString() + ")");
}

std::string Schema::ToString() const {
  std::string out;
  for (const Field& f : fields_) {
    if (!out.empty()) out += ", ";
    out += f.name;
    out += ':';
    out += DataTypeName(f.type);
    if (!f.nullable) out += " not null";
  }
  return out;
}

}  // namespace eddy::engine
