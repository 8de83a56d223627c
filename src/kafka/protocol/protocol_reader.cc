#include "src/kafka/protocol/protocol_reader.h"

#include <limits>

namespace eddy::kafka {

void ProtocolReader::Fail(std::string_view field, StatusCode code, std::string_view reason) {
  if (!status_.ok()) return;
  status_ = Status(code, FieldPath(field) + ": " + std::string(reason));
}

std::string ProtocolReader::FieldPath(std::string_view field) const {
  std::string path(message_);
  for (const PathEntry& entry : path_) {
    path += '.';
    path += entry.field;
    path += '[';
    path += std::to_string(entry.index);
    path += ']';
  }
  path += '.';
  path += field;
  return path;
}

void ProtocolReader::CheckReader(std::string_view field) {
  if (!reader_.ok()) Fail(field, reader_.status().code(), reader_.status().message());
}

bool ProtocolReader::CheckLength(std::string_view field, uint64_t length) {
  if (!ok()) return false;
  if (length > reader_.remaining()) {
    Fail(field, StatusCode::kOutOfRange,
         "length " + std::to_string(length) + " exceeds " + std::to_string(reader_.remaining()) +
             " bytes left");
    return false;
  }
  return true;
}

bool ProtocolReader::CheckCount(std::string_view field, uint64_t count, size_t min_element_bytes) {
  if (!ok()) return false;
  // count < 2^32 and min_element_bytes is small, so the product cannot overflow.
  if (count * min_element_bytes > reader_.remaining()) {
    Fail(field, StatusCode::kOutOfRange,
         std::to_string(count) + " elements exceed " + std::to_string(reader_.remaining()) +
             " bytes left");
    return false;
  }
  return true;
}

int8_t ProtocolReader::Int8(std::string_view field) {
  if (!ok()) return 0;
  int8_t v = reader_.ReadI8();
  CheckReader(field);
  return v;
}

int16_t ProtocolReader::Int16(std::string_view field) {
  if (!ok()) return 0;
  int16_t v = reader_.ReadI16();
  CheckReader(field);
  return v;
}

int32_t ProtocolReader::Int32(std::string_view field) {
  if (!ok()) return 0;
  int32_t v = reader_.ReadI32();
  CheckReader(field);
  return v;
}

int64_t ProtocolReader::Int64(std::string_view field) {
  if (!ok()) return 0;
  int64_t v = reader_.ReadI64();
  CheckReader(field);
  return v;
}

bool ProtocolReader::Bool(std::string_view field) { return Int8(field) != 0; }

uint32_t ProtocolReader::UnsignedVarint(std::string_view field) {
  if (!ok()) return 0;
  uint32_t v = reader_.ReadUnsignedVarint();
  CheckReader(field);
  return v;
}

int64_t ProtocolReader::ReadLength(std::string_view field, bool compact, bool is_bytes,
                                   bool nullable) {
  int64_t length;
  if (compact) {
    length = static_cast<int64_t>(UnsignedVarint(field)) - 1;
  } else {
    length = is_bytes ? Int32(field) : Int16(field);
  }
  if (!ok()) return -2;
  if (length == -1 && nullable) return -1;
  if (length < 0) {
    Fail(field, StatusCode::kInvalidArgument,
         length == -1 ? std::string("null is not allowed")
                      : "negative length " + std::to_string(length));
    return -2;
  }
  return CheckLength(field, static_cast<uint64_t>(length)) ? length : -2;
}

int64_t ProtocolReader::ReadCount(std::string_view field, bool compact, bool nullable,
                                  size_t min_element_bytes) {
  int64_t count;
  if (compact) {
    count = static_cast<int64_t>(UnsignedVarint(field)) - 1;
  } else {
    count = Int32(field);
  }
  if (!ok()) return -2;
  if (count == -1 && nullable) return -1;
  if (count < 0) {
    Fail(field, StatusCode::kInvalidArgument,
         count == -1 ? std::string("null is not allowed")
                     : "negative element count " + std::to_string(count));
    return -2;
  }
  return CheckCount(field, static_cast<uint64_t>(count), min_element_bytes) ? count : -2;
}

std::string ProtocolReader::String(std::string_view field) {
  int64_t length = ReadLength(field, /*compact=*/false, /*is_bytes=*/false, /*nullable=*/false);
  if (length < 0) return {};
  return std::string(AsStringView(reader_.ReadBytes(static_cast<size_t>(length))));
}

std::optional<std::string> ProtocolReader::NullableString(std::string_view field) {
  int64_t length = ReadLength(field, /*compact=*/false, /*is_bytes=*/false, /*nullable=*/true);
  if (length < 0) return std::nullopt;
  return std::string(AsStringView(reader_.ReadBytes(static_cast<size_t>(length))));
}

std::vector<uint8_t> ProtocolReader::Bytes(std::string_view field) {
  int64_t length = ReadLength(field, /*compact=*/false, /*is_bytes=*/true, /*nullable=*/false);
  if (length < 0) return {};
  ByteSpan view = reader_.ReadBytes(static_cast<size_t>(length));
  return {view.begin(), view.end()};
}

std::optional<std::vector<uint8_t>> ProtocolReader::NullableBytes(std::string_view field) {
  std::optional<ByteSpan> view = NullableBytesView(field);
  if (!view) return std::nullopt;
  return std::vector<uint8_t>(view->begin(), view->end());
}

std::optional<ByteSpan> ProtocolReader::NullableBytesView(std::string_view field) {
  int64_t length = ReadLength(field, /*compact=*/false, /*is_bytes=*/true, /*nullable=*/true);
  if (length < 0) return std::nullopt;
  return reader_.ReadBytes(static_cast<size_t>(length));
}

std::string ProtocolReader::CompactString(std::string_view field) {
  int64_t length = ReadLength(field, /*compact=*/true, /*is_bytes=*/false, /*nullable=*/false);
  if (length < 0) return {};
  return std::string(AsStringView(reader_.ReadBytes(static_cast<size_t>(length))));
}

std::optional<std::string> ProtocolReader::CompactNullableString(std::string_view field) {
  int64_t length = ReadLength(field, /*compact=*/true, /*is_bytes=*/false, /*nullable=*/true);
  if (length < 0) return std::nullopt;
  return std::string(AsStringView(reader_.ReadBytes(static_cast<size_t>(length))));
}

std::vector<uint8_t> ProtocolReader::CompactBytes(std::string_view field) {
  int64_t length = ReadLength(field, /*compact=*/true, /*is_bytes=*/true, /*nullable=*/false);
  if (length < 0) return {};
  ByteSpan view = reader_.ReadBytes(static_cast<size_t>(length));
  return {view.begin(), view.end()};
}

std::optional<std::vector<uint8_t>> ProtocolReader::CompactNullableBytes(std::string_view field) {
  int64_t length = ReadLength(field, /*compact=*/true, /*is_bytes=*/true, /*nullable=*/true);
  if (length < 0) return std::nullopt;
  ByteSpan view = reader_.ReadBytes(static_cast<size_t>(length));
  return std::vector<uint8_t>(view.begin(), view.end());
}

std::vector<int32_t> ProtocolReader::Int32Array(std::string_view field) {
  std::vector<int32_t> out;
  Array(
      field, out, [this](int32_t& v) { v = Int32("value"); }, sizeof(int32_t));
  return out;
}

std::vector<int64_t> ProtocolReader::Int64Array(std::string_view field) {
  std::vector<int64_t> out;
  Array(
      field, out, [this](int64_t& v) { v = Int64("value"); }, sizeof(int64_t));
  return out;
}

std::vector<std::string> ProtocolReader::StringArray(std::string_view field) {
  std::vector<std::string> out;
  Array(
      field, out, [this](std::string& s) { s = String("value"); }, sizeof(int16_t));
  return out;
}

std::optional<std::vector<std::string>> ProtocolReader::NullableStringArray(
    std::string_view field) {
  std::optional<std::vector<std::string>> out;
  NullableArray(
      field, out, [this](std::string& s) { s = String("value"); }, sizeof(int16_t));
  return out;
}

}  // namespace eddy::kafka
