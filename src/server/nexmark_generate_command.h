#pragma once
// `eddy nexmark generate`: fills the nexmark-person, nexmark-auction and nexmark-bid
// topics with the Nexmark benchmark's events (src/nexmark), either straight into a data
// directory no server holds (--data-dir) or through a running eddy or Kafka
// (--bootstrap).

#include <cstdint>
#include <string>

#include "src/base/status.h"

namespace CLI {
class App;
}

namespace eddy::server {

struct NexmarkGenerateOptions {
  int64_t events = 10'000'000;
  uint64_t seed = 42;
  /// Event-time rate: event n is stamped base + n * 1000 / rate ms.
  int64_t rate = 10'000;
  /// Partitions of the topics it creates (existing topics keep theirs).
  int partitions = 3;
  std::string data_dir;
  std::string bootstrap;
  /// --bootstrap: how long without an acknowledgement before giving up.
  int timeout_ms = 30'000;
  /// Wall-clock pace in events per second (0: as fast as possible), to feed a running
  /// pipeline over time.
  int64_t max_events_per_second = 0;
  /// How often progress is printed.
  int progress_interval_ms = 1000;
};

/// Declares `generate` under `nexmark_app`, filling `options`; returns the subcommand.
CLI::App* AddNexmarkGenerateCommand(CLI::App& nexmark_app, NexmarkGenerateOptions& options);

/// Fills the topics, printing progress about once a second and a summary at the end.
Status RunNexmarkGenerate(const NexmarkGenerateOptions& options);

}  // namespace eddy::server
