#include "src/state/memory_state_backend.h"

#include <fmt/format.h>

#include <utility>

#include "src/base/bytes.h"
#include "src/base/crc32c.h"
#include "src/state/backend_checks.h"
#include "src/state/memory_snapshot_format.h"

namespace eddy::state {
namespace {

// The writer hands the file system chunks of about this size, so a snapshot of any size
// needs only this much buffer.
constexpr size_t kWriteChunkBytes = 1 << 20;

uint64_t VarintBytes(uint64_t v) {
  uint64_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

Result<std::unique_ptr<MemoryStateBackend>> MemoryStateBackend::Open(
    const StateBackendOptions& options) {
  FileSystem* fs = options.file_system != nullptr ? options.file_system : FileSystem::Default();
  return std::unique_ptr<MemoryStateBackend>(new MemoryStateBackend(fs));
}

Status MemoryStateBackend::Put(std::string_view table, int key_group, std::string_view key,
                               std::string_view value) {
  RETURN_IF_ERROR(CheckEntry(table, key_group, key, value));
  auto t = tables_.find(table);
  if (t == tables_.end()) t = tables_.emplace(std::string(table), Table{}).first;
  auto e = t->second.find(EntryKeyView{key_group, key});
  if (e != t->second.end()) {
    e->second.assign(value);
  } else {
    t->second.emplace(EntryKey{key_group, std::string(key)}, std::string(value));
  }
  return Status::OK();
}

Status MemoryStateBackend::Delete(std::string_view table, int key_group, std::string_view key) {
  RETURN_IF_ERROR(CheckEntry(table, key_group, key));
  auto t = tables_.find(table);
  if (t == tables_.end()) return Status::OK();
  auto e = t->second.find(EntryKeyView{key_group, key});
  if (e == t->second.end()) return Status::OK();
  t->second.erase(e);
  if (t->second.empty()) tables_.erase(t);
  return Status::OK();
}

Result<bool> MemoryStateBackend::Get(std::string_view table, int key_group, std::string_view key,
                                     std::string* value) {
  RETURN_IF_ERROR(CheckEntry(table, key_group, key));
  auto t = tables_.find(table);
  if (t == tables_.end()) return false;
  auto e = t->second.find(EntryKeyView{key_group, key});
  if (e == t->second.end()) return false;
  value->assign(e->second);
  return true;
}

Status MemoryStateBackend::ForEach(std::string_view table, const EntryVisitor& visit) {
  auto t = tables_.find(table);
  if (t == tables_.end()) return Status::OK();
  for (const auto& [k, value] : t->second) RETURN_IF_ERROR(visit(k.key_group, k.key, value));
  return Status::OK();
}

Result<std::vector<std::string>> MemoryStateBackend::Tables() {
  std::vector<std::string> names;
  names.reserve(tables_.size());
  for (const auto& [name, table] : tables_) names.push_back(name);
  return names;
}

Result<SnapshotStats> MemoryStateBackend::Snapshot(const std::string& dir_arg) {
  const std::string dir = TrimTrailingSlashes(dir_arg);
  if (fs_->Exists(dir)) {
    return Status::AlreadyExists("state snapshot directory " + dir + " already exists");
  }
  // Written under another name and renamed once complete, so that `dir` is never a
  // half-written snapshot. A leftover of a failed attempt is removed first.
  const std::string tmp = dir + ".tmp";
  RETURN_IF_ERROR(fs_->RemoveAll(tmp));
  RETURN_IF_ERROR(fs_->CreateDirs(tmp));
  Result<SnapshotStats> stats = WriteSnapshotFile(tmp);
  Status status = stats.status();
  if (status.ok()) status = fs_->Rename(tmp, dir);
  if (status.ok()) status = fs_->SyncDir(DirName(dir));
  if (!status.ok()) {
    (void)fs_->RemoveAll(tmp);
    return status.WithContext("snapshot memory state into " + dir);
  }
  return stats;
}

Result<SnapshotStats> MemoryStateBackend::WriteSnapshotFile(const std::string& tmp_dir) {
  // The body's size goes into the header, and files are append-only: count it first.
  uint64_t body_bytes = 0;
  uint64_t entries = 0;
  for (const auto& [name, table] : tables_) {
    body_bytes += VarintBytes(name.size()) + name.size() + 8;
    for (const auto& [k, value] : table) {
      body_bytes +=
          2 + VarintBytes(k.key.size()) + k.key.size() + VarintBytes(value.size()) + value.size();
    }
    entries += table.size();
  }

  const std::string path = JoinPath(tmp_dir, std::string(kMemorySnapshotFileName));
  ASSIGN_OR_RETURN(auto file, fs_->Open(path, OpenMode::kCreateTruncate));
  ByteWriter out(kWriteChunkBytes + 4096);
  uint32_t crc = 0;
  auto flush = [&]() -> Status {
    crc = Crc32c(out.buffer(), crc);
    RETURN_IF_ERROR(file->Append(out.buffer()));
    out.Clear();
    return Status::OK();
  };

  out.WriteBytes(kMemorySnapshotMagic);
  out.WriteU32(kMemorySnapshotVersion);
  out.WriteI64(static_cast<int64_t>(body_bytes));
  for (const auto& [name, table] : tables_) {
    out.WriteUnsignedVarint(static_cast<uint32_t>(name.size()));
    out.WriteBytes(name);
    out.WriteI64(static_cast<int64_t>(table.size()));
    for (const auto& [k, value] : table) {
      out.WriteI16(static_cast<int16_t>(k.key_group));
      out.WriteUnsignedVarint(static_cast<uint32_t>(k.key.size()));
      out.WriteBytes(k.key);
      out.WriteUnsignedVarint(static_cast<uint32_t>(value.size()));
      out.WriteBytes(value);
      if (out.size() >= kWriteChunkBytes) RETURN_IF_ERROR(flush());
    }
  }
  out.WriteI64(static_cast<int64_t>(entries));
  RETURN_IF_ERROR(flush());
  out.WriteU32(crc);
  RETURN_IF_ERROR(file->Append(out.buffer()));
  RETURN_IF_ERROR(file->Sync());
  RETURN_IF_ERROR(fs_->SyncDir(tmp_dir));

  const uint64_t expected = kMemorySnapshotHeaderBytes + body_bytes + kMemorySnapshotTrailerBytes;
  if (file->Size() != expected) {
    return Status::Internal(
        fmt::format("wrote {} bytes to {}, expected {}", file->Size(), path, expected));
  }
  SnapshotStats stats;
  stats.entries = entries;
  stats.bytes = file->Size();
  stats.new_bytes = file->Size();
  return stats;
}

Status MemoryStateBackend::Restore(const std::vector<std::string>& snapshot_dirs,
                                   KeyGroupRange range) {
  tables_.clear();
  RETURN_IF_ERROR(CheckRange(range));
  for (const auto& dir : snapshot_dirs) {
    Status status = LoadSnapshot(TrimTrailingSlashes(dir), range);
    if (!status.ok()) {
      tables_.clear();
      return status;
    }
  }
  return Status::OK();
}

Status MemoryStateBackend::LoadSnapshot(const std::string& dir, KeyGroupRange range) {
  if (!fs_->Exists(dir)) {
    return Status::NotFound("state snapshot directory " + dir + " does not exist");
  }
  const std::string path = JoinPath(dir, std::string(kMemorySnapshotFileName));
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption("memory state snapshot " + path + ": " + what);
  };
  if (!fs_->Exists(path)) {
    return corrupt("missing (" + dir + " is not a complete memory state snapshot)");
  }
  ASSIGN_OR_RETURN(std::vector<uint8_t> data, fs_->ReadFile(path));
  const size_t size = data.size();
  constexpr size_t kFrameBytes = kMemorySnapshotHeaderBytes + kMemorySnapshotTrailerBytes;
  if (size < kFrameBytes) {
    return corrupt(fmt::format("truncated: {} bytes, less than the {} of header and trailer", size,
                               kFrameBytes));
  }
  ByteReader header(ByteSpan(data).first(kMemorySnapshotHeaderBytes));
  std::string_view magic = AsStringView(header.ReadBytes(kMemorySnapshotMagic.size()));
  uint32_t version = header.ReadU32();
  uint64_t body_bytes = static_cast<uint64_t>(header.ReadI64());
  if (magic != kMemorySnapshotMagic) return corrupt("bad magic (not a memory state snapshot)");
  if (version != kMemorySnapshotVersion) {
    return corrupt(fmt::format("format version {}, this eddy reads version {}", version,
                               kMemorySnapshotVersion));
  }
  if (body_bytes != size - kFrameBytes) {
    return corrupt(fmt::format("{}: the header says {} bytes, the file has {}",
                               body_bytes > size - kFrameBytes ? "truncated" : "extra bytes",
                               body_bytes + kFrameBytes, size));
  }
  uint32_t stored_crc = static_cast<uint32_t>(LoadI32(data.data() + size - 4));
  uint32_t crc = Crc32c(ByteSpan(data).first(size - 4));
  if (crc != stored_crc) {
    return corrupt(
        fmt::format("CRC-32C mismatch (stored {:08x}, computed {:08x})", stored_crc, crc));
  }

  ByteReader body(ByteSpan(data).subspan(kMemorySnapshotHeaderBytes, body_bytes));
  uint64_t entries = 0;
  while (body.ok() && !body.empty()) {
    std::string_view name = AsStringView(body.ReadBytes(body.ReadUnsignedVarint()));
    uint64_t count = static_cast<uint64_t>(body.ReadI64());
    Table* table = nullptr;
    for (uint64_t i = 0; i < count && body.ok(); ++i) {
      int key_group = body.ReadU16();
      std::string_view key = AsStringView(body.ReadBytes(body.ReadUnsignedVarint()));
      std::string_view value = AsStringView(body.ReadBytes(body.ReadUnsignedVarint()));
      if (!body.ok()) break;
      if (key_group >= kKeyGroups) {
        return corrupt(fmt::format("key group {} at byte {} is not below {}", key_group,
                                   kMemorySnapshotHeaderBytes + body.position(), kKeyGroups));
      }
      ++entries;
      if (!range.Contains(key_group)) continue;
      if (table == nullptr) {
        auto t = tables_.find(name);
        if (t == tables_.end()) t = tables_.emplace(std::string(name), Table{}).first;
        table = &t->second;
      }
      // Entries come in order, so appending at the end is the usual case. Should two
      // snapshots hold the same entry, the later one wins.
      size_t before = table->size();
      auto it = table->emplace_hint(table->end(), EntryKey{key_group, std::string(key)},
                                    std::string(value));
      if (table->size() == before) it->second.assign(value);
    }
  }
  if (!body.ok()) {
    return corrupt("body does not parse: " + body.status().message());
  }
  uint64_t trailer_entries =
      static_cast<uint64_t>(LoadI64(data.data() + size - kMemorySnapshotTrailerBytes));
  if (entries != trailer_entries) {
    return corrupt(
        fmt::format("body holds {} entries, the trailer says {}", entries, trailer_entries));
  }
  return Status::OK();
}

}  // namespace eddy::state
