#include "src/kafka/group/group.h"

#include <algorithm>
#include <cassert>

namespace eddy::kafka {

const MemberProtocol* Member::FindProtocol(const std::string& protocol) const {
  for (const MemberProtocol& p : protocols) {
    if (p.name == protocol) return &p;
  }
  return nullptr;
}

Member* Group::Find(const std::string& member_id) {
  for (auto& m : members_) {
    if (m->member_id == member_id) return m.get();
  }
  return nullptr;
}

const Member* Group::Find(const std::string& member_id) const {
  return const_cast<Group*>(this)->Find(member_id);
}

Member& Group::Add(std::unique_ptr<Member> member) {
  if (members_.empty()) {
    protocol_type_ = member->protocol_type;
    leader_id_ = member->member_id;
  }
  if (member->group_instance_id) static_members_[*member->group_instance_id] = member->member_id;
  members_.push_back(std::move(member));
  return *members_.back();
}

std::unique_ptr<Member> Group::Remove(const std::string& member_id) {
  auto it = std::find_if(members_.begin(), members_.end(),
                         [&](const auto& m) { return m->member_id == member_id; });
  if (it == members_.end()) return nullptr;
  std::unique_ptr<Member> member = std::move(*it);
  members_.erase(it);
  if (member->group_instance_id) {
    auto s = static_members_.find(*member->group_instance_id);
    if (s != static_members_.end() && s->second == member_id) static_members_.erase(s);
  }
  if (leader_id_ == member_id) leader_id_ = members_.empty() ? "" : members_.front()->member_id;
  return member;
}

void Group::UpdateProtocols(Member& member, std::string protocol_type,
                            std::vector<MemberProtocol> protocols) {
  if (members_.size() == 1) protocol_type_ = protocol_type;
  member.protocol_type = std::move(protocol_type);
  member.protocols = std::move(protocols);
}

bool Group::SupportsProtocols(const std::string& protocol_type,
                              const std::vector<MemberProtocol>& protocols,
                              const std::string& except_member_id) const {
  if (protocol_type.empty() || protocols.empty()) return false;
  bool has_others = std::any_of(members_.begin(), members_.end(),
                                [&](const auto& m) { return m->member_id != except_member_id; });
  if (!has_others) return true;
  if (protocol_type != protocol_type_) return false;
  for (const MemberProtocol& p : protocols) {
    bool everyone = std::all_of(members_.begin(), members_.end(), [&](const auto& m) {
      return m->member_id == except_member_id || m->FindProtocol(p.name) != nullptr;
    });
    if (everyone) return true;
  }
  return false;
}

std::string Group::SelectProtocol() const {
  assert(!members_.empty() && "SelectProtocol needs members");
  // Candidates in the leader's order of preference, which also breaks ties.
  const Member* leader = Find(leader_id_);
  if (leader == nullptr) leader = members_.front().get();
  std::vector<std::string> candidates;
  for (const MemberProtocol& p : leader->protocols) {
    bool everyone = std::all_of(members_.begin(), members_.end(),
                                [&](const auto& m) { return m->FindProtocol(p.name) != nullptr; });
    if (everyone) candidates.push_back(p.name);
  }
  // Membership checks keep a common protocol; should one be missing anyway, the leader's
  // first choice is the least surprising answer.
  if (candidates.empty()) return leader->protocols.empty() ? "" : leader->protocols.front().name;

  std::vector<int> votes(candidates.size(), 0);
  for (const auto& m : members_) {
    for (const MemberProtocol& p : m->protocols) {
      auto c = std::find(candidates.begin(), candidates.end(), p.name);
      if (c != candidates.end()) {
        ++votes[static_cast<size_t>(c - candidates.begin())];
        break;
      }
    }
  }
  // max_element keeps the first of equal maxima: the leader's preference.
  auto best = std::max_element(votes.begin(), votes.end());
  return candidates[static_cast<size_t>(best - votes.begin())];
}

int32_t Group::MaxRebalanceTimeoutMs() const {
  int32_t max = 0;
  for (const auto& m : members_) max = std::max(max, m->rebalance_timeout_ms);
  return max;
}

bool Group::HasAllMembersJoined() const {
  return pending_members_.empty() && std::all_of(members_.begin(), members_.end(),
                                                 [](const auto& m) { return m->IsAwaitingJoin(); });
}

bool Group::ElectJoinedLeader() {
  const Member* leader = Find(leader_id_);
  if (leader != nullptr && leader->IsAwaitingJoin()) return true;
  for (const auto& m : members_) {
    if (m->IsAwaitingJoin()) {
      leader_id_ = m->member_id;
      return true;
    }
  }
  return false;
}

void Group::InitNextGeneration() {
  ++generation_id_;
  if (members_.empty()) {
    protocol_name_.reset();
    state_ = GroupState::kEmpty;
  } else {
    protocol_name_ = SelectProtocol();
    state_ = GroupState::kCompletingRebalance;
  }
}

std::optional<std::string> Group::StaticMemberId(const std::string& group_instance_id) const {
  auto it = static_members_.find(group_instance_id);
  if (it == static_members_.end()) return std::nullopt;
  return it->second;
}

void Group::ReplaceMemberId(const std::string& old_member_id, const std::string& new_member_id) {
  Member* member = Find(old_member_id);
  assert(member != nullptr && "ReplaceMemberId of an unknown member");
  member->member_id = new_member_id;
  if (member->group_instance_id) static_members_[*member->group_instance_id] = new_member_id;
  if (leader_id_ == old_member_id) leader_id_ = new_member_id;
}

size_t Group::ExpirePendingMembers(int64_t now_ms) {
  size_t expired = 0;
  for (auto it = pending_members_.begin(); it != pending_members_.end();) {
    if (it->second <= now_ms) {
      it = pending_members_.erase(it);
      ++expired;
    } else {
      ++it;
    }
  }
  return expired;
}

}  // namespace eddy::kafka
