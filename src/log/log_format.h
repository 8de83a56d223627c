#pragma once
// The byte layouts and file names of the log's own files, defined once for every
// reader and writer (the record batches inside NNNN.log are defined in
// record_batch_format.h). docs/log_format.md describes them in prose.
//
// A partition directory holds segments named by their base offset in 20 decimal digits:
//   00000000000000000000.log        record batches, exactly as appended
//   00000000000000000000.index      sparse offset index (below)
//   00000000000000000000.timeindex  sparse time index (below)
//   00000000000000001234.snapshot   idempotent-producer state as of offset 1234
//   00000000000000000000.txnindex   aborted transactions whose ABORT marker is in the
//                                   segment (only segments that hold one have the file)
//
// Offset index entry (big-endian, 8 bytes): one per index.interval.bytes of log.
//   0  4  relative_offset  base offset of a batch minus the segment's base offset
//   4  4  position         byte position of that batch in the .log file
// Entries increase strictly in both fields.
//
// Time index entry (big-endian, 12 bytes): written beside an offset index entry when
// the segment's largest timestamp grew since the last time entry, and once more when
// the segment is rolled or closed.
//   0  8  timestamp        largest batch max_timestamp in the segment up to this batch
//   8  4  relative_offset  last offset of this batch minus the segment's base offset
// Every record at or below that offset has a timestamp <= timestamp. Entries increase
// strictly in both fields.
//
// Producer state snapshot (big-endian):
//   0  4  magic            "EPS2" ("EPS1": written before transactions, no txn_first_offset)
//   4  4  producer_count
//   per producer:
//      8  producer_id
//      2  producer_epoch
//      8  last_offset      of the producer's latest batch (a control batch too)
//      8  txn_first_offset first offset of its open transaction, -1 if none (EPS2 only)
//      1  batch_count      0-5, oldest first
//      per batch: 4 first_sequence, 4 last_sequence, 8 first_offset, 4 last_offset_delta
//   4  crc32c              of every byte before it
//
// Transaction index entry (big-endian, 34 bytes; Kafka's .txnindex layout): one per
// ABORT marker that ended a transaction with batches in the partition, in marker order.
//   0   2  version            0
//   2   8  producer_id
//   10  8  first_offset       the transaction's first batch in this partition
//   18  8  last_offset        the ABORT marker's offset (inside this segment)
//   26  8  last_stable_offset the partition's first undecided offset (or log end) right
//                             after the marker: every transaction aborted later begins
//                             at or after it, so a search can stop there
// Entries increase strictly in last_offset; first_offset <= last_offset.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eddy::log {

inline constexpr std::string_view kLogFileSuffix = ".log";
inline constexpr std::string_view kIndexFileSuffix = ".index";
inline constexpr std::string_view kTimeIndexFileSuffix = ".timeindex";
inline constexpr std::string_view kSnapshotFileSuffix = ".snapshot";
inline constexpr std::string_view kTxnIndexFileSuffix = ".txnindex";
inline constexpr size_t kSegmentNameDigits = 20;

inline constexpr size_t kOffsetIndexEntrySize = 8;
inline constexpr size_t kTimeIndexEntrySize = 12;

inline constexpr uint32_t kProducerSnapshotMagic = 0x45505332;    // "EPS2"
inline constexpr uint32_t kProducerSnapshotMagicV1 = 0x45505331;  // "EPS1"
inline constexpr size_t kTxnIndexEntrySize = 34;
inline constexpr int16_t kTxnIndexVersion = 0;
/// Batches remembered per producer id to recognise a retried one (Kafka keeps 5).
inline constexpr size_t kProducerBatchesKept = 5;

// Files of the data directory.
inline constexpr std::string_view kLockFileName = ".lock";
inline constexpr std::string_view kCleanShutdownFileName = ".clean-shutdown";
inline constexpr std::string_view kProducerIdsFileName = "producer-ids";
inline constexpr std::string_view kTopicsDirName = "topics";
inline constexpr std::string_view kDeletedDirName = "deleted";
inline constexpr std::string_view kTopicConfFileName = "topic.conf";

/// "00000000000000001234.log" for (1234, ".log").
std::string SegmentFileName(int64_t base_offset, std::string_view suffix);

/// The base offset of a file named like SegmentFileName(_, suffix); nullopt otherwise.
std::optional<int64_t> ParseSegmentFileName(std::string_view name, std::string_view suffix);

}  // namespace eddy::log
