#pragma once
// A FileSystem for tests that remembers what a power cut would keep, and fails on
// demand. It tracks, per file, the size at its last Sync and whether its directory
// entry was synced (SyncDir); DropUnsyncedData() then cuts every file back to what was
// synced and removes files whose creation never became durable. Appends can fail as on
// a full disk (ResourceExhausted, like ENOSPC), syncs can fail, and SetActive(false)
// makes every write fail so that a test can "kill" a log without it writing more.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "src/base/file_system.h"

namespace eddy::testing {

enum class AppendFault {
  kNone,
  kDiskFull,          // nothing is written; ResourceExhausted
  kDiskFullMidWrite,  // half of the data is written, then ResourceExhausted
};

/// Thread-safe. Wraps "base" (which must outlive it). Files opened through it must not
/// be in use when DropUnsyncedData runs.
class FaultInjectionFileSystem final : public FileSystem {
 public:
  explicit FaultInjectionFileSystem(FileSystem* base = FileSystem::Default()) : base_(base) {}

  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override;
  Status CreateDirs(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  bool Exists(const std::string& path) override { return base_->Exists(path); }
  Status Remove(const std::string& path) override;
  Status RemoveAll(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path) override {
    return base_->Lock(path);
  }

  /// What a power cut leaves: every file seen is cut to its last synced size, and files
  /// created (or renamed into place) since their directory was last synced disappear.
  Status DropUnsyncedData();

  /// While inactive every write, sync, truncate, rename, removal or creation fails with
  /// IOError, as if the process had died: reads still work.
  void SetActive(bool active) { active_ = active; }

  /// Makes appends to files whose path contains "path_part" fail ("" for all files).
  void FailAppends(AppendFault fault, std::string path_part = "");
  /// Makes syncs of files whose path contains "path_part" fail with IOError.
  void FailSyncs(bool fail, std::string path_part = "");

  /// Makes every File::Sync take at least "ms" longer (a slow disk).
  void SetSyncDelayMs(int64_t ms) { sync_delay_ms_ = ms; }

  /// Successful File::Sync calls so far.
  int64_t sync_count() const { return sync_count_.load(); }
  /// Bytes of "path" that a power cut would keep (0 for files never synced).
  uint64_t SyncedSize(const std::string& path) const;

 private:
  class FaultFile;
  struct FileState {
    uint64_t synced_size = 0;
    bool dir_synced = true;
  };

  Status CheckActive(const std::string& what) const;
  Status AppendFaultFor(const std::string& path, AppendFault* fault) const;
  bool SyncFails(const std::string& path) const;
  std::shared_ptr<FileState> StateFor(const std::string& path, bool existed, uint64_t size,
                                      bool truncated);

  FileSystem* const base_;
  std::atomic<bool> active_{true};
  std::atomic<int64_t> sync_count_{0};
  std::atomic<int64_t> sync_delay_ms_{0};
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<FileState>> files_;  // guarded by mu_
  AppendFault append_fault_ = AppendFault::kNone;            // guarded by mu_
  std::string append_fault_path_;                            // guarded by mu_
  bool sync_fault_ = false;                                  // guarded by mu_
  std::string sync_fault_path_;                              // guarded by mu_
};

}  // namespace eddy::testing
