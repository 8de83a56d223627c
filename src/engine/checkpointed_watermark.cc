#include "src/engine/checkpointed_watermark.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "src/base/bytes.h"

namespace eddy::engine {

Status CheckpointedWatermark::Open(const OperatorContext& context) {
  if (context.parallelism < 1 || context.instance < 0 || context.instance >= context.parallelism) {
    return Status::InvalidArgument(context.name + ": instance " + std::to_string(context.instance) +
                                   " of parallelism " + std::to_string(context.parallelism));
  }
  owned_ = state::KeyGroupRange::OfInstance(context.instance, context.parallelism);
  return Status::OK();
}

Status CheckpointedWatermark::SnapshotTo(StateWriter& writer, std::string_view table,
                                         EventTimeMs watermark) {
  if (written_ == watermark) return Status::OK();
  uint8_t value[8];
  StoreI64(value, watermark);
  const std::string_view bytes(reinterpret_cast<const char*>(value), sizeof(value));
  for (int key_group = owned_.begin; key_group < owned_.end; ++key_group) {
    RETURN_IF_ERROR(writer.Put(table, key_group, std::string_view(), bytes));
  }
  written_ = watermark;
  return Status::OK();
}

Result<EventTimeMs> CheckpointedWatermark::RestoreFrom(StateReader& reader,
                                                       std::string_view table) {
  std::optional<EventTimeMs> smallest;
  RETURN_IF_ERROR(reader.ForEach(
      table, [&](int key_group, std::string_view key, std::string_view value) -> Status {
        if (!key.empty() || value.size() != 8) {
          return Status::Corruption(
              "state table '" + std::string(table) + "', key group " + std::to_string(key_group) +
              ": a watermark entry of " + std::to_string(key.size()) + "+" +
              std::to_string(value.size()) + " bytes, not an empty key and 8 bytes");
        }
        const EventTimeMs watermark = LoadI64(reinterpret_cast<const uint8_t*>(value.data()));
        smallest = smallest ? std::min(*smallest, watermark) : watermark;
        return Status::OK();
      }));
  // The owned key groups may hold different values (restored from several instances):
  // the next snapshot writes them all again.
  written_.reset();
  return smallest.value_or(kMinWatermark);
}

}  // namespace eddy::engine
