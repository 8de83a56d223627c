#pragma once
// The headers in front of every Kafka request and response body.
//
// Request header v1: api_key int16, api_version int16, correlation_id int32,
// client_id nullable string. v2 (flexible versions) adds a tagged-field section; its
// client_id stays a classic int16-length string, as in Kafka. Response header v0:
// correlation_id int32; v1 adds a tagged-field section. api_keys.h says which header
// version goes with which API version.

#include <cstdint>
#include <optional>
#include <string>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/api_keys.h"

namespace eddy::kafka {

struct RequestHeader {
  ApiKey api_key = ApiKey::kProduce;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;

  /// Decodes a header of "header_version" (1 or 2) from the front of a request frame
  /// (the bytes after the size prefix) and stores its length in "*header_size"; the
  /// body starts there.
  static Result<RequestHeader> Decode(ByteSpan frame, int16_t header_version, size_t* header_size);
  /// As above, with the header version that RequestHeaderVersion() gives for the api
  /// key and version the frame names (known even for versions eddy does not serve).
  static Result<RequestHeader> Decode(ByteSpan frame, size_t* header_size);

  void Encode(ByteWriter& out, int16_t header_version) const;
  /// Encodes with the header version RequestHeaderVersion(api_key, api_version).
  void Encode(ByteWriter& out) const;

  bool operator==(const RequestHeader&) const = default;
};

struct ResponseHeader {
  int32_t correlation_id = 0;

  static Result<ResponseHeader> Decode(ByteSpan frame, int16_t header_version, size_t* header_size);
  void Encode(ByteWriter& out, int16_t header_version) const;

  bool operator==(const ResponseHeader&) const = default;
};

}  // namespace eddy::kafka
