#include "src/kafka/group/group_coordinator.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <ostream>
#include <thread>

#include "src/kafka/group/recording_file_system.h"
#include "tests/util/manual_clock.h"
#include "tests/util/temp_dir.h"

namespace eddy::kafka {

// Readable failure messages.
void PrintTo(GroupState state, std::ostream* os) { *os << GroupStateName(state); }
void PrintTo(ErrorCode code, std::ostream* os) { *os << "error " << static_cast<int>(code); }

namespace {

constexpr char kGroup[] = "orders-readers";

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

/// Holds the answer of a request the coordinator may complete later.
template <typename R>
class Pending {
 public:
  std::function<void(R)> Callback() const {
    return [slot = slot_, calls = calls_](R r) {
      ++*calls;
      *slot = std::move(r);
    };
  }
  bool done() const { return slot_->has_value(); }
  int calls() const { return *calls_; }
  const R& operator*() const { return slot_->value(); }
  const R* operator->() const { return &slot_->value(); }

 private:
  std::shared_ptr<std::optional<R>> slot_ = std::make_shared<std::optional<R>>();
  std::shared_ptr<int> calls_ = std::make_shared<int>(0);
};

using PendingJoin = Pending<JoinGroupResult>;
using PendingSync = Pending<SyncGroupResult>;

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  GroupCoordinatorTest() {
    options_.data_dir = dir_.path();
    options_.fs = &fs_;
    options_.clock = &clock_;
  }
  void SetUp() override { Reopen(); }

  void Reopen() {
    gc_.reset();
    auto opened = GroupCoordinator::Open(options_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    gc_ = std::move(opened).value();
  }

  static std::vector<MemberProtocol> Range(const std::string& client) {
    return {{"range", Bytes("subscription of " + client)}};
  }

  JoinGroupParams Params(const std::string& client, const std::string& member_id = "",
                         std::vector<MemberProtocol> protocols = {}) {
    JoinGroupParams p;
    p.group_id = kGroup;
    p.session_timeout_ms = 10'000;
    p.rebalance_timeout_ms = 20'000;
    p.member_id = member_id;
    p.protocol_type = "consumer";
    p.protocols = protocols.empty() ? Range(client) : std::move(protocols);
    p.client_id = client;
    p.client_host = "/10.0.0.1";
    p.api_version = 5;
    return p;
  }

  PendingJoin Join(JoinGroupParams p) {
    PendingJoin pending;
    gc_->JoinGroup(std::move(p), pending.Callback());
    return pending;
  }

  /// The JoinGroup v4+ flow of a new member: a first join gets MEMBER_ID_REQUIRED and
  /// an id, the second join (returned, maybe still waiting) uses it.
  std::pair<std::string, PendingJoin> JoinNew(const std::string& client,
                                              std::vector<MemberProtocol> protocols = {}) {
    PendingJoin first = Join(Params(client, "", protocols));
    EXPECT_TRUE(first.done());
    if (!first.done()) return {"", first};
    EXPECT_EQ(first->error, ErrorCode::kMemberIdRequired);
    std::string id = first->member_id;
    return {id, Join(Params(client, id, protocols))};
  }

  PendingSync Sync(const std::string& member_id, int32_t generation,
                   std::vector<MemberAssignment> assignments = {}) {
    SyncGroupParams p;
    p.group_id = kGroup;
    p.generation_id = generation;
    p.member_id = member_id;
    p.assignments = std::move(assignments);
    PendingSync pending;
    gc_->SyncGroup(std::move(p), pending.Callback());
    return pending;
  }

  ErrorCode Heartbeat(const std::string& member_id, int32_t generation) {
    return gc_->Heartbeat(HeartbeatParams{kGroup, generation, member_id, std::nullopt});
  }

  OffsetCommitResult Commit(const std::string& member_id, int32_t generation,
                            std::vector<OffsetCommitEntry> entries,
                            const std::string& group = kGroup) {
    OffsetCommitParams p;
    p.group_id = group;
    p.generation_id = generation;
    p.member_id = member_id;
    p.partitions = std::move(entries);
    Pending<OffsetCommitResult> pending;
    gc_->CommitOffsets(std::move(p), pending.Callback());
    EXPECT_TRUE(pending.done());
    return pending.done() ? *pending : OffsetCommitResult{};
  }

  int64_t Committed(const std::string& topic, int32_t partition,
                    const std::string& group = kGroup) {
    OffsetFetchParams p;
    p.group_id = group;
    p.partitions = std::vector<OffsetKey>{{topic, PartitionId(partition)}};
    OffsetFetchResult r = gc_->FetchOffsets(p);
    EXPECT_EQ(r.error, ErrorCode::kNone);
    EXPECT_EQ(r.partitions.size(), 1u);
    return r.partitions.empty() ? -2 : r.partitions[0].offset.value();
  }

  GroupState State() { return gc_->DescribeGroup(kGroup).state; }

  /// Moves time forward the way the broker does: a Poll every 100 ms.
  void AdvanceAndPoll(int64_t ms) {
    while (ms > 0) {
      int64_t step = std::min<int64_t>(ms, 100);
      clock_.AdvanceMs(step);
      gc_->Poll();
      ms -= step;
    }
  }

  struct Formed {
    std::string a;
    std::string b;
    int32_t generation = 0;
  };

  /// A Stable group of "a" (leader) and "b", formed the way clients form it without an
  /// initial delay: a joins alone (generation 1), b's join starts a rebalance, a learns
  /// of it from its heartbeat and rejoins (generation 2), both sync.
  Formed FormStableGroupOfTwo() {
    Formed f;
    auto [a, a_join] = JoinNew("a");
    f.a = a;
    EXPECT_TRUE(a_join.done());
    EXPECT_EQ(a_join->generation_id, 1);
    EXPECT_TRUE(Sync(f.a, 1, {{f.a, Bytes("all")}}).done());
    auto [b, b_join] = JoinNew("b");
    f.b = b;
    EXPECT_FALSE(b_join.done());
    EXPECT_EQ(Heartbeat(f.a, 1), ErrorCode::kRebalanceInProgress);
    PendingJoin a_rejoin = Join(Params("a", f.a));
    EXPECT_TRUE(a_rejoin.done() && b_join.done());
    f.generation = a_rejoin->generation_id;
    EXPECT_EQ(f.generation, 2);
    PendingSync b_sync = Sync(f.b, f.generation);
    PendingSync a_sync = Sync(f.a, f.generation, {{f.a, Bytes("a-part")}, {f.b, Bytes("b-part")}});
    EXPECT_TRUE(a_sync.done() && b_sync.done());
    EXPECT_EQ(State(), GroupState::kStable);
    return f;
  }

  eddy::testing::TempDir dir_;
  eddy::testing::ManualClock clock_;
  eddy::testing::RecordingFileSystem fs_;
  GroupCoordinatorOptions options_;
  std::unique_ptr<GroupCoordinator> gc_;
};

// ---------------------------------------------------------------------------------------
// Joining and the generation

TEST_F(GroupCoordinatorTest, TwoMembersJoinOneGenerationAndTheLeaderSeesBoth) {
  options_.initial_rebalance_delay_ms = 3'000;
  Reopen();
  auto [a, a_join] = JoinNew("a");
  auto [b, b_join] = JoinNew("b");
  EXPECT_EQ(State(), GroupState::kPreparingRebalance);
  AdvanceAndPoll(2'999);
  EXPECT_FALSE(a_join.done());
  // b arrived during the delay, so the delay runs once more (within the rebalance timeout).
  AdvanceAndPoll(1);
  EXPECT_FALSE(a_join.done());
  AdvanceAndPoll(3'000);
  ASSERT_TRUE(a_join.done());
  ASSERT_TRUE(b_join.done());

  EXPECT_EQ(a_join->error, ErrorCode::kNone);
  EXPECT_EQ(b_join->error, ErrorCode::kNone);
  EXPECT_EQ(a_join->generation_id, 1);
  EXPECT_EQ(b_join->generation_id, 1);
  EXPECT_EQ(a_join->leader_id, a);
  EXPECT_EQ(b_join->leader_id, a);
  EXPECT_EQ(a_join->member_id, a);
  EXPECT_EQ(b_join->member_id, b);
  EXPECT_EQ(a_join->protocol_name, "range");
  EXPECT_EQ(a_join->protocol_type, "consumer");
  ASSERT_EQ(a_join->members.size(), 2u);
  EXPECT_EQ(a_join->members[0].member_id, a);
  EXPECT_EQ(a_join->members[0].metadata, Bytes("subscription of a"));
  EXPECT_EQ(a_join->members[1].member_id, b);
  EXPECT_EQ(a_join->members[1].metadata, Bytes("subscription of b"));
  EXPECT_TRUE(b_join->members.empty());
  EXPECT_EQ(State(), GroupState::kCompletingRebalance);
}

TEST_F(GroupCoordinatorTest, InitialDelayEndsWhenNoNewMemberArrives) {
  options_.initial_rebalance_delay_ms = 3'000;
  Reopen();
  auto [a, a_join] = JoinNew("a");
  AdvanceAndPoll(2'999);
  EXPECT_FALSE(a_join.done());
  AdvanceAndPoll(1);
  ASSERT_TRUE(a_join.done());
  EXPECT_EQ(a_join->generation_id, 1);
}

TEST_F(GroupCoordinatorTest, FollowerSyncWaitsForTheLeaderSync) {
  options_.initial_rebalance_delay_ms = 1'000;
  Reopen();
  auto [a, a_join] = JoinNew("a");
  auto [b, b_join] = JoinNew("b");
  AdvanceAndPoll(5'000);
  ASSERT_TRUE(a_join.done() && b_join.done());
  const int32_t generation = a_join->generation_id;

  PendingSync b_sync = Sync(b, generation);
  AdvanceAndPoll(1'000);
  EXPECT_FALSE(b_sync.done());
  EXPECT_EQ(State(), GroupState::kCompletingRebalance);

  PendingSync a_sync =
      Sync(a, generation, {{a, Bytes("partitions 0-1")}, {b, Bytes("partitions 2-3")}});
  ASSERT_TRUE(a_sync.done());
  ASSERT_TRUE(b_sync.done());
  EXPECT_EQ(a_sync->error, ErrorCode::kNone);
  EXPECT_EQ(b_sync->error, ErrorCode::kNone);
  EXPECT_EQ(a_sync->assignment, Bytes("partitions 0-1"));
  EXPECT_EQ(b_sync->assignment, Bytes("partitions 2-3"));
  EXPECT_EQ(b_sync->protocol_type, "consumer");
  EXPECT_EQ(b_sync->protocol_name, "range");
  EXPECT_EQ(State(), GroupState::kStable);
  EXPECT_EQ(b_sync.calls(), 1);

  // Once Stable, a sync is answered at once with the member's assignment.
  PendingSync again = Sync(b, generation);
  ASSERT_TRUE(again.done());
  EXPECT_EQ(again->assignment, Bytes("partitions 2-3"));
}

TEST_F(GroupCoordinatorTest, MemberLeftOutOfTheLeadersAssignmentGetsAnEmptyOne) {
  options_.initial_rebalance_delay_ms = 1'000;
  Reopen();
  auto [a, a_join] = JoinNew("a");
  auto [b, b_join] = JoinNew("b");
  AdvanceAndPoll(5'000);
  PendingSync b_sync = Sync(b, 1);
  PendingSync a_sync = Sync(a, 1, {{a, Bytes("everything")}});
  ASSERT_TRUE(b_sync.done());
  EXPECT_EQ(b_sync->error, ErrorCode::kNone);
  EXPECT_TRUE(b_sync->assignment.empty());
}

TEST_F(GroupCoordinatorTest, ThirdMemberTriggersARebalanceThatTheOthersLearnFromHeartbeat) {
  Formed f = FormStableGroupOfTwo();
  EXPECT_EQ(Heartbeat(f.a, f.generation), ErrorCode::kNone);
  EXPECT_EQ(Heartbeat(f.b, f.generation), ErrorCode::kNone);

  auto [c, c_join] = JoinNew("c");
  EXPECT_FALSE(c_join.done());
  EXPECT_EQ(State(), GroupState::kPreparingRebalance);
  EXPECT_EQ(Heartbeat(f.a, f.generation), ErrorCode::kRebalanceInProgress);
  EXPECT_EQ(Heartbeat(f.b, f.generation), ErrorCode::kRebalanceInProgress);

  PendingJoin b_join = Join(Params("b", f.b));
  EXPECT_FALSE(b_join.done());  // a has not rejoined yet
  PendingJoin a_join = Join(Params("a", f.a));
  ASSERT_TRUE(a_join.done() && b_join.done() && c_join.done());
  EXPECT_EQ(a_join->generation_id, f.generation + 1);
  EXPECT_EQ(c_join->generation_id, f.generation + 1);
  EXPECT_EQ(a_join->leader_id, f.a);  // the leader keeps its place
  ASSERT_EQ(a_join->members.size(), 3u);
  EXPECT_EQ(a_join->members[2].member_id, c);
  EXPECT_TRUE(b_join->members.empty());
  EXPECT_TRUE(c_join->members.empty());
  EXPECT_EQ(State(), GroupState::kCompletingRebalance);
  EXPECT_EQ(Heartbeat(f.b, f.generation), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(Heartbeat(f.b, f.generation + 1), ErrorCode::kNone);
}

TEST_F(GroupCoordinatorTest, FollowerRejoiningWithUnchangedMetadataGetsTheCurrentGeneration) {
  Formed f = FormStableGroupOfTwo();
  PendingJoin b_join = Join(Params("b", f.b));
  ASSERT_TRUE(b_join.done());
  EXPECT_EQ(b_join->error, ErrorCode::kNone);
  EXPECT_EQ(b_join->generation_id, f.generation);
  EXPECT_EQ(State(), GroupState::kStable);
  // New metadata means a new assignment: a rebalance.
  PendingJoin b_changed = Join(Params("b", f.b, {{"range", Bytes("new subscription")}}));
  EXPECT_FALSE(b_changed.done());
  EXPECT_EQ(State(), GroupState::kPreparingRebalance);
}

TEST_F(GroupCoordinatorTest, ANewMemberDuringCompletingRebalanceReleasesWaitingSyncs) {
  options_.initial_rebalance_delay_ms = 1'000;
  Reopen();
  auto [a, a_join] = JoinNew("a");
  auto [b, b_join] = JoinNew("b");
  AdvanceAndPoll(5'000);
  PendingSync b_sync = Sync(b, 1);
  auto [c, c_join] = JoinNew("c");
  ASSERT_TRUE(b_sync.done());
  EXPECT_EQ(b_sync->error, ErrorCode::kRebalanceInProgress);
  EXPECT_EQ(State(), GroupState::kPreparingRebalance);
  PendingSync a_sync = Sync(a, 1, {{a, Bytes("x")}});
  ASSERT_TRUE(a_sync.done());
  EXPECT_EQ(a_sync->error, ErrorCode::kRebalanceInProgress);
}

TEST_F(GroupCoordinatorTest, SessionExpiryRemovesASilentMemberAndRebalances) {
  Formed f = FormStableGroupOfTwo();
  AdvanceAndPoll(6'000);
  EXPECT_EQ(Heartbeat(f.a, f.generation), ErrorCode::kNone);
  AdvanceAndPoll(3'999);  // b silent for 9999 ms of its 10000
  EXPECT_EQ(State(), GroupState::kStable);
  AdvanceAndPoll(1);
  EXPECT_EQ(State(), GroupState::kPreparingRebalance);
  EXPECT_EQ(Heartbeat(f.b, f.generation), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(Heartbeat(f.a, f.generation), ErrorCode::kRebalanceInProgress);

  PendingJoin a_join = Join(Params("a", f.a));
  ASSERT_TRUE(a_join.done());
  EXPECT_EQ(a_join->generation_id, f.generation + 1);
  ASSERT_EQ(a_join->members.size(), 1u);
  EXPECT_EQ(a_join->members[0].member_id, f.a);
}

TEST_F(GroupCoordinatorTest, LastMemberExpiringLeavesTheGroupEmpty) {
  auto [a, a_join] = JoinNew("a");
  ASSERT_TRUE(a_join.done());
  ASSERT_TRUE(Sync(a, 1, {{a, Bytes("all")}}).done());
  ASSERT_EQ(Commit(a, 1, {{"orders", PartitionId(0), Offset(5)}}).partitions[0].error,
            ErrorCode::kNone);
  AdvanceAndPoll(10'000);
  GroupDescription d = gc_->DescribeGroup(kGroup);
  EXPECT_EQ(d.state, GroupState::kEmpty);
  EXPECT_TRUE(d.members.empty());
  EXPECT_EQ(d.generation_id, 2);
}

TEST_F(GroupCoordinatorTest, GroupWithoutMembersOrOffsetsIsForgotten) {
  auto [a, a_join] = JoinNew("a");
  ASSERT_TRUE(a_join.done());
  AdvanceAndPoll(10'000);
  EXPECT_EQ(State(), GroupState::kDead);
  EXPECT_TRUE(gc_->ListGroups().empty());
}

TEST_F(GroupCoordinatorTest, PendingJoinKeepsItsMemberAlive) {
  Formed f = FormStableGroupOfTwo();
  // The leader rejoins (say its subscription changed); b stays silent.
  PendingJoin a_join = Join(Params("a", f.a));
  EXPECT_FALSE(a_join.done());
  AdvanceAndPoll(9'000);
  EXPECT_FALSE(a_join.done());
  // b's session ends; a has waited longer than its own session timeout but is alive.
  AdvanceAndPoll(3'000);
  ASSERT_TRUE(a_join.done());
  EXPECT_EQ(a_join->error, ErrorCode::kNone);
  EXPECT_EQ(a_join->generation_id, f.generation + 1);
  ASSERT_EQ(a_join->members.size(), 1u);
  EXPECT_EQ(a_join->members[0].member_id, f.a);
}

TEST_F(GroupCoordinatorTest, FollowerWaitingForASyncIsAliveButALeaderThatNeverSyncsExpires) {
  options_.initial_rebalance_delay_ms = 1'000;
  Reopen();
  auto [a, a_join] = JoinNew("a");
  auto [b, b_join] = JoinNew("b");
  AdvanceAndPoll(5'000);
  PendingSync b_sync = Sync(b, 1);
  AdvanceAndPoll(10'000);
  ASSERT_TRUE(b_sync.done());
  EXPECT_EQ(b_sync->error, ErrorCode::kRebalanceInProgress);
  EXPECT_EQ(Heartbeat(a, 1), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(Heartbeat(b, 1), ErrorCode::kRebalanceInProgress);
}

TEST_F(GroupCoordinatorTest, LeaveTriggersAnImmediateRebalance) {
  Formed f = FormStableGroupOfTwo();
  LeaveGroupResult left = gc_->LeaveGroup(LeaveGroupParams{kGroup, {{f.b, std::nullopt}}});
  EXPECT_EQ(left.CombinedError(), ErrorCode::kNone);
  ASSERT_EQ(left.members.size(), 1u);
  EXPECT_EQ(left.members[0].member_id, f.b);
  EXPECT_EQ(State(), GroupState::kPreparingRebalance);
  EXPECT_EQ(Heartbeat(f.a, f.generation), ErrorCode::kRebalanceInProgress);
  PendingJoin a_join = Join(Params("a", f.a));
  ASSERT_TRUE(a_join.done());  // no waiting: everyone left has rejoined
  EXPECT_EQ(a_join->generation_id, f.generation + 1);
  EXPECT_EQ(a_join->members.size(), 1u);
}

TEST_F(GroupCoordinatorTest, LeaveGroupV3AnswersEachMember) {
  Formed f = FormStableGroupOfTwo();
  LeaveGroupResult left = gc_->LeaveGroup(LeaveGroupParams{
      kGroup, {{f.a, std::nullopt}, {"nobody", std::nullopt}, {f.b, std::nullopt}}});
  EXPECT_EQ(left.error, ErrorCode::kNone);
  ASSERT_EQ(left.members.size(), 3u);
  EXPECT_EQ(left.members[0].error, ErrorCode::kNone);
  EXPECT_EQ(left.members[1].error, ErrorCode::kUnknownMemberId);
  EXPECT_EQ(left.members[2].error, ErrorCode::kNone);
  EXPECT_EQ(left.CombinedError(), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(State(), GroupState::kEmpty);
  EXPECT_EQ(gc_->LeaveGroup(LeaveGroupParams{"", {{f.a, std::nullopt}}}).error,
            ErrorCode::kInvalidGroupId);
  EXPECT_EQ(
      gc_->LeaveGroup(LeaveGroupParams{"no-such-group", {{f.a, std::nullopt}}}).CombinedError(),
      ErrorCode::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, LeaderThatLeavesIsReplacedByTheFirstRemainingMember) {
  Formed f = FormStableGroupOfTwo();
  auto [c, c_join] = JoinNew("c");
  PendingJoin b_join = Join(Params("b", f.b));
  ASSERT_EQ(gc_->LeaveGroup(LeaveGroupParams{kGroup, {{f.a, std::nullopt}}}).CombinedError(),
            ErrorCode::kNone);
  ASSERT_TRUE(b_join.done() && c_join.done());
  EXPECT_EQ(b_join->leader_id, f.b);
  EXPECT_EQ(b_join->members.size(), 2u);
  EXPECT_TRUE(c_join->members.empty());
}

// ---------------------------------------------------------------------------------------
// Member ids and validation

TEST_F(GroupCoordinatorTest, V4JoinWithoutMemberIdGetsMemberIdRequiredThenIsAdmitted) {
  JoinGroupParams p = Params("client-a");
  p.api_version = 4;
  PendingJoin first = Join(p);
  ASSERT_TRUE(first.done());
  EXPECT_EQ(first->error, ErrorCode::kMemberIdRequired);
  const std::string& id = first->member_id;
  ASSERT_EQ(id.size(), std::string("client-a-").size() + 36);
  EXPECT_EQ(id.rfind("client-a-", 0), 0u);
  EXPECT_EQ(id[9 + 14], '4');  // a version-4 UUID
  // Not a member until it rejoins with the id.
  EXPECT_TRUE(gc_->DescribeGroup(kGroup).members.empty());

  p.member_id = id;
  PendingJoin second = Join(p);
  ASSERT_TRUE(second.done());
  EXPECT_EQ(second->error, ErrorCode::kNone);
  EXPECT_EQ(second->member_id, id);
  EXPECT_EQ(second->leader_id, id);
  EXPECT_EQ(second->generation_id, 1);

  // Every new member gets its own id.
  PendingJoin other = Join(Params("client-a"));
  ASSERT_TRUE(other.done());
  EXPECT_NE(other->member_id, id);
}

TEST_F(GroupCoordinatorTest, V3JoinIsAdmittedAtOnceWithAGeneratedId) {
  JoinGroupParams p = Params("old-client");
  p.api_version = 3;
  PendingJoin join = Join(p);
  ASSERT_TRUE(join.done());
  EXPECT_EQ(join->error, ErrorCode::kNone);
  EXPECT_EQ(join->member_id.rfind("old-client-", 0), 0u);
  EXPECT_EQ(join->generation_id, 1);
  EXPECT_EQ(join->members.size(), 1u);
}

TEST_F(GroupCoordinatorTest, JoinWithoutRebalanceTimeoutUsesTheSessionTimeout) {
  Formed f = FormStableGroupOfTwo();
  JoinGroupParams p = Params("v0");
  p.api_version = 0;
  p.rebalance_timeout_ms = -1;
  p.session_timeout_ms = 7'000;
  PendingJoin join = Join(p);
  EXPECT_FALSE(join.done());
  // The rebalance waits for the largest rebalance timeout (a and b: 20 s), not 7 s.
  AdvanceAndPoll(7'000);
  EXPECT_FALSE(join.done());
  EXPECT_EQ(Heartbeat(f.a, f.generation), ErrorCode::kRebalanceInProgress);
}

TEST_F(GroupCoordinatorTest, UnclaimedMemberIdExpiresAfterTheSessionTimeout) {
  auto [a, a_join] = JoinNew("a");
  ASSERT_TRUE(Sync(a, 1, {{a, Bytes("all")}}).done());
  PendingJoin ghost = Join(Params("ghost"));  // gets an id, never comes back
  ASSERT_EQ(ghost->error, ErrorCode::kMemberIdRequired);
  // A rebalance waits for ids handed out but not yet claimed ...
  PendingJoin a_rejoin = Join(Params("a", a));
  EXPECT_FALSE(a_rejoin.done());
  AdvanceAndPoll(5'000);
  EXPECT_EQ(Heartbeat(a, 1), ErrorCode::kRebalanceInProgress);
  EXPECT_FALSE(a_rejoin.done());
  // ... until they expire.
  AdvanceAndPoll(5'000);
  ASSERT_TRUE(a_rejoin.done());
  EXPECT_EQ(a_rejoin->generation_id, 2);
  EXPECT_EQ(Join(Params("ghost", ghost->member_id))->error, ErrorCode::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, JoinValidatesGroupIdSessionTimeoutAndMemberId) {
  JoinGroupParams p = Params("a");
  p.group_id = "";
  EXPECT_EQ(Join(p)->error, ErrorCode::kInvalidGroupId);
  p = Params("a");
  p.session_timeout_ms = 5'999;
  EXPECT_EQ(Join(p)->error, ErrorCode::kInvalidSessionTimeout);
  p.session_timeout_ms = 1'800'001;
  EXPECT_EQ(Join(p)->error, ErrorCode::kInvalidSessionTimeout);
  p.session_timeout_ms = 1'800'000;
  EXPECT_EQ(Join(p)->error, ErrorCode::kMemberIdRequired);
  // A member id this coordinator never handed out, for a known and an unknown group.
  EXPECT_EQ(Join(Params("a", "a-made-up"))->error, ErrorCode::kUnknownMemberId);
  JoinGroupParams elsewhere = Params("a", "a-made-up");
  elsewhere.group_id = "no-such-group";
  EXPECT_EQ(Join(elsewhere)->error, ErrorCode::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, InconsistentProtocolsAreRejected) {
  auto [a, a_join] = JoinNew("a", {{"range", Bytes("m")}, {"roundrobin", Bytes("m")}});
  ASSERT_EQ(a_join->error, ErrorCode::kNone);

  JoinGroupParams other_type = Params("b");
  other_type.protocol_type = "connect";
  EXPECT_EQ(Join(other_type)->error, ErrorCode::kInconsistentGroupProtocol);
  EXPECT_EQ(Join(Params("c", "", {{"cooperative-sticky", Bytes("m")}}))->error,
            ErrorCode::kInconsistentGroupProtocol);
  EXPECT_EQ(Join(Params("d", "", {{"cooperative-sticky", Bytes("m")}, {"roundrobin", Bytes("m")}}))
                ->error,
            ErrorCode::kMemberIdRequired);

  JoinGroupParams no_protocols = Params("e");
  no_protocols.group_id = "fresh-group";
  no_protocols.protocols.clear();
  EXPECT_EQ(Join(no_protocols)->error, ErrorCode::kInconsistentGroupProtocol);
  JoinGroupParams no_type = Params("e");
  no_type.group_id = "fresh-group";
  no_type.protocol_type = "";
  EXPECT_EQ(Join(no_type)->error, ErrorCode::kInconsistentGroupProtocol);
}

TEST_F(GroupCoordinatorTest, ProtocolIsChosenByVote) {
  options_.initial_rebalance_delay_ms = 1'000;
  Reopen();
  auto [a, a_join] = JoinNew("a", {{"range", Bytes("a-range")}, {"roundrobin", Bytes("a-rr")}});
  auto [b, b_join] = JoinNew("b", {{"roundrobin", Bytes("b-rr")}, {"range", Bytes("b-range")}});
  auto [c, c_join] = JoinNew(
      "c", {{"sticky", Bytes("c-st")}, {"roundrobin", Bytes("c-rr")}, {"range", Bytes("c-range")}});
  AdvanceAndPoll(20'000);
  ASSERT_TRUE(a_join.done());
  // Everyone speaks range and roundrobin; b and c prefer roundrobin, the leader range.
  EXPECT_EQ(a_join->protocol_name, "roundrobin");
  EXPECT_EQ(c_join->protocol_name, "roundrobin");
  ASSERT_EQ(a_join->members.size(), 3u);
  EXPECT_EQ(a_join->members[0].metadata, Bytes("a-rr"));
  EXPECT_EQ(a_join->members[1].metadata, Bytes("b-rr"));
  EXPECT_EQ(a_join->members[2].metadata, Bytes("c-rr"));
}

TEST_F(GroupCoordinatorTest, TiedVoteGoesToTheLeadersPreference) {
  options_.initial_rebalance_delay_ms = 1'000;
  Reopen();
  auto [a, a_join] = JoinNew("a", {{"range", Bytes("")}, {"roundrobin", Bytes("")}});
  auto [b, b_join] = JoinNew("b", {{"roundrobin", Bytes("")}, {"range", Bytes("")}});
  AdvanceAndPoll(20'000);
  ASSERT_TRUE(a_join.done());
  EXPECT_EQ(a_join->leader_id, a);
  EXPECT_EQ(a_join->protocol_name, "range");
}

TEST_F(GroupCoordinatorTest, MemberThatDoesNotRejoinBeforeTheRebalanceTimeoutIsDropped) {
  Formed f = FormStableGroupOfTwo();
  AdvanceAndPoll(5'000);
  ASSERT_EQ(Heartbeat(f.b, f.generation), ErrorCode::kNone);
  JoinGroupParams c = Params("c");
  c.api_version = 3;
  PendingJoin c_join = Join(c);
  ASSERT_EQ(Heartbeat(f.a, f.generation), ErrorCode::kRebalanceInProgress);
  PendingJoin a_join = Join(Params("a", f.a));
  // b keeps heartbeating (its session stays alive) but never rejoins, as a consumer stuck
  // in its processing loop does.
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Heartbeat(f.b, f.generation), ErrorCode::kRebalanceInProgress);
    AdvanceAndPoll(5'000);
  }
  EXPECT_EQ(Heartbeat(f.b, f.generation), ErrorCode::kRebalanceInProgress);
  AdvanceAndPoll(4'999);
  EXPECT_FALSE(a_join.done());
  AdvanceAndPoll(1);  // 20 s since the rebalance started
  ASSERT_TRUE(a_join.done() && c_join.done());
  EXPECT_EQ(a_join->generation_id, f.generation + 1);
  ASSERT_EQ(a_join->members.size(), 2u);
  EXPECT_EQ(a_join->members[0].member_id, f.a);
  EXPECT_EQ(a_join->members[1].member_id, c_join->member_id);
  EXPECT_EQ(Heartbeat(f.b, f.generation), ErrorCode::kUnknownMemberId);
  // b learns it is out and joins again as a new member.
  EXPECT_EQ(Join(Params("b", f.b))->error, ErrorCode::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, SyncAndHeartbeatCheckGroupMemberAndGeneration) {
  Formed f = FormStableGroupOfTwo();
  EXPECT_EQ(Sync(f.b, f.generation - 1)->error, ErrorCode::kIllegalGeneration);
  EXPECT_EQ(Sync("stranger", f.generation)->error, ErrorCode::kUnknownMemberId);
  EXPECT_EQ(Heartbeat(f.b, f.generation + 1), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(Heartbeat("stranger", f.generation), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(gc_->Heartbeat(HeartbeatParams{"", f.generation, f.b, std::nullopt}),
            ErrorCode::kInvalidGroupId);
  EXPECT_EQ(gc_->Heartbeat(HeartbeatParams{"other", f.generation, f.b, std::nullopt}),
            ErrorCode::kUnknownMemberId);

  SyncGroupParams p;
  p.group_id = kGroup;
  p.generation_id = f.generation;
  p.member_id = f.b;
  p.protocol_type = "consumer";
  p.protocol_name = "roundrobin";
  PendingSync wrong_protocol;
  gc_->SyncGroup(p, wrong_protocol.Callback());
  EXPECT_EQ(wrong_protocol->error, ErrorCode::kInconsistentGroupProtocol);
  p.protocol_name = "range";
  PendingSync right_protocol;
  gc_->SyncGroup(p, right_protocol.Callback());
  EXPECT_EQ(right_protocol->error, ErrorCode::kNone);
  EXPECT_EQ(right_protocol->assignment, Bytes("b-part"));

  // Rebalancing: a sync for the old generation is told so.
  auto [c, c_join] = JoinNew("c");
  EXPECT_EQ(Sync(f.b, f.generation)->error, ErrorCode::kRebalanceInProgress);
}

TEST_F(GroupCoordinatorTest, StaticMemberRestartKeepsItsAssignmentWithoutARebalance) {
  auto static_params = [&](const std::string& client, const std::string& instance,
                           const std::string& member_id) {
    JoinGroupParams p = Params(client, member_id);
    p.group_instance_id = instance;
    return p;
  };
  options_.initial_rebalance_delay_ms = 1'000;
  Reopen();
  PendingJoin a_join = Join(static_params("a", "host-a", ""));
  PendingJoin b_join = Join(static_params("b", "host-b", ""));
  AdvanceAndPoll(5'000);
  ASSERT_TRUE(a_join.done() && b_join.done());
  EXPECT_EQ(a_join->error, ErrorCode::kNone);  // static members skip MEMBER_ID_REQUIRED
  EXPECT_EQ(a_join->member_id.rfind("host-a-", 0), 0u);
  const std::string old_b = b_join->member_id;
  PendingSync b_sync = Sync(old_b, 1);
  ASSERT_TRUE(
      Sync(a_join->member_id, 1, {{a_join->member_id, Bytes("pa")}, {old_b, Bytes("pb")}}).done());
  ASSERT_TRUE(b_sync.done());

  // b restarts: same instance id, no member id.
  PendingJoin b_again = Join(static_params("b", "host-b", ""));
  ASSERT_TRUE(b_again.done());
  EXPECT_EQ(b_again->error, ErrorCode::kNone);
  EXPECT_NE(b_again->member_id, old_b);
  EXPECT_EQ(b_again->generation_id, 1);
  EXPECT_EQ(State(), GroupState::kStable);
  PendingSync b_sync_again = Sync(b_again->member_id, 1);
  EXPECT_EQ(b_sync_again->assignment, Bytes("pb"));

  // The old incarnation is fenced.
  EXPECT_EQ(gc_->Heartbeat(HeartbeatParams{kGroup, 1, old_b, "host-b"}),
            ErrorCode::kFencedInstanceId);
  EXPECT_EQ(gc_->Heartbeat(HeartbeatParams{kGroup, 1, b_again->member_id, "host-b"}),
            ErrorCode::kNone);
}

// ---------------------------------------------------------------------------------------
// Offsets

TEST_F(GroupCoordinatorTest, CommitsWithAStaleGenerationAreRejected) {
  Formed f = FormStableGroupOfTwo();
  const int32_t old_generation = f.generation;
  OffsetCommitResult ok = Commit(f.b, old_generation, {{"orders", PartitionId(0), Offset(10)}});
  ASSERT_EQ(ok.partitions.size(), 1u);
  EXPECT_EQ(ok.partitions[0].error, ErrorCode::kNone);

  // c joins, a and b rejoin: generation + 1.
  auto [c, c_join] = JoinNew("c");
  PendingJoin a_join = Join(Params("a", f.a));
  PendingJoin b_join = Join(Params("b", f.b));
  ASSERT_TRUE(c_join.done());

  OffsetCommitResult stale =
      Commit(f.b, old_generation,
             {{"orders", PartitionId(0), Offset(20)}, {"orders", PartitionId(1), Offset(5)}});
  ASSERT_EQ(stale.partitions.size(), 2u);
  EXPECT_EQ(stale.partitions[0].error, ErrorCode::kIllegalGeneration);
  EXPECT_EQ(stale.partitions[1].error, ErrorCode::kIllegalGeneration);
  EXPECT_EQ(Committed("orders", 0), 10);
  EXPECT_EQ(Committed("orders", 1), -1);

  // Between join and sync the member has the generation but no assignment yet.
  EXPECT_EQ(
      Commit(f.b, old_generation + 1, {{"orders", PartitionId(0), Offset(20)}}).partitions[0].error,
      ErrorCode::kRebalanceInProgress);
  PendingSync b_sync = Sync(f.b, old_generation + 1);
  ASSERT_TRUE(Sync(f.a, old_generation + 1, {}).done());
  EXPECT_EQ(
      Commit(f.b, old_generation + 1, {{"orders", PartitionId(0), Offset(20)}}).partitions[0].error,
      ErrorCode::kNone);
  EXPECT_EQ(Committed("orders", 0), 20);
  EXPECT_EQ(Commit("stranger", old_generation + 1, {{"orders", PartitionId(0), Offset(30)}})
                .partitions[0]
                .error,
            ErrorCode::kUnknownMemberId);
  EXPECT_EQ(Committed("orders", 0), 20);
}

TEST_F(GroupCoordinatorTest, CommitDuringPreparingRebalanceIsAcceptedAndKeepsTheMemberAlive) {
  Formed f = FormStableGroupOfTwo();
  auto [c, c_join] = JoinNew("c");
  ASSERT_EQ(State(), GroupState::kPreparingRebalance);
  AdvanceAndPoll(9'000);
  EXPECT_EQ(Commit(f.b, f.generation, {{"orders", PartitionId(1), Offset(3)}}).partitions[0].error,
            ErrorCode::kNone);
  AdvanceAndPoll(9'000);  // a is silent past its session; b committed 9 s ago
  EXPECT_EQ(Heartbeat(f.a, f.generation), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(Heartbeat(f.b, f.generation), ErrorCode::kRebalanceInProgress);
}

TEST_F(GroupCoordinatorTest, StandaloneCommitIsAcceptedOnlyWhileTheGroupHasNoMembers) {
  // A consumer that assigns partitions itself: generation -1, no member id.
  EXPECT_EQ(Commit("", -1, {{"orders", PartitionId(0), Offset(7)}}).partitions[0].error,
            ErrorCode::kNone);
  EXPECT_EQ(Committed("orders", 0), 7);
  EXPECT_EQ(State(), GroupState::kEmpty);
  // A group-managed commit for a group that does not exist is from a generation gone by.
  EXPECT_EQ(Commit("m", 3, {{"t", PartitionId(0), Offset(1)}}, "other").partitions[0].error,
            ErrorCode::kIllegalGeneration);
  EXPECT_EQ(gc_->DescribeGroup("other").state, GroupState::kDead);

  auto [a, a_join] = JoinNew("a");
  ASSERT_TRUE(a_join.done());
  EXPECT_EQ(Commit("", -1, {{"orders", PartitionId(0), Offset(8)}}).partitions[0].error,
            ErrorCode::kUnknownMemberId);
  EXPECT_EQ(Committed("orders", 0), 7);
  ASSERT_EQ(gc_->LeaveGroup(LeaveGroupParams{kGroup, {{a, std::nullopt}}}).CombinedError(),
            ErrorCode::kNone);
  EXPECT_EQ(State(), GroupState::kEmpty);
  EXPECT_EQ(Commit("", -1, {{"orders", PartitionId(0), Offset(9)}}).partitions[0].error,
            ErrorCode::kNone);
  EXPECT_EQ(Committed("orders", 0), 9);
}

TEST_F(GroupCoordinatorTest, TransactionalOffsetsLandWhileTheGroupHasMembersAndAreDurable) {
  // A consume-transform-produce member's offsets arrive through its transaction, without
  // generation or member id: they land although the group is Stable.
  Formed f = FormStableGroupOfTwo();
  ASSERT_EQ(Commit("", -1, {{"orders", PartitionId(0), Offset(5)}}).partitions[0].error,
            ErrorCode::kUnknownMemberId);
  int syncs_before = fs_.syncs.load();
  Status committed = gc_->CommitTransactionalOffsets(
      kGroup, {{"orders", PartitionId(0), Offset(42), 3, "txn"}, {"orders", PartitionId(1), Offset(7)}});
  ASSERT_TRUE(committed.ok()) << committed.ToString();
  EXPECT_GT(fs_.syncs.load(), syncs_before);
  EXPECT_EQ(Committed("orders", 0), 42);
  EXPECT_EQ(Committed("orders", 1), 7);
  EXPECT_EQ(State(), GroupState::kStable);
  Reopen();
  EXPECT_EQ(Committed("orders", 0), 42);
  ASSERT_TRUE(gc_->CommitTransactionalOffsets("fresh", {{"t", PartitionId(0), Offset(1)}}).ok());
  EXPECT_EQ(gc_->DescribeGroup("fresh").state, GroupState::kEmpty);
  gc_->Close();
  EXPECT_EQ(gc_->CommitTransactionalOffsets(kGroup, {{"orders", PartitionId(0), Offset(50)}}).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(gc_->offset_store().Get(kGroup, "orders", PartitionId(0))->offset, Offset(42));
}

TEST_F(GroupCoordinatorTest, OversizedMetadataIsRejectedForThatPartitionOnly) {
  std::string limit(4096, 'm');
  OffsetCommitResult r = Commit("", -1,
                                {{"t", PartitionId(0), Offset(1), 2, limit},
                                 {"t", PartitionId(1), Offset(2), -1, limit + "m"},
                                 {"t", PartitionId(2), Offset(3)}});
  ASSERT_EQ(r.partitions.size(), 3u);
  EXPECT_EQ(r.partitions[0].error, ErrorCode::kNone);
  EXPECT_EQ(r.partitions[1].error, ErrorCode::kOffsetMetadataTooLarge);
  EXPECT_EQ(r.partitions[2].error, ErrorCode::kNone);
  EXPECT_EQ(r.partitions[1].topic, "t");
  EXPECT_EQ(r.partitions[1].partition, PartitionId(1));
  EXPECT_EQ(Committed("t", 0), 1);
  EXPECT_EQ(Committed("t", 1), -1);
  EXPECT_EQ(Committed("t", 2), 3);
}

TEST_F(GroupCoordinatorTest, CommitIsAnsweredOnlyAfterTheOffsetsAreSynced) {
  int syncs_at_answer = -1;
  uint64_t synced_bytes = 0;
  fs_.before_sync = [&](const std::string& path, uint64_t size) {
    if (path.ends_with("offsets.log")) synced_bytes = size;
    return Status::OK();
  };
  const int syncs_before = fs_.syncs.load();
  OffsetCommitParams p;
  p.group_id = kGroup;
  p.partitions = {{"t", PartitionId(0), Offset(1)}};
  gc_->CommitOffsets(p, [&](OffsetCommitResult r) {
    EXPECT_EQ(r.partitions[0].error, ErrorCode::kNone);
    syncs_at_answer = fs_.syncs.load();
  });
  EXPECT_EQ(syncs_at_answer, syncs_before + 1);
  EXPECT_EQ(synced_bytes, gc_->offset_store().file_bytes());
  EXPECT_GT(synced_bytes, 0u);
}

TEST_F(GroupCoordinatorTest, FailedFsyncAnswersTheCommitWithAStorageError) {
  fs_.before_sync = [](const std::string&, uint64_t) { return Status::IOError("disk on fire"); };
  EXPECT_EQ(Commit("", -1, {{"t", PartitionId(0), Offset(1)}}).partitions[0].error,
            ErrorCode::kKafkaStorageError);
  fs_.before_sync = nullptr;
  EXPECT_EQ(Commit("", -1, {{"t", PartitionId(0), Offset(2)}}).partitions[0].error,
            ErrorCode::kKafkaStorageError);
}

TEST_F(GroupCoordinatorTest, CommittedOffsetsSurviveReopeningTheCoordinator) {
  Formed f = FormStableGroupOfTwo();
  ASSERT_EQ(Commit(f.a, f.generation, {{"orders", PartitionId(0), Offset(42), 7, "checkpoint-9"}})
                .partitions[0]
                .error,
            ErrorCode::kNone);
  Reopen();
  OffsetFetchResult all = gc_->FetchOffsets(OffsetFetchParams{kGroup, std::nullopt});
  ASSERT_EQ(all.partitions.size(), 1u);
  EXPECT_EQ(all.partitions[0].topic, "orders");
  EXPECT_EQ(all.partitions[0].offset, Offset(42));
  EXPECT_EQ(all.partitions[0].leader_epoch, 7);
  EXPECT_EQ(all.partitions[0].metadata, "checkpoint-9");
  // Membership is not kept across a restart: the group is there, Empty, and its former
  // members learn to rejoin.
  std::vector<GroupListing> groups = gc_->ListGroups();
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].group_id, kGroup);
  EXPECT_EQ(groups[0].state, GroupState::kEmpty);
  EXPECT_EQ(Heartbeat(f.a, f.generation), ErrorCode::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, FetchOffsetsAnswersMinusOneForNothingCommittedAndAllWhenAsked) {
  ASSERT_EQ(
      Commit("", -1,
             {{"b-topic", PartitionId(1), Offset(11)}, {"a-topic", PartitionId(0), Offset(5)}})
          .partitions[1]
          .error,
      ErrorCode::kNone);
  OffsetFetchParams some;
  some.group_id = kGroup;
  some.partitions =
      std::vector<OffsetKey>{{"b-topic", PartitionId(1)}, {"b-topic", PartitionId(9)}};
  OffsetFetchResult r = gc_->FetchOffsets(some);
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[0].offset, Offset(11));
  EXPECT_EQ(r.partitions[1].offset, Offset(-1));
  EXPECT_EQ(r.partitions[1].leader_epoch, -1);
  EXPECT_EQ(r.partitions[1].error, ErrorCode::kNone);

  OffsetFetchResult all = gc_->FetchOffsets(OffsetFetchParams{kGroup, std::nullopt});
  ASSERT_EQ(all.partitions.size(), 2u);
  EXPECT_EQ(all.partitions[0].topic, "a-topic");
  EXPECT_EQ(all.partitions[1].topic, "b-topic");
  EXPECT_TRUE(gc_->FetchOffsets(OffsetFetchParams{"unknown", std::nullopt}).partitions.empty());
}

TEST_F(GroupCoordinatorTest, ForgetTopicDropsItsCommittedOffsets) {
  ASSERT_EQ(
      Commit("", -1, {{"deleted", PartitionId(0), Offset(1)}, {"kept", PartitionId(0), Offset(2)}})
          .partitions[0]
          .error,
      ErrorCode::kNone);
  ASSERT_EQ(
      Commit("", -1, {{"deleted", PartitionId(3), Offset(4)}}, "other-group").partitions[0].error,
      ErrorCode::kNone);
  ASSERT_TRUE(gc_->ForgetTopic("deleted").ok());
  EXPECT_EQ(Committed("deleted", 0), -1);
  EXPECT_EQ(Committed("kept", 0), 2);
  EXPECT_EQ(Committed("deleted", 3, "other-group"), -1);
  // other-group held nothing else: Poll forgets it.
  gc_->Poll();
  EXPECT_EQ(gc_->DescribeGroup("other-group").state, GroupState::kDead);
  Reopen();
  EXPECT_EQ(Committed("deleted", 0), -1);
  EXPECT_EQ(Committed("kept", 0), 2);
  EXPECT_EQ(gc_->ListGroups().size(), 1u);
}

TEST_F(GroupCoordinatorTest, DeleteGroupsRemovesOnlyEmptyGroupsAndTheirOffsets) {
  ASSERT_EQ(Commit("", -1, {{"t", PartitionId(0), Offset(1)}}, "idle").partitions[0].error,
            ErrorCode::kNone);
  auto [a, a_join] = JoinNew("a");
  std::vector<DeletedGroup> deleted = gc_->DeleteGroups({"idle", kGroup, "never-seen"});
  ASSERT_EQ(deleted.size(), 3u);
  EXPECT_EQ(deleted[0].error, ErrorCode::kNone);
  EXPECT_EQ(deleted[1].error, ErrorCode::kNonEmptyGroup);
  EXPECT_EQ(deleted[2].error, ErrorCode::kGroupIdNotFound);
  EXPECT_EQ(Committed("t", 0, "idle"), -1);
  Reopen();
  EXPECT_EQ(Committed("t", 0, "idle"), -1);
  EXPECT_EQ(gc_->DescribeGroup("idle").state, GroupState::kDead);
}

// ---------------------------------------------------------------------------------------
// Describe, list, close

TEST_F(GroupCoordinatorTest, DescribeGroupShowsMembersAndAssignmentsOnceStable) {
  options_.initial_rebalance_delay_ms = 1'000;
  Reopen();
  auto [a, a_join] = JoinNew("a");
  auto [b, b_join] = JoinNew("b");
  AdvanceAndPoll(5'000);
  GroupDescription completing = gc_->DescribeGroup(kGroup);
  EXPECT_EQ(completing.state, GroupState::kCompletingRebalance);
  EXPECT_EQ(completing.protocol_name, "");
  ASSERT_EQ(completing.members.size(), 2u);
  EXPECT_TRUE(completing.members[0].metadata.empty());

  PendingSync b_sync = Sync(b, 1);
  ASSERT_TRUE(Sync(a, 1, {{a, Bytes("pa")}, {b, Bytes("pb")}}).done());
  GroupDescription d = gc_->DescribeGroup(kGroup);
  EXPECT_EQ(d.error, ErrorCode::kNone);
  EXPECT_EQ(d.group_id, kGroup);
  EXPECT_EQ(d.state, GroupState::kStable);
  EXPECT_EQ(GroupStateName(d.state), "Stable");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol_name, "range");
  EXPECT_EQ(d.generation_id, 1);
  EXPECT_EQ(d.leader_id, a);
  ASSERT_EQ(d.members.size(), 2u);
  EXPECT_EQ(d.members[0].member_id, a);
  EXPECT_EQ(d.members[0].client_id, "a");
  EXPECT_EQ(d.members[0].client_host, "/10.0.0.1");
  EXPECT_EQ(d.members[0].metadata, Bytes("subscription of a"));
  EXPECT_EQ(d.members[1].assignment, Bytes("pb"));

  GroupDescription unknown = gc_->DescribeGroup("nope");
  EXPECT_EQ(unknown.state, GroupState::kDead);
  EXPECT_TRUE(unknown.members.empty());

  std::vector<GroupListing> listed = gc_->ListGroups();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].protocol_type, "consumer");
  EXPECT_EQ(listed[0].state, GroupState::kStable);
}

TEST_F(GroupCoordinatorTest, CloseAnswersWaitingRequestsAndRefusesNewOnes) {
  Formed f = FormStableGroupOfTwo();
  PendingJoin a_join = Join(Params("a", f.a));
  ASSERT_FALSE(a_join.done());
  gc_->Close();
  ASSERT_TRUE(a_join.done());
  EXPECT_EQ(a_join->error, ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(Heartbeat(f.b, f.generation), ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(Join(Params("c"))->error, ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(Commit("", -1, {{"t", PartitionId(0), Offset(1)}}).partitions[0].error,
            ErrorCode::kCoordinatorNotAvailable);
}

TEST_F(GroupCoordinatorTest, EveryWaitingCallbackIsAnsweredExactlyOnce) {
  Formed f = FormStableGroupOfTwo();
  // A retried join replaces the waiting one, which is released.
  PendingJoin first = Join(Params("a", f.a));
  PendingJoin retry = Join(Params("a", f.a));
  ASSERT_TRUE(first.done());
  EXPECT_EQ(first->error, ErrorCode::kRebalanceInProgress);
  PendingJoin b_join = Join(Params("b", f.b));
  ASSERT_TRUE(retry.done() && b_join.done());
  EXPECT_EQ(first.calls(), 1);
  EXPECT_EQ(retry.calls(), 1);
  EXPECT_EQ(b_join.calls(), 1);
  EXPECT_EQ(retry->error, ErrorCode::kNone);
}

TEST_F(GroupCoordinatorTest, CallbacksMayCallBackIntoTheCoordinator) {
  // The broker may answer (or a test may continue) from inside a callback: the
  // coordinator's lock must not be held there.
  std::optional<SyncGroupResult> synced;
  std::optional<ErrorCode> beat;
  JoinGroupParams p = Params("a");
  p.api_version = 3;
  gc_->JoinGroup(p, [&](JoinGroupResult joined) {
    ASSERT_EQ(joined.error, ErrorCode::kNone);
    beat = Heartbeat(joined.member_id, joined.generation_id);
    SyncGroupParams sync;
    sync.group_id = kGroup;
    sync.generation_id = joined.generation_id;
    sync.member_id = joined.member_id;
    sync.assignments = {{joined.member_id, Bytes("mine")}};
    gc_->SyncGroup(sync, [&](SyncGroupResult r) { synced = std::move(r); });
  });
  ASSERT_TRUE(synced.has_value());
  EXPECT_EQ(beat, ErrorCode::kNone);
  EXPECT_EQ(synced->assignment, Bytes("mine"));
}

TEST_F(GroupCoordinatorTest, ConcurrentCommitsFromManyThreadsAllLand) {
  constexpr int kThreads = 4;
  constexpr int kCommits = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 1; i <= kCommits; ++i) {
        OffsetCommitParams p;
        p.group_id = kGroup;
        p.partitions = {{"t", PartitionId(t), Offset(i)}};
        gc_->CommitOffsets(std::move(p), [](OffsetCommitResult r) {
          EXPECT_EQ(r.partitions[0].error, ErrorCode::kNone);
        });
        gc_->FetchOffsets(OffsetFetchParams{kGroup, std::nullopt});
        gc_->Poll();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(Committed("t", t), kCommits);
  Reopen();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(Committed("t", t), kCommits);
}

}  // namespace
}  // namespace eddy::kafka
