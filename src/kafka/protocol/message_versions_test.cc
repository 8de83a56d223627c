// Version-specific behaviour of the codecs: the details that bite (nullable topic lists,
// defaults of fields a version lacks, zero-copy produce records) and byte layouts,
// written out field by field from Kafka's message definitions, of versions kafka-python
// does not have.

#include <gtest/gtest.h>

#include <cstring>

#include "src/kafka/protocol/protocol_writer.h"
#include "src/kafka/protocol/sample_messages.h"

namespace eddy::kafka {
namespace {

using samples::EncodeToBytes;
using samples::Sample;

TEST(ProduceCodec, RecordsPointIntoTheRequestBody) {
  std::vector<uint8_t> body = EncodeToBytes(Sample<ProduceRequest>(8), 8);
  Result<ProduceRequest> request = ProduceRequest::Decode(body, 8);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  std::span<uint8_t> records = request->topic_data[0].partition_data[0].records;
  ASSERT_EQ(records.size(), 9u);
  EXPECT_GE(records.data(), body.data());
  EXPECT_LE(records.data() + records.size(), body.data() + body.size());
  // The broker patches base offsets through the span: the body must change.
  records[0] = 'B';
  EXPECT_NE(std::memchr(body.data(), 'B', body.size()), nullptr);
}

TEST(ProduceCodec, NullRecordsDecodeAsAnEmptySpan) {
  ByteWriter out;
  ProtocolWriter w(out);
  w.NullableString(std::nullopt);  // transactional_id
  w.Int16(1);                      // acks
  w.Int32(1000);                   // timeout_ms
  w.Int32(1);                      // topic_data: 1 topic
  w.String("orders");
  w.Int32(1);   // partition_data: 1 partition
  w.Int32(0);   // index
  w.Int32(-1);  // records: null
  std::vector<uint8_t> body = out.Release();
  Result<ProduceRequest> request = ProduceRequest::Decode(body, 3);
  ASSERT_TRUE(request.ok()) << request.status().ToString();
  EXPECT_TRUE(request->topic_data[0].partition_data[0].records.empty());
  EXPECT_FALSE(request->transactional_id.has_value());
}

TEST(MetadataCodec, VersionZeroEmptyTopicListMeansAllTopics) {
  std::vector<uint8_t> body = {0, 0, 0, 0};  // topics: 0 elements
  Result<MetadataRequest> request = MetadataRequest::Decode(body, 0);
  ASSERT_TRUE(request.ok());
  EXPECT_FALSE(request->topics.has_value());
  EXPECT_EQ(EncodeToBytes(MetadataRequest{}, 0), body);
}

TEST(MetadataCodec, VersionOneAndLaterTellNullFromEmpty) {
  std::vector<uint8_t> null_topics = {0xff, 0xff, 0xff, 0xff};
  std::vector<uint8_t> no_topics = {0, 0, 0, 0};
  Result<MetadataRequest> all = MetadataRequest::Decode(null_topics, 1);
  Result<MetadataRequest> none = MetadataRequest::Decode(no_topics, 1);
  ASSERT_TRUE(all.ok() && none.ok());
  EXPECT_FALSE(all->topics.has_value());
  ASSERT_TRUE(none->topics.has_value());
  EXPECT_TRUE(none->topics->empty());
  EXPECT_EQ(EncodeToBytes(MetadataRequest{}, 1), null_topics);
  // v0 has no null: -1 is rejected.
  EXPECT_FALSE(MetadataRequest::Decode(null_topics, 0).ok());
}

TEST(MetadataCodec, AutoTopicCreationIsAllowedWhenTheVersionCannotSay) {
  MetadataRequest request;
  request.allow_auto_topic_creation = false;
  std::vector<uint8_t> v3 = EncodeToBytes(request, 3);
  EXPECT_TRUE(MetadataRequest::Decode(v3, 3)->allow_auto_topic_creation);
  std::vector<uint8_t> v4 = EncodeToBytes(request, 4);
  EXPECT_EQ(v4.size(), v3.size() + 1);
  EXPECT_FALSE(MetadataRequest::Decode(v4, 4)->allow_auto_topic_creation);
}

TEST(MetadataCodec, VersionEightResponseMatchesKafkasLayout) {
  MetadataResponse response;
  response.throttle_time_ms = 5;
  response.brokers = {{.node_id = 1, .host = "h", .port = 9092, .rack = std::nullopt}};
  response.cluster_id = "c";
  response.controller_id = 1;
  MetadataResponse::MetadataResponsePartition partition{.partition_index = 0,
                                                        .leader_id = 1,
                                                        .leader_epoch = 9,
                                                        .replica_nodes = {1},
                                                        .isr_nodes = {1},
                                                        .offline_replicas = {}};
  response.topics = {{.name = "t",
                      .is_internal = false,
                      .partitions = {partition},
                      .topic_authorized_operations = 8}};
  response.cluster_authorized_operations = 16;

  ByteWriter expected;
  ProtocolWriter w(expected);
  w.Int32(5);                                      // throttle_time_ms
  w.Int32(1);                                      // brokers
  w.Int32(1), w.String("h"), w.Int32(9092);        //   node_id, host, port
  w.NullableString(std::nullopt);                  //   rack
  w.NullableString("c");                           // cluster_id
  w.Int32(1);                                      // controller_id
  w.Int32(1);                                      // topics
  w.Int16(0), w.String("t"), w.Bool(false);        //   error_code, name, is_internal
  w.Int32(1);                                      //   partitions
  w.Int16(0), w.Int32(0), w.Int32(1), w.Int32(9);  // error_code, index, leader, leader_epoch
  w.Int32Array({1}), w.Int32Array({1}), w.Int32Array({});  // replicas, isr, offline
  w.Int32(8);                                              //   topic_authorized_operations
  w.Int32(16);                                             // cluster_authorized_operations
  EXPECT_EQ(EncodeToBytes(response, 8), expected.buffer());
}

TEST(OffsetFetchCodec, VersionTwoNullTopicsMeansEveryCommittedPartition) {
  OffsetFetchRequest request{.group_id = "g", .topics = std::nullopt};
  std::vector<uint8_t> v2 = EncodeToBytes(request, 2);
  Result<OffsetFetchRequest> decoded = OffsetFetchRequest::Decode(v2, 2);
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded->topics.has_value());
  // v1 cannot say null: the same bytes are rejected, naming the field.
  Result<OffsetFetchRequest> v1 = OffsetFetchRequest::Decode(v2, 1);
  ASSERT_FALSE(v1.ok());
  EXPECT_EQ(v1.status().message(), "OffsetFetchRequest.topics: null is not allowed");
}

TEST(OffsetCommitCodec, VersionSevenRequestMatchesKafkasLayout) {
  ByteWriter expected;
  ProtocolWriter w(expected);
  w.String("group-1");             // group_id
  w.Int32(7);                      // generation_id
  w.String("member-1");            // member_id
  w.NullableString("instance-1");  // group_instance_id (v7); no retention_time_ms (v5+)
  w.Int32(1);                      // topics
  w.String("orders");
  w.Int32(2);  // partitions
  w.Int32(0), w.Int64(100), w.Int32(5), w.NullableString("meta");
  w.Int32(1), w.Int64(200), w.Int32(6), w.NullableString(std::nullopt);
  EXPECT_EQ(EncodeToBytes(Sample<OffsetCommitRequest>(7), 7), expected.buffer());
}

TEST(OffsetCommitCodec, RetentionTimeExistsOnlyInVersionsTwoToFour) {
  OffsetCommitRequest request = Sample<OffsetCommitRequest>(4);
  EXPECT_EQ(EncodeToBytes(request, 4).size(), EncodeToBytes(request, 5).size() + 8);
  std::vector<uint8_t> v5 = EncodeToBytes(request, 5);
  EXPECT_EQ(OffsetCommitRequest::Decode(v5, 5)->retention_time_ms, -1);
}

TEST(JoinGroupCodec, VersionFiveRequestMatchesKafkasLayout) {
  ByteWriter expected;
  ProtocolWriter w(expected);
  w.String("group-1");             // group_id
  w.Int32(10000);                  // session_timeout_ms
  w.Int32(30000);                  // rebalance_timeout_ms
  w.String("member-1");            // member_id
  w.NullableString("instance-1");  // group_instance_id
  w.String("consumer");            // protocol_type
  w.Int32(2);                      // protocols
  w.String("range"), w.Bytes(AsBytes(std::string_view("\x00\x01range-meta", 12)));
  w.String("roundrobin"), w.Bytes({});
  EXPECT_EQ(EncodeToBytes(Sample<JoinGroupRequest>(5), 5), expected.buffer());
}

TEST(JoinGroupCodec, RebalanceTimeoutIsMinusOneWhenVersionZeroCannotSay) {
  std::vector<uint8_t> v0 = EncodeToBytes(Sample<JoinGroupRequest>(5), 0);
  EXPECT_EQ(JoinGroupRequest::Decode(v0, 0)->rebalance_timeout_ms, -1);
}

TEST(LeaveGroupCodec, VersionThreeSendsABatchOfMembers) {
  ByteWriter request;
  ProtocolWriter w(request);
  w.String("group-1");  // group_id, then members instead of member_id
  w.Int32(2);
  w.String("member-1"), w.NullableString("instance-1");
  w.String("member-2"), w.NullableString(std::nullopt);
  EXPECT_EQ(EncodeToBytes(Sample<LeaveGroupRequest>(3), 3), request.buffer());

  ByteWriter response;
  ProtocolWriter r(response);
  r.Int32(250), r.Int16(25);  // throttle_time_ms, error_code
  r.Int32(2);                 // members
  r.String("member-1"), r.NullableString("instance-1"), r.Int16(0);
  r.String("member-2"), r.NullableString(std::nullopt), r.Int16(25);
  EXPECT_EQ(EncodeToBytes(Sample<LeaveGroupResponse>(3), 3), response.buffer());
}

TEST(GroupCodecs, VersionThreeHeartbeatAndSyncGroupCarryGroupInstanceId) {
  ByteWriter heartbeat;
  ProtocolWriter h(heartbeat);
  h.String("group-1"), h.Int32(3), h.String("member-1"), h.NullableString("instance-1");
  EXPECT_EQ(EncodeToBytes(Sample<HeartbeatRequest>(3), 3), heartbeat.buffer());

  ByteWriter sync;
  ProtocolWriter s(sync);
  s.String("group-1"), s.Int32(3), s.String("member-1"), s.NullableString("instance-1");
  s.Int32(2);
  s.String("member-1"), s.Bytes(AsBytes("a1"));
  s.String("member-2"), s.Bytes(AsBytes("a2"));
  EXPECT_EQ(EncodeToBytes(Sample<SyncGroupRequest>(3), 3), sync.buffer());
}

TEST(FetchCodec, AbortedTransactionsTellNullFromEmpty) {
  FetchResponse response;
  response.responses = {{"t", {FetchResponse::PartitionData{}, FetchResponse::PartitionData{}}}};
  response.responses[0].partitions[1].aborted_transactions.emplace();
  std::vector<uint8_t> bytes = EncodeToBytes(response, 4);
  Result<FetchResponse> decoded = FetchResponse::Decode(bytes, 4);
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded->responses[0].partitions[0].aborted_transactions.has_value());
  ASSERT_TRUE(decoded->responses[0].partitions[1].aborted_transactions.has_value());
  EXPECT_TRUE(decoded->responses[0].partitions[1].aborted_transactions->empty());
}

TEST(FetchCodec, VersionElevenAddsRackIdAndPreferredReadReplica) {
  FetchRequest request = Sample<FetchRequest>(11);
  EXPECT_EQ(EncodeToBytes(request, 11).size(),
            EncodeToBytes(request, 10).size() + 2 + request.rack_id.size());
  FetchResponse response = Sample<FetchResponse>(11);
  EXPECT_EQ(EncodeToBytes(response, 11).size(), EncodeToBytes(response, 10).size() + 2 * 4);
}

TEST(ApiVersionsCodec, VersionThreeRequestIsFlexible) {
  ApiVersionsRequest request{.client_software_name = "eddy", .client_software_version = "1.0"};
  // Compact strings (length + 1 as an unsigned varint), then an empty tagged-field section.
  std::vector<uint8_t> expected = {0x05, 'e', 'd', 'd', 'y', 0x04, '1', '.', '0', 0x00};
  EXPECT_EQ(EncodeToBytes(request, 3), expected);
  Result<ApiVersionsRequest> decoded = ApiVersionsRequest::Decode(expected, 3);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, request);
  EXPECT_TRUE(EncodeToBytes(request, 2).empty());
}

TEST(ApiVersionsCodec, VersionThreeResponseSkipsTaggedFieldsItDoesNotKnow) {
  std::vector<uint8_t> body = {
      0x00, 0x00,                                // error_code
      0x03,                                      // api_keys: 2 elements, compact
      0x00, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00,  //   Produce 3-8, no tags
      0x00, 0x12, 0x00, 0x00, 0x00, 0x03,        //   ApiVersions 0-3
      0x01, 0x07, 0x02, 0xaa, 0xbb,              //   one unknown tag (7, 2 bytes)
      0x00, 0x00, 0x00, 0xfa,                    // throttle_time_ms 250
      0x02,                                      // two tagged fields:
      0x00, 0x01, 0x00,                          //   supported_features (empty)
      0x03, 0x01, 0x01,                          //   zk_migration_ready
  };
  Result<ApiVersionsResponse> decoded = ApiVersionsResponse::Decode(body, 3);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ApiVersionsResponse expected{.error_code = ErrorCode::kNone,
                               .api_keys = {{ApiKey::kProduce, 3, 8}, {ApiKey::kApiVersions, 0, 3}},
                               .throttle_time_ms = 250};
  EXPECT_EQ(*decoded, expected);
  // Written back without the tags eddy does not know.
  std::vector<uint8_t> plain = {0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x08, 0x00, 0x00,
                                0x12, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0xfa, 0x00};
  EXPECT_EQ(EncodeToBytes(expected, 3), plain);
}

TEST(ApiVersionsCodec, VersionThreeRejectsTagsOutOfOrder) {
  std::vector<uint8_t> body = {0x05, 'e', 'd',  'd',  'y',  0x04, '1',
                               '.',  '0', 0x02, 0x03, 0x00, 0x01, 0x00};  // tags 3 then 1
  Result<ApiVersionsRequest> decoded = ApiVersionsRequest::Decode(body, 3);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().message(),
            "ApiVersionsRequest._tagged_fields: tag 1 is not greater than the previous tag 3");
}

TEST(InitProducerIdCodec, MatchesKafkasLayout) {
  std::vector<uint8_t> request = {0x00, 0x05, 't',  'x', 'n', '-', '1',  // transactional_id
                                  0x00, 0x00, 0xea, 0x60};               // 60000 ms
  EXPECT_EQ(EncodeToBytes(Sample<InitProducerIdRequest>(1), 1), request);
  std::vector<uint8_t> response = {0x00, 0x00, 0x00, 0xfa,                          // throttle
                                   0x00, 0x33,                                      // error 51
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0xa0,  // id 4000
                                   0x00, 0x02};                                     // epoch 2
  EXPECT_EQ(EncodeToBytes(Sample<InitProducerIdResponse>(0), 0), response);
  InitProducerIdRequest idempotent{.transactional_id = std::nullopt, .transaction_timeout_ms = 0};
  EXPECT_EQ(EncodeToBytes(idempotent, 0),
            (std::vector<uint8_t>{0xff, 0xff, 0x00, 0x00, 0x00, 0x00}));
}

TEST(InitProducerIdCodec, FlexibleVersionsUseCompactStringsAndTaggedFields) {
  // Kafka's InitProducerIdRequest.json: flexible from v2, producer id and epoch from v3.
  std::vector<uint8_t> v3 = {0x06, 't',  'x',  'n',  '-',  '1',    // compact "txn-1"
                             0x00, 0x00, 0xea, 0x60,               // 60000 ms
                             0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0xa0,  // id 4000
                             0x00, 0x07,                                      // epoch 7
                             0x00};                                           // no tags
  EXPECT_EQ(EncodeToBytes(Sample<InitProducerIdRequest>(3), 3), v3);
  EXPECT_EQ(EncodeToBytes(Sample<InitProducerIdRequest>(4), 4), v3);
  std::vector<uint8_t> v2 = {0x06, 't', 'x', 'n', '-', '1', 0x00, 0x00, 0xea, 0x60, 0x00};
  EXPECT_EQ(EncodeToBytes(Sample<InitProducerIdRequest>(2), 2), v2);
  InitProducerIdRequest idempotent;
  EXPECT_EQ(EncodeToBytes(idempotent, 2),
            (std::vector<uint8_t>{0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));  // null id
  Result<InitProducerIdRequest> decoded = InitProducerIdRequest::Decode(v3, 3);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->producer_id, 4000);
  EXPECT_EQ(decoded->producer_epoch, 7);
  std::vector<uint8_t> response = {0x00, 0x00, 0x00, 0xfa, 0x00, 0x33,
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0xa0,
                                   0x00, 0x02, 0x00};  // + empty tagged fields
  EXPECT_EQ(EncodeToBytes(Sample<InitProducerIdResponse>(2), 2), response);
}

TEST(AddPartitionsToTxnCodec, MatchesKafkasLayout) {
  std::vector<uint8_t> request = {
      0x00, 0x05, 't', 'x', 'n', '-', '1',                    // transactional_id
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0xa0,         // producer_id 4000
      0x00, 0x03,                                             // producer_epoch 3
      0x00, 0x00, 0x00, 0x02,                                 // 2 topics
      0x00, 0x06, 'o', 'r', 'd', 'e', 'r', 's',               //   orders
      0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  // [0, 2]
      0x00, 0x08, 'p', 'a', 'y', 'm', 'e', 'n', 't', 's',     //   payments
      0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01};        //   [1]
  for (int16_t v : {0, 1}) EXPECT_EQ(EncodeToBytes(Sample<AddPartitionsToTxnRequest>(v), v), request);
  std::vector<uint8_t> response = {
      0x00, 0x00, 0x00, 0xfa,                                 // throttle 250
      0x00, 0x00, 0x00, 0x02,                                 // 2 topics
      0x00, 0x06, 'o', 'r', 'd', 'e', 'r', 's', 0x00, 0x00, 0x00, 0x02,
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                     //   0: NONE
      0x00, 0x00, 0x00, 0x02, 0x00, 0x33,                     //   2: CONCURRENT_TRANSACTIONS
      0x00, 0x08, 'p', 'a', 'y', 'm', 'e', 'n', 't', 's', 0x00, 0x00, 0x00, 0x01,
      0x00, 0x00, 0x00, 0x01, 0x00, 0x03};                    //   1: UNKNOWN_TOPIC_OR_PARTITION
  EXPECT_EQ(EncodeToBytes(Sample<AddPartitionsToTxnResponse>(1), 1), response);
}

TEST(AddOffsetsToTxnCodec, MatchesKafkasLayout) {
  std::vector<uint8_t> request = {0x00, 0x05, 't',  'x',  'n',  '-',  '1',  0x00, 0x00, 0x00,
                                  0x00, 0x00, 0x00, 0x0f, 0xa0, 0x00, 0x03, 0x00, 0x07, 'b',
                                  'i',  'l',  'l',  'i',  'n',  'g'};
  EXPECT_EQ(EncodeToBytes(Sample<AddOffsetsToTxnRequest>(0), 0), request);
  EXPECT_EQ(EncodeToBytes(Sample<AddOffsetsToTxnResponse>(1), 1),
            (std::vector<uint8_t>{0x00, 0x00, 0x00, 0xfa, 0x00, 0x2f}));  // 47
}

TEST(EndTxnCodec, MatchesKafkasLayout) {
  std::vector<uint8_t> request = {0x00, 0x05, 't',  'x',  'n',  '-',  '1',  0x00, 0x00, 0x00,
                                  0x00, 0x00, 0x00, 0x0f, 0xa0, 0x00, 0x03, 0x01};  // commit
  EXPECT_EQ(EncodeToBytes(Sample<EndTxnRequest>(1), 1), request);
  request.back() = 0x00;
  Result<EndTxnRequest> abort = EndTxnRequest::Decode(request, 0);
  ASSERT_TRUE(abort.ok());
  EXPECT_FALSE(abort->committed);
  EXPECT_EQ(EncodeToBytes(Sample<EndTxnResponse>(0), 0),
            (std::vector<uint8_t>{0x00, 0x00, 0x00, 0xfa, 0x00, 0x30}));  // 48
}

TEST(TxnOffsetCommitCodec, MatchesKafkasLayoutWithTheLeaderEpochFromVersionTwo) {
  std::vector<uint8_t> head = {
      0x00, 0x05, 't', 'x', 'n', '-', '1',                       // transactional_id
      0x00, 0x07, 'b', 'i', 'l', 'l', 'i', 'n', 'g',             // group_id
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0xa0, 0x00, 0x03,  // producer id, epoch
      0x00, 0x00, 0x00, 0x02,                                    // 2 topics
      0x00, 0x06, 'o', 'r', 'd', 'e', 'r', 's', 0x00, 0x00, 0x00, 0x02};
  std::vector<uint8_t> tail = {0x00, 0x08, 'p', 'a', 'y', 'm', 'e', 'n', 't', 's',
                               0x00, 0x00, 0x00, 0x00};  // payments, no partitions
  auto build = [&](bool epoch) {
    std::vector<uint8_t> out = head;
    std::vector<uint8_t> p0 = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xd2};
    std::vector<uint8_t> p5 = {0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x63};
    out.insert(out.end(), p0.begin(), p0.end());
    if (epoch) out.insert(out.end(), {0x00, 0x00, 0x00, 0x06});
    out.insert(out.end(), {0x00, 0x04, 'm', 'e', 't', 'a'});
    out.insert(out.end(), p5.begin(), p5.end());
    if (epoch) out.insert(out.end(), {0x00, 0x00, 0x00, 0x00});
    out.insert(out.end(), {0xff, 0xff});  // null metadata
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
  };
  EXPECT_EQ(EncodeToBytes(Sample<TxnOffsetCommitRequest>(0), 0), build(false));
  EXPECT_EQ(EncodeToBytes(Sample<TxnOffsetCommitRequest>(1), 1), build(false));
  EXPECT_EQ(EncodeToBytes(Sample<TxnOffsetCommitRequest>(2), 2), build(true));
  std::vector<uint8_t> response = {0x00, 0x00, 0x00, 0xfa, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
                                   'o',  'r',  'd',  'e',  'r',  's',  0x00, 0x00, 0x00, 0x02,
                                   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
                                   0x00, 0x0c};  // OFFSET_METADATA_TOO_LARGE
  EXPECT_EQ(EncodeToBytes(Sample<TxnOffsetCommitResponse>(2), 2), response);
}

TEST(DescribeConfigsCodec, VersionZeroHasIsDefaultWhereLaterVersionsHaveConfigSource) {
  std::vector<uint8_t> v0_bytes = EncodeToBytes(Sample<DescribeConfigsResponse>(0), 0);
  Result<DescribeConfigsResponse> v0 = DescribeConfigsResponse::Decode(v0_bytes, 0);
  ASSERT_TRUE(v0.ok());
  EXPECT_TRUE(v0->results[0].configs[0].is_default);
  EXPECT_EQ(v0->results[0].configs[0].config_source, -1);
  std::vector<uint8_t> v1_bytes = EncodeToBytes(Sample<DescribeConfigsResponse>(1), 1);
  Result<DescribeConfigsResponse> v1 = DescribeConfigsResponse::Decode(v1_bytes, 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_FALSE(v1->results[0].configs[0].is_default);
  EXPECT_EQ(v1->results[0].configs[0].config_source, DescribeConfigsResponse::kDefaultConfig);
  EXPECT_EQ(v1->results[0].configs[0].synonyms.size(), 2u);
}

}  // namespace
}  // namespace eddy::kafka
