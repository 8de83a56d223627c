#pragma once
// Durable committed offsets of every consumer group, in DIR/groups/offsets.log
// (layout in offsets_format.h).

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/status.h"
#include "src/kafka/group/group_requests.h"
#include "src/kafka/group/offsets_format.h"

namespace eddy::kafka {

/// A group's committed position in one partition.
struct CommittedOffset {
  Offset offset;
  int32_t leader_epoch = kNoLeaderEpoch;
  std::string metadata;
  int64_t commit_time_ms = 0;
};

struct OffsetStoreOptions {
  /// The data directory; the store lives in DIR/groups/.
  std::string data_dir = "./data";
  FileSystem* fs = FileSystem::Default();
  /// Compaction rewrites the file once it is larger than this ...
  uint64_t compact_min_bytes = 1024 * 1024;
  /// ... and more than this many times the size of its live entries.
  uint64_t compact_ratio = 2;
};

/// The committed offsets of all groups: an in-memory map backed by an append-only file.
///
/// Writing is split in two so that a caller can order writes under its own lock and wait
/// for the disk outside it: Append() encodes records into a write queue and applies them
/// to the map at once (so reads see them in the order they were appended), and
/// WaitDurable() returns once they are fsynced. Concurrent waiters share fsyncs: the
/// first waiter writes and syncs everything queued so far while later ones queue up
/// behind it, and the next sync covers them all.
///
/// A failed write or fsync leaves the file in an unknown state, so it is sticky: every
/// later Append and WaitDurable fails with the same status (restart to recover from the
/// file). Reads keep answering from memory.
///
/// Thread-safe. Open() replays the file; it is the only place that reads the disk.
class OffsetStore {
 public:
  /// Identifies an Append for WaitDurable.
  using Ticket = uint64_t;

  /// Creates DIR/groups if missing, removes a leftover compaction temp file, replays every
  /// record, truncates a torn or corrupt tail (logging what was dropped) and compacts if
  /// the file is due.
  static Result<std::unique_ptr<OffsetStore>> Open(const OffsetStoreOptions& options);

  /// Flushes anything still queued (best effort).
  ~OffsetStore();
  OffsetStore(const OffsetStore&) = delete;
  OffsetStore& operator=(const OffsetStore&) = delete;

  /// Queues "records" (all or none) and applies them to the map. Not durable until
  /// WaitDurable(ticket) returns OK.
  Result<Ticket> Append(std::span<const OffsetRecord> records);

  /// Blocks until every record appended up to "ticket" is fsynced; may do the write and
  /// fsync itself, for its records and everyone else's queued before them.
  Status WaitDurable(Ticket ticket);

  /// Append + WaitDurable.
  Status Write(std::span<const OffsetRecord> records);

  std::optional<CommittedOffset> Get(const std::string& group, const std::string& topic,
                                     PartitionId partition) const;
  /// Every committed offset of a group, sorted by topic and partition.
  std::vector<std::pair<OffsetKey, CommittedOffset>> GetAll(const std::string& group) const;
  /// Groups with at least one committed offset, sorted.
  std::vector<std::string> Groups() const;
  bool HasGroup(const std::string& group) const;

  /// Compacts if the file is over compact_min_bytes and over compact_ratio times its
  /// live size.
  Status MaybeCompact();
  /// Rewrites the live entries to a temp file, fsyncs it and renames it over the log.
  /// Waits for a write in progress; blocks appends and reads while it runs.
  Status Compact();

  /// Bytes of the file including what is queued.
  uint64_t file_bytes() const;
  /// Bytes the live entries take when written as records (what compaction would leave).
  uint64_t live_bytes() const;

 private:
  struct Entry {
    CommittedOffset value;
    uint32_t record_bytes = 0;  // size of its commit record, for live_bytes_
  };
  using GroupOffsets = std::map<OffsetKey, Entry>;

  OffsetStore(const OffsetStoreOptions& options, std::string path, std::unique_ptr<File> file);

  Status Replay();
  void Apply(const OffsetRecord& record, uint32_t record_bytes);
  bool CompactionDue() const;
  Status CompactLocked(std::unique_lock<std::mutex>& lock);
  uint64_t FileBytesLocked() const { return file_size_ + inflight_bytes_ + queued_.size(); }

  const OffsetStoreOptions options_;
  const std::string dir_;
  const std::string path_;

  mutable std::mutex mutex_;
  std::condition_variable io_done_;
  /// Touched outside the mutex only by the thread holding io_busy_.
  std::unique_ptr<File> file_;
  std::map<std::string, GroupOffsets> groups_;  // guarded by mutex_
  uint64_t live_bytes_ = 0;                     // guarded by mutex_
  std::vector<uint8_t> queued_;                 // encoded, not yet written; guarded
  uint64_t file_size_ = 0;                      // bytes written to file_; guarded
  uint64_t inflight_bytes_ = 0;                 // being written by the io_busy_ holder
  Ticket appended_ticket_ = 0;                  // last ticket handed out; guarded
  Ticket durable_ticket_ = 0;                   // every ticket <= this is synced; guarded
  /// One thread at a time writes, syncs or replaces the file (File wants one writer).
  bool io_busy_ = false;  // guarded by mutex_
  Status failed_;         // sticky write failure; guarded by mutex_
};

}  // namespace eddy::kafka
