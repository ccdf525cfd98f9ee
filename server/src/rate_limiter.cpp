#include "rapidesk/server/rate_limiter.h"

#include <algorithm>

#include "rapidesk/server/forwarded.h"

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
                                                       const std::unordered_map<std::string, int>& under_way,
                                                       std::string_view key, int limit, Instant now) {
  const std::string k = key_of(key);
  const auto running = under_way.find(k);
  const int attempts = running == under_way.end() ? 0 : running->second;
  auto it = map.find(k);
  std::size_t failures = 0;
  if (it != map.end()) {
    prune(it->second, now);
    failures = it->second.size();
  }
  if (static_cast<int>(failures) + attempts < limit) return std::nullopt;
  // Held back by attempts still being checked: ask again in a moment.
  if (static_cast<int>(failures) < limit) return std::int64_t{1000};
  // Allowed again once enough of the oldest failures have left the window.
  const Instant frees_at = it->second[failures - static_cast<size_t>(limit)] + limits_.window_ms;
  return std::max<std::int64_t>(1, frees_at - now);
}

std::optional<std::int64_t> LoginRateLimiter::begin_attempt(std::string_view user, std::string_view address,
                                                            Instant now) {
  std::lock_guard lock(mutex_);
  auto by_user = wait_for(users_, users_under_way_, user, limits_.failures_per_user, now);
  auto by_address =
      wait_for(addresses_, addresses_under_way_, address_group(address), limits_.failures_per_address, now);
  if (by_user && by_address) return std::max(*by_user, *by_address);
  if (by_user || by_address) return by_user ? by_user : by_address;
  ++users_under_way_[key_of(user)];
  ++addresses_under_way_[address_group(address)];
  return std::nullopt;
}

void LoginRateLimiter::end_attempt(std::string_view user, std::string_view address) {
  std::lock_guard lock(mutex_);
  for (auto [map, key] : {std::pair{&users_under_way_, key_of(user)},
                          std::pair{&addresses_under_way_, address_group(address)}}) {
    auto it = map->find(key);
    if (it != map->end() && --it->second <= 0) map->erase(it);
  }
}

void LoginRateLimiter::record_failure(std::string_view user, std::string_view address, Instant now) {
  std::lock_guard lock(mutex_);
  // Entries live one window; sweep now and then so a spray of names cannot grow the maps.
  if (++calls_ % 256 == 0) prune_all(now);
  users_[key_of(user)].push_back(now);
  addresses_[address_group(address)].push_back(now);
  // Keep no more than the limit's worth per key.
  auto& u = users_[key_of(user)];
  while (u.size() > static_cast<size_t>(limits_.failures_per_user)) u.pop_front();
  auto& a = addresses_[address_group(address)];
  while (a.size() > static_cast<size_t>(limits_.failures_per_address)) a.pop_front();
}

void LoginRateLimiter::record_success(std::string_view user) {
  std::lock_guard lock(mutex_);
  users_.erase(key_of(user));
}

}  // namespace rapidesk::server
