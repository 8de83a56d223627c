// TxnOffsetCommit: a group's offsets as part of a transaction. They are kept with the
// transaction and reach the group's committed offsets only when it commits.

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/txn_offset_commit.h"

namespace eddy::kafka {

void HandleTxnOffsetCommit(RequestPtr ctx) {
  std::optional<TxnOffsetCommitRequest> request = DecodeOrClose<TxnOffsetCommitRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  TxnOffsetCommitParams params;
  params.producer = {request->transactional_id, request->producer_id, request->producer_epoch};
  params.group_id = request->group_id;
  for (const auto& topic : request->topics) {
    for (const auto& p : topic.partitions) {
      params.offsets.push_back({topic.name, PartitionId(p.partition_index),
                                Offset(p.committed_offset), p.committed_leader_epoch,
                                p.committed_metadata.value_or("")});
    }
  }
  OffsetCommitResult result;
  if (broker.txns == nullptr) {
    for (const OffsetCommitEntry& e : params.offsets) {
      result.partitions.push_back({e.topic, e.partition, ErrorCode::kCoordinatorNotAvailable});
    }
  } else {
    result = broker.txns->TxnOffsetCommit(params);
  }
  TxnOffsetCommitResponse response;
  for (const PartitionResult& r : result.partitions) {
    if (response.topics.empty() || response.topics.back().name != r.topic) {
      response.topics.emplace_back().name = r.topic;
    }
    response.topics.back().partitions.push_back({r.partition.value(), r.error});
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
