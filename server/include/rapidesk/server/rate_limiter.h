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
  // allowed now, in which case it is reserved: until end_attempt it counts against both
  // limits, so attempts checked in parallel (a password check takes ~25 ms) cannot all pass
  // before the first failure is recorded. An attempt is refused once the window's failures
  // and the attempts under way reach the limit.
  std::optional<std::int64_t> begin_attempt(std::string_view user, std::string_view address, Instant now);
  // Releases a reserved attempt, whatever its outcome (after record_failure / _success).
  void end_attempt(std::string_view user, std::string_view address);
  void record_failure(std::string_view user, std::string_view address, Instant now);
  // A successful login clears the user's failures (not the address's).
  void record_success(std::string_view user);

 private:
  using Window = std::deque<Instant>;  // failure times, oldest first
  void prune(Window& window, Instant now) const;
  std::optional<std::int64_t> wait_for(std::unordered_map<std::string, Window>& map,
                                       const std::unordered_map<std::string, int>& under_way, std::string_view key,
                                       int limit, Instant now);
  void prune_all(Instant now);

  const Limits limits_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> users_;      // guarded by mutex_
  std::unordered_map<std::string, Window> addresses_;  // guarded by mutex_
  std::unordered_map<std::string, int> users_under_way_;      // reserved attempts; guarded
  std::unordered_map<std::string, int> addresses_under_way_;  // guarded by mutex_
  std::uint64_t calls_ = 0;                             // guarded by mutex_
};

}  // namespace rapidesk::server
