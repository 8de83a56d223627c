#pragma once
// `eddy serve`: the eddy process. Opens (and recovers) the log of a data directory,
// starts the Kafka-compatible broker, and runs until SIGINT or SIGTERM.

#include <string>

#include "src/base/status.h"
#include "src/log/log.h"
#include "src/server/pipeline_host.h"

namespace eddy::server {

struct ServeOptions {
  std::string data_dir = "./data";
  std::string kafka_addr = "127.0.0.1:9092";
  /// HOST:PORT that Metadata tells clients to use; empty: derived from kafka_addr.
  std::string advertised_addr;
  std::string fsync = "always";
  bool auto_create_topics = true;
  int32_t default_partitions = 1;
  int io_threads = 2;
  log::TopicConfig topic_defaults;
  /// Pipelines to run in this process (--pipeline), and how.
  PipelineHostOptions pipelines;
  /// Serve the Kafka port. Bounded runs of pipelines skip it unless asked.
  bool serve_kafka = true;
};

/// Runs the server until a termination signal (or, for bounded pipelines, until they
/// end); returns why it stopped early if it did.
Status RunServe(const ServeOptions& options);

/// Where the pipelines of the eddy process on `data_dir` keep checkpoints and state.
std::string PipelineStateDir(const std::string& data_dir);

/// Splits "HOST:PORT" (port required, 1-65535).
Status ParseHostPort(const std::string& text, std::string* host, uint16_t* port);

}  // namespace eddy::server
