// CreateTopics: one broker, so the replication factor is 1 (or -1, the default) and
// replica assignments may only name this broker.

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/create_topics.h"
#include "src/log/log.h"

namespace eddy::kafka {
namespace {

/// Checks and builds the configuration of one requested topic; returns an error
/// code with a message, or fills "*config".
ErrorCode PrepareTopic(const Broker::Impl& broker, const CreateTopicsRequest::CreatableTopic& topic,
                       log::TopicConfig* config, std::string* message) {
  *config = broker.log->options().default_topic_config;
  config->partitions = broker.config.default_partitions;
  if (Status valid = log::ValidateTopicName(topic.name); !valid.ok()) {
    *message = valid.message();
    return ErrorCode::kInvalidTopicException;
  }
  if (topic.replication_factor != -1 && topic.replication_factor != 1) {
    *message = "replication factor " + std::to_string(topic.replication_factor) +
               " is larger than the number of brokers (1)";
    return ErrorCode::kInvalidReplicationFactor;
  }
  if (!topic.assignments.empty()) {
    for (const auto& a : topic.assignments) {
      if (a.broker_ids.size() != 1 || a.broker_ids[0] != broker.config.node_id) {
        *message = "replica assignment of partition " + std::to_string(a.partition_index) +
                   " names brokers other than " + std::to_string(broker.config.node_id);
        return ErrorCode::kInvalidReplicaAssignment;
      }
    }
    config->partitions = static_cast<int32_t>(topic.assignments.size());
  } else if (topic.num_partitions != -1) {
    if (topic.num_partitions <= 0) {
      *message = "number of partitions must be positive, got " + std::to_string(topic.num_partitions);
      return ErrorCode::kInvalidPartitions;
    }
    config->partitions = topic.num_partitions;
  }
  for (const auto& c : topic.configs) {
    if (!c.value) continue;  // null: keep the default
    if (Status set = config->Set(c.name, *c.value); !set.ok()) {
      *message = set.message();
      return ErrorCode::kInvalidConfig;
    }
  }
  return ErrorCode::kNone;
}

}  // namespace

void HandleCreateTopics(RequestPtr ctx) {
  std::optional<CreateTopicsRequest> request = DecodeOrClose<CreateTopicsRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  CreateTopicsResponse response;
  for (const auto& topic : request->topics) {
    auto& out = response.topics.emplace_back();
    out.name = topic.name;
    log::TopicConfig config;
    std::string message;
    out.error_code = PrepareTopic(broker, topic, &config, &message);
    if (out.error_code == ErrorCode::kNone && !request->validate_only) {
      Result<log::TopicInfo> created = broker.log->CreateTopic(topic.name, config);
      if (!created.ok()) {
        out.error_code = ErrorFromLogStatus(created.status());
        message = created.status().message();
      }
    }
    if (out.error_code != ErrorCode::kNone) {
      out.error_message = message;
      spdlog::info("create topic {} for {} refused: {} ({})", topic.name, ctx->client(), message,
                   ErrorCodeName(out.error_code));
    }
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
