#pragma once
// Builds the Statuses the log returns: a generic code, a message that names the thing
// at fault, and the LogError detail the Kafka front end maps to a Kafka error code.

#include <string>
#include <string_view>

#include "src/base/status.h"
#include "src/log/log_error.h"

namespace eddy::log {

inline Status LogStatus(StatusCode code, LogError error, std::string message) {
  return Status(code, std::move(message)).WithDetail(static_cast<int>(error));
}

/// "status" (an I/O failure) marked as kStorage, with "context: " in front.
inline Status StorageError(const Status& status, std::string_view context = {}) {
  Status with_context = context.empty() ? status : status.WithContext(context);
  return with_context.WithDetail(static_cast<int>(LogError::kStorage));
}

}  // namespace eddy::log
