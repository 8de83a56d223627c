#pragma once
// The byte layout of DIR/groups/offsets.log, the durable store of committed offsets,
// defined once for its writer and its reader (README.md describes it too).
//
// The file is a sequence of records and nothing else; a record is never changed once
// written. Replaying every record in order rebuilds the committed offsets. All integers
// are big-endian.
//
//   record    := length:u32 | crc:u32 | payload[length]
//                length = bytes of payload; crc = CRC-32C of payload
//   payload   := type:u8 | body
//   str16     := len:u16 | bytes[len]      (group ids and topic names; Kafka caps both
//                                           below 32768 bytes)
//   str32     := len:u32 | bytes[len]      (commit metadata)
//
//   type 1, commit:       group:str16 topic:str16 partition:i32 offset:i64
//                         leader_epoch:i32 metadata:str32 commit_time_ms:i64
//                         (the group's committed offset for the partition is now this)
//   type 2, forget topic: topic:str16
//                         (the topic was deleted: drop every group's offsets of it)
//   type 3, forget group: group:str16
//                         (the group was deleted: drop all its offsets)
//
// A record whose bytes run past the end of the file, or whose CRC does not match, ends
// the valid part of the file: it is the tail of a write cut short by a crash, and
// recovery truncates the file there. A record with a good CRC that does not decode (an
// unknown type, say) was written by something else and stops recovery with an error.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "src/base/bytes.h"
#include "src/base/status.h"

namespace eddy::kafka {

inline constexpr size_t kOffsetRecordLengthPos = 0;
inline constexpr size_t kOffsetRecordCrcPos = 4;
inline constexpr size_t kOffsetRecordPayloadPos = 8;
/// length + crc.
inline constexpr size_t kOffsetRecordHeaderSize = 8;

inline constexpr char kOffsetsDirName[] = "groups";
inline constexpr char kOffsetsFileName[] = "offsets.log";
/// Where compaction writes the live entries before renaming over offsets.log.
inline constexpr char kOffsetsTempFileName[] = "offsets.log.tmp";

enum class OffsetRecordType : uint8_t {
  kCommit = 1,
  kForgetTopic = 2,
  kForgetGroup = 3,
};

/// One decoded record. Fields a type does not carry are left empty.
struct OffsetRecord {
  OffsetRecordType type = OffsetRecordType::kCommit;
  std::string group;  // kCommit, kForgetGroup
  std::string topic;  // kCommit, kForgetTopic
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_time_ms = 0;

  bool operator==(const OffsetRecord&) const = default;
};

/// Appends the whole record (header and payload) to "out". Group ids and topic names
/// longer than 65535 bytes are refused (Kafka's own limit is 32767).
Status EncodeOffsetRecord(const OffsetRecord& record, ByteWriter& out);

/// Decodes a payload (the bytes after the header, CRC already checked).
Result<OffsetRecord> DecodeOffsetRecord(ByteSpan payload);

}  // namespace eddy::kafka
