#include "src/base/bytes.h"

#include <bit>
#include <string>

namespace eddy {

bool ByteReader::Need(size_t n, const char* what) {
  if (!status_.ok()) return false;
  if (data_.size() - pos_ < n) {
    status_ = Status::OutOfRange("truncated input: " + std::string(what) + " needs " +
                                 std::to_string(n) + " bytes at byte " + std::to_string(pos_) +
                                 ", " + std::to_string(data_.size() - pos_) + " left");
    return false;
  }
  return true;
}

void ByteReader::Fail(std::string_view what) {
  if (status_.ok()) {
    status_ = Status::InvalidArgument(std::string(what) + " (at byte " + std::to_string(pos_) + ")");
  }
}

uint8_t ByteReader::ReadU8() {
  if (!Need(1, "int8")) return 0;
  return data_[pos_++];
}

int16_t ByteReader::ReadI16() {
  if (!Need(2, "int16")) return 0;
  int16_t v = LoadI16(data_.data() + pos_);
  pos_ += 2;
  return v;
}

int32_t ByteReader::ReadI32() {
  if (!Need(4, "int32")) return 0;
  int32_t v = LoadI32(data_.data() + pos_);
  pos_ += 4;
  return v;
}

int64_t ByteReader::ReadI64() {
  if (!Need(8, "int64")) return 0;
  int64_t v = LoadI64(data_.data() + pos_);
  pos_ += 8;
  return v;
}

double ByteReader::ReadF64() { return std::bit_cast<double>(ReadI64()); }

uint32_t ByteReader::ReadUnsignedVarint() {
  uint32_t value = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (!Need(1, "varint")) return 0;
    uint8_t b = data_[pos_++];
    if (shift == 28 && (b & 0xf0) != 0) break;
    value |= static_cast<uint32_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  Fail("varint longer than 5 bytes");
  return 0;
}

int32_t ByteReader::ReadVarint() {
  uint32_t raw = ReadUnsignedVarint();
  return static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

int64_t ByteReader::ReadVarlong() {
  uint64_t raw = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (!Need(1, "varlong")) return 0;
    uint8_t b = data_[pos_++];
    if (shift == 63 && (b & 0x7e) != 0) break;
    raw |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  }
  Fail("varlong longer than 10 bytes");
  return 0;
}

ByteSpan ByteReader::ReadBytes(size_t n) {
  if (!Need(n, "bytes")) return {};
  ByteSpan out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

void ByteWriter::WriteI16(int16_t v) {
  uint8_t b[2];
  StoreI16(b, v);
  buf_.insert(buf_.end(), b, b + 2);
}

void ByteWriter::WriteI32(int32_t v) {
  uint8_t b[4];
  StoreI32(b, v);
  buf_.insert(buf_.end(), b, b + 4);
}

void ByteWriter::WriteI64(int64_t v) {
  uint8_t b[8];
  StoreI64(b, v);
  buf_.insert(buf_.end(), b, b + 8);
}

void ByteWriter::WriteF64(double v) { WriteI64(std::bit_cast<int64_t>(v)); }

void ByteWriter::WriteUnsignedVarint(uint32_t v) {
  while (v >= 0x80) {
    buf_.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  buf_.push_back(static_cast<uint8_t>(v));
}

void ByteWriter::WriteVarint(int32_t v) {
  WriteUnsignedVarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}

void ByteWriter::WriteVarlong(int64_t v) {
  uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (u >= 0x80) {
    buf_.push_back(static_cast<uint8_t>(u | 0x80));
    u >>= 7;
  }
  buf_.push_back(static_cast<uint8_t>(u));
}

void ByteWriter::PatchI32(size_t pos, int32_t v) { StoreI32(buf_.data() + pos, v); }

}  // namespace eddy
