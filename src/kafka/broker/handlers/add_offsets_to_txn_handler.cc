// AddOffsetsToTxn: a transactional producer will commit a group's offsets in its
// transaction (TxnOffsetCommit follows).

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/add_offsets_to_txn.h"

namespace eddy::kafka {

void HandleAddOffsetsToTxn(RequestPtr ctx) {
  std::optional<AddOffsetsToTxnRequest> request = DecodeOrClose<AddOffsetsToTxnRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  AddOffsetsToTxnResponse response;
  response.error_code =
      broker.txns == nullptr
          ? ErrorCode::kCoordinatorNotAvailable
          : broker.txns->AddOffsets(
                {{request->transactional_id, request->producer_id, request->producer_epoch},
                 request->group_id});
  ctx->Respond(response);
}

}  // namespace eddy::kafka
