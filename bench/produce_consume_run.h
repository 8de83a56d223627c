#pragma once
// One run of the log benchmark: a librdkafka producer writes N messages of S bytes to a
// topic (round-robin over its partitions, null keys), timing each message from the
// produce() call to its delivery report; then a librdkafka consumer reads them all back
// from the beginning with assign() and checks that every partition holds exactly the
// sequence that was produced to it.
//
// The target is a running broker (eddy, or any Kafka-compatible one) or librdkafka's
// in-process mock cluster, the ceiling of what the client and loopback allow. Both are
// driven with the same client settings (ProducerSettings, ConsumerSettings).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "src/base/histogram.h"
#include "src/base/status.h"

namespace eddy::bench {

using Settings = std::vector<std::pair<std::string, std::string>>;

struct ProduceConsumeOptions {
  /// HOST:PORT of the broker; empty: start librdkafka's mock cluster (one broker) in this
  /// process and create the topic on it.
  std::string bootstrap;
  /// Must exist on a real broker (the benchmark script creates it); must be fresh, since
  /// the consumer checks the exact sequence it reads.
  std::string topic;
  int32_t partitions = 1;
  size_t message_bytes = 100;
  /// Produce at most this many messages ...
  uint64_t max_messages = 1'000'000;
  /// ... or stop producing after this many seconds (0: no time limit).
  double max_seconds = 0;
  /// "0", "1" or "all".
  std::string acks = "1";
  /// Read everything back after producing. Not done on the mock cluster: it keeps only
  /// the last ~5 MB of each partition, so most of what was produced is gone.
  bool consume = true;
  /// librdkafka producer settings applied over ProducerSettings() (for exploring; the
  /// benchmark script uses none).
  Settings producer_overrides;
  /// The same for the consumer, over ConsumerSettings().
  Settings consumer_overrides;
  /// Give up when a phase makes no progress for this long.
  int stall_timeout_ms = 60'000;
};

struct ProduceConsumeResult {
  uint64_t messages = 0;
  uint64_t payload_bytes = 0;
  /// From the first produce() call to the last delivery report.
  double produce_seconds = 0;
  /// CPU time (user + system) the benchmark process used while producing, in seconds:
  /// near 2x produce_seconds on two cores means the client, not the broker, was the limit.
  double produce_cpu_seconds = 0;
  /// produce() call to delivery report, per message, in nanoseconds.
  Histogram latency_ns;
  /// librdkafka log lines at error level during the phase: errors the client recovered
  /// from (a retried request, a response it could not parse), since the run succeeded.
  uint64_t produce_client_errors = 0;
  uint64_t consumed = 0;
  /// From assign() to the last message read.
  double consume_seconds = 0;
  double consume_cpu_seconds = 0;
  uint64_t consume_client_errors = 0;
};

/// The producer settings used for every target (acks and bootstrap.servers come from the
/// options).
const Settings& ProducerSettings();
/// The consumer settings used for every target.
const Settings& ConsumerSettings();

/// Runs one produce (and consume) pass. Any delivery error, client error, lost,
/// duplicated or reordered message fails the run with a Status that says what happened.
Result<ProduceConsumeResult> RunProduceConsume(const ProduceConsumeOptions& options);

}  // namespace eddy::bench
