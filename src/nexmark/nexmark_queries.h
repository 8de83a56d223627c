#pragma once
// The Nexmark queries q0, q1, q2, q3, q4, q5, q7, q8 and q11 as compiled pipelines
// ("nexmark-q5", ...), written with the public API. They read the nexmark-person,
// nexmark-auction and nexmark-bid topics (JSON), or with the setting source=generator the
// in-process generator (settings events, seed, rate), and write to the run's output.

#include <vector>

#include "include/eddy/context.h"
#include "src/nexmark/nexmark_query.h"

namespace eddy::nexmark {

const std::vector<PipelineDefinition>& NexmarkQueries();
/// The definition of `query` ("nexmark-" + its name).
const PipelineDefinition& NexmarkQueryDefinition(NexmarkQuery query);

}  // namespace eddy::nexmark
