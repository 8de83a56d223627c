#pragma once
// StateBackend: where the keyed state of one parallel task instance is kept between
// checkpoints, and how it is snapshotted and restored.
//
// State is a set of named tables of (key group, key) -> value bytes. The key group
// (key_group.h) is part of every entry so that a snapshot written by the instances of
// one parallelism can be restored by the instances of another: each new instance takes
// the entries of its key-group range from all the old snapshots.
//
// Two backends share this interface and one test suite:
//   memory  - an ordered map in memory; a snapshot is one file (entries + CRC-32C);
//   rocksdb - a RocksDB database in a working directory, for state larger than memory;
//             a snapshot is a RocksDB checkpoint (hard links to immutable SST files, so
//             it costs little more than a memtable flush and shares files with earlier
//             snapshots).
//
// Thread-safety: none; each task instance owns its backend and calls it from its thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"
#include "src/state/key_group.h"

namespace eddy {
class FileSystem;
}  // namespace eddy

namespace eddy::state {

enum class BackendKind { kMemory, kRocksDb };
/// Parses "memory" or "rocksdb"; InvalidArgument naming the text otherwise.
Result<BackendKind> ParseBackendKind(std::string_view text);
std::string_view BackendKindName(BackendKind kind);

struct StateBackendOptions {
  BackendKind kind = BackendKind::kMemory;
  /// rocksdb: the directory of the live database (created; emptied on open, since the
  /// live state is always rebuilt from a snapshot, and emptied again when the backend is
  /// destroyed). It is locked while open, and a non-empty directory that no rocksdb
  /// backend has used is refused rather than wiped. Unused by memory.
  std::string working_dir;
  /// memory: the file system its snapshots are written and read through (tests inject
  /// faults here); nullptr means FileSystem::Default(). RocksDB does its own I/O.
  FileSystem* file_system = nullptr;
};

/// What a snapshot cost.
struct SnapshotStats {
  /// Entries in the snapshot: exact for memory; for rocksdb RocksDB's estimate
  /// ("rocksdb.estimate-num-keys"), exact when no key was overwritten or deleted.
  uint64_t entries = 0;
  /// Bytes of the files the snapshot consists of (for rocksdb, including SST files it
  /// shares with earlier snapshots through hard links).
  uint64_t bytes = 0;
  /// Bytes newly written for this snapshot (rocksdb: SST files not in the previous
  /// snapshot of this backend, plus the small MANIFEST/CURRENT/OPTIONS files copied each
  /// time; memory: the whole file).
  uint64_t new_bytes = 0;
};

using EntryVisitor =
    std::function<Status(int key_group, std::string_view key, std::string_view value)>;

class StateBackend {
 public:
  virtual ~StateBackend() = default;

  virtual BackendKind kind() const = 0;

  virtual Status Put(std::string_view table, int key_group, std::string_view key,
                     std::string_view value) = 0;
  virtual Status Delete(std::string_view table, int key_group, std::string_view key) = 0;
  /// The value of (table, key_group, key) into *value; false if absent.
  virtual Result<bool> Get(std::string_view table, int key_group, std::string_view key,
                           std::string* value) = 0;
  /// Visits every entry of `table` (ordered by key group, then key bytewise); stops at
  /// the first error the visitor returns and returns it. The views are valid only during
  /// the call, and the visitor must not modify the backend.
  virtual Status ForEach(std::string_view table, const EntryVisitor& visit) = 0;
  /// The names of the tables that hold at least one entry, sorted.
  virtual Result<std::vector<std::string>> Tables() = 0;

  /// Writes a durable (fsynced), self-contained snapshot of every table into `dir`, which
  /// must not exist yet (AlreadyExists; it is created, with its parents). The snapshot
  /// appears atomically: `dir` exists only once it is complete. The live state is
  /// unchanged, and later changes to it do not alter the snapshot.
  virtual Result<SnapshotStats> Snapshot(const std::string& dir) = 0;

  /// Replaces the whole live state with the entries whose key group is in `range`, taken
  /// from `snapshot_dirs` (snapshots this kind of backend wrote, from any number of
  /// instances of any parallelism). A damaged snapshot fails with an error naming its
  /// directory and what is wrong, and leaves the state empty.
  virtual Status Restore(const std::vector<std::string>& snapshot_dirs, KeyGroupRange range) = 0;
};

/// Opens an empty backend of `options.kind`.
Result<std::unique_ptr<StateBackend>> OpenStateBackend(const StateBackendOptions& options);

}  // namespace eddy::state
