#include "src/kafka/protocol/list_offsets.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<ListOffsetsRequest> ListOffsetsRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kListOffsets, version));
  ProtocolReader in(body, "ListOffsetsRequest");
  ListOffsetsRequest r;
  r.replica_id = in.Int32("replica_id");
  if (version >= 2) r.isolation_level = in.Int8("isolation_level");
  in.Array("topics", r.topics, [&](ListOffsetsTopic& t) {
    t.name = in.String("name");
    in.Array("partitions", t.partitions, [&](ListOffsetsPartition& p) {
      p.partition_index = in.Int32("partition_index");
      if (version >= 4) p.current_leader_epoch = in.Int32("current_leader_epoch");
      p.timestamp = in.Int64("timestamp");
      if (version == 0) p.max_num_offsets = in.Int32("max_num_offsets");
    });
  });
  return in.Finish(std::move(r));
}

void ListOffsetsRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.Int32(replica_id);
  if (version >= 2) w.Int8(isolation_level);
  w.Array(topics, [&](const ListOffsetsTopic& t) {
    w.String(t.name);
    w.Array(t.partitions, [&](const ListOffsetsPartition& p) {
      w.Int32(p.partition_index);
      if (version >= 4) w.Int32(p.current_leader_epoch);
      w.Int64(p.timestamp);
      if (version == 0) w.Int32(p.max_num_offsets);
    });
  });
}

Result<ListOffsetsResponse> ListOffsetsResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kListOffsets, version));
  ProtocolReader in(body, "ListOffsetsResponse");
  ListOffsetsResponse r;
  if (version >= 2) r.throttle_time_ms = in.Int32("throttle_time_ms");
  in.Array("topics", r.topics, [&](ListOffsetsTopicResponse& t) {
    t.name = in.String("name");
    in.Array("partitions", t.partitions, [&](ListOffsetsPartitionResponse& p) {
      p.partition_index = in.Int32("partition_index");
      p.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
      if (version == 0) {
        p.old_style_offsets = in.Int64Array("old_style_offsets");
      } else {
        p.timestamp = in.Int64("timestamp");
        p.offset = in.Int64("offset");
      }
      if (version >= 4) p.leader_epoch = in.Int32("leader_epoch");
    });
  });
  return in.Finish(std::move(r));
}

void ListOffsetsResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 2) w.Int32(throttle_time_ms);
  w.Array(topics, [&](const ListOffsetsTopicResponse& t) {
    w.String(t.name);
    w.Array(t.partitions, [&](const ListOffsetsPartitionResponse& p) {
      w.Int32(p.partition_index);
      w.Int16(static_cast<int16_t>(p.error_code));
      if (version == 0) {
        w.Int64Array(p.old_style_offsets);
      } else {
        w.Int64(p.timestamp);
        w.Int64(p.offset);
      }
      if (version >= 4) w.Int32(p.leader_epoch);
    });
  });
}

}  // namespace eddy::kafka
