// InitProducerId: a fresh producer id for an idempotent producer. The log hands them
// out durably, so an id is never reused across restarts and the per-partition
// sequence checks stay sound.

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/init_producer_id.h"
#include "src/log/log.h"

namespace eddy::kafka {

void HandleInitProducerId(RequestPtr ctx) {
  std::optional<InitProducerIdRequest> request = DecodeOrClose<InitProducerIdRequest>(*ctx);
  if (!request) return;
  InitProducerIdResponse response;
  if (request->transactional_id) {
    spdlog::warn("{} asked for transactional id '{}': transactions are not supported yet", ctx->client(),
                 *request->transactional_id);
    response.error_code = ErrorCode::kTransactionalIdAuthorizationFailed;
    ctx->Respond(response);
    return;
  }
  Result<ProducerId> id = ctx->broker().log->AllocateProducerId();
  if (!id.ok()) {
    spdlog::error("cannot allocate a producer id for {}: {}", ctx->client(), id.status().ToString());
    response.error_code = ErrorCode::kCoordinatorNotAvailable;
  } else {
    response.producer_id = id->value();
    response.producer_epoch = 0;
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
