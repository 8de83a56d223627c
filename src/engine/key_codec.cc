#include "src/engine/key_codec.h"

#include <cstring>

namespace eddy::engine {
namespace {

enum class KeyTag : uint8_t { kNull = 0, kInt64, kTimestamp, kDouble, kBool, kString };

void AppendFixed(std::string& out, const void* p, size_t n) {
  out.append(static_cast<const char*>(p), n);
}

}  // namespace

void AppendKey(const Batch& batch, std::span<const size_t> key_columns, size_t row,
               std::string& out) {
  for (size_t c : key_columns) {
    const Column& col = batch.column(c);
    if (col.IsNull(row)) {
      out.push_back(static_cast<char>(KeyTag::kNull));
      continue;
    }
    switch (col.type()) {
      case DataType::kInt64:
      case DataType::kTimestamp: {
        out.push_back(static_cast<char>(col.type() == DataType::kInt64 ? KeyTag::kInt64
                                                                       : KeyTag::kTimestamp));
        int64_t v = col.ints()[row];
        AppendFixed(out, &v, sizeof v);
        break;
      }
      case DataType::kDouble: {
        out.push_back(static_cast<char>(KeyTag::kDouble));
        double v = col.doubles()[row];
        if (v == 0) v = 0;  // -0.0 and 0.0 are one key
        AppendFixed(out, &v, sizeof v);
        break;
      }
      case DataType::kBool:
        out.push_back(static_cast<char>(KeyTag::kBool));
        out.push_back(col.bools()[row] ? 1 : 0);
        break;
      case DataType::kString: {
        out.push_back(static_cast<char>(KeyTag::kString));
        std::string_view s = col.StringAt(row);
        uint32_t n = static_cast<uint32_t>(s.size());
        AppendFixed(out, &n, sizeof n);
        out.append(s);
        break;
      }
    }
  }
}

std::vector<Value> DecodeKey(std::string_view key) {
  std::vector<Value> values;
  size_t pos = 0;
  while (pos < key.size()) {
    const auto tag = static_cast<KeyTag>(key[pos++]);
    switch (tag) {
      case KeyTag::kNull:
        // The column type of a null key part is not recorded; callers append it to a
        // typed column, where only nullness matters.
        values.push_back(Value::Null(DataType::kInt64));
        break;
      case KeyTag::kInt64:
      case KeyTag::kTimestamp: {
        int64_t v;
        std::memcpy(&v, key.data() + pos, sizeof v);
        pos += sizeof v;
        values.push_back(tag == KeyTag::kInt64 ? Value::Int64(v) : Value::Timestamp(v));
        break;
      }
      case KeyTag::kDouble: {
        double v;
        std::memcpy(&v, key.data() + pos, sizeof v);
        pos += sizeof v;
        values.push_back(Value::Double(v));
        break;
      }
      case KeyTag::kBool:
        values.push_back(Value::Bool(key[pos++] != 0));
        break;
      case KeyTag::kString: {
        uint32_t n;
        std::memcpy(&n, key.data() + pos, sizeof n);
        pos += sizeof n;
        values.push_back(Value::String(std::string(key.substr(pos, n))));
        pos += n;
        break;
      }
    }
  }
  return values;
}

void AppendKeyColumns(std::string_view key, Batch& out, size_t first_column) {
  size_t pos = 0;
  size_t column = first_column;
  while (pos < key.size()) {
    Column& col = out.column(column++);
    const auto tag = static_cast<KeyTag>(key[pos++]);
    switch (tag) {
      case KeyTag::kNull: col.AppendNull(); break;
      case KeyTag::kInt64:
      case KeyTag::kTimestamp: {
        int64_t v;
        std::memcpy(&v, key.data() + pos, sizeof v);
        pos += sizeof v;
        col.AppendInt(v);
        break;
      }
      case KeyTag::kDouble: {
        double v;
        std::memcpy(&v, key.data() + pos, sizeof v);
        pos += sizeof v;
        col.AppendDouble(v);
        break;
      }
      case KeyTag::kBool: col.AppendBool(key[pos++] != 0); break;
      case KeyTag::kString: {
        uint32_t n;
        std::memcpy(&n, key.data() + pos, sizeof n);
        pos += sizeof n;
        col.AppendString(key.substr(pos, n));
        pos += n;
        break;
      }
    }
  }
}

uint64_t HashKey(std::string_view key) {
  // FNV-1a, then a murmur3 finaliser so that nearby integer keys spread over key groups.
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace eddy::engine
