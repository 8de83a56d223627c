#include "src/connectors/json_decoder.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>
#include <optional>
#include <unordered_map>
#include <vector>

#include "src/connectors/iso_timestamp.h"
#include "src/connectors/row_scratch.h"

namespace eddy::connectors {

using engine::DataType;
namespace od = simdjson::ondemand;

static_assert(JsonRowDecoder::kPadding == simdjson::SIMDJSON_PADDING,
              "JsonRowDecoder::kPadding must match simdjson's padding");

namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// At most this much of the offending text goes into an error message.
constexpr size_t kQuoteChars = 40;

std::string Quote(std::string_view text) {
  if (text.size() <= kQuoteChars) return std::string(text);
  return fmt::format("{}...", text.substr(0, kQuoteChars));
}

std::string_view JsonTypeName(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "?";
}

}  // namespace

struct JsonRowDecoder::Impl {
  Impl(engine::SchemaRef s, std::optional<size_t> event_time)
      : schema(std::move(s)), event_time_column(event_time), scratch(*schema) {
    for (size_t c = 0; c < schema->num_fields(); ++c) {
      names.push_back(schema->field(c).name);
      index.emplace(schema->field(c).name, c);
    }
  }

  Status DecodeDocument(const char* data, size_t len, engine::Batch& out,
                        engine::EventTimeMs fallback_event_time);
  Status ReadCell(size_t column, od::value& value, od::document& doc);
  Status SyntaxError(simdjson::error_code error, od::document* doc) const;
  Status TypeError(size_t column, od::value& value, od::json_type found) const;

  engine::SchemaRef schema;
  std::vector<std::string> names;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> index;
  std::optional<size_t> event_time_column;
  od::parser parser;
  std::vector<char> padded;         // grown, never shrunk
  const char* doc_start = nullptr;  // the document being decoded, for error positions
  RowScratch scratch;
};

Status JsonRowDecoder::Impl::SyntaxError(simdjson::error_code error, od::document* doc) const {
  if (error == simdjson::EMPTY) return Status::InvalidArgument("empty input: not a JSON object");
  const char* at = nullptr;
  if (doc != nullptr && doc->current_location().get(at) == simdjson::SUCCESS) {
    return Status::InvalidArgument(
        fmt::format("invalid JSON at byte {}: {}", at - doc_start, simdjson::error_message(error)));
  }
  return Status::InvalidArgument(fmt::format("invalid JSON: {}", simdjson::error_message(error)));
}

Status JsonRowDecoder::Impl::TypeError(size_t column, od::value& value, od::json_type found) const {
  const engine::Field& f = schema->field(column);
  std::string what(JsonTypeName(found));
  if (found != od::json_type::array && found != od::json_type::object) {
    std::string_view token = value.raw_json_token();
    // The token runs up to the next structural character: drop trailing blanks.
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' ||
                              token.back() == '\t')) {
      token.remove_suffix(1);
    }
    what = found == od::json_type::null || found == od::json_type::boolean
               ? Quote(token)
               : fmt::format("{} {}", what, Quote(token));
  }
  const char* expected = "";
  switch (f.type) {
    case DataType::kInt64:
      expected = "int64 (a JSON integer)";
      break;
    case DataType::kDouble:
      expected = "double (a JSON number)";
      break;
    case DataType::kBool:
      expected = "bool (true or false)";
      break;
    case DataType::kString:
      expected = "string";
      break;
    case DataType::kTimestamp:
      expected = "timestamp (integer epoch milliseconds or an ISO-8601 string)";
      break;
  }
  return Status::InvalidArgument(
      fmt::format("field \"{}\": expected {}, found {}", f.name, expected, what));
}

Status JsonRowDecoder::Impl::ReadCell(size_t column, od::value& value, od::document& doc) {
  od::json_type type;
  if (auto err = value.type().get(type)) return SyntaxError(err, &doc);
  if (type == od::json_type::null) {
    bool is_null = false;
    if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) {
      return Status::InvalidArgument(
          fmt::format("field \"{}\": invalid literal (expected null)", names[column]));
    }
    scratch.SetNull(column);
    return Status::OK();
  }
  // A conversion that fails on a value of the right JSON type means the value itself is
  // malformed or out of range (1.5 for an int64, 1e999, "tru").
  switch (schema->field(column).type) {
    case DataType::kInt64: {
      if (type != od::json_type::number) return TypeError(column, value, type);
      int64_t v = 0;
      if (value.get_int64().get(v) != simdjson::SUCCESS) return TypeError(column, value, type);
      scratch.SetInt(column, v);
      return Status::OK();
    }
    case DataType::kTimestamp: {
      if (type == od::json_type::number) {
        int64_t v = 0;
        if (value.get_int64().get(v) != simdjson::SUCCESS) return TypeError(column, value, type);
        scratch.SetInt(column, v);
        return Status::OK();
      }
      if (type != od::json_type::string) return TypeError(column, value, type);
      std::string_view text;
      if (auto err = value.get_string().get(text)) return SyntaxError(err, &doc);
      Result<int64_t> ms = ParseIsoTimestampMs(text);
      if (!ms.ok()) return ms.status().WithContext(fmt::format("field \"{}\"", names[column]));
      scratch.SetInt(column, *ms);
      return Status::OK();
    }
    case DataType::kDouble: {
      if (type != od::json_type::number) return TypeError(column, value, type);
      double v = 0;
      if (value.get_double().get(v) != simdjson::SUCCESS) return TypeError(column, value, type);
      scratch.SetDouble(column, v);
      return Status::OK();
    }
    case DataType::kBool: {
      if (type != od::json_type::boolean) return TypeError(column, value, type);
      bool v = false;
      if (value.get_bool().get(v) != simdjson::SUCCESS) return TypeError(column, value, type);
      scratch.SetBool(column, v);
      return Status::OK();
    }
    case DataType::kString: {
      if (type != od::json_type::string) return TypeError(column, value, type);
      std::string_view v;
      if (auto err = value.get_string().get(v)) {
        return Status::InvalidArgument(fmt::format("field \"{}\": invalid string: {}",
                                                   names[column], simdjson::error_message(err)));
      }
      // The view points into the parser's string buffer, alive until the next document.
      scratch.SetString(column, v);
      return Status::OK();
    }
  }
  return Status::Internal("unknown column type");
}

Status JsonRowDecoder::Impl::DecodeDocument(const char* data, size_t len, engine::Batch& out,
                                            engine::EventTimeMs fallback_event_time) {
  scratch.Reset();
  doc_start = data;
  od::document doc;
  if (auto err = parser.iterate(data, len, len + kPadding).get(doc)) {
    return SyntaxError(err, nullptr);
  }
  od::json_type type = od::json_type::null;
  const simdjson::error_code type_error = doc.type().get(type);
  if (type_error || type != od::json_type::object) {
    size_t start = 0;
    while (start < len && (data[start] == ' ' || data[start] == '\t' || data[start] == '\n' ||
                           data[start] == '\r')) {
      ++start;
    }
    if (type_error && start < len && data[start] == '{') return SyntaxError(type_error, &doc);
    return Status::InvalidArgument(fmt::format("not a JSON object (starts with \"{}\")",
                                               Quote(std::string_view(data + start, len - start))));
  }
  od::object object;
  if (auto err = doc.get_object().get(object)) return SyntaxError(err, &doc);

  const size_t num_columns = names.size();
  size_t expected = 0;  // events usually list their fields in schema order: try that first
  for (auto field : object) {
    std::string_view key;
    if (auto err = field.unescaped_key().get(key)) return SyntaxError(err, &doc);
    size_t column;
    if (expected < num_columns && names[expected] == key) {
      column = expected;
    } else {
      auto it = index.find(key);
      if (it == index.end()) continue;  // not in the schema: On-Demand skips the value
      column = it->second;
    }
    expected = column + 1;
    od::value value;
    if (auto err = field.value().get(value)) return SyntaxError(err, &doc);
    RETURN_IF_ERROR(ReadCell(column, value, doc));
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return Status::InvalidArgument(
        fmt::format("invalid JSON at byte {}: unexpected text after the object (\"{}\")",
                    rest - data, Quote(std::string_view(rest, data + len - rest))));
  }
  RETURN_IF_ERROR(scratch.CheckNullability(*schema));
  engine::EventTimeMs event_time = fallback_event_time;
  if (event_time_column) {
    const size_t c = *event_time_column;
    if (scratch.state(c) != RowScratch::State::kSet) {
      return Status::InvalidArgument(
          fmt::format("event time field \"{}\" is {}", names[c],
                      scratch.state(c) == RowScratch::State::kNull ? "null" : "missing"));
    }
    event_time = scratch.int_at(c);
  }
  scratch.CommitTo(out, event_time);
  return Status::OK();
}

Result<JsonRowDecoder> JsonRowDecoder::Make(engine::SchemaRef schema, JsonDecoderOptions options) {
  if (schema == nullptr) return Status::InvalidArgument("JSON decoder: no schema");
  std::optional<size_t> event_time;
  if (!options.event_time_field.empty()) {
    ASSIGN_OR_RETURN(size_t c, schema->IndexOf(options.event_time_field));
    if (!engine::IsIntegerLike(schema->field(c).type)) {
      return Status::InvalidArgument(
          fmt::format("event time field \"{}\" has type {}; it must be timestamp or int64",
                      options.event_time_field, engine::DataTypeName(schema->field(c).type)));
    }
    event_time = c;
  }
  return JsonRowDecoder(std::make_unique<Impl>(std::move(schema), event_time));
}

JsonRowDecoder::JsonRowDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonRowDecoder::JsonRowDecoder(JsonRowDecoder&&) noexcept = default;
JsonRowDecoder& JsonRowDecoder::operator=(JsonRowDecoder&&) noexcept = default;
JsonRowDecoder::~JsonRowDecoder() = default;

const engine::SchemaRef& JsonRowDecoder::schema() const { return impl_->schema; }

Status JsonRowDecoder::Decode(std::string_view json, engine::Batch& out,
                              engine::EventTimeMs fallback_event_time) {
  return DecodePadded(json, json.size(), out, fallback_event_time);
}

Status JsonRowDecoder::DecodePadded(std::string_view json, size_t readable_bytes,
                                    engine::Batch& out, engine::EventTimeMs fallback_event_time) {
  if (readable_bytes >= json.size() + kPadding) {
    return impl_->DecodeDocument(json.data(), json.size(), out, fallback_event_time);
  }
  std::vector<char>& padded = impl_->padded;
  if (padded.size() < json.size() + kPadding) padded.resize(json.size() + kPadding);
  if (!json.empty()) std::memcpy(padded.data(), json.data(), json.size());
  return impl_->DecodeDocument(padded.data(), json.size(), out, fallback_event_time);
}

}  // namespace eddy::connectors
