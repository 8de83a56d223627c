#pragma once
// The example pipelines compiled into eddy (`eddy run --list`). Each is written with the
// public API only (include/eddy/).

#include <vector>

#include "include/eddy/context.h"

namespace eddy::examples {

const std::vector<PipelineDefinition>& ExamplePipelines();

}  // namespace eddy::examples
