// InitProducerId: a producer id for an idempotent producer, or, with a transactional id,
// the id's producer id and a bumped epoch from the transaction coordinator (which fences
// the id's previous producer). The log hands out producer ids durably, so an id is never
// reused across restarts and the per-partition sequence checks stay sound.

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/init_producer_id.h"
#include "src/log/log.h"

namespace eddy::kafka {

void HandleInitProducerId(RequestPtr ctx) {
  std::optional<InitProducerIdRequest> request = DecodeOrClose<InitProducerIdRequest>(*ctx);
  if (!request) return;
  InitProducerIdResponse response;
  Broker::Impl& broker = ctx->broker();
  if (request->transactional_id) {
    if (broker.txns == nullptr) {
      response.error_code = ErrorCode::kCoordinatorNotAvailable;
      ctx->Respond(response);
      return;
    }
    InitProducerIdParams params{*request->transactional_id, request->transaction_timeout_ms,
                                request->producer_id, request->producer_epoch, ctx->version()};
    broker.txns->InitProducerId(std::move(params), [ctx](InitProducerIdResult result) {
      InitProducerIdResponse out;
      out.error_code = result.error;
      out.producer_id = result.producer_id;
      out.producer_epoch = result.producer_epoch;
      ctx->Respond(out);
    });
    return;
  }
  Result<ProducerId> id = broker.log->AllocateProducerId();
  if (!id.ok()) {
    spdlog::error("cannot allocate a producer id for {}: {}", ctx->client(),
                  id.status().ToString());
    response.error_code = ErrorCode::kCoordinatorNotAvailable;
  } else {
    response.producer_id = id->value();
    response.producer_epoch = 0;
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
