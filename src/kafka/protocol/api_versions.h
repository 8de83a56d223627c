#pragma once
// ApiVersions (api key 18), versions 0-3.
//
// Version notes: the v0-2 request has no fields; throttle_time_ms v1+. v3 is flexible:
// the request carries the client's software name and version as compact strings,
// arrays are compact, and each struct ends with a tagged-field section (tags eddy does
// not know, such as a broker's supported_features, are skipped). Its request header is
// v2 but its response header stays v0 (see ResponseHeaderVersion).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct ApiVersionsRequest {
  std::string client_software_name;     // v3+
  std::string client_software_version;  // v3+

  static Result<ApiVersionsRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const ApiVersionsRequest&) const = default;
};

struct ApiVersionsResponse {
  struct ApiVersion {
    ApiKey api_key = ApiKey::kProduce;
    int16_t min_version = 0;
    int16_t max_version = 0;
    bool operator==(const ApiVersion&) const = default;
  };

  ErrorCode error_code = ErrorCode::kNone;
  std::vector<ApiVersion> api_keys;
  int32_t throttle_time_ms = 0;  // v1+

  static Result<ApiVersionsResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const ApiVersionsResponse&) const = default;
};

}  // namespace eddy::kafka
