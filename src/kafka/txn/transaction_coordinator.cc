#include "src/kafka/txn/transaction_coordinator.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <limits>

#include "src/kafka/group/group_coordinator.h"
#include "src/log/log.h"

namespace eddy::kafka {
namespace {

// eddy is a single broker that never hands coordination to another: its coordinator
// epoch, which markers carry, stays 0.
constexpr int32_t kCoordinatorEpoch = 0;
// How long a completion waits for a marker to become durable before it gives up and
// tries again later (a healthy disk syncs in milliseconds).
constexpr auto kMarkerDurableTimeout = std::chrono::seconds(60);
constexpr int16_t kMaxEpoch = std::numeric_limits<int16_t>::max() - 1;
constexpr int16_t kNoEpoch = -1;

bool IsPrepare(TxnState state) {
  return state == TxnState::kPrepareCommit || state == TxnState::kPrepareAbort;
}

std::string Who(const TransactionMetadata& m) {
  return "transactional id '" + m.transactional_id + "' (producer id " +
         std::to_string(m.producer_id) + " epoch " + std::to_string(m.producer_epoch) + ")";
}

}  // namespace

// ---------------------------------------------------------------------------------------
// ProduceGuard

TransactionCoordinator::ProduceGuard& TransactionCoordinator::ProduceGuard::operator=(
    ProduceGuard&& other) noexcept {
  if (this != &other) {
    Release();
    coordinator_ = std::exchange(other.coordinator_, nullptr);
    transactional_id_ = std::move(other.transactional_id_);
  }
  return *this;
}

void TransactionCoordinator::ProduceGuard::Release() {
  if (coordinator_ == nullptr) return;
  std::exchange(coordinator_, nullptr)->EndProduce(transactional_id_);
}

// ---------------------------------------------------------------------------------------
// Opening and closing

TransactionCoordinator::TransactionCoordinator(const TransactionCoordinatorOptions& options)
    : options_(options), clock_(options.clock) {}

Result<std::unique_ptr<TransactionCoordinator>> TransactionCoordinator::Open(
    const TransactionCoordinatorOptions& options) {
  if (options.log == nullptr || options.groups == nullptr || options.fs == nullptr ||
      options.clock == nullptr) {
    return Status::InvalidArgument(
        "the transaction coordinator needs a log, a group coordinator, a file system and a "
        "clock");
  }
  std::unique_ptr<TransactionCoordinator> tc(new TransactionCoordinator(options));
  std::map<std::string, TransactionMetadata> states;
  ASSIGN_OR_RETURN(tc->state_log_, TransactionLog::Open(options.data_dir, options.fs, &states));
  for (int i = 0; i < std::max(1, options.completion_threads); ++i) {
    tc->workers_.emplace_back([raw = tc.get()] { raw->RunWorker(); });
  }
  size_t finished = 0;
  size_t aborted = 0;
  {
    std::lock_guard lock(tc->mu_);
    tc->compact_at_bytes_ = std::max(options.compact_min_bytes, 2 * tc->state_log_->file_bytes());
    for (auto& [id, meta] : states) {
      Txn& txn = tc->txns_[id];
      txn.meta = std::move(meta);
      tc->by_producer_id_[txn.meta.producer_id] = id;
    }
    for (auto& [id, txn] : tc->txns_) {
      if (txn.meta.state == TxnState::kOngoing) {
        // Its producer lost the broker mid-transaction: nothing says it will come back.
        tc->PrepareEndLocked(txn, /*commit=*/false, /*bump=*/true, "it was open when eddy stopped");
        ++aborted;
      } else if (IsPrepare(txn.meta.state)) {
        spdlog::info("{}: finishing its {} from before the restart", Who(txn.meta),
                     TxnStateName(txn.meta.state));
        tc->ScheduleCompletionLocked(txn);
        ++finished;
      }
    }
  }
  tc->WaitIdle();
  {
    std::lock_guard lock(tc->mu_);
    for (const auto& [id, txn] : tc->txns_) {
      if (IsPrepare(txn.meta.state)) {
        // The markers could not be written (a broken partition): Poll keeps trying, and
        // the state file keeps the decision until then.
        spdlog::warn("{}: still {} after recovery; retrying in the background", Who(txn.meta),
                     TxnStateName(txn.meta.state));
      }
    }
  }
  RETURN_IF_ERROR(tc->AbortHangingTransactions());
  spdlog::info(
      "transaction coordinator: {} transactional id(s); finished {} and aborted {} "
      "transaction(s) left by the last run",
      tc->txns_.size(), finished, aborted);
  return tc;
}

TransactionCoordinator::~TransactionCoordinator() { Close(); }

void TransactionCoordinator::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  // Ends already decided are finished (the log is still open): a restart would redo
  // them otherwise.
  {
    std::lock_guard lock(tasks_mu_);
    workers_stopping_ = true;
  }
  tasks_cv_.notify_all();
  for (auto& worker : workers_) worker.join();
  workers_.clear();
}

void TransactionCoordinator::Post(std::function<void()> task) {
  {
    std::lock_guard lock(tasks_mu_);
    tasks_.push_back(std::move(task));
  }
  tasks_cv_.notify_one();
}

void TransactionCoordinator::RunWorker() {
  std::unique_lock lock(tasks_mu_);
  while (true) {
    tasks_cv_.wait(lock, [this] { return workers_stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, and nothing left to finish
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    ++tasks_running_;
    lock.unlock();
    task();
    lock.lock();
    --tasks_running_;
    tasks_cv_.notify_all();
  }
}

void TransactionCoordinator::WaitIdle() {
  std::unique_lock lock(tasks_mu_);
  tasks_cv_.wait(lock, [this] { return tasks_.empty() && tasks_running_ == 0; });
}

Status TransactionCoordinator::AbortHangingTransactions() {
  // A transaction is open in a partition when the partition holds its batches and no
  // marker yet. Each is accounted for by an Ongoing transaction here that lists the
  // partition; any other would hold the partition's last stable offset back forever.
  std::map<TxnPartition, std::vector<log::OpenTransaction>> hanging;
  for (const log::TopicInfo& topic : options_.log->ListTopics()) {
    for (int32_t p = 0; p < topic.config.partitions; ++p) {
      Result<std::shared_ptr<log::Partition>> partition =
          options_.log->GetPartition(topic.name, PartitionId(p));
      if (!partition.ok()) continue;
      for (const log::OpenTransaction& open : (*partition)->OpenTransactions()) {
        TxnPartition where{topic.name, p};
        std::lock_guard lock(mu_);
        const int64_t id = open.producer_id.value();
        const Txn* owner = nullptr;
        for (const auto& [tid, txn] : txns_) {
          if (txn.meta.producer_id == id || txn.meta.last_producer_id == id) owner = &txn;
        }
        if (owner == nullptr) continue;  // not a producer id of this coordinator
        if ((owner->meta.state == TxnState::kOngoing || IsPrepare(owner->meta.state)) &&
            owner->meta.producer_id == id && owner->meta.partitions.contains(where)) {
          continue;
        }
        hanging[where].push_back(open);
      }
    }
  }
  for (const auto& [where, opens] : hanging) {
    ASSIGN_OR_RETURN(std::shared_ptr<log::Partition> partition,
                     options_.log->GetPartition(where.topic, PartitionId(where.partition)));
    for (const log::OpenTransaction& open : opens) {
      spdlog::warn(
          "topic {} partition {}: aborting the transaction of producer id {} epoch {} open "
          "since offset {}: no transaction of the coordinator accounts for it",
          where.topic, where.partition, open.producer_id.value(), open.epoch.value(),
          open.first_offset.value());
      ASSIGN_OR_RETURN(
          log::AppendResult marker,
          partition->AppendTransactionMarker(open.producer_id, open.epoch,
                                             log::TransactionResult::kAbort, kCoordinatorEpoch));
      std::promise<Status> durable;
      std::future<Status> result = durable.get_future();
      partition->WhenDurable(marker.last_offset, [&durable](Status s) { durable.set_value(s); });
      RETURN_IF_ERROR(result.get());
    }
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// State helpers (under mu_)

TransactionCoordinator::Txn* TransactionCoordinator::Find(const std::string& transactional_id) {
  auto it = txns_.find(transactional_id);
  return it == txns_.end() ? nullptr : &it->second;
}

ErrorCode TransactionCoordinator::CheckProducerLocked(const Txn* txn,
                                                      const TxnProducer& producer) const {
  if (closed_) return ErrorCode::kCoordinatorNotAvailable;
  if (txn == nullptr || txn->meta.producer_id != producer.producer_id) {
    return ErrorCode::kInvalidProducerIdMapping;
  }
  // The API versions eddy serves predate PRODUCER_FENCED: this is how they say it.
  if (txn->meta.producer_epoch != producer.producer_epoch) return ErrorCode::kInvalidProducerEpoch;
  return ErrorCode::kNone;
}

std::optional<TransactionLog::Ticket> TransactionCoordinator::PersistLocked(Txn& txn) {
  txn.meta.update_ms = NowMs();
  Result<TransactionLog::Ticket> ticket =
      state_log_->Append(TxnRecord{TxnRecordType::kState, txn.meta});
  if (!ticket.ok()) {
    spdlog::error("{}: state not written: {}", Who(txn.meta), ticket.status().ToString());
    return std::nullopt;
  }
  return *ticket;
}

Status TransactionCoordinator::BumpEpochLocked(Txn& txn, bool allow_new_id,
                                               bool producer_initiated) {
  TransactionMetadata& m = txn.meta;
  const int64_t old_id = m.producer_id;
  const int16_t old_epoch = m.producer_epoch;
  if (m.producer_epoch < kMaxEpoch) {
    m.producer_epoch = static_cast<int16_t>(m.producer_epoch + 1);
  } else if (allow_new_id) {
    // The epoch is used up: the id gets a fresh producer id, as Kafka does.
    ASSIGN_OR_RETURN(ProducerId id, options_.log->AllocateProducerId());
    by_producer_id_.erase(m.producer_id);
    m.producer_id = id.value();
    m.producer_epoch = 0;
    by_producer_id_[m.producer_id] = m.transactional_id;
  }
  // The old id is kept when it changed (its batches may still sit in partitions).
  m.last_producer_id = producer_initiated || m.producer_id != old_id ? old_id : -1;
  m.last_producer_epoch = producer_initiated ? old_epoch : kNoEpoch;
  return Status::OK();
}

void TransactionCoordinator::StartTransactionLocked(Txn& txn) {
  txn.meta.state = TxnState::kOngoing;
  txn.meta.start_ms = NowMs();
  txn.start_mono_ms = MonoMs();
  txn.meta.partitions.clear();
  txn.meta.groups.clear();
  txn.meta.offsets.clear();
}

bool TransactionCoordinator::PrepareEndLocked(Txn& txn, bool commit, bool bump,
                                              const std::string& why) {
  if (bump) {
    // Fencing: the markers carry the new epoch, so the partitions refuse the old one too.
    // Never a new producer id here: the markers must name the producer of the data.
    (void)BumpEpochLocked(txn, /*allow_new_id=*/false, /*producer_initiated=*/false);
  }
  txn.meta.state = commit ? TxnState::kPrepareCommit : TxnState::kPrepareAbort;
  txn.decision = PersistLocked(txn);
  if (!txn.decision && commit) {
    // Without a durable decision a restart would abort what the markers committed.
    txn.meta.state = TxnState::kOngoing;
    return false;
  }
  spdlog::info("{}: {} its transaction over {} partition(s){}", Who(txn.meta),
               commit ? "committing" : "aborting", txn.meta.partitions.size(),
               why.empty() ? "" : ": " + why);
  ScheduleCompletionLocked(txn);
  return true;
}

void TransactionCoordinator::ScheduleCompletionLocked(Txn& txn) {
  if (txn.completing) return;
  txn.completing = true;
  txn.retry_at_mono_ms = -1;
  Post([this, id = txn.meta.transactional_id] { Complete(id); });
}

// ---------------------------------------------------------------------------------------
// Ending a transaction (completion threads)

void TransactionCoordinator::Complete(const std::string& transactional_id) {
  std::optional<TransactionLog::Ticket> decision;
  {
    std::lock_guard lock(mu_);
    if (Txn* txn = Find(transactional_id)) decision = txn->decision;
  }
  // A decision that never became durable (the state file failed) stays undone: the file
  // refuses every wait from then on, and a restart aborts the transaction.
  Status status = decision ? state_log_->WaitDurable(*decision) : Status::OK();
  const bool decided = status.ok();

  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  bool commit = false;
  std::set<TxnPartition> partitions;
  std::map<std::string, std::vector<OffsetCommitEntry>> offsets;
  {
    std::unique_lock lock(mu_);
    Txn* txn = Find(transactional_id);
    if (txn == nullptr || !IsPrepare(txn->meta.state)) return;
    // Batches being appended belong before the markers.
    produces_drained_.wait(lock, [&] { return txn->produces_in_flight == 0; });
    producer_id = txn->meta.producer_id;
    producer_epoch = txn->meta.producer_epoch;
    commit = txn->meta.state == TxnState::kPrepareCommit;
    partitions = txn->meta.partitions;
    if (commit) {
      for (const auto& [key, value] : txn->meta.offsets) {
        offsets[key.group].push_back(OffsetCommitEntry{key.topic, PartitionId(key.partition),
                                                       Offset(value.offset), value.leader_epoch,
                                                       value.metadata});
      }
    }
  }

  if (status.ok()) status = WriteMarkers(partitions, producer_id, producer_epoch, commit);
  for (const auto& [group, entries] : offsets) {
    if (!status.ok()) break;
    status = options_.groups->CommitTransactionalOffsets(group, entries)
                 .WithContext("committing the offsets of group " + group);
  }

  std::vector<std::function<void(EndOutcome)>> waiters;
  std::optional<TransactionLog::Ticket> completed;
  {
    std::lock_guard lock(mu_);
    Txn* txn = Find(transactional_id);
    if (txn == nullptr) return;
    txn->completing = false;
    if (!status.ok()) {
      // The decision is durable and stands; Poll tries the rest again.
      txn->retry_at_mono_ms = MonoMs() + options_.retry_backoff_ms;
      spdlog::error("{}: {} not finished, retrying in {} ms: {}", Who(txn->meta),
                    TxnStateName(txn->meta.state), options_.retry_backoff_ms, status.ToString());
    } else {
      txn->meta.state = commit ? TxnState::kCompleteCommit : TxnState::kCompleteAbort;
      txn->meta.partitions.clear();
      txn->meta.groups.clear();
      txn->meta.offsets.clear();
      completed = PersistLocked(*txn);
    }
    waiters.swap(txn->on_complete);
  }
  // Written before the answer, so that a restart does not redo the markers and offsets.
  if (completed) (void)state_log_->WaitDurable(*completed);
  const EndOutcome outcome = status.ok() ? EndOutcome::kCompleted
                             : decided   ? EndOutcome::kDecided
                                         : EndOutcome::kUndecided;
  for (auto& waiter : waiters) waiter(outcome);
}

Status TransactionCoordinator::WriteMarkers(const std::set<TxnPartition>& partitions,
                                            int64_t producer_id, int16_t producer_epoch,
                                            bool commit) {
  const log::TransactionResult result =
      commit ? log::TransactionResult::kCommit : log::TransactionResult::kAbort;
  std::vector<std::pair<std::string, std::future<Status>>> durable;
  for (const TxnPartition& p : partitions) {
    const std::string where = "topic " + p.topic + " partition " + std::to_string(p.partition);
    Result<std::shared_ptr<log::Partition>> partition =
        options_.log->GetPartition(p.topic, PartitionId(p.partition));
    Result<log::AppendResult> marker =
        partition.ok()
            ? (*partition)
                  ->AppendTransactionMarker(ProducerId(producer_id), ProducerEpoch(producer_epoch),
                                            result, kCoordinatorEpoch)
            : Result<log::AppendResult>(partition.status());
    if (!marker.ok()) {
      // A deleted topic took the transaction's batches with it: nothing to mark.
      if (log::LogErrorOf(marker.status()) == log::LogError::kUnknownTopicOrPartition) continue;
      return marker.status().WithContext("writing the marker to " + where);
    }
    auto promise = std::make_shared<std::promise<Status>>();
    durable.emplace_back(where, promise->get_future());
    (*partition)->WhenDurable(marker->last_offset, [promise](Status s) {
      promise->set_value(std::move(s));
    });
  }
  for (auto& [where, future] : durable) {
    if (future.wait_for(kMarkerDurableTimeout) != std::future_status::ready) {
      return Status::TimedOut("the marker in " + where + " did not become durable in time");
    }
    RETURN_IF_ERROR(future.get().WithContext("the marker in " + where));
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// The APIs

void TransactionCoordinator::InitProducerId(InitProducerIdParams params,
                                            InitProducerIdCallback done) {
  if (params.transactional_id.empty()) {
    done({ErrorCode::kInvalidRequest});
    return;
  }
  if (params.transaction_timeout_ms <= 0 ||
      params.transaction_timeout_ms > options_.max_timeout_ms) {
    done({ErrorCode::kInvalidTransactionTimeout});
    return;
  }
  std::optional<TransactionLog::Ticket> ticket;
  InitProducerIdResult result;
  {
    std::unique_lock lock(mu_);
    if (closed_) {
      lock.unlock();
      done({ErrorCode::kCoordinatorNotAvailable});
      return;
    }
    Txn* txn = Find(params.transactional_id);
    if (txn == nullptr) {
      Result<ProducerId> id = options_.log->AllocateProducerId();
      if (!id.ok()) {
        spdlog::error("no producer id for transactional id '{}': {}", params.transactional_id,
                      id.status().ToString());
        lock.unlock();
        done({ErrorCode::kCoordinatorNotAvailable});
        return;
      }
      txn = &txns_[params.transactional_id];
      txn->meta.transactional_id = params.transactional_id;
      txn->meta.producer_id = id->value();
      txn->meta.producer_epoch = 0;
      by_producer_id_[txn->meta.producer_id] = params.transactional_id;
    } else {
      TransactionMetadata& m = txn->meta;
      if (params.producer_id >= 0) {
        // KIP-360: the caller names the id and epoch it has.
        const bool current =
            params.producer_id == m.producer_id && params.producer_epoch == m.producer_epoch;
        const bool bumped = m.last_producer_epoch != kNoEpoch &&
                            params.producer_id == m.last_producer_id &&
                            params.producer_epoch == m.last_producer_epoch;
        if (!current && !bumped) {
          lock.unlock();
          done({params.api_version >= 4 ? ErrorCode::kProducerFenced
                                        : ErrorCode::kInvalidProducerEpoch});
          return;
        }
        if (bumped && !IsPrepare(m.state) && m.state != TxnState::kOngoing) {
          // A retry of the bump that already happened: answer it again.
          result = {ErrorCode::kNone, m.producer_id, m.producer_epoch};
          lock.unlock();
          done(result);
          return;
        }
      }
      if (IsPrepare(m.state)) {
        lock.unlock();
        done({ErrorCode::kConcurrentTransactions});
        return;
      }
      m.timeout_ms = params.transaction_timeout_ms;
      if (m.state == TxnState::kOngoing) {
        // The previous producer left a transaction open: abort it with the new epoch
        // (which fences that producer), then hand the epoch out.
        txn->on_complete.push_back([this, id = params.transactional_id, done](EndOutcome outcome) {
          InitProducerIdResult r{outcome == EndOutcome::kUndecided
                                     ? ErrorCode::kCoordinatorNotAvailable
                                     : ErrorCode::kConcurrentTransactions};
          if (outcome == EndOutcome::kCompleted) {
            std::lock_guard relock(mu_);
            if (const Txn* t = Find(id))
              r = {ErrorCode::kNone, t->meta.producer_id, t->meta.producer_epoch};
          }
          done(r);
        });
        PrepareEndLocked(*txn, /*commit=*/false, /*bump=*/true, "a new producer of the id started");
        return;
      }
      if (Status bumped = BumpEpochLocked(*txn, /*allow_new_id=*/true,
                                          /*producer_initiated=*/params.producer_id >= 0);
          !bumped.ok()) {
        spdlog::error("{}: epoch not bumped: {}", Who(m), bumped.ToString());
        lock.unlock();
        done({ErrorCode::kCoordinatorNotAvailable});
        return;
      }
      m.state = TxnState::kEmpty;
    }
    txn->meta.timeout_ms = params.transaction_timeout_ms;
    ticket = PersistLocked(*txn);
    result = {ErrorCode::kNone, txn->meta.producer_id, txn->meta.producer_epoch};
    spdlog::info("{}: initialized (transaction.timeout.ms {})", Who(txn->meta),
                 txn->meta.timeout_ms);
  }
  if (!ticket || !state_log_->WaitDurable(*ticket).ok())
    result = {ErrorCode::kCoordinatorNotAvailable};
  done(result);
}

AddPartitionsResult TransactionCoordinator::AddPartitions(const AddPartitionsParams& params) {
  AddPartitionsResult result;
  for (const TxnPartition& p : params.partitions)
    result.partitions.emplace_back(p, ErrorCode::kNone);
  auto all = [&](ErrorCode error) {
    for (auto& [p, e] : result.partitions) e = error;
    return result;
  };
  // Unknown partitions fail the whole request, as in Kafka: nothing is added.
  bool unknown = false;
  for (auto& [p, e] : result.partitions) {
    if (!options_.log->GetPartition(p.topic, PartitionId(p.partition)).ok()) {
      e = ErrorCode::kUnknownTopicOrPartition;
      unknown = true;
    }
  }
  if (unknown) {
    for (auto& [p, e] : result.partitions) {
      if (e == ErrorCode::kNone) e = ErrorCode::kOperationNotAttempted;
    }
    return result;
  }
  std::optional<TransactionLog::Ticket> ticket;
  {
    std::lock_guard lock(mu_);
    Txn* txn = Find(params.producer.transactional_id);
    if (ErrorCode error = CheckProducerLocked(txn, params.producer); error != ErrorCode::kNone) {
      return all(error);
    }
    if (IsPrepare(txn->meta.state)) return all(ErrorCode::kConcurrentTransactions);
    bool changed = false;
    if (txn->meta.state != TxnState::kOngoing) {
      StartTransactionLocked(*txn);
      changed = true;
    }
    for (const TxnPartition& p : params.partitions)
      changed |= txn->meta.partitions.insert(p).second;
    if (!changed) return result;
    ticket = PersistLocked(*txn);
  }
  if (!ticket || !state_log_->WaitDurable(*ticket).ok())
    return all(ErrorCode::kCoordinatorNotAvailable);
  return result;
}

ErrorCode TransactionCoordinator::AddOffsets(const AddOffsetsParams& params) {
  if (params.group_id.empty()) return ErrorCode::kInvalidGroupId;
  std::optional<TransactionLog::Ticket> ticket;
  {
    std::lock_guard lock(mu_);
    Txn* txn = Find(params.producer.transactional_id);
    if (ErrorCode error = CheckProducerLocked(txn, params.producer); error != ErrorCode::kNone) {
      return error;
    }
    if (IsPrepare(txn->meta.state)) return ErrorCode::kConcurrentTransactions;
    bool changed = false;
    if (txn->meta.state != TxnState::kOngoing) {
      StartTransactionLocked(*txn);
      changed = true;
    }
    changed |= txn->meta.groups.insert(params.group_id).second;
    if (!changed) return ErrorCode::kNone;
    ticket = PersistLocked(*txn);
  }
  if (!ticket || !state_log_->WaitDurable(*ticket).ok()) return ErrorCode::kCoordinatorNotAvailable;
  return ErrorCode::kNone;
}

OffsetCommitResult TransactionCoordinator::TxnOffsetCommit(const TxnOffsetCommitParams& params) {
  OffsetCommitResult result;
  for (const OffsetCommitEntry& e : params.offsets) {
    result.partitions.push_back(PartitionResult{e.topic, e.partition, ErrorCode::kNone});
  }
  auto all = [&](ErrorCode error) {
    for (PartitionResult& r : result.partitions) r.error = error;
    return result;
  };
  const size_t max_metadata = static_cast<size_t>(options_.groups->max_offset_metadata_bytes());
  std::optional<TransactionLog::Ticket> ticket;
  std::vector<size_t> stored;
  {
    std::lock_guard lock(mu_);
    Txn* txn = Find(params.producer.transactional_id);
    if (ErrorCode error = CheckProducerLocked(txn, params.producer); error != ErrorCode::kNone) {
      return all(error);
    }
    if (IsPrepare(txn->meta.state)) return all(ErrorCode::kConcurrentTransactions);
    // AddOffsetsToTxn comes first: it is what makes the offsets part of the transaction.
    if (txn->meta.state != TxnState::kOngoing || !txn->meta.groups.contains(params.group_id)) {
      return all(ErrorCode::kInvalidTxnState);
    }
    for (size_t i = 0; i < params.offsets.size(); ++i) {
      const OffsetCommitEntry& e = params.offsets[i];
      if (e.metadata.size() > max_metadata) {
        result.partitions[i].error = ErrorCode::kOffsetMetadataTooLarge;
        continue;
      }
      if (!options_.log->GetPartition(e.topic, e.partition).ok()) {
        result.partitions[i].error = ErrorCode::kUnknownTopicOrPartition;
        continue;
      }
      txn->meta.offsets[TxnOffsetKey{params.group_id, e.topic, e.partition.value()}] =
          TxnOffset{e.offset.value(), e.leader_epoch, e.metadata};
      stored.push_back(i);
    }
    if (stored.empty()) return result;
    ticket = PersistLocked(*txn);
  }
  if (!ticket || !state_log_->WaitDurable(*ticket).ok()) {
    for (size_t i : stored) result.partitions[i].error = ErrorCode::kCoordinatorNotAvailable;
  }
  return result;
}

void TransactionCoordinator::EndTxn(EndTxnParams params, EndTxnCallback done) {
  ErrorCode error = ErrorCode::kNone;
  {
    std::lock_guard lock(mu_);
    Txn* txn = Find(params.producer.transactional_id);
    error = CheckProducerLocked(txn, params.producer);
    if (error == ErrorCode::kNone) {
      const TxnState state = txn->meta.state;
      const TxnState prepare = params.commit ? TxnState::kPrepareCommit : TxnState::kPrepareAbort;
      const TxnState complete =
          params.commit ? TxnState::kCompleteCommit : TxnState::kCompleteAbort;
      if (state == TxnState::kOngoing) {
        if (PrepareEndLocked(*txn, params.commit, /*bump=*/false, "")) {
          txn->on_complete.push_back([done](EndOutcome outcome) {
            // Once the decision is durable it will be carried out (Poll retries what
            // failed), which is what the producer needs to hear.
            done(outcome == EndOutcome::kUndecided ? ErrorCode::kCoordinatorNotAvailable
                                                   : ErrorCode::kNone);
          });
          return;
        }
        error = ErrorCode::kCoordinatorNotAvailable;
      } else if (state == complete) {
        error = ErrorCode::kNone;  // a retry of an EndTxn that went through
      } else if (state == prepare) {
        error = ErrorCode::kConcurrentTransactions;
      } else {
        error = ErrorCode::kInvalidTxnState;
      }
    }
  }
  done(error);
}

ErrorCode TransactionCoordinator::BeginProduce(const TxnProducer& producer,
                                               const TxnPartition& partition, ProduceGuard* guard) {
  std::lock_guard lock(mu_);
  Txn* txn = Find(producer.transactional_id);
  if (ErrorCode error = CheckProducerLocked(txn, producer); error != ErrorCode::kNone) return error;
  if (txn->meta.state != TxnState::kOngoing || !txn->meta.partitions.contains(partition)) {
    return ErrorCode::kInvalidTxnState;
  }
  ++txn->produces_in_flight;
  guard->Release();
  guard->coordinator_ = this;
  guard->transactional_id_ = producer.transactional_id;
  return ErrorCode::kNone;
}

void TransactionCoordinator::EndProduce(const std::string& transactional_id) {
  {
    std::lock_guard lock(mu_);
    Txn* txn = Find(transactional_id);
    if (txn == nullptr || --txn->produces_in_flight > 0) return;
  }
  produces_drained_.notify_all();
}

// ---------------------------------------------------------------------------------------
// Background pass

void TransactionCoordinator::Poll() {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    const int64_t mono = MonoMs();
    const int64_t now = NowMs();
    for (auto it = txns_.begin(); it != txns_.end();) {
      Txn& txn = it->second;
      TransactionMetadata& m = txn.meta;
      if (m.state == TxnState::kOngoing && mono - txn.start_mono_ms > m.timeout_ms) {
        PrepareEndLocked(
            txn, /*commit=*/false, /*bump=*/true,
            "it was open longer than its transaction.timeout.ms " + std::to_string(m.timeout_ms));
      } else if (IsPrepare(m.state) && !txn.completing && txn.retry_at_mono_ms >= 0 &&
                 mono >= txn.retry_at_mono_ms) {
        ScheduleCompletionLocked(txn);
      } else if ((m.state == TxnState::kEmpty || m.state == TxnState::kCompleteCommit ||
                  m.state == TxnState::kCompleteAbort) &&
                 txn.produces_in_flight == 0 && now - m.update_ms > options_.id_expiration_ms) {
        spdlog::info("{}: forgotten, unused for {} ms (transactional.id.expiration.ms)", Who(m),
                     now - m.update_ms);
        TxnRecord forget{TxnRecordType::kForget, {}};
        forget.metadata.transactional_id = m.transactional_id;
        // Not waited for: an id that comes back after a crash is forgotten again later.
        (void)state_log_->Append(forget);
        by_producer_id_.erase(m.producer_id);
        it = txns_.erase(it);
        continue;
      }
      ++it;
    }
  }
  MaybeCompact();
}

void TransactionCoordinator::MaybeCompact() {
  std::lock_guard lock(mu_);
  if (state_log_->file_bytes() <= compact_at_bytes_) return;
  std::map<std::string, TransactionMetadata> live;
  for (const auto& [id, txn] : txns_) live.emplace(id, txn.meta);
  Status compacted = state_log_->Compact(live);
  if (!compacted.ok()) spdlog::warn("{}", compacted.ToString());
  compact_at_bytes_ = std::max(options_.compact_min_bytes, 2 * state_log_->file_bytes());
}

std::optional<TransactionMetadata> TransactionCoordinator::Describe(
    const std::string& transactional_id) const {
  std::lock_guard lock(mu_);
  auto it = txns_.find(transactional_id);
  if (it == txns_.end()) return std::nullopt;
  return it->second.meta;
}

}  // namespace eddy::kafka
