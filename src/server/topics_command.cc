#include "src/server/topics_command.h"

#include "src/server/topic_admin.h"

namespace eddy::server {

Status RunTopics(const TopicsOptions& options, std::ostream& out) {
  std::unique_ptr<TopicAdmin> admin;
  if (!options.data_dir.empty()) {
    ASSIGN_OR_RETURN(admin, TopicAdmin::OpenDataDir(options.data_dir));
  } else {
    ASSIGN_OR_RETURN(admin, TopicAdmin::ConnectKafka(options.bootstrap, options.timeout_ms));
  }
  switch (options.action) {
    case TopicsAction::kCreate: {
      std::vector<std::pair<std::string, std::string>> configs;
      for (const auto& kv : options.configs) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) {
          return Status::InvalidArgument("--config '" + kv + "' is not KEY=VALUE");
        }
        configs.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
      }
      RETURN_IF_ERROR(admin->Create(options.name, options.partitions, configs));
      out << "created topic " << options.name << " with " << options.partitions << " partition"
          << (options.partitions == 1 ? "" : "s") << "\n";
      return Status::OK();
    }
    case TopicsAction::kList: {
      ASSIGN_OR_RETURN(auto topics, admin->List());
      for (const auto& t : topics) out << t.name << "\n";
      return Status::OK();
    }
    case TopicsAction::kDescribe: {
      ASSIGN_OR_RETURN(auto desc, admin->Describe(options.name));
      out << "topic: " << desc.name << "\n" << "partitions: " << desc.partitions << "\n";
      for (const auto& [k, v] : desc.configs) out << "  " << k << "=" << v << "\n";
      return Status::OK();
    }
    case TopicsAction::kDelete:
      RETURN_IF_ERROR(admin->Delete(options.name));
      out << "deleted topic " << options.name << "\n";
      return Status::OK();
  }
  return Status::Internal("unknown topics action");
}

}  // namespace eddy::server
