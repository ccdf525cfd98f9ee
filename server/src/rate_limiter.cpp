#include "rapidesk/server/rate_limiter.h"

namespace rapidesk::server {

namespace {
// Keys are user input; bound what one entry can cost.
std::string key_of(std::string_view text) { return std::string(text.substr(0, 128)); }
}  // namespace

LoginRateLimiter::LoginRateLimiter(Limits limits) : limits_(limits) {}

void LoginRateLimiter::prune(Window& window, Instant now) const {
  while (!window.empty() && window.front() <= now - limits_.window_ms) window.pop_front();
}

void LoginRateLimiter::prune_all(Instant now) {
  for (auto* map : {&users_, &addresses_}) {
    for (auto it = map->begin(); it != map->end();) {
      prune(it->second, now);
      it = it->second.empty() ? map->erase(it) : std::next(it);
    }
  }
}

std::optional<std::int64_t> LoginRateLimiter::wait_for(std::unordered_map<std::string, Window>& map,
                                                       std::string_view key, int limit, Instant now) {
  auto it = map.find(key_of(key));
  if (it == map.end()) return std::nullopt;
  prune(it->second, now);
  if (static_cast<int>(it->second.size()) < limit) return std::nullopt;
  // Allowed again once enough of the oldest failures have left the window.
  const Instant frees_at = it->second[it->second.size() - static_cast<size_t>(limit)] + limits_.window_ms;
  return std::max<std::int64_t>(1, frees_at - now);
}

std::optional<std::int64_t> LoginRateLimiter::retry_after_ms(std::string_view user, std::string_view address,
                                                             Instant now) {
  std::lock_guard lock(mutex_);
  auto by_user = wait_for(users_, user, limits_.failures_per_user, now);
  auto by_address = wait_for(addresses_, address, limits_.failures_per_address, now);
  if (by_user && by_address) return std::max(*by_user, *by_address);
  return by_user ? by_user : by_address;
}

void LoginRateLimiter::record_failure(std::string_view user, std::string_view address, Instant now) {
  std::lock_guard lock(mutex_);
  // Entries live one window; sweep now and then so a spray of names cannot grow the maps.
  if (++calls_ % 256 == 0) prune_all(now);
  users_[key_of(user)].push_back(now);
  addresses_[key_of(address)].push_back(now);
  // Keep no more than the limit's worth per key.
  auto& u = users_[key_of(user)];
  while (u.size() > static_cast<size_t>(limits_.failures_per_user)) u.pop_front();
  auto& a = addresses_[key_of(address)];
  while (a.size() > static_cast<size_t>(limits_.failures_per_address)) a.pop_front();
}

void LoginRateLimiter::record_success(std::string_view user) {
  std::lock_guard lock(mutex_);
  users_.erase(key_of(user));
}

}  // namespace rapidesk::server
