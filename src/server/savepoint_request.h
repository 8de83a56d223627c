#pragma once
// Savepoint requests between `eddy savepoint` and the eddy process running the pipeline.
//
// The command leaves <pipeline dir>/savepoint.request (written atomically: a request id
// and the target directory); the process notices it within a second, takes the
// savepoint, and answers in <pipeline dir>/savepoint.result (the id, then "ok" or the
// error). Files rather than a network port, because the pipeline directory is what
// both already know.

#include <optional>
#include <string>

#include "src/base/status.h"

namespace eddy::server {

struct SavepointRequest {
  std::string id;
  std::string target_dir;
};

/// Process side: the pending request, removed from disk, if there is one.
std::optional<SavepointRequest> TakeSavepointRequest(const std::string& pipeline_dir);
/// Process side: records how the request went.
void AnswerSavepointRequest(const std::string& pipeline_dir, const SavepointRequest& request,
                            const Status& outcome);

/// Command side: asks for a savepoint into `target_dir` and waits up to `timeout_ms`
/// for the answer.
Status RequestSavepoint(const std::string& pipeline_dir, const std::string& target_dir,
                        int64_t timeout_ms);

}  // namespace eddy::server
