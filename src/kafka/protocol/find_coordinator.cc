#include "src/kafka/protocol/find_coordinator.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<FindCoordinatorRequest> FindCoordinatorRequest::Decode(std::span<uint8_t> body,
                                                              int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kFindCoordinator, version));
  ProtocolReader in(body, "FindCoordinatorRequest");
  FindCoordinatorRequest r;
  r.key = in.String("key");
  if (version >= 1) r.key_type = in.Int8("key_type");
  return in.Finish(std::move(r));
}

void FindCoordinatorRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.String(key);
  if (version >= 1) w.Int8(key_type);
}

Result<FindCoordinatorResponse> FindCoordinatorResponse::Decode(std::span<uint8_t> body,
                                                                int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kFindCoordinator, version));
  ProtocolReader in(body, "FindCoordinatorResponse");
  FindCoordinatorResponse r;
  if (version >= 1) r.throttle_time_ms = in.Int32("throttle_time_ms");
  r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  if (version >= 1) r.error_message = in.NullableString("error_message");
  r.node_id = in.Int32("node_id");
  r.host = in.String("host");
  r.port = in.Int32("port");
  return in.Finish(std::move(r));
}

void FindCoordinatorResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 1) w.Int32(throttle_time_ms);
  w.Int16(static_cast<int16_t>(error_code));
  if (version >= 1) w.NullableString(error_message);
  w.Int32(node_id);
  w.String(host);
  w.Int32(port);
}

}  // namespace eddy::kafka
