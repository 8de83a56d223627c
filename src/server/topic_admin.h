#pragma once
// What `eddy topics` does, against either a running broker (through the Kafka admin
// protocol, with librdkafka: the same requests any Kafka tool sends) or a data
// directory no process is serving (opened directly).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "src/base/status.h"

namespace eddy::server {

struct TopicDescription {
  std::string name;
  int32_t partitions = 0;
  /// Kafka-named settings, e.g. {"retention.ms", "604800000"}.
  std::vector<std::pair<std::string, std::string>> configs;
};

class TopicAdmin {
 public:
  virtual ~TopicAdmin() = default;
  virtual Status Create(const std::string& name, int32_t partitions,
                        const std::vector<std::pair<std::string, std::string>>& configs) = 0;
  virtual Status Delete(const std::string& name) = 0;
  /// Topic names with their partition counts, sorted by name.
  virtual Result<std::vector<TopicDescription>> List() = 0;
  virtual Result<TopicDescription> Describe(const std::string& name) = 0;

  /// Talks to the broker at "bootstrap" (host:port).
  static Result<std::unique_ptr<TopicAdmin>> ConnectKafka(const std::string& bootstrap,
                                                           int timeout_ms);
  /// Opens the log in "data_dir" (fails if a running eddy holds it).
  static Result<std::unique_ptr<TopicAdmin>> OpenDataDir(const std::string& data_dir);
};

}  // namespace eddy::server
