// state_checkpoint_bench: what checkpoints of keyed state cost in eddy's state backends
// (src/state). For the rocksdb backend, with about --bytes of state (16-byte keys over
// all key groups, 100-byte values of random bytes, so that nothing compresses away):
//
//   fill                    Put every entry into a fresh backend
//   snapshot                the first snapshot: its duration, size and new bytes
//   change + snapshot       overwrite 1% of the keys, snapshot again (incremental: only
//                           the SST files written since the first snapshot are new)
//   restore                 the second snapshot into a fresh backend (every key group: the
//                           snapshot is adopted, its SST files hard-linked after a
//                           checksum pass), then a full scan that checks the entry count
//   restore half            the key groups of instance 0 of 2 only (a rescale: entries are
//                           read, rewritten into SST files and ingested)
//
// and, for comparison, the memory backend with --memory-bytes of state: fill, snapshot
// (one file with a CRC), restore.
//
//   build-bench/bench/state_checkpoint_bench [--bytes 1GiB] [--memory-bytes 200MB]
//                                             [--dir /tmp]
//
// Progress goes to stderr; stdout gets one JSON object with every figure: per step its
// wall seconds and the process's CPU seconds (all threads, RocksDB's background work
// included), bytes, entries, and the load average before and after (the machine may be
// shared). Everything is written under a fresh directory inside --dir, removed at
// the end.

#include <fmt/format.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "src/state/key_group.h"
#include "src/state/state_backend.h"

namespace {

using eddy::Result;
using eddy::Status;
using eddy::state::BackendKind;
using eddy::state::KeyGroupRange;
using eddy::state::OpenStateBackend;
using eddy::state::SnapshotStats;
using eddy::state::StateBackend;
using eddy::state::StateBackendOptions;

constexpr size_t kKeyBytes = 16;
constexpr size_t kValueBytes = 100;
constexpr const char* kTable = "bench";

// A failed step ends the run: the figures after it would mean nothing.
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

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Entry i: a key of 16 bytes (a hash of i, then i, both big-endian) in the key group the
// hash picks, as the engine's hash of a grouping key would.
struct Key {
  int key_group;
  char bytes[kKeyBytes];
};
Key KeyOf(uint64_t i) {
  Key key;
  uint64_t hash = SplitMix(i);
  key.key_group = static_cast<int>(hash % eddy::state::kKeyGroups);
  for (int b = 0; b < 8; ++b) {
    key.bytes[b] = static_cast<char>(hash >> (56 - 8 * b));
    key.bytes[8 + b] = static_cast<char>(i >> (56 - 8 * b));
  }
  return key;
}

// 100 fresh random bytes per call (xorshift, so the fill measures the backend).
class ValueSource {
 public:
  explicit ValueSource(uint64_t seed) : state_(SplitMix(seed) | 1) {}
  std::string_view Next() {
    for (size_t i = 0; i < kValueBytes; i += 8) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 7;
      state_ ^= state_ << 17;
      std::memcpy(buffer_ + i, &state_, std::min<size_t>(8, kValueBytes - i));
    }
    return {buffer_, kValueBytes};
  }

 private:
  uint64_t state_;
  char buffer_[kValueBytes + 8];
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// CPU seconds of the whole process so far (every thread: RocksDB's flushes and
// compactions count). On a shared machine the wall time of a step grows with the load;
// its CPU time much less.
double ProcessCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Timing {
  double seconds = 0;
  double cpu_seconds = 0;
  /// "seconds":..,"cpu_seconds":.. (to go inside a JSON object)
  std::string Json() const {
    return fmt::format("\"seconds\":{:.3f},\"cpu_seconds\":{:.3f}", seconds, cpu_seconds);
  }
};

Timing Time(const std::function<void()>& step) {
  auto start = std::chrono::steady_clock::now();
  double cpu_start = ProcessCpuSeconds();
  step();
  return Timing{SecondsSince(start), ProcessCpuSeconds() - cpu_start};
}

// "1GiB", "200MB", "64k", "1000" -> bytes.
uint64_t ParseBytes(const std::string& text) {
  size_t end = 0;
  double number = std::stod(text, &end);
  std::string unit = text.substr(end);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::map<std::string, double> kScales = {
      {"", 1},        {"b", 1},         {"k", 1024.0},  {"kib", 1024.0},
      {"m", 1 << 20}, {"mib", 1 << 20}, {"g", 1 << 30}, {"gib", 1 << 30},
      {"kb", 1e3},    {"mb", 1e6},      {"gb", 1e9}};
  auto scale = kScales.find(unit);
  if (scale == kScales.end()) {
    throw BenchFailure("cannot read '" + text + "' as a number of bytes");
  }
  return static_cast<uint64_t>(number * scale->second);
}

std::unique_ptr<StateBackend> OpenBackend(BackendKind kind, const std::string& working_dir) {
  StateBackendOptions options;
  options.kind = kind;
  options.working_dir = working_dir;
  return Check(OpenStateBackend(options), "open " + working_dir);
}

void Fill(StateBackend& backend, uint64_t entries, const std::string& label) {
  ValueSource values(1);
  auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < entries; ++i) {
    Key key = KeyOf(i);
    Check(backend.Put(kTable, key.key_group, std::string_view(key.bytes, kKeyBytes), values.Next()),
          "put");
    if ((i + 1) % 1000000 == 0) {
      fmt::print(stderr, "  {}: {}M of {:.1f}M entries ({:.0f}k/s)\n", label, (i + 1) / 1000000,
                 static_cast<double>(entries) / 1e6,
                 static_cast<double>(i + 1) / SecondsSince(start) / 1e3);
    }
  }
}

uint64_t Count(StateBackend& backend) {
  uint64_t n = 0;
  Check(backend.ForEach(kTable,
                        [&](int, std::string_view, std::string_view) {
                          ++n;
                          return Status::OK();
                        }),
        "scan");
  return n;
}

std::string SnapshotJson(const SnapshotStats& stats, const Timing& timing) {
  return fmt::format("{{{},\"bytes\":{},\"new_bytes\":{},\"entries\":{}}}", timing.Json(),
                     stats.bytes, stats.new_bytes, stats.entries);
}

double MB(uint64_t bytes) { return static_cast<double>(bytes) / 1e6; }

std::string RunRocksDb(const std::string& root, uint64_t bytes) {
  const uint64_t entries = bytes / (kKeyBytes + kValueBytes);
  fmt::print(stderr, "rocksdb: {} entries of {}+{} bytes ({:.2f} GiB)\n", entries, kKeyBytes,
             kValueBytes, static_cast<double>(entries * (kKeyBytes + kValueBytes)) / (1 << 30));
  auto live = OpenBackend(BackendKind::kRocksDb, root + "/rocksdb-live");
  Timing fill = Time([&] { Fill(*live, entries, "fill"); });
  fmt::print(stderr, "  fill: {:.1f} s, {:.1f} s CPU ({:.0f}k entries/s)\n", fill.seconds,
             fill.cpu_seconds, static_cast<double>(entries) / fill.seconds / 1e3);

  SnapshotStats first;
  Timing first_time = Time([&] { first = Check(live->Snapshot(root + "/rocksdb-1"), "snapshot"); });
  fmt::print(stderr, "  snapshot 1: {:.2f} s, {:.1f} MB, {:.1f} MB new\n", first_time.seconds,
             MB(first.bytes), MB(first.new_bytes));

  // 1% of the keys get new values: uniformly spread, so they touch every SST file's range.
  const uint64_t changed = entries / 100;
  ValueSource values(2);
  Timing change = Time([&] {
    for (uint64_t j = 0; j < changed; ++j) {
      Key key = KeyOf(SplitMix(j ^ 0x5eed) % entries);
      Check(live->Put(kTable, key.key_group, std::string_view(key.bytes, kKeyBytes), values.Next()),
            "put");
    }
  });
  SnapshotStats second;
  Timing second_time =
      Time([&] { second = Check(live->Snapshot(root + "/rocksdb-2"), "snapshot"); });
  fmt::print(stderr,
             "  changed {} entries in {:.2f} s; snapshot 2: {:.2f} s, {:.1f} MB, {:.1f} MB new\n",
             changed, change.seconds, second_time.seconds, MB(second.bytes), MB(second.new_bytes));
  live.reset();

  // The same parallelism: the snapshot is adopted (checksums verified, files linked).
  auto restored = OpenBackend(BackendKind::kRocksDb, root + "/rocksdb-restored");
  Timing restore = Time(
      [&] { Check(restored->Restore({root + "/rocksdb-2"}, KeyGroupRange::All()), "restore"); });
  uint64_t restored_entries = 0;
  Timing scan = Time([&] { restored_entries = Count(*restored); });
  fmt::print(stderr, "  restore: {:.2f} s; scan of the {} restored entries: {:.2f} s\n",
             restore.seconds, restored_entries, scan.seconds);
  if (restored_entries != entries) {
    throw BenchFailure(fmt::format("restored {} entries, expected {}", restored_entries, entries));
  }
  restored.reset();

  // A rescale: half of the key groups are read, rewritten into SST files and ingested.
  auto half = OpenBackend(BackendKind::kRocksDb, root + "/rocksdb-half");
  Timing half_time = Time([&] {
    Check(half->Restore({root + "/rocksdb-2"}, KeyGroupRange::OfInstance(0, 2)), "restore");
  });
  uint64_t half_entries = Count(*half);
  fmt::print(stderr, "  restore of key groups {} (instance 0 of 2): {:.2f} s, {} entries\n",
             KeyGroupRange::OfInstance(0, 2).ToString(), half_time.seconds, half_entries);
  half.reset();

  return fmt::format(
      "{{\"entries\":{},\"payload_bytes\":{},\"fill\":{{{}}},\"snapshot\":{},"
      "\"changed_entries\":{},\"change\":{{{}}},\"incremental_snapshot\":{},"
      "\"restore\":{{{},\"entries\":{}}},\"scan\":{{{}}},"
      "\"restore_half\":{{{},\"key_groups\":\"{}\",\"entries\":{}}}}}",
      entries, entries * (kKeyBytes + kValueBytes), fill.Json(), SnapshotJson(first, first_time),
      changed, change.Json(), SnapshotJson(second, second_time), restore.Json(), restored_entries,
      scan.Json(), half_time.Json(), KeyGroupRange::OfInstance(0, 2).ToString(), half_entries);
}

std::string RunMemory(const std::string& root, uint64_t bytes) {
  const uint64_t entries = bytes / (kKeyBytes + kValueBytes);
  fmt::print(stderr, "memory: {} entries ({:.0f} MB)\n", entries,
             MB(entries * (kKeyBytes + kValueBytes)));
  auto live = OpenBackend(BackendKind::kMemory, "");
  Timing fill = Time([&] { Fill(*live, entries, "fill"); });
  SnapshotStats stats;
  Timing snapshot = Time([&] { stats = Check(live->Snapshot(root + "/memory-1"), "snapshot"); });
  fmt::print(stderr, "  fill: {:.1f} s; snapshot: {:.2f} s, {:.1f} MB\n", fill.seconds,
             snapshot.seconds, MB(stats.bytes));
  live.reset();
  auto restored = OpenBackend(BackendKind::kMemory, "");
  Timing restore = Time(
      [&] { Check(restored->Restore({root + "/memory-1"}, KeyGroupRange::All()), "restore"); });
  uint64_t restored_entries = Count(*restored);
  fmt::print(stderr, "  restore: {:.2f} s, {} entries\n", restore.seconds, restored_entries);
  if (restored_entries != entries) {
    throw BenchFailure(fmt::format("restored {} entries, expected {}", restored_entries, entries));
  }
  return fmt::format(
      "{{\"entries\":{},\"payload_bytes\":{},\"fill\":{{{}}},\"snapshot\":{},"
      "\"restore\":{{{},\"entries\":{}}}}}",
      entries, entries * (kKeyBytes + kValueBytes), fill.Json(), SnapshotJson(stats, snapshot),
      restore.Json(), restored_entries);
}

// The 1-minute load average, so that a reader can tell a busy machine's figures.
double LoadAverage() {
  double load = -1;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  return load;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"state_checkpoint_bench: snapshot and restore costs of eddy's state backends"};
  std::string bytes_text = "1GiB";
  std::string memory_bytes_text = "200MB";
  std::string parent = "/tmp";
  app.add_option("--bytes", bytes_text, "state in the rocksdb backend (keys + values)");
  app.add_option("--memory-bytes", memory_bytes_text, "state in the memory backend");
  app.add_option("--dir", parent, "where the run's scratch directory goes");
  CLI11_PARSE(app, argc, argv);

  std::string root = (std::filesystem::path(parent) / "eddy-state-bench-XXXXXX").string();
  if (::mkdtemp(root.data()) == nullptr) {
    std::fprintf(stderr, "state_checkpoint_bench: cannot create a directory in %s\n",
                 parent.c_str());
    return 1;
  }
  int exit_code = 0;
  try {
    uint64_t bytes = ParseBytes(bytes_text);
    uint64_t memory_bytes = ParseBytes(memory_bytes_text);
    fmt::print(stderr, "state_checkpoint_bench in {}\n", root);
    double load_before = LoadAverage();
    std::string rocksdb = RunRocksDb(root, bytes);
    std::string memory = RunMemory(root, memory_bytes);
    fmt::print(
        "{{\"cores\":{},\"load_average_before\":{:.2f},\"load_average_after\":{:.2f},"
        "\"rocksdb\":{},\"memory\":{}}}\n",
        std::thread::hardware_concurrency(), load_before, LoadAverage(), rocksdb, memory);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "state_checkpoint_bench: FAILED: %s\n", e.what());
    exit_code = 1;
  }
  std::error_code ec;
  std::filesystem::remove_all(root, ec);
  return exit_code;
}
