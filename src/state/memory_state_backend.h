#pragma once
// MemoryStateBackend: keyed state in an ordered map in memory; a snapshot is one file
// (memory_snapshot_format.h) written through the injectable FileSystem.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/file_system.h"
#include "src/state/state_backend.h"

namespace eddy::state {

/// Owns its entries. Not thread-safe (one task instance calls it). Invariant: every table
/// in tables_ holds at least one entry (a table is dropped with its last entry), so
/// Tables() needs no scan. Snapshot writes the whole state each time (no sharing between
/// snapshots); the file system passed in the options must outlive the backend.
class MemoryStateBackend final : public StateBackend {
 public:
  static Result<std::unique_ptr<MemoryStateBackend>> Open(const StateBackendOptions& options);

  BackendKind kind() const override { return BackendKind::kMemory; }
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
  /// (key group, key): the order of entries within a table.
  struct EntryKey {
    int key_group;
    std::string key;
  };
  struct EntryKeyView {
    int key_group;
    std::string_view key;
  };
  /// Orders EntryKey and EntryKeyView alike, so lookups take a view without copying.
  struct EntryKeyLess {
    using is_transparent = void;
    static EntryKeyView View(const EntryKey& k) { return {k.key_group, k.key}; }
    static EntryKeyView View(const EntryKeyView& k) { return k; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      EntryKeyView x = View(a), y = View(b);
      return x.key_group != y.key_group ? x.key_group < y.key_group : x.key < y.key;
    }
  };
  using Table = std::map<EntryKey, std::string, EntryKeyLess>;

  explicit MemoryStateBackend(FileSystem* fs) : fs_(fs) {}

  /// Writes the snapshot file into `tmp_dir` and syncs it and the directory.
  Result<SnapshotStats> WriteSnapshotFile(const std::string& tmp_dir);
  /// Checks one snapshot file and adds its entries in `range` to tables_.
  Status LoadSnapshot(const std::string& dir, KeyGroupRange range);

  FileSystem* const fs_;
  std::map<std::string, Table, std::less<>> tables_;
};

}  // namespace eddy::state
