// TopicAdmin directly on a data directory that no eddy process is serving.

#include <memory>

#include "src/log/log.h"
#include "src/server/topic_admin.h"

namespace eddy::server {
namespace {

class LocalTopicAdmin final : public TopicAdmin {
 public:
  explicit LocalTopicAdmin(std::unique_ptr<log::Log> log) : log_(std::move(log)) {}

  Status Create(const std::string& name, int32_t partitions,
                const std::vector<std::pair<std::string, std::string>>& configs) override {
    log::TopicConfig config = log_->options().default_topic_config;
    config.partitions = partitions;
    for (const auto& [k, v] : configs) RETURN_IF_ERROR(config.Set(k, v));
    return log_->CreateTopic(name, config).status();
  }

  Status Delete(const std::string& name) override { return log_->DeleteTopic(name); }

  Result<std::vector<TopicDescription>> List() override {
    std::vector<TopicDescription> out;
    for (const auto& t : log_->ListTopics()) out.push_back({t.name, t.config.partitions, {}});
    return out;
  }

  Result<TopicDescription> Describe(const std::string& name) override {
    ASSIGN_OR_RETURN(auto info, log_->DescribeTopic(name));
    return TopicDescription{info.name, info.config.partitions, info.config.ToPairs()};
  }

 private:
  std::unique_ptr<log::Log> log_;
};

}  // namespace

Result<std::unique_ptr<TopicAdmin>> TopicAdmin::OpenDataDir(const std::string& data_dir) {
  log::LogOptions options;
  options.data_dir = data_dir;
  ASSIGN_OR_RETURN(auto log, log::Log::Open(options));
  return std::unique_ptr<TopicAdmin>(new LocalTopicAdmin(std::move(log)));
}

}  // namespace eddy::server
