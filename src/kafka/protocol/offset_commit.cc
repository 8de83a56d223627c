#include "src/kafka/protocol/offset_commit.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<OffsetCommitRequest> OffsetCommitRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kOffsetCommit, version));
  ProtocolReader in(body, "OffsetCommitRequest");
  OffsetCommitRequest r;
  r.group_id = in.String("group_id");
  r.generation_id = in.Int32("generation_id");
  r.member_id = in.String("member_id");
  if (version >= 7) r.group_instance_id = in.NullableString("group_instance_id");
  if (version >= 2 && version <= 4) r.retention_time_ms = in.Int64("retention_time_ms");
  in.Array("topics", r.topics, [&](OffsetCommitRequestTopic& t) {
    t.name = in.String("name");
    in.Array("partitions", t.partitions, [&](OffsetCommitRequestPartition& p) {
      p.partition_index = in.Int32("partition_index");
      p.committed_offset = in.Int64("committed_offset");
      if (version >= 6) p.committed_leader_epoch = in.Int32("committed_leader_epoch");
      p.committed_metadata = in.NullableString("committed_metadata");
    });
  });
  return in.Finish(std::move(r));
}

void OffsetCommitRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.String(group_id);
  w.Int32(generation_id);
  w.String(member_id);
  if (version >= 7) w.NullableString(group_instance_id);
  if (version >= 2 && version <= 4) w.Int64(retention_time_ms);
  w.Array(topics, [&](const OffsetCommitRequestTopic& t) {
    w.String(t.name);
    w.Array(t.partitions, [&](const OffsetCommitRequestPartition& p) {
      w.Int32(p.partition_index);
      w.Int64(p.committed_offset);
      if (version >= 6) w.Int32(p.committed_leader_epoch);
      w.NullableString(p.committed_metadata);
    });
  });
}

Result<OffsetCommitResponse> OffsetCommitResponse::Decode(std::span<uint8_t> body,
                                                          int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kOffsetCommit, version));
  ProtocolReader in(body, "OffsetCommitResponse");
  OffsetCommitResponse r;
  if (version >= 3) r.throttle_time_ms = in.Int32("throttle_time_ms");
  in.Array("topics", r.topics, [&](OffsetCommitResponseTopic& t) {
    t.name = in.String("name");
    in.Array("partitions", t.partitions, [&](OffsetCommitResponsePartition& p) {
      p.partition_index = in.Int32("partition_index");
      p.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
    });
  });
  return in.Finish(std::move(r));
}

void OffsetCommitResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 3) w.Int32(throttle_time_ms);
  w.Array(topics, [&](const OffsetCommitResponseTopic& t) {
    w.String(t.name);
    w.Array(t.partitions, [&](const OffsetCommitResponsePartition& p) {
      w.Int32(p.partition_index);
      w.Int16(static_cast<int16_t>(p.error_code));
    });
  });
}

}  // namespace eddy::kafka
