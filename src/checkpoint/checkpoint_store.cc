#include "src/checkpoint/checkpoint_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <sstream>

#include "src/base/crc32c.h"

namespace eddy::checkpoint {

namespace {

constexpr char kHeader[] = "eddy-checkpoint 1";
constexpr char kDirPrefix[] = "chk-";

std::string_view KindName(CheckpointKind kind) {
  return kind == CheckpointKind::kSavepoint ? "savepoint" : "checkpoint";
}

template <typename T>
bool ParseNumber(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::optional<int64_t> IdOfDirName(std::string_view name) {
  if (name.substr(0, sizeof(kDirPrefix) - 1) != kDirPrefix) return std::nullopt;
  int64_t id = 0;
  if (!ParseNumber(name.substr(sizeof(kDirPrefix) - 1), id) || id <= 0) return std::nullopt;
  return id;
}

// The rest of a line after its key and one space (text that may be empty or hold spaces).
std::string RestOfLine(std::istringstream& fields) {
  std::string rest;
  if (fields.get() == std::char_traits<char>::eof()) {
    fields.clear();
    return rest;
  }
  std::getline(fields, rest);
  fields.clear();
  return rest;
}

}  // namespace

std::string MetaFileName(int task_index, int instance) {
  return std::to_string(task_index) + "-" + std::to_string(instance) + ".meta";
}
std::string StateDirName(int task_index, int instance) {
  return std::to_string(task_index) + "-" + std::to_string(instance) + ".state";
}

std::string LoadedCheckpoint::StateDir(size_t i) const {
  const Manifest::Task& t = manifest.tasks.at(i);
  return JoinPath(path, StateDirName(t.task_index, t.instance));
}

// ---- Manifest: a text file, one field per line, the last line the CRC of the rest.

std::string Manifest::Serialize() const {
  std::ostringstream out;
  out << kHeader << "\n";
  out << "id " << id << "\n";
  out << "kind " << KindName(kind) << "\n";
  out << "pipeline " << pipeline << "\n";
  out << "backend " << backend << "\n";
  out << "created_ms " << created_ms << "\n";
  for (const Task& t : tasks) {
    out << "task " << t.task_index << " " << t.instance << " " << t.parallelism << " "
        << t.meta_bytes << " " << t.meta_crc << " " << t.state_bytes << " " << t.name << "\n";
  }
  std::string body = out.str();
  body += "crc " + std::to_string(Crc32c(AsBytes(body))) + "\n";
  return body;
}

Result<Manifest> Manifest::Parse(std::string_view text, const std::string& path) {
  auto corrupt = [&](const std::string& what) {
    return Status::Corruption("checkpoint manifest " + path + ": " + what);
  };
  const size_t crc_line = text.rfind("crc ");
  if (crc_line == std::string_view::npos || text.empty() || text.back() != '\n') {
    return corrupt("no CRC line (half-written?)");
  }
  uint32_t stored = 0;
  if (!ParseNumber(text.substr(crc_line + 4, text.size() - crc_line - 5), stored)) {
    return corrupt("unreadable CRC line");
  }
  std::string_view body = text.substr(0, crc_line);
  if (Crc32c(AsBytes(body)) != stored) return corrupt("CRC mismatch");
  Manifest m;
  std::istringstream lines{std::string(body)};
  std::string line;
  if (!std::getline(lines, line) || line != kHeader)
    return corrupt("unknown header '" + line + "'");
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "id") {
      fields >> m.id;
    } else if (key == "kind") {
      std::string kind;
      fields >> kind;
      m.kind = kind == "savepoint" ? CheckpointKind::kSavepoint : CheckpointKind::kCheckpoint;
    } else if (key == "pipeline") {
      m.pipeline = RestOfLine(fields);
    } else if (key == "backend") {
      m.backend = RestOfLine(fields);
    } else if (key == "created_ms") {
      fields >> m.created_ms;
    } else if (key == "task") {
      Task t;
      fields >> t.task_index >> t.instance >> t.parallelism >> t.meta_bytes >> t.meta_crc >>
          t.state_bytes;
      if (fields.fail()) return corrupt("unreadable line '" + line + "'");
      t.name = RestOfLine(fields);
      m.tasks.push_back(std::move(t));
    } else {
      return corrupt("unknown line '" + line + "'");
    }
    if (fields.fail()) return corrupt("unreadable line '" + line + "'");
  }
  return m;
}

Result<LoadedCheckpoint> LoadCheckpoint(FileSystem* fs, const std::string& path) {
  const std::string manifest_path = JoinPath(path, kManifestFile);
  if (!fs->Exists(manifest_path)) {
    return Status::Corruption("checkpoint " + path + " has no " + kManifestFile +
                              " (it never completed)");
  }
  ASSIGN_OR_RETURN(std::vector<uint8_t> text, fs->ReadFile(manifest_path));
  LoadedCheckpoint loaded;
  loaded.path = path;
  ASSIGN_OR_RETURN(loaded.manifest, Manifest::Parse(AsStringView(text), manifest_path));
  for (const Manifest::Task& t : loaded.manifest.tasks) {
    const std::string meta_path = JoinPath(path, MetaFileName(t.task_index, t.instance));
    Result<std::vector<uint8_t>> bytes = fs->ReadFile(meta_path);
    if (!bytes.ok()) return bytes.status().WithContext("checkpoint " + path);
    if (bytes->size() != t.meta_bytes || Crc32c(ByteSpan(*bytes)) != t.meta_crc) {
      return Status::Corruption(
          "checkpoint " + path + ": " + meta_path + " is " + std::to_string(bytes->size()) +
          " bytes, CRC " + std::to_string(Crc32c(ByteSpan(*bytes))) + "; the manifest says " +
          std::to_string(t.meta_bytes) + " bytes, CRC " + std::to_string(t.meta_crc));
    }
    ASSIGN_OR_RETURN(TaskSnapshot snapshot, TaskSnapshot::Parse(ByteSpan(*bytes), meta_path));
    loaded.tasks.push_back(std::move(snapshot));
  }
  return loaded;
}

// ---- CheckpointStore

CheckpointStore::CheckpointStore(FileSystem* fs, std::string dir, int keep)
    : fs_(fs), dir_(std::move(dir)), keep_(std::max(1, keep)) {}

std::string CheckpointStore::PathOf(int64_t id) const {
  return JoinPath(dir_, kDirPrefix + std::to_string(id));
}

Status CheckpointStore::Begin(int64_t id) {
  const std::string path = PathOf(id);
  if (fs_->Exists(path)) RETURN_IF_ERROR(fs_->RemoveAll(path));
  return fs_->CreateDirs(path);
}

Status CheckpointStore::WriteTaskMeta(const std::string& path, const TaskSnapshot& snapshot,
                                      Manifest::Task& entry) {
  std::vector<uint8_t> bytes = snapshot.Serialize();
  entry.task_index = snapshot.task_index;
  entry.instance = snapshot.instance;
  entry.parallelism = snapshot.parallelism;
  entry.name = snapshot.task;
  entry.meta_bytes = bytes.size();
  entry.meta_crc = Crc32c(ByteSpan(bytes));
  entry.state_bytes = snapshot.state_bytes;
  return fs_->WriteFileAtomically(
      JoinPath(path, MetaFileName(snapshot.task_index, snapshot.instance)), ByteSpan(bytes));
}

Status CheckpointStore::Complete(const std::string& path, const Manifest& manifest) {
  const std::string text = manifest.Serialize();
  return fs_->WriteFileAtomically(JoinPath(path, kManifestFile), AsBytes(text));
}

Result<std::vector<int64_t>> CheckpointStore::ListIds() const {
  std::vector<int64_t> ids;
  if (!fs_->Exists(dir_)) return ids;
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir_));
  for (const std::string& name : names) {
    if (auto id = IdOfDirName(name)) ids.push_back(*id);
  }
  std::sort(ids.rbegin(), ids.rend());
  return ids;
}

Result<int64_t> CheckpointStore::NextId() const {
  ASSIGN_OR_RETURN(std::vector<int64_t> ids, ListIds());
  return ids.empty() ? 1 : ids.front() + 1;
}

Status CheckpointStore::Discard(int64_t id) {
  const std::string path = PathOf(id);
  return fs_->Exists(path) ? fs_->RemoveAll(path) : Status::OK();
}

Status CheckpointStore::Prune() {
  ASSIGN_OR_RETURN(std::vector<int64_t> ids, ListIds());
  int complete_seen = 0;
  Status first_error;
  for (int64_t id : ids) {  // newest first
    const bool complete = fs_->Exists(JoinPath(PathOf(id), kManifestFile));
    // An incomplete directory newer than every complete one may be in progress.
    const bool keep = complete ? ++complete_seen <= keep_ : complete_seen == 0;
    if (keep) continue;
    Status removed = fs_->RemoveAll(PathOf(id));
    if (!removed.ok() && first_error.ok()) first_error = removed;
  }
  return first_error;
}

Result<std::optional<LoadedCheckpoint>> CheckpointStore::LoadLatest(int64_t below_id) const {
  ASSIGN_OR_RETURN(std::vector<int64_t> ids, ListIds());
  for (int64_t id : ids) {
    if (id >= below_id) continue;
    Result<LoadedCheckpoint> loaded = LoadCheckpoint(fs_, PathOf(id));
    if (loaded.ok()) return std::optional<LoadedCheckpoint>(std::move(loaded).value());
    spdlog::warn("skipping checkpoint {}: {}; falling back to an earlier one", id,
                 loaded.status().ToString());
  }
  return std::optional<LoadedCheckpoint>();
}

}  // namespace eddy::checkpoint
