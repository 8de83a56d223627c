#pragma once
// What a partition remembers about each idempotent producer (producer_id >= 0): its
// epoch and its last few batches, so that a retried batch is recognised (and answered
// with the offsets it got the first time) and a gap in sequence numbers is refused;
// and, for transactional producers, where their open transaction began. The rules are
// Kafka's.

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/log/log_format.h"
#include "src/log/record_batch.h"

namespace eddy::log {

/// One batch an idempotent producer wrote: its sequence numbers and the offsets it got.
struct ProducerBatch {
  int32_t first_sequence = 0;
  int32_t last_sequence = 0;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  bool operator==(const ProducerBatch&) const = default;
};

struct ProducerEntry {
  int16_t epoch = kNoProducerEpoch;
  /// Last offset of the producer's latest batch (control batches included).
  int64_t last_offset = -1;
  /// First offset of the producer's open transaction here: its first transactional
  /// batch since the last marker; -1 when none is open.
  int64_t txn_first_offset = -1;
  /// The latest batches, oldest first; batches[0, count) are valid.
  std::array<ProducerBatch, kProducerBatchesKept> batches{};
  uint8_t count = 0;

  /// Sequence number of the latest batch's last record, or kNoSequence.
  int32_t last_sequence() const {
    return count == 0 ? kNoSequence : batches[count - 1].last_sequence;
  }
};

/// The producer states of one partition. Not thread-safe: the partition calls it under
/// its append lock. Memory: one entry per producer id seen, dropped when retention
/// deletes the producer's last batch.
class ProducerStateTable {
 public:
  /// Decides about an incoming batch of an idempotent producer before it is written:
  /// nullopt to append it, the original batch when it repeats one of the latest five
  /// (a retry: append nothing), or an error with a LogError detail:
  /// kInvalidProducerEpoch for an epoch older than the producer's, kOutOfOrderSequence
  /// for a gap, for a new epoch not starting at 0 and for an unknown producer id not
  /// starting at 0. Control batches skip the sequence rules.
  Result<std::optional<ProducerBatch>> Check(const BatchHeader& header) const;

  /// Records a batch that was written ("header" carries its assigned base offset). Also
  /// used to rebuild the table from the batches on disk, without Check. A transactional
  /// batch opens the producer's transaction if none is open; a control batch (a
  /// transaction marker) closes it.
  void Apply(const BatchHeader& header);

  /// Forgets producers whose latest batch lies below "log_start_offset".
  void RemoveBefore(int64_t log_start_offset);

  const ProducerEntry* Find(int64_t producer_id) const;
  size_t size() const { return producers_.size(); }

  /// The first offset of the earliest open transaction, if any.
  std::optional<int64_t> FirstOpenTransactionOffset() const {
    if (open_transactions_.empty()) return std::nullopt;
    return open_transactions_.begin()->first;
  }
  /// (first offset, producer id) of every open transaction, by first offset.
  const std::set<std::pair<int64_t, int64_t>>& open_transactions() const {
    return open_transactions_;
  }

  /// The snapshot file's bytes (log_format.h).
  std::vector<uint8_t> Serialize() const;
  /// Reads a snapshot (either version); Corruption naming "path" if it is damaged.
  static Result<ProducerStateTable> Parse(ByteSpan bytes, const std::string& path);

 private:
  std::unordered_map<int64_t, ProducerEntry> producers_;
  /// (txn_first_offset, producer id) of every entry with an open transaction.
  std::set<std::pair<int64_t, int64_t>> open_transactions_;
};

}  // namespace eddy::log
