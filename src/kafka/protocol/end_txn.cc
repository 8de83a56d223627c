#include "src/kafka/protocol/end_txn.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<EndTxnRequest> EndTxnRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kEndTxn, version));
  ProtocolReader in(body, "EndTxnRequest");
  EndTxnRequest r;
  r.transactional_id = in.String("transactional_id");
  r.producer_id = in.Int64("producer_id");
  r.producer_epoch = in.Int16("producer_epoch");
  r.committed = in.Bool("committed");
  return in.Finish(std::move(r));
}

void EndTxnRequest::Encode(ByteWriter& out, int16_t /*version*/) const {
  ProtocolWriter w(out);
  w.String(transactional_id);
  w.Int64(producer_id);
  w.Int16(producer_epoch);
  w.Bool(committed);
}

Result<EndTxnResponse> EndTxnResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kEndTxn, version));
  ProtocolReader in(body, "EndTxnResponse");
  EndTxnResponse r;
  r.throttle_time_ms = in.Int32("throttle_time_ms");
  r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  return in.Finish(r);
}

void EndTxnResponse::Encode(ByteWriter& out, int16_t /*version*/) const {
  ProtocolWriter w(out);
  w.Int32(throttle_time_ms);
  w.Int16(static_cast<int16_t>(error_code));
}

}  // namespace eddy::kafka
