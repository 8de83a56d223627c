// checkpoint_bench: what checkpoints cost a running Nexmark query. It builds the query's
// pipeline as `eddy nexmark run --source generator --output none` does (the compiled
// pipeline of src/nexmark/nexmark_queries.h on a LogPipelineContext), runs it unbounded
// (the generator ends by itself after --events) once per mode and repetition, and reports
// the throughput of each run and the checkpoints it completed:
//
//   off       no checkpoints (the baseline of the same invocation)
//   memory    a checkpoint every --interval-ms into a fresh directory, memory backend
//   rocksdb   the same with the rocksdb backend (live state in a fresh work directory)
//
// The modes are interleaved (repetition r runs them rotated by r) so that a machine that
// gets slower or faster over the invocation moves every mode alike; a shorter warm-up run
// comes first and is not reported.
//
//   build-bench/bench/checkpoint_bench --query q5 --events 60000000 [--parallelism 1]
//       [--modes off,memory,rocksdb] [--repeats 3] [--interval-ms 1000] [--seed 42]
//       [--dir /tmp]
//
// stdout: one JSON line per run ("kind":"run") with its events/s (every Nexmark event of
// the run, whichever streams the query reads, as the engine benchmark counts), the rows its
// sources produced, its result count and every completed checkpoint (id, duration,
// alignment, state and meta bytes, as the job's coordinator reports them), then one
// "kind":"summary" line with the medians per mode and each mode's ratio to "off". The engine's log
// lines go to stderr. Exit status 1 if a run fails or the runs of one invocation disagree on the
// number of results.

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "include/eddy/pipeline.h"
#include "src/log/log.h"
#include "src/nexmark/nexmark_queries.h"
#include "src/pipeline/log_pipeline_context.h"
#include "src/state/state_backend.h"

namespace {

using eddy::Result;
using eddy::Status;

// A failed run ends the invocation: figures measured beside a broken run mean nothing.
struct BenchFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void Check(const Status& status, const std::string& what) {
  if (!status.ok()) throw BenchFailure(what + ": " + status.ToString());
}
template <typename T>
T Check(Result<T> result, const std::string& what) {
  Check(result.status(), what);
  return std::move(result).value();
}

struct Settings {
  std::string query;  // "q5"
  int64_t events = 0;
  uint64_t seed = 42;
  int parallelism = 1;
  int64_t interval_ms = 1000;
  std::string parent_dir;
};

struct RunFigures {
  std::string mode;
  int repeat = 0;
  int64_t events = 0;      // Nexmark events of the run, whichever streams the query reads
  uint64_t events_in = 0;  // rows the query's sources produced
  uint64_t results = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // user + system time of the process during the run
  std::vector<eddy::engine::CheckpointStats> checkpoints;  // in completion order
  uint64_t completed_count = 0;                            // the coordinator's own count
  int64_t first_id = 0;  // ids are consecutive per trigger: gaps were aborted
  int64_t last_id = 0;

  // As the engine section of bench/RESULTS.md counts: every Nexmark event of the run.
  double rate() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

const eddy::PipelineDefinition& Definition(const std::string& query) {
  const std::string name = "nexmark-" + query;
  for (const eddy::PipelineDefinition& d : eddy::nexmark::NexmarkQueries()) {
    if (d.name == name) return d;
  }
  throw BenchFailure("no compiled pipeline " + name);
}

// User + system CPU time of this process so far. The process runs one pipeline at a time,
// so the difference over a run is the run's CPU time: a figure that moves less than wall
// time when other processes compete for the cores.
double ProcessCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string MakeScratchDir(const std::string& parent) {
  std::string dir = (std::filesystem::path(parent) / "eddy-checkpoint-bench-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) {
    throw BenchFailure("cannot create a directory in " + parent);
  }
  return dir;
}

// One unbounded run of the query in `mode`, in a fresh scratch directory removed after.
RunFigures RunOnce(const Settings& s, const std::string& mode, int repeat) {
  RunFigures figures;
  figures.mode = mode;
  figures.repeat = repeat;
  figures.events = s.events;
  const std::string scratch = MakeScratchDir(s.parent_dir);
  const bool checkpointing = mode != "off";
  {
    eddy::log::LogOptions log_options;
    log_options.data_dir = scratch + "/log";
    log_options.durability = Check(eddy::log::ParseDurability("never"), "durability");
    auto log = Check(eddy::log::Log::Open(log_options), "open the log in " + scratch);

    const std::vector<std::string> pipeline_settings = {
        "source=generator", "events=" + std::to_string(s.events), "seed=" + std::to_string(s.seed)};
    auto context = Check(
        eddy::LogPipelineContext::Make(log.get(), /*bounded=*/false, "none", pipeline_settings),
        "pipeline context");
    context->SetCheckpointing(checkpointing);
    const eddy::PipelineDefinition& def = Definition(s.query);
    auto pipeline = std::make_unique<eddy::Pipeline>(def.name, s.parallelism);
    Check(def.build(*pipeline, *context), "building " + def.name);

    eddy::RunOptions options;
    options.bounded = false;
    if (checkpointing) {
      eddy::engine::CheckpointConfig& cp = options.checkpoint;
      cp.dir = scratch + "/checkpoints";
      cp.work_dir = scratch + "/state";
      cp.interval_ms = s.interval_ms;
      cp.backend = Check(eddy::state::ParseBackendKind(mode), "backend");
      cp.pipeline = def.name;
    }

    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = ProcessCpuSeconds();
    auto job = Check(pipeline->Start(options), "starting " + def.name);
    // The coordinator keeps the last completed checkpoint only: poll often enough (an
    // interval is a second) to see each one.
    auto record = [&figures](const eddy::engine::JobProgress& p) {
      if (p.last_checkpoint &&
          (figures.checkpoints.empty() || figures.checkpoints.back().id != p.last_checkpoint->id)) {
        figures.checkpoints.push_back(*p.last_checkpoint);
      }
    };
    while (!job->finished()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      record(job->progress());
    }
    Check(job->Wait(), "running " + def.name);
    figures.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    figures.cpu_seconds = ProcessCpuSeconds() - cpu_start;
    const eddy::engine::JobProgress last = job->progress();
    record(last);
    figures.events_in = last.events_in;
    figures.results = last.results_out;
    figures.completed_count = last.checkpoints;
    job.reset();
  }
  if (!figures.checkpoints.empty()) {
    figures.first_id = figures.checkpoints.front().id;
    figures.last_id = figures.checkpoints.back().id;
  }
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  return figures;
}

template <typename T>
double Median(std::vector<T> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  if (n % 2 == 1) return static_cast<double>(values[n / 2]);
  return (static_cast<double>(values[n / 2 - 1]) + static_cast<double>(values[n / 2])) / 2;
}

std::string RunJson(const Settings& s, const RunFigures& f) {
  std::string checkpoints;
  for (const auto& c : f.checkpoints) {
    if (!checkpoints.empty()) checkpoints += ",";
    checkpoints += fmt::format(
        "{{\"id\":{},\"duration_ms\":{},\"max_alignment_ms\":{},\"state_bytes\":{},"
        "\"meta_bytes\":{}}}",
        c.id, c.duration_ms, c.max_alignment_ms, c.state_bytes, c.meta_bytes);
  }
  return fmt::format(
      "{{\"kind\":\"run\",\"query\":\"{}\",\"parallelism\":{},\"mode\":\"{}\",\"repeat\":{},"
      "\"events_in\":{},\"results\":{},\"seconds\":{:.3f},\"cpu_seconds\":{:.3f},"
      "\"events_per_s\":{:.0f},"
      "\"checkpoints_completed\":{},\"first_id\":{},\"last_id\":{},\"checkpoints\":[{}]}}",
      s.query, s.parallelism, f.mode, f.repeat, f.events_in, f.results, f.seconds, f.cpu_seconds,
      f.rate(), f.completed_count, f.first_id, f.last_id, checkpoints);
}

std::string SummaryJson(const Settings& s, const std::vector<std::string>& modes,
                        const std::vector<RunFigures>& runs) {
  const auto median_rate = [&runs](const std::string& mode) {
    std::vector<double> rates;
    for (const RunFigures& f : runs) {
      if (f.mode == mode) rates.push_back(f.rate());
    }
    return Median(rates);
  };
  const auto median_cpu = [&runs](const std::string& mode) {
    std::vector<double> cpu;
    for (const RunFigures& f : runs) {
      if (f.mode == mode) cpu.push_back(f.cpu_seconds);
    }
    return Median(cpu);
  };
  const double off_rate = median_rate("off");
  const double off_cpu = median_cpu("off");
  std::string per_mode;
  for (const std::string& mode : modes) {
    std::vector<double> seconds, completed, durations, alignments, state_bytes;
    for (const RunFigures& f : runs) {
      if (f.mode != mode) continue;
      seconds.push_back(f.seconds);
      completed.push_back(static_cast<double>(f.completed_count));
      for (const auto& c : f.checkpoints) {
        durations.push_back(static_cast<double>(c.duration_ms));
        alignments.push_back(static_cast<double>(c.max_alignment_ms));
        state_bytes.push_back(static_cast<double>(c.state_bytes));
      }
    }
    // Paired ratios: each repetition's run against the "off" run of the same repetition.
    std::vector<double> paired;
    for (const RunFigures& f : runs) {
      if (f.mode != mode) continue;
      for (const RunFigures& base : runs) {
        if (base.mode == "off" && base.repeat == f.repeat && base.rate() > 0) {
          paired.push_back(f.rate() / base.rate());
        }
      }
    }
    const auto max_of = [](const std::vector<double>& v) {
      return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
    };
    if (!per_mode.empty()) per_mode += ",";
    per_mode += fmt::format(
        "\"{}\":{{\"runs\":{},\"median_events_per_s\":{:.0f},\"median_seconds\":{:.3f},"
        "\"ratio_of_medians\":{:.4f},\"median_paired_ratio\":{:.4f},"
        "\"median_cpu_seconds\":{:.3f},\"cpu_ratio\":{:.4f},"
        "\"median_checkpoints_completed\":{:.1f},\"checkpoints_total\":{},"
        "\"median_duration_ms\":{:.1f},\"max_duration_ms\":{:.0f},"
        "\"median_max_alignment_ms\":{:.1f},\"max_alignment_ms\":{:.0f},"
        "\"median_state_bytes\":{:.0f},\"max_state_bytes\":{:.0f}}}",
        mode, seconds.size(), median_rate(mode), Median(seconds),
        off_rate > 0 ? median_rate(mode) / off_rate : 0.0, Median(paired), median_cpu(mode),
        median_cpu(mode) > 0 ? off_cpu / median_cpu(mode) : 0.0, Median(completed),
        durations.size(), Median(durations), max_of(durations), Median(alignments),
        max_of(alignments), Median(state_bytes), max_of(state_bytes));
  }
  return fmt::format(
      "{{\"kind\":\"summary\",\"query\":\"{}\",\"parallelism\":{},\"events\":{},"
      "\"interval_ms\":{},\"modes\":{{{}}}}}",
      s.query, s.parallelism, s.events, s.interval_ms, per_mode);
}

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"checkpoint_bench: Nexmark throughput with checkpoints against none"};
  Settings s;
  s.parent_dir = "/tmp";
  std::string modes_text = "off,memory,rocksdb";
  int repeats = 3;
  app.add_option("--query", s.query, "q0, q1, q2, q3, q4, q5, q7, q8 or q11")->required();
  app.add_option("--events", s.events, "Nexmark events per run")->required();
  app.add_option("--parallelism", s.parallelism, "parallel instances of each step")
      ->capture_default_str();
  app.add_option("--modes", modes_text, "comma-separated: off, memory, rocksdb")
      ->capture_default_str();
  app.add_option("--repeats", repeats, "runs of each mode")->capture_default_str();
  app.add_option("--interval-ms", s.interval_ms, "checkpoint interval")->capture_default_str();
  app.add_option("--seed", s.seed, "generator seed")->capture_default_str();
  app.add_option("--dir", s.parent_dir, "where each run's scratch directory goes")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // The engine logs every checkpoint; stdout is for the JSON lines.
  spdlog::set_default_logger(spdlog::stderr_color_mt("checkpoint_bench"));
  spdlog::set_pattern("%H:%M:%S.%e %^%-5l%$ %v");

  const std::vector<std::string> modes = SplitComma(modes_text);
  try {
    if (modes.empty() || repeats < 1) throw BenchFailure("nothing to run");
    // The first pipeline a process runs pays for faulting in its heap and code: a shorter
    // run of the first mode, not recorded, takes that cost out of the comparison.
    {
      Settings warmup = s;
      warmup.events = std::max<int64_t>(1, s.events / 5);
      fmt::print(stderr, "checkpoint_bench: {} p={} warm-up ({} events)\n", s.query, s.parallelism,
                 warmup.events);
      RunOnce(warmup, modes.front(), -1);
    }
    std::vector<RunFigures> runs;
    for (int r = 0; r < repeats; ++r) {
      for (size_t i = 0; i < modes.size(); ++i) {
        const std::string& mode = modes[(i + r) % modes.size()];
        fmt::print(stderr, "checkpoint_bench: {} p={} {} ({} of {})\n", s.query, s.parallelism,
                   mode, r + 1, repeats);
        runs.push_back(RunOnce(s, mode, r));
        fmt::print("{}\n", RunJson(s, runs.back()));
        std::fflush(stdout);
      }
    }
    fmt::print("{}\n", SummaryJson(s, modes, runs));
    for (const RunFigures& f : runs) {
      if (f.results != runs.front().results || f.events_in != runs.front().events_in) {
        throw BenchFailure(fmt::format(
            "runs disagree: {} run {} had {} events in and {} results, {} run {} had {} and {}",
            runs.front().mode, runs.front().repeat, runs.front().events_in, runs.front().results,
            f.mode, f.repeat, f.events_in, f.results));
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checkpoint_bench: FAILED: %s\n", e.what());
    return 1;
  }
  return 0;
}
