#include "src/kafka/broker/memory_budget.h"

#include <vector>

namespace eddy::kafka {

bool MemoryBudget::FitsLocked(size_t bytes) const {
  return in_use_ == 0 || in_use_ + bytes <= capacity_;
}

void MemoryBudget::Acquire(size_t bytes, std::function<void()> granted) {
  {
    std::lock_guard lock(mutex_);
    if (!waiters_.empty() || !FitsLocked(bytes)) {
      waiters_.push_back({bytes, std::move(granted)});
      return;
    }
    in_use_ += bytes;
  }
  granted();
}

void MemoryBudget::Release(size_t bytes) {
  std::vector<std::function<void()>> ready;
  {
    std::lock_guard lock(mutex_);
    in_use_ -= bytes;
    while (!waiters_.empty() && FitsLocked(waiters_.front().bytes)) {
      in_use_ += waiters_.front().bytes;
      ready.push_back(std::move(waiters_.front().granted));
      waiters_.pop_front();
    }
  }
  for (auto& g : ready) g();
}

size_t MemoryBudget::in_use() const {
  std::lock_guard lock(mutex_);
  return in_use_;
}

}  // namespace eddy::kafka
