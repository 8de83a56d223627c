#include "src/engine/join_schema.h"

#include <algorithm>
#include <unordered_set>

namespace eddy::engine {

Result<std::vector<Field>> JoinFields(const Schema& left, const Schema& right,
                                      std::string_view right_prefix, bool right_nullable) {
  std::vector<Field> fields = left.fields();
  std::unordered_set<std::string> taken;
  for (const Field& f : left.fields()) taken.insert(f.name);
  // A right column keeps its name unless a left column has it; the renamed ones then
  // also avoid every original right name, so that no later right column is shadowed.
  std::unordered_set<std::string> right_names;
  for (const Field& f : right.fields()) right_names.insert(f.name);
  std::vector<Field> right_fields = right.fields();
  std::vector<size_t> clashing;
  for (size_t i = 0; i < right_fields.size(); ++i) {
    if (!taken.insert(right_fields[i].name).second) clashing.push_back(i);
  }
  for (size_t i : clashing) {
    if (right_prefix.empty()) {
      return Status::InvalidArgument("join: right column '" + right_fields[i].name +
                                     "' has the name of a left column and right_prefix is "
                                     "empty");
    }
    std::string name = right_fields[i].name;
    do {
      name = std::string(right_prefix) + name;
    } while (taken.count(name) != 0 || right_names.count(name) != 0);
    taken.insert(name);
    right_fields[i].name = std::move(name);
  }
  for (Field& f : right_fields) {
    if (right_nullable) f.nullable = true;
    fields.push_back(std::move(f));
  }
  return fields;
}

Result<std::vector<size_t>> ResolveColumns(const Schema& schema,
                                           const std::vector<std::string>& names,
                                           std::string_view what) {
  std::vector<size_t> columns;
  columns.reserve(names.size());
  for (const std::string& name : names) {
    Result<size_t> index = schema.IndexOf(name);
    if (!index.ok()) return index.status().WithContext(what);
    columns.push_back(*index);
  }
  return columns;
}

Result<JoinKeyColumns> ResolveJoinKeys(const Schema& left, const Schema& right,
                                       const std::vector<std::string>& left_keys,
                                       const std::vector<std::string>& right_keys) {
  if (left_keys.empty()) return Status::InvalidArgument("join: left_keys is empty");
  if (left_keys.size() != right_keys.size()) {
    return Status::InvalidArgument("join: " + std::to_string(left_keys.size()) + " left_keys but " +
                                   std::to_string(right_keys.size()) + " right_keys");
  }
  JoinKeyColumns keys;
  ASSIGN_OR_RETURN(keys.left, ResolveColumns(left, left_keys, "join left_keys"));
  ASSIGN_OR_RETURN(keys.right, ResolveColumns(right, right_keys, "join right_keys"));
  for (size_t i = 0; i < keys.left.size(); ++i) {
    const DataType lt = left.field(keys.left[i]).type;
    const DataType rt = right.field(keys.right[i]).type;
    if (lt != rt) {
      return Status::InvalidArgument("join: key " + std::to_string(i) + " pairs left column '" +
                                     left_keys[i] + "' (" + std::string(DataTypeName(lt)) +
                                     ") with right column '" + right_keys[i] + "' (" +
                                     std::string(DataTypeName(rt)) + "): the types must match");
    }
  }
  return keys;
}

Status CheckInsertOnly(const Batch& batch, std::string_view what, int input) {
  if (batch.is_insert_only()) return Status::OK();
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    if (batch.change(row) != ChangeKind::kInsert) {
      return Status::InvalidArgument(
          std::string(what) + ": input " + std::to_string(input) + " row " + std::to_string(row) +
          " is a " + std::string(ChangeKindName(batch.change(row))) +
          " change, but this operator takes append-only streams (inserts only); changelog "
          "inputs are not supported");
    }
  }
  return Status::OK();
}

namespace {

void GatherColumn(const Column& src, std::span<const uint32_t> rows, bool may_miss, Column& dst) {
  if (may_miss || src.has_nulls()) {
    for (uint32_t r : rows) {
      if (r == kNoRow) {
        dst.AppendNull();
      } else {
        dst.AppendFrom(src, r);
      }
    }
    return;
  }
  switch (src.type()) {
    case DataType::kInt64:
    case DataType::kTimestamp: {
      const std::vector<int64_t>& in = src.ints();
      std::vector<int64_t>& out = dst.ints();
      for (uint32_t r : rows) out.push_back(in[r]);
      dst.CommitAppended(rows.size());
      return;
    }
    case DataType::kDouble: {
      const std::vector<double>& in = src.doubles();
      std::vector<double>& out = dst.doubles();
      for (uint32_t r : rows) out.push_back(in[r]);
      dst.CommitAppended(rows.size());
      return;
    }
    case DataType::kBool: {
      const std::vector<uint8_t>& in = src.bools();
      std::vector<uint8_t>& out = dst.bools();
      for (uint32_t r : rows) out.push_back(in[r]);
      dst.CommitAppended(rows.size());
      return;
    }
    case DataType::kString:
      for (uint32_t r : rows) dst.AppendString(src.StringAt(r));
      return;
  }
}

}  // namespace

void GatherColumns(const Batch& src, std::span<const uint32_t> rows, Batch& out,
                   size_t first_column) {
  const bool may_miss = std::find(rows.begin(), rows.end(), kNoRow) != rows.end();
  for (size_t c = 0; c < src.num_columns(); ++c) {
    GatherColumn(src.column(c), rows, may_miss, out.column(first_column + c));
  }
}

void AppendMatchedColumns(const Batch& left, const Batch& right, const JoinMatches& matches,
                          Batch& out) {
  GatherColumns(left, matches.left_rows, out, 0);
  GatherColumns(right, matches.right_rows, out, left.num_columns());
}

void CommitMatchedRows(const JoinMatches& matches, Batch& out) {
  for (EventTimeMs t : matches.event_times) out.CommitRow(t);
}

}  // namespace eddy::engine
