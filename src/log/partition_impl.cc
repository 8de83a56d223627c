#include "src/log/partition_impl.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "src/log/log_format.h"
#include "src/log/log_status.h"
#include "src/log/record_batch.h"
#include "src/log/transaction_marker.h"

namespace eddy::log {
namespace {

// Snapshots kept on disk: the newest is what recovery wants; one older in case the
// newest describes data a crash took away.
constexpr size_t kSnapshotsKept = 2;

bool OffsetsAddUp(const BatchHeader& h) {
  return h.record_count > 0 && h.last_offset_delta == h.record_count - 1;
}

}  // namespace

PartitionImpl::PartitionImpl(const PartitionEnv& env, std::string topic, PartitionId id,
                             std::string dir, const TopicConfig& config)
    : env_(env),
      topic_(std::move(topic)),
      id_(id),
      dir_(std::move(dir)),
      config_(config),
      txn_index_(env.fs, dir_),
      max_message_bytes_(config.max_message_bytes) {}

PartitionImpl::~PartitionImpl() = default;

std::string PartitionImpl::Where() const {
  return "topic " + topic_ + " partition " + std::to_string(id_.value());
}

Result<std::shared_ptr<PartitionImpl>> PartitionImpl::Open(const PartitionEnv& env,
                                                           std::string topic, PartitionId id,
                                                           std::string dir,
                                                           const TopicConfig& config,
                                                           bool clean_shutdown) {
  auto partition =
      std::make_shared<PartitionImpl>(env, std::move(topic), id, std::move(dir), config);
  RETURN_IF_ERROR(partition->Recover(clean_shutdown).WithContext(partition->Where()));
  return partition;
}

Status PartitionImpl::Recover(bool clean_shutdown) {
  std::lock_guard lock(mu_);
  const int64_t now = env_.clock->NowMs();
  RETURN_IF_ERROR(env_.fs->CreateDirs(dir_));
  ASSIGN_OR_RETURN(std::vector<std::string> names, env_.fs->ListDir(dir_));
  std::vector<int64_t> bases;
  for (const std::string& name : names) {
    if (auto base = ParseSegmentFileName(name, kLogFileSuffix)) {
      bases.push_back(*base);
    } else if (auto offset = ParseSegmentFileName(name, kSnapshotFileSuffix)) {
      snapshot_offsets_.push_back(*offset);
    }
  }
  std::sort(bases.begin(), bases.end());
  // Leftovers of an interrupted write or deletion: temp files, indexes without a log.
  for (const std::string& name : names) {
    bool stray = name.ends_with(".tmp");
    for (std::string_view suffix : {kIndexFileSuffix, kTimeIndexFileSuffix, kTxnIndexFileSuffix}) {
      if (auto base = ParseSegmentFileName(name, suffix)) {
        stray = stray || !std::binary_search(bases.begin(), bases.end(), *base);
      }
    }
    if (stray) {
      spdlog::info("{}: removing leftover file {}", Where(), JoinPath(dir_, name));
      RETURN_IF_ERROR(env_.fs->Remove(JoinPath(dir_, name)));
    }
  }

  if (bases.empty()) {
    ASSIGN_OR_RETURN(auto segment, Segment::Create(env_.fs, dir_, 0, now));
    RETURN_IF_ERROR(env_.fs->SyncDir(dir_));
    segments_.push_back(std::move(segment));
  } else {
    std::string notes;
    uint64_t dropped_bytes = 0;
    std::vector<bool> validated;
    auto open_segment = [&](int64_t base,
                            Segment::RecoveryMode mode) -> Result<std::shared_ptr<Segment>> {
      SegmentRecovery report;
      ASSIGN_OR_RETURN(auto segment, Segment::Open(env_.fs, dir_, base, mode,
                                                   config_.index_interval_bytes, now, &report));
      if (!report.rescan_reason.empty()) {
        notes +=
            "; checked every batch of " + segment->log_path() + " (" + report.rescan_reason + ")";
      }
      if (report.kept_bytes < report.found_bytes) {
        dropped_bytes += report.found_bytes - report.kept_bytes;
        notes += "; dropped " + std::to_string(report.found_bytes - report.kept_bytes) +
                 " bytes (offsets from " + std::to_string(segment->next_offset()) + ") of " +
                 segment->log_path() + " from position " + std::to_string(report.kept_bytes) +
                 ": " + report.cut_reason.message();
      }
      validated.push_back(report.validated);
      return segment;
    };
    for (size_t i = 0; i < bases.size(); ++i) {
      const bool last = i + 1 == bases.size();
      ASSIGN_OR_RETURN(
          auto segment,
          open_segment(bases[i], last && !clean_shutdown ? Segment::RecoveryMode::kValidateData
                                                         : Segment::RecoveryMode::kTrustData));
      if (!segments_.empty() && segments_.back()->next_offset() > segment->base_offset()) {
        notes += "; Corruption: " + segments_.back()->log_path() + " ends at offset " +
                 std::to_string(segments_.back()->next_offset()) +
                 " past the next segment's base " + std::to_string(segment->base_offset());
      }
      segments_.push_back(std::move(segment));
    }
    // A crash right after a roll can leave the new segment empty while the one before it
    // lost its unsynced tail. Appending at the new segment's base would leave a hole in
    // the offsets: drop the empty segment and continue the previous one instead.
    bool removed = false;
    while (segments_.size() > 1 && segments_.back()->size_bytes() == 0 &&
           segments_[segments_.size() - 2]->next_offset() < segments_.back()->base_offset()) {
      notes += "; removed the empty segment " + segments_.back()->log_path() +
               " because the segment before it now ends at offset " +
               std::to_string(segments_[segments_.size() - 2]->next_offset());
      RETURN_IF_ERROR(segments_.back()->RemoveFiles());
      segments_.pop_back();
      validated.resize(segments_.size());
      removed = true;
    }
    if (removed && !clean_shutdown && !validated.back()) {
      // The segment now last gets the check every last segment gets after a crash.
      const int64_t base = segments_.back()->base_offset();
      segments_.pop_back();
      validated.pop_back();
      ASSIGN_OR_RETURN(auto segment, open_segment(base, Segment::RecoveryMode::kValidateData));
      segments_.push_back(std::move(segment));
    }
    if (!clean_shutdown) {
      // What recovery kept is what readers will see: make it durable before they do.
      RETURN_IF_ERROR(segments_.back()->SyncAll());
    }
    int64_t kept_bytes = 0;
    for (const auto& s : segments_) kept_bytes += static_cast<int64_t>(s->size_bytes());
    const int64_t first = segments_.front()->base_offset();
    const int64_t end = segments_.back()->next_offset();
    std::string line =
        Where() + ": " + (clean_shutdown ? "loaded" : "recovered") + " " +
        std::to_string(kept_bytes) + " bytes, " +
        (end > first ? "offsets " + std::to_string(first) + ".." + std::to_string(end - 1)
                     : "no records (log end offset " + std::to_string(end) + ")") +
        " in " + std::to_string(segments_.size()) + " segment(s)" +
        (dropped_bytes == 0 && !clean_shutdown ? "; nothing dropped" : "") + notes;
    if (clean_shutdown && notes.empty()) {
      spdlog::debug("{}", line);
    } else if (dropped_bytes > 0) {
      spdlog::warn("{}", line);
    } else {
      spdlog::info("{}", line);
    }
  }

  int64_t size = 0;
  for (const auto& s : segments_) size += static_cast<int64_t>(s->size_bytes());
  const int64_t end = segments_.back()->next_offset();
  size_bytes_.store(size);
  log_start_offset_.store(segments_.front()->base_offset());
  log_end_offset_.store(end);
  high_watermark_.store(end);
  durable_end_ = end;
  return LoadProducerState();
}

Status PartitionImpl::LoadProducerState() {
  const int64_t end = log_end_offset_.load();
  const int64_t start = log_start_offset_.load();
  std::sort(snapshot_offsets_.begin(), snapshot_offsets_.end());
  int64_t scan_from = start;
  while (!snapshot_offsets_.empty()) {
    const int64_t offset = snapshot_offsets_.back();
    const std::string path = JoinPath(dir_, SegmentFileName(offset, kSnapshotFileSuffix));
    if (offset > end) {
      // Written before a crash took the data it describes (or recovery cut it).
      spdlog::info(
          "{}: removing producer snapshot {}: it covers offsets below {} but the log "
          "now ends at {}",
          Where(), path, offset, end);
    } else {
      Result<std::vector<uint8_t>> bytes = env_.fs->ReadFile(path);
      Result<ProducerStateTable> table = bytes.ok() ? ProducerStateTable::Parse(*bytes, path)
                                                    : Result<ProducerStateTable>(bytes.status());
      if (table.ok()) {
        producers_ = std::move(table).value();
        scan_from = std::max(start, offset);
        break;
      }
      spdlog::warn("{}: ignoring producer snapshot {}: {}", Where(), path,
                   table.status().ToString());
    }
    RETURN_IF_ERROR(env_.fs->Remove(path));
    snapshot_offsets_.pop_back();
  }
  // Aborted transactions: the .txnindex files hold every abort up to the snapshot (they
  // are synced before a snapshot is written); those after it are rebuilt from the log
  // with the producer state.
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (const auto& segment : segments_) {
    ranges.emplace_back(segment->base_offset(), segment->next_offset());
  }
  std::string damaged;
  RETURN_IF_ERROR(txn_index_.Load(ranges, &damaged));
  if (!damaged.empty()) {
    spdlog::warn("{}: {}; rebuilding producer state and aborted transactions from every batch",
                 Where(), damaged);
    RETURN_IF_ERROR(txn_index_.Clear());
    producers_ = ProducerStateTable();
    scan_from = start;
  } else {
    RETURN_IF_ERROR(txn_index_.TruncateFrom(scan_from));
  }
  Status applied;
  for (const auto& segment : segments_) {
    if (segment->next_offset() <= scan_from) continue;
    const int64_t base = segment->base_offset();
    RETURN_IF_ERROR(segment->ScanHeadersAndControlBatches(
        scan_from, [&](const BatchHeader& h, ByteSpan control_batch) {
          if (h.producer_id < 0 || !applied.ok()) return;
          std::optional<TransactionResult> marker;
          if (h.is_control()) {
            Result<std::optional<TransactionResult>> parsed =
                ParseTransactionMarker(control_batch);
            if (parsed.ok()) {
              marker = *parsed;
            } else {
              // A control batch eddy wrote but cannot read: never show data that may
              // have been aborted.
              spdlog::warn("{}: unreadable transaction marker at offset {} taken as an abort: {}",
                           Where(), h.base_offset, parsed.status().ToString());
              marker = TransactionResult::kAbort;
            }
          }
          applied = ApplyProducerBatchLocked(h, marker, base);
        }));
    RETURN_IF_ERROR(applied);
  }
  producers_.RemoveBefore(start);
  UpdateLastStableOffsetLocked();
  return Status::OK();
}

Status PartitionImpl::ApplyProducerBatchLocked(const BatchHeader& header,
                                               std::optional<TransactionResult> marker,
                                               int64_t segment_base) {
  int64_t txn_first = -1;
  if (header.is_control()) {
    const ProducerEntry* entry = producers_.Find(header.producer_id);
    if (entry != nullptr) txn_first = entry->txn_first_offset;
  }
  producers_.Apply(header);
  if (txn_first < 0) return Status::OK();
  // The transaction stays undecided for readers until its marker is below the high
  // watermark (durable under kAlways).
  deciding_txns_.emplace_back(txn_first, header.base_offset);
  if (marker != TransactionResult::kAbort) return Status::OK();
  const int64_t end = header.last_offset() + 1;
  TxnIndexEntry entry{header.producer_id, txn_first, header.base_offset,
                      std::min(end, producers_.FirstOpenTransactionOffset().value_or(end))};
  Status written = txn_index_.Append(segment_base, entry);
  if (!written.ok()) {
    return StorageError(written, Where() + ": recording the aborted transaction of producer " +
                                     std::to_string(header.producer_id) + " at offset " +
                                     std::to_string(header.base_offset));
  }
  return Status::OK();
}

void PartitionImpl::UpdateLastStableOffsetLocked() {
  int64_t lso = high_watermark_.load();
  if (!deciding_txns_.empty()) {
    std::erase_if(deciding_txns_, [lso](const auto& t) { return t.second < lso; });
    for (const auto& [first, marker] : deciding_txns_) lso = std::min(lso, first);
  }
  if (std::optional<int64_t> first = producers_.FirstOpenTransactionOffset()) {
    lso = std::min(lso, *first);
  }
  // Retention may have removed the start of a transaction still open.
  last_stable_offset_.store(std::max(lso, log_start_offset_.load()));
}

std::vector<OpenTransaction> PartitionImpl::OpenTransactions() const {
  std::lock_guard lock(mu_);
  std::vector<OpenTransaction> open;
  for (const auto& [first, producer] : producers_.open_transactions()) {
    const ProducerEntry* entry = producers_.Find(producer);
    open.push_back({ProducerId(producer), ProducerEpoch(entry ? entry->epoch : kNoProducerEpoch),
                    Offset(first)});
  }
  return open;
}

Status PartitionImpl::CheckWritableLocked() const {
  if (deleted_) {
    return LogStatus(StatusCode::kNotFound, LogError::kUnknownTopicOrPartition,
                     Where() + " was deleted");
  }
  if (closed_) {
    return LogStatus(StatusCode::kUnavailable, LogError::kShuttingDown, Where() + " is closed");
  }
  if (failed_) return failure_;
  return Status::OK();
}

Result<AppendResult> PartitionImpl::Append(std::span<uint8_t> batch) {
  // Checks of the bytes alone run before taking the lock: the CRC is the costly part.
  Result<BatchHeader> parsed = ParseBatchHeader(batch);
  if (!parsed.ok()) {
    return LogStatus(StatusCode::kInvalidArgument, LogError::kCorruptBatch,
                     Where() + ": " + parsed.status().message());
  }
  BatchHeader header = *parsed;
  const int32_t max_bytes = max_message_bytes_.load(std::memory_order_relaxed);
  if (batch.size() > static_cast<size_t>(std::max(0, max_bytes))) {
    return LogStatus(StatusCode::kInvalidArgument, LogError::kBatchTooLarge,
                     Where() + ": batch of " + std::to_string(batch.size()) +
                         " bytes exceeds max.message.bytes " + std::to_string(max_bytes));
  }
  if (Status valid = ValidateBatch(batch); !valid.ok()) {
    return LogStatus(StatusCode::kInvalidArgument, LogError::kCorruptBatch,
                     Where() + ": " + valid.message());
  }
  if (!OffsetsAddUp(header)) {
    return LogStatus(StatusCode::kInvalidArgument, LogError::kCorruptBatch,
                     Where() + ": batch has " + std::to_string(header.record_count) +
                         " records but a last offset delta of " +
                         std::to_string(header.last_offset_delta));
  }
  if (header.is_control()) {
    // Markers decide what read_committed readers see: only the log writes them.
    return LogStatus(StatusCode::kInvalidArgument, LogError::kInvalidRecord,
                     Where() + ": producers may not write control batches");
  }
  if (header.is_transactional() && header.producer_id < 0) {
    return LogStatus(StatusCode::kInvalidArgument, LogError::kInvalidRecord,
                     Where() + ": a transactional batch needs a producer id");
  }
  return AppendChecked(batch, header, std::nullopt);
}

Result<AppendResult> PartitionImpl::AppendTransactionMarker(ProducerId producer,
                                                            ProducerEpoch epoch,
                                                            TransactionResult result,
                                                            int32_t coordinator_epoch) {
  if (producer.value() < 0) {
    return Status::InvalidArgument(Where() + ": a transaction marker needs a producer id");
  }
  ASSIGN_OR_RETURN(std::vector<uint8_t> batch,
                   EncodeTransactionMarker(producer, epoch, result, coordinator_epoch,
                                           env_.clock->NowMs()));
  ASSIGN_OR_RETURN(BatchHeader header, ParseBatchHeader(batch));
  return AppendChecked(batch, header, result);
}

Result<AppendResult> PartitionImpl::AppendChecked(std::span<uint8_t> batch, BatchHeader header,
                                                  std::optional<TransactionResult> marker) {
  AppendResult result;
  const bool always = env_.durability.policy == FsyncPolicy::kAlways;
  {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(CheckWritableLocked());
    if (header.producer_id >= 0) {
      Result<std::optional<ProducerBatch>> duplicate = producers_.Check(header);
      if (!duplicate.ok()) return duplicate.status().WithContext(Where());
      if (duplicate->has_value()) {
        result.base_offset = Offset((*duplicate)->first_offset);
        result.last_offset = Offset((*duplicate)->last_offset);
        result.append_time_ms = -1;
        result.duplicate = true;
        result.log_start_offset = Offset(log_start_offset_.load());
        return result;
      }
    }
    const int64_t now = env_.clock->NowMs();
    if (std::string reason = RollReasonLocked(header, batch.size(), now); !reason.empty()) {
      RETURN_IF_ERROR(RollLocked(now, reason));
    }
    const std::shared_ptr<Segment>& segment = segments_.back();
    const int64_t base = log_end_offset_.load();
    SetBaseOffset(batch, base);
    header.base_offset = base;
    if (Status written = segment->Append(batch, header, config_.index_interval_bytes);
        !written.ok()) {
      Status error = StorageError(written, Where() + ": appending " + std::to_string(batch.size()) +
                                               " bytes at offset " + std::to_string(base) + " to " +
                                               segment->log_path());
      spdlog::error("{}", error.ToString());
      if (segment->broken()) {
        failed_ = true;
        failure_ = error;
      }
      return error;
    }
    log_end_offset_.store(header.last_offset() + 1);
    size_bytes_.fetch_add(static_cast<int64_t>(batch.size()));
    if (header.producer_id >= 0) {
      if (Status applied = ApplyProducerBatchLocked(header, marker, segment->base_offset());
          !applied.ok()) {
        // The marker is written but its abort is not recorded where recovery trusts it:
        // refuse appends (so no snapshot passes it) until a reopen rebuilds it.
        spdlog::error("{}", applied.ToString());
        failed_ = true;
        failure_ = applied;
      }
    }
    result.base_offset = Offset(base);
    result.last_offset = Offset(header.last_offset());
    result.append_time_ms = now;
    result.log_start_offset = Offset(log_start_offset_.load());
    if (always) {
      ScheduleFlushLocked(/*urgent=*/true);
    } else {
      segment->set_readable_bytes(segment->size_bytes());
      high_watermark_.store(header.last_offset() + 1);
      if (env_.durability.policy == FsyncPolicy::kInterval) ScheduleFlushLocked(false);
    }
    UpdateLastStableOffsetLocked();
  }
  if (!always) FireWatches(false);
  return result;
}

std::string PartitionImpl::RollReasonLocked(const BatchHeader& header, size_t batch_bytes,
                                            int64_t now_ms) const {
  const Segment& segment = *segments_.back();
  const uint64_t size = segment.size_bytes();
  if (size == 0) return "";
  if (size + batch_bytes > static_cast<uint64_t>(config_.segment_bytes)) return "segment.bytes";
  if (segment.ShouldRollForTime(header.max_timestamp, now_ms, config_.segment_ms)) {
    return "segment.ms";
  }
  const int64_t relative_last =
      log_end_offset_.load() + header.last_offset_delta - segment.base_offset();
  if (relative_last > std::numeric_limits<uint32_t>::max())
    return "relative offsets would overflow";
  if (size + batch_bytes > std::numeric_limits<uint32_t>::max()) return "positions would overflow";
  return "";
}

Status PartitionImpl::RollLocked(int64_t now_ms, std::string_view reason) {
  std::shared_ptr<Segment> old = segments_.back();
  const int64_t base = log_end_offset_.load();
  Result<std::shared_ptr<Segment>> created = Segment::Create(env_.fs, dir_, base, now_ms);
  if (!created.ok()) {
    return StorageError(created.status(),
                        Where() + ": rolling to a new segment at offset " + std::to_string(base));
  }
  if (Status sealed = old->SealTimeIndex(); !sealed.ok()) {
    spdlog::warn("{}: final time index entry of {} not written: {}", Where(), old->log_path(),
                 sealed.ToString());
  }
  {
    std::lock_guard lock(segments_mu_);
    segments_.push_back(*created);
  }
  pending_sync_.push_back(old);
  dir_sync_needed_ = true;
  spdlog::info("{}: rolled to segment {} at offset {} ({}); {} holds {} bytes", Where(),
               (*created)->log_path(), base, reason, old->log_path(), old->size_bytes());
  WriteProducerSnapshotLocked();
  ScheduleFlushLocked(/*urgent=*/true);
  return Status::OK();
}

void PartitionImpl::WriteProducerSnapshotLocked() {
  const int64_t offset = log_end_offset_.load();
  const std::string path = JoinPath(dir_, SegmentFileName(offset, kSnapshotFileSuffix));
  // Recovery trusts the transaction index below the newest snapshot: it must be durable
  // first.
  if (Status synced = txn_index_.SyncAll(); !synced.ok()) {
    spdlog::warn("{}: producer snapshot {} not written: transaction index not synced: {}",
                 Where(), path, synced.ToString());
    return;
  }
  Status written = env_.fs->WriteFileAtomically(path, producers_.Serialize());
  if (!written.ok()) {
    // Only costs a longer header scan at the next recovery.
    spdlog::warn("{}: producer snapshot {} not written: {}", Where(), path, written.ToString());
    return;
  }
  if (snapshot_offsets_.empty() || snapshot_offsets_.back() != offset) {
    snapshot_offsets_.push_back(offset);
  }
  while (snapshot_offsets_.size() > kSnapshotsKept) {
    const std::string old =
        JoinPath(dir_, SegmentFileName(snapshot_offsets_.front(), kSnapshotFileSuffix));
    if (Status removed = env_.fs->Remove(old); !removed.ok() && !removed.IsNotFound()) {
      spdlog::warn("{}: old producer snapshot {} not removed: {}", Where(), old,
                   removed.ToString());
      break;
    }
    snapshot_offsets_.erase(snapshot_offsets_.begin());
  }
}

void PartitionImpl::ScheduleFlushLocked(bool urgent) {
  if (flush_queued_ && (flush_queued_urgent_ || !urgent)) return;
  flush_queued_ = true;
  flush_queued_urgent_ = flush_queued_urgent_ || urgent;
  env_.flusher->Schedule(shared_from_this(), urgent);
}

void PartitionImpl::Flush() {
  const FsyncPolicy policy = env_.durability.policy;
  std::vector<std::shared_ptr<Segment>> rolled;
  std::shared_ptr<Segment> segment;
  uint64_t segment_bytes = 0;
  int64_t target = 0;
  bool sync_active = false;
  bool sync_dir = false;
  {
    std::lock_guard lock(mu_);
    flush_queued_ = false;
    flush_queued_urgent_ = false;
    if (closed_ || deleted_ || failed_) return;
    rolled.swap(pending_sync_);
    sync_dir = std::exchange(dir_sync_needed_, false);
    segment = segments_.back();
    segment_bytes = segment->size_bytes();
    target = log_end_offset_.load();
    sync_active = policy != FsyncPolicy::kNever && target > durable_end_;
    if (!sync_active && rolled.empty() && !sync_dir) return;
  }
  // The syncs run without the lock: appends go on meanwhile and their producers wait
  // for the next round.
  Status synced;
  for (const auto& s : rolled) {
    if (synced.ok()) synced = s->SyncAll();
  }
  if (synced.ok() && sync_active) synced = segment->SyncLog();
  if (synced.ok() && sync_dir) synced = env_.fs->SyncDir(dir_);

  std::vector<Waiter> done;
  Status outcome;
  {
    std::lock_guard lock(mu_);
    // A topic deleted meanwhile has failed its waiters already (and its directory may be
    // gone, failing the sync for no fault of the disk).
    if (deleted_) return;
    if (!synced.ok()) {
      // After a failed fsync the page cache may or may not hold the data: refuse
      // further appends until the log is reopened and recovery has looked.
      failed_ = true;
      failure_ = StorageError(synced, Where() +
                                          ": sync failed; appends are refused until the "
                                          "log is reopened");
      spdlog::error("{}", failure_.ToString());
      outcome = failure_;
      done = TakeWaitersLocked(/*all=*/true);
    } else {
      for (const auto& s : rolled) s->set_readable_bytes(s->size_bytes());
      if (sync_active) durable_end_ = std::max(durable_end_, target);
      if (policy == FsyncPolicy::kAlways && !closed_ && !deleted_) {
        if (segment->readable_bytes() < segment_bytes) segment->set_readable_bytes(segment_bytes);
        if (high_watermark_.load() < durable_end_) high_watermark_.store(durable_end_);
        UpdateLastStableOffsetLocked();
      }
      done = TakeWaitersLocked(/*all=*/false);
    }
  }
  Complete(done, outcome);
  if (policy == FsyncPolicy::kAlways) FireWatches(false);
}

std::vector<PartitionImpl::Waiter> PartitionImpl::TakeWaitersLocked(bool all) {
  std::vector<Waiter> taken;
  if (all) {
    taken.swap(waiters_);
    return taken;
  }
  auto covered = [&](const Waiter& w) { return w.last_offset < durable_end_; };
  auto split = std::stable_partition(waiters_.begin(), waiters_.end(),
                                     [&](const Waiter& w) { return !covered(w); });
  taken.assign(std::make_move_iterator(split), std::make_move_iterator(waiters_.end()));
  waiters_.erase(split, waiters_.end());
  return taken;
}

void PartitionImpl::Complete(std::vector<Waiter>& waiters, const Status& status) {
  for (Waiter& w : waiters) w.done(status);
}

void PartitionImpl::WhenDurable(Offset last_offset, std::function<void(Status)> done) {
  Status outcome;
  {
    std::lock_guard lock(mu_);
    const int64_t last = last_offset.value();
    if (last >= log_end_offset_.load()) {
      outcome = Status::InvalidArgument(Where() + ": offset " + std::to_string(last) +
                                        " was never appended (log end " +
                                        std::to_string(log_end_offset_.load()) + ")");
    } else if (env_.durability.policy != FsyncPolicy::kAlways || last < durable_end_) {
      outcome = Status::OK();
    } else if (Status writable = CheckWritableLocked(); !writable.ok()) {
      outcome = writable;
    } else {
      waiters_.push_back(Waiter{last, std::move(done)});
      ScheduleFlushLocked(/*urgent=*/true);
      return;
    }
  }
  done(outcome);
}

WatchId PartitionImpl::Watch(Offset offset, std::function<void()> wake) {
  const WatchId id = next_watch_id_.fetch_add(1);
  {
    std::lock_guard lock(watch_mu_);
    if (!watches_closed_) {
      // Register first, then look at the high watermark: an advance that this load
      // misses sees the count and fires the watch (both are sequentially consistent).
      auto it = watches_.emplace(offset.value(), WatchEntry{id, std::move(wake)});
      watch_ids_.emplace(id, it);
      watch_count_.store(watches_.size());
      if (high_watermark_.load() <= offset.value()) return id;
      wake = std::move(it->second.wake);
      watch_ids_.erase(id);
      watches_.erase(it);
      watch_count_.store(watches_.size());
    }
  }
  wake();
  return id;
}

void PartitionImpl::Unwatch(WatchId id) {
  std::lock_guard lock(watch_mu_);
  auto found = watch_ids_.find(id);
  if (found == watch_ids_.end()) return;
  watches_.erase(found->second);
  watch_ids_.erase(found);
  watch_count_.store(watches_.size());
}

void PartitionImpl::FireWatches(bool all) {
  if (!all && watch_count_.load() == 0) return;
  std::vector<std::function<void()>> wakes;
  {
    std::lock_guard lock(watch_mu_);
    auto end = all ? watches_.end() : watches_.lower_bound(high_watermark_.load());
    for (auto it = watches_.begin(); it != end;) {
      wakes.push_back(std::move(it->second.wake));
      watch_ids_.erase(it->second.id);
      it = watches_.erase(it);
    }
    watch_count_.store(watches_.size());
    if (all) watches_closed_ = true;
  }
  for (auto& wake : wakes) wake();
}

std::shared_ptr<Segment> PartitionImpl::SegmentFor(int64_t offset) const {
  std::lock_guard lock(segments_mu_);
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](int64_t o, const auto& s) { return o < s->base_offset(); });
  return it == segments_.begin() ? segments_.front() : *std::prev(it);
}

std::shared_ptr<Segment> PartitionImpl::SegmentAfter(const Segment& segment) const {
  std::lock_guard lock(segments_mu_);
  auto it = std::upper_bound(segments_.begin(), segments_.end(), segment.base_offset(),
                             [](int64_t o, const auto& s) { return o < s->base_offset(); });
  return it == segments_.end() ? nullptr : *it;
}

Result<ReadResult> PartitionImpl::Read(Offset from, const ReadOptions& options) const {
  if (deleted_) {
    return LogStatus(StatusCode::kNotFound, LogError::kUnknownTopicOrPartition,
                     Where() + " was deleted");
  }
  if (closed_) {
    return LogStatus(StatusCode::kUnavailable, LogError::kShuttingDown, Where() + " is closed");
  }
  ReadResult result;
  result.high_watermark = Offset(high_watermark_.load());
  // Loaded after the high watermark, which it never passes, so clamp it to what was read.
  result.last_stable_offset =
      Offset(std::min(last_stable_offset_.load(), result.high_watermark.value()));
  result.log_start_offset = Offset(log_start_offset_.load());
  result.next_offset = from;
  const int64_t offset = from.value();
  const int64_t hw = result.high_watermark.value();
  if (offset < result.log_start_offset.value() || offset > hw) {
    return LogStatus(StatusCode::kOutOfRange, LogError::kOffsetOutOfRange,
                     Where() + ": offset " + std::to_string(offset) + " is outside [" +
                         std::to_string(result.log_start_offset.value()) + ", " +
                         std::to_string(hw) + "]");
  }
  const bool committed = options.isolation == Isolation::kReadCommitted;
  // Batches are whole and the last stable offset is a batch boundary (a transaction's
  // first batch, or the high watermark), so reading up to it cuts no batch.
  const int64_t end = committed ? result.last_stable_offset.value() : hw;
  if (offset >= end) return result;
  // Usually the first segment tried holds "from"; the next one is needed only when
  // "from" falls in a gap a recovery left, or at a segment's very end.
  std::shared_ptr<Segment> first = SegmentFor(offset);
  if (first->base_offset() > offset && offset < log_start_offset_.load()) {
    // Retention deleted the segment between the range check and the lookup.
    return LogStatus(StatusCode::kOutOfRange, LogError::kOffsetOutOfRange,
                     Where() + ": offset " + std::to_string(offset) +
                         " was deleted by retention (log start offset " +
                         std::to_string(log_start_offset_.load()) + ")");
  }
  for (std::shared_ptr<Segment> segment = std::move(first); segment != nullptr;
       segment = SegmentAfter(*segment)) {
    if (segment->base_offset() >= end) break;
    if (segment->next_offset() <= offset) continue;
    Result<int64_t> next =
        segment->Read(offset, end, options.max_bytes, options.min_one_batch, &result.bytes);
    if (!next.ok()) return next.status().WithContext(Where());
    if (!result.bytes.empty()) {
      result.next_offset = Offset(*next);
      break;
    }
  }
  if (committed && !result.bytes.empty()) {
    result.aborted_transactions = txn_index_.Collect(offset, result.next_offset.value());
  }
  return result;
}

std::optional<int32_t> PartitionImpl::LastSequence(ProducerId producer) const {
  std::lock_guard lock(mu_);
  const ProducerEntry* entry = producers_.Find(producer.value());
  if (entry == nullptr || entry->count == 0) return std::nullopt;
  return entry->last_sequence();
}

Result<std::optional<TimestampOffset>> PartitionImpl::OffsetForTimestamp(int64_t timestamp_ms) const {
  if (deleted_) {
    return LogStatus(StatusCode::kNotFound, LogError::kUnknownTopicOrPartition,
                     Where() + " was deleted");
  }
  const int64_t hw = high_watermark_.load();
  const int64_t start = log_start_offset_.load();
  std::vector<std::shared_ptr<Segment>> segments;
  {
    std::lock_guard lock(segments_mu_);
    segments = segments_;
  }
  for (const auto& segment : segments) {
    if (segment->base_offset() >= hw) break;
    if (segment->next_offset() <= start || segment->max_timestamp() < timestamp_ms) continue;
    Result<std::optional<TimestampOffset>> found = segment->FindOffsetForTimestamp(timestamp_ms, start, hw);
    if (!found.ok()) return found.status().WithContext(Where());
    if (found->has_value()) return found;
  }
  return std::optional<TimestampOffset>();
}

void PartitionImpl::SetConfig(const TopicConfig& config) {
  std::lock_guard lock(mu_);
  config_ = config;
  max_message_bytes_.store(config.max_message_bytes);
}

Status PartitionImpl::EnforceRetention() {
  std::lock_guard lock(mu_);
  if (closed_ || deleted_ || failed_) return Status::OK();
  const int64_t now = env_.clock->NowMs();
  if (segments_.back()->ShouldRollForTime(now, now, config_.segment_ms)) {
    RETURN_IF_ERROR(RollLocked(now, "segment.ms"));
  }
  // Only whole segments below the high watermark go, never the active one.
  auto deletable = [&] {
    return segments_.size() > 1 && segments_[1]->base_offset() <= high_watermark_.load();
  };
  if (config_.retention_ms >= 0) {
    const int64_t cutoff = now - config_.retention_ms;
    auto expired = [&](const Segment& s) {
      return s.max_timestamp() >= 0 && s.max_timestamp() < cutoff;
    };
    // When even the active segment has expired, roll it so that it can go too (as
    // Kafka does): a topic nobody writes to still empties.
    const bool all_expired = std::all_of(segments_.begin(), segments_.end(), [&](const auto& s) {
      return s->size_bytes() == 0 || expired(*s);
    });
    if (all_expired && segments_.back()->size_bytes() > 0) {
      RETURN_IF_ERROR(RollLocked(now, "retention.ms passed for the whole partition"));
    }
    while (deletable() && expired(*segments_.front())) {
      DeleteOldestSegmentLocked(
          "its largest timestamp " + std::to_string(segments_.front()->max_timestamp()) +
          " is older than retention.ms " + std::to_string(config_.retention_ms));
    }
  }
  if (config_.retention_bytes >= 0) {
    while (deletable() &&
           size_bytes_.load() - static_cast<int64_t>(segments_.front()->size_bytes()) >=
               config_.retention_bytes) {
      DeleteOldestSegmentLocked("the partition holds " + std::to_string(size_bytes_.load()) +
                                " bytes, retention.bytes is " +
                                std::to_string(config_.retention_bytes));
    }
  }
  return Status::OK();
}

void PartitionImpl::DeleteOldestSegmentLocked(std::string_view reason) {
  std::shared_ptr<Segment> segment = segments_.front();
  {
    std::lock_guard lock(segments_mu_);
    segments_.erase(segments_.begin());
  }
  const int64_t start = segments_.front()->base_offset();
  log_start_offset_.store(start);
  UpdateLastStableOffsetLocked();
  size_bytes_.fetch_sub(static_cast<int64_t>(segment->size_bytes()));
  std::erase(pending_sync_, segment);
  txn_index_.RemoveSegment(segment->base_offset());
  // Readers still holding the segment keep reading it through its open files.
  Status removed = segment->RemoveFiles();
  spdlog::info("{}: deleted segment {} (offsets {}..{}, {} bytes): {}; log start offset is now {}",
               Where(), segment->log_path(), segment->base_offset(), segment->next_offset() - 1,
               segment->size_bytes(), reason, start);
  if (!removed.ok()) {
    spdlog::warn("{}: files of {} not all removed: {}", Where(), segment->log_path(),
                 removed.ToString());
  }
  producers_.RemoveBefore(start);
}

Status PartitionImpl::Close() {
  std::vector<Waiter> done;
  std::vector<Waiter> refused;
  Status refusal;
  Status result;
  {
    std::lock_guard lock(mu_);
    if (closed_ || deleted_) return Status::OK();
    closed_ = true;
    if (failed_) {
      result = failure_;
    } else {
      std::shared_ptr<Segment> segment = segments_.back();
      if (Status sealed = segment->SealTimeIndex(); !sealed.ok()) {
        spdlog::warn("{}: final time index entry of {} not written: {}", Where(),
                     segment->log_path(), sealed.ToString());
      }
      for (const auto& s : pending_sync_) {
        if (result.ok()) result = s->SyncAll();
      }
      if (result.ok()) result = segment->SyncAll();
      if (result.ok()) result = env_.fs->SyncDir(dir_);
      if (result.ok()) {
        pending_sync_.clear();
        durable_end_ = log_end_offset_.load();
        for (const auto& s : segments_) s->set_readable_bytes(s->size_bytes());
        high_watermark_.store(durable_end_);
        UpdateLastStableOffsetLocked();
        WriteProducerSnapshotLocked();
      } else {
        result = StorageError(result, Where() + ": final sync");
        spdlog::error("{}", result.ToString());
      }
    }
    done = TakeWaitersLocked(/*all=*/false);
    refused = TakeWaitersLocked(/*all=*/true);
    refusal = result.ok() ? LogStatus(StatusCode::kUnavailable, LogError::kShuttingDown,
                                      Where() + " closed before the data was synced")
                          : result;
  }
  Complete(done, Status::OK());
  Complete(refused, refusal);
  FireWatches(/*all=*/true);
  return result;
}

std::function<void()> PartitionImpl::MarkDeleted() {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mu_);
    if (deleted_) return [] {};
    deleted_ = true;
    waiters = TakeWaitersLocked(/*all=*/true);
  }
  return [self = shared_from_this(), waiters = std::move(waiters)]() mutable {
    Complete(waiters, LogStatus(StatusCode::kNotFound, LogError::kUnknownTopicOrPartition,
                                self->Where() + " was deleted"));
    self->FireWatches(/*all=*/true);
  };
}

size_t PartitionImpl::segment_count() const {
  std::lock_guard lock(segments_mu_);
  return segments_.size();
}

std::vector<int64_t> PartitionImpl::SegmentBaseOffsets() const {
  std::lock_guard lock(segments_mu_);
  std::vector<int64_t> bases;
  for (const auto& s : segments_) bases.push_back(s->base_offset());
  return bases;
}

}  // namespace eddy::log
