#pragma once
// The in-memory state of one consumer group and of its members: who is in it, what
// they speak, which generation and protocol it is at, who leads it, and the bookkeeping
// of a rebalance in progress. The protocol flows that move it between states live in
// GroupCoordinator; this class keeps the membership invariants.
//
// Not thread-safe: the GroupCoordinator's mutex guards every Group.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/kafka/group/group_requests.h"
#include "src/kafka/group/group_state.h"

namespace eddy::kafka {

/// One member of a group.
struct Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  /// In the member's order of preference.
  std::vector<MemberProtocol> protocols;
  /// What the leader assigned it in the current generation.
  std::vector<uint8_t> assignment;
  /// Set while its JoinGroup waits for the rebalance to complete.
  JoinGroupCallback awaiting_join;
  /// Set while its SyncGroup waits for the leader's assignment.
  SyncGroupCallback awaiting_sync;
  /// Monotonic time of the last join, sync, heartbeat or commit.
  int64_t last_heard_ms = 0;

  bool IsAwaitingJoin() const { return static_cast<bool>(awaiting_join); }
  bool IsAwaitingSync() const { return static_cast<bool>(awaiting_sync); }
  /// Its metadata for "protocol", or nullptr if it does not speak it.
  const MemberProtocol* FindProtocol(const std::string& protocol) const;
  /// True if "protocols" are exactly what it already announced (names, metadata, order).
  bool Matches(const std::vector<MemberProtocol>& protocols) const {
    return this->protocols == protocols;
  }
};

/// Invariants: members are kept in join order; leader_id() is empty exactly when there
/// are no members, else it names one of them; every static member's instance id maps to
/// its member id; the group's protocol type is the one its members announced.
class Group {
 public:
  explicit Group(std::string group_id) : id_(std::move(group_id)) {}

  const std::string& id() const { return id_; }
  GroupState state() const { return state_; }
  void TransitionTo(GroupState state) { state_ = state; }
  int32_t generation_id() const { return generation_id_; }
  const std::string& protocol_type() const { return protocol_type_; }
  /// The protocol chosen for the current generation (none while Empty).
  const std::optional<std::string>& protocol_name() const { return protocol_name_; }
  const std::string& leader_id() const { return leader_id_; }
  bool IsLeader(const std::string& member_id) const {
    return !member_id.empty() && member_id == leader_id_;
  }

  // Members -------------------------------------------------------------------------

  const std::vector<std::unique_ptr<Member>>& members() const { return members_; }
  bool empty() const { return members_.empty(); }
  Member* Find(const std::string& member_id);
  const Member* Find(const std::string& member_id) const;
  bool Has(const std::string& member_id) const { return Find(member_id) != nullptr; }

  /// Adds a member at the end of the join order; the first member becomes leader and
  /// sets the group's protocol type.
  Member& Add(std::unique_ptr<Member> member);
  /// Removes a member; if it led, the first remaining member leads. Returns it (so that
  /// the caller can answer its waiting requests), or nullptr if there is no such member.
  std::unique_ptr<Member> Remove(const std::string& member_id);
  /// Replaces a member's protocols (and the group's protocol type when it is alone).
  void UpdateProtocols(Member& member, std::string protocol_type,
                       std::vector<MemberProtocol> protocols);

  /// True if a member announcing "protocol_type" and "protocols" can be in the group:
  /// the type is the group's, and at least one of the protocols is spoken by every
  /// other member ("except_member_id" is the joining member itself, if known). A group
  /// without other members accepts any non-empty type and protocol list.
  bool SupportsProtocols(const std::string& protocol_type,
                         const std::vector<MemberProtocol>& protocols,
                         const std::string& except_member_id) const;

  /// The protocol for the next generation: among the protocols every member speaks, each
  /// member votes for the one it prefers most, and the most votes win; a tie goes to the
  /// leader's preference. Requires at least one member.
  std::string SelectProtocol() const;

  /// The largest rebalance timeout of the members (how long a rebalance may wait).
  int32_t MaxRebalanceTimeoutMs() const;

  /// Every member has rejoined and no member id handed out is still unclaimed.
  bool HasAllMembersJoined() const;

  /// If the leader has not rejoined, makes the first member that has the leader.
  /// Returns false if no member has rejoined.
  bool ElectJoinedLeader();

  /// Starts the next generation: bumps the generation id and picks the protocol
  /// (CompletingRebalance), or, without members, clears it (Empty).
  void InitNextGeneration();

  // Static members (KIP-345) -------------------------------------------------------

  std::optional<std::string> StaticMemberId(const std::string& group_instance_id) const;
  /// Gives a static member a new member id (a restarted instance), keeping its place,
  /// its assignment and its leadership.
  void ReplaceMemberId(const std::string& old_member_id, const std::string& new_member_id);

  // Member ids handed out with MEMBER_ID_REQUIRED, not yet claimed ------------------

  void AddPendingMember(const std::string& member_id, int64_t deadline_ms) {
    pending_members_[member_id] = deadline_ms;
  }
  bool IsPendingMember(const std::string& member_id) const {
    return pending_members_.contains(member_id);
  }
  void RemovePendingMember(const std::string& member_id) { pending_members_.erase(member_id); }
  /// Drops pending member ids whose deadline passed; returns how many.
  size_t ExpirePendingMembers(int64_t now_ms);
  bool HasPendingMembers() const { return !pending_members_.empty(); }

  // The rebalance in progress (PreparingRebalance) ---------------------------------

  /// When the join phase ends even if members are missing.
  int64_t join_deadline_ms = 0;
  /// In the initial delay of a rebalance that started from Empty
  /// (group.initial.rebalance.delay.ms): the join phase waits out the delay even if
  /// everyone has joined, so that members starting together land in one generation.
  bool in_initial_delay = false;
  /// How much longer the initial delay may still be extended.
  int64_t initial_delay_remaining_ms = 0;
  /// A member joined during the current initial delay (so extend it once more).
  bool new_member_added = false;

 private:
  const std::string id_;
  GroupState state_ = GroupState::kEmpty;
  int32_t generation_id_ = 0;
  std::string protocol_type_;
  std::optional<std::string> protocol_name_;
  std::string leader_id_;
  std::vector<std::unique_ptr<Member>> members_;
  std::map<std::string, std::string> static_members_;  // group instance id -> member id
  std::map<std::string, int64_t> pending_members_;     // member id -> deadline
};

}  // namespace eddy::kafka
