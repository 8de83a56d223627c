// engine_latency: end-to-end latency of a pipeline running in `eddy serve`, as a user
// sees it — from a Kafka client's produce() of an event to the moment a Kafka consumer
// reads the pipeline's result for it from the output topic.
//
//   engine_latency --bootstrap 127.0.0.1:9092 --rate 100000 --seconds 10
//       --input nexmark-bid --output nexmark-q1-results
//
// The producer sends Nexmark bids at a fixed rate (in 1 ms steps); each carries its send
// time (CLOCK_MONOTONIC ns, shared by every process on the machine) in "extra", which
// q0 and q1 pass through. The consumer, assigned to the output topic's end before the
// first send, parses it back. The first second is warm-up and not counted. Prints one
// JSON line: sent, received, p50/p99/p999/max in microseconds.

#include <librdkafka/rdkafka.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Options {
  std::string bootstrap = "127.0.0.1:9092";
  std::string input = "nexmark-bid";
  std::string output = "nexmark-q1-results";
  int64_t rate = 100'000;
  int seconds = 10;
  int warmup_seconds = 1;
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "engine_latency: %s\n", why.c_str());
  std::exit(1);
}

rd_kafka_t* MakeClient(rd_kafka_type_t type, const Options& o,
                       std::vector<std::pair<std::string, std::string>> settings) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  settings.emplace_back("bootstrap.servers", o.bootstrap);
  for (auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      Die(k + ": " + err);
    }
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) Die(err);
  return rk;
}

int PartitionCount(rd_kafka_t* rk, const std::string& topic) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 5000);
    rd_kafka_topic_destroy(t);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 && md->topics[0].err == 0 &&
        md->topics[0].partition_cnt > 0) {
      int n = md->topics[0].partition_cnt;
      rd_kafka_metadata_destroy(md);
      return n;
    }
    if (md) rd_kafka_metadata_destroy(md);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Die("topic " + topic + " did not appear");
}

int64_t ExtractSendNs(const char* payload, size_t len) {
  static const char kKey[] = "\"extra\":\"";
  const char* end = payload + len;
  const char* p = std::search(payload, end, kKey, kKey + sizeof kKey - 1);
  if (p == end) return -1;
  p += sizeof kKey - 1;
  return std::strtoll(p, nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--bootstrap") o.bootstrap = v;
    else if (k == "--input") o.input = v;
    else if (k == "--output") o.output = v;
    else if (k == "--rate") o.rate = std::stoll(v);
    else if (k == "--seconds") o.seconds = std::stoi(v);
    else Die("unknown option " + k);
  }

  rd_kafka_t* consumer = MakeClient(RD_KAFKA_CONSUMER, o,
                                    {{"group.id", "engine-latency"},
                                     {"enable.auto.commit", "false"},
                                     {"fetch.wait.max.ms", "100"},
                                     {"fetch.min.bytes", "1"},
                                     {"fetch.error.backoff.ms", "1"}});
  const int out_partitions = PartitionCount(consumer, o.output);
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(out_partitions);
  for (int p = 0; p < out_partitions; ++p) {
    rd_kafka_topic_partition_list_add(assignment, o.output.c_str(), p)->offset = RD_KAFKA_OFFSET_END;
  }
  if (rd_kafka_assign(consumer, assignment) != RD_KAFKA_RESP_ERR_NO_ERROR) Die("assign failed");
  rd_kafka_topic_partition_list_destroy(assignment);

  std::atomic<bool> done{false};
  std::atomic<int64_t> received{0};
  std::vector<int64_t> latencies_ns;
  latencies_ns.reserve(static_cast<size_t>(o.rate) * o.seconds);
  const int64_t start_ns = NowNs() + 1'000'000'000LL;  // consumer settles for a second
  const int64_t measure_from_ns = start_ns + o.warmup_seconds * 1'000'000'000LL;

  std::thread reader([&] {
    while (!done.load()) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 50);
      if (!m) continue;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const int64_t now = NowNs();
        const int64_t sent = ExtractSendNs(static_cast<const char*>(m->payload), m->len);
        if (sent > 0) {
          received.fetch_add(1);
          if (sent >= measure_from_ns) latencies_ns.push_back(now - sent);
        }
      }
      rd_kafka_message_destroy(m);
    }
  });

  rd_kafka_t* producer = MakeClient(RD_KAFKA_PRODUCER, o,
                                    {{"acks", "all"},
                                     {"linger.ms", "0"},
                                     {"queue.buffering.max.messages", "1000000"}});
  rd_kafka_topic_t* topic = rd_kafka_topic_new(producer, o.input.c_str(), nullptr);
  PartitionCount(producer, o.input);

  while (NowNs() < start_ns) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const int64_t total = o.rate * o.seconds;
  int64_t sent = 0;
  char buf[512];
  const int64_t step_ns = 1'000'000;  // pace in 1 ms steps
  const int64_t per_step = std::max<int64_t>(1, o.rate / 1000);
  int64_t next_step = start_ns;
  while (sent < total) {
    // Sleep rather than spin: this machine has 2 cores, and eddy needs them.
    while (NowNs() < next_step) {
      rd_kafka_poll(producer, 0);
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    for (int64_t i = 0; i < per_step && sent < total; ++i, ++sent) {
      int len = std::snprintf(
          buf, sizeof buf,
          "{\"auction\":%lld,\"bidder\":%lld,\"price\":%lld,\"channel\":\"Google\","
          "\"url\":\"https://www.nexmark.com/item.htm?query=1\",\"date_time\":%lld,"
          "\"extra\":\"%lld\"}",
          static_cast<long long>(1000 + sent % 1000), static_cast<long long>(2000 + sent % 777),
          static_cast<long long>(100 + sent % 5000), static_cast<long long>(WallMs()),
          static_cast<long long>(NowNs()));
      while (rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, buf, len,
                              nullptr, 0, nullptr) != 0) {
        rd_kafka_poll(producer, 1);
      }
    }
    rd_kafka_poll(producer, 0);
    next_step += step_ns;
  }
  rd_kafka_flush(producer, 30'000);
  const double send_seconds = static_cast<double>(NowNs() - start_ns) / 1e9;
  // Let the last results arrive.
  for (int i = 0; i < 100 && received.load() < total; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  done.store(true);
  reader.join();

  std::sort(latencies_ns.begin(), latencies_ns.end());
  auto pct = [&](double q) -> double {
    if (latencies_ns.empty()) return -1;
    size_t i = static_cast<size_t>(q * static_cast<double>(latencies_ns.size() - 1));
    return static_cast<double>(latencies_ns[i]) / 1000.0;
  };
  std::printf(
      "{\"rate\":%lld,\"seconds\":%d,\"sent\":%lld,\"received\":%lld,\"send_seconds\":%.2f,"
      "\"measured\":%zu,\"p50_us\":%.0f,\"p99_us\":%.0f,\"p999_us\":%.0f,\"max_us\":%.0f}\n",
      static_cast<long long>(o.rate), o.seconds, static_cast<long long>(sent),
      static_cast<long long>(received.load()), send_seconds, latencies_ns.size(), pct(0.5),
      pct(0.99), pct(0.999), pct(1.0));
  rd_kafka_topic_destroy(topic);
  rd_kafka_destroy(producer);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return received.load() >= total ? 0 : 2;
}
