#include "src/state/state_backend.h"

#include <string>
#include <utility>

#include "src/state/memory_state_backend.h"
#include "src/state/rocksdb_state_backend.h"

namespace eddy::state {

Result<BackendKind> ParseBackendKind(std::string_view text) {
  if (text == "memory") return BackendKind::kMemory;
  if (text == "rocksdb") return BackendKind::kRocksDb;
  return Status::InvalidArgument("unknown state backend '" + std::string(text) +
                                 "' (expected memory or rocksdb)");
}

std::string_view BackendKindName(BackendKind kind) {
  switch (kind) {
    case BackendKind::kMemory:
      return "memory";
    case BackendKind::kRocksDb:
      return "rocksdb";
  }
  return "unknown";
}

Result<std::unique_ptr<StateBackend>> OpenStateBackend(const StateBackendOptions& options) {
  switch (options.kind) {
    case BackendKind::kMemory: {
      ASSIGN_OR_RETURN(auto backend, MemoryStateBackend::Open(options));
      return std::unique_ptr<StateBackend>(std::move(backend));
    }
    case BackendKind::kRocksDb: {
      ASSIGN_OR_RETURN(auto backend, RocksDbStateBackend::Open(options));
      return std::unique_ptr<StateBackend>(std::move(backend));
    }
  }
  return Status::InvalidArgument("unknown state backend kind " +
                                 std::to_string(static_cast<int>(options.kind)));
}

}  // namespace eddy::state
