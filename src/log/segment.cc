#include "src/log/segment.h"

#include <spdlog/spdlog.h>

#include <cstring>

#include "src/log/batch_scanner.h"
#include "src/log/log_format.h"
#include "src/log/record_batch_format.h"

namespace eddy::log {
namespace {

std::string PathOf(const std::string& dir, int64_t base_offset, std::string_view suffix) {
  return JoinPath(dir, SegmentFileName(base_offset, suffix));
}

/// The consistency Kafka demands of a magic-2 batch's offset fields.
bool OffsetsAddUp(const BatchHeader& h) {
  return h.record_count > 0 && h.last_offset_delta == h.record_count - 1;
}

void MaybeAddTimeEntry(std::vector<TimeIndex::Entry>* entries, int64_t timestamp, int64_t offset) {
  if (entries->empty() ||
      (timestamp > entries->back().timestamp && offset > entries->back().offset)) {
    entries->push_back({timestamp, offset});
  }
}

}  // namespace

Segment::Segment(FileSystem* fs, std::string dir, int64_t base_offset, std::unique_ptr<File> log,
                 std::unique_ptr<File> index, std::unique_ptr<File> time_index, int64_t now_ms)
    : fs_(fs),
      dir_(std::move(dir)),
      base_offset_(base_offset),
      log_(std::move(log)),
      index_(std::move(index), base_offset),
      time_index_(std::move(time_index), base_offset),
      next_offset_(base_offset),
      created_ms_(now_ms) {}

Result<std::shared_ptr<Segment>> Segment::Create(FileSystem* fs, const std::string& dir,
                                                 int64_t base_offset, int64_t now_ms) {
  ASSIGN_OR_RETURN(auto log,
                   fs->Open(PathOf(dir, base_offset, kLogFileSuffix), OpenMode::kCreateTruncate));
  ASSIGN_OR_RETURN(auto index,
                   fs->Open(PathOf(dir, base_offset, kIndexFileSuffix), OpenMode::kCreateTruncate));
  ASSIGN_OR_RETURN(auto time_index, fs->Open(PathOf(dir, base_offset, kTimeIndexFileSuffix),
                                             OpenMode::kCreateTruncate));
  return std::make_shared<Segment>(fs, dir, base_offset, std::move(log), std::move(index),
                                   std::move(time_index), now_ms);
}

Result<std::shared_ptr<Segment>> Segment::Open(FileSystem* fs, const std::string& dir,
                                               int64_t base_offset, RecoveryMode mode,
                                               int32_t index_interval_bytes, int64_t now_ms,
                                               SegmentRecovery* report) {
  const std::string index_path = PathOf(dir, base_offset, kIndexFileSuffix);
  const std::string time_index_path = PathOf(dir, base_offset, kTimeIndexFileSuffix);
  const bool index_files_missing = !fs->Exists(index_path) || !fs->Exists(time_index_path);
  ASSIGN_OR_RETURN(auto log,
                   fs->Open(PathOf(dir, base_offset, kLogFileSuffix), OpenMode::kReadWrite));
  ASSIGN_OR_RETURN(auto index, fs->Open(index_path, OpenMode::kCreateOrOpen));
  ASSIGN_OR_RETURN(auto time_index, fs->Open(time_index_path, OpenMode::kCreateOrOpen));
  auto segment = std::make_shared<Segment>(fs, dir, base_offset, std::move(log), std::move(index),
                                           std::move(time_index), now_ms);
  RETURN_IF_ERROR(segment->Recover(mode, index_files_missing, index_interval_bytes, report));
  return segment;
}

Status Segment::Recover(RecoveryMode mode, bool index_files_missing, int32_t index_interval_bytes,
                        SegmentRecovery* report) {
  report->found_bytes = log_->Size();
  std::string reason;
  if (index_files_missing) reason = "an index file is missing";
  if (reason.empty()) {
    Status loaded = index_.Load(log_->Size());
    if (!loaded.ok()) reason = "damaged index: " + loaded.message();
  }
  if (reason.empty() && mode == RecoveryMode::kTrustData) {
    ASSIGN_OR_RETURN(bool lined_up, WalkTail(index_interval_bytes, &reason));
    if (!lined_up && reason.empty()) reason = "the tail does not line up";
  }
  if (mode == RecoveryMode::kValidateData || !reason.empty()) {
    report->rescan_reason = reason;
    RETURN_IF_ERROR(ValidateAndRebuild(index_interval_bytes, report));
  }
  if (log_->Size() > 0) {
    uint8_t header_bytes[kBatchHeaderSize];
    ASSIGN_OR_RETURN(size_t n, log_->ReadAt(0, header_bytes));
    if (n == kBatchHeaderSize) {
      Result<BatchHeader> first = ParseBatchHeader(header_bytes);
      if (first.ok()) first_batch_timestamp_ = first->max_timestamp;
    }
  }
  report->kept_bytes = log_->Size();
  readable_bytes_.store(log_->Size(), std::memory_order_release);
  return Status::OK();
}

Result<bool> Segment::WalkTail(int32_t index_interval_bytes, std::string* problem) {
  const uint64_t size = log_->Size();
  const std::optional<OffsetIndex::Entry> last_entry = index_.last();
  const uint64_t start = last_entry ? last_entry->position : 0;
  int64_t expected = last_entry ? last_entry->offset : base_offset_;
  BatchScanner scanner(*log_, start, size);
  IndexCadence cadence;
  bool first = true;
  while (true) {
    Result<std::optional<BatchScanner::Batch>> next = scanner.Next(BatchScanner::Check::kHeader);
    if (!next.ok()) {
      if (next.status().code() != StatusCode::kCorruption) return next.status();
      *problem = next.status().message();
      return false;
    }
    if (!next->has_value()) break;
    const BatchHeader& h = (*next)->header;
    if (h.base_offset != expected || !OffsetsAddUp(h)) {
      *problem = (first && last_entry
                      ? "damaged index: the last entry of " + index_.path() + " names offset " +
                            std::to_string(expected) + " but the batch at position " +
                            std::to_string(start) + " has base offset "
                      : "the batch at position " + std::to_string((*next)->position) + " of " +
                            log_->path() + " has base offset ") +
                 std::to_string(h.base_offset) + " where " + std::to_string(expected) +
                 " was expected";
      return false;
    }
    if (cadence.Note(h, index_interval_bytes) && !(first && last_entry)) {
      *problem = "damaged index: " + index_.path() + " lacks the entry for the batch at position " +
                 std::to_string((*next)->position);
      return false;
    }
    expected = h.last_offset() + 1;
    first = false;
  }
  Status time_loaded = time_index_.Load(expected);
  if (!time_loaded.ok()) {
    *problem = "damaged time index: " + time_loaded.message();
    return false;
  }
  if (auto last_time = time_index_.last()) {
    cadence.max_timestamp = std::max(cadence.max_timestamp, last_time->timestamp);
  }
  cadence_ = cadence;
  next_offset_.store(expected, std::memory_order_release);
  max_timestamp_.store(cadence.max_timestamp, std::memory_order_release);
  return true;
}

Status Segment::ValidateAndRebuild(int32_t index_interval_bytes, SegmentRecovery* report) {
  report->validated = true;
  BatchScanner scanner(*log_, 0, log_->Size());
  IndexCadence cadence;
  std::vector<OffsetIndex::Entry> entries;
  std::vector<TimeIndex::Entry> time_entries;
  int64_t expected = base_offset_;
  uint64_t good_end = 0;  // the end of the last batch that passed every check
  while (true) {
    Result<std::optional<BatchScanner::Batch>> next = scanner.Next(BatchScanner::Check::kCrc);
    if (!next.ok()) {
      if (next.status().code() != StatusCode::kCorruption) return next.status();
      report->cut_reason = next.status();
      break;
    }
    if (!next->has_value()) break;
    const BatchHeader& h = (*next)->header;
    const uint64_t position = (*next)->position;
    if (h.base_offset != expected || !OffsetsAddUp(h)) {
      report->cut_reason =
          Status::Corruption("batch at position " + std::to_string(position) + " of " +
                             log_->path() + " has offsets " + std::to_string(h.base_offset) + ".." +
                             std::to_string(h.base_offset + h.last_offset_delta) + " (" +
                             std::to_string(h.record_count) + " records) where offset " +
                             std::to_string(expected) + " was expected next");
      break;
    }
    if (cadence.Note(h, index_interval_bytes)) {
      entries.push_back({h.base_offset, position});
      MaybeAddTimeEntry(&time_entries, cadence.max_timestamp, h.last_offset());
    }
    expected = h.last_offset() + 1;
    good_end = scanner.position();
  }
  if (log_->Size() > good_end) RETURN_IF_ERROR(log_->Truncate(good_end));
  if (expected > base_offset_)
    MaybeAddTimeEntry(&time_entries, cadence.max_timestamp, expected - 1);
  RETURN_IF_ERROR(index_.Replace(std::move(entries)));
  RETURN_IF_ERROR(time_index_.Replace(std::move(time_entries)));
  cadence_ = cadence;
  next_offset_.store(expected, std::memory_order_release);
  max_timestamp_.store(cadence.max_timestamp, std::memory_order_release);
  return Status::OK();
}

Status Segment::Append(ByteSpan batch, const BatchHeader& header, int32_t index_interval_bytes) {
  const uint64_t position = log_->Size();
  Status written = log_->Append(batch);
  if (!written.ok()) {
    Status cut = log_->Truncate(position);
    if (!cut.ok()) {
      broken_ = true;
      spdlog::error("cannot cut {} back to {} bytes after a failed write: {}", log_->path(),
                    position, cut.ToString());
    }
    return written;
  }
  if (position == 0) first_batch_timestamp_ = header.max_timestamp;
  if (cadence_.Note(header, index_interval_bytes)) {
    // A missing entry only makes lookups scan further; the batch itself is safe.
    Status st = index_.Append(header.base_offset, position);
    if (st.ok()) st = time_index_.MaybeAppend(cadence_.max_timestamp, header.last_offset());
    if (!st.ok())
      spdlog::warn("index entry for offset {} not written: {}", header.base_offset, st.ToString());
  }
  if (header.max_timestamp > max_timestamp_.load(std::memory_order_relaxed)) {
    max_timestamp_.store(header.max_timestamp, std::memory_order_release);
  }
  next_offset_.store(header.last_offset() + 1, std::memory_order_release);
  return Status::OK();
}

bool Segment::ShouldRollForTime(int64_t reference_ms, int64_t now_ms, int64_t segment_ms) const {
  if (log_->Size() == 0) return false;
  int64_t waited =
      first_batch_timestamp_ >= 0 ? reference_ms - first_batch_timestamp_ : now_ms - created_ms_;
  return waited >= segment_ms;
}

Status Segment::SealTimeIndex() {
  int64_t next = next_offset();
  if (next == base_offset_) return Status::OK();
  return time_index_.MaybeAppend(max_timestamp(), next - 1);
}

Status Segment::SyncAll() {
  RETURN_IF_ERROR(log_->Sync());
  RETURN_IF_ERROR(index_.Sync());
  return time_index_.Sync();
}

Status Segment::RemoveFiles() {
  Status result;
  for (std::string_view suffix : {kLogFileSuffix, kIndexFileSuffix, kTimeIndexFileSuffix}) {
    std::string path = PathOf(dir_, base_offset_, suffix);
    Status st = fs_->Remove(path);
    if (!st.ok() && !st.IsNotFound() && result.ok()) result = st;
  }
  return result;
}

Result<int64_t> Segment::Read(int64_t from, int64_t high_watermark, size_t max_bytes,
                              bool min_one_batch, std::vector<uint8_t>* out) const {
  const uint64_t end = readable_bytes();
  const uint64_t pos = index_.Lookup(from).position;
  if (pos >= end) return from;

  // Read once what most likely covers the batches wanted: the scan from the indexed
  // batch to "from" plus max_bytes. Everything is read into "*out" and the batches
  // kept are moved to the front afterwards, so a read is normally a single pread.
  const size_t out_start = out->size();
  size_t buffered = 0;
  auto ensure = [&](uint64_t want) -> Status {  // make [pos, pos + want) buffered
    if (want <= buffered) return Status::OK();
    out->resize(out_start + want);
    ASSIGN_OR_RETURN(size_t n, log_->ReadAt(pos + buffered,
                                            std::span<uint8_t>(out->data() + out_start + buffered,
                                                               want - buffered)));
    if (n != want - buffered) {
      out->resize(out_start + buffered + n);
      return Status::Corruption(log_->path() + ": expected " + std::to_string(end) +
                                " readable bytes, the file ended at " +
                                std::to_string(pos + buffered + n));
    }
    buffered = want;
    return Status::OK();
  };
  auto header_at = [&](uint64_t rel) -> Result<BatchHeader> {
    RETURN_IF_ERROR(ensure(rel + kBatchHeaderSize));
    Result<BatchHeader> h =
        ParseBatchHeader(ByteSpan(out->data() + out_start + rel, kBatchHeaderSize));
    if (!h.ok()) {
      return Status::Corruption("bad batch header at position " + std::to_string(pos + rel) +
                                " of " + log_->path() + ": " + h.status().message());
    }
    return h;
  };
  auto fail = [&](Status st) {
    out->resize(out_start);
    return st;
  };

  const uint64_t available = end - pos;
  constexpr uint64_t kScanAllowance = 64 * 1024;
  const uint64_t first_read = max_bytes >= available
                                  ? available
                                  : std::min<uint64_t>(available, max_bytes + kScanAllowance);
  if (Status st = ensure(first_read); !st.ok()) {
    return fail(st);
  }

  // Find the batch holding "from" (or the first after it).
  uint64_t start = 0;
  while (true) {
    if (start + kBatchHeaderSize > available) {
      out->resize(out_start);
      return from;  // not in this segment's readable part
    }
    Result<BatchHeader> h = header_at(start);
    if (!h.ok()) return fail(h.status());
    if (h->last_offset() >= from) break;
    start += h->total_size();
  }

  // Take whole batches while they fit.
  uint64_t stop = start;
  int64_t next = from;
  while (stop + kBatchHeaderSize <= available) {
    Result<BatchHeader> h = header_at(stop);
    if (!h.ok()) return fail(h.status());
    if (h->base_offset >= high_watermark) break;
    const uint64_t size = h->total_size();
    if (stop + size > available) break;
    const uint64_t taken = stop - start;
    if (taken + size > max_bytes && !(taken == 0 && min_one_batch)) break;
    if (Status st = ensure(stop + size); !st.ok()) return fail(st);
    stop += size;
    next = h->last_offset() + 1;
    if (stop - start >= max_bytes) break;
  }
  if (start > 0 && stop > start) {
    std::memmove(out->data() + out_start, out->data() + out_start + start, stop - start);
  }
  out->resize(out_start + (stop - start));
  return next;
}

Result<std::optional<TimestampOffset>> Segment::FindOffsetForTimestamp(int64_t timestamp_ms,
                                                                       int64_t min_offset,
                                                                       int64_t high_watermark) const {
  const std::optional<TimeIndex::Entry> older = time_index_.LookupBefore(timestamp_ms);
  const int64_t start = std::max(min_offset, older ? older->offset + 1 : base_offset_);
  if (start >= high_watermark) return std::optional<TimestampOffset>();
  BatchScanner scanner(*log_, index_.Lookup(start).position, readable_bytes());
  RecordReader reader;
  std::vector<uint8_t> batch;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<BatchScanner::Batch> next,
                     scanner.Next(BatchScanner::Check::kHeader));
    if (!next) break;
    const BatchHeader& h = next->header;
    if (h.base_offset >= high_watermark) break;
    if (h.last_offset() < start || h.max_timestamp < timestamp_ms) continue;
    // With LogAppendTime every record carries the batch's timestamp.
    if (h.uses_log_append_time()) {
      return std::optional<TimestampOffset>({Offset(std::max(h.base_offset, start)), h.max_timestamp});
    }
    batch.resize(h.total_size());
    ASSIGN_OR_RETURN(size_t n, log_->ReadAt(next->position, batch));
    if (n != batch.size()) {
      return Status::Corruption(log_->path() + ": batch at position " +
                                std::to_string(next->position) + " is cut short");
    }
    RETURN_IF_ERROR(reader.Reset(batch).WithContext(
        "batch at position " + std::to_string(next->position) + " of " + log_->path()));
    Record record;
    while (reader.Next(&record)) {
      if (record.offset >= start && record.offset < high_watermark &&
          record.timestamp >= timestamp_ms) {
        return std::optional<TimestampOffset>({Offset(record.offset), record.timestamp});
      }
    }
    if (!reader.status().ok()) {
      return Status::Corruption("batch at position " + std::to_string(next->position) + " of " +
                                log_->path() + ": " + reader.status().message());
    }
  }
  return std::optional<TimestampOffset>();
}

Status Segment::ScanHeaders(int64_t from_offset,
                            const std::function<void(const BatchHeader&)>& fn) const {
  BatchScanner scanner(*log_, index_.Lookup(from_offset).position, log_->Size());
  while (true) {
    ASSIGN_OR_RETURN(std::optional<BatchScanner::Batch> next,
                     scanner.Next(BatchScanner::Check::kHeader));
    if (!next) return Status::OK();
    if (next->header.base_offset >= from_offset) fn(next->header);
  }
}

Status Segment::ScanHeadersAndControlBatches(
    int64_t from_offset,
    const std::function<void(const BatchHeader&, ByteSpan control_batch)>& fn) const {
  BatchScanner scanner(*log_, index_.Lookup(from_offset).position, log_->Size());
  std::vector<uint8_t> control;
  while (true) {
    ASSIGN_OR_RETURN(std::optional<BatchScanner::Batch> next,
                     scanner.Next(BatchScanner::Check::kHeader));
    if (!next) return Status::OK();
    if (next->header.base_offset < from_offset) continue;
    if (!next->header.is_control()) {
      fn(next->header, ByteSpan());
      continue;
    }
    control.resize(next->header.total_size());
    ASSIGN_OR_RETURN(size_t n, log_->ReadAt(next->position, control));
    if (n != control.size()) {
      return Status::Corruption(log_path() + ": control batch at position " +
                                std::to_string(next->position) + " cut short");
    }
    fn(next->header, control);
  }
}

}  // namespace eddy::log
