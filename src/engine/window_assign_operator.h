#pragma once
// Window assign: tags each row with the tumbling or hopping window(s) it belongs to, by
// appending `window_start` and `window_end` (timestamps) to its columns. A hopping window
// repeats the row once per window (earliest window first). Event times and change kinds
// are unchanged. Stateless; session windows need state per key and are rejected.
// (Nexmark q7: assign 10 s tumbling windows to bids, then a top-N per window.)

#include <memory>

#include "src/base/status.h"
#include "src/engine/operator.h"
#include "src/engine/window_spec.h"

namespace eddy::engine {

Result<std::unique_ptr<Operator>> MakeWindowAssign(SchemaRef input, WindowSpec window);

}  // namespace eddy::engine
