// FindCoordinator: this broker coordinates every group and every transactional id
// (key_type 0 and 1).

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/find_coordinator.h"

namespace eddy::kafka {

void HandleFindCoordinator(RequestPtr ctx) {
  std::optional<FindCoordinatorRequest> request = DecodeOrClose<FindCoordinatorRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  FindCoordinatorResponse response;
  if (request->key_type != FindCoordinatorRequest::kGroupKeyType &&
      request->key_type != FindCoordinatorRequest::kTransactionKeyType) {
    response.error_code = ErrorCode::kInvalidRequest;
    response.error_message = "unknown key type " + std::to_string(request->key_type);
    response.node_id = -1;
    response.port = -1;
  } else if (broker.groups == nullptr) {
    response.error_code = ErrorCode::kCoordinatorNotAvailable;
    response.node_id = -1;
    response.port = -1;
  } else {
    response.node_id = broker.config.node_id;
    response.host = broker.AdvertisedHost(ctx->local_host());
    response.port = broker.AdvertisedPort();
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
