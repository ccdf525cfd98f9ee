// How many streams (/api/v1/stream) each user holds open, so that one account (a script
// reconnecting in a loop, a leaked token) cannot take every connection of the server.
// Thread-safe. A Slot gives its place back when destroyed; the StreamSlots must outlive
// every Slot it handed out (both live as long as the server).
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace rapidesk::server {

class StreamSlots {
 public:
  class Slot {
   public:
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

   private:
    friend class StreamSlots;
    Slot(StreamSlots* owner, std::string user);
    void release();
    StreamSlots* owner_;
    std::string user_;
  };

  // `per_user` <= 0: no limit.
  explicit StreamSlots(int per_user);

  // A place for one more stream of `user`, or nullopt when they hold `per_user` already.
  std::optional<Slot> take(const std::string& user);
  std::size_t held_by(const std::string& user) const;
  int per_user() const { return per_user_; }

 private:
  void give_back(const std::string& user);

  const int per_user_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int> held_;  // guarded by mutex_; users holding at least one
};

}  // namespace rapidesk::server
