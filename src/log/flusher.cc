#include "src/log/flusher.h"

#include <chrono>

namespace eddy::log {

Flusher::Flusher(Durability durability) : durability_(durability) {
  thread_ = std::thread([this] { Run(); });
}

Flusher::~Flusher() { Stop(); }

void Flusher::Schedule(std::shared_ptr<FlushTarget> target, bool urgent) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  queued_.push_back(std::move(target));
  if (urgent && !urgent_) {
    urgent_ = true;
    wake_.notify_one();
  }
}

void Flusher::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void Flusher::Run() {
  using Clock = std::chrono::steady_clock;
  const bool ticking = durability_.policy == FsyncPolicy::kInterval;
  const auto interval = std::chrono::milliseconds(std::max<int64_t>(1, durability_.interval_ms));
  auto next_tick = Clock::now() + interval;
  std::unique_lock lock(mu_);
  while (true) {
    if (ticking) {
      wake_.wait_until(lock, next_tick, [&] { return stopping_ || urgent_; });
      if (Clock::now() >= next_tick) next_tick = Clock::now() + interval;
    } else {
      wake_.wait(lock, [&] { return stopping_ || urgent_; });
    }
    // Everything queued rides along, urgent or not: an early sync is never wrong.
    std::vector<std::shared_ptr<FlushTarget>> round;
    round.swap(queued_);
    urgent_ = false;
    const bool last_round = stopping_;
    lock.unlock();
    for (const auto& target : round) target->Flush();
    round.clear();
    lock.lock();
    if (last_round && queued_.empty()) return;
  }
}

}  // namespace eddy::log
