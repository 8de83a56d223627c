#include "src/kafka/protocol/txn_offset_commit.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<TxnOffsetCommitRequest> TxnOffsetCommitRequest::Decode(std::span<uint8_t> body,
                                                              int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kTxnOffsetCommit, version));
  ProtocolReader in(body, "TxnOffsetCommitRequest");
  TxnOffsetCommitRequest r;
  r.transactional_id = in.String("transactional_id");
  r.group_id = in.String("group_id");
  r.producer_id = in.Int64("producer_id");
  r.producer_epoch = in.Int16("producer_epoch");
  in.Array(
      "topics", r.topics,
      [&](TxnOffsetCommitRequestTopic& t) {
        t.name = in.String("name");
        in.Array(
            "partitions", t.partitions,
            [&](TxnOffsetCommitRequestPartition& p) {
              p.partition_index = in.Int32("partition_index");
              p.committed_offset = in.Int64("committed_offset");
              if (version >= 2) p.committed_leader_epoch = in.Int32("committed_leader_epoch");
              p.committed_metadata = in.NullableString("committed_metadata");
            },
            14);
      },
      6);
  return in.Finish(std::move(r));
}

void TxnOffsetCommitRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.String(transactional_id);
  w.String(group_id);
  w.Int64(producer_id);
  w.Int16(producer_epoch);
  w.Array(topics, [&](const TxnOffsetCommitRequestTopic& t) {
    w.String(t.name);
    w.Array(t.partitions, [&](const TxnOffsetCommitRequestPartition& p) {
      w.Int32(p.partition_index);
      w.Int64(p.committed_offset);
      if (version >= 2) w.Int32(p.committed_leader_epoch);
      w.NullableString(p.committed_metadata);
    });
  });
}

Result<TxnOffsetCommitResponse> TxnOffsetCommitResponse::Decode(std::span<uint8_t> body,
                                                                int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kTxnOffsetCommit, version));
  ProtocolReader in(body, "TxnOffsetCommitResponse");
  TxnOffsetCommitResponse r;
  r.throttle_time_ms = in.Int32("throttle_time_ms");
  in.Array(
      "topics", r.topics,
      [&](TxnOffsetCommitResponseTopic& t) {
        t.name = in.String("name");
        in.Array(
            "partitions", t.partitions,
            [&](TxnOffsetCommitResponsePartition& p) {
              p.partition_index = in.Int32("partition_index");
              p.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
            },
            6);
      },
      6);
  return in.Finish(std::move(r));
}

void TxnOffsetCommitResponse::Encode(ByteWriter& out, int16_t /*version*/) const {
  ProtocolWriter w(out);
  w.Int32(throttle_time_ms);
  w.Array(topics, [&](const TxnOffsetCommitResponseTopic& t) {
    w.String(t.name);
    w.Array(t.partitions, [&](const TxnOffsetCommitResponsePartition& p) {
      w.Int32(p.partition_index);
      w.Int16(static_cast<int16_t>(p.error_code));
    });
  });
}

}  // namespace eddy::kafka
