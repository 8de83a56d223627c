#pragma once
// Transaction markers: the control batches that end a producer's transaction in a
// partition. Layout as Kafka writes them (EndTransactionMarker): a batch with the
// transactional and control attributes set, the producer's id and epoch, base sequence
// -1, and one record whose
//   key   = version int16 (0) + type int16 (0 ABORT, 1 COMMIT)
//   value = version int16 (0) + coordinator_epoch int32
// Readers recognise a marker by the control attribute and read the type from the key;
// control records of other types (Kafka has leader-change records) are not markers.

#include <cstdint>
#include <optional>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/log/log.h"

namespace eddy::log {

inline constexpr int16_t kControlRecordVersion = 0;
inline constexpr int16_t kTransactionMarkerValueVersion = 0;

/// The control batch of a marker, base offset 0 (the log sets it), stamped "timestamp_ms".
Result<std::vector<uint8_t>> EncodeTransactionMarker(ProducerId producer, ProducerEpoch epoch,
                                                     TransactionResult result,
                                                     int32_t coordinator_epoch,
                                                     int64_t timestamp_ms);

/// What the marker in "control_batch" (a whole control batch) says; nullopt for a control
/// record of another type. Corruption if the batch or its key cannot be read.
Result<std::optional<TransactionResult>> ParseTransactionMarker(ByteSpan control_batch);

}  // namespace eddy::log
