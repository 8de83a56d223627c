#include "examples/examples.h"

namespace eddy::examples {

Status PageViewsPerMinute(Pipeline& p, PipelineContext& ctx);
Status FraudAlerts(Pipeline& p, PipelineContext& ctx);

const std::vector<PipelineDefinition>& ExamplePipelines() {
  static const std::vector<PipelineDefinition> examples = {
      {"page-views-per-minute",
       "views and distinct visitors per page per minute (topic page-views -> page-views-per-minute)",
       PageViewsPerMinute},
      {"fraud-alerts",
       "a tiny payment then a large one on the same card within a minute (payments -> fraud-alerts)",
       FraudAlerts},
  };
  return examples;
}

}  // namespace eddy::examples
