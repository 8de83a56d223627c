#pragma once
// Test support: a message of every type with known, non-default values in every field
// a given version has (fields the version lacks keep their defaults, as a decoder
// leaves them). testdata/kafka_python_vectors.py builds the same values with
// kafka-python, so the two implementations can be compared byte for byte.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/bytes.h"
#include "src/kafka/protocol/add_offsets_to_txn.h"
#include "src/kafka/protocol/add_partitions_to_txn.h"
#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/api_versions.h"
#include "src/kafka/protocol/create_topics.h"
#include "src/kafka/protocol/delete_topics.h"
#include "src/kafka/protocol/describe_configs.h"
#include "src/kafka/protocol/end_txn.h"
#include "src/kafka/protocol/fetch.h"
#include "src/kafka/protocol/find_coordinator.h"
#include "src/kafka/protocol/heartbeat.h"
#include "src/kafka/protocol/init_producer_id.h"
#include "src/kafka/protocol/join_group.h"
#include "src/kafka/protocol/leave_group.h"
#include "src/kafka/protocol/list_offsets.h"
#include "src/kafka/protocol/metadata.h"
#include "src/kafka/protocol/offset_commit.h"
#include "src/kafka/protocol/offset_fetch.h"
#include "src/kafka/protocol/produce.h"
#include "src/kafka/protocol/sync_group.h"
#include "src/kafka/protocol/txn_offset_commit.h"

namespace eddy::kafka::samples {

/// The sample of message type T at "version".
template <typename T>
T Sample(int16_t version);

/// Calls f.template operator()<T>(ApiKey key, std::string_view name) for every request
/// and response type (name as in "ProduceRequest").
template <typename F>
void ForEachMessageType(F&& f) {
  f.template operator()<ProduceRequest>(ApiKey::kProduce, "ProduceRequest");
  f.template operator()<ProduceResponse>(ApiKey::kProduce, "ProduceResponse");
  f.template operator()<FetchRequest>(ApiKey::kFetch, "FetchRequest");
  f.template operator()<FetchResponse>(ApiKey::kFetch, "FetchResponse");
  f.template operator()<ListOffsetsRequest>(ApiKey::kListOffsets, "ListOffsetsRequest");
  f.template operator()<ListOffsetsResponse>(ApiKey::kListOffsets, "ListOffsetsResponse");
  f.template operator()<MetadataRequest>(ApiKey::kMetadata, "MetadataRequest");
  f.template operator()<MetadataResponse>(ApiKey::kMetadata, "MetadataResponse");
  f.template operator()<OffsetCommitRequest>(ApiKey::kOffsetCommit, "OffsetCommitRequest");
  f.template operator()<OffsetCommitResponse>(ApiKey::kOffsetCommit, "OffsetCommitResponse");
  f.template operator()<OffsetFetchRequest>(ApiKey::kOffsetFetch, "OffsetFetchRequest");
  f.template operator()<OffsetFetchResponse>(ApiKey::kOffsetFetch, "OffsetFetchResponse");
  f.template operator()<FindCoordinatorRequest>(ApiKey::kFindCoordinator, "FindCoordinatorRequest");
  f.template operator()<FindCoordinatorResponse>(ApiKey::kFindCoordinator,
                                                 "FindCoordinatorResponse");
  f.template operator()<JoinGroupRequest>(ApiKey::kJoinGroup, "JoinGroupRequest");
  f.template operator()<JoinGroupResponse>(ApiKey::kJoinGroup, "JoinGroupResponse");
  f.template operator()<HeartbeatRequest>(ApiKey::kHeartbeat, "HeartbeatRequest");
  f.template operator()<HeartbeatResponse>(ApiKey::kHeartbeat, "HeartbeatResponse");
  f.template operator()<LeaveGroupRequest>(ApiKey::kLeaveGroup, "LeaveGroupRequest");
  f.template operator()<LeaveGroupResponse>(ApiKey::kLeaveGroup, "LeaveGroupResponse");
  f.template operator()<SyncGroupRequest>(ApiKey::kSyncGroup, "SyncGroupRequest");
  f.template operator()<SyncGroupResponse>(ApiKey::kSyncGroup, "SyncGroupResponse");
  f.template operator()<ApiVersionsRequest>(ApiKey::kApiVersions, "ApiVersionsRequest");
  f.template operator()<ApiVersionsResponse>(ApiKey::kApiVersions, "ApiVersionsResponse");
  f.template operator()<CreateTopicsRequest>(ApiKey::kCreateTopics, "CreateTopicsRequest");
  f.template operator()<CreateTopicsResponse>(ApiKey::kCreateTopics, "CreateTopicsResponse");
  f.template operator()<DeleteTopicsRequest>(ApiKey::kDeleteTopics, "DeleteTopicsRequest");
  f.template operator()<DeleteTopicsResponse>(ApiKey::kDeleteTopics, "DeleteTopicsResponse");
  f.template operator()<InitProducerIdRequest>(ApiKey::kInitProducerId, "InitProducerIdRequest");
  f.template operator()<InitProducerIdResponse>(ApiKey::kInitProducerId, "InitProducerIdResponse");
  f.template operator()<AddPartitionsToTxnRequest>(ApiKey::kAddPartitionsToTxn,
                                                   "AddPartitionsToTxnRequest");
  f.template operator()<AddPartitionsToTxnResponse>(ApiKey::kAddPartitionsToTxn,
                                                    "AddPartitionsToTxnResponse");
  f.template operator()<AddOffsetsToTxnRequest>(ApiKey::kAddOffsetsToTxn, "AddOffsetsToTxnRequest");
  f.template operator()<AddOffsetsToTxnResponse>(ApiKey::kAddOffsetsToTxn,
                                                 "AddOffsetsToTxnResponse");
  f.template operator()<EndTxnRequest>(ApiKey::kEndTxn, "EndTxnRequest");
  f.template operator()<EndTxnResponse>(ApiKey::kEndTxn, "EndTxnResponse");
  f.template operator()<TxnOffsetCommitRequest>(ApiKey::kTxnOffsetCommit, "TxnOffsetCommitRequest");
  f.template operator()<TxnOffsetCommitResponse>(ApiKey::kTxnOffsetCommit,
                                                 "TxnOffsetCommitResponse");
  f.template operator()<DescribeConfigsRequest>(ApiKey::kDescribeConfigs, "DescribeConfigsRequest");
  f.template operator()<DescribeConfigsResponse>(ApiKey::kDescribeConfigs,
                                                 "DescribeConfigsResponse");
}

/// Encodes "message" at "version" into a fresh buffer.
template <typename T>
std::vector<uint8_t> EncodeToBytes(const T& message, int16_t version) {
  ByteWriter out;
  message.Encode(out, version);
  return out.Release();
}

/// Lower-case hex of "bytes", for readable failures.
std::string ToHex(ByteSpan bytes);

/// Success if got == want; on failure shows both encodings at "version".
template <typename T>
::testing::AssertionResult SameMessage(const T& got, const T& want, int16_t version) {
  if (got == want) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "messages differ (fields a version lacks may differ too); encodings:\n  got:  "
         << ToHex(EncodeToBytes(got, version))
         << "\n  want: " << ToHex(EncodeToBytes(want, version));
}

}  // namespace eddy::kafka::samples
