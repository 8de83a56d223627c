#include "src/kafka/protocol/sample_messages.h"

#include <string>

namespace eddy::kafka::samples {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Record bytes the Produce sample points into (the codec does not parse them).
uint8_t kRecordsOrders0[] = {'b', 'a', 't', 'c', 'h', '-', 'o', 'n', 'e'};
uint8_t kRecordsOrders3[] = {0x00, 0x01, 0x02, 0xff, 0xfe};

constexpr int32_t kThrottleTimeMs = 250;

}  // namespace

std::string ToHex(ByteSpan bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t b : bytes) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xf];
  }
  return hex;
}

template <>
ProduceRequest Sample<ProduceRequest>(int16_t version) {
  ProduceRequest r;
  if (version >= 3) r.transactional_id = "txn-1";
  r.acks = -1;
  r.timeout_ms = 1500;
  r.topic_data = {
      {"orders", {{0, kRecordsOrders0}, {3, kRecordsOrders3}}},
      {"payments", {{1, {}}}},
  };
  return r;
}

template <>
ProduceResponse Sample<ProduceResponse>(int16_t version) {
  ProduceResponse r;
  ProduceResponse::PartitionProduceResponse p0;
  p0.index = 0;
  p0.error_code = ErrorCode::kNone;
  p0.base_offset = 42;
  ProduceResponse::PartitionProduceResponse p3;
  p3.index = 3;
  p3.error_code = ErrorCode::kNotLeaderOrFollower;
  p3.base_offset = -1;
  if (version >= 2) {
    p0.log_append_time_ms = 1700000000000;
    p3.log_append_time_ms = 1700000000001;
  }
  if (version >= 5) {
    p0.log_start_offset = 7;
    p3.log_start_offset = 0;
  }
  if (version >= 8) {
    p0.record_errors = {{1, "bad crc"}, {2, std::nullopt}};
    p0.error_message = "some records failed";
  }
  r.responses = {{"orders", {p0, p3}}};
  if (version >= 1) r.throttle_time_ms = kThrottleTimeMs;
  return r;
}

template <>
FetchRequest Sample<FetchRequest>(int16_t version) {
  FetchRequest r;
  r.replica_id = 2;
  r.max_wait_ms = 500;
  r.min_bytes = 1;
  if (version >= 3) r.max_bytes = 52428800;
  if (version >= 4) r.isolation_level = 1;
  if (version >= 7) {
    r.session_id = 77;
    r.session_epoch = 3;
  }
  FetchRequest::FetchPartition p0{
      .partition = 0, .fetch_offset = 100, .partition_max_bytes = 1048576};
  FetchRequest::FetchPartition p2{
      .partition = 2, .fetch_offset = 200, .partition_max_bytes = 65536};
  if (version >= 9) {
    p0.current_leader_epoch = 5;
    p2.current_leader_epoch = 6;
  }
  if (version >= 5) {
    p0.log_start_offset = 10;
    p2.log_start_offset = 20;
  }
  r.topics = {{"orders", {p0, p2}}};
  if (version >= 7) r.forgotten_topics_data = {{"old", {4, 5}}};
  if (version >= 11) r.rack_id = "rack-a";
  return r;
}

template <>
FetchResponse Sample<FetchResponse>(int16_t version) {
  FetchResponse r;
  if (version >= 1) r.throttle_time_ms = kThrottleTimeMs;
  if (version >= 7) {
    r.error_code = ErrorCode::kFetchSessionIdNotFound;
    r.session_id = 77;
  }
  FetchResponse::PartitionData p0;
  p0.partition_index = 0;
  p0.high_watermark = 150;
  p0.records = Bytes("batch-bytes");
  FetchResponse::PartitionData p2;
  p2.partition_index = 2;
  p2.error_code = ErrorCode::kOffsetOutOfRange;
  p2.high_watermark = -1;
  if (version >= 4) {
    p0.last_stable_offset = 140;
    p0.aborted_transactions = {{{9001, 120}, {9002, 130}}};
  }
  if (version >= 5) p0.log_start_offset = 10;
  if (version >= 11) p0.preferred_read_replica = 2;
  r.responses = {{"orders", {p0, p2}}};
  return r;
}

template <>
ListOffsetsRequest Sample<ListOffsetsRequest>(int16_t version) {
  ListOffsetsRequest r;
  r.replica_id = 4;
  if (version >= 2) r.isolation_level = 1;
  ListOffsetsRequest::ListOffsetsPartition p0{.partition_index = 0,
                                              .timestamp = ListOffsetsRequest::kEarliestTimestamp};
  ListOffsetsRequest::ListOffsetsPartition p1{.partition_index = 1, .timestamp = 1700000000000};
  if (version >= 4) {
    p0.current_leader_epoch = 5;
    p1.current_leader_epoch = 6;
  }
  if (version == 0) p0.max_num_offsets = 3;
  r.topics = {{"orders", {p0, p1}}};
  return r;
}

template <>
ListOffsetsResponse Sample<ListOffsetsResponse>(int16_t version) {
  ListOffsetsResponse r;
  if (version >= 2) r.throttle_time_ms = kThrottleTimeMs;
  ListOffsetsResponse::ListOffsetsPartitionResponse p0;
  p0.partition_index = 0;
  ListOffsetsResponse::ListOffsetsPartitionResponse p1;
  p1.partition_index = 1;
  p1.error_code = ErrorCode::kUnknownTopicOrPartition;
  if (version == 0) {
    p0.old_style_offsets = {100, 50, 0};
  } else {
    p0.timestamp = 1700000000000;
    p0.offset = 100;
  }
  if (version >= 4) p0.leader_epoch = 5;
  r.topics = {{"orders", {p0, p1}}};
  return r;
}

template <>
MetadataRequest Sample<MetadataRequest>(int16_t version) {
  MetadataRequest r;
  r.topics = {{{"orders"}, {"payments"}}};
  if (version >= 4) r.allow_auto_topic_creation = false;
  if (version >= 8) {
    r.include_cluster_authorized_operations = true;
    r.include_topic_authorized_operations = true;
  }
  return r;
}

template <>
MetadataResponse Sample<MetadataResponse>(int16_t version) {
  MetadataResponse r;
  if (version >= 3) r.throttle_time_ms = kThrottleTimeMs;
  MetadataResponse::MetadataResponseBroker b1{1, "broker-1.local", 9092, std::nullopt};
  MetadataResponse::MetadataResponseBroker b2{2, "broker-2.local", 9093, std::nullopt};
  if (version >= 1) b1.rack = "rack-a";
  r.brokers = {b1, b2};
  if (version >= 2) r.cluster_id = "eddy-cluster";
  if (version >= 1) r.controller_id = 1;

  MetadataResponse::MetadataResponsePartition p0;
  p0.partition_index = 0;
  p0.leader_id = 1;
  p0.replica_nodes = {1, 2};
  p0.isr_nodes = {1};
  if (version >= 7) p0.leader_epoch = 4;
  if (version >= 5) p0.offline_replicas = {2};
  MetadataResponse::MetadataResponsePartition p1;
  p1.error_code = ErrorCode::kLeaderNotAvailable;
  p1.partition_index = 1;
  p1.leader_id = -1;
  p1.replica_nodes = {2};

  MetadataResponse::MetadataResponseTopic orders;
  orders.name = "orders";
  orders.partitions = {p0, p1};
  MetadataResponse::MetadataResponseTopic offsets;
  offsets.error_code = ErrorCode::kUnknownTopicOrPartition;
  offsets.name = "__consumer_offsets";
  if (version >= 1) offsets.is_internal = true;
  if (version >= 8) {
    orders.topic_authorized_operations = 248;
    offsets.topic_authorized_operations = 0;
    r.cluster_authorized_operations = 16;
  }
  r.topics = {orders, offsets};
  return r;
}

template <>
OffsetCommitRequest Sample<OffsetCommitRequest>(int16_t version) {
  OffsetCommitRequest r;
  r.group_id = "group-1";
  r.generation_id = 7;
  r.member_id = "member-1";
  if (version >= 7) r.group_instance_id = "instance-1";
  if (version >= 2 && version <= 4) r.retention_time_ms = 86400000;
  OffsetCommitRequest::OffsetCommitRequestPartition p0{
      .partition_index = 0, .committed_offset = 100, .committed_metadata = "meta"};
  OffsetCommitRequest::OffsetCommitRequestPartition p1{
      .partition_index = 1, .committed_offset = 200, .committed_metadata = std::nullopt};
  if (version >= 6) {
    p0.committed_leader_epoch = 5;
    p1.committed_leader_epoch = 6;
  }
  r.topics = {{"orders", {p0, p1}}};
  return r;
}

template <>
OffsetCommitResponse Sample<OffsetCommitResponse>(int16_t version) {
  OffsetCommitResponse r;
  if (version >= 3) r.throttle_time_ms = kThrottleTimeMs;
  r.topics = {{"orders", {{0, ErrorCode::kNone}, {1, ErrorCode::kOffsetMetadataTooLarge}}}};
  return r;
}

template <>
OffsetFetchRequest Sample<OffsetFetchRequest>(int16_t /*version*/) {
  OffsetFetchRequest r;
  r.group_id = "group-1";
  r.topics = {{{"orders", {0, 1, 2}}, {"payments", {}}}};
  return r;
}

template <>
OffsetFetchResponse Sample<OffsetFetchResponse>(int16_t version) {
  OffsetFetchResponse r;
  if (version >= 3) r.throttle_time_ms = kThrottleTimeMs;
  OffsetFetchResponse::OffsetFetchResponsePartition p0{
      .partition_index = 0, .committed_offset = 100, .metadata = "meta"};
  OffsetFetchResponse::OffsetFetchResponsePartition p1;
  p1.partition_index = 1;
  p1.error_code = ErrorCode::kUnknownTopicOrPartition;
  if (version >= 5) p0.committed_leader_epoch = 5;
  r.topics = {{"orders", {p0, p1}}};
  if (version >= 2) r.error_code = ErrorCode::kNotCoordinator;
  return r;
}

template <>
FindCoordinatorRequest Sample<FindCoordinatorRequest>(int16_t version) {
  FindCoordinatorRequest r;
  r.key = "group-1";
  if (version >= 1) r.key_type = FindCoordinatorRequest::kTransactionKeyType;
  return r;
}

template <>
FindCoordinatorResponse Sample<FindCoordinatorResponse>(int16_t version) {
  FindCoordinatorResponse r;
  if (version >= 1) r.throttle_time_ms = kThrottleTimeMs;
  r.error_code = ErrorCode::kCoordinatorNotAvailable;
  if (version >= 1) r.error_message = "not yet";
  r.node_id = 1;
  r.host = "broker-1.local";
  r.port = 9092;
  return r;
}

template <>
JoinGroupRequest Sample<JoinGroupRequest>(int16_t version) {
  JoinGroupRequest r;
  r.group_id = "group-1";
  r.session_timeout_ms = 10000;
  if (version >= 1) r.rebalance_timeout_ms = 30000;
  r.member_id = "member-1";
  if (version >= 5) r.group_instance_id = "instance-1";
  r.protocol_type = "consumer";
  r.protocols = {{"range", Bytes(std::string("\x00\x01range-meta", 12))}, {"roundrobin", {}}};
  return r;
}

template <>
JoinGroupResponse Sample<JoinGroupResponse>(int16_t version) {
  JoinGroupResponse r;
  if (version >= 2) r.throttle_time_ms = kThrottleTimeMs;
  r.error_code = ErrorCode::kRebalanceInProgress;
  r.generation_id = 3;
  r.protocol_name = "range";
  r.leader = "member-1";
  r.member_id = "member-2";
  JoinGroupResponse::JoinGroupResponseMember m1{"member-1", std::nullopt, Bytes("m1")};
  JoinGroupResponse::JoinGroupResponseMember m2{"member-2", std::nullopt, Bytes("m2")};
  if (version >= 5) m1.group_instance_id = "instance-1";
  r.members = {m1, m2};
  return r;
}

template <>
SyncGroupRequest Sample<SyncGroupRequest>(int16_t version) {
  SyncGroupRequest r;
  r.group_id = "group-1";
  r.generation_id = 3;
  r.member_id = "member-1";
  if (version >= 3) r.group_instance_id = "instance-1";
  r.assignments = {{"member-1", Bytes("a1")}, {"member-2", Bytes("a2")}};
  return r;
}

template <>
SyncGroupResponse Sample<SyncGroupResponse>(int16_t version) {
  SyncGroupResponse r;
  if (version >= 1) r.throttle_time_ms = kThrottleTimeMs;
  r.error_code = ErrorCode::kRebalanceInProgress;
  r.assignment = Bytes("assign");
  return r;
}

template <>
HeartbeatRequest Sample<HeartbeatRequest>(int16_t version) {
  HeartbeatRequest r;
  r.group_id = "group-1";
  r.generation_id = 3;
  r.member_id = "member-1";
  if (version >= 3) r.group_instance_id = "instance-1";
  return r;
}

template <>
HeartbeatResponse Sample<HeartbeatResponse>(int16_t version) {
  HeartbeatResponse r;
  if (version >= 1) r.throttle_time_ms = kThrottleTimeMs;
  r.error_code = ErrorCode::kIllegalGeneration;
  return r;
}

template <>
LeaveGroupRequest Sample<LeaveGroupRequest>(int16_t version) {
  LeaveGroupRequest r;
  r.group_id = "group-1";
  if (version <= 2) {
    r.member_id = "member-1";
  } else {
    r.members = {{"member-1", "instance-1"}, {"member-2", std::nullopt}};
  }
  return r;
}

template <>
LeaveGroupResponse Sample<LeaveGroupResponse>(int16_t version) {
  LeaveGroupResponse r;
  if (version >= 1) r.throttle_time_ms = kThrottleTimeMs;
  r.error_code = ErrorCode::kUnknownMemberId;
  if (version >= 3) {
    r.members = {{"member-1", "instance-1", ErrorCode::kNone},
                 {"member-2", std::nullopt, ErrorCode::kUnknownMemberId}};
  }
  return r;
}

template <>
ApiVersionsRequest Sample<ApiVersionsRequest>(int16_t version) {
  ApiVersionsRequest r;
  if (version >= 3) {
    r.client_software_name = "eddy-test";
    r.client_software_version = "0.1.0";
  }
  return r;
}

template <>
ApiVersionsResponse Sample<ApiVersionsResponse>(int16_t version) {
  ApiVersionsResponse r;
  r.error_code = ErrorCode::kUnsupportedVersion;
  r.api_keys = {{ApiKey::kProduce, 3, 8}, {ApiKey::kFetch, 4, 11}, {ApiKey::kApiVersions, 0, 3}};
  if (version >= 1) r.throttle_time_ms = kThrottleTimeMs;
  return r;
}

template <>
CreateTopicsRequest Sample<CreateTopicsRequest>(int16_t version) {
  CreateTopicsRequest r;
  CreateTopicsRequest::CreatableTopic orders{
      .name = "orders",
      .num_partitions = 6,
      .replication_factor = 3,
      .assignments = {},
      .configs = {{"cleanup.policy", "compact"}, {"retention.ms", std::nullopt}}};
  CreateTopicsRequest::CreatableTopic payments{.name = "payments",
                                               .num_partitions = -1,
                                               .replication_factor = -1,
                                               .assignments = {{0, {1, 2}}, {1, {2, 3}}},
                                               .configs = {}};
  r.topics = {orders, payments};
  r.timeout_ms = 30000;
  if (version >= 1) r.validate_only = true;
  return r;
}

template <>
CreateTopicsResponse Sample<CreateTopicsResponse>(int16_t version) {
  CreateTopicsResponse r;
  if (version >= 2) r.throttle_time_ms = kThrottleTimeMs;
  CreateTopicsResponse::CreatableTopicResult orders{"orders", ErrorCode::kNone, std::nullopt};
  CreateTopicsResponse::CreatableTopicResult payments{"payments", ErrorCode::kTopicAlreadyExists,
                                                      std::nullopt};
  if (version >= 1) payments.error_message = "topic exists";
  r.topics = {orders, payments};
  return r;
}

template <>
DeleteTopicsRequest Sample<DeleteTopicsRequest>(int16_t /*version*/) {
  DeleteTopicsRequest r;
  r.topic_names = {"orders", "payments"};
  r.timeout_ms = 30000;
  return r;
}

template <>
DeleteTopicsResponse Sample<DeleteTopicsResponse>(int16_t version) {
  DeleteTopicsResponse r;
  if (version >= 1) r.throttle_time_ms = kThrottleTimeMs;
  r.responses = {{"orders", ErrorCode::kNone}, {"payments", ErrorCode::kUnknownTopicOrPartition}};
  return r;
}

template <>
InitProducerIdRequest Sample<InitProducerIdRequest>(int16_t version) {
  InitProducerIdRequest r;
  r.transactional_id = "txn-1";
  r.transaction_timeout_ms = 60000;
  if (version >= 3) {
    r.producer_id = 4000;
    r.producer_epoch = 7;
  }
  return r;
}

template <>
InitProducerIdResponse Sample<InitProducerIdResponse>(int16_t /*version*/) {
  InitProducerIdResponse r;
  r.throttle_time_ms = kThrottleTimeMs;
  r.error_code = ErrorCode::kConcurrentTransactions;
  r.producer_id = 4000;
  r.producer_epoch = 2;
  return r;
}

template <>
AddPartitionsToTxnRequest Sample<AddPartitionsToTxnRequest>(int16_t /*version*/) {
  AddPartitionsToTxnRequest r;
  r.transactional_id = "txn-1";
  r.producer_id = 4000;
  r.producer_epoch = 3;
  r.topics = {{"orders", {0, 2}}, {"payments", {1}}};
  return r;
}

template <>
AddPartitionsToTxnResponse Sample<AddPartitionsToTxnResponse>(int16_t /*version*/) {
  AddPartitionsToTxnResponse r;
  r.throttle_time_ms = kThrottleTimeMs;
  r.results = {{"orders", {{0, ErrorCode::kNone}, {2, ErrorCode::kConcurrentTransactions}}},
               {"payments", {{1, ErrorCode::kUnknownTopicOrPartition}}}};
  return r;
}

template <>
AddOffsetsToTxnRequest Sample<AddOffsetsToTxnRequest>(int16_t /*version*/) {
  AddOffsetsToTxnRequest r;
  r.transactional_id = "txn-1";
  r.producer_id = 4000;
  r.producer_epoch = 3;
  r.group_id = "billing";
  return r;
}

template <>
AddOffsetsToTxnResponse Sample<AddOffsetsToTxnResponse>(int16_t /*version*/) {
  AddOffsetsToTxnResponse r;
  r.throttle_time_ms = kThrottleTimeMs;
  r.error_code = ErrorCode::kInvalidProducerEpoch;
  return r;
}

template <>
EndTxnRequest Sample<EndTxnRequest>(int16_t /*version*/) {
  EndTxnRequest r;
  r.transactional_id = "txn-1";
  r.producer_id = 4000;
  r.producer_epoch = 3;
  r.committed = true;
  return r;
}

template <>
EndTxnResponse Sample<EndTxnResponse>(int16_t /*version*/) {
  EndTxnResponse r;
  r.throttle_time_ms = kThrottleTimeMs;
  r.error_code = ErrorCode::kInvalidTxnState;
  return r;
}

template <>
TxnOffsetCommitRequest Sample<TxnOffsetCommitRequest>(int16_t version) {
  TxnOffsetCommitRequest r;
  r.transactional_id = "txn-1";
  r.group_id = "billing";
  r.producer_id = 4000;
  r.producer_epoch = 3;
  TxnOffsetCommitRequest::TxnOffsetCommitRequestPartition p0{0, 1234, -1, "meta"};
  TxnOffsetCommitRequest::TxnOffsetCommitRequestPartition p5{5, 99, -1, std::nullopt};
  if (version >= 2) {
    p0.committed_leader_epoch = 6;
    p5.committed_leader_epoch = 0;
  }
  r.topics = {{"orders", {p0, p5}}, {"payments", {}}};
  return r;
}

template <>
TxnOffsetCommitResponse Sample<TxnOffsetCommitResponse>(int16_t /*version*/) {
  TxnOffsetCommitResponse r;
  r.throttle_time_ms = kThrottleTimeMs;
  r.topics = {{"orders", {{0, ErrorCode::kNone}, {5, ErrorCode::kOffsetMetadataTooLarge}}}};
  return r;
}

template <>
DescribeConfigsRequest Sample<DescribeConfigsRequest>(int16_t version) {
  DescribeConfigsRequest r;
  r.resources = {
      {DescribeConfigsRequest::kTopicResource, "orders",
       std::vector<std::string>{"retention.ms", "cleanup.policy"}},
      {DescribeConfigsRequest::kBrokerResource, "1", std::nullopt},
  };
  if (version >= 1) r.include_synonyms = true;
  return r;
}

template <>
DescribeConfigsResponse Sample<DescribeConfigsResponse>(int16_t version) {
  DescribeConfigsResponse r;
  r.throttle_time_ms = kThrottleTimeMs;
  DescribeConfigsResponse::DescribeConfigsResourceResult retention;
  retention.name = "retention.ms";
  retention.value = "604800000";
  DescribeConfigsResponse::DescribeConfigsResourceResult secret;
  secret.name = "secret";
  secret.read_only = true;
  secret.is_sensitive = true;
  if (version == 0) {
    retention.is_default = true;
  } else {
    retention.config_source = DescribeConfigsResponse::kDefaultConfig;
    secret.config_source = DescribeConfigsResponse::kDynamicTopicConfig;
    retention.synonyms = {{"log.retention.ms", "604800000", 4}, {"x", std::nullopt, 5}};
  }
  DescribeConfigsResponse::DescribeConfigsResult orders{
      ErrorCode::kNone, std::nullopt, 2, "orders", {retention, secret}};
  DescribeConfigsResponse::DescribeConfigsResult broker{
      ErrorCode::kInvalidRequest, "bad resource", 4, "9", {}};
  r.results = {orders, broker};
  return r;
}

}  // namespace eddy::kafka::samples
