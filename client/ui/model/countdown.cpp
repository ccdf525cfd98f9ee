#include "countdown.h"

#include "rapidesk/client/offline_sla.h"
#include "rapidesk/shared/status_machine.h"

namespace rapidesk::ui {

namespace {

std::string text_of(const nlohmann::json& row, const char* field) {
  auto it = row.find(field);
  return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Tone tone_of(SlaState s) {
  switch (s) {
    case SlaState::kOnTrack: return Tone::kOnTrack;
    case SlaState::kWarning: return Tone::kWarning;
    case SlaState::kBreached:
    case SlaState::kMissed: return Tone::kBreached;
    case SlaState::kPaused: return Tone::kPaused;
    case SlaState::kMet: return Tone::kDone;
  }
  return Tone::kNone;
}

}  // namespace

std::string format_remaining(std::int64_t ms) {
  const bool late = ms < 0;
  std::uint64_t m = static_cast<std::uint64_t>(late ? -(ms + 1) + 1 : ms) / 60'000;
  const std::uint64_t d = m / (24 * 60), h = (m / 60) % 24, mm = m % 60;
  std::string out = late ? "-" : "";
  bool first = true;
  const auto part = [&](std::uint64_t n, char unit) {  // "3d", then " 4h"
    if (!first) out += ' ';
    first = false;
    out += std::to_string(n);
    out += unit;
  };
  if (d > 0) {
    part(d, 'd');
    if (h > 0) part(h, 'h');
  } else if (h > 0) {
    part(h, 'h');
    if (mm > 0) part(mm, 'm');
  } else {
    part(mm, 'm');
  }
  return out;
}

Countdown countdown_for(const nlohmann::json& row, Instant now) {
  Countdown c;
  const auto status = from_wire<RequestStatus>(text_of(row, "status"));
  if (status && is_finished(*status)) {
    c.tone = Tone::kDone;
    return c;
  }
  const std::string state_text = text_of(row, "sla_state");
  const auto state = from_wire<SlaState>(state_text);
  // The server's clocks: first response while the request is new, resolution after.
  const bool first = status == RequestStatus::kNew;
  std::string due_text = text_of(row, first ? "first_response_due" : "resolution_due");
  if (due_text.empty()) due_text = text_of(row, "agreed_due");
  if (due_text.empty() && first) due_text = text_of(row, "resolution_due");
  if (!due_text.empty()) {
    if (auto due = parse_iso8601(due_text)) {
      c.first_response = first;
      c.text = format_remaining(*due - now);
      if (state) {
        c.tone = tone_of(*state);
      } else {
        c.tone = *due < now ? Tone::kBreached : Tone::kOnTrack;
      }
      if (status == RequestStatus::kWaitingCustomer) c.tone = Tone::kPaused;
      // The server's state may lag the clock between its ticks: overdue is breached.
      if (*due < now && c.tone != Tone::kPaused) c.tone = Tone::kBreached;
      return c;
    }
  }
  client::OfflineSlaInput in{text_of(row, "category"), text_of(row, "priority"), text_of(row, "status"),
                             text_of(row, "contacted_at")};
  if (auto reading = client::offline_sla(in, now)) {
    c.offline = true;
    c.first_response = status == RequestStatus::kNew;
    c.tone = tone_of(reading->state);
    c.text = reading->state == SlaState::kPaused && !reading->due ? std::string() : format_remaining(reading->remaining_ms);
    return c;
  }
  if (state) c.tone = tone_of(*state);
  return c;
}

}  // namespace rapidesk::ui
