// DescribeConfigs: a topic's settings (Kafka names: retention.ms, segment.bytes, ...),
// marked as defaults or as set on the topic.

#include <algorithm>

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/describe_configs.h"
#include "src/log/log.h"

namespace eddy::kafka {
namespace {

using Result_ = DescribeConfigsResponse::DescribeConfigsResult;
using Entry = DescribeConfigsResponse::DescribeConfigsResourceResult;

bool Wanted(const DescribeConfigsRequest::DescribeConfigsResource& resource, const std::string& name) {
  if (!resource.configuration_keys || resource.configuration_keys->empty()) return true;
  const auto& keys = *resource.configuration_keys;
  return std::find(keys.begin(), keys.end(), name) != keys.end();
}

void AddEntries(const DescribeConfigsRequest::DescribeConfigsResource& resource,
                const std::vector<std::pair<std::string, std::string>>& values,
                const std::vector<std::pair<std::string, std::string>>& defaults, int8_t set_source,
                Result_* out) {
  for (const auto& [name, value] : values) {
    if (!Wanted(resource, name)) continue;
    Entry& entry = out->configs.emplace_back();
    entry.name = name;
    entry.value = value;
    auto d = std::find_if(defaults.begin(), defaults.end(), [&](const auto& kv) { return kv.first == name; });
    entry.is_default = d != defaults.end() && d->second == value;
    entry.config_source = entry.is_default ? DescribeConfigsResponse::kDefaultConfig : set_source;
  }
}

}  // namespace

void HandleDescribeConfigs(RequestPtr ctx) {
  std::optional<DescribeConfigsRequest> request = DecodeOrClose<DescribeConfigsRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  const auto defaults = broker.log->options().default_topic_config.ToPairs();
  DescribeConfigsResponse response;
  for (const auto& resource : request->resources) {
    Result_& out = response.results.emplace_back();
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    if (resource.resource_type == DescribeConfigsRequest::kTopicResource) {
      Result<log::TopicInfo> info = broker.log->DescribeTopic(resource.resource_name);
      if (!info.ok()) {
        out.error_code = ErrorFromLogStatus(info.status());
        out.error_message = info.status().message();
        continue;
      }
      AddEntries(resource, info->config.ToPairs(), defaults, DescribeConfigsResponse::kDynamicTopicConfig, &out);
    } else if (resource.resource_type == DescribeConfigsRequest::kBrokerResource) {
      const BrokerConfig& c = broker.config;
      std::vector<std::pair<std::string, std::string>> values = {
          {"auto.create.topics.enable", c.auto_create_topics ? "true" : "false"},
          {"num.partitions", std::to_string(c.default_partitions)},
          {"socket.request.max.bytes", std::to_string(c.max_request_bytes)},
          {"queued.max.request.bytes", std::to_string(c.max_queued_request_bytes)},
          {"log.flush.policy", log::DurabilityToString(broker.log->options().durability)},
      };
      for (const auto& kv : defaults) values.emplace_back("log." + kv.first, kv.second);
      AddEntries(resource, values, {}, DescribeConfigsResponse::kStaticBrokerConfig, &out);
      for (auto& e : out.configs) e.read_only = true;
    } else {
      out.error_code = ErrorCode::kInvalidRequest;
      out.error_message = "unsupported resource type " + std::to_string(resource.resource_type);
    }
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
