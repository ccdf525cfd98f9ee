// The SLA countdown shown on each request row: which clock, how long is left, and the tone
// (colour) it is drawn in. The server's due times and SLA state win once synced; before
// the first sync the device computes the clock itself (offline SLA), so a request filed
// on a customer's site shows its countdown at once.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "rapidesk/shared/time.h"

namespace rapidesk::ui {

enum class Tone { kNone, kOnTrack, kWarning, kBreached, kPaused, kDone };

struct Countdown {
  Tone tone = Tone::kNone;
  std::string text;       // "2h 15m", "-35m" when overdue, "" when no clock runs
  bool first_response = false;  // the clock shown is the first-response one
  bool offline = false;   // computed on this device (not yet confirmed by the server)
};

// `row` is a request as ReplicaReader returns it (wire field names).
Countdown countdown_for(const nlohmann::json& row, Instant now);

// "3d 4h", "2h 15m", "12m", "-35m": at most two units, minus sign when overdue.
std::string format_remaining(std::int64_t ms);

}  // namespace rapidesk::ui
