#pragma once
// The byte layout of a memory state backend snapshot: one file, `state.snapshot`, in the
// snapshot directory. Defined once here for the writer and the reader
// (memory_state_backend.cc). Integers are big-endian; "uvarint" is the unsigned LEB128
// varint of src/base/bytes.h.
//
//   header   magic        8 bytes  "EDDYMSTS"
//            version      u32      kMemorySnapshotVersion
//            body_bytes   u64      bytes between the header and the trailer
//   body     one section per table, tables in name order:
//              name_length uvarint, name bytes, entry_count u64,
//              then entry_count entries ordered by (key group, key):
//                key_group u16, key_length uvarint, key, value_length uvarint, value
//   trailer  entries      u64      entries in the whole body
//            crc          u32      CRC-32C of every byte before it (header, body, entries)
//
// A reader checks, in order: the file is at least header + trailer long, the magic, the
// version, that header + body_bytes + trailer is the file's size (so a truncated or
// extended file is named as such), the CRC, and then that the body parses exactly into
// body_bytes with the trailer's entry count and every key group below kKeyGroups.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace eddy::state {

inline constexpr std::string_view kMemorySnapshotFileName = "state.snapshot";
inline constexpr std::string_view kMemorySnapshotMagic = "EDDYMSTS";
inline constexpr uint32_t kMemorySnapshotVersion = 1;
inline constexpr size_t kMemorySnapshotHeaderBytes = 8 + 4 + 8;
inline constexpr size_t kMemorySnapshotTrailerBytes = 8 + 4;

}  // namespace eddy::state
