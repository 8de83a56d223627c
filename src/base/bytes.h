#pragma once
// Big-endian readers and writers over byte buffers, and the varints of the Kafka
// record format. ByteReader never reads past its end: a read that would is a
// sticky failure (the first one is kept, with its position), so a parser reads a
// run of fields and checks ok() once.

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"

namespace eddy {

using ByteSpan = std::span<const uint8_t>;

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsStringView(ByteSpan b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

/// Reads big-endian integers and varints from a span it does not own.
/// "*data" must outlive the reader. Not thread-safe.
class ByteReader {
 public:
  explicit ByteReader(ByteSpan data) : data_(data) {}

  uint8_t ReadU8();
  int8_t ReadI8() { return static_cast<int8_t>(ReadU8()); }
  int16_t ReadI16();
  uint16_t ReadU16() { return static_cast<uint16_t>(ReadI16()); }
  int32_t ReadI32();
  uint32_t ReadU32() { return static_cast<uint32_t>(ReadI32()); }
  int64_t ReadI64();
  double ReadF64();
  /// Zig-zag signed varint (Kafka record fields).
  int32_t ReadVarint();
  int64_t ReadVarlong();
  /// Unsigned LEB128 varint (Kafka flexible-version lengths and tags).
  uint32_t ReadUnsignedVarint();
  /// A view of the next n bytes; fails without reading if fewer remain.
  ByteSpan ReadBytes(size_t n);
  void Skip(size_t n) { (void)ReadBytes(n); }

  size_t position() const { return pos_; }
  size_t remaining() const { return ok() ? data_.size() - pos_ : 0; }
  bool empty() const { return remaining() == 0; }
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  /// Marks the reader failed with "what" (for checks a caller makes on values it read).
  void Fail(std::string_view what);

 private:
  bool Need(size_t n, const char* what);

  ByteSpan data_;
  size_t pos_ = 0;
  Status status_;
};

/// Appends big-endian integers and varints to a growable buffer it owns.
class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(size_t reserve) { buf_.reserve(reserve); }

  void WriteU8(uint8_t v) { buf_.push_back(v); }
  void WriteI8(int8_t v) { WriteU8(static_cast<uint8_t>(v)); }
  void WriteI16(int16_t v);
  void WriteI32(int32_t v);
  void WriteU32(uint32_t v) { WriteI32(static_cast<int32_t>(v)); }
  void WriteI64(int64_t v);
  void WriteF64(double v);
  void WriteVarint(int32_t v);
  void WriteVarlong(int64_t v);
  void WriteUnsignedVarint(uint32_t v);
  void WriteBytes(ByteSpan b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
  void WriteBytes(std::string_view s) { WriteBytes(AsBytes(s)); }

  /// Overwrites 4 bytes at "pos" (a length or CRC filled in after the body).
  void PatchI32(size_t pos, int32_t v);

  size_t size() const { return buf_.size(); }
  uint8_t* data() { return buf_.data(); }
  const std::vector<uint8_t>& buffer() const { return buf_; }
  std::vector<uint8_t> Release() { return std::move(buf_); }
  void Clear() { buf_.clear(); }

 private:
  std::vector<uint8_t> buf_;
};

// Raw big-endian loads and stores for fixed layouts (*_format.h); no bounds checks.
inline int16_t LoadI16(const uint8_t* p) {
  return static_cast<int16_t>((uint16_t{p[0]} << 8) | p[1]);
}
inline int32_t LoadI32(const uint8_t* p) {
  return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                              (uint32_t{p[2]} << 8) | p[3]);
}
inline int64_t LoadI64(const uint8_t* p) {
  return static_cast<int64_t>((static_cast<uint64_t>(static_cast<uint32_t>(LoadI32(p))) << 32) |
                              static_cast<uint32_t>(LoadI32(p + 4)));
}
inline void StoreI16(uint8_t* p, int16_t v) {
  auto u = static_cast<uint16_t>(v);
  p[0] = static_cast<uint8_t>(u >> 8);
  p[1] = static_cast<uint8_t>(u);
}
inline void StoreI32(uint8_t* p, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  p[0] = static_cast<uint8_t>(u >> 24);
  p[1] = static_cast<uint8_t>(u >> 16);
  p[2] = static_cast<uint8_t>(u >> 8);
  p[3] = static_cast<uint8_t>(u);
}
inline void StoreI64(uint8_t* p, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  StoreI32(p, static_cast<int32_t>(u >> 32));
  StoreI32(p + 4, static_cast<int32_t>(u));
}

}  // namespace eddy
