// libFuzzer target: a Kafka request frame (the bytes after the 4-byte size prefix) from
// arbitrary input. Decodes the request header, then the body as the request of the api
// key and version the header names, and as the response of the same version (clients
// decode responses from brokers they do not control). Whatever decodes must encode and
// decode back to the same message.
//
// Build and run by hand (from the repository root, clang 14; the command is one line):
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I.
//     tests/fuzz/kafka_request_fuzz.cc
//     $(ls src/kafka/protocol/*.cc | grep -v -e _test.cc -e sample_messages.cc)
//     src/base/bytes.cc src/base/status.cc -o /tmp/kafka_request_fuzz
//   mkdir -p /tmp/kafka_request_corpus
//   /tmp/kafka_request_fuzz -max_total_time=60 -max_len=4096 /tmp/kafka_request_corpus

#include <cstdint>
#include <cstdlib>
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
#include "src/kafka/protocol/request_header.h"
#include "src/kafka/protocol/sync_group.h"
#include "src/kafka/protocol/txn_offset_commit.h"

namespace eddy::kafka {
namespace {

template <typename Message>
void DecodeAndRoundTrip(std::vector<uint8_t> body, int16_t version) {
  Result<Message> decoded = Message::Decode(body, version);
  if (!decoded.ok()) return;
  ByteWriter out;
  decoded->Encode(out, version);
  std::vector<uint8_t> encoded = out.Release();
  Result<Message> again = Message::Decode(encoded, version);
  // A message eddy decoded and encoded itself must read back the same.
  if (!again.ok() || !(*again == *decoded)) std::abort();
}

template <typename Request, typename Response>
void DecodeBoth(ByteSpan body, int16_t version) {
  DecodeAndRoundTrip<Request>({body.begin(), body.end()}, version);
  DecodeAndRoundTrip<Response>({body.begin(), body.end()}, version);
}

void FuzzFrame(ByteSpan frame) {
  size_t header_size = 0;
  Result<RequestHeader> header = RequestHeader::Decode(frame, &header_size);
  if (!header.ok()) return;
  if (header_size > frame.size()) std::abort();
  ByteSpan body = frame.subspan(header_size);
  int16_t version = header->api_version;
  switch (header->api_key) {
    case ApiKey::kProduce:
      return DecodeBoth<ProduceRequest, ProduceResponse>(body, version);
    case ApiKey::kFetch:
      return DecodeBoth<FetchRequest, FetchResponse>(body, version);
    case ApiKey::kListOffsets:
      return DecodeBoth<ListOffsetsRequest, ListOffsetsResponse>(body, version);
    case ApiKey::kMetadata:
      return DecodeBoth<MetadataRequest, MetadataResponse>(body, version);
    case ApiKey::kOffsetCommit:
      return DecodeBoth<OffsetCommitRequest, OffsetCommitResponse>(body, version);
    case ApiKey::kOffsetFetch:
      return DecodeBoth<OffsetFetchRequest, OffsetFetchResponse>(body, version);
    case ApiKey::kFindCoordinator:
      return DecodeBoth<FindCoordinatorRequest, FindCoordinatorResponse>(body, version);
    case ApiKey::kJoinGroup:
      return DecodeBoth<JoinGroupRequest, JoinGroupResponse>(body, version);
    case ApiKey::kHeartbeat:
      return DecodeBoth<HeartbeatRequest, HeartbeatResponse>(body, version);
    case ApiKey::kLeaveGroup:
      return DecodeBoth<LeaveGroupRequest, LeaveGroupResponse>(body, version);
    case ApiKey::kSyncGroup:
      return DecodeBoth<SyncGroupRequest, SyncGroupResponse>(body, version);
    case ApiKey::kApiVersions:
      return DecodeBoth<ApiVersionsRequest, ApiVersionsResponse>(body, version);
    case ApiKey::kCreateTopics:
      return DecodeBoth<CreateTopicsRequest, CreateTopicsResponse>(body, version);
    case ApiKey::kDeleteTopics:
      return DecodeBoth<DeleteTopicsRequest, DeleteTopicsResponse>(body, version);
    case ApiKey::kInitProducerId:
      return DecodeBoth<InitProducerIdRequest, InitProducerIdResponse>(body, version);
    case ApiKey::kDescribeConfigs:
      return DecodeBoth<DescribeConfigsRequest, DescribeConfigsResponse>(body, version);
    case ApiKey::kAddPartitionsToTxn:
      return DecodeBoth<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>(body, version);
    case ApiKey::kAddOffsetsToTxn:
      return DecodeBoth<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>(body, version);
    case ApiKey::kEndTxn:
      return DecodeBoth<EndTxnRequest, EndTxnResponse>(body, version);
    case ApiKey::kTxnOffsetCommit:
      return DecodeBoth<TxnOffsetCommitRequest, TxnOffsetCommitResponse>(body, version);
  }
}

}  // namespace
}  // namespace eddy::kafka

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  eddy::kafka::FuzzFrame(eddy::ByteSpan(data, size));
  return 0;
}
