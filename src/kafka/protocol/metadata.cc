#include "src/kafka/protocol/metadata.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<MetadataRequest> MetadataRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kMetadata, version));
  ProtocolReader in(body, "MetadataRequest");
  MetadataRequest r;
  auto read_topic = [&](MetadataRequestTopic& t) { t.name = in.String("name"); };
  if (version == 0) {
    std::vector<MetadataRequestTopic> topics;
    in.Array("topics", topics, read_topic, sizeof(int16_t));
    if (!topics.empty()) r.topics = std::move(topics);
  } else {
    in.NullableArray("topics", r.topics, read_topic, sizeof(int16_t));
  }
  if (version >= 4) r.allow_auto_topic_creation = in.Bool("allow_auto_topic_creation");
  if (version >= 8) {
    r.include_cluster_authorized_operations = in.Bool("include_cluster_authorized_operations");
    r.include_topic_authorized_operations = in.Bool("include_topic_authorized_operations");
  }
  return in.Finish(std::move(r));
}

void MetadataRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  auto write_topic = [&](const MetadataRequestTopic& t) { w.String(t.name); };
  if (version == 0) {
    w.Array(topics.value_or(std::vector<MetadataRequestTopic>{}), write_topic);
  } else {
    w.NullableArray(topics, write_topic);
  }
  if (version >= 4) w.Bool(allow_auto_topic_creation);
  if (version >= 8) {
    w.Bool(include_cluster_authorized_operations);
    w.Bool(include_topic_authorized_operations);
  }
}

Result<MetadataResponse> MetadataResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kMetadata, version));
  ProtocolReader in(body, "MetadataResponse");
  MetadataResponse r;
  if (version >= 3) r.throttle_time_ms = in.Int32("throttle_time_ms");
  in.Array("brokers", r.brokers, [&](MetadataResponseBroker& b) {
    b.node_id = in.Int32("node_id");
    b.host = in.String("host");
    b.port = in.Int32("port");
    if (version >= 1) b.rack = in.NullableString("rack");
  });
  if (version >= 2) r.cluster_id = in.NullableString("cluster_id");
  if (version >= 1) r.controller_id = in.Int32("controller_id");
  in.Array("topics", r.topics, [&](MetadataResponseTopic& t) {
    t.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
    t.name = in.String("name");
    if (version >= 1) t.is_internal = in.Bool("is_internal");
    in.Array("partitions", t.partitions, [&](MetadataResponsePartition& p) {
      p.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
      p.partition_index = in.Int32("partition_index");
      p.leader_id = in.Int32("leader_id");
      if (version >= 7) p.leader_epoch = in.Int32("leader_epoch");
      p.replica_nodes = in.Int32Array("replica_nodes");
      p.isr_nodes = in.Int32Array("isr_nodes");
      if (version >= 5) p.offline_replicas = in.Int32Array("offline_replicas");
    });
    if (version >= 8) t.topic_authorized_operations = in.Int32("topic_authorized_operations");
  });
  if (version >= 8) r.cluster_authorized_operations = in.Int32("cluster_authorized_operations");
  return in.Finish(std::move(r));
}

void MetadataResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 3) w.Int32(throttle_time_ms);
  w.Array(brokers, [&](const MetadataResponseBroker& b) {
    w.Int32(b.node_id);
    w.String(b.host);
    w.Int32(b.port);
    if (version >= 1) w.NullableString(b.rack);
  });
  if (version >= 2) w.NullableString(cluster_id);
  if (version >= 1) w.Int32(controller_id);
  w.Array(topics, [&](const MetadataResponseTopic& t) {
    w.Int16(static_cast<int16_t>(t.error_code));
    w.String(t.name);
    if (version >= 1) w.Bool(t.is_internal);
    w.Array(t.partitions, [&](const MetadataResponsePartition& p) {
      w.Int16(static_cast<int16_t>(p.error_code));
      w.Int32(p.partition_index);
      w.Int32(p.leader_id);
      if (version >= 7) w.Int32(p.leader_epoch);
      w.Int32Array(p.replica_nodes);
      w.Int32Array(p.isr_nodes);
      if (version >= 5) w.Int32Array(p.offline_replicas);
    });
    if (version >= 8) w.Int32(t.topic_authorized_operations);
  });
  if (version >= 8) w.Int32(cluster_authorized_operations);
}

}  // namespace eddy::kafka
