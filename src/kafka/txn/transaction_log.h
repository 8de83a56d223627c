#pragma once
// The durable store of the transaction coordinator: DIR/transactions/state.log, an
// append-only file of transaction states (layout in transaction_log_format.h).

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/status.h"
#include "src/kafka/txn/transaction_log_format.h"

namespace eddy::kafka {

/// Writing is split in two so that the coordinator can order records under its own lock
/// and wait for the disk outside it: Append() queues an encoded record, WaitDurable()
/// returns once it is fsynced. Concurrent waiters share fsyncs: the first writes and
/// syncs everything queued so far, the others wait for it (group commit).
///
/// A failed write or fsync is sticky: every later Append and WaitDurable fails with it
/// (a restart recovers from the file).
///
/// Thread-safe. Open() replays the file; it is the only place that reads it.
class TransactionLog {
 public:
  using Ticket = uint64_t;

  /// Creates DIR/transactions if missing, removes a leftover compaction temp file,
  /// replays every record into "*states" (by transactional id), and truncates a torn or
  /// corrupt tail, logging what was dropped.
  static Result<std::unique_ptr<TransactionLog>> Open(
      const std::string& data_dir, FileSystem* fs,
      std::map<std::string, TransactionMetadata>* states);

  ~TransactionLog();
  TransactionLog(const TransactionLog&) = delete;
  TransactionLog& operator=(const TransactionLog&) = delete;

  /// Queues a record; not durable until WaitDurable(ticket) returns OK.
  Result<Ticket> Append(const TxnRecord& record);
  /// Blocks until every record appended up to "ticket" is fsynced.
  Status WaitDurable(Ticket ticket);

  /// Rewrites the file with one state record per entry of "live" (which must already
  /// hold every state appended so far): temp file, fsync, rename, directory fsync.
  /// Appends wait while it runs.
  Status Compact(const std::map<std::string, TransactionMetadata>& live);

  /// Bytes of the file, queued records included.
  uint64_t file_bytes() const;
  const std::string& path() const { return path_; }

 private:
  TransactionLog(FileSystem* fs, std::string dir, std::string path, std::unique_ptr<File> file);
  Status Replay(std::map<std::string, TransactionMetadata>* states);

  FileSystem* const fs_;
  const std::string dir_;
  const std::string path_;

  mutable std::mutex mutex_;
  std::condition_variable io_done_;
  /// Touched outside the mutex only by the thread holding io_busy_.
  std::unique_ptr<File> file_;
  std::vector<uint8_t> queued_;  // encoded, not yet written; guarded by mutex_
  uint64_t file_size_ = 0;       // bytes written to file_; guarded
  uint64_t inflight_bytes_ = 0;  // being written by the io_busy_ holder; guarded
  Ticket appended_ticket_ = 0;   // guarded
  Ticket durable_ticket_ = 0;    // every ticket <= this is synced; guarded
  bool io_busy_ = false;         // guarded
  Status failed_;                // sticky; guarded
};

}  // namespace eddy::kafka
