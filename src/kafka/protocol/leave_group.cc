#include "src/kafka/protocol/leave_group.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<LeaveGroupRequest> LeaveGroupRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kLeaveGroup, version));
  ProtocolReader in(body, "LeaveGroupRequest");
  LeaveGroupRequest r;
  r.group_id = in.String("group_id");
  if (version <= 2) {
    r.member_id = in.String("member_id");
  } else {
    in.Array("members", r.members, [&](MemberIdentity& m) {
      m.member_id = in.String("member_id");
      m.group_instance_id = in.NullableString("group_instance_id");
    });
  }
  return in.Finish(std::move(r));
}

void LeaveGroupRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.String(group_id);
  if (version <= 2) {
    w.String(member_id);
  } else {
    w.Array(members, [&](const MemberIdentity& m) {
      w.String(m.member_id);
      w.NullableString(m.group_instance_id);
    });
  }
}

Result<LeaveGroupResponse> LeaveGroupResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kLeaveGroup, version));
  ProtocolReader in(body, "LeaveGroupResponse");
  LeaveGroupResponse r;
  if (version >= 1) r.throttle_time_ms = in.Int32("throttle_time_ms");
  r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  if (version >= 3) {
    in.Array("members", r.members, [&](MemberResponse& m) {
      m.member_id = in.String("member_id");
      m.group_instance_id = in.NullableString("group_instance_id");
      m.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
    });
  }
  return in.Finish(std::move(r));
}

void LeaveGroupResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 1) w.Int32(throttle_time_ms);
  w.Int16(static_cast<int16_t>(error_code));
  if (version >= 3) {
    w.Array(members, [&](const MemberResponse& m) {
      w.String(m.member_id);
      w.NullableString(m.group_instance_id);
      w.Int16(static_cast<int16_t>(m.error_code));
    });
  }
}

}  // namespace eddy::kafka
