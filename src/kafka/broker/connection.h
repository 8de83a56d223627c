#pragma once
// One client connection: reads size-prefixed Kafka requests, hands each to its API
// handler, and writes the responses back in request order (Kafka clients rely on
// that), while later requests are already being served (pipelining, so that one fsync
// can cover several produce requests of one client).

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/kafka/broker/broker_impl.h"

namespace eddy::kafka {

/// Owned by shared_ptr; every asynchronous operation holds a reference. All members
/// are touched only on the connection's strand.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Broker::Impl& broker, boost::asio::ip::tcp::socket socket, uint64_t id);

  void Start();
  /// Closes the socket (any thread). "reason" is logged when not empty.
  void Close(const std::string& reason);
  /// Hands in the response frame (size prefix included) of request "sequence", or
  /// nullopt when it has none (any thread).
  void Complete(uint64_t sequence, std::optional<std::vector<uint8_t>> frame);

  uint64_t id() const { return id_; }
  /// True once the connection is closed (any thread).
  bool is_closed() const { return closed_.load(std::memory_order_acquire); }
  Broker::Impl& broker() { return broker_; }
  const std::string& peer() const { return peer_; }
  const std::string& local_host() const { return local_host_; }
  const std::string& client() const { return client_; }
  boost::asio::any_io_executor executor() { return strand_; }

 private:
  void ReadSize();
  void OnSize(const boost::system::error_code& ec);
  void ReadBody(int32_t size);
  void OnBody(const boost::system::error_code& ec, std::vector<uint8_t> frame);
  void Dispatch(std::vector<uint8_t> frame);
  void WriteReady();
  void OnWritten(const boost::system::error_code& ec);
  void ArmIdleTimer();
  void DoClose(const std::string& reason);

  Broker::Impl& broker_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer idle_timer_;
  const uint64_t id_;
  std::string peer_;
  std::string local_host_;
  std::string client_;  // "client_id@peer", set by the first request
  uint8_t size_buf_[4] = {};

  std::atomic<bool> closed_{false};  // written on the strand only
  bool reading_ = false;  // a read is outstanding
  int in_flight_ = 0;     // requests dispatched and not yet completed
  uint64_t next_sequence_ = 0;
  uint64_t next_to_send_ = 0;
  std::map<uint64_t, std::optional<std::vector<uint8_t>>> completed_;
  std::vector<std::vector<uint8_t>> writing_;  // frames of the write in progress
  int64_t last_activity_ms_ = 0;
};

}  // namespace eddy::kafka
