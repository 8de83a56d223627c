#include "src/connectors/changelog_materializer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace eddy::connectors {

namespace {

JsonRowEncoder MakeEncoder(engine::SchemaRef schema) {
  // Without encode_changes Make fails only on a missing schema: a bug in the caller.
  Result<JsonRowEncoder> encoder = JsonRowEncoder::Make(std::move(schema));
  if (!encoder.ok()) {
    fmt::print(stderr, "ChangelogMaterializer: {}\n", encoder.status().ToString());
    std::abort();
  }
  return std::move(encoder).value();
}

}  // namespace

ChangelogMaterializer::ChangelogMaterializer(engine::SchemaRef schema)
    : encoder_(MakeEncoder(std::move(schema))) {}

Status ChangelogMaterializer::Apply(const engine::Batch& batch) {
  Status first_missing;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    scratch_.clear();
    encoder_.AppendRow(batch, row, scratch_);
    const engine::ChangeKind kind = batch.change(row);
    if (engine::IsAddition(kind)) {
      ++counts_[scratch_];
      ++num_rows_;
      continue;
    }
    auto it = counts_.find(scratch_);
    if (it == counts_.end()) {
      ++missing_removals_;
      if (first_missing.ok()) {
        first_missing = Status::FailedPrecondition(
            fmt::format("changelog removes a row the table does not hold ({} {})",
                        engine::ChangeKindName(kind), scratch_));
      }
      continue;
    }
    if (--it->second == 0) counts_.erase(it);
    --num_rows_;
  }
  return first_missing;
}

std::vector<std::string> ChangelogMaterializer::Rows() const {
  std::vector<std::string> rows;
  rows.reserve(num_rows_);
  for (const auto& [line, count] : counts_) {
    for (uint64_t i = 0; i < count; ++i) rows.push_back(line);
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace eddy::connectors
