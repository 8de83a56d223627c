#include "src/kafka/protocol/describe_configs.h"

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

Result<DescribeConfigsRequest> DescribeConfigsRequest::Decode(std::span<uint8_t> body,
                                                              int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kDescribeConfigs, version));
  ProtocolReader in(body, "DescribeConfigsRequest");
  DescribeConfigsRequest r;
  in.Array("resources", r.resources, [&](DescribeConfigsResource& res) {
    res.resource_type = in.Int8("resource_type");
    res.resource_name = in.String("resource_name");
    res.configuration_keys = in.NullableStringArray("configuration_keys");
  });
  if (version >= 1) r.include_synonyms = in.Bool("include_synonyms");
  return in.Finish(std::move(r));
}

void DescribeConfigsRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.Array(resources, [&](const DescribeConfigsResource& res) {
    w.Int8(res.resource_type);
    w.String(res.resource_name);
    w.NullableStringArray(res.configuration_keys);
  });
  if (version >= 1) w.Bool(include_synonyms);
}

Result<DescribeConfigsResponse> DescribeConfigsResponse::Decode(std::span<uint8_t> body,
                                                                int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kDescribeConfigs, version));
  ProtocolReader in(body, "DescribeConfigsResponse");
  DescribeConfigsResponse r;
  r.throttle_time_ms = in.Int32("throttle_time_ms");
  in.Array("results", r.results, [&](DescribeConfigsResult& res) {
    res.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
    res.error_message = in.NullableString("error_message");
    res.resource_type = in.Int8("resource_type");
    res.resource_name = in.String("resource_name");
    in.Array("configs", res.configs, [&](DescribeConfigsResourceResult& c) {
      c.name = in.String("name");
      c.value = in.NullableString("value");
      c.read_only = in.Bool("read_only");
      if (version == 0) {
        c.is_default = in.Bool("is_default");
      } else {
        c.config_source = in.Int8("config_source");
      }
      c.is_sensitive = in.Bool("is_sensitive");
      if (version >= 1) {
        in.Array("synonyms", c.synonyms, [&](DescribeConfigsSynonym& s) {
          s.name = in.String("name");
          s.value = in.NullableString("value");
          s.source = in.Int8("source");
        });
      }
    });
  });
  return in.Finish(std::move(r));
}

void DescribeConfigsResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.Int32(throttle_time_ms);
  w.Array(results, [&](const DescribeConfigsResult& res) {
    w.Int16(static_cast<int16_t>(res.error_code));
    w.NullableString(res.error_message);
    w.Int8(res.resource_type);
    w.String(res.resource_name);
    w.Array(res.configs, [&](const DescribeConfigsResourceResult& c) {
      w.String(c.name);
      w.NullableString(c.value);
      w.Bool(c.read_only);
      if (version == 0) {
        w.Bool(c.is_default);
      } else {
        w.Int8(c.config_source);
      }
      w.Bool(c.is_sensitive);
      if (version >= 1) {
        w.Array(c.synonyms, [&](const DescribeConfigsSynonym& s) {
          w.String(s.name);
          w.NullableString(s.value);
          w.Int8(s.source);
        });
      }
    });
  });
}

}  // namespace eddy::kafka
