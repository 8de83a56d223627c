// ApiVersions: the versions of every API this broker speaks (the single table in
// src/kafka/protocol/api_keys.h), so each client picks the newest both sides know.

#include "src/kafka/broker/handlers.h"

namespace eddy::kafka {

ApiVersionsResponse MakeApiVersionsResponse(ErrorCode error) {
  ApiVersionsResponse response;
  response.error_code = error;
  for (const ApiVersionRange& range : SupportedVersions()) {
    response.api_keys.push_back({range.key, range.min_version, range.max_version});
  }
  return response;
}

void HandleApiVersions(RequestPtr ctx) {
  std::optional<ApiVersionsRequest> request = DecodeOrClose<ApiVersionsRequest>(*ctx);
  if (!request) return;
  if (!request->client_software_name.empty()) {
    spdlog::debug("{} runs {} {}", ctx->client(), request->client_software_name,
                  request->client_software_version);
  }
  ctx->Respond(MakeApiVersionsResponse(ErrorCode::kNone));
}

}  // namespace eddy::kafka
