#include "src/kafka/protocol/create_topics.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<CreateTopicsRequest> CreateTopicsRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kCreateTopics, version));
  ProtocolReader in(body, "CreateTopicsRequest");
  CreateTopicsRequest r;
  in.Array("topics", r.topics, [&](CreatableTopic& t) {
    t.name = in.String("name");
    t.num_partitions = in.Int32("num_partitions");
    t.replication_factor = in.Int16("replication_factor");
    in.Array("assignments", t.assignments, [&](CreatableReplicaAssignment& a) {
      a.partition_index = in.Int32("partition_index");
      a.broker_ids = in.Int32Array("broker_ids");
    });
    in.Array("configs", t.configs, [&](CreateableTopicConfig& c) {
      c.name = in.String("name");
      c.value = in.NullableString("value");
    });
  });
  r.timeout_ms = in.Int32("timeout_ms");
  if (version >= 1) r.validate_only = in.Bool("validate_only");
  return in.Finish(std::move(r));
}

void CreateTopicsRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.Array(topics, [&](const CreatableTopic& t) {
    w.String(t.name);
    w.Int32(t.num_partitions);
    w.Int16(t.replication_factor);
    w.Array(t.assignments, [&](const CreatableReplicaAssignment& a) {
      w.Int32(a.partition_index);
      w.Int32Array(a.broker_ids);
    });
    w.Array(t.configs, [&](const CreateableTopicConfig& c) {
      w.String(c.name);
      w.NullableString(c.value);
    });
  });
  w.Int32(timeout_ms);
  if (version >= 1) w.Bool(validate_only);
}

Result<CreateTopicsResponse> CreateTopicsResponse::Decode(std::span<uint8_t> body,
                                                          int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kCreateTopics, version));
  ProtocolReader in(body, "CreateTopicsResponse");
  CreateTopicsResponse r;
  if (version >= 2) r.throttle_time_ms = in.Int32("throttle_time_ms");
  in.Array("topics", r.topics, [&](CreatableTopicResult& t) {
    t.name = in.String("name");
    t.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
    if (version >= 1) t.error_message = in.NullableString("error_message");
  });
  return in.Finish(std::move(r));
}

void CreateTopicsResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 2) w.Int32(throttle_time_ms);
  w.Array(topics, [&](const CreatableTopicResult& t) {
    w.String(t.name);
    w.Int16(static_cast<int16_t>(t.error_code));
    if (version >= 1) w.NullableString(t.error_message);
  });
}

}  // namespace eddy::kafka
