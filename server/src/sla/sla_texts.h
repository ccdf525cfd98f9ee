// What the SLA service says, in both languages: activity entries and webhook messages for
// warnings, breaches, escalations, progress reminders, late uploads and re-agreed dues.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rapidesk/sla/sla_engine.h"

namespace rapidesk::server {

// "4 h 5 min" / "4 小时 5 分钟"; whole minutes, days above 48 h.
Text duration_text(std::int64_t ms);
// "2026-11-23 09:30 +08:00" in the given zone (minutes east of UTC).
Text local_time_text(Instant t, int utc_offset_minutes);

// Who an event concerns, for its message.
struct EventAudience {
  std::string team;
  std::optional<std::string> lead;        // the team lead (escalation level 1)
  std::vector<std::string> coordinators;  // escalation level 2
  // False when the users and teams could not be read: the text names nobody rather than
  // saying there is no lead or no coordinator.
  bool known = true;
};

struct EventDetails {
  int utc_offset_minutes = 0;   // the target's calendar zone
  std::int64_t target_ms = 0;   // the target's length in working time
  // The target's due time (an event's own instant is when it fires: a warning before the
  // due, a level-2 escalation after it). Unset: the event's instant is the due.
  std::optional<Instant> target_due;
  double warning_share = 0.75;
  Priority priority = Priority::kMedium;
};

Text event_text(const sla::SlaEvent& event, const EventDetails& details, const EventAudience& audience);

Text late_upload_text(Instant contacted_at, Instant recorded_at, Instant accepted_at, int utc_offset_minutes);

Text reagreed_text(Instant agreed_due, std::optional<Instant> original_due, const std::string& by,
                   const std::string& reason, int utc_offset_minutes);

// The timeline's pause history: a pause begun (who, when, why) and ended (how long).
Text paused_text(const SlaPause& pause, int utc_offset_minutes);
Text resumed_text(const SlaPause& pause, int utc_offset_minutes);

// At most `max_chars` code points of UTF-8 `s`, never cutting a character in two.
std::string clip_text(std::string_view s, size_t max_chars);

}  // namespace rapidesk::server
