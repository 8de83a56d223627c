#include "src/engine/state_codec.h"

#include <string>

namespace eddy::engine {

// A cell is a tag byte then its payload. The tag holds the DataType in its low bits and
// kNullBit for a null (which has no payload). Payloads: int64 and timestamp as a zig-zag
// varlong (small counts and epoch milliseconds stay short), double as 8 big-endian bytes,
// bool as one byte 0/1, string as an unsigned varint length then the bytes.
// A row is one cell per column of the batch's schema, the event time as a varlong and
// the change kind as one byte.
namespace {

constexpr uint8_t kNullBit = 0x80;
constexpr uint8_t kMaxType = static_cast<uint8_t>(DataType::kTimestamp);
constexpr uint8_t kMaxChangeKind = static_cast<uint8_t>(ChangeKind::kDelete);

uint8_t Tag(DataType type, bool is_null) {
  return static_cast<uint8_t>(static_cast<uint8_t>(type) | (is_null ? kNullBit : 0));
}

void EncodeCell(const Column& column, size_t row, ByteWriter& out) {
  if (column.IsNull(row)) {
    out.WriteU8(Tag(column.type(), true));
    return;
  }
  out.WriteU8(Tag(column.type(), false));
  switch (column.type()) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      out.WriteVarlong(column.ints()[row]);
      break;
    case DataType::kDouble:
      out.WriteF64(column.doubles()[row]);
      break;
    case DataType::kBool:
      out.WriteU8(column.bools()[row] != 0 ? 1 : 0);
      break;
    case DataType::kString: {
      std::string_view s = column.StringAt(row);
      out.WriteUnsignedVarint(static_cast<uint32_t>(s.size()));
      out.WriteBytes(s);
      break;
    }
  }
}

// Reads a tag; fails `in` when it names no type.
bool ReadTag(ByteReader& in, DataType& type, bool& is_null) {
  const uint8_t tag = in.ReadU8();
  if (!in.ok()) return false;
  const uint8_t type_bits = tag & static_cast<uint8_t>(~kNullBit);
  if (type_bits > kMaxType) {
    in.Fail("value tag " + std::to_string(tag) + " names no type");
    return false;
  }
  type = static_cast<DataType>(type_bits);
  is_null = (tag & kNullBit) != 0;
  return true;
}

// Reads one cell of `expected` type and, when `column` is not null, appends it there.
// Returns false (with `in` failed) on malformed input; appends nothing then.
bool ReadCell(ByteReader& in, DataType expected, Column* column) {
  DataType type;
  bool is_null;
  if (!ReadTag(in, type, is_null)) return false;
  if (type != expected) {
    in.Fail("value of type " + std::string(DataTypeName(type)) + " where the column has " +
            std::string(DataTypeName(expected)));
    return false;
  }
  if (is_null) {
    if (column != nullptr) column->AppendNull();
    return true;
  }
  switch (type) {
    case DataType::kInt64:
    case DataType::kTimestamp: {
      const int64_t v = in.ReadVarlong();
      if (!in.ok()) return false;
      if (column != nullptr) column->AppendInt(v);
      return true;
    }
    case DataType::kDouble: {
      const double v = in.ReadF64();
      if (!in.ok()) return false;
      if (column != nullptr) column->AppendDouble(v);
      return true;
    }
    case DataType::kBool: {
      const uint8_t v = in.ReadU8();
      if (!in.ok()) return false;
      if (v > 1) {
        in.Fail("bool byte " + std::to_string(v));
        return false;
      }
      if (column != nullptr) column->AppendBool(v != 0);
      return true;
    }
    case DataType::kString: {
      const uint32_t n = in.ReadUnsignedVarint();
      ByteSpan bytes = in.ReadBytes(n);
      if (!in.ok()) return false;
      if (column != nullptr) column->AppendString(AsStringView(bytes));
      return true;
    }
  }
  return false;
}

// Reads the row's trailer (event time, change kind).
bool ReadTrailer(ByteReader& in, EventTimeMs& event_time, ChangeKind& kind) {
  event_time = in.ReadVarlong();
  const uint8_t k = in.ReadU8();
  if (!in.ok()) return false;
  if (k > kMaxChangeKind) {
    in.Fail("change kind byte " + std::to_string(k));
    return false;
  }
  kind = static_cast<ChangeKind>(k);
  return true;
}

Status CorruptionOf(const ByteReader& in, std::string_view what) {
  return Status::Corruption("malformed " + std::string(what) + ": " + in.status().message());
}

}  // namespace

void EncodeRow(const Batch& batch, size_t row, ByteWriter& out) {
  for (size_t c = 0; c < batch.num_columns(); ++c) EncodeCell(batch.column(c), row, out);
  out.WriteVarlong(batch.event_time(row));
  out.WriteU8(static_cast<uint8_t>(batch.change(row)));
}

Status DecodeRow(ByteReader& in, Batch& out) {
  // Validate on a copy first, so that a malformed row leaves `out` untouched (every
  // column the same length) rather than half appended.
  ByteReader probe = in;
  for (size_t c = 0; c < out.num_columns(); ++c) {
    if (!ReadCell(probe, out.column(c).type(), nullptr)) {
      return CorruptionOf(probe, "row (column " + std::to_string(c) + ")");
    }
  }
  EventTimeMs event_time;
  ChangeKind kind;
  if (!ReadTrailer(probe, event_time, kind)) return CorruptionOf(probe, "row trailer");

  for (size_t c = 0; c < out.num_columns(); ++c) {
    (void)ReadCell(in, out.column(c).type(), &out.column(c));
  }
  (void)ReadTrailer(in, event_time, kind);
  out.CommitRow(event_time, kind);
  return Status::OK();
}

void EncodeValue(const Value& value, ByteWriter& out) {
  out.WriteU8(Tag(value.type(), value.is_null()));
  if (value.is_null()) return;
  switch (value.type()) {
    case DataType::kInt64:
    case DataType::kTimestamp:
      out.WriteVarlong(value.int64());
      break;
    case DataType::kDouble:
      out.WriteF64(value.dbl());
      break;
    case DataType::kBool:
      out.WriteU8(value.boolean() ? 1 : 0);
      break;
    case DataType::kString:
      out.WriteUnsignedVarint(static_cast<uint32_t>(value.str().size()));
      out.WriteBytes(value.str());
      break;
  }
}

Result<Value> DecodeValue(ByteReader& in) {
  DataType type;
  bool is_null;
  if (!ReadTag(in, type, is_null)) return CorruptionOf(in, "value");
  if (is_null) return Value::Null(type);
  switch (type) {
    case DataType::kInt64:
    case DataType::kTimestamp: {
      const int64_t v = in.ReadVarlong();
      if (!in.ok()) return CorruptionOf(in, "value");
      return type == DataType::kInt64 ? Value::Int64(v) : Value::Timestamp(v);
    }
    case DataType::kDouble: {
      const double v = in.ReadF64();
      if (!in.ok()) return CorruptionOf(in, "value");
      return Value::Double(v);
    }
    case DataType::kBool: {
      const uint8_t v = in.ReadU8();
      if (in.ok() && v > 1) in.Fail("bool byte " + std::to_string(v));
      if (!in.ok()) return CorruptionOf(in, "value");
      return Value::Bool(v != 0);
    }
    case DataType::kString: {
      const uint32_t n = in.ReadUnsignedVarint();
      ByteSpan bytes = in.ReadBytes(n);
      if (!in.ok()) return CorruptionOf(in, "value");
      return Value::String(std::string(AsStringView(bytes)));
    }
  }
  return Status::Corruption("malformed value: unknown type");
}

}  // namespace eddy::engine
