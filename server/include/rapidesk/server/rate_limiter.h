// Limits failed logins in a sliding window, per user name and per remote address, so a
// password cannot be guessed online. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "rapidesk/shared/time.h"

namespace rapidesk::server {

class LoginRateLimiter {
 public:
  struct Limits {
    int failures_per_user = 5;
    int failures_per_address = 20;
    std::int64_t window_ms = 60'000;
  };

  explicit LoginRateLimiter(Limits limits);

  // Milliseconds until another attempt for (user, address) is allowed, or nullopt if one is
  // allowed now. An attempt is refused once the window already holds the limit of failures.
  std::optional<std::int64_t> retry_after_ms(std::string_view user, std::string_view address, Instant now);
  void record_failure(std::string_view user, std::string_view address, Instant now);
  // A successful login clears the user's failures (not the address's).
  void record_success(std::string_view user);

 private:
  using Window = std::deque<Instant>;  // failure times, oldest first
  void prune(Window& window, Instant now) const;
  std::optional<std::int64_t> wait_for(std::unordered_map<std::string, Window>& map, std::string_view key,
                                       int limit, Instant now);
  void prune_all(Instant now);

  const Limits limits_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> users_;      // guarded by mutex_
  std::unordered_map<std::string, Window> addresses_;  // guarded by mutex_
  std::uint64_t calls_ = 0;                             // guarded by mutex_
};

}  // namespace rapidesk::server
