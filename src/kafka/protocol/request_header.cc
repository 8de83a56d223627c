#include "src/kafka/protocol/request_header.h"

#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<RequestHeader> RequestHeader::Decode(ByteSpan frame, int16_t header_version,
                                            size_t* header_size) {
  if (header_version < 1 || header_version > 2) {
    return Status::InvalidArgument("request header version " + std::to_string(header_version) +
                                   " is not supported");
  }
  ProtocolReader in(frame, "RequestHeader");
  RequestHeader h;
  h.api_key = static_cast<ApiKey>(in.Int16("api_key"));
  h.api_version = in.Int16("api_version");
  h.correlation_id = in.Int32("correlation_id");
  h.client_id = in.NullableString("client_id");
  if (header_version >= 2) in.SkipTaggedFields();
  *header_size = in.position();
  return in.Finish(std::move(h));
}

Result<RequestHeader> RequestHeader::Decode(ByteSpan frame, size_t* header_size) {
  ProtocolReader in(frame, "RequestHeader");
  auto api_key = static_cast<ApiKey>(in.Int16("api_key"));
  int16_t api_version = in.Int16("api_version");
  RETURN_IF_ERROR(in.status());
  return Decode(frame, RequestHeaderVersion(api_key, api_version), header_size);
}

void RequestHeader::Encode(ByteWriter& out, int16_t header_version) const {
  ProtocolWriter w(out);
  w.Int16(static_cast<int16_t>(api_key));
  w.Int16(api_version);
  w.Int32(correlation_id);
  w.NullableString(client_id);
  if (header_version >= 2) w.EmptyTaggedFields();
}

void RequestHeader::Encode(ByteWriter& out) const {
  Encode(out, RequestHeaderVersion(api_key, api_version));
}

Result<ResponseHeader> ResponseHeader::Decode(ByteSpan frame, int16_t header_version,
                                              size_t* header_size) {
  if (header_version < 0 || header_version > 1) {
    return Status::InvalidArgument("response header version " + std::to_string(header_version) +
                                   " is not supported");
  }
  ProtocolReader in(frame, "ResponseHeader");
  ResponseHeader h;
  h.correlation_id = in.Int32("correlation_id");
  if (header_version >= 1) in.SkipTaggedFields();
  *header_size = in.position();
  return in.Finish(h);
}

void ResponseHeader::Encode(ByteWriter& out, int16_t header_version) const {
  ProtocolWriter w(out);
  w.Int32(correlation_id);
  if (header_version >= 1) w.EmptyTaggedFields();
}

}  // namespace eddy::kafka
