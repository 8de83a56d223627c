#include "src/log/transaction_marker.h"

#include "src/log/record_batch.h"
#include "src/log/record_batch_builder.h"

namespace eddy::log {

Result<std::vector<uint8_t>> EncodeTransactionMarker(ProducerId producer, ProducerEpoch epoch,
                                                     TransactionResult result,
                                                     int32_t coordinator_epoch,
                                                     int64_t timestamp_ms) {
  BatchOptions options;
  options.producer_id = producer.value();
  options.producer_epoch = epoch.value();
  options.base_sequence = kNoSequence;
  options.transactional = true;
  options.control = true;
  RecordBatchBuilder builder(options);
  uint8_t key[4];
  StoreI16(key, kControlRecordVersion);
  StoreI16(key + 2, static_cast<int16_t>(result));
  uint8_t value[6];
  StoreI16(value, kTransactionMarkerValueVersion);
  StoreI32(value + 2, coordinator_epoch);
  builder.Add(timestamp_ms, ByteSpan(key, sizeof(key)), ByteSpan(value, sizeof(value)));
  return builder.Build();
}

Result<std::optional<TransactionResult>> ParseTransactionMarker(ByteSpan control_batch) {
  RecordReader reader;
  RETURN_IF_ERROR(reader.Reset(control_batch));
  if (!reader.header().is_control()) {
    return Status::InvalidArgument("not a control batch (attributes " +
                                   std::to_string(reader.header().attributes) + ")");
  }
  Record record;
  if (!reader.Next(&record)) {
    if (!reader.status().ok()) return reader.status();
    return Status::Corruption("control batch at offset " +
                              std::to_string(reader.header().base_offset) + " has no record");
  }
  if (!record.key || record.key->size() < 4) {
    return Status::Corruption("control record at offset " + std::to_string(record.offset) +
                              " has a key of fewer than 4 bytes");
  }
  const int16_t type = LoadI16(record.key->data() + 2);
  if (type == static_cast<int16_t>(TransactionResult::kAbort)) {
    return std::optional<TransactionResult>(TransactionResult::kAbort);
  }
  if (type == static_cast<int16_t>(TransactionResult::kCommit)) {
    return std::optional<TransactionResult>(TransactionResult::kCommit);
  }
  return std::optional<TransactionResult>();
}

}  // namespace eddy::log
