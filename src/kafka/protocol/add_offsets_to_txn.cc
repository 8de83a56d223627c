#include "src/kafka/protocol/add_offsets_to_txn.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<AddOffsetsToTxnRequest> AddOffsetsToTxnRequest::Decode(std::span<uint8_t> body,
                                                              int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kAddOffsetsToTxn, version));
  ProtocolReader in(body, "AddOffsetsToTxnRequest");
  AddOffsetsToTxnRequest r;
  r.transactional_id = in.String("transactional_id");
  r.producer_id = in.Int64("producer_id");
  r.producer_epoch = in.Int16("producer_epoch");
  r.group_id = in.String("group_id");
  return in.Finish(std::move(r));
}

void AddOffsetsToTxnRequest::Encode(ByteWriter& out, int16_t /*version*/) const {
  ProtocolWriter w(out);
  w.String(transactional_id);
  w.Int64(producer_id);
  w.Int16(producer_epoch);
  w.String(group_id);
}

Result<AddOffsetsToTxnResponse> AddOffsetsToTxnResponse::Decode(std::span<uint8_t> body,
                                                                int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kAddOffsetsToTxn, version));
  ProtocolReader in(body, "AddOffsetsToTxnResponse");
  AddOffsetsToTxnResponse r;
  r.throttle_time_ms = in.Int32("throttle_time_ms");
  r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  return in.Finish(r);
}

void AddOffsetsToTxnResponse::Encode(ByteWriter& out, int16_t /*version*/) const {
  ProtocolWriter w(out);
  w.Int32(throttle_time_ms);
  w.Int16(static_cast<int16_t>(error_code));
}

}  // namespace eddy::kafka
