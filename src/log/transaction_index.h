#pragma once
// The aborted transactions of one partition (Kafka's .txnindex): for every ABORT marker
// that ended a transaction with batches in the partition, the producer, the offset of the
// transaction's first batch and the marker's offset. A read_committed read lists the
// entries that overlap the batches it returns, so the reader drops those batches.
//
// Entries live in the segment that holds their marker, in NNNN.txnindex (layout in
// log_format.h; a file exists only for segments that hold an abort), and all of them in
// memory. Retention deletes a segment's entries with the segment.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/status.h"
#include "src/log/log.h"

namespace eddy::log {

struct TxnIndexEntry {
  int64_t producer_id = 0;
  int64_t first_offset = 0;
  /// The ABORT marker's offset.
  int64_t last_offset = 0;
  /// The first undecided offset (or the log end) just after the marker: every
  /// transaction aborted later begins at or after it, which lets a search stop early.
  int64_t last_stable_offset = 0;
  bool operator==(const TxnIndexEntry&) const = default;
};

/// Thread safety: one writer (the partition under its append lock, or recovery) calls
/// Load, TruncateFrom, Clear, Append, Sync, SyncAll and RemoveSegment; Collect and size
/// run from any thread beside it. Invariant: within a segment entries increase strictly
/// in last_offset, and every entry's marker lies inside its segment. Durability: Append
/// only writes; Sync/SyncAll make the files durable (the partition does so before it
/// writes a producer snapshot, so that recovery, which rebuilds the entries after the
/// newest snapshot from the log, never misses one).
class TransactionIndex {
 public:
  TransactionIndex(FileSystem* fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  /// Recovery: loads the .txnindex of each segment in "segments" ({base offset, next
  /// offset}, oldest first) and removes those of segments not listed. A torn last entry
  /// (a write cut short) is cut off; entries of the last segment past its end are kept
  /// for TruncateFrom to drop. A damaged file (bad version, entries that do not increase
  /// or lie outside their segment) sets "*problem" and leaves the index empty: the caller
  /// rebuilds it from the log (Clear, then Append).
  Status Load(const std::vector<std::pair<int64_t, int64_t>>& segments, std::string* problem);

  /// Drops the entries whose marker is at or past "offset", in memory and in the files.
  Status TruncateFrom(int64_t offset);
  /// Drops every entry and removes the files.
  Status Clear();

  /// Adds an entry to the segment that starts at "segment_base", creating its file.
  /// Entries must come in marker order.
  Status Append(int64_t segment_base, const TxnIndexEntry& entry);
  /// Syncs the files written since their last sync.
  Status SyncAll();
  /// The segment was deleted: forget its entries and remove its file.
  void RemoveSegment(int64_t segment_base);

  /// The aborted transactions that overlap [from, to): marker at or after "from" and
  /// first batch before "to", in marker order.
  std::vector<AbortedTransaction> Collect(int64_t from, int64_t to) const;
  /// Entries held, over all segments.
  size_t size() const;

 private:
  struct SegmentEntries {
    std::unique_ptr<File> file;
    std::vector<TxnIndexEntry> entries;
    bool dirty = false;
  };

  std::string PathOf(int64_t segment_base) const;

  FileSystem* const fs_;
  const std::string dir_;
  mutable std::mutex mu_;
  std::map<int64_t, SegmentEntries> segments_;  // by segment base; guarded by mu_
};

/// The 34 bytes of an entry (log_format.h).
void EncodeTxnIndexEntry(const TxnIndexEntry& entry, uint8_t* out);
TxnIndexEntry DecodeTxnIndexEntry(const uint8_t* in);

}  // namespace eddy::log
