#include "tests/util/fault_injection_file_system.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

namespace eddy::testing {

/// Forwards to the real file and tells the file system what was synced. The state is
/// shared by every handle of one path (and follows the file through a rename).
class FaultInjectionFileSystem::FaultFile final : public File {
 public:
  FaultFile(FaultInjectionFileSystem* fs, std::unique_ptr<File> base,
            std::shared_ptr<FileState> state)
      : fs_(fs), base_(std::move(base)), state_(std::move(state)) {}

  Status Append(ByteSpan data) override {
    RETURN_IF_ERROR(fs_->CheckActive("write " + path()));
    AppendFault fault = AppendFault::kNone;
    RETURN_IF_ERROR(fs_->AppendFaultFor(path(), &fault));
    if (fault == AppendFault::kDiskFullMidWrite && data.size() > 1) {
      // Leaves the partial write in place, as a real short write followed by ENOSPC can.
      RETURN_IF_ERROR(base_->Append(data.first(data.size() / 2)));
    }
    if (fault != AppendFault::kNone) {
      return Status::ResourceExhausted("write " + path() + ": No space left on device");
    }
    return base_->Append(data);
  }

  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) const override {
    return base_->ReadAt(offset, out);
  }

  Status Sync() override {
    RETURN_IF_ERROR(fs_->CheckActive("fdatasync " + path()));
    if (fs_->SyncFails(path()))
      return Status::IOError("fdatasync " + path() + ": Input/output error");
    // Only what was appended before the sync started is certainly covered by it.
    const uint64_t size = base_->Size();
    RETURN_IF_ERROR(base_->Sync());
    if (int64_t delay = fs_->sync_delay_ms_.load(); delay > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    }
    std::lock_guard lock(fs_->mu_);
    state_->synced_size = std::max(state_->synced_size, std::min(size, base_->Size()));
    fs_->sync_count_.fetch_add(1);
    return Status::OK();
  }

  Status Truncate(uint64_t size) override {
    RETURN_IF_ERROR(fs_->CheckActive("truncate " + path()));
    RETURN_IF_ERROR(base_->Truncate(size));
    std::lock_guard lock(fs_->mu_);
    state_->synced_size = std::min(state_->synced_size, size);
    return Status::OK();
  }

  uint64_t Size() const override { return base_->Size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  FaultInjectionFileSystem* const fs_;
  std::unique_ptr<File> base_;
  std::shared_ptr<FileState> state_;
};

Status FaultInjectionFileSystem::CheckActive(const std::string& what) const {
  if (!active_) return Status::IOError(what + ": file system inactive (simulated crash)");
  return Status::OK();
}

Status FaultInjectionFileSystem::AppendFaultFor(const std::string& path, AppendFault* fault) const {
  std::lock_guard lock(mu_);
  if (append_fault_ != AppendFault::kNone && path.find(append_fault_path_) != std::string::npos) {
    *fault = append_fault_;
  }
  return Status::OK();
}

bool FaultInjectionFileSystem::SyncFails(const std::string& path) const {
  std::lock_guard lock(mu_);
  return sync_fault_ && path.find(sync_fault_path_) != std::string::npos;
}

void FaultInjectionFileSystem::FailAppends(AppendFault fault, std::string path_part) {
  std::lock_guard lock(mu_);
  append_fault_ = fault;
  append_fault_path_ = std::move(path_part);
}

void FaultInjectionFileSystem::FailSyncs(bool fail, std::string path_part) {
  std::lock_guard lock(mu_);
  sync_fault_ = fail;
  sync_fault_path_ = std::move(path_part);
}

std::shared_ptr<FaultInjectionFileSystem::FileState> FaultInjectionFileSystem::StateFor(
    const std::string& path, bool existed, uint64_t size, bool truncated) {
  std::lock_guard lock(mu_);
  auto& state = files_[path];
  if (!state) {
    state = std::make_shared<FileState>();
    // A file that was there before this file system saw it is taken as durable.
    state->synced_size = existed ? size : 0;
    state->dir_synced = existed;
  }
  if (truncated) state->synced_size = 0;
  return state;
}

Result<std::unique_ptr<File>> FaultInjectionFileSystem::Open(const std::string& path,
                                                             OpenMode mode) {
  const bool creates = mode == OpenMode::kCreateOrOpen || mode == OpenMode::kCreateTruncate;
  if (creates) RETURN_IF_ERROR(CheckActive("open " + path));
  const bool existed = base_->Exists(path);
  ASSIGN_OR_RETURN(auto file, base_->Open(path, mode));
  auto state = StateFor(path, existed, file->Size(), mode == OpenMode::kCreateTruncate);
  return std::unique_ptr<File>(new FaultFile(this, std::move(file), std::move(state)));
}

Status FaultInjectionFileSystem::CreateDirs(const std::string& path) {
  if (!base_->Exists(path)) RETURN_IF_ERROR(CheckActive("create directory " + path));
  return base_->CreateDirs(path);
}

Result<std::vector<std::string>> FaultInjectionFileSystem::ListDir(const std::string& path) {
  return base_->ListDir(path);
}

Status FaultInjectionFileSystem::Remove(const std::string& path) {
  RETURN_IF_ERROR(CheckActive("remove " + path));
  RETURN_IF_ERROR(base_->Remove(path));
  std::lock_guard lock(mu_);
  files_.erase(path);
  return Status::OK();
}

Status FaultInjectionFileSystem::RemoveAll(const std::string& path) {
  RETURN_IF_ERROR(CheckActive("remove " + path));
  RETURN_IF_ERROR(base_->RemoveAll(path));
  std::lock_guard lock(mu_);
  const std::string prefix = path + "/";
  std::erase_if(files_, [&](const auto& kv) {
    return kv.first == path || kv.first.compare(0, prefix.size(), prefix) == 0;
  });
  return Status::OK();
}

Status FaultInjectionFileSystem::Rename(const std::string& from, const std::string& to) {
  RETURN_IF_ERROR(CheckActive("rename " + from));
  RETURN_IF_ERROR(base_->Rename(from, to));
  std::lock_guard lock(mu_);
  // Directories move with everything under them.
  std::vector<std::pair<std::string, std::shared_ptr<FileState>>> moved;
  const std::string prefix = from + "/";
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->first == from) {
      moved.emplace_back(to, it->second);
      it = files_.erase(it);
    } else if (it->first.compare(0, prefix.size(), prefix) == 0) {
      moved.emplace_back(to + it->first.substr(from.size()), it->second);
      it = files_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [path, state] : moved) {
    // The new name is durable only once its directory is synced.
    if (path == to) state->dir_synced = false;
    files_[path] = state;
  }
  return Status::OK();
}

Status FaultInjectionFileSystem::SyncDir(const std::string& path) {
  RETURN_IF_ERROR(CheckActive("fsync directory " + path));
  RETURN_IF_ERROR(base_->SyncDir(path));
  std::lock_guard lock(mu_);
  for (auto& [file, state] : files_) {
    if (DirName(file) == path) state->dir_synced = true;
  }
  return Status::OK();
}

uint64_t FaultInjectionFileSystem::SyncedSize(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  return it == files_.end() ? 0 : it->second->synced_size;
}

Status FaultInjectionFileSystem::DropUnsyncedData() {
  std::map<std::string, std::shared_ptr<FileState>> files;
  {
    std::lock_guard lock(mu_);
    files = files_;
  }
  for (const auto& [path, state] : files) {
    if (!base_->Exists(path)) continue;
    if (!state->dir_synced) {
      RETURN_IF_ERROR(base_->Remove(path));
      std::lock_guard lock(mu_);
      files_.erase(path);
      continue;
    }
    ASSIGN_OR_RETURN(auto file, base_->Open(path, OpenMode::kReadWrite));
    if (file->Size() > state->synced_size) RETURN_IF_ERROR(file->Truncate(state->synced_size));
  }
  return Status::OK();
}

}  // namespace eddy::testing
