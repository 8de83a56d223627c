#include "src/kafka/protocol/offset_fetch.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<OffsetFetchRequest> OffsetFetchRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kOffsetFetch, version));
  ProtocolReader in(body, "OffsetFetchRequest");
  OffsetFetchRequest r;
  r.group_id = in.String("group_id");
  auto read_topic = [&](OffsetFetchRequestTopic& t) {
    t.name = in.String("name");
    t.partition_indexes = in.Int32Array("partition_indexes");
  };
  if (version >= 2) {
    in.NullableArray("topics", r.topics, read_topic);
  } else {
    in.Array("topics", r.topics.emplace(), read_topic);
  }
  return in.Finish(std::move(r));
}

void OffsetFetchRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.String(group_id);
  auto write_topic = [&](const OffsetFetchRequestTopic& t) {
    w.String(t.name);
    w.Int32Array(t.partition_indexes);
  };
  if (version >= 2) {
    w.NullableArray(topics, write_topic);
  } else {
    w.Array(topics.value_or(std::vector<OffsetFetchRequestTopic>{}), write_topic);
  }
}

Result<OffsetFetchResponse> OffsetFetchResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kOffsetFetch, version));
  ProtocolReader in(body, "OffsetFetchResponse");
  OffsetFetchResponse r;
  if (version >= 3) r.throttle_time_ms = in.Int32("throttle_time_ms");
  in.Array("topics", r.topics, [&](OffsetFetchResponseTopic& t) {
    t.name = in.String("name");
    in.Array("partitions", t.partitions, [&](OffsetFetchResponsePartition& p) {
      p.partition_index = in.Int32("partition_index");
      p.committed_offset = in.Int64("committed_offset");
      if (version >= 5) p.committed_leader_epoch = in.Int32("committed_leader_epoch");
      p.metadata = in.NullableString("metadata");
      p.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
    });
  });
  if (version >= 2) r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  return in.Finish(std::move(r));
}

void OffsetFetchResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 3) w.Int32(throttle_time_ms);
  w.Array(topics, [&](const OffsetFetchResponseTopic& t) {
    w.String(t.name);
    w.Array(t.partitions, [&](const OffsetFetchResponsePartition& p) {
      w.Int32(p.partition_index);
      w.Int64(p.committed_offset);
      if (version >= 5) w.Int32(p.committed_leader_epoch);
      w.NullableString(p.metadata);
      w.Int16(static_cast<int16_t>(p.error_code));
    });
  });
  if (version >= 2) w.Int16(static_cast<int16_t>(error_code));
}

}  // namespace eddy::kafka
