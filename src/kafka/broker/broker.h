#pragma once
// The Kafka-compatible front end of eddy's log: accepts TCP connections, decodes
// Kafka requests, answers them from the log and the group coordinator. Any Kafka
// client (librdkafka, kcat, kafka-python, Java) works against it unchanged.

#include <cstdint>
#include <memory>
#include <string>

#include "src/base/clock.h"
#include "src/base/status.h"

namespace eddy::log {
class Log;
}

namespace eddy::kafka {

class GroupCoordinator;

struct BrokerConfig {
  /// Where to listen; port 0 picks a free port (see Broker::port()).
  std::string host = "127.0.0.1";
  uint16_t port = 9092;
  /// What Metadata tells clients to connect to; empty: the listen host, or the address
  /// the client reached us on when listening on 0.0.0.0.
  std::string advertised_host;
  /// The port Metadata advertises; 0: the bound port.
  uint16_t advertised_port = 0;
  int32_t node_id = 0;
  std::string cluster_id = "eddy-cluster";
  /// Largest request a client may send (Kafka's socket.request.max.bytes).
  int32_t max_request_bytes = 100 * 1024 * 1024;
  /// Bytes of requests held at once over all connections (queued.max.request.bytes).
  size_t max_queued_request_bytes = 256u * 1024 * 1024;
  /// Requests a connection may have in progress before the broker stops reading it.
  int max_in_flight_per_connection = 64;
  int max_connections = 4096;
  /// Largest Fetch response, whatever the client asks for.
  int32_t max_fetch_response_bytes = 64 * 1024 * 1024;
  /// Create unknown topics when a client asks for their metadata (auto.create.topics.enable).
  bool auto_create_topics = true;
  /// Partitions of auto-created topics (num.partitions).
  int32_t default_partitions = 1;
  int io_threads = 2;
  /// A connection that sends nothing for this long is closed (connections.max.idle.ms).
  int64_t idle_timeout_ms = 10 * 60 * 1000;
  /// The longest transaction.timeout.ms a transactional producer may ask for
  /// (transaction.max.timeout.ms); a transaction open longer than its own timeout is
  /// aborted by the broker.
  int32_t transaction_max_timeout_ms = 900'000;
  /// A transactional id unused for this long is forgotten (transactional.id.expiration.ms).
  int64_t transactional_id_expiration_ms = 7LL * 24 * 3600 * 1000;
};

/// Thread-safe. The log and coordinator must outlive the broker.
class Broker {
 public:
  /// With a group coordinator the broker also coordinates transactions: Make opens the
  /// transaction coordinator's state in the log's data directory and finishes or aborts
  /// every transaction the last run left open (writing markers to the log) before it
  /// returns. Without one, group and transaction requests get COORDINATOR_NOT_AVAILABLE.
  static Result<std::unique_ptr<Broker>> Make(const BrokerConfig& config, log::Log* log,
                                              GroupCoordinator* groups,
                                              Clock* clock = SystemClock::Default());
  ~Broker();

  /// Binds the listening socket and starts the I/O threads.
  Status Start();
  /// Stops accepting, closes every connection, joins the I/O threads, and lets the ends
  /// of transactions in progress finish (the log must still be open).
  void Stop();
  /// The bound port (useful with port 0).
  uint16_t port() const;

  class Impl;

 private:
  explicit Broker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace eddy::kafka
