#include "src/engine/window_spec.h"

namespace eddy::engine {

Status WindowSpec::Validate() const {
  switch (kind_) {
    case WindowKind::kTumbling:
      if (size_ms_ <= 0) {
        return Status::InvalidArgument("tumbling window size must be positive, got " +
                                       std::to_string(size_ms_) + " ms");
      }
      return Status::OK();
    case WindowKind::kHopping:
      if (size_ms_ <= 0 || slide_ms_ <= 0 || slide_ms_ > size_ms_) {
        return Status::InvalidArgument("hopping window needs 0 < slide <= size, got size " +
                                       std::to_string(size_ms_) + " ms and slide " +
                                       std::to_string(slide_ms_) + " ms");
      }
      return Status::OK();
    case WindowKind::kSession:
      if (size_ms_ <= 0) {
        return Status::InvalidArgument("session gap must be positive, got " +
                                       std::to_string(size_ms_) + " ms");
      }
      return Status::OK();
  }
  return Status::InvalidArgument("unknown window kind");
}

std::string WindowSpec::ToString() const {
  switch (kind_) {
    case WindowKind::kTumbling:
      return "tumbling(" + std::to_string(size_ms_) + ")";
    case WindowKind::kHopping:
      return "hopping(" + std::to_string(size_ms_) + ", " + std::to_string(slide_ms_) + ")";
    case WindowKind::kSession:
      return "session(gap " + std::to_string(size_ms_) + ")";
  }
  return "window(?)";
}

}  // namespace eddy::engine
