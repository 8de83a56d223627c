#include "src/kafka/protocol/heartbeat.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<HeartbeatRequest> HeartbeatRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kHeartbeat, version));
  ProtocolReader in(body, "HeartbeatRequest");
  HeartbeatRequest r;
  r.group_id = in.String("group_id");
  r.generation_id = in.Int32("generation_id");
  r.member_id = in.String("member_id");
  if (version >= 3) r.group_instance_id = in.NullableString("group_instance_id");
  return in.Finish(std::move(r));
}

void HeartbeatRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.String(group_id);
  w.Int32(generation_id);
  w.String(member_id);
  if (version >= 3) w.NullableString(group_instance_id);
}

Result<HeartbeatResponse> HeartbeatResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kHeartbeat, version));
  ProtocolReader in(body, "HeartbeatResponse");
  HeartbeatResponse r;
  if (version >= 1) r.throttle_time_ms = in.Int32("throttle_time_ms");
  r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  return in.Finish(r);
}

void HeartbeatResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 1) w.Int32(throttle_time_ms);
  w.Int16(static_cast<int16_t>(error_code));
}

}  // namespace eddy::kafka
