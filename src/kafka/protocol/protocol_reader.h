#pragma once
// ProtocolReader reads the primitive types of Kafka request and response bodies
// (fixed-width integers, strings, bytes, arrays, and the compact forms and tagged
// fields of flexible versions) and names the field at fault when the input is bad.
//
// Like ByteReader it fails stickily: after the first error every read returns a
// default value and does nothing, so a decoder reads a run of fields and calls Finish()
// once. Every length is checked against the bytes left before anything is allocated
// (an array of N elements needs at least N * min_element_bytes bytes left), so a
// declared length can never make the reader allocate more than the input justifies.
// Errors read like "ProduceRequest.topic_data[0].name: length 4000 exceeds 12 bytes left".

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"

namespace eddy::kafka {

/// Reads one message body from a span it does not own. "data" must outlive the reader
/// and every view it returns (NullableBytesView). Not thread-safe.
class ProtocolReader {
 public:
  /// "message" names the message in error text ("ProduceRequest").
  ProtocolReader(ByteSpan data, std::string_view message) : reader_(data), message_(message) {}

  int8_t Int8(std::string_view field);
  int16_t Int16(std::string_view field);
  int32_t Int32(std::string_view field);
  int64_t Int64(std::string_view field);
  /// Kafka's boolean: one byte, any non-zero value is true.
  bool Bool(std::string_view field);
  uint32_t UnsignedVarint(std::string_view field);

  /// int16 length + UTF-8 bytes; length -1 (null) is rejected.
  std::string String(std::string_view field);
  /// int16 length + bytes; length -1 reads as nullopt.
  std::optional<std::string> NullableString(std::string_view field);
  /// int32 length + bytes; length -1 (null) is rejected.
  std::vector<uint8_t> Bytes(std::string_view field);
  /// int32 length + bytes; length -1 reads as nullopt.
  std::optional<std::vector<uint8_t>> NullableBytes(std::string_view field);
  /// Like NullableBytes but returns a view into the input instead of a copy.
  std::optional<ByteSpan> NullableBytesView(std::string_view field);

  // Flexible versions: unsigned varint length N+1, 0 meaning null.
  std::string CompactString(std::string_view field);
  std::optional<std::string> CompactNullableString(std::string_view field);
  std::vector<uint8_t> CompactBytes(std::string_view field);
  std::optional<std::vector<uint8_t>> CompactNullableBytes(std::string_view field);

  /// Reads an int32 element count (null rejected), then the elements with
  /// read_element(T&). Errors inside an element name it as "field[i]".
  template <typename T, typename ReadElement>
  void Array(std::string_view field, std::vector<T>& out, ReadElement&& read_element,
             size_t min_element_bytes = 1) {
    ReadArray(field, /*compact=*/false, /*nullable=*/false, out, read_element, min_element_bytes);
  }
  /// As Array, but a count of -1 reads as nullopt.
  template <typename T, typename ReadElement>
  void NullableArray(std::string_view field, std::optional<std::vector<T>>& out,
                     ReadElement&& read_element, size_t min_element_bytes = 1) {
    ReadOptionalArray(field, /*compact=*/false, out, read_element, min_element_bytes);
  }
  /// Flexible versions: unsigned varint count N+1 (0, null, is rejected).
  template <typename T, typename ReadElement>
  void CompactArray(std::string_view field, std::vector<T>& out, ReadElement&& read_element,
                    size_t min_element_bytes = 1) {
    ReadArray(field, /*compact=*/true, /*nullable=*/false, out, read_element, min_element_bytes);
  }
  template <typename T, typename ReadElement>
  void CompactNullableArray(std::string_view field, std::optional<std::vector<T>>& out,
                            ReadElement&& read_element, size_t min_element_bytes = 1) {
    ReadOptionalArray(field, /*compact=*/true, out, read_element, min_element_bytes);
  }

  /// Arrays of plain integers and strings.
  std::vector<int32_t> Int32Array(std::string_view field);
  std::vector<int64_t> Int64Array(std::string_view field);
  std::vector<std::string> StringArray(std::string_view field);
  std::optional<std::vector<std::string>> NullableStringArray(std::string_view field);

  /// Reads a tagged-field section of a flexible version: a count, then (tag, size,
  /// data) entries in strictly increasing tag order. on_tag(uint32_t tag, ByteSpan data)
  /// sees every entry; tags it does not know it simply ignores, as Kafka requires.
  template <typename OnTag>
  void TaggedFields(OnTag&& on_tag) {
    uint32_t count = UnsignedVarint("_tagged_fields");
    // Each entry takes at least two bytes (tag and size).
    if (!ok() || !CheckCount("_tagged_fields", count, 2)) return;
    int64_t last_tag = -1;
    for (uint32_t i = 0; i < count && ok(); ++i) {
      uint32_t tag = UnsignedVarint("_tagged_fields");
      uint32_t size = UnsignedVarint("_tagged_fields");
      if (!ok()) return;
      if (static_cast<int64_t>(tag) <= last_tag) {
        Fail("_tagged_fields", StatusCode::kInvalidArgument,
             "tag " + std::to_string(tag) + " is not greater than the previous tag " +
                 std::to_string(last_tag));
        return;
      }
      last_tag = tag;
      if (!CheckLength("_tagged_fields", size)) return;
      on_tag(tag, reader_.ReadBytes(size));
    }
  }
  /// A tagged-field section none of whose tags the reader needs.
  void SkipTaggedFields() {
    TaggedFields([](uint32_t, ByteSpan) {});
  }

  size_t position() const { return reader_.position(); }
  size_t remaining() const { return ok() ? reader_.remaining() : 0; }
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  /// Marks the reader failed at "field" (for checks a decoder makes on values it read).
  void Fail(std::string_view field, StatusCode code, std::string_view reason);

  /// The decoded value, or the first error. Bytes after the last field are ignored.
  template <typename T>
  Result<T> Finish(T value) const {
    if (!ok()) return status_;
    return value;
  }

 private:
  static constexpr size_t kReserveBytesPerByteLeft = 8;

  struct PathEntry {
    std::string_view field;
    size_t index;
  };

  // Converts a failure of the underlying ByteReader into a Status naming "field".
  void CheckReader(std::string_view field);
  // Checks that "length" bytes are left; fails naming "field" if not.
  bool CheckLength(std::string_view field, uint64_t length);
  // Checks that "count" elements of at least "min_element_bytes" each can fit.
  bool CheckCount(std::string_view field, uint64_t count, size_t min_element_bytes);
  // Reads a string or bytes length prefix. Returns the length, -1 for null (nullable
  // fields only), or -2 after a failure.
  int64_t ReadLength(std::string_view field, bool compact, bool is_bytes, bool nullable);
  // Reads an array count: the count, -1 for null (nullable only), -2 after a failure.
  int64_t ReadCount(std::string_view field, bool compact, bool nullable, size_t min_element_bytes);
  std::string FieldPath(std::string_view field) const;

  template <typename T, typename ReadElement>
  void ReadElements(std::string_view field, size_t count, std::vector<T>& out,
                    ReadElement& read_element) {
    out.clear();
    // A count that passed CheckCount may still promise more elements than the input
    // holds (a struct is bigger than its smallest encoding), so reserve no more memory
    // than a small multiple of the bytes left; real elements grow the vector past that.
    out.reserve(
        std::min(count, std::max<size_t>(1, kReserveBytesPerByteLeft * remaining() / sizeof(T))));
    path_.push_back({field, 0});
    for (size_t i = 0; i < count && ok(); ++i) {
      path_.back().index = i;
      read_element(out.emplace_back());
    }
    path_.pop_back();
  }
  template <typename T, typename ReadElement>
  void ReadArray(std::string_view field, bool compact, bool nullable, std::vector<T>& out,
                 ReadElement& read_element, size_t min_element_bytes) {
    int64_t count = ReadCount(field, compact, nullable, min_element_bytes);
    if (count < 0) {
      out.clear();
      return;
    }
    ReadElements(field, static_cast<size_t>(count), out, read_element);
  }
  template <typename T, typename ReadElement>
  void ReadOptionalArray(std::string_view field, bool compact, std::optional<std::vector<T>>& out,
                         ReadElement& read_element, size_t min_element_bytes) {
    int64_t count = ReadCount(field, compact, /*nullable=*/true, min_element_bytes);
    if (count < 0) {
      out.reset();
      return;
    }
    ReadElements(field, static_cast<size_t>(count), out.emplace(), read_element);
  }

  ByteReader reader_;
  std::string_view message_;
  std::vector<PathEntry> path_;
  Status status_;
};

}  // namespace eddy::kafka
