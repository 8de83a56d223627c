#include "src/kafka/protocol/join_group.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<JoinGroupRequest> JoinGroupRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kJoinGroup, version));
  ProtocolReader in(body, "JoinGroupRequest");
  JoinGroupRequest r;
  r.group_id = in.String("group_id");
  r.session_timeout_ms = in.Int32("session_timeout_ms");
  if (version >= 1) r.rebalance_timeout_ms = in.Int32("rebalance_timeout_ms");
  r.member_id = in.String("member_id");
  if (version >= 5) r.group_instance_id = in.NullableString("group_instance_id");
  r.protocol_type = in.String("protocol_type");
  in.Array("protocols", r.protocols, [&](JoinGroupRequestProtocol& p) {
    p.name = in.String("name");
    p.metadata = in.Bytes("metadata");
  });
  return in.Finish(std::move(r));
}

void JoinGroupRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.String(group_id);
  w.Int32(session_timeout_ms);
  if (version >= 1) w.Int32(rebalance_timeout_ms);
  w.String(member_id);
  if (version >= 5) w.NullableString(group_instance_id);
  w.String(protocol_type);
  w.Array(protocols, [&](const JoinGroupRequestProtocol& p) {
    w.String(p.name);
    w.Bytes(p.metadata);
  });
}

Result<JoinGroupResponse> JoinGroupResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kJoinGroup, version));
  ProtocolReader in(body, "JoinGroupResponse");
  JoinGroupResponse r;
  if (version >= 2) r.throttle_time_ms = in.Int32("throttle_time_ms");
  r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  r.generation_id = in.Int32("generation_id");
  r.protocol_name = in.String("protocol_name");
  r.leader = in.String("leader");
  r.member_id = in.String("member_id");
  in.Array("members", r.members, [&](JoinGroupResponseMember& m) {
    m.member_id = in.String("member_id");
    if (version >= 5) m.group_instance_id = in.NullableString("group_instance_id");
    m.metadata = in.Bytes("metadata");
  });
  return in.Finish(std::move(r));
}

void JoinGroupResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 2) w.Int32(throttle_time_ms);
  w.Int16(static_cast<int16_t>(error_code));
  w.Int32(generation_id);
  w.String(protocol_name);
  w.String(leader);
  w.String(member_id);
  w.Array(members, [&](const JoinGroupResponseMember& m) {
    w.String(m.member_id);
    if (version >= 5) w.NullableString(m.group_instance_id);
    w.Bytes(m.metadata);
  });
}

}  // namespace eddy::kafka
