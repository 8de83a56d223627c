#include "src/kafka/broker/handlers.h"
#include "src/log/log_error.h"

namespace eddy::kafka {

void DispatchRequest(RequestPtr ctx) {
  switch (ctx->header().api_key) {
    case ApiKey::kProduce: return HandleProduce(std::move(ctx));
    case ApiKey::kFetch: return HandleFetch(std::move(ctx));
    case ApiKey::kListOffsets: return HandleListOffsets(std::move(ctx));
    case ApiKey::kMetadata: return HandleMetadata(std::move(ctx));
    case ApiKey::kOffsetCommit: return HandleOffsetCommit(std::move(ctx));
    case ApiKey::kOffsetFetch: return HandleOffsetFetch(std::move(ctx));
    case ApiKey::kFindCoordinator: return HandleFindCoordinator(std::move(ctx));
    case ApiKey::kJoinGroup: return HandleJoinGroup(std::move(ctx));
    case ApiKey::kHeartbeat: return HandleHeartbeat(std::move(ctx));
    case ApiKey::kLeaveGroup: return HandleLeaveGroup(std::move(ctx));
    case ApiKey::kSyncGroup: return HandleSyncGroup(std::move(ctx));
    case ApiKey::kApiVersions: return HandleApiVersions(std::move(ctx));
    case ApiKey::kCreateTopics: return HandleCreateTopics(std::move(ctx));
    case ApiKey::kDeleteTopics: return HandleDeleteTopics(std::move(ctx));
    case ApiKey::kInitProducerId: return HandleInitProducerId(std::move(ctx));
    case ApiKey::kDescribeConfigs: return HandleDescribeConfigs(std::move(ctx));
    case ApiKey::kAddPartitionsToTxn: return HandleAddPartitionsToTxn(std::move(ctx));
    case ApiKey::kAddOffsetsToTxn: return HandleAddOffsetsToTxn(std::move(ctx));
    case ApiKey::kEndTxn: return HandleEndTxn(std::move(ctx));
    case ApiKey::kTxnOffsetCommit: return HandleTxnOffsetCommit(std::move(ctx));
  }
  ctx->CloseConnection("no handler for api key " + std::to_string(static_cast<int>(ctx->header().api_key)));
}

ErrorCode ErrorFromLogStatus(const Status& status) {
  if (status.ok()) return ErrorCode::kNone;
  switch (log::LogErrorOf(status)) {
    case log::LogError::kNone: break;
    case log::LogError::kUnknownTopicOrPartition: return ErrorCode::kUnknownTopicOrPartition;
    case log::LogError::kTopicAlreadyExists: return ErrorCode::kTopicAlreadyExists;
    case log::LogError::kInvalidTopicName: return ErrorCode::kInvalidTopicException;
    case log::LogError::kInvalidConfig: return ErrorCode::kInvalidConfig;
    case log::LogError::kCorruptBatch: return ErrorCode::kCorruptMessage;
    case log::LogError::kBatchTooLarge: return ErrorCode::kMessageTooLarge;
    case log::LogError::kOffsetOutOfRange: return ErrorCode::kOffsetOutOfRange;
    case log::LogError::kOutOfOrderSequence: return ErrorCode::kOutOfOrderSequenceNumber;
    case log::LogError::kInvalidProducerEpoch: return ErrorCode::kInvalidProducerEpoch;
    case log::LogError::kUnknownProducerId: return ErrorCode::kUnknownProducerId;
    case log::LogError::kStorage: return ErrorCode::kKafkaStorageError;
    case log::LogError::kShuttingDown: return ErrorCode::kNotLeaderOrFollower;
    case log::LogError::kInvalidRecord: return ErrorCode::kInvalidRecord;
  }
  return ErrorCode::kUnknownServerError;
}

}  // namespace eddy::kafka
