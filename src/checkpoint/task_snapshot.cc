#include "src/checkpoint/task_snapshot.h"

#include <cstring>

#include "src/base/crc32c.h"

namespace eddy::checkpoint {

namespace {

constexpr char kMagic[8] = {'E', 'D', 'D', 'Y', 'T', 'A', 'S', 'K'};
constexpr int32_t kVersion = 1;

void WriteString(ByteWriter& out, std::string_view s) {
  out.WriteI64(static_cast<int64_t>(s.size()));
  out.WriteBytes(s);
}

std::string ReadString(ByteReader& in) {
  const int64_t size = in.ReadI64();
  if (size < 0 || static_cast<uint64_t>(size) > in.remaining()) {
    in.Fail("string length out of range");
    return {};
  }
  ByteSpan bytes = in.ReadBytes(static_cast<size_t>(size));
  return std::string(AsStringView(bytes));
}

}  // namespace

std::vector<uint8_t> TaskSnapshot::Serialize() const {
  ByteWriter out;
  out.WriteBytes(std::string_view(kMagic, sizeof(kMagic)));
  out.WriteI32(kVersion);
  out.WriteI64(checkpoint_id);
  out.WriteI32(task_index);
  out.WriteI32(instance);
  out.WriteI32(parallelism);
  WriteString(out, task);
  out.WriteI64(watermark);
  out.WriteI32(static_cast<int32_t>(positions.size()));
  for (const SplitPosition& p : positions) {
    WriteString(out, p.split);
    WriteString(out, p.state);
  }
  out.WriteU8(has_sink ? 1 : 0);
  WriteString(out, prepared_commit);
  out.WriteI64(static_cast<int64_t>(state_bytes));
  out.WriteI64(alignment_ms);
  out.WriteI64(snapshot_ms);
  out.WriteU32(Crc32c(ByteSpan(out.buffer())));
  return out.Release();
}

Result<TaskSnapshot> TaskSnapshot::Parse(ByteSpan bytes, const std::string& path) {
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption("task snapshot " + path + ": " + what);
  };
  if (bytes.size() < sizeof(kMagic) + 8)
    return corrupt("too short (" + std::to_string(bytes.size()) + " bytes)");
  if (std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) return corrupt("bad magic");
  const uint32_t stored = static_cast<uint32_t>(LoadI32(bytes.data() + bytes.size() - 4));
  if (Crc32c(bytes.first(bytes.size() - 4)) != stored) return corrupt("CRC mismatch");
  ByteReader in(bytes.subspan(sizeof(kMagic), bytes.size() - 4 - sizeof(kMagic)));
  if (in.ReadI32() != kVersion) return corrupt("unknown version");
  TaskSnapshot s;
  s.checkpoint_id = in.ReadI64();
  s.task_index = in.ReadI32();
  s.instance = in.ReadI32();
  s.parallelism = in.ReadI32();
  s.task = ReadString(in);
  s.watermark = in.ReadI64();
  const int32_t count = in.ReadI32();
  if (count < 0 || static_cast<uint64_t>(count) > in.remaining()) return corrupt("bad split count");
  for (int32_t i = 0; i < count && in.ok(); ++i) {
    SplitPosition p;
    p.split = ReadString(in);
    p.state = ReadString(in);
    s.positions.push_back(std::move(p));
  }
  s.has_sink = in.ReadU8() != 0;
  s.prepared_commit = ReadString(in);
  s.state_bytes = static_cast<uint64_t>(in.ReadI64());
  s.alignment_ms = in.ReadI64();
  s.snapshot_ms = in.ReadI64();
  if (!in.ok()) return corrupt(in.status().message());
  if (in.remaining() != 0) return corrupt("trailing bytes");
  return s;
}

}  // namespace eddy::checkpoint
