#include "sla/sla_fields.h"

#include "sla/request_tracker.h"

namespace rapidesk::server {

namespace {

int offset_of(const SlaPolicy& policy, SlaTarget target, const sla::RequestFacts& f) {
  auto t = policy.find(target, f.category, f.priority);
  return t && t->calendar ? t->calendar->utc_offset_minutes() : 0;
}

// Writes `value` into request.`field` unless it already holds it.
int write_if_changed(ServerEdits& edits, const std::string& request, std::string_view field, sync::Value value) {
  auto current = edits.store().read("request", request, field);
  if (current && current->value == value) return 0;
  edits.edit("request", request, field, std::move(value));
  return 1;
}

int write_due(ServerEdits& edits, const std::string& request, std::string_view field, std::optional<Instant> due,
              int offset) {
  // Unknown while paused: the last due stays on the record until the clock runs again.
  if (!due) return 0;
  if (read_instant(edits.store(), "request", request, field) == due) return 0;
  edits.edit("request", request, field, sync::Value::string(format_iso8601(*due, offset)));
  return 1;
}

}  // namespace

SlaSummary summarize(const SlaPolicy& policy, const sla::RequestFacts& facts, const std::vector<sla::Clock>& clocks) {
  SlaSummary s;
  bool any_breached = false, any_warning = false, any_missed = false;
  const sla::Clock* resolution = nullptr;
  for (const auto& c : clocks) {
    if (c.target == SlaTarget::kFirstResponse) {
      s.first_response_due = c.reading.due;
      s.first_response_offset = offset_of(policy, c.target, facts);
    } else if (c.target == SlaTarget::kResolution) {
      s.resolution_due = c.reading.due;
      s.resolution_offset = offset_of(policy, c.target, facts);
      resolution = &c;
    }
    if (c.target == SlaTarget::kIntake || c.target == SlaTarget::kProgressCadence) continue;
    if (c.outcome == sla::Outcome::kMissed) any_missed = true;
    if (c.outcome != sla::Outcome::kRunning) continue;
    any_breached = any_breached || c.reading.state == SlaState::kBreached;
    any_warning = any_warning || c.reading.state == SlaState::kWarning;
  }
  s.breached = any_breached || any_missed;
  const bool resolution_missed =
      resolution && (resolution->outcome == sla::Outcome::kMissed ||
                     (resolution->outcome == sla::Outcome::kRunning && resolution->reading.state == SlaState::kBreached));
  if (facts.status == RequestStatus::kClosed) {
    s.state = resolution_missed ? SlaState::kMissed : SlaState::kMet;
  } else if (facts.status == RequestStatus::kWaitingCustomer) {
    s.state = SlaState::kPaused;
  } else if (any_breached) {
    s.state = SlaState::kBreached;
  } else if (any_warning) {
    s.state = SlaState::kWarning;
  } else if (resolution && resolution->outcome != sla::Outcome::kRunning) {
    s.state = resolution_missed ? SlaState::kMissed : SlaState::kMet;
  } else {
    s.state = SlaState::kOnTrack;
  }
  return s;
}

int write_summary(ServerEdits& edits, const std::string& request, const SlaSummary& s) {
  int written = 0;
  written += write_due(edits, request, "first_response_due", s.first_response_due, s.first_response_offset);
  written += write_due(edits, request, "resolution_due", s.resolution_due, s.resolution_offset);
  written += write_if_changed(edits, request, "sla_state", sync::Value::string(std::string(to_wire(s.state))));
  // Unset reads as "not breached"; once true it stays (a breach stays on the record).
  if (s.breached) written += write_if_changed(edits, request, "sla_breached", sync::Value::boolean(true));
  return written;
}

bool raise_escalation(ServerEdits& edits, const std::string& request, int level) {
  auto current = edits.store().read("request", request, "escalation_level");
  const std::int64_t now_level = current && current->value.is_int() ? current->value.as_int() : 0;
  if (now_level >= level) return false;
  edits.edit("request", request, "escalation_level", sync::Value::integer(level));
  return true;
}

}  // namespace rapidesk::server
