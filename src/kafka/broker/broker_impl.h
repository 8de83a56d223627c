#pragma once
// Internals of the broker shared by the connection code and the API handlers.
// Includes Boost.Asio: include it only from src/kafka/broker .cc files.

#include <atomic>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/kafka/broker/broker.h"
#include "src/kafka/broker/memory_budget.h"
#include "src/kafka/txn/transaction_coordinator.h"

namespace eddy::kafka {

class Connection;

class Broker::Impl {
 public:
  Impl(const BrokerConfig& config, log::Log* log, GroupCoordinator* groups, Clock* clock,
       std::unique_ptr<TransactionCoordinator> txns);

  Status Start();
  void Stop();

  void Register(const std::shared_ptr<Connection>& conn);
  void Unregister(uint64_t connection_id);
  size_t connection_count() const;
  /// True once Stop has begun.
  bool stopping() const { return stopped_.load(); }

  /// The host Metadata advertises to a client that reached us at "local_host".
  std::string AdvertisedHost(const std::string& local_host) const;
  /// The port Metadata and FindCoordinator advertise.
  int32_t AdvertisedPort() const {
    return config.advertised_port != 0 ? config.advertised_port : bound_port.load();
  }

  const BrokerConfig config;
  log::Log* const log;
  GroupCoordinator* const groups;
  Clock* const clock;
  /// Null without a group coordinator (transactions commit group offsets).
  const std::unique_ptr<TransactionCoordinator> txns;
  // Declared before io: pending handlers destroyed with io release their budget.
  MemoryBudget budget;
  boost::asio::io_context io;
  std::atomic<uint16_t> bound_port{0};

 private:
  void Accept();
  void SchedulePoll();

  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer poll_timer_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> next_connection_id_{1};
  std::atomic<bool> stopped_{false};
  mutable std::mutex connections_mutex_;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections_;  // guarded
};

}  // namespace eddy::kafka
