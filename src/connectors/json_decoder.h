#pragma once
// JsonRowDecoder: JSON objects (one event each) -> rows of a batch, with simdjson's
// On-Demand parser behind a pimpl (simdjson's headers stay out of this one).
//
// Typing: int64 columns take JSON integers; double columns integers or floats; bool
// columns true/false; string columns strings (escapes decoded); timestamp columns an
// integer (epoch milliseconds) or an ISO-8601 string ("2026-11-25T12:00:00Z",
// "2026-11-25T12:00:00.250+01:00"). A missing field or a JSON null is a null when the
// column is nullable and an error when it is not. Fields the schema does not name are
// skipped; their values are not checked beyond what On-Demand's structural pass sees.
// When a field appears twice, the last one wins.
//
// Not thread-safe (it owns a parser and buffers it reuses): one per source instance.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/engine/batch.h"

namespace eddy::connectors {

struct JsonDecoderOptions {
  /// A column of type timestamp or int64 that holds each row's event time; empty: the
  /// caller supplies the event time (Decode's `fallback_event_time`).
  std::string event_time_field;
};

class JsonRowDecoder {
 public:
  /// Bytes simdjson may read past the end of a document (SIMDJSON_PADDING).
  static constexpr size_t kPadding = 64;

  /// Fails (InvalidArgument) when the event time field is not a timestamp or int64
  /// column of `schema`.
  static Result<JsonRowDecoder> Make(engine::SchemaRef schema, JsonDecoderOptions options = {});

  JsonRowDecoder(JsonRowDecoder&&) noexcept;
  JsonRowDecoder& operator=(JsonRowDecoder&&) noexcept;
  ~JsonRowDecoder();

  const engine::SchemaRef& schema() const;

  /// Appends the row that `json` (one JSON object) holds to `out`, a batch of schema().
  /// Its event time is the event time field's value, or `fallback_event_time` when the
  /// options name none. On error `out` is unchanged and the status (InvalidArgument)
  /// says what is wrong: the field, the type expected and what was found; "not a JSON
  /// object"; or the syntax error and its byte position. Copies `json` into a reused
  /// padded buffer first (see DecodePadded to avoid that).
  Status Decode(std::string_view json, engine::Batch& out, engine::EventTimeMs fallback_event_time);

  /// Decode for text inside a larger buffer: `readable_bytes` (>= json.size()) bytes
  /// starting at json.data() may be read. When that leaves kPadding bytes after the
  /// document, it is parsed in place without a copy (the bytes past it are read, never
  /// written, and do not change the result).
  Status DecodePadded(std::string_view json, size_t readable_bytes, engine::Batch& out,
                      engine::EventTimeMs fallback_event_time);

 private:
  struct Impl;
  explicit JsonRowDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace eddy::connectors
