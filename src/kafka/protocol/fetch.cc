#include "src/kafka/protocol/fetch.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<FetchRequest> FetchRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kFetch, version));
  ProtocolReader in(body, "FetchRequest");
  FetchRequest r;
  r.replica_id = in.Int32("replica_id");
  r.max_wait_ms = in.Int32("max_wait_ms");
  r.min_bytes = in.Int32("min_bytes");
  if (version >= 3) r.max_bytes = in.Int32("max_bytes");
  if (version >= 4) r.isolation_level = in.Int8("isolation_level");
  if (version >= 7) {
    r.session_id = in.Int32("session_id");
    r.session_epoch = in.Int32("session_epoch");
  }
  in.Array("topics", r.topics, [&](FetchTopic& t) {
    t.topic = in.String("topic");
    in.Array("partitions", t.partitions, [&](FetchPartition& p) {
      p.partition = in.Int32("partition");
      if (version >= 9) p.current_leader_epoch = in.Int32("current_leader_epoch");
      p.fetch_offset = in.Int64("fetch_offset");
      if (version >= 5) p.log_start_offset = in.Int64("log_start_offset");
      p.partition_max_bytes = in.Int32("partition_max_bytes");
    });
  });
  if (version >= 7) {
    in.Array("forgotten_topics_data", r.forgotten_topics_data, [&](ForgottenTopic& t) {
      t.topic = in.String("topic");
      t.partitions = in.Int32Array("partitions");
    });
  }
  if (version >= 11) r.rack_id = in.String("rack_id");
  return in.Finish(std::move(r));
}

void FetchRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.Int32(replica_id);
  w.Int32(max_wait_ms);
  w.Int32(min_bytes);
  if (version >= 3) w.Int32(max_bytes);
  if (version >= 4) w.Int8(isolation_level);
  if (version >= 7) {
    w.Int32(session_id);
    w.Int32(session_epoch);
  }
  w.Array(topics, [&](const FetchTopic& t) {
    w.String(t.topic);
    w.Array(t.partitions, [&](const FetchPartition& p) {
      w.Int32(p.partition);
      if (version >= 9) w.Int32(p.current_leader_epoch);
      w.Int64(p.fetch_offset);
      if (version >= 5) w.Int64(p.log_start_offset);
      w.Int32(p.partition_max_bytes);
    });
  });
  if (version >= 7) {
    w.Array(forgotten_topics_data, [&](const ForgottenTopic& t) {
      w.String(t.topic);
      w.Int32Array(t.partitions);
    });
  }
  if (version >= 11) w.String(rack_id);
}

Result<FetchResponse> FetchResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kFetch, version));
  ProtocolReader in(body, "FetchResponse");
  FetchResponse r;
  if (version >= 1) r.throttle_time_ms = in.Int32("throttle_time_ms");
  if (version >= 7) {
    r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
    r.session_id = in.Int32("session_id");
  }
  in.Array("responses", r.responses, [&](FetchableTopicResponse& t) {
    t.topic = in.String("topic");
    in.Array("partitions", t.partitions, [&](PartitionData& p) {
      p.partition_index = in.Int32("partition_index");
      p.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
      p.high_watermark = in.Int64("high_watermark");
      if (version >= 4) p.last_stable_offset = in.Int64("last_stable_offset");
      if (version >= 5) p.log_start_offset = in.Int64("log_start_offset");
      if (version >= 4) {
        in.NullableArray("aborted_transactions", p.aborted_transactions,
                         [&](AbortedTransaction& a) {
                           a.producer_id = in.Int64("producer_id");
                           a.first_offset = in.Int64("first_offset");
                         });
      }
      if (version >= 11) p.preferred_read_replica = in.Int32("preferred_read_replica");
      p.records = in.NullableBytes("records");
    });
  });
  return in.Finish(std::move(r));
}

void FetchResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 1) w.Int32(throttle_time_ms);
  if (version >= 7) {
    w.Int16(static_cast<int16_t>(error_code));
    w.Int32(session_id);
  }
  w.Array(responses, [&](const FetchableTopicResponse& t) {
    w.String(t.topic);
    w.Array(t.partitions, [&](const PartitionData& p) {
      w.Int32(p.partition_index);
      w.Int16(static_cast<int16_t>(p.error_code));
      w.Int64(p.high_watermark);
      if (version >= 4) w.Int64(p.last_stable_offset);
      if (version >= 5) w.Int64(p.log_start_offset);
      if (version >= 4) {
        w.NullableArray(p.aborted_transactions, [&](const AbortedTransaction& a) {
          w.Int64(a.producer_id);
          w.Int64(a.first_offset);
        });
      }
      if (version >= 11) w.Int32(p.preferred_read_replica);
      w.NullableBytes(p.records);
    });
  });
}

}  // namespace eddy::kafka
