#pragma once
// Fills the nexmark-person, nexmark-auction and nexmark-bid topics with generated events:
// each event one record whose value is the event's JSON (nexmark_json.h) and whose
// timestamp is its date_time. The k-th event of a stream goes to partition k % P, so
// every partition is in event-time order. Records are written many to a batch (magic
// v2, uncompressed), either straight into a data directory's log or to a running
// broker (eddy or any Kafka) through librdkafka.
//
// Topics are created with retention.ms = -1: the events carry fixed past timestamps
// (GeneratorConfig::base_time_ms), which time-based retention would otherwise delete.
// A topic that already exists keeps its partition count; one that already holds
// records is refused (appending a second run would double every result).

#include <cstdint>
#include <functional>
#include <string>

#include "src/base/status.h"
#include "src/log/log.h"
#include "src/nexmark/nexmark_generator.h"

namespace eddy::nexmark {

/// Counts of a fill in progress, or of a finished one.
struct NexmarkWriteStats {
  int64_t persons = 0;
  int64_t auctions = 0;
  int64_t bids = 0;
  /// Bytes of the JSON values written.
  int64_t value_bytes = 0;
  /// Bytes of the record batches appended (log) or of the values handed to the client
  /// (Kafka, which batches them itself).
  int64_t batch_bytes = 0;

  int64_t events() const { return persons + auctions + bids; }
  /// Counts one event of `stream` whose JSON value has `value_bytes` bytes.
  void Count(NexmarkStream stream, size_t value_bytes);
};

/// Called from the writing thread every few thousand events and once at the end.
using NexmarkProgressFn = std::function<void(const NexmarkWriteStats&)>;

/// Writes events [0, config.num_events) into `log` (an open log this process owns) and
/// waits until they are durable under the log's policy. `partitions` is used for topics
/// it creates.
Result<NexmarkWriteStats> WriteNexmarkTopics(log::Log& log, const GeneratorConfig& config,
                                             int partitions = 3,
                                             const NexmarkProgressFn& progress = nullptr);

/// The same through the Kafka protocol: creates missing topics with the admin API
/// (existing ones keep their settings: give them retention.ms=-1 yourself), produces
/// with acks=all (idempotent, so retries keep order) and waits for every delivery. A delivery
/// failure, or no progress for `timeout_ms`, ends it with an error that names the topic and the
/// broker's reason.
Result<NexmarkWriteStats> WriteNexmarkTopicsToKafka(const std::string& bootstrap,
                                                    const GeneratorConfig& config,
                                                    int partitions = 3,
                                                    const NexmarkProgressFn& progress = nullptr,
                                                    int timeout_ms = 30'000);

}  // namespace eddy::nexmark
