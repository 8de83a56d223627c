#pragma once
// Kafka's transaction coordinator for eddy's one-broker cluster: transactional ids,
// producer epochs and fencing, the partitions and group offsets of each transaction,
// and the two-phase end of a transaction (a durable decision, then a marker in every
// partition), so that librdkafka's transactional producer, Kafka Streams and Flink's
// KafkaSink get exactly-once output from eddy unchanged.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/base/status.h"
#include "src/kafka/txn/transaction_log.h"
#include "src/kafka/txn/transaction_metadata.h"
#include "src/kafka/txn/txn_requests.h"

namespace eddy::log {
class Log;
}

namespace eddy::kafka {

class GroupCoordinator;

/// Settings; names follow Kafka's broker configs.
struct TransactionCoordinatorOptions {
  /// The data directory; the state lives in DIR/transactions/state.log.
  std::string data_dir = "./data";
  FileSystem* fs = FileSystem::Default();
  Clock* clock = SystemClock::Default();
  /// Where markers are written and producer ids come from. Required.
  log::Log* log = nullptr;
  /// Where the offsets of committed transactions go. Required.
  GroupCoordinator* groups = nullptr;
  /// transaction.max.timeout.ms: a producer asking for a longer transaction.timeout.ms
  /// gets INVALID_TRANSACTION_TIMEOUT.
  int32_t max_timeout_ms = 900'000;
  /// transactional.id.expiration.ms: an id without a transaction in progress and not
  /// used for this long is forgotten.
  int64_t id_expiration_ms = 7LL * 24 * 3600 * 1000;
  /// How soon the end of a transaction whose markers could not be written is tried again.
  int64_t retry_backoff_ms = 1000;
  /// The state file is compacted once it is over this size and over twice its live part.
  uint64_t compact_min_bytes = 1024 * 1024;
  /// Threads that end transactions (write markers, wait for them to be durable).
  int completion_threads = 2;
};

/// Every transactional id of the broker and its transaction.
///
/// A transactional id keeps one producer id; each InitProducerId bumps the epoch, which
/// fences every older producer of the id (their requests get INVALID_PRODUCER_EPOCH, or
/// PRODUCER_FENCED for InitProducerId v4) and aborts the transaction it left open. Ending
/// a transaction is two-phase, as in Kafka: the decision (PrepareCommit / PrepareAbort,
/// with the partitions and offsets) is made durable first; then a marker goes to every
/// partition of the transaction, transactional produces to it having drained; once every
/// marker is durable the group offsets are committed (commit only) and the state becomes
/// CompleteCommit / CompleteAbort. EndTxn is answered then, so a read_committed consumer
/// sees the transaction as soon as its producer returns from commit.
///
/// Transactions left Ongoing past their timeout are aborted with the epoch bumped (their
/// producer is fenced), by Poll(). After a restart, Open() finishes every decided
/// transaction and aborts every undecided one before it returns, then aborts any
/// transaction a partition holds open that no transaction here accounts for: none is
/// left hanging.
///
/// Thread-safe. One mutex guards the states; no callback runs under it. State changes are
/// appended to the state file in the order they are made; the calling thread waits for
/// the fsync (shared with concurrent callers), so the synchronous calls may block for
/// one fsync. Ends of transactions run on completion threads and call back from there.
class TransactionCoordinator {
 public:
  /// Keeps a transactional produce counted while its batch is appended, so that the
  /// transaction's markers are written only after it. Movable; releases on destruction.
  class ProduceGuard {
   public:
    ProduceGuard() = default;
    ProduceGuard(ProduceGuard&& other) noexcept { *this = std::move(other); }
    ProduceGuard& operator=(ProduceGuard&& other) noexcept;
    ~ProduceGuard() { Release(); }
    void Release();

   private:
    friend class TransactionCoordinator;
    TransactionCoordinator* coordinator_ = nullptr;
    std::string transactional_id_;
  };

  /// Replays the state file, ends every transaction the last run left in a Prepare state,
  /// aborts the Ongoing ones, and aborts open transactions of the log no state accounts
  /// for; returns once all of that is durable.
  static Result<std::unique_ptr<TransactionCoordinator>> Open(
      const TransactionCoordinatorOptions& options);
  /// Close()s first.
  ~TransactionCoordinator();
  TransactionCoordinator(const TransactionCoordinator&) = delete;
  TransactionCoordinator& operator=(const TransactionCoordinator&) = delete;

  /// InitProducerId for a transactional id: a producer id and a bumped epoch. An Ongoing
  /// transaction of the id is aborted first (the answer waits for that).
  void InitProducerId(InitProducerIdParams params, InitProducerIdCallback done);
  /// AddPartitionsToTxn; starts a transaction if none is Ongoing. All or nothing: when a
  /// partition does not exist it gets UNKNOWN_TOPIC_OR_PARTITION and the others
  /// OPERATION_NOT_ATTEMPTED.
  AddPartitionsResult AddPartitions(const AddPartitionsParams& params);
  /// AddOffsetsToTxn: the transaction will carry offsets of "group_id".
  ErrorCode AddOffsets(const AddOffsetsParams& params);
  /// TxnOffsetCommit: offsets that the group gets when the transaction commits, and never
  /// if it aborts.
  OffsetCommitResult TxnOffsetCommit(const TxnOffsetCommitParams& params);
  /// EndTxn: "done" is called once the transaction is complete (or at once with an error).
  void EndTxn(EndTxnParams params, EndTxnCallback done);

  /// Checks that the producer may append a transactional batch to "partition": its id
  /// and epoch are current (INVALID_PRODUCER_ID_MAPPING, INVALID_PRODUCER_EPOCH) and the
  /// partition was added to its Ongoing transaction (INVALID_TXN_STATE). On success
  /// "*guard" holds the produce until the append is done.
  ErrorCode BeginProduce(const TxnProducer& producer, const TxnPartition& partition,
                         ProduceGuard* guard);

  /// Aborts transactions past their timeout, retries ends of transactions that failed,
  /// forgets expired ids, and compacts the state file when due. The broker calls it
  /// about every 100 ms.
  void Poll();

  /// Refuses new requests (COORDINATOR_NOT_AVAILABLE), lets the ends of transactions in
  /// progress finish, and stops the completion threads. Idempotent.
  void Close();

  /// The state of a transactional id (for tools and tests).
  std::optional<TransactionMetadata> Describe(const std::string& transactional_id) const;
  /// Waits until no end of a transaction is queued or running (for tests).
  void WaitIdle();
  const TransactionLog& state_log() const { return *state_log_; }

 private:
  /// How far the end of a transaction got.
  enum class EndOutcome {
    kCompleted,  // markers durable, offsets committed, state Complete*
    kDecided,    // the decision is durable; the rest is retried by Poll
    kUndecided,  // the decision could not be made durable (the state file failed)
  };

  struct Txn {
    TransactionMetadata meta;
    /// Monotonic ms when the Ongoing transaction began, for its timeout.
    int64_t start_mono_ms = 0;
    /// Transactional appends in progress (ProduceGuards held).
    int produces_in_flight = 0;
    /// A completion task is queued or running.
    bool completing = false;
    /// The state-file write of the decision (Prepare*) made in this run; markers are
    /// written only once it is durable. nullopt when it was read back at Open.
    std::optional<TransactionLog::Ticket> decision;
    /// Monotonic ms at which Poll retries a failed completion; -1 for none.
    int64_t retry_at_mono_ms = -1;
    /// Called when the completion task is done with the transaction, with how far it got.
    std::vector<std::function<void(EndOutcome)>> on_complete;
  };

  explicit TransactionCoordinator(const TransactionCoordinatorOptions& options);

  int64_t NowMs() const { return clock_->NowMs(); }
  int64_t MonoMs() const { return clock_->MonotonicMs(); }
  Txn* Find(const std::string& transactional_id);
  /// NONE if "producer" is the current producer of its id.
  ErrorCode CheckProducerLocked(const Txn* txn, const TxnProducer& producer) const;
  /// Appends the txn's state to the state file (under mu_, so records keep the order of
  /// changes); the ticket to wait for, or nullopt if the file refused it.
  std::optional<TransactionLog::Ticket> PersistLocked(Txn& txn);
  /// Moves to the next epoch (or a new producer id when the epoch is used up and
  /// "allow_new_id"). Only a bump the producer asked for with its current epoch
  /// ("producer_initiated") remembers the old one, so that its retry is recognised; a
  /// bump that fences, or one for a new producer, leaves nothing a zombie could name.
  Status BumpEpochLocked(Txn& txn, bool allow_new_id, bool producer_initiated);
  /// Begins a transaction in the Ongoing state.
  void StartTransactionLocked(Txn& txn);
  /// Decides the Ongoing transaction: Prepare state (durable before any marker), then a
  /// completion task. "bump" fences the producer first (timeouts, a new producer).
  /// False, and the transaction stays Ongoing, if a commit could not be written down
  /// (an abort goes ahead regardless: a restart aborts it too).
  bool PrepareEndLocked(Txn& txn, bool commit, bool bump, const std::string& why);
  void ScheduleCompletionLocked(Txn& txn);
  /// The completion task: waits for the decision to be durable and the produces to
  /// drain, writes the markers, commits the offsets, completes the state.
  void Complete(const std::string& transactional_id);
  /// Appends a marker to every partition and waits until all are durable.
  Status WriteMarkers(const std::set<TxnPartition>& partitions, int64_t producer_id,
                      int16_t producer_epoch, bool commit);
  void EndProduce(const std::string& transactional_id);
  /// Open(): aborts transactions the log holds open for producer ids this coordinator
  /// handed out that no Ongoing transaction accounts for. Other producer ids belong to
  /// writers that end their own transactions (in-process ones of the engine).
  Status AbortHangingTransactions();
  void MaybeCompact();

  void Post(std::function<void()> task);
  void RunWorker();

  const TransactionCoordinatorOptions options_;
  Clock* const clock_;
  std::unique_ptr<TransactionLog> state_log_;

  mutable std::mutex mu_;
  std::condition_variable produces_drained_;
  std::map<std::string, Txn> txns_;                          // guarded by mu_
  std::unordered_map<int64_t, std::string> by_producer_id_;  // guarded by mu_
  bool closed_ = false;                                      // guarded by mu_
  uint64_t compact_at_bytes_ = 0;                            // guarded by mu_

  std::mutex tasks_mu_;
  std::condition_variable tasks_cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by tasks_mu_
  int tasks_running_ = 0;                    // guarded by tasks_mu_
  bool workers_stopping_ = false;            // guarded by tasks_mu_
  std::vector<std::thread> workers_;
};

}  // namespace eddy::kafka
