#include "src/kafka/protocol/produce.h"

#include <algorithm>

#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/protocol_reader.h"
#include "src/kafka/protocol/protocol_writer.h"

namespace eddy::kafka {

bool ProduceRequest::PartitionProduceData::operator==(const PartitionProduceData& other) const {
  return index == other.index && std::ranges::equal(records, other.records);
}

Result<ProduceRequest> ProduceRequest::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kProduce, version));
  ProtocolReader in(body, "ProduceRequest");
  ProduceRequest r;
  if (version >= 3) r.transactional_id = in.NullableString("transactional_id");
  r.acks = in.Int16("acks");
  r.timeout_ms = in.Int32("timeout_ms");
  in.Array("topic_data", r.topic_data, [&](TopicProduceData& t) {
    t.name = in.String("name");
    in.Array("partition_data", t.partition_data, [&](PartitionProduceData& p) {
      p.index = in.Int32("index");
      std::optional<ByteSpan> records = in.NullableBytesView("records");
      // The view lies inside "body", which is mutable: find the same bytes there.
      if (records && !records->empty()) {
        p.records =
            body.subspan(static_cast<size_t>(records->data() - body.data()), records->size());
      }
    });
  });
  return in.Finish(std::move(r));
}

void ProduceRequest::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  if (version >= 3) w.NullableString(transactional_id);
  w.Int16(acks);
  w.Int32(timeout_ms);
  w.Array(topic_data, [&](const TopicProduceData& t) {
    w.String(t.name);
    w.Array(t.partition_data, [&](const PartitionProduceData& p) {
      w.Int32(p.index);
      w.Bytes(p.records);
    });
  });
}

Result<ProduceResponse> ProduceResponse::Decode(std::span<uint8_t> body, int16_t version) {
  RETURN_IF_ERROR(CheckSupportedVersion(ApiKey::kProduce, version));
  ProtocolReader in(body, "ProduceResponse");
  ProduceResponse r;
  in.Array("responses", r.responses, [&](TopicProduceResponse& t) {
    t.name = in.String("name");
    in.Array("partition_responses", t.partition_responses, [&](PartitionProduceResponse& p) {
      p.index = in.Int32("index");
      p.error_code = static_cast<ErrorCode>(in.Int16("error_code"));
      p.base_offset = in.Int64("base_offset");
      if (version >= 2) p.log_append_time_ms = in.Int64("log_append_time_ms");
      if (version >= 5) p.log_start_offset = in.Int64("log_start_offset");
      if (version >= 8) {
        in.Array("record_errors", p.record_errors, [&](BatchIndexAndErrorMessage& e) {
          e.batch_index = in.Int32("batch_index");
          e.batch_index_error_message = in.NullableString("batch_index_error_message");
        });
        p.error_message = in.NullableString("error_message");
      }
    });
  });
  if (version >= 1) r.throttle_time_ms = in.Int32("throttle_time_ms");
  return in.Finish(std::move(r));
}

void ProduceResponse::Encode(ByteWriter& out, int16_t version) const {
  ProtocolWriter w(out);
  w.Array(responses, [&](const TopicProduceResponse& t) {
    w.String(t.name);
    w.Array(t.partition_responses, [&](const PartitionProduceResponse& p) {
      w.Int32(p.index);
      w.Int16(static_cast<int16_t>(p.error_code));
      w.Int64(p.base_offset);
      if (version >= 2) w.Int64(p.log_append_time_ms);
      if (version >= 5) w.Int64(p.log_start_offset);
      if (version >= 8) {
        w.Array(p.record_errors, [&](const BatchIndexAndErrorMessage& e) {
          w.Int32(e.batch_index);
          w.NullableString(e.batch_index_error_message);
        });
        w.NullableString(p.error_message);
      }
    });
  });
  if (version >= 1) w.Int32(throttle_time_ms);
}

}  // namespace eddy::kafka
