#pragma once
// The topic.conf file of a topic directory: key=value lines with Kafka's config names
// (retention.ms, segment.bytes, ...) plus "partitions". TopicConfig itself, with
// Set/ToPairs/Validate, is declared in log.h.

#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/log/log.h"

namespace eddy::log {

/// The text of a topic.conf: a comment line, then "partitions" and every setting.
std::string FormatTopicConf(const TopicConfig& config);

/// Reads a topic.conf. Blank lines and lines starting with '#' are skipped; an unknown
/// key, a bad value or a missing "partitions" is a Corruption naming "path" and line.
Result<TopicConfig> ParseTopicConf(std::string_view text, const std::string& path);

}  // namespace eddy::log
