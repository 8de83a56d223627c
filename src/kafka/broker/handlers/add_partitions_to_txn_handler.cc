// AddPartitionsToTxn: registers the partitions a transactional producer is about to
// write; answered once the transaction's state is durable.

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/add_partitions_to_txn.h"

namespace eddy::kafka {

void HandleAddPartitionsToTxn(RequestPtr ctx) {
  std::optional<AddPartitionsToTxnRequest> request = DecodeOrClose<AddPartitionsToTxnRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  AddPartitionsParams params;
  params.producer = {request->transactional_id, request->producer_id, request->producer_epoch};
  for (const auto& topic : request->topics) {
    for (int32_t p : topic.partitions) params.partitions.push_back({topic.name, p});
  }
  AddPartitionsResult result;
  if (broker.txns == nullptr) {
    for (const TxnPartition& p : params.partitions) {
      result.partitions.emplace_back(p, ErrorCode::kCoordinatorNotAvailable);
    }
  } else {
    result = broker.txns->AddPartitions(params);
  }
  AddPartitionsToTxnResponse response;
  for (const auto& [partition, error] : result.partitions) {
    if (response.results.empty() || response.results.back().name != partition.topic) {
      response.results.emplace_back().name = partition.topic;
    }
    response.results.back().results.push_back({partition.partition, error});
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
