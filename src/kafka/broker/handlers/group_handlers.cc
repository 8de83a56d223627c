// JoinGroup, SyncGroup, Heartbeat and LeaveGroup: translate between the wire messages
// and the group coordinator, which may answer a join or a sync later (when the group's
// rebalance completes), from another thread.

#include "src/kafka/broker/handlers.h"
#include "src/kafka/group/group_coordinator.h"
#include "src/kafka/protocol/heartbeat.h"
#include "src/kafka/protocol/join_group.h"
#include "src/kafka/protocol/leave_group.h"
#include "src/kafka/protocol/sync_group.h"

namespace eddy::kafka {
namespace {

/// The host part of "client_id@host:port".
std::string ClientHost(const RequestContext& ctx) {
  const std::string& client = ctx.client();
  size_t at = client.rfind('@');
  size_t colon = client.rfind(':');
  if (at == std::string::npos) return client;
  return client.substr(at + 1, colon == std::string::npos || colon < at ? std::string::npos : colon - at - 1);
}

template <typename Response>
bool RespondIfNoCoordinator(RequestContext& ctx) {
  if (ctx.broker().groups != nullptr) return false;
  Response response;
  response.error_code = ErrorCode::kCoordinatorNotAvailable;
  ctx.Respond(response);
  return true;
}

}  // namespace

void HandleJoinGroup(RequestPtr ctx) {
  std::optional<JoinGroupRequest> request = DecodeOrClose<JoinGroupRequest>(*ctx);
  if (!request || RespondIfNoCoordinator<JoinGroupResponse>(*ctx)) return;
  JoinGroupParams params;
  params.group_id = std::move(request->group_id);
  params.session_timeout_ms = request->session_timeout_ms;
  params.rebalance_timeout_ms = request->rebalance_timeout_ms;
  params.member_id = std::move(request->member_id);
  params.group_instance_id = std::move(request->group_instance_id);
  params.protocol_type = std::move(request->protocol_type);
  for (auto& p : request->protocols) params.protocols.push_back({std::move(p.name), std::move(p.metadata)});
  params.client_id = ctx->header().client_id.value_or("");
  params.client_host = ClientHost(*ctx);
  params.api_version = ctx->version();
  ctx->broker().groups->JoinGroup(std::move(params), [ctx](JoinGroupResult result) {
    JoinGroupResponse response;
    response.error_code = result.error;
    response.generation_id = result.generation_id;
    response.protocol_name = result.protocol_name.value_or("");
    response.leader = std::move(result.leader_id);
    response.member_id = std::move(result.member_id);
    for (auto& m : result.members) {
      response.members.push_back({std::move(m.member_id), std::move(m.group_instance_id), std::move(m.metadata)});
    }
    ctx->Respond(response);
  });
}

void HandleSyncGroup(RequestPtr ctx) {
  std::optional<SyncGroupRequest> request = DecodeOrClose<SyncGroupRequest>(*ctx);
  if (!request || RespondIfNoCoordinator<SyncGroupResponse>(*ctx)) return;
  SyncGroupParams params;
  params.group_id = std::move(request->group_id);
  params.generation_id = request->generation_id;
  params.member_id = std::move(request->member_id);
  params.group_instance_id = std::move(request->group_instance_id);
  for (auto& a : request->assignments) params.assignments.push_back({std::move(a.member_id), std::move(a.assignment)});
  ctx->broker().groups->SyncGroup(std::move(params), [ctx](SyncGroupResult result) {
    SyncGroupResponse response;
    response.error_code = result.error;
    response.assignment = std::move(result.assignment);
    ctx->Respond(response);
  });
}

void HandleHeartbeat(RequestPtr ctx) {
  std::optional<HeartbeatRequest> request = DecodeOrClose<HeartbeatRequest>(*ctx);
  if (!request || RespondIfNoCoordinator<HeartbeatResponse>(*ctx)) return;
  HeartbeatParams params;
  params.group_id = std::move(request->group_id);
  params.generation_id = request->generation_id;
  params.member_id = std::move(request->member_id);
  params.group_instance_id = std::move(request->group_instance_id);
  HeartbeatResponse response;
  response.error_code = ctx->broker().groups->Heartbeat(params);
  ctx->Respond(response);
}

void HandleLeaveGroup(RequestPtr ctx) {
  std::optional<LeaveGroupRequest> request = DecodeOrClose<LeaveGroupRequest>(*ctx);
  if (!request || RespondIfNoCoordinator<LeaveGroupResponse>(*ctx)) return;
  LeaveGroupParams params;
  params.group_id = std::move(request->group_id);
  if (ctx->version() < 3) {
    params.members.push_back({std::move(request->member_id), std::nullopt});
  } else {
    for (auto& m : request->members) params.members.push_back({std::move(m.member_id), std::move(m.group_instance_id)});
  }
  LeaveGroupResult result = ctx->broker().groups->LeaveGroup(params);
  LeaveGroupResponse response;
  if (ctx->version() < 3) {
    response.error_code = result.CombinedError();
  } else {
    response.error_code = result.error;
    for (auto& m : result.members) {
      response.members.push_back({std::move(m.member_id), std::move(m.group_instance_id), m.error});
    }
  }
  ctx->Respond(response);
}

}  // namespace eddy::kafka
