// One SLA clock of one request: when it is due, when it warns, and where it stands now.
// Pure arithmetic on a calendar, so client (offline) and server compute the same times.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "rapidesk/shared/sla_policy.h"

namespace rapidesk {

// A stretch of time in which the clock stood still (request waiting for the customer).
// `to` is unset while the pause lasts. The reason is mandatory.
struct SlaPause {
  Instant from = 0;
  std::optional<Instant> to;
  std::string reason;
  std::string by;
};

enum class SlaState { kOnTrack, kWarning, kBreached, kPaused, kMet, kMissed };
template <> std::span<const EnumEntry<SlaState>> enum_entries<SlaState>();

struct SlaReading {
  SlaState state = SlaState::kOnTrack;
  std::optional<Instant> due;      // unset while paused before the due time was reached
  std::optional<Instant> warn_at;  // when `warning_share` of the target is used
  std::int64_t target_ms = 0;      // working time allowed
  std::int64_t used_ms = 0;        // working time used so far (pauses excluded)
  std::int64_t remaining_ms = 0;   // target_ms - used_ms; negative when overdue
};

// Computes a clock that started at `start` (the customer contact time, not upload time).
// `pauses` must be ordered by `from` and must not overlap; `stopped_at` is when the target
// was met (e.g. first response sent), unset while it runs.
Result<SlaReading> read_sla_clock(const ResolvedTarget& target, Instant start, std::span<const SlaPause> pauses,
                                  std::optional<Instant> stopped_at, Instant now, double warning_share);

// Checks that pauses are ordered, non-overlapping, closed except possibly the last, and
// each has a reason.
Status validate_pauses(std::span<const SlaPause> pauses);

}  // namespace rapidesk
