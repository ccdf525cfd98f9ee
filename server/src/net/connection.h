// What the server needs from every live connection: a way to stop it gracefully, and a
// registry to find them all at shutdown. No Beast here.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
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

// Thread-safe set of live connections, counted per client address group
// (forwarded.h address_group) so that one host cannot hold every connection.
class ConnectionRegistry {
 public:
  // Returns the id to remove() with. `group` is the peer's address group; empty for a peer
  // that is not counted (a trusted proxy, whose connections carry many clients).
  std::uint64_t add(std::weak_ptr<Connection> connection, std::string group);
  void remove(std::uint64_t id);
  std::size_t size() const;
  std::size_t count_in(const std::string& group) const;
  // Calls shutdown() on every live connection.
  void shutdown_all();

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;                                           // guarded by mutex_
  struct Entry {
    std::weak_ptr<Connection> connection;
    std::string group;
  };
  std::unordered_map<std::uint64_t, Entry> live_;             // guarded by mutex_
  std::unordered_map<std::string, std::size_t> per_group_;  // guarded by mutex_; counted groups only
};

}  // namespace rapidesk::server::net
