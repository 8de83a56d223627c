#include "src/state/rocksdb_state_backend.h"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <utility>

#include "src/state/backend_checks.h"
#include "src/state/rocksdb_key_format.h"

namespace eddy::state {
namespace {

// Marks a working directory as a state backend's and is locked while one uses it.
constexpr std::string_view kLockFileName = "eddy-state.lock";
// Puts and deletes are buffered up to about this many bytes, then written as one sorted
// batch: one RocksDB write per batch instead of one per entry, and memtable inserts in key
// order (measured: a 200 MB fill of random keys takes half the CPU time with 4 MiB
// batches than with one write per Put; 16 MiB gains nothing more).
constexpr size_t kPendingBatchBytes = 4 << 20;
// Restore rolls to a new SST file after this many bytes.
constexpr uint64_t kRestoreFileBytes = 256ull << 20;

// RocksDB's warnings and errors go to eddy's log; its chatty INFO log (and the LOG files
// it would otherwise write, into snapshot directories too) is dropped.
class WarningLogger final : public rocksdb::Logger {
 public:
  WarningLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char text[1024];
    std::vsnprintf(text, sizeof(text), format, ap);
    // Two warnings are expected and say nothing wrong: every checkpoint disables file
    // deletions twice (the checkpoint and the live-file listing inside it), and SST files
    // that Restore ingested have no unique ID recorded in the MANIFEST (RocksDB 7).
    std::string_view message(text);
    if (message.find("File Deletions") != std::string_view::npos ||
        message.find("without unique ID to verify") != std::string_view::npos) {
      return;
    }
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
      spdlog::error("rocksdb state backend: {}", text);
    } else {
      spdlog::warn("rocksdb state backend: {}", text);
    }
  }
};

// Options for a machine with few cores: two background jobs (a flush and a compaction),
// 64 MB memtables, and LZ4 (cheap, and quick to give up on incompressible values).
std::unique_ptr<rocksdb::Options> MakeOptions(std::shared_ptr<rocksdb::Logger> logger) {
  auto options = std::make_unique<rocksdb::Options>();
  options->create_if_missing = true;
  options->paranoid_checks = true;
  options->info_log = std::move(logger);
  options->max_background_jobs = 2;
  options->write_buffer_size = 64 << 20;
  options->max_write_buffer_number = 2;
  options->target_file_size_base = 64 << 20;
  options->level_compaction_dynamic_level_bytes = true;
  // Every snapshot copies the MANIFEST; rolling it over keeps that copy small.
  options->max_manifest_file_size = 4 << 20;
  options->stats_dump_period_sec = 0;
  options->stats_persist_period_sec = 0;
  // The live database is scratch: closing it need not flush what no one will read.
  options->avoid_flush_during_shutdown = true;
  auto supported = rocksdb::GetSupportedCompressions();
  bool lz4 =
      std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
  options->compression = lz4 ? rocksdb::kLZ4Compression : rocksdb::kNoCompression;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(32 << 20);
  options->table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

rocksdb::WriteOptions LiveWriteOptions() {
  rocksdb::WriteOptions options;
  options.disableWAL = true;  // the live database is never recovered (see the class comment)
  return options;
}

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  std::string message = context + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(std::move(message));
  if (s.IsCorruption()) return Status::Corruption(std::move(message));
  if (s.IsNoSpace()) return Status::ResourceExhausted(std::move(message));
  if (s.IsIOError()) return Status::IOError(std::move(message));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(message));
  if (s.IsBusy() || s.IsTryAgain()) return Status::Unavailable(std::move(message));
  return Status::Internal(std::move(message));
}

// The number of an SST file name ("000123.sst"); false for other files.
bool ParseSstNumber(std::string_view name, uint64_t* number) {
  constexpr std::string_view kSuffix = ".sst";
  if (name.size() <= kSuffix.size() || !name.ends_with(kSuffix)) return false;
  name.remove_suffix(kSuffix.size());
  uint64_t n = 0;
  for (char c : name) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  *number = n;
  return true;
}

std::string_view AsView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

}  // namespace

RocksDbStateBackend::RocksDbStateBackend(std::string working_dir, std::unique_ptr<FileLock> lock)
    : fs_(FileSystem::Default()),
      working_dir_(std::move(working_dir)),
      db_dir_(JoinPath(working_dir_, "db")),
      restore_dir_(JoinPath(working_dir_, "restore")),
      lock_(std::move(lock)),
      logger_(std::make_shared<WarningLogger>()),
      options_(MakeOptions(logger_)),
      batch_(std::make_unique<rocksdb::WriteBatch>()) {}

RocksDbStateBackend::~RocksDbStateBackend() {
  db_.reset();
  (void)fs_->RemoveAll(db_dir_);
  (void)fs_->RemoveAll(restore_dir_);
}

Result<std::unique_ptr<RocksDbStateBackend>> RocksDbStateBackend::Open(
    const StateBackendOptions& options) {
  if (options.working_dir.empty()) {
    return Status::InvalidArgument("the rocksdb state backend needs a working directory");
  }
  FileSystem* fs = FileSystem::Default();
  const std::string dir = TrimTrailingSlashes(options.working_dir);
  const std::string context = "open rocksdb state backend in " + dir;
  Status status = fs->CreateDirs(dir);
  if (!status.ok()) return status.WithContext(context);
  Result<std::vector<std::string>> names = fs->ListDir(dir);
  if (!names.ok()) return names.status().WithContext(context);
  // Emptying the directory is only safe if it is ours: a mistyped path must not wipe
  // somebody's files.
  bool ours =
      names->empty() || std::find(names->begin(), names->end(), kLockFileName) != names->end();
  if (!ours) {
    return Status::FailedPrecondition(
        context + ": the directory holds files no state backend put there (such as '" +
        names->front() + "'); refusing to empty it");
  }
  Result<std::unique_ptr<FileLock>> lock = fs->Lock(JoinPath(dir, std::string(kLockFileName)));
  if (!lock.ok()) return lock.status().WithContext(context);
  for (const auto& name : *names) {
    if (name == kLockFileName) continue;
    status = fs->RemoveAll(JoinPath(dir, name));
    if (!status.ok()) return status.WithContext(context);
  }
  std::unique_ptr<RocksDbStateBackend> backend(
      new RocksDbStateBackend(dir, std::move(lock).value()));
  RETURN_IF_ERROR(backend->ResetLiveDb());
  return backend;
}

Status RocksDbStateBackend::ResetLiveDb() {
  pending_.clear();
  pending_bytes_.clear();
  db_.reset();
  previous_snapshot_ssts_.clear();
  RETURN_IF_ERROR(fs_->RemoveAll(db_dir_));
  RETURN_IF_ERROR(fs_->RemoveAll(restore_dir_));
  // RocksDB would create it too, but logs an error first when it is missing.
  RETURN_IF_ERROR(fs_->CreateDirs(db_dir_));
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(*options_, db_dir_, &db);
  if (!s.ok()) return FromRocks(s, "open RocksDB state database " + db_dir_);
  db_.reset(db);
  return Status::OK();
}

Status RocksDbStateBackend::CheckLive() const {
  if (db_ == nullptr) {
    return Status::FailedPrecondition("the RocksDB state database " + db_dir_ +
                                      " could not be reopened after a failure");
  }
  return Status::OK();
}

Status RocksDbStateBackend::Buffer(std::string_view table, int key_group, std::string_view key,
                                   std::string_view value, bool is_delete) {
  PendingWrite write;
  write.key_offset = pending_bytes_.size();
  AppendTablePrefix(&pending_bytes_, table);
  AppendKeyGroup(&pending_bytes_, key_group);
  pending_bytes_.append(key);
  write.key_size = pending_bytes_.size() - write.key_offset;
  pending_bytes_.append(value);
  write.value_size = value.size();
  write.is_delete = is_delete;
  pending_.push_back(write);
  if (pending_bytes_.size() >= kPendingBatchBytes) return WritePending();
  return Status::OK();
}

Status RocksDbStateBackend::WritePending() {
  if (pending_.empty()) return Status::OK();
  // In key order: inserting keys in ascending order lets the memtable's skip list start
  // each search where the last one ended, instead of from the top (random inserts spend
  // most of their time there). A stable sort keeps several writes of one key in order.
  auto key_of = [&](const PendingWrite& w) {
    return std::string_view(pending_bytes_).substr(w.key_offset, w.key_size);
  };
  pending_order_.resize(pending_.size());
  for (size_t i = 0; i < pending_.size(); ++i) pending_order_[i] = static_cast<uint32_t>(i);
  std::stable_sort(pending_order_.begin(), pending_order_.end(), [&](uint32_t a, uint32_t b) {
    return key_of(pending_[a]) < key_of(pending_[b]);
  });
  batch_->Clear();
  rocksdb::Status s;
  for (uint32_t i : pending_order_) {
    const PendingWrite& w = pending_[i];
    rocksdb::Slice key(pending_bytes_.data() + w.key_offset, w.key_size);
    if (w.is_delete) {
      s = batch_->Delete(key);
    } else {
      s = batch_->Put(key, rocksdb::Slice(key.data() + key.size(), w.value_size));
    }
    if (!s.ok()) break;
  }
  if (s.ok()) s = db_->Write(LiveWriteOptions(), batch_.get());
  pending_.clear();
  pending_bytes_.clear();
  batch_->Clear();
  if (!s.ok()) return FromRocks(s, "write state into " + db_dir_);
  return Status::OK();
}

Status RocksDbStateBackend::Put(std::string_view table, int key_group, std::string_view key,
                                std::string_view value) {
  RETURN_IF_ERROR(CheckLive());
  RETURN_IF_ERROR(CheckEntry(table, key_group, key, value));
  return Buffer(table, key_group, key, value, /*is_delete=*/false);
}

Status RocksDbStateBackend::Delete(std::string_view table, int key_group, std::string_view key) {
  RETURN_IF_ERROR(CheckLive());
  RETURN_IF_ERROR(CheckEntry(table, key_group, key));
  return Buffer(table, key_group, key, {}, /*is_delete=*/true);
}

Result<bool> RocksDbStateBackend::Get(std::string_view table, int key_group, std::string_view key,
                                      std::string* value) {
  RETURN_IF_ERROR(CheckLive());
  RETURN_IF_ERROR(WritePending());
  RETURN_IF_ERROR(CheckEntry(table, key_group, key));
  EncodeStateKey(&key_buffer_, table, key_group, key);
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), key_buffer_, value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "get from table '" + std::string(table) + "' of " + db_dir_);
  return true;
}

Status RocksDbStateBackend::ForEach(std::string_view table, const EntryVisitor& visit) {
  RETURN_IF_ERROR(CheckLive());
  RETURN_IF_ERROR(WritePending());
  std::string prefix;
  AppendTablePrefix(&prefix, table);
  const std::string end = PrefixSuccessor(prefix);
  const rocksdb::Slice upper_bound(end);
  rocksdb::ReadOptions read;
  read.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    std::string_view key = AsView(it->key());
    if (key.size() < prefix.size() + 2) {
      return Status::Corruption("table '" + std::string(table) + "' of " + db_dir_ +
                                " holds a key without a key group");
    }
    int key_group = (static_cast<uint8_t>(key[prefix.size()]) << 8) |
                    static_cast<uint8_t>(key[prefix.size() + 1]);
    RETURN_IF_ERROR(visit(key_group, key.substr(prefix.size() + 2), AsView(it->value())));
  }
  if (!it->status().ok()) {
    return FromRocks(it->status(), "read table '" + std::string(table) + "' of " + db_dir_);
  }
  return Status::OK();
}

Result<std::vector<std::string>> RocksDbStateBackend::Tables() {
  RETURN_IF_ERROR(CheckLive());
  RETURN_IF_ERROR(WritePending());
  // One seek per table: from the first key of a table straight past its last.
  std::vector<std::string> names;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekToFirst();
  while (it->Valid()) {
    std::string_view prefix = TablePrefixOf(AsView(it->key()));
    if (prefix.empty()) {
      return Status::Corruption(db_dir_ + " holds a key that is not a state key");
    }
    names.emplace_back(TableNameOf(prefix));
    it->Seek(PrefixSuccessor(prefix));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "list the tables of " + db_dir_);
  std::sort(names.begin(), names.end());
  return names;
}

Result<SnapshotStats> RocksDbStateBackend::Snapshot(const std::string& dir_arg) {
  RETURN_IF_ERROR(CheckLive());
  RETURN_IF_ERROR(WritePending());
  const std::string dir = TrimTrailingSlashes(dir_arg);
  if (fs_->Exists(dir)) {
    return Status::AlreadyExists("state snapshot directory " + dir + " already exists");
  }
  std::error_code ec;
  const std::string absolute = std::filesystem::absolute(dir, ec).string();
  if (ec) return Status::IOError("snapshot into " + dir + ": " + ec.message());
  RETURN_IF_ERROR(fs_->CreateDirs(DirName(absolute)));

  rocksdb::Checkpoint* raw_checkpoint = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw_checkpoint);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw_checkpoint);
  // log_size_for_flush = 0 always flushes the memtable: with the WAL disabled, a
  // checkpoint without a flush would miss the latest writes. The checkpoint is built in
  // "<dir>.tmp", synced, and renamed into place.
  if (s.ok()) s = checkpoint->CreateCheckpoint(absolute, /*log_size_for_flush=*/0);
  if (!s.ok()) return FromRocks(s, "snapshot RocksDB state into " + dir);
  RETURN_IF_ERROR(fs_->SyncDir(DirName(absolute)));

  SnapshotStats stats;
  std::set<uint64_t> ssts;
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(absolute));
  for (const auto& name : names) {
    ASSIGN_OR_RETURN(auto file, fs_->Open(JoinPath(absolute, name), OpenMode::kReadOnly));
    uint64_t size = file->Size();
    stats.bytes += size;
    uint64_t number = 0;
    if (ParseSstNumber(name, &number)) {
      ssts.insert(number);
      if (previous_snapshot_ssts_.count(number) == 0) stats.new_bytes += size;
    } else {
      stats.new_bytes += size;
    }
  }
  uint64_t keys = 0;
  if (db_->GetIntProperty("rocksdb.estimate-num-keys", &keys)) stats.entries = keys;
  previous_snapshot_ssts_ = std::move(ssts);
  return stats;
}

Status RocksDbStateBackend::Restore(const std::vector<std::string>& snapshot_dirs,
                                    KeyGroupRange range) {
  RETURN_IF_ERROR(ResetLiveDb());
  RETURN_IF_ERROR(CheckRange(range));
  Status status = RestoreFrom(snapshot_dirs, range);
  if (!status.ok()) {
    // Whatever was ingested before the failure goes: the state is left empty.
    Status reset = ResetLiveDb();
    if (!reset.ok()) spdlog::error("rocksdb state backend: {}", reset.ToString());
    return status;
  }
  return fs_->RemoveAll(restore_dir_);
}

Result<std::unique_ptr<rocksdb::DB>> RocksDbStateBackend::OpenSnapshot(const std::string& dir) {
  if (!fs_->Exists(dir)) {
    return Status::NotFound("state snapshot directory " + dir + " does not exist");
  }
  if (!fs_->Exists(JoinPath(dir, "CURRENT"))) {
    return Status::Corruption("RocksDB state snapshot " + dir +
                              " has no CURRENT file (not a complete rocksdb state snapshot)");
  }
  rocksdb::Options snapshot_options = *options_;
  snapshot_options.create_if_missing = false;
  rocksdb::DB* snapshot = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(snapshot_options, dir, &snapshot);
  const std::string context = "restore RocksDB state snapshot " + dir;
  // A file the snapshot's MANIFEST lists but the directory lacks is damage too.
  if (s.IsPathNotFound()) return Status::Corruption(context + ": " + s.ToString());
  if (!s.ok()) return FromRocks(s, context);
  return std::unique_ptr<rocksdb::DB>(snapshot);
}

Status RocksDbStateBackend::RestoreFrom(const std::vector<std::string>& snapshot_dirs,
                                        KeyGroupRange range) {
  // Which snapshots hold entries of `range`, and does one of them hold nothing else? A
  // restore at an unchanged parallelism is the usual case: one snapshot is this
  // instance's own, the others hold only other key groups.
  std::vector<std::string> needed;
  bool only_needed_is_within = false;
  for (const auto& dir_arg : snapshot_dirs) {
    const std::string dir = TrimTrailingSlashes(dir_arg);
    ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> snapshot, OpenSnapshot(dir));
    ASSIGN_OR_RETURN(RangeCoverage coverage, CoverageOf(snapshot.get(), dir, range));
    if (coverage == RangeCoverage::kNone) continue;
    needed.push_back(dir);
    only_needed_is_within = coverage == RangeCoverage::kAll;
  }
  // Such a snapshot becomes the live database as it is: its SST files are hard-linked
  // after their checksums are verified, and nothing is rewritten.
  if (needed.size() == 1 && only_needed_is_within) return AdoptSnapshot(needed.front());
  int sst_sequence = 0;
  for (const auto& dir : needed) RETURN_IF_ERROR(CopyRange(dir, range, &sst_sequence));
  return Status::OK();
}

Result<RocksDbStateBackend::RangeCoverage> RocksDbStateBackend::CoverageOf(rocksdb::DB* snapshot,
                                                                           const std::string& dir,
                                                                           KeyGroupRange range) {
  const std::string context = "restore RocksDB state snapshot " + dir;
  bool any = false;
  bool all = true;
  std::unique_ptr<rocksdb::Iterator> it(snapshot->NewIterator(rocksdb::ReadOptions()));
  auto key_group_of = [&](std::string_view key, size_t prefix_size) -> int {
    if (key.size() < prefix_size + 2) return -1;
    return (static_cast<uint8_t>(key[prefix_size]) << 8) |
           static_cast<uint8_t>(key[prefix_size + 1]);
  };
  // Per table: the key groups of its first and last entries, and if they are not both in
  // range, whether any entry lies in range.
  it->SeekToFirst();
  while (it->Valid()) {
    const std::string prefix(TablePrefixOf(AsView(it->key())));
    if (prefix.empty())
      return Status::Corruption(context + ": holds a key that is not a state key");
    const int first = key_group_of(AsView(it->key()), prefix.size());
    const std::string next_table = PrefixSuccessor(prefix);
    it->SeekForPrev(next_table);
    if (it->Valid() && it->key().compare(next_table) == 0) it->Prev();
    const int last = it->Valid() ? key_group_of(AsView(it->key()), prefix.size()) : -1;
    if (first < 0 || last < 0) {
      return Status::Corruption(context + ": holds a key without a key group");
    }
    if (first >= range.begin && last < range.end) {
      any = true;
    } else {
      all = false;
      if (!any) {
        std::string begin_key = prefix, end_key = prefix;
        AppendKeyGroup(&begin_key, range.begin);
        AppendKeyGroup(&end_key, range.end);
        it->Seek(begin_key);
        if (it->Valid() && it->key().compare(end_key) < 0) any = true;
      }
    }
    it->Seek(next_table);
  }
  if (!it->status().ok()) return FromRocks(it->status(), context);
  if (!any) return RangeCoverage::kNone;
  return all ? RangeCoverage::kAll : RangeCoverage::kSome;
}

Status RocksDbStateBackend::AdoptSnapshot(const std::string& dir) {
  const std::string context = "restore RocksDB state snapshot " + dir;
  {
    // Every block, of every SST file, against its checksum: after this the files are
    // used as they are.
    ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> snapshot, OpenSnapshot(dir));
    rocksdb::ReadOptions read;
    read.fill_cache = false;
    read.readahead_size = 2 << 20;
    rocksdb::Status s = snapshot->VerifyChecksum(read);
    if (!s.ok()) return FromRocks(s, context);
  }
  db_.reset();
  RETURN_IF_ERROR(fs_->RemoveAll(db_dir_));
  RETURN_IF_ERROR(fs_->CreateDirs(db_dir_));
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs_->ListDir(dir));
  std::set<uint64_t> ssts;
  for (const auto& name : names) {
    const std::string from = JoinPath(dir, name);
    const std::string to = JoinPath(db_dir_, name);
    uint64_t number = 0;
    std::error_code ec;
    if (ParseSstNumber(name, &number)) {
      // SST files are immutable: the live database may share them with the snapshot.
      // Across file systems they are copied.
      std::filesystem::create_hard_link(from, to, ec);
      if (ec) std::filesystem::copy_file(from, to, ec);
      ssts.insert(number);
    } else {
      // The MANIFEST, CURRENT, OPTIONS and WAL files are written to by the live database:
      // it gets its own copies.
      std::filesystem::copy_file(from, to, ec);
    }
    if (ec) return Status::IOError(context + ": copy " + from + " to " + to + ": " + ec.message());
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(*options_, db_dir_, &db);
  if (!s.ok()) return FromRocks(s, context + ": open " + db_dir_);
  db_.reset(db);
  // The next snapshot shares these files with the one restored from.
  previous_snapshot_ssts_ = std::move(ssts);
  return Status::OK();
}

Status RocksDbStateBackend::CopyRange(const std::string& dir, KeyGroupRange range,
                                      int* sst_sequence) {
  const std::string context = "restore RocksDB state snapshot " + dir;
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> snapshot, OpenSnapshot(dir));
  // Every block read is checked against its checksum; blocks of key groups outside
  // `range` are not read, and do not matter to this instance.
  rocksdb::ReadOptions read;
  read.verify_checksums = true;
  read.fill_cache = false;
  read.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(snapshot->NewIterator(read));
  RETURN_IF_ERROR(fs_->CreateDirs(restore_dir_));

  // The snapshot is read in key order (table by table, each table's range of key
  // groups), which is the order an SST file must be written in.
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), *options_);
  rocksdb::Status s;
  bool writing = false;
  std::vector<std::string> files;
  std::string begin_key, end_key;
  it->SeekToFirst();
  while (it->Valid()) {
    std::string prefix(TablePrefixOf(AsView(it->key())));
    if (prefix.empty())
      return Status::Corruption(context + ": holds a key that is not a state key");
    begin_key = prefix;
    AppendKeyGroup(&begin_key, range.begin);
    end_key = prefix;
    AppendKeyGroup(&end_key, range.end);
    if (it->key().compare(begin_key) < 0) it->Seek(begin_key);
    for (; it->Valid() && it->key().compare(end_key) < 0; it->Next()) {
      if (it->key().size() < prefix.size() + 2) {
        return Status::Corruption(context + ": holds a key without a key group");
      }
      if (!writing) {
        files.push_back(JoinPath(restore_dir_, fmt::format("{:06}.sst", (*sst_sequence)++)));
        s = writer.Open(files.back());
        if (!s.ok()) return FromRocks(s, context + ": create " + files.back());
        writing = true;
      }
      s = writer.Put(it->key(), it->value());
      if (!s.ok()) return FromRocks(s, context + ": write " + files.back());
      if (writer.FileSize() >= kRestoreFileBytes) {
        s = writer.Finish();
        if (!s.ok()) return FromRocks(s, context + ": finish " + files.back());
        writing = false;
      }
    }
    if (!it->Valid()) break;
    it->Seek(PrefixSuccessor(prefix));
  }
  if (!it->status().ok()) return FromRocks(it->status(), context);
  if (writing) {
    s = writer.Finish();
    if (!s.ok()) return FromRocks(s, context + ": finish " + files.back());
  }
  it.reset();
  snapshot.reset();
  if (files.empty()) return Status::OK();

  // The files of one snapshot do not overlap each other; the files of different
  // snapshots may (they should not, as each instance owned its own key groups), and
  // then the later snapshot's entries win.
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;
  ingest.snapshot_consistency = false;
  ingest.write_global_seqno = false;
  s = db_->IngestExternalFile(files, ingest);
  if (!s.ok()) return FromRocks(s, context + ": ingest into " + db_dir_);
  return Status::OK();
}

}  // namespace eddy::state
