#pragma once
// What an operator snapshots its state into at a checkpoint and restores it from.
//
// An operator's state is a few named tables (one per KeyedState it owns) of
// (key group, key) -> value bytes. The key group of an entry must be the key group of
// the grouping key the entry belongs to (KeyGroupOfKey below: the same hash the
// exchange routes rows by), because on restore with another parallelism each instance
// receives exactly the entries of the key groups it now owns.
//
// Snapshots are incremental: an operator writes the entries that changed since its
// previous snapshot (Put) and deletes the ones that went away (Delete); the backend
// holds the rest. Restore visits every entry of a table the instance now owns.
// The runtime prefixes table names per operator, so names only need to be unique within
// one operator.

#include <functional>
#include <string_view>

#include "src/base/status.h"
#include "src/engine/key_codec.h"

namespace eddy::engine {

/// The key group of an encoded grouping key (key_codec.h).
inline int KeyGroupOfKey(std::string_view key) { return KeyGroupOf(HashKey(key)); }

class StateWriter {
 public:
  virtual ~StateWriter() = default;
  virtual Status Put(std::string_view table, int key_group, std::string_view key,
                     std::string_view value) = 0;
  virtual Status Delete(std::string_view table, int key_group, std::string_view key) = 0;
};

class StateReader {
 public:
  virtual ~StateReader() = default;
  using Visitor =
      std::function<Status(int key_group, std::string_view key, std::string_view value)>;
  /// Visits every entry of `table` this instance owns; stops at the visitor's first error.
  virtual Status ForEach(std::string_view table, const Visitor& visit) = 0;
};

}  // namespace eddy::engine
