#include "src/server/nexmark_generate_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

#include "src/log/log.h"
#include "src/nexmark/nexmark_topics.h"

namespace eddy::server {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// "12.3 M" style figures for progress lines.
std::string Human(double v) {
  if (v >= 1e9) return fmt::format("{:.2f} G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f} M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f} k", v / 1e3);
  return fmt::format("{:.0f} ", v);
}

// Prints a line at most once per interval, from the filler's progress callback.
class ProgressPrinter {
 public:
  ProgressPrinter(int64_t total, int interval_ms) : total_(total), interval_ms_(interval_ms) {}

  void operator()(const nexmark::NexmarkWriteStats& stats) {
    const Clock::time_point now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(interval_ms_)) return;
    const double window = std::chrono::duration<double>(now - last_).count();
    const double rate = static_cast<double>(stats.events() - last_events_) / window;
    std::printf("nexmark generate: %lld / %lld events (%.0f%%), %sevents/s\n",
                static_cast<long long>(stats.events()), static_cast<long long>(total_),
                total_ > 0
                    ? 100.0 * static_cast<double>(stats.events()) / static_cast<double>(total_)
                    : 100.0,
                Human(rate).c_str());
    std::fflush(stdout);
    last_ = now;
    last_events_ = stats.events();
  }

 private:
  const int64_t total_;
  const int interval_ms_;
  Clock::time_point last_ = Clock::now();
  int64_t last_events_ = 0;
};

Result<nexmark::NexmarkWriteStats> FillDataDir(const NexmarkGenerateOptions& options,
                                               const nexmark::GeneratorConfig& config,
                                               const nexmark::NexmarkProgressFn& progress) {
  log::LogOptions log_options;
  log_options.data_dir = options.data_dir;
  // Nothing waits on each append: closing the log below syncs every partition once.
  log_options.durability.policy = log::FsyncPolicy::kNever;
  Result<std::unique_ptr<log::Log>> log = log::Log::Open(log_options);
  if (!log.ok()) {
    if (log.status().code() == StatusCode::kFailedPrecondition) {
      return Status::FailedPrecondition(
          "data dir " + options.data_dir + " is in use: " + log.status().message() +
          ". A running eddy holds it: stop it first, or generate through it with "
          "--bootstrap HOST:PORT");
    }
    return log.status().WithContext("open data dir " + options.data_dir);
  }
  Result<nexmark::NexmarkWriteStats> stats =
      nexmark::WriteNexmarkTopics(**log, config, options.partitions, progress);
  Status closed = (*log)->Close();
  if (!stats.ok()) return stats.status();
  RETURN_IF_ERROR(closed.WithContext("close data dir " + options.data_dir));
  return stats;
}

}  // namespace

CLI::App* AddNexmarkGenerateCommand(CLI::App& nexmark_app, NexmarkGenerateOptions& options) {
  CLI::App* cmd = nexmark_app.add_subcommand(
      "generate",
      "Fill the nexmark-person, nexmark-auction and nexmark-bid topics with generated events\n"
      "(JSON records, 1 person : 3 auctions : 46 bids), in a data directory no server holds\n"
      "(--data-dir) or through a running eddy or Kafka (--bootstrap)");
  cmd->add_option("--events", options.events, "Events to generate (all three kinds together)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", options.seed, "Generator seed: the same seed gives the same events")
      ->capture_default_str();
  cmd->add_option("--rate", options.rate,
                  "Event-time rate: events per second of event time (not a throttle)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--partitions", options.partitions, "Partitions of topics it creates")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  CLI::Option* data_dir = cmd->add_option(
      "--data-dir", options.data_dir, "Write straight into this data directory (no server on it)");
  CLI::Option* bootstrap = cmd->add_option(
      "--bootstrap", options.bootstrap, "HOST:PORT of a running eddy (or any Kafka) to produce to");
  data_dir->excludes(bootstrap);
  cmd->add_option("--max-events-per-second", options.max_events_per_second,
                  "Pace the writing to this many events per second of wall-clock time (0: no limit)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--timeout-ms", options.timeout_ms,
                  "--bootstrap: give up after this long without an acknowledgement")
      ->capture_default_str();
  return cmd;
}

Status RunNexmarkGenerate(const NexmarkGenerateOptions& options) {
  if (options.data_dir.empty() == options.bootstrap.empty()) {
    return Status::InvalidArgument(
        "nexmark generate: give either --data-dir DIR or --bootstrap HOST:PORT");
  }
  nexmark::GeneratorConfig config;
  config.seed = options.seed;
  config.events_per_second = options.rate;
  config.num_events = options.events;
  RETURN_IF_ERROR(config.Validate());

  ProgressPrinter printer(options.events, options.progress_interval_ms);
  const Clock::time_point start = Clock::now();
  const nexmark::NexmarkProgressFn progress = [&](const nexmark::NexmarkWriteStats& s) {
    printer(s);
    if (options.max_events_per_second > 0) {
      // Called from the writing thread every few thousand events: sleeping here paces it.
      const auto due = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                   static_cast<double>(s.events()) /
                                   static_cast<double>(options.max_events_per_second)));
      std::this_thread::sleep_until(due);
    }
  };
  Result<nexmark::NexmarkWriteStats> stats =
      options.data_dir.empty()
          ? nexmark::WriteNexmarkTopicsToKafka(options.bootstrap, config, options.partitions,
                                               progress, options.timeout_ms)
          : FillDataDir(options, config, progress);
  if (!stats.ok()) return stats.status();
  const double seconds = SecondsSince(start);
  std::printf(
      "nexmark generate: wrote %lld persons, %lld auctions, %lld bids (%sB of JSON) to "
      "nexmark-person, nexmark-auction, nexmark-bid at %s in %.2f s (%sevents/s), seed %llu\n",
      static_cast<long long>(stats->persons), static_cast<long long>(stats->auctions),
      static_cast<long long>(stats->bids), Human(static_cast<double>(stats->value_bytes)).c_str(),
      options.data_dir.empty() ? options.bootstrap.c_str() : options.data_dir.c_str(), seconds,
      Human(static_cast<double>(stats->events()) / std::max(seconds, 1e-9)).c_str(),
      static_cast<unsigned long long>(options.seed));
  std::fflush(stdout);
  return Status::OK();
}

}  // namespace eddy::server
