#include "src/connectors/log_topic_sink.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <map>
#include <optional>

#include "src/connectors/json_encoder.h"
#include "src/connectors/key_partitioner.h"
#include "src/log/record_batch.h"
#include "src/log/record_batch_builder.h"

namespace eddy::connectors {

using engine::ChangeKind;

namespace {

// Room left in a batch for its header and the varints around the records.
constexpr size_t kBatchOverheadBytes = 1024;
constexpr auto kDurableTimeout = std::chrono::minutes(2);

}  // namespace

class LogTopicSink::Impl {
 public:
  explicit Impl(LogTopicSinkOptions options) : options_(std::move(options)) {}

  Status Open(const engine::SinkContext& context);
  Status Write(const engine::Batch& batch);
  Status Finish();
  uint64_t rows_written() const { return rows_written_; }
  Result<std::string> PrepareCommit(int64_t checkpoint_id);
  Status Commit(int64_t checkpoint_id);
  Status Recover(const std::vector<std::string>& prepared);
  void Abandon();

 private:
  struct Target {
    std::shared_ptr<log::Partition> partition;
    log::RecordBatchBuilder builder;
    std::optional<Offset> last_appended;
    int32_t next_sequence = 0;  // exactly-once: of the next batch built
  };
  // Exactly-once: a built batch waiting for its checkpoint to complete.
  struct Staged {
    int32_t partition = 0;
    std::vector<uint8_t> bytes;
  };

  Status Append(Target& target, std::span<uint8_t> batch);
  Status WaitDurable();

  Status Prepare(const engine::SchemaRef& schema);
  Status Flush(Target& target);
  std::string Name() const { return "log sink " + options_.topic; }

  LogTopicSinkOptions options_;
  int instance_ = 0;
  std::vector<Target> targets_;
  size_t batch_limit_ = 0;
  engine::SchemaRef schema_;
  std::optional<JsonRowEncoder> encoder_;
  std::vector<size_t> key_columns_;
  std::string key_;    // reused per row
  std::string value_;  // reused per row
  uint64_t rows_written_ = 0;
  // Exactly-once (SinkContext::exactly_once): batches carry this producer id and
  // per-partition sequence numbers, wait in staged_ until a barrier moves them to
  // prepared_, and are appended when that checkpoint completes.
  bool exactly_once_ = false;
  int64_t producer_id_ = -1;
  std::vector<Staged> staged_;
  std::map<int64_t, std::vector<Staged>> prepared_;
};

namespace {

// What PrepareCommit returns and Recover reads back:
//   i64 producer id | i32 count | count x (i32 partition | i64 size | bytes)
std::string EncodePrepared(int64_t producer_id, const std::vector<std::vector<uint8_t>*>& batches,
                           const std::vector<int32_t>& partitions) {
  ByteWriter out;
  out.WriteI64(producer_id);
  out.WriteI32(static_cast<int32_t>(batches.size()));
  for (size_t i = 0; i < batches.size(); ++i) {
    out.WriteI32(partitions[i]);
    out.WriteI64(static_cast<int64_t>(batches[i]->size()));
    out.WriteBytes(ByteSpan(*batches[i]));
  }
  return std::string(AsStringView(ByteSpan(out.buffer())));
}

}  // namespace

Status LogTopicSink::Impl::Open(const engine::SinkContext& context) {
  if (options_.log == nullptr) return Status::InvalidArgument(Name() + ": no log given");
  log::Log& log = *options_.log;
  instance_ = context.instance;
  exactly_once_ = context.exactly_once;
  if (exactly_once_) {
    // A new producer id per run: batches of an earlier run that recovery replays keep
    // theirs, so the log can tell which of them already landed.
    ASSIGN_OR_RETURN(ProducerId id, log.AllocateProducerId());
    producer_id_ = id.value();
  }
  Result<log::TopicInfo> info = log.DescribeTopic(options_.topic);
  if (!info.ok() && info.status().IsNotFound()) {
    log::TopicConfig config = log.options().default_topic_config;
    config.partitions = options_.partitions_if_created;
    Result<log::TopicInfo> created = log.CreateTopic(options_.topic, config);
    // Another instance may have created it meanwhile.
    if (!created.ok() && log::LogErrorOf(created.status()) != log::LogError::kTopicAlreadyExists) {
      return created.status().WithContext(Name() + ": creating the topic");
    }
    info = log.DescribeTopic(options_.topic);
  }
  if (!info.ok()) return info.status().WithContext(Name());
  const size_t max_message = static_cast<size_t>(info->config.max_message_bytes);
  batch_limit_ = std::min(options_.max_batch_bytes, max_message > 2 * kBatchOverheadBytes
                                                        ? max_message - kBatchOverheadBytes
                                                        : max_message / 2);
  log::BatchOptions batch_options;
  batch_options.codec = options_.compression;
  targets_.clear();
  targets_.reserve(static_cast<size_t>(info->config.partitions));
  for (int32_t p = 0; p < info->config.partitions; ++p) {
    ASSIGN_OR_RETURN(std::shared_ptr<log::Partition> partition,
                     log.GetPartition(options_.topic, PartitionId(p)));
    targets_.push_back(Target{std::move(partition), log::RecordBatchBuilder(batch_options), {}, 0});
  }
  return Status::OK();
}

Status LogTopicSink::Impl::Prepare(const engine::SchemaRef& schema) {
  Result<JsonRowEncoder> encoder =
      JsonRowEncoder::Make(schema, JsonEncoderOptions{options_.encode_changes});
  if (!encoder.ok()) return encoder.status().WithContext(Name());
  key_columns_.clear();
  for (const std::string& name : options_.key_columns) {
    Result<size_t> c = schema->IndexOf(name);
    if (!c.ok()) return c.status().WithContext(Name() + " key");
    key_columns_.push_back(*c);
  }
  encoder_.emplace(std::move(encoder).value());
  schema_ = schema;
  return Status::OK();
}

Status LogTopicSink::Impl::Write(const engine::Batch& batch) {
  if (targets_.empty()) return Status::FailedPrecondition(Name() + ": Write before Open");
  if (batch.empty()) return Status::OK();
  if (schema_ != batch.schema() && (schema_ == nullptr || !(*schema_ == *batch.schema()))) {
    RETURN_IF_ERROR(Prepare(batch.schema()));
  }
  const bool keyed = !key_columns_.empty();
  const int num_partitions = static_cast<int>(targets_.size());
  const int unkeyed_partition = instance_ % num_partitions;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    const ChangeKind kind = batch.change(row);
    bool tombstone = false;
    if (!options_.encode_changes && kind != ChangeKind::kInsert) {
      if (!keyed) {
        return Status::InvalidArgument(
            fmt::format("{}: got a {} row, but the sink has neither key columns (for upserts) nor "
                        "encode_changes (for a changelog)",
                        Name(), engine::ChangeKindName(kind)));
      }
      if (kind == ChangeKind::kUpdateBefore) continue;  // the +U that follows replaces it
      tombstone = kind == ChangeKind::kDelete;
    }
    std::optional<ByteSpan> key;
    int partition = unkeyed_partition;
    if (keyed) {
      key_.clear();
      encoder_->AppendColumns(batch, row, key_columns_, key_);
      key = AsBytes(key_);
      partition = PartitionForKey(*key, num_partitions);
    }
    std::optional<ByteSpan> value;
    if (!tombstone) {
      value_.clear();
      encoder_->AppendRow(batch, row, value_);
      value = AsBytes(value_);
    }
    Target& target = targets_[static_cast<size_t>(partition)];
    target.builder.Add(batch.event_time(row), key, value);
    ++rows_written_;
    if (target.builder.records_bytes() >= batch_limit_) RETURN_IF_ERROR(Flush(target));
  }
  for (Target& target : targets_) RETURN_IF_ERROR(Flush(target));
  return Status::OK();
}

Status LogTopicSink::Impl::Flush(Target& target) {
  const int32_t records = target.builder.record_count();
  if (records == 0) return Status::OK();
  if (exactly_once_) {
    target.builder.SetProducer(producer_id_, 0, target.next_sequence);
    target.next_sequence += records;
  }
  Result<std::vector<uint8_t>> batch = target.builder.Build();
  target.builder.Clear();
  if (!batch.ok()) return batch.status().WithContext(Name());
  if (exactly_once_) {
    staged_.push_back(Staged{target.partition->id().value(), std::move(batch).value()});
    return Status::OK();
  }
  return Append(target, *batch);
}

Status LogTopicSink::Impl::Append(Target& target, std::span<uint8_t> batch) {
  Result<log::AppendResult> appended = target.partition->Append(batch);
  if (!appended.ok()) {
    return appended.status().WithContext(
        fmt::format("{} partition {}", Name(), target.partition->id().value()));
  }
  target.last_appended = appended->last_offset;
  return Status::OK();
}

Result<std::string> LogTopicSink::Impl::PrepareCommit(int64_t checkpoint_id) {
  for (Target& target : targets_) RETURN_IF_ERROR(Flush(target));
  // What earlier checkpoints committed must be durable before this one can complete:
  // a crash would otherwise lose appends that no later checkpoint holds any more.
  RETURN_IF_ERROR(WaitDurable());
  std::vector<std::vector<uint8_t>*> batches;
  std::vector<int32_t> partitions;
  // Prepared but not yet committed batches of earlier checkpoints go in too (a
  // checkpoint may have been aborted): recovery replays all of them, skipping those
  // that landed.
  for (auto& [id, list] : prepared_) {
    for (Staged& s : list) {
      batches.push_back(&s.bytes);
      partitions.push_back(s.partition);
    }
  }
  for (Staged& s : staged_) {
    batches.push_back(&s.bytes);
    partitions.push_back(s.partition);
  }
  std::string encoded = EncodePrepared(producer_id_, batches, partitions);
  if (!staged_.empty()) {
    std::vector<Staged>& list = prepared_[checkpoint_id];
    for (Staged& s : staged_) list.push_back(std::move(s));
    staged_.clear();
  }
  return encoded;
}

Status LogTopicSink::Impl::Commit(int64_t checkpoint_id) {
  while (!prepared_.empty() && prepared_.begin()->first <= checkpoint_id) {
    for (Staged& s : prepared_.begin()->second) {
      RETURN_IF_ERROR(Append(targets_[static_cast<size_t>(s.partition)], s.bytes));
    }
    prepared_.erase(prepared_.begin());
  }
  return Status::OK();
}

Status LogTopicSink::Impl::Recover(const std::vector<std::string>& prepared) {
  for (const std::string& blob : prepared) {
    ByteReader in(AsBytes(blob));
    const ProducerId producer(in.ReadI64());
    const int32_t count = in.ReadI32();
    uint64_t appended = 0, skipped = 0;
    for (int32_t i = 0; i < count && in.ok(); ++i) {
      const int32_t partition = in.ReadI32();
      const int64_t size = in.ReadI64();
      if (size < 0 || static_cast<uint64_t>(size) > in.remaining()) break;
      ByteSpan bytes = in.ReadBytes(static_cast<size_t>(size));
      if (partition < 0 || static_cast<size_t>(partition) >= targets_.size()) {
        return Status::Corruption(
            fmt::format("{}: checkpointed output for partition {}, but the "
                        "topic has {}",
                        Name(), partition, targets_.size()));
      }
      Target& target = targets_[static_cast<size_t>(partition)];
      ASSIGN_OR_RETURN(log::BatchHeader header, log::ParseBatchHeader(bytes));
      const std::optional<int32_t> last = target.partition->LastSequence(producer);
      if (last && header.last_sequence() <= *last) {
        ++skipped;  // committed before the crash
        continue;
      }
      std::vector<uint8_t> copy(bytes.begin(), bytes.end());
      RETURN_IF_ERROR(Append(target, copy));
      ++appended;
    }
    if (!in.ok()) {
      return Status::Corruption(Name() +
                                ": checkpointed output is damaged: " + in.status().message());
    }
    if (appended > 0) {
      spdlog::info(
          "{}: recovery appended {} batch(es) of a complete checkpoint that had not "
          "landed yet ({} had)",
          Name(), appended, skipped);
    }
  }
  return WaitDurable();
}

void LogTopicSink::Impl::Abandon() {
  staged_.clear();
  prepared_.clear();
  for (Target& target : targets_) target.builder.Clear();
}

Status LogTopicSink::Impl::Finish() {
  for (Target& target : targets_) RETURN_IF_ERROR(Flush(target));
  if (exactly_once_) {
    // The end of the input: everything held becomes visible, after what was prepared.
    std::vector<Staged>& last = prepared_[INT64_MAX];
    for (Staged& s : staged_) last.push_back(std::move(s));
    staged_.clear();
    RETURN_IF_ERROR(Commit(INT64_MAX));
  }
  return WaitDurable();
}

Status LogTopicSink::Impl::WaitDurable() {
  for (Target& target : targets_) {
    if (!target.last_appended) continue;
    auto done = std::make_shared<std::promise<Status>>();
    std::future<Status> result = done->get_future();
    target.partition->WhenDurable(*target.last_appended,
                                  [done](Status st) { done->set_value(std::move(st)); });
    if (result.wait_for(kDurableTimeout) != std::future_status::ready) {
      return Status::TimedOut(fmt::format("{} partition {}: not durable after {} s", Name(),
                                          target.partition->id().value(),
                                          std::chrono::seconds(kDurableTimeout).count()));
    }
    Status st = result.get();
    if (!st.ok()) {
      return st.WithContext(fmt::format("{} partition {}", Name(), target.partition->id().value()));
    }
  }
  return Status::OK();
}

LogTopicSink::LogTopicSink(LogTopicSinkOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}
LogTopicSink::~LogTopicSink() = default;
Status LogTopicSink::Open(const engine::SinkContext& context) { return impl_->Open(context); }
Status LogTopicSink::Write(const engine::Batch& batch) { return impl_->Write(batch); }
Status LogTopicSink::Finish() { return impl_->Finish(); }
Result<std::string> LogTopicSink::PrepareCommit(int64_t checkpoint_id) {
  return impl_->PrepareCommit(checkpoint_id);
}
Status LogTopicSink::Commit(int64_t checkpoint_id) { return impl_->Commit(checkpoint_id); }
Status LogTopicSink::Recover(int64_t, const std::vector<std::string>& prepared) {
  return impl_->Recover(prepared);
}
void LogTopicSink::Abandon() { impl_->Abandon(); }
uint64_t LogTopicSink::rows_written() const { return impl_->rows_written(); }

engine::SinkFactory MakeLogTopicSink(LogTopicSinkOptions options) {
  auto shared = std::make_shared<const LogTopicSinkOptions>(std::move(options));
  return [shared]() -> Result<std::unique_ptr<engine::Sink>> {
    return std::unique_ptr<engine::Sink>(std::make_unique<LogTopicSink>(*shared));
  };
}

}  // namespace eddy::connectors
