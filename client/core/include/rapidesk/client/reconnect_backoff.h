// Delays between reconnection attempts: exponential with jitter, capped, so that many
// clients that lost the server at the same moment do not come back at the same moment.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace rapidesk::client {

class ReconnectBackoff {
 public:
  using Random = std::function<std::uint64_t()>;

  // REQUIRES: 0 < initial <= cap. `random` defaults to a randomly seeded generator.
  ReconnectBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds cap, Random random = {});

  // The delay before the next attempt. Attempt n (from 0) draws uniformly from
  // [d/2, d] with d = min(cap, initial * 2^n) ("equal jitter": never less than half).
  std::chrono::milliseconds next();
  // After a successful connection: the next failure starts again from `initial`.
  void reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds cap_;
  Random random_;
  int attempt_ = 0;
};

}  // namespace rapidesk::client
