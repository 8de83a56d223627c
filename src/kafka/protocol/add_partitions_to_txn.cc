#include "src/kafka/protocol/add_partitions_to_txn.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<AddPartitionsToTxnRequest> AddPartitionsToTxnRequest::Decode(std::span<uint8_t> body,
                                                                    int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kAddPartitionsToTxn, version));
  ProtocolReader in(body, "AddPartitionsToTxnRequest");
  AddPartitionsToTxnRequest r;
  r.transactional_id = in.String("transactional_id");
  r.producer_id = in.Int64("producer_id");
  r.producer_epoch = in.Int16("producer_epoch");
  in.Array(
      "topics", r.topics,
      [&](AddPartitionsToTxnTopic& t) {
        t.name = in.String("name");
        t.partitions = in.Int32Array("partitions");
      },
      6);
  return in.Finish(std::move(r));
}

void AddPartitionsToTxnRequest::Encode(ByteWriter& out, int16_t /*version*/) const {
  ProtocolWriter w(out);
  w.String(transactional_id);
  w.Int64(producer_id);
  w.Int16(producer_epoch);
  w.Array(topics, [&](const AddPartitionsToTxnTopic& t) {
    w.String(t.name);
    w.Int32Array(t.partitions);
  });
}

Result<AddPartitionsToTxnResponse> AddPartitionsToTxnResponse::Decode(std::span<uint8_t> body,
                                                                      int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kAddPartitionsToTxn, version));
  ProtocolReader in(body, "AddPartitionsToTxnResponse");
  AddPartitionsToTxnResponse r;
  r.throttle_time_ms = in.Int32("throttle_time_ms");
  in.Array(
      "results", r.results,
      [&](AddPartitionsToTxnTopicResult& t) {
        t.name = in.String("name");
        in.Array(
            "results", t.results,
            [&](AddPartitionsToTxnPartitionResult& p) {
              p.partition_index = in.Int32("partition_index");
              p.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
            },
            6);
      },
      6);
  return in.Finish(std::move(r));
}

void AddPartitionsToTxnResponse::Encode(ByteWriter& out, int16_t /*version*/) const {
  ProtocolWriter w(out);
  w.Int32(throttle_time_ms);
  w.Array(results, [&](const AddPartitionsToTxnTopicResult& t) {
    w.String(t.name);
    w.Array(t.results, [&](const AddPartitionsToTxnPartitionResult& p) {
      w.Int32(p.partition_index);
      w.Int16(static_cast<int16_t>(p.error_code));
    });
  });
}

}  // namespace eddy::kafka
