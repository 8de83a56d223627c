#pragma once
// Keys: the bytes that identify a row's group (the values of its key columns), their
// hash, and the key group the hash falls in.
//
// Encoding: per column a tag byte then the value (int64/timestamp/double: 8 bytes; bool:
// 1 byte; string: 4-byte length then bytes; null: the tag only). Equal keys have equal
// bytes, so keys go straight into hash maps; a one-int64 key is 9 bytes and fits the
// small-string buffer (no allocation).
//
// Key groups, as in Flink: a key hashes to one of kKeyGroups fixed ranges, and a key
// group is owned by exactly one parallel instance. Checkpointed state is addressed by
// key group so that it can move when the parallelism changes.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/engine/batch.h"
#include "src/state/key_group.h"

namespace eddy::engine {

using state::kKeyGroups;

/// Appends the key of `row` (the values of `key_columns`) to `out`.
void AppendKey(const Batch& batch, std::span<const size_t> key_columns, size_t row,
               std::string& out);

/// The key of `row` as a new string.
inline std::string KeyOf(const Batch& batch, std::span<const size_t> key_columns, size_t row) {
  std::string key;
  AppendKey(batch, key_columns, row, key);
  return key;
}

/// Decodes a key and appends its values, one per column, to columns
/// [first_column, first_column + number of key columns) of `out`.
void AppendKeyColumns(std::string_view key, Batch& out, size_t first_column);

/// Decodes a key into values.
std::vector<Value> DecodeKey(std::string_view key);

/// A stable 64-bit hash (the same in every process and build: key groups are persisted).
uint64_t HashKey(std::string_view key);

inline int KeyGroupOf(uint64_t hash) { return static_cast<int>(hash % kKeyGroups); }

/// The parallel instance that owns `key_group` (contiguous ranges, as in Flink).
using state::InstanceOfKeyGroup;

}  // namespace eddy::engine
