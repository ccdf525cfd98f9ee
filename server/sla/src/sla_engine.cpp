#include "rapidesk/sla/sla_engine.h"

#include <algorithm>
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
constexpr TimerId kWarningKind = 0;
constexpr TimerId kBreachKind = 1;      // also escalation level 1 (team lead)
constexpr TimerId kEscalationKind = 2;  // level 2 (coordinator)
constexpr TimerId kReminderKind = 3;    // progress reminders (the cadence target only)
constexpr TimerId kPerTarget = 4;
constexpr TimerId kTargets = 9;
constexpr TimerId kPerSlot = kPerTarget * kTargets;

// The request id of a ledger key: what precedes its last four '|' (ids may hold any text).
std::string request_of_key(const std::string& key) {
  size_t end = key.size();
  for (int i = 0; i < 4; ++i) {
    end = key.rfind('|', end == 0 ? 0 : end - 1);
    if (end == std::string::npos) return key;
  }
  return key.substr(0, end);
}

}  // namespace

std::string event_key(const std::string& request_id, SlaTarget target, EventType type, int level, Instant due) {
  return request_id + "|" + std::string(to_wire(target)) + "|" + std::string(to_wire(type)) + "|" +
         std::to_string(level) + "|" + std::to_string(due);
}

SlaEngine::SlaEngine(const SlaPolicy& policy, EscalationPolicy escalation) : policy_(policy), escalation_(escalation) {}

std::uint32_t SlaEngine::slot_for(const std::string& request_id) {
  std::uint32_t& entry = *slots_.try_emplace(request_id, kNoSlot).first;
  if (entry != kNoSlot) return entry;
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slot_ids_[slot] = request_id;
    reminders_[slot] = Reminder{};
  } else {
    slot = static_cast<std::uint32_t>(slot_ids_.size());
    slot_ids_.push_back(request_id);
    reminders_.emplace_back();
  }
  entry = slot;
  return slot;
}

void SlaEngine::clear_slot(std::uint32_t slot) {
  for (TimerId k = 0; k < kPerSlot; ++k) heap_.cancel(slot * kPerSlot + k);
}

void SlaEngine::schedule(std::uint32_t slot, const RequestFacts& f, const std::vector<Clock>& clocks) {
  // The due of every timer the slot should have; the others are cancelled. A timer whose
  // due did not change stays where it is in the heap.
  std::array<std::optional<Instant>, kPerSlot> wanted{};
  const bool check_ledger = has_fired(f.id);
  for (const auto& c : clocks) {
    if (c.outcome != Outcome::kRunning || !c.reading.due) continue;  // finished or paused
    const TimerId base = static_cast<TimerId>(c.target) * kPerTarget;
    const Instant due = *c.reading.due;
    if (c.target == SlaTarget::kProgressCadence) {
      // Reminders at due, due + cadence, due + 2 * cadence, ... until an update restarts the clock.
      wanted[base + kReminderKind] = next_reminder(slot, f.id, due, std::max<Instant>(c.reading.target_ms, kMsPerMinute));
      continue;
    }
    // The earliest event of each kind not yet fired; later ones follow when it fires.
    auto want = [&](TimerId kind, EventType type, Instant at) {
      if (check_ledger && fired_.count(event_key(f.id, c.target, type, static_cast<int>(kind), at))) return;
      wanted[base + kind] = at;
    };
    if (c.reading.warn_at) want(kWarningKind, EventType::kWarning, *c.reading.warn_at);
    // The breach is also escalation level 1 (team lead): one event carries both.
    want(kBreachKind, EventType::kBreach, due);
    // Level 2 after another share of the target in the target's own working time, as the
    // target itself is counted: 50 % of a ten-working-day target is five working days, not
    // 40 hours on the wall clock (which escalated a Friday 17:30 breach that night).
    const auto extra = static_cast<std::int64_t>(c.reading.target_ms * escalation_.coordinator_after_share);
    auto escalate_at = c.calendar ? c.calendar->add_working(due, extra) : Result<Instant>(due + extra);
    want(kEscalationKind, EventType::kEscalation, escalate_at ? *escalate_at : due + extra);
  }
  const TimerId first = slot * kPerSlot;
  for (TimerId k = 0; k < kPerSlot; ++k) {
    if (wanted[k]) {
      heap_.upsert(first + k, *wanted[k]);
    } else {
      heap_.cancel(first + k);
    }
  }
}

SlaEvent SlaEngine::reminder(const std::string& request_id, int n, Instant first_due, Instant every) const {
  const Instant at = first_due + (n - 1) * every;
  return SlaEvent{request_id, SlaTarget::kProgressCadence, EventType::kReminder, n, at,
                  event_key(request_id, SlaTarget::kProgressCadence, EventType::kReminder, n, at)};
}

std::optional<Instant> SlaEngine::next_reminder(std::uint32_t slot, const std::string& request_id, Instant first_due,
                                                Instant every) {
  int next = 1;
  if (has_fired(request_id)) {
    for (int n = escalation_.max_reminders; n >= 1; --n) {
      if (fired_.count(reminder(request_id, n, first_due, every).key)) {
        next = n + 1;
        break;
      }
    }
  }
  if (next > escalation_.max_reminders) return std::nullopt;
  reminders_[slot] = Reminder{next, first_due, every};
  return first_due + (next - 1) * every;
}

SlaEvent SlaEngine::event_of(TimerId id, Instant due) const {
  const std::uint32_t slot = id / kPerSlot;
  const TimerId kind = id % kPerTarget;
  const std::string& request_id = slot_ids_[slot];
  if (kind == kReminderKind) {
    const Reminder& r = reminders_[slot];
    return reminder(request_id, r.next, r.first_due, r.every);
  }
  const auto target = static_cast<SlaTarget>((id % kPerSlot) / kPerTarget);
  const EventType type = kind == kWarningKind  ? EventType::kWarning
                         : kind == kBreachKind ? EventType::kBreach
                                               : EventType::kEscalation;
  const int level = static_cast<int>(kind);
  return SlaEvent{request_id, target, type, level, due, event_key(request_id, target, type, level, due)};
}

void SlaEngine::note_fired(std::string key, const std::string& request_id) {
  fired_.insert(std::move(key));
  fired_requests_.insert(request_id);
}

Status SlaEngine::load(const std::vector<RequestFacts>& open_requests, std::vector<std::string> fired_keys, Instant now) {
  fired_.clear();
  fired_requests_.clear();
  for (auto& key : fired_keys) {
    const std::string request = request_of_key(key);
    note_fired(std::move(key), request);
  }
  for (const auto& f : open_requests) {
    if (Status s = update(f, now); !s) return s;
  }
  return Status::ok();
}

Status SlaEngine::update(const RequestFacts& facts, Instant now) {
  auto clocks = read_request_clocks(policy_, facts, now);
  if (!clocks) return clocks.status();
  update(facts, *clocks);
  return Status::ok();
}

void SlaEngine::update(const RequestFacts& facts, const std::vector<Clock>& clocks_now) {
  schedule(slot_for(facts.id), facts, clocks_now);
}

void SlaEngine::remove(const std::string& request_id) {
  std::uint32_t* slot = slots_.find(request_id);
  if (slot == nullptr || *slot == kNoSlot) return;
  clear_slot(*slot);
  free_slots_.push_back(*slot);
  *slot = kNoSlot;
}

std::vector<SlaEvent> SlaEngine::fire_due(Instant now) {
  std::vector<SlaEvent> events;
  // Firing a reminder schedules the next one, which may itself be due already.
  while (true) {
    auto due = heap_.pop_due(now);
    if (due.empty()) break;
    for (const auto& t : due) {
      const std::uint32_t slot = t.id / kPerSlot;
      if (t.id % kPerTarget == kReminderKind) {
        // Collapse reminders that are all overdue into the latest of them.
        const Reminder r = reminders_[slot];
        int latest = r.next;
        while (latest < escalation_.max_reminders && r.first_due + latest * r.every <= now) ++latest;
        SlaEvent e = reminder(slot_ids_[slot], latest, r.first_due, r.every);
        note_fired(e.key, e.request_id);
        if (auto next = next_reminder(slot, e.request_id, r.first_due, r.every)) heap_.upsert(t.id, *next);
        events.push_back(std::move(e));
        continue;
      }
      SlaEvent e = event_of(t.id, t.due);
      if (fired_.count(e.key)) continue;
      note_fired(e.key, e.request_id);
      events.push_back(std::move(e));
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
