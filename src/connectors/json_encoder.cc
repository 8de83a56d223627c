#include "src/connectors/json_encoder.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>

namespace eddy::connectors {

using engine::DataType;

namespace {

constexpr char kHex[] = "0123456789abcdef";

// 1 for the bytes a JSON string must escape: control characters, '"' and '\'.
constexpr auto kNeedsEscape = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

}  // namespace

void AppendJsonString(std::string_view text, std::string& out) {
  out.push_back('"');
  size_t run = 0;  // start of the stretch of bytes that need no escape
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!kNeedsEscape[c]) continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(esc, sizeof(esc));
      }
    }
  }
  out.append(text.data() + run, text.size() - run);
  out.push_back('"');
}

void AppendJsonDouble(double value, std::string& out) {
  if (!std::isfinite(value)) {
    out.append("null");
    return;
  }
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  const std::string_view text(buf, static_cast<size_t>(end - buf));
  out.append(text);
  // "1" would read back as an integer: keep the value a double for typed readers.
  if (text.find_first_of(".e") == std::string_view::npos) out.append(".0");
}

namespace {

void AppendInt(int64_t v, std::string& out) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, static_cast<size_t>(end - buf));
}

}  // namespace

JsonRowEncoder::JsonRowEncoder(engine::SchemaRef schema, JsonEncoderOptions options)
    : schema_(std::move(schema)), options_(options) {
  for (const engine::Field& f : schema_->fields()) {
    std::string key;
    AppendJsonString(f.name, key);
    key.push_back(':');
    keys_.push_back(std::move(key));
  }
}

Result<JsonRowEncoder> JsonRowEncoder::Make(engine::SchemaRef schema, JsonEncoderOptions options) {
  if (schema == nullptr) return Status::InvalidArgument("JSON encoder: no schema");
  if (options.encode_changes && schema->FindIndex(kChangeField)) {
    return Status::InvalidArgument(
        fmt::format("cannot encode changes: the schema already has a column named \"{}\" ({})",
                    kChangeField, schema->ToString()));
  }
  return JsonRowEncoder(std::move(schema), options);
}

void JsonRowEncoder::AppendCell(const engine::Column& column, size_t row, std::string& out) const {
  if (column.IsNull(row)) {
    out.append("null");
    return;
  }
  switch (column.type()) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      AppendInt(column.ints()[row], out);
      break;
    case DataType::kDouble:
      AppendJsonDouble(column.doubles()[row], out);
      break;
    case DataType::kBool:
      out.append(column.bools()[row] ? "true" : "false");
      break;
    case DataType::kString:
      AppendJsonString(column.StringAt(row), out);
      break;
  }
}

void JsonRowEncoder::AppendRow(const engine::Batch& batch, size_t row, std::string& out) const {
  out.push_back('{');
  bool first = true;
  if (options_.encode_changes) {
    out.append("\"op\":\"");
    out.append(engine::ChangeKindName(batch.change(row)));
    out.push_back('"');
    first = false;
  }
  for (size_t c = 0; c < keys_.size(); ++c) {
    if (!first) out.push_back(',');
    first = false;
    out.append(keys_[c]);
    AppendCell(batch.column(c), row, out);
  }
  out.push_back('}');
}

void JsonRowEncoder::AppendColumns(const engine::Batch& batch, size_t row,
                                   std::span<const size_t> columns, std::string& out) const {
  out.push_back('{');
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(keys_[columns[i]]);
    AppendCell(batch.column(columns[i]), row, out);
  }
  out.push_back('}');
}

}  // namespace eddy::connectors
