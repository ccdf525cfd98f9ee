// Helpers shared by the sync tests: a settable clock, deterministic ids, op builders.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "rapidesk/sync/field_op.h"
#include "rapidesk/sync/hlc.h"
#include "rapidesk/sync/uuid.h"

namespace rapidesk::sync::testing {

constexpr std::int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

// A physical clock the test moves by hand.
struct ManualClock {
  std::int64_t now = kT0;
  PhysicalClock fn() {
    return [this] { return now; };
  }
};

// splitmix64: a tiny deterministic random source.
struct SplitMix {
  std::uint64_t state;
  explicit SplitMix(std::uint64_t seed) : state(seed) {}
  std::uint64_t operator()() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : (*this)() % n; }
  bool chance(double p) { return static_cast<double>((*this)() >> 11) * (1.0 / 9007199254740992.0) < p; }
};

inline std::string row_id(std::uint64_t n) {
  SplitMix r(n * 7919 + 1);
  return make_uuid_v7(kT0 - 1000 + static_cast<std::int64_t>(n), [&r] { return r(); });
}

inline Stamp stamp(std::int64_t ms_after_t0, std::uint16_t counter, std::string device) {
  return Stamp{kT0 + ms_after_t0, counter, std::move(device)};
}

inline FieldOp make_op(std::string id, std::string entity, std::string row, std::string field, Value value, Stamp hlc,
                       std::optional<Stamp> base = std::nullopt, std::string author = "tester") {
  FieldOp op;
  op.op = std::move(id);
  op.entity = std::move(entity);
  op.row = std::move(row);
  op.field = std::move(field);
  op.value = std::move(value);
  op.hlc = std::move(hlc);
  op.base = std::move(base);
  op.author = std::move(author);
  return op;
}

inline Value str(const char* s) { return Value::string(s); }

// Seeds for a property test: RAPIDESK_SEED=N runs that one seed; otherwise
// RAPIDESK_SCENARIOS (default `fallback`) seeds starting at `first`.
inline std::vector<std::uint64_t> scenario_seeds(std::uint64_t first, std::uint64_t fallback) {
  if (const char* one = std::getenv("RAPIDESK_SEED"); one && *one) return {std::strtoull(one, nullptr, 10)};
  std::uint64_t n = fallback;
  if (const char* count = std::getenv("RAPIDESK_SCENARIOS"); count && *count) n = std::strtoull(count, nullptr, 10);
  std::vector<std::uint64_t> seeds;
  seeds.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) seeds.push_back(first + i);
  return seeds;
}

}  // namespace rapidesk::sync::testing
