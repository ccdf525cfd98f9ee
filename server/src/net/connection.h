// What the server needs from every live connection: a way to stop it gracefully, and a
// registry to find them all at shutdown. No Beast here.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace rapidesk::server {
struct ServerState;
}

namespace rapidesk::server::net {

class Connection {
 public:
  virtual ~Connection() = default;
  // Thread-safe. Finishes the request in flight (if any), then closes.
  virtual void shutdown() = 0;
};

// Thread-safe set of live connections.
class ConnectionRegistry {
 public:
  // Returns the id to remove() with.
  std::uint64_t add(std::weak_ptr<Connection> connection);
  void remove(std::uint64_t id);
  std::size_t size() const;
  // Calls shutdown() on every live connection.
  void shutdown_all();

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;                                           // guarded by mutex_
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> live_;  // guarded by mutex_
};

}  // namespace rapidesk::server::net
