// Produce: validate and append each partition's record batch, then answer according to
// acks: 0 never, 1 once appended, -1 (all) once durable under the fsync policy. The
// batches are appended straight out of the request buffer, with their base offsets
// set in place (no copy, no re-encoding). A transactional batch is appended only to a
// partition its producer added to its Ongoing transaction, with its current epoch.

#include <atomic>
#include <mutex>

#include "src/kafka/broker/handlers.h"
#include "src/kafka/protocol/produce.h"
#include "src/log/log.h"
#include "src/log/record_batch.h"

namespace eddy::kafka {
namespace {

/// Collects the durability confirmations of an acks=all produce and answers when the
/// last one arrives.
struct PendingProduce {
  RequestPtr ctx;
  ProduceResponse response;
  std::mutex mutex;
  int waiting = 0;  // guarded by mutex

  /// "partition" is null for the registering thread's own guard count.
  void Confirmed(ProduceResponse::PartitionProduceResponse* partition, const Status& durable) {
    bool last;
    {
      std::lock_guard lock(mutex);
      if (partition != nullptr && !durable.ok()) {
        partition->error_code = ErrorFromLogStatus(durable);
        partition->base_offset = -1;
        partition->error_message = durable.message();
      }
      last = --waiting == 0;
    }
    if (last) ctx->Respond(response);
  }
};

}  // namespace

void HandleProduce(RequestPtr ctx) {
  std::optional<ProduceRequest> request = DecodeOrClose<ProduceRequest>(*ctx);
  if (!request) return;
  Broker::Impl& broker = ctx->broker();
  const int16_t acks = request->acks;

  auto pending = std::make_shared<PendingProduce>();
  pending->ctx = ctx;
  ProduceResponse& response = pending->response;
  // Appended partitions whose durability acks=all waits for.
  std::vector<std::pair<std::shared_ptr<log::Partition>, Offset>> to_confirm;
  std::vector<ProduceResponse::PartitionProduceResponse*> to_confirm_slots;

  response.responses.reserve(request->topic_data.size());
  for (auto& topic : request->topic_data) {
    auto& topic_response = response.responses.emplace_back();
    topic_response.name = topic.name;
    topic_response.partition_responses.reserve(topic.partition_data.size());
    for (auto& data : topic.partition_data) {
      auto& out = topic_response.partition_responses.emplace_back();
      out.index = data.index;
      out.base_offset = -1;
      if (acks != 0 && acks != 1 && acks != -1) {
        out.error_code = ErrorCode::kInvalidRequiredAcks;
        continue;
      }
      auto partition = broker.log->GetPartition(topic.name, PartitionId(data.index));
      if (!partition.ok()) {
        out.error_code = ErrorFromLogStatus(partition.status());
        out.error_message = partition.status().message();
        continue;
      }
      // Held across the append: the transaction's markers wait for it.
      TransactionCoordinator::ProduceGuard in_transaction;
      if (Result<log::BatchHeader> header = log::ParseBatchHeader(data.records);
          header.ok() && header->is_transactional()) {
        if (!request->transactional_id) {
          out.error_code = ErrorCode::kInvalidRecord;
          out.error_message = "a transactional batch needs the request's transactional_id";
          continue;
        }
        if (broker.txns == nullptr) {
          out.error_code = ErrorCode::kTransactionalIdAuthorizationFailed;
          out.error_message = "this broker has no transaction coordinator";
          continue;
        }
        out.error_code = broker.txns->BeginProduce(
            {*request->transactional_id, header->producer_id, header->producer_epoch},
            {topic.name, data.index}, &in_transaction);
        if (out.error_code != ErrorCode::kNone) {
          spdlog::warn("transactional produce to {}-{} from {} (transactional id '{}', producer "
                       "id {} epoch {}) refused: {}",
                       topic.name, data.index, ctx->client(), *request->transactional_id,
                       header->producer_id, header->producer_epoch,
                       ErrorCodeName(out.error_code));
          continue;
        }
      }
      Result<log::AppendResult> appended = (*partition)->Append(data.records);
      in_transaction.Release();
      if (!appended.ok()) {
        out.error_code = ErrorFromLogStatus(appended.status());
        out.error_message = appended.status().message();
        spdlog::warn("produce to {}-{} from {} rejected: {}", topic.name, data.index, ctx->client(),
                     appended.status().ToString());
        continue;
      }
      out.base_offset = appended->base_offset.value();
      out.log_start_offset = appended->log_start_offset.value();
      if (acks == -1) {
        to_confirm.emplace_back(*partition, appended->last_offset);
        to_confirm_slots.push_back(&out);
      }
    }
  }

  if (acks == 0) {
    ctx->RespondNothing();
    return;
  }
  if (to_confirm.empty()) {
    ctx->Respond(response);
    return;
  }
  // Count first, then register: a confirmation may arrive inline, before the loop ends.
  pending->waiting = static_cast<int>(to_confirm.size()) + 1;
  for (size_t i = 0; i < to_confirm.size(); ++i) {
    auto* slot = to_confirm_slots[i];
    to_confirm[i].first->WhenDurable(to_confirm[i].second,
                                     [pending, slot](Status durable) { pending->Confirmed(slot, durable); });
  }
  pending->Confirmed(nullptr, Status::OK());
}

}  // namespace eddy::kafka
