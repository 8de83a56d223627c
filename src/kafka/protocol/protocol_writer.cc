#include "src/kafka/protocol/protocol_writer.h"

#include <algorithm>
#include <cstdint>

namespace eddy::kafka {
namespace {

// Kafka strings carry an int16 length; a longer one is cut so the frame stays valid.
std::string_view FitString(std::string_view s) {
  return s.substr(0, std::min<size_t>(s.size(), INT16_MAX));
}

}  // namespace

void ProtocolWriter::String(std::string_view s) {
  s = FitString(s);
  Int16(static_cast<int16_t>(s.size()));
  out_.WriteBytes(s);
}

void ProtocolWriter::NullableString(const std::optional<std::string>& s) {
  if (!s) {
    Int16(-1);
    return;
  }
  String(*s);
}

void ProtocolWriter::Bytes(ByteSpan b) {
  Int32(static_cast<int32_t>(b.size()));
  out_.WriteBytes(b);
}

void ProtocolWriter::NullableBytes(const std::optional<std::vector<uint8_t>>& b) {
  if (!b) {
    Int32(-1);
    return;
  }
  Bytes(*b);
}

void ProtocolWriter::NullableBytes(const std::optional<ByteSpan>& b) {
  if (!b) {
    Int32(-1);
    return;
  }
  Bytes(*b);
}

void ProtocolWriter::CompactString(std::string_view s) {
  UnsignedVarint(static_cast<uint32_t>(s.size()) + 1);
  out_.WriteBytes(s);
}

void ProtocolWriter::CompactNullableString(const std::optional<std::string>& s) {
  if (!s) {
    UnsignedVarint(0);
    return;
  }
  CompactString(*s);
}

void ProtocolWriter::CompactBytes(ByteSpan b) {
  UnsignedVarint(static_cast<uint32_t>(b.size()) + 1);
  out_.WriteBytes(b);
}

void ProtocolWriter::CompactNullableBytes(const std::optional<std::vector<uint8_t>>& b) {
  if (!b) {
    UnsignedVarint(0);
    return;
  }
  CompactBytes(*b);
}

void ProtocolWriter::Int32Array(const std::vector<int32_t>& items) {
  Array(items, [this](int32_t v) { Int32(v); });
}

void ProtocolWriter::Int64Array(const std::vector<int64_t>& items) {
  Array(items, [this](int64_t v) { Int64(v); });
}

void ProtocolWriter::StringArray(const std::vector<std::string>& items) {
  Array(items, [this](const std::string& s) { String(s); });
}

void ProtocolWriter::NullableStringArray(const std::optional<std::vector<std::string>>& items) {
  NullableArray(items, [this](const std::string& s) { String(s); });
}

void ProtocolWriter::TaggedFields(std::span<const TaggedField> fields) {
  UnsignedVarint(static_cast<uint32_t>(fields.size()));
  for (const TaggedField& field : fields) {
    UnsignedVarint(field.tag);
    UnsignedVarint(static_cast<uint32_t>(field.data.size()));
    out_.WriteBytes(field.data);
  }
}

}  // namespace eddy::kafka
