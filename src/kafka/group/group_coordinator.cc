#include "src/kafka/group/group_coordinator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace eddy::kafka {
namespace {

/// Takes a waiting callback out of its slot, leaving the slot empty (a moved-from
/// std::function is not guaranteed to be).
template <typename Callback>
Callback Take(Callback& slot) {
  Callback taken = std::move(slot);
  slot = nullptr;
  return taken;
}

SyncGroupResult SyncError(ErrorCode error) {
  SyncGroupResult result;
  result.error = error;
  return result;
}

/// Every member with its metadata for the group's protocol, in join order: what the
/// leader needs to compute an assignment.
std::vector<JoinedMember> JoinedMembers(const Group& group) {
  std::vector<JoinedMember> out;
  const std::string protocol = group.protocol_name().value_or("");
  out.reserve(group.members().size());
  for (const auto& m : group.members()) {
    const MemberProtocol* p = m->FindProtocol(protocol);
    out.push_back(JoinedMember{m->member_id, m->group_instance_id,
                               p != nullptr ? p->metadata : std::vector<uint8_t>{}});
  }
  return out;
}

// After a failed compaction, how long Poll waits before trying again.
constexpr int64_t kCompactionRetryMs = 60'000;

}  // namespace

// ---------------------------------------------------------------------------------------
// Construction

Result<std::unique_ptr<GroupCoordinator>> GroupCoordinator::Open(
    const GroupCoordinatorOptions& options) {
  if (options.clock == nullptr) return Status::InvalidArgument("group coordinator needs a clock");
  if (options.min_session_timeout_ms <= 0 ||
      options.min_session_timeout_ms > options.max_session_timeout_ms) {
    return Status::InvalidArgument(
        "group session timeout range [" + std::to_string(options.min_session_timeout_ms) + ", " +
        std::to_string(options.max_session_timeout_ms) + "] ms is empty");
  }
  if (options.initial_rebalance_delay_ms < 0) {
    return Status::InvalidArgument("initial_rebalance_delay_ms must not be negative");
  }
  if (options.max_offset_metadata_bytes < 0) {
    return Status::InvalidArgument("max_offset_metadata_bytes must not be negative");
  }
  OffsetStoreOptions store_options;
  store_options.data_dir = options.data_dir;
  store_options.fs = options.fs;
  store_options.compact_min_bytes = options.offsets_compact_min_bytes;
  ASSIGN_OR_RETURN(auto store, OffsetStore::Open(store_options));

  std::unique_ptr<GroupCoordinator> coordinator(new GroupCoordinator(options, std::move(store)));
  {
    std::lock_guard lock(coordinator->mutex_);
    for (const std::string& group_id : coordinator->store_->Groups()) {
      coordinator->GetOrCreateGroup(group_id);
    }
    spdlog::info("group coordinator: {} groups with committed offsets",
                 coordinator->groups_.size());
  }
  return coordinator;
}

GroupCoordinator::GroupCoordinator(const GroupCoordinatorOptions& options,
                                   std::unique_ptr<OffsetStore> store)
    : options_(options), clock_(options.clock), store_(std::move(store)) {
  std::random_device device;
  random_.seed((static_cast<uint64_t>(device()) << 32) | device());
}

GroupCoordinator::~GroupCoordinator() = default;

// ---------------------------------------------------------------------------------------
// Small helpers

void GroupCoordinator::Run(Completions& completions) {
  for (auto& completion : completions) completion();
  completions.clear();
}

void GroupCoordinator::AnswerJoin(JoinGroupCallback done, JoinGroupResult result,
                                  Completions& out) {
  if (!done) return;
  out.push_back(
      [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

void GroupCoordinator::AnswerSync(SyncGroupCallback done, SyncGroupResult result,
                                  Completions& out) {
  if (!done) return;
  out.push_back(
      [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

JoinGroupResult GroupCoordinator::JoinError(ErrorCode error, std::string member_id) {
  JoinGroupResult result;
  result.error = error;
  result.member_id = std::move(member_id);
  return result;
}

std::string GroupCoordinator::NewMemberId(const std::string& prefix) {
  // A random (version 4) UUID, as Kafka appends to the client id.
  uint64_t hi = random_();
  uint64_t lo = random_();
  hi = (hi & ~uint64_t{0xF000}) | uint64_t{0x4000};
  lo = (lo & ~(uint64_t{0x3} << 62)) | (uint64_t{0x2} << 62);
  char uuid[37];
  std::snprintf(uuid, sizeof(uuid),
                "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64, hi >> 32,
                (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFF);
  return prefix + "-" + uuid;
}

Group* GroupCoordinator::FindGroup(const std::string& group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

const Group* GroupCoordinator::FindGroup(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

Group& GroupCoordinator::GetOrCreateGroup(const std::string& group_id) {
  auto& slot = groups_[group_id];
  if (!slot) slot = std::make_unique<Group>(group_id);
  return *slot;
}

std::optional<ErrorCode> GroupCoordinator::ValidateCurrentMember(
    const Group& group, const std::string& member_id,
    const std::optional<std::string>& instance_id) const {
  if (instance_id) {
    // A static member is known by its instance id; an older incarnation still using its
    // previous member id is fenced.
    std::optional<std::string> current = group.StaticMemberId(*instance_id);
    if (!current) return ErrorCode::kUnknownMemberId;
    if (*current != member_id) return ErrorCode::kFencedInstanceId;
    return std::nullopt;
  }
  if (!group.Has(member_id)) return ErrorCode::kUnknownMemberId;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// JoinGroup

void GroupCoordinator::JoinGroup(JoinGroupParams params, JoinGroupCallback done) {
  Completions out;
  {
    std::lock_guard lock(mutex_);
    JoinLocked(params, done, out);
  }
  Run(out);
}

void GroupCoordinator::JoinLocked(JoinGroupParams& p, JoinGroupCallback& done, Completions& out) {
  if (closed_) {
    AnswerJoin(std::move(done), JoinError(ErrorCode::kCoordinatorNotAvailable, p.member_id), out);
    return;
  }
  if (p.group_id.empty()) {
    AnswerJoin(std::move(done), JoinError(ErrorCode::kInvalidGroupId, p.member_id), out);
    return;
  }
  if (p.session_timeout_ms < options_.min_session_timeout_ms ||
      p.session_timeout_ms > options_.max_session_timeout_ms) {
    AnswerJoin(std::move(done), JoinError(ErrorCode::kInvalidSessionTimeout, p.member_id), out);
    return;
  }
  if (p.rebalance_timeout_ms <= 0) p.rebalance_timeout_ms = p.session_timeout_ms;

  const bool new_member = p.member_id.empty();
  Group* group = FindGroup(p.group_id);
  if (group == nullptr) {
    if (!new_member) {
      AnswerJoin(std::move(done), JoinError(ErrorCode::kUnknownMemberId, p.member_id), out);
      return;
    }
    group = &GetOrCreateGroup(p.group_id);
  }
  if (new_member) {
    NewMemberJoin(*group, p, done, out);
  } else {
    CurrentMemberJoin(*group, p, done, out);
  }
  // This join may have been the last one the rebalance waited for.
  MaybeCompleteJoin(*group, out);
}

void GroupCoordinator::NewMemberJoin(Group& group, JoinGroupParams& p, JoinGroupCallback& done,
                                     Completions& out) {
  if (group.state() == GroupState::kDead) {
    AnswerJoin(std::move(done), JoinError(ErrorCode::kCoordinatorNotAvailable, ""), out);
    return;
  }
  if (!group.SupportsProtocols(p.protocol_type, p.protocols, "")) {
    AnswerJoin(std::move(done), JoinError(ErrorCode::kInconsistentGroupProtocol, ""), out);
    return;
  }
  if (p.group_instance_id) {
    std::string member_id = NewMemberId(*p.group_instance_id);
    if (std::optional<std::string> old = group.StaticMemberId(*p.group_instance_id)) {
      UpdateStaticMemberAndRebalance(group, *old, member_id, p, done, out);
    } else {
      AddMemberAndRebalance(group, member_id, p, done, out);
    }
    return;
  }
  std::string member_id = NewMemberId(p.client_id);
  if (p.api_version >= 4) {
    // The member is admitted only when it rejoins with this id, so a client whose
    // response got lost does not leave a member behind that the group would wait for.
    group.AddPendingMember(member_id, NowMs() + p.session_timeout_ms);
    AnswerJoin(std::move(done), JoinError(ErrorCode::kMemberIdRequired, member_id), out);
    return;
  }
  AddMemberAndRebalance(group, member_id, p, done, out);
}

void GroupCoordinator::CurrentMemberJoin(Group& group, JoinGroupParams& p, JoinGroupCallback& done,
                                         Completions& out) {
  if (group.state() == GroupState::kDead) {
    AnswerJoin(std::move(done), JoinError(ErrorCode::kCoordinatorNotAvailable, p.member_id), out);
    return;
  }
  if (!group.SupportsProtocols(p.protocol_type, p.protocols, p.member_id)) {
    AnswerJoin(std::move(done), JoinError(ErrorCode::kInconsistentGroupProtocol, p.member_id), out);
    return;
  }
  if (group.IsPendingMember(p.member_id)) {
    // Static members never receive MEMBER_ID_REQUIRED, so this id cannot be theirs.
    if (p.group_instance_id) {
      AnswerJoin(std::move(done), JoinError(ErrorCode::kUnknownMemberId, p.member_id), out);
      return;
    }
    group.RemovePendingMember(p.member_id);
    AddMemberAndRebalance(group, p.member_id, p, done, out);
    return;
  }
  if (std::optional<ErrorCode> error =
          ValidateCurrentMember(group, p.member_id, p.group_instance_id)) {
    AnswerJoin(std::move(done), JoinError(*error, p.member_id), out);
    return;
  }

  Member& member = *group.Find(p.member_id);
  member.last_heard_ms = NowMs();
  switch (group.state()) {
    case GroupState::kPreparingRebalance:
      UpdateMemberAndRebalance(group, member, p, done, out);
      break;
    case GroupState::kCompletingRebalance:
      // A member that missed its join response asks again: same metadata, same answer.
      if (member.Matches(p.protocols)) {
        AnswerJoin(std::move(done), CurrentGenerationResult(group, member), out);
      } else {
        UpdateMemberAndRebalance(group, member, p, done, out);
      }
      break;
    case GroupState::kStable:
      // The leader rejoining means it wants a new assignment (its subscription's topics
      // changed, say); a follower with unchanged metadata just gets the generation back.
      if (group.IsLeader(member.member_id) || !member.Matches(p.protocols)) {
        UpdateMemberAndRebalance(group, member, p, done, out);
      } else {
        AnswerJoin(std::move(done), CurrentGenerationResult(group, member), out);
      }
      break;
    case GroupState::kEmpty:
    case GroupState::kDead:
      AnswerJoin(std::move(done), JoinError(ErrorCode::kUnknownMemberId, p.member_id), out);
      break;
  }
}

void GroupCoordinator::AddMemberAndRebalance(Group& group, const std::string& member_id,
                                             JoinGroupParams& p, JoinGroupCallback& done,
                                             Completions& out) {
  auto member = std::make_unique<Member>();
  member->member_id = member_id;
  member->group_instance_id = p.group_instance_id;
  member->client_id = p.client_id;
  member->client_host = p.client_host;
  member->session_timeout_ms = p.session_timeout_ms;
  member->rebalance_timeout_ms = p.rebalance_timeout_ms;
  member->protocol_type = std::move(p.protocol_type);
  member->protocols = std::move(p.protocols);
  member->last_heard_ms = NowMs();
  member->awaiting_join = std::move(done);
  done = nullptr;
  if (group.state() == GroupState::kPreparingRebalance && group.in_initial_delay) {
    group.new_member_added = true;
  }
  group.Add(std::move(member));
  spdlog::info("group {}: member {} (client {} at {}) joined", group.id(), member_id, p.client_id,
               p.client_host);
  MaybePrepareRebalance(group, "member " + member_id + " joined", out);
}

void GroupCoordinator::UpdateMember(Group& group, Member& member, JoinGroupParams& p,
                                    JoinGroupCallback done, Completions& out) {
  // A client that retried its JoinGroup waits on the newest request; release the older.
  AnswerJoin(Take(member.awaiting_join),
             JoinError(ErrorCode::kRebalanceInProgress, member.member_id), out);
  member.session_timeout_ms = p.session_timeout_ms;
  member.rebalance_timeout_ms = p.rebalance_timeout_ms;
  group.UpdateProtocols(member, std::move(p.protocol_type), std::move(p.protocols));
  member.awaiting_join = std::move(done);
}

void GroupCoordinator::UpdateMemberAndRebalance(Group& group, Member& member, JoinGroupParams& p,
                                                JoinGroupCallback& done, Completions& out) {
  UpdateMember(group, member, p, Take(done), out);
  MaybePrepareRebalance(group, "member " + member.member_id + " rejoined", out);
}

void GroupCoordinator::UpdateStaticMemberAndRebalance(Group& group,
                                                      const std::string& old_member_id,
                                                      const std::string& new_member_id,
                                                      JoinGroupParams& p, JoinGroupCallback& done,
                                                      Completions& out) {
  const std::string previous_leader = group.leader_id();
  Member* old = group.Find(old_member_id);
  AnswerJoin(Take(old->awaiting_join), JoinError(ErrorCode::kFencedInstanceId, old_member_id), out);
  AnswerSync(Take(old->awaiting_sync), SyncError(ErrorCode::kFencedInstanceId), out);
  group.ReplaceMemberId(old_member_id, new_member_id);

  Member& member = *group.Find(new_member_id);
  member.client_id = p.client_id;
  member.client_host = p.client_host;
  member.last_heard_ms = NowMs();
  UpdateMember(group, member, p, Take(done), out);
  spdlog::info("group {}: static member {} rejoined as {} (was {})", group.id(),
               *member.group_instance_id, new_member_id, old_member_id);

  switch (group.state()) {
    case GroupState::kStable:
      if (group.protocol_name() == group.SelectProtocol()) {
        // A restarted instance takes its old place and assignment without a rebalance.
        // The answer names the previous leader id, so that a restarted leader does not
        // compute an assignment that a Stable group would never pass on.
        JoinGroupResult result = CurrentGenerationResult(group, member);
        result.leader_id = previous_leader;
        result.members.clear();
        AnswerJoin(Take(member.awaiting_join), std::move(result), out);
      } else {
        PrepareRebalance(group, "static member " + new_member_id + " changed the group's protocol",
                         out);
      }
      break;
    case GroupState::kCompletingRebalance:
      // The leader may be assigning to the old member id; start over with the new one.
      PrepareRebalance(group, "static member " + new_member_id + " rejoined during assignment",
                       out);
      break;
    case GroupState::kPreparingRebalance:
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
  }
}

JoinGroupResult GroupCoordinator::CurrentGenerationResult(const Group& group,
                                                          const Member& member) const {
  JoinGroupResult result;
  result.generation_id = group.generation_id();
  result.protocol_type = group.protocol_type();
  result.protocol_name = group.protocol_name();
  result.leader_id = group.leader_id();
  result.member_id = member.member_id;
  if (group.IsLeader(member.member_id)) result.members = JoinedMembers(group);
  return result;
}

// ---------------------------------------------------------------------------------------
// Rebalance

void GroupCoordinator::MaybePrepareRebalance(Group& group, const std::string& reason,
                                             Completions& out) {
  switch (group.state()) {
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
    case GroupState::kEmpty:
      PrepareRebalance(group, reason, out);
      break;
    case GroupState::kPreparingRebalance:
    case GroupState::kDead:
      break;
  }
}

void GroupCoordinator::PrepareRebalance(Group& group, const std::string& reason, Completions& out) {
  const int64_t now = NowMs();
  if (group.state() == GroupState::kCompletingRebalance) {
    // The leader's assignment would be for a membership that no longer holds.
    for (const auto& m : group.members()) {
      m->assignment.clear();
      if (m->IsAwaitingSync()) {
        AnswerSync(Take(m->awaiting_sync), SyncError(ErrorCode::kRebalanceInProgress), out);
        // Its session restarts now: the time it waited was the group's doing.
        m->last_heard_ms = now;
      }
    }
  }
  const int64_t rebalance_timeout_ms = group.MaxRebalanceTimeoutMs();
  const int64_t initial_delay_ms = options_.initial_rebalance_delay_ms;
  if (group.state() == GroupState::kEmpty && initial_delay_ms > 0) {
    group.in_initial_delay = true;
    group.new_member_added = false;
    group.join_deadline_ms = now + initial_delay_ms;
    group.initial_delay_remaining_ms =
        std::max<int64_t>(rebalance_timeout_ms - initial_delay_ms, 0);
  } else {
    group.in_initial_delay = false;
    group.join_deadline_ms = now + rebalance_timeout_ms;
  }
  group.TransitionTo(GroupState::kPreparingRebalance);
  spdlog::info("group {}: preparing to rebalance generation {} with {} members: {}", group.id(),
               group.generation_id(), group.members().size(), reason);
  // Everyone may already be waiting (a lone member rejoining, the last member leaving).
  MaybeCompleteJoin(group, out);
}

void GroupCoordinator::MaybeCompleteJoin(Group& group, Completions& out) {
  if (group.state() == GroupState::kPreparingRebalance && !group.in_initial_delay &&
      group.HasAllMembersJoined()) {
    CompleteJoin(group, out);
  }
}

void GroupCoordinator::CompleteJoin(Group& group, Completions& out) {
  // Dynamic members that did not rejoin in time are out. Static members keep their place
  // until their session expires: a restarting instance comes back under its instance id.
  std::vector<std::string> missing;
  for (const auto& m : group.members()) {
    if (!m->IsAwaitingJoin() && !m->group_instance_id) missing.push_back(m->member_id);
  }
  for (const std::string& member_id : missing) {
    std::unique_ptr<Member> m = group.Remove(member_id);
    AnswerSync(Take(m->awaiting_sync), SyncError(ErrorCode::kUnknownMemberId), out);
    spdlog::info("group {}: member {} removed: it did not rejoin within the rebalance timeout",
                 group.id(), member_id);
  }
  if (!group.empty() && !group.ElectJoinedLeader()) {
    // Only static members that have not rejoined remain: wait for them to come back or for
    // their sessions to expire.
    group.join_deadline_ms = NowMs() + group.MaxRebalanceTimeoutMs();
    spdlog::warn("group {}: no member rejoined; waiting for the static members to return",
                 group.id());
    return;
  }

  group.in_initial_delay = false;
  group.InitNextGeneration();
  if (group.state() == GroupState::kEmpty) {
    spdlog::info("group {}: generation {} has no members", group.id(), group.generation_id());
    return;
  }

  const int64_t now = NowMs();
  const std::vector<JoinedMember> all = JoinedMembers(group);
  for (const auto& m : group.members()) {
    JoinGroupResult result;
    result.generation_id = group.generation_id();
    result.protocol_type = group.protocol_type();
    result.protocol_name = group.protocol_name();
    result.leader_id = group.leader_id();
    result.member_id = m->member_id;
    if (group.IsLeader(m->member_id)) result.members = all;
    AnswerJoin(Take(m->awaiting_join), std::move(result), out);
    m->last_heard_ms = now;
  }
  spdlog::info("group {}: generation {} with {} members, protocol {}, leader {}", group.id(),
               group.generation_id(), group.members().size(), group.protocol_name().value_or(""),
               group.leader_id());
}

void GroupCoordinator::RemoveMemberAndUpdateGroup(Group& group, const std::string& member_id,
                                                  const std::string& reason, Completions& out) {
  std::unique_ptr<Member> member = group.Remove(member_id);
  if (member == nullptr) return;
  AnswerJoin(Take(member->awaiting_join), JoinError(ErrorCode::kUnknownMemberId, member_id), out);
  AnswerSync(Take(member->awaiting_sync), SyncError(ErrorCode::kUnknownMemberId), out);
  spdlog::info("group {}: member {} {}", group.id(), member_id, reason);
  switch (group.state()) {
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      MaybePrepareRebalance(group, "member " + member_id + " " + reason, out);
      break;
    case GroupState::kPreparingRebalance:
      MaybeCompleteJoin(group, out);
      break;
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
  }
}

// ---------------------------------------------------------------------------------------
// SyncGroup

void GroupCoordinator::SyncGroup(SyncGroupParams params, SyncGroupCallback done) {
  Completions out;
  {
    std::lock_guard lock(mutex_);
    SyncLocked(params, done, out);
  }
  Run(out);
}

void GroupCoordinator::SyncLocked(SyncGroupParams& p, SyncGroupCallback& done, Completions& out) {
  auto fail = [&](ErrorCode error) { AnswerSync(Take(done), SyncError(error), out); };
  if (closed_) return fail(ErrorCode::kCoordinatorNotAvailable);
  if (p.group_id.empty()) return fail(ErrorCode::kInvalidGroupId);
  Group* group = FindGroup(p.group_id);
  if (group == nullptr) return fail(ErrorCode::kUnknownMemberId);
  if (group->state() == GroupState::kDead) return fail(ErrorCode::kCoordinatorNotAvailable);
  if (auto error = ValidateCurrentMember(*group, p.member_id, p.group_instance_id)) {
    return fail(*error);
  }
  if (p.generation_id != group->generation_id()) return fail(ErrorCode::kIllegalGeneration);
  if ((p.protocol_type && *p.protocol_type != group->protocol_type()) ||
      (p.protocol_name && group->protocol_name() != *p.protocol_name)) {
    return fail(ErrorCode::kInconsistentGroupProtocol);
  }

  Member& member = *group->Find(p.member_id);
  switch (group->state()) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return fail(ErrorCode::kUnknownMemberId);
    case GroupState::kPreparingRebalance:
      return fail(ErrorCode::kRebalanceInProgress);
    case GroupState::kStable: {
      member.last_heard_ms = NowMs();
      SyncGroupResult result;
      result.protocol_type = group->protocol_type();
      result.protocol_name = group->protocol_name();
      result.assignment = member.assignment;
      AnswerSync(Take(done), std::move(result), out);
      return;
    }
    case GroupState::kCompletingRebalance:
      break;
  }

  member.last_heard_ms = NowMs();
  AnswerSync(Take(member.awaiting_sync), SyncError(ErrorCode::kRebalanceInProgress), out);
  member.awaiting_sync = Take(done);
  if (!group->IsLeader(member.member_id)) return;  // followers wait for the leader

  std::map<std::string, std::vector<uint8_t>> assignments;
  for (MemberAssignment& a : p.assignments) assignments[a.member_id] = std::move(a.assignment);
  for (const auto& m : group->members()) {
    auto it = assignments.find(m->member_id);
    m->assignment = it != assignments.end() ? std::move(it->second) : std::vector<uint8_t>{};
  }
  group->TransitionTo(GroupState::kStable);
  const int64_t now = NowMs();
  for (const auto& m : group->members()) {
    if (!m->IsAwaitingSync()) continue;
    m->last_heard_ms = now;  // its session restarts once it has its assignment
    SyncGroupResult result;
    result.protocol_type = group->protocol_type();
    result.protocol_name = group->protocol_name();
    result.assignment = m->assignment;
    AnswerSync(Take(m->awaiting_sync), std::move(result), out);
  }
  spdlog::info("group {}: generation {} is stable", group->id(), group->generation_id());
}

// ---------------------------------------------------------------------------------------
// Heartbeat and LeaveGroup

ErrorCode GroupCoordinator::Heartbeat(const HeartbeatParams& p) {
  if (closed_) return ErrorCode::kCoordinatorNotAvailable;
  if (p.group_id.empty()) return ErrorCode::kInvalidGroupId;
  std::lock_guard lock(mutex_);
  Group* group = FindGroup(p.group_id);
  if (group == nullptr) return ErrorCode::kUnknownMemberId;
  if (group->state() == GroupState::kDead) return ErrorCode::kCoordinatorNotAvailable;
  if (auto error = ValidateCurrentMember(*group, p.member_id, p.group_instance_id)) return *error;
  if (p.generation_id != group->generation_id()) return ErrorCode::kIllegalGeneration;
  Member& member = *group->Find(p.member_id);
  switch (group->state()) {
    case GroupState::kPreparingRebalance:
      member.last_heard_ms = NowMs();
      return ErrorCode::kRebalanceInProgress;  // how members learn to rejoin
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      member.last_heard_ms = NowMs();
      return ErrorCode::kNone;
    case GroupState::kEmpty:
      return ErrorCode::kUnknownMemberId;
    case GroupState::kDead:
      return ErrorCode::kCoordinatorNotAvailable;
  }
  return ErrorCode::kUnknownServerError;
}

LeaveGroupResult GroupCoordinator::LeaveGroup(const LeaveGroupParams& p) {
  LeaveGroupResult result;
  if (closed_) {
    result.error = ErrorCode::kCoordinatorNotAvailable;
    return result;
  }
  if (p.group_id.empty()) {
    result.error = ErrorCode::kInvalidGroupId;
    return result;
  }
  Completions out;
  {
    std::lock_guard lock(mutex_);
    Group* group = FindGroup(p.group_id);
    if (group != nullptr && group->state() == GroupState::kDead) {
      result.error = ErrorCode::kCoordinatorNotAvailable;
    } else {
      for (const LeavingMember& leaving : p.members) {
        ErrorCode error =
            group == nullptr ? ErrorCode::kUnknownMemberId : LeaveOne(*group, leaving, out);
        result.members.push_back(LeftMember{leaving.member_id, leaving.group_instance_id, error});
      }
    }
  }
  Run(out);
  return result;
}

ErrorCode GroupCoordinator::LeaveOne(Group& group, const LeavingMember& leaving, Completions& out) {
  if (!leaving.member_id.empty() && group.IsPendingMember(leaving.member_id)) {
    group.RemovePendingMember(leaving.member_id);
    MaybeCompleteJoin(group, out);
    return ErrorCode::kNone;
  }
  std::string member_id = leaving.member_id;
  if (leaving.group_instance_id) {
    std::optional<std::string> current = group.StaticMemberId(*leaving.group_instance_id);
    if (current && !leaving.member_id.empty() && *current != leaving.member_id) {
      return ErrorCode::kFencedInstanceId;
    }
    if (current) member_id = *current;
  }
  if (!group.Has(member_id)) return ErrorCode::kUnknownMemberId;
  RemoveMemberAndUpdateGroup(group, member_id, "left the group", out);
  return ErrorCode::kNone;
}

// ---------------------------------------------------------------------------------------
// Offsets

ErrorCode GroupCoordinator::ValidateCommitLocked(const OffsetCommitParams& p) {
  const bool group_managed =
      p.generation_id >= 0 || !p.member_id.empty() || p.group_instance_id.has_value();
  Group* group = FindGroup(p.group_id);
  if (group == nullptr) {
    // A group-managed commit for a group that does not exist comes from a generation
    // this coordinator never had (before a restart, say).
    if (p.generation_id >= 0) return ErrorCode::kIllegalGeneration;
    if (group_managed) return ErrorCode::kUnknownMemberId;
    return ErrorCode::kNone;
  }
  if (group->state() == GroupState::kDead) return ErrorCode::kCoordinatorNotAvailable;
  if (group_managed) {
    if (auto error = ValidateCurrentMember(*group, p.member_id, p.group_instance_id)) return *error;
    if (p.generation_id != group->generation_id()) return ErrorCode::kIllegalGeneration;
  } else if (group->state() != GroupState::kEmpty) {
    // Once the group has members, only they may commit.
    return ErrorCode::kUnknownMemberId;
  }
  switch (group->state()) {
    case GroupState::kEmpty:
      return ErrorCode::kNone;
    case GroupState::kStable:
    case GroupState::kPreparingRebalance:
      // Commits stay allowed while preparing a rebalance: the member learns of it at its
      // next heartbeat, and committing what it processed first is what it should do.
      if (Member* member = group->Find(p.member_id)) member->last_heard_ms = NowMs();
      return ErrorCode::kNone;
    case GroupState::kCompletingRebalance:
      // The member has its new generation but not yet its assignment.
      return ErrorCode::kRebalanceInProgress;
    case GroupState::kDead:
      return ErrorCode::kCoordinatorNotAvailable;
  }
  return ErrorCode::kUnknownServerError;
}

void GroupCoordinator::CommitOffsets(OffsetCommitParams params, OffsetCommitCallback done) {
  OffsetCommitResult result;
  result.partitions.reserve(params.partitions.size());
  for (const OffsetCommitEntry& e : params.partitions) {
    result.partitions.push_back(PartitionResult{e.topic, e.partition, ErrorCode::kNone});
  }

  std::optional<OffsetStore::Ticket> ticket;
  std::vector<size_t> stored;  // indexes of the partitions written
  {
    std::lock_guard lock(mutex_);
    ErrorCode error = closed_ ? ErrorCode::kCoordinatorNotAvailable : ValidateCommitLocked(params);
    if (error != ErrorCode::kNone) {
      for (PartitionResult& r : result.partitions) r.error = error;
    } else {
      const int64_t commit_time_ms = clock_->NowMs();
      std::vector<OffsetRecord> records;
      records.reserve(params.partitions.size());
      for (size_t i = 0; i < params.partitions.size(); ++i) {
        OffsetCommitEntry& e = params.partitions[i];
        if (e.metadata.size() > static_cast<size_t>(options_.max_offset_metadata_bytes)) {
          result.partitions[i].error = ErrorCode::kOffsetMetadataTooLarge;
          continue;
        }
        records.push_back(OffsetRecord{.type = OffsetRecordType::kCommit,
                                       .group = params.group_id,
                                       .topic = e.topic,
                                       .partition = e.partition.value(),
                                       .offset = e.offset.value(),
                                       .leader_epoch = e.leader_epoch,
                                       .metadata = std::move(e.metadata),
                                       .commit_time_ms = commit_time_ms});
        stored.push_back(i);
      }
      if (!records.empty()) {
        Result<OffsetStore::Ticket> appended = store_->Append(records);
        if (appended.ok()) {
          ticket = *appended;
          GetOrCreateGroup(params.group_id);
        } else {
          spdlog::warn("group {}: offset commit failed: {}", params.group_id,
                       appended.status().ToString());
          for (size_t i : stored) result.partitions[i].error = ErrorCode::kKafkaStorageError;
        }
      }
    }
  }

  if (ticket) {
    Status durable = store_->WaitDurable(*ticket);
    if (!durable.ok()) {
      for (size_t i : stored) result.partitions[i].error = ErrorCode::kKafkaStorageError;
    }
  }
  done(std::move(result));
}

Status GroupCoordinator::CommitTransactionalOffsets(const std::string& group_id,
                                                    const std::vector<OffsetCommitEntry>& offsets) {
  if (offsets.empty()) return Status::OK();
  OffsetStore::Ticket ticket = 0;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return Status::Unavailable("the group coordinator is closed");
    const int64_t commit_time_ms = clock_->NowMs();
    std::vector<OffsetRecord> records;
    records.reserve(offsets.size());
    for (const OffsetCommitEntry& e : offsets) {
      records.push_back(OffsetRecord{.type = OffsetRecordType::kCommit,
                                     .group = group_id,
                                     .topic = e.topic,
                                     .partition = e.partition.value(),
                                     .offset = e.offset.value(),
                                     .leader_epoch = e.leader_epoch,
                                     .metadata = e.metadata,
                                     .commit_time_ms = commit_time_ms});
    }
    ASSIGN_OR_RETURN(ticket, store_->Append(records));
    GetOrCreateGroup(group_id);
  }
  return store_->WaitDurable(ticket);
}

OffsetFetchResult GroupCoordinator::FetchOffsets(const OffsetFetchParams& params) const {
  OffsetFetchResult result;
  if (closed_) {
    result.error = ErrorCode::kCoordinatorNotAvailable;
    return result;
  }
  if (!params.partitions) {
    for (auto& [key, committed] : store_->GetAll(params.group_id)) {
      result.partitions.push_back(FetchedOffset{key.topic, key.partition, committed.offset,
                                                committed.leader_epoch, committed.metadata,
                                                ErrorCode::kNone});
    }
    return result;
  }
  result.partitions.reserve(params.partitions->size());
  for (const OffsetKey& key : *params.partitions) {
    FetchedOffset fetched;
    fetched.topic = key.topic;
    fetched.partition = key.partition;
    if (std::optional<CommittedOffset> committed =
            store_->Get(params.group_id, key.topic, key.partition)) {
      fetched.offset = committed->offset;
      fetched.leader_epoch = committed->leader_epoch;
      fetched.metadata = std::move(committed->metadata);
    }
    result.partitions.push_back(std::move(fetched));
  }
  return result;
}

Status GroupCoordinator::ForgetTopic(const std::string& topic) {
  OffsetRecord record;
  record.type = OffsetRecordType::kForgetTopic;
  record.topic = topic;
  RETURN_IF_ERROR(store_->Write(std::span<const OffsetRecord>(&record, 1)));
  spdlog::info("dropped the committed offsets of deleted topic {}", topic);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// ListGroups, DescribeGroups, DeleteGroups

std::vector<GroupListing> GroupCoordinator::ListGroups() const {
  std::vector<GroupListing> out;
  std::lock_guard lock(mutex_);
  out.reserve(groups_.size());
  for (const auto& [id, group] : groups_) {
    out.push_back(GroupListing{id, group->protocol_type(), group->state()});
  }
  return out;
}

GroupDescription GroupCoordinator::DescribeGroup(const std::string& group_id) const {
  GroupDescription d;
  d.group_id = group_id;
  if (closed_) {
    d.error = ErrorCode::kCoordinatorNotAvailable;
    return d;
  }
  std::lock_guard lock(mutex_);
  const Group* group = FindGroup(group_id);
  if (group == nullptr) return d;  // Dead, no members: what Kafka reports
  const bool stable = group->state() == GroupState::kStable;
  d.state = group->state();
  d.protocol_type = group->protocol_type();
  d.protocol_name = stable ? group->protocol_name().value_or("") : "";
  d.generation_id = group->generation_id();
  d.leader_id = group->leader_id();
  for (const auto& m : group->members()) {
    MemberDescription md;
    md.member_id = m->member_id;
    md.group_instance_id = m->group_instance_id;
    md.client_id = m->client_id;
    md.client_host = m->client_host;
    if (stable) {
      if (const MemberProtocol* p = m->FindProtocol(d.protocol_name)) md.metadata = p->metadata;
      md.assignment = m->assignment;
    }
    d.members.push_back(std::move(md));
  }
  return d;
}

std::vector<DeletedGroup> GroupCoordinator::DeleteGroups(
    const std::vector<std::string>& group_ids) {
  std::vector<DeletedGroup> out;
  std::vector<size_t> with_offsets;
  std::optional<OffsetStore::Ticket> ticket;
  {
    std::lock_guard lock(mutex_);
    for (const std::string& id : group_ids) {
      DeletedGroup deleted{id, ErrorCode::kNone};
      Group* group = FindGroup(id);
      const bool has_offsets = store_->HasGroup(id);
      if (closed_) {
        deleted.error = ErrorCode::kCoordinatorNotAvailable;
      } else if (group == nullptr && !has_offsets) {
        deleted.error = ErrorCode::kGroupIdNotFound;
      } else if (group != nullptr && group->state() != GroupState::kEmpty) {
        deleted.error = ErrorCode::kNonEmptyGroup;
      } else {
        if (group != nullptr) {
          group->TransitionTo(GroupState::kDead);
          groups_.erase(id);
        }
        if (has_offsets) {
          // Appended (and applied) one by one, so that a repeated id finds nothing left.
          OffsetRecord record;
          record.type = OffsetRecordType::kForgetGroup;
          record.group = id;
          Result<OffsetStore::Ticket> appended =
              store_->Append(std::span<const OffsetRecord>(&record, 1));
          if (appended.ok()) {
            ticket = *appended;
            with_offsets.push_back(out.size());
          } else {
            deleted.error = ErrorCode::kKafkaStorageError;
          }
        }
        spdlog::info("group {} deleted", id);
      }
      out.push_back(std::move(deleted));
    }
  }
  if (ticket && !store_->WaitDurable(*ticket).ok()) {
    for (size_t i : with_offsets) out[i].error = ErrorCode::kKafkaStorageError;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Time and shutdown

void GroupCoordinator::Poll() {
  Completions out;
  {
    std::lock_guard lock(mutex_);
    const int64_t now = NowMs();
    for (auto it = groups_.begin(); it != groups_.end();) {
      Group& group = *it->second;

      // Members not heard from within their session timeout. A member waiting for its
      // join or sync is alive: it is the group that keeps it waiting.
      std::vector<std::pair<std::string, int32_t>> expired;
      for (const auto& m : group.members()) {
        if (!m->IsAwaitingJoin() && !m->IsAwaitingSync() &&
            now - m->last_heard_ms >= m->session_timeout_ms) {
          expired.emplace_back(m->member_id, m->session_timeout_ms);
        }
      }
      for (const auto& [member_id, timeout_ms] : expired) {
        RemoveMemberAndUpdateGroup(group, member_id,
                                   "removed: not heard from within its session timeout of " +
                                       std::to_string(timeout_ms) + " ms",
                                   out);
      }

      // Member ids handed out with MEMBER_ID_REQUIRED and never claimed.
      if (group.ExpirePendingMembers(now) > 0) MaybeCompleteJoin(group, out);

      if (group.state() == GroupState::kPreparingRebalance && now >= group.join_deadline_ms) {
        if (group.in_initial_delay && group.new_member_added &&
            group.initial_delay_remaining_ms > 0) {
          // Members are still arriving: wait a little longer, within the rebalance timeout.
          int64_t delay = std::min<int64_t>(options_.initial_rebalance_delay_ms,
                                            group.initial_delay_remaining_ms);
          group.initial_delay_remaining_ms -= delay;
          group.new_member_added = false;
          group.join_deadline_ms = now + delay;
        } else {
          CompleteJoin(group, out);
        }
      }

      // A group with no members, no member ids pending and no offsets holds nothing.
      if (group.state() == GroupState::kEmpty && group.empty() && !group.HasPendingMembers() &&
          !store_->HasGroup(group.id())) {
        it = groups_.erase(it);
      } else {
        ++it;
      }
    }
  }
  Run(out);

  const int64_t now = NowMs();
  if (now >= next_compaction_ms_.load()) {
    Status s = store_->MaybeCompact();
    if (!s.ok()) {
      spdlog::warn("offsets compaction failed (next try in {} s): {}", kCompactionRetryMs / 1000,
                   s.ToString());
      next_compaction_ms_ = now + kCompactionRetryMs;
    }
  }
}

void GroupCoordinator::Close() {
  closed_ = true;
  Completions out;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, group] : groups_) {
      for (const auto& m : group->members()) {
        AnswerJoin(Take(m->awaiting_join),
                   JoinError(ErrorCode::kCoordinatorNotAvailable, m->member_id), out);
        AnswerSync(Take(m->awaiting_sync), SyncError(ErrorCode::kCoordinatorNotAvailable), out);
      }
    }
  }
  Run(out);
}

}  // namespace eddy::kafka
