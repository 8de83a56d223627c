#include "src/connectors/part_file_sink.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <set>

namespace eddy::connectors {

namespace {

constexpr std::string_view kInProgress = ".inprogress";
constexpr std::string_view kSuffix = ".jsonl";

// Parses "part-<instance>-<n>.jsonl[.inprogress]".
struct PartName {
  int instance = 0;
  int64_t n = 0;
  bool in_progress = false;
};
std::optional<PartName> ParsePartName(std::string_view name) {
  PartName part;
  if (name.ends_with(kInProgress)) {
    part.in_progress = true;
    name.remove_suffix(kInProgress.size());
  }
  if (!name.starts_with("part-") || !name.ends_with(kSuffix)) return std::nullopt;
  name.remove_prefix(5);
  name.remove_suffix(kSuffix.size());
  const size_t dash = name.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto parse = [](std::string_view text, auto& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
  };
  if (!parse(name.substr(0, dash), part.instance) || !parse(name.substr(dash + 1), part.n)) {
    return std::nullopt;
  }
  return part;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += n + "\n";
  return out;
}

}  // namespace

PartFileSink::PartFileSink(PartFileSinkOptions options) : options_(std::move(options)) {}
PartFileSink::~PartFileSink() = default;

std::string PartFileSink::PartPath(int instance, int64_t n, bool in_progress) const {
  return JoinPath(options_.dir, fmt::format("part-{}-{}{}{}", instance, n, kSuffix,
                                            in_progress ? kInProgress : ""));
}

Status PartFileSink::Open(const engine::SinkContext& context) {
  instance_ = context.instance;
  parallelism_ = std::max(1, context.parallelism);
  direct_ = !context.exactly_once;
  RETURN_IF_ERROR(options_.fs->CreateDirs(options_.dir).WithContext("part file sink"));
  ASSIGN_OR_RETURN(std::vector<std::string> names, options_.fs->ListDir(options_.dir));
  for (const std::string& name : names) {
    auto part = ParsePartName(name);
    if (part && part->instance == instance_) next_part_ = std::max(next_part_, part->n + 1);
  }
  return Status::OK();
}

Status PartFileSink::Write(const engine::Batch& batch) {
  if (batch.empty()) return Status::OK();
  if (schema_ != batch.schema() && (schema_ == nullptr || !(*schema_ == *batch.schema()))) {
    Result<JsonRowEncoder> encoder =
        JsonRowEncoder::Make(batch.schema(), JsonEncoderOptions{options_.encode_changes});
    if (!encoder.ok()) return encoder.status().WithContext("part file sink " + options_.dir);
    encoder_.emplace(std::move(encoder).value());
    schema_ = batch.schema();
  }
  if (!options_.encode_changes && !batch.is_insert_only()) {
    return Status::InvalidArgument("part file sink " + options_.dir +
                                   ": got a changelog; set encode_changes");
  }
  if (current_ == nullptr) {
    current_path_ = PartPath(instance_, next_part_++, /*in_progress=*/!direct_);
    ASSIGN_OR_RETURN(current_, options_.fs->Open(current_path_, OpenMode::kCreateTruncate));
  }
  lines_.clear();
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    encoder_->AppendRow(batch, row, lines_);
    lines_.push_back('\n');
  }
  RETURN_IF_ERROR(current_->Append(AsBytes(lines_)).WithContext(current_path_));
  rows_written_ += batch.num_rows();
  return Status::OK();
}

Status PartFileSink::CloseCurrent() {
  if (current_ == nullptr) return Status::OK();
  RETURN_IF_ERROR(current_->Sync().WithContext(current_path_));
  current_.reset();
  return Status::OK();
}

Result<std::string> PartFileSink::PrepareCommit(int64_t checkpoint_id) {
  if (current_ != nullptr) {
    RETURN_IF_ERROR(CloseCurrent());
    prepared_[checkpoint_id].push_back(current_path_);
    RETURN_IF_ERROR(options_.fs->SyncDir(options_.dir));
  }
  // Parts of earlier checkpoints that did not complete go in too.
  std::vector<std::string> all;
  for (const auto& [id, paths] : prepared_) all.insert(all.end(), paths.begin(), paths.end());
  return JoinNames(all);
}

Status PartFileSink::RenameToFinal(const std::string& in_progress) {
  const std::string final_path = in_progress.substr(0, in_progress.size() - kInProgress.size());
  return options_.fs->Rename(in_progress, final_path).WithContext("part file sink");
}

Status PartFileSink::Commit(int64_t checkpoint_id) {
  bool renamed = false;
  while (!prepared_.empty() && prepared_.begin()->first <= checkpoint_id) {
    for (const std::string& path : prepared_.begin()->second) RETURN_IF_ERROR(RenameToFinal(path));
    prepared_.erase(prepared_.begin());
    renamed = true;
  }
  return renamed ? options_.fs->SyncDir(options_.dir) : Status::OK();
}

Status PartFileSink::Recover(int64_t, const std::vector<std::string>& prepared) {
  std::set<std::string> committed;
  for (const std::string& list : prepared) {
    size_t start = 0;
    while (start < list.size()) {
      size_t end = list.find('\n', start);
      if (end == std::string::npos) end = list.size();
      if (end > start) committed.insert(list.substr(start, end - start));
      start = end + 1;
    }
  }
  for (const std::string& path : committed) {
    if (options_.fs->Exists(path)) {
      RETURN_IF_ERROR(RenameToFinal(path));
    } else if (!options_.fs->Exists(path.substr(0, path.size() - kInProgress.size()))) {
      spdlog::warn("part file sink {}: {} of the checkpoint recovered from is missing",
                   options_.dir, path);
    }
  }
  // In-progress parts not in that checkpoint were written after it: the replay writes
  // their rows again.
  ASSIGN_OR_RETURN(std::vector<std::string> names, options_.fs->ListDir(options_.dir));
  for (const std::string& name : names) {
    auto part = ParsePartName(name);
    if (!part || !part->in_progress) continue;
    const bool mine =
        part->instance == instance_ || (instance_ == 0 && part->instance >= parallelism_);
    const std::string path = JoinPath(options_.dir, name);
    if (!mine || committed.count(path) != 0) continue;
    RETURN_IF_ERROR(options_.fs->Remove(path).WithContext("part file sink"));
  }
  return options_.fs->SyncDir(options_.dir);
}

void PartFileSink::Abandon() {
  current_.reset();  // left in progress: a restart deletes or commits it
  prepared_.clear();
}

Status PartFileSink::Finish() {
  if (direct_) return CloseCurrent();
  if (current_ != nullptr) {
    RETURN_IF_ERROR(CloseCurrent());
    prepared_[INT64_MAX].push_back(current_path_);
  }
  return Commit(INT64_MAX);
}

engine::SinkFactory MakePartFileSink(PartFileSinkOptions options) {
  auto shared = std::make_shared<const PartFileSinkOptions>(std::move(options));
  return [shared]() -> Result<std::unique_ptr<engine::Sink>> {
    return std::unique_ptr<engine::Sink>(std::make_unique<PartFileSink>(*shared));
  };
}

}  // namespace eddy::connectors
