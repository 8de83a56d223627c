#pragma once
// One segment of a partition: a .log file of record batches holding a contiguous run
// of offsets starting at the segment's base offset, with its sparse offset and time
// indexes. Only the newest segment of a partition (the active one) is appended to.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/status.h"
#include "src/log/log.h"
#include "src/log/offset_index.h"
#include "src/log/record_batch.h"
#include "src/log/time_index.h"

namespace eddy::log {

/// What recovery found in one segment (Segment::Open).
struct SegmentRecovery {
  uint64_t found_bytes = 0;  // size of the .log file before recovery
  uint64_t kept_bytes = 0;   // size after recovery (found_bytes - what was cut)
  bool validated = false;    // every batch's header and CRC-32C was checked
  /// Why every batch was checked although the mode trusted the data (a missing or
  /// damaged index, a tail that does not end on a whole batch); empty if it was not.
  std::string rescan_reason;
  /// The torn or corrupt batch the data was cut at; OK when nothing was cut.
  Status cut_reason;
};

/// Decides which batches get index entries: one per index.interval.bytes of log, the
/// same rule for appends and for rebuilds so that a rebuilt index equals the original.
struct IndexCadence {
  uint64_t bytes_since_entry = 0;
  int64_t max_timestamp = -1;  // largest batch max_timestamp so far
  /// Accounts for one batch; true if it gets an index entry.
  bool Note(const BatchHeader& header, int32_t index_interval_bytes) {
    max_timestamp = std::max(max_timestamp, header.max_timestamp);
    bool entry = bytes_since_entry >= static_cast<uint64_t>(index_interval_bytes);
    if (entry) bytes_since_entry = 0;
    bytes_since_entry += header.total_size();
    return entry;
  }
};

/// Lifetime: shared by the partition and by readers, so a reader keeps a segment that
/// retention deleted meanwhile readable (its files stay open) until it is done.
/// Thread safety: one writer at a time (the partition's append lock) calls Append,
/// SealTimeIndex, Sync*, RemoveFiles and the set_* methods; Read,
/// FindOffsetForTimestamp and the accessors run concurrently with it. Readers never
/// look past readable_bytes(), which the writer raises once bytes may be shown.
/// Invariant: the .log file holds whole batches with dense offsets from base_offset()
/// to next_offset() - 1 (recovery cuts whatever breaks this).
class Segment {
 public:
  /// Creates an empty segment's files in "dir" (emptied if they exist).
  static Result<std::shared_ptr<Segment>> Create(FileSystem* fs, const std::string& dir,
                                                 int64_t base_offset, int64_t now_ms);

  enum class RecoveryMode {
    /// Trust the data (clean shutdown, or not the last segment): check the indexes'
    /// shape and walk the batch headers after the last index entry to the end.
    kTrustData,
    /// Check every batch's header and CRC-32C and cut at the first bad one (the last
    /// segment after an unclean shutdown).
    kValidateData,
  };

  /// Opens an existing segment and makes it consistent: a damaged or missing index, or
  /// a tail that does not end on a whole batch, switches to kValidateData; indexes are
  /// rebuilt from what was scanned. Fills "*report". Fails only on I/O errors.
  static Result<std::shared_ptr<Segment>> Open(FileSystem* fs, const std::string& dir,
                                               int64_t base_offset, RecoveryMode mode,
                                               int32_t index_interval_bytes, int64_t now_ms,
                                               SegmentRecovery* report);

  int64_t base_offset() const { return base_offset_; }
  /// The offset after the last batch (base_offset() when empty).
  int64_t next_offset() const { return next_offset_.load(std::memory_order_acquire); }
  uint64_t size_bytes() const { return log_->Size(); }
  /// The largest batch max_timestamp in the segment; -1 when it holds none.
  int64_t max_timestamp() const { return max_timestamp_.load(std::memory_order_acquire); }
  const std::string& log_path() const { return log_->path(); }

  // --- The writer ---

  /// Appends one batch (its base offset already set) with one write, then updates the
  /// indexes. When the write fails the file is cut back to its previous size; if even
  /// that fails, broken() turns true and the segment must not be appended to again.
  Status Append(ByteSpan batch, const BatchHeader& header, int32_t index_interval_bytes);
  bool broken() const { return broken_; }

  /// Whether the segment has waited segment_ms for its roll: measured from the first
  /// batch's max timestamp to "reference_ms" (the incoming batch's timestamp, or now),
  /// or from the segment's creation when it has no timestamp (Kafka's rule).
  bool ShouldRollForTime(int64_t reference_ms, int64_t now_ms, int64_t segment_ms) const;

  /// Adds the final time index entry when the segment stops being active.
  Status SealTimeIndex();
  Status SyncLog() { return log_->Sync(); }
  /// Syncs the data and both indexes (a rolled segment, and at close).
  Status SyncAll();
  /// Removes the segment's files; open handles (readers) keep working.
  Status RemoveFiles();

  void set_readable_bytes(uint64_t bytes) {
    readable_bytes_.store(bytes, std::memory_order_release);
  }
  uint64_t readable_bytes() const { return readable_bytes_.load(std::memory_order_acquire); }

  // --- Readers ---

  /// Appends to "*out" the whole batches starting with the first whose last offset is
  /// >= "from", stopping before a batch at or past "high_watermark", past
  /// readable_bytes(), or that would take the bytes added past "max_bytes" (unless it
  /// is the first and "min_one_batch"). Returns the offset after the last batch added
  /// ("from" if none was).
  Result<int64_t> Read(int64_t from, int64_t high_watermark, size_t max_bytes, bool min_one_batch,
                       std::vector<uint8_t>* out) const;

  /// The first offset >= "min_offset" and below "high_watermark" whose record
  /// timestamp is >= "timestamp_ms", if the segment holds one.
  Result<std::optional<TimestampOffset>> FindOffsetForTimestamp(int64_t timestamp_ms, int64_t min_offset,
                                                        int64_t high_watermark) const;

  /// Calls "fn" with the header of every batch with base offset >= "from_offset", in
  /// order (header reads only; recovery uses it to rebuild producer state).
  Status ScanHeaders(int64_t from_offset, const std::function<void(const BatchHeader&)>& fn) const;
  /// As ScanHeaders, and hands over the whole bytes of control batches (transaction
  /// markers, which are small): recovery reads whether each committed or aborted.
  /// "control_batch" is empty for other batches and valid only during the call.
  Status ScanHeadersAndControlBatches(
      int64_t from_offset,
      const std::function<void(const BatchHeader&, ByteSpan control_batch)>& fn) const;

  const OffsetIndex& offset_index() const { return index_; }
  const TimeIndex& time_index() const { return time_index_; }

  Segment(FileSystem* fs, std::string dir, int64_t base_offset, std::unique_ptr<File> log,
          std::unique_ptr<File> index, std::unique_ptr<File> time_index, int64_t now_ms);

 private:
  Status Recover(RecoveryMode mode, bool index_files_missing, int32_t index_interval_bytes,
                 SegmentRecovery* report);
  /// Walks headers from the last index entry to the end; false if they do not line up.
  Result<bool> WalkTail(int32_t index_interval_bytes, std::string* problem);
  /// Checks every batch, cuts at the first bad one, rebuilds both indexes.
  Status ValidateAndRebuild(int32_t index_interval_bytes, SegmentRecovery* report);

  FileSystem* const fs_;
  const std::string dir_;
  const int64_t base_offset_;
  std::unique_ptr<File> log_;
  OffsetIndex index_;
  TimeIndex time_index_;

  std::atomic<int64_t> next_offset_;
  std::atomic<int64_t> max_timestamp_{-1};
  std::atomic<uint64_t> readable_bytes_{0};

  // Writer-only state.
  int64_t created_ms_;
  int64_t first_batch_timestamp_ = -1;
  IndexCadence cadence_;
  bool broken_ = false;
};

}  // namespace eddy::log
