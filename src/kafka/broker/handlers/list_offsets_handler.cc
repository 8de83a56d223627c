// ListOffsets: the earliest offset, the latest (the high watermark: what consumers can
// read; for read_committed the last stable offset), or the first offset at or after a
// timestamp, per partition.

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/list_offsets.h"
#include "src/log/log.h"

namespace eddy::kafka {

void HandleListOffsets(RequestPtr ctx) {
  std::optional<ListOffsetsRequest> request = DecodeOrClose<ListOffsetsRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  const bool v0 = ctx->version() == 0;
  ListOffsetsResponse response;
  for (const auto& topic : request->topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.name = topic.name;
    for (const auto& p : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = p.partition_index;
      auto partition = broker.log->GetPartition(topic.name, PartitionId(p.partition_index));
      if (!partition.ok()) {
        out.error_code = ErrorFromLogStatus(partition.status());
        continue;
      }
      const log::Partition& part = **partition;
      int64_t offset = -1;
      int64_t timestamp = -1;
      if (p.timestamp == ListOffsetsRequest::kLatestTimestamp) {
        offset = request->isolation_level == 1 ? part.last_stable_offset().value()
                                               : part.high_watermark().value();
      } else if (p.timestamp == ListOffsetsRequest::kEarliestTimestamp) {
        offset = part.log_start_offset().value();
      } else if (p.timestamp < 0) {
        out.error_code = ErrorCode::kInvalidRequest;
        continue;
      } else {
        auto found = part.OffsetForTimestamp(p.timestamp);
        if (!found.ok()) {
          out.error_code = ErrorFromLogStatus(found.status());
          continue;
        }
        if (found->has_value()) {
          offset = (*found)->offset.value();
          timestamp = (*found)->timestamp;
        }
      }
      if (v0) {
        if (offset >= 0 && p.max_num_offsets > 0) out.old_style_offsets.push_back(offset);
      } else {
        out.offset = offset;
        out.timestamp = timestamp;
        out.leader_epoch = offset >= 0 ? 0 : -1;
      }
    }
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
