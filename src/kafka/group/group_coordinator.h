#pragma once
// Kafka's classic consumer group coordinator (the eager JoinGroup/SyncGroup protocol)
// and the committed offsets of every group, so that librdkafka, kafka-python and Java
// consumers form groups against eddy unchanged.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "src/base/clock.h"
#include "src/base/file_system.h"
#include "src/base/status.h"
#include "src/kafka/group/group.h"
#include "src/kafka/group/group_requests.h"
#include "src/kafka/group/offset_store.h"

namespace eddy::kafka {

/// Settings; names follow Kafka's broker configs.
struct GroupCoordinatorOptions {
  /// The data directory; committed offsets live in DIR/groups/offsets.log.
  std::string data_dir = "./data";
  FileSystem* fs = FileSystem::Default();
  Clock* clock = SystemClock::Default();
  /// group.min.session.timeout.ms / group.max.session.timeout.ms: a JoinGroup asking
  /// for a session timeout outside this range gets INVALID_SESSION_TIMEOUT.
  int32_t min_session_timeout_ms = 6'000;
  int32_t max_session_timeout_ms = 1'800'000;
  /// group.initial.rebalance.delay.ms: how long the first rebalance of an empty group
  /// waits for more members (extended while members keep arriving, up to the rebalance
  /// timeout). Kafka ships 3000; eddy defaults to 0 so that a lone consumer starts at once.
  int32_t initial_rebalance_delay_ms = 0;
  /// offset.metadata.max.bytes: longer commit metadata gets OFFSET_METADATA_TOO_LARGE.
  int32_t max_offset_metadata_bytes = 4096;
  /// Compaction of the offsets file (see OffsetStoreOptions).
  uint64_t offsets_compact_min_bytes = 1024 * 1024;
};

/// Coordinates every consumer group of the broker and keeps their committed offsets.
///
/// Groups move through Empty -> PreparingRebalance -> CompletingRebalance -> Stable as
/// Kafka's classic coordinator moves them: a new member, a member with new metadata, or
/// a member that leaves or goes silent starts a rebalance; the group waits until every
/// member has rejoined (or the largest rebalance timeout passes, and the missing are
/// dropped), starts the next generation with a protocol chosen by vote, hands the leader
/// every member's metadata, and passes the leader's assignment to every member at
/// SyncGroup. Group membership is kept in memory only: after a restart groups hold just
/// their committed offsets, and members rejoin (their next heartbeat gets
/// UNKNOWN_MEMBER_ID).
///
/// Thread-safe: one mutex guards every group. It owns no thread: requests arrive from
/// the broker's threads, and the broker calls Poll() about every 100 ms to expire
/// sessions and end rebalances whose timeouts passed. Callbacks ("done") are invoked
/// without the lock held, exactly once each, from the thread of the call that completes
/// them: the caller's own, another member's request, or Poll(). They may call back in.
///
/// Durability: CommitOffsets, DeleteGroups and ForgetTopic answer only once their
/// records are fsynced; the calling thread does the fsync (sharing it with commits that
/// arrive meanwhile), so these calls may block for one fsync.
class GroupCoordinator {
 public:
  /// Opens (and replays) the offsets file; every group found there exists, Empty.
  static Result<std::unique_ptr<GroupCoordinator>> Open(const GroupCoordinatorOptions& options);
  /// Drops waiting callbacks without calling them: call Close() first to answer them.
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  /// JoinGroup. "done" is called when the member is admitted to a generation (often
  /// later, when the rebalance completes) or refused.
  void JoinGroup(JoinGroupParams params, JoinGroupCallback done);
  /// SyncGroup. A follower's "done" waits for the leader's assignment.
  void SyncGroup(SyncGroupParams params, SyncGroupCallback done);
  /// Heartbeat: refreshes the member's session; REBALANCE_IN_PROGRESS tells it to rejoin.
  ErrorCode Heartbeat(const HeartbeatParams& params);
  /// LeaveGroup: the members leave and a rebalance starts at once.
  LeaveGroupResult LeaveGroup(const LeaveGroupParams& params);

  /// OffsetCommit. "done" is called once the accepted offsets are durable.
  void CommitOffsets(OffsetCommitParams params, OffsetCommitCallback done);
  /// OffsetFetch.
  OffsetFetchResult FetchOffsets(const OffsetFetchParams& params) const;

  /// The offsets a committed transaction carried (TxnOffsetCommit): stored like
  /// CommitOffsets, but without membership checks (the transaction coordinator checked
  /// the producer when it accepted them). Returns once they are durable; the group is
  /// created if needed. Unavailable once closed.
  Status CommitTransactionalOffsets(const std::string& group_id,
                                    const std::vector<OffsetCommitEntry>& offsets);
  /// offset.metadata.max.bytes, which transactional commits are held to as well.
  int32_t max_offset_metadata_bytes() const { return options_.max_offset_metadata_bytes; }

  /// ListGroups: every group, sorted by id.
  std::vector<GroupListing> ListGroups() const;
  /// DescribeGroups for one group.
  GroupDescription DescribeGroup(const std::string& group_id) const;
  /// DeleteGroups: deletes Empty groups and their committed offsets (durably).
  std::vector<DeletedGroup> DeleteGroups(const std::vector<std::string>& group_ids);
  /// Drops every group's committed offsets of a deleted topic (durably).
  Status ForgetTopic(const std::string& topic);

  /// Expires silent members and unclaimed member ids, ends rebalances whose time is up,
  /// forgets empty groups without offsets, and compacts the offsets file when due.
  void Poll();

  /// Answers every waiting JoinGroup and SyncGroup with COORDINATOR_NOT_AVAILABLE; every
  /// later request gets the same. Call before the broker that owns the callbacks goes.
  void Close();

  /// The offsets store (for tools and tests).
  OffsetStore& offset_store() { return *store_; }

 private:
  using Completions = std::vector<std::function<void()>>;

  GroupCoordinator(const GroupCoordinatorOptions& options, std::unique_ptr<OffsetStore> store);

  static void Run(Completions& completions);
  static void AnswerJoin(JoinGroupCallback done, JoinGroupResult result, Completions& out);
  static void AnswerSync(SyncGroupCallback done, SyncGroupResult result, Completions& out);
  static JoinGroupResult JoinError(ErrorCode error, std::string member_id);

  int64_t NowMs() const { return clock_->MonotonicMs(); }
  std::string NewMemberId(const std::string& prefix);
  Group* FindGroup(const std::string& group_id);
  const Group* FindGroup(const std::string& group_id) const;
  Group& GetOrCreateGroup(const std::string& group_id);

  // JoinGroup flows (Kafka's doNewMemberJoinGroup, doCurrentMemberJoinGroup, ...).
  void JoinLocked(JoinGroupParams& params, JoinGroupCallback& done, Completions& out);
  void NewMemberJoin(Group& group, JoinGroupParams& params, JoinGroupCallback& done,
                     Completions& out);
  void CurrentMemberJoin(Group& group, JoinGroupParams& params, JoinGroupCallback& done,
                         Completions& out);
  void AddMemberAndRebalance(Group& group, const std::string& member_id, JoinGroupParams& params,
                             JoinGroupCallback& done, Completions& out);
  void UpdateMemberAndRebalance(Group& group, Member& member, JoinGroupParams& params,
                                JoinGroupCallback& done, Completions& out);
  void UpdateStaticMemberAndRebalance(Group& group, const std::string& old_member_id,
                                      const std::string& new_member_id, JoinGroupParams& params,
                                      JoinGroupCallback& done, Completions& out);
  /// Updates a member from a JoinGroup and makes it wait for the rebalance.
  void UpdateMember(Group& group, Member& member, JoinGroupParams& params, JoinGroupCallback done,
                    Completions& out);
  /// The answer for a member joining into the current generation without a rebalance.
  JoinGroupResult CurrentGenerationResult(const Group& group, const Member& member) const;

  void SyncLocked(SyncGroupParams& params, SyncGroupCallback& done, Completions& out);
  ErrorCode LeaveOne(Group& group, const LeavingMember& leaving, Completions& out);
  ErrorCode ValidateCommitLocked(const OffsetCommitParams& params);

  // Rebalance machinery.
  void MaybePrepareRebalance(Group& group, const std::string& reason, Completions& out);
  void PrepareRebalance(Group& group, const std::string& reason, Completions& out);
  void MaybeCompleteJoin(Group& group, Completions& out);
  void CompleteJoin(Group& group, Completions& out);
  /// Removes a member, answers its waiting requests, and rebalances what remains.
  void RemoveMemberAndUpdateGroup(Group& group, const std::string& member_id,
                                  const std::string& reason, Completions& out);
  /// UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID if the caller is not the member it claims.
  std::optional<ErrorCode> ValidateCurrentMember(
      const Group& group, const std::string& member_id,
      const std::optional<std::string>& instance_id) const;

  const GroupCoordinatorOptions options_;
  Clock* const clock_;
  const std::unique_ptr<OffsetStore> store_;

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Group>> groups_;  // guarded by mutex_
  std::mt19937_64 random_;                                // guarded by mutex_
  std::atomic<bool> closed_{false};
  /// Poll does not try compaction again before this (monotonic ms) after a failure.
  std::atomic<int64_t> next_compaction_ms_{0};
};

}  // namespace eddy::kafka
