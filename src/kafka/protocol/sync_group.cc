#include "src/kafka/protocol/sync_group.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<SyncGroupRequest> SyncGroupRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kSyncGroup, version));
  ProtocolReader in(body, "SyncGroupRequest");
  SyncGroupRequest r;
  r.group_id = in.String("group_id");
  r.generation_id = in.Int32("generation_id");
  r.member_id = in.String("member_id");
  if (version >= 3) r.group_instance_id = in.NullableString("group_instance_id");
  in.Array("assignments", r.assignments, [&](SyncGroupRequestAssignment& a) {
    a.member_id = in.String("member_id");
    a.assignment = in.Bytes("assignment");
  });
  return in.Finish(std::move(r));
}

void SyncGroupRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.String(group_id);
  w.Int32(generation_id);
  w.String(member_id);
  if (version >= 3) w.NullableString(group_instance_id);
  w.Array(assignments, [&](const SyncGroupRequestAssignment& a) {
    w.String(a.member_id);
    w.Bytes(a.assignment);
  });
}

Result<SyncGroupResponse> SyncGroupResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kSyncGroup, version));
  ProtocolReader in(body, "SyncGroupResponse");
  SyncGroupResponse r;
  if (version >= 1) r.throttle_time_ms = in.Int32("throttle_time_ms");
  r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  r.assignment = in.Bytes("assignment");
  return in.Finish(std::move(r));
}

void SyncGroupResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 1) w.Int32(throttle_time_ms);
  w.Int16(static_cast<int16_t>(error_code));
  w.Bytes(assignment);
}

}  // namespace eddy::kafka
