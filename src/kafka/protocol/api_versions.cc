#include "src/kafka/protocol/api_versions.h"

#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<ApiVersionsRequest> ApiVersionsRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kApiVersions, version));
  ProtocolReader in(body, "ApiVersionsRequest");
  ApiVersionsRequest r;
  if (version >= 3) {
    r.client_software_name = in.CompactString("client_software_name");
    r.client_software_version = in.CompactString("client_software_version");
    in.SkipTaggedFields();
  }
  return in.Finish(std::move(r));
}

void ApiVersionsRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 3) {
    w.CompactString(client_software_name);
    w.CompactString(client_software_version);
    w.EmptyTaggedFields();
  }
}

Result<ApiVersionsResponse> ApiVersionsResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kApiVersions, version));
  ProtocolReader in(body, "ApiVersionsResponse");
  ApiVersionsResponse r;
  r.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
  auto read_api = [&](ApiVersion& a) {
    a.api_key = static_cast<ApiKey>(in.Int16("api_key"));
    a.min_version = in.Int16("min_version");
    a.max_version = in.Int16("max_version");
    if (version >= 3) in.SkipTaggedFields();
  };
  if (version >= 3) {
    in.CompactArray("api_keys", r.api_keys, read_api, 7);
  } else {
    in.Array("api_keys", r.api_keys, read_api, 6);
  }
  if (version >= 1) r.throttle_time_ms = in.Int32("throttle_time_ms");
  if (version >= 3) in.SkipTaggedFields();
  return in.Finish(std::move(r));
}

void ApiVersionsResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.Int16(static_cast<int16_t>(error_code));
  auto write_api = [&](const ApiVersion& a) {
    w.Int16(static_cast<int16_t>(a.api_key));
    w.Int16(a.min_version);
    w.Int16(a.max_version);
    if (version >= 3) w.EmptyTaggedFields();
  };
  if (version >= 3) {
    w.CompactArray(api_keys, write_api);
  } else {
    w.Array(api_keys, write_api);
  }
  if (version >= 1) w.Int32(throttle_time_ms);
  if (version >= 3) w.EmptyTaggedFields();
}

}  // namespace eddy::kafka
