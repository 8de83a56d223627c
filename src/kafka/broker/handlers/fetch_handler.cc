// Fetch: read whole record batches from each partition, as stored, up to the request's
// byte limits. When less than min_bytes is there, the request waits (long poll) until
// an append makes enough visible or max_wait_ms passes; appends wake it through
// Partition::Watch, so a waiting consumer sees new data at once. A read_committed fetch
// (isolation_level 1) reads only below the last stable offset and lists the aborted
// transactions its batches hold; the consumer drops those.

#include <algorithm>
#include <boost/asio/steady_timer.hpp>

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/fetch.h"
#include "src/log/log.h"

namespace eddy::kafka {
namespace {

namespace asio = boost::asio;

/// One fetch being served. Lives on the connection's strand: every member is touched
/// only there (watch wake-ups are posted to it).
class FetchOperation : public std::enable_shared_from_this<FetchOperation> {
 public:
  FetchOperation(RequestPtr ctx, FetchRequest request)
      : ctx_(std::move(ctx)), request_(std::move(request)), timer_(ctx_->executor()) {}

  void Start() {
    const auto& config = ctx_->broker().config;
    max_bytes_ = std::clamp(request_.max_bytes, 0, config.max_fetch_response_bytes);
    if (ctx_->version() >= 7 && request_.session_id != 0) {
      // eddy does not keep incremental fetch sessions: a client naming one is told so and
      // falls back to full fetches.
      FetchResponse response;
      response.error_code = ErrorCode::kFetchSessionIdNotFound;
      ctx_->Respond(response);
      return;
    }
    FetchResponse response = ReadAll();
    if (ready_ || request_.max_wait_ms <= 0) {
      Respond(response);
      return;
    }
    timer_.expires_after(std::chrono::milliseconds(request_.max_wait_ms));
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->Finish();
    });
    ArmWatches();
  }

 private:
  /// Reads every requested partition; sets ready_ when the response should go now.
  FetchResponse ReadAll() {
    FetchResponse response;
    response_bytes_ = 0;
    Broker::Impl& broker = ctx_->broker();
    size_t total = 0;
    bool any_error = false;
    const bool read_committed = request_.isolation_level == 1;
    watch_points_.clear();
    response.responses.reserve(request_.topics.size());
    for (const auto& topic : request_.topics) {
      auto& topic_out = response.responses.emplace_back();
      topic_out.topic = topic.topic;
      topic_out.partitions.reserve(topic.partitions.size());
      for (const auto& p : topic.partitions) {
        auto& out = topic_out.partitions.emplace_back();
        out.partition_index = p.partition;
        // Empty, not null: librdkafka rejects a null record set.
        out.records.emplace();
        auto partition = broker.log->GetPartition(topic.topic, PartitionId(p.partition));
        if (!partition.ok()) {
          out.error_code = ErrorFromLogStatus(partition.status());
          out.high_watermark = -1;
          any_error = true;
          continue;
        }
        const log::Partition& part = **partition;
        size_t room = static_cast<size_t>(max_bytes_) > total ? static_cast<size_t>(max_bytes_) - total : 0;
        log::ReadOptions options;
        options.isolation = read_committed ? log::Isolation::kReadCommitted
                                           : log::Isolation::kReadUncommitted;
        options.max_bytes = std::min(room, static_cast<size_t>(std::max(p.partition_max_bytes, 0)));
        // KIP-74: the first batch of the response comes whole even if it alone is over the
        // limits, so a consumer is never stuck behind a large batch.
        options.min_one_batch = total == 0;
        Result<log::ReadResult> read = part.Read(Offset(p.fetch_offset), options);
        if (!read.ok()) {
          out.error_code = ErrorFromLogStatus(read.status());
          out.high_watermark = part.high_watermark().value();
          out.last_stable_offset = part.last_stable_offset().value();
          out.log_start_offset = part.log_start_offset().value();
          any_error = true;
          continue;
        }
        out.high_watermark = read->high_watermark.value();
        out.last_stable_offset = read->last_stable_offset.value();
        out.log_start_offset = read->log_start_offset.value();
        if (read_committed) {
          auto& aborted = out.aborted_transactions.emplace();
          aborted.reserve(read->aborted_transactions.size());
          for (const log::AbortedTransaction& a : read->aborted_transactions) {
            aborted.push_back({a.producer_id.value(), a.first_offset.value()});
          }
        }
        total += read->bytes.size();
        response_bytes_ += read->bytes.size() + kPartitionOverhead;
        // Wake on any append past what this read saw, should the fetch have to wait. The
        // last stable offset moves only when the high watermark does (a marker lands or
        // becomes durable), so read_committed fetches wait on it too.
        watch_points_.emplace_back(*partition, read->high_watermark);
        out.records = std::move(read->bytes);
      }
    }
    ready_ = any_error || total >= static_cast<size_t>(std::max(request_.min_bytes, 1)) ||
             watch_points_.empty();
    return response;
  }

  void ArmWatches() {
    auto self = shared_from_this();
    auto executor = ctx_->executor();
    for (auto& [partition, high_watermark] : watch_points_) {
      log::WatchId id = partition->Watch(high_watermark, [self, executor] {
        asio::post(executor, [self] { self->Woken(); });
      });
      watches_.emplace_back(partition, id);
    }
  }

  void DisarmWatches() {
    for (auto& [partition, id] : watches_) partition->Unwatch(id);
    watches_.clear();
  }

  void Woken() {
    if (done_) return;
    DisarmWatches();
    FetchResponse response = ReadAll();
    if (ready_) {
      Respond(response);
      return;
    }
    ArmWatches();
  }

  void Finish() {
    if (done_) return;
    DisarmWatches();
    Respond(ReadAll());
  }

  void Respond(const FetchResponse& response) {
    done_ = true;
    timer_.cancel();
    ctx_->Respond(response, response_bytes_ + kResponseOverhead);
  }

  // Generous upper bounds of the encoded size around the record bytes.
  static constexpr size_t kPartitionOverhead = 64;
  static constexpr size_t kResponseOverhead = 1024;

  RequestPtr ctx_;
  FetchRequest request_;
  size_t response_bytes_ = 0;  // record bytes plus overhead of the last ReadAll
  asio::steady_timer timer_;
  int32_t max_bytes_ = 0;
  bool ready_ = false;
  bool done_ = false;
  std::vector<std::pair<std::shared_ptr<log::Partition>, Offset>> watch_points_;
  std::vector<std::pair<std::shared_ptr<log::Partition>, log::WatchId>> watches_;
};

}  // namespace

void HandleFetch(RequestPtr ctx) {
  std::optional<FetchRequest> request = DecodeOrClose<FetchRequest>(*ctx);
  if (!request) return;
  auto op = std::make_shared<FetchOperation>(ctx, std::move(*request));
  op->Start();
}

}  // namespace eddy::kafka
