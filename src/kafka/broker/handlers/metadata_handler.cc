// Metadata: this broker is the whole cluster (node 0 leads every partition). Unknown
// topics are created here when auto-creation is on and the client allows it, as
// Kafka's auto.create.topics.enable does.

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/metadata.h"
#include "src/log/log.h"

namespace eddy::kafka {
namespace {

MetadataResponse::MetadataResponseTopic DescribeTopic(const Broker::Impl& broker, const log::TopicInfo& info) {
  MetadataResponse::MetadataResponseTopic topic;
  topic.name = info.name;
  topic.partitions.reserve(static_cast<size_t>(info.config.partitions));
  for (int32_t p = 0; p < info.config.partitions; ++p) {
    auto& partition = topic.partitions.emplace_back();
    partition.partition_index = p;
    partition.leader_id = broker.config.node_id;
    partition.leader_epoch = 0;
    partition.replica_nodes = {broker.config.node_id};
    partition.isr_nodes = {broker.config.node_id};
  }
  return topic;
}

}  // namespace

void HandleMetadata(RequestPtr ctx) {
  std::optional<MetadataRequest> request = DecodeOrClose<MetadataRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  MetadataResponse response;
  auto& self = response.brokers.emplace_back();
  self.node_id = broker.config.node_id;
  self.host = broker.AdvertisedHost(ctx->local_host());
  self.port = broker.AdvertisedPort();
  response.cluster_id = broker.config.cluster_id;
  response.controller_id = broker.config.node_id;

  if (!request->topics) {
    for (const auto& info : broker.log->ListTopics()) response.topics.push_back(DescribeTopic(broker, info));
    ctx->Respond(response);
    return;
  }
  // Before v4 there is no allow_auto_topic_creation field: such clients always allow it.
  const bool may_create = broker.config.auto_create_topics && request->allow_auto_topic_creation;
  for (const auto& wanted : *request->topics) {
    Result<log::TopicInfo> info = broker.log->DescribeTopic(wanted.name);
    if (!info.ok() && may_create && ErrorFromLogStatus(info.status()) == ErrorCode::kUnknownTopicOrPartition) {
      log::TopicConfig config = broker.log->options().default_topic_config;
      config.partitions = broker.config.default_partitions;
      info = broker.log->CreateTopic(wanted.name, config);
      if (!info.ok() && ErrorFromLogStatus(info.status()) == ErrorCode::kTopicAlreadyExists) {
        info = broker.log->DescribeTopic(wanted.name);  // created meanwhile by another client
      }
      if (info.ok()) {
        spdlog::info("auto-created topic {} with {} partitions for {}", wanted.name, config.partitions,
                     ctx->client());
      }
    }
    if (info.ok()) {
      response.topics.push_back(DescribeTopic(broker, *info));
    } else {
      auto& topic = response.topics.emplace_back();
      topic.name = wanted.name;
      topic.error_code = ErrorFromLogStatus(info.status());
      if (topic.error_code == ErrorCode::kUnknownServerError) topic.error_code = ErrorCode::kUnknownTopicOrPartition;
    }
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
