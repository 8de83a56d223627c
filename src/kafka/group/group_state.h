#pragma once
// The states of a consumer group, as Kafka's classic group coordinator names them.

#include <string_view>

namespace eddy::kafka {

/// Empty -> PreparingRebalance -> CompletingRebalance -> Stable, back to PreparingRebalance
/// whenever membership or metadata changes; Empty again when the last member goes; Dead
/// once the group is deleted.
enum class GroupState {
  kEmpty,                // no members (the group may still hold committed offsets)
  kPreparingRebalance,   // waiting for every member to (re)join
  kCompletingRebalance,  // generation chosen, waiting for the leader's assignment
  kStable,               // assignment handed out, members heartbeat
  kDead,                 // deleted; kept only while a request still refers to it
};

/// The name Kafka's DescribeGroups and ListGroups report ("PreparingRebalance", ...).
constexpr std::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Unknown";
}

}  // namespace eddy::kafka
