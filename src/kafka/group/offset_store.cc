#include "src/kafka/group/offset_store.h"

#include <spdlog/spdlog.h>

#include <limits>

#include "src/base/crc32c.h"

namespace eddy::kafka {
namespace {

// The smallest key of a topic in a GroupOffsets map (partitions are never negative, but
// a corrupt client may commit any number).
OffsetKey FirstKeyOf(const std::string& topic) {
  return OffsetKey{topic, PartitionId(std::numeric_limits<int32_t>::min())};
}

}  // namespace

Result<std::unique_ptr<OffsetStore>> OffsetStore::Open(const OffsetStoreOptions& options) {
  if (options.fs == nullptr) return Status::InvalidArgument("offset store needs a file system");
  FileSystem* fs = options.fs;
  std::string dir = JoinPath(options.data_dir, kOffsetsDirName);
  bool dir_existed = fs->Exists(dir);
  RETURN_IF_ERROR(fs->CreateDirs(dir));
  if (!dir_existed) RETURN_IF_ERROR(fs->SyncDir(options.data_dir));

  // A compaction that crashed before its rename leaves the temp file behind; offsets.log
  // is still whole, so the temp file is garbage.
  std::string tmp = JoinPath(dir, kOffsetsTempFileName);
  if (fs->Exists(tmp)) {
    RETURN_IF_ERROR(fs->Remove(tmp));
    spdlog::info("removed {} left by an interrupted compaction", tmp);
  }

  std::string path = JoinPath(dir, kOffsetsFileName);
  bool file_existed = fs->Exists(path);
  ASSIGN_OR_RETURN(auto file, fs->Open(path, OpenMode::kCreateOrOpen));
  if (!file_existed) RETURN_IF_ERROR(fs->SyncDir(dir));

  std::unique_ptr<OffsetStore> store(new OffsetStore(options, std::move(path), std::move(file)));
  RETURN_IF_ERROR(store->Replay());
  RETURN_IF_ERROR(store->MaybeCompact());
  return store;
}

OffsetStore::OffsetStore(const OffsetStoreOptions& options, std::string path,
                         std::unique_ptr<File> file)
    : options_(options), dir_(DirName(path)), path_(std::move(path)), file_(std::move(file)) {}

OffsetStore::~OffsetStore() {
  std::unique_lock lock(mutex_);
  io_done_.wait(lock, [this] { return !io_busy_; });
  if (!failed_.ok() || queued_.empty()) return;
  Status s = file_->Append(queued_);
  if (s.ok()) s = file_->Sync();
  if (!s.ok()) spdlog::error("offsets file {}: final flush failed: {}", path_, s.ToString());
}

Status OffsetStore::Replay() {
  std::vector<uint8_t> data(file_->Size());
  ASSIGN_OR_RETURN(size_t n, file_->ReadAt(0, data));
  data.resize(n);

  size_t pos = 0;
  size_t records = 0;
  std::string reason;
  while (pos < data.size()) {
    size_t left = data.size() - pos;
    if (left < kOffsetRecordHeaderSize) {
      reason = "a record header cut short";
      break;
    }
    const uint8_t* header = data.data() + pos;
    auto length = static_cast<uint32_t>(LoadI32(header + kOffsetRecordLengthPos));
    auto crc = static_cast<uint32_t>(LoadI32(header + kOffsetRecordCrcPos));
    if (length == 0) {
      // Zeroes where a record should be: the file grew but the data never reached it.
      reason = "a zero-length record";
      break;
    }
    if (length > left - kOffsetRecordHeaderSize) {
      reason = "a record of " + std::to_string(length) + " bytes cut short";
      break;
    }
    ByteSpan payload(header + kOffsetRecordPayloadPos, length);
    if (Crc32c(payload) != crc) {
      reason = "a record with a bad CRC";
      break;
    }
    auto record = DecodeOffsetRecord(payload);
    if (!record.ok()) {
      return record.status().WithContext(path_ + " at byte " + std::to_string(pos));
    }
    uint32_t record_bytes = static_cast<uint32_t>(kOffsetRecordHeaderSize) + length;
    Apply(*record, record_bytes);
    pos += record_bytes;
    ++records;
  }

  if (pos < data.size()) {
    spdlog::warn(
        "offsets file {}: dropped {} bytes from byte {} on, starting with {}; kept {} records",
        path_, data.size() - pos, pos, reason, records);
    RETURN_IF_ERROR(file_->Truncate(pos));
    RETURN_IF_ERROR(file_->Sync());
  }
  std::lock_guard lock(mutex_);
  file_size_ = pos;
  spdlog::debug("offsets file {}: {} records, {} bytes, {} live bytes, {} groups", path_, records,
                pos, live_bytes_, groups_.size());
  return Status::OK();
}

void OffsetStore::Apply(const OffsetRecord& record, uint32_t record_bytes) {
  switch (record.type) {
    case OffsetRecordType::kCommit: {
      Entry& entry = groups_[record.group][OffsetKey{record.topic, PartitionId(record.partition)}];
      live_bytes_ -= entry.record_bytes;
      entry.value = CommittedOffset{Offset(record.offset), record.leader_epoch, record.metadata,
                                    record.commit_time_ms};
      entry.record_bytes = record_bytes;
      live_bytes_ += record_bytes;
      break;
    }
    case OffsetRecordType::kForgetTopic:
      for (auto group = groups_.begin(); group != groups_.end();) {
        GroupOffsets& offsets = group->second;
        auto it = offsets.lower_bound(FirstKeyOf(record.topic));
        while (it != offsets.end() && it->first.topic == record.topic) {
          live_bytes_ -= it->second.record_bytes;
          it = offsets.erase(it);
        }
        group = offsets.empty() ? groups_.erase(group) : std::next(group);
      }
      break;
    case OffsetRecordType::kForgetGroup: {
      auto group = groups_.find(record.group);
      if (group == groups_.end()) break;
      for (const auto& [key, entry] : group->second) live_bytes_ -= entry.record_bytes;
      groups_.erase(group);
      break;
    }
  }
}

Result<OffsetStore::Ticket> OffsetStore::Append(std::span<const OffsetRecord> records) {
  if (records.empty()) return Ticket{0};
  // Encode before touching any state, so that a record that cannot be written leaves
  // the map and the queue as they were.
  ByteWriter encoded;
  std::vector<uint32_t> sizes;
  sizes.reserve(records.size());
  for (const OffsetRecord& record : records) {
    size_t before = encoded.size();
    RETURN_IF_ERROR(EncodeOffsetRecord(record, encoded));
    sizes.push_back(static_cast<uint32_t>(encoded.size() - before));
  }

  std::lock_guard lock(mutex_);
  if (!failed_.ok()) return failed_;
  for (size_t i = 0; i < records.size(); ++i) Apply(records[i], sizes[i]);
  queued_.insert(queued_.end(), encoded.buffer().begin(), encoded.buffer().end());
  return ++appended_ticket_;
}

Status OffsetStore::WaitDurable(Ticket ticket) {
  std::unique_lock lock(mutex_);
  if (ticket > appended_ticket_) {
    return Status::InvalidArgument("offset store ticket " + std::to_string(ticket) +
                                   " was never handed out");
  }
  while (true) {
    if (ticket <= durable_ticket_) return Status::OK();
    if (!failed_.ok()) return failed_;
    if (!io_busy_) break;
    io_done_.wait(lock);
  }

  // This thread writes and syncs everything queued so far, its own records included.
  io_busy_ = true;
  std::vector<uint8_t> batch = std::move(queued_);
  queued_.clear();
  Ticket target = appended_ticket_;
  inflight_bytes_ = batch.size();
  lock.unlock();

  Status s = file_->Append(batch);
  if (s.ok()) s = file_->Sync();

  lock.lock();
  io_busy_ = false;
  inflight_bytes_ = 0;
  if (s.ok()) {
    file_size_ += batch.size();
    durable_ticket_ = target;
  } else {
    failed_ = s.WithContext("offsets file " + path_ + " is unusable after a failed write");
    spdlog::error("{}", failed_.ToString());
  }
  io_done_.notify_all();
  return failed_;
}

Status OffsetStore::Write(std::span<const OffsetRecord> records) {
  ASSIGN_OR_RETURN(Ticket ticket, Append(records));
  return WaitDurable(ticket);
}

std::optional<CommittedOffset> OffsetStore::Get(const std::string& group, const std::string& topic,
                                                PartitionId partition) const {
  std::lock_guard lock(mutex_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return std::nullopt;
  auto it = g->second.find(OffsetKey{topic, partition});
  if (it == g->second.end()) return std::nullopt;
  return it->second.value;
}

std::vector<std::pair<OffsetKey, CommittedOffset>> OffsetStore::GetAll(
    const std::string& group) const {
  std::vector<std::pair<OffsetKey, CommittedOffset>> out;
  std::lock_guard lock(mutex_);
  auto g = groups_.find(group);
  if (g == groups_.end()) return out;
  out.reserve(g->second.size());
  for (const auto& [key, entry] : g->second) out.emplace_back(key, entry.value);
  return out;
}

std::vector<std::string> OffsetStore::Groups() const {
  std::vector<std::string> out;
  std::lock_guard lock(mutex_);
  out.reserve(groups_.size());
  for (const auto& [group, offsets] : groups_) out.push_back(group);
  return out;
}

bool OffsetStore::HasGroup(const std::string& group) const {
  std::lock_guard lock(mutex_);
  return groups_.contains(group);
}

bool OffsetStore::CompactionDue() const {
  uint64_t size = FileBytesLocked();
  return size > options_.compact_min_bytes && size > options_.compact_ratio * live_bytes_;
}

Status OffsetStore::MaybeCompact() {
  std::unique_lock lock(mutex_);
  if (!CompactionDue()) return Status::OK();
  return CompactLocked(lock);
}

Status OffsetStore::Compact() {
  std::unique_lock lock(mutex_);
  return CompactLocked(lock);
}

Status OffsetStore::CompactLocked(std::unique_lock<std::mutex>& lock) {
  // The mutex stays held from here on, so no append or sync starts until the new file
  // is in place; the live map already holds everything queued, so the rewrite covers it.
  io_done_.wait(lock, [this] { return !io_busy_; });
  if (!failed_.ok()) return failed_;

  ByteWriter live(live_bytes_);
  for (const auto& [group, offsets] : groups_) {
    for (const auto& [key, entry] : offsets) {
      OffsetRecord record{.type = OffsetRecordType::kCommit,
                          .group = group,
                          .topic = key.topic,
                          .partition = key.partition.value(),
                          .offset = entry.value.offset.value(),
                          .leader_epoch = entry.value.leader_epoch,
                          .metadata = entry.value.metadata,
                          .commit_time_ms = entry.value.commit_time_ms};
      RETURN_IF_ERROR(EncodeOffsetRecord(record, live));
    }
  }

  FileSystem* fs = options_.fs;
  std::string tmp = JoinPath(dir_, kOffsetsTempFileName);
  Status s = [&]() -> Status {
    ASSIGN_OR_RETURN(auto out, fs->Open(tmp, OpenMode::kCreateTruncate));
    RETURN_IF_ERROR(out->Append(live.buffer()));
    return out->Sync();
  }();
  if (!s.ok()) {
    // offsets.log is untouched and the queue still holds its records: nothing is lost.
    (void)fs->Remove(tmp);
    return s.WithContext("compacting " + path_);
  }

  s = fs->Rename(tmp, path_);
  if (!s.ok()) {
    (void)fs->Remove(tmp);
    return s.WithContext("compacting " + path_);
  }
  // Past the rename the old file is gone: a failure now leaves the store without a
  // known-good file to append to.
  s = fs->SyncDir(dir_);
  Result<std::unique_ptr<File>> reopened =
      s.ok() ? fs->Open(path_, OpenMode::kReadWrite) : Result<std::unique_ptr<File>>(s);
  if (!reopened.ok()) {
    failed_ = reopened.status().WithContext("offsets file " + path_ +
                                            " is unusable after a failed compaction");
    spdlog::error("{}", failed_.ToString());
    io_done_.notify_all();
    return failed_;
  }

  uint64_t before = FileBytesLocked();
  file_ = std::move(reopened).value();
  file_size_ = live.size();
  queued_.clear();
  durable_ticket_ = appended_ticket_;
  io_done_.notify_all();
  spdlog::info("compacted {} from {} to {} bytes", path_, before, file_size_);
  return Status::OK();
}

uint64_t OffsetStore::file_bytes() const {
  std::lock_guard lock(mutex_);
  return FileBytesLocked();
}

uint64_t OffsetStore::live_bytes() const {
  std::lock_guard lock(mutex_);
  return live_bytes_;
}

}  // namespace eddy::kafka
