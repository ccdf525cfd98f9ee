#include "net/connection.h"

#include <vector>

namespace rapidesk::server::net {

std::uint64_t ConnectionRegistry::add(std::weak_ptr<Connection> connection, std::string group) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  if (!group.empty()) ++per_group_[group];
  live_.emplace(id, Entry{std::move(connection), std::move(group)});
  return id;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  const auto it = live_.find(id);
  if (it == live_.end()) return;
  if (!it->second.group.empty()) {
    const auto counted = per_group_.find(it->second.group);
    if (--counted->second == 0) per_group_.erase(counted);
  }
  live_.erase(it);
}

std::size_t ConnectionRegistry::count_in(const std::string& group) const {
  std::lock_guard lock(mutex_);
  const auto it = per_group_.find(group);
  return it == per_group_.end() ? 0 : it->second;
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

void ConnectionRegistry::shutdown_all() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, entry] : live_) {
      if (auto strong = entry.connection.lock()) live.push_back(std::move(strong));
    }
  }
  // Outside the lock: a connection may end (and remove itself) meanwhile.
  for (auto& c : live) c->shutdown();
}

}  // namespace rapidesk::server::net
