#pragma once
// RocksDbStateBackend: keyed state in a RocksDB database, for state larger than memory.
// Keys are laid out as rocksdb_key_format.h says; a snapshot is a RocksDB checkpoint.
// No RocksDB header is included here: its types stay inside rocksdb_state_backend.cc.

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/file_system.h"
#include "src/state/state_backend.h"

namespace rocksdb {
class DB;
class Logger;
struct Options;
class WriteBatch;
}  // namespace rocksdb

namespace eddy::state {

/// Owns the live database in <working_dir>/db, which is scratch: it is created empty,
/// written without a WAL (the live state is never recovered from it, only from a
/// snapshot), and removed when the backend is destroyed. The working directory is locked
/// while the backend is open. Not thread-safe (one task instance calls it); RocksDB's own
/// background threads flush and compact.
///
/// Put and Delete are buffered and written to RocksDB as one batch, in key order, once
/// about 4 MiB is pending and before any read or snapshot (so reads see every write). A
/// failed RocksDB write is therefore reported by the call that triggered it, which may
/// be a later Put, Delete, Get, ForEach, Tables or Snapshot.
///
/// Snapshot(dir) flushes the memtable and creates a RocksDB checkpoint in `dir`: SST
/// files are hard-linked (they are immutable), the small MANIFEST/CURRENT/OPTIONS files
/// copied, so a snapshot costs a flush plus the links, and consecutive snapshots share
/// every SST file that compaction has not rewritten meanwhile. A snapshot stays valid
/// whatever the live database does later, and is opened read-only to restore.
///
/// Restore opens each snapshot read-only. If only one of them holds entries of the
/// wanted key groups and it holds no others (a restore at the same parallelism), it is
/// adopted: every block's checksum is verified, its SST files are hard-linked into the
/// live database, and the next snapshot shares them again. Otherwise the entries of the
/// wanted key groups are read (checksums verified), written into new SST files in
/// <working_dir>/restore, and ingested into the fresh live database (no memtable, WAL or
/// compaction on the way).
class RocksDbStateBackend final : public StateBackend {
 public:
  static Result<std::unique_ptr<RocksDbStateBackend>> Open(const StateBackendOptions& options);
  ~RocksDbStateBackend() override;

  BackendKind kind() const override { return BackendKind::kRocksDb; }
  Status Put(std::string_view table, int key_group, std::string_view key,
             std::string_view value) override;
  Status Delete(std::string_view table, int key_group, std::string_view key) override;
  Result<bool> Get(std::string_view table, int key_group, std::string_view key,
                   std::string* value) override;
  Status ForEach(std::string_view table, const EntryVisitor& visit) override;
  Result<std::vector<std::string>> Tables() override;
  Result<SnapshotStats> Snapshot(const std::string& dir) override;
  Status Restore(const std::vector<std::string>& snapshot_dirs, KeyGroupRange range) override;

 private:
  RocksDbStateBackend(std::string working_dir, std::unique_ptr<FileLock> lock);

  /// Which of a snapshot's entries lie in a key-group range.
  enum class RangeCoverage { kNone, kSome, kAll };

  /// FailedPrecondition if the live database is closed (it could not be reopened).
  Status CheckLive() const;
  /// Adds a put (or delete) to the pending writes; writes them once there are enough.
  Status Buffer(std::string_view table, int key_group, std::string_view key, std::string_view value,
                bool is_delete);
  /// Writes the pending puts and deletes into the live database as one batch.
  Status WritePending();
  /// Closes the live database (if open), removes it and opens an empty one.
  Status ResetLiveDb();
  /// Restore into the (empty) live database.
  Status RestoreFrom(const std::vector<std::string>& snapshot_dirs, KeyGroupRange range);
  /// Opens a snapshot read-only: NotFound if `dir` does not exist, Corruption naming it if
  /// files are missing or damaged.
  Result<std::unique_ptr<rocksdb::DB>> OpenSnapshot(const std::string& dir);
  Result<RangeCoverage> CoverageOf(rocksdb::DB* snapshot, const std::string& dir,
                                   KeyGroupRange range);
  /// Makes the snapshot in `dir` the live database (hard links, after verifying every
  /// checksum): for a snapshot whose entries all lie in the range being restored.
  Status AdoptSnapshot(const std::string& dir);
  /// Copies the entries of `range` in the snapshot in `dir` into the live database
  /// through new SST files that are ingested.
  Status CopyRange(const std::string& dir, KeyGroupRange range, int* sst_sequence);

  FileSystem* const fs_;  // for the working directory; RocksDB does its own file I/O
  const std::string working_dir_;
  const std::string db_dir_;       // <working_dir>/db
  const std::string restore_dir_;  // <working_dir>/restore: SST files being ingested
  std::unique_ptr<FileLock> lock_;
  std::shared_ptr<rocksdb::Logger> logger_;
  std::unique_ptr<rocksdb::Options> options_;
  std::unique_ptr<rocksdb::DB> db_;
  /// A put or delete not yet in db_: its encoded key, then its value, in pending_bytes_.
  struct PendingWrite {
    size_t key_offset;
    size_t key_size;
    size_t value_size;
    bool is_delete;
  };
  std::vector<PendingWrite> pending_;
  std::string pending_bytes_;
  std::vector<uint32_t> pending_order_;         // reused by WritePending
  std::unique_ptr<rocksdb::WriteBatch> batch_;  // reused by WritePending
  /// The numbers of the SST files in this backend's previous snapshot (for new_bytes).
  std::set<uint64_t> previous_snapshot_ssts_;
  std::string key_buffer_;  // reused by Put/Get/Delete to encode keys without allocating
};

}  // namespace eddy::state
