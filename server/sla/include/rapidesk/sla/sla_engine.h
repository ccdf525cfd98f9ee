// The server's SLA timers: for every open request, the next warning, breach, escalation or
// progress reminder, held in a DeadlineHeap. fire_due(now) returns each event exactly once,
// also across restarts: the caller stores every returned event's key in the fired ledger in
// the same transaction as the event's effects, and hands the ledger back to load() at start.
// A deadline that passed while the server was down therefore fires once at start.
//
// Not thread-safe: the server drives one engine from one strand. Time is always passed in,
// so tests are instant and exact.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "rapidesk/shared/pod_vector.h"
#include "rapidesk/shared/string_map.h"
#include "rapidesk/sla/deadline_heap.h"
#include "rapidesk/sla/request_clocks.h"

namespace rapidesk::sla {

enum class EventType { kWarning, kBreach, kEscalation, kReminder };

struct EscalationPolicy {
  // Level 1 (team lead) at the breach; level 2 (coordinator) once this share of the target
  // has passed again after the breach.
  double coordinator_after_share = 0.5;
  // Progress reminders repeat at the cadence while no update comes; at most this many.
  // Reminders missed while the server was down collapse into one (the latest).
  int max_reminders = 12;
};

struct SlaEvent {
  std::string request_id;
  SlaTarget target = SlaTarget::kFirstResponse;
  EventType type = EventType::kWarning;
  int level = 0;          // escalation level (1 team lead, 2 coordinator); reminder number
  Instant due = 0;        // the instant the event was scheduled for
  std::string key;        // unique and stable: what the fired ledger stores
};

class SlaEngine {
 public:
  SlaEngine(const SlaPolicy& policy, EscalationPolicy escalation = {});

  // Start-up: every open request and the keys of events fired before.
  Status load(const std::vector<RequestFacts>& open_requests, std::vector<std::string> fired_keys, Instant now);
  // A request changed (any fact): its timers are recomputed. Finished clocks drop out.
  Status update(const RequestFacts& facts, Instant now);
  // The same with its clocks already read: read_request_clocks(policy, facts, now).
  void update(const RequestFacts& facts, const std::vector<Clock>& clocks_now);
  // A request closed or deleted: all its timers go.
  void remove(const std::string& request_id);

  // Every event due at or before `now`, earliest first, each once.
  std::vector<SlaEvent> fire_due(Instant now);
  std::optional<Instant> next_due() const;
  size_t timer_count() const { return heap_.size(); }

 private:
  // The progress reminder of one request: the number it will fire as, and its cadence.
  // Every other timer's event follows from its id (slot, target, kind) and its due.
  struct Reminder {
    int next = 1;
    Instant first_due = 0;
    Instant every = 0;
  };
  std::uint32_t slot_for(const std::string& request_id);
  void schedule(std::uint32_t slot, const RequestFacts& facts, const std::vector<Clock>& clocks);
  void clear_slot(std::uint32_t slot);
  // Sets the slot's reminder to the one after the highest already fired; its due, or none
  // when every reminder has fired.
  std::optional<Instant> next_reminder(std::uint32_t slot, const std::string& request_id, Instant first_due,
                                       Instant every);
  SlaEvent reminder(const std::string& request_id, int n, Instant first_due, Instant every) const;
  // The event timer `id` stands for, were it to fire at `due`.
  SlaEvent event_of(TimerId id, Instant due) const;
  // Whether any event of this request is in the ledger: if not, its keys need not be built.
  bool has_fired(const std::string& request_id) const { return fired_requests_.count(request_id) != 0; }
  void note_fired(std::string key, const std::string& request_id);

  const SlaPolicy& policy_;
  const EscalationPolicy escalation_;
  DeadlineHeap heap_;
  // request id -> its slot, or kNoSlot once removed (the entry stays: a StringMap never
  // pauses to rehash, and a request's id is kept elsewhere for good anyway)
  static constexpr std::uint32_t kNoSlot = 0xFFFFFFFFu;
  StringMap<std::uint32_t> slots_;
  // By slot. The ids stay where they are as slots are added, and the reminders are plain
  // bytes grown in place where they can be: as std::vectors, doubling at 32k and 64k
  // requests moved every id at once, 10-20 ms under the server's merge lock.
  std::deque<std::string> slot_ids_;
  PodVector<Reminder> reminders_;
  std::vector<std::uint32_t> free_slots_;
  std::unordered_set<std::string> fired_;
  std::unordered_set<std::string> fired_requests_;  // the request of every key in fired_
};

// "request|target|type|level|due_ms": the ledger key of an event.
std::string event_key(const std::string& request_id, SlaTarget target, EventType type, int level, Instant due);

}  // namespace rapidesk::sla

namespace rapidesk {
template <> std::span<const EnumEntry<sla::EventType>> enum_entries<sla::EventType>();
}
