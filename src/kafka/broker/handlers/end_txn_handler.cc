// EndTxn: commits or aborts a transaction. Answered once every partition of the
// transaction holds its durable marker (and, for a commit, the group offsets are
// committed), so what the producer committed is readable when it hears back.

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/end_txn.h"

namespace eddy::kafka {

void HandleEndTxn(RequestPtr ctx) {
  std::optional<EndTxnRequest> request = DecodeOrClose<EndTxnRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  if (broker.txns == nullptr) {
    ctx->Respond(EndTxnResponse{0, ErrorCode::kCoordinatorNotAvailable});
    return;
  }
  broker.txns->EndTxn({{request->transactional_id, request->producer_id, request->producer_epoch},
                       request->committed},
                      [ctx](ErrorCode error) {
                        ctx->Respond(EndTxnResponse{0, error});
                      });
}

}  // namespace eddy::kafka
