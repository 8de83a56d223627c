// The eddy command line. Each subcommand lives in its own *_command file; this file
// only declares the options and dispatches.

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "src/server/nexmark_generate_command.h"
#include "src/server/savepoint_request.h"
#include "src/server/serve_command.h"
#include "src/server/topics_command.h"

namespace {

/// Fetch responses and produce requests are buffers of megabytes, allocated and freed
/// many times a second. With glibc's defaults each one is a fresh mmap (or the heap is
/// trimmed after it), so every byte is page-faulted and zeroed by the kernel again.
/// Keeping such buffers in the heap and freed memory around for reuse removes that
/// cost; the memory held is bounded by what the broker's request and response limits
/// allow at once.
void TuneAllocatorForLargeBuffers() {
  mallopt(M_MMAP_THRESHOLD, 128 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
}

void ConfigureLogging(const std::string& level) {
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  spdlog::set_level(spdlog::level::from_str(level));
}

int Fail(const eddy::Status& status) {
  std::fprintf(stderr, "eddy: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "eddy: a real-time data processing system in one binary.\n"
      "Its log speaks the Kafka protocol: any Kafka client can produce to and consume from it.\n\n"
      "Start a server:      eddy serve --data-dir ./data --kafka-addr 127.0.0.1:9092\n"
      "Create a topic:      eddy topics create orders --partitions 3\n"
      "Try it with kcat:    echo hello | kcat -b 127.0.0.1:9092 -P -t orders"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")->capture_default_str();

  eddy::server::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Run the eddy server (the Kafka-compatible log) until stopped");
  serve_cmd->add_option("--data-dir", serve.data_dir, "Directory of the log; locked while served")
      ->capture_default_str();
  serve_cmd->add_option("--kafka-addr", serve.kafka_addr, "HOST:PORT to listen on for Kafka clients")
      ->capture_default_str();
  serve_cmd->add_option("--advertised-addr", serve.advertised_addr,
                        "HOST:PORT clients are told to connect to (default: the listen address)");
  serve_cmd->add_option("--fsync", serve.fsync,
                        "Durability: 'always' (fsync before acknowledging, grouped across producers),\n"
                        "'interval:MS' (fsync every MS ms), or 'never' (leave it to the OS)")
      ->capture_default_str();
  serve_cmd->add_option("--auto-create-topics", serve.auto_create_topics,
                        "Create a topic when a client asks for one that does not exist")
      ->capture_default_str();
  serve_cmd->add_option("--default-partitions", serve.default_partitions, "Partitions of auto-created topics")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd->add_option("--retention-ms", serve.topic_defaults.retention_ms,
                        "Default retention by time (-1: forever)")
      ->capture_default_str();
  serve_cmd->add_option("--retention-bytes", serve.topic_defaults.retention_bytes,
                        "Default retention by size per partition (-1: none)")
      ->capture_default_str();
  serve_cmd->add_option("--segment-bytes", serve.topic_defaults.segment_bytes, "Default segment size")
      ->capture_default_str();
  serve_cmd->add_option("--io-threads", serve.io_threads, "Network threads")->capture_default_str();

  auto add_pipeline_options = [](CLI::App* cmd, eddy::server::PipelineHostOptions& p) {
    cmd->add_flag("--bounded", p.bounded,
                  "Read each input up to its end at start, fire every window, print a summary, exit");
    cmd->add_option("--parallelism", p.parallelism, "Parallel instances of each step (default: cores)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--output", p.output,
                    "Where results go: topic:NAME (JSON records), file:PATH (JSON lines; bounded\n"
                    "runs write the final results; with checkpoints PATH is a directory of\n"
                    "exactly-once part files), or none (count only); several, comma-separated;\n"
                    "{pipeline} stands for the pipeline's name");
    cmd->add_option("--set", p.settings, "A pipeline setting KEY=VALUE; repeatable");
    cmd->add_option("--checkpoint-interval", p.checkpoint_interval_ms,
                    "Milliseconds between checkpoints of unbounded pipelines; 0: none")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--state-backend", p.state_backend, "Where keyed state lives: memory or rocksdb")
        ->check(CLI::IsMember({"memory", "rocksdb"}))
        ->capture_default_str();
    cmd->add_option("--keep-checkpoints", p.keep_checkpoints, "Complete checkpoints kept on disk")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_flag("--at-least-once", [&p](int64_t) { p.exactly_once = false; },
                  "Output becomes visible at once instead of when its checkpoint completes\n"
                  "(lower latency; after a crash some output may repeat)");
    cmd->add_option("--from-savepoint", p.from_savepoint,
                    "Start from this savepoint (also with another --parallelism)");
    cmd->add_flag("--resume", p.resume,
                  "With --bounded: start from the newest checkpoint of an earlier unbounded run");
  };
  serve_cmd->add_option("--pipeline", serve.pipelines.pipelines,
                        "Run this compiled pipeline in the server (repeatable; see `eddy run --list`)");
  add_pipeline_options(serve_cmd, serve.pipelines);

  // `eddy run NAME`: `eddy serve` with one pipeline.
  eddy::server::ServeOptions run = serve;
  std::string run_name;
  bool run_list = false;
  auto* run_cmd = app.add_subcommand(
      "run", "Run one compiled pipeline (and serve the Kafka port unless --bounded)");
  run_cmd->add_option("name", run_name, "The pipeline (see --list)");
  run_cmd->add_flag("--list", run_list, "List the compiled pipelines");
  run_cmd->add_option("--data-dir", run.data_dir, "Directory of the log")->capture_default_str();
  std::string run_kafka_addr;
  run_cmd->add_option("--kafka-addr", run_kafka_addr,
                      "HOST:PORT for Kafka clients (default 127.0.0.1:9092; bounded runs only serve it if given)");
  run_cmd->add_option("--fsync", run.fsync, "Durability of the log (see serve)")->capture_default_str();
  add_pipeline_options(run_cmd, run.pipelines);

  // `eddy nexmark`: the Nexmark benchmark's events and queries.
  auto* nexmark_cmd = app.add_subcommand("nexmark", "The Nexmark streaming benchmark: generate events, run queries");
  nexmark_cmd->require_subcommand(1);
  eddy::server::NexmarkGenerateOptions generate;
  auto* generate_cmd = eddy::server::AddNexmarkGenerateCommand(*nexmark_cmd, generate);
  eddy::server::ServeOptions nexmark_run = serve;
  std::string query;
  std::string nexmark_source = "topics";
  std::string nexmark_events = "10000000";
  std::string nexmark_seed = "42";
  std::string nexmark_kafka_addr;
  auto* nexmark_run_cmd = nexmark_cmd->add_subcommand("run", "Run a Nexmark query");
  nexmark_run_cmd->add_option("--query", query, "q0, q1, q2, q3, q4, q5, q7, q8 or q11")->required();
  nexmark_run_cmd->add_option("--data-dir", nexmark_run.data_dir, "Directory of the log with the nexmark-* topics")
      ->capture_default_str();
  nexmark_run_cmd->add_option("--source", nexmark_source,
                              "topics (the nexmark-* topics, JSON) or generator (in-process, no JSON)")
      ->check(CLI::IsMember({"topics", "generator"}))
      ->capture_default_str();
  nexmark_run_cmd->add_option("--events", nexmark_events, "Events to generate (--source generator)")
      ->capture_default_str();
  nexmark_run_cmd->add_option("--seed", nexmark_seed, "Generator seed (--source generator)")
      ->capture_default_str();
  nexmark_run_cmd->add_option("--kafka-addr", nexmark_kafka_addr,
                              "HOST:PORT for Kafka clients (bounded runs only serve it if given)");
  add_pipeline_options(nexmark_run_cmd, nexmark_run.pipelines);

  // `eddy savepoint NAME`: asks the eddy process running pipeline NAME for a savepoint.
  std::string savepoint_pipeline;
  std::string savepoint_data_dir = "./data";
  std::string savepoint_target;
  int64_t savepoint_timeout_s = 120;
  auto* savepoint_cmd = app.add_subcommand(
      "savepoint", "Take a savepoint of a running pipeline (start from it with --from-savepoint)");
  savepoint_cmd->add_option("name", savepoint_pipeline, "The pipeline")->required();
  savepoint_cmd->add_option("--data-dir", savepoint_data_dir, "Data directory of the eddy process running it")
      ->capture_default_str();
  savepoint_cmd->add_option("--to", savepoint_target, "Directory to write the savepoint to (must not exist)")
      ->required();
  savepoint_cmd->add_option("--timeout", savepoint_timeout_s, "Seconds to wait for it")->capture_default_str();

  eddy::server::TopicsOptions topics;
  auto* topics_cmd = app.add_subcommand(
      "topics",
      "Create, list, describe and delete topics, on a running server (--bootstrap, the default)\n"
      "or directly in a data directory no server holds (--data-dir)");
  topics_cmd->require_subcommand(1);
  auto add_target = [&](CLI::App* cmd) {
    cmd->add_option("--bootstrap", topics.bootstrap, "HOST:PORT of a running eddy (or any Kafka broker)")
        ->capture_default_str();
    cmd->add_option("--data-dir", topics.data_dir, "Work on this data directory instead of a server");
  };
  auto* create = topics_cmd->add_subcommand("create", "Create a topic");
  create->add_option("name", topics.name, "Topic name ([a-zA-Z0-9._-], at most 249 characters)")->required();
  create->add_option("--partitions", topics.partitions, "Number of partitions")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  create->add_option("--config", topics.configs,
                     "Topic setting KEY=VALUE (retention.ms, retention.bytes, segment.bytes, segment.ms,\n"
                     "max.message.bytes); repeatable");
  add_target(create);
  auto* list = topics_cmd->add_subcommand("list", "List topics");
  add_target(list);
  auto* describe = topics_cmd->add_subcommand("describe", "Show a topic's partitions and settings");
  describe->add_option("name", topics.name, "Topic name")->required();
  add_target(describe);
  auto* del = topics_cmd->add_subcommand("delete", "Delete a topic and all its data");
  del->add_option("name", topics.name, "Topic name")->required();
  add_target(del);

  CLI11_PARSE(app, argc, argv);
  ConfigureLogging(log_level);
  TuneAllocatorForLargeBuffers();

  // A pipeline run serves the Kafka port unless it is bounded and no address was given.
  auto finish_run_options = [](eddy::server::ServeOptions& o, const std::string& kafka_addr) {
    if (!kafka_addr.empty()) o.kafka_addr = kafka_addr;
    o.serve_kafka = !o.pipelines.bounded || !kafka_addr.empty();
  };

  eddy::Status status;
  if (serve_cmd->parsed()) {
    status = eddy::server::RunServe(serve);
  } else if (run_cmd->parsed()) {
    if (run_list) {
      for (const auto& p : eddy::server::PipelineCatalog()) {
        std::cout << p.name << "\t" << p.description << "\n";
      }
      return 0;
    }
    if (run_name.empty()) return Fail(eddy::Status::InvalidArgument("eddy run: name a pipeline (see --list)"));
    run.pipelines.pipelines = {run_name};
    finish_run_options(run, run_kafka_addr);
    status = eddy::server::RunServe(run);
  } else if (nexmark_cmd->parsed()) {
    if (generate_cmd->parsed()) {
      status = eddy::server::RunNexmarkGenerate(generate);
    } else {
      std::string name = query.rfind("nexmark-", 0) == 0 ? query : "nexmark-" + query;
      nexmark_run.pipelines.pipelines = {name};
      nexmark_run.pipelines.settings.push_back("source=" + nexmark_source);
      nexmark_run.pipelines.settings.push_back("events=" + nexmark_events);
      nexmark_run.pipelines.settings.push_back("seed=" + nexmark_seed);
      finish_run_options(nexmark_run, nexmark_kafka_addr);
      status = eddy::server::RunServe(nexmark_run);
    }
  } else if (savepoint_cmd->parsed()) {
    const std::string target = std::filesystem::absolute(savepoint_target).string();
    status = eddy::server::RequestSavepoint(
        eddy::JoinPath(eddy::server::PipelineStateDir(savepoint_data_dir), savepoint_pipeline), target,
        savepoint_timeout_s * 1000);
    if (status.ok()) std::cout << "savepoint of " << savepoint_pipeline << " written to " << target << "\n";
  } else if (topics_cmd->parsed()) {
    if (create->parsed()) topics.action = eddy::server::TopicsAction::kCreate;
    if (list->parsed()) topics.action = eddy::server::TopicsAction::kList;
    if (describe->parsed()) topics.action = eddy::server::TopicsAction::kDescribe;
    if (del->parsed()) topics.action = eddy::server::TopicsAction::kDelete;
    status = eddy::server::RunTopics(topics, std::cout);
  }
  return status.ok() ? 0 : Fail(status);
}
