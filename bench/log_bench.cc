// log_bench: the driver of eddy's log benchmark (see bench/README.md).
//
//   log_bench produce --bootstrap 127.0.0.1:9092 --topic t --partitions 4 --size 100 ...
//   log_bench produce --mock --topic t ...        (librdkafka's in-process mock cluster)
//   log_bench disk --dir DATA_PARENT --chunk-bytes 1048576
//   log_bench disk --dir DATA_PARENT --sync none  (buffered writes: the page cache's ceiling)
//   log_bench settings                            (the client settings every run uses)
//
// Each run prints one JSON line (for bench/run_log_bench.sh) and one line for people.
// Any delivery error, client error or lost/reordered message ends it with exit code 1.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench/disk_baseline.h"
#include "bench/produce_consume_run.h"

namespace {

using eddy::Histogram;
using eddy::Status;

constexpr double kMB = 1e6;  // figures are in decimal megabytes, as disks are sold

// "k":"v" pairs from --tag KEY=VALUE, copied into the JSON line so the script can tell
// runs apart.
std::string TagsJson(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& tag : tags) {
    size_t eq = tag.find('=');
    std::string key = eq == std::string::npos ? tag : tag.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : tag.substr(eq + 1);
    out += fmt::format("\"{}\":\"{}\",", key, value);
  }
  return out;
}

std::string TagsText(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& tag : tags) out += tag + " ";
  return out;
}

std::string LatencyJson(const Histogram& h) {
  auto us = [](uint64_t ns) { return static_cast<double>(ns) / 1e3; };
  return fmt::format(
      "{{\"p50\":{:.1f},\"p99\":{:.1f},\"p999\":{:.1f},\"max\":{:.1f},\"mean\":{:.1f}}}",
      us(h.Percentile(50)), us(h.Percentile(99)), us(h.Percentile(99.9)), us(h.Max()),
      h.Mean() / 1e3);
}

std::string Millis(uint64_t ns) { return fmt::format("{:.2f} ms", static_cast<double>(ns) / 1e6); }

int Fail(const std::string& what, const Status& status) {
  std::fprintf(stderr, "log_bench %s: FAILED: %s\n", what.c_str(), status.ToString().c_str());
  return 1;
}

// KEY=VALUE strings from the command line; false (after saying why) on a malformed one.
bool ParseSettings(const std::vector<std::string>& args, eddy::bench::Settings* out) {
  for (const auto& kv : args) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "log_bench produce: '%s' is not KEY=VALUE\n", kv.c_str());
      return false;
    }
    out->emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return true;
}

int RunProduce(const eddy::bench::ProduceConsumeOptions& options,
               const std::vector<std::string>& tags) {
  auto result = eddy::bench::RunProduceConsume(options);
  if (!result.ok()) return Fail("produce", result.status());
  const auto& r = *result;
  double size = static_cast<double>(options.message_bytes);
  double produce_rate = static_cast<double>(r.messages) / r.produce_seconds;
  bool consumed = r.consume_seconds > 0;
  double consume_rate = consumed ? static_cast<double>(r.consumed) / r.consume_seconds : 0;
  auto json_or_null = [&](double value, int decimals) {
    return consumed ? fmt::format("{:.{}f}", value, decimals) : std::string("null");
  };
  std::printf(
      "%s\n",
      fmt::format(
          "{{\"kind\":\"log\",{}\"target\":\"{}\",\"topic\":\"{}\",\"size\":{},"
          "\"partitions\":{},\"acks\":\"{}\",\"messages\":{},\"produce_s\":{:.3f},"
          "\"produce_msgs_s\":{:.0f},\"produce_mb_s\":{:.2f},\"latency_us\":{},"
          "\"produce_cpu_s\":{:.3f},\"consumed\":{},\"consume_s\":{},\"consume_msgs_s\":{},"
          "\"consume_mb_s\":{},\"consume_cpu_s\":{},\"produce_client_errors\":{},"
          "\"consume_client_errors\":{}}}",
          TagsJson(tags), options.bootstrap.empty() ? "mock" : options.bootstrap, options.topic,
          options.message_bytes, options.partitions, options.acks, r.messages, r.produce_seconds,
          produce_rate, produce_rate * size / kMB, LatencyJson(r.latency_ns), r.produce_cpu_seconds,
          r.consumed, json_or_null(r.consume_seconds, 3), json_or_null(consume_rate, 0),
          json_or_null(consume_rate * size / kMB, 2), json_or_null(r.consume_cpu_seconds, 3),
          r.produce_client_errors, r.consume_client_errors)
          .c_str());
  std::string consume_text = consumed ? fmt::format("consume {:.0f} msg/s {:.1f} MB/s",
                                                    consume_rate, consume_rate * size / kMB)
                                      : std::string("consume not measured");
  std::printf(
      "# %s%zu B x %llu, %d partition(s), acks=%s: produce %.0f msg/s %.1f MB/s, latency p50 %s "
      "p99 %s p99.9 %s; %s\n",
      TagsText(tags).c_str(), options.message_bytes, static_cast<unsigned long long>(r.messages),
      options.partitions, options.acks.c_str(), produce_rate, produce_rate * size / kMB,
      Millis(r.latency_ns.Percentile(50)).c_str(), Millis(r.latency_ns.Percentile(99)).c_str(),
      Millis(r.latency_ns.Percentile(99.9)).c_str(), consume_text.c_str());
  return 0;
}

int RunDisk(const eddy::bench::DiskBaselineOptions& options, const std::vector<std::string>& tags) {
  auto result = eddy::bench::RunDiskBaseline(options);
  if (!result.ok()) return Fail("disk", result.status());
  const auto& r = *result;
  const bool sync_each = options.sync == eddy::bench::SyncMode::kEachChunk;
  double mb_s = static_cast<double>(r.bytes) / r.seconds / kMB;
  double chunks_s = static_cast<double>(r.chunks) / r.seconds;
  double sustained_mb_s = r.second_half_seconds > 0 ? static_cast<double>(r.second_half_bytes) /
                                                          r.second_half_seconds / kMB
                                                    : mb_s;
  std::printf(
      "%s\n",
      fmt::format("{{\"kind\":\"disk\",{}\"dir\":\"{}\",\"sync\":\"{}\",\"chunk_bytes\":{},"
                  "\"bytes\":{},\"seconds\":{:.3f},\"mb_s\":{:.2f},\"sustained_mb_s\":{:.2f},"
                  "\"chunks_s\":{:.1f},\"chunk_us\":{},\"dirty_bytes_at_end\":{},"
                  "\"dirty_background_threshold_bytes\":{},\"dirty_threshold_bytes\":{}}}",
                  TagsJson(tags), options.dir, sync_each ? "each" : "none", options.chunk_bytes,
                  r.bytes, r.seconds, mb_s, sustained_mb_s, chunks_s, LatencyJson(r.chunk_ns),
                  r.dirty_bytes_at_end, r.dirty_background_threshold_bytes, r.dirty_threshold_bytes)
          .c_str());
  std::printf(
      "# disk %s%zu B chunks, %s: %.1f MB/s (second half %.1f MB/s) over %.1f GB, %.0f %s/s, "
      "p50 %s p99 %s; dirty page cache at the end %.2f GB\n",
      TagsText(tags).c_str(), options.chunk_bytes,
      sync_each ? "fdatasync after each" : "buffered (page cache, no fsync)", mb_s, sustained_mb_s,
      static_cast<double>(r.bytes) / 1e9, chunks_s, sync_each ? "syncs" : "writes",
      Millis(r.chunk_ns.Percentile(50)).c_str(), Millis(r.chunk_ns.Percentile(99)).c_str(),
      static_cast<double>(r.dirty_bytes_at_end) / 1e9);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "log_bench: produce/consume benchmark of a Kafka-compatible log, and the disk's "
      "write baselines"};
  app.require_subcommand(1);
  std::vector<std::string> tags;

  eddy::bench::ProduceConsumeOptions produce;
  bool mock = false;
  auto* produce_cmd =
      app.add_subcommand("produce", "Produce N messages to a topic, then consume them all back");
  auto* bootstrap =
      produce_cmd->add_option("--bootstrap", produce.bootstrap, "HOST:PORT of the broker");
  produce_cmd->add_flag("--mock", mock, "Use librdkafka's in-process mock cluster (one broker)")
      ->excludes(bootstrap);
  produce_cmd->add_option("--topic", produce.topic, "Topic (must exist on a real broker)")
      ->required();
  produce_cmd->add_option("--partitions", produce.partitions, "Partitions of the topic")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  produce_cmd->add_option("--size", produce.message_bytes, "Message value size in bytes (>= 8)")
      ->capture_default_str()
      ->check(CLI::Range(8, 1 << 20));
  produce_cmd->add_option("--messages", produce.max_messages, "Messages to produce (at most)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  produce_cmd
      ->add_option("--max-seconds", produce.max_seconds,
                   "Stop producing after this long (0: produce all --messages)")
      ->capture_default_str();
  produce_cmd->add_option("--acks", produce.acks, "0, 1 or all")
      ->capture_default_str()
      ->check(CLI::IsMember({"0", "1", "all", "-1"}));
  produce_cmd
      ->add_option("--stall-timeout-ms", produce.stall_timeout_ms,
                   "Fail when producing or consuming makes no progress for this long")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  bool no_consume = false;
  produce_cmd->add_flag("--no-consume", no_consume, "Skip reading the messages back");
  std::vector<std::string> producer_overrides;
  produce_cmd->add_option(
      "--set", producer_overrides,
      "KEY=VALUE librdkafka producer setting over the standard ones; repeatable");
  std::vector<std::string> consumer_overrides;
  produce_cmd->add_option(
      "--consumer-set", consumer_overrides,
      "KEY=VALUE librdkafka consumer setting over the standard ones; repeatable");
  produce_cmd->add_option("--tag", tags, "KEY=VALUE copied into the JSON line; repeatable");

  eddy::bench::DiskBaselineOptions disk;
  auto* disk_cmd = app.add_subcommand(
      "disk",
      "Append chunks to a fresh file, with fdatasync after each (the disk's durable-write "
      "bandwidth) or with none (--sync none: the page cache's buffered-write ceiling)");
  disk_cmd->add_option("--dir", disk.dir, "Directory to write in (the data dir's file system)")
      ->required();
  disk_cmd->add_option("--chunk-bytes", disk.chunk_bytes, "Bytes per write (+ fdatasync)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  disk_cmd
      ->add_option("--sync", disk.sync,
                   "each: fdatasync after every chunk; none: never sync (buffered writes)")
      ->transform(CLI::CheckedTransformer(
                      std::map<std::string, eddy::bench::SyncMode>{
                          {"each", eddy::bench::SyncMode::kEachChunk},
                          {"none", eddy::bench::SyncMode::kNone}},
                      CLI::ignore_case)
                      .description("each|none"))
      ->default_str("each");
  disk_cmd->add_option("--max-bytes", disk.max_bytes, "Stop after this many bytes")
      ->capture_default_str();
  disk_cmd->add_option("--max-seconds", disk.max_seconds, "Stop after this many seconds")
      ->capture_default_str();
  disk_cmd->add_option("--tag", tags, "KEY=VALUE copied into the JSON line; repeatable");

  auto* settings_cmd =
      app.add_subcommand("settings", "Print the librdkafka settings every produce run uses");

  CLI11_PARSE(app, argc, argv);

  if (produce_cmd->parsed()) {
    if (!mock && produce.bootstrap.empty()) {
      std::fprintf(stderr, "log_bench produce: give --bootstrap HOST:PORT or --mock\n");
      return 2;
    }
    produce.consume = !no_consume;
    if (!ParseSettings(producer_overrides, &produce.producer_overrides) ||
        !ParseSettings(consumer_overrides, &produce.consumer_overrides)) {
      return 2;
    }
    return RunProduce(produce, tags);
  }
  if (disk_cmd->parsed()) return RunDisk(disk, tags);
  if (settings_cmd->parsed()) {
    for (const auto& [k, v] : eddy::bench::ProducerSettings())
      std::printf("producer %s=%s\n", k.c_str(), v.c_str());
    for (const auto& [k, v] : eddy::bench::ConsumerSettings())
      std::printf("consumer %s=%s\n", k.c_str(), v.c_str());
  }
  return 0;
}
