#include "sla/sla_runtime.h"

#include <algorithm>

#include "rapidesk/shared/validation.h"
#include "rapidesk/sync/uuid.h"
#include "sla/sla_fields.h"
#include "sla/sla_texts.h"

namespace rapidesk::server {

namespace {

constexpr std::int64_t kDefaultIntakeMs = 30 * kMsPerMinute;

bool counts_as_load(RequestStatus s) {
  return s != RequestStatus::kWaitingCustomer && s != RequestStatus::kResolved && s != RequestStatus::kClosed;
}

std::optional<notify::EventKind> notify_kind(sla::EventType t) {
  switch (t) {
    case sla::EventType::kWarning: return notify::EventKind::kWarning;
    case sla::EventType::kBreach: return notify::EventKind::kBreach;
    case sla::EventType::kEscalation: return notify::EventKind::kEscalation;
    case sla::EventType::kReminder: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

SlaRuntime::SlaRuntime(Storage& storage, const SlaServiceOptions& options, assignment::AssignmentRules rules,
                       std::string policy_text, SlaPolicy policy)
    : storage_(storage),
      options_(options),
      rules_(std::move(rules)),
      policy_text_(std::move(policy_text)),
      policy_(std::make_unique<SlaPolicy>(std::move(policy))),
      engine_(std::make_unique<sla::SlaEngine>(*policy_, options.escalation)),
      random_(std::random_device{}()) {}

void SlaRuntime::report(std::string_view event, const Status& status) const {
  if (options_.on_problem) options_.on_problem(event, status);
}

int SlaRuntime::offset_for(SlaTarget target, const sla::RequestFacts& facts) const {
  auto t = policy_->find(target, facts.category, facts.priority);
  return t && t->calendar ? t->calendar->utc_offset_minutes() : 0;
}

void SlaRuntime::build(ServerEdits& edits, const std::vector<std::string>& fired_keys) {
  tracker_.ingest(edits.log(), edits.store());  // history only: nothing in it is new
  const Instant now = edits.now();
  load_engine(edits.store(), fired_keys, now);
  refresh_all(edits, now);
  tracker_.ingest(edits.log(), edits.store());
}

void SlaRuntime::load_engine(const sync::ReplicaStore& store, const std::vector<std::string>& fired_keys, Instant now) {
  engine_ = std::make_unique<sla::SlaEngine>(*policy_, options_.escalation);
  if (Status s = engine_->load({}, fired_keys, now); !s) report("sla_load", s);
  // Requests are added one by one so that one request's bad data cannot stop the others.
  for (const auto& id : tracker_.request_ids()) {
    const sla::RequestFacts f = tracker_.facts(store, id);
    if (store.is_deleted("request", id) || f.status == RequestStatus::kClosed) continue;
    if (Status s = engine_->update(f, now); !s) report("sla_clock", s);
  }
}

void SlaRuntime::refresh_all(ServerEdits& edits, Instant now) {
  for (const auto& id : tracker_.request_ids()) refresh(edits, id, now);
}

std::optional<SlaRuntime::Timed> SlaRuntime::retime(const sync::ReplicaStore& store, const std::string& id,
                                                    Instant now) {
  if (!tracker_.find(id)) return std::nullopt;
  sla::RequestFacts f = tracker_.facts(store, id);
  const bool deleted = store.is_deleted("request", id);
  load_.set(id, read_text(store, "request", id, "owner"), f.priority, !deleted && counts_as_load(f.status));
  if (deleted) {
    engine_->remove(id);
    return std::nullopt;
  }
  if (f.status == RequestStatus::kClosed) engine_->remove(id);
  // Read once: the engine's timers and the request's SLA fields come from the same clocks.
  auto clocks = read_request_clocks(*policy_, f, now);
  if (!clocks) {
    report("sla_clock", clocks.status());
    return std::nullopt;
  }
  if (f.status != RequestStatus::kClosed) engine_->update(f, *clocks);
  return Timed{std::move(f), std::move(*clocks)};
}

void SlaRuntime::observe_remote(const sync::ReplicaStore& store, const sync::EntryLog& log, Instant now) {
  const TrackerChanges changes = tracker_.ingest(log, store);
  for (const auto& id : changes.touched) (void)retime(store, id, now);
}

void SlaRuntime::refresh_directory(Instant now) {
  if (Status s = directory_.refresh(storage_, now); !s) report("sla_directory", s);
}

void SlaRuntime::refresh(ServerEdits& edits, const std::string& id, Instant now) {
  const auto timed = retime(edits.store(), id, now);
  if (!timed) return;
  write_summary(edits, id, summarize(*policy_, timed->facts, timed->clocks));
}

void SlaRuntime::observe_push(ServerEdits& edits, std::vector<notify::Notification>& notes) {
  TrackerChanges changes = tracker_.ingest(edits.log(), edits.store());
  if (changes.touched.empty()) return;
  const Instant now = edits.now();
  if (!changes.created.empty() || !changes.owner_edits.empty()) refresh_directory(now);
  for (const auto& id : changes.created) on_created(edits, id, now, notes);
  for (const auto& e : changes.owner_edits) {
    if (!edits.store().is_deleted("request", e.request)) write_manual_assignment(edits, e);
  }
  for (const auto& id : changes.reagreed) on_reagreed(edits, id, now);
  for (const auto& p : changes.pauses) on_pause(edits, p, now);
  // The assignment's own edits (owner, team) are facts too.
  TrackerChanges own = tracker_.ingest(edits.log(), edits.store());
  std::unordered_set<std::string> seen(changes.touched.begin(), changes.touched.end());
  for (const auto& id : own.touched) {
    if (seen.insert(id).second) changes.touched.push_back(id);
  }
  for (const auto& id : changes.touched) refresh(edits, id, now);
  tracker_.ingest(edits.log(), edits.store());
}

void SlaRuntime::on_created(ServerEdits& edits, const std::string& id, Instant now,
                            std::vector<notify::Notification>& notes) {
  const sync::ReplicaStore& store = edits.store();
  const RequestHistory* h = tracker_.find(id);
  if (!h || store.is_deleted("request", id)) return;
  const sla::RequestFacts f = tracker_.facts(store, id);
  if (options_.auto_assign && f.status != RequestStatus::kClosed && read_text(store, "request", id, "owner").empty()) {
    AssignmentInput in;
    in.request = id;
    in.category = f.category;
    in.priority = f.priority;
    in.industry = read_text(store, "request", id, "industry");
    in.tags = store.read_set("request", id, "tags");
    in.team = read_text(store, "request", id, "team");
    in.creator = h->creator;
    const WorkingCalendar* duty = options_.duty_calendar.empty() ? nullptr : policy_->calendar(options_.duty_calendar);
    const AutoAssignment decided = directory_.loaded()
                                       ? decide_assignment(rules_, directory_, load_, tracker_, in, duty, now)
                                       : unassigned_without_directory(in);
    write_assignment(edits, id, decided);
    if (decided.decision.owner) {
      // The next new request of this push is decided before the log is read again: it must
      // see this one in its owner's load and last assignment, or a batch of requests
      // uploaded together would all go to the same person.
      load_.set(id, *decided.decision.owner, f.priority, counts_as_load(f.status));
      tracker_.note_assigned(*decided.decision.owner, now);
    }
  }
  // Logged offline and uploaded late: say so, since the clocks ran from the contact.
  if (auto contacted = read_instant(store, "request", id, "contacted_at")) {
    std::int64_t allowed = kDefaultIntakeMs;
    const Instant accepted = h->accepted_at.value_or(now);
    std::int64_t took = accepted - *contacted;
    auto intake = policy_->find(SlaTarget::kIntake, f.category, f.priority);
    if (intake && intake->duration.working_days == 0 && intake->duration.minutes > 0) {
      allowed = intake->duration.minutes * kMsPerMinute;
      // Measured as the intake target is: in working time on its calendar. A call at 17:50 on
      // a Friday uploaded at 18:30 was called late although no working time had passed.
      if (intake->calendar) took = intake->calendar->working_ms_between(*contacted, accepted);
    }
    if (took > allowed) {
      const int offset = offset_for(SlaTarget::kFirstResponse, f);
      add_activity(edits, id, late_upload_text(*contacted, std::max(f.recorded_at, *contacted), accepted, offset), now,
                   offset);
    }
  }
  if (f.priority == Priority::kUrgent) {
    const int offset = offset_for(SlaTarget::kFirstResponse, f);
    notes.push_back(notification(store, id, notify::EventKind::kNewUrgent,
                                 Text{"New urgent request", "新的紧急请求"}, now, offset));
  }
}

void SlaRuntime::on_pause(ServerEdits& edits, const PauseEdit& pause, Instant now) {
  const RequestHistory* h = tracker_.find(pause.request);
  if (!h || h->pauses.empty() || edits.store().is_deleted("request", pause.request)) return;
  const sla::RequestFacts f = tracker_.facts(edits.store(), pause.request);
  const int offset = offset_for(SlaTarget::kResolution, f);
  // The pause this edit began is the newest; the one it ended is the newest closed one.
  const SlaPause* p = nullptr;
  for (auto it = h->pauses.rbegin(); it != h->pauses.rend() && p == nullptr; ++it) {
    if (pause.started || it->to) p = &*it;
  }
  if (p == nullptr) return;
  add_activity(edits, pause.request, pause.started ? paused_text(*p, offset) : resumed_text(*p, offset), now, offset);
}

void SlaRuntime::on_reagreed(ServerEdits& edits, const std::string& id, Instant now) {
  const RequestHistory* h = tracker_.find(id);
  if (!h || h->reagreements.empty()) return;
  const sla::RequestFacts f = tracker_.facts(edits.store(), id);
  auto clocks = read_request_clocks(*policy_, f, now);
  std::optional<Instant> original;
  if (clocks) {
    for (const auto& c : *clocks) {
      if (c.target == SlaTarget::kResolution) original = c.original_due;
    }
  }
  const sla::Reagreement& r = f.reagreed.at(SlaTarget::kResolution).back();
  const int offset = offset_for(SlaTarget::kResolution, f);
  add_activity(edits, id, reagreed_text(r.due, original, r.by, r.reason, offset), now, offset);
}

std::vector<std::string> SlaRuntime::fire(ServerEdits& edits, std::vector<notify::Notification>& notes) {
  // Anything merged since the last look first, so events see the newest facts.
  TrackerChanges changes = tracker_.ingest(edits.log(), edits.store());
  const Instant now = edits.now();
  for (const auto& id : changes.touched) refresh(edits, id, now);
  std::vector<sla::SlaEvent> events = engine_->fire_due(now);
  std::vector<std::string> keys;
  if (events.empty()) return keys;
  refresh_directory(now);
  for (const auto& e : events) {
    keys.push_back(e.key);
    apply_event(edits, e, now, notes);
  }
  tracker_.ingest(edits.log(), edits.store());
  fired_since_start_.insert(fired_since_start_.end(), keys.begin(), keys.end());
  return keys;
}

void SlaRuntime::apply_event(ServerEdits& edits, const sla::SlaEvent& e, Instant now,
                             std::vector<notify::Notification>& notes) {
  const sync::ReplicaStore& store = edits.store();
  if (!tracker_.find(e.request_id) || store.is_deleted("request", e.request_id)) return;
  const sla::RequestFacts f = tracker_.facts(store, e.request_id);
  // A breach fires at its due instant, when the clock reads "due" but not yet "over".
  const bool overdue = e.type == sla::EventType::kBreach || e.type == sla::EventType::kEscalation;
  const Instant at = overdue ? std::max(now, e.due + 1) : now;
  EventDetails details;
  details.utc_offset_minutes = offset_for(e.target, f);
  details.warning_share = policy_->warning_share();
  details.priority = f.priority;
  if (auto clocks = read_request_clocks(*policy_, f, at)) {
    write_summary(edits, e.request_id, summarize(*policy_, f, *clocks));
    for (const auto& c : *clocks) {
      if (c.target != e.target) continue;
      details.target_ms = c.reading.target_ms;
      if (e.type != sla::EventType::kReminder) details.target_due = c.reading.due;
    }
  } else {
    report("sla_clock", clocks.status());
  }
  if (e.type == sla::EventType::kBreach) raise_escalation(edits, e.request_id, 1);
  if (e.type == sla::EventType::kEscalation) raise_escalation(edits, e.request_id, 2);
  EventAudience audience;
  audience.team = read_text(store, "request", e.request_id, "team");
  audience.lead = directory_.lead(audience.team);
  audience.coordinators = directory_.coordinators();
  audience.known = directory_.loaded();
  const Text text = event_text(e, details, audience);
  add_activity(edits, e.request_id, text, now, details.utc_offset_minutes);
  if (auto kind = notify_kind(e.type)) {
    notes.push_back(notification(store, e.request_id, *kind, text, now, details.utc_offset_minutes));
  }
}

void SlaRuntime::add_activity(ServerEdits& edits, const std::string& request, const Text& text, Instant at,
                              int utc_offset) {
  const std::string row = sync::make_uuid_v7(at, [this] { return random_(); });
  edits.edit("activity", row, "request_id", sync::Value::string(request));
  edits.edit("activity", row, "kind", sync::Value::string(std::string(to_wire(ActivityKind::kSla))));
  edits.edit("activity", row, "author", sync::Value::string("server"));
  edits.edit("activity", row, "at", sync::Value::string(format_iso8601(at, utc_offset)));
  edits.edit("activity", row, "text", sync::Value::string(clip_text(stored_text(text), kMaxTextChars)));
}

notify::Notification SlaRuntime::notification(const sync::ReplicaStore& store, const std::string& id,
                                               notify::EventKind kind, const Text& message, Instant at,
                                               int utc_offset) const {
  notify::Notification n;
  n.kind = kind;
  n.team = read_text(store, "request", id, "team");
  n.request_id = id;
  n.number = read_text(store, "request", id, "number");
  n.title = read_text(store, "request", id, "title");
  n.customer = read_text(store, "request", id, "customer");
  n.priority = from_wire<Priority>(read_text(store, "request", id, "priority"));
  n.owner = read_text(store, "request", id, "owner");
  n.message = message;
  n.occurred_at = format_iso8601(at, utc_offset);
  return n;
}

void SlaRuntime::replace_policy(ServerEdits& edits, std::string policy_text, SlaPolicy policy,
                                const std::vector<std::string>& fired_keys) {
  tracker_.ingest(edits.log(), edits.store());
  auto next = std::make_unique<SlaPolicy>(std::move(policy));
  engine_.reset();  // it refers to the old policy
  policy_ = std::move(next);
  policy_text_ = std::move(policy_text);
  const Instant now = edits.now();
  load_engine(edits.store(), fired_keys, now);
  refresh_all(edits, now);
  tracker_.ingest(edits.log(), edits.store());
}

Result<std::vector<sla::Clock>> SlaRuntime::clocks(const sync::ReplicaStore& store, const std::string& id,
                                                   Instant now) const {
  if (!tracker_.find(id)) {
    return Status::not_found(format_text(Text{"no request \"{}\"", "没有请求“{}”"}, {same_text(id)}));
  }
  return read_request_clocks(*policy_, tracker_.facts(store, id), now);
}

std::optional<RequestReview> SlaRuntime::review(const sync::ReplicaStore& store, const std::string& id,
                                                Instant now) const {
  const RequestHistory* h = tracker_.find(id);
  if (!h || !h->exists) return std::nullopt;
  RequestReview out;
  out.facts = tracker_.facts(store, id);
  out.closed_at = h->closed_at;
  out.reopened_at = h->reopened_at;
  // A request whose clocks cannot be computed still counts in the volumes.
  if (auto clocks = read_request_clocks(*policy_, out.facts, now)) out.clocks = std::move(*clocks);
  return out;
}

}  // namespace rapidesk::server
