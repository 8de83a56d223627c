#include "src/nexmark/nexmark_topics.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

#include "src/log/log_error.h"
#include "src/log/record_batch_builder.h"
#include "src/nexmark/nexmark_json.h"

namespace eddy::nexmark {
namespace {

constexpr int64_t kProgressEvery = 1 << 16;
// Large batches make appends cheap; the topic's max.message.bytes caps them.
constexpr size_t kTargetBatchBytes = 512 * 1024;
// Room for the batch header and the last record's framing under max.message.bytes.
constexpr size_t kBatchOverhead = 1024;

struct PartitionWriter {
  std::shared_ptr<log::Partition> partition;
  log::RecordBatchBuilder builder;
  std::optional<Offset> last_offset;
};

struct TopicWriter {
  std::string name;
  std::vector<PartitionWriter> partitions;
  size_t batch_bytes = kTargetBatchBytes;
};

// Creates the topic if missing (retention.ms = -1), or checks that the existing one is
// empty and keeps its events (retention.ms = -1); opens its partitions.
Status PrepareTopic(log::Log& log, const std::string& name, int partitions, TopicWriter* out) {
  out->name = name;
  Result<log::TopicInfo> described = log.DescribeTopic(name);
  log::TopicInfo info;
  if (described.ok()) {
    info = *described;
    if (info.config.retention_ms >= 0) {
      log::TopicConfig config = info.config;
      config.retention_ms = -1;
      RETURN_IF_ERROR(log.AlterTopic(name, config).WithContext("topic " + name));
      spdlog::info("nexmark: set retention.ms=-1 on existing topic {}", name);
    }
  } else if (log::LogErrorOf(described.status()) == log::LogError::kUnknownTopicOrPartition) {
    log::TopicConfig config = log.options().default_topic_config;
    config.partitions = partitions;
    config.retention_ms = -1;
    ASSIGN_OR_RETURN(info, log.CreateTopic(name, config));
  } else {
    return described.status().WithContext("topic " + name);
  }
  out->batch_bytes = std::min(
      kTargetBatchBytes,
      static_cast<size_t>(std::max<int32_t>(info.config.max_message_bytes - kBatchOverhead, 4096)));
  out->partitions.resize(static_cast<size_t>(info.config.partitions));
  for (int32_t p = 0; p < info.config.partitions; ++p) {
    ASSIGN_OR_RETURN(out->partitions[static_cast<size_t>(p)].partition,
                     log.GetPartition(name, PartitionId(p)));
    const log::Partition& partition = *out->partitions[static_cast<size_t>(p)].partition;
    if (partition.log_end_offset() > partition.log_start_offset()) {
      return Status::FailedPrecondition(
          "topic " + name + " partition " + std::to_string(p) + " already holds records (offsets " +
          std::to_string(partition.log_start_offset().value()) + ".." +
          std::to_string(partition.log_end_offset().value() - 1) +
          "); delete the nexmark-* topics first (eddy topics delete NAME --data-dir DIR)");
    }
  }
  return Status::OK();
}

Status Flush(const std::string& topic, PartitionWriter& writer, NexmarkWriteStats* stats) {
  if (writer.builder.record_count() == 0) return Status::OK();
  ASSIGN_OR_RETURN(std::vector<uint8_t> batch, writer.builder.Build());
  writer.builder.Clear();
  Result<log::AppendResult> appended = writer.partition->Append(batch);
  if (!appended.ok()) {
    return appended.status().WithContext("append to " + topic + " partition " +
                                         std::to_string(writer.partition->id().value()));
  }
  writer.last_offset = appended->last_offset;
  stats->batch_bytes += static_cast<int64_t>(batch.size());
  return Status::OK();
}

// Waits until every partition written is durable (and so readable) under the log's policy.
Status WaitDurable(std::vector<TopicWriter>& topics) {
  std::mutex mu;
  std::condition_variable cv;
  int pending = 0;
  Status first_error;
  for (TopicWriter& topic : topics) {
    for (PartitionWriter& writer : topic.partitions) {
      if (!writer.last_offset) continue;
      {
        std::lock_guard lock(mu);
        ++pending;
      }
      std::string where = topic.name + "/" + std::to_string(writer.partition->id().value());
      writer.partition->WhenDurable(*writer.last_offset, [&, where](Status status) {
        std::lock_guard lock(mu);
        if (!status.ok() && first_error.ok()) first_error = status.WithContext(where);
        if (--pending == 0) cv.notify_all();
      });
    }
  }
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return pending == 0; });
  return first_error;
}


}  // namespace

Result<NexmarkWriteStats> WriteNexmarkTopics(log::Log& log, const GeneratorConfig& config,
                                             int partitions, const NexmarkProgressFn& progress) {
  RETURN_IF_ERROR(config.Validate());
  if (partitions < 1) {
    return Status::InvalidArgument("nexmark: partitions must be at least 1, not " +
                                   std::to_string(partitions));
  }
  std::vector<TopicWriter> topics(std::size(kAllStreams));
  for (NexmarkStream stream : kAllStreams) {
    RETURN_IF_ERROR(PrepareTopic(log, std::string(TopicName(stream)), partitions,
                                 &topics[static_cast<size_t>(stream)]));
  }
  const Generator generator(config);
  NexmarkWriteStats stats;
  Status status;
  ForEachEventJson(generator, [&](NexmarkStream stream, int64_t k, int64_t time,
                                  std::string_view json) {
    TopicWriter& topic = topics[static_cast<size_t>(stream)];
    PartitionWriter& writer =
        topic.partitions[static_cast<size_t>(k % static_cast<int64_t>(topic.partitions.size()))];
    writer.builder.Add(time, std::nullopt, AsBytes(json));
    if (writer.builder.records_bytes() >= topic.batch_bytes) {
      status = Flush(topic.name, writer, &stats);
      if (!status.ok()) return false;
    }
    stats.Count(stream, json.size());
    if (progress && stats.events() % kProgressEvery == 0) progress(stats);
    return true;
  });
  RETURN_IF_ERROR(status);
  for (TopicWriter& topic : topics) {
    for (PartitionWriter& writer : topic.partitions) {
      RETURN_IF_ERROR(Flush(topic.name, writer, &stats));
    }
  }
  RETURN_IF_ERROR(WaitDurable(topics));
  if (progress) progress(stats);
  return stats;
}

void NexmarkWriteStats::Count(NexmarkStream stream, size_t value_bytes) {
  switch (stream) {
    case NexmarkStream::kPerson:
      ++persons;
      break;
    case NexmarkStream::kAuction:
      ++auctions;
      break;
    case NexmarkStream::kBid:
      ++bids;
      break;
  }
  this->value_bytes += static_cast<int64_t>(value_bytes);
}

}  // namespace eddy::nexmark
