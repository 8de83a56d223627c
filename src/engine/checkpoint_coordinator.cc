#include "src/engine/checkpoint_coordinator.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace eddy::engine {

using checkpoint::CheckpointKind;

CheckpointCoordinator::CheckpointCoordinator(CoordinatorOptions options,
                                             checkpoint::CheckpointStore* store, int num_tasks,
                                             int64_t first_id)
    : options_(std::move(options)), store_(store), num_tasks_(num_tasks), next_id_(first_id) {}

CheckpointCoordinator::~CheckpointCoordinator() { Stop(); }

void CheckpointCoordinator::Start() {
  if (options_.interval_ms <= 0) return;
  thread_ = std::thread([this] { Loop(); });
}

void CheckpointCoordinator::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    if (in_flight_) AbortLocked(Status::Unavailable("the job stopped"));
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CheckpointCoordinator::Loop() {
  const auto interval = std::chrono::milliseconds(options_.interval_ms);
  std::unique_lock lock(mutex_);
  auto next = std::chrono::steady_clock::now() + interval;
  while (!stopping_) {
    wake_.wait_until(lock, next, [&] { return stopping_; });
    if (stopping_) break;
    const auto now = std::chrono::steady_clock::now();
    if (in_flight_ && options_.clock->NowMs() - in_flight_->started_ms > options_.timeout_ms) {
      AbortLocked(
          Status::Unavailable("not complete after " + std::to_string(options_.timeout_ms) + " ms"));
    }
    if (now < next) continue;
    next = now + interval;
    if (in_flight_ || ended_) continue;
    Result<std::shared_future<Result<CheckpointStats>>> started =
        TriggerLocked(CheckpointKind::kCheckpoint, "");
    if (!started.ok()) spdlog::error("cannot start a checkpoint: {}", started.status().ToString());
  }
}

Result<std::shared_future<Result<CheckpointStats>>> CheckpointCoordinator::TriggerLocked(
    CheckpointKind kind, const std::string& savepoint_dir) {
  auto flight = std::make_unique<InFlight>();
  flight->id = next_id_++;
  flight->kind = kind;
  if (kind == CheckpointKind::kSavepoint) {
    flight->path = savepoint_dir;
    if (FileSystem::Default()->Exists(savepoint_dir)) {
      return Status::AlreadyExists("savepoint directory " + savepoint_dir + " already exists");
    }
    RETURN_IF_ERROR(FileSystem::Default()->CreateDirs(savepoint_dir));
  } else {
    flight->path = store_->PathOf(flight->id);
    RETURN_IF_ERROR(store_->Begin(flight->id));
  }
  flight->started_ms = options_.clock->NowMs();
  flight->manifest.id = flight->id;
  flight->manifest.kind = kind;
  flight->manifest.pipeline = options_.pipeline;
  flight->manifest.backend = options_.backend;
  flight->manifest.created_ms = flight->started_ms;
  std::shared_future<Result<CheckpointStats>> done = flight->done.get_future().share();
  const int64_t id = flight->id;
  in_flight_ = std::move(flight);
  barrier_request_.store(id, std::memory_order_release);
  return done;
}

std::string CheckpointCoordinator::PathOf(int64_t id) const {
  std::lock_guard lock(mutex_);
  return in_flight_ && in_flight_->id == id ? in_flight_->path : std::string();
}

void CheckpointCoordinator::Acknowledge(int64_t id, const checkpoint::Manifest::Task& entry,
                                        int64_t alignment_ms) {
  std::lock_guard lock(mutex_);
  if (!in_flight_ || in_flight_->id != id) return;  // aborted meanwhile
  in_flight_->manifest.tasks.push_back(entry);
  in_flight_->max_alignment_ms = std::max(in_flight_->max_alignment_ms, alignment_ms);
  if (static_cast<int>(in_flight_->manifest.tasks.size()) == num_tasks_) CompleteLocked();
}

void CheckpointCoordinator::Decline(int64_t id, const Status& reason) {
  std::lock_guard lock(mutex_);
  if (in_flight_ && in_flight_->id == id) AbortLocked(reason);
}

void CheckpointCoordinator::TaskEnded() {
  std::lock_guard lock(mutex_);
  ended_ = true;
  if (in_flight_) AbortLocked(Status::Unavailable("a task ended (end of input)"));
}

void CheckpointCoordinator::CompleteLocked() {
  InFlight& f = *in_flight_;
  std::sort(f.manifest.tasks.begin(), f.manifest.tasks.end(), [](const auto& a, const auto& b) {
    return std::tie(a.task_index, a.instance) < std::tie(b.task_index, b.instance);
  });
  Status written = store_->Complete(f.path, f.manifest);
  if (!written.ok()) {
    AbortLocked(written.WithContext("writing the manifest"));
    return;
  }
  CheckpointStats stats;
  stats.id = f.id;
  stats.kind = f.kind;
  stats.path = f.path;
  stats.duration_ms = options_.clock->NowMs() - f.started_ms;
  stats.max_alignment_ms = f.max_alignment_ms;
  for (const auto& t : f.manifest.tasks) {
    stats.state_bytes += t.state_bytes;
    stats.meta_bytes += t.meta_bytes;
  }
  const bool savepoint = f.kind == CheckpointKind::kSavepoint;
  spdlog::info(
      "{} {} of pipeline {} complete: {} tasks, {} bytes of state, {} bytes of "
      "positions and pending output, {} ms (longest alignment {} ms){}{}",
      savepoint ? "savepoint" : "checkpoint", f.id, options_.pipeline, f.manifest.tasks.size(),
      stats.state_bytes, stats.meta_bytes, stats.duration_ms, stats.max_alignment_ms,
      savepoint ? " in " : "", savepoint ? f.path : "");
  // Savepoints are not checkpoints to commit on: sinks commit on the next checkpoint.
  if (!savepoint) completed_.store(f.id, std::memory_order_release);
  completed_count_.fetch_add(1);
  last_completed_ = stats;
  f.done.set_value(stats);
  in_flight_.reset();
  if (!savepoint) {
    Status pruned = store_->Prune();
    if (!pruned.ok()) spdlog::warn("pruning old checkpoints: {}", pruned.ToString());
  }
  wake_.notify_all();
}

void CheckpointCoordinator::AbortLocked(const Status& reason) {
  InFlight& f = *in_flight_;
  spdlog::warn("{} {} of pipeline {} aborted: {}",
               f.kind == CheckpointKind::kSavepoint ? "savepoint" : "checkpoint", f.id,
               options_.pipeline, reason.ToString());
  if (f.kind == CheckpointKind::kCheckpoint) {
    Status removed = store_->Discard(f.id);
    if (!removed.ok()) spdlog::warn("removing aborted checkpoint {}: {}", f.id, removed.ToString());
  } else {
    (void)FileSystem::Default()->RemoveAll(f.path);
  }
  aborted_count_.fetch_add(1);
  f.done.set_value(reason);
  in_flight_.reset();
  wake_.notify_all();
}

Result<CheckpointStats> CheckpointCoordinator::TriggerSavepoint(const std::string& dir) {
  std::shared_future<Result<CheckpointStats>> done;
  {
    std::unique_lock lock(mutex_);
    wake_.wait(lock, [&] { return !in_flight_ || stopping_; });
    if (stopping_) return Status::Unavailable("the job is stopping");
    if (ended_) return Status::FailedPrecondition("the job's input has ended");
    ASSIGN_OR_RETURN(done, TriggerLocked(CheckpointKind::kSavepoint, dir));
  }
  if (done.wait_for(std::chrono::milliseconds(options_.timeout_ms)) != std::future_status::ready) {
    std::lock_guard lock(mutex_);
    if (in_flight_ && in_flight_->kind == CheckpointKind::kSavepoint) {
      AbortLocked(Status::Unavailable("savepoint timed out"));
    }
  }
  return done.get();
}

std::optional<CheckpointStats> CheckpointCoordinator::last_completed() const {
  std::lock_guard lock(mutex_);
  return last_completed_;
}

}  // namespace eddy::engine
