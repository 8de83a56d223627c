#pragma once
// The byte layout of DIR/transactions/state.log, the durable state of the transaction
// coordinator, defined once for its writer and its reader (README.md describes it too).
//
// The file is a sequence of records and nothing else; replaying them in order rebuilds
// the state of every transactional id: the last record of an id is its state. Integers
// are big-endian; the record framing is that of DIR/groups/offsets.log.
//
//   record    := length:u32 | crc:u32 | payload[length]   crc = CRC-32C of payload
//   payload   := type:u8 | body
//   str16     := len:u16 | bytes[len]       str32 := len:u32 | bytes[len]
//
//   type 1, state:  id:str16 producer_id:i64 producer_epoch:i16 last_producer_id:i64
//                   last_producer_epoch:i16 timeout_ms:i32 state:u8 start_ms:i64
//                   update_ms:i64
//                   partition_count:u32 { topic:str16 partition:i32 }
//                   group_count:u32 { group:str16 }
//                   offset_count:u32 { group:str16 topic:str16 partition:i32 offset:i64
//                                      leader_epoch:i32 metadata:str32 }
//   type 2, forget: id:str16   (the id expired: it is as if it never existed)
//
// A record cut short, a zero length or a CRC mismatch ends the valid part (a write a
// crash cut short): recovery truncates there. A record with a good CRC that does not
// decode stops recovery with Corruption.

#include <cstddef>
#include <cstdint>
#include <string>

#include "src/base/bytes.h"
#include "src/base/status.h"
#include "src/kafka/txn/transaction_metadata.h"

namespace eddy::kafka {

inline constexpr char kTransactionsDirName[] = "transactions";
inline constexpr char kTransactionsFileName[] = "state.log";
/// Where compaction writes the live states before renaming over state.log.
inline constexpr char kTransactionsTempFileName[] = "state.log.tmp";

inline constexpr size_t kTxnRecordHeaderSize = 8;  // length + crc

enum class TxnRecordType : uint8_t {
  kState = 1,
  kForget = 2,
};

/// One decoded record: a state (type kState) or the id to forget (kForget, only
/// metadata.transactional_id set).
struct TxnRecord {
  TxnRecordType type = TxnRecordType::kState;
  TransactionMetadata metadata;
  bool operator==(const TxnRecord&) const = default;
};

/// Appends the whole record (header and payload) to "out". Names longer than 65535
/// bytes are refused (Kafka's own limit is 32767).
Status EncodeTxnRecord(const TxnRecord& record, ByteWriter& out);

/// Decodes a payload (the bytes after the header, CRC already checked).
Result<TxnRecord> DecodeTxnRecord(ByteSpan payload);

}  // namespace eddy::kafka
