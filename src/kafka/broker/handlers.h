#pragma once
// One handler per Kafka API (handlers/<api>_handler.cc). Each decodes its request
// from the context, serves it from the log or the group coordinator, and answers
// through the context exactly once (possibly later, from another thread).

#include <memory>
#include <optional>
#include <spdlog/spdlog.h>
#include <string>

#include "src/base/status.h"
#include "src/kafka/broker/request_context.h"
#include "src/kafka/protocol/api_keys.h"
#include "src/kafka/protocol/api_versions.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

using RequestPtr = std::shared_ptr<RequestContext>;

/// Routes a request whose api key and version are supported to its handler.
void DispatchRequest(RequestPtr ctx);

void HandleApiVersions(RequestPtr ctx);
void HandleMetadata(RequestPtr ctx);
void HandleProduce(RequestPtr ctx);
void HandleFetch(RequestPtr ctx);
void HandleListOffsets(RequestPtr ctx);
void HandleCreateTopics(RequestPtr ctx);
void HandleDeleteTopics(RequestPtr ctx);
void HandleDescribeConfigs(RequestPtr ctx);
void HandleInitProducerId(RequestPtr ctx);
void HandleFindCoordinator(RequestPtr ctx);
void HandleJoinGroup(RequestPtr ctx);
void HandleSyncGroup(RequestPtr ctx);
void HandleHeartbeat(RequestPtr ctx);
void HandleLeaveGroup(RequestPtr ctx);
void HandleOffsetCommit(RequestPtr ctx);
void HandleOffsetFetch(RequestPtr ctx);
void HandleAddPartitionsToTxn(RequestPtr ctx);
void HandleAddOffsetsToTxn(RequestPtr ctx);
void HandleTxnOffsetCommit(RequestPtr ctx);
void HandleEndTxn(RequestPtr ctx);

/// The ApiVersions answer: every supported API with its version range.
ApiVersionsResponse MakeApiVersionsResponse(ErrorCode error);

/// The Kafka error code for a failed log operation (by its LogError detail).
ErrorCode ErrorFromLogStatus(const Status& status);

/// Decodes the request body as "Request"; on failure logs, closes the connection and
/// returns nullopt (Kafka's answer to a request it cannot parse).
template <typename Request>
std::optional<Request> DecodeOrClose(RequestContext& ctx) {
  Result<Request> request = Request::Decode(ctx.body(), ctx.version());
  if (!request.ok()) {
    ctx.CloseConnection("malformed " + std::string(ApiKeyName(ctx.header().api_key)) + " v" +
                        std::to_string(ctx.version()) + " request: " + request.status().message());
    return std::nullopt;
  }
  return std::move(request).value();
}

}  // namespace eddy::kafka
