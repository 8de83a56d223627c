#pragma once
// For this module's tests: the real file system, with every File::Sync counted and
// routed through a hook that can block it (to line up concurrent commits) or fail it
// (a dying disk).

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/base/file_system.h"

namespace eddy::testing {

class RecordingFileSystem final : public FileSystem {
 public:
  /// Called at every File::Sync with the file's path and size before syncing; its
  /// Status is what Sync returns (the real sync runs only if it is OK). Set it before
  /// any file is used.
  std::function<Status(const std::string& path, uint64_t size)> before_sync;
  std::atomic<int> syncs{0};

  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override {
    ASSIGN_OR_RETURN(auto file, base_->Open(path, mode));
    return std::unique_ptr<File>(new RecordingFile(this, std::move(file)));
  }
  Status CreateDirs(const std::string& path) override { return base_->CreateDirs(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    return base_->ListDir(path);
  }
  bool Exists(const std::string& path) override { return base_->Exists(path); }
  Status Remove(const std::string& path) override { return base_->Remove(path); }
  Status RemoveAll(const std::string& path) override { return base_->RemoveAll(path); }
  Status Rename(const std::string& from, const std::string& to) override {
    return base_->Rename(from, to);
  }
  Status SyncDir(const std::string& path) override { return base_->SyncDir(path); }
  Result<std::unique_ptr<FileLock>> Lock(const std::string& path) override {
    return base_->Lock(path);
  }

 private:
  class RecordingFile final : public File {
   public:
    RecordingFile(RecordingFileSystem* fs, std::unique_ptr<File> file)
        : fs_(fs), file_(std::move(file)) {}
    Status Append(ByteSpan data) override { return file_->Append(data); }
    Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
      return file_->ReadAt(offset, out);
    }
    Status Sync() override {
      if (fs_->before_sync) RETURN_IF_ERROR(fs_->before_sync(file_->path(), file_->Size()));
      ++fs_->syncs;
      return file_->Sync();
    }
    Status Truncate(uint64_t size) override { return file_->Truncate(size); }
    uint64_t Size() const override { return file_->Size(); }
    const std::string& path() const override { return file_->path(); }

   private:
    RecordingFileSystem* fs_;
    std::unique_ptr<File> file_;
  };

  FileSystem* base_ = FileSystem::Default();
};

}  // namespace eddy::testing
