// TopicAdmin over the Kafka protocol, with librdkafka's admin API.

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <memory>

#include "src/server/topic_admin.h"

namespace eddy::server {
namespace {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
  void operator()(rd_kafka_DeleteTopic_t* t) const { rd_kafka_DeleteTopic_destroy(t); }
  void operator()(rd_kafka_ConfigResource_t* r) const { rd_kafka_ConfigResource_destroy(r); }
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};
template <typename T>
using KafkaPtr = std::unique_ptr<T, KafkaDeleter>;

class KafkaTopicAdmin final : public TopicAdmin {
 public:
  KafkaTopicAdmin(rd_kafka_t* rk, std::string bootstrap, int timeout_ms)
      : rk_(rk), queue_(rd_kafka_queue_new(rk)), bootstrap_(std::move(bootstrap)), timeout_ms_(timeout_ms) {}

  Status Create(const std::string& name, int32_t partitions,
                const std::vector<std::pair<std::string, std::string>>& configs) override {
    char err[512];
    KafkaPtr<rd_kafka_NewTopic_t> topic(rd_kafka_NewTopic_new(name.c_str(), partitions, 1, err, sizeof(err)));
    if (!topic) return Status::InvalidArgument(err);
    for (const auto& [k, v] : configs) {
      if (rd_kafka_NewTopic_set_config(topic.get(), k.c_str(), v.c_str()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Status::InvalidArgument("bad config " + k + "=" + v);
      }
    }
    auto options = Options(RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_NewTopic_t* topics[] = {topic.get()};
    rd_kafka_CreateTopics(rk_.get(), topics, 1, options.get(), queue_.get());
    ASSIGN_OR_RETURN(auto event, Wait(RD_KAFKA_EVENT_CREATETOPICS_RESULT));
    size_t n = 0;
    const auto** results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &n);
    return TopicResult(results, n, name);
  }

  Status Delete(const std::string& name) override {
    KafkaPtr<rd_kafka_DeleteTopic_t> topic(rd_kafka_DeleteTopic_new(name.c_str()));
    auto options = Options(RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_DeleteTopic_t* topics[] = {topic.get()};
    rd_kafka_DeleteTopics(rk_.get(), topics, 1, options.get(), queue_.get());
    ASSIGN_OR_RETURN(auto event, Wait(RD_KAFKA_EVENT_DELETETOPICS_RESULT));
    size_t n = 0;
    const auto** results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event.get()), &n);
    return TopicResult(results, n, name);
  }

  Result<std::vector<TopicDescription>> List() override {
    ASSIGN_OR_RETURN(auto md, Metadata(nullptr));
    std::vector<TopicDescription> out;
    for (int i = 0; i < md->topic_cnt; ++i) {
      const auto& t = md->topics[i];
      if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      out.push_back({t.topic, t.partition_cnt, {}});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
  }

  Result<TopicDescription> Describe(const std::string& name) override {
    TopicDescription desc;
    desc.name = name;
    {
      ASSIGN_OR_RETURN(auto md, Metadata(&name));
      if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_resp_err_t e = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        return Status::NotFound("topic '" + name + "': " + rd_kafka_err2str(e));
      }
      desc.partitions = md->topics[0].partition_cnt;
    }
    KafkaPtr<rd_kafka_ConfigResource_t> resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str()));
    auto options = Options(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_ConfigResource_t* resources[] = {resource.get()};
    rd_kafka_DescribeConfigs(rk_.get(), resources, 1, options.get(), queue_.get());
    ASSIGN_OR_RETURN(auto event, Wait(RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT));
    size_t n = 0;
    const auto** results =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event.get()), &n);
    if (n != 1) return Status::Internal("DescribeConfigs returned " + std::to_string(n) + " resources");
    if (rd_kafka_ConfigResource_error(results[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable(std::string("describe configs of '") + name +
                                 "': " + rd_kafka_ConfigResource_error_string(results[0]));
    }
    size_t entries = 0;
    const auto** configs = rd_kafka_ConfigResource_configs(results[0], &entries);
    for (size_t i = 0; i < entries; ++i) {
      const char* value = rd_kafka_ConfigEntry_value(configs[i]);
      desc.configs.emplace_back(rd_kafka_ConfigEntry_name(configs[i]), value ? value : "");
    }
    return desc;
  }

 private:
  KafkaPtr<rd_kafka_AdminOptions_t> Options(rd_kafka_admin_op_t op) {
    KafkaPtr<rd_kafka_AdminOptions_t> options(rd_kafka_AdminOptions_new(rk_.get(), op));
    char err[256];
    rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms_, err, sizeof(err));
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS) {
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms_, err, sizeof(err));
    }
    return options;
  }

  Result<KafkaPtr<rd_kafka_event_t>> Wait(rd_kafka_event_type_t type) {
    KafkaPtr<rd_kafka_event_t> event(rd_kafka_queue_poll(queue_.get(), timeout_ms_ + 1000));
    if (!event) return Status::TimedOut("no answer from " + bootstrap_ + " within " + std::to_string(timeout_ms_) + " ms");
    if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable(bootstrap_ + ": " + rd_kafka_event_error_string(event.get()));
    }
    if (rd_kafka_event_type(event.get()) != type) return Status::Internal("unexpected admin event");
    return event;
  }

  Status TopicResult(const rd_kafka_topic_result_t** results, size_t n, const std::string& name) {
    if (n != 1) return Status::Internal("expected one topic result, got " + std::to_string(n));
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[0]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::OK();
    const char* text = rd_kafka_topic_result_error_string(results[0]);
    std::string msg = "topic '" + name + "': " + (text && *text ? text : rd_kafka_err2str(err));
    switch (err) {
      case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: return Status::AlreadyExists(msg);
      case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART: return Status::NotFound(msg);
      default: return Status::InvalidArgument(msg);
    }
  }

  Result<KafkaPtr<const rd_kafka_metadata_t>> Metadata(const std::string* topic) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t err;
    if (topic == nullptr) {
      err = rd_kafka_metadata(rk_.get(), 1, nullptr, &md, timeout_ms_);
    } else {
      // A topic handle asks for that topic only; auto-creation is off for this client.
      rd_kafka_topic_t* t = rd_kafka_topic_new(rk_.get(), topic->c_str(), nullptr);
      err = rd_kafka_metadata(rk_.get(), 0, t, &md, timeout_ms_);
      rd_kafka_topic_destroy(t);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status::Unavailable("metadata from " + bootstrap_ + ": " + rd_kafka_err2str(err));
    }
    return KafkaPtr<const rd_kafka_metadata_t>(md);
  }

  KafkaPtr<rd_kafka_t> rk_;
  KafkaPtr<rd_kafka_queue_t> queue_;
  std::string bootstrap_;
  int timeout_ms_;
};

}  // namespace

Result<std::unique_ptr<TopicAdmin>> TopicAdmin::ConnectKafka(const std::string& bootstrap, int timeout_ms) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const char* k, const char* v) {
    return rd_kafka_conf_set(conf, k, v, err, sizeof(err)) == RD_KAFKA_CONF_OK;
  };
  if (!set("bootstrap.servers", bootstrap.c_str()) || !set("allow.auto.create.topics", "false") ||
      !set("log_level", "3") || !set("client.id", "eddy-topics")) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(err);
  }
  // A consumer-type handle, because only consumers send Metadata with
  // allow_auto_topic_creation=false: describing a missing topic must not create it.
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::Unavailable(std::string("kafka client: ") + err);
  }
  return std::unique_ptr<TopicAdmin>(new KafkaTopicAdmin(rk, bootstrap, timeout_ms));
}

}  // namespace eddy::server
