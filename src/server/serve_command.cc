#include "src/server/serve_command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>

#include "src/kafka/broker/broker.h"
#include "src/kafka/group/group_coordinator.h"

namespace eddy::server {

Status ParseHostPort(const std::string& text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument("'" + text + "' is not HOST:PORT");
  }
  int value = 0;
  const char* begin = text.data() + colon + 1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || value < 1 || value > 65535) {
    return Status::InvalidArgument("'" + text + "': port must be 1-65535");
  }
  *host = text.substr(0, colon);
  *port = static_cast<uint16_t>(value);
  return Status::OK();
}

namespace {

/// Blocks the termination signals in this thread (and so in every thread started after),
/// so that WaitForTermination receives them instead of the default action.
sigset_t BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int WaitForTermination(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

}  // namespace

std::string PipelineStateDir(const std::string& data_dir) {
  return JoinPath(data_dir, "pipelines");
}

Status RunServe(const ServeOptions& options) {
  auto started = std::chrono::steady_clock::now();
  sigset_t signals = BlockTerminationSignals();

  log::LogOptions log_options;
  log_options.data_dir = options.data_dir;
  Result<log::Durability> durability = log::ParseDurability(options.fsync);
  if (!durability.ok()) return durability.status().WithContext("--fsync");
  log_options.durability = *durability;
  log_options.default_topic_config = options.topic_defaults;
  log_options.default_topic_config.partitions = options.default_partitions;

  kafka::BrokerConfig broker_config;
  RETURN_IF_ERROR(ParseHostPort(options.kafka_addr, &broker_config.host, &broker_config.port)
                      .WithContext("--kafka-addr"));
  if (!options.advertised_addr.empty()) {
    uint16_t advertised_port = 0;
    RETURN_IF_ERROR(
        ParseHostPort(options.advertised_addr, &broker_config.advertised_host, &advertised_port)
            .WithContext("--advertised-addr"));
    broker_config.advertised_port = advertised_port;
  }
  broker_config.auto_create_topics = options.auto_create_topics;
  broker_config.default_partitions = options.default_partitions;
  broker_config.io_threads = options.io_threads;

  spdlog::info("eddy starting: data dir {}, fsync {}", options.data_dir,
               log::DurabilityToString(log_options.durability));
  ASSIGN_OR_RETURN(std::unique_ptr<log::Log> log, log::Log::Open(log_options));

  kafka::GroupCoordinatorOptions group_options;
  group_options.data_dir = options.data_dir;
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::GroupCoordinator> groups,
                   kafka::GroupCoordinator::Open(group_options));

  std::unique_ptr<kafka::Broker> broker;
  if (options.serve_kafka) {
    ASSIGN_OR_RETURN(broker, kafka::Broker::Make(broker_config, log.get(), groups.get()));
    RETURN_IF_ERROR(broker->Start());
    auto ready_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    spdlog::info("eddy ready in {} ms: {} topics, Kafka clients connect to {}", ready_ms,
                 log->ListTopics().size(), options.kafka_addr);
  }

  Status pipelines_status;
  std::unique_ptr<PipelineHost> host;
  if (!options.pipelines.pipelines.empty()) {
    PipelineHostOptions pipelines = options.pipelines;
    if (pipelines.state_dir.empty()) pipelines.state_dir = PipelineStateDir(options.data_dir);
    auto started_host = PipelineHost::Start(log.get(), pipelines, PipelineCatalog());
    if (!started_host.ok()) {
      pipelines_status = started_host.status();
    } else {
      host = std::move(*started_host);
    }
  }

  if (!pipelines_status.ok()) {
    spdlog::error("{}", pipelines_status.ToString());
  } else if (host && options.pipelines.bounded) {
    pipelines_status = host->WaitForEnd();
  } else {
    int sig = WaitForTermination(signals);
    spdlog::info("stopping on {}", sig == SIGINT ? "SIGINT" : "SIGTERM");
  }
  if (host) {
    Status stopped = host->Stop();
    if (pipelines_status.ok()) pipelines_status = stopped;
    host.reset();
  }
  // Order matters: requests parked in the coordinator and in partition watches hold
  // references into the broker, so they are answered (and dropped) before it goes.
  if (broker) broker->Stop();
  groups->Close();
  Status closed = log->Close();
  broker.reset();
  groups.reset();
  if (!closed.ok()) {
    spdlog::error("log did not close cleanly: {}", closed.ToString());
    return closed;
  }
  RETURN_IF_ERROR(pipelines_status);
  spdlog::info("stopped cleanly");
  return Status::OK();
}

}  // namespace eddy::server
