#pragma once
// JsonRowEncoder: rows of a batch -> JSON object text, the inverse of JsonRowDecoder.
//
// Fields come in schema order under their schema names. int64 and timestamp columns are
// JSON integers (timestamps in epoch milliseconds); doubles use the shortest text that
// reads back to the same double, with ".0" added to integral values so that they stay
// doubles for typed readers (1.0, 1e+20), and NaN/infinity (which JSON cannot express)
// become null; strings are escaped per RFC 8259 (quote, backslash and control
// characters; other bytes pass through as UTF-8); nulls are null. With encode_changes
// the object starts with "op": "+I" / "-U" / "+U" / "-D".
//
// Immutable after Make; AppendRow may run on many threads at once.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/engine/batch.h"

namespace eddy::connectors {

/// The field that carries a row's change kind when changes are encoded.
inline constexpr std::string_view kChangeField = "op";

struct JsonEncoderOptions {
  bool encode_changes = false;
};

class JsonRowEncoder {
 public:
  /// Fails (InvalidArgument) when changes are encoded and the schema has a column
  /// named "op".
  static Result<JsonRowEncoder> Make(engine::SchemaRef schema, JsonEncoderOptions options = {});

  const engine::SchemaRef& schema() const { return schema_; }
  bool encode_changes() const { return options_.encode_changes; }

  /// Appends row `row` of `batch` (a batch of schema()) as one JSON object to `out`,
  /// without a newline. Appending to a reused string allocates nothing once it is big
  /// enough.
  void AppendRow(const engine::Batch& batch, size_t row, std::string& out) const;

  /// Appends a JSON object of only `columns` of row `row`, in the order given, without
  /// "op" (record keys).
  void AppendColumns(const engine::Batch& batch, size_t row, std::span<const size_t> columns,
                     std::string& out) const;

 private:
  JsonRowEncoder(engine::SchemaRef schema, JsonEncoderOptions options);
  void AppendCell(const engine::Column& column, size_t row, std::string& out) const;

  engine::SchemaRef schema_;
  JsonEncoderOptions options_;
  std::vector<std::string> keys_;  // per column: "\"name\":", escaped once
};

/// Appends `text` as a JSON string (quoted and escaped) to `out`.
void AppendJsonString(std::string_view text, std::string& out);
/// Appends `value` as a JSON number (shortest round-trip form, ".0" on integral
/// values) or null for NaN and infinities.
void AppendJsonDouble(double value, std::string& out);

}  // namespace eddy::connectors
