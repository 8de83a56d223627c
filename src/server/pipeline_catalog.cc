// Every pipeline compiled into eddy: the Nexmark queries and the examples.
#include "examples/examples.h"
#include "src/nexmark/nexmark_queries.h"
#include "src/server/pipeline_host.h"

namespace eddy::server {

const std::vector<PipelineDefinition>& PipelineCatalog() {
  static const std::vector<PipelineDefinition> all = [] {
    std::vector<PipelineDefinition> v = nexmark::NexmarkQueries();
    for (const PipelineDefinition& d : examples::ExamplePipelines()) v.push_back(d);
    return v;
  }();
  return all;
}

}  // namespace eddy::server
