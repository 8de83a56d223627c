#include "src/base/status.h"

#include <cstring>

namespace eddy {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "Invalid argument";
    case StatusCode::kNotFound: return "Not found";
    case StatusCode::kAlreadyExists: return "Already exists";
    case StatusCode::kCorruption: return "Corruption";
    case StatusCode::kIOError: return "I/O error";
    case StatusCode::kOutOfRange: return "Out of range";
    case StatusCode::kResourceExhausted: return "Resource exhausted";
    case StatusCode::kFailedPrecondition: return "Failed precondition";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kTimedOut: return "Timed out";
    case StatusCode::kCancelled: return "Cancelled";
    case StatusCode::kInternal: return "Internal error";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string message) {
  if (code != StatusCode::kOk) {
    state_ = std::make_shared<const State>(State{code, std::move(message)});
  }
}

Status Status::FromErrno(int errno_value, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += std::strerror(errno_value);
  StatusCode code = StatusCode::kIOError;
  if (errno_value == ENOENT) code = StatusCode::kNotFound;
  if (errno_value == EEXIST) code = StatusCode::kAlreadyExists;
  if (errno_value == ENOSPC || errno_value == EDQUOT) code = StatusCode::kResourceExhausted;
  return Status(code, std::move(msg));
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(state_->code));
  out += ": ";
  out += state_->message;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += state_->message;
  Status out(state_->code, std::move(msg));
  return out.WithDetail(state_->detail);
}

Status Status::WithDetail(int detail) const {
  if (ok()) return *this;
  Status out;
  out.state_ = std::make_shared<const State>(State{state_->code, state_->message, detail});
  return out;
}

}  // namespace eddy
