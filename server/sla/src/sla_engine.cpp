#include "rapidesk/sla/sla_engine.h"

#include <array>

namespace rapidesk {
namespace {
constexpr std::array<EnumEntry<sla::EventType>, 4> kEventTypes = {{
    {sla::EventType::kWarning, "warning", "SLA at risk", "SLA 即将超时"},
    {sla::EventType::kBreach, "breach", "SLA breached", "SLA 已超时"},
    {sla::EventType::kEscalation, "escalation", "Escalated", "已升级"},
    {sla::EventType::kReminder, "reminder", "Progress update due", "需要更新进度"},
}};
}  // namespace
template <> std::span<const EnumEntry<sla::EventType>> enum_entries<sla::EventType>() { return kEventTypes; }

namespace sla {

namespace {

// Timer ids: slot * kPerSlot + target * kPerTarget + timer kind.
constexpr TimerId kPerTarget = 4;  // warning, breach, escalation (level 2), reminder
constexpr TimerId kTargets = 9;
constexpr TimerId kPerSlot = kPerTarget * kTargets;

}  // namespace

std::string event_key(const std::string& request_id, SlaTarget target, EventType type, int level, Instant due) {
  return request_id + "|" + std::string(to_wire(target)) + "|" + std::string(to_wire(type)) + "|" +
         std::to_string(level) + "|" + std::to_string(due);
}

SlaEngine::SlaEngine(const SlaPolicy& policy, EscalationPolicy escalation) : policy_(policy), escalation_(escalation) {}

std::uint32_t SlaEngine::slot_for(const std::string& request_id) {
  auto it = slots_.find(request_id);
  if (it != slots_.end()) return it->second;
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slot_ids_[slot] = request_id;
  } else {
    slot = static_cast<std::uint32_t>(slot_ids_.size());
    slot_ids_.push_back(request_id);
  }
  slots_.emplace(request_id, slot);
  return slot;
}

void SlaEngine::clear_slot(std::uint32_t slot) {
  for (TimerId k = 0; k < kPerSlot; ++k) {
    const TimerId id = slot * kPerSlot + k;
    if (heap_.cancel(id)) scheduled_.erase(id);
  }
}

void SlaEngine::schedule(std::uint32_t slot, const RequestFacts& f, const std::vector<Clock>& clocks) {
  clear_slot(slot);
  for (const auto& c : clocks) {
    if (c.outcome != Outcome::kRunning || !c.reading.due) continue;  // finished or paused
    const TimerId base = slot * kPerSlot + static_cast<TimerId>(c.target) * kPerTarget;
    const Instant due = *c.reading.due;
    // The earliest event of each kind not yet fired; later ones follow when it fires.
    auto add = [&](TimerId offset, EventType type, int level, Instant at) {
      SlaEvent e{f.id, c.target, type, level, at, event_key(f.id, c.target, type, level, at)};
      if (fired_.count(e.key)) return;
      heap_.upsert(base + offset, at);
      scheduled_[base + offset] = Scheduled{std::move(e), 0};
    };
    if (c.target == SlaTarget::kProgressCadence) {
      // Reminders at due, due + cadence, due + 2 * cadence, ... until an update restarts the clock.
      schedule_reminder(base + 3, f.id, due, std::max<Instant>(c.reading.target_ms, kMsPerMinute));
      continue;
    }
    if (c.reading.warn_at) add(0, EventType::kWarning, 0, *c.reading.warn_at);
    // The breach is also escalation level 1 (team lead): one event carries both.
    add(1, EventType::kBreach, 1, due);
    const Instant level2 = due + static_cast<Instant>(c.reading.target_ms * escalation_.coordinator_after_share);
    add(2, EventType::kEscalation, 2, level2);
  }
}

SlaEvent SlaEngine::reminder(const std::string& request_id, int n, Instant first_due, Instant every) const {
  const Instant at = first_due + (n - 1) * every;
  return SlaEvent{request_id, SlaTarget::kProgressCadence, EventType::kReminder, n, at,
                  event_key(request_id, SlaTarget::kProgressCadence, EventType::kReminder, n, at)};
}

bool SlaEngine::schedule_reminder(TimerId id, const std::string& request_id, Instant first_due, Instant every) {
  int next = 1;
  for (int n = escalation_.max_reminders; n >= 1; --n) {
    if (fired_.count(reminder(request_id, n, first_due, every).key)) {
      next = n + 1;
      break;
    }
  }
  if (next > escalation_.max_reminders) return false;
  SlaEvent e = reminder(request_id, next, first_due, every);
  heap_.upsert(id, e.due);
  scheduled_[id] = Scheduled{std::move(e), every};
  return true;
}

Status SlaEngine::load(const std::vector<RequestFacts>& open_requests, std::vector<std::string> fired_keys, Instant now) {
  fired_.clear();
  fired_.insert(std::make_move_iterator(fired_keys.begin()), std::make_move_iterator(fired_keys.end()));
  for (const auto& f : open_requests) {
    if (Status s = update(f, now); !s) return s;
  }
  return Status::ok();
}

Status SlaEngine::update(const RequestFacts& facts, Instant now) {
  auto clocks = read_request_clocks(policy_, facts, now);
  if (!clocks) return clocks.status();
  schedule(slot_for(facts.id), facts, *clocks);
  return Status::ok();
}

void SlaEngine::remove(const std::string& request_id) {
  auto it = slots_.find(request_id);
  if (it == slots_.end()) return;
  clear_slot(it->second);
  free_slots_.push_back(it->second);
  slots_.erase(it);
}

std::vector<SlaEvent> SlaEngine::fire_due(Instant now) {
  std::vector<SlaEvent> events;
  // Firing a reminder schedules the next one, which may itself be due already.
  while (true) {
    auto due = heap_.pop_due(now);
    if (due.empty()) break;
    for (const auto& t : due) {
      auto it = scheduled_.find(t.id);
      if (it == scheduled_.end()) continue;
      Scheduled s = std::move(it->second);
      scheduled_.erase(it);
      if (s.repeat_every > 0) {
        // Collapse reminders that are all overdue into the latest of them.
        const Instant first_due = s.event.due - (s.event.level - 1) * s.repeat_every;
        int latest = s.event.level;
        while (latest < escalation_.max_reminders && first_due + latest * s.repeat_every <= now) ++latest;
        s.event = reminder(s.event.request_id, latest, first_due, s.repeat_every);
        fired_.insert(s.event.key);
        schedule_reminder(t.id, s.event.request_id, first_due, s.repeat_every);
        events.push_back(std::move(s.event));
        continue;
      }
      if (!fired_.insert(s.event.key).second) continue;
      events.push_back(std::move(s.event));
    }
  }
  return events;
}

std::optional<Instant> SlaEngine::next_due() const {
  auto n = heap_.next();
  if (!n) return std::nullopt;
  return n->due;
}

}  // namespace sla
}  // namespace rapidesk
