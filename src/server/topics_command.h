#pragma once
// `eddy topics create|list|describe|delete`.

#include <ostream>
#include <string>
#include <vector>

#include "src/base/status.h"

namespace eddy::server {

enum class TopicsAction { kCreate, kList, kDescribe, kDelete };

struct TopicsOptions {
  TopicsAction action = TopicsAction::kList;
  std::string bootstrap = "127.0.0.1:9092";
  std::string data_dir;  // when set, work on the directory instead of a server
  std::string name;
  int32_t partitions = 1;
  std::vector<std::string> configs;  // KEY=VALUE
  int timeout_ms = 15000;
};

/// Runs one topics action, printing its result to "out".
Status RunTopics(const TopicsOptions& options, std::ostream& out);

}  // namespace eddy::server
