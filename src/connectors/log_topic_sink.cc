#include "src/connectors/log_topic_sink.h"

#include <fmt/format.h>

#include <chrono>
#include <future>
#include <optional>

#include "src/connectors/json_encoder.h"
#include "src/connectors/key_partitioner.h"
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

 private:
  struct Target {
    std::shared_ptr<log::Partition> partition;
    log::RecordBatchBuilder builder;
    std::optional<Offset> last_appended;
  };

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
};

Status LogTopicSink::Impl::Open(const engine::SinkContext& context) {
  if (options_.log == nullptr) return Status::InvalidArgument(Name() + ": no log given");
  log::Log& log = *options_.log;
  instance_ = context.instance;
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
    targets_.push_back(Target{std::move(partition), log::RecordBatchBuilder(batch_options), {}});
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
  if (target.builder.record_count() == 0) return Status::OK();
  Result<std::vector<uint8_t>> batch = target.builder.Build();
  target.builder.Clear();
  if (!batch.ok()) return batch.status().WithContext(Name());
  Result<log::AppendResult> appended = target.partition->Append(*batch);
  if (!appended.ok()) {
    return appended.status().WithContext(
        fmt::format("{} partition {}", Name(), target.partition->id().value()));
  }
  target.last_appended = appended->last_offset;
  return Status::OK();
}

Status LogTopicSink::Impl::Finish() {
  for (Target& target : targets_) RETURN_IF_ERROR(Flush(target));
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
uint64_t LogTopicSink::rows_written() const { return impl_->rows_written(); }

engine::SinkFactory MakeLogTopicSink(LogTopicSinkOptions options) {
  auto shared = std::make_shared<const LogTopicSinkOptions>(std::move(options));
  return [shared]() -> Result<std::unique_ptr<engine::Sink>> {
    return std::unique_ptr<engine::Sink>(std::make_unique<LogTopicSink>(*shared));
  };
}

}  // namespace eddy::connectors
