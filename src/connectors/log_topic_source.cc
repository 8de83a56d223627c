#include "src/connectors/log_topic_source.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include "src/connectors/dead_letter_log.h"
#include "src/connectors/json_decoder.h"
#include "src/engine/watermark_tracker.h"
#include "src/log/record_batch.h"
#include "src/log/record_batch_builder.h"

namespace eddy::connectors {

using engine::EventTimeMs;

namespace {

constexpr int64_t kNoEnd = std::numeric_limits<int64_t>::max();
// Dead letters are appended in batches of about this many bytes (well under the
// default max.message.bytes of a topic).
constexpr size_t kDeadLetterBatchBytes = 256 * 1024;

// One owned partition: where reading stands, and the batches of the last read.
struct Cursor {
  std::shared_ptr<log::Partition> partition;
  int split = 0;                // this partition's index in the watermark tracker
  int64_t next_offset = 0;      // the next record to produce
  int64_t end_offset = kNoEnd;  // bounded: the high watermark at Open
  bool ended = false;
  std::vector<uint8_t> bytes;                    // the last read's whole batches
  size_t batch_pos = 0;                          // the next unread batch in `bytes`
  bool in_batch = false;                         // `reader` holds a batch with records left
  log::RecordReader reader;                      // points into `bytes`
  log::Record record;                            // reused for every record
  std::vector<log::AbortedTransaction> aborted;  // of the last read (read_committed)
};

// What a Watch callback sets; shared because a watch may fire after Unwatch returned.
struct WakeSignal {
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
};

}  // namespace

class LogTopicSource::Impl {
 public:
  explicit Impl(LogTopicSourceOptions options)
      : options_(std::move(options)), dead_letters_("log source " + options_.topic) {}

  Status Open(const engine::SourceContext& context);
  Result<engine::SourceState> Poll(engine::Batch& out, size_t max_rows, int max_wait_ms);
  void Close();

  const LogTopicSourceOptions& options() const { return options_; }
  const engine::WatermarkTracker* tracker() const { return tracker_.get(); }
  const std::vector<std::unique_ptr<Cursor>>& cursors() const { return cursors_; }
  engine::SourceCounters counters() const { return counters_; }
  std::vector<checkpoint::SplitPosition> SnapshotPositions() const;
  Status RestorePositions(const std::vector<checkpoint::SplitPosition>& positions);

 private:
  // Produces records of `c` into `out` until it holds max_rows, reading from the
  // partition at most once. Returns whether it consumed anything (rows, dead letters,
  // skipped control batches); `max_event_time` grows to the rows' latest event time.
  Result<bool> Fill(Cursor& c, engine::Batch& out, size_t max_rows, EventTimeMs& max_event_time);
  Status Read(Cursor& c);
  // A batch of a transaction that was aborted (listed by the last read).
  static bool Aborted(const Cursor& c, const log::BatchHeader& header);
  void Decode(Cursor& c, engine::Batch& out, EventTimeMs& max_event_time);
  void DeadLetter(const Cursor& c, const log::Record& record, const Status& reason);
  Status FlushDeadLetters();
  Result<std::shared_ptr<log::Partition>> DeadLetterPartition();
  void WaitForAppends(int max_wait_ms);
  std::string Where(const Cursor& c) const {
    return fmt::format("topic {} partition {}", options_.topic, c.partition->id().value());
  }

  LogTopicSourceOptions options_;
  std::optional<JsonRowDecoder> decoder_;
  const Clock* clock_ = SystemClock::Default();
  bool bounded_ = false;
  std::vector<std::unique_ptr<Cursor>> cursors_;
  std::unique_ptr<engine::WatermarkTracker> tracker_;
  size_t next_cursor_ = 0;  // where the next Poll starts, rotating for fairness
  engine::SourceCounters counters_;
  DeadLetterLog dead_letters_;
  log::RecordBatchBuilder dead_letter_batch_;
  std::shared_ptr<log::Partition> dead_letter_partition_;
  Status dead_letter_error_;  // a failed append of dead letters, reported by Poll
};

Status LogTopicSource::Impl::Open(const engine::SourceContext& context) {
  if (options_.log == nullptr) {
    return Status::InvalidArgument("log source " + options_.topic + ": no log given");
  }
  if (options_.schema == nullptr) {
    return Status::InvalidArgument("log source " + options_.topic + ": no schema given");
  }
  if (options_.dead_letter_topic == options_.topic) {
    // Its bad records would come back as input, again and again.
    return Status::InvalidArgument("log source " + options_.topic +
                                   ": the dead-letter topic must not be the topic read");
  }
  Result<JsonRowDecoder> decoder =
      JsonRowDecoder::Make(options_.schema, JsonDecoderOptions{options_.event_time_field});
  if (!decoder.ok()) return decoder.status().WithContext("log source " + options_.topic);
  decoder_.emplace(std::move(decoder).value());
  clock_ = context.clock;
  bounded_ = context.bounded;

  Result<log::TopicInfo> info = options_.log->DescribeTopic(options_.topic);
  if (!info.ok()) {
    if (info.status().IsNotFound()) {
      return Status::NotFound(
          fmt::format("log source: topic \"{}\" does not exist", options_.topic));
    }
    return info.status().WithContext("log source " + options_.topic);
  }
  const int parallelism = std::max(context.parallelism, 1);
  for (int32_t p = 0; p < info->config.partitions; ++p) {
    if (p % parallelism != context.instance) continue;
    ASSIGN_OR_RETURN(std::shared_ptr<log::Partition> partition,
                     options_.log->GetPartition(options_.topic, PartitionId(p)));
    auto c = std::make_unique<Cursor>();
    c->split = static_cast<int>(cursors_.size());
    // Only committed data is read (read_committed): the end is the last stable offset.
    const int64_t high = partition->last_stable_offset().value();
    c->next_offset =
        options_.start == StartPosition::kEarliest ? partition->log_start_offset().value() : high;
    if (context.bounded) c->end_offset = high;
    c->partition = std::move(partition);
    cursors_.push_back(std::move(c));
  }
  tracker_ = std::make_unique<engine::WatermarkTracker>(static_cast<int>(cursors_.size()),
                                                        options_.max_out_of_orderness_ms,
                                                        options_.idle_timeout_ms);
  for (auto& c : cursors_) {
    if (c->next_offset >= c->end_offset) {
      c->ended = true;
      tracker_->MarkEnded(c->split);
    }
  }
  tracker_->Advance(clock_->NowMs());
  return Status::OK();
}

static std::string SplitName(const std::string& topic, PartitionId partition) {
  return topic + "/" + std::to_string(partition.value());
}

std::vector<checkpoint::SplitPosition> LogTopicSource::Impl::SnapshotPositions() const {
  std::vector<checkpoint::SplitPosition> positions;
  for (const auto& c : cursors_) {
    ByteWriter state;
    state.WriteI64(c->next_offset);
    state.WriteI64(tracker_->max_event_time(c->split));
    positions.push_back({SplitName(options_.topic, c->partition->id()),
                         std::string(AsStringView(ByteSpan(state.buffer())))});
  }
  return positions;
}

Status LogTopicSource::Impl::RestorePositions(
    const std::vector<checkpoint::SplitPosition>& positions) {
  const int64_t now = clock_->NowMs();
  for (auto& c : cursors_) {
    const std::string name = SplitName(options_.topic, c->partition->id());
    auto it = std::find_if(positions.begin(), positions.end(),
                           [&](const auto& p) { return p.split == name; });
    if (it == positions.end()) continue;  // a partition added since: read it from the start
    ByteReader in(AsBytes(it->state));
    const int64_t next_offset = in.ReadI64();
    const EventTimeMs max_event_time = in.ReadI64();
    if (!in.ok() || next_offset < 0) {
      return Status::Corruption("log source: the checkpointed position of " + name + " is damaged");
    }
    c->next_offset = next_offset;
    c->bytes.clear();
    c->batch_pos = 0;
    c->in_batch = false;
    if (max_event_time > engine::kMinWatermark) tracker_->Observe(c->split, max_event_time, now);
    if (c->next_offset >= c->end_offset && !c->ended) {
      c->ended = true;
      tracker_->MarkEnded(c->split);
    }
  }
  tracker_->Advance(now);
  return Status::OK();
}

Result<engine::SourceState> LogTopicSource::Impl::Poll(engine::Batch& out, size_t max_rows,
                                                       int max_wait_ms) {
  if (tracker_ == nullptr) return Status::FailedPrecondition("log source: Poll before Open");
  const size_t n = cursors_.size();
  auto all_ended = [&] {
    return std::all_of(cursors_.begin(), cursors_.end(), [](const auto& c) { return c->ended; });
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool progressed = false;
    const int64_t now = clock_->NowMs();
    for (size_t k = 0; k < n && out.num_rows() < max_rows; ++k) {
      Cursor& c = *cursors_[(next_cursor_ + k) % n];
      if (c.ended) continue;
      EventTimeMs max_event_time = engine::kMinWatermark;
      const size_t rows_before = out.num_rows();
      ASSIGN_OR_RETURN(bool moved, Fill(c, out, max_rows, max_event_time));
      progressed |= moved;
      if (out.num_rows() > rows_before) tracker_->Observe(c.split, max_event_time, now);
      if (c.ended) tracker_->MarkEnded(c.split);
    }
    if (n > 0) next_cursor_ = (next_cursor_ + 1) % n;
    if (progressed || all_ended() || max_wait_ms <= 0 || attempt == 1) break;
    WaitForAppends(max_wait_ms);
  }
  RETURN_IF_ERROR(FlushDeadLetters());
  tracker_->Advance(clock_->NowMs());
  // Unbounded, an instance without partitions stays (its watermark does not hold the
  // others back): a task that ended would stop the job's checkpoints.
  if (cursors_.empty() && !bounded_) return engine::SourceState::kMore;
  return all_ended() ? engine::SourceState::kEnd : engine::SourceState::kMore;
}

Result<bool> LogTopicSource::Impl::Fill(Cursor& c, engine::Batch& out, size_t max_rows,
                                        EventTimeMs& max_event_time) {
  bool moved = false;
  bool did_read = false;
  while (out.num_rows() < max_rows) {
    if (c.in_batch) {
      if (!c.reader.Next(&c.record)) {
        if (!c.reader.status().ok()) return c.reader.status().WithContext(Where(c));
        c.in_batch = false;
        continue;
      }
      const int64_t offset = c.record.offset;
      if (offset < c.next_offset) continue;  // before the start of this read
      if (offset >= c.end_offset) {
        // Bounded: appended after Open. Drop the rest of what was read.
        c.in_batch = false;
        c.bytes.clear();
        c.batch_pos = 0;
        break;
      }
      c.next_offset = offset + 1;
      moved = true;
      Decode(c, out, max_event_time);
      continue;
    }
    if (c.batch_pos < c.bytes.size()) {
      log::BatchIterator batches(ByteSpan(c.bytes).subspan(c.batch_pos));
      Result<ByteSpan> batch = batches.Next();
      if (!batch.ok()) return batch.status().WithContext(Where(c));
      if (batch->empty()) {  // a partial batch: reads return whole batches, so never
        c.bytes.clear();
        c.batch_pos = 0;
        continue;
      }
      c.batch_pos += batches.position();
      ASSIGN_OR_RETURN(log::BatchHeader header, log::ParseBatchHeader(*batch));
      if (header.last_offset() < c.next_offset) continue;
      if (header.is_control() || (header.is_transactional() && Aborted(c, header))) {
        // Transaction markers, and batches of transactions their producers aborted.
        c.next_offset = std::max(c.next_offset, header.last_offset() + 1);
        moved = true;
        continue;
      }
      Status st = c.reader.Reset(*batch);
      if (!st.ok()) {
        return st.WithContext(fmt::format("{} batch at offset {}", Where(c), header.base_offset));
      }
      c.in_batch = true;
      continue;
    }
    if (did_read || c.next_offset >= c.end_offset) break;
    did_read = true;
    RETURN_IF_ERROR(Read(c));
    if (c.bytes.empty()) break;
  }
  if (c.next_offset >= c.end_offset) c.ended = true;
  return moved;
}

Status LogTopicSource::Impl::Read(Cursor& c) {
  log::ReadOptions read_options;
  read_options.max_bytes = options_.read_max_bytes;
  read_options.isolation = log::Isolation::kReadCommitted;
  Result<log::ReadResult> r = c.partition->Read(Offset(c.next_offset), read_options);
  if (!r.ok() && log::LogErrorOf(r.status()) == log::LogError::kOffsetOutOfRange) {
    const int64_t start = c.partition->log_start_offset().value();
    if (c.next_offset < start) {
      // Retention deleted records this source had not read yet: go on from what is left.
      spdlog::warn("log source {}: records {} to {} were deleted before they were read", Where(c),
                   c.next_offset, start - 1);
      c.next_offset = start;
      r = c.partition->Read(Offset(c.next_offset), read_options);
    }
  }
  if (!r.ok()) {
    return r.status().WithContext(
        fmt::format("log source {} at offset {}", Where(c), c.next_offset));
  }
  c.bytes = std::move(r->bytes);
  c.batch_pos = 0;
  c.aborted = std::move(r->aborted_transactions);
  return Status::OK();
}

bool LogTopicSource::Impl::Aborted(const Cursor& c, const log::BatchHeader& header) {
  for (const log::AbortedTransaction& t : c.aborted) {
    if (t.producer_id.value() == header.producer_id &&
        t.first_offset.value() <= header.base_offset &&
        header.base_offset < t.last_offset.value()) {
      return true;
    }
  }
  return false;
}

void LogTopicSource::Impl::Decode(Cursor& c, engine::Batch& out, EventTimeMs& max_event_time) {
  const log::Record& record = c.record;
  if (!record.value) {
    DeadLetter(c, record, Status::InvalidArgument("null value (a tombstone), not a JSON object"));
    return;
  }
  const ByteSpan value = *record.value;
  // Values inside the read buffer can be parsed in place when enough of the buffer
  // follows them; values in a decompression buffer (unknown extent) are copied.
  size_t readable = value.size();
  const auto begin = reinterpret_cast<uintptr_t>(c.bytes.data());
  const auto end = begin + c.bytes.size();
  const auto at = reinterpret_cast<uintptr_t>(value.data());
  if (at >= begin && at + value.size() <= end) readable = end - at;
  Status st = decoder_->DecodePadded(AsStringView(value), readable, out, record.timestamp);
  if (!st.ok()) {
    DeadLetter(c, record, st);
    return;
  }
  ++counters_.records_in;
  max_event_time = std::max(max_event_time, out.event_times().back());
}

void LogTopicSource::Impl::DeadLetter(const Cursor& c, const log::Record& record,
                                      const Status& reason) {
  ++counters_.dead_letters;
  dead_letters_.Report(
      fmt::format("partition {} offset {}", c.partition->id().value(), record.offset),
      reason.message());
  if (options_.dead_letter_topic.empty()) return;
  const std::string partition = std::to_string(c.partition->id().value());
  const std::string offset = std::to_string(record.offset);
  const std::vector<log::RecordHeader> headers = {
      {"eddy.error", AsBytes(reason.message())},
      {"eddy.topic", AsBytes(options_.topic)},
      {"eddy.partition", AsBytes(partition)},
      {"eddy.offset", AsBytes(offset)},
  };
  dead_letter_batch_.Add(record.timestamp, record.key, record.value, headers);
  if (dead_letter_batch_.records_bytes() >= kDeadLetterBatchBytes) {
    Status st = FlushDeadLetters();
    if (!st.ok() && dead_letter_error_.ok()) dead_letter_error_ = st;
  }
}

Result<std::shared_ptr<log::Partition>> LogTopicSource::Impl::DeadLetterPartition() {
  if (dead_letter_partition_) return dead_letter_partition_;
  const std::string& name = options_.dead_letter_topic;
  Result<std::shared_ptr<log::Partition>> p = options_.log->GetPartition(name, PartitionId(0));
  if (!p.ok() && p.status().IsNotFound()) {
    log::TopicConfig config = options_.log->options().default_topic_config;
    config.partitions = 1;
    Result<log::TopicInfo> created = options_.log->CreateTopic(name, config);
    // Another instance may have created it meanwhile.
    if (!created.ok() && log::LogErrorOf(created.status()) != log::LogError::kTopicAlreadyExists) {
      return created.status().WithContext("creating dead-letter topic " + name);
    }
    p = options_.log->GetPartition(name, PartitionId(0));
  }
  if (!p.ok()) return p.status().WithContext("dead-letter topic " + name);
  dead_letter_partition_ = *p;
  return dead_letter_partition_;
}

Status LogTopicSource::Impl::FlushDeadLetters() {
  if (!dead_letter_error_.ok()) return dead_letter_error_;
  if (dead_letter_batch_.record_count() == 0) return Status::OK();
  ASSIGN_OR_RETURN(std::shared_ptr<log::Partition> partition, DeadLetterPartition());
  Result<std::vector<uint8_t>> batch = dead_letter_batch_.Build();
  dead_letter_batch_.Clear();
  if (!batch.ok()) return batch.status().WithContext("dead letters of " + options_.topic);
  Result<log::AppendResult> appended = partition->Append(*batch);
  if (!appended.ok()) {
    return appended.status().WithContext("appending dead letters to topic " +
                                         options_.dead_letter_topic);
  }
  return Status::OK();
}

void LogTopicSource::Impl::WaitForAppends(int max_wait_ms) {
  auto signal = std::make_shared<WakeSignal>();
  std::vector<std::pair<log::Partition*, log::WatchId>> watches;
  for (const auto& c : cursors_) {
    if (c->ended) continue;
    // Data held back behind an open transaction: wait for the next append (its marker).
    const int64_t from = std::max(c->next_offset, c->partition->high_watermark().value());
    watches.emplace_back(c->partition.get(), c->partition->Watch(Offset(from), [signal] {
      {
        std::lock_guard lock(signal->mu);
        signal->woken = true;
      }
      signal->cv.notify_all();
    }));
  }
  if (watches.empty()) {
    // No partition to watch (an instance beyond the partition count): just pace Poll.
    std::this_thread::sleep_for(std::chrono::milliseconds(max_wait_ms));
    return;
  }
  {
    std::unique_lock lock(signal->mu);
    signal->cv.wait_for(lock, std::chrono::milliseconds(max_wait_ms),
                        [&] { return signal->woken; });
  }
  for (const auto& [partition, id] : watches) partition->Unwatch(id);
}

void LogTopicSource::Impl::Close() {
  Status st = FlushDeadLetters();
  if (!st.ok()) spdlog::error("log source {}: {}", options_.topic, st.ToString());
  dead_letters_.LogSummary();
  for (auto& c : cursors_) c->bytes.clear();
}

LogTopicSource::LogTopicSource(LogTopicSourceOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
LogTopicSource::~LogTopicSource() = default;

engine::SchemaRef LogTopicSource::schema() const { return impl_->options().schema; }

Status LogTopicSource::Open(const engine::SourceContext& context) { return impl_->Open(context); }

Result<engine::SourceState> LogTopicSource::Poll(engine::Batch& out, size_t max_rows,
                                                 int max_wait_ms) {
  return impl_->Poll(out, max_rows, max_wait_ms);
}

engine::EventTimeMs LogTopicSource::watermark() const {
  return impl_->tracker() ? impl_->tracker()->current() : engine::kMinWatermark;
}

bool LogTopicSource::idle() const { return impl_->tracker() && impl_->tracker()->idle(); }

engine::SourceCounters LogTopicSource::counters() const { return impl_->counters(); }

void LogTopicSource::Close() { impl_->Close(); }

Result<std::vector<checkpoint::SplitPosition>> LogTopicSource::SnapshotPositions() {
  if (impl_->tracker() == nullptr) return Status::FailedPrecondition("log source: not open");
  return impl_->SnapshotPositions();
}

Status LogTopicSource::RestorePositions(const std::vector<checkpoint::SplitPosition>& positions) {
  if (impl_->tracker() == nullptr) return Status::FailedPrecondition("log source: not open");
  return impl_->RestorePositions(positions);
}

std::vector<PartitionId> LogTopicSource::partitions() const {
  std::vector<PartitionId> ids;
  for (const auto& c : impl_->cursors()) ids.push_back(c->partition->id());
  return ids;
}

Offset LogTopicSource::position(size_t i) const { return Offset(impl_->cursors()[i]->next_offset); }

engine::SourceFactory MakeLogTopicSource(LogTopicSourceOptions options) {
  auto shared = std::make_shared<const LogTopicSourceOptions>(std::move(options));
  return [shared]() -> Result<std::unique_ptr<engine::Source>> {
    return std::unique_ptr<engine::Source>(std::make_unique<LogTopicSource>(*shared));
  };
}

}  // namespace eddy::connectors
