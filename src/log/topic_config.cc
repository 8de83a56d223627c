#include "src/log/topic_config.h"

#include <charconv>
#include <limits>

#include "src/log/log_status.h"

namespace eddy::log {
namespace {

Status InvalidConfig(std::string message) {
  return LogStatus(StatusCode::kInvalidArgument, LogError::kInvalidConfig, std::move(message));
}

Result<int64_t> ParseInt(std::string_view key, std::string_view value) {
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
    return InvalidConfig(std::string(key) + ": '" + std::string(value) + "' is not an integer");
  }
  return parsed;
}

Status CheckRange(std::string_view key, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    return InvalidConfig(std::string(key) + ": " + std::to_string(value) + " is outside [" +
                         std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return Status::OK();
}

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kMaxPartitions = 10'000;
// Below this a segment could not hold even one batch header.
constexpr int64_t kMinSegmentBytes = 14;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Status TopicConfig::Set(std::string_view key, std::string_view value) {
  ASSIGN_OR_RETURN(int64_t v, ParseInt(key, Trim(value)));
  if (key == "partitions") {
    RETURN_IF_ERROR(CheckRange(key, v, 1, kMaxPartitions));
    partitions = static_cast<int32_t>(v);
  } else if (key == "segment.bytes") {
    RETURN_IF_ERROR(CheckRange(key, v, kMinSegmentBytes, kInt32Max));
    segment_bytes = v;
  } else if (key == "segment.ms") {
    RETURN_IF_ERROR(CheckRange(key, v, 1, kInt64Max));
    segment_ms = v;
  } else if (key == "retention.bytes") {
    RETURN_IF_ERROR(CheckRange(key, v, -1, kInt64Max));
    retention_bytes = v;
  } else if (key == "retention.ms") {
    RETURN_IF_ERROR(CheckRange(key, v, -1, kInt64Max));
    retention_ms = v;
  } else if (key == "max.message.bytes") {
    RETURN_IF_ERROR(CheckRange(key, v, 0, kInt32Max));
    max_message_bytes = static_cast<int32_t>(v);
  } else if (key == "index.interval.bytes") {
    RETURN_IF_ERROR(CheckRange(key, v, 0, kInt32Max));
    index_interval_bytes = static_cast<int32_t>(v);
  } else {
    return InvalidConfig("unknown topic config '" + std::string(key) + "'");
  }
  return Status::OK();
}

std::vector<std::pair<std::string, std::string>> TopicConfig::ToPairs() const {
  return {
      {"retention.ms", std::to_string(retention_ms)},
      {"retention.bytes", std::to_string(retention_bytes)},
      {"segment.bytes", std::to_string(segment_bytes)},
      {"segment.ms", std::to_string(segment_ms)},
      {"max.message.bytes", std::to_string(max_message_bytes)},
      {"index.interval.bytes", std::to_string(index_interval_bytes)},
  };
}

Status TopicConfig::Validate() const {
  RETURN_IF_ERROR(CheckRange("partitions", partitions, 1, kMaxPartitions));
  TopicConfig copy;
  for (const auto& [key, value] : ToPairs()) RETURN_IF_ERROR(copy.Set(key, value));
  return Status::OK();
}

std::string FormatTopicConf(const TopicConfig& config) {
  std::string text = "# eddy topic configuration (Kafka config names)\n";
  text += "partitions=" + std::to_string(config.partitions) + "\n";
  for (const auto& [key, value] : config.ToPairs()) text += key + "=" + value + "\n";
  return text;
}

Result<TopicConfig> ParseTopicConf(std::string_view text, const std::string& path) {
  TopicConfig config;
  bool has_partitions = false;
  int line_number = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = Trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const std::string where = path + ":" + std::to_string(line_number);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return Status::Corruption(where + ": expected key=value, found '" + std::string(line) + "'");
    }
    std::string_view key = Trim(line.substr(0, eq));
    if (Status set = config.Set(key, line.substr(eq + 1)); !set.ok()) {
      return Status::Corruption(where + ": " + set.message());
    }
    has_partitions = has_partitions || key == "partitions";
  }
  if (!has_partitions) return Status::Corruption(path + ": no 'partitions' line");
  return config;
}

Status ValidateTopicName(std::string_view name) {
  auto invalid = [&](std::string why) {
    return LogStatus(StatusCode::kInvalidArgument, LogError::kInvalidTopicName,
                     "invalid topic name '" + std::string(name) + "': " + why);
  };
  if (name.empty()) return invalid("it is empty");
  if (name.size() > 249) return invalid("longer than 249 characters");
  if (name == "." || name == "..") return invalid("'.' and '..' are not allowed");
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return invalid("only letters, digits, '.', '_' and '-' are allowed");
  }
  return Status::OK();
}

Result<Durability> ParseDurability(std::string_view text) {
  Durability d;
  if (text == "always") {
    d.policy = FsyncPolicy::kAlways;
  } else if (text == "never") {
    d.policy = FsyncPolicy::kNever;
  } else if (text.starts_with("interval:")) {
    std::string_view ms = text.substr(9);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), value);
    if (ms.empty() || ec != std::errc() || end != ms.data() + ms.size() || value <= 0) {
      return Status::InvalidArgument("durability '" + std::string(text) +
                                     "': the interval must be a positive number of milliseconds");
    }
    d.policy = FsyncPolicy::kInterval;
    d.interval_ms = value;
  } else {
    return Status::InvalidArgument("durability '" + std::string(text) +
                                   "': expected always, never or interval:MS");
  }
  return d;
}

std::string DurabilityToString(const Durability& d) {
  switch (d.policy) {
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kNever:
      return "never";
    case FsyncPolicy::kInterval:
      return "interval:" + std::to_string(d.interval_ms);
  }
  return "always";
}

}  // namespace eddy::log
