#include "src/kafka/txn/transaction_log_format.h"

#include <limits>

#include "src/base/crc32c.h"

namespace eddy::kafka {
namespace {

Status WriteStr16(ByteWriter& out, const std::string& s, const char* field) {
  if (s.size() > std::numeric_limits<uint16_t>::max()) {
    return Status::InvalidArgument(std::string(field) + " of " + std::to_string(s.size()) +
                                   " bytes is too long for the transaction state file");
  }
  out.WriteI16(static_cast<int16_t>(static_cast<uint16_t>(s.size())));
  out.WriteBytes(s);
  return Status::OK();
}

void WriteStr32(ByteWriter& out, const std::string& s) {
  out.WriteU32(static_cast<uint32_t>(s.size()));
  out.WriteBytes(s);
}

std::string ReadStr16(ByteReader& in) {
  uint16_t len = in.ReadU16();
  return std::string(AsStringView(in.ReadBytes(len)));
}

std::string ReadStr32(ByteReader& in) {
  uint32_t len = in.ReadU32();
  return std::string(AsStringView(in.ReadBytes(len)));
}

/// Reads a count, refusing one that the bytes left cannot hold at "min_bytes" each (so
/// a damaged count never makes the reader loop or allocate for nothing).
uint32_t ReadCount(ByteReader& in, size_t min_bytes) {
  uint32_t count = in.ReadU32();
  if (in.ok() && count > in.remaining() / min_bytes) {
    (void)in.ReadBytes(in.remaining() + 1);  // fails the reader
    return 0;
  }
  return count;
}

}  // namespace

std::string_view TxnStateName(TxnState state) {
  switch (state) {
    case TxnState::kEmpty:
      return "Empty";
    case TxnState::kOngoing:
      return "Ongoing";
    case TxnState::kPrepareCommit:
      return "PrepareCommit";
    case TxnState::kPrepareAbort:
      return "PrepareAbort";
    case TxnState::kCompleteCommit:
      return "CompleteCommit";
    case TxnState::kCompleteAbort:
      return "CompleteAbort";
  }
  return "Unknown";
}

Status EncodeTxnRecord(const TxnRecord& record, ByteWriter& out) {
  const TransactionMetadata& m = record.metadata;
  ByteWriter payload;
  payload.WriteU8(static_cast<uint8_t>(record.type));
  RETURN_IF_ERROR(WriteStr16(payload, m.transactional_id, "transactional id"));
  if (record.type == TxnRecordType::kState) {
    payload.WriteI64(m.producer_id);
    payload.WriteI16(m.producer_epoch);
    payload.WriteI64(m.last_producer_id);
    payload.WriteI16(m.last_producer_epoch);
    payload.WriteI32(m.timeout_ms);
    payload.WriteU8(static_cast<uint8_t>(m.state));
    payload.WriteI64(m.start_ms);
    payload.WriteI64(m.update_ms);
    payload.WriteU32(static_cast<uint32_t>(m.partitions.size()));
    for (const TxnPartition& p : m.partitions) {
      RETURN_IF_ERROR(WriteStr16(payload, p.topic, "topic name"));
      payload.WriteI32(p.partition);
    }
    payload.WriteU32(static_cast<uint32_t>(m.groups.size()));
    for (const std::string& g : m.groups) RETURN_IF_ERROR(WriteStr16(payload, g, "group id"));
    payload.WriteU32(static_cast<uint32_t>(m.offsets.size()));
    for (const auto& [key, value] : m.offsets) {
      RETURN_IF_ERROR(WriteStr16(payload, key.group, "group id"));
      RETURN_IF_ERROR(WriteStr16(payload, key.topic, "topic name"));
      payload.WriteI32(key.partition);
      payload.WriteI64(value.offset);
      payload.WriteI32(value.leader_epoch);
      WriteStr32(payload, value.metadata);
    }
  }
  out.WriteU32(static_cast<uint32_t>(payload.size()));
  out.WriteU32(Crc32c(payload.buffer()));
  out.WriteBytes(payload.buffer());
  return Status::OK();
}

Result<TxnRecord> DecodeTxnRecord(ByteSpan payload) {
  ByteReader in(payload);
  TxnRecord record;
  TransactionMetadata& m = record.metadata;
  const uint8_t type = in.ReadU8();
  if (type != static_cast<uint8_t>(TxnRecordType::kState) &&
      type != static_cast<uint8_t>(TxnRecordType::kForget)) {
    return Status::Corruption("transaction state record of unknown type " + std::to_string(type));
  }
  record.type = static_cast<TxnRecordType>(type);
  m.transactional_id = ReadStr16(in);
  if (record.type == TxnRecordType::kState) {
    m.producer_id = in.ReadI64();
    m.producer_epoch = in.ReadI16();
    m.last_producer_id = in.ReadI64();
    m.last_producer_epoch = in.ReadI16();
    m.timeout_ms = in.ReadI32();
    const uint8_t state = in.ReadU8();
    if (in.ok() && state > static_cast<uint8_t>(TxnState::kCompleteAbort)) {
      return Status::Corruption("transaction state record of '" + m.transactional_id +
                                "' has unknown state " + std::to_string(state));
    }
    m.state = static_cast<TxnState>(state);
    m.start_ms = in.ReadI64();
    m.update_ms = in.ReadI64();
    for (uint32_t i = 0, n = ReadCount(in, 6); i < n && in.ok(); ++i) {
      TxnPartition p;
      p.topic = ReadStr16(in);
      p.partition = in.ReadI32();
      m.partitions.insert(std::move(p));
    }
    for (uint32_t i = 0, n = ReadCount(in, 2); i < n && in.ok(); ++i) {
      m.groups.insert(ReadStr16(in));
    }
    for (uint32_t i = 0, n = ReadCount(in, 24); i < n && in.ok(); ++i) {
      TxnOffsetKey key;
      key.group = ReadStr16(in);
      key.topic = ReadStr16(in);
      key.partition = in.ReadI32();
      TxnOffset value;
      value.offset = in.ReadI64();
      value.leader_epoch = in.ReadI32();
      value.metadata = ReadStr32(in);
      m.offsets.emplace(std::move(key), std::move(value));
    }
  }
  if (!in.ok()) return Status::Corruption("transaction state record: " + in.status().message());
  if (!in.empty()) return Status::Corruption("transaction state record: trailing bytes");
  return record;
}

}  // namespace eddy::kafka
