// The eddy command line. Each subcommand lives in its own *_command file; this file
// only declares the options and dispatches.

#include <malloc.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

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

  eddy::Status status;
  if (serve_cmd->parsed()) {
    status = eddy::server::RunServe(serve);
  } else if (topics_cmd->parsed()) {
    if (create->parsed()) topics.action = eddy::server::TopicsAction::kCreate;
    if (list->parsed()) topics.action = eddy::server::TopicsAction::kList;
    if (describe->parsed()) topics.action = eddy::server::TopicsAction::kDescribe;
    if (del->parsed()) topics.action = eddy::server::TopicsAction::kDelete;
    status = eddy::server::RunTopics(topics, std::cout);
  }
  return status.ok() ? 0 : Fail(status);
}
