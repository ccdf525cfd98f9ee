#include "sla/request_tracker.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_set>

namespace rapidesk::server {

namespace {

bool applied(sync::Outcome o) { return o == sync::Outcome::kApplied || o == sync::Outcome::kAppliedWithConflict; }

std::string text_of(const sync::Value& v) { return v.is_string() ? v.as_string() : std::string(); }
// A logged op's value as text: an OpView's text is empty unless the value is a string.
std::string text_of(const sync::OpView& op) { return std::string(op.text); }

std::optional<Instant> instant_in(std::string_view text) {
  auto t = parse_iso8601(text);
  return t ? std::optional<Instant>(*t) : std::nullopt;
}
std::optional<Instant> instant_of(const sync::Value& v) {
  return v.is_string() ? instant_in(v.as_string()) : std::nullopt;
}

void set_once(std::optional<Instant>& slot, Instant t) {
  if (!slot) slot = t;
}

void set_earliest(std::optional<Instant>& slot, Instant t) {
  if (!slot || t < *slot) slot = t;
}

}  // namespace

std::string read_text(const sync::ReplicaStore& store, std::string_view entity, std::string_view row,
                      std::string_view field) {
  auto v = store.read(entity, row, field);
  return v ? text_of(v->value) : std::string();
}

std::optional<Instant> read_instant(const sync::ReplicaStore& store, std::string_view entity, std::string_view row,
                                    std::string_view field) {
  auto v = store.read(entity, row, field);
  return v ? instant_of(v->value) : std::nullopt;
}

// The state of one ingest() call.
struct RequestTracker::Batch {
  TrackerChanges changes;
  std::unordered_set<std::string> touched;
  // The request of the previous request entry: a push's entries come in runs per request
  // (its fields, then the server's own), so most entries need neither lookup again.
  std::optional<std::string_view> last_id;  // into the store, which ingest() only reads
  RequestHistory* last_history = nullptr;  // requests_ never moves its entries
};

void RequestTracker::touch(std::string_view id, Batch& batch) {
  // Usually new to the batch (touched once per run of a request's entries): inserted at once.
  if (auto [it, added] = batch.touched.emplace(id); added) batch.changes.touched.push_back(*it);
}

TrackerChanges RequestTracker::ingest(const sync::EntryLog& log, const sync::ReplicaStore& store) {
  Batch batch;
  for (std::uint64_t seq = consumed_ + 1; seq <= log.size(); ++seq) {
    const sync::EntryView e = log.view(seq - 1);
    if (e.op.entity == "request") {
      read_request_op(e, batch);
    } else if (e.op.entity == "activity") {
      read_activity_op(e, store, batch);
    }
  }
  consumed_ = log.size();
  return std::move(batch.changes);
}

void RequestTracker::read_request_op(const sync::EntryView& e, Batch& batch) {
  const std::string_view id = e.op.row;
  const bool same_request = batch.last_id && *batch.last_id == id;
  RequestHistory& h = same_request ? *batch.last_history : requests_[id];
  batch.last_id = id;
  batch.last_history = &h;
  const Instant t = e.op.physical_ms;
  if (!h.exists) {
    h.exists = true;
    batch.changes.created.emplace_back(id);
  }
  if (e.op.origin == sync::Origin::kServer) {
    set_once(h.accepted_at, t);
  } else if (h.recorded_at == 0) {
    h.recorded_at = t;
    h.creator = e.op.author;
  }
  if (!same_request) touch(id, batch);  // else done for the entry before
  if (!applied(e.outcome)) return;
  const std::string_view field = e.op.field;
  if (field == "status") {
    read_status(h, id, text_of(e.op), t, e.op.author, batch);
  } else if (field == "status_reason") {
    h.reason = text_of(e.op);
    if (!h.pauses.empty() && !h.pauses.back().to) h.pauses.back().reason = h.reason;
  } else if (field == "owner") {
    const std::string owner = text_of(e.op);
    if (owner.empty()) return;
    set_once(h.assigned_at, t);
    note_assigned(owner, t);
    if (e.op.origin == sync::Origin::kClient) {
      batch.changes.owner_edits.push_back({std::string(id), owner, std::string(e.op.author)});
    }
  } else if (field == "agreed_due") {
    if (auto due = instant_in(e.op.text)) {
      h.reagreements.push_back(sla::Reagreement{*due, std::string(e.op.author), {}, t});
      auto& list = batch.changes.reagreed;
      if (std::find(list.begin(), list.end(), id) == list.end()) list.emplace_back(id);
    } else {
      h.reagreements.clear();  // the re-agreement was withdrawn: the policy's due applies again
    }
  } else if ((field == "satisfaction" || field == "feedback") && e.op.kind != sync::Value::Kind::kNull &&
             h.completed_at) {
    set_once(h.confirmed_at, t);
  }
}

void RequestTracker::read_status(RequestHistory& h, std::string_view id, const std::string& next, Instant t,
                                 std::string_view by, Batch& batch) {
  t = std::max(t, h.last_transition);
  h.last_transition = t;
  if (next.empty() || next == h.status) return;
  if (h.status == "waiting_customer" && !h.pauses.empty() && !h.pauses.back().to) {
    h.pauses.back().to = t;
    batch.changes.pauses.push_back({std::string(id), false});
  }
  if (next == "waiting_customer") {
    h.pauses.push_back(SlaPause{t, std::nullopt, h.reason, std::string(by)});
    batch.changes.pauses.push_back({std::string(id), true});
  } else if (next == "triaged") {
    set_once(h.triaged_at, t);
  } else if (next == "verifying") {
    set_once(h.completed_at, t);
  } else if (next == "resolved") {
    set_once(h.completed_at, t);
    h.resolved_at = t;
  } else if (next == "closed") {
    if (h.resolved_at) set_once(h.followed_up_at, t);
    h.closed_at = t;
  } else if (next == "reopened") {
    h.reopened_at.push_back(t);
    // A new round of work: completion, confirmation and follow-up start over.
    h.completed_at.reset();
    h.confirmed_at.reset();
    h.resolved_at.reset();
    h.followed_up_at.reset();
  }
  h.status = next;
}

void RequestTracker::read_activity_op(const sync::EntryView& e, const sync::ReplicaStore& store, Batch& batch) {
  if (e.op.field != "request_id" && e.op.field != "kind") return;
  const std::string row(e.op.row);
  PendingActivity& a = activities_[row];
  if (a.stamp_ms == 0) {
    a.stamp_ms = e.op.physical_ms;
    a.by_server = e.op.origin == sync::Origin::kServer;
  }
  (e.op.field == "request_id" ? a.request : a.kind) = text_of(e.op);
  if (a.request.empty() || a.kind.empty()) return;
  // Complete: it counts here, in log order, at the time written on it (append-only, so the
  // store holds the value it was written with).
  const Instant t = read_instant(store, "activity", row, "at").value_or(a.stamp_ms);
  apply_activity(a, t, batch);
  activities_.erase(row);
}

void RequestTracker::apply_activity(const PendingActivity& a, Instant t, Batch& batch) {
  if (a.by_server) return;  // the server's own SLA entries
  RequestHistory& h = requests_[a.request];
  touch(a.request, batch);
  if (a.kind == "progress") {
    if (!h.last_progress_at || t > *h.last_progress_at) h.last_progress_at = t;
    set_earliest(h.plan_at, t);
  } else if (a.kind == "solution") {
    set_earliest(h.plan_at, t);
  } else if (a.kind == "customer_contact") {
    set_earliest(h.first_response_at, t);
    if (h.resolved_at && t >= *h.resolved_at) set_once(h.followed_up_at, t);
  } else if (a.kind == "feedback") {
    if (h.completed_at) set_once(h.confirmed_at, t);
  }
}

const RequestHistory* RequestTracker::find(const std::string& id) const {
  const RequestHistory* h = requests_.find(id);
  return h == nullptr || !h->exists ? nullptr : h;
}

std::vector<std::string> RequestTracker::request_ids() const {
  std::vector<std::string> out;
  out.reserve(requests_.size());
  for (const auto& [id, h] : requests_) {
    if (h.exists) out.push_back(id);
  }
  return out;
}

std::optional<Instant> RequestTracker::last_assigned(const std::string& owner) const {
  auto it = last_assigned_.find(owner);
  return it == last_assigned_.end() ? std::nullopt : std::optional<Instant>(it->second);
}

sla::RequestFacts RequestTracker::facts(const sync::ReplicaStore& store, const std::string& id) const {
  const RequestHistory* found = requests_.find(id);
  if (found == nullptr) throw std::out_of_range("RequestTracker::facts: unknown request " + id);
  const RequestHistory& h = *found;
  sla::RequestFacts f;
  f.id = id;
  f.category = from_wire<Category>(read_text(store, "request", id, "category")).value_or(Category::kOther);
  f.priority = from_wire<Priority>(read_text(store, "request", id, "priority")).value_or(Priority::kMedium);
  f.status = from_wire<RequestStatus>(read_text(store, "request", id, "status")).value_or(RequestStatus::kNew);
  f.recorded_at = h.recorded_at != 0 ? h.recorded_at : h.accepted_at.value_or(0);
  f.contacted_at = read_instant(store, "request", id, "contacted_at").value_or(f.recorded_at);
  f.accepted_at = h.accepted_at.value_or(f.recorded_at);
  // The customer cannot have been contacted after the server had the request: a later
  // contact time (a device clock far ahead, a typo in the year) would hold every clock off
  // until then. The value stays as written; the clocks start at the acceptance.
  if (h.accepted_at && f.contacted_at > *h.accepted_at) f.contacted_at = *h.accepted_at;
  f.triaged_at = h.triaged_at;
  f.assigned_at = h.assigned_at;
  f.first_response_at = h.first_response_at;
  f.plan_at = h.plan_at;
  f.last_progress_at = h.last_progress_at;
  f.completed_at = h.completed_at;
  f.confirmed_at = h.confirmed_at;
  f.resolved_at = h.resolved_at;
  f.followed_up_at = h.followed_up_at;
  if (!h.reopened_at.empty()) f.reopened_at = h.reopened_at.back();
  f.pauses = h.pauses;
  const std::string current_reason = read_text(store, "request", id, "status_reason");
  for (auto& p : f.pauses) {
    if (p.reason.find_first_not_of(" \t\r\n") != std::string::npos) continue;
    // A pause always has a reason; the status itself is the reason when none was written.
    p.reason = !p.to && !current_reason.empty() ? current_reason : std::string("waiting_customer");
  }
  // Re-agreed due times belong to the round they were agreed in: after a reopening the
  // resolution starts over, and an earlier agreement (long past) would breach it at once.
  std::vector<sla::Reagreement> this_round;
  for (const auto& r : h.reagreements) {
    if (!f.reopened_at || r.at >= *f.reopened_at) this_round.push_back(r);
  }
  if (!this_round.empty()) {
    this_round.back().reason = read_text(store, "request", id, "agreed_reason");
    f.reagreed[SlaTarget::kResolution] = std::move(this_round);
  }
  return f;
}

}  // namespace rapidesk::server
