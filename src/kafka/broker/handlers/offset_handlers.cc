// OffsetCommit and OffsetFetch: committed consumer positions, kept durably by the group
// coordinator's offset store. A commit is answered only once it is on disk.

#include <map>

#include "src/kafka/broker/handlers.h"
#include "src/kafka/group/group_coordinator.h"
#include "src/kafka/protocol/offset_commit.h"
#include "src/kafka/protocol/offset_fetch.h"
#include "src/log/log.h"

namespace eddy::kafka {

void HandleOffsetCommit(RequestPtr ctx) {
  std::optional<OffsetCommitRequest> request = DecodeOrClose<OffsetCommitRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  OffsetCommitResponse response;
  OffsetCommitParams params;
  params.group_id = request->group_id;
  params.generation_id = request->generation_id;
  params.member_id = request->member_id;
  params.group_instance_id = request->group_instance_id;
  // Partitions of unknown topics are refused here; the rest go to the coordinator.
  for (const auto& topic : request->topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.name = topic.name;
    for (const auto& p : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = p.partition_index;
      if (broker.groups == nullptr) {
        out.error_code = ErrorCode::kCoordinatorNotAvailable;
      } else if (!broker.log->GetPartition(topic.name, PartitionId(p.partition_index)).ok()) {
        out.error_code = ErrorCode::kUnknownTopicOrPartition;
      } else {
        params.partitions.push_back({topic.name, PartitionId(p.partition_index), Offset(p.committed_offset),
                                     p.committed_leader_epoch, p.committed_metadata.value_or("")});
      }
    }
  }
  if (params.partitions.empty()) {
    ctx->Respond(response);
    return;
  }
  broker.groups->CommitOffsets(std::move(params), [ctx, response = std::move(response)](OffsetCommitResult result) mutable {
    std::map<std::pair<std::string, int32_t>, ErrorCode> errors;
    for (const auto& r : result.partitions) errors[{r.topic, r.partition.value()}] = r.error;
    for (auto& topic : response.topics) {
      for (auto& p : topic.partitions) {
        auto it = errors.find({topic.name, p.partition_index});
        if (it != errors.end()) p.error_code = it->second;
      }
    }
    ctx->Respond(response);
  });
}

void HandleOffsetFetch(RequestPtr ctx) {
  std::optional<OffsetFetchRequest> request = DecodeOrClose<OffsetFetchRequest>(*ctx);
  if (!request) return;
  OffsetFetchResponse response;
  if (ctx->broker().groups == nullptr) {
    response.error_code = ErrorCode::kCoordinatorNotAvailable;
    ctx->Respond(response);
    return;
  }
  OffsetFetchParams params;
  params.group_id = request->group_id;
  if (request->topics) {
    params.partitions.emplace();
    for (const auto& topic : *request->topics) {
      for (int32_t p : topic.partition_indexes) params.partitions->push_back({topic.name, PartitionId(p)});
    }
  }
  OffsetFetchResult result = ctx->broker().groups->FetchOffsets(params);
  response.error_code = result.error;
  for (auto& fetched : result.partitions) {
    if (response.topics.empty() || response.topics.back().name != fetched.topic) {
      response.topics.emplace_back().name = fetched.topic;
    }
    auto& out = response.topics.back().partitions.emplace_back();
    out.partition_index = fetched.partition.value();
    out.committed_offset = fetched.offset.value();
    out.committed_leader_epoch = fetched.leader_epoch;
    out.metadata = std::move(fetched.metadata);
    out.error_code = fetched.error;
  }
  if (ctx->version() < 2 && result.error != ErrorCode::kNone) {
    // v0-1 have no top-level error: Kafka puts it on every partition.
    for (auto& t : response.topics) {
      for (auto& p : t.partitions) p.error_code = result.error;
    }
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
