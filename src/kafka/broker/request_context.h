#pragma once
// One request being served: its header and body, who sent it, and how to answer.
// Handlers receive a shared_ptr and may keep it past their return (a long-polling
// Fetch, a JoinGroup waiting for the group); the request's bytes and its share of the
// memory budget are held until the last reference goes.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/kafka/broker/broker_impl.h"
#include "src/kafka/protocol/request_header.h"

namespace eddy::kafka {

class RequestContext {
 public:
  RequestContext(std::shared_ptr<Connection> connection, uint64_t sequence,
                 std::vector<uint8_t> frame, RequestHeader header, size_t body_offset);
  ~RequestContext();
  RequestContext(const RequestContext&) = delete;
  RequestContext& operator=(const RequestContext&) = delete;

  const RequestHeader& header() const { return header_; }
  int16_t version() const { return header_.api_version; }
  /// The request body after the header; mutable so Produce can set base offsets in place.
  std::span<uint8_t> body() { return std::span<uint8_t>(frame_).subspan(body_offset_); }

  Broker::Impl& broker();
  /// "client_id@host:port" for log lines.
  const std::string& client() const;
  /// The local address the client connected to (for the advertised host).
  const std::string& local_host() const;
  /// The connection's strand: post work here to touch this request's state safely.
  boost::asio::any_io_executor executor() const;

  /// Encodes and sends the response (any thread, once). "size_hint" is the expected
  /// size of the encoded body, so a large response (a Fetch) is encoded straight into a
  /// buffer of the right size instead of one grown by copying.
  template <typename Response>
  void Respond(const Response& response, size_t size_hint = 256) {
    ByteWriter frame(size_hint + kFrameHeaderReserve);
    StartFrame(frame);
    response.Encode(frame, version());
    SendFrame(std::move(frame));
  }
  /// Ends the request without a response (Produce with acks=0).
  void RespondNothing();
  /// Logs "why" and closes the connection (malformed request).
  void CloseConnection(const std::string& why);

 private:
  static constexpr size_t kFrameHeaderReserve = 16;
  /// Writes the size placeholder and the response header.
  void StartFrame(ByteWriter& frame) const;
  /// Fills in the size and hands the frame to the connection.
  void SendFrame(ByteWriter frame);

  std::shared_ptr<Connection> connection_;
  uint64_t sequence_;
  std::vector<uint8_t> frame_;
  RequestHeader header_;
  size_t body_offset_;
  bool answered_ = false;
};

}  // namespace eddy::kafka
