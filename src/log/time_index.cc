#include "src/log/time_index.h"

#include "src/base/bytes.h"
#include "src/log/log_format.h"

namespace eddy::log {

/// An entry on disk: i64 timestamp, u32 offset relative to the segment's base offset.
struct TimeIndex::Layout {
  static constexpr size_t kEntrySize = kTimeIndexEntrySize;

  static void Encode(int64_t base_offset, const Entry& e, uint8_t* out) {
    StoreI64(out, e.timestamp);
    StoreI32(out + 8, static_cast<int32_t>(static_cast<uint32_t>(e.offset - base_offset)));
  }
  static Entry Decode(int64_t base_offset, const uint8_t* in) {
    return {LoadI64(in), base_offset + static_cast<uint32_t>(LoadI32(in + 8))};
  }
  static bool Increases(const Entry& before, const Entry& after) {
    return after.timestamp > before.timestamp && after.offset > before.offset;
  }
  static std::string Describe(const Entry& e) {
    return "timestamp " + std::to_string(e.timestamp) + ", offset " + std::to_string(e.offset);
  }
};

Status TimeIndex::Load(int64_t end_offset) {
  return file_.Load([end_offset](const Entry& e) -> std::optional<std::string> {
    if (e.offset < end_offset) return std::nullopt;
    return "names an offset past the segment's end " + std::to_string(end_offset);
  });
}

Status TimeIndex::MaybeAppend(int64_t timestamp, int64_t offset) {
  return file_.AppendIfIncreasing({timestamp, offset});
}
Status TimeIndex::Replace(std::vector<Entry> entries) { return file_.Replace(std::move(entries)); }
std::optional<TimeIndex::Entry> TimeIndex::LookupBefore(int64_t timestamp) const {
  return file_.FindLast([timestamp](const Entry& e) { return e.timestamp < timestamp; });
}
std::optional<TimeIndex::Entry> TimeIndex::last() const { return file_.last(); }
std::vector<TimeIndex::Entry> TimeIndex::entries() const { return file_.entries(); }
Status TimeIndex::Sync() { return file_.Sync(); }
const std::string& TimeIndex::path() const { return file_.path(); }

}  // namespace eddy::log
