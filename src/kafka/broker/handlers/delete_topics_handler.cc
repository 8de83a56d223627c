// DeleteTopics: removes topics with their data, and the groups' committed offsets for them.

#include "src/kafka/broker/handlers.h"
#include "src/kafka/group/group_coordinator.h"
#include "src/kafka/protocol/delete_topics.h"
#include "src/log/log.h"

namespace eddy::kafka {

void HandleDeleteTopics(RequestPtr ctx) {
  std::optional<DeleteTopicsRequest> request = DecodeOrClose<DeleteTopicsRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  DeleteTopicsResponse response;
  for (const auto& name : request->topic_names) {
    auto& out = response.responses.emplace_back();
    out.name = name;
    Status deleted = broker.log->DeleteTopic(name);
    out.error_code = ErrorFromLogStatus(deleted);
    if (deleted.ok() && broker.groups != nullptr) {
      // The topic is gone either way; stale committed offsets only waste space.
      if (Status forgot = broker.groups->ForgetTopic(name); !forgot.ok()) {
        spdlog::warn("deleted topic {} but kept its committed offsets: {}", name, forgot.ToString());
      }
    }
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
