#include "src/kafka/group/offsets_format.h"

#include <limits>

#include "src/base/crc32c.h"

namespace eddy::kafka {
namespace {

Status WriteStr16(ByteWriter& out, const std::string& s, const char* field) {
  if (s.size() > std::numeric_limits<uint16_t>::max()) {
    return Status::InvalidArgument(std::string(field) + " of " + std::to_string(s.size()) +
                                   " bytes is too long for the offsets file");
  }
  out.WriteI16(static_cast<int16_t>(static_cast<uint16_t>(s.size())));
  out.WriteBytes(s);
  return Status::OK();
}

std::string ReadStr16(ByteReader& in) {
  uint16_t len = in.ReadU16();
  return std::string(AsStringView(in.ReadBytes(len)));
}

std::string ReadStr32(ByteReader& in) {
  uint32_t len = in.ReadU32();
  return std::string(AsStringView(in.ReadBytes(len)));
}

}  // namespace

Status EncodeOffsetRecord(const OffsetRecord& record, ByteWriter& out) {
  ByteWriter payload;
  payload.WriteU8(static_cast<uint8_t>(record.type));
  switch (record.type) {
    case OffsetRecordType::kCommit:
      RETURN_IF_ERROR(WriteStr16(payload, record.group, "group id"));
      RETURN_IF_ERROR(WriteStr16(payload, record.topic, "topic name"));
      payload.WriteI32(record.partition);
      payload.WriteI64(record.offset);
      payload.WriteI32(record.leader_epoch);
      payload.WriteU32(static_cast<uint32_t>(record.metadata.size()));
      payload.WriteBytes(record.metadata);
      payload.WriteI64(record.commit_time_ms);
      break;
    case OffsetRecordType::kForgetTopic:
      RETURN_IF_ERROR(WriteStr16(payload, record.topic, "topic name"));
      break;
    case OffsetRecordType::kForgetGroup:
      RETURN_IF_ERROR(WriteStr16(payload, record.group, "group id"));
      break;
  }
  out.WriteU32(static_cast<uint32_t>(payload.size()));
  out.WriteU32(Crc32c(payload.buffer()));
  out.WriteBytes(payload.buffer());
  return Status::OK();
}

Result<OffsetRecord> DecodeOffsetRecord(ByteSpan payload) {
  ByteReader in(payload);
  OffsetRecord record;
  uint8_t type = in.ReadU8();
  switch (type) {
    case static_cast<uint8_t>(OffsetRecordType::kCommit):
      record.type = OffsetRecordType::kCommit;
      record.group = ReadStr16(in);
      record.topic = ReadStr16(in);
      record.partition = in.ReadI32();
      record.offset = in.ReadI64();
      record.leader_epoch = in.ReadI32();
      record.metadata = ReadStr32(in);
      record.commit_time_ms = in.ReadI64();
      break;
    case static_cast<uint8_t>(OffsetRecordType::kForgetTopic):
      record.type = OffsetRecordType::kForgetTopic;
      record.topic = ReadStr16(in);
      break;
    case static_cast<uint8_t>(OffsetRecordType::kForgetGroup):
      record.type = OffsetRecordType::kForgetGroup;
      record.group = ReadStr16(in);
      break;
    default:
      if (!in.ok()) return Status::Corruption("empty offset record");
      return Status::Corruption("unknown offset record type " + std::to_string(type));
  }
  if (!in.ok()) return Status::Corruption("offset record: " + in.status().message());
  if (!in.empty()) {
    return Status::Corruption("offset record of type " + std::to_string(type) + " has " +
                              std::to_string(in.remaining()) + " trailing bytes");
  }
  return record;
}

}  // namespace eddy::kafka
