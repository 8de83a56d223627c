#include "src/kafka/broker/connection.h"

#include <spdlog/spdlog.h>

#include "src/base/bytes.h"
#include "src/kafka/broker/handlers.h"
#include "src/kafka/broker/request_context.h"
#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/request_header.h"

namespace eddy::kafka {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
// api_key + api_version + correlation_id + client_id length: the smallest request.
constexpr int32_t kMinRequestBytes = 10;

std::string EndpointText(const asio::ip::tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}
}  // namespace

Connection::Connection(Broker::Impl& broker, asio::ip::tcp::socket socket, uint64_t id)
    : broker_(broker),
      strand_(asio::make_strand(broker.io)),
      socket_(std::move(socket)),
      idle_timer_(strand_),
      id_(id) {
  error_code ec;
  auto remote = socket_.remote_endpoint(ec);
  peer_ = ec ? "unknown" : EndpointText(remote);
  auto local = socket_.local_endpoint(ec);
  local_host_ = ec ? broker.config.host : local.address().to_string();
  client_ = peer_;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

void Connection::Start() {
  asio::dispatch(strand_, [self = shared_from_this()] {
    self->last_activity_ms_ = self->broker_.clock->MonotonicMs();
    self->ArmIdleTimer();
    self->ReadSize();
  });
}

void Connection::Close(const std::string& reason) {
  asio::dispatch(strand_, [self = shared_from_this(), reason] { self->DoClose(reason); });
}

void Connection::DoClose(const std::string& reason) {
  if (closed_) return;
  closed_.store(true, std::memory_order_release);
  if (!reason.empty()) spdlog::warn("closing connection {} from {}: {}", id_, client_, reason);
  error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  idle_timer_.cancel();
  completed_.clear();
  writing_.clear();
  broker_.Unregister(id_);
}

void Connection::ArmIdleTimer() {
  idle_timer_.expires_after(std::chrono::milliseconds(broker_.config.idle_timeout_ms));
  idle_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->closed_) return;
    int64_t idle = self->broker_.clock->MonotonicMs() - self->last_activity_ms_;
    if (idle >= self->broker_.config.idle_timeout_ms && self->in_flight_ == 0) {
      self->DoClose("idle for " + std::to_string(idle) + " ms");
      return;
    }
    self->ArmIdleTimer();
  });
}

void Connection::ReadSize() {
  if (closed_ || reading_) return;
  if (in_flight_ >= broker_.config.max_in_flight_per_connection) return;  // resumed by Complete
  reading_ = true;
  asio::async_read(socket_, asio::buffer(size_buf_),
                   asio::bind_executor(strand_, [self = shared_from_this()](const error_code& ec, size_t) {
                     self->OnSize(ec);
                   }));
}

void Connection::OnSize(const error_code& ec) {
  if (closed_) return;
  if (ec) {
    reading_ = false;
    if (ec != asio::error::eof && ec != asio::error::operation_aborted &&
        ec != asio::error::connection_reset) {
      spdlog::info("connection {} from {}: read failed: {}", id_, client_, ec.message());
    }
    DoClose("");
    return;
  }
  int32_t size = LoadI32(size_buf_);
  if (size < kMinRequestBytes || size > broker_.config.max_request_bytes) {
    reading_ = false;
    DoClose("request size " + std::to_string(size) + " is outside [" +
            std::to_string(kMinRequestBytes) + ", " +
            std::to_string(broker_.config.max_request_bytes) + "] (max.request.bytes)");
    return;
  }
  // Reserve the request's bytes before allocating them; while the budget is spent the
  // connection simply does not read, and TCP pushes back on the client.
  broker_.budget.Acquire(static_cast<size_t>(size), [self = shared_from_this(), size] {
    asio::dispatch(self->strand_, [self, size] { self->ReadBody(size); });
  });
}

void Connection::ReadBody(int32_t size) {
  if (closed_) {
    broker_.budget.Release(static_cast<size_t>(size));
    return;
  }
  auto frame = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(size));
  asio::async_read(socket_, asio::buffer(*frame),
                   asio::bind_executor(strand_, [self = shared_from_this(), frame](const error_code& ec, size_t) {
                     self->OnBody(ec, std::move(*frame));
                   }));
}

void Connection::OnBody(const error_code& ec, std::vector<uint8_t> frame) {
  reading_ = false;
  if (closed_ || ec) {
    broker_.budget.Release(frame.size());
    if (!closed_) DoClose(ec == asio::error::eof ? "" : "read failed: " + ec.message());
    return;
  }
  last_activity_ms_ = broker_.clock->MonotonicMs();
  Dispatch(std::move(frame));
  ReadSize();
}

void Connection::Dispatch(std::vector<uint8_t> frame) {
  size_t frame_bytes = frame.size();
  size_t body_offset = 0;
  Result<RequestHeader> header = RequestHeader::Decode(frame, &body_offset);
  if (!header.ok()) {
    broker_.budget.Release(frame_bytes);
    DoClose("malformed request header: " + header.status().message());
    return;
  }
  if (client_ == peer_) {
    std::string client_id = header->client_id.value_or("");
    client_ = (client_id.empty() ? std::string("(no client id)") : client_id) + "@" + peer_;
    spdlog::info("client connected: connection {} from {} (client id '{}')", id_, peer_, client_id);
  }
  const ApiKey api = header->api_key;
  if (!IsSupportedVersion(api, header->api_version)) {
    if (api == ApiKey::kApiVersions) {
      // Kafka answers an ApiVersions it cannot parse with a v0 body carrying
      // UNSUPPORTED_VERSION and the supported ranges, so the client can retry.
      header->api_version = 0;
      auto ctx = std::make_shared<RequestContext>(shared_from_this(), next_sequence_++, std::move(frame),
                                                  std::move(*header), frame_bytes);
      ++in_flight_;
      ctx->Respond(MakeApiVersionsResponse(ErrorCode::kUnsupportedVersion));
      return;
    }
    broker_.budget.Release(frame_bytes);
    DoClose("unsupported request: " + std::string(ApiKeyName(api)) + " (api key " +
            std::to_string(static_cast<int>(api)) + ") version " + std::to_string(header->api_version));
    return;
  }
  auto ctx = std::make_shared<RequestContext>(shared_from_this(), next_sequence_++, std::move(frame),
                                              std::move(*header), body_offset);
  ++in_flight_;
  DispatchRequest(std::move(ctx));
}

void Connection::Complete(uint64_t sequence, std::optional<std::vector<uint8_t>> frame) {
  asio::dispatch(strand_, [self = shared_from_this(), sequence, frame = std::move(frame)]() mutable {
    if (self->closed_) return;
    --self->in_flight_;
    self->completed_.emplace(sequence, std::move(frame));
    self->WriteReady();
    self->ReadSize();  // resumes reading if the in-flight limit had paused it
  });
}

void Connection::WriteReady() {
  if (closed_ || !writing_.empty()) return;
  // Responses leave strictly in request order; acks=0 produces leave nothing.
  while (!completed_.empty() && completed_.begin()->first == next_to_send_) {
    auto node = completed_.extract(completed_.begin());
    ++next_to_send_;
    if (node.mapped()) writing_.push_back(std::move(*node.mapped()));
  }
  if (writing_.empty()) return;
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(writing_.size());
  for (const auto& f : writing_) buffers.emplace_back(asio::buffer(f));
  asio::async_write(socket_, buffers,
                    asio::bind_executor(strand_, [self = shared_from_this()](const error_code& ec, size_t) {
                      self->OnWritten(ec);
                    }));
}

void Connection::OnWritten(const error_code& ec) {
  writing_.clear();
  if (closed_) return;
  if (ec) {
    DoClose(ec == asio::error::broken_pipe || ec == asio::error::connection_reset
                ? ""
                : "write failed: " + ec.message());
    return;
  }
  last_activity_ms_ = broker_.clock->MonotonicMs();
  WriteReady();
}

RequestContext::RequestContext(std::shared_ptr<Connection> connection, uint64_t sequence,
                               std::vector<uint8_t> frame, RequestHeader header, size_t body_offset)
    : connection_(std::move(connection)),
      sequence_(sequence),
      frame_(std::move(frame)),
      header_(std::move(header)),
      body_offset_(body_offset) {}

RequestContext::~RequestContext() {
  // A request dropped unanswered because its client left or the broker is stopping is
  // expected; any other is a handler bug that would leave the client waiting forever.
  if (!answered_ && !connection_->is_closed() && !connection_->broker().stopping()) {
    spdlog::error("{} v{} request from {} (correlation id {}) ended without a response",
                  ApiKeyName(header_.api_key), header_.api_version, connection_->client(), header_.correlation_id);
    connection_->Close("internal error: request left unanswered");
  }
  connection_->broker().budget.Release(frame_.size());
}

Broker::Impl& RequestContext::broker() { return connection_->broker(); }
const std::string& RequestContext::client() const { return connection_->client(); }
const std::string& RequestContext::local_host() const { return connection_->local_host(); }
boost::asio::any_io_executor RequestContext::executor() const { return connection_->executor(); }

void RequestContext::StartFrame(ByteWriter& frame) const {
  frame.WriteI32(0);  // size, patched by SendFrame
  ResponseHeader{header_.correlation_id}.Encode(
      frame, ResponseHeaderVersion(header_.api_key, header_.api_version));
}

void RequestContext::SendFrame(ByteWriter frame) {
  answered_ = true;
  frame.PatchI32(0, static_cast<int32_t>(frame.size() - 4));
  connection_->Complete(sequence_, frame.Release());
}

void RequestContext::RespondNothing() {
  answered_ = true;
  connection_->Complete(sequence_, std::nullopt);
}

void RequestContext::CloseConnection(const std::string& why) {
  answered_ = true;
  connection_->Close(why);
}

}  // namespace eddy::kafka
