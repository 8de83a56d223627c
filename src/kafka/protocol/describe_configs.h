#pragma once
// DescribeConfigs (api key 32), versions 0-2.
//
// Version notes: v0 reports is_default for each config; v1 replaces it with
// config_source and adds include_synonyms and the synonyms list; v2 adds no field.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

struct DescribeConfigsRequest {
  /// resource_type values.
  static constexpr int8_t kTopicResource = 2;
  static constexpr int8_t kBrokerResource = 4;

  struct DescribeConfigsResource {
    int8_t resource_type = 0;
    std::string resource_name;
    /// nullopt: every config of the resource.
    std::optional<std::vector<std::string>> configuration_keys;
    bool operator==(const DescribeConfigsResource&) const = default;
  };

  std::vector<DescribeConfigsResource> resources;
  bool include_synonyms = false;  // v1+

  static Result<DescribeConfigsRequest> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const DescribeConfigsRequest&) const = default;
};

struct DescribeConfigsResponse {
  /// config_source values (v1+).
  static constexpr int8_t kUnknownSource = 0;
  static constexpr int8_t kDynamicTopicConfig = 1;
  static constexpr int8_t kDynamicBrokerConfig = 2;
  static constexpr int8_t kDynamicDefaultBrokerConfig = 3;
  static constexpr int8_t kStaticBrokerConfig = 4;
  static constexpr int8_t kDefaultConfig = 5;

  struct DescribeConfigsSynonym {
    std::string name;
    std::optional<std::string> value;
    int8_t source = 0;
    bool operator==(const DescribeConfigsSynonym&) const = default;
  };
  struct DescribeConfigsResourceResult {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    bool is_default = false;    // v0 only
    int8_t config_source = -1;  // v1+
    bool is_sensitive = false;
    std::vector<DescribeConfigsSynonym> synonyms;  // v1+
    bool operator==(const DescribeConfigsResourceResult&) const = default;
  };
  struct DescribeConfigsResult {
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<DescribeConfigsResourceResult> configs;
    bool operator==(const DescribeConfigsResult&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<DescribeConfigsResult> results;

  static Result<DescribeConfigsResponse> Decode(std::span<uint8_t> body, int16_t version);
  void Encode(ByteWriter& out, int16_t version) const;
  bool operator==(const DescribeConfigsResponse&) const = default;
};

}  // namespace eddy::kafka
