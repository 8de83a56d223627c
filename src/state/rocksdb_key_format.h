#pragma once
// How the rocksdb state backend lays out (table, key group, key) in one RocksDB key space.
// Defined once here for the live database, snapshots and restore.
//
//   key = table prefix | key group (u16, big-endian) | key bytes
//   table prefix = table name length (unsigned LEB128 varint) | table name bytes
//
// RocksDB orders keys bytewise, so:
//  - all entries of a table are contiguous: no table prefix is a prefix of another
//    (the varints are prefix-free and, for equal lengths, the names differ), so a table
//    named "t" never sees the entries of "t1", nor "" those of any other;
//  - within a table, entries are ordered by key group, then key bytewise (as
//    std::string compares), and the entries of a key-group range [b, e) are exactly the
//    keys in [prefix | u16(b), prefix | u16(e)).
//
// The value is stored as is.

#include <cstdint>
#include <string>
#include <string_view>

#include "src/base/bytes.h"

namespace eddy::state {

/// Appends the table prefix of `table` to *out.
inline void AppendTablePrefix(std::string* out, std::string_view table) {
  uint32_t n = static_cast<uint32_t>(table.size());
  while (n >= 0x80) {
    out->push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out->push_back(static_cast<char>(n));
  out->append(table);
}

inline void AppendKeyGroup(std::string* out, int key_group) {
  out->push_back(static_cast<char>((key_group >> 8) & 0xff));
  out->push_back(static_cast<char>(key_group & 0xff));
}

/// *out = the full key of (table, key_group, key); reuses *out's buffer.
inline void EncodeStateKey(std::string* out, std::string_view table, int key_group,
                           std::string_view key) {
  out->clear();
  AppendTablePrefix(out, table);
  AppendKeyGroup(out, key_group);
  out->append(key);
}

/// The table prefix at the start of `encoded`, or an empty view if `encoded` does not
/// start with a well-formed one.
inline std::string_view TablePrefixOf(std::string_view encoded) {
  ByteReader reader(AsBytes(encoded));
  uint32_t length = reader.ReadUnsignedVarint();
  if (!reader.ok() || reader.remaining() < length) return {};
  return encoded.substr(0, reader.position() + length);
}

/// The table name inside a table prefix from TablePrefixOf.
inline std::string_view TableNameOf(std::string_view prefix) {
  ByteReader reader(AsBytes(prefix));
  uint32_t length = reader.ReadUnsignedVarint();
  return prefix.substr(prefix.size() - length);
}

/// The smallest key greater than every key starting with `prefix`, or "" if there is
/// none (a prefix of only 0xff bytes, which table prefixes never are).
inline std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty() && static_cast<uint8_t>(out.back()) == 0xff) out.pop_back();
  if (!out.empty()) out.back() = static_cast<char>(static_cast<uint8_t>(out.back()) + 1);
  return out;
}

}  // namespace eddy::state
