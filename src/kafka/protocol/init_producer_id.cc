#include "src/kafka/protocol/init_producer_id.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<InitProducerIdRequest> InitProducerIdRequest::Decode(std::span<uint8_t> body,
                                                            int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kInitProducerId, version));
  ProtocolReader in(body, "InitProducerIdRequest");
  InitProducerIdRequest r;
  const bool flexible = version >= 2;
  r.transactional_id = flexible ? in.CompactNullableString("transactional_id")
                                : in.NullableString("transactional_id");
  r.transaction_timeout_ms = in.Int32("transaction_timeout_ms");
  if (version >= 3) {
    r.producer_id = in.Int64("producer_id");
    r.producer_epoch = in.Int16("producer_epoch");
  }
  if (flexible) in.SkipTaggedFields();
  return in.Finish(std::move(r));
}

void InitProducerIdRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  const bool flexible = version >= 2;
  if (flexible) {
    w.CompactNullableString(transactional_id);
  } else {
    w.NullableString(transactional_id);
  }
  w.Int32(transaction_timeout_ms);
  if (version >= 3) {
    w.Int64(producer_id);
    w.Int16(producer_epoch);
  }
  if (flexible) w.EmptyTaggedFields();
}

Result<InitProducerIdResponse> InitProducerIdResponse::Decode(std::span<uint8_t> body,
                                                              int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kInitProducerId, version));
  ProtocolReader in(body, "InitProducerIdResponse");
  InitProducerIdResponse r;
  r.throttle_time_ms = in.Int32("throttle_time_ms");
  r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  r.producer_id = in.Int64("producer_id");
  r.producer_epoch = in.Int16("producer_epoch");
  if (version >= 2) in.SkipTaggedFields();
  return in.Finish(r);
}

void InitProducerIdResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.Int32(throttle_time_ms);
  w.Int16(static_cast<int16_t>(error_code));
  w.Int64(producer_id);
  w.Int16(producer_epoch);
  if (version >= 2) w.EmptyTaggedFields();
}

}  // namespace eddy::kafka
