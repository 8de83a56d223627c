#include "src/kafka/protocol/delete_topics.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<DeleteTopicsRequest> DeleteTopicsRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kDeleteTopics, version));
  ProtocolReader in(body, "DeleteTopicsRequest");
  DeleteTopicsRequest r;
  r.topic_names = in.StringArray("topic_names");
  r.timeout_ms = in.Int32("timeout_ms");
  return in.Finish(std::move(r));
}

void DeleteTopicsRequest::Encode(ByteWriter& out, int16_t /*version*/) const {
  ProtocolWriter w(out);
  w.StringArray(topic_names);
  w.Int32(timeout_ms);
}

Result<DeleteTopicsResponse> DeleteTopicsResponse::Decode(std::span<uint8_t> body,
                                                          int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kDeleteTopics, version));
  ProtocolReader in(body, "DeleteTopicsResponse");
  DeleteTopicsResponse r;
  if (version >= 1) r.throttle_time_ms = in.Int32("throttle_time_ms");
  in.Array("responses", r.responses, [&](DeletableTopicResult& t) {
    t.name = in.String("name");
    t.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  });
  return in.Finish(std::move(r));
}

void DeleteTopicsResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 1) w.Int32(throttle_time_ms);
  w.Array(responses, [&](const DeletableTopicResult& t) {
    w.String(t.name);
    w.Int16(static_cast<int16_t>(t.error_code));
  });
}

}  // namespace eddy::kafka
