#include "src/log/offset_index.h"

#include "src/base/bytes.h"
#include "src/log/log_format.h"

namespace eddy::log {

/// An entry on disk: u32 offset relative to the segment's base offset, u32 position.
struct OffsetIndex::Layout {
  static constexpr size_t kEntrySize = kOffsetIndexEntrySize;

  static void Encode(int64_t base_offset, const Entry& e, uint8_t* out) {
    StoreI32(out, static_cast<int32_t>(static_cast<uint32_t>(e.offset - base_offset)));
    StoreI32(out + 4, static_cast<int32_t>(static_cast<uint32_t>(e.position)));
  }
  static Entry Decode(int64_t base_offset, const uint8_t* in) {
    return {base_offset + static_cast<uint32_t>(LoadI32(in)), static_cast<uint32_t>(LoadI32(in + 4))};
  }
  static bool Increases(const Entry& before, const Entry& after) {
    return after.offset > before.offset && after.position > before.position;
  }
  static std::string Describe(const Entry& e) {
    return "offset " + std::to_string(e.offset) + ", position " + std::to_string(e.position);
  }
};

Status OffsetIndex::Load(uint64_t log_size) {
  return file_.Load([log_size](const Entry& e) -> std::optional<std::string> {
    if (e.position < log_size) return std::nullopt;
    return "points beyond the log's " + std::to_string(log_size) + " bytes";
  });
}

Status OffsetIndex::Append(int64_t offset, uint64_t position) {
  return file_.AppendIfIncreasing({offset, position});
}
Status OffsetIndex::Replace(std::vector<Entry> entries) { return file_.Replace(std::move(entries)); }
std::optional<OffsetIndex::Entry> OffsetIndex::last() const { return file_.last(); }
size_t OffsetIndex::size() const { return file_.size(); }
std::vector<OffsetIndex::Entry> OffsetIndex::entries() const { return file_.entries(); }
Status OffsetIndex::Sync() { return file_.Sync(); }
const std::string& OffsetIndex::path() const { return file_.path(); }

OffsetIndex::Entry OffsetIndex::Lookup(int64_t offset) const {
  std::optional<Entry> found = file_.FindLast([offset](const Entry& e) { return e.offset <= offset; });
  return found ? *found : Entry{file_.base_offset(), 0};
}

}  // namespace eddy::log
