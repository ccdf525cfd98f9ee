#include "rapidesk/client/reconnect_backoff.h"

#include <algorithm>
#include <memory>
#include <random>

namespace rapidesk::client {

ReconnectBackoff::ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap, Random random)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      cap_(std::max(cap, initial_)),
      random_(std::move(random)) {
  if (!random_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    random_ = [engine] { return (*engine)(); };
  }
}

std::chrono::milliseconds ReconnectBackoff::next() {
  // initial * 2^attempt without overflow: stop doubling once the cap is reached.
  std::int64_t delay = initial_.count();
  for (int i = 0; i < attempt_ && delay < cap_.count(); ++i) delay *= 2;
  delay = std::min(delay, static_cast<std::int64_t>(cap_.count()));
  if (delay < cap_.count()) ++attempt_;
  const std::int64_t half = delay / 2;
  const std::int64_t spread = delay - half;  // draw in [half, delay]
  const std::int64_t jitter = static_cast<std::int64_t>(random_() % static_cast<std::uint64_t>(spread + 1));
  return std::chrono::milliseconds(half + jitter);
}

}  // namespace rapidesk::client
