#include "src/server/savepoint_request.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <random>
#include <thread>

#include "src/base/file_system.h"

namespace eddy::server {

namespace {

constexpr char kRequestFile[] = "savepoint.request";
constexpr char kResultFile[] = "savepoint.result";

std::optional<std::string> ReadText(const std::string& path) {
  FileSystem* fs = FileSystem::Default();
  if (!fs->Exists(path)) return std::nullopt;
  Result<std::vector<uint8_t>> bytes = fs->ReadFile(path);
  if (!bytes.ok()) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

}  // namespace

std::optional<SavepointRequest> TakeSavepointRequest(const std::string& pipeline_dir) {
  const std::string path = JoinPath(pipeline_dir, kRequestFile);
  std::optional<std::string> text = ReadText(path);
  if (!text) return std::nullopt;
  (void)FileSystem::Default()->Remove(path);
  const size_t newline = text->find('\n');
  if (newline == std::string::npos) return std::nullopt;
  SavepointRequest request{text->substr(0, newline), text->substr(newline + 1)};
  while (!request.target_dir.empty() && request.target_dir.back() == '\n') {
    request.target_dir.pop_back();
  }
  return request;
}

void AnswerSavepointRequest(const std::string& pipeline_dir, const SavepointRequest& request,
                            const Status& outcome) {
  const std::string text =
      request.id + "\n" + (outcome.ok() ? std::string("ok") : outcome.ToString()) + "\n";
  Status written = FileSystem::Default()->WriteFileAtomically(JoinPath(pipeline_dir, kResultFile),
                                                              AsBytes(text));
  if (!written.ok()) spdlog::error("answering a savepoint request: {}", written.ToString());
}

Status RequestSavepoint(const std::string& pipeline_dir, const std::string& target_dir,
                        int64_t timeout_ms) {
  FileSystem* fs = FileSystem::Default();
  if (!fs->Exists(pipeline_dir)) {
    return Status::NotFound("no pipeline state in " + pipeline_dir +
                            " (is the pipeline running with checkpoints?)");
  }
  const std::string id =
      std::to_string(std::random_device{}()) + "-" +
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  RETURN_IF_ERROR(fs->WriteFileAtomically(JoinPath(pipeline_dir, kRequestFile),
                                          AsBytes(id + "\n" + target_dir + "\n")));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::optional<std::string> answer = ReadText(JoinPath(pipeline_dir, kResultFile));
    if (!answer || answer->rfind(id + "\n", 0) != 0) continue;
    std::string outcome = answer->substr(id.size() + 1);
    while (!outcome.empty() && outcome.back() == '\n') outcome.pop_back();
    if (outcome == "ok") return Status::OK();
    return Status::Unavailable("the savepoint failed: " + outcome);
  }
  (void)fs->Remove(JoinPath(pipeline_dir, kRequestFile));
  return Status::Unavailable("no answer from the eddy process within " +
                             std::to_string(timeout_ms / 1000) + " s (is the pipeline running?)");
}

}  // namespace eddy::server
