#include "src/kafka/txn/transaction_log.h"

#include <spdlog/spdlog.h>

#include "src/base/crc32c.h"

namespace eddy::kafka {

Result<std::unique_ptr<TransactionLog>> TransactionLog::Open(
    const std::string& data_dir, FileSystem* fs,
    std::map<std::string, TransactionMetadata>* states) {
  if (fs == nullptr) return Status::InvalidArgument("transaction log needs a file system");
  std::string dir = JoinPath(data_dir, kTransactionsDirName);
  const bool dir_existed = fs->Exists(dir);
  RETURN_IF_ERROR(fs->CreateDirs(dir));
  if (!dir_existed) RETURN_IF_ERROR(fs->SyncDir(data_dir));
  // A compaction that crashed before its rename leaves the temp file; state.log is whole.
  std::string tmp = JoinPath(dir, kTransactionsTempFileName);
  if (fs->Exists(tmp)) {
    RETURN_IF_ERROR(fs->Remove(tmp));
    spdlog::info("removed {} left by an interrupted compaction", tmp);
  }
  std::string path = JoinPath(dir, kTransactionsFileName);
  const bool file_existed = fs->Exists(path);
  ASSIGN_OR_RETURN(auto file, fs->Open(path, OpenMode::kCreateOrOpen));
  if (!file_existed) RETURN_IF_ERROR(fs->SyncDir(dir));
  std::unique_ptr<TransactionLog> log(
      new TransactionLog(fs, std::move(dir), std::move(path), std::move(file)));
  RETURN_IF_ERROR(log->Replay(states));
  return log;
}

TransactionLog::TransactionLog(FileSystem* fs, std::string dir, std::string path,
                               std::unique_ptr<File> file)
    : fs_(fs), dir_(std::move(dir)), path_(std::move(path)), file_(std::move(file)) {}

TransactionLog::~TransactionLog() {
  std::unique_lock lock(mutex_);
  io_done_.wait(lock, [this] { return !io_busy_; });
  if (!failed_.ok() || queued_.empty()) return;
  Status s = file_->Append(queued_);
  if (s.ok()) s = file_->Sync();
  if (!s.ok()) spdlog::error("transaction state {}: final flush failed: {}", path_, s.ToString());
}

Status TransactionLog::Replay(std::map<std::string, TransactionMetadata>* states) {
  std::vector<uint8_t> data(file_->Size());
  ASSIGN_OR_RETURN(size_t n, file_->ReadAt(0, data));
  data.resize(n);
  size_t pos = 0;
  size_t records = 0;
  std::string reason;
  while (pos < data.size()) {
    const size_t left = data.size() - pos;
    if (left < kTxnRecordHeaderSize) {
      reason = "a record header cut short";
      break;
    }
    const uint8_t* header = data.data() + pos;
    const auto length = static_cast<uint32_t>(LoadI32(header));
    const auto crc = static_cast<uint32_t>(LoadI32(header + 4));
    if (length == 0) {
      reason = "a zero-length record";
      break;
    }
    if (length > left - kTxnRecordHeaderSize) {
      reason = "a record of " + std::to_string(length) + " bytes cut short";
      break;
    }
    ByteSpan payload(header + kTxnRecordHeaderSize, length);
    if (Crc32c(payload) != crc) {
      reason = "a record with a bad CRC";
      break;
    }
    Result<TxnRecord> record = DecodeTxnRecord(payload);
    if (!record.ok()) return record.status().WithContext(path_ + " at byte " + std::to_string(pos));
    const std::string& id = record->metadata.transactional_id;
    if (record->type == TxnRecordType::kForget) {
      states->erase(id);
    } else {
      (*states)[id] = std::move(record->metadata);
    }
    pos += kTxnRecordHeaderSize + length;
    ++records;
  }
  if (pos < data.size()) {
    spdlog::warn(
        "transaction state {}: dropped {} bytes from byte {} on, starting with {}; "
        "kept {} records",
        path_, data.size() - pos, pos, reason, records);
    RETURN_IF_ERROR(file_->Truncate(pos));
    RETURN_IF_ERROR(file_->Sync());
  }
  std::lock_guard lock(mutex_);
  file_size_ = pos;
  return Status::OK();
}

Result<TransactionLog::Ticket> TransactionLog::Append(const TxnRecord& record) {
  ByteWriter encoded;
  RETURN_IF_ERROR(EncodeTxnRecord(record, encoded));
  std::lock_guard lock(mutex_);
  if (!failed_.ok()) return failed_;
  queued_.insert(queued_.end(), encoded.buffer().begin(), encoded.buffer().end());
  return ++appended_ticket_;
}

Status TransactionLog::WaitDurable(Ticket ticket) {
  std::unique_lock lock(mutex_);
  if (ticket > appended_ticket_) {
    return Status::InvalidArgument("transaction log ticket " + std::to_string(ticket) +
                                   " was never handed out");
  }
  while (true) {
    if (ticket <= durable_ticket_) return Status::OK();
    if (!failed_.ok()) return failed_;
    if (!io_busy_) break;
    io_done_.wait(lock);
  }
  // This thread writes and syncs everything queued so far, its own record included.
  io_busy_ = true;
  std::vector<uint8_t> batch = std::move(queued_);
  queued_.clear();
  const Ticket target = appended_ticket_;
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
    failed_ = s.WithContext("transaction state " + path_ + " is unusable after a failed write");
    spdlog::error("{}", failed_.ToString());
  }
  io_done_.notify_all();
  return failed_;
}

Status TransactionLog::Compact(const std::map<std::string, TransactionMetadata>& live) {
  std::unique_lock lock(mutex_);
  // The mutex stays held from here on: no append or sync starts until the new file is in
  // place, and "live" already holds everything queued, so the rewrite covers it.
  io_done_.wait(lock, [this] { return !io_busy_; });
  if (!failed_.ok()) return failed_;
  ByteWriter out;
  for (const auto& [id, metadata] : live) {
    RETURN_IF_ERROR(EncodeTxnRecord(TxnRecord{TxnRecordType::kState, metadata}, out));
  }
  const std::string tmp = JoinPath(dir_, kTransactionsTempFileName);
  Status s = [&]() -> Status {
    ASSIGN_OR_RETURN(auto file, fs_->Open(tmp, OpenMode::kCreateTruncate));
    RETURN_IF_ERROR(file->Append(out.buffer()));
    return file->Sync();
  }();
  if (s.ok()) s = fs_->Rename(tmp, path_);
  if (!s.ok()) {
    // state.log is untouched and the queue still holds its records: nothing is lost.
    (void)fs_->Remove(tmp);
    return s.WithContext("compacting " + path_);
  }
  // Past the rename the old file is gone: a failure now leaves no file to append to.
  s = fs_->SyncDir(dir_);
  Result<std::unique_ptr<File>> reopened =
      s.ok() ? fs_->Open(path_, OpenMode::kReadWrite) : Result<std::unique_ptr<File>>(s);
  if (!reopened.ok()) {
    failed_ = reopened.status().WithContext("transaction state " + path_ +
                                            " is unusable after a failed compaction");
    spdlog::error("{}", failed_.ToString());
    io_done_.notify_all();
    return failed_;
  }
  const uint64_t before = file_size_ + queued_.size();
  file_ = std::move(reopened).value();
  file_size_ = out.size();
  queued_.clear();
  durable_ticket_ = appended_ticket_;
  io_done_.notify_all();
  spdlog::info("compacted {} from {} to {} bytes ({} transactional ids)", path_, before, file_size_,
               live.size());
  return Status::OK();
}

uint64_t TransactionLog::file_bytes() const {
  std::lock_guard lock(mutex_);
  return file_size_ + inflight_bytes_ + queued_.size();
}

}  // namespace eddy::kafka
