#include "src/log/log.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "src/log/flusher.h"
#include "src/log/log_format.h"
#include "src/log/log_status.h"
#include "src/log/partition_impl.h"
#include "src/log/topic_config.h"

namespace eddy::log {
namespace {

// Producer ids are handed out from blocks; only a block's upper bound is written, so
// an id costs a disk write once per block, and a restart skips the rest of the block.
constexpr int64_t kProducerIdBlock = 1000;

Status UnknownTopic(const std::string& name) {
  return LogStatus(StatusCode::kNotFound, LogError::kUnknownTopicOrPartition,
                   "unknown topic '" + name + "'");
}

/// Thread safety: admin_mu_ serialises topic creation, deletion, changes and Close;
/// topics_mu_ guards the topic map for lookups (writers hold both).
class LogImpl final : public Log {
 public:
  explicit LogImpl(const LogOptions& options) : options_(options) {}
  ~LogImpl() override;

  Status Init();

  Result<TopicInfo> CreateTopic(const std::string& name, const TopicConfig& config) override;
  Status DeleteTopic(const std::string& name) override;
  Status DeleteTopicLocked(const std::string& name,
                           std::vector<std::function<void()>>* notifications);
  std::vector<TopicInfo> ListTopics() const override;
  Result<TopicInfo> DescribeTopic(const std::string& name) const override;
  Status AlterTopic(const std::string& name, const TopicConfig& config) override;
  Result<std::shared_ptr<Partition>> GetPartition(const std::string& topic,
                                                  PartitionId partition) const override;
  Result<ProducerId> AllocateProducerId() override;
  const LogOptions& options() const override { return options_; }
  Status EnforceRetention() override;
  Status Close() override;

 private:
  struct Topic {
    TopicConfig config;
    std::vector<std::shared_ptr<PartitionImpl>> partitions;
  };

  std::string TopicsDir() const { return JoinPath(options_.data_dir, std::string(kTopicsDirName)); }
  std::string TopicDir(const std::string& name) const { return JoinPath(TopicsDir(), name); }
  std::string PartitionDir(const std::string& name, int32_t p) const {
    return JoinPath(TopicDir(name), std::to_string(p));
  }
  PartitionEnv Env() const {
    return PartitionEnv{options_.fs, options_.clock, options_.durability, flusher_.get()};
  }
  Status CheckOpen() const;
  Status LoadProducerIds();
  Status LoadTopic(const std::string& name, bool clean_shutdown);
  std::vector<std::shared_ptr<PartitionImpl>> AllPartitions() const;
  void RunRetention();
  void StopRetention();

  const LogOptions options_;
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<Flusher> flusher_;
  bool opened_ = false;

  std::mutex admin_mu_;
  std::atomic<bool> closed_{false};
  mutable std::shared_mutex topics_mu_;
  std::map<std::string, Topic> topics_;  // guarded by topics_mu_
  uint64_t deletions_ = 0;               // guarded by admin_mu_

  std::mutex producer_ids_mu_;
  int64_t next_producer_id_ = 0;   // guarded by producer_ids_mu_
  int64_t producer_id_limit_ = 0;  // written to disk before ids below it are handed out

  std::mutex retention_mu_;
  std::condition_variable retention_wake_;
  bool retention_stop_ = false;  // guarded by retention_mu_
  std::thread retention_thread_;
};

LogImpl::~LogImpl() {
  if (opened_ && !closed_) {
    (void)Close();  // logs its outcome
  } else {
    StopRetention();
    if (flusher_) flusher_->Stop();
  }
}

Status LogImpl::CheckOpen() const {
  if (closed_) {
    return LogStatus(StatusCode::kUnavailable, LogError::kShuttingDown,
                     "the log at " + options_.data_dir + " is closed");
  }
  return Status::OK();
}

Status LogImpl::Init() {
  if (options_.fs == nullptr || options_.clock == nullptr || options_.data_dir.empty()) {
    return Status::InvalidArgument("log options need a data_dir, a file system and a clock");
  }
  RETURN_IF_ERROR(options_.default_topic_config.Validate().WithContext("default topic config"));
  FileSystem* fs = options_.fs;
  const int64_t started = options_.clock->MonotonicMs();
  RETURN_IF_ERROR(fs->CreateDirs(options_.data_dir));
  ASSIGN_OR_RETURN(lock_, fs->Lock(JoinPath(options_.data_dir, std::string(kLockFileName))));
  const std::string marker = JoinPath(options_.data_dir, std::string(kCleanShutdownFileName));
  const bool clean = fs->Exists(marker);
  const bool fresh = !fs->Exists(TopicsDir());
  RETURN_IF_ERROR(fs->CreateDirs(TopicsDir()));
  const std::string deleted = JoinPath(options_.data_dir, std::string(kDeletedDirName));
  if (fs->Exists(deleted)) RETURN_IF_ERROR(fs->RemoveAll(deleted));
  RETURN_IF_ERROR(LoadProducerIds());

  flusher_ = std::make_unique<Flusher>(options_.durability);
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs->ListDir(TopicsDir()));
  size_t partitions = 0;
  for (const std::string& name : names) {
    if (!ValidateTopicName(name).ok()) {
      spdlog::warn("ignoring {}: not a topic name", TopicDir(name));
      continue;
    }
    RETURN_IF_ERROR(LoadTopic(name, clean));
    auto it = topics_.find(name);
    if (it != topics_.end()) partitions += it->second.partitions.size();
  }
  if (clean) {
    // From here on a crash must count as unclean.
    RETURN_IF_ERROR(fs->Remove(marker));
    RETURN_IF_ERROR(fs->SyncDir(options_.data_dir));
  }
  retention_thread_ = std::thread([this] { RunRetention(); });
  opened_ = true;
  spdlog::info("opened log at {} ({}): {} topic(s), {} partition(s), durability {}, in {} ms",
               options_.data_dir,
               fresh   ? "new"
               : clean ? "after a clean shutdown"
                       : "after an unclean shutdown",
               topics_.size(), partitions, DurabilityToString(options_.durability),
               options_.clock->MonotonicMs() - started);
  return Status::OK();
}

Status LogImpl::LoadProducerIds() {
  const std::string path = JoinPath(options_.data_dir, std::string(kProducerIdsFileName));
  if (!options_.fs->Exists(path)) return Status::OK();
  ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, options_.fs->ReadFile(path));
  std::string_view text = AsStringView(bytes);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return Status::Corruption(path + ": expected the next producer id, found '" +
                              std::string(text) + "'");
  }
  next_producer_id_ = value;
  producer_id_limit_ = value;
  return Status::OK();
}

Status LogImpl::LoadTopic(const std::string& name, bool clean_shutdown) {
  FileSystem* fs = options_.fs;
  const std::string conf_path = JoinPath(TopicDir(name), std::string(kTopicConfFileName));
  if (!fs->Exists(conf_path)) {
    // topic.conf is written last when a topic is created: without it the creation
    // never finished, and nobody was told the topic exists.
    spdlog::warn("removing {}: its creation did not finish (no {})", TopicDir(name),
                 kTopicConfFileName);
    return fs->RemoveAll(TopicDir(name));
  }
  ASSIGN_OR_RETURN(std::vector<uint8_t> text, fs->ReadFile(conf_path));
  ASSIGN_OR_RETURN(TopicConfig config, ParseTopicConf(AsStringView(text), conf_path));
  Topic topic{config, {}};
  for (int32_t p = 0; p < config.partitions; ++p) {
    ASSIGN_OR_RETURN(auto partition,
                     PartitionImpl::Open(Env(), name, PartitionId(p), PartitionDir(name, p), config,
                                         clean_shutdown));
    topic.partitions.push_back(std::move(partition));
  }
  std::unique_lock lock(topics_mu_);
  topics_.emplace(name, std::move(topic));
  return Status::OK();
}

Result<TopicInfo> LogImpl::CreateTopic(const std::string& name, const TopicConfig& config) {
  RETURN_IF_ERROR(ValidateTopicName(name));
  RETURN_IF_ERROR(config.Validate().WithContext("topic " + name));
  std::lock_guard admin(admin_mu_);
  RETURN_IF_ERROR(CheckOpen());
  {
    std::shared_lock lock(topics_mu_);
    if (topics_.contains(name)) {
      return LogStatus(StatusCode::kAlreadyExists, LogError::kTopicAlreadyExists,
                       "topic '" + name + "' already exists");
    }
  }
  FileSystem* fs = options_.fs;
  const std::string dir = TopicDir(name);
  auto create = [&]() -> Result<Topic> {
    if (fs->Exists(dir)) RETURN_IF_ERROR(fs->RemoveAll(dir));
    RETURN_IF_ERROR(fs->CreateDirs(dir));
    Topic topic{config, {}};
    for (int32_t p = 0; p < config.partitions; ++p) {
      ASSIGN_OR_RETURN(auto partition, PartitionImpl::Open(Env(), name, PartitionId(p),
                                                           PartitionDir(name, p), config,
                                                           /*clean_shutdown=*/true));
      topic.partitions.push_back(std::move(partition));
    }
    // The commit point: a topic directory without topic.conf is removed at the next open.
    std::string conf = FormatTopicConf(config);
    RETURN_IF_ERROR(
        fs->WriteFileAtomically(JoinPath(dir, std::string(kTopicConfFileName)), AsBytes(conf)));
    RETURN_IF_ERROR(fs->SyncDir(TopicsDir()));
    return topic;
  };
  Result<Topic> created = create();
  if (!created.ok()) {
    // The partitions opened so far die with the lambda; nothing was appended to them.
    (void)fs->RemoveAll(dir);
    return StorageError(created.status(), "creating topic " + name);
  }
  std::string settings;
  for (const auto& [key, value] : config.ToPairs()) settings += " " + key + "=" + value;
  spdlog::info("created topic {} with {} partition(s):{}", name, config.partitions, settings);
  std::unique_lock lock(topics_mu_);
  topics_.emplace(name, std::move(created).value());
  return TopicInfo{name, config};
}

Status LogImpl::DeleteTopic(const std::string& name) {
  std::vector<std::function<void()>> notifications;
  Status result = DeleteTopicLocked(name, &notifications);
  // Callbacks run without the log's locks: they may well call back into the log.
  for (auto& notify : notifications) notify();
  return result;
}

Status LogImpl::DeleteTopicLocked(const std::string& name,
                                  std::vector<std::function<void()>>* notifications) {
  std::lock_guard admin(admin_mu_);
  RETURN_IF_ERROR(CheckOpen());
  Topic topic;
  {
    std::unique_lock lock(topics_mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) return UnknownTopic(name);
    topic = std::move(it->second);
    topics_.erase(it);
  }
  int64_t bytes = 0;
  for (const auto& partition : topic.partitions) {
    notifications->push_back(partition->MarkDeleted());
    bytes += partition->size_bytes();
  }
  // Renaming first makes the deletion atomic: a crash leaves either the whole topic or
  // a directory under deleted/ that the next open removes.
  FileSystem* fs = options_.fs;
  const std::string trash_dir = JoinPath(options_.data_dir, std::string(kDeletedDirName));
  const std::string trash = JoinPath(trash_dir, name + "-" + std::to_string(++deletions_));
  Status removed = fs->CreateDirs(trash_dir);
  if (removed.ok()) removed = fs->Rename(TopicDir(name), trash);
  if (removed.ok()) removed = fs->SyncDir(TopicsDir());
  if (removed.ok()) {
    removed = fs->RemoveAll(trash);
  } else {
    removed = fs->RemoveAll(TopicDir(name));
  }
  if (!removed.ok()) return StorageError(removed, "deleting topic " + name);
  spdlog::info("deleted topic {} ({} partition(s), {} bytes)", name, topic.partitions.size(),
               bytes);
  return Status::OK();
}

std::vector<TopicInfo> LogImpl::ListTopics() const {
  std::shared_lock lock(topics_mu_);
  std::vector<TopicInfo> topics;
  topics.reserve(topics_.size());
  for (const auto& [name, topic] : topics_) topics.push_back(TopicInfo{name, topic.config});
  return topics;
}

Result<TopicInfo> LogImpl::DescribeTopic(const std::string& name) const {
  RETURN_IF_ERROR(CheckOpen());
  std::shared_lock lock(topics_mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return UnknownTopic(name);
  return TopicInfo{name, it->second.config};
}

Status LogImpl::AlterTopic(const std::string& name, const TopicConfig& config) {
  RETURN_IF_ERROR(config.Validate().WithContext("topic " + name));
  std::lock_guard admin(admin_mu_);
  RETURN_IF_ERROR(CheckOpen());
  std::vector<std::shared_ptr<PartitionImpl>> partitions;
  {
    std::shared_lock lock(topics_mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) return UnknownTopic(name);
    if (it->second.config.partitions != config.partitions) {
      return LogStatus(StatusCode::kInvalidArgument, LogError::kInvalidConfig,
                       "topic " + name + ": the partition count (" +
                           std::to_string(it->second.config.partitions) + ") cannot change");
    }
    partitions = it->second.partitions;
  }
  std::string conf = FormatTopicConf(config);
  Status written = options_.fs->WriteFileAtomically(
      JoinPath(TopicDir(name), std::string(kTopicConfFileName)), AsBytes(conf));
  if (!written.ok()) return StorageError(written, "changing the config of topic " + name);
  {
    std::unique_lock lock(topics_mu_);
    topics_[name].config = config;
  }
  for (const auto& partition : partitions) partition->SetConfig(config);
  std::string settings;
  for (const auto& [key, value] : config.ToPairs()) settings += " " + key + "=" + value;
  spdlog::info("changed the config of topic {}:{}", name, settings);
  return Status::OK();
}

Result<std::shared_ptr<Partition>> LogImpl::GetPartition(const std::string& topic,
                                                         PartitionId partition) const {
  RETURN_IF_ERROR(CheckOpen());
  std::shared_lock lock(topics_mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return UnknownTopic(topic);
  const auto& partitions = it->second.partitions;
  if (partition.value() < 0 || static_cast<size_t>(partition.value()) >= partitions.size()) {
    return LogStatus(StatusCode::kNotFound, LogError::kUnknownTopicOrPartition,
                     "topic " + topic + " has no partition " + std::to_string(partition.value()));
  }
  return std::shared_ptr<Partition>(partitions[static_cast<size_t>(partition.value())]);
}

Result<ProducerId> LogImpl::AllocateProducerId() {
  RETURN_IF_ERROR(CheckOpen());
  std::lock_guard lock(producer_ids_mu_);
  if (next_producer_id_ >= producer_id_limit_) {
    const int64_t limit = next_producer_id_ + kProducerIdBlock;
    const std::string text = std::to_string(limit) + "\n";
    Status written = options_.fs->WriteFileAtomically(
        JoinPath(options_.data_dir, std::string(kProducerIdsFileName)), AsBytes(text));
    if (!written.ok()) return StorageError(written, "reserving producer ids");
    producer_id_limit_ = limit;
  }
  return ProducerId(next_producer_id_++);
}

std::vector<std::shared_ptr<PartitionImpl>> LogImpl::AllPartitions() const {
  std::shared_lock lock(topics_mu_);
  std::vector<std::shared_ptr<PartitionImpl>> all;
  for (const auto& [name, topic] : topics_) {
    all.insert(all.end(), topic.partitions.begin(), topic.partitions.end());
  }
  return all;
}

Status LogImpl::EnforceRetention() {
  RETURN_IF_ERROR(CheckOpen());
  Status first_error;
  for (const auto& partition : AllPartitions()) {
    Status st = partition->EnforceRetention();
    if (!st.ok()) {
      spdlog::warn("retention: {}", st.ToString());
      if (first_error.ok()) first_error = st;
    }
  }
  return first_error;
}

void LogImpl::RunRetention() {
  std::unique_lock lock(retention_mu_);
  while (true) {
    retention_wake_.wait_for(lock, std::chrono::milliseconds(options_.retention_check_interval_ms),
                             [&] { return retention_stop_; });
    if (retention_stop_) return;
    lock.unlock();
    (void)EnforceRetention();
    lock.lock();
  }
}

void LogImpl::StopRetention() {
  {
    std::lock_guard lock(retention_mu_);
    retention_stop_ = true;
  }
  retention_wake_.notify_all();
  if (retention_thread_.joinable()) retention_thread_.join();
}

Status LogImpl::Close() {
  {
    // Once closed_ is set no admin operation starts, so the partitions can be closed
    // without the lock: their callbacks must not run under it.
    std::lock_guard admin(admin_mu_);
    RETURN_IF_ERROR(CheckOpen());
    closed_ = true;
  }
  StopRetention();
  Status result;
  for (const auto& partition : AllPartitions()) {
    Status st = partition->Close();
    if (!st.ok() && result.ok()) result = st;
  }
  flusher_->Stop();
  if (result.ok()) {
    const std::string marker = JoinPath(options_.data_dir, std::string(kCleanShutdownFileName));
    result = options_.fs->WriteFileAtomically(marker, AsBytes(std::string_view("clean\n")));
  }
  lock_.reset();
  if (result.ok()) {
    spdlog::info("closed log at {} (clean shutdown)", options_.data_dir);
  } else {
    spdlog::error("closed log at {} without a clean shutdown marker: {}", options_.data_dir,
                  result.ToString());
  }
  return result;
}

}  // namespace

Result<std::unique_ptr<Log>> Log::Open(const LogOptions& options) {
  auto log = std::make_unique<LogImpl>(options);
  RETURN_IF_ERROR(log->Init());
  return std::unique_ptr<Log>(std::move(log));
}

Result<ReadResult> ReadWait(Partition& partition, Offset from, const ReadOptions& options,
                            int64_t max_wait_ms) {
  ASSIGN_OR_RETURN(ReadResult result, partition.Read(from, options));
  if (!result.bytes.empty() || max_wait_ms <= 0 || from < result.high_watermark) return result;
  // Shared with the watch callback, which may run after this function returned.
  struct Wakeup {
    std::mutex mu;
    std::condition_variable cv;
    bool woken = false;
  };
  auto wakeup = std::make_shared<Wakeup>();
  WatchId id = partition.Watch(from, [wakeup] {
    std::lock_guard lock(wakeup->mu);
    wakeup->woken = true;
    wakeup->cv.notify_all();
  });
  {
    std::unique_lock lock(wakeup->mu);
    wakeup->cv.wait_for(lock, std::chrono::milliseconds(max_wait_ms),
                        [&] { return wakeup->woken; });
  }
  partition.Unwatch(id);
  Result<ReadResult> again = partition.Read(from, options);
  // A partition closed while waiting answers with what the first read saw.
  if (!again.ok() && LogErrorOf(again.status()) == LogError::kShuttingDown) return result;
  return again;
}

}  // namespace eddy::log
