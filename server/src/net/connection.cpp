#include "net/connection.h"

#include <vector>

namespace rapidesk::server::net {

std::uint64_t ConnectionRegistry::add(std::weak_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  live_.emplace(id, std::move(connection));
  return id;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  live_.erase(id);
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

void ConnectionRegistry::shutdown_all() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, weak] : live_) {
      if (auto strong = weak.lock()) live.push_back(std::move(strong));
    }
  }
  // Outside the lock: a connection may end (and remove itself) meanwhile.
  for (auto& c : live) c->shutdown();
}

}  // namespace rapidesk::server::net
