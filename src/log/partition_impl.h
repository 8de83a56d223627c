#pragma once
// The Partition of the embedded log: a directory of segments, with appends, reads,
// group-commit durability, high-watermark watches, retention and recovery.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/log/flusher.h"
#include "src/log/log.h"
#include "src/log/producer_state.h"
#include "src/log/segment.h"
#include "src/log/transaction_index.h"

namespace eddy::log {

/// What a partition needs from the log that owns it. Everything outlives the partition's
/// use by the log; "flusher" is only used until Close or MarkDeleted.
struct PartitionEnv {
  FileSystem* fs = nullptr;
  Clock* clock = nullptr;
  Durability durability;
  Flusher* flusher = nullptr;
};

/// Thread safety: as Partition says. Inside, "mu_" serialises appends, rolls, retention,
/// flush bookkeeping and close; "segments_mu_" guards the segment list for readers (the
/// writer holds both to change it); "watch_mu_" guards watches. No callback runs under
/// any of them. Readers take no lock but segments_mu_, briefly.
/// Invariants: log_start_offset <= last_stable_offset <= high_watermark <= log_end_offset;
/// under kAlways the high watermark is the end of synced data, otherwise the log end;
/// segments_ is never empty and its last element is the active segment. The last stable
/// offset is recomputed under mu_ whenever the high watermark, the log start or the set of
/// open transactions changes, before watches fire.
class PartitionImpl final : public Partition,
                            public FlushTarget,
                            public std::enable_shared_from_this<PartitionImpl> {
 public:
  /// Opens the partition in "dir" (created with an empty first segment if it holds
  /// none) and recovers it: every segment is checked as Segment::Open says, the last
  /// one fully unless "clean_shutdown"; producer state comes from the newest snapshot
  /// plus the batch headers after it. Logs one line saying what was kept and dropped.
  static Result<std::shared_ptr<PartitionImpl>> Open(const PartitionEnv& env, std::string topic,
                                                     PartitionId id, std::string dir,
                                                     const TopicConfig& config,
                                                     bool clean_shutdown);

  PartitionImpl(const PartitionEnv& env, std::string topic, PartitionId id, std::string dir,
                const TopicConfig& config);
  ~PartitionImpl() override;

  // Partition
  const std::string& topic() const override { return topic_; }
  PartitionId id() const override { return id_; }
  Result<AppendResult> Append(std::span<uint8_t> batch) override;
  Result<AppendResult> AppendTransactionMarker(ProducerId producer, ProducerEpoch epoch,
                                               TransactionResult result,
                                               int32_t coordinator_epoch) override;
  void WhenDurable(Offset last_offset, std::function<void(Status)> done) override;
  Result<ReadResult> Read(Offset from, const ReadOptions& options) const override;
  Offset log_start_offset() const override { return Offset(log_start_offset_.load()); }
  Offset high_watermark() const override { return Offset(high_watermark_.load()); }
  Offset log_end_offset() const override { return Offset(log_end_offset_.load()); }
  Offset last_stable_offset() const override { return Offset(last_stable_offset_.load()); }
  std::vector<OpenTransaction> OpenTransactions() const override;
  int64_t size_bytes() const override { return size_bytes_.load(); }
  std::optional<int32_t> LastSequence(ProducerId producer) const override;
  Result<std::optional<TimestampOffset>> OffsetForTimestamp(int64_t timestamp_ms) const override;
  WatchId Watch(Offset offset, std::function<void()> wake) override;
  void Unwatch(WatchId id) override;

  // FlushTarget
  void Flush() override;

  // For the Log.
  void SetConfig(const TopicConfig& config);
  /// Rolls the active segment if segment.ms has passed and deletes segments past
  /// retention.ms / retention.bytes (never the active one, never data above the high
  /// watermark).
  Status EnforceRetention();
  /// Syncs everything, writes the producer snapshot, completes the waiters and fires
  /// every watch; later appends fail with kShuttingDown. Returns the first failure (a
  /// partition that failed earlier reports that).
  Status Close();
  /// The topic is being deleted: later calls fail with kUnknownTopicOrPartition. Returns
  /// what tells the waiters (they fail) and the watchers (they fire); the caller runs it
  /// once it holds no lock of its own. The Log removes the files.
  [[nodiscard]] std::function<void()> MarkDeleted();
  const std::string& dir() const { return dir_; }
  size_t segment_count() const;
  /// Base offsets of the segments, oldest first (for tests and tools).
  std::vector<int64_t> SegmentBaseOffsets() const;

 private:
  struct Waiter {
    int64_t last_offset;
    std::function<void(Status)> done;
  };
  struct WatchEntry {
    WatchId id;
    std::function<void()> wake;
  };

  Status Recover(bool clean_shutdown);
  Status LoadProducerState();
  /// Appends a batch that passed the checks of the bytes alone ("marker" is set for a
  /// transaction marker).
  Result<AppendResult> AppendChecked(std::span<uint8_t> batch, BatchHeader header,
                                     std::optional<TransactionResult> marker);
  /// Applies a written (or recovered) batch of producer "header.producer_id" to the
  /// producer state; for a marker, ends the producer's open transaction and records an
  /// abort in the transaction index of the segment at "segment_base".
  Status ApplyProducerBatchLocked(const BatchHeader& header,
                                  std::optional<TransactionResult> marker, int64_t segment_base);
  /// Recomputes last_stable_offset_ from the high watermark, the open transactions and
  /// those whose marker is not yet below the high watermark.
  void UpdateLastStableOffsetLocked();
  std::string Where() const;
  Status CheckWritableLocked() const;
  /// Why the active segment must roll before a batch of "batch_bytes", or "".
  std::string RollReasonLocked(const BatchHeader& header, size_t batch_bytes, int64_t now_ms) const;
  Status RollLocked(int64_t now_ms, std::string_view reason);
  void DeleteOldestSegmentLocked(std::string_view reason);
  void WriteProducerSnapshotLocked();
  void ScheduleFlushLocked(bool urgent);
  /// Splits off the waiters covered by durable_end_ (all of them, failed, when
  /// "failure" is set).
  std::vector<Waiter> TakeWaitersLocked(bool all);
  static void Complete(std::vector<Waiter>& waiters, const Status& status);
  /// Calls the watches the high watermark has passed (every watch when "all").
  void FireWatches(bool all);
  std::shared_ptr<Segment> SegmentFor(int64_t offset) const;
  std::shared_ptr<Segment> SegmentAfter(const Segment& segment) const;
  std::shared_ptr<Segment> active() const { return segments_.back(); }  // writer only

  const PartitionEnv env_;
  const std::string topic_;
  const PartitionId id_;
  const std::string dir_;

  mutable std::mutex mu_;
  TopicConfig config_;                                  // guarded by mu_
  ProducerStateTable producers_;                        // guarded by mu_
  TransactionIndex txn_index_;                          // written under mu_
  /// {first offset, marker offset} of transactions ended by a marker that is not yet
  /// below the high watermark: they still hold the last stable offset back; mu_.
  std::vector<std::pair<int64_t, int64_t>> deciding_txns_;
  std::vector<std::shared_ptr<Segment>> pending_sync_;  // rolled, not yet synced; mu_
  bool dir_sync_needed_ = false;                        // guarded by mu_
  std::vector<Waiter> waiters_;                         // guarded by mu_
  int64_t durable_end_ = 0;                             // offsets below are synced; mu_
  bool flush_queued_ = false;                           // guarded by mu_
  bool flush_queued_urgent_ = false;                    // guarded by mu_
  bool failed_ = false;                                 // guarded by mu_
  Status failure_;                                      // guarded by mu_
  std::vector<int64_t> snapshot_offsets_;               // on disk, ascending; mu_
  std::atomic<bool> closed_{false};                     // written under mu_
  std::atomic<bool> deleted_{false};                    // written under mu_
  std::atomic<int32_t> max_message_bytes_;

  mutable std::mutex segments_mu_;
  std::vector<std::shared_ptr<Segment>> segments_;  // written under mu_ and segments_mu_

  std::atomic<int64_t> log_start_offset_{0};
  std::atomic<int64_t> high_watermark_{0};
  std::atomic<int64_t> log_end_offset_{0};
  std::atomic<int64_t> last_stable_offset_{0};  // written under mu_
  std::atomic<int64_t> size_bytes_{0};

  std::mutex watch_mu_;
  std::multimap<int64_t, WatchEntry> watches_;  // by offset; guarded by watch_mu_
  std::unordered_map<WatchId, std::multimap<int64_t, WatchEntry>::iterator> watch_ids_;
  bool watches_closed_ = false;  // guarded by watch_mu_
  std::atomic<size_t> watch_count_{0};
  std::atomic<WatchId> next_watch_id_{1};
};

}  // namespace eddy::log
