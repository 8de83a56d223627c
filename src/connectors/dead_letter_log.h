#pragma once
// DeadLetterLog: counts a source's bad records (records that do not fit its schema) and
// logs them without flooding the log: the first few each with its place and reason,
// then one line at every power of ten with the count so far and the latest reason.
// Not thread-safe: one per source instance.

#include <cstdint>
#include <string>
#include <string_view>

namespace eddy::connectors {

class DeadLetterLog {
 public:
  /// Records logged one by one before only counts are.
  static constexpr uint64_t kLogFirst = 5;

  /// `source` names the source in every line ("log source orders", "file source a.csv").
  explicit DeadLetterLog(std::string source) : source_(std::move(source)) {}

  /// One bad record at `where` ("partition 2 offset 17", "a.csv:12") for `reason`.
  void Report(std::string_view where, std::string_view reason);
  uint64_t count() const { return count_; }
  /// Logs the total when not every record was logged one by one (at Close).
  void LogSummary() const;

 private:
  std::string source_;
  uint64_t count_ = 0;
  uint64_t next_summary_ = 10;
};

}  // namespace eddy::connectors
