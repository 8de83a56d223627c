#include "src/kafka/broker/broker.h"

#include <spdlog/spdlog.h>

#include "src/kafka/broker/broker_impl.h"
#include "src/kafka/broker/connection.h"
#include "src/kafka/group/group_coordinator.h"
#include "src/log/log.h"

namespace eddy::kafka {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
constexpr auto kGroupPollInterval = std::chrono::milliseconds(100);
}

Broker::Impl::Impl(const BrokerConfig& cfg, log::Log* lg, GroupCoordinator* gc, Clock* clk,
                   std::unique_ptr<TransactionCoordinator> tc)
    : config(cfg),
      log(lg),
      groups(gc),
      clock(clk),
      txns(std::move(tc)),
      budget(cfg.max_queued_request_bytes),
      acceptor_(io),
      poll_timer_(io) {}

Status Broker::Impl::Start() {
  error_code ec;
  auto address = asio::ip::make_address(config.host, ec);
  if (ec) return Status::InvalidArgument("bad listen address '" + config.host + "': " + ec.message());
  asio::ip::tcp::endpoint endpoint(address, config.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable("cannot listen on " + config.host + ":" + std::to_string(config.port) +
                               ": " + ec.message());
  }
  bound_port = acceptor_.local_endpoint().port();
  Accept();
  SchedulePoll();
  int threads = std::max(1, config.io_threads);
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { io.run(); });
  }
  spdlog::info("listening for Kafka clients on {}:{} (advertised as {}:{}), {} I/O threads", config.host,
               bound_port.load(), AdvertisedHost(config.host), AdvertisedPort(), threads);
  return Status::OK();
}

void Broker::Impl::Stop() {
  if (stopped_.exchange(true)) return;
  asio::post(io, [this] {
    error_code ec;
    acceptor_.close(ec);
    poll_timer_.cancel();
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(connections_mutex_);
    for (auto& [id, weak] : connections_) {
      if (auto conn = weak.lock()) open.push_back(std::move(conn));
    }
  }
  for (auto& conn : open) conn->Close("");
  io.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  // No request runs any more: what is left are ends of transactions already decided.
  if (txns != nullptr) txns->Close();
}

void Broker::Impl::Accept() {
  acceptor_.async_accept([this](const error_code& ec, asio::ip::tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopped_) return;
      spdlog::warn("accept failed: {}", ec.message());
      // Out of file descriptors and similar: try again shortly rather than spin.
      auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(100));
      timer->async_wait([this, timer](const error_code&) { Accept(); });
      return;
    }
    if (static_cast<int>(connection_count()) >= config.max_connections) {
      spdlog::warn("refusing connection: {} connections open (max_connections)", connection_count());
      error_code ignored;
      socket.close(ignored);
    } else {
      auto conn = std::make_shared<Connection>(*this, std::move(socket), next_connection_id_++);
      Register(conn);
      conn->Start();
    }
    Accept();
  });
}

void Broker::Impl::SchedulePoll() {
  poll_timer_.expires_after(kGroupPollInterval);
  poll_timer_.async_wait([this](const error_code& ec) {
    if (ec || stopped_) return;
    if (groups != nullptr) groups->Poll();
    if (txns != nullptr) txns->Poll();
    SchedulePoll();
  });
}

void Broker::Impl::Register(const std::shared_ptr<Connection>& conn) {
  std::lock_guard lock(connections_mutex_);
  connections_[conn->id()] = conn;
}

void Broker::Impl::Unregister(uint64_t connection_id) {
  std::lock_guard lock(connections_mutex_);
  connections_.erase(connection_id);
}

size_t Broker::Impl::connection_count() const {
  std::lock_guard lock(connections_mutex_);
  return connections_.size();
}

std::string Broker::Impl::AdvertisedHost(const std::string& local_host) const {
  if (!config.advertised_host.empty()) return config.advertised_host;
  if (config.host == "0.0.0.0" || config.host == "::") return local_host;
  return config.host;
}

Result<std::unique_ptr<Broker>> Broker::Make(const BrokerConfig& config, log::Log* log,
                                             GroupCoordinator* groups, Clock* clock) {
  if (log == nullptr) return Status::InvalidArgument("broker needs a log");
  if (config.max_request_bytes < 1024) {
    return Status::InvalidArgument("max_request_bytes must be at least 1024");
  }
  std::unique_ptr<TransactionCoordinator> txns;
  if (groups != nullptr) {
    TransactionCoordinatorOptions options;
    options.data_dir = log->options().data_dir;
    options.fs = log->options().fs;
    options.clock = clock;
    options.log = log;
    options.groups = groups;
    options.max_timeout_ms = config.transaction_max_timeout_ms;
    options.id_expiration_ms = config.transactional_id_expiration_ms;
    ASSIGN_OR_RETURN(txns, TransactionCoordinator::Open(options));
  }
  return std::unique_ptr<Broker>(
      new Broker(std::make_unique<Impl>(config, log, groups, clock, std::move(txns))));
}

Broker::Broker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Broker::~Broker() { Stop(); }
Status Broker::Start() { return impl_->Start(); }
void Broker::Stop() { impl_->Stop(); }
uint16_t Broker::port() const { return impl_->bound_port; }

}  // namespace eddy::kafka
