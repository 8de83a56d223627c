#pragma once
// What the group coordinator takes and gives back, one params/result pair per Kafka API.
// The broker fills the params from a decoded request and encodes the result into the
// response of the request's version; nothing here knows the wire format.
//
// Conventions follow Kafka's: an empty member id is "unknown member" (a new member), a
// generation of -1 with an empty member id is a commit outside group management, an
// offset of -1 means "nothing committed", a leader epoch of -1 means "none".

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/base/strong_id.h"
#include "src/kafka/group/group_state.h"
#include "src/kafka/protocol/error_code.h"

namespace eddy::kafka {

inline constexpr int32_t kNoGeneration = -1;
inline constexpr int32_t kNoLeaderEpoch = -1;
inline constexpr int64_t kNoCommittedOffset = -1;

// ---------------------------------------------------------------------------------------
// JoinGroup

/// One protocol a member can speak (for consumers: an assignor such as "range"), with
/// the member's opaque subscription metadata for it.
struct MemberProtocol {
  std::string name;
  std::vector<uint8_t> metadata;

  bool operator==(const MemberProtocol&) const = default;
};

struct JoinGroupParams {
  std::string group_id;
  int32_t session_timeout_ms = 0;
  /// How long the group waits for members to rejoin. JoinGroup v0 has no such field: leave
  /// it at -1 and the session timeout is used, as Kafka does.
  int32_t rebalance_timeout_ms = -1;
  /// Empty for a member joining for the first time.
  std::string member_id;
  /// Set for static members (KIP-345, JoinGroup v5+).
  std::optional<std::string> group_instance_id;
  std::string protocol_type;
  /// In the member's order of preference.
  std::vector<MemberProtocol> protocols;
  std::string client_id;
  std::string client_host;
  /// The JoinGroup request version: from v4 a new member first receives
  /// MEMBER_ID_REQUIRED and a member id to rejoin with.
  int16_t api_version = 0;
};

/// A member as the leader sees it in its JoinGroup response.
struct JoinedMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  /// The member's metadata for the chosen protocol.
  std::vector<uint8_t> metadata;
};

struct JoinGroupResult {
  ErrorCode error = ErrorCode::kNone;
  int32_t generation_id = kNoGeneration;
  /// Set on success (JoinGroup v7+ carries the type; every version carries the name).
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader_id;
  /// The caller's member id: the one it is known by, or the freshly generated one that
  /// comes with MEMBER_ID_REQUIRED.
  std::string member_id;
  /// Every member with its metadata for the leader; empty for the others.
  std::vector<JoinedMember> members;
};
using JoinGroupCallback = std::function<void(JoinGroupResult)>;

// ---------------------------------------------------------------------------------------
// SyncGroup

/// The leader's assignment for one member (opaque bytes).
struct MemberAssignment {
  std::string member_id;
  std::vector<uint8_t> assignment;
};

struct SyncGroupParams {
  std::string group_id;
  int32_t generation_id = kNoGeneration;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  /// SyncGroup v5+: checked against the group's when present.
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  /// Only the leader sends assignments; a member missing from them gets empty bytes.
  std::vector<MemberAssignment> assignments;
};

struct SyncGroupResult {
  ErrorCode error = ErrorCode::kNone;
  /// Set on success, as SyncGroup v5 responses carry them.
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::vector<uint8_t> assignment;
};
using SyncGroupCallback = std::function<void(SyncGroupResult)>;

// ---------------------------------------------------------------------------------------
// Heartbeat

struct HeartbeatParams {
  std::string group_id;
  int32_t generation_id = kNoGeneration;
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

// ---------------------------------------------------------------------------------------
// LeaveGroup

/// One member leaving. LeaveGroup v0-2 name one member by id; v3+ a list, where a static
/// member may be named by group_instance_id alone (empty member_id).
struct LeavingMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct LeaveGroupParams {
  std::string group_id;
  std::vector<LeavingMember> members;
};

struct LeftMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  ErrorCode error = ErrorCode::kNone;
};

struct LeaveGroupResult {
  /// A group-level error (invalid group id, coordinator unavailable); members is then empty.
  ErrorCode error = ErrorCode::kNone;
  /// One entry per leaving member, in request order (v3+ responses).
  std::vector<LeftMember> members;

  /// The single error a v0-2 response carries: the group-level error if any, else the
  /// first member error (Kafka's rule).
  ErrorCode CombinedError() const {
    if (error != ErrorCode::kNone) return error;
    for (const LeftMember& m : members) {
      if (m.error != ErrorCode::kNone) return m.error;
    }
    return ErrorCode::kNone;
  }
};

// ---------------------------------------------------------------------------------------
// OffsetCommit / OffsetFetch

/// A topic and partition whose committed offset is asked for.
struct OffsetKey {
  std::string topic;
  PartitionId partition;

  auto operator<=>(const OffsetKey&) const = default;
};

struct OffsetCommitEntry {
  std::string topic;
  PartitionId partition;
  Offset offset;
  int32_t leader_epoch = kNoLeaderEpoch;
  /// Null metadata on the wire is stored as "".
  std::string metadata{};
};

struct OffsetCommitParams {
  std::string group_id;
  /// -1 with an empty member_id: a commit from outside group management (a consumer that
  /// assigns partitions itself); accepted only while the group has no members.
  int32_t generation_id = kNoGeneration;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<OffsetCommitEntry> partitions;
};

struct PartitionResult {
  std::string topic;
  PartitionId partition;
  ErrorCode error = ErrorCode::kNone;
};

struct OffsetCommitResult {
  /// One entry per committed partition, in request order.
  std::vector<PartitionResult> partitions;
};
using OffsetCommitCallback = std::function<void(OffsetCommitResult)>;

struct FetchedOffset {
  std::string topic;
  PartitionId partition;
  /// -1 when nothing is committed.
  Offset offset{kNoCommittedOffset};
  int32_t leader_epoch = kNoLeaderEpoch;
  std::string metadata;
  ErrorCode error = ErrorCode::kNone;
};

struct OffsetFetchParams {
  std::string group_id;
  /// nullopt: every partition the group has committed (OffsetFetch v2+ with null topics).
  std::optional<std::vector<OffsetKey>> partitions;
};

struct OffsetFetchResult {
  ErrorCode error = ErrorCode::kNone;
  /// For an explicit list, one entry per asked partition in request order; for "all",
  /// every committed partition sorted by topic and partition.
  std::vector<FetchedOffset> partitions;
};

// ---------------------------------------------------------------------------------------
// ListGroups / DescribeGroups / DeleteGroups

struct GroupListing {
  std::string group_id;
  /// "" for a group that only holds committed offsets.
  std::string protocol_type;
  GroupState state = GroupState::kEmpty;
};

struct MemberDescription {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  /// The metadata for the chosen protocol and the assignment; both empty unless the group
  /// is Stable (as Kafka's DescribeGroups reports them).
  std::vector<uint8_t> metadata;
  std::vector<uint8_t> assignment;
};

struct GroupDescription {
  ErrorCode error = ErrorCode::kNone;
  std::string group_id;
  /// Kafka reports an unknown group as Dead with no members.
  GroupState state = GroupState::kDead;
  std::string protocol_type;
  /// The chosen protocol; "" unless the group is Stable.
  std::string protocol_name;
  int32_t generation_id = 0;
  std::string leader_id;
  /// In join order.
  std::vector<MemberDescription> members;
};

struct DeletedGroup {
  std::string group_id;
  /// GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, or NONE once its offsets are durably gone.
  ErrorCode error = ErrorCode::kNone;
};

}  // namespace eddy::kafka
