#pragma once
// CheckpointedWatermark: the watermark an operator instance has reached, as checkpointed
// state (operator_state.h).
//
// An operator that decides lateness or expiry by its watermark must get it back on
// recovery: restarted at kMinWatermark, it would take rows an uninterrupted run drops as
// late, reopen windows that already fired, and keep rows that already expired. The
// watermark belongs to no key, but state moves by key group, so the instance writes it
// under every key group it owns (entry key empty), and only when it changed since its
// previous snapshot: whichever instance restores a key group learns how far that group's
// events had come. With aligned checkpoint barriers every instance of an operator has
// the same watermark at a checkpoint; an instance that restores the key groups of
// several takes the smallest, the promise that holds for all of them.
//
// Not thread-safe: owned by one operator instance.

#include <optional>
#include <string_view>

#include "src/base/status.h"
#include "src/engine/data_type.h"
#include "src/engine/operator.h"
#include "src/engine/operator_state.h"
#include "src/state/key_group.h"

namespace eddy::engine {

class CheckpointedWatermark {
 public:
  /// Takes the key groups of the instance (from Operator::Open's context).
  Status Open(const OperatorContext& context);

  /// Writes `watermark` into `table` under every owned key group, if it changed since
  /// the previous call (always the first time).
  Status SnapshotTo(StateWriter& writer, std::string_view table, EventTimeMs watermark);
  /// The smallest watermark among the entries of `table` this instance reads, or
  /// kMinWatermark when there is none. A malformed entry fails with Corruption naming
  /// the table.
  Result<EventTimeMs> RestoreFrom(StateReader& reader, std::string_view table);

 private:
  state::KeyGroupRange owned_ = state::KeyGroupRange::All();
  // What the backend holds under every owned key group, once known.
  std::optional<EventTimeMs> written_;
};

}  // namespace eddy::engine
