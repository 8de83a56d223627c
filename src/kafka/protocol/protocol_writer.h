#pragma once
// ProtocolWriter appends the primitive types of Kafka request and response bodies to a
// ByteWriter: the mirror of ProtocolReader. Writing cannot fail; a value the wire type
// cannot hold (a string over 32767 bytes) is cut to the largest that fits, so the frame
// stays well formed.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/bytes.h"

namespace eddy::kafka {

/// One entry of a tagged-field section.
struct TaggedField {
  uint32_t tag = 0;
  std::vector<uint8_t> data;
  bool operator==(const TaggedField&) const = default;
};

/// Writes into a ByteWriter it does not own; "*out" must outlive the writer.
class ProtocolWriter {
 public:
  explicit ProtocolWriter(ByteWriter& out) : out_(out) {}

  void Int8(int8_t v) { out_.WriteI8(v); }
  void Int16(int16_t v) { out_.WriteI16(v); }
  void Int32(int32_t v) { out_.WriteI32(v); }
  void Int64(int64_t v) { out_.WriteI64(v); }
  void Bool(bool v) { out_.WriteU8(v ? 1 : 0); }
  void UnsignedVarint(uint32_t v) { out_.WriteUnsignedVarint(v); }

  void String(std::string_view s);
  void NullableString(const std::optional<std::string>& s);
  void Bytes(ByteSpan b);
  void NullableBytes(const std::optional<std::vector<uint8_t>>& b);
  void NullableBytes(const std::optional<ByteSpan>& b);

  void CompactString(std::string_view s);
  void CompactNullableString(const std::optional<std::string>& s);
  void CompactBytes(ByteSpan b);
  void CompactNullableBytes(const std::optional<std::vector<uint8_t>>& b);

  /// An int32 count, then write_element(const T&) for each element.
  template <typename T, typename WriteElement>
  void Array(const std::vector<T>& items, WriteElement&& write_element) {
    Int32(static_cast<int32_t>(items.size()));
    for (const T& item : items) write_element(item);
  }
  /// As Array; nullopt is written as count -1.
  template <typename T, typename WriteElement>
  void NullableArray(const std::optional<std::vector<T>>& items, WriteElement&& write_element) {
    if (!items) {
      Int32(-1);
      return;
    }
    Array(*items, write_element);
  }
  /// Flexible versions: unsigned varint count N+1.
  template <typename T, typename WriteElement>
  void CompactArray(const std::vector<T>& items, WriteElement&& write_element) {
    UnsignedVarint(static_cast<uint32_t>(items.size()) + 1);
    for (const T& item : items) write_element(item);
  }
  template <typename T, typename WriteElement>
  void CompactNullableArray(const std::optional<std::vector<T>>& items,
                            WriteElement&& write_element) {
    if (!items) {
      UnsignedVarint(0);
      return;
    }
    CompactArray(*items, write_element);
  }

  void Int32Array(const std::vector<int32_t>& items);
  void Int64Array(const std::vector<int64_t>& items);
  void StringArray(const std::vector<std::string>& items);
  void NullableStringArray(const std::optional<std::vector<std::string>>& items);

  /// A tagged-field section with no entries.
  void EmptyTaggedFields() { UnsignedVarint(0); }
  /// A tagged-field section; "fields" must be sorted by strictly increasing tag.
  void TaggedFields(std::span<const TaggedField> fields);

 private:
  ByteWriter& out_;
};

}  // namespace eddy::kafka
