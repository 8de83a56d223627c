#include "src/log/producer_state.h"

#include <algorithm>
#include <limits>

#include "src/base/crc32c.h"
#include "src/log/log_status.h"

namespace eddy::log {
namespace {

bool InSequence(int32_t last_sequence, int32_t next_sequence) {
  // Sequence numbers wrap from INT32_MAX to 0, as Kafka producers count them.
  return next_sequence == static_cast<int64_t>(last_sequence) + 1 ||
         (next_sequence == 0 && last_sequence == std::numeric_limits<int32_t>::max());
}

Status OutOfOrder(std::string message) {
  return LogStatus(StatusCode::kFailedPrecondition, LogError::kOutOfOrderSequence,
                   std::move(message));
}

}  // namespace

Result<std::optional<ProducerBatch>> ProducerStateTable::Check(const BatchHeader& h) const {
  // Built only for an error: the common path allocates nothing.
  auto who = [&] {
    return "producer id " + std::to_string(h.producer_id) + " epoch " +
           std::to_string(h.producer_epoch);
  };
  auto it = producers_.find(h.producer_id);
  if (it == producers_.end()) {
    if (!h.is_control() && h.base_sequence != 0) {
      return OutOfOrder(who() + " is not known here and its batch starts at sequence " +
                        std::to_string(h.base_sequence) + ", not 0");
    }
    return std::optional<ProducerBatch>();
  }
  const ProducerEntry& e = it->second;
  if (h.producer_epoch < e.epoch) {
    return LogStatus(
        StatusCode::kFailedPrecondition, LogError::kInvalidProducerEpoch,
        who() + " is older than the producer's current epoch " + std::to_string(e.epoch));
  }
  if (h.producer_epoch == e.epoch) {
    const int32_t last_sequence = h.last_sequence();
    for (uint8_t i = 0; i < e.count; ++i) {
      if (e.batches[i].first_sequence == h.base_sequence &&
          e.batches[i].last_sequence == last_sequence) {
        return std::optional<ProducerBatch>(e.batches[i]);
      }
    }
  }
  if (h.is_control()) return std::optional<ProducerBatch>();
  if (h.producer_epoch > e.epoch) {
    if (h.base_sequence != 0) {
      return OutOfOrder(who() + " is a new epoch (was " + std::to_string(e.epoch) +
                        ") but its batch starts at sequence " + std::to_string(h.base_sequence) +
                        ", not 0");
    }
    return std::optional<ProducerBatch>();
  }
  const int32_t last = e.last_sequence();
  if (last == kNoSequence ? h.base_sequence != 0 : !InSequence(last, h.base_sequence)) {
    return OutOfOrder(who() + " sent sequence " + std::to_string(h.base_sequence) +
                      " but the next expected is " +
                      std::to_string(last == kNoSequence ? 0 : static_cast<int64_t>(last) + 1));
  }
  return std::optional<ProducerBatch>();
}

void ProducerStateTable::Apply(const BatchHeader& h) {
  ProducerEntry& e = producers_[h.producer_id];
  if (h.producer_epoch != e.epoch) {
    e.epoch = h.producer_epoch;
    e.count = 0;
  }
  e.last_offset = h.last_offset();
  if (h.is_control()) {
    if (e.txn_first_offset >= 0) {
      open_transactions_.erase({e.txn_first_offset, h.producer_id});
      e.txn_first_offset = -1;
    }
    return;
  }
  if (h.is_transactional() && e.txn_first_offset < 0) {
    e.txn_first_offset = h.base_offset;
    open_transactions_.insert({e.txn_first_offset, h.producer_id});
  }
  if (e.count == kProducerBatchesKept) {
    std::move(e.batches.begin() + 1, e.batches.end(), e.batches.begin());
    --e.count;
  }
  e.batches[e.count++] =
      ProducerBatch{h.base_sequence, h.last_sequence(), h.base_offset, h.last_offset()};
}

void ProducerStateTable::RemoveBefore(int64_t log_start_offset) {
  std::erase_if(producers_, [&](const auto& kv) {
    if (kv.second.last_offset >= log_start_offset) return false;
    open_transactions_.erase({kv.second.txn_first_offset, kv.first});
    return true;
  });
}

const ProducerEntry* ProducerStateTable::Find(int64_t producer_id) const {
  auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

std::vector<uint8_t> ProducerStateTable::Serialize() const {
  ByteWriter w(8 + producers_.size() * (27 + kProducerBatchesKept * 20) + 4);
  w.WriteU32(kProducerSnapshotMagic);
  w.WriteU32(static_cast<uint32_t>(producers_.size()));
  for (const auto& [id, e] : producers_) {
    w.WriteI64(id);
    w.WriteI16(e.epoch);
    w.WriteI64(e.last_offset);
    w.WriteI64(e.txn_first_offset);
    w.WriteU8(e.count);
    for (uint8_t i = 0; i < e.count; ++i) {
      const ProducerBatch& b = e.batches[i];
      w.WriteI32(b.first_sequence);
      w.WriteI32(b.last_sequence);
      w.WriteI64(b.first_offset);
      w.WriteI32(static_cast<int32_t>(b.last_offset - b.first_offset));
    }
  }
  w.WriteU32(Crc32c(w.buffer()));
  return w.Release();
}

Result<ProducerStateTable> ProducerStateTable::Parse(ByteSpan bytes, const std::string& path) {
  if (bytes.size() < 12) {
    return Status::Corruption(path + ": producer snapshot of " + std::to_string(bytes.size()) +
                              " bytes is too short");
  }
  ByteSpan body = bytes.first(bytes.size() - 4);
  uint32_t stored_crc = static_cast<uint32_t>(LoadI32(bytes.data() + body.size()));
  if (Crc32c(body) != stored_crc) {
    return Status::Corruption(path + ": producer snapshot checksum does not match");
  }
  ByteReader r(body);
  const uint32_t magic = r.ReadU32();
  if (magic != kProducerSnapshotMagic && magic != kProducerSnapshotMagicV1) {
    return Status::Corruption(path + ": not a producer snapshot (bad magic)");
  }
  ProducerStateTable table;
  uint32_t count = r.ReadU32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    int64_t id = r.ReadI64();
    ProducerEntry e;
    e.epoch = r.ReadI16();
    e.last_offset = r.ReadI64();
    // Snapshots written before transactions existed know of no open transaction.
    if (magic == kProducerSnapshotMagic) e.txn_first_offset = r.ReadI64();
    if (e.txn_first_offset < -1 || e.txn_first_offset > e.last_offset) {
      return Status::Corruption(path + ": producer " + std::to_string(id) +
                                " has an open transaction from offset " +
                                std::to_string(e.txn_first_offset) + " past its last offset " +
                                std::to_string(e.last_offset));
    }
    e.count = r.ReadU8();
    if (e.count > kProducerBatchesKept) {
      return Status::Corruption(path + ": producer " + std::to_string(id) + " lists " +
                                std::to_string(e.count) + " batches");
    }
    for (uint8_t j = 0; j < e.count; ++j) {
      ProducerBatch& b = e.batches[j];
      b.first_sequence = r.ReadI32();
      b.last_sequence = r.ReadI32();
      b.first_offset = r.ReadI64();
      b.last_offset = b.first_offset + r.ReadI32();
    }
    table.producers_[id] = e;
    if (e.txn_first_offset >= 0) table.open_transactions_.insert({e.txn_first_offset, id});
  }
  if (!r.ok()) return Status::Corruption(path + ": " + r.status().message());
  if (!r.empty()) return Status::Corruption(path + ": trailing bytes after the producers");
  return table;
}

}  // namespace eddy::log
