#pragma once
// Timestamps as text: ISO-8601 / RFC 3339 date-times <-> epoch milliseconds (UTC).
// Used where events carry their time as text (JSON strings, CSV cells).

#include <cstdint>
#include <string>
#include <string_view>

#include "src/base/status.h"

namespace eddy::connectors {

/// Parses an ISO-8601 date-time into epoch milliseconds. Accepted forms:
///   "2026-11-25"                       (midnight UTC)
///   "2026-11-25T12:00", "2026-11-25T12:00:00"
///   "2026-11-25T12:00:00.5", ... up to 9 fraction digits (truncated to milliseconds)
/// with 'T', 't' or ' ' between date and time, and an optional zone: "Z", "z",
/// "+02:00", "-0530", "+02" (no zone means UTC). Years 0000-9999. Fails
/// (InvalidArgument) on anything else, naming the text.
Result<int64_t> ParseIsoTimestampMs(std::string_view text);

/// Formats epoch milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC).
std::string FormatIsoTimestampMs(int64_t epoch_ms);

}  // namespace eddy::connectors
