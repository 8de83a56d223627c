#include "src/log/log_format.h"

#include <charconv>

namespace eddy::log {

std::string SegmentFileName(int64_t base_offset, std::string_view suffix) {
  std::string digits = std::to_string(base_offset);
  std::string name(kSegmentNameDigits > digits.size() ? kSegmentNameDigits - digits.size() : 0,
                   '0');
  name += digits;
  name += suffix;
  return name;
}

std::optional<int64_t> ParseSegmentFileName(std::string_view name, std::string_view suffix) {
  if (name.size() != kSegmentNameDigits + suffix.size()) return std::nullopt;
  if (name.substr(kSegmentNameDigits) != suffix) return std::nullopt;
  std::string_view digits = name.substr(0, kSegmentNameDigits);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace eddy::log
