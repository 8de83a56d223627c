#include "bench/produce_consume_run.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <thread>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace eddy::bench {
namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// CPU seconds (user + system) this process has used so far, all threads.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The per-message clock. Two readings per message are a measurable share of a
// producer's time at millions of messages/s (steady_clock costs ~50 ns on these VMs,
// the TSC ~20 ns), so on x86-64 it reads the TSC (constant and invariant on every CPU
// eddy benchmarks on) and converts ticks to nanoseconds with a rate calibrated against
// steady_clock.
class TickClock {
 public:
  TickClock() {
#if defined(__x86_64__)
    int64_t ns0 = NowNs();
    uint64_t t0 = __rdtsc();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    int64_t ns1 = NowNs();
    uint64_t t1 = __rdtsc();
    ns_per_tick_ = static_cast<double>(ns1 - ns0) / static_cast<double>(t1 - t0);
#endif
  }
  uint64_t Now() const {
#if defined(__x86_64__)
    return __rdtsc();
#else
    return static_cast<uint64_t>(NowNs());
#endif
  }
  uint64_t ToNs(uint64_t ticks) const {
    return static_cast<uint64_t>(static_cast<double>(ticks) * ns_per_tick_);
  }

 private:
  double ns_per_tick_ = 1.0;
};

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
  void operator()(rd_kafka_queue_t* rkqu) const { rd_kafka_queue_destroy(rkqu); }
  void operator()(rd_kafka_mock_cluster_t* mcluster) const {
    rd_kafka_mock_cluster_destroy(mcluster);
  }
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
template <typename T>
using KafkaPtr = std::unique_ptr<T, KafkaDeleter>;

Status SetAll(rd_kafka_conf_t* conf, const Settings& settings) {
  char err[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      return Status::InvalidArgument("librdkafka setting " + key + "=" + value + ": " + err);
    }
  }
  return Status::OK();
}

Result<KafkaPtr<rd_kafka_t>> NewClient(rd_kafka_type_t type, KafkaPtr<rd_kafka_conf_t> conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof(err));
  if (rk == nullptr) return Status::Internal(std::string("rd_kafka_new: ") + err);
  conf.release();  // rd_kafka_new took ownership
  return KafkaPtr<rd_kafka_t>(rk);
}

// Client-level errors (a broker down, a fatal producer error) are reported on the
// poll thread; the run keeps the first fatal one and fails with it.
struct ClientErrors {
  std::string fatal;
};

void RecordClientError(ClientErrors* errors, rd_kafka_t* rk, int err, const char* reason) {
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  std::fprintf(stderr, "log_bench: librdkafka %s: %s: %s\n", rd_kafka_name(rk),
               rd_kafka_err2name(code), reason);
  if (code == RD_KAFKA_RESP_ERR__FATAL || code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    if (errors->fatal.empty()) errors->fatal = std::string(rd_kafka_err2name(code)) + ": " + reason;
  }
}

// librdkafka log lines at error level or worse (protocol parse failures, say): counted,
// since the client often recovers from them by retrying and the run still succeeds, and
// printed. Log callbacks come from librdkafka's threads, hence the atomic; one counter
// for the process, since a run has one client at a time.
std::atomic<uint64_t> client_error_logs{0};

void OnClientLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  if (level <= 3) client_error_logs.fetch_add(1, std::memory_order_relaxed);
  std::fprintf(stderr, "%%%d|%.3f|%s|%s| %s\n", level, static_cast<double>(NowNs()) / 1e9, facility,
               rd_kafka_name(rk), message);
}

void OnConsumerError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  RecordClientError(static_cast<ClientErrors*>(opaque), rk, err, reason);
}

// Everything the delivery-report callback touches. The producer's poll runs on this
// thread only, so no locking.
struct ProduceState {
  TickClock clock;
  std::vector<uint64_t> sent_ticks;  // indexed by message sequence number
  Histogram latency_ns;
  uint64_t delivered = 0;
  uint64_t failed = 0;
  std::string first_failure;
  uint64_t last_delivery_ticks = 0;
  ClientErrors errors;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* state = static_cast<ProduceState*>(opaque);
  uint64_t now = state->clock.Now();
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (state->failed++ == 0) {
      state->first_failure = std::string(rd_kafka_err2name(msg->err)) + " (" +
                             rd_kafka_err2str(msg->err) + ") on partition " +
                             std::to_string(msg->partition);
    }
    return;
  }
  auto seq = reinterpret_cast<uintptr_t>(msg->_private);
  state->latency_ns.Record(state->clock.ToNs(now - state->sent_ticks[seq]));
  ++state->delivered;
  state->last_delivery_ticks = now;
}

void OnProducerError(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  RecordClientError(&static_cast<ProduceState*>(opaque)->errors, rk, err, reason);
}

// The payload: the message's sequence number in its first 8 bytes (so the consumer can
// check order and completeness), random bytes after it (nothing compresses it).
void StampSequence(std::vector<uint8_t>& payload, uint64_t seq) {
  std::memcpy(payload.data(), &seq, sizeof(seq));
}

// Blocks until the producer has metadata for the topic (and so a connection to its
// leader), so that the timed phase does not include connection setup.
Status AwaitTopic(rd_kafka_t* rk, rd_kafka_topic_t* rkt, int32_t partitions) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      bool ready = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                   md->topics[0].partition_cnt == partitions;
      rd_kafka_metadata_destroy(md);
      if (ready) return Status::OK();
    }
    rd_kafka_poll(rk, 100);
  }
  return Status::NotFound("topic " + std::string(rd_kafka_topic_name(rkt)) + " does not show " +
                          std::to_string(partitions) + " partitions in the broker's metadata");
}

Status Produce(const ProduceConsumeOptions& options, const std::string& bootstrap,
               ProduceConsumeResult* result) {
  auto state = std::make_unique<ProduceState>();
  state->sent_ticks.resize(options.max_messages);

  KafkaPtr<rd_kafka_conf_t> conf(rd_kafka_conf_new());
  RETURN_IF_ERROR(SetAll(conf.get(), ProducerSettings()));
  RETURN_IF_ERROR(SetAll(conf.get(), {{"bootstrap.servers", bootstrap}, {"acks", options.acks}}));
  RETURN_IF_ERROR(SetAll(conf.get(), options.producer_overrides));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), OnDelivery);
  rd_kafka_conf_set_error_cb(conf.get(), OnProducerError);
  rd_kafka_conf_set_log_cb(conf.get(), OnClientLog);
  rd_kafka_conf_set_opaque(conf.get(), state.get());
  ASSIGN_OR_RETURN(KafkaPtr<rd_kafka_t> rk, NewClient(RD_KAFKA_PRODUCER, std::move(conf)));
  KafkaPtr<rd_kafka_topic_t> rkt(rd_kafka_topic_new(rk.get(), options.topic.c_str(), nullptr));
  RETURN_IF_ERROR(AwaitTopic(rk.get(), rkt.get(), options.partitions));

  std::vector<uint8_t> payload(std::max<size_t>(options.message_bytes, sizeof(uint64_t)));
  std::mt19937_64 rng(42);
  for (auto& b : payload) b = static_cast<uint8_t>(rng());

  const double start_cpu = ProcessCpuSeconds();
  const int64_t start = NowNs();
  const uint64_t start_ticks = state->clock.Now();
  const int64_t deadline =
      options.max_seconds > 0 ? start + static_cast<int64_t>(options.max_seconds * 1e9) : 0;
  uint64_t produced = 0;
  for (; produced < options.max_messages; ++produced) {
    if (deadline != 0 && (produced & 1023) == 0 && NowNs() >= deadline) break;
    StampSequence(payload, produced);
    auto partition = static_cast<int32_t>(produced % static_cast<uint64_t>(options.partitions));
    // The clock starts before the first attempt: waiting for room in a full queue is
    // part of the latency the application sees.
    state->sent_ticks[produced] = state->clock.Now();
    while (rd_kafka_produce(rkt.get(), partition, RD_KAFKA_MSG_F_COPY, payload.data(),
                            options.message_bytes, nullptr, 0,
                            reinterpret_cast<void*>(static_cast<uintptr_t>(produced))) != 0) {
      rd_kafka_resp_err_t err = rd_kafka_last_error();
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return Status::Internal("produce of message " + std::to_string(produced) + " to " +
                                options.topic + ": " + rd_kafka_err2str(err));
      }
      rd_kafka_poll(rk.get(), 1);
    }
    // Serve delivery reports often enough that their timestamps are accurate to a few
    // microseconds, rarely enough that polling does not dominate.
    if ((produced & 63) == 0) rd_kafka_poll(rk.get(), 0);
    if (state->failed != 0) break;
  }

  // Wait for every delivery report, giving up only when nothing is delivered for a while.
  uint64_t last_delivered = state->delivered;
  int64_t last_progress = NowNs();
  while (state->delivered + state->failed < produced) {
    rd_kafka_poll(rk.get(), 10);
    if (state->delivered != last_delivered) {
      last_delivered = state->delivered;
      last_progress = NowNs();
    } else if (NowNs() - last_progress > int64_t{options.stall_timeout_ms} * 1'000'000) {
      return Status::TimedOut("producer: " + std::to_string(produced - state->delivered) + " of " +
                              std::to_string(produced) + " messages still undelivered after " +
                              std::to_string(options.stall_timeout_ms) + " ms without progress");
    }
    if (!state->errors.fatal.empty()) break;
  }
  if (state->failed != 0) {
    return Status::Internal("producer: " + std::to_string(state->failed) + " of " +
                            std::to_string(produced) +
                            " messages failed delivery; first: " + state->first_failure);
  }
  if (!state->errors.fatal.empty()) return Status::Internal("producer: " + state->errors.fatal);

  result->produce_cpu_seconds = ProcessCpuSeconds() - start_cpu;
  result->messages = produced;
  result->payload_bytes = produced * options.message_bytes;
  result->produce_seconds =
      static_cast<double>(state->clock.ToNs(state->last_delivery_ticks - start_ticks)) / 1e9;
  result->latency_ns = std::move(state->latency_ns);
  return Status::OK();
}

Status Consume(const ProduceConsumeOptions& options, const std::string& bootstrap,
               ProduceConsumeResult* result) {
  ClientErrors errors;
  KafkaPtr<rd_kafka_conf_t> conf(rd_kafka_conf_new());
  RETURN_IF_ERROR(SetAll(conf.get(), ConsumerSettings()));
  RETURN_IF_ERROR(SetAll(conf.get(), {{"bootstrap.servers", bootstrap}}));
  RETURN_IF_ERROR(SetAll(conf.get(), options.consumer_overrides));
  rd_kafka_conf_set_error_cb(conf.get(), OnConsumerError);
  rd_kafka_conf_set_log_cb(conf.get(), OnClientLog);
  rd_kafka_conf_set_opaque(conf.get(), &errors);
  ASSIGN_OR_RETURN(KafkaPtr<rd_kafka_t> rk, NewClient(RD_KAFKA_CONSUMER, std::move(conf)));
  rd_kafka_poll_set_consumer(rk.get());
  KafkaPtr<rd_kafka_queue_t> queue(rd_kafka_queue_get_consumer(rk.get()));

  const auto parts = static_cast<uint64_t>(options.partitions);
  // next_seq[p]: the sequence number partition p must deliver next (round-robin producing
  // put message i on partition i % parts).
  std::vector<uint64_t> next_seq(parts);
  for (uint64_t p = 0; p < parts; ++p) next_seq[p] = p;

  // Learn the partition leaders first: assigned before they are known, librdkafka retries
  // the offset lookup only after a 500 ms timer, which would count against the broker.
  {
    KafkaPtr<rd_kafka_topic_t> rkt(rd_kafka_topic_new(rk.get(), options.topic.c_str(), nullptr));
    RETURN_IF_ERROR(AwaitTopic(rk.get(), rkt.get(), options.partitions));
  }

  const double start_cpu = ProcessCpuSeconds();
  const int64_t start = NowNs();
  KafkaPtr<rd_kafka_topic_partition_list_t> assignment(
      rd_kafka_topic_partition_list_new(options.partitions));
  for (int32_t p = 0; p < options.partitions; ++p) {
    rd_kafka_topic_partition_list_add(assignment.get(), options.topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk.get(), assignment.get()); err != 0) {
    return Status::Internal("consumer assign: " + std::string(rd_kafka_err2str(err)));
  }

  std::vector<rd_kafka_message_t*> batch(10'000);
  uint64_t consumed = 0;
  uint64_t bytes = 0;
  int64_t last_progress = NowNs();
  int64_t last_message_ns = start;
  Status failure;
  while (consumed < result->messages && failure.ok()) {
    ssize_t n = rd_kafka_consume_batch_queue(queue.get(), 100, batch.data(), batch.size());
    if (n < 0) {
      failure =
          Status::Internal("consume: " + std::string(rd_kafka_err2str(rd_kafka_last_error())));
      break;
    }
    int64_t now = NowNs();
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* msg = batch[i];
      if (failure.ok()) {
        if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          failure = Status::Internal("consume from partition " + std::to_string(msg->partition) +
                                     ": " + rd_kafka_err2name(msg->err) + " (" +
                                     rd_kafka_message_errstr(msg) + ")");
        } else if (msg->len != options.message_bytes) {
          failure = Status::Corruption("message at offset " + std::to_string(msg->offset) +
                                       " of partition " + std::to_string(msg->partition) + " has " +
                                       std::to_string(msg->len) + " bytes, not " +
                                       std::to_string(options.message_bytes));
        } else {
          uint64_t seq = 0;
          std::memcpy(&seq, msg->payload, sizeof(seq));
          auto p = static_cast<uint64_t>(msg->partition);
          if (p >= parts || seq != next_seq[p]) {
            failure = Status::Corruption(
                "partition " + std::to_string(msg->partition) + " offset " +
                std::to_string(msg->offset) + " holds message " + std::to_string(seq) +
                (p < parts ? ", expected " + std::to_string(next_seq[p]) : std::string()) +
                " (lost, duplicated or reordered)");
          } else {
            next_seq[p] += parts;
            ++consumed;
            bytes += msg->len;
          }
        }
      }
      rd_kafka_message_destroy(msg);
    }
    if (n > 0) {
      last_progress = now;
      last_message_ns = now;
    } else if (now - last_progress > int64_t{options.stall_timeout_ms} * 1'000'000) {
      failure = Status::TimedOut("consumer: read " + std::to_string(consumed) + " of " +
                                 std::to_string(result->messages) + " messages, then nothing for " +
                                 std::to_string(options.stall_timeout_ms) + " ms");
    }
    if (!errors.fatal.empty() && failure.ok())
      failure = Status::Internal("consumer: " + errors.fatal);
  }
  const double cpu = ProcessCpuSeconds() - start_cpu;
  rd_kafka_consumer_close(rk.get());
  RETURN_IF_ERROR(failure);
  result->consume_cpu_seconds = cpu;
  result->consumed = consumed;
  result->consume_seconds = static_cast<double>(last_message_ns - start) / 1e9;
  return Status::OK();
}

}  // namespace

const Settings& ProducerSettings() {
  static const Settings settings = {
      {"linger.ms", "5"},
      {"batch.size", "1000000"},
      {"batch.num.messages", "10000"},
      {"queue.buffering.max.messages", "100000"},
      {"queue.buffering.max.kbytes", "65536"},
      {"compression.codec", "none"},
      {"enable.idempotence", "false"},
      {"max.in.flight.requests.per.connection", "5"},
      {"message.timeout.ms", "60000"},
      {"socket.nagle.disable", "true"},
  };
  return settings;
}

const Settings& ConsumerSettings() {
  static const Settings settings = {
      // librdkafka wants a group for assign(); offsets are never committed to it.
      {"group.id", "eddy-log-bench"},
      {"enable.auto.commit", "false"},
      {"enable.partition.eof", "false"},
      {"fetch.wait.max.ms", "100"},
      {"fetch.min.bytes", "1"},
      {"fetch.max.bytes", "52428800"},
      // 4 MiB per partition: fewer round trips than the 1 MiB default. Much larger fetches
      // backfire with librdkafka 2.0: one fetch overfills queued.min.messages and the
      // partition then waits for the next one-second timer before fetching again.
      {"max.partition.fetch.bytes", "4194304"},
      {"queued.max.messages.kbytes", "262144"},
      {"socket.nagle.disable", "true"},
  };
  return settings;
}

Result<ProduceConsumeResult> RunProduceConsume(const ProduceConsumeOptions& options) {
  if (options.partitions < 1) return Status::InvalidArgument("partitions must be >= 1");
  if (options.message_bytes < sizeof(uint64_t)) {
    return Status::InvalidArgument("messages must hold at least 8 bytes (the sequence number)");
  }

  // The mock cluster lives on a client handle of its own, created before and destroyed
  // after the producer and consumer that talk to it.
  KafkaPtr<rd_kafka_t> mock_host;
  KafkaPtr<rd_kafka_mock_cluster_t> mock;
  std::string bootstrap = options.bootstrap;
  if (bootstrap.empty()) {
    KafkaPtr<rd_kafka_conf_t> conf(rd_kafka_conf_new());
    // The host handle never connects anywhere: silence its "no bootstrap.servers" notice.
    RETURN_IF_ERROR(SetAll(conf.get(), {{"log_level", "4"}}));
    ASSIGN_OR_RETURN(mock_host, NewClient(RD_KAFKA_PRODUCER, std::move(conf)));
    mock.reset(rd_kafka_mock_cluster_new(mock_host.get(), 1));
    if (mock == nullptr) return Status::Internal("rd_kafka_mock_cluster_new failed");
    if (rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(mock.get(), options.topic.c_str(), options.partitions, 1);
        err != 0) {
      return Status::Internal("mock topic " + options.topic + ": " + rd_kafka_err2str(err));
    }
    bootstrap = rd_kafka_mock_cluster_bootstraps(mock.get());
  }

  ProduceConsumeResult result;
  client_error_logs = 0;
  RETURN_IF_ERROR(Produce(options, bootstrap, &result));
  result.produce_client_errors = client_error_logs.exchange(0);
  if (options.consume && mock == nullptr) {
    RETURN_IF_ERROR(Consume(options, bootstrap, &result));
    result.consume_client_errors = client_error_logs.exchange(0);
  }
  return result;
}

}  // namespace eddy::bench
