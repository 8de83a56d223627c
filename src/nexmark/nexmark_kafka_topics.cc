// WriteNexmarkTopicsToKafka: the topic filler through the Kafka protocol (librdkafka),
// for a running eddy or any Kafka-compatible cluster.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "src/nexmark/nexmark_json.h"
#include "src/nexmark/nexmark_topics.h"

namespace eddy::nexmark {
namespace {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
  void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};
template <typename T>
using KafkaPtr = std::unique_ptr<T, KafkaDeleter>;

using Clock = std::chrono::steady_clock;

/// What the client's callbacks report; they run inside rd_kafka_poll/flush on the
/// producing thread, but the error callback may come from librdkafka's threads.
struct DeliveryState {
  std::mutex mu;
  int64_t delivered = 0;      // GUARDED_BY(mu)
  int64_t failed = 0;         // GUARDED_BY(mu)
  std::string first_failure;  // GUARDED_BY(mu)
  std::string last_error;     // GUARDED_BY(mu): the client's latest error event
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* state = static_cast<DeliveryState*>(opaque);
  std::lock_guard lock(state->mu);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++state->delivered;
    return;
  }
  if (state->failed++ == 0) {
    state->first_failure = std::string(rd_kafka_topic_name(message->rkt)) + " partition " +
                           std::to_string(message->partition) + ": " +
                           rd_kafka_err2str(message->err);
  }
}

void OnError(rd_kafka_t*, int, const char* reason, void* opaque) {
  auto* state = static_cast<DeliveryState*>(opaque);
  std::lock_guard lock(state->mu);
  state->last_error = reason;
}

class KafkaFiller {
 public:
  KafkaFiller(std::string bootstrap, int timeout_ms)
      : bootstrap_(std::move(bootstrap)), timeout_ms_(timeout_ms) {}

  Status Connect() {
    char err[512];
    KafkaPtr<rd_kafka_conf_t> conf(rd_kafka_conf_new());
    const std::pair<const char*, std::string> settings[] = {
        {"bootstrap.servers", bootstrap_},
        {"acks", "all"},
        {"enable.idempotence", "true"},
        {"compression.codec", "none"},
        {"linger.ms", "20"},
        {"batch.size", "1000000"},
        {"batch.num.messages", "100000"},
        {"queue.buffering.max.messages", "1000000"},
        {"message.timeout.ms", std::to_string(timeout_ms_)},
        // Topics are created explicitly, with their partition count.
        {"allow.auto.create.topics", "false"},
    };
    for (const auto& [key, value] : settings) {
      if (rd_kafka_conf_set(conf.get(), key, value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        return Status::InvalidArgument(std::string("kafka setting ") + key + ": " + err);
      }
    }
    rd_kafka_conf_set_dr_msg_cb(conf.get(), OnDelivery);
    rd_kafka_conf_set_error_cb(conf.get(), OnError);
    rd_kafka_conf_set_opaque(conf.get(), &state_);
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof(err));
    if (rk == nullptr) return Status::InvalidArgument(std::string("kafka producer: ") + err);
    conf.release();  // rd_kafka_new took it
    rk_.reset(rk);
    return Status::OK();
  }

  // Creates the missing topics (with retention.ms = -1), then learns each topic's
  // partition count and refuses topics that already hold records.
  Status PrepareTopics(int partitions) {
    // All topics' metadata: asking for one by name would make a broker that auto-creates
    // topics create it with its default partition count.
    const rd_kafka_metadata_t* raw = nullptr;
    if (rd_kafka_resp_err_t e = rd_kafka_metadata(rk_.get(), 1, nullptr, &raw, timeout_ms_);
        e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Unreachable(std::string("metadata: ") + rd_kafka_err2str(e));
    }
    KafkaPtr<const rd_kafka_metadata_t> metadata(raw);
    std::vector<KafkaPtr<rd_kafka_NewTopic_t>> new_topics;
    std::vector<rd_kafka_NewTopic_t*> missing;
    char err[512];
    for (NexmarkStream stream : kAllStreams) {
      const std::string name(TopicName(stream));
      bool exists = false;
      for (int i = 0; i < metadata->topic_cnt; ++i) {
        exists |= metadata->topics[i].topic == name &&
                  metadata->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR;
      }
      if (exists) continue;
      KafkaPtr<rd_kafka_NewTopic_t> topic(
          rd_kafka_NewTopic_new(name.c_str(), partitions, -1, err, sizeof(err)));
      if (!topic) return Status::InvalidArgument("topic " + name + ": " + err);
      rd_kafka_NewTopic_set_config(topic.get(), "retention.ms", "-1");
      missing.push_back(topic.get());
      new_topics.push_back(std::move(topic));
    }
    if (!missing.empty()) RETURN_IF_ERROR(CreateTopics(missing));
    for (NexmarkStream stream : kAllStreams) {
      RETURN_IF_ERROR(
          OpenTopic(std::string(TopicName(stream)), &topics_[static_cast<int>(stream)]));
    }
    return Status::OK();
  }

  Status CreateTopics(std::vector<rd_kafka_NewTopic_t*>& raw) {
    char err[512];
    KafkaPtr<rd_kafka_queue_t> queue(rd_kafka_queue_new(rk_.get()));
    KafkaPtr<rd_kafka_AdminOptions_t> options(
        rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
    rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms_, err, sizeof(err));
    rd_kafka_CreateTopics(rk_.get(), raw.data(), raw.size(), options.get(), queue.get());
    KafkaPtr<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), timeout_ms_ + 5000));
    if (!event) return Unreachable("no answer to CreateTopics");
    if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Unreachable(std::string("CreateTopics: ") + rd_kafka_event_error_string(event.get()));
    }
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &n);
    for (size_t i = 0; i < n; ++i) {
      const rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* message = rd_kafka_topic_result_error_string(results[i]);
        return Status::FailedPrecondition(std::string("create topic ") +
                                          rd_kafka_topic_result_name(results[i]) + " at " +
                                          bootstrap_ + ": " + rd_kafka_err2str(e) +
                                          (message ? std::string(" (") + message + ")" : ""));
      }
    }
    return Status::OK();
  }

  Status Produce(const GeneratorConfig& config, const NexmarkProgressFn& progress,
                 NexmarkWriteStats* stats) {
    const Generator generator(config);
    Status status;
    Clock::time_point last_progress = Clock::now();
    int64_t last_delivered = 0;
    ForEachEventJson(
        generator, [&](NexmarkStream stream, int64_t k, int64_t time, std::string_view json) {
          Topic& topic = topics_[static_cast<int>(stream)];
          const auto partition = static_cast<int32_t>(k % topic.partitions);
          while (true) {
            const rd_kafka_resp_err_t e = rd_kafka_producev(
                rk_.get(), RD_KAFKA_V_RKT(topic.handle.get()), RD_KAFKA_V_PARTITION(partition),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_VALUE(const_cast<char*>(json.data()), json.size()),
                RD_KAFKA_V_TIMESTAMP(time), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
              status = Status::Internal("produce to " + topic.name + ": " + rd_kafka_err2str(e));
              return false;
            }
            // The client's queue is full: serve deliveries until there is room.
            rd_kafka_poll(rk_.get(), 50);
            status = CheckDeliveries(&last_delivered, &last_progress);
            if (!status.ok()) return false;
          }
          stats->Count(stream, json.size());
          stats->batch_bytes += static_cast<int64_t>(json.size());
          if (stats->events() % 1024 == 0) {
            rd_kafka_poll(rk_.get(), 0);
            status = CheckDeliveries(&last_delivered, &last_progress);
            if (!status.ok()) return false;
            if (progress && stats->events() % (1 << 16) == 0) progress(*stats);
          }
          return true;
        });
    RETURN_IF_ERROR(status);
    // Wait for every delivery report.
    while (rd_kafka_outq_len(rk_.get()) > 0) {
      rd_kafka_flush(rk_.get(), 100);
      RETURN_IF_ERROR(CheckDeliveries(&last_delivered, &last_progress));
    }
    RETURN_IF_ERROR(CheckDeliveries(&last_delivered, &last_progress));
    std::lock_guard lock(state_.mu);
    if (state_.delivered != stats->events()) {
      return Status::Internal("nexmark: " + std::to_string(state_.delivered) + " of " +
                              std::to_string(stats->events()) + " records acknowledged");
    }
    return Status::OK();
  }

 private:
  struct Topic {
    std::string name;
    int32_t partitions = 0;
    KafkaPtr<rd_kafka_topic_t> handle;
  };

  Status Unreachable(const std::string& what) {
    std::lock_guard lock(state_.mu);
    return Status::Unavailable("kafka at " + bootstrap_ + ": " + what +
                               (state_.last_error.empty() ? "" : " (" + state_.last_error + ")"));
  }

  Status OpenTopic(const std::string& name, Topic* out) {
    out->name = name;
    out->handle.reset(rd_kafka_topic_new(rk_.get(), name.c_str(), nullptr));
    // A topic just created may take a moment to show in the metadata of every broker.
    const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms_);
    KafkaPtr<const rd_kafka_metadata_t> metadata;
    while (true) {
      const rd_kafka_metadata_t* raw = nullptr;
      const rd_kafka_resp_err_t e =
          rd_kafka_metadata(rk_.get(), 0, out->handle.get(), &raw, timeout_ms_);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Unreachable("metadata of " + name + ": " + rd_kafka_err2str(e));
      }
      metadata.reset(raw);
      const rd_kafka_resp_err_t te = metadata->topic_cnt == 1
                                         ? metadata->topics[0].err
                                         : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
      if (te == RD_KAFKA_RESP_ERR_NO_ERROR && metadata->topics[0].partition_cnt > 0) break;
      const bool transient = te == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                             te == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                             te == RD_KAFKA_RESP_ERR_NO_ERROR;
      if (!transient || Clock::now() > deadline) {
        return Status::FailedPrecondition("topic " + name + " at " + bootstrap_ + ": " +
                                          rd_kafka_err2str(te));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    out->partitions = metadata->topics[0].partition_cnt;
    for (int32_t p = 0; p < out->partitions; ++p) {
      int64_t low = 0;
      int64_t high = 0;
      const rd_kafka_resp_err_t we =
          rd_kafka_query_watermark_offsets(rk_.get(), name.c_str(), p, &low, &high, timeout_ms_);
      if (we != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Unreachable("offsets of " + name + " partition " + std::to_string(p) + ": " +
                           rd_kafka_err2str(we));
      }
      if (high > low) {
        return Status::FailedPrecondition(
            "topic " + name + " partition " + std::to_string(p) + " at " + bootstrap_ +
            " already holds records (offsets " + std::to_string(low) + ".." +
            std::to_string(high - 1) +
            "); delete the nexmark-* topics first (eddy topics delete NAME --bootstrap " +
            bootstrap_ + ")");
      }
    }
    return Status::OK();
  }

  // A failed delivery, a fatal client error, or no acknowledgement for timeout_ms while
  // records are outstanding ends the fill.
  Status CheckDeliveries(int64_t* last_delivered, Clock::time_point* last_progress) {
    char reason[512];
    if (rd_kafka_resp_err_t e = rd_kafka_fatal_error(rk_.get(), reason, sizeof(reason));
        e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Internal("kafka at " + bootstrap_ + ": fatal producer error: " + reason);
    }
    std::lock_guard lock(state_.mu);
    if (state_.failed > 0) {
      return Status::Unavailable("kafka at " + bootstrap_ + ": " + std::to_string(state_.failed) +
                                 " record(s) not acknowledged; first: " + state_.first_failure);
    }
    const Clock::time_point now = Clock::now();
    if (state_.delivered != *last_delivered || rd_kafka_outq_len(rk_.get()) == 0) {
      *last_delivered = state_.delivered;
      *last_progress = now;
    } else if (now - *last_progress > std::chrono::milliseconds(timeout_ms_)) {
      return Status::TimedOut("kafka at " + bootstrap_ + ": no record acknowledged for " +
                              std::to_string(timeout_ms_) + " ms" +
                              (state_.last_error.empty() ? "" : " (" + state_.last_error + ")"));
    }
    return Status::OK();
  }

  const std::string bootstrap_;
  const int timeout_ms_;
  // Destroyed in reverse: the topic handles before the client (as librdkafka requires),
  // the client before the state its callbacks write to.
  DeliveryState state_;
  KafkaPtr<rd_kafka_t> rk_;
  Topic topics_[3];
};

}  // namespace

Result<NexmarkWriteStats> WriteNexmarkTopicsToKafka(const std::string& bootstrap,
                                                    const GeneratorConfig& config, int partitions,
                                                    const NexmarkProgressFn& progress,
                                                    int timeout_ms) {
  RETURN_IF_ERROR(config.Validate());
  if (partitions < 1) {
    return Status::InvalidArgument("nexmark: partitions must be at least 1, not " +
                                   std::to_string(partitions));
  }
  KafkaFiller filler(bootstrap, timeout_ms);
  RETURN_IF_ERROR(filler.Connect());
  RETURN_IF_ERROR(filler.PrepareTopics(partitions));
  NexmarkWriteStats stats;
  RETURN_IF_ERROR(filler.Produce(config, progress, &stats));
  if (progress) progress(stats);
  return stats;
}

}  // namespace eddy::nexmark
