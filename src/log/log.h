#pragma once
// The embedded durable log: topics of partitions of segments on disk, holding Kafka
// record batches (magic v2) exactly as received. Knows nothing of Kafka requests;
// the Kafka front end (src/kafka) and the engine (in-process) both use this API.
//
// Layout of a data directory (docs/log_format.md):
//   DIR/.lock                         held by the process that opened the log
//   DIR/topics/NAME/topic.conf        the topic's configuration (key=value lines)
//   DIR/topics/NAME/P/NNNN.log        segments of partition P, named by base offset
//   DIR/topics/NAME/P/NNNN.index      sparse offset index of that segment
//   DIR/topics/NAME/P/NNNN.timeindex  sparse time index of that segment
//   DIR/topics/NAME/P/NNNN.txnindex   aborted transactions whose marker is in that segment
//   DIR/producer-ids                  the next producer id to hand out

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/base/status.h"
#include "src/base/strong_id.h"
#include "src/log/log_error.h"

namespace eddy::log {

enum class FsyncPolicy {
  kAlways,    // fsync before acknowledging; one fsync covers every waiting producer
  kInterval,  // fsync every interval_ms; acknowledged once written to the OS
  kNever,     // leave it to the OS
};

struct Durability {
  FsyncPolicy policy = FsyncPolicy::kAlways;
  int64_t interval_ms = 1000;  // for kInterval
};
/// Parses "always", "never" or "interval:MS".
Result<Durability> ParseDurability(std::string_view text);
std::string DurabilityToString(const Durability& d);

/// Per-topic settings. Names follow Kafka's topic configs where one exists.
struct TopicConfig {
  int32_t partitions = 1;
  int64_t segment_bytes = 1LL << 30;                      // segment.bytes
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;            // segment.ms
  int64_t retention_bytes = -1;                           // retention.bytes, per partition; -1 = none
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;          // retention.ms; -1 = forever
  int32_t max_message_bytes = 1024 * 1024 + 12;           // max.message.bytes (one batch)
  int32_t index_interval_bytes = 4096;                    // index.interval.bytes
  /// Applies one Kafka-named setting ("retention.ms", ...) from text.
  Status Set(std::string_view key, std::string_view value);
  /// Every setting as Kafka-named key/value text pairs (partitions excluded).
  std::vector<std::pair<std::string, std::string>> ToPairs() const;
  /// Checks every field's range (what Set checks for one); kInvalidConfig if one is off.
  Status Validate() const;
};

struct LogOptions {
  std::string data_dir = "./data";
  FileSystem* fs = FileSystem::Default();
  Clock* clock = SystemClock::Default();
  Durability durability;
  /// Used for topics created without explicit settings (also auto-created ones).
  TopicConfig default_topic_config;
  /// How often retention and time-based segment rolling are checked.
  int64_t retention_check_interval_ms = 30'000;
};

struct TopicInfo {
  std::string name;
  TopicConfig config;
};

/// Where an append landed.
struct AppendResult {
  Offset base_offset;
  Offset last_offset;
  /// Broker time of the append (the batch timestamp when the topic uses LogAppendTime).
  int64_t append_time_ms = 0;
  /// The batch repeated one an idempotent producer already wrote (a retry): nothing was
  /// appended, and the offsets are those of the original.
  bool duplicate = false;
  /// Log start offset after the append.
  Offset log_start_offset;
};

/// Which records a read may return (Kafka's isolation.level).
enum class Isolation {
  /// Everything below the high watermark, open and aborted transactions included.
  kReadUncommitted,
  /// Only below the last stable offset (no batch of a transaction still open), with the
  /// aborted transactions the returned batches hold listed, so the reader drops them.
  kReadCommitted,
};

struct ReadOptions {
  /// Stop before a batch that would take the result past this many bytes ...
  size_t max_bytes = 1024 * 1024;
  /// ... but return the first batch even if it alone is larger (so a consumer always
  /// makes progress; Kafka's KIP-74 rule).
  bool min_one_batch = true;
  Isolation isolation = Isolation::kReadUncommitted;
};

/// A transaction a producer aborted, as one partition saw it: the offset of its first
/// batch there and the offset of its ABORT marker. Every batch of that producer in
/// [first_offset, last_offset) belongs to it and must not be shown to read_committed
/// readers.
struct AbortedTransaction {
  ProducerId producer_id;
  Offset first_offset;
  Offset last_offset;
  bool operator==(const AbortedTransaction&) const = default;
};

/// What a transaction marker says (the control record type Kafka writes: 0 abort, 1 commit).
enum class TransactionResult : int16_t {
  kAbort = 0,
  kCommit = 1,
};

/// A transaction with batches in a partition and no marker yet.
struct OpenTransaction {
  ProducerId producer_id;
  ProducerEpoch epoch;
  /// Offset of its first batch in the partition.
  Offset first_offset;
  bool operator==(const OpenTransaction&) const = default;
};

/// Whole batches read from a partition.
struct ReadResult {
  /// Concatenated record batches, each whole, exactly as stored (base offsets set).
  std::vector<uint8_t> bytes;
  /// Offset just after the last batch returned (where the next read continues).
  Offset next_offset;
  Offset high_watermark;
  Offset log_start_offset;
  /// The partition's last stable offset when the read began.
  Offset last_stable_offset;
  /// Under Isolation::kReadCommitted: the aborted transactions whose range overlaps the
  /// batches returned, in the order of their markers. Empty otherwise.
  std::vector<AbortedTransaction> aborted_transactions;
};

using WatchId = uint64_t;

/// A record found by timestamp: its offset and its own timestamp.
struct TimestampOffset {
  Offset offset;
  int64_t timestamp = -1;
};

/// One partition of a topic. Thread-safe: appends are serialised inside; reads run
/// concurrently with appends and with each other. Obtained from Log and kept alive by
/// the shared_ptr even if its topic is deleted meanwhile (then appends fail).
class Partition {
 public:
  virtual ~Partition() = default;

  virtual const std::string& topic() const = 0;
  virtual PartitionId id() const = 0;

  /// Validates one record batch (magic 2, length, CRC-32C, size limit), sets its base
  /// offset in place, checks idempotent-producer sequence numbers, and appends it.
  /// The append is visible to readers and durable per the Durability policy only
  /// later: see WhenDurable. Errors carry a LogError detail. A transactional batch opens
  /// (or continues) its producer's transaction in this partition, which holds the last
  /// stable offset back until AppendTransactionMarker ends it. Control batches are
  /// refused (kInvalidRecord): only AppendTransactionMarker writes them.
  virtual Result<AppendResult> Append(std::span<uint8_t> batch) = 0;

  /// Ends the producer's transaction in this partition: appends a control batch (one
  /// control record, key = version 0 + "result", value = version 0 +
  /// "coordinator_epoch", Kafka's layout) with the producer's id and epoch. An ABORT
  /// marker after batches of the transaction records the aborted range (durably, in the
  /// segment's .txnindex) for read_committed readers. A marker with no open transaction
  /// is still written (a coordinator may end a transaction that never wrote here). An
  /// epoch older than the producer's is kInvalidProducerEpoch. Durable like any append:
  /// see WhenDurable.
  virtual Result<AppendResult> AppendTransactionMarker(ProducerId producer, ProducerEpoch epoch,
                                                       TransactionResult result,
                                                       int32_t coordinator_epoch) = 0;

  /// Calls "done" once every offset up to and including "last_offset" is durable under
  /// the log's policy (at once for kInterval/kNever; after the group fsync for kAlways),
  /// or with an error if the fsync failed. Called from the log's flush thread or inline.
  virtual void WhenDurable(Offset last_offset, std::function<void(Status)> done) = 0;

  /// Reads whole batches starting with the one that holds "from", never past the high
  /// watermark (under Isolation::kReadCommitted, never past the last stable offset).
  /// "from" at or past that end returns no bytes; outside
  /// [log_start_offset, high_watermark] is an error with kOffsetOutOfRange.
  virtual Result<ReadResult> Read(Offset from, const ReadOptions& options) const = 0;

  /// The first offset still stored.
  virtual Offset log_start_offset() const = 0;
  /// The offset after the last record readers may see. Under kAlways it is the end of
  /// the durable data, so nothing a reader saw can be lost in a crash.
  virtual Offset high_watermark() const = 0;
  /// The offset the next append will get.
  virtual Offset log_end_offset() const = 0;
  /// The offset below which every transaction is decided: the first offset of the
  /// earliest transaction that is open (or whose marker is not yet below the high
  /// watermark), else the high watermark. What read_committed readers may see.
  virtual Offset last_stable_offset() const = 0;
  /// The transactions open in this partition, by first offset.
  virtual std::vector<OpenTransaction> OpenTransactions() const = 0;
  /// The sequence number of the last record an idempotent producer appended here, or
  /// nullopt if the partition holds no batch of that producer (never wrote, or retention
  /// removed them). Lets a writer that replays batches after a crash skip those that
  /// already landed.
  virtual std::optional<int32_t> LastSequence(ProducerId producer) const = 0;
  /// Bytes stored in all segments.
  virtual int64_t size_bytes() const = 0;

  /// The earliest record whose timestamp is >= timestamp_ms (Kafka ListOffsets
  /// semantics), with that timestamp, or nullopt if there is none.
  virtual Result<std::optional<TimestampOffset>> OffsetForTimestamp(int64_t timestamp_ms) const = 0;

  /// Calls "wake" once, from whichever thread advances it, when the high watermark
  /// moves past "offset" (at once, inline, if it already has), or when the partition
  /// is closed. Unwatch cancels a watch that has not fired; a fired one is gone.
  virtual WatchId Watch(Offset offset, std::function<void()> wake) = 0;
  virtual void Unwatch(WatchId id) = 0;
};

/// The whole log of one data directory. Thread-safe.
class Log {
 public:
  virtual ~Log() = default;

  /// Locks the data directory (a second process gets FailedPrecondition naming the
  /// holder), creates it if missing, and recovers every partition: validates the
  /// batches at the tail, truncates a torn or corrupt tail, rebuilds missing or damaged
  /// indexes, rebuilds idempotent-producer state, and logs what it found.
  static Result<std::unique_ptr<Log>> Open(const LogOptions& options);

  virtual Result<TopicInfo> CreateTopic(const std::string& name, const TopicConfig& config) = 0;
  virtual Status DeleteTopic(const std::string& name) = 0;
  virtual std::vector<TopicInfo> ListTopics() const = 0;
  virtual Result<TopicInfo> DescribeTopic(const std::string& name) const = 0;
  /// Changes settings of an existing topic (not the partition count).
  virtual Status AlterTopic(const std::string& name, const TopicConfig& config) = 0;

  /// A partition of an existing topic; kUnknownTopicOrPartition if there is none.
  virtual Result<std::shared_ptr<Partition>> GetPartition(const std::string& topic,
                                                          PartitionId partition) const = 0;

  /// A producer id no other producer of this data directory ever had (durable).
  virtual Result<ProducerId> AllocateProducerId() = 0;

  virtual const LogOptions& options() const = 0;

  /// Runs the retention and time-based roll pass over every partition now (the
  /// background thread runs it every retention_check_interval_ms): deletes the oldest
  /// segments past retention.bytes or retention.ms and rolls segments older than
  /// segment.ms. Returns the first error met; the pass still visits every partition.
  virtual Status EnforceRetention() = 0;

  /// Flushes everything, stops background work, marks a clean shutdown. Also run by the
  /// destructor; further calls fail with kShuttingDown.
  virtual Status Close() = 0;
};

/// Reads like Partition::Read, but when "from" is the high watermark (nothing to read
/// yet) waits up to max_wait_ms for an append to move it, then reads again: the
/// in-process reader's long poll. Returns early, empty, if the partition is closed.
Result<ReadResult> ReadWait(Partition& partition, Offset from, const ReadOptions& options,
                            int64_t max_wait_ms);

/// Topic names: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".
Status ValidateTopicName(std::string_view name);

}  // namespace eddy::log
