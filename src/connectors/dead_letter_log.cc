#include "src/connectors/dead_letter_log.h"

#include <spdlog/spdlog.h>

namespace eddy::connectors {

void DeadLetterLog::Report(std::string_view where, std::string_view reason) {
  ++count_;
  if (count_ <= kLogFirst) {
    spdlog::warn("{}: skipping bad record at {}: {}", source_, where, reason);
    if (count_ == kLogFirst) {
      spdlog::warn("{}: further bad records are only counted (logged at 10, 100, ...)", source_);
    }
    return;
  }
  if (count_ == next_summary_) {
    spdlog::warn("{}: {} bad records so far; the latest at {}: {}", source_, count_, where, reason);
    next_summary_ *= 10;
  }
}

void DeadLetterLog::LogSummary() const {
  if (count_ > kLogFirst) spdlog::warn("{}: {} bad records in all", source_, count_);
}

}  // namespace eddy::connectors
