#pragma once
// What the transaction coordinator knows about one transactional id: the producer id and
// epoch it hands out, where the current transaction stands, and what it touched. This is
// exactly what DIR/transactions/state.log keeps (transaction_log_format.h), so a restart
// finds every transaction where it left it.

#include <compare>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace eddy::kafka {

/// Kafka's transaction states. A transaction goes Empty -> Ongoing (first partition or
/// group added) -> PrepareCommit / PrepareAbort (EndTxn, a timeout, a fencing
/// InitProducerId; durable before any marker is written) -> CompleteCommit /
/// CompleteAbort (every marker durable, offsets committed) -> Ongoing again with the next
/// transaction. The numbers are the on-disk values.
enum class TxnState : uint8_t {
  kEmpty = 0,
  kOngoing = 1,
  kPrepareCommit = 2,
  kPrepareAbort = 3,
  kCompleteCommit = 4,
  kCompleteAbort = 5,
};

/// Kafka's names ("Ongoing", "PrepareCommit", ...), for log lines.
std::string_view TxnStateName(TxnState state);

/// A partition in a transaction.
struct TxnPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TxnPartition&) const = default;
};

/// Where a consumer group's offset for a partition goes when the transaction commits.
struct TxnOffsetKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TxnOffsetKey&) const = default;
};

struct TxnOffset {
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::string metadata;
  bool operator==(const TxnOffset&) const = default;
};

struct TransactionMetadata {
  std::string transactional_id;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  /// The id and epoch before the last bump: a producer retrying the InitProducerId that
  /// bumped them (KIP-360) names these and gets the current ones back.
  int64_t last_producer_id = -1;
  int16_t last_producer_epoch = -1;
  /// transaction.timeout.ms of the producer: an Ongoing transaction older than this is
  /// aborted by the coordinator.
  int32_t timeout_ms = 60'000;
  TxnState state = TxnState::kEmpty;
  /// Wall-clock ms when the current transaction began (-1 when none has).
  int64_t start_ms = -1;
  /// Wall-clock ms of the last change (transactional.id.expiration.ms counts from it).
  int64_t update_ms = 0;
  /// What the current transaction touched; empty outside Ongoing and Prepare*.
  std::set<TxnPartition> partitions;
  std::set<std::string> groups;
  /// Offsets to commit for groups when the transaction commits (TxnOffsetCommit).
  std::map<TxnOffsetKey, TxnOffset> offsets;

  bool operator==(const TransactionMetadata&) const = default;
};

}  // namespace eddy::kafka
